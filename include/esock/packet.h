/*
 * esock/packet.h - packet framing: the behaviour of erlang:decode_packet/3,
 * which the inet layer uses for the {packet, Type} option.
 *
 * Pure code: no I/O, no allocation, no global state. Every function is
 * thread-safe (it touches only its arguments). Results point into the
 * caller's buffer (or into the result structure itself, or static tables):
 * the caller owns the buffer and must keep it alive while it uses them.
 *
 * Typical use:
 *
 *     esock_packet_cfg_t cfg;
 *     if (esock_packet_config(&cfg, ESOCK_PACKET_HTTP_BIN, &opts) < 0) ...badarg
 *     for (;;) {
 *         esock_packet_result_t r;
 *         int rc = esock_packet_decode(&cfg, buf, len, &r);
 *         if (rc == ESOCK_PACKET_MORE) ...read until len >= r.more (if r.more)
 *         else if (rc < 0) ...ESOCK_EINVALID
 *         else { use r.packet or r.http; buf = r.rest; len = r.rest_len;
 *                cfg.type = esock_packet_next_type(cfg.type, &r); }
 *     }
 */
#ifndef ESOCK_PACKET_H
#define ESOCK_PACKET_H

#include <esock/common.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

ESOCK_BEGIN_DECLS

/** Packet types, as in {packet, Type}. ESOCK_PACKET_RAW is also type 0. */
typedef enum esock_packet_type {
    ESOCK_PACKET_RAW = 0,
    ESOCK_PACKET_1,
    ESOCK_PACKET_2,
    ESOCK_PACKET_4,
    ESOCK_PACKET_LINE,
    ESOCK_PACKET_ASN1,
    ESOCK_PACKET_SUNRM,
    ESOCK_PACKET_CDR,
    ESOCK_PACKET_FCGI,
    ESOCK_PACKET_TPKT,
    ESOCK_PACKET_HTTP,
    ESOCK_PACKET_HTTPH,
    ESOCK_PACKET_HTTP_BIN,
    ESOCK_PACKET_HTTPH_BIN,
    ESOCK_PACKET_TYPE_COUNT
} esock_packet_type_t;

/**
 * Options as Erlang receives them, before validation. Values are int64_t so
 * that the values Erlang rejects (negative, above 2^32-1) can be expressed.
 * A zeroed struct is the empty option list.
 */
typedef struct esock_packet_opts {
    int64_t packet_size;      /**< {packet_size, N}: 0 = no limit; 0..2^32-1 */
    int64_t line_length;      /**< {line_length, N}: 0 = no limit; 0..2^32-1 */
    bool has_line_delimiter;  /**< {line_delimiter, C} given (type line only) */
    int64_t line_delimiter;   /**< the delimiter byte, 0..255 */
} esock_packet_opts_t;

/** A validated configuration; fill it with esock_packet_config(). */
typedef struct esock_packet_cfg {
    esock_packet_type_t type; /**< may be changed between calls (http <-> httph) */
    uint32_t packet_size;     /**< 0 = no limit */
    uint32_t line_length;     /**< 0 = no limit */
    unsigned char delimiter;  /**< '\n' unless line_delimiter was given */
} esock_packet_cfg_t;

/**
 * Validates type and options with OTP's rules and fills *cfg.
 * Returns 0, or ESOCK_EBADARG where erlang:decode_packet/3 raises badarg:
 * unknown type, packet_size or line_length outside 0..2^32-1,
 * line_delimiter above 255 or negative, or line_delimiter with a type other
 * than line, or a NULL cfg. opts may be NULL (the empty list). Thread-safe.
 */
ESOCK_API int esock_packet_config(esock_packet_cfg_t *cfg, int type, const esock_packet_opts_t *opts);

/** Same validation without a cfg: 0 or ESOCK_EBADARG. */
ESOCK_API int esock_packet_opts_check(int type, const esock_packet_opts_t *opts);

/**
 * Size of the length header the sender adds for the type: 1, 2 or 4 for
 * types 1, 2 and 4; 0 for every other valid type (nothing is added on send);
 * ESOCK_EBADARG for an unknown type.
 */
ESOCK_API int esock_packet_header_size(int type);

