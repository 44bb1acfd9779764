/* Options, helpers and decoded structures beyond what the vectors print. */
#include "packet_tests.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int dec(int type, const esock_packet_opts_t *o, const char *s, size_t n, esock_packet_result_t *r)
{
    esock_packet_cfg_t cfg;
    int rc = esock_packet_config(&cfg, type, o);
    if (rc < 0)
        return rc;
    return esock_packet_decode(&cfg, s, n, r);
}

static void test_options(void **state)
{
    (void)state;
    esock_packet_opts_t o = {0};
    assert_int_equal(esock_packet_opts_check(ESOCK_PACKET_LINE, NULL), 0);
    assert_int_equal(esock_packet_opts_check(-1, NULL), ESOCK_EBADARG);
    assert_int_equal(esock_packet_opts_check(ESOCK_PACKET_TYPE_COUNT, NULL), ESOCK_EBADARG);
    o.packet_size = -1;
    assert_int_equal(esock_packet_opts_check(ESOCK_PACKET_1, &o), ESOCK_EBADARG);
    o.packet_size = 4294967296LL;
    assert_int_equal(esock_packet_opts_check(ESOCK_PACKET_1, &o), ESOCK_EBADARG);
    o.packet_size = 4294967295LL;
    assert_int_equal(esock_packet_opts_check(ESOCK_PACKET_1, &o), 0);
    o = (esock_packet_opts_t){.line_length = -1};
    assert_int_equal(esock_packet_opts_check(ESOCK_PACKET_LINE, &o), ESOCK_EBADARG);
    o = (esock_packet_opts_t){.has_line_delimiter = true, .line_delimiter = ';'};
    assert_int_equal(esock_packet_opts_check(ESOCK_PACKET_LINE, &o), 0);
    assert_int_equal(esock_packet_opts_check(ESOCK_PACKET_HTTP, &o), ESOCK_EBADARG);
    assert_int_equal(esock_packet_opts_check(ESOCK_PACKET_RAW, &o), ESOCK_EBADARG);
    o.line_delimiter = 256;
    assert_int_equal(esock_packet_opts_check(ESOCK_PACKET_LINE, &o), ESOCK_EBADARG);
    o.line_delimiter = -1;
    assert_int_equal(esock_packet_opts_check(ESOCK_PACKET_LINE, &o), ESOCK_EBADARG);
    esock_packet_cfg_t cfg;
    assert_int_equal(esock_packet_config(&cfg, ESOCK_PACKET_LINE, NULL), 0);
    assert_int_equal(cfg.delimiter, '\n');
    assert_int_equal(cfg.packet_size, 0);
}

static void test_headers(void **state)
{
    (void)state;
    unsigned char h[4];
    assert_int_equal(esock_packet_header_size(ESOCK_PACKET_1), 1);
    assert_int_equal(esock_packet_header_size(ESOCK_PACKET_2), 2);
    assert_int_equal(esock_packet_header_size(ESOCK_PACKET_4), 4);
    assert_int_equal(esock_packet_header_size(ESOCK_PACKET_LINE), 0);
    assert_int_equal(esock_packet_header_size(99), ESOCK_EBADARG);
    assert_int_equal(esock_packet_put_header(ESOCK_PACKET_2, 0x1234, h), 2);
    assert_int_equal(h[0], 0x12);
    assert_int_equal(h[1], 0x34);
    assert_int_equal(esock_packet_put_header(ESOCK_PACKET_1, 256, h), -EMSGSIZE);
    assert_int_equal(esock_packet_put_header(ESOCK_PACKET_2, 65536, h), -EMSGSIZE);
    assert_int_equal(esock_packet_put_header(ESOCK_PACKET_4, 0x01020304, h), 4);
    assert_memory_equal(h, "\1\2\3\4", 4);
    assert_int_equal(esock_packet_put_header(ESOCK_PACKET_RAW, 5, h), 0);
    /* NULLs are badarg, never a crash */
    assert_int_equal(esock_packet_put_header(ESOCK_PACKET_4, 5, NULL), ESOCK_EBADARG);
    esock_packet_cfg_t cfg;
    esock_packet_result_t res;
    assert_int_equal(esock_packet_config(NULL, ESOCK_PACKET_4, NULL), ESOCK_EBADARG);
    assert_int_equal(esock_packet_config(&cfg, ESOCK_PACKET_4, NULL), 0);
    assert_int_equal(esock_packet_decode_any(NULL, "\0\0\0\1a", 5, &res), ESOCK_EBADARG);
    assert_int_equal(esock_packet_decode_any(&cfg, "\0\0\0\1a", 5, NULL), ESOCK_EBADARG);
    assert_int_equal(esock_packet_decode_any(&cfg, NULL, 5, &res), ESOCK_EBADARG);
    assert_int_equal(esock_packet_decode_any(&cfg, NULL, 0, &res), ESOCK_PACKET_MORE);
    /* round trip */
    unsigned char buf[8] = {0};
    assert_int_equal(esock_packet_put_header(ESOCK_PACKET_4, 3, buf), 4);
    memcpy(buf + 4, "abcd", 4);
    esock_packet_result_t r;
    assert_int_equal(dec(ESOCK_PACKET_4, NULL, (char *)buf, 8, &r), 0);
    assert_int_equal(r.packet_len, 3);
    assert_memory_equal(r.packet, "abc", 3);
    assert_int_equal(r.rest_len, 1);
}

