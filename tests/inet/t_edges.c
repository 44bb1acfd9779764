/* Edges found in review: each test is a case that once went wrong (the
 * commit that fixed it says how). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "helpers.h"

struct blocked_recv {
    esock_inet_t s;
    char buf[16];
    size_t got;
    int rc;
};

static void *recv_thread(void *p)
{
    struct blocked_recv *r = p;
    r->rc = esock_inet_recv(r->s, r->buf, sizeof r->buf, 0, &r->got, 3000);
    return NULL;
}

/* {active, true} set while a passive recv waits: the recv gets the next
 * bytes, and what comes after goes to the owner (OTP 25: both arrive). */
static void made_active_while_recv_waits(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
    esock_inet_t l;
    struct blocked_recv r = {.rc = 1};
    int fd = inet_peer_pair(o, NOPTS(o), mb, &l, &r.s);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, recv_thread, &r), 0);
    assert_true(inet_wait_sleeper(r.s, true, 2000));
    esock_inet_opt_t act = OPT(ACTIVE, ESOCK_INET_ACTIVE_TRUE);
    assert_int_equal(esock_inet_setopts(r.s, &act, 1), 0);
    wr(fd, "x", 1);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.got, 1);
    assert_int_equal(r.buf[0], 'x');
    wr(fd, "y", 1);
    esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_DATA);
    assert_int_equal(m->len, 1);
    assert_int_equal(m->data[0], 'y');
    esock_inet_msg_free(m);
    close(fd);
    esock_inet_close(r.s);
    esock_inet_close(l);
    tm_free(mb);
}

/* An http start line too big for the caller's buffer stays unread, and
 * the switch to header mode waits until it is read. */
static void http_start_line_left_by_enobufs(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(PACKET, ESOCK_INET_PACKET_HTTP_BIN)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), mb, &l, &a);
    const char *req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    wr(fd, req, strlen(req));
    char b[4];
    size_t got;
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 2000), -ENOBUFS);
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 2000), -ENOBUFS); /* again: the same line */
    esock_inet_opt_t act = OPT(ACTIVE, ESOCK_INET_ACTIVE_TRUE);
    assert_int_equal(esock_inet_setopts(a, &act, 1), 0);
    static const struct { int ptype; const char *text; } want[] = {
        {ESOCK_INET_PACKET_HTTP_BIN, "GET / HTTP/1.1\r\n"},
        {ESOCK_INET_PACKET_HTTPH_BIN, "Host: x\r\n"},
        {ESOCK_INET_PACKET_HTTPH_BIN, "\r\n"},
    };
    for (size_t i = 0; i < NOPTS(want); i++) {
        esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_DATA);
        assert_int_equal(m->ptype, want[i].ptype);
        assert_int_equal(m->len, strlen(want[i].text));
        assert_memory_equal(m->data, want[i].text, m->len);
        esock_inet_msg_free(m);
    }
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
    tm_free(mb);
}

/* recv(NULL, 0) is allowed, and an empty packet fits it. */
static void empty_packet_into_no_buffer(void **st)
{
    (void)st;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(PACKET, ESOCK_INET_PACKET_4)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), ESOCK_INET_NO_OWNER, &l, &a);
    wr(fd, "\0\0\0\0\0\0\0\1z", 9);
    size_t got = 99;
    assert_int_equal(esock_inet_recv(a, NULL, 0, 0, &got, 2000), 0);
    assert_int_equal(got, 0);
    assert_int_equal(esock_inet_recv(a, NULL, 0, 0, &got, 2000), -ENOBUFS); /* "z" does not fit */
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
}

/* A datagram from a local socket that has no name: the sender is unspec
 * with no bytes, passive and active (OTP 25: {unspec, <<>>}). */
