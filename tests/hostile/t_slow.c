/*
 * Slowloris: peers that connect and send one byte every 50 ms, or nothing.
 * The server's calls must end at their deadline (not early, not much
 * later), hand back what the API promises for the partial data, and a
 * well-behaved client must be served meanwhile by another server thread
 * (no global lock held across a wait, no head-of-line blocking).
 *
 * Partial data, as the two APIs document it:
 *  - socket: recv of len > 0 that times out returns ESOCK_ETIMEOUT with the
 *    bytes so far in the buffer and *received ({error, {timeout, Data}});
 *  - inet (gen_tcp): ESOCK_ETIMEOUT and the bytes stay buffered for the
 *    next recv ({error, timeout}; OTP 4.4 "ab stays buffered").
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <esock/opt.h>

#include "hostile.h"

#define TICK_MS 50
#define NSLOW 16          /* trickling peers besides the measured ones */
#define LATE_MS 400       /* how late a deadline may be honoured on a loaded, sanitized box */
#define GOOD_RTT_MS 250   /* a served client's worst round trip */

/* ---- the trickler: one thread writing one byte per tick to many peers ---- */

typedef struct trickle {
    int fd[NSLOW + 4];
    const char *msg[NSLOW + 4]; /* NULL: the endless alphabet */
    atomic_size_t pos[NSLOW + 4]; /* bytes written to each */
    int n;
    atomic_bool stop;
    pthread_t th;
} trickle_t;

static char alpha(size_t i)
{
    return (char)('a' + i % 26);
}

