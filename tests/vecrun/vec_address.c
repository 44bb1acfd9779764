/*
 * address_parse.tsv, address_ntoa.tsv, address_misc.tsv: the six inet
 * parsers, inet:ntoa/1, the is_* predicates and ipv4_mapped_ipv6_address/1.
 */
#include "vec.h"

#include <esock/addr.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*parse_fn)(const char *, size_t, esock_ip_t *);

static const struct {
    const char *name;
    parse_fn fn;
} parsers[] = {
    {"parse_address", esock_parse_address},
    {"parse_strict_address", esock_parse_strict_address},
    {"parse_ipv4_address", esock_parse_ipv4_address},
    {"parse_ipv4strict_address", esock_parse_ipv4strict_address},
    {"parse_ipv6_address", esock_parse_ipv6_address},
    {"parse_ipv6strict_address", esock_parse_ipv6strict_address},
};

/* An address as the vectors write it: "A,B,C,D" or eight groups. */
static void ip_text(const esock_ip_t *ip, char *dst, size_t cap)
{
    if (ip->family == ESOCK_IP4)
        snprintf(dst, cap, "%u,%u,%u,%u", ip->u.v4[0], ip->u.v4[1], ip->u.v4[2], ip->u.v4[3]);
    else
        snprintf(dst, cap, "%u,%u,%u,%u,%u,%u,%u,%u", ip->u.v6[0], ip->u.v6[1], ip->u.v6[2],
                 ip->u.v6[3], ip->u.v6[4], ip->u.v6[5], ip->u.v6[6], ip->u.v6[7]);
}

/* Tuple to ints: a flagged (out-of-int64) element can never be an address. */
static int tuple_ints(const char *field, struct vec_tuple *t, bool *big)
{
    if (vec_tuple(field, t) < 0)
        return -1;
    *big = false;
    for (int i = 0; i < t->n; i++)
        *big |= t->big[i];
    return 0;
}

static int parse_line(char **f, int nf, char *msg, size_t cap)
{
    (void)nf;
    parse_fn fn = NULL;
    for (size_t i = 0; i < sizeof parsers / sizeof parsers[0]; i++)
        if (strcmp(parsers[i].name, f[0]) == 0)
            fn = parsers[i].fn;
    struct vec_bytes in;
    if (fn == NULL || vec_quoted(f[1], true, &in) < 0)
        return -1;
    if (strcmp(f[2], "error:einval") != 0 && strncmp(f[2], "ok:", 3) != 0) {
        free(in.p);
        return -1;
    }
    esock_ip_t ip;
    char got[96];
    int rc = fn((const char *)in.p, in.len, &ip);
    if (rc == 0) {
        memcpy(got, "ok:", 3);
        ip_text(&ip, got + 3, sizeof got - 3);
    } else {
        snprintf(got, sizeof got, rc == -EINVAL ? "error:einval" : "error:%d", rc);
    }
    int ok = strcmp(got, f[2]) == 0;
    if (!ok)
        snprintf(msg, cap, "%s %s: got %s", f[0], f[1], got);
    free(in.p);
    return ok;
}

static int ntoa_line(char **f, int nf, char *msg, size_t cap)
{
    (void)nf;
    struct vec_tuple t;
    bool big;
    if (tuple_ints(f[0], &t, &big) < 0)
        return -1;
    esock_ip_t ip;
    char buf[ESOCK_IP_STRLEN];
    int rc = big ? -EINVAL : esock_ip_from_ints(t.v, (size_t)t.n, &ip);
    if (rc == 0)
        rc = esock_ntoa(&ip, buf, sizeof buf);
    int ok;
    if (strcmp(f[1], "error:einval") == 0) {
        ok = rc == -EINVAL;
        if (!ok)
            snprintf(msg, cap, "%s: got \"%s\" (rc %d)", f[0], rc >= 0 ? buf : "", rc);
        return ok;
    }
    struct vec_bytes want;
    if (vec_quoted(f[1], true, &want) < 0)
        return -1;
    ok = rc >= 0 && (size_t)rc == want.len && memcmp(buf, want.p, want.len) == 0;
    /* Every formatted address must parse back to itself (the OTP suite's
     * round-trip property), through the general parser. */
    esock_ip_t back;
    if (ok && (esock_parse_address(buf, (size_t)rc, &back) != 0 ||
               back.family != ip.family || memcmp(&back.u, &ip.u,
                                                  ip.family == ESOCK_IP4 ? 4 : 16) != 0))
        ok = 0;
    if (!ok)
        snprintf(msg, cap, "%s: got \"%s\" (rc %d)", f[0], rc >= 0 ? buf : "", rc);
    free(want.p);
    return ok;
}

static int misc_line(char **f, int nf, char *msg, size_t cap)
{
    (void)nf;
    struct vec_tuple t;
    bool big;
    if (tuple_ints(f[1], &t, &big) < 0)
        return -1;
    size_t n = (size_t)t.n;
    char got[128];
    if (strcmp(f[0], "ipv4_mapped_ipv6_address") == 0) {
        esock_ip_t ip, r;
        int rc = big ? -EINVAL : esock_ip_from_ints(t.v, n, &ip);
        if (rc == 0)
            rc = esock_ipv4_mapped_ipv6_address(&ip, &r);
        if (rc == 0)
            ip_text(&r, got, sizeof got);
        else
            snprintf(got, sizeof got, "exception:function_clause");
    } else {
        bool (*pred)(const int64_t *, size_t) =
            strcmp(f[0], "is_ip_address") == 0     ? esock_is_ip_address
            : strcmp(f[0], "is_ipv4_address") == 0 ? esock_is_ipv4_address
            : strcmp(f[0], "is_ipv6_address") == 0 ? esock_is_ipv6_address
                                                   : NULL;
        if (pred == NULL)
            return -1;
        snprintf(got, sizeof got, "%s", !big && pred(t.v, n) ? "true" : "false");
    }
    int ok = strcmp(got, f[2]) == 0;
    if (!ok)
        snprintf(msg, cap, "%s %s: got %s", f[0], f[1], got);
    return ok;
}

const struct vec_kind vec_address_parse = {"address_parse.tsv", "#function\tinput\tresult",
                                           parse_line};
const struct vec_kind vec_address_ntoa = {"address_ntoa.tsv", "#input\tresult", ntoa_line};
const struct vec_kind vec_address_misc = {"address_misc.tsv", "#function\tinput\tresult",
                                          misc_line};
