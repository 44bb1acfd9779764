/*
 * The one-pass HTTP path (src/packet/http.c) runs only without limits and
 * with at least 64 bytes of buffer, which most vector inputs are too short
 * for. Here every HTTP input is decoded with filler after it (so that the
 * path runs, at a guard page's edge) and compared, field by field, with the
 * general path (forced by a packet_size that changes nothing) and with the
 * decode of the input alone.
 */
#include "packet_tests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void same_str(esock_http_str_t a, esock_http_str_t b, const char *what)
{
    if (a.len != b.len || (a.len && memcmp(a.p, b.p, a.len) != 0))
        fail_msg("%s: \"%.*s\" vs \"%.*s\"", what, (int)a.len, a.p, (int)b.len, b.p);
}

static void same_http(const esock_http_t *a, const esock_http_t *b)
{
    assert_int_equal(a->kind, b->kind);
    assert_int_equal(a->binary, b->binary);
    switch (a->kind) {
    case ESOCK_HTTP_REQUEST:
        assert_int_equal(a->method, b->method);
        same_str(a->method_str, b->method_str, "method");
        assert_int_equal(a->uri.kind, b->uri.kind);
        assert_int_equal(a->uri.https, b->uri.https);
        assert_int_equal(a->uri.port, b->uri.port);
        same_str(a->uri.scheme, b->uri.scheme, "scheme");
        same_str(a->uri.host, b->uri.host, "host");
        same_str(a->uri.path, b->uri.path, "path");
        assert_int_equal(a->major, b->major);
        assert_int_equal(a->minor, b->minor);
        break;
    case ESOCK_HTTP_RESPONSE:
        assert_int_equal(a->major, b->major);
        assert_int_equal(a->minor, b->minor);
        assert_int_equal(a->status, b->status);
        same_str(a->reason, b->reason, "reason");
        break;
    case ESOCK_HTTP_HEADER:
        assert_int_equal(a->field_bit, b->field_bit);
        same_str(a->field, b->field, "field");
        same_str(a->orig_field, b->orig_field, "orig_field");
        same_str(a->value, b->value, "value");
        break;
    case ESOCK_HTTP_ERROR:
        same_str(a->line, b->line, "line");
        break;
    default:
        break;
    }
}

/* Decodes s[0..n) followed by pad filler bytes, at a guard page's edge,
 * without options and with a harmless packet_size (the general path); both
 * must agree with each other and, when ref is given, with it. */
static void check(struct guard *g, int type, const unsigned char *s, size_t n, size_t pad,
                  const esock_packet_result_t *ref)
{
    unsigned char *tmp = malloc(n + pad + 1);
    assert_non_null(tmp);
    memcpy(tmp, s, n);
    memset(tmp + n, 'x', pad);
    unsigned char *b = guard_place(g, tmp, n + pad);
    free(tmp);
    esock_packet_cfg_t fast, general;
    esock_packet_opts_t big = {.packet_size = 1 << 30};
    assert_int_equal(esock_packet_config(&fast, type, NULL), 0);
    assert_int_equal(esock_packet_config(&general, type, &big), 0);
    esock_packet_result_t a, c;
    int ra = esock_packet_decode(&fast, b, n + pad, &a);
    int rc = esock_packet_decode(&general, b, n + pad, &c);
    assert_int_equal(ra, rc);
    if (ra != 0)
        return;
    assert_ptr_equal(a.packet, c.packet);
    assert_int_equal(a.packet_len, c.packet_len);
    assert_int_equal(a.rest_len, c.rest_len);
    same_http(&a.http, &c.http);
    if (ref != NULL) {
        assert_int_equal(a.packet_len, ref->packet_len);
        assert_int_equal(a.rest_len, ref->rest_len + pad);
        same_http(&a.http, &ref->http);
    }
}

static bool is_http_type(int t)
{
    return t >= ESOCK_PACKET_HTTP && t <= ESOCK_PACKET_HTTPH_BIN;
}

