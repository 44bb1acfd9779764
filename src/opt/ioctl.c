/*
 * src/opt/ioctl.c - socket:ioctl/2,3,4: interface requests (SIOCGIF* and
 * SIOCSIF*) on a socket's fd. The work is done on a raw fd so that it can be
 * tested (and used) without the socket layer.
 */
#include "opt/opt_int.h"
#include "opt/optsys.h"
#include "sys/sys.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Linux keeps these in <linux/if.h>, which clashes with <net/if.h>. */
#if defined(__linux__)
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif
#ifndef IFF_DORMANT
#define IFF_DORMANT 0x20000
#endif
#ifndef IFF_ECHO
#define IFF_ECHO 0x40000
#endif
#endif

#define NAMED(name, c) {name, c}
#define ABSENT(name) {name, -1}

const esock__named_t esock__ioctl_reqs[ESOCK_IOCTL__COUNT] = {
    [ESOCK_IOCTL_NONE] = ABSENT(""),
#ifdef SIOCGIFCONF
    [ESOCK_IOCTL_GIFCONF] = NAMED("gifconf", SIOCGIFCONF),
#else
    [ESOCK_IOCTL_GIFCONF] = ABSENT("gifconf"),
#endif
#ifdef SIOCGIFNAME
    [ESOCK_IOCTL_GIFNAME] = NAMED("gifname", SIOCGIFNAME),
#else
    [ESOCK_IOCTL_GIFNAME] = ABSENT("gifname"),
#endif
#ifdef SIOCGIFINDEX
    [ESOCK_IOCTL_GIFINDEX] = NAMED("gifindex", SIOCGIFINDEX),
#else
    [ESOCK_IOCTL_GIFINDEX] = ABSENT("gifindex"),
#endif
    [ESOCK_IOCTL_GIFADDR] = NAMED("gifaddr", SIOCGIFADDR),
    [ESOCK_IOCTL_GIFDSTADDR] = NAMED("gifdstaddr", SIOCGIFDSTADDR),
    [ESOCK_IOCTL_GIFBRDADDR] = NAMED("gifbrdaddr", SIOCGIFBRDADDR),
    [ESOCK_IOCTL_GIFNETMASK] = NAMED("gifnetmask", SIOCGIFNETMASK),
#ifdef SIOCGIFHWADDR
    [ESOCK_IOCTL_GIFHWADDR] = NAMED("gifhwaddr", SIOCGIFHWADDR),
#else
    [ESOCK_IOCTL_GIFHWADDR] = ABSENT("gifhwaddr"),
#endif
    [ESOCK_IOCTL_GIFMTU] = NAMED("gifmtu", SIOCGIFMTU),
#ifdef SIOCGIFTXQLEN
    [ESOCK_IOCTL_GIFTXQLEN] = NAMED("giftxqlen", SIOCGIFTXQLEN),
#else
    [ESOCK_IOCTL_GIFTXQLEN] = ABSENT("giftxqlen"),
#endif
    [ESOCK_IOCTL_GIFFLAGS] = NAMED("gifflags", SIOCGIFFLAGS),
#ifdef SIOCGIFMAP
    [ESOCK_IOCTL_GIFMAP] = NAMED("gifmap", SIOCGIFMAP),
#else
    [ESOCK_IOCTL_GIFMAP] = ABSENT("gifmap"),
#endif
    [ESOCK_IOCTL_SIFFLAGS] = NAMED("sifflags", SIOCSIFFLAGS),
    [ESOCK_IOCTL_SIFADDR] = NAMED("sifaddr", SIOCSIFADDR),
    [ESOCK_IOCTL_SIFDSTADDR] = NAMED("sifdstaddr", SIOCSIFDSTADDR),
    [ESOCK_IOCTL_SIFBRDADDR] = NAMED("sifbrdaddr", SIOCSIFBRDADDR),
    [ESOCK_IOCTL_SIFNETMASK] = NAMED("sifnetmask", SIOCSIFNETMASK),
#ifdef SIOCSIFHWADDR
    [ESOCK_IOCTL_SIFHWADDR] = NAMED("sifhwaddr", SIOCSIFHWADDR),
#else
    [ESOCK_IOCTL_SIFHWADDR] = ABSENT("sifhwaddr"),
#endif
    [ESOCK_IOCTL_SIFMTU] = NAMED("sifmtu", SIOCSIFMTU),
#ifdef SIOCSIFTXQLEN
    [ESOCK_IOCTL_SIFTXQLEN] = NAMED("siftxqlen", SIOCSIFTXQLEN),
#else
    [ESOCK_IOCTL_SIFTXQLEN] = ABSENT("siftxqlen"),
#endif
};

