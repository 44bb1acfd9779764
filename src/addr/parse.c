/*
 * The six inet parsers with OTP 25's acceptance rules (inet_parse.erl).
 *
 * OTP parses a list of code points; we parse bytes. Every accepted character
 * is ASCII except inside an IPv6 %scope text, which OTP ignores unless it
 * starts with '0'; there we require valid UTF-8, since an Erlang string cannot
 * hold anything else. Any other non-ASCII byte fails, as it would in OTP.
 *
 * The code follows OTP's grammar closely on purpose (including its quirks:
 * '+'/'-' signs accepted by list_to_integer, "-0" being 0, "0x0" failing
 * because the zeros after "0x" are skipped and nothing is left), so each rule
 * below names the OTP behaviour it reproduces.
 */
#include <esock/addr.h>

#include <errno.h>
#include <string.h>

/* A read cursor over the input. */
struct cur {
    const char *s;
    size_t len, i;
};

static int at(const struct cur *c, size_t k)
{
    return c->i + k < c->len ? (unsigned char)c->s[c->i + k] : -1;
}

static bool rest_is(const struct cur *c, const char *lit)
{
    size_t n = strlen(lit);
    return c->len - c->i == n && memcmp(c->s + c->i, lit, n) == 0;
}

static bool rest_starts(const struct cur *c, const char *lit)
{
    size_t n = strlen(lit);
    return c->len - c->i >= n && memcmp(c->s + c->i, lit, n) == 0;
}

static int digit_value(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A' + 10;
    return 99;
}

/*
 * erlang:list_to_integer(S, Base): an optional '+' or '-', then at least one
 * digit of the base. Inputs here are at most 12 characters, so no overflow.
 */
static int list_to_integer(const char *s, size_t n, int base, int64_t *v)
{
    size_t i = 0;
    bool neg = false;
    if (n > 0 && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == n)
        return -1;
    int64_t x = 0;
    for (; i < n; i++) {
        int d = digit_value((unsigned char)s[i]);
        if (d >= base)
            return -1;
        x = x * base + d;
    }
    *v = neg ? -x : x;
    return 0;
}

/*
 * ipv4_field/4: take up to max characters before the next '.' or the end
 * (whatever they are), prefixed by the pending digits in pre, and convert.
 * Leaves the cursor on the '.' or at the end. Negative values fail.
 */
static int ipv4_field(struct cur *c, size_t max, const char *pre, size_t npre, int base, int64_t *v)
{
    char buf[16];
    size_t n = 0;
    memcpy(buf, pre, npre);
    n = npre;
    /* OTP: a field that starts with '0' with nothing pending is an error
     * (only reachable in the strict parser: "01.2.3.4"). */
    if (npre == 0 && at(c, 0) == '0')
        return -1;
    while (at(c, 0) != -1 && at(c, 0) != '.') {
        if (max == 0)
            return -1;
        buf[n++] = c->s[c->i++];
        max--;
    }
    if (list_to_integer(buf, n, base, v) < 0 || *v < 0)
        return -1;
    return 0;
}

/* After a field: end of input (1), or a '.' with more after it (0), else -1. */
static int field_sep(struct cur *c)
{
    if (at(c, 0) == -1)
        return 1;
    if (at(c, 0) == '.' && at(c, 1) != -1) {
        c->i++;
        return 0;
    }
    return -1;
}

static void skip_zeros(struct cur *c)
{
    while (at(c, 0) == '0')
        c->i++;
}

/* ipv4_addr/1: 1 to 4 fields, each hex (0x), octal (leading 0) or decimal. */
static int ipv4_relaxed(struct cur *c, uint8_t out[4])
{
    int64_t d[4];
    int nd = 0;
    for (;;) {
        if (nd == 4)
            return -1; /* a fifth field */
        int64_t v;
        int rc;
        if (at(c, 0) == '0' && (at(c, 1) == 'x' || at(c, 1) == 'X')) {
            c->i += 2;
            skip_zeros(c);
            rc = ipv4_field(c, 8, "", 0, 16, &v);
        } else if (at(c, 0) == '0') {
            c->i++;
            skip_zeros(c);
            rc = ipv4_field(c, 11, "0", 1, 8, &v);
        } else {
            rc = ipv4_field(c, 10, "", 0, 10, &v);
        }
        if (rc < 0)
            return -1;
        d[nd++] = v;
        int sep = field_sep(c);
        if (sep < 0)
            return -1;
        if (sep == 1)
            break;
    }
    /* The last field fills the remaining bytes: a, a.b, a.b.c, a.b.c.d. */
    static const int64_t last_limit[5] = {0, 1LL << 32, 1LL << 24, 1LL << 16, 256};
    int64_t last = d[nd - 1];
    if (last >= last_limit[nd])
        return -1;
    for (int k = 0; k < nd - 1; k++)
        if (d[k] >= 256)
            return -1;
    for (int k = 0; k < nd - 1; k++)
        out[k] = (uint8_t)d[k];
    for (int k = 3; k >= nd - 1; k--) {
        out[k] = (uint8_t)(last & 0xff);
        last >>= 8;
    }
    return 0;
}

