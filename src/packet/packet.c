/*
 * Packet framing: option validation and the length of the next packet for
 * every type, with the rules of erlang:decode_packet/3 (OTP 25).
 *
 * The length rules follow OTP exactly, including its limits: without
 * packet_size a packet's total length (header included) must fit a signed
 * 32-bit int; with packet_size the body length (header excluded; for fcgi
 * the padding included) must not exceed it. Lengths are computed in 64 bits
 * so that no header value can wrap (see docs/packet.md, differences).
 */
#include "packet/packet_int.h"

#include <esock/error.h>

#include <errno.h>
#include <limits.h>
#include <string.h>

/* get_length outcomes besides a positive total */
#define LEN_MORE 0
#define LEN_ERROR (-1)
#define LEN_TOO_BIG (-2) /* error because packet_size was exceeded */

static inline uint32_t be16(const unsigned char *p) { return (uint32_t)p[0] << 8 | p[1]; }
static inline uint32_t be24(const unsigned char *p) { return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]; }
static inline uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static bool is_http(int type)
{
    return type >= ESOCK_PACKET_HTTP && type <= ESOCK_PACKET_HTTPH_BIN;
}

int esock_packet_opts_check(int type, const esock_packet_opts_t *o)
{
    if (type < 0 || type >= ESOCK_PACKET_TYPE_COUNT)
        return ESOCK_EBADARG;
    if (o == NULL)
        return 0;
    if (o->packet_size < 0 || o->packet_size > (int64_t)UINT32_MAX)
        return ESOCK_EBADARG;
    if (o->line_length < 0 || o->line_length > (int64_t)UINT32_MAX)
        return ESOCK_EBADARG;
    if (o->has_line_delimiter &&
        (type != ESOCK_PACKET_LINE || o->line_delimiter < 0 || o->line_delimiter > 255))
        return ESOCK_EBADARG;
    return 0;
}

int esock_packet_config(esock_packet_cfg_t *cfg, int type, const esock_packet_opts_t *o)
{
    if (!cfg)
        return ESOCK_EBADARG;
    int rc = esock_packet_opts_check(type, o);
    if (rc < 0)
        return rc;
    cfg->type = (esock_packet_type_t)type;
    cfg->packet_size = o ? (uint32_t)o->packet_size : 0;
    cfg->line_length = o ? (uint32_t)o->line_length : 0;
    cfg->delimiter = (o && o->has_line_delimiter) ? (unsigned char)o->line_delimiter : '\n';
    return 0;
}

int esock_packet_header_size(int type)
{
    switch (type) {
    case ESOCK_PACKET_1: return 1;
    case ESOCK_PACKET_2: return 2;
    case ESOCK_PACKET_4: return 4;
    default: return (type >= 0 && type < ESOCK_PACKET_TYPE_COUNT) ? 0 : ESOCK_EBADARG;
    }
}

int esock_packet_put_header(int type, size_t len, unsigned char hdr[4])
{
    int h = esock_packet_header_size(type);
    if (h <= 0)
        return h;
    if (!hdr)
        return ESOCK_EBADARG;
    if (h < 4 && len >> (8 * h) != 0)
        return -EMSGSIZE;
    if (h == 4 && len > UINT32_MAX)
        return -EMSGSIZE;
    for (int i = h - 1; i >= 0; i--, len >>= 8)
        hdr[i] = (unsigned char)len;
    return h;
}

/* A length-prefixed packet whose header (hlen bytes) is complete and whose
 * body is plen bytes long: OTP's "remain" rule. */
static int64_t remain(const esock_packet_cfg_t *cfg, uint32_t hlen, uint64_t plen)
{
    if (cfg->packet_size != 0) {
        if (plen > cfg->packet_size)
            return LEN_TOO_BIG;
    } else if (plen > (uint64_t)(INT_MAX - hlen)) {
        return LEN_ERROR;
    }
    uint64_t total = hlen + plen;
    return total > INT_MAX ? LEN_ERROR : (int64_t)total;
}

static int64_t line_length(const esock_packet_cfg_t *cfg, const unsigned char *p, size_t n)
{
    const unsigned char *nl = memchr(p, cfg->delimiter, n);
    uint32_t max = cfg->packet_size, trunc = cfg->line_length;
    if (nl == NULL) {
        if (max != 0 && n > max)
            return LEN_TOO_BIG;
        if (trunc != 0 && n >= trunc)
            return trunc;
        return LEN_MORE;
    }
    size_t len = (size_t)(nl - p) + 1;
    if (max != 0 && len > max)
        return LEN_TOO_BIG;
    if (trunc != 0 && len > trunc)
        return trunc;
    return (int64_t)len;
}

