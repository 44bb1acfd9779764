/*
 * Message flags and control messages: pure encoders/decoders over byte
 * buffers. Two tables drive everything: msg_flags (name <-> MSG_* bit) and
 * kinds (level/type <-> kind, payload size, decoder, encoder). Decoding
 * copies every field out with memcpy, so neither alignment nor the content
 * of the buffer matters: only the lengths, and each is checked.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include <linux/errqueue.h> /* after time.h: it needs struct timespec */

#include <esock/cmsg.h>

/* ---- message flags ---------------------------------------------------------- */

static const struct {
    const char *name;
    int flag;
} msg_flags[] = {
#ifdef MSG_CMSG_CLOEXEC
    {"cmsg_cloexec", MSG_CMSG_CLOEXEC},
#endif
#ifdef MSG_CONFIRM
    {"confirm", MSG_CONFIRM},
#endif
    {"ctrunc", MSG_CTRUNC},
    {"dontroute", MSG_DONTROUTE},
    {"eor", MSG_EOR},
#ifdef MSG_ERRQUEUE
    {"errqueue", MSG_ERRQUEUE},
#endif
#ifdef MSG_MORE
    {"more", MSG_MORE},
#endif
#ifdef MSG_NOSIGNAL
    {"nosignal", MSG_NOSIGNAL},
#endif
    {"oob", MSG_OOB},
    {"peek", MSG_PEEK},
    {"trunc", MSG_TRUNC},
    {"waitall", MSG_WAITALL},
};
#define N_FLAGS (sizeof msg_flags / sizeof msg_flags[0])

int esock_msg_flag(const char *name)
{
    if (name != NULL)
        for (size_t i = 0; i < N_FLAGS; i++)
            if (strcmp(msg_flags[i].name, name) == 0)
                return msg_flags[i].flag;
    return ESOCK_EINVAL_FLAG;
}

const char *esock_msg_flag_name(int flag)
{
    for (size_t i = 0; i < N_FLAGS; i++)
        if (msg_flags[i].flag == flag)
            return msg_flags[i].name;
    return NULL;
}

size_t esock_msg_flag_names(int flags, const char **names, size_t cap, int *rest)
{
    size_t n = 0;
    unsigned left = (unsigned)flags;
    for (size_t i = 0; i < N_FLAGS; i++) {
        unsigned f = (unsigned)msg_flags[i].flag;
        if ((left & f) != f)
            continue;
        left &= ~f;
        if (names != NULL && n < cap)
            names[n] = msg_flags[i].name;
        n++;
    }
    if (rest != NULL)
        *rest = (int)left;
    return n;
}

/* ---- helpers ---------------------------------------------------------------- */

/* Header size and alignment of the OS (CMSG_LEN(0), CMSG_ALIGN). */
#define HDR ((size_t)CMSG_LEN(0))
#define ALIGN(n) ((size_t)CMSG_ALIGN(n))

static int get_int(const uint8_t *p)
{
    int v;
    memcpy(&v, p, sizeof v);
    return v;
}

static void ip4_of(const void *in_addr, esock_ip_t *ip)
{
    ip->family = ESOCK_IP4;
    memcpy(ip->u.v4, in_addr, 4);
}

static void ip6_of(const uint8_t *b, esock_ip_t *ip)
{
    ip->family = ESOCK_IP6;
    for (int i = 0; i < 8; i++)
        ip->u.v6[i] = (uint16_t)(b[2 * i] << 8 | b[2 * i + 1]);
}

static void ip6_to(const esock_ip_t *ip, uint8_t *b)
{
    for (int i = 0; i < 8; i++) {
        b[2 * i] = (uint8_t)(ip->u.v6[i] >> 8);
        b[2 * i + 1] = (uint8_t)ip->u.v6[i];
    }
}

/* A sockaddr of at most len bytes at p: copied to aligned storage first,
 * and only the length its family needs is passed on. */