static void local_datagram_from_unnamed_sender(void **st)
{
    (void)st;
    char name[64];
    int n = snprintf(name, sizeof name, "%cesock-edges-%d", 0, (int)getpid());
    esock_sockaddr_t sa;
    assert_int_equal(esock_sockaddr_local(&sa, name, (size_t)n), 0);
    esock_inet_t u;
    assert_int_equal(esock_inet_udp_open(&u, &sa, NULL, 0, ESOCK_INET_NO_OWNER), 0);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    memcpy(un.sun_path, name, (size_t)n);
    socklen_t ul = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)n);
    assert_int_equal(sendto(fd, "hello", 5, 0, (struct sockaddr *)&un, ul), 5);
    esock_sockaddr_t from;
    memset(&from, 0xab, sizeof from);
    char b[16];
    size_t got;
    assert_int_equal(esock_inet_recvfrom(u, b, sizeof b, &got, &from, NULL, NULL, 2000), 0);
    assert_int_equal(got, 5);
    assert_int_equal(from.family, ESOCK_FAMILY_UNSPEC);
    assert_int_equal(from.u.raw.len, 0);
    esock_mbox_t mb = tm_new();
    activate_once(u, mb);
    assert_int_equal(sendto(fd, "again", 5, 0, (struct sockaddr *)&un, ul), 5);
    esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_DATA);
    assert_int_equal(m->from.family, ESOCK_FAMILY_UNSPEC);
    assert_int_equal(m->from.u.raw.len, 0);
    esock_inet_msg_free(m);
    close(fd);
    esock_inet_close(u);
    tm_free(mb);
}

/* A timeout near INT64_MAX is no deadline (not a wrapped sum: UBSan). */
static void huge_timeouts(void **st)
{
    (void)st;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(SEND_TIMEOUT, INT64_MAX)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), ESOCK_INET_NO_OWNER, &l, &a);
    wr(fd, "q", 1);
    char b[4];
    size_t got;
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, INT64_MAX), 0);
    assert_int_equal(esock_inet_send_ex(a, "r", 1, INT64_MAX - 1), 0);
    rd(fd, b, 1);
    assert_int_equal(b[0], 'r');
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
}

/* recv_dvi is the absolute value of the running deviation: a 12-byte then
 * a 4-byte packet (with their {packet,2} headers) give recv_avg 8 and
 * recv_dvi 2, as OTP 25 reports. */
static void recv_dvi_is_absolute(void **st)
{
    (void)st;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(PACKET, ESOCK_INET_PACKET_2)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), ESOCK_INET_NO_OWNER, &l, &a);
    wr(fd, "\0\12aaaaaaaaaa\0\2bb", 16);
    char b[16];
    size_t got;
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 2000), 0);
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 2000), 0);
    uint64_t v[ESOCK_STAT_COUNT_];
    assert_int_equal(esock_inet_getstat(a, NULL, 0, v), 0);
    assert_int_equal(v[ESOCK_STAT_RECV_OCT], 16);
    assert_int_equal(v[ESOCK_STAT_RECV_MAX], 12);
    assert_int_equal(v[ESOCK_STAT_RECV_AVG], 8);
    assert_int_equal(v[ESOCK_STAT_RECV_DVI], 2);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
}

/* A monitor needs a mailbox to post to; the DOWN of a gone or stale socket
 * names it (OTP: {'DOWN', Ref, port, Port, noproc}). */
static void monitor_edges(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    esock_inet_t l, a;
    int fd = inet_peer_pair(NULL, 0, ESOCK_INET_NO_OWNER, &l, &a);
    uint64_t ref = 0;
    assert_int_equal(esock_inet_monitor(a, ESOCK_INET_NO_OWNER, &ref), ESOCK_EINVAL_HANDLE);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
    assert_int_equal(esock_inet_monitor(a, mb, &ref), 0); /* stale */
    esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_DOWN);
    assert_int_equal(m->mref, ref);
    assert_int_equal(m->error, -ENOENT);
    assert_int_equal(m->sock.id, a.id);
    esock_inet_msg_free(m);
    tm_free(mb);
}

