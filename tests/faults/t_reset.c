/*
 * A peer reset (RST: the peer closes with SO_LINGER {1, 0}) in the middle
 * of a {packet,4} packet, on an inet socket in passive and in active mode,
 * with show_econnreset off and on. As inet does (OTP-NOTES 1.3, inet.txt):
 * the partial packet is dropped; passive recv returns closed (or
 * econnreset), then enotconn once the port is gone (exit_on_close); active
 * mode posts closed (or tcp_error econnreset, then closed) exactly once and
 * never a data message. Nothing leaks: no block allocated through the seam
 * outlives the socket, no descriptor, no table entry.
 */
#include "ft.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Header of a 100-byte packet, and 10 bytes of it. */
static const uint8_t partial[14] = {0, 0, 0, 100, 'p', 'a', 'r', 't', 'i', 'a', 'l', '.', '.', '.'};

/* Waits (bounded) until the socket has buffered the partial packet: then
 * the RST really comes in the middle of a packet the library holds. In
 * active mode the owner's loop does the reading: messages are pumped and
 * none may come. */
static void wait_buffered(esock_inet_t s, esock_mbox_t mb, bool active)
{
    int64_t end = now_ms() + 2000;
    for (;;) {
        esock_inet_info_t i;
        ok(esock_inet_info(s, &i));
        if (i.input == sizeof partial)
            return;
        assert_true(now_ms() < end);
        if (active) {
            esock_inet_msg_t *m = ft_inet_msg(mb, 10);
            assert_null(m); /* no data message for half a packet */
        } else {
            char b[8];
            size_t got;
            int rc = esock_inet_recv(s, b, sizeof b, 0, &got, 10);
            if (rc != ESOCK_ETIMEOUT)
                fprintf(stderr, "recv of half a packet: %d (%s)\n", rc, esock_errname(rc));
            assert_int_equal(rc, ESOCK_ETIMEOUT);
        }
    }
}

static void reset_passive(bool show)
{
    ft_alloc_track();
    long live0 = ft_alloc_live();
    const esock_inet_opt_t o[] = {IOPT(ACTIVE, ESOCK_INET_ACTIVE_FALSE),
                                  IOPT(PACKET, ESOCK_INET_PACKET_4), IOPT(SHOW_ECONNRESET, show)};
    esock_inet_t a;
    int peer = inet_peer_accepted(o, NELEM(o), ESOCK_INET_NO_OWNER, &a);
    wr(peer, partial, sizeof partial);
    wait_buffered(a, (esock_mbox_t){0}, false);
    rst_close(peer);
    char b[128];
    size_t got = 7;
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 2000), show ? -ECONNRESET : ESOCK_ECLOSED);
    assert_int_equal(got, 0);
    /* the port is gone (exit_on_close): the partial packet with it */
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 100), -ENOTCONN);
    esock_inet_info_t i;
    int irc = esock_inet_info(a, &i); /* einval once the port is gone, as inet */
    assert_true(irc == -EINVAL || (irc == 0 && i.input == 0));
    int rc = esock_inet_send(a, "x", 1);
    assert_true(rc == ESOCK_ECLOSED || rc == -ENOTCONN);
    ok(esock_inet_close(a));
    assert_int_equal(ft_alloc_live(), live0);
    esock__sys_reset();
}

static void reset_passive_closed(void **st)
{
    (void)st;
    reset_passive(false);
}

static void reset_passive_econnreset(void **st)
{
    (void)st;
    reset_passive(true);
}

