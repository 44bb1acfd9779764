/*
 * inet/list.c - inet:i/0,1,2: the table of open inet sockets.
 *
 * Same layout as OTP: one table per protocol (tcp, then udp), a header row
 * of capitalised column names, every column left-aligned and padded to its
 * widest cell plus one space. Addresses print as "*:Port" for any,
 * "localhost:Port" for 127.0.0.1 and ::1 (other loopback addresses print as
 * they are, as in inet), "local:Path" for unix sockets; ports are
 * service names unless show_ports. State strings follow inet's fmt_status.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <esock/error.h>

#include "inet/inet_int.h"
#include "sys/sys.h"

static const char *const colnames[ESOCK_ICOL_COUNT_] = {
    "Port", "Module", "Recv", "Sent", "Owner", "Local Address", "Foreign Address", "State", "Type",
};

#define CELL 128

typedef struct row {
    char c[ESOCK_ICOL_COUNT_][CELL];
} row_t;

typedef struct collect {
    int proto;
    bool show_ports;
    row_t *rows;
    size_t n, cap;
} collect_t;

/* inet's fmt_status over the flags an inet driver port reports. */
static void fmt_state(unsigned st, char *out, size_t cap)
{
    bool acc = st & ESOCK_INET_ST_ACCEPTING, busy = st & ESOCK_INET_ST_BUSY,
         conn = st & ESOCK_INET_ST_CONNECTED, cing = st & ESOCK_INET_ST_CONNECTING,
         lis = st & ESOCK_INET_ST_LISTEN, open = st & ESOCK_INET_ST_OPEN;
    if (acc)
        snprintf(out, cap, "ACCEPTING");
    else if (conn && !busy && open)
        snprintf(out, cap, "CONNECTED(O)");
    else if (!open)
        snprintf(out, cap, "CLOSED");
    else if (!conn && !lis && !cing && !busy)
        snprintf(out, cap, "IDLE");
    else {
        /* fmt_status2: the sorted flags abbreviated and joined with ':' */
        const char *parts[6];
        int k = 0;
        if (busy)
            parts[k++] = "BY";
        if (conn)
            parts[k++] = "CD";
        if (cing)
            parts[k++] = "CG";
        if (lis)
            parts[k++] = "LN";
        parts[k++] = "O";
        out[0] = 0;
        for (int i = 0; i < k; i++) {
            strncat(out, parts[i], cap - strlen(out) - 1);
            if (i + 1 < k)
                strncat(out, ":", cap - strlen(out) - 1);
        }
    }
}

static void fmt_addr(int fd, bool peer, bool tcp, bool show_ports, char *out, size_t cap)
{
    struct sockaddr_storage ss;
    socklen_t l = sizeof ss;
    int r = peer ? esock__sys.getpeername(fd, (struct sockaddr *)&ss, &l) : esock__sys.getsockname(fd, (struct sockaddr *)&ss, &l);
    if (r < 0) {
        snprintf(out, cap, "*:*");
        return;
    }
    esock_sockaddr_t sa;
    if (esock_sockaddr_from_native((struct sockaddr *)&ss, l, &sa) != 0) {
        snprintf(out, cap, "*:*");
        return;
    }
    if (sa.family == ESOCK_FAMILY_LOCAL) {
        /* "local:" and the name as esock_sockaddr_format shows it (an
         * abstract name's NULs as '@': printed raw, the NUL would end the
         * cell); an unnamed socket is "local:" alone, as inet:i() shows it. */
        char name[4 * ESOCK_SOCKADDR_DATA + 1]; /* each byte at most 4 ("\xHH") */
        if (sa.u.local.len == 0 || esock_sockaddr_format(&sa, name, sizeof name) < 0)
            name[0] = 0;
        snprintf(out, cap, "local:%s", name);
        return;
    }
    esock_ip_t ip;
    uint16_t port = 0;
    if (esock_sockaddr_get_ip(&sa, &ip, &port) != 0) {
        snprintf(out, cap, "*:*");
        return;
    }
    char host[ESOCK_IP_STRLEN];
    bool any = true, loop = false;
    if (ip.family == ESOCK_IP4) {
        for (int i = 0; i < 4; i++)
            any = any && ip.u.v4[i] == 0;
        loop = ip.u.v4[0] == 127 && ip.u.v4[1] == 0 && ip.u.v4[2] == 0 && ip.u.v4[3] == 1;
    } else {
        for (int i = 0; i < 8; i++)
            any = any && ip.u.v6[i] == 0;
        loop = true;
        for (int i = 0; i < 7; i++)
            loop = loop && ip.u.v6[i] == 0;
        loop = loop && ip.u.v6[7] == 1;
    }
    if (any)
        snprintf(host, sizeof host, "*");
    else if (loop)
        snprintf(host, sizeof host, "localhost");
    else if (esock_ntoa(&ip, host, sizeof host) < 0)
        snprintf(host, sizeof host, "?");
    char pbuf[32];
    struct servent se, *sp = NULL;
    char sbuf[512];
    if (!show_ports && port &&
        getservbyport_r(htons(port), tcp ? "tcp" : "udp", &se, sbuf, sizeof sbuf, &sp) == 0 && sp)
        snprintf(pbuf, sizeof pbuf, "%s", sp->s_name);
    else
        snprintf(pbuf, sizeof pbuf, "%u", port);
    snprintf(out, cap, "%s:%s", host, pbuf);
}

