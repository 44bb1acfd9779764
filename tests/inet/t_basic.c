/* connect / listen / accept / passive recv / close semantics. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "inet/inet_int.h"

static const esock_inet_opt_t passive_bin[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(MODE, 1)};

static void connect_accept_names(void **st)
{
    (void)st;
    uint16_t port;
    esock_inet_t l = inet_listener(passive_bin, NOPTS(passive_bin), ESOCK_INET_NO_OWNER, &port), c, a;
    assert_true(port > 0);
    esock_sockaddr_t to = lo4(port);
    assert_int_equal(esock_inet_connect(&c, &to, passive_bin, NOPTS(passive_bin), ESOCK_INET_NO_OWNER, 2000), 0);
    assert_int_equal(esock_inet_accept(l, &a, ESOCK_INET_NO_OWNER, 2000), 0);
    esock_sockaddr_t s1, p1, s2, p2;
    assert_int_equal(esock_inet_sockname(c, &s1), 0);
    assert_int_equal(esock_inet_peername(c, &p1), 0);
    assert_int_equal(esock_inet_sockname(a, &s2), 0);
    assert_int_equal(esock_inet_peername(a, &p2), 0);
    assert_int_equal(p1.u.in.port, port);
    assert_int_equal(s2.u.in.port, port);
    assert_int_equal(p2.u.in.port, s1.u.in.port);
    esock_sockaddr_t v[2];
    size_t n = 2;
    assert_int_equal(esock_inet_peernames(a, v, &n), 0);
    assert_int_equal(n, 1);
    n = 2;
    assert_int_equal(esock_inet_socknames(a, v, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].u.in.port, port);
    /* the codes inet.h gives: no room, a listener has no peer, closed */
    n = 0;
    assert_int_equal(esock_inet_socknames(a, v, &n), -EINVAL);
    assert_int_equal(esock_inet_peernames(a, v, NULL), -EINVAL);
    assert_int_equal(esock_inet_peername(l, &p2), -ENOTCONN);
    n = 2;
    assert_int_equal(esock_inet_peernames(l, v, &n), -ENOTCONN);
    assert_int_equal(n, 0);
    assert_true(esock_inet_fd(c) >= 0);
    esock_inet_close(c);
    assert_int_equal(esock_inet_fd(c), ESOCK_ECLOSED);
    assert_int_equal(esock_inet_sockname(c, &s1), ESOCK_ECLOSED);
    assert_int_equal(esock_inet_flush(c), ESOCK_ECLOSED);
    esock_inet_close(a);
    esock_inet_close(l);
}

/* The lookups of inet.h on values that name nothing. */
static void names_of_nothing(void **st)
{
    (void)st;
    assert_null(esock_inet_optname((esock_inet_optname_t)0));
    assert_null(esock_inet_optname(ESOCK_IOPT_COUNT_));
    assert_string_equal(esock_inet_optname(ESOCK_IOPT_PACKET_SIZE), "packet_size");
    assert_int_equal(esock_inet_optcode(NULL), 0);
    assert_int_equal(esock_inet_optcode("no_such_option"), 0);
    assert_int_equal(esock_inet_optcode("packet_size"), ESOCK_IOPT_PACKET_SIZE);
    assert_null(esock_inet_statname(ESOCK_STAT_COUNT_));
    assert_string_equal(esock_inet_statname(ESOCK_STAT_RECV_OCT), "recv_oct");
    assert_int_equal(esock_inet_cancel_monitor(0), 0);
    assert_int_equal(esock_inet_cancel_monitor(UINT64_MAX), 0);
    assert_null(esock_inet_msg(NULL));
}

static void accept_timeout(void **st)
{
    (void)st;
    uint16_t port;
    esock_inet_t l = inet_listener(passive_bin, NOPTS(passive_bin), ESOCK_INET_NO_OWNER, &port), a;
    int64_t t0 = now_ms();
    assert_int_equal(esock_inet_accept(l, &a, ESOCK_INET_NO_OWNER, 200), ESOCK_ETIMEOUT);
    int64_t el = now_ms() - t0;
    assert_true(el >= 190 && el < 2000);
    assert_int_equal(esock_inet_accept(l, &a, ESOCK_INET_NO_OWNER, 0), ESOCK_ETIMEOUT);
    esock_inet_close(l);
}