/* ipv4strict_addr/1: exactly four decimal fields of at most 3 characters. */
static int ipv4_strict(struct cur *c, uint8_t out[4])
{
    int nd = 0;
    for (;;) {
        if (nd == 4)
            return -1;
        int64_t v;
        if (rest_is(c, "0")) {
            c->i++;
            out[nd++] = 0;
            break;
        }
        if (rest_starts(c, "0.")) {
            /* OTP takes "0." without looking further; an empty rest then
             * fails as an empty field. */
            c->i += 2;
            out[nd++] = 0;
            continue;
        }
        if (ipv4_field(c, 3, "", 0, 10, &v) < 0 || v >= 256)
            return -1;
        out[nd++] = (uint8_t)v;
        int sep = field_sep(c);
        if (sep < 0)
            return -1;
        if (sep == 1)
            break;
    }
    return nd == 4 ? 0 : -1;
}

/* ---- IPv6 ---------------------------------------------------------------- */

/* hex/1: 1..4 hex digits at the cursor; sets *start to where they began. */
static int hex_group(struct cur *c, uint16_t *g, size_t *start)
{
    *start = c->i;
    unsigned v = 0;
    int n = 0;
    while (n < 4 && at(c, 0) != -1 && digit_value(at(c, 0)) < 16) {
        v = v * 16 + (unsigned)digit_value(at(c, 0));
        c->i++;
        n++;
    }
    if (n == 0)
        return -1;
    *g = (uint16_t)v;
    return 0;
}

