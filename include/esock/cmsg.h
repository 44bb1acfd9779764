/*
 * esock/cmsg.h - message flags, the message header of sendmsg/recvmsg, and
 * control messages (ancillary data) as OTP's socket module names them.
 *
 * Everything here is pure: no I/O, no allocation, no global state, so every
 * function may be called from any thread. Encoding writes into a caller
 * buffer; decoding reads a caller buffer and never reads outside the @p len
 * bytes it is given (every header and payload length is checked), so it is
 * safe on arbitrary bytes (fuzz/fuzz_cmsg.c).
 *
 * The sending and receiving calls themselves (esock_sendmsg, esock_recvmsg,
 * esock_sendfile) are declared in socket.h.
 */
#ifndef ESOCK_CMSG_H
#define ESOCK_CMSG_H

#include <esock/addr.h>
#include <esock/common.h>
#include <esock/error.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

ESOCK_BEGIN_DECLS

/* ---- message flags (msg_flag()) ------------------------------------------- */

/**
 * The MSG_* value of an OTP flag name: "cmsg_cloexec", "confirm", "ctrunc",
 * "dontroute", "eor", "errqueue", "more", "nosignal", "oob",
 * "peek", "trunc", "waitall". ESOCK_EINVAL_FLAG for an unknown name or one
 * this platform lacks ({invalid, {flag, F}}).
 */
ESOCK_API int esock_msg_flag(const char *name);

/** The OTP name of one MSG_* bit, or NULL if it has none. */
ESOCK_API const char *esock_msg_flag_name(int flag);

/**
 * The names of every bit set in @p flags, in table order, into @p names
 * (up to @p cap); returns how many bits have names (may be > cap). Bits
 * without a name are left out; @p rest (may be NULL) receives them.
 */
ESOCK_API size_t esock_msg_flag_names(int flags, const char **names, size_t cap, int *rest);

/* ---- the message header: msg_hdr() ---------------------------------------- */

/**
 * sendmsg / recvmsg message. The caller owns every pointer.
 *  - addr:  sendmsg: destination (NULL on a connected socket);
 *           recvmsg: receives the source address (NULL = not wanted).
 *  - iov/iovlen: the data; any number of vectors (more than IOV_MAX too).
 *  - ctrl/ctrllen: sendmsg: encoded control messages (esock_cmsg_encode)
 *           or NULL/0. recvmsg: on input the control buffer and its size;
 *           ctrl NULL = esock_recvmsg allocates {otp, rcvctrlbuf} bytes
 *           (default 1024) and sets ctrl (free it with esock_msghdr_release);
 *           on output ctrllen is the number of control bytes received.
 *  - flags: recvmsg output: the msg_flags (MSG_TRUNC, MSG_CTRUNC, MSG_EOR,
 *           MSG_ERRQUEUE...). Unused by sendmsg (flags are an argument).
 *  - ctrl_owned: set by esock_recvmsg when it allocated ctrl (start with it
 *           false: zero-initialise the struct). A msghdr reused while it
 *           still owns a buffer gets that buffer released and a fresh one.
 */
typedef struct esock_msghdr {
    esock_sockaddr_t *addr;
    const struct iovec *iov;
    size_t iovlen;
    void *ctrl;
    size_t ctrllen;
    int flags;
    bool ctrl_owned;
} esock_msghdr_t;

/** Frees a control buffer esock_recvmsg allocated (no-op otherwise). */
ESOCK_API void esock_msghdr_release(esock_msghdr_t *m);

/* ---- control messages: cmsg_send() / cmsg_recv() ---------------------------- */

/** What a control message was decoded as (OTP's level/type atoms). */
typedef enum esock_cmsg_kind {
    ESOCK_CMSG_RAW = 0,       /**< unknown: level, type and data only */
    ESOCK_CMSG_TIMESTAMP,     /**< socket/timestamp: v.timestamp (SO_TIMESTAMP timeval) */
    ESOCK_CMSG_RIGHTS,        /**< socket/rights: v.rights (SCM_RIGHTS) */
    ESOCK_CMSG_CREDENTIALS,   /**< socket/credentials: v.cred (SCM_CREDENTIALS) */
    ESOCK_CMSG_IP_TOS,        /**< ip/tos: v.i (the byte) */
    ESOCK_CMSG_IP_RECVTOS,    /**< ip/recvtos: v.i (Linux delivers IP_TOS; see docs) */
    ESOCK_CMSG_IP_TTL,        /**< ip/ttl: v.i */
    ESOCK_CMSG_IP_RECVTTL,    /**< ip/recvttl: v.i */
    ESOCK_CMSG_IP_PKTINFO,    /**< ip/pktinfo: v.pktinfo (ifindex, spec_dst, addr) */
    ESOCK_CMSG_IP_ORIGDSTADDR,/**< ip/origdstaddr: v.addr */
    ESOCK_CMSG_IP_RECVERR,    /**< ip/recverr: v.err */
    ESOCK_CMSG_IPV6_HOPLIMIT, /**< ipv6/hoplimit: v.i */
    ESOCK_CMSG_IPV6_PKTINFO,  /**< ipv6/pktinfo: v.pktinfo (ifindex, addr) */
    ESOCK_CMSG_IPV6_TCLASS,   /**< ipv6/tclass: v.i */
    ESOCK_CMSG_IPV6_RECVERR   /**< ipv6/recverr: v.err */
} esock_cmsg_kind_t;