static void setopt1(esock_inet_t s, esock_inet_optname_t n, int64_t v)
{
    esock_inet_opt_t o = esock_inet_opt_int(n, v);
    assert_int_equal(esock_inet_setopts(s, &o, 1), 0);
}

/* buffer as OTP 25 keeps it: 1460 for TCP and 8192 for UDP to start with;
 * recbuf raises it (UDP: to 65536 at most) until buffer is given on that
 * socket; an accepted socket takes the listener's buffer but may be
 * raised again. */
static void buffer_and_recbuf(void **st)
{
    (void)st;
    esock_sockaddr_t any;
    esock_ip_t lo = {.family = ESOCK_IP4, .u.v4 = {127, 0, 0, 1}};
    esock_sockaddr_ip(&any, &lo, 0);
    esock_inet_t u, v;
    assert_int_equal(esock_inet_udp_open(&u, &any, NULL, 0, ESOCK_INET_NO_OWNER), 0);
    assert_int_equal(get1(u, ESOCK_IOPT_BUFFER), 8192);
    setopt1(u, ESOCK_IOPT_RECBUF, 300000);
    assert_int_equal(get1(u, ESOCK_IOPT_BUFFER), 65536);
    const esock_inet_opt_t b100[] = {OPTI(BUFFER, 100)};
    assert_int_equal(esock_inet_udp_open(&v, &any, b100, 1, ESOCK_INET_NO_OWNER), 0);
    setopt1(v, ESOCK_IOPT_RECBUF, 50000);
    assert_int_equal(get1(v, ESOCK_IOPT_BUFFER), 100);
    esock_inet_close(u);
    esock_inet_close(v);

    const esock_inet_opt_t lo_opts[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(BUFFER, 3000)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(lo_opts, NOPTS(lo_opts), ESOCK_INET_NO_OWNER, &l, &a);
    setopt1(l, ESOCK_IOPT_RECBUF, 40000);
    assert_int_equal(get1(l, ESOCK_IOPT_BUFFER), 3000);
    assert_int_equal(get1(a, ESOCK_IOPT_BUFFER), 3000); /* inherited */
    setopt1(a, ESOCK_IOPT_RECBUF, 40000);
    assert_int_equal(get1(a, ESOCK_IOPT_BUFFER), 40000); /* the flag is not */
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
}

/* setopts [{active, true}, {packet, raw}] on a line socket with lines
 * buffered: they are delivered once the whole list is applied, raw (OTP 25
 * delivers "b\nc\n" in one message). */
static void setopts_list_applies_before_delivery(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(PACKET, ESOCK_INET_PACKET_LINE)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), mb, &l, &a);
    wr(fd, "a\nb\nc\n", 6);
    char b[8];
    size_t got;
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 2000), 0);
    assert_int_equal(got, 2);
    const esock_inet_opt_t both[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_TRUE), OPTI(PACKET, ESOCK_INET_PACKET_RAW)};
    assert_int_equal(esock_inet_setopts(a, both, NOPTS(both)), 0);
    esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_DATA);
    assert_int_equal(m->ptype, ESOCK_INET_PACKET_RAW);
    assert_int_equal(m->len, 4);
    assert_memory_equal(m->data, "b\nc\n", 4);
    esock_inet_msg_free(m);
    expect_none(mb, 50);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
    tm_free(mb);
}

/* linger {true, 1} with a peer that does not read: close writes what it
 * can for at most a second in all, not a second and then another in
 * close(2) (OTP 25: 1001 ms). */
static void linger_bounds_the_whole_close(void **st)
{
    (void)st;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
    esock_inet_t l, a;
    int fd = inet_stalled_pair(o, NOPTS(o), ESOCK_INET_NO_OWNER, &l, &a);
    esock_inet_opt_t lg = {.name = ESOCK_IOPT_LINGER};
    lg.v.linger.on = true;
    lg.v.linger.secs = 1;
    assert_int_equal(esock_inet_setopts(a, &lg, 1), 0);
    static char big[1 << 20];
    assert_int_equal(esock_inet_send(a, big, sizeof big), 0);
    int64_t t0 = now_ms();
    assert_int_equal(esock_inet_close(a), 0);
    int64_t took = now_ms() - t0;
    assert_true(took >= 900);
    assert_true(took < 1700);
    close(fd);
    esock_inet_close(l);
}

