/*
 * inet/opts.c - inet:setopts/getopts: one table of options.
 *
 * Each row names the Erlang atom, the value kind, and either a kernel
 * (level, optname) pair or a handler for the options that live in the
 * library (packet, active, watermarks ...). Kernel options the OS refuses
 * for this socket kind (ENOPROTOOPT, EOPNOTSUPP, EINVAL on get) are left
 * out of a getopts answer, as inet does.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <esock/error.h>

#include "inet/inet_int.h"
#include "opt/opt_int.h"
#include "sys/sys.h"

enum kind { K_INT, K_BOOL, K_LINGER, K_STR, K_RAW };

/* Where an option applies. */
#define A_ANY 0
#define A_TCP 1 /* stream inet/inet6 only (ignored on local, as inet does) */
#define A_IP 2 /* inet and inet6: the IPv4 level, which Linux applies to
                * the IPv4 datagrams an inet6 socket carries (inet takes it) */
#define A_IP6 3
#define A_CREATE 4 /* creation-time only */
#define A_UDP 5    /* datagram sockets only (read_packets) */
#define A_WINDOWS 6 /* Windows only: taken and ignored here, as inet does */

/* A library option's setter gets a value check_opt() accepted; it returns
 * 1 when the caller must post a passive message (active count at zero). */
typedef int (*lib_set_fn)(esock__isock_t *s, int64_t v);
typedef void (*lib_get_fn)(esock__isock_t *s, esock_inet_opt_t *o);

typedef struct optrow {
    const char *atom;
    enum kind kind;
    int level, optname; /* kernel option when level >= 0 */
    int applies;
    int64_t lo, hi; /* the values a K_INT option takes */
    lib_set_fn set;
    lib_get_fn get;
} optrow_t;

/* ---- library options ---------------------------------------------------- */

static bool active_keyword(int64_t v)
{
    return v == ESOCK_INET_ACTIVE_TRUE || v == ESOCK_INET_ACTIVE_ONCE || v == ESOCK_INET_ACTIVE_FALSE;
}

/* The active state after {active, v} on a socket in state @p cur: 0 and
 * *next, 1 when the count reached zero (the socket turns passive and posts
 * a passive message, even if it was passive already), or -EINVAL when the
 * count would pass 32767. {active, N} adds to a current count; from
 * false/true/once it starts from N (inet driver). */
static int active_next(int cur, int64_t v, int *next)
{
    if (active_keyword(v)) {
        *next = (int)v;
        return 0;
    }
    int64_t sum = cur > 0 ? cur + v : v;
    if (sum > 32767)
        return -EINVAL;
    *next = sum <= 0 ? ESOCK_INET_ACTIVE_FALSE : (int)sum;
    return sum <= 0;
}

static int set_active(esock__isock_t *s, int64_t v) { return active_next(s->active, v, &s->active); }
static void get_active(esock__isock_t *s, esock_inet_opt_t *o) { o->v.i = s->active; }

#define LIB_FIELD(field)                                                           \
    static int set_##field(esock__isock_t *s, int64_t v)                         \
    {                                                                              \
        s->field = v;                                                              \
        return 0;                                                                  \
    }                                                                              \
    static void get_##field(esock__isock_t *s, esock_inet_opt_t *o) { o->v.i = (int64_t)s->field; }

LIB_FIELD(binary)
LIB_FIELD(deliver_port)
LIB_FIELD(header)
LIB_FIELD(exit_on_close)
LIB_FIELD(show_econnreset)
LIB_FIELD(delay_send)
LIB_FIELD(send_timeout_close)
LIB_FIELD(read_ahead)
LIB_FIELD(read_packets)
LIB_FIELD(zc_min)
LIB_FIELD(buffer)

/* Each watermark pair keeps low <= high as inet does (OTP 25): a high
 * below the low lowers the low, a low above the high raises the high. */
static int set_high_wm(esock__isock_t *s, int64_t v)
{
    s->high_wm = (size_t)v;
    s->low_wm = ESOCK__MIN(s->low_wm, s->high_wm);
    esock__inet_update_busy(s);
    return 0;
}
static void get_high_wm(esock__isock_t *s, esock_inet_opt_t *o) { o->v.i = (int64_t)s->high_wm; }