static void collect_one(esock__isock_t *s, void *arg)
{
    collect_t *c = arg;
    pthread_mutex_lock(&s->mu);
    /* A port lives also without its fd (after a passive recv got the
     * end): inet:i() lists it, CLOSED and with no local address. */
    bool want = !s->closed && !s->read_dead &&
                (c->proto == ESOCK_INET_I_ALL || (c->proto == ESOCK_INET_I_TCP && s->proto == ESOCK_INET_TCP) ||
                 (c->proto == ESOCK_INET_I_UDP && s->proto == ESOCK_INET_UDP));
    if (want && c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 16;
        row_t *nr = esock__realloc(c->rows, ncap * sizeof *nr);
        if (!nr)
            want = false;
        else {
            c->rows = nr;
            c->cap = ncap;
        }
    }
    if (want) {
        row_t *r = &c->rows[c->n++];
        bool tcp = s->proto == ESOCK_INET_TCP;
        const char *mod = s->family == AF_UNIX ? (tcp ? "local_tcp" : "local_udp")
                        : s->family == AF_INET6 ? (tcp ? "inet6_tcp" : "inet6_udp")
                                                 : (tcp ? "inet_tcp" : "inet_udp");
        snprintf(r->c[ESOCK_ICOL_PORT], CELL, "%u", s->ref.id);
        snprintf(r->c[ESOCK_ICOL_MODULE], CELL, "%s", mod);
        snprintf(r->c[ESOCK_ICOL_RECV], CELL, "%llu", (unsigned long long)s->recv_oct);
        snprintf(r->c[ESOCK_ICOL_SENT], CELL, "%llu", (unsigned long long)s->send_oct);
        if (s->owner)
            snprintf(r->c[ESOCK_ICOL_OWNER], CELL, "<mbox.%u>", s->owner);
        else
            snprintf(r->c[ESOCK_ICOL_OWNER], CELL, "-");
        if (s->fd >= 0)
            fmt_addr(s->fd, false, tcp, c->show_ports, r->c[ESOCK_ICOL_LOCAL_ADDRESS], CELL);
        else
            r->c[ESOCK_ICOL_LOCAL_ADDRESS][0] = 0;
        if (s->fd >= 0 && (s->states & ESOCK_INET_ST_CONNECTED))
            fmt_addr(s->fd, true, tcp, c->show_ports, r->c[ESOCK_ICOL_FOREIGN_ADDRESS], CELL);
        else
            snprintf(r->c[ESOCK_ICOL_FOREIGN_ADDRESS], CELL, "*:*");
        fmt_state(s->states, r->c[ESOCK_ICOL_STATE], CELL);
        snprintf(r->c[ESOCK_ICOL_TYPE], CELL, "%s", tcp ? "STREAM" : "DGRAM");
    }
    pthread_mutex_unlock(&s->mu);
}

static void print_table(FILE *out, const row_t *rows, size_t n, const esock_inet_icol_t *cols, size_t ncols)
{
    /* One width per column kind, not per entry of @p cols: a column may
     * be asked for more than once (inet:i/2 takes any list of fields). */
    size_t w[ESOCK_ICOL_COUNT_];
    for (int k = 0; k < ESOCK_ICOL_COUNT_; k++) {
        w[k] = strlen(colnames[k]);
        for (size_t i = 0; i < n; i++) {
            size_t l = strlen(rows[i].c[k]);
            if (l > w[k])
                w[k] = l;
        }
    }
    for (size_t j = 0; j < ncols; j++)
        fprintf(out, "%-*s ", (int)w[cols[j]], colnames[cols[j]]);
    fputc('\n', out);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < ncols; j++)
            fprintf(out, "%-*s ", (int)w[cols[j]], rows[i].c[cols[j]]);
        fputc('\n', out);
    }
}

int esock_inet_i(FILE *out, int proto, const esock_inet_icol_t *cols, size_t ncols, bool show_ports)
{
    static const esock_inet_icol_t all[ESOCK_ICOL_COUNT_] = {
        ESOCK_ICOL_PORT, ESOCK_ICOL_MODULE, ESOCK_ICOL_RECV, ESOCK_ICOL_SENT, ESOCK_ICOL_OWNER,
        ESOCK_ICOL_LOCAL_ADDRESS, ESOCK_ICOL_FOREIGN_ADDRESS, ESOCK_ICOL_STATE, ESOCK_ICOL_TYPE};
    if (!out || (proto != ESOCK_INET_I_ALL && proto != ESOCK_INET_I_TCP && proto != ESOCK_INET_I_UDP))
        return -EINVAL;
    if (!cols || ncols == 0) {
        cols = all;
        ncols = ESOCK_ICOL_COUNT_;
    }
    for (size_t j = 0; j < ncols; j++)
        if ((unsigned)cols[j] >= ESOCK_ICOL_COUNT_)
            return -EINVAL;
    int total = 0;
    /* i() prints tcp, then udp, each as its own table (OTP). */
    for (int p = ESOCK_INET_I_TCP; p <= ESOCK_INET_I_UDP; p++) {
        if (proto != ESOCK_INET_I_ALL && proto != p)
            continue;
        collect_t c = {.proto = p, .show_ports = show_ports};
        esock__inet_foreach(collect_one, &c);
        if (c.n) /* OTP prints no table, not even its header, for no sockets */
            print_table(out, c.rows, c.n, cols, ncols);
        total += (int)c.n;
        esock__free(c.rows);
    }
    return total;
}
