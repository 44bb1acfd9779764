/* nowait operations, select and abort messages, cancel, monitors. */
#include "helpers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Completes a nowait stream recv of want bytes the way a program would:
 * call, and on select wait for the select message and call again. Bounded. */
static size_t nowait_recv_all(esock_t s, char *buf, size_t have, size_t want)
{
    for (int i = 0; i < 1000 && have < want; i++) {
        size_t got = 0;
        esock_select_info_t si = {0};
        int rc = esock_recv(s, buf + have, want - have, want - have, 0, ESOCK_NOWAIT, &got, &si);
        have += got;
        if (rc == ESOCK_SELECT || rc == ESOCK_SELECT_PARTIAL) {
            esock_msg_t want_msg = {.kind = ESOCK_MSG_SELECT, .ref = si.handle}, m;
            assert_int_equal(esock_mbox_recv_match(esock_mbox_self(), &want_msg, &m, 1000), 0);
        } else {
            assert_int_equal(rc, 0);
        }
    }
    return have;
}

static void test_nowait_recv_select_then_data(void **state)
{
    (void)state;
    esock_t c, s;
    ok(tcp_pair(AF_INET, &c, &s));
    char buf[8];
    size_t got;
    esock_select_info_t si = {0};
    assert_int_equal(esock_recv(s, buf, 0, sizeof buf, 0, ESOCK_NOWAIT, &got, &si), ESOCK_SELECT);
    assert_int_equal(si.tag, ESOCK_OP_RECV);
    assert_true(si.handle != 0);
    ok(esock_send(c, "hi", 2, 0, 1000, NULL, NULL));
    esock_msg_t m;
    ok(esock_mbox_recv(esock_mbox_self(), &m, 1000));
    assert_int_equal(m.kind, ESOCK_MSG_SELECT);
    assert_int_equal(m.socket, s.id);
    assert_int_equal(m.tag, ESOCK_OP_RECV);
    assert_int_equal(m.ref, si.handle);
    assert_int_equal(nowait_recv_all(s, buf, 0, 2), 2);
    assert_memory_equal(buf, "hi", 2);
    (void)got;
    ok(esock_close(c));
    ok(esock_close(s));
}

static void test_nowait_partial_recv_and_caller_handle(void **state)
{
    (void)state;
    esock_t c, s;
    ok(tcp_pair(AF_INET, &c, &s));
    ok(esock_send(c, "abc", 3, 0, 1000, NULL, NULL));
    char buf[6];
    size_t got;
    /* The select_handle() form: the caller picks the handle. */
    esock_select_info_t si = {.handle = 0xfeed};
    /* {ok, {Data, SelectInfo}}: part of Length now, a select for the rest. */
    int rc;
    do /* the data may take a moment to arrive on loopback */
        rc = esock_recv(s, buf, 6, 6, 0, ESOCK_NOWAIT, &got, &si);
    while (rc == ESOCK_SELECT && (esock_mbox_recv(esock_mbox_self(), &(esock_msg_t){0}, 1000), 1));
    assert_int_equal(rc, ESOCK_SELECT_PARTIAL);
    assert_true(got >= 1 && got <= 3); /* 3, unless short reads are injected */
    if (!faults_on())
        assert_int_equal(got, 3);
    assert_int_equal(si.handle, 0xfeed);
    ok(esock_send(c, "def", 3, 0, 1000, NULL, NULL));
    esock_msg_t want = {.kind = ESOCK_MSG_SELECT, .ref = 0xfeed}, m;
    ok(esock_mbox_recv_match(esock_mbox_self(), &want, &m, 1000));
    assert_int_equal(nowait_recv_all(s, buf, got, 6), 6);
    assert_memory_equal(buf, "abcdef", 6);
    ok(esock_close(c));
    ok(esock_close(s));
}

