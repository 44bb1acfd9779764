/*
 * esock/opt.h - socket options, platform introspection (supports) and ioctl:
 * socket:getopt/setopt, getopt_native/setopt_native, supports/is_supported
 * and ioctl of the socket reference page.
 *
 * Options are named by an id, ESOCK_OPT_<LEVEL>_<NAME>, generated from the
 * one table in <esock/optlist.h>. Every id has a value type
 * (esock_optval_type_t) and an access (get, set or both); esock_getopt() and
 * esock_setopt() check both before they reach the OS:
 *
 *   ESOCK_EINVAL_OPTION   unknown id; getting a set-only option; setting a
 *                         get-only one (OTP: {invalid, {socket_option, O}})
 *   ESOCK_EINVAL_VALUE    wrong value type or a value out of range
 *                         (OTP: {invalid, {socket_option, O, Value}})
 *   ESOCK_ENOTSUP_OPTION  the option is known but this build/platform lacks
 *                         it (esock_opt_info().supported is false)
 *   -errno                the OS refused (-EOPNOTSUPP for tcp options on a
 *                         udp socket, -ENOPROTOOPT, -EPERM, -ENOTCONN ...)
 *   ESOCK_ECLOSED/-EBADF  closed or stale handle
 *
 * Thread safety: every function may be called from any thread. The table
 * functions are pure; the strings they return are static.
 */
#ifndef ESOCK_OPT_H
#define ESOCK_OPT_H

#include <esock/common.h>
#include <esock/error.h>
#include <esock/addr.h>
#include <esock/mbox.h>
#include <esock/optlist.h>
#include <esock/socket.h>

#include <stdbool.h>
#include <stdint.h>

ESOCK_BEGIN_DECLS

/* ---- levels and option ids ---------------------------------------------- */

/** Option levels: otp (the library) and the OS protocol levels. */
typedef enum esock_level {
    ESOCK_LEVEL_OTP = 0, /**< this library's level (no OS counterpart) */
    ESOCK_LEVEL_SOCKET,  /**< SOL_SOCKET */
    ESOCK_LEVEL_IP,      /**< IPPROTO_IP */
    ESOCK_LEVEL_IPV6,    /**< IPPROTO_IPV6 */
    ESOCK_LEVEL_TCP,     /**< IPPROTO_TCP */
    ESOCK_LEVEL_UDP,     /**< IPPROTO_UDP */
    ESOCK_LEVEL_SCTP,    /**< IPPROTO_SCTP */
    ESOCK_LEVEL__COUNT
} esock_level_t;

/** Option ids: ESOCK_OPT_SOCKET_LINGER, ESOCK_OPT_OTP_RCVBUF, ... (0 is no option). */
typedef enum esock_opt {
    ESOCK_OPT_NONE = 0,
#define ESOCK_OPT_ENUM_(L, N, a, T, A, nat, note) ESOCK_OPT_##L##_##N,
    ESOCK_OPTION_TABLE(ESOCK_OPT_ENUM_)
#undef ESOCK_OPT_ENUM_
    ESOCK_OPT__COUNT
} esock_opt_t;

/* ---- value types ----------------------------------------------------------- */

