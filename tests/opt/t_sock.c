/* esock_getopt / esock_setopt and friends on esock_t sockets (the otp level included). */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "opt_tests.h"
#include "opt/optsys.h"

static esock_t open_tcp(void)
{
    esock_t s;
    assert_int_equal(esock_open(AF_INET, SOCK_STREAM, 0, &s), 0);
    return s;
}

static void otp_defaults_as_otp(void **state)
{
    (void)state;
    esock_mbox_t self = esock_mbox_self(); /* exists before open: it becomes the owner */
    esock_t s = open_tcp();
    esock_optval_t v;
    assert_int_equal(esock_getopt(s, ESOCK_OPT_OTP_RCVBUF, &v), 0);
    assert_int_equal(v.type, ESOCK_OVT_OTP_RCVBUF);
    assert_int_equal(v.u.rcvbuf.n, 1);
    assert_int_equal(v.u.rcvbuf.size, 8192);
    int n;
    assert_int_equal(esock_getopt_int(s, ESOCK_OPT_OTP_RCVCTRLBUF, &n), 0);
    assert_int_equal(n, 1024);
    assert_int_equal(esock_getopt_int(s, ESOCK_OPT_OTP_SNDCTRLBUF, &n), 0);
    assert_int_equal(n, 1024);
    bool b = true;
    assert_int_equal(esock_getopt_bool(s, ESOCK_OPT_OTP_DEBUG, &b), 0);
    assert_false(b);
    b = true;
    assert_int_equal(esock_getopt_bool(s, ESOCK_OPT_OTP_IOW, &b), 0);
    assert_false(b);
    assert_int_equal(esock_getopt(s, ESOCK_OPT_OTP_META, &v), 0);
    assert_int_equal(v.u.meta, 0);
    assert_int_equal(esock_getopt_int(s, ESOCK_OPT_OTP_FD, &n), 0);
    assert_int_equal(n, esock_fd(s));
    assert_int_equal(esock_getopt_int(s, ESOCK_OPT_OTP_DOMAIN, &n), 0);
    assert_int_equal(n, AF_INET);
    assert_int_equal(esock_getopt_bool(s, ESOCK_OPT_OTP_USE_REGISTRY, &b), 0);
    esock_socket_info_t info;
    assert_int_equal(esock_info_socket(s, &info), 0);
    assert_int_equal(b, info.use_registry);
    assert_int_equal(esock_getopt(s, ESOCK_OPT_OTP_CONTROLLING_PROCESS, &v), 0);
    assert_int_equal(v.u.mbox.id, self.id);
    assert_int_equal(esock_close(s), 0);
}