static void reset_active(bool show, int active)
{
    esock_mbox_t mb;
    ok(esock_mbox_create(&mb));
    ft_alloc_track();
    long live0 = ft_alloc_live();
    const esock_inet_opt_t o[] = {IOPT(ACTIVE, active), IOPT(PACKET, ESOCK_INET_PACKET_4),
                                  IOPT(SHOW_ECONNRESET, show)};
    esock_inet_t a;
    int peer = inet_peer_accepted(o, NELEM(o), mb, &a);
    wr(peer, partial, sizeof partial);
    wait_buffered(a, mb, true);
    rst_close(peer);
    esock_inet_msg_t *m = ft_inet_msg(mb, 2000);
    assert_non_null(m);
    if (show) {
        assert_int_equal(m->kind, ESOCK_INET_MSG_ERROR);
        assert_int_equal(m->error, -ECONNRESET);
        assert_int_equal(m->sock.id, a.id);
        esock_inet_msg_free(m);
        m = ft_inet_msg(mb, 2000);
        assert_non_null(m);
    }
    assert_int_equal(m->kind, ESOCK_INET_MSG_CLOSED);
    assert_int_equal(m->sock.id, a.id);
    esock_inet_msg_free(m);
    /* Exactly once: nothing more, also not when the socket is made
     * active again. */
    const esock_inet_opt_t again[] = {IOPT(ACTIVE, ESOCK_INET_ACTIVE_ONCE)};
    int rc = esock_inet_setopts(a, again, 1);
    assert_true(rc == 0 || rc == -EINVAL || rc == -ENOTCONN);
    m = ft_inet_msg(mb, 100);
    if (m != NULL)
        fprintf(stderr, "unexpected message kind %d after the reset\n", m->kind);
    assert_null(m);
    ok(esock_inet_close(a));
    assert_null(ft_inet_msg(mb, 0));
    ok(esock_mbox_destroy(mb)); /* (its readiness set grew for the socket) */
    if (ft_alloc_live() != live0)
        ft_alloc_dump();
    assert_int_equal(ft_alloc_live(), live0);
    esock__sys_reset();
}

static void reset_active_closed(void **st)
{
    (void)st;
    reset_active(false, ESOCK_INET_ACTIVE_TRUE);
}

static void reset_active_econnreset(void **st)
{
    (void)st;
    reset_active(true, ESOCK_INET_ACTIVE_TRUE);
}

static void reset_active_once_econnreset(void **st)
{
    (void)st;
    reset_active(true, ESOCK_INET_ACTIVE_ONCE);
}

static void reset_active_n_closed(void **st)
{
    (void)st;
    reset_active(false, 5);
}

/* The same on the connecting side, with exit_on_close false: after the
 * reset is reported the socket keeps its handle and reports the reset to
 * a sender instead of writing into a dead connection. */
static void reset_connector_keeps_handle(void **st)
{
    (void)st;
    esock_mbox_t mb;
    ok(esock_mbox_create(&mb));
    uint16_t port;
    int lfd = raw_listener(&port);
    esock_sockaddr_t to = lo4(port);
    const esock_inet_opt_t o[] = {IOPT(ACTIVE, ESOCK_INET_ACTIVE_TRUE), IOPT(PACKET, ESOCK_INET_PACKET_4),
                                  IOPT(SHOW_ECONNRESET, 1), IOPT(EXIT_ON_CLOSE, 0)};
    esock_inet_t c;
    ok(esock_inet_connect(&c, &to, o, NELEM(o), mb, 1000));
    int peer = raw_accept(lfd);
    close(lfd);
    wr(peer, partial, sizeof partial);
    wait_buffered(c, mb, true);
    rst_close(peer);
    esock_inet_msg_t *m = ft_inet_msg(mb, 2000);
    assert_non_null(m);
    assert_int_equal(m->kind, ESOCK_INET_MSG_ERROR);
    assert_int_equal(m->error, -ECONNRESET);
    esock_inet_msg_free(m);
    m = ft_inet_msg(mb, 2000);
    assert_non_null(m);
    assert_int_equal(m->kind, ESOCK_INET_MSG_CLOSED);
    esock_inet_msg_free(m);
    int rc = esock_inet_send(c, "late", 4);
    assert_true(rc < 0); /* econnreset / closed / epipe: never 0 into a reset connection twice */
    assert_null(ft_inet_msg(mb, 100));
    ok(esock_inet_close(c));
    ok(esock_mbox_destroy(mb));
}

const struct CMUnitTest ft_reset_tests[] = {
    cmocka_unit_test(reset_passive_closed),      cmocka_unit_test(reset_passive_econnreset),
    cmocka_unit_test(reset_active_closed),       cmocka_unit_test(reset_active_econnreset),
    cmocka_unit_test(reset_active_once_econnreset), cmocka_unit_test(reset_active_n_closed),
    cmocka_unit_test(reset_connector_keeps_handle),
};
const size_t ft_reset_count = NELEM(ft_reset_tests);
