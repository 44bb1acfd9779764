/*
 * host.c - gethostname, gethostbyname, gethostbyaddr, getaddr(s).
 *
 * The OS lookups are NSS's gethostbyname2_r() / gethostbyaddr_r(): they go
 * through the same sources, in the same order, as getaddrinfo() (the
 * "hosts:" line of nsswitch.conf: /etc/hosts, DNS, ...), and unlike
 * getaddrinfo() they return the whole hostent (the aliases too), which is
 * what OTP's native resolver returns. They block and cannot be cancelled,
 * so they run on a worker (job.c).
 */
#include "resolve/hostent.h"
#include "resolve/resolve_int.h"

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static bool family_ok(int family)
{
    return family == ESOCK_IP4 || family == ESOCK_IP6;
}

static int os_af(int family)
{
    return family == ESOCK_IP4 ? AF_INET : AF_INET6;
}

/* ---- gethostname ------------------------------------------------------------ */

/* The OS host name, full (up to any dots); "nohost" when there is none. */
static void full_hostname(char buf[ESOCK_HOSTNAME_MAX])
{
    if (gethostname(buf, ESOCK_HOSTNAME_MAX) != 0 || buf[0] == '\0')
        strcpy(buf, "nohost");
    buf[ESOCK_HOSTNAME_MAX - 1] = '\0';
}

int esock_gethostname(char *buf, size_t cap)
{
    if (buf == NULL && cap > 0)
        return -EINVAL;
    char full[ESOCK_HOSTNAME_MAX];
    full_hostname(full);
    size_t n = strcspn(full, "."); /* OTP returns the short name */
    if (n + 1 > cap) {
        if (cap > 0) {
            memcpy(buf, full, cap - 1);
            buf[cap - 1] = '\0';
        }
        return -ENOSPC;
    }
    memcpy(buf, full, n);
    buf[n] = '\0';
    return (int)n;
}

/* ---- the workers --------------------------------------------------------- */

/*
 * Call a *_r NSS function with a buffer that grows on ERANGE, with no cap
 * but memory, as glibc's own gethostbyname() does: the files source parses
 * every line of /etc/hosts into the buffer, so one huge line (thousands of
 * aliases) must fit, or every name after it would be unknown.
 */
#define NSS_BUF_START 1024
#define NSS_BUF_GROWS(cap) ((cap) <= SIZE_MAX / 4)

static void take_hostent(esock__rjob_t *job, const struct hostent *h, const esock_ip_t *only)
{
    if (only) { /* reverse lookup: the address asked for is the address */
        job->he = esock__hostent_make(h->h_name, h->h_aliases, job->family, only, 1);
        job->rc = job->he ? 0 : -ENOMEM;
        return;
    }
    size_t n = 0;
    while (h->h_addr_list[n])
        n++;
    if (n == 0 || h->h_addrtype != os_af(job->family) ||
        h->h_length != (job->family == ESOCK_IP4 ? 4 : 16)) {
        job->rc = ESOCK_ENXDOMAIN;
        return;
    }
    esock_ip_t *ips = malloc(n * sizeof *ips);
    if (!ips) {
        job->rc = -ENOMEM;
        return;
    }
    for (size_t i = 0; i < n; i++)
        esock__ip_from_bytes(job->family, h->h_addr_list[i], &ips[i]);
    /* No official name (never seen from glibc): the name asked for. */
    job->he = esock__hostent_make(h->h_name ? h->h_name : job->name, h->h_aliases, job->family, ips, n);
    job->rc = job->he ? 0 : -ENOMEM;
    free(ips);
}

