/* UDP, monitors, info, i() listing, stale handles. */
#include <errno.h>
#include <pthread.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "helpers.h"

static void udp_passive_and_active(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    esock_sockaddr_t any = lo4(0);
    const esock_inet_opt_t po[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(RECVTTL, 1), OPTI(RECVTOS, 1)};
    esock_inet_t u1, u2;
    assert_int_equal(esock_inet_udp_open(&u1, &any, po, NOPTS(po), mb), 0);
    const esock_inet_opt_t ao[] = {OPTI(ACTIVE, 2), OPTI(READ_PACKETS, 3)};
    assert_int_equal(esock_inet_udp_open(&u2, &any, ao, NOPTS(ao), mb), 0);
    uint16_t p1, p2;
    assert_int_equal(esock_inet_port(u1, NULL), -EINVAL);
    assert_int_equal(esock_inet_port(u1, &p1), 0);
    assert_int_equal(esock_inet_port(u2, &p2), 0);
    esock_sockaddr_t to1 = lo4(p1), to2 = lo4(p2);
    /* passive, with ancillary data */
    assert_int_equal(esock_inet_sendto(u2, &to1, "ping", 4), 0);
    char b[32];
    size_t got, nanc = 3;
    esock_sockaddr_t from;
    esock_inet_anc_t anc[3];
    assert_int_equal(esock_inet_recvfrom(u1, b, sizeof b, &got, &from, anc, &nanc, 1000), 0);
    assert_int_equal(got, 4);
    assert_memory_equal(b, "ping", 4);
    assert_int_equal(from.u.in.port, p2);
    bool ttl = false;
    for (size_t i = 0; i < nanc; i++)
        if (anc[i].kind == ESOCK_INET_ANC_TTL) {
            ttl = true;
            assert_int_equal(anc[i].value, 64);
        }
    assert_true(ttl);
    assert_int_equal(esock_inet_recvfrom(u1, b, sizeof b, &got, NULL, NULL, NULL, 50), ESOCK_ETIMEOUT);
    /* active N: two datagrams, then the passive message */
    for (int i = 0; i < 3; i++)
        assert_int_equal(esock_inet_sendto(u1, &to2, "dgram", 5), 0);
    for (int i = 0; i < 2; i++) {
        esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_DATA);
        assert_true(m->udp);
        assert_int_equal(m->len, 5);
        assert_int_equal(m->from.u.in.port, p1);
        esock_inet_msg_free(m);
    }
    esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_PASSIVE);
    assert_true(m->udp);
    esock_inet_msg_free(m);
    esock_inet_opt_t rp = {.name = ESOCK_IOPT_READ_PACKETS};
    size_t n;
    assert_int_equal(esock_inet_getopts(u2, &rp, 1, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rp.v.i, 3);
    uint64_t v[ESOCK_STAT_COUNT_];
    assert_int_equal(esock_inet_getstat(u2, NULL, 0, v), 0);
    assert_int_equal(v[ESOCK_STAT_RECV_CNT], 2);
    assert_int_equal(v[ESOCK_STAT_SEND_OCT], 4);
    esock_inet_close(u1);
    esock_inet_close(u2);
    tm_free(mb);
}

static void udp_broadcast_option(void **st)
{
    (void)st;
    esock_inet_t u;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(BROADCAST, 1)};
    assert_int_equal(esock_inet_udp_open(&u, NULL, o, NOPTS(o), ESOCK_INET_NO_OWNER), 0);
    esock_inet_opt_t g = {.name = ESOCK_IOPT_BROADCAST};
    size_t n;
    assert_int_equal(esock_inet_getopts(u, &g, 1, &n), 0);
    assert_int_equal(g.v.i, 1);
    esock_inet_close(u);
}

/* A passive UDP socket without an owner on the IPv6 address whose last
 * three groups are @p g5..g7 (::1, ::ffff:127.0.0.1); skips the test
 * when the machine has no IPv6. */
