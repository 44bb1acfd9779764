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
#include <fcntl.h>
#include <unistd.h>

#include "sys/sys.h"

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

/* The counters of one socket, as one line for failure messages. */
static void expect_sendfile_counters(esock_t c, uint64_t tries, uint64_t calls, uint64_t pkg,
                                     uint64_t bytes, uint64_t pkg_max, uint64_t max,
                                     uint64_t fails, uint64_t waits)
{
    esock_counters_t k = counters_of(c);
    if (k.sendfile_tries != tries || k.sendfile != calls || k.sendfile_pkg != pkg ||
        k.sendfile_byte != bytes || k.sendfile_pkg_max != pkg_max || k.sendfile_max != max ||
        k.sendfile_fails != fails || k.sendfile_waits != waits)
        fail_msg("sendfile counters: tries %llu (want %llu) sendfile %llu (%llu) pkg %llu (%llu) "
                 "byte %llu (%llu) pkg_max %llu (%llu) max %llu (%llu) fails %llu (%llu) "
                 "waits %llu (%llu)",
                 (unsigned long long)k.sendfile_tries, (unsigned long long)tries,
                 (unsigned long long)k.sendfile, (unsigned long long)calls,
                 (unsigned long long)k.sendfile_pkg, (unsigned long long)pkg,
                 (unsigned long long)k.sendfile_byte, (unsigned long long)bytes,
                 (unsigned long long)k.sendfile_pkg_max, (unsigned long long)pkg_max,
                 (unsigned long long)k.sendfile_max, (unsigned long long)max,
                 (unsigned long long)k.sendfile_fails, (unsigned long long)fails,
                 (unsigned long long)k.sendfile_waits, (unsigned long long)waits);
}

/* The scenario measured with erl (OTP 25, docs/socket-msg.md): four
 * sendfile calls on one socket, then one on a file open for writing only. */
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
    /* count 0 at the end of the file: nothing, and no error */
    ok(esock_sendfile(c, fd, 100000, 0, 5000, &sent, NULL));
    assert_int_equal(sent, 0);
    /* the file offset is untouched */
    assert_int_equal(lseek(fd, 0, SEEK_CUR), 100000);

    esock_counters_t k = counters_of(c);
    assert_int_equal(k.write_byte, 0); /* sendfile has counters of its own */
    if (!faults_on()) {
        /* OTP: {sendfile 6, sendfile_byte 15010, sendfile_fails 0,
         * sendfile_max 10000, sendfile_pkg 3, sendfile_pkg_max 10000,
         * sendfile_tries 4, sendfile_waits 0}: one try per call, one
         * "sendfile" per syscall (the two count-0 calls and the one past
         * the end make one more that returns 0 at the end of the file). */
        expect_sendfile_counters(c, 4, 6, 3, 15010, 10000, 10000, 0, 0);
    } else {
        /* Injected short transfers and EAGAIN add syscalls and waits. */
        assert_int_equal(k.sendfile_tries, 4);
        assert_int_equal(k.sendfile_byte, 15010);
        assert_int_equal(k.sendfile_max, 10000);
        assert_int_equal(k.sendfile_fails, 0);
        assert_true(k.sendfile_pkg >= 3);
        assert_true(k.sendfile >= k.sendfile_pkg + 3);
        assert_true(k.sendfile_pkg_max > 0 && k.sendfile_pkg_max <= 10000);
    }

    /* An OS error ends the operation: one more try, syscall and fail
     * (OTP: {error, ebadf} for a file opened write-only). */
    char path[] = "/tmp/esock-sendfile-wo-XXXXXX";
    int rw = mkstemp(path);
    assert_true(rw >= 0);
    int wfd = open(path, O_WRONLY);
    unlink(path);
    close(rw);
    assert_true(wfd >= 0);
    uint64_t calls_before = counters_of(c).sendfile;
    assert_int_equal(esock_sendfile(c, wfd, 0, 10, 1000, &sent, NULL), -EBADF);
    close(wfd);
    k = counters_of(c);
    assert_int_equal(k.sendfile_tries, 5);
    assert_int_equal(k.sendfile_fails, 1);
    assert_true(k.sendfile >= calls_before + 1);
    if (!faults_on())
        assert_int_equal(k.sendfile, calls_before + 1);

    /* No unfinished operation to continue. */
    assert_int_equal(esock_sendfile_continue(c, 1000, &sent, NULL), ESOCK_EXBADSEQ);
    /* Bad arguments are refused before anything starts: no counter moves. */
    assert_int_equal(esock_sendfile(c, -1, 0, 10, 1000, &sent, NULL), -EBADF);
    assert_int_equal(esock_sendfile(c, fd, -1, 10, 1000, &sent, NULL), ESOCK_EINVAL_VALUE);
    assert_int_equal(counters_of(c).sendfile_tries, 5);
    int p[2];
    ok(pipe(p));
    close(p[1]);
    int rc = esock_sendfile(c, p[0], 0, 10, 1000, &sent, NULL); /* a pipe cannot be mmapped */
    assert_true(rc == -EINVAL || rc == -ESPIPE);
    assert_int_equal(counters_of(c).sendfile_fails, 2);
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