static int set_low_wm(esock__isock_t *s, int64_t v)
{
    s->low_wm = (size_t)v;
    s->high_wm = ESOCK__MAX(s->high_wm, s->low_wm);
    esock__inet_update_busy(s);
    return 0;
}
static void get_low_wm(esock__isock_t *s, esock_inet_opt_t *o) { o->v.i = (int64_t)s->low_wm; }

static int set_high_msgq_wm(esock__isock_t *s, int64_t v)
{
    s->high_msgq_wm = (size_t)v;
    s->low_msgq_wm = ESOCK__MIN(s->low_msgq_wm, s->high_msgq_wm);
    return 0;
}
static void get_high_msgq_wm(esock__isock_t *s, esock_inet_opt_t *o) { o->v.i = (int64_t)s->high_msgq_wm; }

static int set_low_msgq_wm(esock__isock_t *s, int64_t v)
{
    s->low_msgq_wm = (size_t)v;
    s->high_msgq_wm = ESOCK__MAX(s->high_msgq_wm, s->low_msgq_wm);
    return 0;
}
static void get_low_msgq_wm(esock__isock_t *s, esock_inet_opt_t *o) { o->v.i = (int64_t)s->low_msgq_wm; }

static int set_send_timeout(esock__isock_t *s, int64_t v)
{
    s->send_timeout_ms = v;
    return 0;
}
static void get_send_timeout(esock__isock_t *s, esock_inet_opt_t *o) { o->v.i = s->send_timeout_ms; }

static int set_packet(esock__isock_t *s, int64_t v)
{
    s->fr.ptype = (int)v;
    s->fr.in_headers = 0;
    return 0;
}
static void get_packet(esock__isock_t *s, esock_inet_opt_t *o)
{
    /* The configured type, also while headers are being decoded after an
     * http start line (OTP 25 reports http_bin then too). */
    o->v.i = s->fr.ptype;
}

static int set_packet_size(esock__isock_t *s, int64_t v)
{
    s->fr.psize = (uint32_t)v;
    return 0;
}
static void get_packet_size(esock__isock_t *s, esock_inet_opt_t *o) { o->v.i = s->fr.psize; }

static int set_line_delimiter(esock__isock_t *s, int64_t v)
{
    s->fr.delim = (uint8_t)v;
    return 0;
}
static void get_line_delimiter(esock__isock_t *s, esock_inet_opt_t *o) { o->v.i = s->fr.delim; }

/* Rows. Library options take lo..hi; the ranges are inet's where inet
 * checks, and where inet wraps or clamps silently (buffer 0 reads 1,
 * high_watermark -1 reads 0, send_timeout 2^31 reads negative) the value
 * is refused instead. Booleans take 0/1; kernel integers any C int. */
#define I31 0x7fffffff
#define LIB(atom, lo, hi, fn) {atom, K_INT, -1, 0, A_ANY, lo, hi, set_##fn, get_##fn}
#define LIB_BOOL(atom, fn) {atom, K_BOOL, -1, 0, A_ANY, 0, 1, set_##fn, get_##fn}
#define KERN(atom, kind, level, name, where) {atom, kind, level, name, where, INT32_MIN, INT32_MAX, NULL, NULL}