static void otp_set_and_get_back(void **state)
{
    (void)state;
    esock_t s = open_tcp();
    esock_optval_t v = {.type = ESOCK_OVT_OTP_RCVBUF};
    v.u.rcvbuf.size = 1024;
    assert_int_equal(esock_setopt(s, ESOCK_OPT_OTP_RCVBUF, &v), 0);
    memset(&v, 0, sizeof v);
    assert_int_equal(esock_getopt(s, ESOCK_OPT_OTP_RCVBUF, &v), 0);
    assert_int_equal(v.u.rcvbuf.size, 1024);
    /* size 0 is OTP's `default` */
    v.u.rcvbuf.size = 0;
    assert_int_equal(esock_setopt(s, ESOCK_OPT_OTP_RCVBUF, &v), 0);
    assert_int_equal(esock_getopt(s, ESOCK_OPT_OTP_RCVBUF, &v), 0);
    assert_int_equal(v.u.rcvbuf.size, 8192);
    /* {N, Size}: OTP sets {3,1024} and reads back {3,1024}; {N, default}
     * reads back {N, 8192}; a plain size is N 1 again */
    v.u.rcvbuf.n = 3, v.u.rcvbuf.size = 1024;
    assert_int_equal(esock_setopt(s, ESOCK_OPT_OTP_RCVBUF, &v), 0);
    memset(&v, 0, sizeof v);
    assert_int_equal(esock_getopt(s, ESOCK_OPT_OTP_RCVBUF, &v), 0);
    assert_int_equal(v.u.rcvbuf.n, 3);
    assert_int_equal(v.u.rcvbuf.size, 1024);
    v.u.rcvbuf.n = 2, v.u.rcvbuf.size = 0;
    assert_int_equal(esock_setopt(s, ESOCK_OPT_OTP_RCVBUF, &v), 0);
    assert_int_equal(esock_getopt(s, ESOCK_OPT_OTP_RCVBUF, &v), 0);
    assert_int_equal(v.u.rcvbuf.n, 2);
    assert_int_equal(v.u.rcvbuf.size, 8192);
    v.u.rcvbuf.n = 0, v.u.rcvbuf.size = 2000;
    assert_int_equal(esock_setopt(s, ESOCK_OPT_OTP_RCVBUF, &v), 0);
    assert_int_equal(esock_getopt(s, ESOCK_OPT_OTP_RCVBUF, &v), 0);
    assert_int_equal(v.u.rcvbuf.n, 1);
    assert_int_equal(v.u.rcvbuf.size, 2000);
    /* {3, 1024} reaches recv: a stream recv of no length reads 3 x 1024 */
    {
        esock_t a = open_tcp(), l = open_tcp(), b;
        esock_sockaddr_t sa;
        esock_ip_t lo;
        assert_int_equal(esock_parse_address("127.0.0.1", 9, &lo), 0);
        assert_int_equal(esock_sockaddr_ip(&sa, &lo, 0), 0);
        assert_int_equal(esock_bind(l, &sa), 0);
        assert_int_equal(esock_listen(l, 1), 0);
        assert_int_equal(esock_sockname(l, &sa), 0);
        assert_int_equal(esock_connect(a, &sa, 2000, NULL), 0);
        assert_int_equal(esock_accept(l, 2000, &b, NULL), 0);
        v.u.rcvbuf.n = 3, v.u.rcvbuf.size = 1024;
        assert_int_equal(esock_setopt(b, ESOCK_OPT_OTP_RCVBUF, &v), 0);
        static char big[5000];
        assert_int_equal(esock_send(a, big, sizeof big, 0, 2000, NULL, NULL), 0);
        char in[8192];
        size_t got = 0, total = 0;
        for (int i = 0; i < 100 && total < sizeof big; i++) {
            assert_int_equal(esock_recv(b, in, 0, sizeof in, 0, 2000, &got, NULL), 0);
            assert_true(got > 0 && got <= 3 * 1024);
            total += got;
        }
        assert_int_equal(total, sizeof big);
        assert_int_equal(esock_close(a), 0);
        assert_int_equal(esock_close(b), 0);
        assert_int_equal(esock_close(l), 0);
    }
    /* n * size must fit one allocation */
    v.u.rcvbuf.n = 4, v.u.rcvbuf.size = (size_t)1 << 29;
    assert_int_equal(esock_setopt(s, ESOCK_OPT_OTP_RCVBUF, &v), ESOCK_EINVAL_VALUE);
    assert_int_equal(esock_setopt_int(s, ESOCK_OPT_OTP_RCVCTRLBUF, 2048), 0);
    int n;
    assert_int_equal(esock_getopt_int(s, ESOCK_OPT_OTP_RCVCTRLBUF, &n), 0);
    assert_int_equal(n, 2048);
    assert_int_equal(esock_setopt_int(s, ESOCK_OPT_OTP_SNDCTRLBUF, 0), 0);
    assert_int_equal(esock_getopt_int(s, ESOCK_OPT_OTP_SNDCTRLBUF, &n), 0);
    assert_int_equal(n, 1024);
    assert_int_equal(esock_setopt_int(s, ESOCK_OPT_OTP_SNDCTRLBUF, -1), ESOCK_EINVAL_VALUE);
    v.type = ESOCK_OVT_META, v.u.meta = (uint64_t)(uintptr_t)&n;
    assert_int_equal(esock_setopt(s, ESOCK_OPT_OTP_META, &v), 0);
    memset(&v, 0, sizeof v);
    assert_int_equal(esock_getopt(s, ESOCK_OPT_OTP_META, &v), 0);
    assert_int_equal(v.u.meta, (uint64_t)(uintptr_t)&n);
    assert_int_equal(esock_setopt_bool(s, ESOCK_OPT_OTP_DEBUG, true), 0);
    bool b;
    assert_int_equal(esock_getopt_bool(s, ESOCK_OPT_OTP_DEBUG, &b), 0);
    assert_true(b);
    assert_int_equal(esock_setopt_bool(s, ESOCK_OPT_OTP_IOW, true), 0);
    assert_int_equal(esock_getopt_bool(s, ESOCK_OPT_OTP_IOW, &b), 0);
    assert_true(b);
    /* controlling_process moves the owner */
    esock_mbox_t mb;
    assert_int_equal(esock_mbox_create(&mb), 0);
    v.type = ESOCK_OVT_MBOX, v.u.mbox = mb;
    assert_int_equal(esock_setopt(s, ESOCK_OPT_OTP_CONTROLLING_PROCESS, &v), 0);
    memset(&v, 0, sizeof v);
    assert_int_equal(esock_getopt(s, ESOCK_OPT_OTP_CONTROLLING_PROCESS, &v), 0);
    assert_int_equal(v.u.mbox.id, mb.id);
    esock_mbox_t o;
    assert_int_equal(esock_get_owner(s, &o), 0);
    assert_int_equal(o.id, mb.id);
    assert_int_equal(esock_close(s), 0);
    assert_int_equal(esock_mbox_destroy(mb), 0);
}

