/*
 * The HTTP line parser of decode_packet: start lines (request or status) and
 * header lines, into esock_http_t. Same acceptance rules as OTP 25: see
 * docs/packet.md. Reads only inside the caller's buffer.
 *
 * Two paths with one outcome. The general one (esock__http_parse) parses a
 * packet that packet.c has framed. The one-pass path (esock__http_decode,
 * for the HTTP types without limits, with 64 bytes of buffer) frames and
 * parses together: four SSE2 compares give the masks of '\n', ':' and the
 * blanks of a 64-byte window, so the line end, the name and a request line's
 * parts come from bit scans instead of byte loops; a known field name is
 * found by a perfect hash (a table the compiler fills from the field list)
 * and proved by one 16-byte compare of the raw bytes; unknown names are
 * normalised 16 bytes at a time. Whatever that path does not settle (short
 * buffers, continuation lines, odd names or lines) goes to the general one.
 * Every result points into the buffer, the static name tables or the
 * result's name_buf: only unknown names are copied (normalised).
 */
#include "packet/packet_int.h"

#include <limits.h>
#include <stdint.h>
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
#if defined(__GNUC__)
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define LIKELY(x) (x)
#define UNLIKELY(x) (x)
#endif
#define DIGIT(c) ((unsigned)((c) - '0') < 10u)

/* SP as a table: one load where the hot path tests a byte. */
static const unsigned char blank[256] = {[' '] = 1, ['\t'] = 1};

/* ---- Names compared a word at a time ---------------------------------- */