/* controlling_process moves the socket's messages already queued for the
 * old owner to the new one, in order (OTP 25: the new owner gets the
 * {tcp, S, Data} that was waiting). */
static void controlling_process_moves_queued_messages(void **st)
{
    (void)st;
    esock_mbox_t mb1 = tm_new(), mb2 = tm_new();
    esock_inet_t l, a;
    int fd = inet_peer_pair(NULL, 0, mb1, &l, &a);
    wr(fd, "hello", 5);
    /* run mb1's loop without taking the DATA: match a kind never posted */
    esock_msg_t none = {.kind = ESOCK_MSG_USER, .tag = 0x5eed}, got;
    int64_t end = now_ms() + 2000;
    while (esock_mbox_len(mb1) < 1 && now_ms() < end)
        assert_int_equal(esock_mbox_recv_match(mb1, &none, &got, 10), ESOCK_ETIMEOUT);
    assert_int_equal(esock_mbox_len(mb1), 1);
    assert_int_equal(esock_inet_controlling_process(a, mb2), 0);
    assert_int_equal(esock_mbox_len(mb1), 0);
    esock_inet_msg_t *m = expect_msg(mb2, ESOCK_INET_MSG_DATA);
    assert_int_equal(m->len, 5);
    assert_memory_equal(m->data, "hello", 5);
    esock_inet_msg_free(m);
    close(fd);
    esock_inet_msg_free(expect_msg(mb2, ESOCK_INET_MSG_CLOSED));
    expect_none(mb1, 20);
    esock_inet_close(a);
    esock_inet_close(l);
    tm_free(mb1);
    tm_free(mb2);
}

static void *close_thread(void *p)
{
    esock_inet_close(*(esock_inet_t *)p);
    return NULL;
}

/* cancel_monitor while close is still writing the queue: the monitor is
 * cancelled (1) and no DOWN comes (OTP: demonitor on a closing port). */
static void cancel_monitor_during_close(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(SEND_TIMEOUT, 1000)};
    esock_inet_t l, a;
    int fd = inet_stalled_pair(o, NOPTS(o), ESOCK_INET_NO_OWNER, &l, &a);
    static char big[1 << 20];
    assert_int_equal(esock_inet_send(a, big, sizeof big), 0); /* queued: the peer does not read */
    uint64_t ref = 0;
    assert_int_equal(esock_inet_monitor(a, mb, &ref), 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, close_thread, &a), 0);
    esock_inet_info_t info;
    int64_t end = now_ms() + 2000;
    while (esock_inet_info(a, &info) == 0 && now_ms() < end) {
    }
    assert_int_equal(esock_inet_info(a, &info), ESOCK_ECLOSED); /* close has begun, and waits */
    assert_int_equal(esock_inet_cancel_monitor(ref), 1);
    assert_int_equal(pthread_join(t, NULL), 0);
    expect_none(mb, 50);
    assert_int_equal(esock_inet_cancel_monitor(ref), 0);
    close(fd);
    esock_inet_close(l);
    tm_free(mb);
}

/* A READY owed to a nowait sender goes to the owner the socket has when
 * it comes, not the one it had when the send was refused. */
static void ready_follows_controlling_process(void **st)
{
    (void)st;
    esock_mbox_t mb1 = tm_new(), mb2 = tm_new();
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
    esock_inet_t l, a;
    int fd = inet_stalled_local_pair(o, NOPTS(o), mb1, &l, &a);
    fill_until_busy(a);
    assert_int_equal(esock_inet_controlling_process(a, mb2), 0);
    stalled_peer_t peer = {.fd = fd};
    drain_until_ready(&peer, a, mb2);
    expect_none(mb1, 20);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
    tm_free(mb1);
    tm_free(mb2);
}

