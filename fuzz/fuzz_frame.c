/*
 * fuzz/fuzz_frame.c - libFuzzer target for the inet receive framer
 * (src/inet/frame.h): the socket rules on top of decode_packet (the inline
 * 1/2/4 path, line pieces of `buffer` bytes, http -> httph switching, raw
 * mode with and without an exact length).
 *
 * Input: byte 0 picks the packet type, byte 1 packet_size / buffer /
 * line_delimiter / exact raw length, byte 2 seeds the read sizes; the rest
 * is the byte stream a peer sent. The stream is framed twice: once whole,
 * and once as a socket frames it, a read at a time, calling the framer
 * again on the unconsumed bytes after every read. Checks:
 *  - every packet lies inside the bytes given, is not empty in all, and
 *    obeys packet_size (1/2/4) and `buffer` (raw);
 *  - "need N" only asks for more than is there, and once N bytes are
 *    there the framer does not ask again;
 *  - for every type but raw without a length, the read sizes change
 *    nothing: the same packets, the same types, the same error, in order;
 *  - raw without a length gives the stream back whole, in order.
 *
 * Replayed over fuzz/corpus/frame/ in the normal test run (replay_frame).
 * To fuzz (from a build configured with CC=clang -DESOCK_FUZZ=ON):
 *   ./fuzz/fuzz_frame -max_total_time=60 ../../fuzz/corpus/frame
 */
#include <esock/inet.h>

#include <stdint.h>
#include <stdlib.h>
#include "inet/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PACKETS 4096

typedef struct outcome {
    int rc; /* 1 = packet, 0 = needs more at the end, < 0 = error */
    esock__frame_t fr;
} outcome_t;

typedef struct setup {
    int ptype;
    uint32_t psize;
    uint8_t delim;
    size_t rawmax; /* the `buffer` option */
    size_t rawlen; /* recv(S, N) in raw mode */
} setup_t;

static void check_frame(const setup_t *s, const esock__frame_t *fr, size_t n)
{
    if (fr->total == 0 || fr->total > n || fr->off > fr->total || fr->len > fr->total - fr->off)
        abort();
    if (esock__inet_prefix_len(s->ptype) && s->psize && fr->len > s->psize)
        abort();
    if (s->ptype == ESOCK_INET_PACKET_RAW && !s->rawlen && s->rawmax && fr->len > s->rawmax)
        abort();
}

static int same_frame(const esock__frame_t *a, const esock__frame_t *b)
{
    return a->total == b->total && a->off == b->off && a->len == b->len && a->ptype == b->ptype;
}

/* Frames p[0..n) whole; returns how many outcomes it wrote. */
static size_t frame_whole(const setup_t *s, const uint8_t *p, size_t n, outcome_t *out)
{
    esock__framer_t f = {.ptype = s->ptype, .psize = s->psize, .delim = s->delim};
    size_t pos = 0, k = 0;
    while (k < MAX_PACKETS) {
        size_t need;
        outcome_t *o = &out[k++];
        o->rc = esock__inet_frame_next(&f, p + pos, n - pos, s->rawmax, s->rawlen, &o->fr, &need);
        if (o->rc != 1)
            break;
        check_frame(s, &o->fr, n - pos);
        pos += o->fr.total;
    }
    return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    static const int types[] = {
        ESOCK_INET_PACKET_RAW,  ESOCK_INET_PACKET_1,    ESOCK_INET_PACKET_2,
        ESOCK_INET_PACKET_4,    ESOCK_INET_PACKET_LINE, ESOCK_INET_PACKET_ASN1,
        ESOCK_INET_PACKET_SUNRM, ESOCK_INET_PACKET_CDR, ESOCK_INET_PACKET_FCGI,
        ESOCK_INET_PACKET_TPKT, ESOCK_INET_PACKET_HTTP, ESOCK_INET_PACKET_HTTPH,
        ESOCK_INET_PACKET_HTTP_BIN, ESOCK_INET_PACKET_HTTPH_BIN,
    };
    static const uint32_t psizes[] = {0, 1, 3, 16, 100, 0, 0, 0};
    static const size_t rawmaxes[] = {0, 1, 7, 64};
    setup_t s = {
        .ptype = types[data[0] % (sizeof types / sizeof types[0])],
        .psize = psizes[data[1] & 7],
        .rawmax = rawmaxes[(data[1] >> 3) & 3],
        .delim = (data[1] & 0x20) ? ';' : '\n',
        .rawlen = (data[1] & 0x40) ? 1 + (data[1] & 7) : 0,
    };
    if (s.ptype != ESOCK_INET_PACKET_RAW)
        s.rawlen = 0;
    /* decode_packet takes a buffer holding exactly "\r\n" or "\n" as a
     * whole http line whatever limit applies, and the inet driver frames
     * what it has read: with packet_size (or, without it, `buffer`) 1 a
     * read ending after "\r\n" gives a packet where a longer read gives
     * emsgsize. OTP does the same (packet_parser.c); only a limit below 2
     * lets the reads matter. */
    if (s.ptype >= ESOCK_INET_PACKET_HTTP) {
        if (s.psize == 1)
            s.psize = 2;
        if (s.rawmax == 1)
            s.rawmax = 2;
    }
    unsigned seed = data[2];
    const uint8_t *p = data + 3;
    size_t n = size - 3;

    static outcome_t whole[MAX_PACKETS];
    size_t nwhole = frame_whole(&s, p, n, whole);

    /* The same stream, a read at a time: reads of 1..16 bytes from the seed. */
    esock__framer_t f = {.ptype = s.ptype, .psize = s.psize, .delim = s.delim};
    size_t avail = 0, pos = 0, k = 0, asked = 0;
    int last = 0; /* how it ended: 0 = needs more, < 0 = the error */
    /* Raw without a length delivers what each read brought: its pieces
     * are checked by position alone (each starts where the last ended,
     * and together they are the stream). */
    int split_free = !(s.ptype == ESOCK_INET_PACKET_RAW && !s.rawlen);
    while (k < MAX_PACKETS) {
        esock__frame_t fr;
        size_t need;
        int rc = esock__inet_frame_next(&f, p + pos, avail - pos, s.rawmax, s.rawlen, &fr, &need);
        if (rc == 1) {
            check_frame(&s, &fr, avail - pos);
            if (split_free && (k >= nwhole || whole[k].rc != 1 || !same_frame(&whole[k].fr, &fr)))
                abort();
            k++;
            pos += fr.total;
            asked = 0;
            continue;
        }
        if (rc < 0) {
            last = rc;
            break;
        }
        if (need && need <= avail - pos)
            abort(); /* asks for what is already there */
        if (asked && avail - pos >= asked)
            abort(); /* was told N bytes were enough, and they are there */
        asked = need;
        if (avail == n)
            break;
        seed = seed * 1103515245u + 12345u;
        size_t step = 1 + ((seed >> 16) & 15);
        avail = step > n - avail ? n : avail + step;
    }
    if (split_free && k < MAX_PACKETS && (k + 1 != nwhole || whole[k].rc != last))
        abort(); /* the whole stream gave more packets, or ended otherwise */
    if (!split_free && k < MAX_PACKETS && pos != n)
        abort(); /* raw mode left bytes behind */
    return 0;
}