/* A seam sendfile that moves at most 1000 bytes a call and fails every
 * fourth call with EAGAIN (the socket stays writable, so the wait that
 * follows returns at once): a fixed pattern of syscalls, bursts and waits,
 * also in a fault run (this entry replaces the injecting one). */
static unsigned fake_calls;
static ssize_t fake_sendfile(int out, int in, off_t *off, size_t len)
{
    if (++fake_calls % 4 == 0) {
        errno = EAGAIN;
        return -1;
    }
    return esock__sys_default.sendfile(out, in, off, len < 1000 ? len : 1000);
}

static void sendfile_counters_per_syscall_and_burst(void **state)
{
    (void)state;
    int fd = temp_file(20000);
    esock_t c, s;
    tcp_pair4(&c, &s);
    fake_calls = 0;
    esock__sys.sendfile = fake_sendfile;
    size_t sent = 0;
    /* 10000 bytes: 1000 1000 1000 EAGAIN | 1000 1000 1000 EAGAIN |
     * 1000 1000 1000 EAGAIN | 1000: 13 syscalls, 10 that moved bytes,
     * 3 waits, bursts of 3000 3000 3000 1000. */
    int rc = esock_sendfile(c, fd, 0, 10000, 5000, &sent, NULL);
    esock__sys_reset();
    ok(rc);
    assert_int_equal(sent, 10000);
    expect_bytes(s, 0, 10000);
    expect_sendfile_counters(c, 1, 13, 10, 10000, 3000, 10000, 0, 3);

    /* nowait: the first call stops at the first EAGAIN (a select watch,
     * one wait); each continuation moves up to three more chunks. The
     * operation's total goes on across the continuations (sendfile_max),
     * the stretch restarts with each call (sendfile_pkg_max). */
    fake_calls = 1; /* EAGAIN on the 3rd syscall of this run */
    esock__sys.sendfile = fake_sendfile;
    esock_select_info_t si = {0};
    rc = esock_sendfile(c, fd, 10000, 0, ESOCK_NOWAIT, &sent, &si);
    assert_int_equal(rc, ESOCK_SELECT_PARTIAL);
    assert_int_equal(sent, 2000);
    size_t total = sent;
    int rounds = 0;
    while (rc == ESOCK_SELECT_PARTIAL || rc == ESOCK_SELECT) {
        assert_true(++rounds < 20);
        esock_msg_t match = {.kind = ESOCK_MSG_SELECT, .socket = c.id, .ref = si.handle};
        esock_msg_t msg;
        ok(esock_mbox_recv_match(esock_mbox_self(), &match, &msg, 5000));
        esock_msg_free(&msg);
        rc = esock_sendfile_continue(c, ESOCK_NOWAIT, &sent, &si);
        total += sent;
    }
    esock__sys_reset();
    ok(rc);
    assert_int_equal(total, 10000);
    expect_bytes(s, 10000, 10000);
    /* 2000 | 3000 | 3000 | 2000 then 0 (end of file): 3+4+4+3 syscalls,
     * 10 moved bytes, 3 select watches; plus the first operation. */
    expect_sendfile_counters(c, 2, 13 + 14, 10 + 10, 20000, 3000, 10000, 0, 3 + 3);
    ok(esock_close(c));
    ok(esock_close(s));
    close(fd);
}

