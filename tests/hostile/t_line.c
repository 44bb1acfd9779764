/*
 * Delimited packet types against a peer that never sends the delimiter.
 *
 * What OTP gives (inet driver, verified on 25.2.3; ref/inet.txt: "line -
 * ... lines longer than the receive buffer are truncated"):
 *  - {packet,line}: a line with no newline is cut at `buffer` bytes (default
 *    1460) and delivered in pieces of that size, also when packet_size is
 *    larger than buffer; packet_size smaller than buffer: emsgsize.
 *  - {packet,http*}: a start or header line longer than packet_size is
 *    emsgsize; with packet_size 0 the limit is `buffer` (a 1460-byte header
 *    value fails with the default buffer, 1440 passes; buffer 20000 lets
 *    19000 pass).
 * Whatever the limit, the memory a peer can pin must stay bounded: the
 * largest allocation and the peak of live bytes through the seam are
 * checked while the peer streams 8 MiB without a delimiter.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostile.h"

#define STREAM (8 * MIB)
#define BOUND (1 * MIB) /* live bytes the library may hold for one such socket */
#define SMALL (256 * KIB + 64) /* the read buffer and its reference count */

static int64_t opt_of(esock_inet_t s, esock_inet_optname_t name)
{
    esock_inet_opt_t q = {.name = name};
    size_t nout = 0;
    assert_int_equal(esock_inet_getopts(s, &q, 1, &nout), 0);
    assert_int_equal(nout, 1);
    return q.v.i;
}

typedef struct outcome {
    size_t packets, bytes, max_len, min_len;
    int end_rc; /* what ended the loop */
    long long peak_growth;
    size_t max_request;
} outcome_t;

static void print_outcome(const char *name, const outcome_t *o)
{
    printf("# %s: %zu packets (%zu..%zu bytes), %zu bytes delivered, ended with %s; "
           "largest allocation %zu, live-bytes peak +%lld\n",
           name, o->packets, o->packets ? o->min_len : 0, o->max_len, o->bytes,
           esock_errname(o->end_rc), o->max_request, o->peak_growth);
}

/* Reads packets passively until an error or the whole stream arrived. */
static void drain_passive(esock_inet_t a, streamer_t *p, outcome_t *o)
{
    static char buf[256 * 1024];
    memset(o, 0, sizeof *o);
    o->min_len = SIZE_MAX;
    int64_t end = now_ms() + 20000;
    for (;;) {
        size_t got = 0;
        int rc = esock_inet_recv(a, buf, sizeof buf, 0, &got, 3000);
        if (rc != 0) {
            o->end_rc = rc;
            break;
        }
        o->packets++;
        o->bytes += got;
        if (got > o->max_len)
            o->max_len = got;
        if (got < o->min_len)
            o->min_len = got;
        if (o->bytes >= p->total + p->prefix_len || now_ms() > end)
            break;
    }
}

/* The same in active mode, from the owner mailbox. */
static void drain_active(esock_mbox_t mb, streamer_t *p, outcome_t *o)
{
    memset(o, 0, sizeof *o);
    o->min_len = SIZE_MAX;
    int64_t end = now_ms() + 20000;
    for (;;) {
        esock_inet_msg_t *m = inet_next(mb, 3000);
        if (!m) {
            o->end_rc = ESOCK_ETIMEOUT;
            break;
        }
        if (m->kind != ESOCK_INET_MSG_DATA) {
            o->end_rc = m->kind == ESOCK_INET_MSG_ERROR ? m->error : ESOCK_ECLOSED;
            esock_inet_msg_free(m);
            if (o->end_rc != ESOCK_ECLOSED) { /* the CLOSED that follows an error */
                m = inet_next(mb, 2000);
                assert_non_null(m);
                assert_int_equal(m->kind, ESOCK_INET_MSG_CLOSED);
                esock_inet_msg_free(m);
            }
            break;
        }
        o->packets++;
        o->bytes += m->len;
        if (m->len > o->max_len)
            o->max_len = m->len;
        if (m->len < o->min_len)
            o->min_len = m->len;
        esock_inet_msg_free(m);
        if (o->bytes >= p->total + p->prefix_len || now_ms() > end)
            break;
    }
}

