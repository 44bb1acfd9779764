/*
 * ENOBUFS and ENOMEM from the data calls (the kernel is short of memory):
 * one call of send / recv / sendto / recvfrom (and the calls the inet
 * layer uses: read, send, sendmsg, recvmsg) fails through the seam. The public
 * call returns exactly that error as a negative code, counts it (the
 * read_fails / write_fails counters of the socket API), moves no byte, and
 * the socket stays usable: the next call moves the same data, once.
 */
#include "ft.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* One-shot failures: the next `left` calls of the hooked entries fail with
 * fail_errno, then they pass through to what was there before. */
static int fail_errno;
static int left;
static struct esock__sys under;

static bool take_failure(void)
{
    if (left > 0) {
        left--;
        errno = fail_errno;
        return true;
    }
    return false;
}

static ssize_t h_send(int fd, const void *b, size_t n, int fl)
{
    return take_failure() ? -1 : under.send(fd, b, n, fl);
}

static ssize_t h_recv(int fd, void *b, size_t n, int fl)
{
    return take_failure() ? -1 : under.recv(fd, b, n, fl);
}

static ssize_t h_sendto(int fd, const void *b, size_t n, int fl, const struct sockaddr *a, socklen_t al)
{
    return take_failure() ? -1 : under.sendto(fd, b, n, fl, a, al);
}

static ssize_t h_recvfrom(int fd, void *b, size_t n, int fl, struct sockaddr *a, socklen_t *al)
{
    return take_failure() ? -1 : under.recvfrom(fd, b, n, fl, a, al);
}

static ssize_t h_read(int fd, void *b, size_t n)
{
    return take_failure() ? -1 : under.read(fd, b, n);
}

static ssize_t h_sendmsg(int fd, const struct msghdr *m, int fl)
{
    return take_failure() ? -1 : under.sendmsg(fd, m, fl);
}

static ssize_t h_recvmsg(int fd, struct msghdr *m, int fl)
{
    return take_failure() ? -1 : under.recvmsg(fd, m, fl);
}

enum call { C_SEND, C_RECV, C_SENDTO, C_RECVFROM, C_READ, C_SENDMSG, C_RECVMSG };

/* Arms one failure of call c with err. */
static void arm(enum call c, int err)
{
    under = esock__sys;
    fail_errno = err;
    left = 1;
    switch (c) {
    case C_SEND: esock__sys.send = h_send; break;
    case C_RECV: esock__sys.recv = h_recv; break;
    case C_SENDTO: esock__sys.sendto = h_sendto; break;
    case C_RECVFROM: esock__sys.recvfrom = h_recvfrom; break;
    case C_READ: esock__sys.read = h_read; break;
    case C_SENDMSG: esock__sys.sendmsg = h_sendmsg; break;
    case C_RECVMSG: esock__sys.recvmsg = h_recvmsg; break;
    }
}

static void disarm(void)
{
    assert_int_equal(left, 0); /* the failure was really met */
    esock__sys_reset();
}

static esock_counters_t counters(esock_t s)
{
    esock_socket_info_t i;
    ok(esock_info_socket(s, &i));
    return i.counters;
}

/* ---- socket API, stream ------------------------------------------------------ */

static void socket_stream(int err)
{
    esock_t c, s;
    ft_tcp_pair(&c, &s);
    esock_counters_t c0 = counters(c), s0 = counters(s);

    arm(C_SEND, err);
    size_t sent = 99;
    assert_int_equal(esock_send(c, "hello", 5, 0, 1000, &sent, NULL), -err);
    disarm();
    assert_int_equal(sent, 0);
    assert_int_equal(counters(c).write_fails - c0.write_fails, 1);
    ok(esock_send(c, "hello", 5, 0, 1000, &sent, NULL)); /* still usable */
    assert_int_equal(sent, 5);

    arm(C_RECV, err);
    char b[16];
    size_t got = 99;
    assert_int_equal(esock_recv(s, b, 5, 5, 0, 1000, &got, NULL), -err);
    disarm();
    assert_int_equal(got, 0);
    assert_int_equal(counters(s).read_fails - s0.read_fails, 1);
    ok(esock_recv(s, b, 5, 5, 0, 1000, &got, NULL)); /* the bytes were kept */
    assert_int_equal(got, 5);
    assert_memory_equal(b, "hello", 5);
    /* Exactly once: nothing more is there. */
    assert_int_equal(esock_recv(s, b, 0, sizeof b, 0, 0, &got, NULL), ESOCK_ETIMEOUT);
    assert_int_equal(counters(c).write_byte - c0.write_byte, 5);
    assert_int_equal(counters(s).read_byte - s0.read_byte, 5);
    ok(esock_close(c));
    ok(esock_close(s));
}

static void socket_stream_enobufs(void **st)
{
    (void)st;
    socket_stream(ENOBUFS);
}

static void socket_stream_enomem(void **st)
{
    (void)st;
    socket_stream(ENOMEM);
}

/* ---- socket API, datagrams ----------------------------------------------------- */

