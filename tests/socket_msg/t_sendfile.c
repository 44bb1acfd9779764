/*
 * sendfile over TCP loopback: offset/count, count 0 (to the end), counters,
 * the continuation after a timeout and after a nowait select, errors.
 */
#include "msg_tests.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static unsigned char byte_at(size_t i)
{
    return (unsigned char)(i * 31 + (i >> 9));
}

/* A temporary file of n pattern bytes (unlinked: closing frees it). */
static int temp_file(size_t n)
{
    char path[] = "/tmp/esock-sendfile-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    unsigned char buf[4096];
    for (size_t off = 0; off < n;) {
        size_t k = n - off < sizeof buf ? n - off : sizeof buf;
        for (size_t i = 0; i < k; i++)
            buf[i] = byte_at(off + i);
        assert_int_equal(write(fd, buf, k), (ssize_t)k);
        off += k;
    }
    return fd;
}

static void expect_bytes(esock_t s, size_t from, size_t n)
{
    unsigned char *buf = malloc(n ? n : 1);
    size_t got = 0;
    ok(esock_recv(s, buf, n, 0, 0, 5000, &got, NULL));
    assert_int_equal(got, n);
    for (size_t i = 0; i < n; i++)
        if (buf[i] != byte_at(from + i))
            fail_msg("byte %zu differs", from + i);
    free(buf);
}

static void sendfile_offset_count_and_counters(void **state)
{
    (void)state;
    int fd = temp_file(100000);
    esock_t c, s;
    tcp_pair4(&c, &s);
    size_t sent = 0;
    ok(esock_sendfile(c, fd, 1000, 5000, 5000, &sent, NULL));
    assert_int_equal(sent, 5000);
    expect_bytes(s, 1000, 5000);
    /* count 0: to the end of the file */
    ok(esock_sendfile(c, fd, 90000, 0, 5000, &sent, NULL));
    assert_int_equal(sent, 10000);
    expect_bytes(s, 90000, 10000);
    /* a count past the end: what there is */
    ok(esock_sendfile(c, fd, 99990, 100, 5000, &sent, NULL));
    assert_int_equal(sent, 10);
    expect_bytes(s, 99990, 10);
    /* the file offset is untouched */
    assert_int_equal(lseek(fd, 0, SEEK_CUR), 100000);

    esock_counters_t k = counters_of(c);
    assert_int_equal(k.sendfile, 3);
    assert_int_equal(k.sendfile_byte, 15010);
    assert_int_equal(k.sendfile_max, 10000);
    assert_int_equal(k.sendfile_fails, 0);
    assert_true(k.sendfile_pkg >= 3);
    assert_true(k.sendfile_pkg_max >= 5000 / 2 && k.sendfile_pkg_max <= 10000);
    assert_true(k.sendfile_tries >= k.sendfile_pkg + 2); /* plus the EOF tries of count 0 / past end */
    assert_int_equal(k.write_byte, 0); /* sendfile has counters of its own */

    /* No unfinished operation to continue. */
    assert_int_equal(esock_sendfile_continue(c, 1000, &sent, NULL), ESOCK_EXBADSEQ);
    /* Errors. */
    assert_int_equal(esock_sendfile(c, -1, 0, 10, 1000, &sent, NULL), -EBADF);
    assert_int_equal(esock_sendfile(c, fd, -1, 10, 1000, &sent, NULL), ESOCK_EINVAL_VALUE);
    int p[2];
    ok(pipe(p));
    close(p[1]);
    int rc = esock_sendfile(c, p[0], 0, 10, 1000, &sent, NULL); /* a pipe cannot be mmapped */
    assert_true(rc == -EINVAL || rc == -ESPIPE);
    assert_int_equal(counters_of(c).sendfile_fails, 1);
    close(p[0]);
    esock_t u;
    ok(esock_open(AF_INET, SOCK_DGRAM, 0, &u));
    assert_int_equal(esock_sendfile(u, fd, 0, 10, 1000, &sent, NULL), -EOPNOTSUPP);
    ok(esock_close(u));
    ok(esock_close(c));
    ok(esock_close(s));
    assert_int_equal(esock_sendfile(c, fd, 0, 10, 1000, &sent, NULL), ESOCK_ECLOSED);
    close(fd);
}

struct reader {
    esock_t s;
    size_t from, n;
    int ok;
};

static void *read_all(void *arg)
{
    struct reader *r = arg;
    size_t n = r->n, got = 0;
    unsigned char *buf = malloc(n);
    r->ok = 0;
    if (buf != NULL && esock_recv(r->s, buf, n, 0, 0, 20000, &got, NULL) == 0 && got == n) {
        r->ok = 1;
        for (size_t i = 0; i < n; i++)
            if (buf[i] != byte_at(r->from + i)) {
                r->ok = -1;
                break;
            }
    }
    free(buf);
    return NULL;
}