static int addr_of(const uint8_t *p, size_t len, esock_sockaddr_t *sa)
{
    struct sockaddr_storage ss;
    sa_family_t fam;
    if (len < sizeof fam)
        return -EINVAL;
    memcpy(&fam, p, sizeof fam);
    size_t need = fam == AF_INET ? sizeof(struct sockaddr_in)
                  : fam == AF_INET6 ? sizeof(struct sockaddr_in6)
                                    : len;
    if (need > len || need > sizeof ss)
        return -EINVAL;
    memset(&ss, 0, sizeof ss);
    memcpy(&ss, p, need);
    return esock_sockaddr_from_native((struct sockaddr *)&ss, (socklen_t)need, sa);
}

/* ---- decoders: payload p of n bytes (n >= the row's minimum) ----------------- */

static int d_timestamp(const uint8_t *p, size_t n, esock_cmsg_t *c)
{
    (void)n;
    struct timeval tv;
    memcpy(&tv, p, sizeof tv);
    c->v.timestamp.sec = tv.tv_sec;
    c->v.timestamp.usec = tv.tv_usec;
    return 0;
}

static int d_rights(const uint8_t *p, size_t n, esock_cmsg_t *c)
{
    (void)p;
    c->v.rights.n = n / sizeof(int);
    c->v.rights.fds = NULL;
    return 0;
}

static int d_cred(const uint8_t *p, size_t n, esock_cmsg_t *c)
{
    (void)n;
    struct ucred u;
    memcpy(&u, p, sizeof u);
    c->v.cred.pid = u.pid;
    c->v.cred.uid = u.uid;
    c->v.cred.gid = u.gid;
    return 0;
}

/* tos arrives as one byte on Linux (IP_RECVTOS), as an int when sent. */
static int d_byte_or_int(const uint8_t *p, size_t n, esock_cmsg_t *c)
{
    c->v.i = n >= sizeof(int) ? get_int(p) : p[0];
    return 0;
}

static int d_int(const uint8_t *p, size_t n, esock_cmsg_t *c)
{
    (void)n;
    c->v.i = get_int(p);
    return 0;
}

static int d_pktinfo(const uint8_t *p, size_t n, esock_cmsg_t *c)
{
    (void)n;
    struct in_pktinfo pi;
    memcpy(&pi, p, sizeof pi);
    c->v.pktinfo.ifindex = pi.ipi_ifindex;
    ip4_of(&pi.ipi_spec_dst, &c->v.pktinfo.spec_dst);
    ip4_of(&pi.ipi_addr, &c->v.pktinfo.addr);
    return 0;
}

static int d_pktinfo6(const uint8_t *p, size_t n, esock_cmsg_t *c)
{
    (void)n;
    struct in6_pktinfo pi;
    memcpy(&pi, p, sizeof pi);
    c->v.pktinfo.ifindex = (int)pi.ipi6_ifindex;
    memset(&c->v.pktinfo.spec_dst, 0, sizeof c->v.pktinfo.spec_dst);
    ip6_of(pi.ipi6_addr.s6_addr, &c->v.pktinfo.addr);
    return 0;
}

static int d_addr(const uint8_t *p, size_t n, esock_cmsg_t *c)
{
    return addr_of(p, n, &c->v.addr);
}

/* sock_extended_err, then (SO_EE_OFFENDER) the address that sent the ICMP. */
static int d_recverr(const uint8_t *p, size_t n, esock_cmsg_t *c)
{
    struct sock_extended_err ee;
    memcpy(&ee, p, sizeof ee);
    esock_extended_err_t *e = &c->v.err;
    memset(e, 0, sizeof *e);
    e->error = (int)ee.ee_errno;
    e->origin = ee.ee_origin;
    e->type = ee.ee_type;
    e->code = ee.ee_code;
    e->info = ee.ee_info;
    e->data = ee.ee_data;
    sa_family_t fam = AF_UNSPEC;
    if (n >= sizeof ee + sizeof fam)
        memcpy(&fam, p + sizeof ee, sizeof fam);
    if (fam != AF_UNSPEC && addr_of(p + sizeof ee, n - sizeof ee, &e->offender) == 0)
        e->has_offender = true;
    return 0;
}