/**
 * Writes the big-endian length header for types 1/2/4 into hdr (4 bytes of
 * room). Returns its size, 0 for other valid types (nothing written),
 * -EMSGSIZE when len does not fit the header (what gen_tcp:send reports),
 * ESOCK_EBADARG for an unknown type or a NULL hdr (types 1/2/4).
 */
ESOCK_API int esock_packet_put_header(int type, size_t len, unsigned char hdr[4]);

/** A byte string inside the caller's buffer, a static table or the result. */
typedef struct esock_http_str {
    const char *p;
    size_t len;
} esock_http_str_t;

/** The HTTP packet kinds (the term's first element). */
typedef enum esock_http_kind {
    ESOCK_HTTP_REQUEST = 1, /**< {http_request, Method, Uri, {Major,Minor}} */
    ESOCK_HTTP_RESPONSE,    /**< {http_response, {Major,Minor}, Status, Phrase} */
    ESOCK_HTTP_HEADER,      /**< {http_header, Bit, Field, OrigField, Value} */
    ESOCK_HTTP_EOH,         /**< http_eoh */
    ESOCK_HTTP_ERROR        /**< {http_error, Line} */
} esock_http_kind_t;

/** Known methods (atoms in Erlang); 0 = not known, a string/binary. */
typedef enum esock_http_method {
    ESOCK_HTTP_M_OTHER = 0,
    ESOCK_HTTP_M_OPTIONS, ESOCK_HTTP_M_GET, ESOCK_HTTP_M_HEAD, ESOCK_HTTP_M_POST,
    ESOCK_HTTP_M_PUT, ESOCK_HTTP_M_DELETE, ESOCK_HTTP_M_TRACE
} esock_http_method_t;

/** Request-URI forms. */
typedef enum esock_http_uri_kind {
    ESOCK_URI_STAR = 1,   /**< '*' */
    ESOCK_URI_ABS_PATH,   /**< {abs_path, Path}: path */
    ESOCK_URI_ABSOLUTE,   /**< {absoluteURI, http|https, Host, Port|undefined, Path} */
    ESOCK_URI_SCHEME,     /**< {scheme, Scheme, Rest}: scheme, path = rest */
    ESOCK_URI_STRING      /**< any other string: path */
} esock_http_uri_kind_t;

typedef struct esock_http_uri {
    esock_http_uri_kind_t kind;
    bool https;           /**< ESOCK_URI_ABSOLUTE: https rather than http */
    uint32_t port;        /**< ESOCK_URI_ABSOLUTE: 0 = undefined */
    esock_http_str_t scheme; /**< ESOCK_URI_SCHEME */
    esock_http_str_t host;   /**< ESOCK_URI_ABSOLUTE */
    esock_http_str_t path;   /**< abs_path, absoluteURI path, scheme rest, or the string */
} esock_http_uri_t;

/** Longest header name that is normalised (OTP's HTTP_MAX_NAME_LEN). */
#define ESOCK_HTTP_MAX_NAME_LEN 50

/**
 * An HTTP packet with everything the Erlang term carries. binary is true
 * for http_bin/httph_bin (the strings are binaries in Erlang), false for
 * http/httph (lists). field.p may point into name_buf: do not copy the
 * struct and use the copy's field (or re-point it).
 */
typedef struct esock_http {
    esock_http_kind_t kind;
    bool binary;
    int major, minor;          /**< request and response version */
    esock_http_method_t method;/**< request: known method, or 0 */
    esock_http_str_t method_str;  /**< request: the method as written */
    esock_http_uri_t uri;      /**< request */
    int status;                /**< response */
    esock_http_str_t reason;      /**< response phrase */
    int field_bit;             /**< header: 1..52 for a known field, else 0 */
    esock_http_str_t field;       /**< header: normalised name (the atom's name when known) */
    esock_http_str_t orig_field;  /**< header: the name as received */
    esock_http_str_t value;       /**< header value (leading blanks stripped) */
    esock_http_str_t line;        /**< error: the whole line with its terminator */
    char name_buf[ESOCK_HTTP_MAX_NAME_LEN];
} esock_http_t;