static void connect_refused(void **st)
{
    (void)st;
    uint16_t port;
    esock_inet_t l = inet_listener(NULL, 0, ESOCK_INET_NO_OWNER, &port), c;
    esock_inet_close(l); /* the port is now closed */
    esock_sockaddr_t to = lo4(port);
    assert_int_equal(esock_inet_connect(&c, &to, NULL, 0, ESOCK_INET_NO_OWNER, 2000), -ECONNREFUSED);
}

static void connect_timeout(void **st)
{
    (void)st;
    /* A listener that never accepts, its backlog full: further SYNs are
     * dropped and connect waits, so the timeout must fire. */
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(lfd, 0), 0);
    assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &sl), 0);
    esock_sockaddr_t to = lo4(ntohs(sa.sin_port));
    esock_inet_t c[8];
    int n = 0, rc = 0;
    int64_t el = 0;
    while (n < 8) {
        int64_t t0 = now_ms();
        rc = esock_inet_connect(&c[n], &to, NULL, 0, ESOCK_INET_NO_OWNER, 300);
        el = now_ms() - t0;
        if (rc != 0)
            break;
        n++;
    }
    assert_int_equal(rc, ESOCK_ETIMEOUT);
    assert_true(el >= 290 && el < 3000);
    for (int i = 0; i < n; i++)
        esock_inet_close(c[i]);
    close(lfd);
}

static void passive_raw_recv(void **st)
{
    (void)st;
    esock_inet_t l, a;
    int fd = inet_peer_pair(passive_bin, NOPTS(passive_bin), ESOCK_INET_NO_OWNER, &l, &a);
    char b[64];
    size_t got;
    wr(fd, "hello", 5);
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 3, &got, 2000), 0);
    assert_int_equal(got, 3);
    assert_memory_equal(b, "hel", 3);
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 2000), 0);
    assert_int_equal(got, 2);
    assert_memory_equal(b, "lo", 2);
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 100), ESOCK_ETIMEOUT);
    /* recv(S,5,200) with "ab" there: timeout, and "ab" stays buffered */
    wr(fd, "ab", 2);
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 5, &got, 200), ESOCK_ETIMEOUT);
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 2, &got, 200), 0);
    assert_memory_equal(b, "ab", 2);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
}

/* recv(S, 10) after 3 bytes and the peer's close: closed, and the 3 bytes
 * come with it (OTP 25 drops them and counts nothing, erlang/otp#8716);
 * then enotconn (the port lives on without its fd: t_portend.c). */
static void peer_close_keeps_partial(void **st)
{
    (void)st;
    esock_inet_t l, a;
    int fd = inet_peer_pair(passive_bin, NOPTS(passive_bin), ESOCK_INET_NO_OWNER, &l, &a);
    char b[64];
    size_t got = 99;
    wr(fd, "xyz", 3);
    close(fd);
    msleep(20);
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 10, &got, 1000), ESOCK_ECLOSED);
    assert_int_equal(got, 3);
    assert_memory_equal(b, "xyz", 3);
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 100), -ENOTCONN);
    assert_int_equal(got, 0);
    assert_int_equal(esock_inet_send(a, "x", 1), ESOCK_ECLOSED);
    uint64_t v[10];
    assert_int_equal(esock_inet_getstat(a, NULL, 0, v), 0);
    assert_int_equal(v[ESOCK_STAT_RECV_OCT], 3);
    assert_int_equal(v[ESOCK_STAT_RECV_CNT], 1);
    assert_int_equal(esock_inet_close(a), 0);
    assert_int_equal(esock_inet_close(a), ESOCK_ECLOSED); /* stale handle */
    esock_inet_close(l);
    /* a framed packet cut short is no packet: dropped, got 0 */
    const esock_inet_opt_t p2[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(PACKET, ESOCK_INET_PACKET_2)};
    fd = inet_peer_pair(p2, NOPTS(p2), ESOCK_INET_NO_OWNER, &l, &a);
    wr(fd, "\0\x0a" "abc", 5);
    close(fd);
    msleep(20);
    got = 99;
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 1000), ESOCK_ECLOSED);
    assert_int_equal(got, 0);
    assert_int_equal(esock_inet_getstat(a, NULL, 0, v), 0);
    assert_int_equal(v[ESOCK_STAT_RECV_OCT], 0);
    esock_inet_close(a);
    esock_inet_close(l);
}

