/* supports() / is_supported(): the tables agree with what the calls do. */
#include <string.h>
#include <unistd.h>

#include "opt_tests.h"
#include "opt/optsys.h"

static const esock_supports_item_t *find(const esock_supports_item_t *it, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(it[i].key, key) == 0)
            return &it[i];
    return NULL;
}

static void top_level(void **state)
{
    (void)state;
    esock_supports_item_t it[16];
    size_t n = esock_supports(NULL, NULL, it, 16);
    assert_int_equal(n, 10);
    assert_int_equal(esock_supports(NULL, NULL, NULL, 0), 10);
    const char *lists[] = {"options", "msg_flags", "protocols", "ioctl_requests", "ioctl_flags"};
    for (size_t i = 0; i < 5; i++) {
        const esock_supports_item_t *x = find(it, n, lists[i]);
        assert_non_null(x);
        assert_true(x->is_list);
        assert_false(esock_is_supported(lists[i], NULL, NULL));
    }
    const char *bools[] = {"sctp", "ipv6", "local", "netns", "sendfile"};
    for (size_t i = 0; i < 5; i++) {
        const esock_supports_item_t *x = find(it, n, bools[i]);
        assert_non_null(x);
        assert_false(x->is_list);
        assert_int_equal(esock_is_supported(bools[i], NULL, NULL), x->value);
    }
    /* ipv6 and local say what socket() then does */
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    assert_int_equal(esock_is_supported("ipv6", NULL, NULL), fd >= 0);
    if (fd >= 0)
        close(fd);
    assert_true(esock_is_supported("local", NULL, NULL));
    fd = socket(AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP);
    assert_int_equal(esock_is_supported("sctp", NULL, NULL), fd >= 0);
    assert_int_equal(esock_is_supported("protocols", "sctp", NULL), fd >= 0);
    if (fd >= 0)
        close(fd);
    /* unknown keys: [] and false */
    assert_int_equal(esock_supports("foo", NULL, it, 16), 0);
    assert_int_equal(esock_supports("options", "foo", it, 16), 0);
    assert_int_equal(esock_supports("options", "otp", it, 16), 0);
    assert_false(esock_is_supported("foo", NULL, NULL));
    assert_false(esock_is_supported(NULL, NULL, NULL));
    assert_false(esock_is_supported("msg_flags", "bogus", NULL));
    assert_false(esock_is_supported("options", "socket", "bogus"));
}

static void options_agree_with_getopt(void **state)
{
    (void)state;
    esock_supports_item_t it[256];
    size_t n = esock_supports("options", NULL, it, 256);
    assert_int_equal(n, ESOCK_OPT__COUNT - 1 - 10); /* every OS-level option, once */
    int aux[2];
    int fd = opt_test_open(K_TCP4, aux);
    assert_true(fd >= 0);
    size_t per_level = 0;
    for (int l = ESOCK_LEVEL_SOCKET; l < ESOCK_LEVEL__COUNT; l++)
        per_level += esock_supports("options", esock_level_name((esock_level_t)l), NULL, 0);
    assert_int_equal(per_level, n);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(it[i].level);
        esock_opt_t o = esock_opt_lookup(it[i].level, it[i].key);
        assert_int_not_equal(o, ESOCK_OPT_NONE);
        assert_int_equal(esock_is_supported("options", it[i].level, it[i].key), it[i].value);
        /* unsupported ones are refused before the OS; supported ones are not */
        esock_optval_t v;
        memset(&v, 0, sizeof v);
        unsigned char raw[64];
        v.type = esock__opttab[o].type;
        if (v.type == ESOCK_OVT_BYTES)
            v.u.bytes.buf = raw, v.u.bytes.len = sizeof raw;
        int rc = (esock__opttab[o].access & ESOCK_OPT_GET) ? esock__getopt_fd(fd, o, &v)
                                                           : esock__setopt_fd(fd, o, &v);
        if (it[i].value)
            assert_int_not_equal(rc, ESOCK_ENOTSUP_OPTION);
        else
            assert_int_equal(rc, ESOCK_ENOTSUP_OPTION);
    }
    opt_test_close(fd, aux);
    /* Linux names we know */
    assert_true(esock_is_supported("options", "socket", "linger"));
    assert_true(esock_is_supported("options", "tcp", "nodelay"));
    assert_false(esock_is_supported("options", "socket", "peek_off"));
    assert_false(esock_is_supported("options", "otp", "rcvbuf"));
}

static void msg_flags_and_protocols(void **state)
{
    (void)state;
    esock_supports_item_t it[256];
    size_t n = esock_supports("msg_flags", NULL, it, 256);
    assert_int_equal(n, 11);
    assert_true(esock_is_supported("msg_flags", "peek", NULL));
    assert_true(esock_is_supported("msg_flags", "oob", NULL));
    assert_true(esock_is_supported("msg_flags", "trunc", NULL));
#ifdef __linux__
    assert_true(esock_is_supported("msg_flags", "errqueue", NULL));
    assert_true(esock_is_supported("msg_flags", "cmsg_cloexec", NULL));
#endif
    /* MSG_PEEK really works where it is said to */
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
    assert_int_equal(send(sv[0], "x", 1, 0), 1);
    char c;
    assert_int_equal(recv(sv[1], &c, 1, MSG_PEEK), 1);
    assert_int_equal(recv(sv[1], &c, 1, MSG_DONTWAIT), 1);
    close(sv[0]), close(sv[1]);

    n = esock_supports("protocols", NULL, it, 256);
    assert_true(n >= 5);
    assert_true(esock_is_supported("protocols", "tcp", NULL));
    assert_true(esock_is_supported("protocols", "udp", NULL));
    assert_true(esock_is_supported("protocols", "ip", NULL));
    assert_false(esock_is_supported("protocols", "no_such_proto", NULL));
}

static void ioctl_tables(void **state)
{
    (void)state;
    esock_supports_item_t it[64];
    size_t n = esock_supports("ioctl_requests", NULL, it, 64);
    assert_int_equal(n, ESOCK_IOCTL__COUNT - 1);
    for (size_t i = 0; i < n; i++)
        assert_non_null(esock_ioctl_request_name((esock_ioctl_request_t)(i + 1)));
    assert_true(esock_is_supported("ioctl_requests", "gifmtu", NULL));
    assert_true(esock_is_supported("ioctl_requests", "sifmtu", NULL));
    n = esock_supports("ioctl_flags", NULL, it, 64);
    assert_int_equal(n, 32);
    for (size_t i = 0; i < n; i++) {
        unsigned bit = esock_ioctl_flag_lookup(it[i].key);
        assert_int_equal(bit != 0, it[i].value);
        if (bit)
            assert_string_equal(esock_ioctl_flag_name(bit), it[i].key);
    }
    assert_int_equal(esock_ioctl_flag_lookup("up"), IFF_UP);
    assert_int_equal(esock_ioctl_flag_lookup("loopback"), IFF_LOOPBACK);
    assert_int_equal(esock_ioctl_flag_lookup("bogus"), 0);
#ifdef __linux__
    assert_true(esock_is_supported("ioctl_flags", "lower_up", NULL));
    assert_false(esock_is_supported("ioctl_flags", "staticarp", NULL));
#endif
}

const struct CMUnitTest opt_supports_tests[] = {
    cmocka_unit_test(top_level),
    cmocka_unit_test(options_agree_with_getopt),
    cmocka_unit_test(msg_flags_and_protocols),
    cmocka_unit_test(ioctl_tables),
};
OPT_NTESTS(opt_supports);