static void socket_dgram(int err)
{
    esock_t a, b;
    ok(esock_open(AF_INET, SOCK_DGRAM, 0, &a));
    ok(esock_open(AF_INET, SOCK_DGRAM, 0, &b));
    esock_sockaddr_t sa = lo4(0);
    ok(esock_bind(a, &sa));
    ok(esock_bind(b, &sa));
    esock_sockaddr_t to = lo4(ft_port(b));
    esock_counters_t a0 = counters(a), b0 = counters(b);

    arm(C_SENDTO, err);
    size_t sent = 99;
    assert_int_equal(esock_sendto(a, "dgram", 5, 0, &to, 1000, &sent, NULL), -err);
    disarm();
    assert_int_equal(sent, 0);
    assert_int_equal(counters(a).write_fails - a0.write_fails, 1);
    ok(esock_sendto(a, "dgram", 5, 0, &to, 1000, &sent, NULL));

    arm(C_RECVFROM, err);
    char buf[16];
    size_t got = 99;
    esock_sockaddr_t from;
    assert_int_equal(esock_recvfrom(b, buf, sizeof buf, 0, 1000, &got, &from, NULL), -err);
    disarm();
    assert_int_equal(got, 0);
    assert_int_equal(counters(b).read_fails - b0.read_fails, 1);
    ok(esock_recvfrom(b, buf, sizeof buf, 0, 1000, &got, &from, NULL));
    assert_int_equal(got, 5);
    assert_memory_equal(buf, "dgram", 5);
    assert_int_equal(from.u.in.port, ft_port(a));
    assert_int_equal(esock_recvfrom(b, buf, sizeof buf, 0, 0, &got, &from, NULL), ESOCK_ETIMEOUT);
    ok(esock_close(a));
    ok(esock_close(b));
}

static void socket_dgram_enobufs(void **st)
{
    (void)st;
    socket_dgram(ENOBUFS);
}

static void socket_dgram_enomem(void **st)
{
    (void)st;
    socket_dgram(ENOMEM);
}

/* ---- inet API ---------------------------------------------------------------- */

/* gen_udp: sendto / recvfrom report the error and go on. */
static void inet_udp(int err)
{
    esock_inet_t a, b;
    esock_sockaddr_t any = lo4(0);
    const esock_inet_opt_t o[] = {IOPT(ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
    ok(esock_inet_udp_open(&a, &any, o, NELEM(o), ESOCK_INET_NO_OWNER));
    ok(esock_inet_udp_open(&b, &any, o, NELEM(o), ESOCK_INET_NO_OWNER));
    uint16_t pb;
    ok(esock_inet_port(b, &pb));
    esock_sockaddr_t to = lo4(pb);

    arm(C_SENDTO, err);
    assert_int_equal(esock_inet_sendto(a, &to, "udp!", 4), -err);
    disarm();
    ok(esock_inet_sendto(a, &to, "udp!", 4));

    arm(C_RECVMSG, err);
    char buf[16];
    size_t got = 0;
    assert_int_equal(esock_inet_recvfrom(b, buf, sizeof buf, &got, NULL, NULL, NULL, 1000), -err);
    disarm();
    ok(esock_inet_recvfrom(b, buf, sizeof buf, &got, NULL, NULL, NULL, 1000));
    assert_int_equal(got, 4);
    assert_memory_equal(buf, "udp!", 4);
    assert_int_equal(esock_inet_recvfrom(b, buf, sizeof buf, &got, NULL, NULL, NULL, 0), ESOCK_ETIMEOUT);
    ok(esock_inet_close(a));
    ok(esock_inet_close(b));
}

static void inet_udp_enobufs(void **st)
{
    (void)st;
    inet_udp(ENOBUFS);
}

static void inet_udp_enomem(void **st)
{
    (void)st;
    inet_udp(ENOMEM);
}

/* gen_tcp passive recv: the read fails, the packet stays, the next recv
 * has it whole. */
static void inet_tcp_recv(int err)
{
    esock_inet_t l, a;
    const esock_inet_opt_t o[] = {IOPT(ACTIVE, ESOCK_INET_ACTIVE_FALSE), IOPT(PACKET, ESOCK_INET_PACKET_2)};
    int peer = inet_peer_pair(o, NELEM(o), ESOCK_INET_NO_OWNER, &l, &a);
    wr(peer, "\0\3abc", 5);
    arm(C_READ, err);
    char b[8];
    size_t got = 0;
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 1000), -err);
    disarm();
    ok(esock_inet_recv(a, b, sizeof b, 0, &got, 1000));
    assert_int_equal(got, 3);
    assert_memory_equal(b, "abc", 3);
    /* and the other way: still connected both ways */
    ok(esock_inet_send(a, "xyz", 3));
    rd(peer, b, 5);
    assert_memory_equal(b, "\0\3xyz", 5);
    close(peer);
    ok(esock_inet_close(a));
    ok(esock_inet_close(l));
}

static void inet_tcp_recv_enobufs(void **st)
{
    (void)st;
    inet_tcp_recv(ENOBUFS);
}