static esock_inet_t udp6_open(esock_sockaddr_t *a6, uint16_t g5, uint16_t g6, uint16_t g7,
                              const esock_inet_opt_t *o, size_t n)
{
    memset(a6, 0, sizeof *a6);
    a6->family = ESOCK_FAMILY_INET6;
    a6->u.in6.addr[5] = g5;
    a6->u.in6.addr[6] = g6;
    a6->u.in6.addr[7] = g7;
    esock_inet_t u;
    int rc = esock_inet_udp_open(&u, a6, o, n, ESOCK_INET_NO_OWNER);
    if (rc == -EADDRNOTAVAIL || rc == -EAFNOSUPPORT)
        skip();
    assert_int_equal(rc, 0);
    return u;
}

/* The next datagram on @p u, of @p len bytes, with @p nanc ancillary
 * values (into @p anc, room for 3). */
static void recv_anc(esock_inet_t u, size_t len, esock_inet_anc_t *anc, size_t nanc)
{
    char b[8];
    size_t got = 0, n = 3;
    assert_int_equal(esock_inet_recvfrom(u, b, sizeof b, &got, NULL, anc, &n, 1000), 0);
    assert_int_equal(got, len);
    assert_int_equal(n, nanc);
}

static void udp6_tclass(void **st)
{
    (void)st;
    esock_sockaddr_t a6;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(RECVTCLASS, 1), OPTI(TCLASS, 0x20)};
    esock_inet_t u = udp6_open(&a6, 0, 0, 1, o, NOPTS(o));
    uint16_t port;
    assert_int_equal(esock_inet_port(u, &port), 0);
    a6.u.in6.port = port;
    assert_int_equal(esock_inet_sendto(u, &a6, "six", 3), 0);
    esock_inet_anc_t anc[3];
    recv_anc(u, 3, anc, 1);
    assert_int_equal(anc[0].kind, ESOCK_INET_ANC_TCLASS);
    assert_int_equal(anc[0].value, 0x20);
    /* tos applies to IPv6 sockets too, apart from tclass (OTP 25:
     * [{tos,0},{tclass,32}]) */
    esock_inet_opt_t g[] = {{.name = ESOCK_IOPT_TOS}, {.name = ESOCK_IOPT_TCLASS}};
    size_t n;
    assert_int_equal(esock_inet_getopts(u, g, 2, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(g[0].name, ESOCK_IOPT_TOS);
    assert_int_equal(g[0].v.i, 0);
    assert_int_equal(g[1].name, ESOCK_IOPT_TCLASS);
    assert_int_equal(g[1].v.i, 0x20);
    esock_inet_close(u);
}

/* An IPv6 socket takes the IPv4 options tos, recvtos and recvttl (Linux
 * applies them to the IPv4 datagrams it carries), as inet does: OTP 25,
 * an inet6 socket on ::ffff:127.0.0.1 with {tos,16}, recvtos, recvttl,
 * sent to by an IPv4 socket with {tos,8}, receives [{ttl,64},{tos,8}]
 * and getopts reads the three back. They were ignored on IPv6. */
static void udp6_ipv4_options(void **st)
{
    (void)st;
    esock_sockaddr_t m;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(RECVTOS, 1), OPTI(RECVTTL, 1),
                                  OPTI(TOS, 16)};
    esock_inet_t u = udp6_open(&m, 0xffff, 0x7f00, 1, o, NOPTS(o)); /* ::ffff:127.0.0.1 */
    esock_inet_opt_t g[] = {{.name = ESOCK_IOPT_TOS}, {.name = ESOCK_IOPT_RECVTOS}, {.name = ESOCK_IOPT_RECVTTL}};
    size_t n;
    assert_int_equal(esock_inet_getopts(u, g, NOPTS(g), &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(g[0].name, ESOCK_IOPT_TOS);
    assert_int_equal(g[0].v.i, 16);
    assert_int_equal(g[1].v.i, 1);
    assert_int_equal(g[2].v.i, 1);

    uint16_t port;
    assert_int_equal(esock_inet_port(u, &port), 0);
    const esock_inet_opt_t vo[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(TOS, 8)};
    esock_sockaddr_t lo = lo4(0);
    esock_inet_t v;
    assert_int_equal(esock_inet_udp_open(&v, &lo, vo, NOPTS(vo), ESOCK_INET_NO_OWNER), 0);
    lo = lo4(port);
    assert_int_equal(esock_inet_sendto(v, &lo, "abc", 3), 0);
    esock_inet_anc_t anc[3];
    recv_anc(u, 3, anc, 2);
    assert_int_equal(anc[0].kind, ESOCK_INET_ANC_TTL);
    assert_true(anc[0].value > 0 && anc[0].value <= 255); /* 64 unless ip_default_ttl says otherwise */
    assert_int_equal(anc[1].kind, ESOCK_INET_ANC_TOS);
    assert_int_equal(anc[1].value, 8);
    esock_inet_close(v);
    esock_inet_close(u);
}

static void monitors(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    uint16_t port;
    esock_inet_t l = inet_listener(NULL, 0, ESOCK_INET_NO_OWNER, &port);
    uint64_t r1, r2;
    assert_int_equal(esock_inet_monitor(l, mb, &r1), 0);
    assert_int_equal(esock_inet_monitor(l, mb, &r2), 0);
    assert_true(r1 != r2);
    esock_inet_info_t info;
    assert_int_equal(esock_inet_info(l, &info), 0);
    assert_int_equal(info.monitors, 2);
    assert_int_equal(esock_inet_cancel_monitor(r2), 1);
    assert_int_equal(esock_inet_cancel_monitor(r2), 0);
    esock_inet_close(l);
    esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_DOWN);
    assert_int_equal(m->mref, r1);
    assert_int_equal(m->error, 0); /* normal */
    esock_inet_msg_free(m);
    expect_none(mb, 20);
    assert_int_equal(esock_inet_cancel_monitor(r1), 0); /* already fired */
    /* a monitor on a closed socket fires at once ("nosock") */
    assert_int_equal(esock_inet_monitor(l, mb, &r1), 0);
    m = expect_msg(mb, ESOCK_INET_MSG_DOWN);
    assert_int_equal(m->mref, r1);
    assert_int_equal(m->error, -ENOENT);
    esock_inet_msg_free(m);
    tm_free(mb);
}

static void stale_handles(void **st)
{
    (void)st;
    uint16_t port;
    esock_inet_t l = inet_listener(NULL, 0, ESOCK_INET_NO_OWNER, &port);
    esock_inet_close(l);
    esock_inet_t l2 = inet_listener(NULL, 0, ESOCK_INET_NO_OWNER, &port); /* may reuse the slot */
    assert_true(l2.id != l.id);
    char b[4];
    size_t got;
    esock_inet_opt_t o = OPT(NODELAY, 1);
    esock_inet_t a;
    assert_int_equal(esock_inet_send(l, "x", 1), ESOCK_ECLOSED);
    assert_int_equal(esock_inet_recv(l, b, 4, 0, &got, 0), ESOCK_ECLOSED);
    assert_int_equal(esock_inet_accept(l, &a, ESOCK_INET_NO_OWNER, 0), ESOCK_ECLOSED);
    assert_int_equal(esock_inet_setopts(l, &o, 1), ESOCK_ECLOSED);
    assert_int_equal(esock_inet_close(l), ESOCK_ECLOSED);
    esock_inet_t zero = {0};
    assert_int_equal(esock_inet_close(zero), ESOCK_ECLOSED);
    esock_inet_close(l2);
}

/* A NULL where a call needs a pointer is -EINVAL (docs/errors.md), with
 * data waiting where that would make the call use the pointer: never a
 * crash, and no socket left behind by a create that refused. */
static void null_pointers_rejected(void **st)
{
    (void)st;
    const esock_inet_opt_t po[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(DELAY_SEND, 1)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(po, NOPTS(po), ESOCK_INET_NO_OWNER, &l, &a);
    size_t before = esock_inet_count();
    esock_sockaddr_t sa;
    assert_int_equal(esock_inet_sockname(l, &sa), 0);
    esock_inet_t out;
    /* creation */
    assert_int_equal(esock_inet_connect(NULL, &sa, NULL, 0, ESOCK_INET_NO_OWNER, 1000), -EINVAL);
    assert_int_equal(esock_inet_connect(&out, &sa, NULL, 1, ESOCK_INET_NO_OWNER, 1000), -EINVAL);
    assert_int_equal(esock_inet_listen(NULL, &sa, 5, NULL, 0, ESOCK_INET_NO_OWNER), -EINVAL);
    assert_int_equal(esock_inet_listen(&out, &sa, 5, NULL, 2, ESOCK_INET_NO_OWNER), -EINVAL);
    assert_int_equal(esock_inet_udp_open(NULL, NULL, NULL, 0, ESOCK_INET_NO_OWNER), -EINVAL);
    assert_int_equal(esock_inet_udp_open(&out, NULL, NULL, 1, ESOCK_INET_NO_OWNER), -EINVAL);
    assert_int_equal(esock_inet_set_default_connect_options(NULL, 1), -EINVAL);
    assert_int_equal(esock_inet_set_default_listen_options(NULL, 1), -EINVAL);
    assert_int_equal(esock_inet_count(), before);
    /* a connection waits to be accepted */
    int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(sa.u.in.port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(connect(c, (struct sockaddr *)&sin, sizeof sin), 0);
    assert_int_equal(esock_inet_accept(l, NULL, ESOCK_INET_NO_OWNER, 1000), -EINVAL);
    /* data waits to be read */
    wr(fd, "hello", 5);
    assert_int_equal(esock_inet_recv(a, NULL, 8, 0, NULL, 1000), -EINVAL);
    char b[8];
    size_t got = 0;
    /* exactly 5: a raw recv of "one read" may be short under injected faults */
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 5, &got, 1000), 0);
    assert_int_equal(got, 5); /* the refused call took nothing */
    /* sending: delay_send would copy from the pointer */
    assert_int_equal(esock_inet_send_ex(a, NULL, 5, 1000), -EINVAL);
    assert_int_equal(esock_inet_send_ex(a, NULL, 0, 1000), 0);
    /* options, statistics, names, monitors, listing */
    assert_int_equal(esock_inet_setopts(a, NULL, 1), -EINVAL);
    assert_int_equal(esock_inet_setopts(a, NULL, 0), 0);
    assert_int_equal(esock_inet_getopts(a, NULL, 1, NULL), -EINVAL);
    assert_int_equal(esock_inet_getstat(a, NULL, 0, NULL), -EINVAL);
    assert_int_equal(esock_inet_port(a, NULL), -EINVAL);
    assert_int_equal(esock_inet_sockname(a, NULL), -EINVAL);
    assert_int_equal(esock_inet_peername(a, NULL), -EINVAL);
    assert_int_equal(esock_inet_info(a, NULL), -EINVAL);
    esock_mbox_t mb = tm_new();
    assert_int_equal(esock_inet_monitor(a, mb, NULL), -EINVAL);
    expect_none(mb, 20); /* no monitor was made: its DOWN would come at close */
    assert_int_equal(esock_inet_i(NULL, ESOCK_INET_I_ALL, NULL, 0, true), -EINVAL);
    /* UDP */
    esock_inet_t u;
    assert_int_equal(esock_inet_udp_open(&u, NULL, po, 1, ESOCK_INET_NO_OWNER), 0);
    esock_sockaddr_t us;
    assert_int_equal(esock_inet_sockname(u, &us), 0);
    assert_int_equal(esock_inet_sendto(u, &us, NULL, 3), -EINVAL);
    assert_int_equal(esock_inet_sendto(u, &us, "dgm", 3), 0);
    assert_int_equal(esock_inet_recvfrom(u, NULL, 8, NULL, NULL, NULL, NULL, 1000), -EINVAL);
    assert_int_equal(esock_inet_recvfrom(u, b, sizeof b, &got, NULL, NULL, NULL, 1000), 0);
    assert_int_equal(got, 3);
    /* a datagram longer than cap is cut to it, the rest dropped (inet.h) */
    assert_int_equal(esock_inet_sendto(u, &us, "datagram", 8), 0);
    assert_int_equal(esock_inet_recvfrom(u, b, 3, &got, NULL, NULL, NULL, 1000), 0);
    assert_int_equal(got, 3);
    assert_memory_equal(b, "dat", 3);
    assert_int_equal(esock_inet_recvfrom(u, b, sizeof b, &got, NULL, NULL, NULL, 50), ESOCK_ETIMEOUT);
    esock_inet_close(u);
    esock_inet_close(a);
    esock_inet_close(l);
    expect_none(mb, 20);
    tm_free(mb);
    close(c);
    close(fd);
}

/* A mailbox that is gone is refused wherever a call takes one (as the
 * socket module's set_owner refuses it), and nothing is left behind. */
static void stale_owner_refused(void **st)
{
    (void)st;
    esock_mbox_t gone = tm_new();
    tm_free(gone);
    esock_mbox_t never = {0x7ffffff0u};
    uint16_t port;
    esock_inet_t l = inet_listener(NULL, 0, ESOCK_INET_NO_OWNER, &port);
    esock_sockaddr_t sa = lo4(port);
    size_t before = esock_inet_count();
    esock_inet_t out;
    const esock_mbox_t bad[] = {gone, never};
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(esock_inet_connect(&out, &sa, NULL, 0, bad[i], 1000), ESOCK_EINVAL_HANDLE);
        esock_sockaddr_t any = lo4(0);
        assert_int_equal(esock_inet_listen(&out, &any, 5, NULL, 0, bad[i]), ESOCK_EINVAL_HANDLE);
        assert_int_equal(esock_inet_udp_open(&out, &any, NULL, 0, bad[i]), ESOCK_EINVAL_HANDLE);
        assert_int_equal(esock_inet_accept(l, &out, bad[i], 0), ESOCK_EINVAL_HANDLE);
        assert_int_equal(esock_inet_controlling_process(l, bad[i]), ESOCK_EINVAL_HANDLE);
        uint64_t ref;
        assert_int_equal(esock_inet_monitor(l, bad[i], &ref), ESOCK_EINVAL_HANDLE);
    }
    assert_int_equal(esock_inet_count(), before);
    esock_inet_info_t info;
    assert_int_equal(esock_inet_info(l, &info), 0);
    assert_int_equal(info.monitors, 0);
    /* "no owner" stays valid */
    assert_int_equal(esock_inet_controlling_process(l, ESOCK_INET_NO_OWNER), 0);
    esock_inet_close(l);
}