static inline uint16_t ld16(const void *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline uint32_t ld32(const void *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline uint64_t ld64(const void *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* In a table name (OTP's spelling: letters, digits and '-') exactly the
 * letters have bit 6 set, so (t & 0x40) >> 1 is 0x20 on the letters and 0
 * elsewhere: (x | fold) == (t | fold) then accepts either case of a letter
 * and only the byte itself elsewhere (a plain "| 0x20" would let '\r' pass
 * for '-'). The same test proves that a matching name is a token. */
static inline bool eq16(const unsigned char *n, const char *t, size_t off, bool icase)
{
    uint16_t a = ld16(n + off), b = ld16(t + off), f = icase ? (uint16_t)((b & 0x4040u) >> 1) : 0;
    return (a | f) == (b | f);
}

static inline bool eq32(const unsigned char *n, const char *t, size_t off, bool icase)
{
    uint32_t a = ld32(n + off), b = ld32(t + off), f = icase ? (b & 0x40404040u) >> 1 : 0;
    return (a | f) == (b | f);
}

static inline bool eq64(const unsigned char *n, const char *t, size_t off, bool icase)
{
    uint64_t a = ld64(n + off), b = ld64(t + off);
    uint64_t f = icase ? (b & 0x4040404040404040u) >> 1 : 0;
    return (a | f) == (b | f);
}

/* n[0..len) equals the table name t (2 <= len <= 24, t readable for len
 * bytes), ignoring the case of t's letters when icase. Overlapping words
 * cover the name, so no load leaves either string. */
static inline bool same_name(const unsigned char *n, const char *t, size_t len, bool icase)
{
    if (len >= 8)
        return eq64(n, t, 0, icase) && eq64(n, t, len > 16 ? 8 : 0, icase) && eq64(n, t, len - 8, icase);
    if (len >= 4)
        return eq32(n, t, 0, icase) && eq32(n, t, len - 4, icase);
    return eq16(n, t, 0, icase) && eq16(n, t, len - 2, icase);
}

/* ---- Known methods ---------------------------------------------------- */

/* index (esock_http_method_t), name, first byte */
#define HTTP_METHODS(X) \
    X(1, "OPTIONS", 'O') X(2, "GET", 'G') X(3, "HEAD", 'H') X(4, "POST", 'P') \
    X(5, "PUT", 'P') X(6, "DELETE", 'D') X(7, "TRACE", 'T')

static const char method_names[][8] = {
#define X(i, name, c0) [i] = name,
    HTTP_METHODS(X)
#undef X
};

static const unsigned char method_len[] = {
#define X(i, name, c0) [i] = sizeof name - 1,
    HTTP_METHODS(X)
#undef X
};

/* Perfect hash on first byte and length, placed by the compiler: two
 * methods in one slot would be an initializer override, which -Wextra
 * reports (-Woverride-init). Methods are case-sensitive, as in OTP. */
#define METHOD_HASH(c0, len) (((unsigned)(c0) ^ (unsigned)(len)) & 31u)

static const unsigned char method_slot[32] = {
#define X(i, name, c0) [METHOD_HASH(c0, sizeof name - 1)] = i,
    HTTP_METHODS(X)
#undef X
};

const char *esock_http_method_name(int m)
{
    return (m >= 1 && m <= 7) ? method_names[m] : NULL;
}

/* The known method m[0..len), or 0. wide: 8 bytes are readable at m. */
static int method_index(const unsigned char *m, size_t len, bool wide)
{
    if (len - 3 > 4) /* not 3..7 (wraps below 3) */
        return 0;
    int i = method_slot[METHOD_HASH(m[0], len)];
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* the first len bytes against the zero-padded name: equal only when
     * the name has exactly len bytes (slot 0's empty name matches nothing) */
    if (wide)
        return (ld64(m) & ((uint64_t)-1 >> (64 - 8 * len))) == ld64(method_names[i]) ? i : 0;
#else
    (void)wide;
#endif
    return (i && method_len[i] == len && same_name(m, method_names[i], len, false)) ? i : 0;
}

/* ---- Known header fields ---------------------------------------------- */

/* bit number, name in OTP's spelling (the atom), and the hash key bytes:
 * first, second-to-last and last byte, lower case */
#define HTTP_FIELDS(X) \
    X(1, "Cache-Control", 'c', 'o', 'l') \
    X(2, "Connection", 'c', 'o', 'n') \
    X(3, "Date", 'd', 't', 'e') \
    X(4, "Pragma", 'p', 'm', 'a') \
    X(5, "Transfer-Encoding", 't', 'n', 'g') \
    X(6, "Upgrade", 'u', 'd', 'e') \
    X(7, "Via", 'v', 'i', 'a') \
    X(8, "Accept", 'a', 'p', 't') \
    X(9, "Accept-Charset", 'a', 'e', 't') \
    X(10, "Accept-Encoding", 'a', 'n', 'g') \
    X(11, "Accept-Language", 'a', 'g', 'e') \
    X(12, "Authorization", 'a', 'o', 'n') \
    X(13, "From", 'f', 'o', 'm') \
    X(14, "Host", 'h', 's', 't') \
    X(15, "If-Modified-Since", 'i', 'c', 'e') \
    X(16, "If-Match", 'i', 'c', 'h') \
    X(17, "If-None-Match", 'i', 'c', 'h') \
    X(18, "If-Range", 'i', 'g', 'e') \
    X(19, "If-Unmodified-Since", 'i', 'c', 'e') \
    X(20, "Max-Forwards", 'm', 'd', 's') \
    X(21, "Proxy-Authorization", 'p', 'o', 'n') \
    X(22, "Range", 'r', 'g', 'e') \
    X(23, "Referer", 'r', 'e', 'r') \
    X(24, "User-Agent", 'u', 'n', 't') \
    X(25, "Age", 'a', 'g', 'e') \
    X(26, "Location", 'l', 'o', 'n') \
    X(27, "Proxy-Authenticate", 'p', 't', 'e') \
    X(28, "Public", 'p', 'i', 'c') \
    X(29, "Retry-After", 'r', 'e', 'r') \
    X(30, "Server", 's', 'e', 'r') \
    X(31, "Vary", 'v', 'r', 'y') \
    X(32, "Warning", 'w', 'n', 'g') \
    X(33, "Www-Authenticate", 'w', 't', 'e') \
    X(34, "Allow", 'a', 'o', 'w') \
    X(35, "Content-Base", 'c', 's', 'e') \
    X(36, "Content-Encoding", 'c', 'n', 'g') \
    X(37, "Content-Language", 'c', 'g', 'e') \
    X(38, "Content-Length", 'c', 't', 'h') \
    X(39, "Content-Location", 'c', 'o', 'n') \
    X(40, "Content-Md5", 'c', 'd', '5') \
    X(41, "Content-Range", 'c', 'g', 'e') \
    X(42, "Content-Type", 'c', 'p', 'e') \
    X(43, "Etag", 'e', 'a', 'g') \
    X(44, "Expires", 'e', 'e', 's') \
    X(45, "Last-Modified", 'l', 'e', 'd') \
    X(46, "Accept-Ranges", 'a', 'e', 's') \
    X(47, "Set-Cookie", 's', 'i', 'e') \
    X(48, "Set-Cookie2", 's', 'e', '2') \
    X(49, "X-Forwarded-For", 'x', 'o', 'r') \
    X(50, "Cookie", 'c', 'i', 'e') \
    X(51, "Keep-Alive", 'k', 'v', 'e') \
    X(52, "Proxy-Connection", 'p', 'o', 'n')

/* Padded so that the comparison may load whole words (names <= 19 bytes). */
static const char field_names[][24] = {
#define X(bit, name, a, b, c) [bit] = name,
    HTTP_FIELDS(X)
#undef X
};
#define NFIELDS ((int)(sizeof field_names / sizeof field_names[0]) - 1)

static const unsigned char field_len[] = {
#define X(bit, name, a, b, c) [bit] = sizeof name - 1,
    HTTP_FIELDS(X)
#undef X
};

/* The names followed by their ':', for the one-pass path's 16-byte compare:
 * matching name and colon together proves the length too. */
static const char field_keys[][32] = {
#define X(bit, name, a, b, c) [bit] = name ":",
    HTTP_FIELDS(X)
#undef X
};

/* Perfect hash of a name of 3..19 bytes: length, first and last two bytes
 * (| 0x20: lower case for letters, unchanged for digits and '-') in one
 * 32-bit key, multiplied by a constant (found by trying random odd ones),
 * top 7 bits. The compiler places every field in its slot from the list
 * above; two fields in one slot would be an initializer override, which
 * -Wextra reports (-Woverride-init) and -Werror refuses; test_http_structs
 * looks every field up. Slot contents 0 = no field; row 0 of the name
 * tables is empty and matches nothing, so a miss needs no test. */
#define FIELD_KEY(len, a, b, c) \
    ((uint32_t)(len) | (uint32_t)(a) << 8 | (uint32_t)(b) << 16 | (uint32_t)(c) << 24)
#define FIELD_HASH(key) ((uint32_t)((key) * 0x9ee66b33u) >> 25)

static const unsigned char field_slot[128] = {
#define X(bit, name, a, b, c) [FIELD_HASH(FIELD_KEY(sizeof name - 1, a, b, c))] = bit,
    HTTP_FIELDS(X)
#undef X
};

/* FIELD_KEY of name[0..n), 3 <= n <= 255. */
static inline uint32_t field_key(const unsigned char *name, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint32_t tail = ld16(name + n - 2);
#else
    uint32_t tail = (uint32_t)name[n - 2] | (uint32_t)name[n - 1] << 8;
#endif
    return ((uint32_t)n | (uint32_t)name[0] << 8 | tail << 16) | 0x20202000u;
}

const char *esock_http_field_name(int bit)
{
    return (bit >= 1 && bit <= NFIELDS) ? field_names[bit] : NULL;
}

/* The bit of a known field, or 0. OTP looks the normalised name up; a name
 * normalises to a table name exactly when it equals it ignoring the case of
 * its letters (the table names contain no "--"), which is tested on the raw
 * bytes, so known names are never copied. */
static int field_lookup(const unsigned char *name, size_t n)
{
    if (n - 3 > 16) /* not 3..19 (wraps below 3) */
        return 0;
    int bit = field_slot[FIELD_HASH(field_key(name, n))];
    return field_len[bit] == n && same_name(name, field_names[bit], n, true) ? bit : 0;
}

/* ---- Unknown header names: validation and normalisation --------------- */

/* OTP's spelling: the first letter and a letter after a '-' upper case,
 * other letters lower case; a '-' that itself follows a '-' does not make
 * the next letter upper case ("a--b" -> "A--b", "a---b" -> "A---B").
 * Returns false at the first byte that is not a token character. */
static bool normalise_bytes(const unsigned char *name, size_t n, char *dst)
{
    unsigned up = 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char raw = name[i], c = norm[up][raw];
        if (c == 0)
            return false;
        dst[i] = (char)c;
        up = (up ^ 1) & (raw == '-');
    }
    return true;
}

static bool all_token(const unsigned char *name, size_t n)
{
    unsigned ok = 1;
    for (size_t i = 0; i < n; i++)
        ok &= tok[name[i]] != 0;
    return ok;
}

#ifdef __SSE2__
#define B8(c) _mm_set1_epi8((char)(c))

/* 0xff in the bytes of v within lo..hi (unsigned): shifted so that the range
 * starts at -128, one signed compare answers. */
#define IN_RANGE(v, lo, hi) \
    _mm_cmplt_epi8(_mm_add_epi8((v), B8(0x80 - (lo))), B8((hi) - (lo) + 1 - 0x80))

/* normalise_bytes for the 16 bytes in v: OTP's spelling stored to dst (16
 * bytes). *carry has 0xff in byte 0 when v's first byte is in an upper-case
 * position; it is updated for the next 16 bytes. The letters after a '-'
 * are found by shifting the '-' mask one byte. Returns the mask of the bytes
 * that need the byte loop: anything but a letter, a digit or a '-' (other
 * token characters are rare in names, and all that is not a token must be
 * refused there), and a '-' in an upper-case position ("--", a leading
 * '-'), where OTP's rule differs from the shift. */
static inline unsigned norm_vec(__m128i v, __m128i *carry, char *dst)
{
    __m128i dash = _mm_cmpeq_epi8(v, B8('-'));
    __m128i up = _mm_or_si128(_mm_slli_si128(dash, 1), *carry);
    *carry = _mm_srli_si128(dash, 15);
    __m128i letter = IN_RANGE(_mm_or_si128(v, B8(0x20)), 'a', 'z');
    __m128i bit5 = _mm_and_si128(letter, B8(0x20));
    /* lower-case every letter, then flip the upper-case positions */
    __m128i out = _mm_xor_si128(_mm_or_si128(v, bit5), _mm_and_si128(bit5, up));
    _mm_storeu_si128((__m128i *)(void *)dst, out);
    __m128i plain = _mm_or_si128(_mm_or_si128(letter, IN_RANGE(v, '0', '9')), _mm_andnot_si128(up, dash));
    return (unsigned)_mm_movemask_epi8(plain) ^ 0xffffu;
}

/* normalise_bytes 16 bytes at a time, for n <= 48 with 16-byte blocks
 * readable from name (bytes past n are loaded and ignored, their garbage
 * stored in dst, which has 48 bytes of room); false when a byte needs the
 * byte loop. */
static bool normalise16(const unsigned char *name, size_t n, char *dst)
{
    __m128i carry = _mm_cvtsi32_si128(0xff); /* byte 0 is upper case */
    for (size_t o = 0; o < n; o += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(name + o));
        unsigned keep = n - o >= 16 ? 0xffffu : (1u << (n - o)) - 1;
        if (norm_vec(v, &carry, dst + o) & keep)
            return false;
    }
    return true;
}
#endif

/* Validates an unknown name and writes OTP's spelling to dst (n <= 50).
 * limit: end of the readable memory after name. */
static bool normalise(const unsigned char *name, size_t n, const unsigned char *limit, char *dst)
{
#ifdef __SSE2__
    if (n <= 48 && (size_t)(limit - name) >= ((n + 15) & ~(size_t)15) && normalise16(name, n, dst))
        return true;
#else
    (void)limit;
#endif
    return normalise_bytes(name, n, dst);
}

/* Sets field_bit, field and orig_field for the name name[0..n) (what
 * precedes the line's first ':'); false when it is not a token. */
static bool header_name(const unsigned char *name, size_t n, const unsigned char *limit, esock_http_t *h)
{
    h->orig_field = (esock_http_str_t){(const char *)name, n};
    int bit = field_lookup(name, n);
    h->field_bit = bit;
    if (bit) {
        h->field = (esock_http_str_t){field_keys[bit], n};
        return true;
    }
    if (n > ESOCK_HTTP_MAX_NAME_LEN) { /* too long: as received, as OTP does */
        h->field = h->orig_field;
        return all_token(name, n);
    }
    h->field = (esock_http_str_t){h->name_buf, n};
    return normalise(name, n, limit, h->name_buf);
}

/* The value: what follows the ':' and its blanks, up to end. The byte at
 * end is the line's '\r' or '\n', not a blank, so the scan needs no bound. */
static inline void header_value(esock_http_t *h, const unsigned char *colon, const unsigned char *end)
{
    const unsigned char *v = colon + 1;
    v += blank[*v]; /* usually one blank, then the value */
    while (blank[*v])
        v++;
    h->kind = ESOCK_HTTP_HEADER;
    h->value = (esock_http_str_t){(const char *)v, (size_t)(end - v)};
}

/* A header line: the name is what precedes the first ':' (OTP takes the
 * longest token prefix and wants a ':' after it: the same thing, as ':' is
 * not a token character), the value what follows it and its blanks. */
static int header_at(const unsigned char *buf, const unsigned char *colon, const unsigned char *end,
                     const unsigned char *limit, esock_http_t *h)
{
    if (!header_name(buf, (size_t)(colon - buf), limit, h))
        return -1;
    header_value(h, colon, end);
    return 0;
}

static int parse_header(const unsigned char *buf, const unsigned char *end, const unsigned char *limit,
                        esock_http_t *h)
{
    if (buf == end) {
        h->kind = ESOCK_HTTP_EOH;
        return 0;
    }
    const unsigned char *colon = memchr(buf, ':', (size_t)(end - buf));
    if (colon == NULL)
        return -1;
    return header_at(buf, colon, end, limit, h);
}

/* ---- Start lines -------------------------------------------------------- */

/* The first space or tab in [p, end), or end. */
static inline const unsigned char *find_sp(const unsigned char *p, const unsigned char *end)
{
#ifdef __SSE2__
    for (; end - p >= 16; p += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, B8(' ')),
                                                              _mm_cmpeq_epi8(v, B8('\t'))));
        if (m)
            return p + __builtin_ctz(m);
    }
#endif
    while (p < end && !SP(*p))
        p++;
    return p;
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

/* The start-line scans below stop at the line's end without a bound check:
 * the byte at end is the line's terminator ('\r' or '\n'), which is not a
 * blank, a digit, a token character or a '.'. */

/* "D+.D+" at *pp; values wrap like OTP's int arithmetic. */
static int parse_version(const unsigned char **pp, int *major, int *minor)
{
    const unsigned char *p = *pp, *p0 = p;
    if (DIGIT(p[0]) && p[1] == '.' && DIGIT(p[2]) && !DIGIT(p[3])) { /* "1.1" */
        *major = p[0] - '0';
        *minor = p[2] - '0';
        *pp = p + 3;
        return 0;
    }
    uint32_t a = 0, b = 0;
    while (DIGIT(*p))
        a = a * 10 + (uint32_t)(*p++ - '0');
    if (p == p0 || *p != '.')
        return -1;
    p0 = ++p;
    while (DIGIT(*p))
        b = b * 10 + (uint32_t)(*p++ - '0');
    if (p == p0)
        return -1;
    *major = (int)a;
    *minor = (int)b;
    *pp = p;
    return 0;
}

/* A status line after its "HTTP/": version, blanks, status, blanks, reason. */
static int parse_response(const unsigned char *p, const unsigned char *end, esock_http_t *h)
{
    if (parse_version(&p, &h->major, &h->minor) < 0 || !blank[*p])
        return -1;
    while (blank[*p])
        p++;
    uint32_t status = 0;
    while (DIGIT(*p))
        status = status * 10 + (uint32_t)(*p++ - '0');
    const unsigned char *p0 = p;
    while (blank[*p])
        p++;
    if (p == p0 && p < end)
        return -1;
    h->kind = ESOCK_HTTP_RESPONSE;
    h->status = (int)status;
    h->reason = (esock_http_str_t){(const char *)p, (size_t)(end - p)};
    return 0;
}

static int parse_start(const unsigned char *buf, const unsigned char *end, esock_http_t *h)
{
    const unsigned char *p = buf;
    if (end - p >= 5 && memcmp(p, "HTTP/", 5) == 0)
        return parse_response(p + 5, end, h);
    while (tok[*p])
        p++;
    size_t mlen = (size_t)(p - buf);
    if (p == end || mlen == 0 || !blank[*p])
        return -1;
    while (blank[*p])
        p++;
    const unsigned char *uri = p;
    p = find_sp(p, end);
    size_t ulen = (size_t)(p - uri);
    if (ulen == 0)
        return -1;
    while (blank[*p])
        p++;
    if (p == end) {
        h->major = 0;
        h->minor = 9;
    } else {
        if (end - p < 8 || memcmp(p, "HTTP/", 5) != 0)
            return -1;
        p += 5;
        if (parse_version(&p, &h->major, &h->minor) < 0)
            return -1;
        /* OTP ignores what follows the version */
    }
    h->kind = ESOCK_HTTP_REQUEST;
    h->method = (esock_http_method_t)method_index(buf, mlen, false);
    h->method_str = (esock_http_str_t){(const char *)buf, mlen};
    parse_uri(&h->uri, (const char *)uri, ulen);
    return 0;
}

/* ---- Entry points ------------------------------------------------------- */

static void set_error(esock_http_t *h, const unsigned char *buf, size_t len)
{
    h->kind = ESOCK_HTTP_ERROR;
    h->field_bit = 0;
    h->line = (esock_http_str_t){(const char *)buf, len};
}

void esock__http_parse(const char *cbuf, size_t len, int header_state, esock_http_t *h)
{
    const unsigned char *buf = (const unsigned char *)cbuf;
    size_t n = len;
    /* drop the terminator: CRLF or LF (OTP tests only the '\r') */
    if (n >= 2 && buf[n - 2] == '\r')
        n -= 2;
    else if (n >= 1 && buf[n - 1] == '\n')
        n -= 1;
    h->field_bit = 0;
    int rc = header_state ? parse_header(buf, buf + n, buf + len, h) : parse_start(buf, buf + n, h);
    if (rc < 0)
        set_error(h, buf, len);
}

/* ---- The one-pass path ---------------------------------------------------- */

static inline void frame(esock_packet_result_t *out, const unsigned char *p, size_t t, size_t len)
{
    out->packet = p;
    out->packet_len = t;
    out->rest = p + t;
    out->rest_len = len - t;
}

/* "\n" or "\r\n" at p: the empty line that ends the headers. */
static inline int header_end(const unsigned char *p, size_t len, esock_packet_result_t *out)
{
    size_t t;
    if (p[0] == '\n')
        t = 1;
    else if (p[0] == '\r' && len >= 2 && p[1] == '\n')
        t = 2;
    else
        return 1;
    frame(out, p, t, len);
    out->http.kind = ESOCK_HTTP_EOH;
    out->http.field_bit = 0;
    return 0;
}

/* Index of the first ':' or '\n' in p[0..n), or n. */
static inline size_t find_colon(const unsigned char *p, size_t n)
{
    size_t i = 0;
#ifdef __SSE2__
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, B8(':')),
                                                              _mm_cmpeq_epi8(v, B8('\n'))));
        if (m)
            return i + (unsigned)__builtin_ctz(m);
    }