/** The value type of an option: which member of esock_optval_t.u it uses. */
typedef enum esock_optval_type {
    ESOCK_OVT_NONE = 0,
    ESOCK_OVT_BOOL,           /**< u.b (C int 0 / 1; any non-zero reads as true) */
    ESOCK_OVT_INT,            /**< u.i (C int; the OS may restrict the range) */
    ESOCK_OVT_LINGER,         /**< u.linger */
    ESOCK_OVT_TIMEVAL,        /**< u.tv */
    ESOCK_OVT_IP_MREQ,        /**< u.mreq */
    ESOCK_OVT_IP_MREQ_SOURCE, /**< u.mreq_source */
    ESOCK_OVT_IP_MSFILTER,    /**< u.msfilter */
    ESOCK_OVT_IPV6_MREQ,      /**< u.mreq6 */
    ESOCK_OVT_IP_PMTUDISC,    /**< u.i, an esock_pmtudisc_t */
    ESOCK_OVT_IP_TOS,         /**< u.i, 0..255 (ESOCK_IPTOS_* or any byte) */
    ESOCK_OVT_IPV6_HOPS,      /**< u.i, 0..255, or ESOCK_IPV6_HOPS_DEFAULT (-1, set only) */
    ESOCK_OVT_IPV6_PMTUDISC,  /**< u.i, an esock_pmtudisc_t */
    ESOCK_OVT_SCTP_ASSOCPARAMS,     /**< u.assocparams */
    ESOCK_OVT_SCTP_EVENT_SUBSCRIBE, /**< u.events */
    ESOCK_OVT_SCTP_INITMSG,   /**< u.initmsg */
    ESOCK_OVT_SCTP_RTOINFO,   /**< u.rtoinfo */
    ESOCK_OVT_STRING,         /**< u.str: bindtodevice, congestion */
    ESOCK_OVT_TCP_INFO,       /**< u.tcp_info */
    ESOCK_OVT_IN_ADDR,        /**< u.ip, an IPv4 address */
    ESOCK_OVT_DOMAIN,         /**< u.i, the AF_* value */
    ESOCK_OVT_SOCKTYPE,       /**< u.i, the SOCK_* value */
    ESOCK_OVT_PROTOCOL,       /**< u.i, the IPPROTO_* value (0 = default) */
    ESOCK_OVT_ERROR,          /**< u.i, 0 or -errno */
    ESOCK_OVT_UCRED,          /**< u.ucred */
    ESOCK_OVT_BYTES,          /**< u.bytes: a caller buffer, the native value as is */
    ESOCK_OVT_OTP_RCVBUF,     /**< u.rcvbuf */
    ESOCK_OVT_OTP_BUFSZ,      /**< u.bufsz, 0 = the default */
    ESOCK_OVT_META,           /**< u.meta, a user value (e.g. a pointer as uintptr_t) */
    ESOCK_OVT_MBOX,           /**< u.mbox, the controlling mailbox */
    ESOCK_OVT__COUNT
} esock_optval_type_t;

/** ip_pmtudisc() / ipv6_pmtudisc(): esock's values, mapped to IP(V6)_PMTUDISC_*. */
typedef enum esock_pmtudisc {
    ESOCK_PMTUDISC_WANT = 0,
    ESOCK_PMTUDISC_DONT,
    ESOCK_PMTUDISC_DO,
    ESOCK_PMTUDISC_PROBE
} esock_pmtudisc_t;

/** ip_tos() names (the IPTOS_* byte values; any other byte is valid too). */
#define ESOCK_IPTOS_LOWDELAY 0x10
#define ESOCK_IPTOS_THROUGHPUT 0x08
#define ESOCK_IPTOS_RELIABILITY 0x04
#define ESOCK_IPTOS_MINCOST 0x02

/** ipv6_hops() value default: the route's default (set only). */
#define ESOCK_IPV6_HOPS_DEFAULT (-1)

/** msfilter modes. */
#define ESOCK_MCAST_INCLUDE 1
#define ESOCK_MCAST_EXCLUDE 0

/** Longest string option value (without NUL) esock_optval_t carries. */
#define ESOCK_OPT_STRMAX 63

/** linger(): abort is {onoff = true, linger = 0} (the page's set-only shorthand). */
typedef struct esock_linger {
    bool onoff;
    int linger; /**< seconds, >= 0 */
} esock_linger_t;

/** timeval(): seconds and microseconds (0..999999). */
typedef struct esock_timeval {
    int64_t sec;
    int32_t usec;
} esock_timeval_t;

/** ip_mreq(): both addresses IPv4 (interface 0.0.0.0 = any). */
typedef struct esock_ip_mreq {
    esock_ip_t multiaddr;
    esock_ip_t interface;
} esock_ip_mreq_t;

/** ip_mreq_source(). */
typedef struct esock_ip_mreq_source {
    esock_ip_t multiaddr;
    esock_ip_t interface;
    esock_ip_t sourceaddr;
} esock_ip_mreq_source_t;

/**
 * ip_msfilter(). @c slist points at @c nsrc caller-owned IPv4 addresses,
 * read during the call only. @c null true passes a NULL pointer and size 0
 * (the page's `null` value).
 */
