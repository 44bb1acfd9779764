/*
 * socket's sockaddr(): building, conversion to and from struct sockaddr,
 * equality. Formatting is in sockaddr_format.c.
 *
 * Conversions follow OTP's socket_util.c where it is deliberate (local paths:
 * a terminating NUL is added on the way out and stripped on the way in,
 * except for Linux abstract names, whose first byte is 0 and whose length is
 * the address length) and do what the OS expects where OTP is accidental
 * (sin6_flowinfo is converted to and from network byte order; OTP copies it
 * raw). See docs/addr.md.
 */
#include <esock/addr.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/un.h>
#ifdef __linux__
#include <linux/if_packet.h>
#include <net/ethernet.h>
#endif

#define SUN_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path))
#define SA_DATA_OFF offsetof(struct sockaddr, sa_data)
#define FLOWINFO_MAX 1048575u

int esock_sockaddr_ip(esock_sockaddr_t *sa, const esock_ip_t *ip, uint16_t port)
{
    if (sa == NULL || ip == NULL)
        return -EINVAL;
    if (ip->family == ESOCK_IP4) {
        memset(sa, 0, sizeof *sa);
        sa->family = ESOCK_FAMILY_INET;
        memcpy(sa->u.in.addr, ip->u.v4, 4);
        sa->u.in.port = port;
        return 0;
    }
    if (ip->family == ESOCK_IP6) {
        memset(sa, 0, sizeof *sa);
        sa->family = ESOCK_FAMILY_INET6;
        memcpy(sa->u.in6.addr, ip->u.v6, sizeof sa->u.in6.addr);
        sa->u.in6.port = port;
        return 0;
    }
    return -EINVAL;
}

int esock_sockaddr_local(esock_sockaddr_t *sa, const char *path, size_t len)
{
    if (sa == NULL || (path == NULL && len != 0))
        return -EINVAL;
    bool abstract = len > 0 && path[0] == '\0';
    if (!abstract) {
        /* One terminating NUL given by the caller is not part of the name. */
        if (len > 0 && path[len - 1] == '\0')
            len--;
        /* A NUL inside a path name would silently cut it at the OS. */
        if (len > 0 && memchr(path, '\0', len) != NULL)
            return -EINVAL;
    }
    if (len + (abstract ? 0 : 1) > SUN_PATH_MAX)
        return -ENAMETOOLONG;
    memset(sa, 0, sizeof *sa);
    sa->family = ESOCK_FAMILY_LOCAL;
    if (len > 0)
        memcpy(sa->u.local.path, path, len);
    sa->u.local.len = len;
    return 0;
}

int esock_sockaddr_get_ip(const esock_sockaddr_t *sa, esock_ip_t *ip, uint16_t *port)
{
    if (sa == NULL || ip == NULL)
        return -EINVAL;
    if (sa->family == ESOCK_FAMILY_INET) {
        ip->family = ESOCK_IP4;
        memcpy(ip->u.v4, sa->u.in.addr, 4);
        if (port)
            *port = sa->u.in.port;
        return 0;
    }
    if (sa->family == ESOCK_FAMILY_INET6) {
        ip->family = ESOCK_IP6;
        memcpy(ip->u.v6, sa->u.in6.addr, sizeof ip->u.v6);
        if (port)
            *port = sa->u.in6.port;
        return 0;
    }
    return -EINVAL;
}

/* ---- To the OS form --------------------------------------------------------- */

static int in_to(const esock_sockaddr_t *sa, struct sockaddr_storage *ss, socklen_t *len)
{
    struct sockaddr_in *s = (struct sockaddr_in *)ss;
    s->sin_family = AF_INET;
    s->sin_port = htons(sa->u.in.port);
    memcpy(&s->sin_addr, sa->u.in.addr, 4);
    *len = sizeof *s;
    return 0;
}