static const optrow_t rows[ESOCK_IOPT_COUNT_] = {
    [ESOCK_IOPT_ACTIVE] = LIB("active", -32768, 32767, active), /* and the keywords */
    [ESOCK_IOPT_MODE] = LIB_BOOL("mode", binary),
    [ESOCK_IOPT_DELIVER] = LIB_BOOL("deliver", deliver_port),
    [ESOCK_IOPT_PACKET] = LIB("packet", ESOCK_INET_PACKET_RAW, ESOCK_INET_PACKET_HTTPH_BIN, packet),
    [ESOCK_IOPT_PACKET_SIZE] = LIB("packet_size", 0, 0xffffffff, packet_size),
    [ESOCK_IOPT_LINE_DELIMITER] = LIB("line_delimiter", 0, 255, line_delimiter),
    [ESOCK_IOPT_HEADER] = LIB("header", 0, I31, header),
    [ESOCK_IOPT_EXIT_ON_CLOSE] = LIB_BOOL("exit_on_close", exit_on_close),
    [ESOCK_IOPT_SHOW_ECONNRESET] = LIB_BOOL("show_econnreset", show_econnreset),
    [ESOCK_IOPT_BUFFER] = LIB("buffer", 1, I31, buffer),
    [ESOCK_IOPT_DELAY_SEND] = LIB_BOOL("delay_send", delay_send),
    [ESOCK_IOPT_HIGH_WATERMARK] = LIB("high_watermark", 0, I31, high_wm),
    [ESOCK_IOPT_LOW_WATERMARK] = LIB("low_watermark", 0, I31, low_wm),
    [ESOCK_IOPT_HIGH_MSGQ_WATERMARK] = LIB("high_msgq_watermark", 1, I31, high_msgq_wm),
    [ESOCK_IOPT_LOW_MSGQ_WATERMARK] = LIB("low_msgq_watermark", 1, I31, low_msgq_wm),
    [ESOCK_IOPT_SEND_TIMEOUT] = LIB("send_timeout", ESOCK_INFINITY, INT64_MAX, send_timeout),
    [ESOCK_IOPT_SEND_TIMEOUT_CLOSE] = LIB_BOOL("send_timeout_close", send_timeout_close),
    [ESOCK_IOPT_READ_AHEAD] = LIB_BOOL("read_ahead", read_ahead),
    [ESOCK_IOPT_READ_PACKETS] = {"read_packets", K_INT, -1, 0, A_UDP, 1, I31, set_read_packets, get_read_packets},
    [ESOCK_IOPT_ZEROCOPY_MIN] = LIB("zerocopy_min", 0, I31, zc_min),
    [ESOCK_IOPT_LINGER] = KERN("linger", K_LINGER, SOL_SOCKET, SO_LINGER, A_ANY),
    [ESOCK_IOPT_NODELAY] = KERN("nodelay", K_BOOL, IPPROTO_TCP, TCP_NODELAY, A_TCP),
    [ESOCK_IOPT_NOPUSH] = KERN("nopush", K_BOOL, IPPROTO_TCP, TCP_CORK, A_TCP),
    [ESOCK_IOPT_KEEPALIVE] = KERN("keepalive", K_BOOL, SOL_SOCKET, SO_KEEPALIVE, A_ANY),
    [ESOCK_IOPT_PRIORITY] = KERN("priority", K_INT, SOL_SOCKET, SO_PRIORITY, A_ANY),
    [ESOCK_IOPT_TOS] = KERN("tos", K_INT, IPPROTO_IP, IP_TOS, A_IP),
    [ESOCK_IOPT_TCLASS] = KERN("tclass", K_INT, IPPROTO_IPV6, IPV6_TCLASS, A_IP6),
    [ESOCK_IOPT_RECVTOS] = KERN("recvtos", K_BOOL, IPPROTO_IP, IP_RECVTOS, A_IP),
    [ESOCK_IOPT_RECVTTL] = KERN("recvttl", K_BOOL, IPPROTO_IP, IP_RECVTTL, A_IP),
    [ESOCK_IOPT_RECVTCLASS] = KERN("recvtclass", K_BOOL, IPPROTO_IPV6, IPV6_RECVTCLASS, A_IP6),
    [ESOCK_IOPT_BROADCAST] = KERN("broadcast", K_BOOL, SOL_SOCKET, SO_BROADCAST, A_ANY),
    [ESOCK_IOPT_DONTROUTE] = KERN("dontroute", K_BOOL, SOL_SOCKET, SO_DONTROUTE, A_ANY),
    [ESOCK_IOPT_REUSEADDR] = KERN("reuseaddr", K_BOOL, SOL_SOCKET, SO_REUSEADDR, A_ANY),
    [ESOCK_IOPT_REUSEPORT] = KERN("reuseport", K_BOOL, SOL_SOCKET, SO_REUSEPORT, A_ANY),
    /* Linux's SO_REUSEPORT load-balances: reuseport_lb is the same option. */
    [ESOCK_IOPT_REUSEPORT_LB] = KERN("reuseport_lb", K_BOOL, SOL_SOCKET, SO_REUSEPORT, A_ANY),
    [ESOCK_IOPT_RECBUF] = KERN("recbuf", K_INT, SOL_SOCKET, SO_RCVBUF, A_ANY),
    [ESOCK_IOPT_SNDBUF] = KERN("sndbuf", K_INT, SOL_SOCKET, SO_SNDBUF, A_ANY),
    [ESOCK_IOPT_IPV6_V6ONLY] = KERN("ipv6_v6only", K_BOOL, IPPROTO_IPV6, IPV6_V6ONLY, A_IP6),
    [ESOCK_IOPT_BIND_TO_DEVICE] = KERN("bind_to_device", K_STR, SOL_SOCKET, SO_BINDTODEVICE, A_ANY),
    [ESOCK_IOPT_NETNS] = KERN("netns", K_STR, -1, 0, A_CREATE),
    [ESOCK_IOPT_RAW] = KERN("raw", K_RAW, -1, 0, A_ANY),
    [ESOCK_IOPT_EXCLUSIVEADDRUSE] = KERN("exclusiveaddruse", K_BOOL, -1, 0, A_WINDOWS),
};