/* The page's ioctl_device_flag() atoms, in its order. */
#define FLAG(name, c) NAMED(name, c)
const esock__named_t esock__ifflags[] = {
    FLAG("up", IFF_UP),
    FLAG("broadcast", IFF_BROADCAST),
    FLAG("debug", IFF_DEBUG),
    FLAG("loopback", IFF_LOOPBACK),
    FLAG("pointopoint", IFF_POINTOPOINT),
#ifdef IFF_NOTRAILERS
    FLAG("notrailers", IFF_NOTRAILERS),
#else
    ABSENT("notrailers"),
#endif
#ifdef IFF_KNOWSEPOCH
    FLAG("knowsepoch", IFF_KNOWSEPOCH),
#else
    ABSENT("knowsepoch"),
#endif
    FLAG("running", IFF_RUNNING),
    FLAG("noarp", IFF_NOARP),
    FLAG("promisc", IFF_PROMISC),
    FLAG("allmulti", IFF_ALLMULTI),
#ifdef IFF_MASTER
    FLAG("master", IFF_MASTER),
#else
    ABSENT("master"),
#endif
#ifdef IFF_OACTIVE
    FLAG("oactive", IFF_OACTIVE),
#else
    ABSENT("oactive"),
#endif
#ifdef IFF_SLAVE
    FLAG("slave", IFF_SLAVE),
#else
    ABSENT("slave"),
#endif
#ifdef IFF_SIMPLEX
    FLAG("simplex", IFF_SIMPLEX),
#else
    ABSENT("simplex"),
#endif
#ifdef IFF_LINK0
    FLAG("link0", IFF_LINK0),
    FLAG("link1", IFF_LINK1),
    FLAG("link2", IFF_LINK2),
#else
    ABSENT("link0"),
    ABSENT("link1"),
    ABSENT("link2"),
#endif
    FLAG("multicast", IFF_MULTICAST),
#ifdef IFF_PORTSEL
    FLAG("portsel", IFF_PORTSEL),
    FLAG("automedia", IFF_AUTOMEDIA),
#else
    ABSENT("portsel"),
    ABSENT("automedia"),
#endif
#ifdef IFF_CANTCONFIG
    FLAG("cantconfig", IFF_CANTCONFIG),
#else
    ABSENT("cantconfig"),
#endif
#ifdef IFF_PPROMISC
    FLAG("ppromisc", IFF_PPROMISC),
#else
    ABSENT("ppromisc"),
#endif
#ifdef IFF_DYNAMIC
    FLAG("dynamic", IFF_DYNAMIC),
#else
    ABSENT("dynamic"),
#endif
#ifdef IFF_MONITOR
    FLAG("monitor", IFF_MONITOR),
#else
    ABSENT("monitor"),
#endif
#ifdef IFF_STATICARP
    FLAG("staticarp", IFF_STATICARP),
#else
    ABSENT("staticarp"),
#endif
#ifdef IFF_DYING
    FLAG("dying", IFF_DYING),
#else
    ABSENT("dying"),
#endif
#ifdef IFF_RENAMING
    FLAG("renaming", IFF_RENAMING),
#else
    ABSENT("renaming"),
#endif
#ifdef IFF_NOGROUP
    FLAG("nogroup", IFF_NOGROUP),
#else
    ABSENT("nogroup"),
#endif
#ifdef IFF_LOWER_UP
    FLAG("lower_up", IFF_LOWER_UP),
    FLAG("dormant", IFF_DORMANT),
    FLAG("echo", IFF_ECHO),
#else
    ABSENT("lower_up"),
    ABSENT("dormant"),
    ABSENT("echo"),
#endif
};
const size_t esock__n_ifflags = sizeof esock__ifflags / sizeof esock__ifflags[0];

const char *esock_ioctl_request_name(esock_ioctl_request_t req)
{
    if ((int)req <= 0 || req >= ESOCK_IOCTL__COUNT)
        return NULL;
    return esock__ioctl_reqs[req].name;
}

const char *esock_ioctl_flag_name(unsigned bit)
{
    for (size_t i = 0; i < esock__n_ifflags; i++)
        if (esock__ifflags[i].native != -1 && (unsigned)esock__ifflags[i].native == bit)
            return esock__ifflags[i].name;
    return NULL;
}

unsigned esock_ioctl_flag_lookup(const char *name)
{
    if (name == NULL)
        return 0;
    for (size_t i = 0; i < esock__n_ifflags; i++)
        if (strcmp(esock__ifflags[i].name, name) == 0)
            return esock__ifflags[i].native == -1 ? 0 : (unsigned)esock__ifflags[i].native;
    return 0;
}

/* ---- the requests on an fd --------------------------------------------------------- */

static int set_name(struct ifreq *ifr, const char *name)
{
    memset(ifr, 0, sizeof *ifr);
    if (name == NULL)
        return ESOCK_EINVAL_VALUE;
    size_t l = strnlen(name, IFNAMSIZ);
    if (l == 0 || l >= IFNAMSIZ)
        return ESOCK_EINVAL_VALUE;
    memcpy(ifr->ifr_name, name, l);
    return 0;
}