typedef struct lcase {
    const char *name;
    int ptype;
    int64_t packet_size; /* < 0: default */
    int64_t buffer;      /* < 0: default */
    bool active;
    const char *prefix;  /* e.g. an http request line before the endless header */
} lcase_t;

static void endless(const lcase_t *c, outcome_t *o, size_t *buffer_out, int64_t *psize_out)
{
    esock_mbox_t mb = {0};
    if (c->active)
        assert_int_equal(esock_mbox_create(&mb), 0);
    esock_inet_opt_t opts[4] = {OPTI(PACKET, c->ptype), OPTI(MODE, 1)};
    size_t n = 2;
    if (c->packet_size >= 0)
        opts[n++] = (esock_inet_opt_t)OPTI(PACKET_SIZE, c->packet_size);
    if (c->buffer >= 0)
        opts[n++] = (esock_inet_opt_t)OPTI(BUFFER, c->buffer);
    esock_inet_t l, a;
    int fd = inet_peer_pair(opts, n, c->active ? mb : ESOCK_INET_NO_OWNER, &l, &a);
    *buffer_out = (size_t)opt_of(a, ESOCK_IOPT_BUFFER);
    *psize_out = opt_of(a, ESOCK_IOPT_PACKET_SIZE);

    heap_snap_t before;
    heap_snap(&before);
    heap_mark();
    streamer_t p = {.fd = fd, .total = STREAM, .fill = 'x', .hangup = true, .cap_ms = 20000};
    if (c->prefix) {
        p.prefix = c->prefix;
        p.prefix_len = strlen(c->prefix);
    }
    streamer_start(&p);
    if (c->active)
        drain_active(mb, &p, o);
    else
        drain_passive(a, &p, o);
    o->max_request = heap_max_request();
    o->peak_growth = heap_peak_bytes() - before.bytes;
    streamer_join(&p);
    print_outcome(c->name, o);
    close(fd);
    assert_int_equal(esock_inet_close(a), 0);
    assert_int_equal(esock_inet_close(l), 0);
    if (c->active)
        assert_int_equal(esock_mbox_destroy(mb), 0);
}

static void check_bounded(const lcase_t *c, const outcome_t *o)
{
    if (o->max_request > SMALL || o->peak_growth > (long long)BOUND)
        print_error("%s: memory not bounded: largest allocation %zu, live-bytes peak +%lld "
                    "while the peer streamed %zu bytes without a delimiter\n",
                    c->name, o->max_request, o->peak_growth, (size_t)STREAM);
    assert_true(o->max_request <= SMALL);
    assert_true(o->peak_growth <= (long long)BOUND);
}

/* OTP: pieces of exactly `buffer` bytes; a last piece shorter than that is
 * still waiting for its newline when the peer hangs up, and is dropped with
 * the close (OTP #8716), so the loop ends with all whole pieces delivered
 * (then closed, unless the stream was a multiple of buffer). */
static void expect_truncated(const lcase_t *c)
{
    outcome_t o;
    size_t buffer;
    int64_t psize;
    endless(c, &o, &buffer, &psize);
    check_bounded(c, &o);
    size_t whole = STREAM / buffer * buffer;
    bool ended_ok = o.end_rc == 0 || (o.end_rc == ESOCK_ECLOSED && whole < STREAM);
    if (!ended_ok || o.max_len != buffer || o.bytes != whole)
        print_error("%s: wanted lines cut at buffer (%zu bytes) as OTP does, %zu bytes in all; "
                    "got %zu packets of up to %zu bytes, %zu bytes, then %s\n",
                    c->name, buffer, whole, o.packets, o.max_len, o.bytes, esock_errname(o.end_rc));
    assert_true(ended_ok);
    assert_int_equal(o.max_len, buffer);
    assert_int_equal(o.min_len, buffer);
    assert_int_equal(o.bytes, whole);
}

/* OTP: emsgsize once the limit is passed (having delivered nothing, or in
 * the http case only the start line). */
