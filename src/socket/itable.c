/*
 * socket:i/0,1,2 with OTP's table layout: the columns of info_keys()
 * (Domain, Type, Protocol, Fd, Owner, Local Address, Remote Address, Recv,
 * Sent, State), each as wide as its widest cell plus one space, cells left
 * aligned, and the cell formats of OTP 25's socket.erl (checked against
 * `erl` on this machine: see docs/socket-i.md):
 *   - TYPE and PROTOCOL upper case, domain lower case;
 *   - an address is "*:Port" (any), "localhost:Port" (127.0.0.1 or ::1),
 *     "a.b.c.d:Port" or "local:Path"; a port with a service name for the
 *     socket's protocol is "name (Port)"; no address (not connected) is " ";
 *   - State is the read states joined by ':', then " , " and the write
 *     states (", -" when there are no write states, " - , " before write
 *     states without read states, " " when both are empty), each state
 *     abbreviated (bound BD, listening LG, connected CD, selected SD, ...).
 * The table is built in memory first (cells are needed twice: width, then
 * print), rows in creation order.
 */
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <esock/socket.h>

#include "socket/sock.h"

static const char *const key_names[ESOCK_I_NKEYS] = {
    "domain", "type", "protocol", "fd", "owner", "local_address", "remote_address",
    "recv", "sent", "state",
};

static const char *const key_headers[ESOCK_I_NKEYS] = {
    "Domain", "Type", "Protocol", "Fd", "Owner", "Local Address", "Remote Address",
    "Recv", "Sent", "State",
};

int esock_i_key(const char *name)
{
    for (int k = 0; name != NULL && k < ESOCK_I_NKEYS; k++)
        if (strcmp(key_names[k], name) == 0)
            return k;
    return ESOCK_EINVAL_VALUE;
}

const char *esock_i_key_name(int key)
{
    return key >= 0 && key < ESOCK_I_NKEYS ? key_names[key] : NULL;
}

int esock_i_filter_name(const char *name, esock_filter_t *f)
{
    if (name == NULL || f == NULL)
        return ESOCK_EINVAL_VALUE;
    memset(f, 0, sizeof *f);
    /* OTP's i/1 accepts these atoms only (domain | type | protocol). */
    static const char *const domains[] = {"inet", "inet6", "local"};
    static const char *const types[] = {"stream", "dgram", "seqpacket"};
    static const char *const protos[] = {"sctp", "tcp", "udp"};
    for (size_t i = 0; i < 3; i++) {
        if (strcmp(name, domains[i]) == 0)
            return (f->domain = esock_domain_from_name(name)) > 0 ? 0 : ESOCK_EINVAL_DOMAIN;
        if (strcmp(name, types[i]) == 0)
            return (f->type = esock_type_from_name(name)) > 0 ? 0 : ESOCK_EINVAL_TYPE;
        if (strcmp(name, protos[i]) == 0)
            return (f->protocol = esock_protocol_from_name(name)) > 0 ? 0 : ESOCK_EINVAL_PROTOCOL;
    }
    return ESOCK_EINVAL_VALUE;
}

/* ---- cells ---------------------------------------------------------------------- */

#define CELL 320

static void upper_name(const char *name, int v, char *out)
{
    if (name == NULL) {
        snprintf(out, CELL, "%d", v);
        return;
    }
    size_t i = 0;
    for (; name[i] && i + 1 < CELL; i++)
        out[i] = (char)toupper((unsigned char)name[i]);
    out[i] = 0;
}

static void fmt_port(unsigned port, int protocol, char *out, size_t cap)
{
    const char *pname = esock_protocol_name(protocol);
    struct servent se, *res = NULL;
    char buf[1024];
    if (pname != NULL && port != 0 &&
        getservbyport_r((int)htons((uint16_t)port), pname, &se, buf, sizeof buf, &res) == 0 &&
        res != NULL)
        snprintf(out, cap, "%s (%u)", res->s_name, port);
    else
        snprintf(out, cap, "%u", port);
}

