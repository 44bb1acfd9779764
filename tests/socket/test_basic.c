/* Synchronous socket operations: the page's example, timeouts, partial
 * progress, every domain and type, counters, the registry. */
#include "helpers.h"
#include "sys/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The client/server example of socket.txt: open, bind, listen, accept,
 * connect, send, shutdown, recv, close. */
static void test_page_example(void **state)
{
    (void)state;
    esock_t l, c, a;
    ok(esock_open(AF_INET, SOCK_STREAM, IPPROTO_TCP, &l));
    esock_sockaddr_t sa = loopback(AF_INET);
    ok(esock_bind(l, &sa));
    ok(esock_sockname(l, &sa));
    assert_int_not_equal(sa.u.in.port, 0); /* the ephemeral port */
    ok(esock_listen(l, ESOCK_DEFAULT_BACKLOG));
    ok(esock_open(AF_INET, SOCK_STREAM, 0, &c));
    ok(esock_connect(c, &sa, ESOCK_INFINITY, NULL));
    ok(esock_accept(l, ESOCK_INFINITY, &a, NULL));
    size_t n;
    ok(esock_send(c, "hello", 5, 0, ESOCK_INFINITY, &n, NULL));
    assert_int_equal(n, 5);
    ok(esock_shutdown(c, SHUT_WR));
    char buf[16];
    ok(esock_recv(a, buf, 5, sizeof buf, 0, ESOCK_INFINITY, &n, NULL));
    assert_memory_equal(buf, "hello", 5);
    /* After the peer's shutdown, a recv reports closed. */
    assert_int_equal(esock_recv(a, buf, 0, sizeof buf, 0, 1000, &n, NULL), ESOCK_ECLOSED);
    esock_sockaddr_t peer;
    ok(esock_peername(a, &peer));
    assert_int_equal(peer.family, ESOCK_FAMILY_INET);
    ok(esock_close(a));
    ok(esock_close(c));
    ok(esock_close(l));
    assert_int_equal(esock_close(l), ESOCK_ECLOSED); /* stale */
}

static void test_recv_length_timeout_partial(void **state)
{
    (void)state;
    esock_t c, s;
    ok(tcp_pair(AF_INET, &c, &s));
    ok(esock_send(c, "abc", 3, 0, 1000, NULL, NULL));
    char buf[10];
    size_t got = 99;
    int64_t t0 = now_ms();
    /* Length 10 on a stream: all of it, or timeout with the partial data. */
    assert_int_equal(esock_recv(s, buf, 10, 10, 0, 150, &got, NULL), ESOCK_ETIMEOUT);
    assert_true(ms_since(t0) >= 140);
    assert_int_equal(got, 3);
    assert_memory_equal(buf, "abc", 3);
    /* Length 0: whatever is available. */
    ok(esock_send(c, "xy", 2, 0, 1000, NULL, NULL));
    ok(esock_recv(s, buf, 0, sizeof buf, 0, 1000, &got, NULL));
    assert_true(got >= 1 && got <= 2);
    if (got == 1) { /* only with injected short reads */
        assert_true(faults_on());
        ok(esock_recv(s, buf + 1, 1, 1, 0, 1000, &got, NULL));
    }
    /* Timeout 0 with nothing there. */
    assert_int_equal(esock_recv(s, buf, 0, sizeof buf, 0, 0, &got, NULL), ESOCK_ETIMEOUT);
    assert_int_equal(got, 0);
    ok(esock_close(c));
    ok(esock_close(s));
}

static void test_recv_closed_mid_length(void **state)
{
    (void)state;
    esock_t c, s;
    ok(tcp_pair(AF_INET, &c, &s));
    ok(esock_send(c, "12345", 5, 0, 1000, NULL, NULL));
    ok(esock_close(c));
    char buf[10];
    size_t got;
    /* {error, {closed, Data}}: the bytes that came first are kept. */
    assert_int_equal(esock_recv(s, buf, 10, 10, 0, 1000, &got, NULL), ESOCK_ECLOSED);
    assert_int_equal(got, 5);
    ok(esock_close(s));
}

