/* The framing engine alone (pure): random packet streams cut at random
 * points must come out as the same packets; http <-> httph switching. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "inet/frame.h"
#include <esock/packet.h>

static unsigned rnd_state = 12345;
static unsigned rnd(void)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return rnd_state >> 8;
}

static void one_type(int ptype, size_t hlen)
{
    enum { NPKT = 300 };
    static uint8_t wire[NPKT * 300];
    static size_t lens[NPKT];
    size_t w = 0;
    for (int i = 0; i < NPKT; i++) {
        size_t len = rnd() % (hlen == 1 ? 200 : 280);
        if (ptype == ESOCK_INET_PACKET_LINE) {
            for (size_t k = 0; k < len; k++)
                wire[w + k] = (uint8_t)('a' + rnd() % 26);
            wire[w + len] = '\n';
            lens[i] = len + 1;
            w += len + 1;
            continue;
        }
        for (size_t k = 0; k < hlen; k++)
            wire[w + k] = (uint8_t)(len >> (8 * (hlen - 1 - k)));
        for (size_t k = 0; k < len; k++)
            wire[w + hlen + k] = (uint8_t)rnd();
        lens[i] = len;
        w += hlen + len;
    }
    /* feed the wire in random cuts, as reads would deliver it */
    esock__framer_t f = {.ptype = ptype, .delim = '\n'};
    static uint8_t buf[sizeof wire];
    size_t have = 0, fed = 0, pos = 0, got = 0, off = 0;
    while (got < NPKT) {
        esock__frame_t fr;
        size_t need;
        int r = esock__inet_frame_next(&f, buf + off, have - off, 0, 0, &fr, &need);
        assert_true(r >= 0);
        if (r == 1) {
            assert_int_equal(fr.len, lens[got]);
            size_t start = ptype == ESOCK_INET_PACKET_LINE ? pos : pos + hlen;
            assert_memory_equal(buf + off + fr.off, wire + start, fr.len);
            pos += fr.total;
            off += fr.total;
            got++;
            continue;
        }
        if (need)
            assert_true(need > have - off);
        assert_true(fed < w);
        size_t cut = 1 + rnd() % 97;
        if (cut > w - fed)
            cut = w - fed;
        memcpy(buf + have, wire + fed, cut);
        have += cut;
        fed += cut;
    }
    assert_int_equal(pos, w);
}

static void random_cuts(void **st)
{
    (void)st;
    one_type(ESOCK_INET_PACKET_1, 1);
    one_type(ESOCK_INET_PACKET_2, 2);
    one_type(ESOCK_INET_PACKET_4, 4);
    one_type(ESOCK_INET_PACKET_LINE, 0);
}

static void raw_limits(void **st)
{
    (void)st;
    esock__framer_t f = {.ptype = ESOCK_INET_PACKET_RAW};
    esock__frame_t fr;
    size_t need;
    const uint8_t p[10] = "0123456789";
    assert_int_equal(esock__inet_frame_next(&f, p, 0, 4, 0, &fr, &need), 0);
    assert_int_equal(esock__inet_frame_next(&f, p, 10, 4, 0, &fr, &need), 1);
    assert_int_equal(fr.len, 4); /* at most `buffer` bytes */
    assert_int_equal(esock__inet_frame_next(&f, p, 10, 4, 12, &fr, &need), 0);
    assert_int_equal(need, 12); /* recv(S, 12) waits for 12 */
    assert_int_equal(esock__inet_frame_next(&f, p, 10, 4, 7, &fr, &need), 1);
    assert_int_equal(fr.len, 7);
}

static void size_limit(void **st)
{
    (void)st;
    esock__framer_t f = {.ptype = ESOCK_INET_PACKET_4, .psize = 10};
    esock__frame_t fr;
    size_t need;
    const uint8_t ok[] = {0, 0, 0, 10};
    const uint8_t big[] = {0, 0, 0, 11};
    assert_int_equal(esock__inet_frame_next(&f, ok, 4, 0, 0, &fr, &need), 0);
    assert_int_equal(need, 14);
    assert_int_equal(esock__inet_frame_next(&f, big, 4, 0, 0, &fr, &need), -EMSGSIZE);
}

static void http_state(void **st)
{
    (void)st;
    esock__framer_t f = {.ptype = ESOCK_INET_PACKET_HTTP_BIN};
    const char in[] = "HTTP/1.1 200 OK\r\nA: b\r\n\r\nGET / HTTP/1.0\r\n";
    const size_t lens[] = {17, 6, 2, 16};
    const int want[] = {ESOCK_INET_PACKET_HTTP_BIN, ESOCK_INET_PACKET_HTTPH_BIN, ESOCK_INET_PACKET_HTTPH_BIN,
                        ESOCK_INET_PACKET_HTTP_BIN};
    const int hdr_after[] = {1, 1, 0, 1};
    size_t off = 0;
    for (int i = 0; i < 4; i++) {
        esock__frame_t fr;
        size_t need;
        assert_int_equal(esock__inet_frame_next(&f, (const uint8_t *)in + off, sizeof in - 1 - off, 0, 0, &fr, &need), 1);
        assert_int_equal(fr.total, lens[i]);
        assert_int_equal(fr.ptype, want[i]);
        assert_int_equal(f.in_headers, hdr_after[i]);
        off += fr.total;
    }
}

