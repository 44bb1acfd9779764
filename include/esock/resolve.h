/*
 * esock/resolve.h - host names, addresses and interfaces: inet's
 * gethostname, gethostbyname, gethostbyaddr, getaddr, getaddrs, get_rc and
 * getifaddrs.
 *
 * Families: every @c family argument is ESOCK_IP4 (inet) or ESOCK_IP6 (inet6);
 * anything else is -EINVAL, as OTP gives einval for a bad family.
 *
 * Hosts: a host is a name or an address. OTP's rules apply: a string that
 * parses as an address of the requested family (relaxed IPv4 such as "127.1"
 * or the integer string "3232235521" for ESOCK_IP4, IPv6 text for
 * ESOCK_IP6) gives itself without any lookup; a string that is an address of
 * the *other* family gives ESOCK_ENXDOMAIN (OTP's native resolver answers so);
 * anything else is looked up by the system resolver, which applies the
 * system's sources and order (nsswitch.conf "hosts:", /etc/hosts, DNS).
 *
 * Timeouts: every lookup takes @c timeout_ms (ESOCK_INFINITY, or >= 0
 * milliseconds; ESOCK_NOWAIT and other negative values are
 * ESOCK_EINVAL_TIMEOUT because a lookup has no completion message). When the
 * deadline passes the call returns ESOCK_ETIMEOUT at once. The OS lookup
 * cannot be cancelled: it runs in a detached worker thread that finishes on
 * its own and frees its own result; see docs/resolve.md for what an
 * abandoned lookup still costs the process and for the bound on them.
 *
 * Errors: ESOCK_ENXDOMAIN ("nxdomain") when the host is unknown (every
 * resolver failure becomes nxdomain, as in OTP), -EINVAL for a bad family,
 * a malformed address or name, -EAFNOSUPPORT for an address of the wrong
 * family given as an esock_ip_t, ESOCK_ETIMEOUT when the deadline passed,
 * -ENOMEM when memory ran out.
 *
 * Thread safety: every function here may be called from any thread at any
 * time. Results are owned by the caller and freed with the matching *_free.
 */
#ifndef ESOCK_RESOLVE_H
#define ESOCK_RESOLVE_H

#include <esock/addr.h>
#include <esock/common.h>
#include <esock/error.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

ESOCK_BEGIN_DECLS

/* ---- Host names ----------------------------------------------------------- */

/** A buffer of this size always holds esock_gethostname()'s result. */
#define ESOCK_HOSTNAME_MAX 256

/**
 * inet:gethostname/0: the local host name, cut at the first '.' (OTP's short
 * name), into @p buf (@p cap bytes, NUL-terminated). Returns its length.
 * Never fails for cap >= ESOCK_HOSTNAME_MAX: if the OS has no name the
 * result is "nohost" (OTP: "nohost.nodomain", cut at the dot).
 * -ENOSPC if cap is too small (buf then holds a truncated name when cap > 0),
 * -EINVAL for a NULL @p buf with cap > 0.
 */
ESOCK_API int esock_gethostname(char *buf, size_t cap);

/* ---- The hostent record --------------------------------------------------- */

/**
 * inet's #hostent{}: h_name, h_aliases, h_addrtype, h_length, h_addr_list.
 * Allocated by the library as one block; free with esock_hostent_free().
 * Every string is NUL-terminated; @c aliases has @c naliases entries and a
 * trailing NULL; @c addrs has @c naddrs (>= 1) entries, each of family
 * @c addrtype.
 */
typedef struct esock_hostent {
    char *name;          /**< h_name: the official name */
    char **aliases;      /**< h_aliases (NULL-terminated) */
    size_t naliases;
    int addrtype;        /**< h_addrtype: ESOCK_IP4 (inet) or ESOCK_IP6 (inet6) */
    int length;          /**< h_length: 4 or 16 */
    esock_ip_t *addrs;   /**< h_addr_list */
    size_t naddrs;
} esock_hostent_t;

/** Free a hostent from this library. NULL is allowed. */
ESOCK_API void esock_hostent_free(esock_hostent_t *he);

/**
 * inet:gethostbyname/2 (and /1 with family ESOCK_IP4, OTP's default): the
 * host @p name (@p len bytes, need not be NUL-terminated) in @p family.
 * An address string gives a hostent whose name is the string itself. If the
 * resolver does not know the name but it is this host's own name, the answer
 * is the loopback address (OTP's "we can always look up our own hostname").
 * On success *out is a new hostent (caller frees it); on failure *out is NULL.
 * Returns 0, ESOCK_ENXDOMAIN, -EINVAL (bad family, NUL in the name, NULL
 * @p out),
 * ESOCK_EINVAL_TIMEOUT, ESOCK_ETIMEOUT, -ENOMEM.
 */