/** Result of one decode. */
typedef struct esock_packet_result {
    const unsigned char *packet; /**< the packet (for 1/2/4 without header) */
    size_t packet_len;
    const unsigned char *rest;   /**< what follows the packet (fcgi: after the padding) */
    size_t rest_len;
    size_t more;                 /**< ESOCK_PACKET_MORE: total length needed, 0 = unknown */
    bool size_exceeded;          /**< ESOCK_EINVALID because packet_size was exceeded
                                      (gen_tcp reports emsgsize there) */
    esock_http_t http;           /**< HTTP types, on success */
} esock_packet_result_t;

/** Positive return of esock_packet_decode: the packet is incomplete. */
#define ESOCK_PACKET_MORE 1

/**
 * Decodes one packet from buf[0..len) under cfg, like
 * erlang:decode_packet(Type, Buf, Opts).
 * Returns 0: *out has packet/rest (and http for HTTP types: an http_error
 *            line is a success, as in Erlang);
 *         ESOCK_PACKET_MORE: incomplete, out->more = total length needed
 *            counted from buf, or 0 when not yet known;
 *         ESOCK_EINVALID: malformed or over packet_size ({error, invalid});
 *         ESOCK_EBADARG: cfg holds an unknown type, or cfg / out is NULL
 *            (or buf, with len > 0).
 * Never reads outside buf[0..len). Thread-safe; cfg and buf are read only.
 * On success, read only packet, packet_len, rest, rest_len (and http for
 * the HTTP types): more and size_exceeded may be left as they were.
 */
ESOCK_API int esock_packet_decode_any(const esock_packet_cfg_t *cfg, const void *buf, size_t len,
                                      esock_packet_result_t *out);

/**
 * esock_packet_decode_any with the commonest case inline: a complete
 * {packet, 1|2|4} packet without packet_size is framed here in a few
 * instructions (the inet layer's hot path); everything else is passed on.
 * Same contract as esock_packet_decode_any.
 */
static inline int esock_packet_decode(const esock_packet_cfg_t *cfg, const void *buf, size_t len,
                                      esock_packet_result_t *out)
{
    const unsigned char *p = (const unsigned char *)buf;
    size_t h, plen;
    /* NULL arguments (ESOCK_EBADARG) and packet_size: the general path. */
    if (cfg == NULL || out == NULL || p == NULL || cfg->packet_size != 0)
        return esock_packet_decode_any(cfg, buf, len, out);
    switch (cfg->type) {
    case ESOCK_PACKET_1:
        if (len < 1)
            return esock_packet_decode_any(cfg, buf, len, out);
        h = 1;
        plen = p[0];
        break;
    case ESOCK_PACKET_2:
        if (len < 2)
            return esock_packet_decode_any(cfg, buf, len, out);
        h = 2;
        plen = (size_t)p[0] << 8 | p[1];
        break;
    case ESOCK_PACKET_4: /* a first byte >= 0x80 exceeds OTP's limit: handled there */
        if (len < 4 || p[0] >= 0x80)
            return esock_packet_decode_any(cfg, buf, len, out);
        h = 4;
        plen = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
        break;
    default:
        return esock_packet_decode_any(cfg, buf, len, out);
    }
    if (plen > len - h)
        return esock_packet_decode_any(cfg, buf, len, out);
    out->packet = p + h;
    out->packet_len = plen;
    out->rest = p + h + plen;
    out->rest_len = len - h - plen;
    return 0;
}

/**
 * The type to use for the next packet of an HTTP stream, as inet does:
 * after an http_request/http_response, http -> httph (and the _bin pair);
 * after http_eoh, httph -> http. Other types and results: type unchanged.
 */
ESOCK_API esock_packet_type_t esock_packet_next_type(esock_packet_type_t type,
                                                     const esock_packet_result_t *r);

/** Name of a known method (1..7), else NULL. Static storage. */
ESOCK_API const char *esock_http_method_name(int method);
/** Name of a known header field by bit number (1..52), else NULL. */
ESOCK_API const char *esock_http_field_name(int bit);
/** Type from its Erlang name ("raw", "0", "1", "line", "http_bin"...), or -1. */
ESOCK_API int esock_packet_type_from_name(const char *name, size_t len);

ESOCK_END_DECLS

#endif