static int in6_to(const esock_sockaddr_t *sa, struct sockaddr_storage *ss, socklen_t *len)
{
    struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;
    if (sa->u.in6.flowinfo > FLOWINFO_MAX)
        return ESOCK_EINVAL_ADDRESS;
    s->sin6_family = AF_INET6;
    s->sin6_port = htons(sa->u.in6.port);
    s->sin6_flowinfo = htonl(sa->u.in6.flowinfo);
    s->sin6_scope_id = sa->u.in6.scope_id;
    for (int i = 0; i < 8; i++) {
        s->sin6_addr.s6_addr[2 * i] = (uint8_t)(sa->u.in6.addr[i] >> 8);
        s->sin6_addr.s6_addr[2 * i + 1] = (uint8_t)sa->u.in6.addr[i];
    }
    *len = sizeof *s;
    return 0;
}

static int local_to(const esock_sockaddr_t *sa, struct sockaddr_storage *ss, socklen_t *len)
{
    struct sockaddr_un *s = (struct sockaddr_un *)ss;
    size_t n = sa->u.local.len;
    bool abstract = n > 0 && sa->u.local.path[0] == '\0';
    if (n > sizeof sa->u.local.path || n + (abstract ? 0 : 1) > SUN_PATH_MAX)
        return ESOCK_EINVAL_ADDRESS;
    if (!abstract && n > 0 && memchr(sa->u.local.path, '\0', n) != NULL)
        return ESOCK_EINVAL_ADDRESS;
    s->sun_family = AF_UNIX;
    memcpy(s->sun_path, sa->u.local.path, n);
    /* A path name carries its NUL in the length; an abstract name is exactly
     * its bytes; an empty one is the bare family (autobind on Linux). */
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (n > 0 && !abstract));
    return 0;
}

static int packet_to(const esock_sockaddr_t *sa, struct sockaddr_storage *ss, socklen_t *len)
{
#ifdef __linux__
    struct sockaddr_ll *s = (struct sockaddr_ll *)ss;
    if (sa->u.packet.addr_len > sizeof s->sll_addr)
        return ESOCK_EINVAL_ADDRESS;
    s->sll_family = AF_PACKET;
    s->sll_protocol = htons(sa->u.packet.protocol);
    s->sll_ifindex = sa->u.packet.ifindex;
    s->sll_hatype = sa->u.packet.hatype;
    s->sll_pkttype = sa->u.packet.pkttype;
    s->sll_halen = sa->u.packet.addr_len;
    memcpy(s->sll_addr, sa->u.packet.addr, sa->u.packet.addr_len);
    *len = sizeof *s;
    return 0;
#else
    (void)sa, (void)ss, (void)len;
    return ESOCK_EINVAL_ADDRESS;
#endif
}

static int link_to(const esock_sockaddr_t *sa, struct sockaddr_storage *ss, socklen_t *len)
{
    /* sockaddr_dl exists on the BSDs only; Linux has no such family. */
    (void)sa, (void)ss, (void)len;
    return ESOCK_EINVAL_ADDRESS;
}

static int raw_to(const esock_sockaddr_t *sa, struct sockaddr_storage *ss, socklen_t *len)
{
    size_t n = sa->u.raw.len;
    int fam = sa->family == ESOCK_FAMILY_UNSPEC ? AF_UNSPEC : sa->u.raw.family;
    if (n > sizeof sa->u.raw.data || SA_DATA_OFF + n > sizeof *ss || fam < 0 || fam > 0xffff)
        return ESOCK_EINVAL_ADDRESS;
    ss->ss_family = (sa_family_t)fam;
    memcpy((char *)ss + SA_DATA_OFF, sa->u.raw.data, n);
    *len = (socklen_t)(SA_DATA_OFF + n);
    return 0;
}

typedef int (*to_fn)(const esock_sockaddr_t *, struct sockaddr_storage *, socklen_t *);

