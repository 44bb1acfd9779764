/*
 * Socket addresses: conversions to and from struct sockaddr for every
 * family, the OS's own view (getsockname on loopback and abstract sockets),
 * formatting and equality.
 */
#include "addr_tests.h"

#include <esock/addr.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/if_packet.h>
#endif

/* to_native then from_native gives an equal address; returns the length. */
static socklen_t round_trip(const esock_sockaddr_t *sa, struct sockaddr_storage *ss)
{
    socklen_t len = 0;
    assert_int_equal(esock_sockaddr_to_native(sa, ss, &len), 0);
    esock_sockaddr_t back;
    memset(&back, 0x5a, sizeof back);
    assert_int_equal(esock_sockaddr_from_native((struct sockaddr *)ss, len, &back), 0);
    assert_true(esock_sockaddr_equal(sa, &back));
    assert_true(esock_sockaddr_equal(&back, sa));
    return len;
}

static void expect_format(const esock_sockaddr_t *sa, const char *want)
{
    char buf[512];
    int n = esock_sockaddr_format(sa, buf, sizeof buf);
    assert_int_equal(n, (int)strlen(want));
    assert_string_equal(buf, want);
    /* One byte short never gives a cut line. */
    char small[512];
    memset(small, 'X', sizeof small);
    assert_int_equal(esock_sockaddr_format(sa, small, strlen(want)), -ENOSPC);
    if (strlen(want) > 0)
        assert_int_equal(small[0], '\0');
    assert_int_equal(esock_sockaddr_format(sa, NULL, 0), -ENOSPC);
}

static void test_inet(void **state)
{
    (void)state;
    esock_ip_t ip;
    esock_sockaddr_t sa;
    struct sockaddr_storage ss;
    assert_int_equal(esock_parse_address("192.168.0.1", 11, &ip), 0);
    assert_int_equal(esock_sockaddr_ip(&sa, &ip, 8080), 0);
    assert_int_equal(round_trip(&sa, &ss), sizeof(struct sockaddr_in));
    const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;
    assert_int_equal(sin->sin_family, AF_INET);
    assert_int_equal(ntohs(sin->sin_port), 8080);
    assert_int_equal(ntohl(sin->sin_addr.s_addr), 0xc0a80001u);
    expect_format(&sa, "192.168.0.1:8080");
    esock_ip_t got;
    uint16_t port = 0;
    assert_int_equal(esock_sockaddr_get_ip(&sa, &got, &port), 0);
    assert_int_equal(port, 8080);
    assert_memory_equal(got.u.v4, ip.u.v4, 4);
    /* Too short for a sockaddr_in. */
    esock_sockaddr_t back;
    assert_int_equal(esock_sockaddr_from_native((struct sockaddr *)&ss, sizeof(struct sockaddr_in) - 1,
                                                &back),
                     -EINVAL);
}

