/*
 * Fuzz target for the address parsers and formatters (libFuzzer entry point).
 *
 * Feeds the input to all six parsers and checks the relations OTP's grammar
 * implies, then the formatting round trips:
 *  - parse_address = relaxed IPv4, else strict IPv6; parse_strict_address =
 *    strict IPv4, else strict IPv6; parse_ipv6_address = relaxed IPv4 mapped,
 *    else strict IPv6;
 *  - strict IPv4 accepts a subset of relaxed IPv4, with the same result;
 *  - every accepted address: ntoa -> parse_address gives it back, ntoa fails
 *    cleanly (-ENOSPC, NUL-terminated) in every smaller buffer;
 *  - as a socket address: to_native -> from_native gives an equal one, and
 *    the display format fits or fails cleanly.
 * Any violation aborts, which the fuzzer reports.
 */
#include <esock/addr.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

static bool same_ip(const esock_ip_t *a, const esock_ip_t *b)
{
    if (a->family != b->family)
        return false;
    return a->family == ESOCK_IP4 ? memcmp(a->u.v4, b->u.v4, 4) == 0
                                  : memcmp(a->u.v6, b->u.v6, 16) == 0;
}

static void check_ntoa(const esock_ip_t *ip)
{
    char buf[ESOCK_IP_STRLEN];
    int n = esock_ntoa(ip, buf, sizeof buf);
    CHECK(n > 0 && (size_t)n < sizeof buf && buf[n] == '\0' && strlen(buf) == (size_t)n);
    esock_ip_t back;
    CHECK(esock_parse_address(buf, (size_t)n, &back) == 0);
    CHECK(same_ip(ip, &back));
    /* Every buffer too small fails cleanly. */
    char small[ESOCK_IP_STRLEN];
    for (size_t cap = 0; cap <= (size_t)n; cap++) {
        small[0] = 'X';
        CHECK(esock_ntoa(ip, small, cap) == -ENOSPC);
        CHECK(cap == 0 ? small[0] == 'X' : small[0] == '\0');
    }
}

static void check_sockaddr(const esock_ip_t *ip, uint16_t port)
{
    esock_sockaddr_t sa, back;
    struct sockaddr_storage ss;
    socklen_t len;
    CHECK(esock_sockaddr_ip(&sa, ip, port) == 0);
    CHECK(esock_sockaddr_to_native(&sa, &ss, &len) == 0);
    CHECK(esock_sockaddr_from_native((struct sockaddr *)&ss, len, &back) == 0);
    CHECK(esock_sockaddr_equal(&sa, &back));
    char buf[80];
    int n = esock_sockaddr_format(&sa, buf, sizeof buf);
    CHECK(n > 0 && (size_t)n == strlen(buf));
    CHECK(esock_sockaddr_format(&sa, buf, (size_t)n) == -ENOSPC);
}

static void check_local(const uint8_t *data, size_t size)
{
    esock_sockaddr_t sa, back;
    struct sockaddr_storage ss;
    socklen_t len;
    if (esock_sockaddr_local(&sa, (const char *)data, size) != 0)
        return;
    CHECK(esock_sockaddr_to_native(&sa, &ss, &len) == 0);
    CHECK(esock_sockaddr_from_native((struct sockaddr *)&ss, len, &back) == 0);
    CHECK(esock_sockaddr_equal(&sa, &back));
    char buf[4 * ESOCK_SOCKADDR_DATA + 16];
    CHECK(esock_sockaddr_format(&sa, buf, sizeof buf) >= 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    esock_ip_t any, strict, v4, v4s, v6, v6s;
    int r_any = esock_parse_address(s, size, &any);
    int r_strict = esock_parse_strict_address(s, size, &strict);
    int r_v4 = esock_parse_ipv4_address(s, size, &v4);
    int r_v4s = esock_parse_ipv4strict_address(s, size, &v4s);
    int r_v6 = esock_parse_ipv6_address(s, size, &v6);
    int r_v6s = esock_parse_ipv6strict_address(s, size, &v6s);
    const int rs[6] = {r_any, r_strict, r_v4, r_v4s, r_v6, r_v6s};
    for (int i = 0; i < 6; i++)
        CHECK(rs[i] == 0 || rs[i] == -EINVAL);

    if (r_v4 == 0)
        CHECK(v4.family == ESOCK_IP4);
    if (r_v6s == 0)
        CHECK(v6s.family == ESOCK_IP6);
    /* A string is never both IPv4 and IPv6 text. */
    CHECK(!(r_v4 == 0 && r_v6s == 0));
    /* Strict IPv4 is a subset of relaxed IPv4 with the same value. */
    if (r_v4s == 0)
        CHECK(r_v4 == 0 && same_ip(&v4s, &v4));
    /* The combined parsers are what they are built from. */
    CHECK((r_any == 0) == (r_v4 == 0 || r_v6s == 0));
    if (r_any == 0)
        CHECK(same_ip(&any, r_v4 == 0 ? &v4 : &v6s));
    CHECK((r_strict == 0) == (r_v4s == 0 || r_v6s == 0));
    if (r_strict == 0)
        CHECK(same_ip(&strict, r_v4s == 0 ? &v4s : &v6s));
    CHECK((r_v6 == 0) == (r_v4 == 0 || r_v6s == 0));
    if (r_v6 == 0) {
        esock_ip_t mapped;
        if (r_v4 == 0)
            CHECK(esock_ipv4_mapped_ipv6_address(&v4, &mapped) == 0);
        CHECK(same_ip(&v6, r_v4 == 0 ? &mapped : &v6s));
    }

    uint16_t port = size >= 2 ? (uint16_t)(data[0] << 8 | data[1]) : 0;
    if (r_v4 == 0) {
        check_ntoa(&v4);
        check_sockaddr(&v4, port);
    }
    if (r_v6s == 0) {
        check_ntoa(&v6s);
        check_sockaddr(&v6s, port);
        /* The mapping goes both ways on the last 32 bits. */
        esock_ip_t m4, m6;
        CHECK(esock_ipv4_mapped_ipv6_address(&v6s, &m4) == 0 && m4.family == ESOCK_IP4);
        CHECK(esock_ipv4_mapped_ipv6_address(&m4, &m6) == 0);
        CHECK(m6.u.v6[6] == v6s.u.v6[6] && m6.u.v6[7] == v6s.u.v6[7] && m6.u.v6[5] == 0xffff);
    }
    check_local(data, size);
    return 0;
}