static void test_limits(void **state)
{
    (void)state;
    esock_packet_result_t r;
    esock_packet_opts_t o = {.packet_size = 4};
    assert_int_equal(dec(ESOCK_PACKET_2, &o, "\0\5abcde", 7, &r), ESOCK_EINVALID);
    assert_true(r.size_exceeded);
    assert_int_equal(dec(ESOCK_PACKET_2, &o, "\0\5ab", 4, &r), ESOCK_EINVALID); /* before the data */
    assert_int_equal(dec(ESOCK_PACKET_4, NULL, "\xff\xff\xff\xff" "a", 5, &r), ESOCK_EINVALID);
    assert_false(r.size_exceeded);
    assert_int_equal(dec(ESOCK_PACKET_4, NULL, "\x7f\xff\xff\xfb", 4, &r), ESOCK_PACKET_MORE);
    assert_int_equal(r.more, 2147483647u);
    assert_int_equal(dec(ESOCK_PACKET_4, NULL, "\x7f\xff\xff\xfc", 4, &r), ESOCK_EINVALID);
    assert_int_equal(dec(ESOCK_PACKET_1, NULL, "", 0, &r), ESOCK_PACKET_MORE);
    assert_int_equal(r.more, 0);
    /* fcgi: padding dropped from the packet and not part of the rest */
    assert_int_equal(dec(ESOCK_PACKET_FCGI, NULL, "\1\1\0\1\0\2\3\0abPPPz", 14, &r), 0);
    assert_int_equal(r.packet_len, 10);
    assert_int_equal(r.rest_len, 1);
    assert_int_equal(r.rest[0], 'z');
    /* line truncation leaves the rest */
    o = (esock_packet_opts_t){.line_length = 4};
    assert_int_equal(dec(ESOCK_PACKET_LINE, &o, "abcdef\n", 7, &r), 0);
    assert_int_equal(r.packet_len, 4);
    assert_int_equal(r.rest_len, 3);
}

/* The inline decoder keeps the contract of esock_packet_decode_any for
 * NULL arguments: ESOCK_EBADARG, not a crash (it reads cfg and buf first). */
static void test_null_arguments(void **state)
{
    (void)state;
    esock_packet_cfg_t cfg;
    esock_packet_result_t r;
    assert_int_equal(esock_packet_config(&cfg, ESOCK_PACKET_1, NULL), 0);
    assert_int_equal(esock_packet_decode(NULL, "\1a", 2, &r), ESOCK_EBADARG);
    assert_int_equal(esock_packet_decode(&cfg, NULL, 2, &r), ESOCK_EBADARG);
    assert_int_equal(esock_packet_decode(&cfg, "\1a", 2, NULL), ESOCK_EBADARG);
    assert_int_equal(esock_packet_decode(&cfg, "\1a", 2, &r), 0);
}