static int do_ioctl(int fd, unsigned long req, void *arg)
{
    return esock__sys.ioctl(fd, req, arg) < 0 ? -errno : 0;
}

/* An interface address (struct sockaddr in an ifreq) to esock's form. */
static void ifaddr_to(const struct sockaddr *sa, esock_sockaddr_t *out)
{
    if (esock_sockaddr_from_native(sa, sizeof(struct sockaddr), out) != 0) {
        memset(out, 0, sizeof *out);
        out->family = ESOCK_FAMILY_NATIVE;
        out->u.raw.family = sa->sa_family;
        out->u.raw.len = sizeof sa->sa_data;
        memcpy(out->u.raw.data, sa->sa_data, sizeof sa->sa_data);
    }
}

static void hwaddr_to(const struct sockaddr *sa, esock_sockaddr_t *out)
{
    memset(out, 0, sizeof *out);
    out->family = ESOCK_FAMILY_NATIVE;
    out->u.raw.family = sa->sa_family; /* the ARPHRD_* type */
    out->u.raw.len = sizeof sa->sa_data;
    memcpy(out->u.raw.data, sa->sa_data, sizeof sa->sa_data);
}

int esock__ioctl_gifconf_fd(int fd, esock_ifconf_entry_t *out, size_t cap, size_t *n)
{
#ifdef SIOCGIFCONF
    /* Grow the buffer until the kernel leaves room to spare (bounded). */
    size_t count = 32;
    for (int tries = 0; tries < 8; tries++, count *= 2) {
        struct ifreq *reqs = esock__calloc(count, sizeof *reqs);
        if (reqs == NULL)
            return -ENOMEM;
        struct ifconf ifc;
        ifc.ifc_len = (int)(count * sizeof *reqs);
        ifc.ifc_req = reqs;
        int rc = do_ioctl(fd, SIOCGIFCONF, &ifc);
        if (rc) {
            esock__free(reqs);
            return rc;
        }
        if ((size_t)ifc.ifc_len + sizeof *reqs <= count * sizeof *reqs) {
            size_t got = (size_t)ifc.ifc_len / sizeof *reqs;
            for (size_t i = 0; i < got && i < cap; i++) {
                memset(&out[i], 0, sizeof out[i]);
                memcpy(out[i].name, reqs[i].ifr_name, IFNAMSIZ);
                out[i].name[ESOCK_IFNAMSIZ - 1] = 0;
                ifaddr_to(&reqs[i].ifr_addr, &out[i].addr);
            }
            if (n)
                *n = got;
            esock__free(reqs);
            return 0;
        }
        esock__free(reqs);
    }
    return -ENOBUFS;
#else
    (void)fd, (void)out, (void)cap, (void)n;
    return ESOCK_EINVAL_REQUEST;
#endif
}

int esock__ioctl_get_fd(int fd, esock_ioctl_request_t req, const char *name, int index,
                        esock_ifval_t *out)
{
    if ((int)req <= ESOCK_IOCTL_GIFCONF || req > ESOCK_IOCTL_GIFMAP || out == NULL)
        return ESOCK_EINVAL_REQUEST;
    long code = esock__ioctl_reqs[req].native;
    if (code == -1)
        return ESOCK_EINVAL_REQUEST;
    struct ifreq ifr;
    int rc;
    memset(out, 0, sizeof *out);
    if (req == ESOCK_IOCTL_GIFNAME) {
        memset(&ifr, 0, sizeof ifr);
#if defined(__linux__)
        ifr.ifr_ifindex = index;
#else
        ifr.ifr_index = index;
#endif
    } else if ((rc = set_name(&ifr, name)) != 0) {
        return rc;
    }
    if ((rc = do_ioctl(fd, (unsigned long)code, &ifr)) != 0)
        return rc;
    switch (req) {
    case ESOCK_IOCTL_GIFNAME:
        memcpy(out->name, ifr.ifr_name, IFNAMSIZ);
        out->name[ESOCK_IFNAMSIZ - 1] = 0;
        break;
    case ESOCK_IOCTL_GIFINDEX:
#if defined(__linux__)
        out->i = ifr.ifr_ifindex;
#else
        out->i = ifr.ifr_index;
#endif
        break;
    case ESOCK_IOCTL_GIFADDR:
        ifaddr_to(&ifr.ifr_addr, &out->addr);
        break;
    case ESOCK_IOCTL_GIFDSTADDR:
        ifaddr_to(&ifr.ifr_dstaddr, &out->addr);
        break;
    case ESOCK_IOCTL_GIFBRDADDR:
        ifaddr_to(&ifr.ifr_broadaddr, &out->addr);
        break;
    case ESOCK_IOCTL_GIFNETMASK:
        ifaddr_to(&ifr.ifr_netmask, &out->addr);
        break;
#ifdef SIOCGIFHWADDR
    case ESOCK_IOCTL_GIFHWADDR:
        hwaddr_to(&ifr.ifr_hwaddr, &out->addr);
        break;
#endif
    case ESOCK_IOCTL_GIFMTU:
        out->i = ifr.ifr_mtu;
        break;
#ifdef SIOCGIFTXQLEN
    case ESOCK_IOCTL_GIFTXQLEN:
        out->i = ifr.ifr_qlen;
        break;
#endif
    case ESOCK_IOCTL_GIFFLAGS:
        out->flags = (unsigned short)ifr.ifr_flags;
        break;
#ifdef SIOCGIFMAP
    case ESOCK_IOCTL_GIFMAP:
        out->map.mem_start = ifr.ifr_map.mem_start;
        out->map.mem_end = ifr.ifr_map.mem_end;
        out->map.base_addr = ifr.ifr_map.base_addr;
        out->map.irq = ifr.ifr_map.irq;
        out->map.dma = ifr.ifr_map.dma;
        out->map.port = ifr.ifr_map.port;
        break;
#endif
    default:
        return ESOCK_EINVAL_REQUEST;
    }
    return 0;
}