static void test_inet6(void **state)
{
    (void)state;
    esock_ip_t ip;
    esock_sockaddr_t sa;
    struct sockaddr_storage ss;
    assert_int_equal(esock_parse_address("fe80::1", 7, &ip), 0);
    assert_int_equal(esock_sockaddr_ip(&sa, &ip, 443), 0);
    sa.u.in6.flowinfo = 0x12345;
    sa.u.in6.scope_id = 2;
    assert_int_equal(round_trip(&sa, &ss), sizeof(struct sockaddr_in6));
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;
    assert_int_equal(s6->sin6_family, AF_INET6);
    assert_int_equal(ntohs(s6->sin6_port), 443);
    assert_int_equal(ntohl(s6->sin6_flowinfo), 0x12345); /* network order, unlike OTP */
    assert_int_equal(s6->sin6_scope_id, 2);
    assert_int_equal(s6->sin6_addr.s6_addr[0], 0xfe);
    assert_int_equal(s6->sin6_addr.s6_addr[15], 1);
    expect_format(&sa, "[fe80::1%2]:443");
    sa.u.in6.scope_id = 0;
    expect_format(&sa, "[fe80::1]:443");
    /* Group 2 of a socket address is just part of the address. */
    sa.u.in6.addr[1] = 5;
    expect_format(&sa, "[fe80:5::1]:443");
    sa.u.in6.addr[0] = 0, sa.u.in6.addr[1] = 0, sa.u.in6.addr[7] = 0x0102;
    expect_format(&sa, "[::102]:443");
    sa.u.in6.flowinfo = 1048575;
    round_trip(&sa, &ss);
    sa.u.in6.flowinfo = 1048576;
    socklen_t len;
    assert_int_equal(esock_sockaddr_to_native(&sa, &ss, &len), ESOCK_EINVAL_ADDRESS);
    esock_sockaddr_t back;
    ((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
    assert_int_equal(esock_sockaddr_from_native((struct sockaddr *)&ss, sizeof(struct sockaddr_in6) - 1,
                                                &back),
                     -EINVAL);
}

static void test_local_path(void **state)
{
    (void)state;
    esock_sockaddr_t sa, with_nul;
    struct sockaddr_storage ss;
    assert_int_equal(esock_sockaddr_local(&sa, "/tmp/sock", 9), 0);
    assert_int_equal(sa.u.local.len, 9);
    socklen_t len = round_trip(&sa, &ss);
    /* The NUL is added on the way out... */
    assert_int_equal(len, offsetof(struct sockaddr_un, sun_path) + 10);
    assert_string_equal(((struct sockaddr_un *)&ss)->sun_path, "/tmp/sock");
    /* ...and a caller's terminating NUL is not part of the name. */
    assert_int_equal(esock_sockaddr_local(&with_nul, "/tmp/sock", 10), 0);
    assert_true(esock_sockaddr_equal(&sa, &with_nul));
    expect_format(&sa, "/tmp/sock");
    /* A NUL inside a path name would cut it. */
    assert_int_equal(esock_sockaddr_local(&sa, "/tmp\0x", 6), -EINVAL);
    /* The OS form may or may not count the NUL: both decode the same. */
    esock_sockaddr_t back;
    assert_int_equal(esock_sockaddr_from_native((struct sockaddr *)&ss,
                                                offsetof(struct sockaddr_un, sun_path) + 9, &back),
                     0);
    assert_true(esock_sockaddr_equal(&with_nul, &back));
}

static void test_local_lengths(void **state)
{
    (void)state;
    char path[200];
    memset(path, 'p', sizeof path);
    size_t max = sizeof(((struct sockaddr_un *)0)->sun_path); /* 108 on Linux */
    esock_sockaddr_t sa;
    struct sockaddr_storage ss;
    /* A path name needs room for its NUL. */
    assert_int_equal(esock_sockaddr_local(&sa, path, max - 1), 0);
    round_trip(&sa, &ss);
    assert_int_equal(esock_sockaddr_local(&sa, path, max), -ENAMETOOLONG);
    assert_int_equal(esock_sockaddr_local(&sa, path, sizeof path), -ENAMETOOLONG);
    /* An abstract name has no NUL to add: the whole sun_path is usable. */
    path[0] = '\0';
    assert_int_equal(esock_sockaddr_local(&sa, path, max), 0);
    assert_int_equal(round_trip(&sa, &ss), sizeof(struct sockaddr_un));
    assert_int_equal(esock_sockaddr_local(&sa, path, max + 1), -ENAMETOOLONG);
    /* A value built by hand that the OS form cannot hold is refused. */
    memset(&sa, 0, sizeof sa);
    sa.family = ESOCK_FAMILY_LOCAL;
    sa.u.local.len = max;
    memset(sa.u.local.path, 'q', max);
    socklen_t len;
    assert_int_equal(esock_sockaddr_to_native(&sa, &ss, &len), ESOCK_EINVAL_ADDRESS);
    sa.u.local.len = 1000;
    assert_int_equal(esock_sockaddr_to_native(&sa, &ss, &len), ESOCK_EINVAL_ADDRESS);
    char buf[600];
    assert_int_equal(esock_sockaddr_format(&sa, buf, sizeof buf), -EINVAL);
    /* From the OS: a 108-byte name with the NUL Linux appends (111 bytes). */
    unsigned char raw[sizeof(struct sockaddr_un) + 8];
    memset(raw, 'r', sizeof raw);
    sa_family_t fam = AF_UNIX;
    memcpy(raw, &fam, sizeof fam);
    size_t off = offsetof(struct sockaddr_un, sun_path);
    raw[off + max] = '\0';
    esock_sockaddr_t back;
    assert_int_equal(esock_sockaddr_from_native((struct sockaddr *)raw, (socklen_t)(off + max + 1), &back),
                     0);
    assert_int_equal(back.u.local.len, max);
    raw[off + max] = 'r';
    assert_int_equal(esock_sockaddr_from_native((struct sockaddr *)raw, (socklen_t)(off + max + 1), &back),
                     -EINVAL);
    assert_int_equal(esock_sockaddr_from_native((struct sockaddr *)raw, (socklen_t)(off + max + 2), &back),
                     -EINVAL);
}

static void test_local_abstract_and_unnamed(void **state)
{
    (void)state;
    esock_sockaddr_t sa;
    struct sockaddr_storage ss;
    /* Abstract: no NUL processing at all, embedded and trailing NULs kept. */
    static const char name[] = "\0esock\0test\0";
    assert_int_equal(esock_sockaddr_local(&sa, name, sizeof name - 1), 0);
    assert_int_equal(sa.u.local.len, sizeof name - 1);
    socklen_t len = round_trip(&sa, &ss);
    assert_int_equal(len, offsetof(struct sockaddr_un, sun_path) + sizeof name - 1);
    expect_format(&sa, "@esock@test@");
    /* Unnamed: the bare family (what an unbound socket reports, and
     * autobind on Linux); format says so. */
    assert_int_equal(esock_sockaddr_local(&sa, NULL, 0), 0);
    len = round_trip(&sa, &ss);
    assert_int_equal(len, offsetof(struct sockaddr_un, sun_path));
    expect_format(&sa, "(unnamed)");
    /* Non-printable bytes are escaped. */
    assert_int_equal(esock_sockaddr_local(&sa, "a\\b\x01\xc3\xa9", 6), 0);
    expect_format(&sa, "a\\\\b\\x01\\xc3\\xa9");
}

/* What the kernel reports for a bound abstract socket and a loopback one. */
static void test_os_view(void **state)
{
    (void)state;
    esock_sockaddr_t sa, got;
    struct sockaddr_storage ss, out;
    socklen_t len, olen;
#ifdef __linux__
    char name[64];
    int n = snprintf(name + 1, sizeof name - 1, "esock-test-addr-%ld", (long)getpid()) + 1;
    name[0] = '\0';
    assert_int_equal(esock_sockaddr_local(&sa, name, (size_t)n), 0);
    assert_int_equal(esock_sockaddr_to_native(&sa, &ss, &len), 0);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&ss, len), 0);
    olen = sizeof out;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&out, &olen), 0);
    assert_int_equal(esock_sockaddr_from_native((struct sockaddr *)&out, olen, &got), 0);
    assert_true(esock_sockaddr_equal(&sa, &got));
    close(fd);
    /* An unbound local socket reports the unnamed address. */
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    olen = sizeof out;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&out, &olen), 0);
    assert_int_equal(esock_sockaddr_from_native((struct sockaddr *)&out, olen, &got), 0);
    assert_int_equal(got.family, ESOCK_FAMILY_LOCAL);
    assert_int_equal(got.u.local.len, 0);
    close(fd);
