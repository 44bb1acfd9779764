/*
 * inet tests: how a TCP socket's "port" ends with exit_on_close true.
 *
 * Two states, as the inet driver has them (checked against Erlang/OTP 25.2.3
 * on this machine, gen_tcp with the inet backend):
 *  - a passive recv returned the end of the stream (closed, econnreset with
 *    show_econnreset, or a framing error): the fd is closed but the port
 *    lives. recv is enotconn, send closed (enotconn after econnreset or
 *    emsgsize), getstat, getopts (inet options only) and setopts work,
 *    sockname and port are ebadf, peername and shutdown enotconn, no DOWN
 *    yet. Made active, it posts {tcp_closed, S} and only then is gone
 *    (DOWN normal).
 *  - the end was reported as an active message: the port is gone. Every
 *    inet call is einval (setopts even with no options), every gen_tcp call
 *    closed, and a new monitor fires at once.
 * A reset that a send meets first is reported the same way (last tests).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "helpers.h"

enum end_kind { END_CLOSE, END_RESET, END_EMSGSIZE };

/* The checks of a port whose fd a passive reader's end released. */
static void expect_fd_released(esock_inet_t a, int send_rc)
{
    char b[8];
    size_t got;
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 100), -ENOTCONN);
    assert_int_equal(esock_inet_send(a, "x", 1), send_rc);
    uint64_t v[ESOCK_STAT_COUNT_];
    assert_int_equal(esock_inet_getstat(a, NULL, 0, v), 0);
    /* inet options come back, kernel ones are left out */
    esock_inet_opt_t g[] = {OPTI(PACKET, 0), OPTI(NODELAY, 0), OPTI(ACTIVE, 0)};
    size_t n = 0;
    assert_int_equal(esock_inet_getopts(a, g, NOPTS(g), &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(g[0].name, ESOCK_IOPT_PACKET);
    assert_int_equal(g[1].name, ESOCK_IOPT_ACTIVE);
    assert_int_equal(g[1].v.i, ESOCK_INET_ACTIVE_FALSE);
    /* a raw option too: left out of getopts, taken and ignored by setopts */
    int one = 1, out = 7;
    esock_inet_opt_t raw = {.name = ESOCK_IOPT_RAW};
    raw.v.raw.level = IPPROTO_TCP;
    raw.v.raw.optname = TCP_NODELAY;
    raw.v.raw.buf = &out;
    raw.v.raw.len = sizeof out;
    assert_int_equal(esock_inet_getopts(a, &raw, 1, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(out, 7);
    raw.v.raw.buf = &one;
    assert_int_equal(esock_inet_setopts(a, &raw, 1), 0);
    const esock_inet_opt_t nd[] = {OPTI(NODELAY, 1)};
    assert_int_equal(esock_inet_setopts(a, nd, 1), 0); /* taken and ignored */
    esock_sockaddr_t sa;
    uint16_t port;
    assert_int_equal(esock_inet_sockname(a, &sa), -EBADF);
    assert_int_equal(esock_inet_port(a, &port), -EBADF);
    assert_int_equal(esock_inet_peername(a, &sa), -ENOTCONN);
    assert_int_equal(esock_inet_shutdown(a, SHUT_WR), -ENOTCONN);
    assert_int_equal(esock_inet_fd(a), -EINVAL); /* no descriptor to hand out */
    esock_inet_info_t info;
    assert_int_equal(esock_inet_info(a, &info), 0);
    assert_int_equal(info.fd, -1);
    assert_int_equal(info.monitors, 1);
    /* inet:i() lists it: no local address, foreign *:*, CLOSED (OTP 25) */
    const esock_inet_icol_t cols[] = {ESOCK_ICOL_PORT, ESOCK_ICOL_LOCAL_ADDRESS, ESOCK_ICOL_FOREIGN_ADDRESS,
                                      ESOCK_ICOL_STATE};
    char *text = i_listing(ESOCK_INET_I_TCP, cols, NOPTS(cols), true, NULL);
    char want[64];
    snprintf(want, sizeof want, "\n%u ", a.id);
    const char *row = strstr(text, want);
    assert_non_null(row);
    char pcol[16], foreign[32], state[16];
    assert_int_equal(sscanf(row, "%15s %31s %15s", pcol, foreign, state), 3);
    assert_string_equal(foreign, "*:*");
    assert_string_equal(state, "CLOSED");
    free(text);
}

/* The checks of a gone port. */
static void expect_port_gone(esock_inet_t a, esock_mbox_t mb)
{
    char b[8];
    size_t got;
    uint64_t v[ESOCK_STAT_COUNT_];
    esock_inet_opt_t g[] = {OPTI(ACTIVE, 0)};
    size_t n = 0;
    esock_sockaddr_t sa;
    uint16_t port;
    assert_int_equal(esock_inet_setopts(a, NULL, 0), -EINVAL);
    assert_int_equal(esock_inet_getopts(a, g, 1, &n), -EINVAL);
    assert_int_equal(esock_inet_getstat(a, NULL, 0, v), -EINVAL);
    assert_int_equal(esock_inet_sockname(a, &sa), -EINVAL);
    assert_int_equal(esock_inet_peername(a, &sa), -EINVAL);
    assert_int_equal(esock_inet_port(a, &port), -EINVAL);
    assert_int_equal(esock_inet_fd(a), -EINVAL);
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 100), ESOCK_ECLOSED);
    assert_int_equal(esock_inet_send(a, "x", 1), ESOCK_ECLOSED);
    assert_int_equal(esock_inet_shutdown(a, SHUT_WR), ESOCK_ECLOSED);
    assert_int_equal(esock_inet_controlling_process(a, mb), ESOCK_ECLOSED);
    uint64_t ref;
    assert_int_equal(esock_inet_monitor(a, mb, &ref), 0);
    expect_down(mb, ref, -ENOENT);
}

static void end_seen_by_passive_recv(enum end_kind kind)
{
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(PACKET, ESOCK_INET_PACKET_2),
                                  OPTI(PACKET_SIZE, 3), OPTI(SHOW_ECONNRESET, 1)};
    esock_mbox_t mb = tm_new();
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), ESOCK_INET_NO_OWNER, &l, &a);
    uint64_t mref;
    assert_int_equal(esock_inet_monitor(a, mb, &mref), 0);
    int want = ESOCK_ECLOSED, send_rc = ESOCK_ECLOSED;
    if (kind == END_CLOSE) {
        close(fd);
    } else if (kind == END_RESET) {
        struct linger lg = {1, 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        close(fd);
        want = -ECONNRESET;
        send_rc = -ENOTCONN;
    } else {
        wr(fd, "\0\x04" "defg", 6); /* over packet_size */
        want = -EMSGSIZE;
        send_rc = -ENOTCONN;
    }
    msleep(30);
    char b[8];
    size_t got;
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 1000), want);
    expect_fd_released(a, send_rc);
    expect_none(mb, 30); /* no DOWN while the port lives */
    /* made active: the close is reported, then the port is gone */
    activate_once(a, mb);
    esock_inet_msg_free(expect_msg(mb, ESOCK_INET_MSG_CLOSED));
    expect_down(mb, mref, 0); /* normal */
    expect_port_gone(a, mb);
    expect_none(mb, 30); /* closed once */
    assert_int_equal(esock_inet_close(a), 0);
    if (kind != END_CLOSE)
        close(fd);
    esock_inet_close(l);
    tm_free(mb);
}

