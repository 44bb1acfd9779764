/*
 * The HTTP line parser of decode_packet: start lines (request or status) and
 * header lines, into esock_http_t. Same acceptance rules as OTP 25: see
 * docs/packet.md. Works on a complete packet (its '\n' is present) and reads
 * only inside it.
 */
#include "packet/packet_int.h"

#include <string.h>

/* Token characters (RFC 2616 token: CHAR except CTLs and tspecials). */
static const unsigned char tok[256] = {
#define T1(c) [c] = 1
    T1('!'), T1('#'), T1('$'), T1('%'), T1('&'), T1('\''), T1('*'), T1('+'), T1('-'), T1('.'),
    T1('0'), T1('1'), T1('2'), T1('3'), T1('4'), T1('5'), T1('6'), T1('7'), T1('8'), T1('9'),
    T1('A'), T1('B'), T1('C'), T1('D'), T1('E'), T1('F'), T1('G'), T1('H'), T1('I'), T1('J'),
    T1('K'), T1('L'), T1('M'), T1('N'), T1('O'), T1('P'), T1('Q'), T1('R'), T1('S'), T1('T'),
    T1('U'), T1('V'), T1('W'), T1('X'), T1('Y'), T1('Z'), T1('^'), T1('_'), T1('`'),
    T1('a'), T1('b'), T1('c'), T1('d'), T1('e'), T1('f'), T1('g'), T1('h'), T1('i'), T1('j'),
    T1('k'), T1('l'), T1('m'), T1('n'), T1('o'), T1('p'), T1('q'), T1('r'), T1('s'), T1('t'),
    T1('u'), T1('v'), T1('w'), T1('x'), T1('y'), T1('z'), T1('|'), T1('~'),
#undef T1
};

/* Header-name normalisation in one lookup: norm[up][c] is c upper-cased
 * (up = 1) or lower-cased (up = 0) when c is a token character, else 0,
 * which ends the name. Generated from tok[] above. */
static const unsigned char norm[2][256] = {
    {
          0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
          0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
          0,  33,   0,  35,  36,  37,  38,  39,   0,   0,  42,  43,   0,  45,  46,   0,
         48,  49,  50,  51,  52,  53,  54,  55,  56,  57,   0,   0,   0,   0,   0,   0,
          0,  97,  98,  99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,
        112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122,   0,   0,   0,  94,  95,
         96,  97,  98,  99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,
        112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122,   0, 124,   0, 126,   0,
          0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
          0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
          0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
          0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
          0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
          0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
          0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
          0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    },
    {
          0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
          0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
          0,  33,   0,  35,  36,  37,  38,  39,   0,   0,  42,  43,   0,  45,  46,   0,
         48,  49,  50,  51,  52,  53,  54,  55,  56,  57,   0,   0,   0,   0,   0,   0,
          0,  65,  66,  67,  68,  69,  70,  71,  72,  73,  74,  75,  76,  77,  78,  79,
         80,  81,  82,  83,  84,  85,  86,  87,  88,  89,  90,   0,   0,   0,  94,  95,
         96,  65,  66,  67,  68,  69,  70,  71,  72,  73,  74,  75,  76,  77,  78,  79,
         80,  81,  82,  83,  84,  85,  86,  87,  88,  89,  90,   0, 124,   0, 126,   0,
          0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
          0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
          0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
          0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
          0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
          0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
          0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
          0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    },
};

#define SP(c) ((c) == ' ' || (c) == '\t')
#define DIGIT(c) ((unsigned)((c) - '0') < 10u)

/* Known methods: index = esock_http_method_t. */
static const char *const methods[] = {
    NULL, "OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE",
};

/* Known header fields in their normalised spelling; index = bit number. */
static const char *const fields[] = {
    NULL,
    "Cache-Control", "Connection", "Date", "Pragma", "Transfer-Encoding", "Upgrade", "Via",
    "Accept", "Accept-Charset", "Accept-Encoding", "Accept-Language", "Authorization", "From",
    "Host", "If-Modified-Since", "If-Match", "If-None-Match", "If-Range", "If-Unmodified-Since",
    "Max-Forwards", "Proxy-Authorization", "Range", "Referer", "User-Agent", "Age", "Location",
    "Proxy-Authenticate", "Public", "Retry-After", "Server", "Vary", "Warning",
    "Www-Authenticate", "Allow", "Content-Base", "Content-Encoding", "Content-Language",
    "Content-Length", "Content-Location", "Content-Md5", "Content-Range", "Content-Type",
    "Etag", "Expires", "Last-Modified", "Accept-Ranges", "Set-Cookie", "Set-Cookie2",
    "X-Forwarded-For", "Cookie", "Keep-Alive", "Proxy-Connection",
};
#define NFIELDS ((int)(sizeof fields / sizeof fields[0]) - 1)