/* ---- encoders: write the payload (exactly the row's size for fixed kinds) ---- */

static int e_timestamp(const esock_cmsg_t *c, uint8_t *p)
{
    struct timeval tv = {.tv_sec = (time_t)c->v.timestamp.sec,
                         .tv_usec = (suseconds_t)c->v.timestamp.usec};
    memcpy(p, &tv, sizeof tv);
    return 0;
}

static int e_rights(const esock_cmsg_t *c, uint8_t *p)
{
    if (c->v.rights.n > 0 && c->v.rights.fds == NULL)
        return ESOCK_EINVAL_VALUE;
    memcpy(p, c->v.rights.fds, c->v.rights.n * sizeof(int));
    return 0;
}

static int e_cred(const esock_cmsg_t *c, uint8_t *p)
{
    struct ucred u = {.pid = c->v.cred.pid, .uid = c->v.cred.uid, .gid = c->v.cred.gid};
    memcpy(p, &u, sizeof u);
    return 0;
}

static int e_byte_int(const esock_cmsg_t *c, uint8_t *p)
{
    if (c->v.i < 0 || c->v.i > 255)
        return ESOCK_EINVAL_VALUE;
    memcpy(p, &c->v.i, sizeof(int));
    return 0;
}

static int e_hoplimit(const esock_cmsg_t *c, uint8_t *p)
{
    if (c->v.i < -1 || c->v.i > 255) /* -1: the route's default */
        return ESOCK_EINVAL_VALUE;
    memcpy(p, &c->v.i, sizeof(int));
    return 0;
}

static int e_pktinfo(const esock_cmsg_t *c, uint8_t *p)
{
    const esock_pktinfo_t *v = &c->v.pktinfo;
    struct in_pktinfo pi;
    memset(&pi, 0, sizeof pi);
    pi.ipi_ifindex = v->ifindex;
    if (v->spec_dst.family == ESOCK_IP4)
        memcpy(&pi.ipi_spec_dst, v->spec_dst.u.v4, 4);
    if (v->addr.family == ESOCK_IP4)
        memcpy(&pi.ipi_addr, v->addr.u.v4, 4);
    memcpy(p, &pi, sizeof pi);
    return 0;
}

static int e_pktinfo6(const esock_cmsg_t *c, uint8_t *p)
{
    struct in6_pktinfo pi;
    memset(&pi, 0, sizeof pi);
    pi.ipi6_ifindex = (unsigned)c->v.pktinfo.ifindex;
    if (c->v.pktinfo.addr.family == ESOCK_IP6)
        ip6_to(&c->v.pktinfo.addr, pi.ipi6_addr.s6_addr);
    else if (c->v.pktinfo.addr.family != 0)
        return ESOCK_EINVAL_VALUE;
    memcpy(p, &pi, sizeof pi);
    return 0;
}

/* ---- the table ------------------------------------------------------------------ */

struct kind_row {
    esock_cmsg_kind_t kind;
    int level, type;
    const char *name;  /* OTP's type atom */
    size_t size;       /* payload size: minimum to decode, exact to encode (0 = variable) */
    int (*dec)(const uint8_t *, size_t, esock_cmsg_t *);
    int (*enc)(const esock_cmsg_t *, uint8_t *); /* NULL: receive only */
};

