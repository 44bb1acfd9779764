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
int esock__inet_frame_next(esock__framer_t *f, const uint8_t *p, size_t n, size_t rawmax,
                      size_t rawlen, esock__frame_t *fr, size_t *need);

#endif