static void test_cancel(void **state)
{
    (void)state;
    esock_t c, s;
    ok(tcp_pair(AF_INET, &c, &s));
    char buf[4];
    esock_select_info_t si = {0};
    assert_int_equal(esock_recv(s, buf, 0, 4, 0, ESOCK_NOWAIT, NULL, &si), ESOCK_SELECT);
    ok(esock_cancel(s, &si));
    /* Nothing in progress any more: the page's {invalid, SelectInfo}. */
    assert_int_equal(esock_cancel(s, &si), ESOCK_EINVAL_SELECTINFO);
    esock_select_info_t bogus = {ESOCK_OP_SEND, 424242};
    assert_int_equal(esock_cancel(s, &bogus), ESOCK_EINVAL_SELECTINFO);
    /* After cancel no select message arrives even when data comes. */
    ok(esock_send(c, "x", 1, 0, 1000, NULL, NULL));
    esock_msg_t m;
    assert_int_equal(esock_mbox_recv(esock_mbox_self(), &m, 100), ESOCK_ETIMEOUT);
    /* And a blocking recv is not held up by the cancelled one. */
    size_t got;
    ok(esock_recv(s, buf, 1, 4, 0, 1000, &got, NULL));
    ok(esock_close(c));
    ok(esock_close(s));
}

static void test_abort_on_close(void **state)
{
    (void)state;
    esock_t c, s;
    ok(tcp_pair(AF_INET, &c, &s));
    char buf[4];
    esock_select_info_t si = {0};
    assert_int_equal(esock_recv(s, buf, 0, 4, 0, ESOCK_NOWAIT, NULL, &si), ESOCK_SELECT);
    ok(esock_close(s));
    esock_msg_t m;
    ok(esock_mbox_recv(esock_mbox_self(), &m, 1000));
    assert_int_equal(m.kind, ESOCK_MSG_ABORT);
    assert_int_equal(m.ref, si.handle);
    assert_int_equal(m.reason, ESOCK_ECLOSED);
    ok(esock_close(c));
}

static void test_nowait_accept_and_connect(void **state)
{
    (void)state;
    esock_t c, a;
    esock_sockaddr_t sa;
    esock_t l = tcp_listener(&sa, 5);
    esock_select_info_t asi = {0}, csi = {0};
    assert_int_equal(esock_accept(l, ESOCK_NOWAIT, &a, &asi), ESOCK_SELECT);
    assert_int_equal(asi.tag, ESOCK_OP_ACCEPT);
    ok(esock_open(AF_INET, SOCK_STREAM, 0, &c));
    int rc = esock_connect(c, &sa, ESOCK_NOWAIT, &csi);
    assert_true(rc == 0 || rc == ESOCK_SELECT);
    int got_accept = 0, got_connect = rc == 0;
    for (int i = 0; i < 4 && !(got_accept && got_connect); i++) {
        esock_msg_t m;
        ok(esock_mbox_recv(esock_mbox_self(), &m, 1000));
        assert_int_equal(m.kind, ESOCK_MSG_SELECT);
        if (m.tag == ESOCK_OP_ACCEPT) {
            ok(esock_accept(l, ESOCK_NOWAIT, &a, &asi));
            got_accept = 1;
        } else if (m.tag == ESOCK_OP_CONNECT) {
            ok(esock_connect_finish(c));
            got_connect = 1;
        }
    }
    assert_true(got_accept && got_connect);
    ok(esock_close(a));
    ok(esock_close(c));
    ok(esock_close(l));
}

static void test_queued_nowait_gets_select_when_turn_comes(void **state)
{
    (void)state;
    esock_t c, s;
    ok(tcp_pair(AF_INET, &c, &s));
    esock_mbox_t other;
    ok(esock_mbox_create(&other));
    char buf[4];
    esock_select_info_t si = {0};
    /* This thread's mailbox becomes the current reader. */
    assert_int_equal(esock_recv(s, buf, 0, 4, 0, ESOCK_NOWAIT, NULL, &si), ESOCK_SELECT);
    esock_socket_info_t in;
    ok(esock_info_socket(s, &in));
    assert_int_equal(in.num_readers, 1);
    ok(esock_cancel(s, &si));
    ok(esock_info_socket(s, &in));
    assert_int_equal(in.num_readers, 0);
    ok(esock_mbox_destroy(other));
    assert_int_equal(esock_mbox_destroy(other), ESOCK_ECLOSED);
    ok(esock_close(c));
    ok(esock_close(s));
}

