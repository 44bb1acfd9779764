/*
 * src/opt/opt_int.h - internals of the option module shared by its files:
 * the compiled option table, value conversion (pure) and the supports and
 * ioctl tables.
 */
#ifndef ESOCK_OPT_OPT_INT_H
#define ESOCK_OPT_OPT_INT_H

#include <esock/opt.h>

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

/** One row of the option table as compiled on this platform. */
typedef struct esock__optdef {
    esock_level_t level;
    const char *name;          /* Erlang atom */
    esock_optval_type_t type;
    unsigned access;           /* ESOCK_OPT_GET | ESOCK_OPT_SET */
    const char *native_name;   /* "SO_LINGER", "" for otp */
    int native_opt;            /* -1 when the platform lacks it */
    const char *note;
} esock__optdef_t;

/** Indexed by esock_opt_t; row 0 is empty. */
extern const esock__optdef_t esock__opttab[ESOCK_OPT__COUNT];

/** The row of @p opt, or NULL for an out-of-range id. */
const esock__optdef_t *esock__optdef(esock_opt_t opt);

/**
 * Whether this build supports @p opt: the otp level always; an OS option
 * when its constant exists, it is not disabled (peek_off; rcvtimeo and
 * sndtimeo unless ESOCK_ENABLE_RCVSNDTIMEO) and, for sctp, when SCTP
 * sockets can be opened here.
 */
bool esock__opt_supported(esock_opt_t opt);

/** Runtime probes, computed once (thread-safe). */
bool esock__have_ipv6(void);
bool esock__have_sctp(void);

/* ---- value conversion: pure, no I/O ---------------------------------------- */

/** Big enough for every fixed-size native value (msfilter may need more). */
#define ESOCK__NATIVE_MAX 512

/**
 * Encode @p v (whose type must be @p type) into the OS form in @p buf
 * (@p cap bytes). Sets @p *len. Returns 0, ESOCK_EINVAL_VALUE for a value
 * out of range or of another type, -ENOSPC (with *len = the size needed)
 * when cap is too small. For ESOCK_OVT_BYTES the bytes are copied, and a
 * null msfilter gives len 0.
 */
int esock__optval_to_native(esock_optval_type_t type, const esock_optval_t *v, void *buf,
                            size_t cap, size_t *len);

/**
 * Decode @p len bytes of the OS form into @p v (v->type = @p type). For
 * ESOCK_OVT_BYTES, v->u.bytes must already hold the destination buffer.
 * Returns 0 or ESOCK_EINVAL_VALUE (too short, or a value the type cannot
 * carry, e.g. an unknown PMTU discovery mode). ip_msfilter cannot be
 * decoded (it is set-only and refers to caller memory): ESOCK_EINVAL_VALUE.
 */
int esock__optval_from_native(esock_optval_type_t type, const void *buf, size_t len,
                              esock_optval_t *v);

/** The buffer size getsockopt needs for @p type (0 for non-native types). */
size_t esock__optval_native_size(esock_optval_type_t type);

/** Equality of two values of the same type (for tests and the fuzzer). */
bool esock__optval_equal(const esock_optval_t *a, const esock_optval_t *b);

/* ---- ioctl on a raw fd (no socket handle needed) ------------------------------ */

int esock__ioctl_gifconf_fd(int fd, esock_ifconf_entry_t *out, size_t cap, size_t *n);
int esock__ioctl_get_fd(int fd, esock_ioctl_request_t req, const char *name, int index,
                        esock_ifval_t *out);
int esock__ioctl_set_fd(int fd, esock_ioctl_request_t req, const char *name,
                        const esock_ifval_t *val);


/* ---- name tables shared by ioctl.c and supports.c -------------------------------- */

/** A name and its native value; native -1 when this platform lacks it. */
typedef struct esock__named {
    const char *name;
    long native;
} esock__named_t;

/** ioctl requests, indexed by esock_ioctl_request_t (row 0 empty). */
extern const esock__named_t esock__ioctl_reqs[ESOCK_IOCTL__COUNT];
/** ioctl_device_flag() atoms with their IFF_* bit (-1 if absent). */
extern const esock__named_t esock__ifflags[];
extern const size_t esock__n_ifflags;

/* ---- getopt / setopt on a raw fd (OS levels only) -------------------------------- */

/**
 * The checks and conversion of getopt/setopt for an OS-level option, then
 * getsockopt/setsockopt on @p fd. Order: unknown id (ESOCK_EINVAL_OPTION),
 * otp level (ESOCK_EINVAL_OPTION: the caller handles it), access
 * (ESOCK_EINVAL_OPTION), value type (ESOCK_EINVAL_VALUE), support
 * (ESOCK_ENOTSUP_OPTION), value range (ESOCK_EINVAL_VALUE), OS (-errno).
 */
int esock__getopt_fd(int fd, esock_opt_t opt, esock_optval_t *val);
int esock__setopt_fd(int fd, esock_opt_t opt, const esock_optval_t *val);

/** The native access of getopt_native / setopt_native on @p fd. The kernel
 * takes an option length as an int: a get's capacity above
 * ESOCK__OPTLEN_MAX counts as that, a longer set is ESOCK_EINVAL_VALUE. */
#define ESOCK__OPTLEN_MAX ((size_t)INT_MAX)
int esock__getsockopt_fd(int fd, int level, int opt, void *buf, size_t *len);
int esock__setsockopt_fd(int fd, int level, int opt, const void *buf, size_t len);

/* ---- the otp level ------------------------------------------------------------------ */

/** OTP 25's defaults: {otp, rcvbuf} 8192, {otp, rcvctrlbuf} / {otp, sndctrlbuf} 1024. */
#define ESOCK__OTP_RCVBUF_DEFAULT 8192
#define ESOCK__OTP_CTRLBUF_DEFAULT 1024
/** Largest buffer an otp size may ask for (n * size for rcvbuf). */
#define ESOCK__OTP_BUF_MAX ((size_t)1 << 30)

/**
 * Check a value for a settable otp option and apply the defaults (size 0
 * means "default"; rcvbuf n 0 means 1). Returns 0 with *out ready to store,
 * ESOCK_EINVAL_OPTION (not a settable otp option) or ESOCK_EINVAL_VALUE.
 */
int esock__otp_normalize(esock_opt_t opt, const esock_optval_t *in, esock_optval_t *out);

#endif
