/* Field decoders for the golden vectors (tests/vectors/README.md). */
#include "vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int vec_hex(const char *field, struct vec_bytes *out)
{
    out->p = NULL;
    out->len = 0;
    if (strcmp(field, "-") == 0) {
        out->p = malloc(1);
        return out->p ? 0 : -1;
    }
    size_t n = strlen(field);
    if (n == 0 || n % 2 != 0)
        return -1;
    out->p = malloc(n / 2 + 1);
    if (out->p == NULL)
        return -1;
    for (size_t i = 0; i < n; i += 2) {
        int hi = hexval((unsigned char)field[i]), lo = hexval((unsigned char)field[i + 1]);
        if (hi < 0 || lo < 0) {
            free(out->p);
            out->p = NULL;
            return -1;
        }
        out->p[out->len++] = (unsigned char)(hi << 4 | lo);
    }
    return 0;
}

static int hexn(const char *s, int n, unsigned long *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        int h = hexval((unsigned char)s[i]);
        if (h < 0)
            return -1;
        *v = *v << 4 | (unsigned long)h;
    }
    return 0;
}

static size_t put_utf8(unsigned char *d, unsigned long cp)
{
    if (cp < 0x80) {
        d[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (unsigned char)(0xc0 | cp >> 6);
        d[1] = (unsigned char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (unsigned char)(0xe0 | cp >> 12);
        d[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
        d[2] = (unsigned char)(0x80 | (cp & 0x3f));
        return 3;
    }
    d[0] = (unsigned char)(0xf0 | cp >> 18);
    d[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
    d[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
    d[3] = (unsigned char)(0x80 | (cp & 0x3f));
    return 4;
}

int vec_quoted(const char *field, bool utf8, struct vec_bytes *out)
{
    size_t n = strlen(field);
    out->p = NULL;
    out->len = 0;
    if (n < 2 || field[0] != '"' || field[n - 1] != '"')
        return -1;
    out->p = malloc(n * 4 + 1);
    if (out->p == NULL)
        return -1;
    for (size_t i = 1; i < n - 1;) {
        unsigned char c = (unsigned char)field[i];
        if (c != '\\') {
            if (c == '"')
                goto bad;
            out->p[out->len++] = c;
            i++;
            continue;
        }
        if (i + 1 >= n - 1)
            goto bad;
        char e = field[i + 1];
        unsigned long v;
        switch (e) {
        case '\\': out->p[out->len++] = '\\'; i += 2; break;
        case '"': out->p[out->len++] = '"'; i += 2; break;
        case 't': out->p[out->len++] = '\t'; i += 2; break;
        case 'n': out->p[out->len++] = '\n'; i += 2; break;
        case 'r': out->p[out->len++] = '\r'; i += 2; break;
        case 'x':
            if (i + 4 > n - 1 || hexn(field + i + 2, 2, &v) < 0)
                goto bad;
            out->p[out->len++] = (unsigned char)v;
            i += 4;
            break;
        case 'u':
        case 'U': {
            int digits = e == 'u' ? 4 : 8;
            if (!utf8 || i + 2 + (size_t)digits > n - 1 || hexn(field + i + 2, digits, &v) < 0)
                goto bad;
            out->len += put_utf8(out->p + out->len, v);
            i += 2 + (size_t)digits;
            break;
        }
        default:
            goto bad;
        }
    }
    return 0;
bad:
    free(out->p);
    out->p = NULL;
    return -1;
}

int vec_tuple(const char *field, struct vec_tuple *out)
{
    out->n = 0;
    if (strcmp(field, "-") == 0)
        return 0;
    const char *s = field;
    for (;;) {
        if (out->n >= VEC_MAX_TUPLE)
            return -1;
        bool neg = false;
        if (*s == '-') {
            neg = true;
            s++;
        }
        if (*s < '0' || *s > '9')
            return -1;
        uint64_t mag = 0;
        bool big = false;
        while (*s >= '0' && *s <= '9') {
            unsigned d = (unsigned)(*s - '0');
            if (mag > (UINT64_MAX - d) / 10)
                big = true;
            else
                mag = mag * 10 + d;
            s++;
        }
        if (!neg && mag > INT64_MAX)
            big = true;
        if (neg && mag > (uint64_t)INT64_MAX + 1)
            big = true;
        int64_t v;
        if (big)
            v = neg ? INT64_MIN : INT64_MAX;
        else if (neg)
            v = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
        else
            v = (int64_t)mag;
        out->v[out->n] = v;
        out->big[out->n] = big;
        out->n++;
        if (*s == '\0')
            return 0;
        if (*s != ',')
            return -1;
        s++;
    }
}

void vec_print_quoted(char *dst, size_t cap, const unsigned char *p, size_t len)
{
    size_t o = 0;
    if (cap == 0)
        return;
    dst[o++ % cap] = '"';
    for (size_t i = 0; i < len && o + 6 < cap; i++) {
        unsigned char c = p[i];
        if (c == '"' || c == '\\')
            o += (size_t)snprintf(dst + o, cap - o, "\\%c", c);
        else if (c >= 0x20 && c < 0x7f)
            dst[o++] = (char)c;
        else
            o += (size_t)snprintf(dst + o, cap - o, "\\x%02x", c);
    }
    if (o + 2 <= cap) {
        dst[o++] = '"';
        dst[o] = '\0';
    } else {
        dst[cap - 1] = '\0';
    }
}