static void test_monitor(void **state)
{
    (void)state;
    esock_t s;
    ok(esock_open(AF_INET, SOCK_DGRAM, 0, &s));
    esock_mbox_t mb;
    ok(esock_mbox_create(&mb));
    uint64_t r1, r2;
    ok(esock_monitor(s, mb, &r1));
    ok(esock_monitor(s, mb, &r2));
    ok(esock_cancel_monitor(r2));
    assert_int_equal(esock_cancel_monitor(r2), -ENOENT);
    ok(esock_close(s));
    esock_msg_t m;
    ok(esock_mbox_recv(mb, &m, 1000));
    assert_int_equal(m.kind, ESOCK_MSG_DOWN);
    assert_int_equal(m.ref, r1);
    assert_int_equal(m.socket, s.id);
    assert_int_equal(esock_mbox_recv(mb, &m, 50), ESOCK_ETIMEOUT); /* r2 was cancelled */
    /* Monitoring a socket that does not exist: DOWN at once with nosock. */
    uint64_t r3;
    ok(esock_monitor(s, mb, &r3));
    ok(esock_mbox_recv(mb, &m, 1000));
    assert_int_equal(m.kind, ESOCK_MSG_DOWN);
    assert_int_equal(m.ref, r3);
    assert_int_equal(m.reason, -ENOENT);
    ok(esock_mbox_destroy(mb));
}

/* Waits for the select message of si in the calling thread's mailbox. */
static void await_select(const esock_select_info_t *si, esock_t s)
{
    esock_msg_t pat = {.kind = ESOCK_MSG_SELECT, .ref = si->handle}, m;
    assert_int_equal(esock_mbox_recv_match(esock_mbox_self(), &pat, &m, 2000), 0);
    assert_int_equal(m.socket, s.id);
    assert_int_equal(m.tag, si->tag);
}

/* recvfrom and sendto in the nowait form: {select, SelectInfo}, then the
 * select message, then the call again completes. */
static void test_nowait_udp_recvfrom_sendto(void **state)
{
    (void)state;
    esock_t a, b;
    esock_sockaddr_t aa = loopback(AF_INET), ba = loopback(AF_INET), from;
    ok(esock_open(AF_INET, SOCK_DGRAM, 0, &a));
    ok(esock_open(AF_INET, SOCK_DGRAM, 0, &b));
    ok(esock_bind(a, &aa));
    ok(esock_bind(b, &ba));
    ok(esock_sockname(a, &aa));
    ok(esock_sockname(b, &ba));
    char buf[16];
    size_t got = 0, sent = 0;
    esock_select_info_t si = {0};
    assert_int_equal(esock_recvfrom(b, buf, sizeof buf, 0, ESOCK_NOWAIT, &got, &from, &si),
                     ESOCK_SELECT);
    assert_int_equal(si.tag, ESOCK_OP_RECVFROM);
    assert_true(si.handle != 0);
    assert_int_equal(got, 0);
    esock_select_info_t ssi = {0};
    int rc = ESOCK_SELECT;
    for (int i = 0; i < 50 && rc == ESOCK_SELECT; i++) {
        rc = esock_sendto(a, "dgram", 5, 0, &ba, ESOCK_NOWAIT, &sent, &ssi);
        if (rc == ESOCK_SELECT) { /* only with injected EAGAIN */
            assert_int_equal(ssi.tag, ESOCK_OP_SENDTO);
            await_select(&ssi, a);
        }
    }
    ok(rc);
    assert_int_equal(sent, 5);
    await_select(&si, b);
    rc = ESOCK_SELECT;
    for (int i = 0; i < 50 && rc == ESOCK_SELECT; i++) {
        rc = esock_recvfrom(b, buf, sizeof buf, 0, ESOCK_NOWAIT, &got, &from, &si);
        if (rc == ESOCK_SELECT)
            await_select(&si, b);
    }
    ok(rc);
    assert_int_equal(got, 5);
    assert_memory_equal(buf, "dgram", 5);
    assert_int_equal(from.u.in.port, aa.u.in.port);
    ok(esock_close(a));
    ok(esock_close(b));
}

