/* getopts / setopts over every option; defaults; unsupported options left
 * out; raw options; process-wide default connect/listen options. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "helpers.h"

static void defaults_as_inet(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    esock_inet_t l, a;
    int fd = inet_peer_pair(NULL, 0, mb, &l, &a);
    assert_int_equal(get1(a, ESOCK_IOPT_ACTIVE), ESOCK_INET_ACTIVE_TRUE);
    assert_int_equal(get1(a, ESOCK_IOPT_PACKET), ESOCK_INET_PACKET_RAW);
    assert_int_equal(get1(a, ESOCK_IOPT_PACKET_SIZE), 0);
    assert_int_equal(get1(a, ESOCK_IOPT_BUFFER), 1460);
    assert_int_equal(get1(a, ESOCK_IOPT_HEADER), 0);
    assert_int_equal(get1(a, ESOCK_IOPT_EXIT_ON_CLOSE), 1);
    assert_int_equal(get1(a, ESOCK_IOPT_DELAY_SEND), 0);
    assert_int_equal(get1(a, ESOCK_IOPT_HIGH_WATERMARK), 8192);
    assert_int_equal(get1(a, ESOCK_IOPT_LOW_WATERMARK), 4096);
    assert_int_equal(get1(a, ESOCK_IOPT_HIGH_MSGQ_WATERMARK), 8192);
    assert_int_equal(get1(a, ESOCK_IOPT_LOW_MSGQ_WATERMARK), 4096);
    assert_int_equal(get1(a, ESOCK_IOPT_SEND_TIMEOUT), ESOCK_INFINITY);
    assert_int_equal(get1(a, ESOCK_IOPT_SEND_TIMEOUT_CLOSE), 0);
    assert_int_equal(get1(a, ESOCK_IOPT_SHOW_ECONNRESET), 0);
    assert_int_equal(get1(a, ESOCK_IOPT_NODELAY), 0);
    assert_int_equal(get1(a, ESOCK_IOPT_KEEPALIVE), 0);
    assert_int_equal(get1(a, ESOCK_IOPT_DELIVER), 0);
    assert_int_equal(get1(a, ESOCK_IOPT_MODE), 0);
    assert_int_equal(get1(a, ESOCK_IOPT_LINE_DELIMITER), '\n');
    assert_int_equal(get1(a, ESOCK_IOPT_READ_AHEAD), 1);
    assert_int_equal(get1(a, ESOCK_IOPT_NOPUSH), 0);
    /* listen sockets have reuseaddr on, as inet sets it */
    assert_int_equal(get1(l, ESOCK_IOPT_REUSEADDR), 1);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
    tm_free(mb);
}

