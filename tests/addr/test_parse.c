/*
 * Parser cases the golden vectors do not cover: explicit lengths, NUL and
 * non-ASCII bytes, OTP 25 quirks (checked against erl 25 when written).
 */
#include "addr_tests.h"

#include <esock/addr.h>

#include <errno.h>
#include <string.h>

typedef int (*parse_fn)(const char *, size_t, esock_ip_t *);

static const parse_fn all_parsers[] = {
    esock_parse_address,        esock_parse_strict_address,     esock_parse_ipv4_address,
    esock_parse_ipv4strict_address, esock_parse_ipv6_address, esock_parse_ipv6strict_address,
};

static void expect_v4(parse_fn fn, const char *s, size_t len, uint8_t a, uint8_t b, uint8_t c,
                      uint8_t d)
{
    esock_ip_t ip;
    memset(&ip, 0xee, sizeof ip);
    assert_int_equal(fn(s, len, &ip), 0);
    assert_int_equal(ip.family, ESOCK_IP4);
    const uint8_t want[4] = {a, b, c, d};
    assert_memory_equal(ip.u.v4, want, 4);
}

static void expect_v6(parse_fn fn, const char *s, size_t len, const uint16_t want[8])
{
    esock_ip_t ip;
    assert_int_equal(fn(s, len, &ip), 0);
    assert_int_equal(ip.family, ESOCK_IP6);
    assert_memory_equal(ip.u.v6, want, 16);
}

static void expect_einval(parse_fn fn, const char *s, size_t len)
{
    esock_ip_t ip;
    assert_int_equal(fn(s, len, &ip), -EINVAL);
}

/* Only len bytes count: what follows in memory is not looked at. */
static void test_length_is_explicit(void **state)
{
    (void)state;
    expect_v4(esock_parse_address, "127.0.0.1garbage", 9, 127, 0, 0, 1);
    expect_v4(esock_parse_address, "127.0.0.12", 9, 127, 0, 0, 1);
    expect_einval(esock_parse_address, "127.0.0.12", 8); /* "127.0.0." */
    const uint16_t one[8] = {0, 0, 0, 0, 0, 0, 0, 1};
    expect_v6(esock_parse_ipv6strict_address, "::1:2", 3, one);
    /* An empty string, also through a NULL pointer, is no address. */
    for (size_t i = 0; i < sizeof all_parsers / sizeof all_parsers[0]; i++) {
        expect_einval(all_parsers[i], "", 0);
        expect_einval(all_parsers[i], NULL, 0);
        expect_einval(all_parsers[i], NULL, 5);
    }
}

/* A NUL is an ordinary (invalid) character, not an end of string. */
static void test_nul_bytes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof all_parsers / sizeof all_parsers[0]; i++) {
        expect_einval(all_parsers[i], "1.2.3.4\0", 8);
        expect_einval(all_parsers[i], "\0" "1.2.3.4", 8);
        expect_einval(all_parsers[i], "::1\0", 4);
    }
    /* ...except in an ignored scope text, which may hold anything. */
    const uint16_t ll[8] = {0xfe80, 0, 0, 0, 0, 0, 0, 1};
    expect_v6(esock_parse_address, "fe80::1%\0", 9, ll);
}

/* Non-ASCII: rejected everywhere but in an ignored scope, where it must
 * still be valid UTF-8 (an Erlang string cannot hold anything else). */
static void test_utf8(void **state)
{
    (void)state;
    const uint16_t ll[8] = {0xfe80, 0, 0, 0, 0, 0, 0, 1};
    expect_v6(esock_parse_address, "fe80::1%\xc3\xa9", 10, ll);              /* "%é" ignored */
    expect_v6(esock_parse_address, "fe80::1%eth\xf0\x9f\x98\x80", 15, ll);   /* U+1F600 */
    expect_einval(esock_parse_address, "fe80::1%0\xc3\xa9", 11);             /* "%0é": must be decimal */
    expect_einval(esock_parse_address, "fe80::1%\xc3", 9);                   /* truncated */
    expect_einval(esock_parse_address, "fe80::1%\xc0\xaf", 10);              /* overlong */
    expect_einval(esock_parse_address, "fe80::1%\xed\xa0\x80", 11);          /* surrogate */
    expect_einval(esock_parse_address, "fe80::1%\xff", 9);
    expect_einval(esock_parse_address, "1.2.3.\xd9\xa4", 8);                 /* Arabic-Indic 4 */
    expect_einval(esock_parse_address, "\xef\xbc\x91.2.3.4", 9);             /* fullwidth 1 */
}