static const struct kind_row kinds[] = {
    {ESOCK_CMSG_TIMESTAMP, SOL_SOCKET, SCM_TIMESTAMP, "timestamp", sizeof(struct timeval),
     d_timestamp, e_timestamp},
    {ESOCK_CMSG_RIGHTS, SOL_SOCKET, SCM_RIGHTS, "rights", 0, d_rights, e_rights},
    {ESOCK_CMSG_CREDENTIALS, SOL_SOCKET, SCM_CREDENTIALS, "credentials", sizeof(struct ucred),
     d_cred, e_cred},
    {ESOCK_CMSG_IP_TOS, IPPROTO_IP, IP_TOS, "tos", 1, d_byte_or_int, e_byte_int},
    {ESOCK_CMSG_IP_RECVTOS, IPPROTO_IP, IP_RECVTOS, "recvtos", 1, d_byte_or_int, NULL},
    {ESOCK_CMSG_IP_TTL, IPPROTO_IP, IP_TTL, "ttl", sizeof(int), d_int, e_byte_int},
    {ESOCK_CMSG_IP_RECVTTL, IPPROTO_IP, IP_RECVTTL, "recvttl", sizeof(int), d_int, NULL},
    {ESOCK_CMSG_IP_PKTINFO, IPPROTO_IP, IP_PKTINFO, "pktinfo", sizeof(struct in_pktinfo),
     d_pktinfo, e_pktinfo},
    {ESOCK_CMSG_IP_ORIGDSTADDR, IPPROTO_IP, IP_ORIGDSTADDR, "origdstaddr",
     sizeof(struct sockaddr_in), d_addr, NULL},
    {ESOCK_CMSG_IP_RECVERR, IPPROTO_IP, IP_RECVERR, "recverr", sizeof(struct sock_extended_err),
     d_recverr, NULL},
    {ESOCK_CMSG_IPV6_HOPLIMIT, IPPROTO_IPV6, IPV6_HOPLIMIT, "hoplimit", sizeof(int), d_int,
     e_hoplimit},
    {ESOCK_CMSG_IPV6_PKTINFO, IPPROTO_IPV6, IPV6_PKTINFO, "pktinfo", sizeof(struct in6_pktinfo),
     d_pktinfo6, e_pktinfo6},
    {ESOCK_CMSG_IPV6_TCLASS, IPPROTO_IPV6, IPV6_TCLASS, "tclass", sizeof(int), d_int,
     e_byte_int},
    {ESOCK_CMSG_IPV6_RECVERR, IPPROTO_IPV6, IPV6_RECVERR, "recverr",
     sizeof(struct sock_extended_err), d_recverr, NULL},
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])

static const struct kind_row *row_by_kind(esock_cmsg_kind_t k)
{
    for (size_t i = 0; i < N_KINDS; i++)
        if (kinds[i].kind == k)
            return &kinds[i];
    return NULL;
}

static const struct kind_row *row_by_type(int level, int type)
{
    for (size_t i = 0; i < N_KINDS; i++)
        if (kinds[i].level == level && kinds[i].type == type)
            return &kinds[i];
    return NULL;
}

/* ---- decode ------------------------------------------------------------------------ */

int esock_cmsg_next(const void *buf, size_t len, size_t *pos, esock_cmsg_t *out)
{
    const uint8_t *b = buf;
    if (pos == NULL || out == NULL)
        return -EFAULT;
    if (buf == NULL || *pos >= len || len - *pos < sizeof(struct cmsghdr))
        return 0; /* what is left cannot hold a header: the end (as CMSG_NXTHDR) */
    struct cmsghdr h;
    memcpy(&h, b + *pos, sizeof h);
    if (h.cmsg_len < HDR || h.cmsg_len > len - *pos)
        return ESOCK_EINVALID;
    memset(out, 0, sizeof *out);
    out->level = h.cmsg_level;
    out->type = h.cmsg_type;
    out->kind = ESOCK_CMSG_RAW;
    out->data = b + *pos + HDR;
    out->len = h.cmsg_len - HDR;
    const struct kind_row *r = row_by_type(h.cmsg_level, h.cmsg_type);
    if (r != NULL && out->len >= r->size && (r->size > 0 || out->len > 0)) {
        esock_cmsg_t tmp = *out;
        if (r->dec(out->data, out->len, &tmp) == 0) {
            tmp.kind = r->kind;
            *out = tmp;
        }
    }
    size_t step = ALIGN(h.cmsg_len);
    *pos = step > len - *pos ? len : *pos + step;
    return 1;
}

int esock_cmsg_decode(const void *buf, size_t len, esock_cmsg_t *out, size_t cap)
{
    size_t pos = 0;
    int n = 0;
    esock_cmsg_t c;
    for (;;) {
        int rc = esock_cmsg_next(buf, len, &pos, &c);
        if (rc <= 0)
            return rc < 0 ? rc : n;
        if (out != NULL && (size_t)n < cap)
            out[n] = c;
        n++;
    }
}