/* sendfile (syscalls) = the ones that moved bytes + the ones that would
 * block (each followed by one wait) + extra (ended at end of file).
 * Injected EINTR would add retried syscalls without a wait. */
static void expect_calls(esock_counters_t k, uint64_t extra)
{
    struct esock__faults f;
    esock__sys_faults(&f);
    if (f.eintr_pct == 0)
        assert_int_equal(k.sendfile, k.sendfile_pkg + k.sendfile_waits + extra);
    else
        assert_true(k.sendfile >= k.sendfile_pkg + k.sendfile_waits + extra);
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
    int64_t t0 = now_ms();
    assert_int_equal(esock_sendfile(c, fd, 100, 0, 100, &sent1, NULL), ESOCK_ETIMEOUT);
    int64_t dt = now_ms() - t0;
    assert_true(dt >= 95 && dt < 5000);
    assert_true(sent1 > 0 && sent1 < size - 100);
    esock_counters_t k = counters_of(c);
    assert_int_equal(k.sendfile_tries, 1);
    assert_true(k.sendfile_waits >= 1); /* the last one timed out */
    assert_int_equal(k.sendfile_byte, sent1);
    assert_int_equal(k.sendfile_max, sent1); /* counted as it goes, not at the end */
    assert_true(k.sendfile_pkg_max > 0 && k.sendfile_pkg_max <= sent1);
    assert_int_equal(k.sendfile_fails, 0);
    /* Every syscall moved bytes or would block (then waited once). */
    expect_calls(k, 0);
    struct reader r = {.s = s, .from = 100, .n = size - 100};
    pthread_t t;
    ok(pthread_create(&t, NULL, read_all, &r));
    ok(esock_sendfile_continue(c, 20000, &sent2, NULL));
    ok(pthread_join(t, NULL));
    assert_int_equal(r.ok, 1);
    assert_int_equal(sent1 + sent2, size - 100);
    k = counters_of(c);
    assert_int_equal(k.sendfile_tries, 1); /* a continuation is no new try */
    assert_int_equal(k.sendfile_byte, size - 100);
    assert_int_equal(k.sendfile_max, size - 100); /* the whole operation, across calls */
    /* A stretch between two waits is less than the whole, and the waits
     * cut the bytes into at most waits + 2 (calls) stretches. */
    assert_true(k.sendfile_pkg_max < size - 100);
    assert_true(k.sendfile_pkg_max >= (size - 100) / (k.sendfile_waits + 2));
    expect_calls(k, 1); /* and the one that found the end of the file */
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
    esock_counters_t k = counters_of(c);
    assert_int_equal(k.sendfile_byte, size);
    assert_int_equal(k.sendfile_tries, 1);
    assert_int_equal(k.sendfile_max, size);
    assert_true(k.sendfile_waits >= (uint64_t)rounds); /* one select watch per round */
    assert_true(k.sendfile_pkg_max < size);
    expect_calls(k, 0); /* a count: no syscall at the end of the file */
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
    T(sendfile_counters_per_syscall_and_burst),
    T(sendfile_continue_after_timeout),
    T(sendfile_nowait_continuation),
    T(sendfile_state_freed_on_close),
};
const size_t sendfile_count = sizeof sendfile_tests / sizeof sendfile_tests[0];