#endif
    for (; i < n; i++)
        if (p[i] == ':' || p[i] == '\n')
            return i;
    return n;
}

/* A header line near the end of the buffer (or without SSE2): the same
 * outcome as header64, with byte-range scans. */
static int header_small(const unsigned char *p, size_t len, esock_packet_result_t *out)
{
    esock_http_t *h = &out->http;
    if (len == 0)
        return 1;
    if (p[0] == '\n' || p[0] == '\r')
        return header_end(p, len, out);
    size_t c = find_colon(p, len);
    if (c == len || p[c] != ':')
        return 1;
    const unsigned char *nl = esock__find_nl(p + c + 1, len - c - 1);
    if (nl == NULL)
        return 1;
    size_t t = (size_t)(nl - p) + 1;
    if (t >= len || SP(p[t])) /* not known yet, or a continuation line */
        return 1;
    frame(out, p, t, len);
    const unsigned char *end = nl - (nl[-1] == '\r'); /* CRLF or LF */
    if (header_at(p, p + c, end, p + len, h) < 0)
        set_error(h, p, t);
    return 0;
}

#ifdef __SSE2__
/* The name and value of a header line framed by header64 when its name is
 * not the common case (16 bytes or more, or one the 16-byte block does not
 * settle): the general code, out of line so that header64 needs no frame. */