static void *trickle_main(void *arg)
{
    trickle_t *t = arg;
    int64_t end = now_ms() + 15000;
    while (!atomic_load(&t->stop) && now_ms() < end) {
        for (int i = 0; i < t->n; i++) {
            if (t->fd[i] < 0)
                continue;
            size_t at = atomic_load(&t->pos[i]);
            char c;
            if (t->msg[i]) {
                if (t->msg[i][at] == '\0')
                    continue;
                c = t->msg[i][at];
            } else {
                c = alpha(at);
            }
            if (send(t->fd[i], &c, 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1)
                atomic_store(&t->pos[i], at + 1);
        }
        msleep(TICK_MS);
    }
    return NULL;
}

/* ---- the well-behaved client and its server thread ---- */

typedef struct good {
    uint16_t port;
    bool inet;          /* served by the inet API (else the socket API) */
    esock_t ls;         /* socket API listener */
    esock_inet_t li;    /* inet listener */
    atomic_bool stop;
    int trips, max_rtt_ms, client_err;
    int server_rc;      /* what ended the server loop */
    pthread_t server, client;
} good_t;

static void *good_server(void *arg)
{
    good_t *g = arg;
    char b[4];
    if (g->inet) {
        esock_inet_t a;
        int rc = esock_inet_accept(g->li, &a, ESOCK_INET_NO_OWNER, 5000);
        if (rc) {
            g->server_rc = rc;
            return NULL;
        }
        for (;;) {
            size_t got = 0;
            rc = esock_inet_recv(a, b, sizeof b, sizeof b, &got, 5000);
            if (rc || (rc = esock_inet_send(a, b, sizeof b)) != 0)
                break;
        }
        g->server_rc = rc;
        esock_inet_close(a);
    } else {
        esock_t s;
        int rc = esock_accept(g->ls, 5000, &s, NULL);
        if (rc) {
            g->server_rc = rc;
            return NULL;
        }
        for (;;) {
            size_t got = 0;
            rc = esock_recv(s, b, sizeof b, sizeof b, 0, 5000, &got, NULL);
            if (rc || (rc = esock_send(s, b, sizeof b, 0, 5000, NULL, NULL)) != 0)
                break;
        }
        g->server_rc = rc;
        esock_close(s);
    }
    return NULL;
}

static void *good_client(void *arg)
{
    good_t *g = arg;
    int fd = raw_connect(g->port);
    int64_t end = now_ms() + 15000;
    while (!atomic_load(&g->stop) && now_ms() < end) {
        int64_t t0 = now_ms();
        if (!wr_all(fd, "ping", 4)) {
            g->client_err = errno ? errno : EPIPE;
            break;
        }
        char b[4];
        size_t got = 0;
        while (got < 4) {
            struct pollfd pf = {.fd = fd, .events = POLLIN};
            if (poll(&pf, 1, 2000) != 1)
                break;
            ssize_t r = recv(fd, b + got, 4 - got, 0);
            if (r <= 0)
                break;
            got += (size_t)r;
        }
        if (got != 4 || memcmp(b, "ping", 4) != 0) {
            g->client_err = ETIMEDOUT;
            break;
        }
        int rtt = (int)(now_ms() - t0);
        if (rtt > g->max_rtt_ms)
            g->max_rtt_ms = rtt;
        g->trips++;
        msleep(20);
    }
    close(fd); /* the server's recv ends with closed */
    return NULL;
}

static void good_start(good_t *g, bool inet)
{
    memset(g, 0, sizeof *g);
    g->inet = inet;
    if (inet) {
        g->li = inet_listener(NULL, 0, ESOCK_INET_NO_OWNER, &g->port);
    } else {
        assert_int_equal(esock_open(AF_INET, SOCK_STREAM, 0, &g->ls), 0);
        esock_sockaddr_t sa = lo4(0);
        assert_int_equal(esock_bind(g->ls, &sa), 0);
        assert_int_equal(esock_listen(g->ls, 16), 0);
        assert_int_equal(esock_sockname(g->ls, &sa), 0);
        g->port = sa.u.in.port;
    }
    assert_int_equal(pthread_create(&g->server, NULL, good_server, g), 0);
    assert_int_equal(pthread_create(&g->client, NULL, good_client, g), 0);
}

static void good_stop(good_t *g)
{
    atomic_store(&g->stop, true);
    pthread_join(g->client, NULL);
    pthread_join(g->server, NULL);
    if (g->inet)
        assert_int_equal(esock_inet_close(g->li), 0);
    else
        assert_int_equal(esock_close(g->ls), 0);
    printf("# good client (%s API): %d round trips while the slow peers were held, worst %d ms\n",
           g->inet ? "inet" : "socket", g->trips, g->max_rtt_ms);
    assert_int_equal(g->client_err, 0);
    assert_int_equal(g->server_rc, ESOCK_ECLOSED); /* the client's close */
    assert_true(g->trips >= 10);
    assert_true(g->max_rtt_ms <= GOOD_RTT_MS);
}

/* A deadline honoured: not before it, not much after. */
static void check_deadline(const char *what, int64_t t0, int timeout_ms)
{
    int el = (int)(now_ms() - t0);
    printf("# %s: timeout %d ms, returned after %d ms\n", what, timeout_ms, el);
    assert_true(el >= timeout_ms - 1); /* ms clocks may floor the start */
    assert_true(el <= timeout_ms + LATE_MS);
}

static void check_alphabet(const char *b, size_t n, size_t from)
{
    for (size_t i = 0; i < n; i++)
        if (b[i] != alpha(from + i)) {
            print_error("byte %zu: '%c', wanted '%c'\n", from + i, b[i], alpha(from + i));
            fail();
        }
}

/* ---- socket API ---- */

/* The threads' state is static: a failed assertion leaves the test while
 * they run on (to their time cap), and they must not write into a dead
 * stack frame. */
static good_t g;
static trickle_t t;

static void slowloris_socket_api(void **st)
{
    (void)st;
    good_start(&g, false);

    esock_t l;
    assert_int_equal(esock_open(AF_INET, SOCK_STREAM, 0, &l), 0);
    esock_sockaddr_t sa = lo4(0);
    assert_int_equal(esock_bind(l, &sa), 0);
    assert_int_equal(esock_listen(l, 64), 0);
    assert_int_equal(esock_sockname(l, &sa), 0);

    /* accept with nobody there */
    esock_t s;
    int64_t t0 = now_ms();
    assert_int_equal(esock_accept(l, 200, &s, NULL), ESOCK_ETIMEOUT);
    check_deadline("socket accept, nobody connecting", t0, 200);

    /* fd[0] trickles the alphabet, fd[1] is silent, the rest trickle too */
    memset(&t, 0, sizeof t);
    t.n = NSLOW + 2;
    esock_t srv[NSLOW + 2];
    for (int i = 0; i < t.n; i++) {
        t.fd[i] = raw_connect(sa.u.in.port);
        assert_int_equal(esock_accept(l, 2000, &srv[i], NULL), 0);
    }
    int silent = t.fd[1];
    t.fd[1] = -1;
    assert_int_equal(pthread_create(&t.th, NULL, trickle_main, &t), 0);

    char b[128];
    size_t got = 99;
    /* the silent peer: nothing, at the deadline */
    t0 = now_ms();
    assert_int_equal(esock_recv(srv[1], b, 10, sizeof b, 0, 300, &got, NULL), ESOCK_ETIMEOUT);
    check_deadline("socket recv(10), silent peer", t0, 300);
    assert_int_equal(got, 0);
    t0 = now_ms();
    assert_int_equal(esock_recv(srv[1], b, 0, sizeof b, 0, 200, &got, NULL), ESOCK_ETIMEOUT);
    check_deadline("socket recv(0), silent peer", t0, 200);
    assert_int_equal(got, 0);

    /* the trickler: 100 bytes asked, about 10 arrive in 500 ms and are handed back */
    t0 = now_ms();
    int rc = esock_recv(srv[0], b, 100, sizeof b, 0, 500, &got, NULL);
    check_deadline("socket recv(100), one byte per 50 ms", t0, 500);
    assert_int_equal(rc, ESOCK_ETIMEOUT);
    printf("# socket recv(100) timed out with %zu partial bytes\n", got);
    assert_true(got >= 3 && got < 100);
    check_alphabet(b, got, 0);
    size_t have = got;
    /* len 0: whatever is there; the next byte is at most a tick away */
    t0 = now_ms();
    assert_int_equal(esock_recv(srv[0], b, 0, sizeof b, 0, 1000, &got, NULL), 0);
    assert_true(got >= 1);
    assert_true(now_ms() - t0 <= TICK_MS + LATE_MS);
    check_alphabet(b, got, have);

    atomic_store(&t.stop, true);
    pthread_join(t.th, NULL);
    good_stop(&g);
    close(silent);
    for (int i = 0; i < t.n; i++) {
        if (t.fd[i] >= 0)
            close(t.fd[i]);
        assert_int_equal(esock_close(srv[i]), 0);
    }
    assert_int_equal(esock_close(l), 0);
}

/* ---- inet API ---- */

static void slowloris_inet_api(void **st)
{
    (void)st;
    good_start(&g, true);

    uint16_t port;
    esock_inet_t l = inet_listener(NULL, 0, ESOCK_INET_NO_OWNER, &port);
    esock_inet_t a;
    int64_t t0 = now_ms();
    assert_int_equal(esock_inet_accept(l, &a, ESOCK_INET_NO_OWNER, 200), ESOCK_ETIMEOUT);
    check_deadline("inet accept, nobody connecting", t0, 200);

    /* fd[0] trickles the alphabet (raw), fd[1] is silent, fd[2] trickles a
     * line ({packet,line}), the rest trickle the alphabet */
    static const char line[] = "this line comes in one byte every 50 ms, for two seconds\n";
    memset(&t, 0, sizeof t);
    t.n = NSLOW + 3;
    esock_inet_t srv[NSLOW + 3];
    for (int i = 0; i < t.n; i++) {
        t.fd[i] = raw_connect(port);
        assert_int_equal(esock_inet_accept(l, &srv[i], ESOCK_INET_NO_OWNER, 2000), 0);
    }
    const esock_inet_opt_t lo[] = {OPTI(PACKET, ESOCK_INET_PACKET_LINE)};
    assert_int_equal(esock_inet_setopts(srv[2], lo, 1), 0);
    t.msg[2] = line;
    int silent = t.fd[1];
    t.fd[1] = -1;
    assert_int_equal(pthread_create(&t.th, NULL, trickle_main, &t), 0);

    char b[128];
    size_t got = 99;
    t0 = now_ms();
    assert_int_equal(esock_inet_recv(srv[1], b, sizeof b, 10, &got, 300), ESOCK_ETIMEOUT);
    check_deadline("inet recv(10), silent peer", t0, 300);
    assert_int_equal(got, 0);
    t0 = now_ms();
    assert_int_equal(esock_inet_recv(srv[1], b, sizeof b, 0, &got, 200), ESOCK_ETIMEOUT);
    check_deadline("inet recv(0), silent peer", t0, 200);

    /* raw recv(100) times out; the bytes so far stay buffered */
    t0 = now_ms();
    int rc = esock_inet_recv(srv[0], b, sizeof b, 100, &got, 500);
    check_deadline("inet recv(100), one byte per 50 ms", t0, 500);
    assert_int_equal(rc, ESOCK_ETIMEOUT);
    assert_int_equal(got, 0);
    size_t sent = atomic_load(&t.pos[0]);
    assert_true(sent >= 3);
    /* ... and come first in the next recv: nothing was lost */
    assert_int_equal(esock_inet_recv(srv[0], b, sizeof b, sent, &got, 1000), 0);
    assert_int_equal(got, sent);
    check_alphabet(b, got, 0);
    printf("# inet recv(100) timed out; the %zu bytes that had come were kept for the next recv\n", sent);

    /* {packet,line}: times out while the line trickles in, then arrives whole
     * (unless this box was so slow that all of it came already) */
    bool incomplete = atomic_load(&t.pos[2]) + 4 < sizeof line - 1;
    int timeouts = 0;
    for (;;) {
        t0 = now_ms();
        rc = esock_inet_recv(srv[2], b, sizeof b, 0, &got, 150);
        if (rc != ESOCK_ETIMEOUT)
            break;
        check_deadline("inet line recv, line trickling", t0, 150);
        assert_true(++timeouts < 20);
    }
    assert_int_equal(rc, 0);
    assert_true(timeouts >= 1 || !incomplete);
    assert_int_equal(got, sizeof line - 1);
    assert_memory_equal(b, line, sizeof line - 1);

    atomic_store(&t.stop, true);
    pthread_join(t.th, NULL);
    good_stop(&g);
    close(silent);
    for (int i = 0; i < t.n; i++) {
        if (t.fd[i] >= 0)
            close(t.fd[i]);
        assert_int_equal(esock_inet_close(srv[i]), 0);
    }
    assert_int_equal(esock_inet_close(l), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, note_start, check_clean)
const struct CMUnitTest hostile_slow_tests[] = {
    T(slowloris_socket_api),
    T(slowloris_inet_api),
};
const size_t hostile_slow_count = NOPTS(hostile_slow_tests);