static const to_fn to_native[] = {
    [ESOCK_FAMILY_UNSPEC] = raw_to,   [ESOCK_FAMILY_INET] = in_to,
    [ESOCK_FAMILY_INET6] = in6_to,    [ESOCK_FAMILY_LOCAL] = local_to,
    [ESOCK_FAMILY_PACKET] = packet_to, [ESOCK_FAMILY_LINK] = link_to,
    [ESOCK_FAMILY_NATIVE] = raw_to,
};

int esock_sockaddr_to_native(const esock_sockaddr_t *sa, struct sockaddr_storage *ss,
                             socklen_t *sslen)
{
    if (sa == NULL || ss == NULL || sslen == NULL)
        return ESOCK_EINVAL_ADDRESS;
    if ((unsigned)sa->family >= sizeof to_native / sizeof to_native[0])
        return ESOCK_EINVAL_ADDRESS;
    memset(ss, 0, sizeof *ss);
    return to_native[sa->family](sa, ss, sslen);
}

/* ---- From the OS form -------------------------------------------------------- */

static int in_from(const struct sockaddr *p, size_t len, esock_sockaddr_t *sa)
{
    struct sockaddr_in s;
    if (len < sizeof s)
        return -EINVAL;
    memcpy(&s, p, sizeof s);
    sa->family = ESOCK_FAMILY_INET;
    memcpy(sa->u.in.addr, &s.sin_addr, 4);
    sa->u.in.port = ntohs(s.sin_port);
    return 0;
}

static int in6_from(const struct sockaddr *p, size_t len, esock_sockaddr_t *sa)
{
    struct sockaddr_in6 s;
    if (len < sizeof s)
        return -EINVAL;
    memcpy(&s, p, sizeof s);
    sa->family = ESOCK_FAMILY_INET6;
    for (int i = 0; i < 8; i++)
        sa->u.in6.addr[i] = (uint16_t)(s.sin6_addr.s6_addr[2 * i] << 8 | s.sin6_addr.s6_addr[2 * i + 1]);
    sa->u.in6.port = ntohs(s.sin6_port);
    sa->u.in6.flowinfo = ntohl(s.sin6_flowinfo);
    sa->u.in6.scope_id = s.sin6_scope_id;
    return 0;
}

static int local_from(const struct sockaddr *p, size_t len, esock_sockaddr_t *sa)
{
    size_t off = offsetof(struct sockaddr_un, sun_path);
    if (len < off)
        return -EINVAL;
    const char *path = (const char *)p + off;
    size_t n = len - off;
    /* Linux may report one byte more than sun_path for a 108-byte name: its
     * terminating NUL. Anything longer is a bad length. */
    if (n > SUN_PATH_MAX + 1)
        return -EINVAL;
    size_t m = strnlen(path, n);
    if (m == 0)
        m = n; /* abstract (first byte 0): the length is the name */
    if (m > SUN_PATH_MAX)
        return -EINVAL;
    sa->family = ESOCK_FAMILY_LOCAL;
    memcpy(sa->u.local.path, path, m);
    sa->u.local.len = m;
    return 0;
}

#ifdef __linux__
static int packet_from(const struct sockaddr *p, size_t len, esock_sockaddr_t *sa)
{
    struct sockaddr_ll s;
    if (len < sizeof s)
        return -EINVAL;
    memcpy(&s, p, sizeof s);
    sa->family = ESOCK_FAMILY_PACKET;
    sa->u.packet.protocol = ntohs(s.sll_protocol);
    sa->u.packet.ifindex = s.sll_ifindex;
    sa->u.packet.pkttype = s.sll_pkttype;
    sa->u.packet.hatype = s.sll_hatype;
    /* sockaddr_ll has room for 8 bytes; longer hardware addresses (e.g.
     * InfiniBand's 20) are cut to what the structure holds. */
    sa->u.packet.addr_len = s.sll_halen > sizeof s.sll_addr ? sizeof s.sll_addr : s.sll_halen;
    memcpy(sa->u.packet.addr, s.sll_addr, sa->u.packet.addr_len);
    return 0;
}
#endif

