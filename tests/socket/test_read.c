/*
 * Reading: {otp, rcvbuf} {N, Size} (a stream recv of no length reads up
 * to N times Size bytes, as OTP 25's recv/1 does), and the reader with no
 * deadline that sleeps in recv itself (the descriptor in blocking mode):
 * close wakes it, nowait and timed calls never block, counters stay exact.
 */
#include "helpers.h"

#include "socket/sock.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int faults(void)
{
    return faults_on();
}

/* {otp, rcvbuf} {n, size}. The opt layer sits above this module (its own
 * tests set it through esock_setopt, tests/opt/t_sock.c); here the two
 * fields it writes are written the same way. */
static void set_rcvbuf(esock_t s, unsigned n, size_t size)
{
    esock__sock_t *k = esock__sock_pin(s);
    assert_non_null(k);
    __atomic_store_n(&k->otp_rcvbuf, size, __ATOMIC_RELAXED);
    __atomic_store_n(&k->otp_rcvnum, n, __ATOMIC_RELAXED);
    esock__sock_unpin(k);
}

static void pause_ms(int ms)
{
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits (bounded: 5 s) until n bytes are queued for reading on s. */
static void await_queued(esock_t s, int n)
{
    int q = -1;
    for (int i = 0; i < 5000; i++) {
        ok(ioctl(esock_fd(s), FIONREAD, &q));
        if (q >= n)
            return;
        pause_ms(1);
    }
    fail_msg("only %d of %d bytes arrived", q, n);
}

static esock_counters_t counters(esock_t s)
{
    esock_socket_info_t in;
    ok(esock_info_socket(s, &in));
    return in.counters;
}

/* Waits (bounded: 5 s) until the counter at offset off reaches n. */
static void await_counter(esock_t s, size_t off, uint64_t n)
{
    for (int i = 0; i < 5000; i++) {
        esock_counters_t k = counters(s);
        if (*(const uint64_t *)((const char *)&k + off) >= n)
            return;
        pause_ms(1);
    }
    fail_msg("counter at %zu never reached %llu", off, (unsigned long long)n);
}

static void send_n(esock_t c, size_t n)
{
    char *b = malloc(n);
    for (size_t i = 0; i < n; i++)
        b[i] = (char)('a' + i % 26);
    ok(esock_send(c, b, n, 0, 2000, NULL, NULL));
    free(b);
}

/* Reads with no length until total bytes came; each read at most max. */
static void drain(esock_t s, size_t total, size_t max)
{
    char buf[8192];
    size_t have = 0;
    for (int i = 0; i < 10000 && have < total; i++) {
        size_t got = 0;
        ok(esock_recv(s, buf, 0, sizeof buf, 0, 1000, &got, NULL));
        assert_true(got > 0 && got <= max);
        have += got;
    }
    assert_int_equal(have, total);
}

/* The numbers OTP 25 gave for {3, 1024} (docs/socket.md). */
static void test_rcvbuf_count_reads_n_times_size(void **state)
{
    (void)state;
    esock_t c, s;
    ok(tcp_pair(AF_INET, &c, &s));
    set_rcvbuf(s, 3, 1024);
    if (faults()) { /* short reads end a round early; sizes vary, totals not */
        send_n(c, 5000);
        drain(s, 5000, 3072);
        ok(esock_close(c));
        ok(esock_close(s));
        return;
    }
    char buf[8192];
    size_t got = 0;
    /* 5000 queued: 1024 + 1024 + 1024, then 1024 + 904 */
    send_n(c, 5000);
    await_queued(s, 5000);
    ok(esock_recv(s, buf, 0, sizeof buf, 0, 1000, &got, NULL));
    assert_int_equal(got, 3072);
    esock_counters_t k = counters(s);
    assert_int_equal(k.read_tries, 3);
    assert_int_equal(k.read_pkg, 3);
    assert_int_equal(k.read_pkg_max, 1024);
    ok(esock_recv(s, buf, 0, sizeof buf, 0, 1000, &got, NULL));
    assert_int_equal(got, 1928);
    assert_int_equal(counters(s).read_tries, 5);
    /* 2048 queued: two full reads, the third finds nothing: what there is */
    send_n(c, 2048);
    await_queued(s, 2048);
    ok(esock_recv(s, buf, 0, sizeof buf, 0, 1000, &got, NULL));
    assert_int_equal(got, 2048);
    assert_int_equal(counters(s).read_tries, 8);
    assert_int_equal(counters(s).read_waits, 0);
    /* the cap still bounds it: 1024 + 476 */
    send_n(c, 5000);
    await_queued(s, 5000);
    ok(esock_recv(s, buf, 0, 1500, 0, 1000, &got, NULL));
    assert_int_equal(got, 1500);
    /* a length ignores the count */
    ok(esock_recv(s, buf, 100, sizeof buf, 0, 1000, &got, NULL));
    assert_int_equal(got, 100);
    /* nowait reads the same way (OTP 25 stops after the first Size) */
    ok(esock_recv(s, buf, 0, sizeof buf, 0, ESOCK_NOWAIT, &got, NULL));
    assert_int_equal(got, 3072);
    ok(esock_recv(s, buf, 0, sizeof buf, 0, 1000, &got, NULL));
    assert_int_equal(got, 5000 - 1500 - 100 - 3072);
    /* back to N 1: one read of up to the cap */
    set_rcvbuf(s, 1, 1024);
    send_n(c, 3000);
    await_queued(s, 3000);
    ok(esock_recv(s, buf, 0, sizeof buf, 0, 1000, &got, NULL));
    assert_int_equal(got, 3000);
    ok(esock_close(c));
    ok(esock_close(s));
}

/* The peer closes after the data: {ok, 2000}, then closed; and after a
 * full round that found the end: {error, {closed, 2048}}. */
static void test_rcvbuf_count_then_peer_closes(void **state)
{
    (void)state;
    char buf[8192];
    size_t got = 0;
    for (int round = 0; round < 2; round++) {
        size_t n = round == 0 ? 2000 : 2048;
        esock_t c, s;
        ok(tcp_pair(AF_INET, &c, &s));
        set_rcvbuf(s, 3, 1024);
        send_n(c, n);
        await_queued(s, (int)n);
        ok(esock_close(c));
        int rc = esock_recv(s, buf, 0, sizeof buf, 0, 1000, &got, NULL);
        if (!faults()) {
            if (round == 0) {
                ok(rc);
                assert_int_equal(got, 2000);
                rc = esock_recv(s, buf, 0, sizeof buf, 0, 1000, &got, NULL);
                assert_int_equal(got, 0);
            } else {
                assert_int_equal(got, 2048);
            }
            assert_int_equal(rc, ESOCK_ECLOSED);
        } else { /* bounded drain until closed */
            size_t total = got;
            for (int i = 0; i < 100 && rc == 0; i++) {
                rc = esock_recv(s, buf, 0, sizeof buf, 0, 1000, &got, NULL);
                total += got;
            }
            assert_int_equal(rc, ESOCK_ECLOSED);
            assert_int_equal(total, n);
        }
        ok(esock_close(s));
    }
}

/* A datagram is one read whatever the count (OTP: the same). */
static void test_rcvbuf_count_on_udp(void **state)
{
    (void)state;
    esock_t u;
    ok(esock_open(AF_INET, SOCK_DGRAM, 0, &u));
    esock_sockaddr_t sa = loopback(AF_INET);
    ok(esock_bind(u, &sa));
    ok(esock_sockname(u, &sa));
    set_rcvbuf(u, 3, 1024);
    char out[3000], in[4096];
    memset(out, 'u', sizeof out);
    for (int i = 0; i < 2; i++)
        ok(esock_sendto(u, out, sizeof out, 0, &sa, 1000, NULL, NULL));
    size_t got = 0;
    int rc = ESOCK_SELECT;
    for (int i = 0; i < 50 && rc != 0; i++) /* injected EAGAIN times out at 0 */
        rc = esock_recvfrom(u, in, sizeof in, 0, 1000, &got, NULL, NULL);
    ok(rc);
    assert_int_equal(got, 3000);
    ok(esock_close(u));
}

struct sleeper {
    esock_t s;
    size_t len;
    int rc;
    size_t got;
    char buf[64];
};

static void *sleeper_main(void *arg)
{
    struct sleeper *z = arg;
    z->rc = esock_recv(z->s, z->buf, z->len, sizeof z->buf, 0, ESOCK_INFINITY, &z->got, NULL);
    return NULL;
}

static bool fd_blocking(esock_t s)
{
    int fl = fcntl(esock_fd(s), F_GETFL);
    assert_true(fl >= 0);
    return (fl & O_NONBLOCK) == 0;
}

/* A reader with no deadline waits in recv itself: two syscalls (the one
 * that found nothing, the one that slept), one wait; the descriptor is in
 * blocking mode from then on, and nowait and timed calls still never
 * block. */
static void test_reader_sleeps_in_recv(void **state)
{
    (void)state;
    esock_t c, s;
    ok(tcp_pair(AF_INET, &c, &s));
    assert_false(fd_blocking(s));
    struct sleeper z = {.s = s, .len = 5};
    pthread_t t;
    ok(pthread_create(&t, NULL, sleeper_main, &z));
    await_counter(s, offsetof(esock_counters_t, read_waits), 1);
    ok(esock_send(c, "hello", 5, 0, 1000, NULL, NULL));
    ok(pthread_join(t, NULL));
    ok(z.rc);
    assert_int_equal(z.got, 5);
    assert_memory_equal(z.buf, "hello", 5);
    esock_counters_t k = counters(s);
    assert_int_equal(k.read_byte, 5);
    if (!faults()) {
        assert_true(fd_blocking(s));
        assert_int_equal(k.read_waits, 1);
        assert_int_equal(k.read_tries, 2);
        assert_int_equal(k.read_pkg, 1);
    }
    char b[8];
    size_t got;
    esock_select_info_t si = {0};
    int64_t t0 = now_ms();
    assert_int_equal(esock_recv(s, b, 0, sizeof b, 0, ESOCK_NOWAIT, &got, &si), ESOCK_SELECT);
    ok(esock_cancel(s, &si));
    assert_int_equal(esock_recv(s, b, 0, sizeof b, 0, 100, &got, NULL), ESOCK_ETIMEOUT);
    assert_true(ms_since(t0) < 2000);
    /* A nowait send into a full buffer selects rather than blocks. */
    int small = 4096;
    setsockopt(esock_fd(s), SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    size_t len = 8 << 20, sent = 0;
    char *big = calloc(1, len);
    int rc = esock_send(s, big, len, 0, ESOCK_NOWAIT, &sent, &si);
    assert_true(rc == ESOCK_SELECT_PARTIAL || rc == ESOCK_SELECT);
    ok(esock_cancel(s, &si));
    free(big);
    ok(esock_close(c));
    ok(esock_close(s));
}

/* close from another thread wakes a reader asleep in recv, on a stream, a
 * datagram socket (whose woken recv returns 0, not an empty datagram) and
 * a local stream. */
static void test_close_wakes_reader_in_recv(void **state)
{
    (void)state;
    for (int kind = 0; kind < 3; kind++) {
        esock_t s, peer = {0};
        if (kind == 0) {
            ok(tcp_pair(AF_INET, &peer, &s));
        } else if (kind == 1) {
            ok(esock_open(AF_INET, SOCK_DGRAM, 0, &s));
            esock_sockaddr_t sa = loopback(AF_INET);
            ok(esock_bind(s, &sa));
        } else {
            int sv[2];
            ok(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
            ok(esock_open_fd(sv[0], false, &s));
            ok(esock_open_fd(sv[1], false, &peer));
        }
        struct sleeper z = {.s = s, .len = 0};
        pthread_t t;
        ok(pthread_create(&t, NULL, sleeper_main, &z));
        await_counter(s, offsetof(esock_counters_t, read_waits), 1);
        if (!faults())
            assert_true(fd_blocking(s));
        pause_ms(20); /* most likely asleep in recv by now; either way it must wake */
        int64_t t0 = now_ms();
        ok(esock_close(s));
        ok(pthread_join(t, NULL));
        assert_int_equal(z.rc, ESOCK_ECLOSED);
        assert_int_equal(z.got, 0);
        assert_true(ms_since(t0) < 1000);
        if (peer.id != 0)
            ok(esock_close(peer));
    }
}

/* A writer that needs a non-blocking descriptor (sendfile) while the reader
 * of the same socket sleeps in recv: the sendfile selects, never blocks. */
static void test_sendfile_beside_reader_in_recv(void **state)
{
    (void)state;
    esock_t c, s;
    ok(tcp_pair(AF_INET, &c, &s));
    struct sleeper z = {.s = c, .len = 2};
    pthread_t t;
    ok(pthread_create(&t, NULL, sleeper_main, &z));
    await_counter(c, offsetof(esock_counters_t, read_waits), 1);
    int small = 4096;
    setsockopt(esock_fd(c), SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    char path[] = "/tmp/esock-read-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    ok(ftruncate(fd, 8 << 20));
    esock_select_info_t si = {0};
    size_t sent = 0;
    int64_t t0 = now_ms();
    int rc = esock_sendfile(c, fd, 0, 0, ESOCK_NOWAIT, &sent, &si);
    assert_true(rc == ESOCK_SELECT || rc == ESOCK_SELECT_PARTIAL);
    assert_true(ms_since(t0) < 2000);
    ok(esock_cancel(c, &si));
    close(fd);
    /* The reader still gets its bytes. */
    ok(esock_send(s, "ok", 2, 0, 1000, NULL, NULL));
    ok(pthread_join(t, NULL));
    ok(z.rc);
    assert_memory_equal(z.buf, "ok", 2);
    ok(esock_close(c));
    ok(esock_close(s));
}

const struct CMUnitTest socket_read_tests[] = {
    cmocka_unit_test(test_rcvbuf_count_reads_n_times_size),
    cmocka_unit_test(test_rcvbuf_count_then_peer_closes),
    cmocka_unit_test(test_rcvbuf_count_on_udp),
    cmocka_unit_test(test_reader_sleeps_in_recv),
    cmocka_unit_test(test_close_wakes_reader_in_recv),
    cmocka_unit_test(test_sendfile_beside_reader_in_recv),
};
const size_t socket_read_count = sizeof socket_read_tests / sizeof socket_read_tests[0];