ESOCK__NOINLINE static int header_rest(const unsigned char *p, size_t c, size_t t, size_t len,
                                       esock_packet_result_t *out)
{
    const unsigned char *nl = p + t - 1, *end = nl - (nl[-1] == '\r');
    if (header_at(p, p + c, end, p + len, &out->http) < 0)
        set_error(&out->http, p, t);
    return 0;
}

static inline __m128i load16(const void *p)
{
    return _mm_loadu_si128((const __m128i *)p);
}

static inline uint64_t mask4(__m128i a, __m128i b, __m128i c, __m128i d, __m128i x)
{
    return (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(a, x)) |
           (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b, x)) << 16 |
           (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(c, x)) << 32 |
           (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(d, x)) << 48;
}

/* A header line with 64 bytes of buffer at p: a window of two 16-byte
 * blocks gives the '\n' of a line up to 32 bytes and the ':' of a name up
 * to 31 bytes, two more blocks a line up to 64 bytes, and longer lines
 * continue 64 bytes at a time (no byte loop, few branches on the length). The name is then looked up and
 * normalised in the first two blocks: hash, one compare of name and ':'
 * with the table's (a match also proves the length and that the name is a
 * token), and for unknown names the spelling of 16 bytes at once. Anything
 * else leaves by a tail call, so the path needs no stack frame. */