typedef struct esock_ip_msfilter {
    bool null;
    esock_ip_t multiaddr;
    esock_ip_t interface;
    int mode; /**< ESOCK_MCAST_INCLUDE or ESOCK_MCAST_EXCLUDE */
    size_t nsrc;
    const esock_ip_t *slist;
} esock_ip_msfilter_t;

/** ipv6_mreq(): an IPv6 group and an interface index (0 = any). */
typedef struct esock_ipv6_mreq {
    esock_ip_t multiaddr;
    unsigned interface;
} esock_ipv6_mreq_t;

/** sctp_assocparams() (the page's field names). */
typedef struct esock_sctp_assocparams {
    int32_t assoc_id;
    uint16_t asocmaxrxt;
    uint16_t number_peer_destinations;
    uint32_t peer_rwnd;
    uint32_t local_rwnd;
    uint32_t cookie_life;
} esock_sctp_assocparams_t;

/** sctp_event_subscribe() ('_event' suffixes stripped, as on the page). */
typedef struct esock_sctp_event_subscribe {
    bool data_io, association, address, send_failure, peer_error, shutdown,
        partial_delivery, adaptation_layer, sender_dry;
} esock_sctp_event_subscribe_t;

/** sctp_initmsg(). */
typedef struct esock_sctp_initmsg {
    uint16_t num_ostreams;
    uint16_t max_instreams;
    uint16_t max_attempts;
    uint16_t max_init_timeo;
} esock_sctp_initmsg_t;

/** sctp_rtoinfo(). */
typedef struct esock_sctp_rtoinfo {
    int32_t assoc_id;
    uint32_t initial;
    uint32_t max;
    uint32_t min;
} esock_sctp_rtoinfo_t;

/** A NUL-terminated string value of at most ESOCK_OPT_STRMAX bytes. */
typedef struct esock_optstr {
    char s[ESOCK_OPT_STRMAX + 1];
} esock_optstr_t;

/** The stable part of Linux's struct tcp_info (times in microseconds). */
typedef struct esock_tcp_info {
    uint8_t state, ca_state, retransmits, probes, backoff, options;
    uint8_t snd_wscale, rcv_wscale;
    uint32_t rto, ato, snd_mss, rcv_mss;
    uint32_t unacked, sacked, lost, retrans, fackets;
    uint32_t last_data_sent, last_ack_sent, last_data_recv, last_ack_recv;
    uint32_t pmtu, rcv_ssthresh, rtt, rttvar, snd_ssthresh, snd_cwnd, advmss, reordering;
    uint32_t rcv_rtt, rcv_space, total_retrans;
} esock_tcp_info_t;

/** Peer credentials of a local socket. */
typedef struct esock_ucred {
    int32_t pid;
    uint32_t uid;
    uint32_t gid;
} esock_ucred_t;

/**
 * A raw value: @c buf (caller-owned) of @c len bytes. For a get, @c len is the
 * capacity in and the length the OS wrote out; the buffer's content is passed
 * to the OS as is (for in/out options).
 */
typedef struct esock_bytes {
    void *buf;
    size_t len;
} esock_bytes_t;

/**
 * {otp, rcvbuf}: {N, Size}. @c size is OTP's default receive size (0 = the
 * library default, 8192); @c n 0 or 1 is a single read. @c n > 1: a stream
 * esock_recv of no length reads up to n reads of size bytes each (so up to
 * n * size bytes, never more than its cap), going on while each read filled
 * its size; a read that finds nothing after the first ends the call with
 * what there is. Lengths, datagrams, recvfrom and recvmsg ignore n.
 * n * size may be at most 1 GiB (else ESOCK_EINVAL_VALUE).
 */
typedef struct esock_otp_rcvbuf {
    unsigned n;
    size_t size;
} esock_otp_rcvbuf_t;