/* A sender whose buffers fill fast: a small SO_SNDBUF here, and a fixed
 * SO_RCVBUF there (no autotuning up to megabytes). The receive buffer must
 * still hold a loopback segment (MSS 32 KB+), or the kernel drops every
 * segment and the connection stalls in retransmissions. */
static void small_buffers(esock_t c, esock_t s)
{
    set_int_opt(c, SOL_SOCKET, SO_SNDBUF, 4096);
    set_int_opt(s, SOL_SOCKET, SO_RCVBUF, 65536);
}

static void sendfile_continue_after_timeout(void **state)
{
    (void)state;
    const size_t size = 8u << 20;
    int fd = temp_file(size);
    esock_t c, s;
    tcp_pair4(&c, &s);
    small_buffers(c, s);
    size_t sent1 = 0, sent2 = 0;
    int64_t t0 = msg_now_ms();
    assert_int_equal(esock_sendfile(c, fd, 100, 0, 100, &sent1, NULL), ESOCK_ETIMEOUT);
    int64_t dt = msg_now_ms() - t0;
    assert_true(dt >= 95 && dt < 5000);
    assert_true(sent1 > 0 && sent1 < size - 100);
    assert_true(counters_of(c).sendfile_waits >= 1);
    assert_int_equal(counters_of(c).sendfile, 0);
    struct reader r = {.s = s, .from = 100, .n = size - 100};
    pthread_t t;
    ok(pthread_create(&t, NULL, read_all, &r));
    ok(esock_sendfile_continue(c, 20000, &sent2, NULL));
    ok(pthread_join(t, NULL));
    assert_int_equal(r.ok, 1);
    assert_int_equal(sent1 + sent2, size - 100);
    esock_counters_t k = counters_of(c);
    assert_int_equal(k.sendfile, 1);
    assert_int_equal(k.sendfile_byte, size - 100);
    assert_int_equal(k.sendfile_max, size - 100); /* the whole operation, across calls */
    assert_int_equal(esock_sendfile_continue(c, 1000, &sent2, NULL), ESOCK_EXBADSEQ);
    ok(esock_close(c));
    ok(esock_close(s));
    close(fd);
}

static void sendfile_nowait_continuation(void **state)
{
    (void)state;
    const size_t size = 4u << 20;
    int fd = temp_file(size);
    esock_t c, s;
    tcp_pair4(&c, &s);
    small_buffers(c, s);
    esock_select_info_t si = {0};
    size_t sent = 0, total = 0;
    int rc = esock_sendfile(c, fd, 0, size, ESOCK_NOWAIT, &sent, &si);
    assert_true(rc == ESOCK_SELECT_PARTIAL || rc == ESOCK_SELECT);
    assert_int_equal(si.tag, ESOCK_OP_SENDFILE);
    total += sent;
    struct reader r = {.s = s, .from = 0, .n = size};
    pthread_t t;
    ok(pthread_create(&t, NULL, read_all, &r));
    int rounds = 0;
    while (rc == ESOCK_SELECT || rc == ESOCK_SELECT_PARTIAL) {
        assert_true(++rounds < 100000);
        esock_msg_t match = {.kind = ESOCK_MSG_SELECT, .socket = c.id, .ref = si.handle};
        esock_msg_t msg;
        ok(esock_mbox_recv_match(esock_mbox_self(), &match, &msg, 10000));
        assert_int_equal(msg.tag, ESOCK_OP_SENDFILE);
        esock_msg_free(&msg);
        rc = esock_sendfile_continue(c, ESOCK_NOWAIT, &sent, &si);
        total += sent;
    }
    ok(rc);
    ok(pthread_join(t, NULL));
    assert_int_equal(r.ok, 1);
    assert_int_equal(total, size);
    assert_int_equal(counters_of(c).sendfile_byte, size);
    assert_int_equal(counters_of(c).sendfile, 1);
    ok(esock_close(c));
    ok(esock_close(s));
    close(fd);
}

/* Closing the socket with an unfinished sendfile frees its state (ASan). */
static void sendfile_state_freed_on_close(void **state)
{
    (void)state;
    int fd = temp_file(4u << 20);
    esock_t c, s;
    tcp_pair4(&c, &s);
    small_buffers(c, s);
    size_t sent = 0;
    assert_int_equal(esock_sendfile(c, fd, 0, 0, 50, &sent, NULL), ESOCK_ETIMEOUT);
    ok(esock_close(c));
    ok(esock_close(s));
    close(fd);
}

#define T(f) cmocka_unit_test_teardown(f, msg_check_no_sockets)
const struct CMUnitTest sendfile_tests[] = {
    T(sendfile_offset_count_and_counters),
    T(sendfile_continue_after_timeout),
    T(sendfile_nowait_continuation),
    T(sendfile_state_freed_on_close),
};
const size_t sendfile_count = sizeof sendfile_tests / sizeof sendfile_tests[0];