static void info_and_listing(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), mb, &l, &a);
    wr(fd, "hello", 5);
    char b[8];
    size_t got;
    /* len 5: all of it, also when the fault-injected run cuts the read */
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 5, &got, 1000), 0);
    assert_int_equal(esock_inet_send(a, "hi", 2), 0);
    esock_inet_info_t info;
    assert_int_equal(esock_inet_info(a, &info), 0);
    assert_int_equal(info.proto, ESOCK_INET_TCP);
    assert_int_equal(info.owner.id, mb.id);
    assert_true(info.states & ESOCK_INET_ST_CONNECTED);
    assert_int_equal(info.counters[ESOCK_STAT_RECV_OCT], 5);
    assert_int_equal(info.counters[ESOCK_STAT_SEND_OCT], 2);
    esock_inet_t u;
    assert_int_equal(esock_inet_udp_open(&u, NULL, o, 1, ESOCK_INET_NO_OWNER), 0);
    int rows;
    char *txt = i_listing(ESOCK_INET_I_ALL, NULL, 0, true, &rows);
    assert_int_equal(rows, 3);
    assert_non_null(strstr(txt, "Port "));
    assert_non_null(strstr(txt, "Local Address "));
    assert_non_null(strstr(txt, "Foreign Address "));
    assert_non_null(strstr(txt, "CONNECTED(O)"));
    assert_non_null(strstr(txt, "LN:O"));
    assert_non_null(strstr(txt, "IDLE"));
    assert_non_null(strstr(txt, "inet_tcp "));
    assert_non_null(strstr(txt, "inet_udp "));
    assert_non_null(strstr(txt, "DGRAM"));
    assert_non_null(strstr(txt, " 5 ")); /* Recv of the accepted socket */
    free(txt);
    /* i(tcp, [port, state]) */
    esock_inet_icol_t cols[] = {ESOCK_ICOL_PORT, ESOCK_ICOL_STATE};
    txt = i_listing(ESOCK_INET_I_TCP, cols, 2, false, &rows);
    assert_int_equal(rows, 2);
    assert_true(strncmp(txt, "Port ", 5) == 0);
    assert_non_null(strstr(txt, " State"));
    assert_null(strstr(txt, "Type"));
    free(txt);
    close(fd);
    esock_inet_close(u);
    esock_inet_close(a);
    esock_inet_close(l);
    tm_free(mb);
}