#endif
    esock_ip_t lo;
    assert_int_equal(esock_parse_address("127.0.0.1", 9, &lo), 0);
    assert_int_equal(esock_sockaddr_ip(&sa, &lo, 0), 0);
    assert_int_equal(esock_sockaddr_to_native(&sa, &ss, &len), 0);
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(s >= 0);
    assert_int_equal(bind(s, (struct sockaddr *)&ss, len), 0);
    olen = sizeof out;
    assert_int_equal(getsockname(s, (struct sockaddr *)&out, &olen), 0);
    assert_int_equal(esock_sockaddr_from_native((struct sockaddr *)&out, olen, &got), 0);
    close(s);
    assert_int_equal(got.family, ESOCK_FAMILY_INET);
    assert_memory_equal(got.u.in.addr, lo.u.v4, 4);
    assert_true(got.u.in.port != 0); /* the ephemeral port, host order */
}

static void test_packet(void **state)
{
    (void)state;
#ifdef __linux__
    esock_sockaddr_t sa;
    struct sockaddr_storage ss;
    memset(&sa, 0, sizeof sa);
    sa.family = ESOCK_FAMILY_PACKET;
    sa.u.packet.protocol = 0x0800;
    sa.u.packet.ifindex = 3;
    sa.u.packet.pkttype = 4;
    sa.u.packet.hatype = 1;
    sa.u.packet.addr_len = 6;
    memcpy(sa.u.packet.addr, "\x00\x11\x22\x33\x44\x55", 6);
    assert_int_equal(round_trip(&sa, &ss), sizeof(struct sockaddr_ll));
    const struct sockaddr_ll *ll = (const struct sockaddr_ll *)&ss;
    assert_int_equal(ll->sll_family, AF_PACKET);
    assert_int_equal(ntohs(ll->sll_protocol), 0x0800);
    assert_int_equal(ll->sll_ifindex, 3);
    assert_int_equal(ll->sll_halen, 6);
    expect_format(&sa, "packet:ifindex=3,protocol=0x0800,pkttype=4,hatype=1,addr=00:11:22:33:44:55");
    sa.u.packet.addr_len = 9;
    socklen_t len;
    assert_int_equal(esock_sockaddr_to_native(&sa, &ss, &len), ESOCK_EINVAL_ADDRESS);
    /* A hardware address longer than sll_addr is cut to what it holds. */
    sa.u.packet.addr_len = 6;
    esock_sockaddr_to_native(&sa, &ss, &len);
    ((struct sockaddr_ll *)&ss)->sll_halen = 20;
    esock_sockaddr_t back;
    assert_int_equal(esock_sockaddr_from_native((struct sockaddr *)&ss, len, &back), 0);
    assert_int_equal(back.u.packet.addr_len, 8);
    assert_int_equal(esock_sockaddr_from_native((struct sockaddr *)&ss, len - 1, &back), -EINVAL);
#else
    skip();
#endif
}