static int raw_from(const struct sockaddr *p, size_t len, esock_sockaddr_t *sa)
{
    size_t n = len - SA_DATA_OFF;
    if (n > sizeof sa->u.raw.data)
        return -EINVAL;
    sa->family = p->sa_family == AF_UNSPEC ? ESOCK_FAMILY_UNSPEC : ESOCK_FAMILY_NATIVE;
    sa->u.raw.family = p->sa_family;
    memcpy(sa->u.raw.data, (const char *)p + SA_DATA_OFF, n);
    sa->u.raw.len = n;
    return 0;
}

int esock_sockaddr_from_native(const struct sockaddr *native, socklen_t len, esock_sockaddr_t *sa)
{
    if (native == NULL || sa == NULL || (size_t)len < SA_DATA_OFF)
        return -EINVAL;
    esock_sockaddr_t r;
    memset(&r, 0, sizeof r);
    sa_family_t fam;
    memcpy(&fam, (const char *)native + offsetof(struct sockaddr, sa_family), sizeof fam);
    int rc;
    switch (fam) {
    case AF_INET: rc = in_from(native, len, &r); break;
    case AF_INET6: rc = in6_from(native, len, &r); break;
    case AF_UNIX: rc = local_from(native, len, &r); break;
#ifdef __linux__
    case AF_PACKET: rc = packet_from(native, len, &r); break;
#endif
    default: rc = raw_from(native, len, &r); break;
    }
    if (rc == 0)
        *sa = r;
    return rc;
}

/* ---- Equality ------------------------------------------------------------------ */

bool esock_sockaddr_equal(const esock_sockaddr_t *a, const esock_sockaddr_t *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    if (a->family != b->family)
        return false;
    switch (a->family) {
    case ESOCK_FAMILY_INET:
        return a->u.in.port == b->u.in.port && memcmp(a->u.in.addr, b->u.in.addr, 4) == 0;
    case ESOCK_FAMILY_INET6:
        return a->u.in6.port == b->u.in6.port && a->u.in6.flowinfo == b->u.in6.flowinfo &&
               a->u.in6.scope_id == b->u.in6.scope_id &&
               memcmp(a->u.in6.addr, b->u.in6.addr, sizeof a->u.in6.addr) == 0;
    case ESOCK_FAMILY_LOCAL:
        return a->u.local.len == b->u.local.len && a->u.local.len <= sizeof a->u.local.path &&
               memcmp(a->u.local.path, b->u.local.path, a->u.local.len) == 0;
    case ESOCK_FAMILY_PACKET:
        return a->u.packet.protocol == b->u.packet.protocol &&
               a->u.packet.ifindex == b->u.packet.ifindex &&
               a->u.packet.pkttype == b->u.packet.pkttype &&
               a->u.packet.hatype == b->u.packet.hatype &&
               a->u.packet.addr_len == b->u.packet.addr_len &&
               a->u.packet.addr_len <= sizeof a->u.packet.addr &&
               memcmp(a->u.packet.addr, b->u.packet.addr, a->u.packet.addr_len) == 0;
    case ESOCK_FAMILY_LINK:
        return a->u.link.index == b->u.link.index && a->u.link.type == b->u.link.type &&
               a->u.link.nlen == b->u.link.nlen && a->u.link.alen == b->u.link.alen &&
               a->u.link.slen == b->u.link.slen && a->u.link.data_len == b->u.link.data_len &&
               a->u.link.data_len <= sizeof a->u.link.data &&
               memcmp(a->u.link.data, b->u.link.data, a->u.link.data_len) == 0;
    case ESOCK_FAMILY_UNSPEC:
    case ESOCK_FAMILY_NATIVE:
        return (a->family == ESOCK_FAMILY_UNSPEC || a->u.raw.family == b->u.raw.family) &&
               a->u.raw.len == b->u.raw.len && a->u.raw.len <= sizeof a->u.raw.data &&
               memcmp(a->u.raw.data, b->u.raw.data, a->u.raw.len) == 0;
    }
    return false;
}
