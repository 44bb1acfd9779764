/*
 * inet:ntoa/1 (inet_parse:ntoa/1 of OTP 25), the tuple predicates and
 * ipv4_mapped_ipv6_address/1.
 */
#include <esock/addr.h>

#include "addr/addr_int.h"

#include <errno.h>
#include <string.h>

/* A small append-only writer; overflow is reported once at the end. */
struct out {
    char *p;
    size_t n, cap;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->n + n <= o->cap)
        memcpy(o->p + o->n, s, n);
    o->n += n;
}

/* Digits by hand: snprintf would be most of ntoa's time. */
static void put_digits(struct out *o, unsigned v, unsigned base)
{
    char tmp[12];
    size_t n = sizeof tmp;
    do {
        tmp[--n] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v != 0);
    put(o, tmp + n, sizeof tmp - n);
}

static void put_dec(struct out *o, unsigned v)
{
    put_digits(o, v, 10);
}

static void put_hex(struct out *o, unsigned v)
{
    put_digits(o, v, 16);
}

/* "::" + a.b.c.d from the last two groups (OTP's dig_to_dec). */
static void put_quad(struct out *o, uint16_t hi, uint16_t lo)
{
    put_dec(o, hi >> 8), put(o, ".", 1), put_dec(o, hi & 0xff), put(o, ".", 1);
    put_dec(o, lo >> 8), put(o, ".", 1), put_dec(o, lo & 0xff);
}

/* The longest run of >= 2 zero groups, the first one on ties; len 0 if none. */
static void zero_run(const uint16_t g[8], int *start, int *len)
{
    *start = -1, *len = 0;
    for (int i = 0; i < 8;) {
        if (g[i] != 0) {
            i++;
            continue;
        }
        int j = i;
        while (j < 8 && g[j] == 0)
            j++;
        if (j - i >= 2 && j - i > *len)
            *start = i, *len = j - i;
        i = j;
    }
}

/*
 * otp_forms: OTP's special cases (::a.b.c.d, a link-local scope in group 2
 * printed as %0N). Off, it is plain text with the same zero-run rule, used
 * where group 2 is just part of an address (socket addresses).
 */
static void put_v6(struct out *o, const uint16_t in[8], bool otp_forms)
{
    uint16_t g[8];
    memcpy(g, in, sizeof g);
    static const uint16_t zero6[6] = {0};
    if (otp_forms && memcmp(g, zero6, sizeof zero6) == 0 && !(g[6] == 0 && g[7] <= 1)) {
        put(o, "::", 2); /* {0,0,0,0,0,0,A,B} except :: and ::1 */
        put_quad(o, g[6], g[7]);
        return;
    }
    if (memcmp(g, zero6, 5 * sizeof g[0]) == 0 && g[5] == 0xffff) {
        /* The v4-mapped form is standard text too, kept in both modes. */
        put(o, "::ffff:", 7);
        put_quad(o, g[6], g[7]);
        return;
    }
    /* A link-local scope lives in group 2: print it as "%0<decimal>". */
    unsigned scope = 0;
    bool scoped = otp_forms && (g[0] == 0xfe80 || g[0] == 0xff02) && g[1] != 0;
    if (scoped) {
        scope = g[1];
        g[1] = 0;
    }
    int zs, zl;
    zero_run(g, &zs, &zl);
    for (int i = 0; i < 8; i++) {
        if (i == zs) {
            put(o, "::", 2);
            i += zl - 1;
            continue;
        }
        if (i > 0 && i != zs + zl)
            put(o, ":", 1);
        put_hex(o, g[i]);
    }
    if (scoped) {
        put(o, "%0", 2);
        put_dec(o, scope);
    }
}

int esock_ntoa(const esock_ip_t *ip, char *buf, size_t cap)
{
    char tmp[ESOCK_IP_STRLEN];
    struct out o = {tmp, 0, sizeof tmp};
    if (ip == NULL)
        return -EINVAL;
    if (ip->family == ESOCK_IP4) {
        const uint8_t *b = ip->u.v4;
        put_dec(&o, b[0]), put(&o, ".", 1), put_dec(&o, b[1]), put(&o, ".", 1);
        put_dec(&o, b[2]), put(&o, ".", 1), put_dec(&o, b[3]);
    } else if (ip->family == ESOCK_IP6) {
        put_v6(&o, ip->u.v6, true);
    } else {
        return -EINVAL;
    }
    if (buf == NULL || o.n >= cap) {
        if (buf != NULL && cap > 0)
            buf[0] = '\0'; /* the header's promise: NUL-terminated when cap > 0 */
        return -ENOSPC;
    }
    memcpy(buf, tmp, o.n);
    buf[o.n] = '\0';
    return (int)o.n;
}

int esock__format_ip6(const uint16_t g[8], char *buf, size_t cap)
{
    struct out o = {buf, 0, cap};
    put_v6(&o, g, false);
    return o.n <= cap ? (int)o.n : -ENOSPC;
}

/* ---- Tuples of integers --------------------------------------------------- */

static bool all_below(const int64_t *v, size_t n, int64_t lim)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] < 0 || v[i] >= lim)
            return false;
    return true;
}

bool esock_is_ipv4_address(const int64_t *v, size_t n)
{
    return n == 4 && v != NULL && all_below(v, n, 256);
}

bool esock_is_ipv6_address(const int64_t *v, size_t n)
{
    return n == 8 && v != NULL && all_below(v, n, 65536);
}

bool esock_is_ip_address(const int64_t *v, size_t n)
{
    return esock_is_ipv4_address(v, n) || esock_is_ipv6_address(v, n);
}

int esock_ip_from_ints(const int64_t *v, size_t n, esock_ip_t *out)
{
    if (out == NULL)
        return -EINVAL;
    if (esock_is_ipv4_address(v, n)) {
        out->family = ESOCK_IP4;
        for (int i = 0; i < 4; i++)
            out->u.v4[i] = (uint8_t)v[i];
        return 0;
    }
    if (esock_is_ipv6_address(v, n)) {
        out->family = ESOCK_IP6;
        for (int i = 0; i < 8; i++)
            out->u.v6[i] = (uint16_t)v[i];
        return 0;
    }
    return -EINVAL;
}

int esock_ipv4_mapped_ipv6_address(const esock_ip_t *in, esock_ip_t *out)
{
    if (in == NULL || out == NULL)
        return -EINVAL;
    esock_ip_t r;
    memset(&r, 0, sizeof r);
    if (in->family == ESOCK_IP4) {
        const uint8_t *b = in->u.v4;
        r.family = ESOCK_IP6;
        r.u.v6[5] = 0xffff;
        r.u.v6[6] = (uint16_t)(b[0] << 8 | b[1]);
        r.u.v6[7] = (uint16_t)(b[2] << 8 | b[3]);
    } else if (in->family == ESOCK_IP6) {
        /* Only the last two groups count, whatever the rest is (as OTP). */
        r.family = ESOCK_IP4;
        r.u.v4[0] = (uint8_t)(in->u.v6[6] >> 8), r.u.v4[1] = (uint8_t)in->u.v6[6];
        r.u.v4[2] = (uint8_t)(in->u.v6[7] >> 8), r.u.v4[3] = (uint8_t)in->u.v6[7];
    } else {
        return -EINVAL;
    }
    *out = r;
    return 0;
}