static void recv_rules(void **st)
{
    (void)st;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(PACKET, ESOCK_INET_PACKET_2)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), ESOCK_INET_NO_OWNER, &l, &a);
    char b[8];
    size_t got;
    /* recv(S, N>0) in a packet mode: einval (inet) */
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 3, &got, 100), -EINVAL);
    /* a buffer too small for the packet: it stays buffered */
    wr(fd, "\0\x0a" "0123456789", 12);
    assert_int_equal(esock_inet_recv(a, b, 4, 0, &got, 1000), -ENOBUFS);
    char big[16];
    assert_int_equal(esock_inet_recv(a, big, sizeof big, 0, &got, 1000), 0);
    assert_int_equal(got, 10);
    /* active sockets cannot recv */
    esock_inet_opt_t act = OPT(ACTIVE, ESOCK_INET_ACTIVE_TRUE);
    esock_mbox_t mb = tm_new();
    assert_int_equal(esock_inet_controlling_process(a, mb), 0);
    assert_int_equal(esock_inet_setopts(a, &act, 1), 0);
    assert_int_equal(esock_inet_recv(a, big, sizeof big, 0, &got, 10), -EINVAL);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
    tm_free(mb);
}

struct blocker {
    esock_inet_t s;
    int rc;
    bool accept;
};

static void *block_thread(void *p)
{
    struct blocker *b = p;
    char buf[8];
    size_t got;
    esock_inet_t x;
    b->rc = b->accept ? esock_inet_accept(b->s, &x, ESOCK_INET_NO_OWNER, 5000) : esock_inet_recv(b->s, buf, sizeof buf, 0, &got, 5000);
    return NULL;
}

static void close_wakes_blocked(void **st)
{
    (void)st;
    esock_inet_t l, a;
    int fd = inet_peer_pair(passive_bin, NOPTS(passive_bin), ESOCK_INET_NO_OWNER, &l, &a);
    struct blocker br = {.s = a}, ba = {.s = l, .accept = true};
    pthread_t t1, t2;
    pthread_create(&t1, NULL, block_thread, &br);
    pthread_create(&t2, NULL, block_thread, &ba);
    msleep(100);
    int64_t t0 = now_ms();
    esock_inet_close(a);
    esock_inet_close(l);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    assert_true(now_ms() - t0 < 2000);
    assert_int_equal(br.rc, ESOCK_ECLOSED);
    assert_int_equal(ba.rc, ESOCK_ECLOSED);
    close(fd);
}

struct acc_order {
    esock_inet_t l;
    int conn; /* which connection this acceptor got (its first byte), -1: none */
    int64_t timeout_ms; /* 0: 3000 */
    int rc;             /* what accept returned */
    int64_t t_start, t_end;
};

static void *acc_thread(void *p)
{
    struct acc_order *a = p;
    esock_inet_t c;
    a->conn = -1;
    a->t_start = now_ms();
    a->rc = esock_inet_accept(a->l, &c, ESOCK_INET_NO_OWNER, a->timeout_ms ? a->timeout_ms : 3000);
    a->t_end = now_ms();
    if (a->rc == 0) {
        unsigned char b;
        size_t got = 0;
        if (esock_inet_recv(c, &b, 1, 1, &got, 3000) == 0 && got == 1)
            a->conn = b;
        esock_inet_close(c);
    }
    return NULL;
}

/* Acceptors queued on the listener (accept's FIFO). */
static int acceptors_queued(esock_inet_t h)
{
    esock__isock_t *s = esock__inet_pin(h);
    assert_non_null(s);
    pthread_mutex_lock(&s->mu);
    int n = 0;
    for (esock__acceptor_t *a = s->acc_head; a; a = a->next)
        n++;
    pthread_mutex_unlock(&s->mu);
    esock__inet_unpin(s);
    return n;
}

/* Starts acceptor i and waits until it is queued (no event says so: poll
 * the queue, bounded). */
static void start_acceptor(pthread_t *t, struct acc_order *a, int queued_before)
{
    pthread_create(t, NULL, acc_thread, a);
    for (int k = 0; k < 2000 && acceptors_queued(a->l) < queued_before + 1; k++)
        msleep(1);
    assert_int_equal(acceptors_queued(a->l), queued_before + 1);
}

/* Acceptors are served in arrival order: the i-th to queue gets the i-th
 * connection. Each connection says which it is in its first byte, so the
 * check does not depend on how fast each thread runs after its accept. */