/* A protocol with no sockets prints nothing, not even its header (OTP 25:
 * inet:i() with one UDP socket prints the udp table alone). */
static void i_prints_no_empty_table(void **st)
{
    (void)st;
    int rows;
    char *txt = i_listing(ESOCK_INET_I_ALL, NULL, 0, true, &rows);
    assert_int_equal(rows, 0);
    assert_string_equal(txt, "");
    free(txt);
    esock_inet_t u;
    assert_int_equal(esock_inet_udp_open(&u, NULL, NULL, 0, ESOCK_INET_NO_OWNER), 0);
    txt = i_listing(ESOCK_INET_I_ALL, NULL, 0, true, &rows);
    assert_int_equal(rows, 1);
    const char *second = strstr(txt, "Port ");
    assert_true(second == txt);               /* one table: the udp one */
    assert_null(strstr(second + 1, "Port ")); /* no tcp header before or after */
    assert_non_null(strstr(txt, "inet_udp "));
    free(txt);
    esock_inet_close(u);
}

/* inet:i/2 takes any list of fields, the same one again too (OTP 25:
 * inet:i(udp, [port, port, state, port, ...]) prints a column per
 * entry). More entries than there are columns overflowed the width
 * array, which had one slot per column kind. */
static void i_repeated_columns(void **st)
{
    (void)st;
    esock_inet_t u;
    assert_int_equal(esock_inet_udp_open(&u, NULL, NULL, 0, ESOCK_INET_NO_OWNER), 0);
    esock_inet_icol_t cols[64];
    for (size_t i = 0; i < NOPTS(cols); i++)
        cols[i] = i % 2 ? ESOCK_ICOL_STATE : ESOCK_ICOL_TYPE;
    int rows;
    char *txt = i_listing(ESOCK_INET_I_UDP, cols, NOPTS(cols), true, &rows);
    assert_int_equal(rows, 1);
    /* the header and the row: each cell padded to its column's widest */
    char want[2 * 64 * 6 + 3], *w = want;
    for (size_t i = 0; i < NOPTS(cols); i++)
        w += sprintf(w, i % 2 ? "State " : "Type  ");
    w += sprintf(w, "\n");
    for (size_t i = 0; i < NOPTS(cols); i++)
        w += sprintf(w, i % 2 ? "IDLE  " : "DGRAM ");
    sprintf(w, "\n");
    assert_string_equal(txt, want);
    free(txt);
    esock_inet_close(u);
}