const char *esock_inet_optname(esock_inet_optname_t name)
{
    if (name <= 0 || name >= ESOCK_IOPT_COUNT_)
        return NULL;
    return rows[name].atom;
}

esock_inet_optname_t esock_inet_optcode(const char *atom)
{
    if (!atom)
        return 0;
    for (int i = 1; i < ESOCK_IOPT_COUNT_; i++)
        if (rows[i].atom && strcmp(rows[i].atom, atom) == 0)
            return (esock_inet_optname_t)i;
    if (strcmp(atom, "binary") == 0 || strcmp(atom, "list") == 0)
        return ESOCK_IOPT_MODE;
    return 0;
}

/* Does a kernel option apply to this socket? Options that inet silently
 * ignores for a socket kind (nodelay on local) are "not applicable". */
static bool applies(const esock__isock_t *s, int a)
{
    switch (a) {
    case A_TCP: return s->proto == ESOCK_INET_TCP && (s->family == AF_INET || s->family == AF_INET6);
    case A_IP6: return s->family == AF_INET6;
    case A_IP: return s->family == AF_INET || s->family == AF_INET6;
    case A_UDP: return s->proto == ESOCK_INET_UDP;
    case A_WINDOWS: return false;
    default: return true;
    }
}

void esock__inet_defaults(esock__isock_t *s)
{
    s->active = ESOCK_INET_ACTIVE_TRUE;
    s->binary = false;
    s->deliver_port = false;
    s->exit_on_close = true;
    s->show_econnreset = false;
    s->delay_send = false;
    s->send_timeout_close = false;
    s->read_ahead = true;
    s->header = 0;
    s->read_packets = 5;
    s->buffer = 1460;
    s->zc_min = 0;
    s->send_timeout_ms = ESOCK_INFINITY;
    s->high_wm = 8192;
    s->low_wm = 4096;
    s->high_msgq_wm = 8192;
    s->low_msgq_wm = 4096;
    s->fr.ptype = ESOCK_INET_PACKET_RAW;
    s->fr.psize = 0;
    s->fr.delim = '\n';
    s->fr.in_headers = 0;
}

/* Linux's IP_TOS also sets SO_PRIORITY (from the TOS bits); the inet
 * driver puts the priority back (OTP 25: priority 3, then tos 16, still
 * reads 3; tos alone leaves 0), so tos and priority stay independent. */
static int set_tos_keep_priority(int fd, int tos)
{
    int prio = 0;
    socklen_t pl = sizeof prio;
    bool have = esock__sys.getsockopt(fd, SOL_SOCKET, SO_PRIORITY, &prio, &pl) == 0;
    if (esock__sys.setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof tos) < 0)
        return -1;
    if (have && esock__sys.setsockopt(fd, SOL_SOCKET, SO_PRIORITY, &prio, sizeof prio) < 0)
        return -1;
    return 0;
}