/* A connected pair with a 64 KiB buffer each way, for the tests that
 * fill a send buffer. */
enum { CHUNK = 65536 };
struct stream {
    esock_t c, s;
    char *out, *in;
    size_t sent, drained; /* bytes c sent, bytes s took */
};

static void stream_open(struct stream *st)
{
    ok(tcp_pair(AF_INET, &st->c, &st->s));
    st->sent = st->drained = 0;
    st->out = calloc(1, CHUNK);
    st->in = malloc(CHUNK);
    assert_non_null(st->out);
    assert_non_null(st->in);
}

static void stream_close(struct stream *st)
{
    free(st->out);
    free(st->in);
    ok(esock_close(st->c));
    ok(esock_close(st->s));
}

/* Nowait sends of CHUNK bytes on c until one does not complete (the
 * send buffer is full): *si is then the writer's select info. Bounded. */
static void fill_send_buffer(struct stream *st, esock_select_info_t *si)
{
    int rc = 0;
    for (int i = 0; i < 2000; i++) {
        size_t sent = 0;
        rc = esock_send(st->c, st->out, CHUNK, 0, ESOCK_NOWAIT, &sent, si);
        st->sent += sent;
        if (rc != 0)
            break;
        assert_int_equal(sent, CHUNK);
    }
    assert_true(rc == ESOCK_SELECT || rc == ESOCK_SELECT_PARTIAL);
    assert_int_equal(si->tag, ESOCK_OP_SEND);
}

/* s takes what has come within 100 ms. */
static void drain_some(struct stream *st)
{
    size_t got = 0;
    int r = esock_recv(st->s, st->in, 0, CHUNK, 0, 100, &got, NULL);
    assert_true(r == 0 || r == ESOCK_ETIMEOUT);
    st->drained += got;
}

/* After the writer's select message: the writer goes on (the rest of its
 * last chunk is taken now, blocking), s takes everything, and every byte
 * arrived exactly once. */
static void finish_stream(struct stream *st)
{
    size_t sent = 0;
    ok(esock_send(st->c, st->out, 1000, 0, 2000, &sent, NULL));
    st->sent += sent;
    while (st->drained < st->sent) {
        size_t got = 0;
        ok(esock_recv(st->s, st->in, 0, CHUNK, 0, 2000, &got, NULL));
        st->drained += got;
    }
    assert_int_equal(st->drained, st->sent);
}

/* A nowait reader and a nowait writer on one socket, in one mailbox: the
 * mailbox keeps one watch for the fd with one argument for both directions,
 * so each select message must still go to its own operation. Input comes
 * first: the reader's message, and no other while the send buffer is full;
 * then the peer drains: the writer's. (With faults injected a send may
 * stop at an injected EAGAIN before the buffer is full: the writer's
 * message may then come early, but still as the writer's.) */
static void select_for(const esock_msg_t *m, esock_t c, const esock_select_info_t *rsi,
                      const esock_select_info_t *wsi, int *got_r, int *got_w)
{
    assert_int_equal(m->kind, ESOCK_MSG_SELECT);
    assert_int_equal(m->socket, c.id);
    if (m->tag == ESOCK_OP_RECV) {
        assert_int_equal(m->ref, rsi->handle);
        assert_false(*got_r);
        *got_r = 1;
    } else {
        assert_int_equal(m->tag, ESOCK_OP_SEND);
        assert_int_equal(m->ref, wsi->handle);
        assert_false(*got_w);
        *got_w = 1;
    }
}