void esock__lookup_name(esock__rjob_t *job)
{
    size_t cap = NSS_BUF_START;
    for (;;) {
        char *buf = malloc(cap);
        struct hostent hb, *res = NULL;
        int herr = 0;
        if (!buf) {
            job->rc = -ENOMEM;
            return;
        }
        int r = gethostbyname2_r(job->name, os_af(job->family), &hb, buf, cap, &res, &herr);
        if (r == ERANGE && NSS_BUF_GROWS(cap)) {
            free(buf);
            cap *= 4;
            continue;
        }
        if (r == 0 && res)
            take_hostent(job, res, NULL);
        else
            job->rc = ESOCK_ENXDOMAIN; /* every resolver failure, as in OTP */
        free(buf);
        return;
    }
}

void esock__lookup_addr(esock__rjob_t *job)
{
    uint8_t bytes[16];
    esock__ip_to_bytes(&job->ip, bytes);
    size_t cap = NSS_BUF_START;
    for (;;) {
        char *buf = malloc(cap);
        struct hostent hb, *res = NULL;
        int herr = 0;
        if (!buf) {
            job->rc = -ENOMEM;
            return;
        }
        int r = gethostbyaddr_r(bytes, job->family == ESOCK_IP4 ? 4 : 16, os_af(job->family), &hb,
                                buf, cap, &res, &herr);
        if (r == ERANGE && NSS_BUF_GROWS(cap)) {
            free(buf);
            cap *= 4;
            continue;
        }
        if (r == 0 && res && res->h_name)
            take_hostent(job, res, &job->ip);
        else
            job->rc = ESOCK_ENXDOMAIN;
        free(buf);
        return;
    }
}

/* ---- our own name: OTP's last resort -------------------------------------- */

static esock_ip_t loopback(int family)
{
    esock_ip_t ip;
    memset(&ip, 0, sizeof ip);
    ip.family = family;
    if (family == ESOCK_IP4) {
        ip.u.v4[0] = 127;
        ip.u.v4[3] = 1;
    } else {
        ip.u.v6[7] = 1;
    }
    return ip;
}

/* OTP answers a lookup of its own host name with the loopback address when
 * no source knows the name (inet:gethostbyname_self). Case-insensitive, as
 * hosts lookups are; the full and the short name both count. */
static int self_by_name(const char *name, size_t len, int family, esock_hostent_t **out)
{
    char full[ESOCK_HOSTNAME_MAX];
    full_hostname(full);
    size_t flen = strlen(full), slen = strcspn(full, ".");
    if (len == flen && strncasecmp(name, full, len) == 0)
        ;
    else if (len == slen && strncasecmp(name, full, len) == 0)
        full[slen] = '\0';
    else
        return ESOCK_ENXDOMAIN;
    esock_ip_t lo = loopback(family);
    *out = esock__hostent_make(full, NULL, family, &lo, 1);
    return *out ? 0 : -ENOMEM;
}

static bool is_loopback1(const esock_ip_t *ip)
{
    esock_ip_t lo = loopback(ip->family);
    return ip->family == ESOCK_IP4 ? memcmp(ip->u.v4, lo.u.v4, 4) == 0
                                   : memcmp(ip->u.v6, lo.u.v6, sizeof lo.u.v6) == 0;
}

/* ---- gethostbyname ------------------------------------------------------- */

/* OTP's rule for a host given as a string: an address of the family gives
 * itself, an address of the other family is unknown (the native resolver
 * says nxdomain), a name needs a lookup (returns 1). */
static int as_address(const char *name, size_t len, int family, esock_ip_t *ip)
{
    esock_ip_t other;
    if (family == ESOCK_IP4) {
        if (esock_parse_ipv4_address(name, len, ip) == 0)
            return 0;
        if (esock_parse_ipv6strict_address(name, len, &other) == 0)
            return ESOCK_ENXDOMAIN;
    } else {
        if (esock_parse_ipv6strict_address(name, len, ip) == 0)
            return 0;
        if (esock_parse_ipv4_address(name, len, &other) == 0)
            return ESOCK_ENXDOMAIN;
    }
    return 1;
}

