/*
 * inet/pkt.h - the one place inet calls the packet module's decoder.
 */
#ifndef ESOCK_INET_PKT_H
#define ESOCK_INET_PKT_H

#include <stddef.h>
#include <stdint.h>

enum {
    ESOCK__PKT_HTTP_NONE = 0,
    ESOCK__PKT_HTTP_REQUEST,
    ESOCK__PKT_HTTP_RESPONSE,
    ESOCK__PKT_HTTP_HEADER,
    ESOCK__PKT_HTTP_EOH,
    ESOCK__PKT_HTTP_ERROR
};

typedef struct esock__pkt_result {
    size_t total;     /* bytes the packet occupies in the input */
    size_t body_off;  /* delivered part: 1/2/4 strip their header, others keep it */
    size_t body_len;
    size_t need;      /* when incomplete: total length if known, else 0 */
    int http;         /* ESOCK__PKT_HTTP_* for http types */
} esock__pkt_result_t;

/* 1 = packet, 0 = need more, <0 = -EMSGSIZE / ESOCK_EINVALID.
 * @p line_length is decode_packet's line_length (0 = none): the socket
 * passes its `buffer` size for line and http types (frame.c says why). */
int esock__inet_pkt_decode(int inet_ptype, const uint8_t *p, size_t n, uint32_t psize, uint32_t line_length,
                           uint8_t delim, esock__pkt_result_t *r);

#endif