/* A protocol filter that names none is refused, as a bad column is (OTP
 * 25: inet:i(foo) fails with function_clause), not taken as "no sockets". */
static void i_bad_arguments(void **st)
{
    (void)st;
    esock_inet_t u;
    assert_int_equal(esock_inet_udp_open(&u, NULL, NULL, 0, ESOCK_INET_NO_OWNER), 0);
    char *txt = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&txt, &len);
    assert_int_equal(esock_inet_i(f, 3, NULL, 0, true), -EINVAL);
    assert_int_equal(esock_inet_i(f, -1, NULL, 0, true), -EINVAL);
    const esock_inet_icol_t bad[] = {ESOCK_ICOL_PORT, ESOCK_ICOL_COUNT_};
    assert_int_equal(esock_inet_i(f, ESOCK_INET_I_ALL, bad, NOPTS(bad), true), -EINVAL);
    assert_int_equal(esock_inet_i(NULL, ESOCK_INET_I_ALL, NULL, 0, true), -EINVAL);
    fclose(f);
    assert_int_equal(len, 0); /* nothing printed */
    free(txt);
    esock_inet_close(u);
}

/* The line of an i() listing that contains @p needle (a copy), or NULL. */
static char *listing_line(const char *needle)
{
    char *txt = i_listing(ESOCK_INET_I_TCP, NULL, 0, true, NULL), *line = NULL;
    const char *at = strstr(txt, needle);
    if (at) {
        const char *b = at, *e = strchr(at, '\n');
        while (b > txt && b[-1] != '\n')
            b--;
        line = strndup(b, e ? (size_t)(e - b) : strlen(b));
    }
    free(txt);
    return line;
}

