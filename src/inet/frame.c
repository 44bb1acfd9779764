/*
 * inet/frame.c - packet framing on a socket's input (see frame.h).
 *
 * The length of the next packet comes from the packet module's decoder
 * (decode_packet). This file only adds the socket rules on top:
 * raw mode limits, the `buffer` limit of lines, the 1/2/4 header strip,
 * and http <-> httph switching.
 */
#include <errno.h>
#include <limits.h>

#include <esock/error.h>
#include <esock/inet.h>

#include "inet/frame.h"
#include "inet/pkt.h"

/* The inet driver reads into a buffer of `buffer` bytes and gives the
 * decoder that size as decode_packet's line_length. So a line longer than
 * the buffer is delivered in pieces of `buffer` bytes (the last piece ends
 * with the delimiter), and an http line longer than it is emsgsize unless
 * packet_size is set (decode_packet then bounds http lines by packet_size
 * alone). For lines the driver also never looks past those `buffer` bytes,
 * so packet_size is checked against that window only: a line that will be
 * truncated anyway is not an error because its delimiter is far away.
 * Clipping the input to the window gives the driver's results whatever
 * sizes our reads happened to have. 0 = no limit (the framing tests). */
static uint32_t line_limit(int ptype, size_t bufsz)
{
    if (ptype != ESOCK_INET_PACKET_LINE && ptype < ESOCK_INET_PACKET_HTTP)
        return 0;
    return bufsz > UINT32_MAX ? UINT32_MAX : (uint32_t)bufsz;
}

int esock__inet_frame_other(esock__framer_t *f, const uint8_t *p, size_t n, size_t rawmax,
                            size_t rawlen, esock__frame_t *fr, size_t *need)
{
    *need = 0;
    if (f->ptype == ESOCK_INET_PACKET_RAW) {
        if (rawlen) {
            if (n < rawlen) {
                *need = rawlen;
                return 0;
            }
            fr->total = fr->len = rawlen;
        } else {
            if (n == 0)
                return 0;
            fr->total = fr->len = n < rawmax || rawmax == 0 ? n : rawmax;
        }
        fr->off = 0;
        fr->ptype = f->ptype;
        return 1;
    }
    int ptype = f->ptype;
    if (f->in_headers && ptype == ESOCK_INET_PACKET_HTTP)
        ptype = ESOCK_INET_PACKET_HTTPH;
    else if (f->in_headers && ptype == ESOCK_INET_PACKET_HTTP_BIN)
        ptype = ESOCK_INET_PACKET_HTTPH_BIN;
    uint32_t ll = line_limit(ptype, rawmax);
    if (ptype == ESOCK_INET_PACKET_LINE && ll && n > ll)
        n = ll; /* the driver's window (see line_limit) */
    esock__pkt_result_t r;
    int rc = esock__inet_pkt_decode(ptype, p, n, f->psize, ll, f->delim, &r);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        *need = r.need;
        return 0;
    }
    fr->total = r.total;
    fr->off = r.body_off;
    fr->len = r.body_len;
    fr->ptype = ptype;
    /* gen_tcp switches http -> httph after a start line and back after
     * the end of the headers. */
    if (f->ptype == ESOCK_INET_PACKET_HTTP || f->ptype == ESOCK_INET_PACKET_HTTP_BIN) {
        if (!f->in_headers && (r.http == ESOCK__PKT_HTTP_REQUEST || r.http == ESOCK__PKT_HTTP_RESPONSE))
            f->in_headers = 1;
        else if (f->in_headers && r.http == ESOCK__PKT_HTTP_EOH)
            f->in_headers = 0;
    }
    return 1;
}