/* Whether @p o names an option and carries a value it takes: 0, or the
 * error setopts returns for it. Nothing is applied. @p creation: options
 * of connect / listen / open and the process-wide defaults. */
static int check_opt(const esock_inet_opt_t *o, bool creation)
{
    if (o->name <= 0 || o->name >= ESOCK_IOPT_COUNT_)
        return ESOCK_EINVAL_OPTION;
    const optrow_t *r = &rows[o->name];
    if (!creation && (r->applies == A_CREATE || o->name == ESOCK_IOPT_IPV6_V6ONLY))
        return -EINVAL; /* creation-time only, as inet */
    int64_t v = o->v.i;
    switch (r->kind) {
    case K_BOOL:
        return v == 0 || v == 1 ? 0 : ESOCK_EINVAL_VALUE;
    case K_INT:
        if (o->name == ESOCK_IOPT_ACTIVE)
            return active_keyword(v) || (v >= r->lo && v <= r->hi) ? 0 : -EINVAL;
        return v >= r->lo && v <= r->hi ? 0 : ESOCK_EINVAL_VALUE;
    case K_LINGER:
        return o->v.linger.secs >= 0 ? 0 : ESOCK_EINVAL_VALUE;
    case K_STR:
        if (o->v.str.ptr == NULL && o->v.str.len > 0)
            return ESOCK_EINVAL_VALUE;
        /* Linux cuts a longer device name to IFNAMSIZ - 1 and binds to
         * whatever that names: refuse it instead. */
        if (o->name == ESOCK_IOPT_BIND_TO_DEVICE && o->v.str.len >= IFNAMSIZ)
            return ESOCK_EINVAL_VALUE;
        return 0;
    case K_RAW:
        /* Refused here, before setopts applies anything or a default
         * copies it (the same limit as the socket module's). */
        if (o->v.raw.len > ESOCK__OPTLEN_MAX)
            return ESOCK_EINVAL_VALUE;
        return o->v.raw.buf == NULL && o->v.raw.len > 0 ? ESOCK_EINVAL_VALUE : 0;
    }
    return ESOCK_EINVAL_OPTION;
}

int esock__inet_check_opts(const esock_inet_opt_t *o, size_t n, bool creation)
{
    if (o == NULL && n > 0)
        return -EINVAL;
    for (size_t i = 0; i < n; i++) {
        int rc = check_opt(&o[i], creation);
        if (rc)
            return rc;
    }
    return 0;
}

/* Applies a kernel option (raw ones too) check_opt() accepted. */
static int kset(esock__isock_t *s, const optrow_t *r, const esock_inet_opt_t *o)
{
    int rc;
    switch (r->kind) {
    case K_BOOL:
    case K_INT: {
        int v = (int)o->v.i;
        if (r->level == IPPROTO_IP && r->optname == IP_TOS)
            rc = set_tos_keep_priority(s->fd, v);
        else
            rc = esock__sys.setsockopt(s->fd, r->level, r->optname, &v, sizeof v);
        break;
    }
    case K_LINGER: {
        struct linger l = {.l_onoff = o->v.linger.on, .l_linger = o->v.linger.secs};
        rc = esock__sys.setsockopt(s->fd, r->level, r->optname, &l, sizeof l);
        break;
    }
    case K_STR:
        rc = esock__sys.setsockopt(s->fd, r->level, r->optname, o->v.str.ptr, (socklen_t)o->v.str.len);
        break;
    case K_RAW: /* the socket module's native access, length limit included */
        return esock__setsockopt_fd(s->fd, o->v.raw.level, o->v.raw.optname, o->v.raw.buf, o->v.raw.len);
    default:
        return ESOCK_EINVAL_OPTION;
    }
    return rc < 0 ? -errno : 0;
}

/* A kernel option's value (raw ones too): 0, 1 (left out: the OS does not
 * support it here), or -errno. */
