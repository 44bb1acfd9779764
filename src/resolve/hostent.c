/*
 * hostent.c - the esock_hostent_t record: one allocation holding the
 * struct, the alias pointers, the addresses and every string, so that
 * esock_hostent_free() is a single free() and a partly built record never
 * leaks.
 */
#include "resolve/hostent.h"

#include <stdlib.h>
#include <string.h>

void esock_hostent_free(esock_hostent_t *he)
{
    free(he);
}

esock_hostent_t *esock__hostent_make(const char *name, char *const *aliases, int family,
                                     const esock_ip_t *addrs, size_t naddrs)
{
    size_t nal = 0, strbytes = strlen(name) + 1;
    if (aliases)
        for (; aliases[nal]; nal++)
            strbytes += strlen(aliases[nal]) + 1;

    /* Layout: struct | alias pointers (nal + 1) | addresses | strings. */
    size_t off_al = sizeof(esock_hostent_t);
    size_t off_ad = off_al + (nal + 1) * sizeof(char *);
    off_ad = (off_ad + _Alignof(esock_ip_t) - 1) & ~(size_t)(_Alignof(esock_ip_t) - 1);
    size_t off_str = off_ad + naddrs * sizeof(esock_ip_t);
    char *blk = malloc(off_str + strbytes);
    if (!blk)
        return NULL;

    esock_hostent_t *he = (esock_hostent_t *)(void *)blk;
    he->aliases = (char **)(void *)(blk + off_al);
    he->addrs = (esock_ip_t *)(void *)(blk + off_ad);
    char *s = blk + off_str;

    size_t n = strlen(name) + 1;
    memcpy(s, name, n);
    he->name = s;
    s += n;
    for (size_t i = 0; i < nal; i++) {
        n = strlen(aliases[i]) + 1;
        memcpy(s, aliases[i], n);
        he->aliases[i] = s;
        s += n;
    }
    he->aliases[nal] = NULL;
    he->naliases = nal;
    he->addrtype = family;
    he->length = family == ESOCK_IP4 ? 4 : 16;
    if (naddrs)
        memcpy(he->addrs, addrs, naddrs * sizeof *addrs);
    he->naddrs = naddrs;
    return he;
}

void esock__ip_from_bytes(int family, const void *bytes, esock_ip_t *ip)
{
    const uint8_t *b = bytes;
    memset(ip, 0, sizeof *ip);
    ip->family = family;
    if (family == ESOCK_IP4) {
        memcpy(ip->u.v4, b, 4);
        return;
    }
    for (int i = 0; i < 8; i++)
        ip->u.v6[i] = (uint16_t)((b[2 * i] << 8) | b[2 * i + 1]);
}

void esock__ip_to_bytes(const esock_ip_t *ip, uint8_t *b)
{
    if (ip->family == ESOCK_IP4) {
        memcpy(b, ip->u.v4, 4);
        return;
    }
    for (int i = 0; i < 8; i++) {
        b[2 * i] = (uint8_t)(ip->u.v6[i] >> 8);
        b[2 * i + 1] = (uint8_t)ip->u.v6[i];
    }
}