/* OTP 25 quirks that follow from list_to_integer and strip0 (see parse.c). */
static void test_ipv4_quirks(void **state)
{
    (void)state;
    expect_v4(esock_parse_address, "-0.1.2.3", 8, 0, 1, 2, 3);
    expect_v4(esock_parse_strict_address, "-0.1.2.3", 8, 0, 1, 2, 3);
    expect_v4(esock_parse_strict_address, "+1.2.3.4", 8, 1, 2, 3, 4);
    expect_v4(esock_parse_ipv4_address, "0x+1", 4, 0, 0, 0, 1);
    expect_v4(esock_parse_ipv4_address, "0x-0", 4, 0, 0, 0, 0);
    expect_v4(esock_parse_ipv4_address, "+01", 3, 0, 0, 0, 1); /* decimal, not octal */
    expect_v4(esock_parse_ipv4_address, "0x000000001", 11, 0, 0, 0, 1);
    expect_v4(esock_parse_ipv4_address, "000000000001.2", 14, 1, 0, 0, 2);
    expect_v4(esock_parse_ipv4_address, "0.0.0.00", 8, 0, 0, 0, 0);
    expect_v4(esock_parse_ipv4_address, "4294967295", 10, 255, 255, 255, 255);
    expect_einval(esock_parse_ipv4_address, "+4294967295", 11); /* 11 characters */
    expect_einval(esock_parse_ipv4_address, "0x0", 3);          /* nothing after the zeros */
    expect_einval(esock_parse_ipv4_address, "0x0.1", 5);
    expect_einval(esock_parse_ipv4_address, "1.2.3.0x", 8);
    expect_einval(esock_parse_ipv4_address, "0+1", 3);
    expect_einval(esock_parse_ipv4_address, "+-1", 3);
    expect_einval(esock_parse_ipv4_address, "+", 1);
    expect_einval(esock_parse_ipv4strict_address, "0.0.0.00", 8);
    expect_einval(esock_parse_ipv4strict_address, "1.2.3.0.", 8);
}

static void test_ipv6_quirks(void **state)
{
    (void)state;
    const uint16_t tail[8] = {0, 0, 0, 0, 0, 0, 258, 772};
    expect_v6(esock_parse_ipv6strict_address, "::1.+2.3.4", 10, tail);
    expect_einval(esock_parse_ipv6strict_address, "::+1.2.3.4", 10);
    /* The scope goes to group 2 of a full-length address too. */
    const uint16_t full[8] = {0xfe80, 12, 1, 2, 3, 4, 5, 6};
    expect_v6(esock_parse_ipv6strict_address, "fe80:0:1:2:3:4:5:6%012", 22, full);
    const uint16_t max[8] = {0xff02, 65535, 0, 0, 0, 0, 0, 0};
    expect_v6(esock_parse_ipv6strict_address, "ff02::%065535", 13, max);
    const uint16_t upper[8] = {0xfe80, 1, 0, 0, 0, 0, 0, 1};
    expect_v6(esock_parse_ipv6strict_address, "FE80::1%01", 10, upper);
    expect_einval(esock_parse_ipv6strict_address, "fe80:1::1%eth0", 14); /* group 2 not 0 */
    expect_einval(esock_parse_ipv6strict_address, "ff02::%065536", 13);
    expect_einval(esock_parse_ipv6strict_address, "::ffff:1.2.3.4%eth0", 19);
    /* parse_ipv6_address maps relaxed IPv4 text; the strict one does not. */
    const uint16_t mapped[8] = {0, 0, 0, 0, 0, 0xffff, 0x7f00, 1};
    expect_v6(esock_parse_ipv6_address, "127.1", 5, mapped);
    expect_einval(esock_parse_ipv6strict_address, "127.1", 5);
}

/* Every parser leaves its result in the family it documents. */
static void test_result_families(void **state)
{
    (void)state;
    esock_ip_t ip;
    assert_int_equal(esock_parse_address("::", 2, &ip), 0);
    assert_int_equal(ip.family, ESOCK_IP6);
    assert_int_equal(esock_parse_strict_address("1.2.3.4", 7, &ip), 0);
    assert_int_equal(ip.family, ESOCK_IP4);
    expect_einval(esock_parse_ipv4_address, "::", 2);
    expect_einval(esock_parse_ipv4strict_address, "::", 2);
}

/* A NULL out is -EINVAL, for valid input too: never a crash. */
static void test_null_out(void **state)
{
    (void)state;
    const parse_fn all[] = {esock_parse_address, esock_parse_strict_address, esock_parse_ipv4_address,
                            esock_parse_ipv4strict_address, esock_parse_ipv6_address,
                            esock_parse_ipv6strict_address};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        assert_int_equal(all[i]("1.2.3.4", 7, NULL), -EINVAL);
        assert_int_equal(all[i]("::1", 3, NULL), -EINVAL);
    }
}

const struct CMUnitTest addr_parse_tests[] = {
    cmocka_unit_test(test_length_is_explicit), cmocka_unit_test(test_nul_bytes),
    cmocka_unit_test(test_utf8),               cmocka_unit_test(test_ipv4_quirks),
    cmocka_unit_test(test_ipv6_quirks),        cmocka_unit_test(test_result_families),
    cmocka_unit_test(test_null_out),
};
const size_t addr_parse_count = sizeof addr_parse_tests / sizeof addr_parse_tests[0];