static void test_nowait_reader_and_writer_on_one_socket(void **state)
{
    (void)state;
    struct stream st;
    stream_open(&st);
    esock_t c = st.c, s = st.s;
    esock_select_info_t wsi = {0}, rsi = {0};
    fill_send_buffer(&st, &wsi);
    char b[4];
    assert_int_equal(esock_recv(c, b, 0, sizeof b, 0, ESOCK_NOWAIT, NULL, &rsi), ESOCK_SELECT);
    assert_true(rsi.handle != wsi.handle);
    ok(esock_send(s, "r", 1, 0, 1000, NULL, NULL));
    esock_msg_t m;
    int got_r = 0, got_w = 0;
    while (!got_r) {
        ok(esock_mbox_recv(esock_mbox_self(), &m, 2000));
        select_for(&m, c, &rsi, &wsi, &got_r, &got_w);
    }
    if (esock_mbox_recv(esock_mbox_self(), &m, 50) == 0)
        select_for(&m, c, &rsi, &wsi, &got_r, &got_w);
    if (!faults_on())
        assert_false(got_w); /* the send buffer is still full */
    size_t got = 0;
    ok(esock_recv(c, b, 0, sizeof b, 0, 1000, &got, NULL));
    assert_int_equal(got, 1);
    /* Now drain until the writer's select message. */
    for (int i = 0; i < 100000 && !got_w; i++) {
        drain_some(&st);
        if (esock_mbox_recv(esock_mbox_self(), &m, 0) == 0)
            select_for(&m, c, &rsi, &wsi, &got_r, &got_w);
    }
    assert_true(got_w);
    finish_stream(&st);
    stream_close(&st);
}

/* A nowait stream send into a full socket: ESOCK_SELECT(_PARTIAL) with the
 * bytes sent so far, the select message once the peer reads, and every byte
 * arrives exactly once. */
static void test_nowait_send_full_buffer(void **state)
{
    (void)state;
    struct stream st;
    stream_open(&st);
    esock_select_info_t si = {0};
    fill_send_buffer(&st, &si);
    /* Drain on another path until the writer's select message arrives. */
    esock_msg_t pat = {.kind = ESOCK_MSG_SELECT, .ref = si.handle}, m;
    int got_select = 0;
    for (int i = 0; i < 100000 && !got_select; i++) {
        drain_some(&st);
        got_select = esock_mbox_recv_match(esock_mbox_self(), &pat, &m, 0) == 0;
    }
    assert_true(got_select);
    assert_int_equal(m.socket, st.c.id);
    finish_stream(&st);
    esock_socket_info_t ic;
    ok(esock_info_socket(st.c, &ic));
    assert_int_equal(ic.counters.write_byte, st.sent);
    assert_true(ic.counters.write_waits >= 1);
    stream_close(&st);
}

const struct CMUnitTest socket_async_tests[] = {
    cmocka_unit_test(test_nowait_recv_select_then_data),
    cmocka_unit_test(test_nowait_partial_recv_and_caller_handle),
    cmocka_unit_test(test_cancel),
    cmocka_unit_test(test_abort_on_close),
    cmocka_unit_test(test_nowait_accept_and_connect),
    cmocka_unit_test(test_queued_nowait_gets_select_when_turn_comes),
    cmocka_unit_test(test_monitor),
    cmocka_unit_test(test_nowait_udp_recvfrom_sendto),
    cmocka_unit_test(test_nowait_send_full_buffer),
    cmocka_unit_test(test_nowait_reader_and_writer_on_one_socket),
};
const size_t socket_async_count = sizeof socket_async_tests / sizeof socket_async_tests[0];