static void test_http_structs(void **state)
{
    (void)state;
    esock_packet_result_t r;
    const char req[] = "GET http://h:8080/p?q HTTP/1.1\r\n";
    assert_int_equal(dec(ESOCK_PACKET_HTTP_BIN, NULL, req, sizeof req - 1, &r), 0);
    assert_int_equal(r.http.kind, ESOCK_HTTP_REQUEST);
    assert_true(r.http.binary);
    assert_int_equal(r.http.method, ESOCK_HTTP_M_GET);
    assert_int_equal(r.http.uri.kind, ESOCK_URI_ABSOLUTE);
    assert_false(r.http.uri.https);
    assert_int_equal(r.http.uri.port, 8080);
    assert_int_equal(r.http.uri.host.len, 1);
    assert_memory_equal(r.http.uri.path.p, "/p?q", 4);
    assert_int_equal(esock_packet_next_type(ESOCK_PACKET_HTTP_BIN, &r), ESOCK_PACKET_HTTPH_BIN);

    const char hdr[] = "content-LENGTH:  12 \r\nX";
    assert_int_equal(dec(ESOCK_PACKET_HTTPH, NULL, hdr, sizeof hdr - 1, &r), 0);
    assert_false(r.http.binary);
    assert_int_equal(r.http.kind, ESOCK_HTTP_HEADER);
    assert_int_equal(r.http.field_bit, 38);
    assert_string_equal(esock_http_field_name(38), "Content-Length");
    assert_memory_equal(r.http.field.p, "Content-Length", 14);
    assert_memory_equal(r.http.orig_field.p, "content-LENGTH", 14);
    assert_int_equal(r.http.value.len, 3);
    assert_memory_equal(r.http.value.p, "12 ", 3);
    assert_int_equal(r.rest_len, 1);
    assert_int_equal(esock_packet_next_type(ESOCK_PACKET_HTTPH, &r), ESOCK_PACKET_HTTPH);

    assert_int_equal(dec(ESOCK_PACKET_HTTPH, NULL, "\r\n", 2, &r), 0);
    assert_int_equal(r.http.kind, ESOCK_HTTP_EOH);
    assert_int_equal(esock_packet_next_type(ESOCK_PACKET_HTTPH, &r), ESOCK_PACKET_HTTP);

    assert_int_equal(dec(ESOCK_PACKET_HTTPH, NULL, "Host : a\r\n\r\n", 12, &r), 0);
    assert_int_equal(r.http.kind, ESOCK_HTTP_ERROR);
    assert_int_equal(r.http.line.len, 10);

    /* every known field maps back to its bit */
    for (int bit = 1; bit <= 52; bit++) {
        char line[64];
        int n = snprintf(line, sizeof line, "%s: v\r\n\r\n", esock_http_field_name(bit));
        assert_int_equal(dec(ESOCK_PACKET_HTTPH_BIN, NULL, line, (size_t)n, &r), 0);
        assert_int_equal(r.http.field_bit, bit);
    }
    assert_null(esock_http_field_name(53));
    for (int m = 1; m <= 7; m++) {
        char line[64];
        int n = snprintf(line, sizeof line, "%s / HTTP/1.0\r\n", esock_http_method_name(m));
        assert_int_equal(dec(ESOCK_PACKET_HTTP, NULL, line, (size_t)n, &r), 0);
        assert_int_equal(r.http.method, m);
    }
    assert_int_equal(esock_packet_type_from_name("0", 1), ESOCK_PACKET_RAW);
    assert_int_equal(esock_packet_type_from_name("httph_bin", 9), ESOCK_PACKET_HTTPH_BIN);
    assert_int_equal(esock_packet_type_from_name("3", 1), -1);
}

const struct CMUnitTest packet_api_tests[] = {
    cmocka_unit_test(test_options),
    cmocka_unit_test(test_headers),
    cmocka_unit_test(test_limits),
    cmocka_unit_test(test_null_arguments),
    cmocka_unit_test(test_http_structs),
};
const size_t packet_api_count = sizeof packet_api_tests / sizeof packet_api_tests[0];