static void assert_listed(const char *addr, const char *state)
{
    char *line = listing_line(addr);
    if (!line || !strstr(line, state))
        print_error("want %s with %s in: %s\n", addr, state, line ? line : "(none)");
    assert_non_null(line);
    assert_non_null(strstr(line, state));
    free(line);
}

static esock_inet_t listener_at(const esock_ip_t *ip, uint16_t *port)
{
    esock_sockaddr_t at;
    esock_sockaddr_ip(&at, ip, 0);
    esock_inet_t l;
    assert_int_equal(esock_inet_listen(&l, &at, 4, NULL, 0, ESOCK_INET_NO_OWNER), 0);
    assert_int_equal(esock_inet_port(l, port), 0);
    return l;
}

struct acceptor {
    esock_inet_t l, c;
    int rc;
    pthread_t th;
};

static void *acceptor_main(void *p)
{
    struct acceptor *a = p;
    a->rc = esock_inet_accept(a->l, &a->c, ESOCK_INET_NO_OWNER, 5000);
    return NULL;
}

/* i()'s address and state cells for what OTP 25.2.3's inet:i() showed
 * on this machine: 127.0.0.2:P and 127.1.2.3:P as they are (only
 * 127.0.0.1 and ::1 are "localhost"), *:P for the IPv6 any address,
 * ACCEPTING for a listener with a waiting acceptor, BY:CD:O for a busy
 * connected socket. */