static void passive_close_keeps_the_port(void **st)
{
    (void)st;
    end_seen_by_passive_recv(END_CLOSE);
}

static void passive_reset_keeps_the_port(void **st)
{
    (void)st;
    end_seen_by_passive_recv(END_RESET);
}

static void passive_emsgsize_keeps_the_port(void **st)
{
    (void)st;
    end_seen_by_passive_recv(END_EMSGSIZE);
}

/* A passive recv that got the end, then an explicit close: DOWN normal. */
static void released_then_closed(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    esock_inet_t l, a;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
    int fd = inet_peer_pair(o, NOPTS(o), ESOCK_INET_NO_OWNER, &l, &a);
    uint64_t mref;
    assert_int_equal(esock_inet_monitor(a, mb, &mref), 0);
    close(fd);
    char b[8];
    size_t got;
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 1000), ESOCK_ECLOSED);
    expect_none(mb, 30);
    assert_int_equal(esock_inet_close(a), 0);
    expect_down(mb, mref, 0);
    expect_none(mb, 30);
    esock_inet_close(l);
    tm_free(mb);
}

/* Reported as an active message: the port is gone at once. */
static void active_close_ends_the_port(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    esock_inet_t l, a;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_TRUE)};
    int fd = inet_peer_pair(o, NOPTS(o), mb, &l, &a);
    uint64_t mref;
    assert_int_equal(esock_inet_monitor(a, mb, &mref), 0);
    close(fd);
    esock_inet_msg_free(expect_msg(mb, ESOCK_INET_MSG_CLOSED));
    expect_down(mb, mref, 0);
    expect_port_gone(a, mb);
    assert_int_equal(esock_inet_close(a), 0);
    esock_inet_close(l);
    tm_free(mb);
}