static void expect_emsgsize(const lcase_t *c, size_t delivered_before)
{
    outcome_t o;
    size_t buffer;
    int64_t psize;
    endless(c, &o, &buffer, &psize);
    check_bounded(c, &o);
    if (o.end_rc != -EMSGSIZE)
        print_error("%s: wanted emsgsize (packet_size %lld, buffer %zu); got %zu packets, then %s\n",
                    c->name, (long long)psize, buffer, o.packets, esock_errname(o.end_rc));
    assert_int_equal(o.end_rc, -EMSGSIZE);
    assert_int_equal(o.packets, delivered_before);
}

/* ---- {packet, line} ---- */

static void line_endless_default(void **st)
{
    (void)st;
    expect_truncated(&(lcase_t){"line, defaults", ESOCK_INET_PACKET_LINE, -1, -1, false, NULL});
}

static void line_endless_default_active(void **st)
{
    (void)st;
    expect_truncated(&(lcase_t){"line, defaults, active", ESOCK_INET_PACKET_LINE, -1, -1, true, NULL});
}

static void line_endless_buffer_8k(void **st)
{
    (void)st;
    expect_truncated(&(lcase_t){"line, buffer 8192", ESOCK_INET_PACKET_LINE, -1, 8192, false, NULL});
}

static void line_endless_psize_over_buffer(void **st)
{
    (void)st;
    expect_truncated(&(lcase_t){"line, packet_size 64 KiB", ESOCK_INET_PACKET_LINE, 64 * 1024, -1,
                                false, NULL});
}

static void line_endless_psize_under_buffer(void **st)
{
    (void)st;
    expect_emsgsize(&(lcase_t){"line, packet_size 1000", ESOCK_INET_PACKET_LINE, 1000, -1, false, NULL},
                    0);
}

static void line_endless_psize_under_buffer_active(void **st)
{
    (void)st;
    expect_emsgsize(&(lcase_t){"line, packet_size 1000, active", ESOCK_INET_PACKET_LINE, 1000, -1,
                               true, NULL},
                    0);
}

/* ---- {packet, http_bin}: one header line that never ends ---- */

#define REQ "GET / HTTP/1.1\r\nX-Flood: "

static void http_endless_header_psize(void **st)
{
    (void)st;
    expect_emsgsize(&(lcase_t){"http_bin header, packet_size 4096", ESOCK_INET_PACKET_HTTP_BIN, 4096,
                               -1, false, REQ},
                    1);
}

static void http_endless_header_psize_active(void **st)
{
    (void)st;
    expect_emsgsize(&(lcase_t){"http_bin header, packet_size 4096, active", ESOCK_INET_PACKET_HTTP_BIN,
                               4096, -1, true, REQ},
                    1);
}

static void http_endless_header_default(void **st)
{
    (void)st;
    expect_emsgsize(&(lcase_t){"http_bin header, defaults", ESOCK_INET_PACKET_HTTP_BIN, -1, -1, false,
                               REQ},
                    1);
}

static void http_endless_request_line_default(void **st)
{
    (void)st;
    expect_emsgsize(&(lcase_t){"http_bin request line, defaults", ESOCK_INET_PACKET_HTTP_BIN, -1, -1,
                               false, "GET /"},
                    0);
}

/* ---- {packet, http_bin}: a flood of well-formed headers ---- */

#define NHEADERS 5000

static char *flood_request(size_t *len)
{
    size_t cap = 64 + (size_t)NHEADERS * 48;
    char *r = malloc(cap);
    assert_non_null(r);
    size_t n = (size_t)snprintf(r, cap, "GET /flood HTTP/1.1\r\n");
    for (int i = 0; i < NHEADERS; i++)
        n += (size_t)snprintf(r + n, cap - n, "X-Header-%d: value-%d\r\n", i, i);
    n += (size_t)snprintf(r + n, cap - n, "\r\n");
    *len = n;
    return r;
}