/* recv(len) above 64 MiB: -ENOMEM at once; 64 MiB itself waits (OTP 25:
 * {error, enomem}, then {error, timeout}). */
static void recv_len_limit(void **st)
{
    (void)st;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), ESOCK_INET_NO_OWNER, &l, &a);
    char b[4];
    size_t got;
    assert_int_equal(esock_inet_recv(a, b, sizeof b, ((size_t)1 << 26) + 1, &got, 100), -ENOMEM);
    assert_int_equal(esock_inet_recv(a, b, sizeof b, (size_t)1 << 26, &got, 50), ESOCK_ETIMEOUT);
    wr(fd, "abc", 3);
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 3, &got, 2000), 0); /* (len 3: whole under short reads) */
    assert_int_equal(got, 3);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
}

/* A write that fails drops the queue, as the driver clears its output
 * queue: send_pend goes to 0 at once, not at close. */
static void write_error_drops_the_queue(void **st)
{
    (void)st;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
    esock_inet_t l, a;
    int fd = inet_stalled_pair(o, NOPTS(o), ESOCK_INET_NO_OWNER, &l, &a);
    static char big[1 << 20];
    assert_int_equal(esock_inet_send(a, big, sizeof big), 0); /* mostly queued */
    esock_inet_stat_t k = ESOCK_STAT_SEND_PEND;
    uint64_t pend = 0;
    assert_int_equal(esock_inet_getstat(a, &k, 1, &pend), 0);
    assert_true(pend > 0);
    struct linger lg = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd); /* RST */
    msleep(30);
    assert_int_equal(esock_inet_flush(a), ESOCK_ECLOSED);
    assert_int_equal(esock_inet_getstat(a, &k, 1, &pend), 0);
    assert_int_equal(pend, 0);
    assert_int_equal(get1(a, ESOCK_IOPT_ACTIVE), ESOCK_INET_ACTIVE_FALSE); /* the port lives */
    esock_inet_close(a);
    esock_inet_close(l);
}

/* getopts with an unknown name anywhere: ESOCK_EINVAL_OPTION, and the
 * entries before it are as the caller gave them. */
static void getopts_unknown_name_leaves_the_array(void **st)
{
    (void)st;
    esock_inet_t l, a;
    int fd = inet_peer_pair(NULL, 0, ESOCK_INET_NO_OWNER, &l, &a);
    esock_inet_opt_t g[3] = {{.name = ESOCK_IOPT_PACKET}, {.name = ESOCK_IOPT_NODELAY},
                             {.name = ESOCK_IOPT_COUNT_}};
    g[0].v.i = -7;
    g[1].v.i = -8;
    esock_inet_opt_t before[3];
    memcpy(before, g, sizeof g);
    size_t nout = 99;
    assert_int_equal(esock_inet_getopts(a, g, 3, &nout), ESOCK_EINVAL_OPTION);
    assert_int_equal(nout, 0);
    assert_memory_equal(g, before, sizeof g);
    assert_int_equal(esock_inet_getopts(a, g, 2, &nout), 0); /* the same two alone */
    assert_int_equal(nout, 2);
    assert_int_equal(g[0].v.i, ESOCK_INET_PACKET_RAW);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
}

/* An event loop polling esock_mbox_fd (mbox.h): three packets of one
 * read are queued by the receive's own readiness callback, which writes no
 * wake-up; after a recv that takes one, the fd still polls readable. */