static int64_t asn1_length(const esock_packet_cfg_t *cfg, const unsigned char *p, size_t n)
{
    if (n < 2)
        return LEN_MORE;
    const unsigned char *t = p + 1;
    size_t nn = n - 1;
    if ((p[0] & 0x1f) == 0x1f) { /* multi-byte tag: continuation bytes have bit 7 */
        while (nn && (*t & 0x80)) {
            t++;
            nn--;
        }
        if (nn < 2)
            return LEN_MORE;
        t++;
        nn--;
    }
    unsigned len = *t & 0x7f;
    uint32_t plen;
    if (*t & 0x80) { /* long form: len bytes follow; 0 = indefinite, taken as 0 */
        t++;
        nn--;
        if (nn < len)
            return LEN_MORE;
        switch (len) {
        case 0: plen = 0; break;
        case 1: plen = t[0]; break;
        case 2: plen = be16(t); break;
        case 3: plen = be24(t); break;
        case 4: plen = be32(t); break;
        default: return LEN_ERROR;
        }
        t += len;
    } else {
        t++;
        plen = len;
    }
    return remain(cfg, (uint32_t)(t - p), plen);
}

/* HTTP: a line, or for headers a line plus its continuation lines; a header
 * line is complete only when the next byte is known not to continue it. */
static int64_t http_length(const esock_packet_cfg_t *cfg, const unsigned char *p, size_t n, int hdr)
{
    if ((n == 1 && p[0] == '\n') || (n == 2 && p[0] == '\r' && p[1] == '\n'))
        return (int64_t)n;
    uint32_t max = cfg->packet_size ? cfg->packet_size : cfg->line_length;
    size_t off = 0;
    for (;;) {
        const unsigned char *nl = esock__find_nl(p + off, n - off);
        if (nl == NULL)
            return (max != 0 && n >= max) ? LEN_TOO_BIG : LEN_MORE;
        size_t plen = (size_t)(nl - p) + 1;
        if (!hdr || plen < n) {
            if (hdr && plen > 2 && (p[plen] == ' ' || p[plen] == '\t')) {
                off = plen; /* continuation line */
                continue;
            }
            if (max != 0 && plen > max)
                return LEN_TOO_BIG;
            return plen > INT_MAX ? LEN_ERROR : (int64_t)plen;
        }
        return (max != 0 && plen > max) ? LEN_TOO_BIG : LEN_MORE;
    }
}

static int64_t get_length(const esock_packet_cfg_t *cfg, const unsigned char *p, size_t n)
{
    switch (cfg->type) {
    case ESOCK_PACKET_RAW:
        return n == 0 ? LEN_MORE : (n > INT_MAX ? LEN_ERROR : (int64_t)n);
    case ESOCK_PACKET_1:
        return n < 1 ? LEN_MORE : remain(cfg, 1, p[0]);
    case ESOCK_PACKET_2:
        return n < 2 ? LEN_MORE : remain(cfg, 2, be16(p));
    case ESOCK_PACKET_4:
        return n < 4 ? LEN_MORE : remain(cfg, 4, be32(p));
    case ESOCK_PACKET_SUNRM: /* the top bit flags the last fragment */
        return n < 4 ? LEN_MORE : remain(cfg, 4, be32(p) & 0x7fffffffu);
    case ESOCK_PACKET_LINE:
        return line_length(cfg, p, n);
    case ESOCK_PACKET_ASN1:
        return asn1_length(cfg, p, n);
    case ESOCK_PACKET_CDR: /* "GIOP" maj min flags type size[4]; flags bit 0: little-endian */
        if (n < 12)
            return LEN_MORE;
        if (memcmp(p, "GIOP", 4) != 0)
            return LEN_ERROR;
        return remain(cfg, 12, (p[6] & 1) ? le32(p + 8) : be32(p + 8));
    case ESOCK_PACKET_FCGI: /* version type id[2] clen[2] padlen reserved */
        if (n < 8)
            return LEN_MORE;
        if (p[0] != 1)
            return LEN_ERROR;
        return remain(cfg, 8, (uint64_t)be16(p + 4) + p[6]);
    case ESOCK_PACKET_TPKT: /* version 3, reserved, length[2] including the header */
        if (n < 4)
            return LEN_MORE;
        if (p[0] != 3)
            return LEN_ERROR;
        if (be16(p + 2) < 4) /* OTP: the unsigned difference wraps, then fails the limit */
            return cfg->packet_size ? LEN_TOO_BIG : LEN_ERROR;
        return remain(cfg, 4, be16(p + 2) - 4);
    case ESOCK_PACKET_HTTP:
    case ESOCK_PACKET_HTTP_BIN:
        return http_length(cfg, p, n, 0);
    case ESOCK_PACKET_HTTPH:
    case ESOCK_PACKET_HTTPH_BIN:
        return http_length(cfg, p, n, 1);
    default:
        return LEN_ERROR;
    }
}

/* Everything but the common length-prefixed, plain-line and HTTP cases
 * (declared in packet_int.h: the HTTP path falls back on it). */