static void fmt_sockaddr(const esock_sockaddr_t *a, int protocol, char *out)
{
    char host[ESOCK_IP_STRLEN], port[CELL / 2];
    esock_ip_t ip;
    unsigned p;
    memset(&ip, 0, sizeof ip);
    switch (a->family) {
    case ESOCK_FAMILY_INET: {
        static const uint8_t any[4], lo[4] = {127, 0, 0, 1};
        ip.family = ESOCK_IP4;
        memcpy(ip.u.v4, a->u.in.addr, 4);
        p = a->u.in.port;
        if (memcmp(a->u.in.addr, any, 4) == 0)
            strcpy(host, "*");
        else if (memcmp(a->u.in.addr, lo, 4) == 0)
            strcpy(host, "localhost");
        else if (esock_ntoa(&ip, host, sizeof host) < 0)
            strcpy(host, "?");
        break;
    }
    case ESOCK_FAMILY_INET6: {
        static const uint16_t any[8], lo[8] = {0, 0, 0, 0, 0, 0, 0, 1};
        ip.family = ESOCK_IP6;
        memcpy(ip.u.v6, a->u.in6.addr, sizeof ip.u.v6);
        p = a->u.in6.port;
        if (memcmp(a->u.in6.addr, any, sizeof any) == 0)
            strcpy(host, "*");
        else if (memcmp(a->u.in6.addr, lo, sizeof lo) == 0)
            strcpy(host, "localhost");
        else if (esock_ntoa(&ip, host, sizeof host) < 0)
            strcpy(host, "?");
        break;
    }
    case ESOCK_FAMILY_LOCAL: {
        /* OTP prints the path bytes; an abstract name's leading NUL is shown as '@'. */
        size_t n = a->u.local.len < CELL - 7 ? a->u.local.len : CELL - 7;
        memcpy(out, "local:", 6);
        for (size_t i = 0; i < n; i++)
            out[6 + i] = a->u.local.path[i] ? a->u.local.path[i] : '@';
        out[6 + n] = 0;
        return;
    }
    default:
        strcpy(out, " ");
        return;
    }
    fmt_port(p, protocol, port, sizeof port);
    snprintf(out, CELL, "%s:%s", host, port);
}

/* OTP's abbreviations of socket_info() states; others are upper-cased. */
static const struct {
    const char *state, *abbr;
} abbrevs[] = {
    {"accepting", "A"}, {"bound", "BD"},     {"busy", "BY"},     {"connected", "CD"},
    {"connecting", "CG"}, {"listen", "LN"}, {"listening", "LG"}, {"open", "O"},
    {"selected", "SD"},
};

static void append_states(char *out, size_t cap, const char *const *st, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *a = NULL;
        for (size_t j = 0; j < sizeof abbrevs / sizeof abbrevs[0]; j++)
            if (strcmp(abbrevs[j].state, st[i]) == 0)
                a = abbrevs[j].abbr;
        char up[32];
        if (a == NULL) {
            upper_name(st[i], 0, up);
            a = up;
        }
        size_t len = strlen(out);
        snprintf(out + len, cap - len, "%s%s", i ? ":" : "", a);
    }
}

int esock_socket_states(esock_t h, const char **rst, size_t *nr, const char **wst, size_t *nw)
{
    if (!rst || !nr || !wst || !nw)
        return -EFAULT;
    esock_sockaddr_t sa;
    bool named = false;
    if (esock_sockname(h, &sa) == 0)
        named = (sa.family == ESOCK_FAMILY_INET && sa.u.in.port != 0) ||
                (sa.family == ESOCK_FAMILY_INET6 && sa.u.in6.port != 0) ||
                (sa.family == ESOCK_FAMILY_LOCAL && sa.u.local.len > 0);
    esock__sock_t *s = esock__sock_pin(h);
    if (s == NULL)
        return ESOCK_ECLOSED;
    size_t r = 0, w = 0;
    pthread_mutex_lock(&s->mu);
    /* "bound" as OTP shows it: a name taken before any connection. */
    if (named && !s->connected && !s->connecting)
        rst[r++] = "bound";
    if (s->listening)
        rst[r++] = "listening";
    if (s->acc.busy)
        rst[r++] = "accepting";
    if ((s->rd.busy && s->rd.cur_nowait) || (s->acc.busy && s->acc.cur_nowait))
        rst[r++] = "selected";
    if (s->connecting)
        wst[w++] = "connecting";
    if (s->connected)
        wst[w++] = "connected";
    if (s->wr.busy && s->wr.cur_nowait)
        wst[w++] = "selected";
    pthread_mutex_unlock(&s->mu);
    esock__sock_unpin(s);
    *nr = r;
    *nw = w;
    return 0;
}

static void fmt_state_cell(esock_t h, char *out)
{
    const char *rst[4], *wst[4];
    size_t nr, nw;
    out[0] = 0;
    if (esock_socket_states(h, rst, &nr, wst, &nw) < 0) {
        strcpy(out, " ");
        return;
    }
    if (nr == 0 && nw == 0) {
        strcpy(out, " ");
    } else if (nw == 0) {
        append_states(out, CELL, rst, nr);
        strcat(out, ", -");
    } else if (nr == 0) {
        strcpy(out, " - , ");
        append_states(out, CELL, wst, nw);
    } else {
        append_states(out, CELL, rst, nr);
        strcat(out, " , ");
        append_states(out, CELL, wst, nw);
    }
}

