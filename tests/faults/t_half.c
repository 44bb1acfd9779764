/*
 * Half-close in each direction, for the socket API and for inet:
 *  - the peer shuts down its write side: reads end (closed) after every
 *    byte sent before it, and this side still sends; for inet that needs
 *    exit_on_close false (with the default the port goes away, as inet);
 *  - this side shuts down its write side (esock_shutdown /
 *    esock_inet_shutdown): the peer reads everything and then end of file,
 *    this side can no longer send but still receives.
 */
#include "ft.h"
#include "rawstream.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A socket-API socket accepted from a listener, and its plain peer. */
static int socket_with_peer(esock_t *s)
{
    esock_t l;
    ok(esock_open(AF_INET, SOCK_STREAM, 0, &l));
    esock_sockaddr_t sa = lo4(0);
    ok(esock_bind(l, &sa));
    ok(esock_listen(l, 4));
    int peer = raw_connect(ft_port(l));
    ok(esock_accept(l, 1000, s, NULL));
    ok(esock_close(l));
    return peer;
}

/* The plain peer reads n bytes then end of file. */
static void peer_reads_then_eof(int peer, const char *want, size_t n)
{
    char b[64];
    rd(peer, b, n);
    assert_memory_equal(b, want, n);
    struct pollfd p = {.fd = peer, .events = POLLIN};
    assert_int_equal(poll(&p, 1, 2000), 1);
    assert_int_equal(read(peer, b, sizeof b), 0);
}

/* ---- socket API ---------------------------------------------------------------- */

static void socket_peer_shuts_write(void **st)
{
    (void)st;
    esock_t s;
    int peer = socket_with_peer(&s);
    wr(peer, "last words", 10);
    assert_int_equal(shutdown(peer, SHUT_WR), 0);
    char b[32];
    size_t got;
    /* A length that cannot be met: the bytes come with closed. */
    assert_int_equal(esock_recv(s, b, 20, 20, 0, 2000, &got, NULL), ESOCK_ECLOSED);
    assert_int_equal(got, 10);
    assert_memory_equal(b, "last words", 10);
    assert_int_equal(esock_recv(s, b, 0, sizeof b, 0, 1000, &got, NULL), ESOCK_ECLOSED);
    /* Our direction is still open. */
    ok(esock_send(s, "reply", 5, 0, 1000, NULL, NULL));
    char r[5];
    rd(peer, r, 5);
    assert_memory_equal(r, "reply", 5);
    close(peer);
    ok(esock_close(s));
}

static void socket_shuts_write(void **st)
{
    (void)st;
    esock_t s;
    int peer = socket_with_peer(&s);
    ok(esock_send(s, "bye", 3, 0, 1000, NULL, NULL));
    ok(esock_shutdown(s, SHUT_WR));
    peer_reads_then_eof(peer, "bye", 3);
    esock_socket_info_t i;
    ok(esock_info_socket(s, &i));
    assert_false(i.writable);
    assert_true(i.readable);
    size_t sent = 9;
    assert_int_equal(esock_send(s, "more", 4, 0, 1000, &sent, NULL), -EPIPE);
    assert_int_equal(sent, 0);
    /* Still receiving. */
    wr(peer, "answer", 6);
    char b[8];
    size_t got;
    ok(esock_recv(s, b, 6, 6, 0, 1000, &got, NULL));
    assert_memory_equal(b, "answer", 6);
    close(peer);
    ok(esock_close(s));
}

/* ---- inet, passive ---------------------------------------------------------------- */

static void inet_peer_shuts_write_passive(void **st)
{
    (void)st;
    const esock_inet_opt_t o[] = {IOPT(ACTIVE, ESOCK_INET_ACTIVE_FALSE), IOPT(PACKET, ESOCK_INET_PACKET_1),
                                  IOPT(EXIT_ON_CLOSE, 0)};
    esock_inet_t a;
    int peer = inet_peer_accepted(o, NELEM(o), ESOCK_INET_NO_OWNER, &a);
    wr(peer, "\4ping", 5);
    assert_int_equal(shutdown(peer, SHUT_WR), 0);
    char b[16];
    size_t got;
    ok(esock_inet_recv(a, b, sizeof b, 0, &got, 1000)); /* what came before the FIN */
    assert_int_equal(got, 4);
    assert_memory_equal(b, "ping", 4);
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 1000), ESOCK_ECLOSED);
    /* exit_on_close false: the socket still sends after the peer's shutdown */
    ok(esock_inet_send(a, "pong", 4));
    ok(esock_inet_send(a, "done", 4));
    rd(peer, b, 10);
    assert_memory_equal(b, "\4pong\4done", 10);
    close(peer);
    ok(esock_inet_close(a));
}

