/*
 * esock/addr.h - IP addresses (inet's ip_address()) and socket addresses
 * (socket's sockaddr()): parse, format, classify, convert.
 *
 * Pure functions: no I/O, no allocation, no global state; every function here
 * may be called from any thread at any time. Strings in are a pointer and a
 * length (they may contain NUL and non-ASCII bytes; UTF-8 is expected), and
 * strings out go to a caller buffer, always NUL-terminated when cap > 0.
 */
#ifndef ESOCK_ADDR_H
#define ESOCK_ADDR_H

#include <esock/common.h>
#include <esock/error.h>

#include <stdbool.h>
#include <sys/socket.h>

ESOCK_BEGIN_DECLS

/* ---- IP addresses: ip4_address() and ip6_address() --------------------- */

/** Address family tags of esock_ip_t (values of AF_INET / AF_INET6). */
#define ESOCK_IP4 4
#define ESOCK_IP6 6

/**
 * An IP address as Erlang holds it: 4 bytes or 8 sixteen-bit groups, in
 * host order ({192,168,0,1}, {65152,0,...,1}). @c family is ESOCK_IP4 or
 * ESOCK_IP6.
 */
typedef struct esock_ip {
    int family;
    union {
        uint8_t v4[4];
        uint16_t v6[8];
    } u;
} esock_ip_t;

/** Longest ntoa() output plus NUL ("ffff:...:255.255.255.255" and scopes). */
#define ESOCK_IP_STRLEN 64

/*
 * The six parsers of inet, with OTP 25's exact acceptance rules.
 * Each returns 0 and fills *out, or -EINVAL (OTP's {error, einval}, also for
 * a NULL out, or a NULL s with len > 0); out may be written even on
 * failure. s need not be NUL-terminated.
 *
 *  esock_parse_address         IPv4 (relaxed: 127.1, 0x7f000001, octal) or IPv6
 *  esock_parse_strict_address  IPv4 (dotted quad only) or IPv6
 *  esock_parse_ipv4_address    relaxed IPv4 only
 *  esock_parse_ipv4strict_address  dotted-quad IPv4 only
 *  esock_parse_ipv6_address    IPv6, or relaxed IPv4 text returned IPv4-mapped
 *                              ({0,0,0,0,0,65535,AB,CD}), as OTP does
 *  esock_parse_ipv6strict_address  IPv6 text only
 *
 * An IPv6 link-local fe80::/ff02:: with a %scope stores the numeric scope in
 * the second group, as OTP does.
 */
ESOCK_API int esock_parse_address(const char *s, size_t len, esock_ip_t *out);
ESOCK_API int esock_parse_strict_address(const char *s, size_t len, esock_ip_t *out);
ESOCK_API int esock_parse_ipv4_address(const char *s, size_t len, esock_ip_t *out);
ESOCK_API int esock_parse_ipv4strict_address(const char *s, size_t len, esock_ip_t *out);
ESOCK_API int esock_parse_ipv6_address(const char *s, size_t len, esock_ip_t *out);
ESOCK_API int esock_parse_ipv6strict_address(const char *s, size_t len, esock_ip_t *out);

/**
 * inet:ntoa/1: format @p ip into @p buf (cap bytes) as OTP does (IPv6 in
 * lower-case hex, the longest zero run as "::", "::a.b.c.d" and
 * "::ffff:a.b.c.d" tails). Returns the length written (without NUL), or
 * -EINVAL for a bad family, or -ENOSPC if cap is too small
 * (ESOCK_IP_STRLEN always suffices).
 */
ESOCK_API int esock_ntoa(const esock_ip_t *ip, char *buf, size_t cap);

/**
 * Build an address from an Erlang tuple given as integers: @p n elements
 * (4 for IPv4 with each in 0..255, 8 for IPv6 with each in 0..65535).
 * Returns 0, or -EINVAL for any other arity or an element out of range
 * (what OTP rejects). This is the C form of "any term" for ntoa/is_*.
 */
ESOCK_API int esock_ip_from_ints(const int64_t *v, size_t n, esock_ip_t *out);

/** inet:is_ipv4_address/1, is_ipv6_address/1, is_ip_address/1 on a tuple of integers. */
ESOCK_API bool esock_is_ipv4_address(const int64_t *v, size_t n);
ESOCK_API bool esock_is_ipv6_address(const int64_t *v, size_t n);
ESOCK_API bool esock_is_ip_address(const int64_t *v, size_t n);

/**
 * inet:ipv4_mapped_ipv6_address/1: an IPv4 address becomes
 * {0,0,0,0,0,65535,AB,CD}; an IPv6 address becomes the IPv4 address of its
 * last two groups. Returns 0, or -EINVAL (OTP's function_clause).
 */
ESOCK_API int esock_ipv4_mapped_ipv6_address(const esock_ip_t *in, esock_ip_t *out);

/* ---- Socket addresses: socket's sockaddr() -------------------------------- */