static void cell(esock_t h, const esock_socket_info_t *in, int key, char *out)
{
    esock_sockaddr_t sa;
    int fd;
    switch (key) {
    case ESOCK_I_DOMAIN: {
        const char *n = esock_domain_name(in->domain);
        if (n)
            snprintf(out, CELL, "%s", n);
        else
            snprintf(out, CELL, "%d", in->domain);
        break;
    }
    case ESOCK_I_TYPE: upper_name(esock_type_name(in->type), in->type, out); break;
    case ESOCK_I_PROTOCOL: upper_name(esock_protocol_name(in->protocol), in->protocol, out); break;
    case ESOCK_I_FD:
        fd = esock_fd(h);
        if (fd >= 0)
            snprintf(out, CELL, "%d", fd);
        else
            strcpy(out, " ");
        break;
    case ESOCK_I_OWNER: snprintf(out, CELL, "%u", (unsigned)in->owner); break;
    case ESOCK_I_LOCAL_ADDRESS:
    case ESOCK_I_REMOTE_ADDRESS:
        if ((key == ESOCK_I_LOCAL_ADDRESS ? esock_sockname(h, &sa) : esock_peername(h, &sa)) == 0)
            fmt_sockaddr(&sa, in->protocol, out);
        else
            strcpy(out, " ");
        break;
    case ESOCK_I_RECV:
        snprintf(out, CELL, "%llu", (unsigned long long)in->counters.read_byte);
        break;
    case ESOCK_I_SENT:
        snprintf(out, CELL, "%llu", (unsigned long long)in->counters.write_byte);
        break;
    default: fmt_state_cell(h, out); break;
    }
}

/* ---- the table ------------------------------------------------------------------- */

struct row {
    uint64_t serial;
    esock_t h;
    char (*cells)[CELL];
};

static int by_serial(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    return x->serial < y->serial ? -1 : x->serial > y->serial;
}

static uint64_t serial_of(esock_t h)
{
    esock__sock_t *s = esock__sock_pin(h);
    if (s == NULL)
        return UINT64_MAX;
    uint64_t v = s->serial;
    esock__sock_unpin(s);
    return v;
}

int esock_i_keys(FILE *out, const esock_filter_t *f, const int *keys, size_t nkeys)
{
    static const int all[ESOCK_I_NKEYS] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    if (out == NULL)
        return -EFAULT;
    if (keys == NULL || nkeys == 0) {
        keys = all;
        nkeys = ESOCK_I_NKEYS;
    }
    for (size_t k = 0; k < nkeys; k++)
        if (keys[k] < 0 || keys[k] >= ESOCK_I_NKEYS)
            return ESOCK_EINVAL_VALUE;
    esock_filter_t any;
    memset(&any, 0, sizeof any);
    if (f == NULL)
        f = &any;
    int n = esock_which_sockets(f, NULL, 0);
    if (n < 0)
        return n;
    size_t cap = (size_t)n + 16; /* sockets opened meanwhile are left out */
    esock_t *hs = malloc(cap * sizeof *hs);
    struct row *rows = calloc(cap, sizeof *rows);
    size_t *width = calloc(nkeys, sizeof *width);
    int rc = 0;
    size_t nrows = 0;
    if (hs == NULL || rows == NULL || width == NULL) {
        rc = -ENOMEM;
        goto out;
    }
    n = esock_which_sockets(f, hs, cap);
    for (size_t i = 0; i < (size_t)n && i < cap; i++) {
        esock_socket_info_t in;
        if (esock_info_socket(hs[i], &in) < 0)
            continue; /* closed meanwhile */
        struct row *r = &rows[nrows];
        r->cells = malloc(nkeys * sizeof *r->cells);
        if (r->cells == NULL) {
            rc = -ENOMEM;
            goto out;
        }
        r->h = hs[i];
        r->serial = serial_of(hs[i]);
        for (size_t k = 0; k < nkeys; k++)
            cell(hs[i], &in, keys[k], r->cells[k]);
        nrows++;
    }
    qsort(rows, nrows, sizeof *rows, by_serial);
    for (size_t k = 0; k < nkeys; k++) {
        width[k] = strlen(key_headers[keys[k]]);
        for (size_t i = 0; i < nrows; i++) {
            size_t l = strlen(rows[i].cells[k]);
            if (l > width[k])
                width[k] = l;
        }
    }
    for (size_t k = 0; k < nkeys; k++)
        fprintf(out, "%-*s ", (int)width[k], key_headers[keys[k]]);
    fputc('\n', out);
    for (size_t i = 0; i < nrows; i++) {
        for (size_t k = 0; k < nkeys; k++)
            fprintf(out, "%-*s ", (int)width[k], rows[i].cells[k]);
        fputc('\n', out);
    }
    rc = (int)nrows;
out:
    if (rows != NULL)
        for (size_t i = 0; i < cap; i++)
            free(rows[i].cells);
    free(rows);
    free(hs);
    free(width);
    return rc;
}