/** A typed option value: @c type selects the member of @c u. */
typedef struct esock_optval {
    esock_optval_type_t type;
    union {
        bool b;
        int i;
        esock_linger_t linger;
        esock_timeval_t tv;
        esock_ip_mreq_t mreq;
        esock_ip_mreq_source_t mreq_source;
        esock_ip_msfilter_t msfilter;
        esock_ipv6_mreq_t mreq6;
        esock_sctp_assocparams_t assocparams;
        esock_sctp_event_subscribe_t events;
        esock_sctp_initmsg_t initmsg;
        esock_sctp_rtoinfo_t rtoinfo;
        esock_optstr_t str;
        esock_tcp_info_t tcp_info;
        esock_ip_t ip;
        esock_ucred_t ucred;
        esock_bytes_t bytes;
        esock_otp_rcvbuf_t rcvbuf;
        size_t bufsz;
        uint64_t meta;
        esock_mbox_t mbox;
    } u;
} esock_optval_t;

/* ---- the table ---------------------------------------------------------------- */

/** Access bits of an option. */
#define ESOCK_OPT_GET 1u
#define ESOCK_OPT_SET 2u

/** What the table says about one option, on this build. */
typedef struct esock_optinfo {
    esock_opt_t opt;
    esock_level_t level;
    const char *level_name;  /**< "socket", "ip", ... */
    const char *name;        /**< the Erlang atom: "linger" */
    esock_optval_type_t type;
    unsigned access;         /**< ESOCK_OPT_GET | ESOCK_OPT_SET */
    const char *native_name; /**< "SO_LINGER"; "" for the otp level */
    bool supported;          /**< this build has the option (native constant present, not disabled) */
    int native_level;        /**< SOL_SOCKET, IPPROTO_TCP, ...; -1 if none */
    int native_opt;          /**< the constant; -1 if none */
    const char *note;        /**< the reference page's remark ("" if none) */
} esock_optinfo_t;

/** Describe @p opt. Returns 0, or ESOCK_EINVAL_OPTION for an unknown id. */
ESOCK_API int esock_opt_info(esock_opt_t opt, esock_optinfo_t *info);

/**
 * The id of option @p name at level @p level (Erlang atoms: "socket",
 * "linger"), or ESOCK_OPT_NONE if the table has no such option.
 */
ESOCK_API esock_opt_t esock_opt_lookup(const char *level, const char *name);

/** "socket", "ip", ... for a level; NULL if out of range. */
ESOCK_API const char *esock_level_name(esock_level_t level);
/** The level of an atom ("ipv6"), or -1. */
ESOCK_API int esock_level_lookup(const char *name);
/** The OS level number (SOL_SOCKET, IPPROTO_*), or -1 for otp / unknown. */
ESOCK_API int esock_level_native(esock_level_t level);
/** "boolean", "integer", "linger", ... ; NULL if out of range. */
ESOCK_API const char *esock_optval_type_name(esock_optval_type_t type);

/* ---- getopt / setopt -------------------------------------------------------------- */

/**
 * socket:getopt/2. Fills @p val (val->type is set to the option's type). For
 * ESOCK_OVT_BYTES options the caller sets val->type = ESOCK_OVT_BYTES and
 * val->u.bytes (buffer and capacity) first. Errors: see the top of this file.
 */
ESOCK_API int esock_getopt(esock_t s, esock_opt_t opt, esock_optval_t *val);

/**
 * socket:setopt/3. @p val->type must be the option's type (ESOCK_EINVAL_VALUE
 * otherwise). The library keeps no pointer into @p val after the call.
 */
ESOCK_API int esock_setopt(esock_t s, esock_opt_t opt, const esock_optval_t *val);

/**
 * Shortcuts for options whose value is a C int or a boolean. The _int forms
 * accept every type carried in u.i (INT, IP_TOS, IPV6_HOPS, the pmtudisc
 * enums, DOMAIN, SOCKTYPE, PROTOCOL, ERROR) and OTP_BUFSZ; the _bool forms
 * BOOL. Any other type gives ESOCK_EINVAL_VALUE.
 */
ESOCK_API int esock_getopt_int(esock_t s, esock_opt_t opt, int *v);
ESOCK_API int esock_setopt_int(esock_t s, esock_opt_t opt, int v);
ESOCK_API int esock_getopt_bool(esock_t s, esock_opt_t opt, bool *v);
ESOCK_API int esock_setopt_bool(esock_t s, esock_opt_t opt, bool v);

/* ---- native access ------------------------------------------------------------------ */

