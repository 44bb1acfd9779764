/* ntoa buffers, tuples of integers and ipv4_mapped_ipv6_address. */
#include "addr_tests.h"

#include <esock/addr.h>

#include <errno.h>
#include <string.h>

static esock_ip_t v6(uint16_t a, uint16_t b, uint16_t c, uint16_t d, uint16_t e, uint16_t f,
                     uint16_t g, uint16_t h)
{
    esock_ip_t ip = {.family = ESOCK_IP6, .u.v6 = {a, b, c, d, e, f, g, h}};
    return ip;
}

/* Too small a buffer: -ENOSPC for every cap up to the length, never a
 * write past cap; length + 1 suffices. */
static void test_ntoa_buffer_sizes(void **state)
{
    (void)state;
    esock_ip_t ip = v6(0xfe80, 65535, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff);
    const char *want = "fe80:0:ffff:ffff:ffff:ffff:ffff:ffff%065535"; /* about the longest */
    size_t n = strlen(want);
    char buf[ESOCK_IP_STRLEN + 8];
    for (size_t cap = 0; cap <= n; cap++) {
        memset(buf, 'X', sizeof buf);
        assert_int_equal(esock_ntoa(&ip, buf, cap), -ENOSPC);
        if (cap > 0)
            assert_int_equal(buf[0], '\0');
        for (size_t i = cap ? 1 : 0; i < sizeof buf; i++)
            assert_int_equal(buf[i], 'X');
    }
    assert_int_equal(esock_ntoa(&ip, buf, n + 1), (int)n);
    assert_string_equal(buf, want);
    assert_true(n < ESOCK_IP_STRLEN);
    assert_int_equal(esock_ntoa(&ip, NULL, 0), -ENOSPC);
}

static void test_ntoa_bad_family(void **state)
{
    (void)state;
    char buf[ESOCK_IP_STRLEN];
    esock_ip_t ip = {.family = 5};
    assert_int_equal(esock_ntoa(&ip, buf, sizeof buf), -EINVAL);
    assert_int_equal(esock_ntoa(NULL, buf, sizeof buf), -EINVAL);
}

/* Every 8-tuple with groups in {0, 1, 0xffff}: the output parses back. */
static void test_ntoa_round_trip_exhaustive(void **state)
{
    (void)state;
    static const uint16_t vals[3] = {0, 1, 0xffff};
    char buf[ESOCK_IP_STRLEN];
    for (int k = 0; k < 6561; k++) {
        esock_ip_t ip = {.family = ESOCK_IP6};
        for (int i = 0, x = k; i < 8; i++, x /= 3)
            ip.u.v6[i] = vals[x % 3];
        int n = esock_ntoa(&ip, buf, sizeof buf);
        assert_true(n > 0);
        esock_ip_t back;
        assert_int_equal(esock_parse_address(buf, (size_t)n, &back), 0);
        assert_int_equal(back.family, ESOCK_IP6);
        assert_memory_equal(back.u.v6, ip.u.v6, 16);
    }
}

static void test_ip_from_ints(void **state)
{
    (void)state;
    esock_ip_t ip;
    const int64_t v4[4] = {192, 168, 0, 1};
    assert_int_equal(esock_ip_from_ints(v4, 4, &ip), 0);
    assert_int_equal(ip.family, ESOCK_IP4);
    const int64_t g[8] = {0xfe80, 0, 0, 0, 0, 0, 0, 65535};
    assert_int_equal(esock_ip_from_ints(g, 8, &ip), 0);
    assert_int_equal(ip.family, ESOCK_IP6);
    assert_int_equal(ip.u.v6[7], 65535);
    const int64_t bad[8] = {0, 0, 0, INT64_MIN, 0, 0, 0, 0};
    assert_int_equal(esock_ip_from_ints(bad, 8, &ip), -EINVAL);
    assert_int_equal(esock_ip_from_ints(bad, 4, &ip), -EINVAL);
    assert_int_equal(esock_ip_from_ints(v4, 3, &ip), -EINVAL);
    assert_int_equal(esock_ip_from_ints(NULL, 0, &ip), -EINVAL);
    assert_int_equal(esock_ip_from_ints(NULL, 4, &ip), -EINVAL);
    assert_int_equal(esock_ip_from_ints(v4, 4, NULL), -EINVAL);
    assert_false(esock_is_ip_address(NULL, 4));
    /* A 4-tuple of 16-bit values is neither kind. */
    const int64_t mid[4] = {1, 256, 1, 1};
    assert_false(esock_is_ip_address(mid, 4));
    assert_false(esock_is_ipv6_address(mid, 4));
}

static void test_mapped_bad_family(void **state)
{
    (void)state;
    esock_ip_t in = {.family = 0}, out;
    assert_int_equal(esock_ipv4_mapped_ipv6_address(&in, &out), -EINVAL);
    in = v6(1, 2, 3, 4, 5, 6, 0x0102, 0x0304);
    assert_int_equal(esock_ipv4_mapped_ipv6_address(&in, &in), 0); /* in == out is fine */
    const uint8_t want[4] = {1, 2, 3, 4};
    assert_int_equal(in.family, ESOCK_IP4);
    assert_memory_equal(in.u.v4, want, 4);
}

const struct CMUnitTest addr_ntoa_tests[] = {
    cmocka_unit_test(test_ntoa_buffer_sizes), cmocka_unit_test(test_ntoa_bad_family),
    cmocka_unit_test(test_ntoa_round_trip_exhaustive), cmocka_unit_test(test_ip_from_ints),
    cmocka_unit_test(test_mapped_bad_family),
};
const size_t addr_ntoa_count = sizeof addr_ntoa_tests / sizeof addr_ntoa_tests[0];
