/*
 * inet/pkt.c - inet's one call into the packet module (decode_packet).
 *
 * The socket layer passes packet_size as the packet module's packet_size.
 * Every decoding error is -EMSGSIZE, as the inet driver reports it: a
 * packet over packet_size, a 4-byte length past 2 GiB without packet_size,
 * a malformed tpkt/cdr/asn1 header (OTP 25.2.3: gen_tcp gives emsgsize for
 * all of them where decode_packet says invalid). The line delimiter applies
 * to the line type only;
 * line_length is what the caller gives (the socket's buffer size).
 */
#include <errno.h>
#include <string.h>

#include <esock/error.h>
#include <esock/inet.h>
#include <esock/packet.h>

#include "inet/pkt.h"

/* The two enums have the same values (inet.h says so; checked here). */
_Static_assert((int)ESOCK_INET_PACKET_LINE == (int)ESOCK_PACKET_LINE, "packet types differ");
_Static_assert((int)ESOCK_INET_PACKET_TPKT == (int)ESOCK_PACKET_TPKT, "packet types differ");
_Static_assert((int)ESOCK_INET_PACKET_HTTPH_BIN == (int)ESOCK_PACKET_HTTPH_BIN, "packet types differ");

static const int http_kind[] = {
    [ESOCK_HTTP_REQUEST] = ESOCK__PKT_HTTP_REQUEST, [ESOCK_HTTP_RESPONSE] = ESOCK__PKT_HTTP_RESPONSE,
    [ESOCK_HTTP_HEADER] = ESOCK__PKT_HTTP_HEADER,   [ESOCK_HTTP_EOH] = ESOCK__PKT_HTTP_EOH,
    [ESOCK_HTTP_ERROR] = ESOCK__PKT_HTTP_ERROR,
};

int esock__inet_pkt_decode(int t, const uint8_t *p, size_t n, uint32_t psize, uint32_t line_length,
                           uint8_t delim, esock__pkt_result_t *r)
{
    memset(r, 0, sizeof *r);
    esock_packet_cfg_t cfg = {
        .type = (esock_packet_type_t)t,
        .packet_size = psize,
        .line_length = line_length,
        .delimiter = t == ESOCK_INET_PACKET_LINE ? delim : '\n',
    };
    esock_packet_result_t pr;
    int rc = esock_packet_decode(&cfg, p, n, &pr);
    if (rc == ESOCK_PACKET_MORE) {
        r->need = pr.more;
        return 0;
    }
    if (rc < 0)
        return -EMSGSIZE;
    r->total = n - pr.rest_len;
    r->body_off = pr.packet_len ? (size_t)(pr.packet - p) : 0;
    r->body_len = pr.packet_len;
    if (t >= ESOCK_INET_PACKET_HTTP && (unsigned)pr.http.kind < sizeof http_kind / sizeof http_kind[0])
        r->http = http_kind[pr.http.kind];
    return 1;
}