static void inet_tcp_recv_enomem(void **st)
{
    (void)st;
    inet_tcp_recv(ENOMEM);
}

/* gen_tcp active: no caller to hand the error to, and the loop retrying
 * a read that keeps failing would spin, so the socket reports it as inet
 * reports a read error: ERROR with the code, then CLOSED, once each. */
static void inet_tcp_recv_active(int err)
{
    esock_mbox_t mb;
    ok(esock_mbox_create(&mb));
    esock_inet_t l, a;
    const esock_inet_opt_t o[] = {IOPT(PACKET, ESOCK_INET_PACKET_2)};
    int peer = inet_peer_pair(o, NELEM(o), mb, &l, &a);
    arm(C_READ, err);
    wr(peer, "\0\3abc", 5);
    esock_inet_msg_t *m = ft_inet_msg(mb, 2000);
    disarm();
    assert_non_null(m);
    assert_int_equal(m->kind, ESOCK_INET_MSG_ERROR);
    assert_int_equal(m->error, -err);
    esock_inet_msg_free(m);
    m = ft_inet_msg(mb, 2000);
    assert_non_null(m);
    assert_int_equal(m->kind, ESOCK_INET_MSG_CLOSED);
    esock_inet_msg_free(m);
    assert_null(ft_inet_msg(mb, 50));
    close(peer);
    ok(esock_inet_close(a));
    ok(esock_inet_close(l));
    ok(esock_mbox_destroy(mb));
}

static void inet_tcp_recv_active_enobufs(void **st)
{
    (void)st;
    inet_tcp_recv_active(ENOBUFS);
}

static void inet_tcp_recv_active_enomem(void **st)
{
    (void)st;
    inet_tcp_recv_active(ENOMEM);
}

/* gen_tcp send: the error comes back to the sender as the negative errno;
 * nothing half-written reaches the peer, and the socket closes cleanly.
 * With {packet,2} the header and the data go out in one sendmsg; raw data
 * is one vector, which goes out with send. */
static void inet_tcp_send(int err, int packet)
{
    esock_inet_t l, a;
    const esock_inet_opt_t o[] = {IOPT(ACTIVE, ESOCK_INET_ACTIVE_FALSE), IOPT(PACKET, packet)};
    int peer = inet_peer_pair(o, NELEM(o), ESOCK_INET_NO_OWNER, &l, &a);
    const char *wire = packet == ESOCK_INET_PACKET_2 ? "\0\3abc" : "abc";
    size_t wlen = packet == ESOCK_INET_PACKET_2 ? 5 : 3;
    arm(packet == ESOCK_INET_PACKET_2 ? C_SENDMSG : C_SEND, err);
    int rc = esock_inet_send(a, "abc", 3);
    disarm();
    assert_int_equal(rc, -err);
    char b[8];
    assert_int_equal(recv(peer, b, sizeof b, MSG_DONTWAIT), -1); /* nothing went out */
    assert_int_equal(errno, EAGAIN);
    int again = esock_inet_send(a, "abc", 3);
    if (again == 0) {
        rd(peer, b, wlen);
        assert_memory_equal(b, wire, wlen);
    }
    ft_note("errno  inet send after %s: next send returns %d (%s)\n", err == ENOBUFS ? "ENOBUFS" : "ENOMEM",
            again, esock_errname(again));
    close(peer);
    ok(esock_inet_close(a));
    ok(esock_inet_close(l));
}

static void inet_tcp_send_enobufs(void **st)
{
    (void)st;
    inet_tcp_send(ENOBUFS, ESOCK_INET_PACKET_2);
}

static void inet_tcp_send_enomem(void **st)
{
    (void)st;
    inet_tcp_send(ENOMEM, ESOCK_INET_PACKET_2);
}

static void inet_tcp_send_raw_enobufs(void **st)
{
    (void)st;
    inet_tcp_send(ENOBUFS, ESOCK_INET_PACKET_RAW);
}

static void inet_tcp_send_raw_enomem(void **st)
{
    (void)st;
    inet_tcp_send(ENOMEM, ESOCK_INET_PACKET_RAW);
}

const struct CMUnitTest ft_errno_tests[] = {
    cmocka_unit_test(socket_stream_enobufs), cmocka_unit_test(socket_stream_enomem),
    cmocka_unit_test(socket_dgram_enobufs),  cmocka_unit_test(socket_dgram_enomem),
    cmocka_unit_test(inet_udp_enobufs),      cmocka_unit_test(inet_udp_enomem),
    cmocka_unit_test(inet_tcp_recv_enobufs), cmocka_unit_test(inet_tcp_recv_enomem),
    cmocka_unit_test(inet_tcp_recv_active_enobufs), cmocka_unit_test(inet_tcp_recv_active_enomem),
    cmocka_unit_test(inet_tcp_send_enobufs), cmocka_unit_test(inet_tcp_send_enomem),
    cmocka_unit_test(inet_tcp_send_raw_enobufs), cmocka_unit_test(inet_tcp_send_raw_enomem),
};
const size_t ft_errno_count = NELEM(ft_errno_tests);