const char *esock_http_method_name(int m)
{
    return (m >= 1 && m <= 7) ? methods[m] : NULL;
}

const char *esock_http_field_name(int bit)
{
    return (bit >= 1 && bit <= NFIELDS) ? fields[bit] : NULL;
}

/* Field lookup: the candidates of the name's length (at most 6, listed by
 * bit number, 0-terminated), then first byte and memcmp. Kept in step with
 * fields[] by test_http_structs, which looks every name up. */
static const unsigned char by_len[20][7] = {
    [3] = {7, 25, 0},
    [4] = {3, 13, 14, 31, 43, 0},
    [5] = {22, 34, 0},
    [6] = {4, 8, 28, 30, 50, 0},
    [7] = {6, 23, 32, 44, 0},
    [8] = {16, 18, 26, 0},
    [10] = {2, 24, 47, 51, 0},
    [11] = {29, 40, 48, 0},
    [12] = {20, 35, 42, 0},
    [13] = {1, 12, 17, 41, 45, 46, 0},
    [14] = {9, 38, 0},
    [15] = {10, 11, 49, 0},
    [16] = {33, 36, 37, 39, 52, 0},
    [17] = {5, 15, 0},
    [18] = {27, 0},
    [19] = {19, 21, 0},
};

/* Compares the received name with a table name ignoring ASCII case. For
 * token bytes, c | 0x20 equals a table byte (letter, digit or '-') only when
 * c is that byte in either case, and a received name normalises to a table
 * name exactly when it matches it so (table names contain no "--"). So the
 * lookup works on the raw bytes and only unknown names are normalised. */
static int field_bit(const char *name, size_t len)
{
    if (len < 3 || len > 19)
        return 0;
    for (const unsigned char *c = by_len[len]; *c; c++) {
        const char *f = fields[*c];
        size_t i = 0;
        while (i < len && (f[i] | 0x20) == (name[i] | 0x20))
            i++;
        if (i == len)
            return *c;
    }
    return 0;
}

static int method_index(const char *m, size_t len)
{
    for (int i = 1; i <= 7; i++)
        if (strlen(methods[i]) == len && memcmp(methods[i], m, len) == 0)
            return i;
    return 0;
}

static void parse_uri(esock_http_uri_t *u, const char *p, size_t n)
{
    memset(u, 0, sizeof *u);
    if (n == 1 && p[0] == '*') {
        u->kind = ESOCK_URI_STAR;
        return;
    }
    if (n <= 1 || p[0] == '/') {
        u->kind = ESOCK_URI_ABS_PATH;
        u->path = (esock_http_str_t){p, n};
        return;
    }
    size_t skip = 0;
    if (n >= 7 && strncasecmp(p, "http://", 7) == 0)
        skip = 7;
    else if (n >= 8 && strncasecmp(p, "https://", 8) == 0)
        skip = 8, u->https = true;
    if (skip) {
        /* host[:port][/path]; no path = "/"; port only when all digits and
         * not 0 (OTP 25 does not know bracketed IPv6 hosts) */
        u->kind = ESOCK_URI_ABSOLUTE;
        p += skip;
        n -= skip;
        const char *slash = memchr(p, '/', n);
        if (slash) {
            u->path = (esock_http_str_t){slash, n - (size_t)(slash - p)};
            n = (size_t)(slash - p);
        } else {
            u->path = (esock_http_str_t){"/", 1};
        }
        const char *colon = memchr(p, ':', n);
        if (colon == NULL) {
            u->host = (esock_http_str_t){p, n};
            return;
        }
        u->host = (esock_http_str_t){p, (size_t)(colon - p)};
        const char *d = colon + 1, *end = p + n;
        uint32_t port = 0;
        while (d < end && DIGIT(*d))
            port = port * 10 + (uint32_t)(*d++ - '0');
        if (d == end && port != 0)
            u->port = port;
        return;
    }
    const char *colon = memchr(p, ':', n);
    if (colon == NULL) {
        u->kind = ESOCK_URI_STRING;
        u->path = (esock_http_str_t){p, n};
    } else {
        u->kind = ESOCK_URI_SCHEME;
        u->scheme = (esock_http_str_t){p, (size_t)(colon - p)};
        u->path = (esock_http_str_t){colon + 1, n - (size_t)(colon - p) - 1};
    }
}