static int addr_into(const esock_sockaddr_t *a, struct sockaddr *dst)
{
    struct sockaddr_storage ss;
    socklen_t sl = 0;
    if (esock_sockaddr_to_native(a, &ss, &sl) != 0 || sl > sizeof(struct sockaddr_in6))
        return ESOCK_EINVAL_VALUE;
    /* struct ifreq's address slot is a struct sockaddr (16 bytes). */
    if (sl > sizeof(struct sockaddr))
        return ESOCK_EINVAL_VALUE;
    memcpy(dst, &ss, sl);
    return 0;
}

int esock__ioctl_set_fd(int fd, esock_ioctl_request_t req, const char *name,
                        const esock_ifval_t *val)
{
    if ((int)req < ESOCK_IOCTL_SIFFLAGS || req >= ESOCK_IOCTL__COUNT || val == NULL)
        return ESOCK_EINVAL_REQUEST;
    long code = esock__ioctl_reqs[req].native;
    if (code == -1)
        return ESOCK_EINVAL_REQUEST;
    struct ifreq ifr;
    int rc = set_name(&ifr, name);
    if (rc)
        return rc;
    switch (req) {
    case ESOCK_IOCTL_SIFFLAGS: {
        if ((val->flags_change.set | val->flags_change.clear) > 0xffffu)
            return ESOCK_EINVAL_VALUE;
        if ((rc = do_ioctl(fd, SIOCGIFFLAGS, &ifr)) != 0)
            return rc;
        unsigned f = (unsigned short)ifr.ifr_flags;
        f = (f | val->flags_change.set) & ~val->flags_change.clear;
        ifr.ifr_flags = (short)f;
        break;
    }
    case ESOCK_IOCTL_SIFADDR:
        rc = addr_into(&val->addr, &ifr.ifr_addr);
        break;
    case ESOCK_IOCTL_SIFDSTADDR:
        rc = addr_into(&val->addr, &ifr.ifr_dstaddr);
        break;
    case ESOCK_IOCTL_SIFBRDADDR:
        rc = addr_into(&val->addr, &ifr.ifr_broadaddr);
        break;
    case ESOCK_IOCTL_SIFNETMASK:
        rc = addr_into(&val->addr, &ifr.ifr_netmask);
        break;
#ifdef SIOCSIFHWADDR
    case ESOCK_IOCTL_SIFHWADDR:
        if (val->addr.family != ESOCK_FAMILY_NATIVE || val->addr.u.raw.len > sizeof ifr.ifr_hwaddr.sa_data)
            return ESOCK_EINVAL_VALUE;
        ifr.ifr_hwaddr.sa_family = (sa_family_t)val->addr.u.raw.family;
        memcpy(ifr.ifr_hwaddr.sa_data, val->addr.u.raw.data, val->addr.u.raw.len);
        break;
#endif
    case ESOCK_IOCTL_SIFMTU:
        if (val->i <= 0)
            return ESOCK_EINVAL_VALUE;
        ifr.ifr_mtu = val->i;
        break;
#ifdef SIOCSIFTXQLEN
    case ESOCK_IOCTL_SIFTXQLEN:
        if (val->i < 0)
            return ESOCK_EINVAL_VALUE;
        ifr.ifr_qlen = val->i;
        break;
#endif
    default:
        return ESOCK_EINVAL_REQUEST;
    }
    if (rc)
        return rc;
    return do_ioctl(fd, (unsigned long)code, &ifr);
}
