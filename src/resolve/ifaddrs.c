/*
 * ifaddrs.c - inet:getifaddrs/0,1: the OS interface list regrouped by OTP's
 * rules (ref/inet.txt, type getifaddrs_ifopts()):
 *
 *   interfaces in the order the OS first lists them;
 *   per interface, one {flags} entry per distinct flag set (first-seen
 *   order), followed by everything that has those flags;
 *   {addr} then at once its {netmask}, then {broadaddr} (broadcast set) or
 *   {dstaddr} (pointtopoint set), never both;
 *   {hwaddr} (the AF_PACKET entries) last in its flags group, as OTP does.
 *
 * The result is one allocation (header, interfaces, options).
 */
#include "resolve/hostent.h"
#include "resolve/resolve_int.h"

#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/if_packet.h>
/* What getifaddrs stores of a link address: glibc and musl both give an
 * AF_PACKET entry 24 bytes of address (their sockaddr_ll_max /
 * sockaddr_ll_hack), where struct sockaddr_ll declares 8. */
#define LL_ADDR_ROOM 24
_Static_assert(LL_ADDR_ROOM <= sizeof(((esock_ifopt_t *)0)->u.hw.bytes), "hwaddr room");
#endif

/* OS flag -> esock flag and its atom, in OTP's order. */
static const struct {
    unsigned os, es;
    const char *name;
} flagtab[] = {
    {IFF_UP, ESOCK_IFF_UP, "up"},
    {IFF_BROADCAST, ESOCK_IFF_BROADCAST, "broadcast"},
    {IFF_LOOPBACK, ESOCK_IFF_LOOPBACK, "loopback"},
    {IFF_POINTOPOINT, ESOCK_IFF_POINTTOPOINT, "pointtopoint"},
    {IFF_RUNNING, ESOCK_IFF_RUNNING, "running"},
    {IFF_MULTICAST, ESOCK_IFF_MULTICAST, "multicast"},
};
#define NFLAGS (sizeof flagtab / sizeof flagtab[0])

static const char *const kindtab[] = {
    [ESOCK_IFOPT_FLAGS] = "flags",         [ESOCK_IFOPT_ADDR] = "addr",
    [ESOCK_IFOPT_NETMASK] = "netmask",     [ESOCK_IFOPT_BROADADDR] = "broadaddr",
    [ESOCK_IFOPT_DSTADDR] = "dstaddr",     [ESOCK_IFOPT_HWADDR] = "hwaddr",
};

const char *esock_ifflag_name(unsigned flag)
{
    for (size_t i = 0; i < NFLAGS; i++)
        if (flagtab[i].es == flag)
            return flagtab[i].name;
    return NULL;
}

const char *esock_ifopt_name(esock_ifopt_kind_t kind)
{
    if ((unsigned)kind >= sizeof kindtab / sizeof kindtab[0])
        return NULL;
    return kindtab[kind];
}

static unsigned es_flags(unsigned os)
{
    unsigned f = 0;
    for (size_t i = 0; i < NFLAGS; i++)
        if (os & flagtab[i].os)
            f |= flagtab[i].es;
    return f;
}

/* An inet/inet6 sockaddr as an esock_ip_t; false for anything else. */
static bool ip_of(const struct sockaddr *sa, esock_ip_t *ip)
{
    if (!sa)
        return false;
    if (sa->sa_family == AF_INET) {
        esock__ip_from_bytes(ESOCK_IP4, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, ip);
        return true;
    }
    if (sa->sa_family == AF_INET6) {
        esock__ip_from_bytes(ESOCK_IP6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, ip);
        return true;
    }
    return false;
}

static bool same_if(const struct ifaddrs *a, const char *name)
{
    return a->ifa_name && strcmp(a->ifa_name, name) == 0;
}

/* Append the options of every entry of interface @p name with flag set
 * @p flags, addresses first and hardware addresses last. */
static void emit_group(const struct ifaddrs *list, const char *name, unsigned flags,
                       esock_ifopt_t *o, size_t *n)
{
    o[(*n)].kind = ESOCK_IFOPT_FLAGS;
    o[(*n)++].u.flags = flags;
    for (const struct ifaddrs *a = list; a; a = a->ifa_next) {
        esock_ifopt_t *x;
        esock_ip_t ip;
        if (!same_if(a, name) || es_flags(a->ifa_flags) != flags || !ip_of(a->ifa_addr, &ip))
            continue;
        x = &o[(*n)++];
        x->kind = ESOCK_IFOPT_ADDR;
        x->u.ip = ip;
        if (ip_of(a->ifa_netmask, &ip)) {
            x = &o[(*n)++];
            x->kind = ESOCK_IFOPT_NETMASK;
            x->u.ip = ip;
        }
        /* ifa_broadaddr and ifa_dstaddr share one field: the flags say which. */
        if (ip_of(a->ifa_broadaddr, &ip) && ip.family == x->u.ip.family) {
            if (flags & ESOCK_IFF_BROADCAST) {
                x = &o[(*n)++];
                x->kind = ESOCK_IFOPT_BROADADDR;
                x->u.ip = ip;
            } else if (flags & ESOCK_IFF_POINTTOPOINT) {
                x = &o[(*n)++];
                x->kind = ESOCK_IFOPT_DSTADDR;
                x->u.ip = ip;
            }
        }
    }
#ifdef __linux__
    for (const struct ifaddrs *a = list; a; a = a->ifa_next) {
        if (!same_if(a, name) || es_flags(a->ifa_flags) != flags || !a->ifa_addr ||
            a->ifa_addr->sa_family != AF_PACKET)
            continue;
        const struct sockaddr_ll *ll = (const struct sockaddr_ll *)(const void *)a->ifa_addr;
        if (ll->sll_halen == 0)
            continue;
        esock_ifopt_t *x = &o[(*n)++];
        x->kind = ESOCK_IFOPT_HWADDR;
        /* The whole address, as OTP gives it (sll_halen bytes): an
         * InfiniBand one is 20 bytes, more than sockaddr_ll's 8, and
         * getifaddrs keeps room for LL_ADDR_ROOM after sll_addr's start. */
        size_t len = ll->sll_halen < LL_ADDR_ROOM ? ll->sll_halen : LL_ADDR_ROOM;
        x->u.hw.len = len;
        memcpy(x->u.hw.bytes, (const uint8_t *)ll + offsetof(struct sockaddr_ll, sll_addr), len);
    }
#endif
}