/* A reset that a send meets ends the connection as inet ends it (OTP
 * 25.2.3, econnreset_after_sync_send): that send gives econnreset with
 * show_econnreset (else closed), later sends enotconn, and the read side
 * reports the reset once: the next passive recv, or the close report when
 * made active. */
static void reset_met_by_send(bool show, bool then_active)
{
    esock_mbox_t mb = tm_new();
    esock_inet_t l, a;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(SHOW_ECONNRESET, show)};
    int fd = inet_peer_pair(o, NOPTS(o), ESOCK_INET_NO_OWNER, &l, &a);
    struct linger lg = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd); /* RST */
    msleep(30);
    int reset = show ? -ECONNRESET : ESOCK_ECLOSED;
    assert_int_equal(esock_inet_send(a, "x", 1), reset);
    assert_int_equal(esock_inet_send(a, "y", 1), -ENOTCONN);
    if (!then_active) {
        char b[8];
        size_t got;
        assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 100), reset);
        assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 100), -ENOTCONN);
        assert_int_equal(esock_inet_send(a, "z", 1), -ENOTCONN);
    } else {
        activate_once(a, mb);
        if (show) {
            esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_ERROR);
            assert_int_equal(m->error, -ECONNRESET);
            esock_inet_msg_free(m);
        }
        esock_inet_msg_free(expect_msg(mb, ESOCK_INET_MSG_CLOSED));
        expect_none(mb, 30);
        assert_int_equal(esock_inet_send(a, "z", 1), ESOCK_ECLOSED); /* the port is gone */
    }
    assert_int_equal(esock_inet_close(a), 0);
    esock_inet_close(l);
    tm_free(mb);
}

static void reset_met_by_send_passive(void **st)
{
    (void)st;
    reset_met_by_send(false, false);
    reset_met_by_send(true, false);
}

static void reset_met_by_send_then_active(void **st)
{
    (void)st;
    reset_met_by_send(false, true);
    reset_met_by_send(true, true);
}

/* The same when queued output meets the reset (OTP 25.2.3,
 * econnreset_after_async_send_*, show_econnreset): a passive recv gives
 * econnreset, then recv and send enotconn; an active socket gets ERROR
 * econnreset and CLOSED, then send closed. */
static void reset_met_by_queued_output(bool active)
{
    esock_mbox_t mb = tm_new();
    esock_inet_t l, a;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, active ? ESOCK_INET_ACTIVE_ONCE : ESOCK_INET_ACTIVE_FALSE),
                                  OPTI(SHOW_ECONNRESET, 1)};
    int fd = inet_stalled_pair(o, NOPTS(o), active ? mb : ESOCK_INET_NO_OWNER, &l, &a);
    static char big[1 << 20];
    assert_int_equal(esock_inet_send(a, big, sizeof big), 0); /* queued */
    struct linger lg = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd); /* RST */
    if (!active) {
        char b[8];
        size_t got;
        assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 1000), -ECONNRESET);
        assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 100), -ENOTCONN);
        assert_int_equal(esock_inet_send(a, "z", 1), -ENOTCONN);
    } else {
        esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_ERROR);
        assert_int_equal(m->error, -ECONNRESET);
        esock_inet_msg_free(m);
        esock_inet_msg_free(expect_msg(mb, ESOCK_INET_MSG_CLOSED));
        expect_none(mb, 30);
        assert_int_equal(esock_inet_send(a, "z", 1), ESOCK_ECLOSED);
    }
    assert_int_equal(esock_inet_close(a), 0);
    esock_inet_close(l);
    tm_free(mb);
}

static void reset_met_by_queued_output_passive(void **st)
{
    (void)st;
    reset_met_by_queued_output(false);
}

static void reset_met_by_queued_output_active(void **st)
{
    (void)st;
    reset_met_by_queued_output(true);
}

const struct CMUnitTest inet_tests_portend[] = {
    cmocka_unit_test_teardown(passive_close_keeps_the_port, inet_teardown),
    cmocka_unit_test_teardown(passive_reset_keeps_the_port, inet_teardown),
    cmocka_unit_test_teardown(passive_emsgsize_keeps_the_port, inet_teardown),
    cmocka_unit_test_teardown(released_then_closed, inet_teardown),
    cmocka_unit_test_teardown(active_close_ends_the_port, inet_teardown),
    cmocka_unit_test_teardown(reset_met_by_send_passive, inet_teardown),
    cmocka_unit_test_teardown(reset_met_by_send_then_active, inet_teardown),
    cmocka_unit_test_teardown(reset_met_by_queued_output_passive, inet_teardown),
    cmocka_unit_test_teardown(reset_met_by_queued_output_active, inet_teardown),
};
const size_t inet_ntests_portend = NOPTS(inet_tests_portend);
