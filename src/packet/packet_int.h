/* Internal interface between the framing (packet.c) and the HTTP line
 * parser (http.c) of the packet module. */
#ifndef ESOCK_PACKET_INT_H
#define ESOCK_PACKET_INT_H

#include <esock/packet.h>

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Keeps a path out of its caller, whose hot path then needs no stack frame
 * (saving and restoring registers costs as much as the work there). */
#if defined(__GNUC__)
#define ESOCK__NOINLINE __attribute__((noinline))
#else
#define ESOCK__NOINLINE
#endif

/* Parses one complete HTTP packet (line(s) ending in '\n') into *h, as OTP's
 * HTTP callbacks would build the term. header_state: 0 = start line
 * (http/http_bin), 1 = header (httph/httph_bin). Never fails: what does not
 * parse becomes ESOCK_HTTP_ERROR. */
void esock__http_parse(const char *buf, size_t len, int header_state, esock_http_t *h);

/* esock_packet_decode_any for the HTTP types (cfg->type one of them)
 * without packet_size or line_length: the common cases (a start line, a
 * header line whose next byte is there and does not continue it, the empty
 * line) are framed and parsed in one pass; everything else goes to
 * esock__packet_general. Same contract as esock_packet_decode_any. */
int esock__http_decode(const esock_packet_cfg_t *cfg, const unsigned char *buf, size_t len,
                       esock_packet_result_t *out);

/* The general decoder (every type, option and outcome), which the fast
 * paths fall back on. Same contract as esock_packet_decode_any. */
int esock__packet_general(const esock_packet_cfg_t *cfg, const unsigned char *buf, size_t len,
                          esock_packet_result_t *out);

/* The first '\n' in p[0..n), or NULL. HTTP lines are short (20..100 bytes):
 * an inline 16-byte SSE2 scan beats a call to libc's memchr there, whose
 * set-up and branches dominate at these lengths. Never loads past p + n
 * (whole 16-byte blocks, then a byte tail). */
static inline const unsigned char *esock__find_nl(const unsigned char *p, size_t n)
{
    size_t i = 0;
#ifdef __SSE2__
    const __m128i nl = _mm_set1_epi8('\n');
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl));
        if (m)
            return p + i + (unsigned)__builtin_ctz(m);
    }
    for (; i < n; i++)
        if (p[i] == '\n')
            return p + i;
    return NULL;
#else
    return memchr(p + i, '\n', n - i);
#endif
}

#endif