/* "D+.D+" at *pp (within end); values wrap like OTP's int arithmetic. */
static int parse_version(const char **pp, const char *end, int *major, int *minor)
{
    const char *p = *pp, *p0 = p;
    uint32_t a = 0, b = 0;
    while (p < end && DIGIT(*p))
        a = a * 10 + (uint32_t)(*p++ - '0');
    if (p == p0 || p == end || *p != '.')
        return -1;
    p0 = ++p;
    while (p < end && DIGIT(*p))
        b = b * 10 + (uint32_t)(*p++ - '0');
    if (p == p0)
        return -1;
    *major = (int)a;
    *minor = (int)b;
    *pp = p;
    return 0;
}

static int parse_start(const char *buf, const char *end, esock_http_t *h)
{
    const char *p = buf;
    if (end - p >= 5 && memcmp(p, "HTTP/", 5) == 0) {
        p += 5;
        if (parse_version(&p, end, &h->major, &h->minor) < 0)
            return -1;
        const char *p0 = p;
        while (p < end && SP(*p))
            p++;
        if (p == p0)
            return -1;
        uint32_t status = 0;
        while (p < end && DIGIT(*p))
            status = status * 10 + (uint32_t)(*p++ - '0');
        p0 = p;
        while (p < end && SP(*p))
            p++;
        if (p == p0 && p < end)
            return -1;
        h->kind = ESOCK_HTTP_RESPONSE;
        h->status = (int)status;
        h->reason = (esock_http_str_t){p, (size_t)(end - p)};
        return 0;
    }
    while (p < end && tok[(unsigned char)*p])
        p++;
    size_t mlen = (size_t)(p - buf);
    if (p == end || mlen == 0 || !SP(*p))
        return -1;
    while (p < end && SP(*p))
        p++;
    const char *uri = p;
    while (p < end && !SP(*p))
        p++;
    size_t ulen = (size_t)(p - uri);
    if (ulen == 0)
        return -1;
    while (p < end && SP(*p))
        p++;
    if (p == end) {
        h->major = 0;
        h->minor = 9;
    } else {
        if (end - p < 8 || memcmp(p, "HTTP/", 5) != 0)
            return -1;
        p += 5;
        if (parse_version(&p, end, &h->major, &h->minor) < 0)
            return -1;
        /* OTP ignores what follows the version */
    }
    h->kind = ESOCK_HTTP_REQUEST;
    h->method = (esock_http_method_t)method_index(buf, mlen);
    h->method_str = (esock_http_str_t){buf, mlen};
    parse_uri(&h->uri, uri, ulen);
    return 0;
}

static int parse_header(const char *buf, const char *end, esock_http_t *h)
{
    if (buf == end) {
        h->kind = ESOCK_HTTP_EOH;
        return 0;
    }
    /* *end is the line's '\r' or '\n', not a token byte: the scan needs no
     * bound check; a name running up to the end is an error, as in OTP */
    const char *p = buf;
    while (tok[(unsigned char)*p])
        p++;
    if (p == end || *p != ':')
        return -1;
    size_t nlen = (size_t)(p - buf);
    h->kind = ESOCK_HTTP_HEADER;
    h->orig_field = (esock_http_str_t){buf, nlen};
    h->field_bit = field_bit(buf, nlen);
    if (h->field_bit) {
        h->field = (esock_http_str_t){fields[h->field_bit], nlen};
    } else if (nlen <= ESOCK_HTTP_MAX_NAME_LEN) {
        /* first letter and letters after a '-' upper, the rest lower; the
         * '-' test uses the raw byte so that the loop's chain stays short */
        unsigned up = 1;
        for (size_t i = 0; i < nlen; i++) {
            unsigned char raw = (unsigned char)buf[i];
            h->name_buf[i] = (char)norm[up][raw];
            up = (up ^ 1) & (raw == '-');
        }
        h->field = (esock_http_str_t){h->name_buf, nlen};
    } else {
        h->field = (esock_http_str_t){buf, nlen}; /* too long: as received, as OTP does */
    }
    p++;
    while (p < end && SP(*p))
        p++;
    h->value = (esock_http_str_t){p, (size_t)(end - p)};
    return 0;
}

void esock__http_parse(const char *buf, size_t len, int header_state, esock_http_t *h)
{
    size_t n = len;
    /* drop the terminator: CRLF or LF (OTP tests only the '\r') */
    if (n >= 2 && buf[n - 2] == '\r')
        n -= 2;
    else if (n >= 1 && buf[n - 1] == '\n')
        n -= 1;
    h->field_bit = 0;
    int rc = header_state ? parse_header(buf, buf + n, h) : parse_start(buf, buf + n, h);
    if (rc < 0) {
        h->kind = ESOCK_HTTP_ERROR;
        h->line = (esock_http_str_t){buf, len};
    }
}