ESOCK_API int esock_gethostbyname(const char *name, size_t len, int family, int64_t timeout_ms,
                                  esock_hostent_t **out);

/**
 * inet:gethostbyaddr/1 with an address: reverse lookup of @p ip. The
 * hostent has @p ip as its only address. 127.0.0.1 and ::1 always resolve
 * (to this host's name when the resolver has none, as OTP does).
 * Returns 0, ESOCK_ENXDOMAIN, -EINVAL (invalid @p ip, NULL @p out), ESOCK_EINVAL_TIMEOUT,
 * ESOCK_ETIMEOUT, -ENOMEM. *out as for esock_gethostbyname().
 */
ESOCK_API int esock_gethostbyaddr(const esock_ip_t *ip, int64_t timeout_ms, esock_hostent_t **out);

/**
 * inet:gethostbyaddr/1 with a string: @p s (@p len bytes) is parsed with
 * inet:parse_address/1's rules (relaxed IPv4 or IPv6), -EINVAL if it is not
 * an address, then looked up as esock_gethostbyaddr().
 */
ESOCK_API int esock_gethostbyaddr_str(const char *s, size_t len, int64_t timeout_ms,
                                      esock_hostent_t **out);

/* ---- getaddr / getaddrs --------------------------------------------------- */

/**
 * inet:getaddrs/2 with a host string: every address of @p host (@p len
 * bytes) in @p family, in the resolver's order. The host must be a visible
 * ASCII string (bytes 33..126, not empty) or the result is -EINVAL, as OTP.
 * Up to @p cap addresses are written to @p addrs; *n receives how many the
 * host has (which may exceed cap: then the list is cut). Returns 0 or an
 * error of esock_gethostbyname(); -EINVAL also for a NULL @p addrs with
 * cap > 0.
 */
ESOCK_API int esock_getaddrs(const char *host, size_t len, int family, int64_t timeout_ms,
                             esock_ip_t *addrs, size_t cap, size_t *n);

/** inet:getaddr/2 with a host string: the first address of esock_getaddrs().
 *  -EINVAL for a NULL @p out. */
ESOCK_API int esock_getaddr(const char *host, size_t len, int family, int64_t timeout_ms,
                            esock_ip_t *out);

/**
 * inet:getaddr/2 and getaddrs/2 with an address as the host: no lookup.
 * Returns 0 and copies @p host to *out, -EAFNOSUPPORT if @p family is not
 * the address's family (whatever @p family is, as OTP), -EINVAL if @p host
 * is not a valid address or @p out is NULL.
 */
ESOCK_API int esock_getaddr_ip(const esock_ip_t *host, int family, esock_ip_t *out);

/* ---- Resolver configuration ------------------------------------------------ */

/** One configuration parameter: key and value, both NUL-terminated. */
typedef struct esock_rc_entry {
    const char *key;
    const char *value;
} esock_rc_entry_t;

/** The list esock_get_rc() returns; free with esock_rc_free(). */
typedef struct esock_rc {
    size_t count;
    esock_rc_entry_t *entries;
} esock_rc_t;

/**
 * inet:get_rc/0: the resolver configuration esock uses, as an ordered list
 * of key/value pairs (keys may repeat). esock always uses the system
 * resolver, so the list describes what the OS applies:
 *   resolv_conf  "/etc/resolv.conf"   hosts_file "/etc/hosts"
 *   lookup       "native"             (OTP's {lookup,[native]})
 *   nsswitch     the "hosts:" sources of /etc/nsswitch.conf, e.g. "files dns",
 *                read as glibc reads them: the last hosts line counts, and
 *                "hosts:dns" or "hosts dns" is a hosts line too
 *                ("files dns" when the file or the line is missing: glibc's default)
 *   nameserver   one entry per nameserver line of resolv.conf
 *   domain, search   (one entry per search domain) of the last domain or
 *                search line only, the one glibc applies; options (one per option)
 * Returns 0 and sets *out, -ENOMEM, or -EINVAL for a NULL @p out. Missing
 * files only leave keys out.
 */
ESOCK_API int esock_get_rc(esock_rc_t **out);

/** The value of the first entry named @p key, or NULL. */
ESOCK_API const char *esock_rc_get(const esock_rc_t *rc, const char *key);