/* The `buffer` limit (rawmax) of lines and http lines, as inet_drv. */
static void line_buffer_window(void **st)
{
    (void)st;
    esock__frame_t fr;
    size_t need;
    const uint8_t line[] = "0123456789abcdefghi\n";
    esock__framer_t f = {.ptype = ESOCK_INET_PACKET_LINE, .delim = '\n'};
    assert_int_equal(esock__inet_frame_next(&f, line, 20, 10, 0, &fr, &need), 1);
    assert_int_equal(fr.len, 10);
    assert_int_equal(fr.total, 10);
    assert_int_equal(esock__inet_frame_next(&f, line, 20, 0, 0, &fr, &need), 1);
    assert_int_equal(fr.len, 20); /* no limit */
    assert_int_equal(esock__inet_frame_next(&f, line, 9, 10, 0, &fr, &need), 0);
    assert_int_equal(esock__inet_frame_next(&f, line, 10, 10, 0, &fr, &need), 1);
    assert_int_equal(fr.len, 10); /* a full buffer is a packet */
    /* packet_size is checked against the buffer's window only: the
     * delimiter at byte 20 is beyond it (no error: the line is cut) */
    f.psize = 15;
    assert_int_equal(esock__inet_frame_next(&f, line, 20, 10, 0, &fr, &need), 1);
    assert_int_equal(fr.len, 10);
    f.psize = 5;
    assert_int_equal(esock__inet_frame_next(&f, line, 20, 10, 0, &fr, &need), -EMSGSIZE);
    /* http: a line longer than the buffer is an error unless packet_size */
    const uint8_t req[] = "GET / HTTP/1.1\r\n\r\n";
    esock__framer_t h = {.ptype = ESOCK_INET_PACKET_HTTP_BIN};
    assert_int_equal(esock__inet_frame_next(&h, req, 18, 15, 0, &fr, &need), -EMSGSIZE);
    assert_int_equal(esock__inet_frame_next(&h, req, 18, 16, 0, &fr, &need), 1);
    assert_int_equal(fr.total, 16);
    esock__framer_t hp = {.ptype = ESOCK_INET_PACKET_HTTP_BIN, .psize = 1000};
    assert_int_equal(esock__inet_frame_next(&hp, req, 18, 10, 0, &fr, &need), 1);
    assert_int_equal(fr.total, 16);
}

/* Types 1/2/4 are framed in frame.c itself: every verdict (packet, need
 * more with or without a known length, too big) must be decode_packet's,
 * for headers around every limit, each packet_size, and every cut of the
 * input. */
static void prefixed_matches_decode_packet(void **st)
{
    (void)st;
    static const uint64_t lens[] = {0, 1, 5, 254, 255, 256, 65534, 65535, 65536, 0x7ffffffa,
                                    0x7ffffffb, 0x7ffffffc, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff};
    static const uint32_t psizes[] = {0, 1, 5, 255, 256, 65535, 65536, 0x7ffffffb, 0x7fffffff, 0xffffffff};
    static const struct { int ptype; unsigned hlen; } types[] = {
        {ESOCK_INET_PACKET_1, 1}, {ESOCK_INET_PACKET_2, 2}, {ESOCK_INET_PACKET_4, 4}};
    uint8_t in[4 + 8];
    unsigned checked = 0;
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        unsigned hlen = types[t].hlen;
        for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
            if (hlen < 4 && lens[l] >> (8 * hlen))
                continue; /* not expressible in this header */
            for (unsigned i = 0; i < hlen; i++)
                in[i] = (uint8_t)(lens[l] >> (8 * (hlen - 1 - i)));
            memset(in + hlen, 'x', sizeof in - hlen);
            for (size_t ps = 0; ps < sizeof psizes / sizeof psizes[0]; ps++) {
                for (size_t n = 0; n <= hlen + 8; n++) {
                    esock__framer_t f = {.ptype = types[t].ptype, .psize = psizes[ps]};
                    esock__frame_t fr;
                    size_t need = 99;
                    int got = esock__inet_frame_next(&f, in, n, 0, 0, &fr, &need);
                    esock_packet_cfg_t cfg = {.type = (esock_packet_type_t)types[t].ptype,
                                              .packet_size = psizes[ps]};
                    esock_packet_result_t r;
                    int rc = esock_packet_decode_any(&cfg, in, n, &r);
                    if (rc == ESOCK_PACKET_MORE) {
                        assert_int_equal(got, 0);
                        assert_int_equal(need, r.more);
                    } else if (rc < 0) {
                        assert_int_equal(got, -EMSGSIZE); /* pkt.c: every decode error is emsgsize */
                    } else {
                        assert_int_equal(got, 1);
                        assert_int_equal(fr.total, n - r.rest_len);
                        assert_ptr_equal(in + fr.off, r.packet);
                        assert_int_equal(fr.len, r.packet_len);
                        assert_int_equal(need, 0);
                    }
                    checked++;
                }
            }
        }
    }
    assert_true(checked > 1000);
}

const struct CMUnitTest inet_tests_frame[] = {
    cmocka_unit_test(random_cuts),
    cmocka_unit_test(raw_limits),
    cmocka_unit_test(size_limit),
    cmocka_unit_test(http_state),
    cmocka_unit_test(line_buffer_window),
    cmocka_unit_test(prefixed_matches_decode_packet),
};
const size_t inet_ntests_frame = NOPTS(inet_tests_frame);