static int header64(const esock_packet_cfg_t *cfg, const unsigned char *p, size_t len,
                    esock_packet_result_t *out)
{
    esock_http_t *h = &out->http;
    if (UNLIKELY(p[0] <= '\r')) /* "\r\n" or "\n" end the headers; a control byte is an error */
        return header_end(p, len, out) == 0 ? 0 : esock__packet_general(cfg, p, len, out);
    __m128i v0 = load16(p), v1 = load16(p + 16);
    uint64_t mn = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v0, B8('\n'))) |
                  (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v1, B8('\n'))) << 16;
    if (mn == 0) /* a line longer than 32 bytes */
        mn = ((uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(load16(p + 32), B8('\n'))) |
              (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(load16(p + 48), B8('\n'))) << 16) << 32;
    uint32_t before = (uint32_t)((mn - 1) & ~mn); /* bytes before the first '\n' (all if none) */
    uint32_t mc = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v0, B8(':'))) & before;
    if (UNLIKELY(mc == 0)) { /* a name of 16 bytes or more */
        mc = ((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v1, B8(':'))) << 16) & before;
        if (mc == 0)
            return esock__packet_general(cfg, p, len, out);
    }
    unsigned c = (unsigned)__builtin_ctz(mc) & 31;
    size_t base = 0;
    while (UNLIKELY(mn == 0)) { /* a line longer than 64 bytes */
        base += 64;
        if (len - base < 64)
            return esock__packet_general(cfg, p, len, out);
        const unsigned char *q = p + base;
        mn = mask4(load16(q), load16(q + 16), load16(q + 32), load16(q + 48), B8('\n'));
    }
    size_t t = base + ((unsigned)__builtin_ctzll(mn) & 63) + 1;
    if (UNLIKELY(t >= len || blank[p[t]])) /* next byte not known yet, or a continuation line */
        return esock__packet_general(cfg, p, len, out);
    frame(out, p, t, len);
    unsigned cand = 0;
    if (c - 3 <= 16) { /* 3..19 bytes: may be a known field (c - 3 wraps below 3) */
        cand = field_slot[FIELD_HASH(field_key(p, c))];
        const char *row = field_keys[cand];
        __m128i r0 = load16(row), f0 = _mm_srli_epi16(_mm_and_si128(r0, B8(0x40)), 1); /* see eq16 */
        uint32_t same = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_or_si128(v0, f0), _mm_or_si128(r0, f0)));
        if (c >= 16) {
            __m128i r1 = load16(row + 16), f1 = _mm_srli_epi16(_mm_and_si128(r1, B8(0x40)), 1);
            same |= (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_or_si128(v1, f1), _mm_or_si128(r1, f1))) << 16;
        }
        if ((unsigned)__builtin_ctz(~same) <= c) /* name and ':' not equal (row 0 never is) */
            cand = 0;
    }
    if (LIKELY(cand != 0)) {
        h->field = (esock_http_str_t){field_keys[cand], c};
        h->field_bit = (int)cand;
    } else {
        __m128i carry = _mm_cvtsi32_si128(0xff); /* byte 0 is upper case */
        uint32_t odd = norm_vec(v0, &carry, h->name_buf);
        if (c >= 16)
            odd |= norm_vec(v1, &carry, h->name_buf + 16) << 16;
        if (UNLIKELY(odd & ((1u << c) - 1)))
            return header_rest(p, c, t, len, out); /* "--", or not a token */
        h->field = (esock_http_str_t){h->name_buf, c};
        h->field_bit = 0;
    }
    h->orig_field = (esock_http_str_t){(const char *)p, c};
    const unsigned char *nl = p + t - 1;
    header_value(h, p + c, nl - (nl[-1] == '\r')); /* CRLF or LF */
    return 0;
}
#endif