static void mbox_fd_readable_while_packets_queued(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t o[] = {OPTI(PACKET, ESOCK_INET_PACKET_4), OPTI(ACTIVE, ESOCK_INET_ACTIVE_TRUE)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), mb, &l, &a);
    const uint8_t wire[] = {0, 0, 0, 1, 'a', 0, 0, 0, 1, 'b', 0, 0, 0, 1, 'c'};
    wr(fd, wire, sizeof wire);
    struct pollfd p = {.fd = esock_mbox_fd(mb), .events = POLLIN};
    int delivered = 0;
    for (int round = 0; round < 20 && delivered < 3; round++) {
        assert_int_equal(poll(&p, 1, 2000), 1);
        esock_msg_t m;
        if (esock_mbox_recv(mb, &m, 0) != 0)
            continue; /* the bytes were not all read yet */
        esock_inet_msg_t *im = esock_inet_msg(&m);
        assert_non_null(im);
        assert_int_equal(im->kind, ESOCK_INET_MSG_DATA);
        assert_int_equal(im->data[0], 'a' + delivered);
        delivered++;
        esock_msg_free(&m);
    }
    assert_int_equal(delivered, 3);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
    tm_free(mb);
}

/* delay_send output of a thread that once waited on the owner's mailbox,
 * after another thread became that mailbox's loop: the loop writes it
 * (docs/inet.md), rather than it waiting for this thread's next wait. */
struct mbox_loop {
    esock_mbox_t mb;
    atomic_bool stop;
};

static void *mbox_loop(void *p)
{
    struct mbox_loop *lp = p;
    while (!atomic_load(&lp->stop)) {
        esock_msg_t m;
        if (esock_mbox_recv(lp->mb, &m, 20) == 0)
            esock_msg_free(&m);
    }
    return NULL;
}

static void delay_send_after_the_loop_moved(void **st)
{
    (void)st;
    struct mbox_loop lp = {.mb = tm_new()};
    const esock_inet_opt_t o[] = {OPTI(DELAY_SEND, 1), OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), lp.mb, &l, &a);
    esock_msg_t m;
    assert_int_equal(esock_mbox_recv(lp.mb, &m, 0), ESOCK_ETIMEOUT); /* this thread waited on it once */
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, mbox_loop, &lp), 0);
    msleep(100); /* the other thread is the mailbox's loop now */
    assert_int_equal(esock_inet_send(a, "hello", 5), 0);
    char b[8];
    rd(fd, b, 5); /* fails after 2 s without the bytes */
    assert_memory_equal(b, "hello", 5);
    atomic_store(&lp.stop, true);
    pthread_join(t, NULL);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
    tm_free(lp.mb);
}

const struct CMUnitTest inet_tests_edges[] = {
    cmocka_unit_test_teardown(made_active_while_recv_waits, inet_teardown),
    cmocka_unit_test_teardown(http_start_line_left_by_enobufs, inet_teardown),
    cmocka_unit_test_teardown(empty_packet_into_no_buffer, inet_teardown),
    cmocka_unit_test_teardown(local_datagram_from_unnamed_sender, inet_teardown),
    cmocka_unit_test_teardown(huge_timeouts, inet_teardown),
    cmocka_unit_test_teardown(recv_dvi_is_absolute, inet_teardown),
    cmocka_unit_test_teardown(monitor_edges, inet_teardown),
    cmocka_unit_test_teardown(buffer_and_recbuf, inet_teardown),
    cmocka_unit_test_teardown(setopts_list_applies_before_delivery, inet_teardown),
    cmocka_unit_test_teardown(linger_bounds_the_whole_close, inet_teardown),
    cmocka_unit_test_teardown(controlling_process_moves_queued_messages, inet_teardown),
    cmocka_unit_test_teardown(cancel_monitor_during_close, inet_teardown),
    cmocka_unit_test_teardown(ready_follows_controlling_process, inet_teardown),
    cmocka_unit_test_teardown(recv_len_limit, inet_teardown),
    cmocka_unit_test_teardown(write_error_drops_the_queue, inet_teardown),
    cmocka_unit_test_teardown(getopts_unknown_name_leaves_the_array, inet_teardown),
    cmocka_unit_test_teardown(mbox_fd_readable_while_packets_queued, inet_teardown),
    cmocka_unit_test_teardown(delay_send_after_the_loop_moved, inet_teardown),
};
const size_t inet_ntests_edges = NOPTS(inet_tests_edges);
