/*
 * inet/frame.h - the receive framing engine: bytes in, packets out.
 *
 * Pure: no I/O, no allocation, no locks. It wraps the decode_packet
 * decoders (packet module) with what a socket adds on top of them: the
 * http -> httph switch after a start line (and back after http_eoh), the
 * header stripping of 1/2/4, raw mode "whatever is there, at most
 * `buffer` bytes", lines cut at `buffer` bytes, and the exact-length raw
 * recv(S, N).
 */
#ifndef ESOCK_INET_FRAME_H
#define ESOCK_INET_FRAME_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

typedef struct esock__framer {
    int ptype;          /* esock_inet_packet_t */
    uint32_t psize;     /* packet_size, 0 = unlimited */
    uint8_t delim;      /* line_delimiter */
    uint8_t in_headers; /* http: start line seen, now decoding headers */
} esock__framer_t;

/* One framed packet inside the input. */
typedef struct esock__frame {
    size_t total;       /* bytes consumed from the input (header + body + padding) */
    size_t off;         /* where the delivered bytes start */
    size_t len;         /* how many bytes are delivered */
    int ptype;          /* the packet type that decoded it (httph after http ...) */
} esock__frame_t;

/*
 * Find the next packet in p[0..n).
 *  - returns 1 and fills *fr when a whole packet is there;
 *  - returns 0 when more bytes are needed; *need is the total length of the
 *    packet when known (header read), else 0;
 *  - returns a negative code: -EMSGSIZE (packet_size exceeded) or
 *    ESOCK_EINVALID (malformed).
 * @p rawmax is the `buffer` option (0 = no limit): it limits a raw packet,
 * truncates a line longer than it (as inet_drv does, pieces of rawmax
 * bytes) and, when packet_size is 0, makes an http line longer than it
 * -EMSGSIZE. @p rawlen > 0 asks for exactly that many bytes in raw mode
 * (recv(S, N)).
 * For http types the switch to header decoding is done here: after a
 * request/response line f->in_headers becomes 1, after http_eoh 0 again.
 */
static inline int esock__inet_frame_next(esock__framer_t *f, const uint8_t *p, size_t n,
                                         size_t rawmax, size_t rawlen, esock__frame_t *fr,
                                         size_t *need);

/* The types other than 1, 2 and 4 (frame.c). */
int esock__inet_frame_other(esock__framer_t *f, const uint8_t *p, size_t n, size_t rawmax,
                            size_t rawlen, esock__frame_t *fr, size_t *need);

/* Header bytes of {packet, 1 | 2 | 4} (the enum's 1, 2, 3), else 0. */
static inline unsigned esock__inet_prefix_len(int ptype)
{
    return (unsigned)(ptype - 1) < 3 ? 1u << (ptype - 1) : 0;
}

/* The length-prefixed types are framed inline: they are what busy sockets
 * carry, one call per packet, and the call cost more than the header
 * (docs/bench.md). The rules are decode_packet's (packet.c, remain()): a
 * body over packet_size, or a packet past INT_MAX in all, is an error;
 * t_frame.c checks both paths agree on every header. */
static inline int esock__inet_frame_prefixed(const esock__framer_t *f, unsigned hlen,
                                             const uint8_t *p, size_t n, esock__frame_t *fr,
                                             size_t *need)
{
    *need = 0;
    if (n < hlen)
        return 0;
    uint64_t body = hlen == 4   ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
                    : hlen == 2 ? (uint32_t)p[0] << 8 | p[1]
                                : p[0]; /* big-endian, as gen_tcp */
    if ((f->psize && body > f->psize) || body > 0x7fffffffu - hlen)
        return -EMSGSIZE;
    size_t total = hlen + (size_t)body;
    if (total > n) {
        *need = total;
        return 0;
    }
    fr->total = total;
    fr->off = hlen;
    fr->len = (size_t)body;
    fr->ptype = f->ptype;
    return 1;
}

static inline int esock__inet_frame_next(esock__framer_t *f, const uint8_t *p, size_t n,
                                         size_t rawmax, size_t rawlen, esock__frame_t *fr,
                                         size_t *need)
{
    unsigned hlen = esock__inet_prefix_len(f->ptype);
    if (hlen)
        return esock__inet_frame_prefixed(f, hlen, p, n, fr, need);
    return esock__inet_frame_other(f, p, n, rawmax, rawlen, fr, need);
}

#endif