#ifdef __SSE2__
/* Blanks (' ' or '\t') in p[0..64), as loaded in a..d. */
static inline uint64_t blank4(__m128i a, __m128i b, __m128i c, __m128i d)
{
    const __m128i sp = B8(' '), tab = B8('\t');
    return (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(a, sp), _mm_cmpeq_epi8(a, tab))) |
           (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(b, sp), _mm_cmpeq_epi8(b, tab))) << 16 |
           (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(c, sp), _mm_cmpeq_epi8(c, tab))) << 32 |
           (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(d, sp), _mm_cmpeq_epi8(d, tab))) << 48;
}

/* parse_start for a request line of a known method, p[0..e) (e < 64) with
 * sp the mask of its blanks: the method, URI and version are where the
 * mask's runs say, found without a byte loop. -1: parse_start must decide
 * (unknown method, malformed line), and will. */
static int request64(const unsigned char *p, uint64_t sp, size_t e, esock_http_t *h)
{
    if (sp == 0)
        return -1;
    size_t m = (size_t)__builtin_ctzll(sp); /* the method is all that precedes */
    int method = method_index(p, m, true); /* 64 bytes at p */
    if (method == 0) /* unknown: its bytes must be checked one by one */
        return -1;
    /* bit e of ~sp is set (sp has no bit at or above e), which bounds u and v */
    size_t u = (size_t)__builtin_ctzll(~sp & (~(uint64_t)0 << m)); /* the URI */
    if (u == e)
        return -1;
    uint64_t after = sp & (~(uint64_t)0 << u);
    size_t ue = after ? (size_t)__builtin_ctzll(after) : e;
    size_t v = (size_t)__builtin_ctzll(~sp & (~(uint64_t)0 << ue)); /* the version */
    if (v == e) {
        h->major = 0;
        h->minor = 9;
    } else {
        const unsigned char *q = p + v + 5;
        if (e - v < 8 || memcmp(p + v, "HTTP/", 5) != 0 || parse_version(&q, &h->major, &h->minor) < 0)
            return -1;
    }
    h->kind = ESOCK_HTTP_REQUEST;
    h->method = (esock_http_method_t)method;
    h->method_str = (esock_http_str_t){(const char *)p, m};
    parse_uri(&h->uri, (const char *)p + u, ue - u);
    return 0;
}
#endif