static void inet_peer_shuts_write_default(void **st)
{
    (void)st;
    /* exit_on_close true (default): closed, then the port is gone */
    const esock_inet_opt_t o[] = {IOPT(ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
    esock_inet_t a;
    int peer = inet_peer_accepted(o, NELEM(o), ESOCK_INET_NO_OWNER, &a);
    assert_int_equal(shutdown(peer, SHUT_WR), 0);
    char b[16];
    size_t got;
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 1000), ESOCK_ECLOSED);
    assert_int_equal(esock_inet_send(a, "late", 4), ESOCK_ECLOSED);
    /* the peer sees our side closed */
    struct pollfd p = {.fd = peer, .events = POLLIN};
    assert_int_equal(poll(&p, 1, 2000), 1);
    assert_int_equal(read(peer, b, sizeof b), 0);
    close(peer);
    ok(esock_inet_close(a));
}

static void inet_shuts_write(void **st)
{
    (void)st;
    const esock_inet_opt_t o[] = {IOPT(ACTIVE, ESOCK_INET_ACTIVE_FALSE), IOPT(PACKET, ESOCK_INET_PACKET_1)};
    esock_inet_t a;
    int peer = inet_peer_accepted(o, NELEM(o), ESOCK_INET_NO_OWNER, &a);
    ok(esock_inet_send(a, "bye", 3));
    ok(esock_inet_shutdown(a, SHUT_WR));
    peer_reads_then_eof(peer, "\3bye", 4);
    int rc = esock_inet_send(a, "more", 4);
    assert_true(rc == ESOCK_ECLOSED || rc == -EPIPE);
    /* Still receiving. */
    wr(peer, "\6answer", 7);
    char b[8];
    size_t got;
    ok(esock_inet_recv(a, b, sizeof b, 0, &got, 1000));
    assert_int_equal(got, 6);
    assert_memory_equal(b, "answer", 6);
    close(peer);
    ok(esock_inet_close(a));
}

/* ---- inet, active ------------------------------------------------------------------ */

static esock_inet_msg_t *expect(esock_mbox_t mb, int kind)
{
    esock_inet_msg_t *m = ft_inet_msg(mb, 2000);
    assert_non_null(m);
    if ((int)m->kind != kind)
        fprintf(stderr, "expected message kind %d, got %d (error %d)\n", kind, m->kind, m->error);
    assert_int_equal(m->kind, kind);
    return m;
}

static void inet_peer_shuts_write_active(void **st)
{
    (void)st;
    esock_mbox_t mb;
    ok(esock_mbox_create(&mb));
    const esock_inet_opt_t o[] = {IOPT(ACTIVE, ESOCK_INET_ACTIVE_TRUE), IOPT(PACKET, ESOCK_INET_PACKET_1),
                                  IOPT(EXIT_ON_CLOSE, 0)};
    esock_inet_t a;
    int peer = inet_peer_accepted(o, NELEM(o), mb, &a);
    wr(peer, "\4ping", 5);
    assert_int_equal(shutdown(peer, SHUT_WR), 0);
    esock_inet_msg_t *m = expect(mb, ESOCK_INET_MSG_DATA);
    assert_int_equal(m->len, 4);
    assert_memory_equal(m->data, "ping", 4);
    esock_inet_msg_free(m);
    esock_inet_msg_free(expect(mb, ESOCK_INET_MSG_CLOSED));
    assert_null(ft_inet_msg(mb, 100)); /* closed once */
    ok(esock_inet_send(a, "pong", 4)); /* and still sending */
    char b[8];
    rd(peer, b, 5);
    assert_memory_equal(b, "\4pong", 5);
    close(peer);
    ok(esock_inet_close(a));
    ok(esock_mbox_destroy(mb));
}

static void inet_shuts_write_active(void **st)
{
    (void)st;
    esock_mbox_t mb;
    ok(esock_mbox_create(&mb));
    const esock_inet_opt_t o[] = {IOPT(ACTIVE, ESOCK_INET_ACTIVE_TRUE), IOPT(PACKET, ESOCK_INET_PACKET_1)};
    esock_inet_t a;
    int peer = inet_peer_accepted(o, NELEM(o), mb, &a);
    ok(esock_inet_send(a, "bye", 3));
    ok(esock_inet_shutdown(a, SHUT_WR));
    peer_reads_then_eof(peer, "\3bye", 4);
    wr(peer, "\6answer", 7); /* the peer answers into our read half */
    esock_inet_msg_t *m = expect(mb, ESOCK_INET_MSG_DATA);
    assert_int_equal(m->len, 6);
    assert_memory_equal(m->data, "answer", 6);
    esock_inet_msg_free(m);
    close(peer);
    esock_inet_msg_free(expect(mb, ESOCK_INET_MSG_CLOSED));
    assert_null(ft_inet_msg(mb, 100));
    ok(esock_inet_close(a));
    ok(esock_mbox_destroy(mb));
}