/* Every complete HTTP vector (default options), padded to take the wide path. */
static void test_wide_vectors(void **state)
{
    (void)state;
    FILE *f = fopen(ESOCK_TEST_VECTORS "/decode_packet.tsv", "r");
    assert_non_null(f);
    struct guard g;
    assert_int_equal(guard_init(&g, 1 << 20), 0);
    char *line = NULL;
    size_t cap = 0;
    long n = 0;
    while (getline(&line, &cap, f) > 0) {
        if (line[0] == '#')
            continue;
        char *type = strtok(line, "\t"), *opts = strtok(NULL, "\t"), *hex = strtok(NULL, "\t");
        assert_non_null(hex);
        int t = esock_packet_type_from_name(type, strlen(type));
        if (!is_http_type(t) || strcmp(opts, "-") != 0)
            continue;
        size_t len = strcmp(hex, "-") == 0 ? 0 : strlen(hex) / 2;
        unsigned char *in = malloc(len + 1);
        assert_non_null(in);
        for (size_t i = 0; i < len; i++)
            sscanf(hex + 2 * i, "%2hhx", &in[i]);
        esock_packet_cfg_t cfg;
        esock_packet_result_t ref;
        assert_int_equal(esock_packet_config(&cfg, t, NULL), 0);
        if (esock_packet_decode(&cfg, in, len, &ref) == 0) {
            check(&g, t, in, len, 64, &ref);
            check(&g, t, in, len, 200, &ref);
            n++;
        }
        free(in);
    }
    assert_true(n > 100);
    free(line);
    fclose(f);
    guard_free(&g);
}

/* Shapes the vectors have few of: names of 16 to 31 bytes, known and not,
 * other token characters, "--", lines longer than 64 and 128 bytes, tabs,
 * LF endings, unknown methods, long URIs, errors found late. */
static const char *const lines[] = {
    "Content-Encoding: gzip\r\n", "content-LANGUAGE:\ten\r\n", "If-Unmodified-Since: x\r\n",
    "Proxy-Authorization:  Basic abc\r\n", "Upgrade-Insecure-Requests: 1\r\n",
    "Sec-Ch-Ua-Platform: \"Linux\"\r\n", "Access-Control-Allow-Origin: *\r\n",
    "X-A-Really-Long-Header-Name-Of-More-Than-Thirty-Two-Bytes: v\r\n",
    "X_Underscore: v\r\n", "x.dotted.name: v\r\n", "a--b: v\r\n", "-lead: v\r\n", "trail-: v\r\n",
    "A---B: v\r\n", "Content-Md5: q\r\n", "SET-COOKIE2: a\r\n", "content-md5x: q\r\n", "Content-Typ: t\r\n",
    "Host:\r\n", "Host:   \r\n", "Host:\t\t v\n", ": empty name\r\n", "ab: two\r\n", "abc: three\r\n",
    "Bad Header: v\r\n", "Bad\x01" "Header: v\r\n", "B\xe4" "d: v\r\n", "Bad(name): v\r\n", "NoColonHere\r\n",
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\r\n",
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8,"
    "text/plain;q=0.7,application/json;q=0.6\r\n",
    "Continued: a\r\n b\r\n",
    "GET /search?q=esock+decode_packet&lang=en HTTP/1.1\r\n", "HEAD / HTTP/1.0\r\n",
    "PATCH /x HTTP/1.1\r\n", "get / HTTP/1.1\r\n", "GET\t/\tHTTP/1.1\r\n", "GET /\r\n", "GET  /  HTTP/1.1\r\n",
    "GET /x HTTP/1.1 trailing\r\n", "GET /x HTTP/12.34\r\n", "GET /x HTTP/1\r\n", "GET /x FTP/1.1\r\n",
    "OPTIONS * HTTP/1.1\r\n", "DELETE http://h:8080/p HTTP/1.1\n", "TRACE https://h/ HTTP/1.1\r\n",
    "GET /a/very/long/path/that/goes/on/and/on/past/the/sixty/four/byte/window?with=query HTTP/1.1\r\n",
    "HTTP/1.1 200 OK\r\n", "HTTP/1.0 404 Not Found\n", "HTTP/1.1 200\r\n", "HTTP/2.0  301   Moved\r\n",
    "HTTP/1.1 abc\r\n", "HTTP/x.1 200 OK\r\n", "\r\n", "\n", "\rX\r\n",
};

static void test_wide_shapes(void **state)
{
    (void)state;
    struct guard g;
    assert_int_equal(guard_init(&g, 4096), 0);
    static const int types[] = {ESOCK_PACKET_HTTP, ESOCK_PACKET_HTTPH, ESOCK_PACKET_HTTP_BIN,
                                ESOCK_PACKET_HTTPH_BIN};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        for (size_t k = 0; k < sizeof types / sizeof types[0]; k++)
            for (size_t pad = 1; pad <= 140; pad += 13)
                check(&g, types[k], (const unsigned char *)lines[i], strlen(lines[i]), pad, NULL);
    guard_free(&g);
}

const struct CMUnitTest packet_wide_tests[] = {
    cmocka_unit_test(test_wide_vectors),
    cmocka_unit_test(test_wide_shapes),
};
const size_t packet_wide_count = sizeof packet_wide_tests / sizeof packet_wide_tests[0];
