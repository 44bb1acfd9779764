/* Threads: close wakes blocked callers; FIFO readers; many threads on one socket. */
#include "helpers.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct blocked {
    esock_t s;
    int op; /* 0 recv, 1 accept, 2 send */
    int rc;
};

static void *blocker(void *arg)
{
    struct blocked *b = arg;
    if (b->op == 0) {
        char buf[16];
        b->rc = esock_recv(b->s, buf, 0, sizeof buf, 0, ESOCK_INFINITY, NULL, NULL);
    } else if (b->op == 1) {
        esock_t a;
        b->rc = esock_accept(b->s, ESOCK_INFINITY, &a, NULL);
    } else {
        size_t len = 32 << 20;
        char *big = calloc(1, len);
        b->rc = esock_send(b->s, big, len, 0, ESOCK_INFINITY, NULL, NULL);
        free(big);
    }
    return NULL;
}

/* Waits (bounded: 5 s) until the blocked call has counted its wait. Close
 * must wake it whether it is asleep already or just about to sleep. */
static void await_wait(esock_t s, int op)
{
    for (int i = 0; i < 5000; i++) {
        esock_socket_info_t in;
        ok(esock_info_socket(s, &in));
        uint64_t w = op == 0 ? in.counters.read_waits
                     : op == 1 ? in.counters.acc_waits
                               : in.counters.write_waits;
        if (w > 0)
            return;
        usleep(1000);
    }
    fail_msg("the call never waited");
}

static void close_while_blocked(int op)
{
    esock_t c, s, l = {0};
    struct blocked b = {.op = op};
    if (op == 1) {
        ok(esock_open(AF_INET, SOCK_STREAM, 0, &l));
        esock_sockaddr_t sa = loopback(AF_INET);
        ok(esock_bind(l, &sa));
        ok(esock_listen(l, 1));
        b.s = l;
    } else {
        ok(tcp_pair(AF_INET, &c, &s));
        b.s = op == 0 ? s : c;
        int small = 4096;
        setsockopt(esock_fd(c), SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    }
    pthread_t t;
    pthread_create(&t, NULL, blocker, &b);
    await_wait(b.s, op); /* it has found it must wait; asleep or about to be */
    int64_t t0 = now_ms();
    ok(esock_close(b.s));
    pthread_join(t, NULL);
    assert_int_equal(b.rc, ESOCK_ECLOSED);
    assert_true(ms_since(t0) < 1000);
    if (op != 1)
        ok(esock_close(op == 0 ? c : s));
}

static void test_close_wakes_recv(void **state)
{
    (void)state;
    close_while_blocked(0);
}

static void test_close_wakes_accept(void **state)
{
    (void)state;
    close_while_blocked(1);
}

static void test_close_wakes_send(void **state)
{
    (void)state;
    close_while_blocked(2);
}

struct reader {
    esock_t s;
    size_t total;
    int rc;
};

static void *reader_main(void *arg)
{
    struct reader *r = arg;
    char buf[100];
    for (int i = 0; i < 10; i++) {
        size_t got;
        r->rc = esock_recv(r->s, buf, 100, 100, 0, 5000, &got, NULL);
        if (r->rc != 0)
            break;
        r->total += got;
        for (size_t k = 0; k < got; k++)
            if (buf[k] != buf[0]) /* a 100-byte record is never split between readers */
                r->rc = -1;
    }
    return NULL;
}

static void test_many_readers_one_socket(void **state)
{
    (void)state;
    esock_t c, s;
    ok(tcp_pair(AF_INET, &c, &s));
    enum { N = 4 };
    struct reader r[N];
    pthread_t t[N];
    for (int i = 0; i < N; i++) {
        r[i] = (struct reader){.s = s};
        pthread_create(&t[i], NULL, reader_main, &r[i]);
    }
    char rec[100];
    for (int i = 0; i < N * 10; i++) {
        memset(rec, 'a' + i % 26, sizeof rec);
        ok(esock_send(c, rec, sizeof rec, 0, 5000, NULL, NULL));
    }
    size_t total = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(r[i].rc, 0);
        total += r[i].total;
    }
    assert_int_equal(total, N * 10 * 100);
    esock_socket_info_t in;
    ok(esock_info_socket(s, &in));
    assert_int_equal(in.counters.read_byte, N * 10 * 100);
    ok(esock_close(c));
    ok(esock_close(s));
}

const struct CMUnitTest socket_thread_tests[] = {
    cmocka_unit_test(test_close_wakes_recv),
    cmocka_unit_test(test_close_wakes_accept),
    cmocka_unit_test(test_close_wakes_send),
    cmocka_unit_test(test_many_readers_one_socket),
};
const size_t socket_thread_count = sizeof socket_thread_tests / sizeof socket_thread_tests[0];