/* ---- close / shutdown with queued output, no eventfd -------------------------------- *
 * A thread's first wait makes its eventfd (the way close wakes it). When
 * descriptors are exhausted that fails: shutdown must say so and keep the
 * queue, and close, which nothing needs to wake, must still write the queue
 * out to a peer that reads it. */

static int no_eventfd(unsigned int v, int flags)
{
    (void)v;
    (void)flags;
    errno = EMFILE;
    return -1;
}

#define QUEUED_BYTES (1024 * 1024)

typedef struct {
    esock_inet_t a;
    int shut_rc, close_rc;
    uint64_t kept;
} closer_t;

/* On a thread that never waited, so its eventfd is made (and fails) here. */
static void *shut_then_close(void *arg)
{
    closer_t *c = arg;
    c->shut_rc = esock_inet_shutdown(c->a, SHUT_WR);
    esock_inet_info_t inf;
    if (esock_inet_info(c->a, &inf) == 0)
        c->kept = inf.output;
    c->close_rc = esock_inet_close(c->a);
    return NULL;
}

static void inet_close_without_eventfd(void **st)
{
    (void)st;
    const esock_inet_opt_t o[] = {IOPT(ACTIVE, ESOCK_INET_ACTIVE_FALSE), IOPT(HIGH_WATERMARK, 16 << 20),
                                  IOPT(LOW_WATERMARK, 8 << 20), IOPT(SNDBUF, 4096), IOPT(SEND_TIMEOUT, 2000)};
    esock_inet_t a;
    int peer = inet_peer_accepted(o, NELEM(o), ESOCK_INET_NO_OWNER, &a);
    int small = 4096; /* the peer's window stays small: most bytes queue in esock */
    assert_int_equal(setsockopt(peer, SOL_SOCKET, SO_RCVBUF, &small, sizeof small), 0);
    uint8_t *out = malloc(QUEUED_BYTES);
    assert_non_null(out);
    fill_pat(out, 0, QUEUED_BYTES);
    ok(esock_inet_send_ex(a, out, QUEUED_BYTES, ESOCK_NOWAIT));
    esock_inet_info_t inf;
    ok(esock_inet_info(a, &inf));
    assert_true(inf.output > 0);
    esock__sys.eventfd = no_eventfd;
    closer_t c = {.a = a};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, shut_then_close, &c), 0);
    msleep(300); /* the shutdown and the close start with nobody reading */
    raw_reader_t r = {.fd = peer, .chunk = 65536};
    assert_int_equal(pthread_create(&r.th, NULL, raw_reader_main, &r), 0);
    pthread_join(th, NULL);
    pthread_join(r.th, NULL);
    esock__sys_reset();
    if (c.shut_rc != -EMFILE || c.kept == 0 || c.close_rc != 0 || r.got != QUEUED_BYTES || r.end)
        fprintf(stderr, "shutdown %d (%llu bytes kept), close %d; the peer got %zu of %d, ended %d\n",
                c.shut_rc, (unsigned long long)c.kept, c.close_rc, r.got, QUEUED_BYTES, r.end);
    assert_int_equal(c.shut_rc, -EMFILE); /* said, not shut down ... */
    assert_true(c.kept > 0);              /* ... and the queue kept */
    assert_int_equal(c.close_rc, 0);
    assert_int_equal(r.got, QUEUED_BYTES); /* close wrote it all */
    assert_int_equal(r.bad_at, SIZE_MAX);
    assert_int_equal(r.end, 0);
    free(out);
    close(peer);
}

const struct CMUnitTest ft_half_tests[] = {
    cmocka_unit_test(socket_peer_shuts_write),
    cmocka_unit_test(socket_shuts_write),
    cmocka_unit_test(inet_peer_shuts_write_passive),
    cmocka_unit_test(inet_peer_shuts_write_default),
    cmocka_unit_test(inet_shuts_write),
    cmocka_unit_test(inet_peer_shuts_write_active),
    cmocka_unit_test(inet_shuts_write_active),
    cmocka_unit_test(inet_close_without_eventfd),
};
const size_t ft_half_count = NELEM(ft_half_tests);