static void acceptors_in_arrival_order(void **st)
{
    (void)st;
    uint16_t port;
    esock_inet_t l = inet_listener(passive_bin, NOPTS(passive_bin), ESOCK_INET_NO_OWNER, &port);
    enum { K = 4 };
    pthread_t t[K];
    struct acc_order a[K];
    for (int i = 0; i < K; i++) {
        a[i] = (struct acc_order){.l = l, .conn = -2};
        start_acceptor(&t[i], &a[i], i); /* arrival order: one at a time */
    }
    esock_sockaddr_t to = lo4(port);
    esock_inet_t c[K];
    for (int i = 0; i < K; i++) {
        assert_int_equal(esock_inet_connect(&c[i], &to, NULL, 0, ESOCK_INET_NO_OWNER, 1000), 0);
        unsigned char id = (unsigned char)i;
        assert_int_equal(esock_inet_send(c[i], &id, 1), 0);
    }
    for (int i = 0; i < K; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < K; i++)
        assert_int_equal(a[i].conn, i);
    for (int i = 0; i < K; i++)
        esock_inet_close(c[i]);
    esock_inet_close(l);
}

/* Queued acceptors time out by their own deadlines, not in queue order
 * (gen_tcp_misc_SUITE accept_timeouts_in_order*), and leave the queue. */
static void acceptors_time_out_by_their_own_deadlines(void **st)
{
    (void)st;
    uint16_t port;
    esock_inet_t l = inet_listener(passive_bin, NOPTS(passive_bin), ESOCK_INET_NO_OWNER, &port);
    static const int64_t tmo[] = {600, 200, 400};
    enum { K = 3 };
    pthread_t t[K];
    struct acc_order a[K];
    for (int i = 0; i < K; i++) {
        a[i] = (struct acc_order){.l = l, .conn = -2, .timeout_ms = tmo[i]};
        start_acceptor(&t[i], &a[i], i);
    }
    for (int i = 0; i < K; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < K; i++) {
        assert_int_equal(a[i].rc, ESOCK_ETIMEOUT);
        int64_t took = a[i].t_end - a[i].t_start;
        if (took < tmo[i] || took > tmo[i] + 400)
            print_error("acceptor %d: timeout %lld ms, returned after %lld\n", i, (long long)tmo[i],
                        (long long)took);
        assert_true(took >= tmo[i] && took <= tmo[i] + 400);
    }
    assert_true(a[1].t_end <= a[2].t_end && a[2].t_end <= a[0].t_end);
    assert_int_equal(acceptors_queued(l), 0);
    esock_inet_close(l);
}

/* An acceptor that timed out is out of the queue: the next connection goes
 * to the oldest one still waiting (accept_timeouts_mixed, killing_acceptor). */
static void timed_out_acceptor_leaves_the_queue(void **st)
{
    (void)st;
    uint16_t port;
    esock_inet_t l = inet_listener(passive_bin, NOPTS(passive_bin), ESOCK_INET_NO_OWNER, &port);
    pthread_t t[2];
    struct acc_order a[2] = {{.l = l, .conn = -2, .timeout_ms = 150}, {.l = l, .conn = -2, .timeout_ms = 3000}};
    start_acceptor(&t[0], &a[0], 0);
    start_acceptor(&t[1], &a[1], 1);
    pthread_join(t[0], NULL);
    assert_int_equal(a[0].rc, ESOCK_ETIMEOUT);
    assert_int_equal(acceptors_queued(l), 1);
    esock_sockaddr_t to = lo4(port);
    esock_inet_t c;
    assert_int_equal(esock_inet_connect(&c, &to, NULL, 0, ESOCK_INET_NO_OWNER, 1000), 0);
    unsigned char id = 7;
    assert_int_equal(esock_inet_send(c, &id, 1), 0);
    pthread_join(t[1], NULL);
    assert_int_equal(a[1].rc, 0);
    assert_int_equal(a[1].conn, 7);
    assert_int_equal(acceptors_queued(l), 0);
    esock_inet_close(c);
    esock_inet_close(l);
}

/* shutdown of a listener: enotconn, and it still listens (Linux's
 * shutdown(SHUT_RD) would stop it); of a closed handle: closed
 * (gen_tcp_api_SUITE t_shutdown_error). */