/* Has an earlier entry of interface @p name (before @p upto) these flags? */
static bool flags_seen(const struct ifaddrs *list, const struct ifaddrs *upto, const char *name,
                       unsigned flags)
{
    for (const struct ifaddrs *a = list; a != upto; a = a->ifa_next)
        if (same_if(a, name) && es_flags(a->ifa_flags) == flags)
            return true;
    return false;
}

static bool name_seen(const struct ifaddrs *list, const struct ifaddrs *upto, const char *name)
{
    for (const struct ifaddrs *a = list; a != upto; a = a->ifa_next)
        if (same_if(a, name))
            return true;
    return false;
}

int esock_getifaddrs(esock_ifaddrs_t **out)
{
    struct ifaddrs *list;
    if (!out)
        return -EINVAL;
    *out = NULL;
    if (getifaddrs(&list) != 0)
        return -errno;
    int rc = esock__ifaddrs_build(list, out);
    freeifaddrs(list);
    return rc;
}

int esock__ifaddrs_build(const struct ifaddrs *list, esock_ifaddrs_t **out)
{
    size_t nent = 0;
    for (const struct ifaddrs *a = list; a; a = a->ifa_next)
        nent++;
    /* At most one flags entry plus four options per OS entry. */
    size_t off_if = sizeof(esock_ifaddrs_t);
    size_t off_opt = off_if + nent * sizeof(esock_ifaddrs_if_t);
    char *blk = calloc(1, off_opt + 5 * nent * sizeof(esock_ifopt_t) + 1);
    if (!blk)
        return -ENOMEM;
    esock_ifaddrs_t *res = (esock_ifaddrs_t *)(void *)blk;
    res->ifs = (esock_ifaddrs_if_t *)(void *)(blk + off_if);
    esock_ifopt_t *opts = (esock_ifopt_t *)(void *)(blk + off_opt);
    size_t nopt = 0;

    for (const struct ifaddrs *a = list; a; a = a->ifa_next) {
        if (!a->ifa_name || name_seen(list, a, a->ifa_name))
            continue;
        esock_ifaddrs_if_t *ifp = &res->ifs[res->count++];
        strncpy(ifp->name, a->ifa_name, ESOCK_IFNAME_MAX - 1);
        ifp->opts = &opts[nopt];
        size_t start = nopt;
        for (const struct ifaddrs *b = a; b; b = b->ifa_next) {
            unsigned fl = es_flags(b->ifa_flags);
            if (same_if(b, a->ifa_name) && !flags_seen(list, b, a->ifa_name, fl))
                emit_group(list, a->ifa_name, fl, opts, &nopt);
        }
        ifp->nopts = nopt - start;
    }
    *out = res;
    return 0;
}

const esock_ifaddrs_if_t *esock_ifaddrs_find(const esock_ifaddrs_t *ifa, const char *name)
{
    if (!ifa || !name)
        return NULL;
    for (size_t i = 0; i < ifa->count; i++)
        if (strcmp(ifa->ifs[i].name, name) == 0)
            return &ifa->ifs[i];
    return NULL;
}

void esock_ifaddrs_free(esock_ifaddrs_t *ifa)
{
    free(ifa);
}

/* ---- {netns, Path} ----------------------------------------------------------- */

struct ns_call {
    const char *path;
    esock_ifaddrs_t *res;
    int rc;
};

/* setns() moves only the calling thread, so a helper thread enters the
 * namespace, lists it and ends; the caller's thread never moves. */
static void *ns_main(void *arg)
{
    struct ns_call *c = arg;
#if defined(__linux__) && defined(CLONE_NEWNET)
    int fd = open(c->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        c->rc = -errno;
        return NULL;
    }
    if (setns(fd, CLONE_NEWNET) != 0)
        c->rc = -errno;
    else
        c->rc = esock_getifaddrs(&c->res);
    close(fd);
#else
    c->rc = -ENOSYS;
#endif
    return NULL;
}

int esock_getifaddrs_netns(const char *path, esock_ifaddrs_t **out)
{
    struct ns_call c = {path, NULL, 0};
    pthread_t tid;
    if (!out)
        return -EINVAL;
    *out = NULL;
    if (!path || !path[0])
        return -EINVAL;
    int rc = pthread_create(&tid, NULL, ns_main, &c);
    if (rc != 0)
        return -rc;
    pthread_join(tid, NULL);
    *out = c.res;
    return c.rc;
}