static void test_unspec_native_link(void **state)
{
    (void)state;
    esock_sockaddr_t sa;
    struct sockaddr_storage ss;
    memset(&sa, 0, sizeof sa);
    sa.family = ESOCK_FAMILY_UNSPEC;
    sa.u.raw.len = 3;
    memcpy(sa.u.raw.data, "\x01\x02\xff", 3);
    assert_int_equal(round_trip(&sa, &ss), offsetof(struct sockaddr, sa_data) + 3);
    assert_int_equal(ss.ss_family, AF_UNSPEC);
    expect_format(&sa, "unspec:0102ff");
    /* A family esock does not decode stays native, bytes and all. */
    sa.family = ESOCK_FAMILY_NATIVE;
    sa.u.raw.family = AF_APPLETALK;
    assert_int_equal(round_trip(&sa, &ss), offsetof(struct sockaddr, sa_data) + 3);
    assert_int_equal(ss.ss_family, AF_APPLETALK);
    char want[64];
    snprintf(want, sizeof want, "native:family=%d,addr=0102ff", AF_APPLETALK);
    expect_format(&sa, want);
    sa.u.raw.len = 0;
    snprintf(want, sizeof want, "native:family=%d,addr=-", AF_APPLETALK);
    expect_format(&sa, want);
    /* Too much for a sockaddr_storage. */
    sa.u.raw.len = sizeof sa.u.raw.data;
    socklen_t len;
    assert_int_equal(esock_sockaddr_to_native(&sa, &ss, &len), ESOCK_EINVAL_ADDRESS);
    sa.u.raw.family = -1;
    sa.u.raw.len = 1;
    assert_int_equal(esock_sockaddr_to_native(&sa, &ss, &len), ESOCK_EINVAL_ADDRESS);
    /* A link address (BSD's sockaddr_dl) has no Linux form. */
    memset(&sa, 0, sizeof sa);
    sa.family = ESOCK_FAMILY_LINK;
    sa.u.link.index = 2;
    sa.u.link.data_len = 2;
    memcpy(sa.u.link.data, "\xab\xcd", 2);
#ifdef __linux__
    assert_int_equal(esock_sockaddr_to_native(&sa, &ss, &len), ESOCK_EINVAL_ADDRESS);
#endif
    expect_format(&sa, "link:index=2,type=0,nlen=0,alen=0,slen=0,data=abcd");
    /* Shorter than a family field, or an unknown enum value. */
    esock_sockaddr_t back;
    assert_int_equal(esock_sockaddr_from_native((struct sockaddr *)&ss, 1, &back), -EINVAL);
    sa.family = (esock_family_t)99;
    assert_int_equal(esock_sockaddr_to_native(&sa, &ss, &len), ESOCK_EINVAL_ADDRESS);
    char buf[64];
    assert_int_equal(esock_sockaddr_format(&sa, buf, sizeof buf), -EINVAL);
}