/** sockaddr() families (values are esock's own, not AF_*). */
typedef enum esock_family {
    ESOCK_FAMILY_UNSPEC = 0, /**< #{family := unspec, addr := binary()} */
    ESOCK_FAMILY_INET,       /**< sockaddr_in() */
    ESOCK_FAMILY_INET6,      /**< sockaddr_in6() */
    ESOCK_FAMILY_LOCAL,      /**< sockaddr_un(); abstract when path[0] == 0 */
    ESOCK_FAMILY_PACKET,     /**< sockaddr_ll() (Linux) */
    ESOCK_FAMILY_LINK,       /**< sockaddr_dl() (BSD; never produced on Linux) */
    ESOCK_FAMILY_NATIVE      /**< #{family := integer(), addr := binary()} */
} esock_family_t;

/** Largest payload of the unspec/native/link/packet binaries and local paths. */
#define ESOCK_SOCKADDR_DATA 128

/**
 * A socket address. Only the member of @c family is meaningful.
 * Ports are in host order. inet6 addresses are 8 host-order groups.
 */
typedef struct esock_sockaddr {
    esock_family_t family;
    union {
        struct { uint8_t addr[4]; uint16_t port; } in;
        struct {
            uint16_t addr[8];
            uint16_t port;
            uint32_t flowinfo; /**< 0..1048575 */
            uint32_t scope_id;
        } in6;
        struct {
            size_t len;        /**< bytes of path, without any terminating NUL */
            char path[ESOCK_SOCKADDR_DATA]; /**< abstract if path[0] == 0 (Linux) */
        } local;
        struct {
            uint16_t protocol;
            int ifindex;
            uint8_t pkttype;
            uint16_t hatype;
            uint8_t addr_len;
            uint8_t addr[8];
        } packet;
        struct {
            uint16_t index;
            uint8_t type, nlen, alen, slen;
            size_t data_len;
            uint8_t data[ESOCK_SOCKADDR_DATA];
        } link;
        struct {
            int family;        /**< native: the AF_* number; unspec: AF_UNSPEC */
            size_t len;
            uint8_t data[ESOCK_SOCKADDR_DATA];
        } raw;                 /**< for ESOCK_FAMILY_UNSPEC and ESOCK_FAMILY_NATIVE */
    } u;
} esock_sockaddr_t;

/** Fill @p sa with inet @p ip and @p port (any IP family). Returns 0 or -EINVAL. */
ESOCK_API int esock_sockaddr_ip(esock_sockaddr_t *sa, const esock_ip_t *ip, uint16_t port);

/**
 * Fill @p sa as a local (unix) address of @p len bytes. A path that starts
 * with NUL is a Linux abstract address and is kept as is (up to 108 bytes).
 * Otherwise it is a path name: one terminating NUL included in @p len is
 * dropped, and the name must fit sun_path with its NUL (107 bytes).
 * @p len 0 is the unnamed address (autobind on Linux). Returns 0,
 * -ENAMETOOLONG if it does not fit, or -EINVAL for a path name with a NUL
 * inside (the OS would cut it there).
 */
ESOCK_API int esock_sockaddr_local(esock_sockaddr_t *sa, const char *path, size_t len);

/**
 * Convert to the OS form. @p ss receives the address, @p *sslen its length
 * (a local path name counts its terminating NUL; an abstract name is exactly
 * its bytes; ports, groups and flowinfo go to network order).
 * Returns 0, or ESOCK_EINVAL_ADDRESS for a value the OS form cannot carry
 * (flowinfo above 1048575, an over-long path, a link address on Linux, ...).
 */
ESOCK_API int esock_sockaddr_to_native(const esock_sockaddr_t *sa, struct sockaddr_storage *ss,
                                       socklen_t *sslen);

/**
 * Convert from the OS form (@p len bytes at @p native; only those are read).
 * AF_UNSPEC becomes ESOCK_FAMILY_UNSPEC and unknown families
 * ESOCK_FAMILY_NATIVE, with the bytes after the family field. A local path
 * name loses its terminating NUL; an abstract name keeps all @p len bytes.
 * Returns 0 (and fills *sa), or -EINVAL if @p len is too short (or too long)
 * for the family it claims.
 */
ESOCK_API int esock_sockaddr_from_native(const struct sockaddr *native, socklen_t len,
                                         esock_sockaddr_t *sa);

/** The IP address of an inet/inet6 sockaddr. Returns 0 or -EINVAL. */
ESOCK_API int esock_sockaddr_get_ip(const esock_sockaddr_t *sa, esock_ip_t *ip, uint16_t *port);

/**
 * Format for display: "127.0.0.1:80", "[::1]:80", "[fe80::1%2]:80" (the
 * scope_id), "/tmp/sock", "@abstract" (NUL bytes shown as @, other
 * non-printable bytes as \xHH), "(unnamed)", "packet:ifindex=...",
 * "link:...", "unspec:HEX", "native:family=N,addr=HEX" (docs/addr.md).
 * Returns the length written (without NUL), -ENOSPC if cap is too small
 * (buf then holds ""), or -EINVAL for an unknown family.
 */
ESOCK_API int esock_sockaddr_format(const esock_sockaddr_t *sa, char *buf, size_t cap);

/** Equality of two socket addresses (same family and same meaningful fields). */
ESOCK_API bool esock_sockaddr_equal(const esock_sockaddr_t *a, const esock_sockaddr_t *b);

ESOCK_END_DECLS

#endif /* ESOCK_ADDR_H */