/**
 * The native level and option number of @p opt (for the native calls below,
 * the C form of getopt_native's {Level, Opt} forms). Returns 0,
 * ESOCK_EINVAL_OPTION (unknown or otp level) or ESOCK_ENOTSUP_OPTION.
 */
ESOCK_API int esock_opt_native(esock_opt_t opt, int *native_level, int *native_opt);

/**
 * socket:getopt_native/3 with an integer NativeLevel and NativeOpt (use
 * esock_level_native() for a known level and esock_opt_native() for a known
 * option). _int reads a C int; _bool a C int as a boolean; _buf reads into
 * @p buf, whose content is passed to the OS first (ValueSpec), @p *len is the
 * capacity in and the length out (ValueSize: pass a zeroed buffer); a
 * capacity above INT_MAX (the OS's limit) counts as INT_MAX.
 * Returns 0, -errno, ESOCK_ECLOSED / -EBADF, ESOCK_EINVAL_VALUE (NULL
 * pointers).
 */
ESOCK_API int esock_getopt_native_int(esock_t s, int level, int opt, int *v);
ESOCK_API int esock_getopt_native_bool(esock_t s, int level, int opt, bool *v);
ESOCK_API int esock_getopt_native_buf(esock_t s, int level, int opt, void *buf, size_t *len);

/**
 * socket:setopt_native/3: a C int, a boolean (as C int 0/1) or @p len raw
 * bytes. A @p len above INT_MAX (the OS's limit), or buf NULL with len > 0,
 * gives ESOCK_EINVAL_VALUE; the same holds for an ESOCK_OVT_BYTES value
 * given to esock_setopt().
 */
ESOCK_API int esock_setopt_native_int(esock_t s, int level, int opt, int v);
ESOCK_API int esock_setopt_native_bool(esock_t s, int level, int opt, bool v);
ESOCK_API int esock_setopt_native_buf(esock_t s, int level, int opt, const void *buf, size_t len);

/* ---- supports / is_supported ---------------------------------------------------------- */

/** One entry of a supports() list. */
typedef struct esock_supports_item {
    const char *level; /**< for supports("options"): the option's level; else NULL */
    const char *key;   /**< the key: "ipv6", "peek", "gifmtu", "linger", ... */
    bool is_list;      /**< the entry is a list (ask supports(key) for it) */
    bool value;        /**< supported (meaningless when is_list) */
} esock_supports_item_t;

/**
 * socket:supports/0,1,2. @p key1 NULL gives the top level (the booleans
 * sctp, ipv6, local, netns, sendfile and the lists options, msg_flags,
 * protocols, ioctl_requests, ioctl_flags); supports("options") every option
 * (with its level); supports("options", "tcp") one level's options;
 * supports("msg_flags"), ("protocols"), ("ioctl_requests"), ("ioctl_flags").
 * Unknown keys give an empty list. Writes at most @p cap items to @p out (out
 * may be NULL when cap is 0) and returns the number of items in the list.
 * The answers are what this build on this machine supports (IPv6 and SCTP are
 * probed once by opening a socket). Strings are static.
 */
ESOCK_API size_t esock_supports(const char *key1, const char *key2,
                                esock_supports_item_t *out, size_t cap);

/**
 * socket:is_supported/1,2,3: the boolean supports() reports for the path
 * (key2/key3 NULL when not used): ("ipv6"), ("msg_flags", "peek"),
 * ("options", "socket", "linger"). Unknown keys and list entries give false.
 */
ESOCK_API bool esock_is_supported(const char *key1, const char *key2, const char *key3);

/* ---- ioctl ------------------------------------------------------------------------------ */