int esock_cmsg_rights_fd(const esock_cmsg_t *c, size_t i)
{
    if (c == NULL || c->data == NULL || i >= c->len / sizeof(int))
        return -1;
    return get_int(c->data + i * sizeof(int));
}

/* ---- encode ------------------------------------------------------------------------ */

/* Payload size of one message to encode; (size_t)-1 if it cannot be sent. */
static size_t payload_of(const esock_cmsg_t *c, const struct kind_row **rp)
{
    *rp = NULL;
    if (c->kind == ESOCK_CMSG_RAW)
        /* A length near SIZE_MAX would wrap CMSG_SPACE (and the total):
         * nothing the OS takes is anywhere near 2^31 bytes. */
        return (c->len > 0 && c->data == NULL) || c->len > 0x7fffffffu ? (size_t)-1 : c->len;
    const struct kind_row *r = row_by_kind(c->kind);
    if (r == NULL || r->enc == NULL)
        return (size_t)-1;
    *rp = r;
    if (c->kind == ESOCK_CMSG_RIGHTS)
        return c->v.rights.n > 253 ? (size_t)-1 : c->v.rights.n * sizeof(int); /* SCM_MAX_FD */
    return r->size == 1 ? sizeof(int) : r->size;
}

size_t esock_cmsg_space(const esock_cmsg_t *in, size_t n)
{
    size_t total = 0;
    if (in == NULL)
        return 0;
    for (size_t i = 0; i < n; i++) {
        const struct kind_row *r;
        size_t pl = payload_of(&in[i], &r);
        if (pl == (size_t)-1)
            return 0;
        total += CMSG_SPACE(pl);
    }
    return total;
}

int esock_cmsg_encode(void *buf, size_t cap, size_t *len, const esock_cmsg_t *in, size_t n)
{
    size_t need = 0;
    if (in == NULL && n > 0)
        return -EFAULT;
    for (size_t i = 0; i < n; i++) {
        const struct kind_row *r;
        size_t pl = payload_of(&in[i], &r);
        if (pl == (size_t)-1)
            return ESOCK_EINVAL_VALUE;
        /* Values are checked before the size, so a bad one is reported
         * as such whatever the buffer (every fixed payload fits scratch). */
        uint8_t scratch[253 * sizeof(int)];
        if (r != NULL && pl <= sizeof scratch) {
            int rc = r->enc(&in[i], scratch);
            if (rc < 0)
                return rc;
        }
        need += CMSG_SPACE(pl);
    }
    if (len != NULL)
        *len = need;
    if (need > cap || (need > 0 && buf == NULL))
        return -ENOSPC;
    uint8_t *b = buf;
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        const esock_cmsg_t *c = &in[i];
        const struct kind_row *r;
        size_t pl = payload_of(c, &r);
        size_t sp = CMSG_SPACE(pl);
        memset(b + pos, 0, sp);
        struct cmsghdr h;
        memset(&h, 0, sizeof h);
        h.cmsg_len = CMSG_LEN(pl);
        h.cmsg_level = r ? r->level : c->level;
        h.cmsg_type = r ? r->type : c->type;
        memcpy(b + pos, &h, sizeof h);
        if (r != NULL) {
            int rc = r->enc(c, b + pos + HDR);
            if (rc < 0)
                return rc;
        } else if (pl > 0) {
            memcpy(b + pos + HDR, c->data, pl);
        }
        pos += sp;
    }
    return 0;
}

/* ---- names ------------------------------------------------------------------------- */

const char *esock_cmsg_level_name(int level)
{
    switch (level) {
    case SOL_SOCKET: return "socket";
    case IPPROTO_IP: return "ip";
    case IPPROTO_IPV6: return "ipv6";
    default: return NULL;
    }
}

const char *esock_cmsg_type_name(const esock_cmsg_t *c)
{
    if (c == NULL)
        return NULL;
    const struct kind_row *r = row_by_type(c->level, c->type);
    return r ? r->name : NULL;
}