static void test_equal(void **state)
{
    (void)state;
    esock_ip_t ip;
    esock_sockaddr_t a, b;
    assert_int_equal(esock_parse_address("::1", 3, &ip), 0);
    esock_sockaddr_ip(&a, &ip, 1);
    /* Garbage outside the meaningful fields does not matter. */
    memset(&b, 0x77, sizeof b);
    b.family = ESOCK_FAMILY_INET6;
    memcpy(b.u.in6.addr, ip.u.v6, 16);
    b.u.in6.port = 1;
    b.u.in6.flowinfo = 0;
    b.u.in6.scope_id = 0;
    assert_true(esock_sockaddr_equal(&a, &b));
    b.u.in6.scope_id = 1;
    assert_false(esock_sockaddr_equal(&a, &b));
    b.u.in6.scope_id = 0, b.u.in6.flowinfo = 1;
    assert_false(esock_sockaddr_equal(&a, &b));
    b.u.in6.flowinfo = 0, b.u.in6.port = 2;
    assert_false(esock_sockaddr_equal(&a, &b));
    /* Same bytes, different family. */
    esock_ip_t v4 = {.family = ESOCK_IP4, .u.v4 = {0, 0, 0, 0}};
    esock_sockaddr_ip(&b, &v4, 1);
    assert_false(esock_sockaddr_equal(&a, &b));
    esock_sockaddr_local(&a, "\0x", 2);
    esock_sockaddr_local(&b, "\0x\0", 3);
    assert_false(esock_sockaddr_equal(&a, &b)); /* abstract names keep every byte */
    assert_true(esock_sockaddr_equal(NULL, NULL));
    assert_false(esock_sockaddr_equal(&a, NULL));
    esock_ip_t bad = {.family = 0};
    assert_int_equal(esock_sockaddr_ip(&a, &bad, 1), -EINVAL);
    esock_sockaddr_ip(&b, &v4, 1);
    assert_int_equal(esock_sockaddr_get_ip(&b, &ip, NULL), 0);
    assert_int_equal(ip.family, ESOCK_IP4);
    esock_sockaddr_local(&a, "/x", 2);
    assert_int_equal(esock_sockaddr_get_ip(&a, &ip, NULL), -EINVAL);
}

const struct CMUnitTest addr_sockaddr_tests[] = {
    cmocka_unit_test(test_inet),         cmocka_unit_test(test_inet6),
    cmocka_unit_test(test_local_path),   cmocka_unit_test(test_local_lengths),
    cmocka_unit_test(test_local_abstract_and_unnamed), cmocka_unit_test(test_os_view),
    cmocka_unit_test(test_packet),       cmocka_unit_test(test_unspec_native_link),
    cmocka_unit_test(test_equal),
};
const size_t addr_sockaddr_count = sizeof addr_sockaddr_tests / sizeof addr_sockaddr_tests[0];