/** Free a list from esock_get_rc(). NULL is allowed. */
ESOCK_API void esock_rc_free(esock_rc_t *rc);

/* ---- getifaddrs ------------------------------------------------------------ */

/** Interface flags of {flags, [...]}: bits, in OTP's order. */
enum esock_ifflag {
    ESOCK_IFF_UP = 1 << 0,
    ESOCK_IFF_BROADCAST = 1 << 1,
    ESOCK_IFF_LOOPBACK = 1 << 2,
    ESOCK_IFF_POINTTOPOINT = 1 << 3,
    ESOCK_IFF_RUNNING = 1 << 4,
    ESOCK_IFF_MULTICAST = 1 << 5
};

/** The atom of one flag bit ("up", "broadcast", ...), or NULL if not one bit of the set. */
ESOCK_API const char *esock_ifflag_name(unsigned flag);

/** Kinds of Ifopt tuples. */
typedef enum esock_ifopt_kind {
    ESOCK_IFOPT_FLAGS = 1, /**< {flags, Flags}: u.flags (ESOCK_IFF_* bits) */
    ESOCK_IFOPT_ADDR,      /**< {addr, Addr}: u.ip */
    ESOCK_IFOPT_NETMASK,   /**< {netmask, Netmask}: u.ip */
    ESOCK_IFOPT_BROADADDR, /**< {broadaddr, Broadaddr}: u.ip */
    ESOCK_IFOPT_DSTADDR,   /**< {dstaddr, Dstaddr}: u.ip */
    ESOCK_IFOPT_HWADDR     /**< {hwaddr, Hwaddr}: u.hw, the whole address (at most 24 bytes) */
} esock_ifopt_kind_t;

/** The atom of a kind ("flags", "addr", ...), or NULL. */
ESOCK_API const char *esock_ifopt_name(esock_ifopt_kind_t kind);

/** One Ifopt tuple. */
typedef struct esock_ifopt {
    esock_ifopt_kind_t kind;
    union {
        unsigned flags;
        esock_ip_t ip;
        struct {
            size_t len;
            uint8_t bytes[32];
        } hw;
    } u;
} esock_ifopt_t;

/** Longest interface name plus NUL (Linux IFNAMSIZ). */
#define ESOCK_IFNAME_MAX 16

/** One {Ifname, Ifopts} pair. */
typedef struct esock_ifaddrs_if {
    char name[ESOCK_IFNAME_MAX];
    size_t nopts;
    esock_ifopt_t *opts;
} esock_ifaddrs_if_t;

/** The list getifaddrs returns; free with esock_ifaddrs_free(). */
typedef struct esock_ifaddrs {
    size_t count;
    esock_ifaddrs_if_t *ifs;
} esock_ifaddrs_t;

/**
 * inet:getifaddrs/0. Interfaces come in the order the OS lists them; each
 * interface's options follow OTP's rules (ref/inet.txt): a {flags} entry
 * applies to everything after it (one per distinct flag set, in order of
 * first appearance); {netmask} follows its {addr} immediately; then
 * {broadaddr} (only when broadcast is set) or {dstaddr} (only when
 * pointtopoint is set), never both; {hwaddr} entries come last in their
 * flags group. Returns 0 and *out, -errno from the OS, -ENOMEM, or -EINVAL
 * for a NULL @p out.
 */
ESOCK_API int esock_getifaddrs(esock_ifaddrs_t **out);

/**
 * inet:getifaddrs([{netns, Path}]) (Linux): the same list inside the network
 * namespace named by the file @p path (e.g. "/var/run/netns/example"). The
 * calling thread is never moved: a helper thread enters the namespace.
 * Returns 0, -ENOENT / -EACCES / -EINVAL (from open or setns: not a
 * namespace file), -EPERM (no CAP_SYS_ADMIN), -ENOSYS where there is no
 * setns(), or the errors of esock_getifaddrs().
 */
ESOCK_API int esock_getifaddrs_netns(const char *path, esock_ifaddrs_t **out);

/** The interface named @p name in @p ifa, or NULL. */
ESOCK_API const esock_ifaddrs_if_t *esock_ifaddrs_find(const esock_ifaddrs_t *ifa, const char *name);

/** Free a list from esock_getifaddrs*(). NULL is allowed. */
ESOCK_API void esock_ifaddrs_free(esock_ifaddrs_t *ifa);

ESOCK_END_DECLS

#endif /* ESOCK_RESOLVE_H */