/* Strict UTF-8 (no overlongs, surrogates or code points above U+10FFFF). */
static bool valid_utf8(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned b = p[i];
        size_t k;
        uint32_t cp, min;
        if (b < 0x80) {
            i++;
            continue;
        } else if ((b & 0xe0) == 0xc0) {
            k = 1, cp = b & 0x1f, min = 0x80;
        } else if ((b & 0xf0) == 0xe0) {
            k = 2, cp = b & 0x0f, min = 0x800;
        } else if ((b & 0xf8) == 0xf0) {
            k = 3, cp = b & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (n - i <= k)
            return false;
        for (size_t j = 1; j <= k; j++) {
            if ((p[i + j] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (p[i + j] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += k + 1;
    }
    return true;
}

/* The groups seen so far: a (before "::"), b (after it), n = both counted. */
struct v6 {
    uint16_t a[8], b[8];
    int na, nb, n;
    bool compressed;
};

static void v6_done(const struct v6 *p, uint16_t out[8])
{
    int k = 0;
    for (int j = 0; j < p->na; j++)
        out[k++] = p->a[j];
    for (int j = 0; j < 8 - p->n; j++)
        out[k++] = 0;
    for (int j = 0; j < p->nb; j++)
        out[k++] = p->b[j];
}

/*
 * ipv6_addr_scope: the text after '%' is ignored (scope 0) unless it starts
 * with '0', then the rest must be decimal <= 65535. The address must begin
 * with fe80 or ff02 followed by a zero group; that group receives the scope.
 */
static int v6_scope(struct cur *c, struct v6 *p, uint16_t out[8])
{
    const char *t = c->s + c->i;
    size_t tn = c->len - c->i;
    if (!valid_utf8((const unsigned char *)t, tn))
        return -1;
    unsigned scope = 0;
    if (tn > 0 && t[0] == '0') {
        for (size_t j = 1; j < tn; j++) {
            if (t[j] < '0' || t[j] > '9')
                return -1;
            scope = scope * 10 + (unsigned)(t[j] - '0');
            if (scope > 65535)
                return -1;
        }
    }
    v6_done(p, out);
    if ((out[0] != 0xfe80 && out[0] != 0xff02) || out[1] != 0)
        return -1;
    out[1] = (uint16_t)scope;
    return 0;
}

/* The dotted strict-IPv4 tail that starts at 'from' and runs to the end. */
static int v6_tail(struct cur *c, size_t from, struct v6 *p, uint16_t out[8])
{
    struct cur t = {c->s, c->len, from};
    uint8_t q[4];
    if (ipv4_strict(&t, q) < 0)
        return -1;
    uint16_t *dst = p->compressed ? p->b : p->a;
    int *nd = p->compressed ? &p->nb : &p->na;
    dst[(*nd)++] = (uint16_t)(q[0] << 8 | q[1]);
    dst[(*nd)++] = (uint16_t)(q[2] << 8 | q[3]);
    p->n += 2;
    v6_done(p, out);
    return 0;
}

/* ipv6_addr/1: groups, one "::", an optional v4 tail or %scope. */
static int ipv6_parse(struct cur *c, uint16_t out[8])
{
    struct v6 p = {.na = 0};
    if (rest_is(c, "::")) {
        memset(out, 0, 8 * sizeof out[0]);
        return 0;
    }
    if (rest_starts(c, "::")) {
        c->i += 2;
        p.compressed = true;
    }
    for (;;) {
        uint16_t g;
        size_t start;
        if (hex_group(c, &g, &start) < 0)
            return -1;
        if (!p.compressed) {
            /* Before any "::" (OTP's ipv6_addr/3). */
            if (at(c, 0) == '%' && p.n == 7) {
                p.a[p.na++] = g, p.n++;
                c->i++;
                return v6_scope(c, &p, out);
            }
            if (at(c, 0) == -1 && p.n == 7) {
                p.a[p.na++] = g, p.n++;
                v6_done(&p, out);
                return 0;
            }
            if (rest_starts(c, "::%") && p.n <= 6) {
                p.a[p.na++] = g, p.n++;
                c->i += 3;
                p.compressed = true;
                return v6_scope(c, &p, out);
            }
            if (rest_is(c, "::") && p.n <= 6) {
                p.a[p.na++] = g, p.n++;
                v6_done(&p, out);
                return 0;
            }
            if (rest_starts(c, "::") && p.n <= 5) {
                p.a[p.na++] = g, p.n++;
                c->i += 2;
                p.compressed = true;
                continue;
            }
            if (at(c, 0) == ':' && p.n <= 6) {
                p.a[p.na++] = g, p.n++;
                c->i++;
                continue;
            }
            if (at(c, 0) == '.' && p.n == 6)
                return v6_tail(c, start, &p, out);
            return -1;
        }
        /* After the "::" (OTP's ipv6_addr/4). */
        if (at(c, 0) == '%' && p.n <= 6) {
            p.b[p.nb++] = g, p.n++;
            c->i++;
            return v6_scope(c, &p, out);
        }
        if (at(c, 0) == -1 && p.n <= 6) {
            p.b[p.nb++] = g, p.n++;
            v6_done(&p, out);
            return 0;
        }
        if (at(c, 0) == ':' && p.n <= 5) {
            p.b[p.nb++] = g, p.n++;
            c->i++;
            continue;
        }
        if (at(c, 0) == '.' && p.n <= 5)
            return v6_tail(c, start, &p, out);
        return -1;
    }
}

/* ---- The public parsers --------------------------------------------------- */

static int v4(const char *s, size_t len, esock_ip_t *out, bool strict)
{
    struct cur c = {s, len, 0};
    if ((s == NULL && len != 0) || out == NULL)
        return -EINVAL;
    if ((strict ? ipv4_strict(&c, out->u.v4) : ipv4_relaxed(&c, out->u.v4)) < 0)
        return -EINVAL;
    out->family = ESOCK_IP4;
    return 0;
}

int esock_parse_ipv6strict_address(const char *s, size_t len, esock_ip_t *out)
{
    struct cur c = {s, len, 0};
    if ((s == NULL && len != 0) || out == NULL)
        return -EINVAL;
    if (ipv6_parse(&c, out->u.v6) < 0)
        return -EINVAL;
    out->family = ESOCK_IP6;
    return 0;
}

int esock_parse_ipv4_address(const char *s, size_t len, esock_ip_t *out)
{
    return v4(s, len, out, false);
}

int esock_parse_ipv4strict_address(const char *s, size_t len, esock_ip_t *out)
{
    return v4(s, len, out, true);
}

int esock_parse_address(const char *s, size_t len, esock_ip_t *out)
{
    if (v4(s, len, out, false) == 0)
        return 0;
    return esock_parse_ipv6strict_address(s, len, out);
}

int esock_parse_strict_address(const char *s, size_t len, esock_ip_t *out)
{
    if (v4(s, len, out, true) == 0)
        return 0;
    return esock_parse_ipv6strict_address(s, len, out);
}

int esock_parse_ipv6_address(const char *s, size_t len, esock_ip_t *out)
{
    if (out == NULL)
        return -EINVAL;
    esock_ip_t ip4;
    if (v4(s, len, &ip4, false) == 0)
        return esock_ipv4_mapped_ipv6_address(&ip4, out);
    return esock_parse_ipv6strict_address(s, len, out);
}