/* A start line: complete at its '\n'. With 64 bytes in the buffer, one
 * window of masks finds the '\n' of a line of up to 64 bytes, and cuts a
 * request line at its blanks. */
ESOCK__NOINLINE static int start_line(const esock_packet_cfg_t *cfg, const unsigned char *p, size_t len,
                                      esock_packet_result_t *out)
{
    esock_http_t *h = &out->http;
    if (len > INT_MAX) /* the fast paths never meet a line over OTP's limit */
        return esock__packet_general(cfg, p, len, out);
#ifdef __SSE2__
    if (len >= 64) {
        __m128i v0 = load16(p), v1 = load16(p + 16), v2 = load16(p + 32), v3 = load16(p + 48);
        uint64_t mn = mask4(v0, v1, v2, v3, B8('\n'));
        if (mn != 0) {
            size_t t = (unsigned)__builtin_ctzll(mn) + 1, e = t - 1;
            if (e > 0 && p[e - 1] == '\r') /* CRLF or LF */
                e--;
            frame(out, p, t, len);
            h->field_bit = 0;
            int rc = e >= 5 && memcmp(p, "HTTP/", 5) == 0
                         ? parse_response(p + 5, p + e, h)
                         : request64(p, blank4(v0, v1, v2, v3) & (((uint64_t)1 << e) - 1), e, h) < 0
                               ? parse_start(p, p + e, h)
                               : 0;
            if (rc < 0)
                set_error(h, p, t);
            return 0;
        }
    }
#endif
    const unsigned char *nl = esock__find_nl(p, len);
    if (nl == NULL)
        return esock__packet_general(cfg, p, len, out);
    size_t t = (size_t)(nl - p) + 1;
    frame(out, p, t, len);
    esock__http_parse((const char *)p, t, 0, h);
    return 0;
}