static void otp_invalid(void **state)
{
    (void)state;
    esock_t s = open_tcp();
    /* get only: {invalid, {socket_option, {otp, use_registry}, false}} and friends */
    assert_int_equal(esock_setopt_bool(s, ESOCK_OPT_OTP_USE_REGISTRY, false), ESOCK_EINVAL_OPTION);
    assert_int_equal(esock_setopt_int(s, ESOCK_OPT_OTP_FD, 3), ESOCK_EINVAL_OPTION);
    assert_int_equal(esock_setopt_int(s, ESOCK_OPT_OTP_DOMAIN, AF_INET), ESOCK_EINVAL_OPTION);
    /* debug is a boolean: {invalid, {socket_option, {otp, debug}, 1}} */
    assert_int_equal(esock_setopt_int(s, ESOCK_OPT_OTP_DEBUG, 1), ESOCK_EINVAL_VALUE);
    esock_optval_t v = {.type = ESOCK_OVT_INT, .u.i = 1};
    assert_int_equal(esock_setopt(s, ESOCK_OPT_OTP_DEBUG, &v), ESOCK_EINVAL_VALUE);
    assert_int_equal(esock_getopt(s, ESOCK_OPT_NONE, &v), ESOCK_EINVAL_OPTION);
    assert_int_equal(esock_getopt(s, (esock_opt_t)12345, &v), ESOCK_EINVAL_OPTION);
    assert_int_equal(esock_close(s), 0);
    /* a closed (stale) handle */
    assert_int_equal(esock_getopt(s, ESOCK_OPT_OTP_RCVBUF, &v), ESOCK_ECLOSED);
    assert_int_equal(esock_setopt_bool(s, ESOCK_OPT_SOCKET_KEEPALIVE, true), ESOCK_ECLOSED);
    int n;
    assert_int_equal(esock_getopt_native_int(s, SOL_SOCKET, SO_RCVBUF, &n), ESOCK_ECLOSED);
    esock_ifval_t iv;
    assert_int_equal(esock_ioctl_get(s, ESOCK_IOCTL_GIFINDEX, "lo", 0, &iv), ESOCK_ECLOSED);
}