static void test_send_timeout_reports_rest(void **state)
{
    (void)state;
    esock_t c, s;
    ok(tcp_pair(AF_INET, &c, &s));
    int fd = esock_fd(c);
    int small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    setsockopt(esock_fd(s), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    size_t len = 16 << 20;
    char *big = calloc(1, len);
    size_t sent = 0;
    assert_int_equal(esock_send(c, big, len, 0, 200, &sent, NULL), ESOCK_ETIMEOUT);
    assert_true(sent > 0 && sent < len); /* {error, {timeout, RestData}} */
    esock_socket_info_t in;
    ok(esock_info_socket(c, &in));
    assert_int_equal(in.counters.write_byte, sent);
    assert_true(in.counters.write_waits >= 1);
    free(big);
    ok(esock_close(c));
    ok(esock_close(s));
}

static void test_counters_exact(void **state)
{
    (void)state;
    esock_t c, s;
    ok(tcp_pair(AF_INET, &c, &s));
    char buf[300];
    memset(buf, 'x', sizeof buf);
    ok(esock_send(c, buf, 100, 0, 1000, NULL, NULL));
    ok(esock_send(c, buf, 200, 0, 1000, NULL, NULL));
    size_t got;
    ok(esock_recv(s, buf, 300, 300, 0, 1000, &got, NULL));
    esock_socket_info_t ci, si;
    ok(esock_info_socket(c, &ci));
    ok(esock_info_socket(s, &si));
    assert_int_equal(ci.counters.write_byte, 300);
    if (!faults_on()) {
        assert_int_equal(ci.counters.write_pkg, 2);
        assert_int_equal(ci.counters.write_pkg_max, 200);
    } else { /* injected short writes split the sends further */
        assert_true(ci.counters.write_pkg >= 2);
        assert_true(ci.counters.write_pkg_max <= 200);
    }
    assert_int_equal(ci.counters.write_fails, 0);
    assert_int_equal(si.counters.read_byte, 300);
    assert_true(si.counters.read_pkg >= 1 && si.counters.read_pkg <= 300);
    assert_true(si.counters.read_tries >= si.counters.read_pkg);
    assert_true(si.counters.read_pkg_max <= 300);
    assert_string_equal(esock_counter_name(0), "read_byte");
    assert_int_equal(esock_counter_value(&si.counters, 0), 300);
    ok(esock_close(c));
    ok(esock_close(s));
}

static void test_udp_sendto_recvfrom(void **state)
{
    (void)state;
    int fams[2] = {AF_INET, AF_INET6};
    for (int i = 0; i < 2; i++) {
        esock_t a, b;
        ok(esock_open(fams[i], SOCK_DGRAM, 0, &a));
        ok(esock_open(fams[i], SOCK_DGRAM, 0, &b));
        esock_sockaddr_t sa = loopback(fams[i]), sb = loopback(fams[i]);
        if (esock_bind(a, &sa) != 0) { /* no ::1 here */
            esock_close(a);
            esock_close(b);
            continue;
        }
        ok(esock_bind(b, &sb));
        ok(esock_sockname(a, &sa));
        ok(esock_sockname(b, &sb));
        ok(esock_sendto(b, "ping", 4, 0, &sa, 1000, NULL, NULL));
        ok(esock_sendto(b, "", 0, 0, &sa, 1000, NULL, NULL)); /* empty datagram */
        char buf[64];
        size_t got;
        esock_sockaddr_t from;
        ok(esock_recvfrom(a, buf, sizeof buf, 0, 1000, &got, &from, NULL));
        assert_int_equal(got, 4);
        assert_true(esock_sockaddr_equal(&from, &sb));
        ok(esock_recvfrom(a, buf, sizeof buf, 0, 1000, &got, &from, NULL));
        assert_int_equal(got, 0);
        esock_socket_info_t in;
        ok(esock_info_socket(a, &in));
        assert_int_equal(in.protocol, IPPROTO_UDP);
        assert_int_equal(in.counters.read_pkg, 2);
        ok(esock_close(a));
        ok(esock_close(b));
    }
}

static void test_local_stream_dgram_seqpacket(void **state)
{
    (void)state;
    int types[3] = {SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET};
    for (int i = 0; i < 3; i++) {
        char path[64];
        snprintf(path, sizeof path, "/tmp/esock-test-%d-%d", (int)getpid(), i);
        unlink(path);
        esock_sockaddr_t sa;
        ok(esock_sockaddr_local(&sa, path, strlen(path)));
        esock_t srv, cli, acc = {0};
        ok(esock_open(AF_UNIX, types[i], 0, &srv));
        ok(esock_bind(srv, &sa));
        ok(esock_open(AF_UNIX, types[i], 0, &cli));
        if (types[i] != SOCK_DGRAM) {
            ok(esock_listen(srv, 5));
            ok(esock_connect(cli, &sa, 1000, NULL));
            ok(esock_accept(srv, 1000, &acc, NULL));
        } else {
            ok(esock_connect(cli, &sa, 1000, NULL));
            acc = srv;
        }
        ok(esock_send(cli, "local", 5, 0, 1000, NULL, NULL));
        char buf[16];
        size_t got;
        /* A stream may deliver in pieces; a datagram or record comes whole. */
        size_t len = types[i] == SOCK_STREAM ? 5 : 0;
        ok(esock_recv(acc, buf, len, sizeof buf, 0, 1000, &got, NULL));
        assert_int_equal(got, 5);
        assert_memory_equal(buf, "local", 5);
        if (acc.id != srv.id)
            ok(esock_close(acc));
        ok(esock_close(cli));
        ok(esock_close(srv));
        unlink(path);
    }
}

static void test_ipv6_tcp(void **state)
{
    (void)state;
    esock_t c, s;
    int rc = tcp_pair(AF_INET6, &c, &s);
    if (rc == 77)
        skip();
    ok(esock_send(c, "six", 3, 0, 1000, NULL, NULL));
    char buf[3];
    size_t got;
    ok(esock_recv(s, buf, 3, 3, 0, 1000, &got, NULL));
    esock_sockaddr_t pa;
    ok(esock_peername(s, &pa));
    assert_int_equal(pa.family, ESOCK_FAMILY_INET6);
    ok(esock_close(c));
    ok(esock_close(s));
}

static bool is_dgram(esock_t s, void *arg)
{
    (void)arg;
    esock_socket_info_t in;
    return esock_info_socket(s, &in) == 0 && in.type == SOCK_DGRAM;
}

static void test_registry_and_filters(void **state)
{
    (void)state;
    esock_t t, u, u6;
    ok(esock_open(AF_INET, SOCK_STREAM, 0, &t));
    ok(esock_open(AF_INET, SOCK_DGRAM, 0, &u));
    int have6 = esock_open(AF_INET6, SOCK_DGRAM, 0, &u6) == 0;
    assert_int_equal(esock_number_of(), 2 + have6);
    esock_filter_t f = {.domain = AF_INET};
    esock_t out[8];
    assert_int_equal(esock_which_sockets(&f, out, 8), 2);
    esock_filter_t fp = {.protocol = IPPROTO_TCP};
    assert_int_equal(esock_which_sockets(&fp, out, 8), 1);
    assert_int_equal(out[0].id, t.id);
    esock_filter_t fd = {.pred = is_dgram};
    assert_int_equal(esock_which_sockets(&fd, out, 8), 1 + have6);
    /* A socket opened with the registry off is not listed. */
    esock_use_registry(false);
    esock_t hidden;
    ok(esock_open(AF_INET, SOCK_STREAM, 0, &hidden));
    esock_use_registry(true);
    assert_int_equal(esock_number_of(), 2 + have6);
    ok(esock_close(hidden));
    esock_lib_info_t li;
    ok(esock_info(&li));
    assert_true(li.iov_max >= 16);
    assert_true(li.use_registry);
    /* i() prints one line per socket after its header. */
    char *text = NULL;
    size_t tlen = 0;
    FILE *mem = open_memstream(&text, &tlen);
    esock_i(mem, 0, 0, 0);
    fclose(mem);
    int lines = 0;
    for (char *p = text; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 1 + 2 + have6);
    assert_non_null(strstr(text, "dgram"));
    free(text);
    ok(esock_close(t));
    ok(esock_close(u));
    if (have6)
        ok(esock_close(u6));
}

static void test_open_fd_and_errors(void **state)
{
    (void)state;
    int raw = socket(AF_INET, SOCK_DGRAM, 0);
    esock_t s;
    ok(esock_open_fd(raw, true, &s));
    esock_socket_info_t in;
    ok(esock_info_socket(s, &in));
    assert_int_equal(in.domain, AF_INET);
    assert_int_equal(in.type, SOCK_DGRAM);
    assert_int_equal(in.protocol, IPPROTO_UDP);
    ok(esock_close(s));
    close(raw);
    int notsock = open("/dev/null", O_RDONLY);
    assert_int_equal(esock_open_fd(notsock, true, &s), -ENOTSOCK);
    close(notsock);
    assert_int_equal(esock_open(9999, SOCK_STREAM, 0, &s), -EAFNOSUPPORT);
    esock_t bogus = {12345};
    char b[1];
    assert_int_equal(esock_send(bogus, b, 1, 0, 0, NULL, NULL), ESOCK_ECLOSED);
    esock_t c, d;
    ok(tcp_pair(AF_INET, &c, &d));
    assert_int_equal(esock_recv(c, b, 0, 0, 0, 0, NULL, NULL), ESOCK_EINVAL_LENGTH);
    assert_int_equal(esock_recv(c, b, 1, 1, 0, -7, NULL, NULL), ESOCK_EINVAL_TIMEOUT);
    assert_int_equal(esock_shutdown(c, 42), -EINVAL);
    ok(esock_close(c));
    ok(esock_close(d));
    assert_string_equal(esock_domain_name(AF_INET6), "inet6");
    assert_int_equal(esock_type_from_name("seqpacket"), SOCK_SEQPACKET);
    assert_int_equal(esock_protocol_from_name("nope"), -1);
}

/* An inherited listening descriptor (socket activation) accepts as one
 * made with esock_listen: OTP's socket:open(Fd) of a listener does. */
static void test_open_fd_listener_accepts(void **state)
{
    (void)state;
    int raw = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(raw >= 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ok(bind(raw, (struct sockaddr *)&sin, sizeof sin));
    ok(listen(raw, 4));
    esock_t l, c, a;
    ok(esock_open_fd(raw, false, &l)); /* esock takes raw over */
    esock_socket_info_t in;
    ok(esock_info_socket(l, &in));
    assert_string_equal(in.rstate, "listening");
    esock_sockaddr_t sa;
    ok(esock_sockname(l, &sa));
    ok(esock_open(AF_INET, SOCK_STREAM, 0, &c));
    ok(esock_connect(c, &sa, 2000, NULL));
    ok(esock_accept(l, 2000, &a, NULL));
    ok(esock_send(c, "ok", 2, 0, 1000, NULL, NULL));
    char buf[2];
    ok(esock_recv(a, buf, 2, 2, 0, 1000, NULL, NULL));
    assert_memory_equal(buf, "ok", 2);
    ok(esock_close(a));
    ok(esock_close(c));
    ok(esock_close(l));
}

static int no_peername(int fd, struct sockaddr *sa, socklen_t *len)
{
    (void)fd, (void)sa, (void)len;
    errno = ENOTCONN;
    return -1;
}

/* recvfrom writes *from on success, also when the OS names no source:
 * unspec, all zero (as recvmsg), never the caller's stale memory. */
static void test_recvfrom_unnamed_source_is_unspec(void **state)
{
    (void)state;
    esock_sockaddr_t unspec, from;
    memset(&unspec, 0, sizeof unspec);
    /* A datagram from an unnamed unix socket: recvfrom gives namelen 0. */
    int sv[2];
    ok(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    esock_t a, b;
    ok(esock_open_fd(sv[0], false, &a));
    ok(esock_open_fd(sv[1], false, &b));
    ok(esock_send(b, "hello", 5, 0, 1000, NULL, NULL));
    char buf[8];
    size_t got;
    memset(&from, 0xAA, sizeof from);
    ok(esock_recvfrom(a, buf, sizeof buf, 0, 1000, &got, &from, NULL));
    assert_int_equal(got, 5);
    assert_memory_equal(&from, &unspec, sizeof from);
    ok(esock_close(a));
    ok(esock_close(b));
    /* A stream whose peer cannot be named (getpeername fails). */
    ok(tcp_pair(AF_INET, &a, &b));
    ok(esock_send(b, "x", 1, 0, 1000, NULL, NULL));
    int (*real)(int, struct sockaddr *, socklen_t *) = esock__sys.getpeername;
    esock__sys.getpeername = no_peername;
    memset(&from, 0xAA, sizeof from);
    int rc = esock_recvfrom(a, buf, sizeof buf, 0, 1000, &got, &from, NULL);
    esock__sys.getpeername = real;
    ok(rc);
    assert_memory_equal(&from, &unspec, sizeof from);
    ok(esock_close(a));
    ok(esock_close(b));
}

static void test_connect_refused_and_timeout(void **state)
{
    (void)state;
    /* A port nobody listens on: bind a socket, learn its port, close it. */
    esock_t tmp, c;
    ok(esock_open(AF_INET, SOCK_STREAM, 0, &tmp));
    esock_sockaddr_t sa = loopback(AF_INET);
    ok(esock_bind(tmp, &sa));
    ok(esock_sockname(tmp, &sa));
    ok(esock_close(tmp));
    ok(esock_open(AF_INET, SOCK_STREAM, 0, &c));
    assert_int_equal(esock_connect(c, &sa, 1000, NULL), -ECONNREFUSED);
    ok(esock_close(c));
    /* accept with a timeout and nothing coming. */
    esock_t l, a;
    ok(esock_open(AF_INET, SOCK_STREAM, 0, &l));
    sa = loopback(AF_INET);
    ok(esock_bind(l, &sa));
    ok(esock_listen(l, 1));
    int64_t t0 = now_ms();
    assert_int_equal(esock_accept(l, 100, &a, NULL), ESOCK_ETIMEOUT);
    assert_true(ms_since(t0) >= 90);
    esock_socket_info_t in;
    ok(esock_info_socket(l, &in));
    assert_int_equal(in.counters.acc_waits, 1);
    assert_string_equal(in.rstate, "listening");
    ok(esock_close(l));
}

/* The fault seam (ESOCK_FAULTS) really injects when set, and none of it is
 * visible to the caller: every byte arrives in order and the byte counters
 * stay exact. Without the variable nothing is injected. */
static void test_fault_injection_transparent(void **state)
{
    (void)state;
    esock_t c, s;
    ok(tcp_pair(AF_INET, &c, &s));
    char out[300], in[300];
    size_t total = 0;
    for (int i = 0; i < 200; i++) {
        size_t n = 1 + (size_t)(i * 37) % sizeof out;
        for (size_t k = 0; k < n; k++)
            out[k] = (char)(i + k);
        size_t sent = 0, got = 0;
        ok(esock_send(c, out, n, 0, 2000, &sent, NULL));
        assert_int_equal(sent, n);
        ok(esock_recv(s, in, n, n, 0, 2000, &got, NULL));
        assert_int_equal(got, n);
        assert_memory_equal(in, out, n);
        total += n;
    }
    esock_socket_info_t ic, is;
    ok(esock_info_socket(c, &ic));
    ok(esock_info_socket(s, &is));
    assert_int_equal(ic.counters.write_byte, total);
    assert_int_equal(is.counters.read_byte, total);
    struct esock__faults f;
    esock__sys_faults(&f);
    if (faults_on()) {
        assert_true(f.injected_eagain + f.injected_short + f.injected_eintr > 0);
    } else {
        assert_int_equal(f.injected_eagain + f.injected_short + f.injected_eintr, 0);
    }
    ok(esock_close(c));
    ok(esock_close(s));
}

/* A NULL where a call needs a pointer is -EFAULT (the kernel's "bad
 * address"), with data waiting where the call would use it: never a crash. */
static void test_null_pointers(void **state)
{
    (void)state;
    esock_t c, a;
    esock_sockaddr_t sa;
    esock_t l = tcp_listener(&sa, ESOCK_DEFAULT_BACKLOG);
    assert_int_equal(esock_open(AF_INET, SOCK_STREAM, 0, NULL), -EFAULT);
    ok(esock_open(AF_INET, SOCK_STREAM, 0, &c));
    ok(esock_connect(c, &sa, 1000, NULL));
    assert_int_equal(esock_accept(l, 1000, NULL, NULL), -EFAULT);
    ok(esock_accept(l, 1000, &a, NULL));
    size_t n;
    ok(esock_send(c, "hello", 5, 0, 1000, &n, NULL));
    assert_int_equal(esock_send(c, NULL, 5, 0, 1000, &n, NULL), -EFAULT);
    assert_int_equal(esock_recv(a, NULL, 0, 16, 0, 1000, &n, NULL), -EFAULT);
    char buf[16];
    ok(esock_recv(a, buf, 5, sizeof buf, 0, 1000, &n, NULL));
    assert_memory_equal(buf, "hello", 5);
    assert_int_equal(esock_sockname(a, NULL), -EFAULT);
    assert_int_equal(esock_peername(a, NULL), -EFAULT);
    assert_int_equal(esock_get_owner(a, NULL), -EFAULT);
    assert_int_equal(esock_info_socket(a, NULL), -EFAULT);
    assert_int_equal(esock_info(NULL), -EFAULT);
    const char *r[4], *w[4];
    size_t nr, nw;
    assert_int_equal(esock_socket_states(a, NULL, &nr, w, &nw), -EFAULT);
    assert_int_equal(esock_socket_states(a, r, &nr, w, NULL), -EFAULT);
    ok(esock_socket_states(a, r, &nr, w, &nw));
    esock_i(NULL, 0, 0, 0); /* prints nothing */
    ok(esock_close(a));
    ok(esock_close(c));
    ok(esock_close(l));
}

const struct CMUnitTest socket_basic_tests[] = {
    cmocka_unit_test(test_page_example),
    cmocka_unit_test(test_null_pointers),
    cmocka_unit_test(test_recv_length_timeout_partial),
    cmocka_unit_test(test_recv_closed_mid_length),
    cmocka_unit_test(test_send_timeout_reports_rest),
    cmocka_unit_test(test_counters_exact),
    cmocka_unit_test(test_udp_sendto_recvfrom),
    cmocka_unit_test(test_local_stream_dgram_seqpacket),
    cmocka_unit_test(test_ipv6_tcp),
    cmocka_unit_test(test_registry_and_filters),
    cmocka_unit_test(test_open_fd_and_errors),
    cmocka_unit_test(test_open_fd_listener_accepts),
    cmocka_unit_test(test_recvfrom_unnamed_source_is_unspec),
    cmocka_unit_test(test_connect_refused_and_timeout),
    cmocka_unit_test(test_fault_injection_transparent),
};
const size_t socket_basic_count = sizeof socket_basic_tests / sizeof socket_basic_tests[0];