static void shutdown_errors(void **st)
{
    (void)st;
    uint16_t port;
    esock_inet_t l = inet_listener(passive_bin, NOPTS(passive_bin), ESOCK_INET_NO_OWNER, &port);
    assert_int_equal(esock_inet_shutdown(l, SHUT_WR), -ENOTCONN);
    assert_int_equal(esock_inet_shutdown(l, SHUT_RDWR), -ENOTCONN);
    assert_int_equal(esock_inet_shutdown(l, SHUT_RD), -ENOTCONN);
    /* the data calls and peername on a listener: enotconn (OTP 25) */
    char b[4];
    size_t got;
    assert_int_equal(esock_inet_recv(l, b, sizeof b, 0, &got, 100), -ENOTCONN);
    assert_int_equal(esock_inet_send(l, "x", 1), -ENOTCONN);
    esock_sockaddr_t peer;
    assert_int_equal(esock_inet_peername(l, &peer), -ENOTCONN);
    /* a nowait accept needs an owner to tell when a connection comes */
    esock_inet_t none;
    assert_int_equal(esock_inet_accept(l, &none, ESOCK_INET_NO_OWNER, ESOCK_NOWAIT), -EINVAL);
    esock_sockaddr_t to = lo4(port);
    esock_inet_t c, a;
    assert_int_equal(esock_inet_connect(&c, &to, NULL, 0, ESOCK_INET_NO_OWNER, 1000), 0);
    assert_int_equal(esock_inet_accept(l, &a, ESOCK_INET_NO_OWNER, 1000), 0);
    esock_inet_close(a);
    esock_inet_close(c);
    esock_inet_close(l);
    assert_int_equal(esock_inet_shutdown(l, SHUT_WR), ESOCK_ECLOSED);
}

static void concurrent_recv_ealready(void **st)
{
    (void)st;
    esock_inet_t l, a;
    int fd = inet_peer_pair(passive_bin, NOPTS(passive_bin), ESOCK_INET_NO_OWNER, &l, &a);
    struct blocker br = {.s = a};
    pthread_t t1;
    pthread_create(&t1, NULL, block_thread, &br);
    msleep(100);
    char b[8];
    size_t got;
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 10), -EALREADY);
    wr(fd, "z", 1);
    pthread_join(t1, NULL);
    assert_int_equal(br.rc, 0);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
}

static void exit_on_close_false(void **st)
{
    (void)st;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(EXIT_ON_CLOSE, 0)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), ESOCK_INET_NO_OWNER, &l, &a);
    shutdown(fd, SHUT_WR);
    char b[8];
    size_t got;
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 1000), ESOCK_ECLOSED);
    /* still writable after the peer's shutdown */
    assert_int_equal(esock_inet_send(a, "sort", 4), 0);
    rd(fd, b, 4);
    assert_memory_equal(b, "sort", 4);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
}

static void show_econnreset_passive(void **st)
{
    (void)st;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(SHOW_ECONNRESET, 1)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), ESOCK_INET_NO_OWNER, &l, &a);
    struct linger lg = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd); /* RST */
    msleep(50);
    char b[8];
    size_t got;
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 1000), -ECONNRESET);
    /* then enotconn for recv and send, as inet */
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 100), -ENOTCONN);
    assert_int_equal(esock_inet_send(a, "x", 1), -ENOTCONN);
    esock_inet_close(a);
    esock_inet_close(l);
}

static void no_econnreset_by_default(void **st)
{
    (void)st;
    esock_inet_t l, a;
    int fd = inet_peer_pair(passive_bin, NOPTS(passive_bin), ESOCK_INET_NO_OWNER, &l, &a);
    struct linger lg = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
    msleep(50);
    char b[8];
    size_t got;
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 1000), ESOCK_ECLOSED);
    esock_inet_close(a);
    esock_inet_close(l);
}

static void linger_abort(void **st)
{
    (void)st;
    esock_inet_t l, a;
    int fd = inet_peer_pair(passive_bin, NOPTS(passive_bin), ESOCK_INET_NO_OWNER, &l, &a);
    esock_inet_opt_t lg = {.name = ESOCK_IOPT_LINGER};
    lg.v.linger.on = true;
    lg.v.linger.secs = 0;
    assert_int_equal(esock_inet_setopts(a, &lg, 1), 0);
    esock_inet_opt_t g = {.name = ESOCK_IOPT_LINGER};
    size_t n;
    assert_int_equal(esock_inet_getopts(a, &g, 1, &n), 0);
    assert_int_equal(n, 1);
    assert_true(g.v.linger.on);
    assert_int_equal(g.v.linger.secs, 0);
    esock_inet_close(a); /* {true,0}: abort with RST */
    msleep(50);
    char b[4];
    errno = 0;
    ssize_t r = read(fd, b, sizeof b);
    assert_int_equal(r, -1);
    assert_int_equal(errno, ECONNRESET);
    close(fd);
    esock_inet_close(l);
}