static void os_levels_through_the_handle(void **state)
{
    (void)state;
    esock_t s = open_tcp();
    assert_int_equal(esock_setopt_bool(s, ESOCK_OPT_SOCKET_REUSEADDR, true), 0);
    bool b = false;
    assert_int_equal(esock_getopt_bool(s, ESOCK_OPT_SOCKET_REUSEADDR, &b), 0);
    assert_true(b);
    /* the shortcuts refuse the wrong shape */
    assert_int_equal(esock_setopt_int(s, ESOCK_OPT_SOCKET_REUSEADDR, 17), ESOCK_EINVAL_VALUE);
    int n;
    assert_int_equal(esock_getopt_int(s, ESOCK_OPT_SOCKET_LINGER, &n), ESOCK_EINVAL_VALUE);
    assert_int_equal(esock_getopt_bool(s, ESOCK_OPT_SOCKET_RCVBUF, &b), ESOCK_EINVAL_VALUE);
    /* set on a get-only option: invalid option, whatever the value */
    assert_int_equal(esock_setopt_int(s, ESOCK_OPT_SOCKET_TYPE, SOCK_STREAM), ESOCK_EINVAL_OPTION);
    assert_int_equal(esock_getopt_int(s, ESOCK_OPT_SOCKET_TYPE, &n), 0);
    assert_int_equal(n, SOCK_STREAM);
    assert_int_equal(esock_getopt_int(s, ESOCK_OPT_SOCKET_PROTOCOL, &n), 0);
    assert_int_equal(n, IPPROTO_TCP);
    esock_optval_t v = {.type = ESOCK_OVT_LINGER, .u.linger = {true, 0}}; /* abort */
    assert_int_equal(esock_setopt(s, ESOCK_OPT_SOCKET_LINGER, &v), 0);
    memset(&v, 0, sizeof v);
    assert_int_equal(esock_getopt(s, ESOCK_OPT_SOCKET_LINGER, &v), 0);
    assert_true(v.u.linger.onoff);
    assert_int_equal(v.u.linger.linger, 0);
    assert_int_equal(esock_setopt_bool(s, ESOCK_OPT_TCP_NODELAY, true), 0);
    assert_int_equal(esock_getopt_bool(s, ESOCK_OPT_TCP_NODELAY, &b), 0);
    assert_true(b);
    assert_int_equal(esock_setopt_int(s, ESOCK_OPT_IP_TOS, ESOCK_IPTOS_THROUGHPUT), 0);
    assert_int_equal(esock_getopt_int(s, ESOCK_OPT_IP_TOS, &n), 0);
    assert_int_equal(n, ESOCK_IPTOS_THROUGHPUT);
    assert_int_equal(esock_close(s), 0);

    esock_t u;
    assert_int_equal(esock_open(AF_INET, SOCK_DGRAM, 0, &u), 0);
    /* {tcp, nodelay} on udp: the OS's enotsup */
    assert_int_equal(esock_getopt_bool(u, ESOCK_OPT_TCP_NODELAY, &b), -EOPNOTSUPP);
    assert_int_equal(esock_close(u), 0);
}

/* getopt_native / setopt_native: {socket, 7} (SO_RCVBUF) as integer, bool, size, buffer. */
static void native_forms(void **state)
{
    (void)state;
    esock_t s = open_tcp();
    int lvl, opt;
    assert_int_equal(esock_opt_native(ESOCK_OPT_SOCKET_RCVBUF, &lvl, &opt), 0);
    assert_int_equal(esock_setopt_native_int(s, lvl, opt, 65536), 0);
    int n = 0;
    assert_int_equal(esock_getopt_native_int(s, esock_level_native(ESOCK_LEVEL_SOCKET), SO_RCVBUF, &n), 0);
    assert_true(n >= 65536);
    int typed;
    assert_int_equal(esock_getopt_int(s, ESOCK_OPT_SOCKET_RCVBUF, &typed), 0);
    assert_int_equal(typed, n);
    assert_int_equal(esock_setopt_native_bool(s, SOL_SOCKET, SO_KEEPALIVE, true), 0);
    bool b = false;
    assert_int_equal(esock_getopt_native_bool(s, SOL_SOCKET, SO_KEEPALIVE, &b), 0);
    assert_true(b);
    assert_int_equal(esock_getopt_bool(s, ESOCK_OPT_SOCKET_KEEPALIVE, &b), 0);
    assert_true(b);
    /* a byte size to read into */
    unsigned char buf[16];
    memset(buf, 0, sizeof buf);
    size_t len = sizeof buf;
    assert_int_equal(esock_getopt_native_buf(s, SOL_SOCKET, SO_LINGER, buf, &len), 0);
    assert_int_equal(len, sizeof(struct linger));
    /* a caller buffer as the value */
    struct linger l = {1, 3};
    assert_int_equal(esock_setopt_native_buf(s, SOL_SOCKET, SO_LINGER, &l, sizeof l), 0);
    esock_optval_t v;
    assert_int_equal(esock_getopt(s, ESOCK_OPT_SOCKET_LINGER, &v), 0);
    assert_true(v.u.linger.onoff);
    assert_int_equal(v.u.linger.linger, 3);
    /* unknown native: the OS's enoprotoopt */
    assert_int_equal(esock_getopt_native_int(s, SOL_SOCKET, 99999, &n), -ENOPROTOOPT);
    assert_int_equal(esock_close(s), 0);
}

/* Option lengths reach the kernel as an int: a size_t beyond that range must
 * not be cut to its low bits (2^32 + 4 would pass as 4). */