static void header_flood(bool active)
{
    esock_mbox_t mb = {0};
    if (active)
        assert_int_equal(esock_mbox_create(&mb), 0);
    const esock_inet_opt_t o[] = {OPTI(PACKET, ESOCK_INET_PACKET_HTTP_BIN), OPTI(MODE, 1),
                                  OPTI(PACKET_SIZE, 4096)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), active ? mb : ESOCK_INET_NO_OWNER, &l, &a);
    size_t len;
    char *req = flood_request(&len);
    heap_snap_t before;
    heap_snap(&before);
    heap_mark();
    streamer_t p = {.fd = fd, .prefix = req, .prefix_len = len, .total = 0, .cap_ms = 20000};
    streamer_start(&p);
    int kinds[3] = {0}; /* request, headers, eoh */
    char buf[4096];
    for (int i = 0; i < NHEADERS + 2; i++) {
        int ptype;
        size_t got;
        const uint8_t *data;
        esock_inet_msg_t *m = NULL;
        if (active) {
            m = inet_next(mb, 3000);
            assert_non_null(m);
            if (m->kind != ESOCK_INET_MSG_DATA)
                print_error("packet %d: message kind %d (%s)\n", i, m->kind, esock_errname(m->error));
            assert_int_equal(m->kind, ESOCK_INET_MSG_DATA);
            ptype = m->ptype;
            got = m->len;
            data = m->data;
        } else {
            int rc = esock_inet_recv(a, buf, sizeof buf, 0, &got, 3000);
            if (rc)
                print_error("packet %d: %s\n", i, esock_errname(rc));
            assert_int_equal(rc, 0);
            ptype = i == 0 ? ESOCK_INET_PACKET_HTTP_BIN : ESOCK_INET_PACKET_HTTPH_BIN;
            data = (const uint8_t *)buf;
        }
        if (i == 0) {
            assert_int_equal(ptype, ESOCK_INET_PACKET_HTTP_BIN);
            assert_true(got > 4 && memcmp(data, "GET ", 4) == 0);
            kinds[0]++;
        } else if (i <= NHEADERS) {
            assert_int_equal(ptype, ESOCK_INET_PACKET_HTTPH_BIN);
            assert_true(got > 9 && memcmp(data, "X-Header-", 9) == 0);
            kinds[1]++;
        } else {
            assert_int_equal(got, 2); /* http_eoh: the empty line */
            kinds[2]++;
        }
        if (m)
            esock_inet_msg_free(m);
    }
    streamer_join(&p);
    size_t maxreq = heap_max_request();
    long long peak = heap_peak_bytes() - before.bytes;
    printf("# http_bin flood (%s): request + %d headers + eoh (%zu bytes): largest allocation %zu, "
           "live-bytes peak +%lld\n",
           active ? "active" : "passive", kinds[1], len, maxreq, peak);
    assert_int_equal(kinds[0], 1);
    assert_int_equal(kinds[1], NHEADERS);
    assert_int_equal(kinds[2], 1);
    assert_true(maxreq <= SMALL);
    assert_true(peak <= (long long)BOUND);
    free(req);
    close(fd);
    assert_int_equal(esock_inet_close(a), 0);
    assert_int_equal(esock_inet_close(l), 0);
    if (active)
        assert_int_equal(esock_mbox_destroy(mb), 0);
}

static void http_header_flood_passive(void **st)
{
    (void)st;
    header_flood(false);
}

static void http_header_flood_active(void **st)
{
    (void)st;
    header_flood(true);
}

#define T(f) cmocka_unit_test_setup_teardown(f, note_start, check_clean)
const struct CMUnitTest hostile_line_tests[] = {
    T(line_endless_psize_under_buffer),
    T(line_endless_psize_under_buffer_active),
    T(http_endless_header_psize),
    T(http_endless_header_psize_active),
    T(http_header_flood_passive),
    T(http_header_flood_active),
    T(line_endless_default),
    T(line_endless_default_active),
    T(line_endless_buffer_8k),
    T(line_endless_psize_over_buffer),
    T(http_endless_header_default),
    T(http_endless_request_line_default),
};
const size_t hostile_line_count = NOPTS(hostile_line_tests);