static void set_then_get_every_option(void **st)
{
    (void)st;
    esock_inet_t l, a;
    const esock_inet_opt_t p[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
    int fd = inet_peer_pair(p, 1, ESOCK_INET_NO_OWNER, &l, &a);
    static const struct { esock_inet_optname_t n; int64_t v; } set[] = {
        {ESOCK_IOPT_MODE, 1}, {ESOCK_IOPT_DELIVER, 1}, {ESOCK_IOPT_PACKET, ESOCK_INET_PACKET_4},
        {ESOCK_IOPT_PACKET_SIZE, 1000}, {ESOCK_IOPT_LINE_DELIMITER, '$'}, {ESOCK_IOPT_HEADER, 3},
        {ESOCK_IOPT_EXIT_ON_CLOSE, 0}, {ESOCK_IOPT_SHOW_ECONNRESET, 1}, {ESOCK_IOPT_BUFFER, 4000},
        {ESOCK_IOPT_DELAY_SEND, 1}, {ESOCK_IOPT_HIGH_WATERMARK, 20000}, {ESOCK_IOPT_LOW_WATERMARK, 10000},
        {ESOCK_IOPT_HIGH_MSGQ_WATERMARK, 30000}, {ESOCK_IOPT_LOW_MSGQ_WATERMARK, 100},
        {ESOCK_IOPT_SEND_TIMEOUT, 1234}, {ESOCK_IOPT_SEND_TIMEOUT_CLOSE, 1}, {ESOCK_IOPT_READ_AHEAD, 0},
        {ESOCK_IOPT_NODELAY, 1}, {ESOCK_IOPT_NOPUSH, 1}, {ESOCK_IOPT_KEEPALIVE, 1}, {ESOCK_IOPT_PRIORITY, 3},
        {ESOCK_IOPT_TOS, 0x10}, {ESOCK_IOPT_DONTROUTE, 1}, {ESOCK_IOPT_REUSEADDR, 1},
        {ESOCK_IOPT_REUSEPORT, 1}, {ESOCK_IOPT_REUSEPORT_LB, 1},
    };
    for (size_t i = 0; i < NOPTS(set); i++) {
        esock_inet_opt_t o = esock_inet_opt_int(set[i].n, set[i].v);
        int rc = esock_inet_setopts(a, &o, 1);
        if (rc)
            print_error("setopts %s: %d\n", esock_inet_optname(set[i].n), rc);
        assert_int_equal(rc, 0);
        assert_int_equal(get1(a, set[i].n), set[i].v);
    }
    /* the kernel doubles recbuf; buffer was given above, so recbuf no
     * longer raises it (OTP 25; docs/inet.md, "Option values") */
    esock_inet_opt_t rb = OPT(RECBUF, 65536);
    assert_int_equal(esock_inet_setopts(a, &rb, 1), 0);
    assert_true(get1(a, ESOCK_IOPT_RECBUF) >= 65536);
    assert_int_equal(get1(a, ESOCK_IOPT_BUFFER), 4000);
    esock_inet_opt_t sb = OPT(SNDBUF, 32768);
    assert_int_equal(esock_inet_setopts(a, &sb, 1), 0);
    assert_true(get1(a, ESOCK_IOPT_SNDBUF) >= 32768);
    /* bad values */
    esock_inet_opt_t bad = OPT(PACKET, 99);
    assert_int_equal(esock_inet_setopts(a, &bad, 1), ESOCK_EINVAL_VALUE);
    bad = OPT(NODELAY, 2);
    assert_int_equal(esock_inet_setopts(a, &bad, 1), ESOCK_EINVAL_VALUE);
    bad.name = (esock_inet_optname_t)999;
    assert_int_equal(esock_inet_setopts(a, &bad, 1), ESOCK_EINVAL_OPTION);
    size_t n;
    assert_int_equal(esock_inet_getopts(a, &bad, 1, &n), ESOCK_EINVAL_OPTION);
    /* the names are the Erlang atoms */
    assert_string_equal(esock_inet_optname(ESOCK_IOPT_HIGH_MSGQ_WATERMARK), "high_msgq_watermark");
    assert_int_equal(esock_inet_optcode("send_timeout_close"), ESOCK_IOPT_SEND_TIMEOUT_CLOSE);
    assert_int_equal(esock_inet_optcode("binary"), ESOCK_IOPT_MODE);
    assert_int_equal(esock_inet_optcode("nosuch"), 0);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
}

static void getopts_leaves_out_unsupported(void **st)
{
    (void)st;
    esock_inet_t l, a;
    const esock_inet_opt_t p[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
    int fd = inet_peer_pair(p, 1, ESOCK_INET_NO_OWNER, &l, &a);
    /* IPv4 TCP: tclass, recvtclass, ipv6_v6only and read_packets are left out */
    esock_inet_opt_t o[] = {{.name = ESOCK_IOPT_TOS}, {.name = ESOCK_IOPT_TCLASS}, {.name = ESOCK_IOPT_READ_PACKETS},
                            {.name = ESOCK_IOPT_IPV6_V6ONLY}, {.name = ESOCK_IOPT_PACKET},
                            {.name = ESOCK_IOPT_RECVTCLASS}, {.name = ESOCK_IOPT_BIND_TO_DEVICE}};
    size_t n = 0;
    assert_int_equal(esock_inet_getopts(a, o, NOPTS(o), &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(o[0].name, ESOCK_IOPT_TOS);
    assert_int_equal(o[1].name, ESOCK_IOPT_PACKET);
    assert_int_equal(o[2].name, ESOCK_IOPT_BIND_TO_DEVICE);
    assert_int_equal(o[2].v.str.len, 0); /* unset: empty, as inet's <<>> */
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
}

static void raw_options(void **st)
{
    (void)st;
    esock_inet_t l, a;
    const esock_inet_opt_t p[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
    int fd = inet_peer_pair(p, 1, ESOCK_INET_NO_OWNER, &l, &a);
    int one = 1;
    esock_inet_opt_t r = {.name = ESOCK_IOPT_RAW};
    r.v.raw.level = IPPROTO_TCP;
    r.v.raw.optname = TCP_NODELAY;
    r.v.raw.buf = &one;
    r.v.raw.len = sizeof one;
    assert_int_equal(esock_inet_setopts(a, &r, 1), 0);
    assert_int_equal(get1(a, ESOCK_IOPT_NODELAY), 1);
    int out = 0;
    esock_inet_opt_t g = {.name = ESOCK_IOPT_RAW};
    g.v.raw.level = IPPROTO_TCP;
    g.v.raw.optname = TCP_NODELAY;
    g.v.raw.buf = &out;
    g.v.raw.len = sizeof out;
    size_t n;
    assert_int_equal(esock_inet_getopts(a, &g, 1, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(g.v.raw.len, sizeof out);
    assert_int_equal(out, 1);
    /* Lengths past what the kernel takes (an int): a set is refused, and
     * as a default connect option too; a get's capacity is only a bound. */
    r.v.raw.len = ((size_t)1 << 32) + sizeof one;
    assert_int_equal(esock_inet_setopts(a, &r, 1), ESOCK_EINVAL_VALUE);
    assert_int_equal(esock_inet_set_default_connect_options(&r, 1), ESOCK_EINVAL_VALUE);
    g.v.raw.len = (size_t)1 << 32;
    assert_int_equal(esock_inet_getopts(a, &g, 1, &n), 0);
    assert_int_equal(g.v.raw.len, sizeof out);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
}

static void default_connect_listen_options(void **st)
{
    (void)st;
    const esock_inet_opt_t dc[] = {OPTI(DELAY_SEND, 1), OPTI(ACTIVE, ESOCK_INET_ACTIVE_ONCE) /* ignored */};
    const esock_inet_opt_t dl[] = {OPTI(PACKET, ESOCK_INET_PACKET_2), OPTI(NODELAY, 1)};
    assert_int_equal(esock_inet_set_default_connect_options(dc, NOPTS(dc)), 0);
    assert_int_equal(esock_inet_set_default_listen_options(dl, NOPTS(dl)), 0);
    esock_mbox_t mb = tm_new();
    uint16_t port;
    esock_inet_t l = inet_listener(NULL, 0, mb, &port), c, a;
    assert_int_equal(get1(l, ESOCK_IOPT_PACKET), ESOCK_INET_PACKET_2);
    assert_int_equal(get1(l, ESOCK_IOPT_NODELAY), 1);
    assert_int_equal(get1(l, ESOCK_IOPT_ACTIVE), ESOCK_INET_ACTIVE_TRUE);
    esock_sockaddr_t to = lo4(port);
    /* explicit options override the defaults */
    const esock_inet_opt_t o[] = {OPTI(PACKET, ESOCK_INET_PACKET_1)};
    assert_int_equal(esock_inet_connect(&c, &to, o, 1, mb, 1000), 0);
    assert_int_equal(get1(c, ESOCK_IOPT_DELAY_SEND), 1);
    assert_int_equal(get1(c, ESOCK_IOPT_PACKET), ESOCK_INET_PACKET_1);
    assert_int_equal(get1(c, ESOCK_IOPT_ACTIVE), ESOCK_INET_ACTIVE_TRUE);
    /* accept inherits the listener's options */
    assert_int_equal(esock_inet_accept(l, &a, ESOCK_INET_NO_OWNER, 1000), 0);
    assert_int_equal(get1(a, ESOCK_IOPT_PACKET), ESOCK_INET_PACKET_2);
    assert_int_equal(esock_inet_set_default_connect_options(NULL, 0), 0);
    assert_int_equal(esock_inet_set_default_listen_options(NULL, 0), 0);
    esock_inet_t c2;
    assert_int_equal(esock_inet_connect(&c2, &to, NULL, 0, mb, 1000), 0);
    assert_int_equal(get1(c2, ESOCK_IOPT_DELAY_SEND), 0);
    esock_inet_close(c2);
    esock_inet_close(c);
    esock_inet_close(a);
    esock_inet_close(l);
    tm_free(mb);
}

static void bind_to_device_and_netns(void **st)
{
    (void)st;
    uint16_t port;
    esock_inet_opt_t o = {.name = ESOCK_IOPT_BIND_TO_DEVICE};
    o.v.str.ptr = "lo";
    o.v.str.len = 2;
    esock_inet_t l;
    esock_sockaddr_t a = lo4(0);
    int rc = esock_inet_listen(&l, &a, 4, &o, 1, ESOCK_INET_NO_OWNER);
    if (rc == -EPERM) {
        /* needs CAP_NET_RAW: the error is reported, nothing leaks */
        assert_int_equal(esock_inet_count(), 0);
    } else {
        assert_int_equal(rc, 0);
        esock_inet_opt_t g = {.name = ESOCK_IOPT_BIND_TO_DEVICE};
        size_t n;
        assert_int_equal(esock_inet_getopts(l, &g, 1, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(g.v.str.len, 2);
        assert_memory_equal(g.v.str.ptr, "lo", 2);
        assert_int_equal(esock_inet_port(l, &port), 0);
        esock_inet_close(l);
    }
    /* netns: a path that does not exist fails cleanly */
    esock_inet_opt_t ns = {.name = ESOCK_IOPT_NETNS};
    ns.v.str.ptr = "/nonexistent/netns";
    ns.v.str.len = strlen(ns.v.str.ptr);
    assert_int_equal(esock_inet_listen(&l, &a, 4, &ns, 1, ESOCK_INET_NO_OWNER), -ENOENT);
    /* and the namespace of this process works when allowed */
    ns.v.str.ptr = "/proc/self/ns/net";
    ns.v.str.len = strlen(ns.v.str.ptr);
    rc = esock_inet_listen(&l, &a, 4, &ns, 1, ESOCK_INET_NO_OWNER);
    assert_true(rc == 0 || rc == -EPERM);
    if (rc == 0)
        esock_inet_close(l);
    /* netns is creation-time only */
    l = inet_listener(NULL, 0, ESOCK_INET_NO_OWNER, &port);
    assert_int_equal(esock_inet_setopts(l, &ns, 1), -EINVAL);
    esock_inet_close(l);
}

/* tos does not change priority (inet puts it back around IP_TOS, which
 * on Linux also sets SO_PRIORITY). OTP 25.2.3 on this machine: priority 3,
 * then tos 16 -> 3 and 16; tos 8 with priority 2 -> 2 and 8; tos 16 alone
 * on a new socket -> 0 and 16. */
static void tos_keeps_priority(void **st)
{
    (void)st;
    static const struct {
        int64_t set_prio, set_tos, prio, tos;
    } step[] = {{3, -1, 3, 0}, {-1, 16, 3, 16}, {2, 8, 2, 8}};
    uint16_t port;
    esock_inet_t l = inet_listener(NULL, 0, ESOCK_INET_NO_OWNER, &port);
    for (size_t i = 0; i < sizeof step / sizeof step[0]; i++) {
        esock_inet_opt_t o[2];
        size_t n = 0;
        if (step[i].set_tos >= 0)
            o[n++] = OPT(TOS, step[i].set_tos);
        if (step[i].set_prio >= 0)
            o[n++] = OPT(PRIORITY, step[i].set_prio);
        assert_int_equal(esock_inet_setopts(l, o, n), 0);
        esock_inet_opt_t g[] = {OPT(PRIORITY, -1), OPT(TOS, -1)};
        assert_int_equal(esock_inet_getopts(l, g, 2, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(g[0].v.i, step[i].prio);
        assert_int_equal(g[1].v.i, step[i].tos);
    }
    esock_inet_close(l);
    /* an accepted socket has the listener's (OTP 25: priority 3, tos 16;
     * Linux passes on the tos only) */
    const esock_inet_opt_t lo[] = {OPTI(PRIORITY, 3), OPTI(TOS, 16)};
    l = inet_listener(lo, NOPTS(lo), ESOCK_INET_NO_OWNER, &port);
    esock_sockaddr_t to = lo4(port);
    esock_inet_t c, a;
    assert_int_equal(esock_inet_connect(&c, &to, NULL, 0, ESOCK_INET_NO_OWNER, 1000), 0);
    assert_int_equal(esock_inet_accept(l, &a, ESOCK_INET_NO_OWNER, 1000), 0);
    esock_inet_opt_t ga[] = {OPT(PRIORITY, -1), OPT(TOS, -1)};
    size_t na = 0;
    assert_int_equal(esock_inet_getopts(a, ga, 2, &na), 0);
    assert_int_equal(ga[0].v.i, 3);
    assert_int_equal(ga[1].v.i, 16);
    esock_inet_close(a);
    esock_inet_close(c);
    esock_inet_close(l);
    l = inet_listener(NULL, 0, ESOCK_INET_NO_OWNER, &port);
    const esock_inet_opt_t t16[] = {OPTI(TOS, 16)};
    assert_int_equal(esock_inet_setopts(l, t16, 1), 0);
    esock_inet_opt_t g[] = {OPT(PRIORITY, -1)};
    size_t n = 0;
    assert_int_equal(esock_inet_getopts(l, g, 1, &n), 0);
    assert_int_equal(g[0].v.i, 0); /* not the 6 the kernel derives from tos 16 */
    esock_inet_close(l);
}

/* Option values at the ends of their ranges, one fresh socket each. The
 * comments give what OTP 25.2.3's setopts did on this machine: where it
 * checks, esock answers the same; where it wraps or clamps silently,
 * esock refuses the value (docs/inet.md, "Option values"). A refused
 * value leaves the option as it was. */
#define I31 INT64_C(0x7fffffff)
#define B31 INT64_C(0x80000000)
static void option_values_at_their_limits(void **st)
{
    (void)st;
    static const struct {
        esock_inet_optname_t n;
        int64_t v;
        int rc;
        esock_inet_optname_t n2; /* also read back (0: none) */
        int64_t r1, r2;
    } c[] = {
        {ESOCK_IOPT_BUFFER, 0, ESOCK_EINVAL_VALUE, 0, 1460, 0},   /* OTP: ok, reads 1 */
        {ESOCK_IOPT_BUFFER, -1, ESOCK_EINVAL_VALUE, 0, 1460, 0},  /* OTP: ok, reads 1 */
        {ESOCK_IOPT_BUFFER, 1, 0, 0, 1, 0},
        {ESOCK_IOPT_BUFFER, I31, 0, 0, I31, 0},
        {ESOCK_IOPT_BUFFER, B31, ESOCK_EINVAL_VALUE, 0, 1460, 0}, /* OTP: ok, reads 1 */
        /* high below low lowers low; low above high raises high */
        {ESOCK_IOPT_HIGH_WATERMARK, -1, ESOCK_EINVAL_VALUE, ESOCK_IOPT_LOW_WATERMARK, 8192, 4096}, /* OTP: 0, 0 */
        {ESOCK_IOPT_HIGH_WATERMARK, 0, 0, ESOCK_IOPT_LOW_WATERMARK, 0, 0},
        {ESOCK_IOPT_HIGH_WATERMARK, 1, 0, ESOCK_IOPT_LOW_WATERMARK, 1, 1},
        {ESOCK_IOPT_HIGH_WATERMARK, I31, 0, ESOCK_IOPT_LOW_WATERMARK, I31, 4096},
        {ESOCK_IOPT_HIGH_WATERMARK, B31, ESOCK_EINVAL_VALUE, ESOCK_IOPT_LOW_WATERMARK, 8192, 4096}, /* OTP: 0, 0 */
        {ESOCK_IOPT_LOW_WATERMARK, -1, ESOCK_EINVAL_VALUE, ESOCK_IOPT_HIGH_WATERMARK, 4096, 8192}, /* OTP: 0 */
        {ESOCK_IOPT_LOW_WATERMARK, 0, 0, ESOCK_IOPT_HIGH_WATERMARK, 0, 8192},
        {ESOCK_IOPT_LOW_WATERMARK, I31, 0, ESOCK_IOPT_HIGH_WATERMARK, I31, I31},
        /* the same pairing for the msgq watermarks; 0 is einval in OTP */
        {ESOCK_IOPT_HIGH_MSGQ_WATERMARK, 0, ESOCK_EINVAL_VALUE, ESOCK_IOPT_LOW_MSGQ_WATERMARK, 8192, 4096},
        {ESOCK_IOPT_HIGH_MSGQ_WATERMARK, -1, ESOCK_EINVAL_VALUE, ESOCK_IOPT_LOW_MSGQ_WATERMARK, 8192, 4096},
        {ESOCK_IOPT_HIGH_MSGQ_WATERMARK, 1, 0, ESOCK_IOPT_LOW_MSGQ_WATERMARK, 1, 1},
        {ESOCK_IOPT_HIGH_MSGQ_WATERMARK, I31, 0, ESOCK_IOPT_LOW_MSGQ_WATERMARK, I31, 4096},
        {ESOCK_IOPT_HIGH_MSGQ_WATERMARK, B31, ESOCK_EINVAL_VALUE, ESOCK_IOPT_LOW_MSGQ_WATERMARK, 8192, 4096}, /* OTP: 2^31-1 */
        {ESOCK_IOPT_LOW_MSGQ_WATERMARK, 0, ESOCK_EINVAL_VALUE, ESOCK_IOPT_HIGH_MSGQ_WATERMARK, 4096, 8192},
        {ESOCK_IOPT_LOW_MSGQ_WATERMARK, 1, 0, ESOCK_IOPT_HIGH_MSGQ_WATERMARK, 1, 8192},
        {ESOCK_IOPT_LOW_MSGQ_WATERMARK, 9000, 0, ESOCK_IOPT_HIGH_MSGQ_WATERMARK, 9000, 9000},
        {ESOCK_IOPT_LOW_MSGQ_WATERMARK, I31, 0, ESOCK_IOPT_HIGH_MSGQ_WATERMARK, I31, I31},
        /* packet_size: unsigned 32 bits, as decode_packet's */
        {ESOCK_IOPT_PACKET_SIZE, -1, ESOCK_EINVAL_VALUE, 0, 0, 0},
        {ESOCK_IOPT_PACKET_SIZE, B31, 0, 0, B31, 0},
        {ESOCK_IOPT_PACKET_SIZE, 0xffffffff, 0, 0, 0xffffffff, 0},
        {ESOCK_IOPT_PACKET_SIZE, INT64_C(0x100000000), ESOCK_EINVAL_VALUE, 0, 0, 0}, /* OTP: ok, reads 0 */
        {ESOCK_IOPT_LINE_DELIMITER, -1, ESOCK_EINVAL_VALUE, 0, '\n', 0},  /* OTP: ok (getopts einval) */
        {ESOCK_IOPT_LINE_DELIMITER, 256, ESOCK_EINVAL_VALUE, 0, '\n', 0}, /* OTP: ok (getopts einval) */
        {ESOCK_IOPT_LINE_DELIMITER, 0, 0, 0, 0, 0},
        {ESOCK_IOPT_LINE_DELIMITER, 255, 0, 0, 255, 0},
        /* send_timeout: -1 is ESOCK_INFINITY in C (OTP: einval; infinity is an atom) */
        {ESOCK_IOPT_SEND_TIMEOUT, 0, 0, 0, 0, 0},
        {ESOCK_IOPT_SEND_TIMEOUT, -2, ESOCK_EINVAL_VALUE, 0, ESOCK_INFINITY, 0},
        {ESOCK_IOPT_SEND_TIMEOUT, B31, 0, 0, B31, 0}, /* OTP: ok, reads -2^31 */
        {ESOCK_IOPT_HEADER, -1, ESOCK_EINVAL_VALUE, 0, 0, 0},
        {ESOCK_IOPT_HEADER, I31, 0, 0, I31, 0},
        {ESOCK_IOPT_HEADER, B31, ESOCK_EINVAL_VALUE, 0, 0, 0}, /* OTP: ok */
        {ESOCK_IOPT_ACTIVE, 32767, 0, 0, 32767, 0},
        {ESOCK_IOPT_ACTIVE, 32768, -EINVAL, 0, ESOCK_INET_ACTIVE_FALSE, 0},
        {ESOCK_IOPT_ACTIVE, -32769, -EINVAL, 0, ESOCK_INET_ACTIVE_FALSE, 0},
        {ESOCK_IOPT_ACTIVE, -32768, 0, 0, ESOCK_INET_ACTIVE_FALSE, 0},
        /* kernel options: the C int goes to the kernel as in inet, which
         * keeps the ECN bits of tos to itself (OTP: 255 reads 252) */
        {ESOCK_IOPT_TOS, 255, 0, 0, 252, 0},
        {ESOCK_IOPT_PRIORITY, B31, ESOCK_EINVAL_VALUE, 0, 0, 0}, /* OTP: ok, reads -2^31 */
        {ESOCK_IOPT_KEEPALIVE, 2, ESOCK_EINVAL_VALUE, 0, 0, 0},
    };
    for (size_t i = 0; i < NOPTS(c); i++) {
        esock_inet_t l, a;
        const esock_inet_opt_t p[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
        int fd = inet_peer_pair(p, 1, ESOCK_INET_NO_OWNER, &l, &a);
        esock_inet_opt_t o = esock_inet_opt_int(c[i].n, c[i].v);
        int rc = esock_inet_setopts(a, &o, 1);
        if (rc != c[i].rc || get1(a, c[i].n) != c[i].r1 || (c[i].n2 && get1(a, c[i].n2) != c[i].r2))
            print_error("case %zu: %s %lld\n", i, esock_inet_optname(c[i].n), (long long)c[i].v);
        assert_int_equal(rc, c[i].rc);
        assert_int_equal(get1(a, c[i].n), c[i].r1);
        if (c[i].n2)
            assert_int_equal(get1(a, c[i].n2), c[i].r2);
        close(fd);
        esock_inet_close(a);
        esock_inet_close(l);
    }
}

/* Values only C can get wrong: strings and buffers that are not there, a
 * device name Linux would cut short, a linger time below zero. */
static void option_pointers_and_lengths(void **st)
{
    (void)st;
    uint16_t port;
    esock_inet_t l = inet_listener(NULL, 0, ESOCK_INET_NO_OWNER, &port);
    esock_inet_opt_t o = {.name = ESOCK_IOPT_BIND_TO_DEVICE};
    o.v.str.ptr = NULL;
    o.v.str.len = 3;
    assert_int_equal(esock_inet_setopts(l, &o, 1), ESOCK_EINVAL_VALUE);
    o.v.str.ptr = "sixteen-chars-xx"; /* IFNAMSIZ: Linux would bind to its first 15 */
    o.v.str.len = 16;
    assert_int_equal(esock_inet_setopts(l, &o, 1), ESOCK_EINVAL_VALUE);
    esock_inet_opt_t r = {.name = ESOCK_IOPT_RAW};
    r.v.raw.level = IPPROTO_TCP;
    r.v.raw.optname = TCP_NODELAY;
    r.v.raw.buf = NULL;
    r.v.raw.len = sizeof(int);
    assert_int_equal(esock_inet_setopts(l, &r, 1), ESOCK_EINVAL_VALUE);
    esock_inet_opt_t lg = {.name = ESOCK_IOPT_LINGER};
    lg.v.linger.on = true;
    lg.v.linger.secs = -1; /* OTP: ok, and linger reads back garbage */
    assert_int_equal(esock_inet_setopts(l, &lg, 1), ESOCK_EINVAL_VALUE);
    esock_inet_opt_t g = {.name = ESOCK_IOPT_LINGER};
    size_t n = 0;
    assert_int_equal(esock_inet_getopts(l, &g, 1, &n), 0);
    assert_int_equal(n, 1);
    assert_false(g.v.linger.on);
    /* at creation too, before any socket exists */
    esock_inet_t x;
    esock_sockaddr_t to = lo4(port);
    assert_int_equal(esock_inet_connect(&x, &to, &o, 1, ESOCK_INET_NO_OWNER, 1000), ESOCK_EINVAL_VALUE);
    esock_inet_opt_t ns = {.name = ESOCK_IOPT_NETNS};
    ns.v.str.ptr = NULL;
    ns.v.str.len = 5;
    assert_int_equal(esock_inet_connect(&x, &to, &ns, 1, ESOCK_INET_NO_OWNER, 1000), ESOCK_EINVAL_VALUE);
    assert_int_equal(esock_inet_count(), 1); /* the listener only */
    esock_inet_close(l);
}

/* A setopts list is checked whole before anything is applied; it is then
 * applied in order, a later entry winning (OTP 25 applies a setopts list
 * from its end: {packet,1},{packet,2} leaves 1). */
static void setopts_checks_the_whole_list(void **st)
{
    (void)st;
    esock_inet_t l, a;
    const esock_inet_opt_t p[] = {OPTI(ACTIVE, 30000)};
    esock_mbox_t mb = tm_new();
    int fd = inet_peer_pair(p, 1, mb, &l, &a);
    const esock_inet_opt_t bad_last[] = {OPTI(PACKET, ESOCK_INET_PACKET_2), OPTI(BUFFER, 0)};
    assert_int_equal(esock_inet_setopts(a, bad_last, 2), ESOCK_EINVAL_VALUE);
    assert_int_equal(get1(a, ESOCK_IOPT_PACKET), ESOCK_INET_PACKET_RAW);
    /* the active count is summed over the list: 30000 + 1 + 5000 > 32767 */
    const esock_inet_opt_t too_many[] = {OPTI(ACTIVE, 1), OPTI(PACKET, ESOCK_INET_PACKET_1), OPTI(ACTIVE, 5000)};
    assert_int_equal(esock_inet_setopts(a, too_many, 3), -EINVAL);
    assert_int_equal(get1(a, ESOCK_IOPT_ACTIVE), 30000);
    assert_int_equal(get1(a, ESOCK_IOPT_PACKET), ESOCK_INET_PACKET_RAW);
    const esock_inet_opt_t down[] = {OPTI(ACTIVE, -20000), OPTI(ACTIVE, -10000)};
    assert_int_equal(esock_inet_setopts(a, down, 2), 0);
    esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_PASSIVE); /* 30000 -> 10000 -> 0 */
    esock_inet_msg_free(m);
    assert_int_equal(get1(a, ESOCK_IOPT_ACTIVE), ESOCK_INET_ACTIVE_FALSE);
    const esock_inet_opt_t twice[] = {OPTI(PACKET, ESOCK_INET_PACKET_1), OPTI(PACKET, ESOCK_INET_PACKET_2)};
    assert_int_equal(esock_inet_setopts(a, twice, 2), 0);
    assert_int_equal(get1(a, ESOCK_IOPT_PACKET), ESOCK_INET_PACKET_2);
    /* in order: high 100 lowers low to 100, then low 200 raises high */
    const esock_inet_opt_t wm[] = {OPTI(HIGH_WATERMARK, 100), OPTI(LOW_WATERMARK, 200)};
    assert_int_equal(esock_inet_setopts(a, wm, 2), 0);
    assert_int_equal(get1(a, ESOCK_IOPT_HIGH_WATERMARK), 200);
    assert_int_equal(get1(a, ESOCK_IOPT_LOW_WATERMARK), 200);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
    tm_free(mb);
}

/* The process-wide defaults are checked when they are set (not at every
 * connect), copied with their strings and raw buffers, and a refused list
 * leaves the previous defaults in place. */
static void default_options_checked_and_copied(void **st)
{
    (void)st;
    int one = 1;
    esock_inet_opt_t raw = {.name = ESOCK_IOPT_RAW};
    raw.v.raw.level = IPPROTO_TCP;
    raw.v.raw.optname = TCP_NODELAY;
    raw.v.raw.buf = &one;
    raw.v.raw.len = sizeof one;
    esock_inet_opt_t dl[] = {raw, OPT(PACKET, ESOCK_INET_PACKET_2)};
    assert_int_equal(esock_inet_set_default_listen_options(dl, NOPTS(dl)), 0);
    one = 0; /* the defaults hold a copy */
    const esock_inet_opt_t bad[] = {OPTI(PACKET, ESOCK_INET_PACKET_4), OPTI(HIGH_MSGQ_WATERMARK, 0)};
    assert_int_equal(esock_inet_set_default_listen_options(bad, NOPTS(bad)), ESOCK_EINVAL_VALUE);
    esock_inet_opt_t longns = {.name = ESOCK_IOPT_NETNS};
    char path[80];
    memset(path, 'x', sizeof path);
    path[0] = '/';
    longns.v.str.ptr = path;
    longns.v.str.len = sizeof path; /* longer than the defaults keep */
    assert_int_equal(esock_inet_set_default_listen_options(&longns, 1), -ENAMETOOLONG);
    esock_inet_opt_t nullraw = raw;
    nullraw.v.raw.buf = NULL;
    assert_int_equal(esock_inet_set_default_connect_options(&nullraw, 1), ESOCK_EINVAL_VALUE);
    uint16_t port;
    esock_inet_t l = inet_listener(NULL, 0, ESOCK_INET_NO_OWNER, &port);
    assert_int_equal(get1(l, ESOCK_IOPT_NODELAY), 1);
    assert_int_equal(get1(l, ESOCK_IOPT_PACKET), ESOCK_INET_PACKET_2);
    assert_int_equal(get1(l, ESOCK_IOPT_HIGH_MSGQ_WATERMARK), 8192);
    esock_inet_close(l);
    /* a netns among the defaults: this process's own namespace, where
     * entering one is allowed (CAP_SYS_ADMIN) */
    esock_inet_opt_t ns = {.name = ESOCK_IOPT_NETNS};
    ns.v.str.ptr = "/proc/self/ns/net";
    ns.v.str.len = strlen(ns.v.str.ptr);
    assert_int_equal(esock_inet_set_default_listen_options(&ns, 1), 0);
    esock_sockaddr_t any = lo4(0);
    int rc = esock_inet_listen(&l, &any, 4, NULL, 0, ESOCK_INET_NO_OWNER);
    assert_true(rc == 0 || rc == -EPERM);
    if (rc == 0) {
        assert_int_equal(get1(l, ESOCK_IOPT_PACKET), ESOCK_INET_PACKET_RAW);
        esock_inet_close(l);
    }
    ns.v.str.ptr = "/nonexistent/netns";
    ns.v.str.len = strlen(ns.v.str.ptr);
    assert_int_equal(esock_inet_set_default_listen_options(&ns, 1), 0);
    assert_int_equal(esock_inet_listen(&l, &any, 4, NULL, 0, ESOCK_INET_NO_OWNER), -ENOENT);
    assert_int_equal(esock_inet_set_default_listen_options(NULL, 0), 0);
    assert_int_equal(esock_inet_count(), 0);
}

/* exclusiveaddruse: Windows only; the page says other systems ignore it
 * silently. Taken at creation and by setopts (0 or 1), never read back,
 * and another socket still binds the port with reuseaddr + reuseport. */
static void exclusiveaddruse_ignored(void **st)
{
    (void)st;
    assert_int_equal(esock_inet_optcode("exclusiveaddruse"), ESOCK_IOPT_EXCLUSIVEADDRUSE);
    const esock_inet_opt_t o[] = {OPTI(EXCLUSIVEADDRUSE, 1), OPTI(REUSEADDR, 1), OPTI(REUSEPORT, 1)};
    uint16_t port;
    esock_inet_t l = inet_listener(o, NOPTS(o), ESOCK_INET_NO_OWNER, &port);
    esock_inet_opt_t g[] = {OPT(EXCLUSIVEADDRUSE, -1), OPT(REUSEPORT, -1)};
    size_t n = 0;
    assert_int_equal(esock_inet_getopts(l, g, NOPTS(g), &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(g[0].name, ESOCK_IOPT_REUSEPORT);
    esock_inet_opt_t bad = OPT(EXCLUSIVEADDRUSE, 2);
    assert_int_equal(esock_inet_setopts(l, &bad, 1), ESOCK_EINVAL_VALUE);
    esock_inet_opt_t off = OPT(EXCLUSIVEADDRUSE, 0);
    assert_int_equal(esock_inet_setopts(l, &off, 1), 0);
    esock_sockaddr_t at = lo4(port);
    esock_inet_t l2;
    assert_int_equal(esock_inet_listen(&l2, &at, 4, o, NOPTS(o), ESOCK_INET_NO_OWNER), 0);
    esock_inet_close(l2);
    esock_inet_t u;
    assert_int_equal(esock_inet_udp_open(&u, NULL, o, 1, ESOCK_INET_NO_OWNER), 0);
    esock_inet_close(u);
    esock_inet_close(l);
}

const struct CMUnitTest inet_tests_opts[] = {
    cmocka_unit_test_teardown(defaults_as_inet, inet_teardown),
    cmocka_unit_test_teardown(set_then_get_every_option, inet_teardown),
    cmocka_unit_test_teardown(tos_keeps_priority, inet_teardown),
    cmocka_unit_test_teardown(getopts_leaves_out_unsupported, inet_teardown),
    cmocka_unit_test_teardown(raw_options, inet_teardown),
    cmocka_unit_test_teardown(default_connect_listen_options, inet_teardown),
    cmocka_unit_test_teardown(bind_to_device_and_netns, inet_teardown),
    cmocka_unit_test_teardown(option_values_at_their_limits, inet_teardown),
    cmocka_unit_test_teardown(option_pointers_and_lengths, inet_teardown),
    cmocka_unit_test_teardown(setopts_checks_the_whole_list, inet_teardown),
    cmocka_unit_test_teardown(default_options_checked_and_copied, inet_teardown),
    cmocka_unit_test_teardown(exclusiveaddruse_ignored, inet_teardown),
};
const size_t inet_ntests_opts = NOPTS(inet_tests_opts);