static void listing_states_and_addresses(void **st)
{
    (void)st;
    char want[64];
    uint16_t p2, p3, p6, pany;
    const esock_ip_t ip2 = {.family = ESOCK_IP4, .u.v4 = {127, 0, 0, 2}};
    const esock_ip_t ip3 = {.family = ESOCK_IP4, .u.v4 = {127, 1, 2, 3}};
    const esock_ip_t ip6 = {.family = ESOCK_IP6, .u.v6 = {0, 0, 0, 0, 0, 0, 0, 1}};
    const esock_ip_t any6 = {.family = ESOCK_IP6};
    struct acceptor acc = {.l = listener_at(&ip2, &p2)};
    esock_inet_t l3 = listener_at(&ip3, &p3), l6 = listener_at(&ip6, &p6), lany = listener_at(&any6, &pany);
    assert_int_equal(pthread_create(&acc.th, NULL, acceptor_main, &acc), 0);
    esock_inet_info_t info = {0};
    for (int i = 0; i < 2000 && !(info.states & ESOCK_INET_ST_ACCEPTING); i++) {
        assert_int_equal(esock_inet_info(acc.l, &info), 0);
        msleep(1);
    }
    assert_true(info.states & ESOCK_INET_ST_ACCEPTING);
    snprintf(want, sizeof want, "127.0.0.2:%u ", p2);
    assert_listed(want, " ACCEPTING ");
    snprintf(want, sizeof want, "127.1.2.3:%u ", p3);
    assert_listed(want, " LN:O ");
    snprintf(want, sizeof want, "localhost:%u ", p6);
    assert_listed(want, " LN:O ");
    snprintf(want, sizeof want, "*:%u ", pany);
    assert_listed(want, " LN:O ");
    /* the acceptor gets its connection; the listener is listening again */
    esock_sockaddr_t to;
    esock_sockaddr_ip(&to, &ip2, p2);
    esock_inet_t c;
    assert_int_equal(esock_inet_connect(&c, &to, NULL, 0, ESOCK_INET_NO_OWNER, 1000), 0);
    pthread_join(acc.th, NULL);
    assert_int_equal(acc.rc, 0);
    snprintf(want, sizeof want, "127.0.0.2:%u ", p2);
    assert_listed(want, " LN:O ");
    esock_inet_close(acc.c);
    esock_inet_close(c);
    esock_inet_close(acc.l);
    esock_inet_close(l3);
    esock_inet_close(l6);
    esock_inet_close(lany);
    /* busy: the queue passed high_watermark */
    const esock_inet_opt_t wm[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(HIGH_WATERMARK, 1024),
                                   OPTI(LOW_WATERMARK, 512)};
    esock_inet_t l, a;
    int fd = inet_stalled_pair(wm, NOPTS(wm), ESOCK_INET_NO_OWNER, &l, &a);
    static char chunk[16384];
    int rc = 0;
    for (int k = 0; k < 1000 && rc == 0; k++)
        rc = esock_inet_send_ex(a, chunk, sizeof chunk, ESOCK_NOWAIT);
    assert_int_equal(rc, ESOCK_SELECT);
    assert_int_equal(esock_inet_info(a, &info), 0);
    assert_true(info.states & ESOCK_INET_ST_BUSY);
    struct sockaddr_in peer; /* a's foreign address: the raw peer's */
    socklen_t pl = sizeof peer;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&peer, &pl), 0);
    snprintf(want, sizeof want, " localhost:%u ", ntohs(peer.sin_port));
    assert_listed(want, " BY:CD:O ");
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
}

const struct CMUnitTest inet_tests_misc[] = {
    cmocka_unit_test_teardown(udp_passive_and_active, inet_teardown),
    cmocka_unit_test_teardown(udp_broadcast_option, inet_teardown),
    cmocka_unit_test_teardown(udp6_tclass, inet_teardown),
    cmocka_unit_test_teardown(udp6_ipv4_options, inet_teardown),
    cmocka_unit_test_teardown(monitors, inet_teardown),
    cmocka_unit_test_teardown(stale_handles, inet_teardown),
    cmocka_unit_test_teardown(null_pointers_rejected, inet_teardown),
    cmocka_unit_test_teardown(stale_owner_refused, inet_teardown),
    cmocka_unit_test_teardown(info_and_listing, inet_teardown),
    cmocka_unit_test_teardown(i_prints_no_empty_table, inet_teardown),
    cmocka_unit_test_teardown(i_repeated_columns, inet_teardown),
    cmocka_unit_test_teardown(i_bad_arguments, inet_teardown),
    cmocka_unit_test_teardown(listing_states_and_addresses, inet_teardown),
};
const size_t inet_ntests_misc = NOPTS(inet_tests_misc);