/* linger {true, 0} with 1 MiB queued behind a peer that does not read:
 * close returns at once and aborts (gen_tcp_misc_SUITE linger_zero): the
 * peer reads less than was sent, then ECONNRESET. */
static void linger_abort_drops_the_queue(void **st)
{
    (void)st;
    esock_inet_t l, a;
    int fd = inet_stalled_pair(passive_bin, NOPTS(passive_bin), ESOCK_INET_NO_OWNER, &l, &a);
    static char big[1 << 20];
    assert_int_equal(esock_inet_send(a, big, sizeof big), 0);
    esock_inet_opt_t lg = {.name = ESOCK_IOPT_LINGER, .v.linger = {.on = true, .secs = 0}};
    assert_int_equal(esock_inet_setopts(a, &lg, 1), 0);
    int64_t t0 = now_ms();
    assert_int_equal(esock_inet_close(a), 0);
    assert_true(now_ms() - t0 < 500);
    struct timeval tv = {.tv_sec = 2}; /* bounded: no RST would end in EAGAIN */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    size_t total = 0;
    ssize_t r;
    char b[65536];
    for (int k = 0; k < 1000 && (r = read(fd, b, sizeof b)) > 0; k++)
        total += (size_t)r;
    assert_int_equal(r, -1);
    assert_int_equal(errno, ECONNRESET);
    assert_true(total < sizeof big);
    close(fd);
    esock_inet_close(l);
}

/* Connects to @p to (listener @p l), accepts, and checks that "hello"
 * sent on one end arrives whole at the other (one packet, or 5 bytes raw). */
static void connect_accept_hello(esock_inet_t l, const esock_sockaddr_t *to, const esock_inet_opt_t *o,
                                 size_t n, esock_inet_t *c, esock_inet_t *a)
{
    assert_int_equal(esock_inet_connect(c, to, o, n, ESOCK_INET_NO_OWNER, 1000), 0);
    assert_int_equal(esock_inet_accept(l, a, ESOCK_INET_NO_OWNER, 1000), 0);
    assert_int_equal(esock_inet_send(*c, "hello", 5), 0);
    esock_inet_opt_t p = {.name = ESOCK_IOPT_PACKET};
    size_t np = 0;
    assert_int_equal(esock_inet_getopts(*a, &p, 1, &np), 0);
    char b[8];
    size_t got;
    assert_int_equal(esock_inet_recv(*a, b, sizeof b, p.v.i == ESOCK_INET_PACKET_RAW ? 5 : 0, &got, 1000), 0);
    assert_int_equal(got, 5);
    assert_memory_equal(b, "hello", 5);
}

static void local_stream(void **st)
{
    (void)st;
    esock_sockaddr_t sa;
    memset(&sa, 0, sizeof sa);
    sa.family = ESOCK_FAMILY_LOCAL;
    char path[64];
    int len = snprintf(path, sizeof path, "%cesock-inet-test-%d", 0, (int)getpid());
    memcpy(sa.u.local.path, path, (size_t)len);
    sa.u.local.len = (size_t)len;
    esock_inet_t l, c, a;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(PACKET, ESOCK_INET_PACKET_4), OPTI(NODELAY, 1)};
    assert_int_equal(esock_inet_listen(&l, &sa, 4, o, NOPTS(o), ESOCK_INET_NO_OWNER), 0);
    connect_accept_hello(l, &sa, o, NOPTS(o), &c, &a);
    /* nodelay is ignored on local sockets and left out of getopts */
    esock_inet_opt_t g = {.name = ESOCK_IOPT_NODELAY};
    size_t n = 9;
    assert_int_equal(esock_inet_getopts(a, &g, 1, &n), 0);
    assert_int_equal(n, 0);
    uint16_t port;
    assert_int_equal(esock_inet_port(l, &port), -EINVAL);
    esock_inet_close(c);
    esock_inet_close(a);
    esock_inet_close(l);
}

/* gen_tcp over IPv6 (t_implicit_inet6): connect, accept and data over
 * ::1, with names reported as INET6. */