static int kget(esock__isock_t *s, const optrow_t *r, esock_inet_opt_t *o)
{
    if (s->fd < 0)
        return 1; /* the fd was released, the port lives: inet leaves kernel options out */
    int rc;
    switch (r->kind) {
    case K_BOOL:
    case K_INT: {
        int v = 0;
        socklen_t l = sizeof v;
        rc = esock__sys.getsockopt(s->fd, r->level, r->optname, &v, &l);
        if (rc == 0) {
            o->v.i = r->kind == K_BOOL ? (v != 0) : v;
            if (r->optname == SO_RCVBUF || r->optname == SO_SNDBUF)
                o->v.i = v; /* as the kernel reports it (doubled) */
        }
        break;
    }
    case K_LINGER: {
        struct linger lg = {0, 0};
        socklen_t l = sizeof lg;
        rc = esock__sys.getsockopt(s->fd, r->level, r->optname, &lg, &l);
        if (rc == 0) {
            o->v.linger.on = lg.l_onoff != 0;
            o->v.linger.secs = lg.l_linger;
        }
        break;
    }
    case K_STR: {
        socklen_t l = sizeof o->v.str.buf;
        memset(o->v.str.buf, 0, sizeof o->v.str.buf);
        rc = esock__sys.getsockopt(s->fd, r->level, r->optname, o->v.str.buf, &l);
        if (rc == 0) {
            size_t n = strnlen(o->v.str.buf, l);
            o->v.str.ptr = o->v.str.buf;
            o->v.str.len = n; /* unset: empty (inet gives <<>>) */
        }
        break;
    }
    case K_RAW: { /* the socket module's native access, length limit included */
        int k = esock__getsockopt_fd(s->fd, o->v.raw.level, o->v.raw.optname, o->v.raw.buf, &o->v.raw.len);
        return k == -ENOPROTOOPT || k == -EOPNOTSUPP ? 1 : k; /* EINVAL: the caller's */
    }
    default:
        return 1;
    }
    if (rc < 0) {
        if (errno == ENOPROTOOPT || errno == EOPNOTSUPP || errno == EINVAL)
            return 1;
        return -errno;
    }
    return 0;
}

/* recbuf raises buffer (the inet page), as OTP 25 does it: not once
 * buffer was given on this socket, and for UDP to 65536 at most (a
 * datagram is no bigger). */
static void raise_buffer(esock__isock_t *s, int64_t recbuf)
{
    if (s->buffer_set)
        return;
    if (s->proto == ESOCK_INET_UDP && recbuf > 65536)
        recbuf = 65536;
    if (recbuf > (int64_t)s->buffer)
        s->buffer = (size_t)recbuf;
}

int esock__inet_setopts_locked(esock__isock_t *s, const esock_inet_opt_t *o, size_t n, bool creation)
{
    /* Every option is checked before any is applied, so a bad value
     * leaves the socket as it was (inet applies the ones before it). */
    int rc = esock__inet_check_opts(o, n, creation);
    int active = s->active;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (o[i].name == ESOCK_IOPT_ACTIVE && active_next(active, o[i].v.i, &active) < 0)
            rc = -EINVAL; /* the count would pass 32767 */
    if (rc)
        return rc;
    /* After a passive recv got the end of the stream (exit_on_close) or a
     * framing error the fd is gone but the port lives: inet accepts kernel
     * options then and ignores them (OTP 25.2.3: setopts ok), where
     * setsockopt would say EBADF. */
    bool fd_gone = s->fd < 0 && !creation;
    /* Packets buffered while passive are delivered once the whole list is
     * applied, framed by its packet options (OTP 25: [{active, true},
     * {packet, raw}] on a line socket delivers the rest raw). */
    bool update = false;
    for (size_t i = 0; i < n && rc == 0; i++) {
        esock_inet_optname_t name = o[i].name;
        const optrow_t *r = &rows[name];
        if (r->set) {
            if (r->set(s, o[i].v.i) == 1) /* active count reached zero */
                esock__inet_post_simple(s->owner, ESOCK_INET_MSG_PASSIVE, s, 0, 0);
            update |= name == ESOCK_IOPT_ACTIVE || name == ESOCK_IOPT_PACKET;
            if (name == ESOCK_IOPT_BUFFER)
                s->buffer_set = true;
            continue;
        }
        if (name == ESOCK_IOPT_NETNS || fd_gone)
            continue; /* netns: applied by the creator (esock__inet_create) */
        if (!applies(s, r->applies))
            continue; /* ignored on this socket kind, as inet does */
        rc = kset(s, r, &o[i]);
        if (rc)
            break;
        if (name == ESOCK_IOPT_PRIORITY)
            s->prio_set = true; /* accept passes it on (tcp.c, inherit) */
        if (name == ESOCK_IOPT_RECBUF)
            raise_buffer(s, o[i].v.i);
        /* The cmsg flags are kernel options, but the reader needs them to
         * decode ancillary data: mirrored once the kernel took them. */
        if (name == ESOCK_IOPT_RECVTOS)
            s->recvtos = o[i].v.i != 0;
        if (name == ESOCK_IOPT_RECVTTL)
            s->recvttl = o[i].v.i != 0;
        if (name == ESOCK_IOPT_RECVTCLASS)
            s->recvtclass = o[i].v.i != 0;
    }
    if (update)
        esock__active_update(s);
    return rc;
}