static void huge_option_lengths(void **state)
{
    (void)state;
    esock_t s = open_tcp();
    const size_t huge = ((size_t)1 << 32) | sizeof(int);
    int v = 65536;
    assert_int_equal(esock_setopt_native_buf(s, SOL_SOCKET, SO_RCVBUF, &v, huge),
                     ESOCK_EINVAL_VALUE);
    unsigned char opts[4] = {1, 1, 1, 0}; /* NOPs: harmless if it got through */
    esock_optval_t b = {.type = ESOCK_OVT_BYTES};
    b.u.bytes.buf = opts;
    b.u.bytes.len = (size_t)1 << 32;
    assert_int_equal(esock_setopt(s, ESOCK_OPT_IP_OPTIONS, &b), ESOCK_EINVAL_VALUE);
    /* a get's length is a capacity: a huge one reads the whole value */
    int back = 0;
    size_t len = (size_t)1 << 32;
    assert_int_equal(esock_getopt_native_buf(s, SOL_SOCKET, SO_RCVBUF, &back, &len), 0);
    assert_int_equal(len, sizeof back);
    assert_true(back > 0);
    assert_int_equal(esock_close(s), 0);
}

static void ioctl_through_the_handle(void **state)
{
    (void)state;
    esock_t s;
    assert_int_equal(esock_open(AF_INET, SOCK_DGRAM, 0, &s), 0);
    esock_ifval_t v;
    assert_int_equal(esock_ioctl_get(s, ESOCK_IOCTL_GIFINDEX, "lo", 0, &v), 0);
    assert_int_equal(v.i, (int)if_nametoindex("lo"));
    assert_int_equal(esock_ioctl_get(s, ESOCK_IOCTL_GIFFLAGS, "lo", 0, &v), 0);
    assert_true(v.flags & IFF_LOOPBACK);
    esock_ifconf_entry_t e[32];
    size_t n = 0;
    assert_int_equal(esock_ioctl_gifconf(s, e, 32, &n), 0);
    assert_true(n >= 1);
    assert_int_equal(esock_ioctl_get(s, ESOCK_IOCTL_SIFMTU, "lo", 0, &v), ESOCK_EINVAL_REQUEST);
    assert_int_equal(esock_close(s), 0);
}

/* Many threads on one socket and on the lazily built supports() tables. */
struct par {
    esock_t s;
    int fails;
};

static void *hammer(void *arg)
{
    struct par *p = arg;
    for (int i = 0; i < 200; i++) {
        esock_supports_item_t it[8];
        if (!esock_is_supported("protocols", "tcp", NULL) || esock_supports("protocols", NULL, it, 8) < 5)
            p->fails++;
        (void)esock_is_supported("ipv6", NULL, NULL);
        if (esock_setopt_int(p->s, ESOCK_OPT_OTP_RCVCTRLBUF, 100 + i) != 0)
            p->fails++;
        int n;
        if (esock_getopt_int(p->s, ESOCK_OPT_OTP_RCVCTRLBUF, &n) != 0 || n < 100 || n >= 300)
            p->fails++;
        bool b;
        if (esock_setopt_bool(p->s, ESOCK_OPT_SOCKET_KEEPALIVE, i & 1) != 0 ||
            esock_getopt_bool(p->s, ESOCK_OPT_SOCKET_KEEPALIVE, &b) != 0)
            p->fails++;
    }
    return NULL;
}

static void concurrent_calls(void **state)
{
    (void)state;
    struct par p[4];
    pthread_t t[4];
    esock_t s = open_tcp();
    for (int i = 0; i < 4; i++) {
        p[i].s = s, p[i].fails = 0;
        assert_int_equal(pthread_create(&t[i], NULL, hammer, &p[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(p[i].fails, 0);
    }
    assert_int_equal(esock_close(s), 0);
}

static int no_sockets_left(void **state)
{
    (void)state;
    return esock_number_of() == 0 ? 0 : -1;
}

const struct CMUnitTest opt_sock_tests[] = {
    cmocka_unit_test_teardown(otp_defaults_as_otp, no_sockets_left),
    cmocka_unit_test_teardown(otp_set_and_get_back, no_sockets_left),
    cmocka_unit_test_teardown(otp_invalid, no_sockets_left),
    cmocka_unit_test_teardown(os_levels_through_the_handle, no_sockets_left),
    cmocka_unit_test_teardown(native_forms, no_sockets_left),
    cmocka_unit_test_teardown(huge_option_lengths, no_sockets_left),
    cmocka_unit_test_teardown(ioctl_through_the_handle, no_sockets_left),
    cmocka_unit_test_teardown(concurrent_calls, no_sockets_left),
};
OPT_NTESTS(opt_sock);