int esock__packet_general(const esock_packet_cfg_t *cfg, const unsigned char *p, size_t len,
                          esock_packet_result_t *out)
{
    if ((unsigned)cfg->type >= ESOCK_PACKET_TYPE_COUNT)
        return ESOCK_EBADARG;
    out->more = 0;
    out->size_exceeded = false;
    int64_t total = get_length(cfg, p, len);
    if (total == LEN_MORE)
        return ESOCK_PACKET_MORE;
    if (total < 0) {
        out->size_exceeded = total == LEN_TOO_BIG;
        return ESOCK_EINVALID;
    }
    if ((uint64_t)total > len) {
        out->more = (size_t)total;
        return ESOCK_PACKET_MORE;
    }
    size_t t = (size_t)total;
    out->rest = p + t;
    out->rest_len = len - t;
    out->packet = p;
    out->packet_len = t;
    switch (cfg->type) {
    case ESOCK_PACKET_1: out->packet += 1; out->packet_len -= 1; break;
    case ESOCK_PACKET_2: out->packet += 2; out->packet_len -= 2; break;
    case ESOCK_PACKET_4: out->packet += 4; out->packet_len -= 4; break;
    case ESOCK_PACKET_FCGI: out->packet_len -= p[6]; break; /* padding is dropped */
    default:
        if (is_http(cfg->type)) {
            int hdr = cfg->type == ESOCK_PACKET_HTTPH || cfg->type == ESOCK_PACKET_HTTPH_BIN;
            esock__http_parse((const char *)p, t, hdr, &out->http);
            out->http.binary = cfg->type == ESOCK_PACKET_HTTP_BIN || cfg->type == ESOCK_PACKET_HTTPH_BIN;
        }
        break;
    }
    return 0;
}

/* The hot path of the inet layer: types 1, 2, 4 without packet_size, and
 * lines without limits, decided with a handful of instructions; anything
 * unusual (limits, errors, other types) goes to esock__packet_general. Out
 * of line so that esock_packet_decode_any's HTTP path needs no frame. */
ESOCK__NOINLINE static int decode_common(const esock_packet_cfg_t *cfg, const void *buf, size_t len,
                                         esock_packet_result_t *out)
{
    const unsigned char *p = buf;
    size_t h, plen;
    switch (cfg->type) {
    case ESOCK_PACKET_1:
        if (len < 1)
            break;
        h = 1, plen = p[0];
        goto framed;
    case ESOCK_PACKET_2:
        if (len < 2)
            break;
        h = 2, plen = be16(p);
        goto framed;
    case ESOCK_PACKET_4:
        if (len < 4 || p[0] >= 0x80) /* >= 2^31: OTP's limit, handled there */
            break;
        h = 4, plen = be32(p);
        goto framed;
    case ESOCK_PACKET_LINE:
        if (cfg->packet_size == 0 && cfg->line_length == 0) {
            const unsigned char *nl = memchr(p, cfg->delimiter, len);
            if (nl == NULL)
                break;
            size_t t = (size_t)(nl - p) + 1;
            out->packet = p;
            out->packet_len = t;
            out->rest = p + t;
            out->rest_len = len - t;
            return 0;
        }
        break;
    default:
        break;
    }
    return esock__packet_general(cfg, p, len, out);
framed:
    if (cfg->packet_size != 0 || plen > len - h)
        return esock__packet_general(cfg, p, len, out);
    out->packet = p + h;
    out->packet_len = plen;
    out->rest = p + h + plen;
    out->rest_len = len - h - plen;
    return 0;
}

int esock_packet_decode_any(const esock_packet_cfg_t *cfg, const void *buf, size_t len,
                            esock_packet_result_t *out)
{
    if (!cfg || !out || (!buf && len))
        return ESOCK_EBADARG;
    /* HTTP without limits: the one-pass parser (which falls back itself),
     * tested first so that this path is two compares and a jump */
    if ((unsigned)cfg->type - ESOCK_PACKET_HTTP <= ESOCK_PACKET_HTTPH_BIN - ESOCK_PACKET_HTTP &&
        (cfg->packet_size | cfg->line_length) == 0)
        return esock__http_decode(cfg, buf, len, out);
    return decode_common(cfg, buf, len, out);
}

esock_packet_type_t esock_packet_next_type(esock_packet_type_t type, const esock_packet_result_t *r)
{
    if (!is_http(type))
        return type;
    switch (r->http.kind) {
    case ESOCK_HTTP_REQUEST:
    case ESOCK_HTTP_RESPONSE:
        if (type == ESOCK_PACKET_HTTP)
            return ESOCK_PACKET_HTTPH;
        if (type == ESOCK_PACKET_HTTP_BIN)
            return ESOCK_PACKET_HTTPH_BIN;
        return type;
    case ESOCK_HTTP_EOH:
        if (type == ESOCK_PACKET_HTTPH)
            return ESOCK_PACKET_HTTP;
        if (type == ESOCK_PACKET_HTTPH_BIN)
            return ESOCK_PACKET_HTTP_BIN;
        return type;
    default:
        return type;
    }
}

static const char *const type_names[ESOCK_PACKET_TYPE_COUNT] = {
    "raw", "1", "2", "4", "line", "asn1", "sunrm", "cdr", "fcgi", "tpkt",
    "http", "httph", "http_bin", "httph_bin",
};

int esock_packet_type_from_name(const char *name, size_t len)
{
    if (len == 1 && name[0] == '0')
        return ESOCK_PACKET_RAW;
    for (int i = 0; i < ESOCK_PACKET_TYPE_COUNT; i++)
        if (strlen(type_names[i]) == len && memcmp(type_names[i], name, len) == 0)
            return i;
    return -1;
}