int esock_inet_setopts(esock_inet_t h, const esock_inet_opt_t *opts, size_t n)
{
    esock__isock_t *s = esock__inet_pin(h);
    if (!s)
        return ESOCK_ECLOSED;
    pthread_mutex_lock(&s->mu);
    /* A gone port refuses even an empty list (OTP 25: einval); one whose fd
     * a passive reader's end of stream released takes inet options and
     * ignores kernel ones (esock__inet_setopts_locked). */
    int rc = s->closed ? ESOCK_ECLOSED : s->read_dead ? -EINVAL : esock__inet_setopts_locked(s, opts, n, false);
    pthread_mutex_unlock(&s->mu);
    esock__inet_unpin(s);
    return rc;
}

int esock_inet_getopts(esock_inet_t h, esock_inet_opt_t *opts, size_t n, size_t *nout)
{
    esock__isock_t *s = esock__inet_pin(h);
    if (!s)
        return ESOCK_ECLOSED;
    int rc = 0;
    size_t out = 0;
    pthread_mutex_lock(&s->mu);
    if (s->closed || s->read_dead || (opts == NULL && n > 0))
        rc = -EINVAL;
    /* Every name first: an unknown one leaves the array as the caller gave
     * it (the loop below overwrites entries as it compacts). */
    for (size_t i = 0; i < n && rc == 0; i++)
        if (opts[i].name <= 0 || opts[i].name >= ESOCK_IOPT_COUNT_)
            rc = ESOCK_EINVAL_OPTION;
    for (size_t i = 0; i < n && rc == 0; i++) {
        esock_inet_opt_t o = opts[i];
        const optrow_t *r = &rows[o.name];
        int k = 0;
        /* netns cannot be read back from the fd; the rest inet leaves out
         * for this socket kind */
        if (o.name == ESOCK_IOPT_NETNS || !applies(s, r->applies))
            k = 1;
        else if (r->get)
            r->get(s, &o);
        else
            k = kget(s, r, &o);
        if (k < 0) {
            rc = k;
            break;
        }
        if (k == 0) {
            opts[out] = o;
            if (o.name == ESOCK_IOPT_BIND_TO_DEVICE)
                opts[out].v.str.ptr = opts[out].v.str.buf;
            out++;
        }
    }
    pthread_mutex_unlock(&s->mu);
    esock__inet_unpin(s);
    if (nout)
        *nout = rc == 0 ? out : 0;
    return rc;
}

/* ---- process-wide defaults ---------------------------------------------- */

static pthread_mutex_t def_mu = PTHREAD_MUTEX_INITIALIZER;
static esock_inet_opt_t *def_opts[2];
static size_t def_n[2];

static void free_defs(int which)
{
    for (size_t i = 0; i < def_n[which]; i++)
        if (def_opts[which][i].name == ESOCK_IOPT_RAW)
            esock__free(def_opts[which][i].v.raw.buf);
    esock__free(def_opts[which]);
    def_opts[which] = NULL;
    def_n[which] = 0;
}