/** ioctl requests (gif* get, sif* set). */
typedef enum esock_ioctl_request {
    ESOCK_IOCTL_NONE = 0,
    ESOCK_IOCTL_GIFCONF,
    ESOCK_IOCTL_GIFNAME,    /**< index -> name */
    ESOCK_IOCTL_GIFINDEX,   /**< name -> u.i */
    ESOCK_IOCTL_GIFADDR,    /**< name -> u.addr */
    ESOCK_IOCTL_GIFDSTADDR,
    ESOCK_IOCTL_GIFBRDADDR,
    ESOCK_IOCTL_GIFNETMASK,
    ESOCK_IOCTL_GIFHWADDR,  /**< u.addr: ESOCK_FAMILY_NATIVE, raw.family = ARPHRD_* type, 14 data bytes */
    ESOCK_IOCTL_GIFMTU,
    ESOCK_IOCTL_GIFTXQLEN,
    ESOCK_IOCTL_GIFFLAGS,   /**< u.flags: native IFF_* bits (see esock_ioctl_flag_*) */
    ESOCK_IOCTL_GIFMAP,
    ESOCK_IOCTL_SIFFLAGS,   /**< u.flags_change: bits to set and to clear */
    ESOCK_IOCTL_SIFADDR,
    ESOCK_IOCTL_SIFDSTADDR,
    ESOCK_IOCTL_SIFBRDADDR,
    ESOCK_IOCTL_SIFNETMASK,
    ESOCK_IOCTL_SIFHWADDR,
    ESOCK_IOCTL_SIFMTU,
    ESOCK_IOCTL_SIFTXQLEN,
    ESOCK_IOCTL__COUNT
} esock_ioctl_request_t;

/** Longest interface name plus NUL. */
#define ESOCK_IFNAMSIZ 16

/** gifmap result. */
typedef struct esock_ifmap {
    uint64_t mem_start, mem_end;
    uint16_t base_addr;
    uint8_t irq, dma, port;
} esock_ifmap_t;

/** The value of one ioctl request (in for sif*, out for gif*). */
typedef union esock_ifval {
    char name[ESOCK_IFNAMSIZ]; /**< gifname */
    int i;                     /**< gifindex, gifmtu, giftxqlen, sifmtu, siftxqlen */
    unsigned flags;            /**< gifflags */
    struct { unsigned set, clear; } flags_change; /**< sifflags */
    esock_sockaddr_t addr;     /**< gif/sif addr, dstaddr, brdaddr, netmask, hwaddr */
    esock_ifmap_t map;         /**< gifmap */
} esock_ifval_t;

/** One gifconf entry. */
typedef struct esock_ifconf_entry {
    char name[ESOCK_IFNAMSIZ];
    esock_sockaddr_t addr;
} esock_ifconf_entry_t;

/**
 * ioctl(S, gifconf): the configured interfaces. Writes at most @p cap entries
 * and sets @p *n to the number available. Returns 0, -errno, ESOCK_ECLOSED.
 */
ESOCK_API int esock_ioctl_gifconf(esock_t s, esock_ifconf_entry_t *out, size_t cap, size_t *n);

/**
 * ioctl(S, GetRequest, NameOrIndex): @p name names the interface (NUL-
 * terminated, shorter than ESOCK_IFNAMSIZ), except for gifname which takes
 * @p index. Returns 0, -errno (-ENODEV for no such interface,
 * -EADDRNOTAVAIL for no address), ESOCK_EINVAL_REQUEST for a request that is
 * not a get request (or gifconf), ESOCK_EINVAL_VALUE for a bad name.
 */
ESOCK_API int esock_ioctl_get(esock_t s, esock_ioctl_request_t req, const char *name,
                              int index, esock_ifval_t *out);

/**
 * ioctl(S, SetRequest, Name, Value). Privileged: without privilege the OS's
 * -EPERM. sifflags reads the flags, sets flags_change.set, clears
 * flags_change.clear and writes them back. Returns 0, -errno,
 * ESOCK_EINVAL_REQUEST, ESOCK_EINVAL_VALUE.
 */
ESOCK_API int esock_ioctl_set(esock_t s, esock_ioctl_request_t req, const char *name,
                              const esock_ifval_t *val);

/** "gifconf", ... for a request; NULL if out of range. */
ESOCK_API const char *esock_ioctl_request_name(esock_ioctl_request_t req);

/** ioctl_device_flag() atoms: the name of one native IFF_* bit, or NULL. */
ESOCK_API const char *esock_ioctl_flag_name(unsigned bit);
/** The native IFF_* bit of a flag atom ("up"), or 0 if unknown/unsupported. */
ESOCK_API unsigned esock_ioctl_flag_lookup(const char *name);

ESOCK_END_DECLS

#endif /* ESOCK_OPT_H */
