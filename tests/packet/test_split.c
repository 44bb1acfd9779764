/*
 * Every message fed at every split point, each decode made on a buffer that
 * ends exactly at an unmapped page; and every vector input decoded at a
 * guard page's edge, compared with the same decode from an ordinary buffer.
 */
#include "packet_tests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pkt {
    size_t off, len, consumed; /* packet position in the stream */
    int rc, kind, bit;
};

#define MAXP 64

/* Decodes stream[0..len) delivered as [0..split) then the rest; returns the
 * number of outcomes written to out (packets, then a final more/error). */
static int run(struct guard *g, int type, const esock_packet_opts_t *o, const unsigned char *s,
               size_t len, size_t split, struct pkt *out)
{
    esock_packet_cfg_t cfg;
    assert_int_equal(esock_packet_config(&cfg, type, o), 0);
    size_t off = 0, avail = split;
    int n = 0;
    while (n < MAXP) {
        unsigned char *b = guard_place(g, s + off, avail - off);
        esock_packet_result_t r;
        int rc = esock_packet_decode(&cfg, b, avail - off, &r);
        if (rc == ESOCK_PACKET_MORE) {
            if (r.more)
                assert_true(r.more > avail - off);
            if (avail < len) {
                avail = len;
                continue;
            }
        }
        struct pkt *p = &out[n++];
        memset(p, 0, sizeof *p);
        p->rc = rc;
        if (rc != 0)
            break;
        p->off = off + (size_t)(r.packet - b);
        p->len = r.packet_len;
        p->consumed = avail - off - r.rest_len;
        assert_true(r.rest == b + p->consumed);
        if (type >= ESOCK_PACKET_HTTP) {
            p->kind = r.http.kind;
            p->bit = r.http.field_bit;
        }
        off += p->consumed;
        cfg.type = esock_packet_next_type(cfg.type, &r);
        if (p->consumed == 0)
            break; /* only raw on empty input could do this; it returns more */
    }
    return n;
}

struct stream {
    int type;
    esock_packet_opts_t o;
    const char *data;
    size_t len;
};

#define S(t, d) {t, {0}, d, sizeof d - 1}
#define SO(t, o, d) {t, o, d, sizeof d - 1}

static const struct stream streams[] = {
    S(ESOCK_PACKET_1, "\3abc\0\5hello\1z"),
    S(ESOCK_PACKET_2, "\0\3abc\0\0\0\5hello"),
    S(ESOCK_PACKET_4, "\0\0\0\3abc\0\0\0\0\0\0\0\5hello\0\0"),
    S(ESOCK_PACKET_LINE, "first line\nsecond\n\nlast"),
    SO(ESOCK_PACKET_LINE, ((esock_packet_opts_t){.line_length = 4}), "abcdefgh\nij\nklmnop"),
    SO(ESOCK_PACKET_LINE, ((esock_packet_opts_t){.packet_size = 6}), "abc\nabcde\nabcdefgh\n"),
    SO(ESOCK_PACKET_LINE, ((esock_packet_opts_t){.has_line_delimiter = true, .line_delimiter = ';'}), "a;bb;ccc"),
    S(ESOCK_PACKET_ASN1, "\x30\x03\x01\x02\x03\x30\x81\x02" "ab\x1f\x81\x11\x02" "xy\x30\x80\x30\x84\0\0\0\1" "q"),
    S(ESOCK_PACKET_SUNRM, "\x80\0\0\2ab\0\0\0\1z"),
    S(ESOCK_PACKET_CDR, "GIOP\1\2\0\0\0\0\0\2abGIOP\1\2\1\0\3\0\0\0xyz"),
    S(ESOCK_PACKET_FCGI, "\1\1\0\1\0\2\3\0abPPP\1\5\0\1\0\0\0\0\2\0"),
    S(ESOCK_PACKET_TPKT, "\3\0\0\6ab\3\0\0\4\3\0\0\5q\3\0\0\2"),
    S(ESOCK_PACKET_HTTP, "GET /index.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: x\r\n"
                         "X-Long: a\r\n b\r\n\tc\r\nContent-Length: 0\r\n\r\n"
                         "POST http://h:80/x HTTP/1.0\nCookie: a=b\n\n"),
    S(ESOCK_PACKET_HTTP_BIN, "HTTP/1.1 200 OK\r\nServer: s\r\nContent-Type: text/html\r\n\r\nGET *\r\n"),
    S(ESOCK_PACKET_HTTPH_BIN, "Host: a\r\nbad header\r\nVia: v\r\n\r\n"),
    SO(ESOCK_PACKET_HTTP, ((esock_packet_opts_t){.packet_size = 20}), "GET / HTTP/1.1\r\nHost: aaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n"),
};

static void test_split_points(void **state)
{
    (void)state;
    struct guard g;
    assert_int_equal(guard_init(&g, 4096), 0);
    for (size_t i = 0; i < sizeof streams / sizeof streams[0]; i++) {
        const struct stream *st = &streams[i];
        const unsigned char *s = (const unsigned char *)st->data;
        struct pkt want[MAXP], got[MAXP];
        int nw = run(&g, st->type, &st->o, s, st->len, st->len, want);
        assert_true(nw >= 2); /* at least one packet and the final outcome */
        for (size_t split = 0; split <= st->len; split++) {
            int ng = run(&g, st->type, &st->o, s, st->len, split, got);
            if (ng != nw || memcmp(got, want, sizeof want[0] * (size_t)nw) != 0)
                fail_msg("stream %zu split %zu: %d outcomes, want %d", i, split, ng, nw);
        }
    }
    guard_free(&g);
}

/* Each vector input at a guard page's edge: same outcome as from the heap. */
static void test_vectors_at_guard(void **state)
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
        (void)opts; /* options are covered by the vectors; default options here */
        int t = esock_packet_type_from_name(type, strlen(type));
        assert_true(t >= 0);
        size_t len = strcmp(hex, "-") == 0 ? 0 : strlen(hex) / 2;
        assert_true(len <= g.size);
        unsigned char *heap = malloc(len + 1);
        for (size_t i = 0; i < len; i++)
            sscanf(hex + 2 * i, "%2hhx", &heap[i]);
        unsigned char *edge = guard_place(&g, heap, len);
        esock_packet_cfg_t cfg;
        assert_int_equal(esock_packet_config(&cfg, t, NULL), 0);
        esock_packet_result_t a, b;
        int ra = esock_packet_decode(&cfg, heap, len, &a);
        int rb = esock_packet_decode(&cfg, edge, len, &b);
        assert_int_equal(ra, rb);
        if (ra == 0) {
            assert_int_equal(a.packet - heap, b.packet - edge);
            assert_int_equal(a.packet_len, b.packet_len);
            assert_int_equal(a.rest_len, b.rest_len);
        } else if (ra == ESOCK_PACKET_MORE) {
            assert_int_equal(a.more, b.more);
        }
        free(heap);
        n++;
    }
    assert_true(n > 1000);
    free(line);
    fclose(f);
    guard_free(&g);
}

const struct CMUnitTest packet_split_tests[] = {
    cmocka_unit_test(test_split_points),
    cmocka_unit_test(test_vectors_at_guard),
};
const size_t packet_split_count = sizeof packet_split_tests / sizeof packet_split_tests[0];