static int set_defaults(int which, const esock_inet_opt_t *o, size_t n)
{
    int rc = esock__inet_check_opts(o, n, true); /* refused now, not at every connect */
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (o[i].name == ESOCK_IOPT_NETNS && o[i].v.str.len >= sizeof o[i].v.str.buf)
            return -ENAMETOOLONG; /* kept in the copy's own buffer */
    esock_inet_opt_t *copy = NULL;
    size_t m = 0;
    if (n) {
        copy = esock__calloc(n, sizeof *copy);
        if (!copy)
            return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
            if (o[i].name == ESOCK_IOPT_ACTIVE)
                continue; /* ignored, as the kernel application does */
            copy[m] = o[i];
            if (o[i].name == ESOCK_IOPT_RAW) {
                copy[m].v.raw.buf = esock__malloc(o[i].v.raw.len ? o[i].v.raw.len : 1);
                if (!copy[m].v.raw.buf) {
                    for (size_t j = 0; j < m; j++)
                        if (copy[j].name == ESOCK_IOPT_RAW)
                            esock__free(copy[j].v.raw.buf);
                    esock__free(copy);
                    return -ENOMEM;
                }
                if (o[i].v.raw.len)
                    memcpy(copy[m].v.raw.buf, o[i].v.raw.buf, o[i].v.raw.len);
            }
            if (o[i].name == ESOCK_IOPT_BIND_TO_DEVICE || o[i].name == ESOCK_IOPT_NETNS) {
                if (o[i].v.str.len) /* fits: check_opt and the netns check above */
                    memcpy(copy[m].v.str.buf, o[i].v.str.ptr, o[i].v.str.len);
                copy[m].v.str.buf[o[i].v.str.len] = 0;
                copy[m].v.str.ptr = NULL; /* fixed up at use */
            }
            m++;
        }
    }
    pthread_mutex_lock(&def_mu);
    free_defs(which);
    def_opts[which] = copy;
    def_n[which] = m;
    pthread_mutex_unlock(&def_mu);
    return 0;
}

int esock_inet_set_default_connect_options(const esock_inet_opt_t *opts, size_t n)
{
    return set_defaults(0, opts, n);
}

int esock_inet_set_default_listen_options(const esock_inet_opt_t *opts, size_t n)
{
    return set_defaults(1, opts, n);
}

int esock__inet_apply_defaults(esock__isock_t *s, bool listen)
{
    int which = listen ? 1 : 0;
    int rc = 0;
    pthread_mutex_lock(&def_mu);
    for (size_t i = 0; i < def_n[which] && rc == 0; i++) {
        esock_inet_opt_t o = def_opts[which][i];
        if (o.name == ESOCK_IOPT_BIND_TO_DEVICE || o.name == ESOCK_IOPT_NETNS)
            o.v.str.ptr = def_opts[which][i].v.str.buf;
        if (o.name == ESOCK_IOPT_NETNS)
            continue;
        rc = esock__inet_setopts_locked(s, &o, 1, true);
    }
    pthread_mutex_unlock(&def_mu);
    return rc;
}

/* The netns among the defaults and the given options (creation). */
int esock__inet_find_netns(const esock_inet_opt_t *o, size_t n, bool listen, char *path, size_t cap)
{
    int found = 0;
    pthread_mutex_lock(&def_mu);
    int which = listen ? 1 : 0;
    for (size_t i = 0; i < def_n[which]; i++)
        if (def_opts[which][i].name == ESOCK_IOPT_NETNS) {
            snprintf(path, cap, "%s", def_opts[which][i].v.str.buf);
            found = 1;
        }
    pthread_mutex_unlock(&def_mu);
    for (size_t i = 0; i < n; i++)
        if (o[i].name == ESOCK_IOPT_NETNS) {
            if (o[i].v.str.len >= cap)
                return -ENAMETOOLONG;
            if (o[i].v.str.len) /* ptr may be NULL for an empty name */
                memcpy(path, o[i].v.str.ptr, o[i].v.str.len);
            path[o[i].v.str.len] = 0;
            found = 1;
        }
    return found;
}