ESOCK__NOINLINE static int header_other(const esock_packet_cfg_t *cfg, const unsigned char *p, size_t len,
                                        esock_packet_result_t *out)
{
    if (len <= INT_MAX && header_small(p, len, out) == 0) /* no line over OTP's limit */
        return 0;
    return esock__packet_general(cfg, p, len, out);
}

int esock__http_decode(const esock_packet_cfg_t *cfg, const unsigned char *p, size_t len,
                       esock_packet_result_t *out)
{
    /* http, httph, http_bin, httph_bin: bit 0 header, bit 1 binary */
    _Static_assert(ESOCK_PACKET_HTTPH == ESOCK_PACKET_HTTP + 1 && ESOCK_PACKET_HTTP_BIN == ESOCK_PACKET_HTTP + 2 &&
                       ESOCK_PACKET_HTTPH_BIN == ESOCK_PACKET_HTTP + 3,
                   "the HTTP types' order");
    unsigned k = (unsigned)cfg->type - ESOCK_PACKET_HTTP;
    out->http.binary = k >> 1;
    if (k & 1) {
#ifdef __SSE2__
        if (len - 64 <= INT_MAX - 64) /* 64 bytes there, and no line over OTP's limit */
            return header64(cfg, p, len, out);
#endif
        return header_other(cfg, p, len, out);
    }
    return start_line(cfg, p, len, out);
}
