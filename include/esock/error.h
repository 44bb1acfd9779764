/*
 * esock/error.h - error codes, their Erlang names and format_error texts.
 *
 * Every esock function that can fail returns an int: 0 on success, a negative
 * code on failure, and a positive code for an outcome that is not an error
 * (ESOCK_SELECT). A negative code is one of:
 *
 *   - -errno, untranslated, for an error the OS reported (-ECONNRESET, ...);
 *   - an ESOCK_E* code below, for a reason Erlang has and errno does not.
 *     These live in a block (magnitude ESOCK_ERR_BASE and up) that no errno
 *     reaches, so the two never collide.
 *
 * One table (src/error/errtab.h) drives esock_errname(), esock_format_error()
 * and esock_errcode(): the Erlang atom of a code, the exact text
 * inet:format_error/1 returns for it, and the code of an atom.
 *
 * Thread safety: every function here is pure and may be called from any
 * thread. The returned strings are static and must not be freed.
 */
#ifndef ESOCK_ERROR_H
#define ESOCK_ERROR_H

#include <esock/common.h>

ESOCK_BEGIN_DECLS

/** Magnitude of the first library error code. Larger than any errno. */
#define ESOCK_ERR_BASE 0x4000

/** A nowait call could not complete: a select message follows (positive). */
#define ESOCK_SELECT 1
/** A nowait call completed partly; the rest follows a select message. */
#define ESOCK_SELECT_PARTIAL 2

enum esock_errcode {
    /* Erlang reasons with no errno. */
    ESOCK_ETIMEOUT = -(ESOCK_ERR_BASE + 1),   /**< "timeout": the caller's deadline passed (not -ETIMEDOUT) */
    ESOCK_ECLOSED = -(ESOCK_ERR_BASE + 2),    /**< "closed": socket closed, locally, by another thread or by the peer */
    ESOCK_ENXDOMAIN = -(ESOCK_ERR_BASE + 3),  /**< "nxdomain": the host name does not exist */
    ESOCK_ESYSTEM_LIMIT = -(ESOCK_ERR_BASE + 4), /**< "system_limit" */
    ESOCK_EXBADPORT = -(ESOCK_ERR_BASE + 5),  /**< "exbadport": invalid port state */
    ESOCK_EXBADSEQ = -(ESOCK_ERR_BASE + 6),   /**< "exbadseq": bad command sequence */
    ESOCK_EALREADY_OP = -(ESOCK_ERR_BASE + 7), /**< "already": the operation is already in progress (socket:connect) */
    ESOCK_EBADARG = -(ESOCK_ERR_BASE + 8),    /**< "badarg": an argument Erlang would reject with badarg */

    /* Framing errors (decode_packet, packet modes); a packet over packet_size is -EMSGSIZE, as in OTP. */
    ESOCK_EINVALID = -(ESOCK_ERR_BASE + 16),  /**< "invalid": malformed packet (decode_packet {error, invalid}) */

    /* Invalid-argument detail: OTP's {invalid, What}. */
    ESOCK_EINVAL_DOMAIN = -(ESOCK_ERR_BASE + 32),   /**< {invalid, {domain, D}} */
    ESOCK_EINVAL_TYPE = -(ESOCK_ERR_BASE + 33),     /**< {invalid, {type, T}} */
    ESOCK_EINVAL_PROTOCOL = -(ESOCK_ERR_BASE + 34), /**< {invalid, {protocol, P}} */
    ESOCK_EINVAL_ADDRESS = -(ESOCK_ERR_BASE + 35),  /**< {invalid, {sockaddr, A}} */
    ESOCK_EINVAL_OPTION = -(ESOCK_ERR_BASE + 36),   /**< {invalid, {socket_option, O}}: unknown option */
    ESOCK_EINVAL_VALUE = -(ESOCK_ERR_BASE + 37),    /**< {invalid, {value, V}}: wrong value type or range */
    ESOCK_EINVAL_FLAG = -(ESOCK_ERR_BASE + 38),     /**< {invalid, {flag, F}}: unknown message flag */
    ESOCK_EINVAL_SELECTINFO = -(ESOCK_ERR_BASE + 39), /**< {invalid, SelectInfo}: cancel of no such operation */
    ESOCK_EINVAL_TIMEOUT = -(ESOCK_ERR_BASE + 40),  /**< {invalid, {timeout, T}} */
    ESOCK_EINVAL_LENGTH = -(ESOCK_ERR_BASE + 41),   /**< {invalid, {length, L}} */
    ESOCK_EINVAL_HANDLE = -(ESOCK_ERR_BASE + 42),   /**< a handle that was never valid (zero or garbage) */
    ESOCK_EINVAL_REQUEST = -(ESOCK_ERR_BASE + 43),  /**< {invalid, {ioctl_request, R}} */
    ESOCK_ENOTSUP_OPTION = -(ESOCK_ERR_BASE + 44),  /**< {invalid, {not_supported, O}}: option known but not on this platform / direction */

};

/**
 * The Erlang atom for @p code: "eaddrinuse" for -EADDRINUSE, "timeout" for
 * ESOCK_ETIMEOUT, "closed" for ESOCK_ECLOSED, "ok" for 0, "select" for
 * ESOCK_SELECT. An unknown code gives "unknown".
 * Returns a static string; never NULL.
 */
ESOCK_API const char *esock_errname(int code);

/**
 * Exactly the string inet:format_error/1 (OTP 25) returns for the atom of
 * @p code; "unknown POSIX error" where OTP knows no text (OTP gives that for
 * "timeout" and "closed" too). Returns a static string; never NULL.
 */
ESOCK_API const char *esock_format_error(int code);

/**
 * Like esock_format_error() but keyed by atom name (@p name, @p len bytes,
 * need not be NUL-terminated). Several atoms share one code on Linux
 * (ewouldblock = eagain, edeadlock = edeadlk, eopnotsupp = enotsup) and
 * each keeps its own text here. Unknown atoms give "unknown POSIX error".
 */
ESOCK_API const char *esock_format_error_atom(const char *name, size_t len);

/**
 * The code of the Erlang atom @p name (@p len bytes): -EADDRINUSE for
 * "eaddrinuse", ESOCK_ECLOSED for "closed". Atoms with no errno on this
 * platform get their library code. Returns 0 and sets nothing if the atom is
 * unknown (0 is never an error code). Case-sensitive, as atoms are.
 */
ESOCK_API int esock_errcode(const char *name, size_t len);

/**
 * A human sentence for @p code that is always informative (unlike
 * esock_format_error, which must match OTP): "socket closed", "operation
 * timed out", strerror() text for OS errors. Static string; never NULL.
 */
ESOCK_API const char *esock_strerror(int code);

ESOCK_END_DECLS

#endif /* ESOCK_ERROR_H */