static void tcp_over_ipv6(void **st)
{
    (void)st;
    esock_sockaddr_t sa;
    memset(&sa, 0, sizeof sa);
    sa.family = ESOCK_FAMILY_INET6;
    sa.u.in6.addr[7] = 1; /* ::1 (eight 16-bit groups), port 0 */
    esock_inet_t l, c, a;
    int rc = esock_inet_listen(&l, &sa, 4, passive_bin, NOPTS(passive_bin), ESOCK_INET_NO_OWNER);
    if (rc == -EADDRNOTAVAIL || rc == -EAFNOSUPPORT)
        skip(); /* no IPv6 loopback on this machine */
    assert_int_equal(rc, 0);
    uint16_t port;
    assert_int_equal(esock_inet_port(l, &port), 0);
    sa.u.in6.port = port;
    connect_accept_hello(l, &sa, passive_bin, NOPTS(passive_bin), &c, &a);
    esock_sockaddr_t cs, ap;
    assert_int_equal(esock_inet_sockname(c, &cs), 0);
    assert_int_equal(esock_inet_peername(a, &ap), 0);
    assert_int_equal(cs.family, ESOCK_FAMILY_INET6);
    assert_int_equal(ap.family, ESOCK_FAMILY_INET6);
    assert_memory_equal(ap.u.in6.addr, sa.u.in6.addr, sizeof sa.u.in6.addr);
    assert_int_equal(ap.u.in6.port, cs.u.in6.port);
    esock_inet_close(a);
    esock_inet_close(c);
    esock_inet_close(l);
}

static void ipv6_v6only(void **st)
{
    (void)st;
    esock_sockaddr_t sa;
    memset(&sa, 0, sizeof sa);
    sa.family = ESOCK_FAMILY_INET6;
    sa.u.in6.addr[7] = 1;
    esock_inet_t l;
    const esock_inet_opt_t o[] = {OPTI(IPV6_V6ONLY, 1)};
    int rc = esock_inet_listen(&l, &sa, 4, o, 1, ESOCK_INET_NO_OWNER);
    if (rc == -EADDRNOTAVAIL || rc == -EAFNOSUPPORT)
        skip();
    assert_int_equal(rc, 0);
    esock_inet_opt_t g = {.name = ESOCK_IOPT_IPV6_V6ONLY};
    size_t n;
    assert_int_equal(esock_inet_getopts(l, &g, 1, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(g.v.i, 1);
    /* creation-time only */
    assert_int_equal(esock_inet_setopts(l, o, 1), -EINVAL);
    esock_inet_close(l);
}

const struct CMUnitTest inet_tests_basic[] = {
    cmocka_unit_test_teardown(connect_accept_names, inet_teardown),
    cmocka_unit_test_teardown(names_of_nothing, inet_teardown),
    cmocka_unit_test_teardown(accept_timeout, inet_teardown),
    cmocka_unit_test_teardown(connect_refused, inet_teardown),
    cmocka_unit_test_teardown(connect_timeout, inet_teardown),
    cmocka_unit_test_teardown(passive_raw_recv, inet_teardown),
    cmocka_unit_test_teardown(peer_close_keeps_partial, inet_teardown),
    cmocka_unit_test_teardown(recv_rules, inet_teardown),
    cmocka_unit_test_teardown(close_wakes_blocked, inet_teardown),
    cmocka_unit_test_teardown(concurrent_recv_ealready, inet_teardown),
    cmocka_unit_test_teardown(acceptors_in_arrival_order, inet_teardown),
    cmocka_unit_test_teardown(acceptors_time_out_by_their_own_deadlines, inet_teardown),
    cmocka_unit_test_teardown(timed_out_acceptor_leaves_the_queue, inet_teardown),
    cmocka_unit_test_teardown(shutdown_errors, inet_teardown),
    cmocka_unit_test_teardown(exit_on_close_false, inet_teardown),
    cmocka_unit_test_teardown(show_econnreset_passive, inet_teardown),
    cmocka_unit_test_teardown(no_econnreset_by_default, inet_teardown),
    cmocka_unit_test_teardown(linger_abort, inet_teardown),
    cmocka_unit_test_teardown(linger_abort_drops_the_queue, inet_teardown),
    cmocka_unit_test_teardown(local_stream, inet_teardown),
    cmocka_unit_test_teardown(ipv6_v6only, inet_teardown),
    cmocka_unit_test_teardown(tcp_over_ipv6, inet_teardown),
};
const size_t inet_ntests_basic = NOPTS(inet_tests_basic);