/** SO_EE_ORIGIN_* values of esock_extended_err.origin (OTP: none|local|icmp|icmp6). */
#define ESOCK_EE_ORIGIN_NONE 0
#define ESOCK_EE_ORIGIN_LOCAL 1
#define ESOCK_EE_ORIGIN_ICMP 2
#define ESOCK_EE_ORIGIN_ICMP6 3

/** extended_err(): struct sock_extended_err and the offender address. */
typedef struct esock_extended_err {
    int error;        /**< the errno (positive, as the kernel gives it) */
    int origin;       /**< ESOCK_EE_ORIGIN_* or another integer */
    int type, code;   /**< ICMP type/code when origin is icmp/icmp6 */
    uint32_t info, data;
    bool has_offender; /**< an offender address followed the struct */
    esock_sockaddr_t offender;
} esock_extended_err_t;

/** ip_pktinfo() / in6_pktinfo. spec_dst is unset (family 0) for IPv6. */
typedef struct esock_pktinfo {
    int ifindex;
    esock_ip_t spec_dst, addr;
} esock_pktinfo_t;

/**
 * One control message. Decoding fills level, type, kind, data/len (the raw
 * payload, pointing into the decoded buffer: valid while it is) and, when
 * kind is not RAW, the member of v that kind names. Encoding uses kind and
 * v, or for ESOCK_CMSG_RAW level, type and data/len.
 */
typedef struct esock_cmsg {
    int level, type;          /**< OS numbers (SOL_SOCKET, IPPROTO_IP, ...) */
    esock_cmsg_kind_t kind;
    const uint8_t *data;
    size_t len;
    union {
        struct { int64_t sec, usec; } timestamp;
        struct {
            size_t n;          /**< number of descriptors */
            const int *fds;    /**< encode: the fds to pass; decode: NULL (use esock_cmsg_rights_fd) */
        } rights;
        struct { int32_t pid; uint32_t uid, gid; } cred;
        int i;
        esock_pktinfo_t pktinfo;
        esock_sockaddr_t addr;
        esock_extended_err_t err;
    } v;
} esock_cmsg_t;

/**
 * Decodes the next control message of @p buf (@p len bytes) at offset *pos,
 * and advances *pos past it. Returns 1 with *out filled, 0 at the end, or
 * ESOCK_EINVALID when the header at *pos is malformed (a cmsg_len shorter
 * than the header or running past @p len): decoding stops there. A message
 * whose payload is too short for its kind comes back as ESOCK_CMSG_RAW.
 * -EFAULT for a NULL @p pos or @p out; a NULL @p buf has no messages.
 */
ESOCK_API int esock_cmsg_next(const void *buf, size_t len, size_t *pos, esock_cmsg_t *out);

/**
 * Decodes every control message into @p out (up to @p cap). Returns the
 * number of messages found (may be > cap), or ESOCK_EINVALID if a header is
 * malformed (the messages before it are in @p out).
 */
ESOCK_API int esock_cmsg_decode(const void *buf, size_t len, esock_cmsg_t *out, size_t cap);

/** The i-th descriptor of a decoded rights message, or -1 past the end. */
ESOCK_API int esock_cmsg_rights_fd(const esock_cmsg_t *c, size_t i);

/**
 * Encodes @p n messages into @p buf (@p cap bytes), aligned as the OS
 * wants, and sets *len to the bytes used. Encodable kinds: TIMESTAMP,
 * RIGHTS, CREDENTIALS, IP_TOS, IP_TTL, IP_PKTINFO, IPV6_HOPLIMIT,
 * IPV6_PKTINFO, IPV6_TCLASS, and RAW. Returns 0, -ENOSPC if @p buf is too
 * small (*len then is the size needed), or ESOCK_EINVAL_VALUE for a kind
 * that cannot be sent or a value out of range (tos/ttl/tclass 0..255,
 * hoplimit -1..255), -EFAULT for a NULL @p in with @p n > 0.
 */
ESOCK_API int esock_cmsg_encode(void *buf, size_t cap, size_t *len, const esock_cmsg_t *in,
                                size_t n);

/** The bytes esock_cmsg_encode needs for @p in (0 if a kind is not encodable, or @p in is NULL). */
ESOCK_API size_t esock_cmsg_space(const esock_cmsg_t *in, size_t n);

/** OTP's atoms for a message: level ("socket", "ip", "ipv6" or NULL) and type (NULL if unknown, or @p c is NULL). */
ESOCK_API const char *esock_cmsg_level_name(int level);
ESOCK_API const char *esock_cmsg_type_name(const esock_cmsg_t *c);

ESOCK_END_DECLS

#endif