int esock_gethostbyname(const char *name, size_t len, int family, int64_t timeout_ms,
                        esock_hostent_t **out)
{
    esock__deadline_t dl;
    if (!out)
        return -EINVAL;
    *out = NULL;
    if (!family_ok(family) || (len && !name) || (len && memchr(name, '\0', len)))
        return -EINVAL;
    int rc = esock__deadline_make(timeout_ms, &dl);
    if (rc != 0)
        return rc;
    if (len == 0)
        return ESOCK_ENXDOMAIN;

    esock_ip_t ip;
    rc = as_address(name, len, family, &ip);
    if (rc <= 0) {
        if (rc < 0)
            return rc;
        char *copy = strndup(name, len);
        if (!copy)
            return -ENOMEM;
        *out = esock__hostent_make(copy, NULL, family, &ip, 1);
        free(copy);
        return *out ? 0 : -ENOMEM;
    }

    rc = esock__rjob_run(esock__lookup_name, name, len, NULL, family, &dl, out);
    if (rc == ESOCK_ENXDOMAIN)
        rc = self_by_name(name, len, family, out);
    return rc;
}

/* ---- gethostbyaddr -------------------------------------------------------- */

int esock_gethostbyaddr(const esock_ip_t *ip, int64_t timeout_ms, esock_hostent_t **out)
{
    esock__deadline_t dl;
    if (!out)
        return -EINVAL;
    *out = NULL;
    if (!ip || !family_ok(ip->family))
        return -EINVAL;
    int rc = esock__deadline_make(timeout_ms, &dl);
    if (rc != 0)
        return rc;
    rc = esock__rjob_run(esock__lookup_addr, NULL, 0, ip, ip->family, &dl, out);
    if (rc == ESOCK_ENXDOMAIN && is_loopback1(ip)) {
        /* OTP: 127.0.0.1 and ::1 are always this host (gethostbyaddr_self). */
        char self[ESOCK_HOSTNAME_MAX];
        esock_gethostname(self, sizeof self);
        *out = esock__hostent_make(self, NULL, ip->family, ip, 1);
        rc = *out ? 0 : -ENOMEM;
    }
    return rc;
}

int esock_gethostbyaddr_str(const char *s, size_t len, int64_t timeout_ms, esock_hostent_t **out)
{
    esock_ip_t ip;
    if (!out)
        return -EINVAL;
    *out = NULL;
    if (!s || esock_parse_address(s, len, &ip) != 0)
        return -EINVAL;
    return esock_gethostbyaddr(&ip, timeout_ms, out);
}

/* ---- getaddr / getaddrs ---------------------------------------------------- */

/* inet_parse:visible_string/1: not empty, every byte printable, no space. */
static bool visible(const char *s, size_t len)
{
    if (len == 0 || !s)
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 33 || (unsigned char)s[i] > 126)
            return false;
    return true;
}

int esock_getaddrs(const char *host, size_t len, int family, int64_t timeout_ms, esock_ip_t *addrs,
                   size_t cap, size_t *n)
{
    esock_hostent_t *he;
    if (n)
        *n = 0;
    /* A NULL list with room in it is a bad argument, not a crash. */
    if (!visible(host, len) || (cap > 0 && !addrs))
        return -EINVAL;
    int rc = esock_gethostbyname(host, len, family, timeout_ms, &he);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < he->naddrs && i < cap; i++)
        addrs[i] = he->addrs[i];
    if (n)
        *n = he->naddrs;
    esock_hostent_free(he);
    return 0;
}

int esock_getaddr(const char *host, size_t len, int family, int64_t timeout_ms, esock_ip_t *out)
{
    size_t n;
    if (!out)
        return -EINVAL;
    return esock_getaddrs(host, len, family, timeout_ms, out, 1, &n);
}

int esock_getaddr_ip(const esock_ip_t *host, int family, esock_ip_t *out)
{
    if (!host || !out || !family_ok(host->family))
        return -EINVAL;
    if (host->family != family)
        return -EAFNOSUPPORT;
    *out = *host;
    return 0;
}
