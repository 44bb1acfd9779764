/*
 * src/opt/optfd.c - getopt/setopt of OS-level options on a file descriptor:
 * validate against the table, convert, call the OS.
 */
#include "opt/opt_int.h"
#include "opt/optsys.h"
#include "sys/sys.h"

#include <errno.h>
#include <string.h>

/* A size_t length beyond ESOCK__OPTLEN_MAX would reach the kernel cut to
 * its low bits (2^32 + 4 becomes 4). A get's length is a capacity, so a
 * larger one is clamped; a set's is the value's size, so it is refused. */

int esock__getsockopt_fd(int fd, int level, int opt, void *buf, size_t *len)
{
    socklen_t l = (socklen_t)(*len < ESOCK__OPTLEN_MAX ? *len : ESOCK__OPTLEN_MAX);
    if (esock__sys.getsockopt(fd, level, opt, buf, &l) < 0)
        return -errno;
    *len = l;
    return 0;
}

int esock__setsockopt_fd(int fd, int level, int opt, const void *buf, size_t len)
{
    if (len > ESOCK__OPTLEN_MAX)
        return ESOCK_EINVAL_VALUE;
    if (esock__sys.setsockopt(fd, level, opt, len ? buf : NULL, (socklen_t)len) < 0)
        return -errno;
    return 0;
}

/* The checks shared by get and set, in the documented order. */
static int check(esock_opt_t opt, unsigned need, const esock__optdef_t **out)
{
    const esock__optdef_t *d = esock__optdef(opt);
    if (d == NULL || d->level == ESOCK_LEVEL_OTP || !(d->access & need))
        return ESOCK_EINVAL_OPTION;
    *out = d;
    return 0;
}

int esock__getopt_fd(int fd, esock_opt_t opt, esock_optval_t *val)
{
    const esock__optdef_t *d;
    int rc = check(opt, ESOCK_OPT_GET, &d);
    if (rc)
        return rc;
    if (val == NULL)
        return ESOCK_EINVAL_VALUE;
    if (d->type == ESOCK_OVT_BYTES && val->type != ESOCK_OVT_BYTES)
        return ESOCK_EINVAL_VALUE; /* the caller must supply the buffer */
    if (!esock__opt_supported(opt))
        return ESOCK_ENOTSUP_OPTION;
    int level = esock_level_native(d->level);
    if (d->type == ESOCK_OVT_BYTES) {
        size_t len = val->u.bytes.len;
        if (len > 0 && val->u.bytes.buf == NULL)
            return ESOCK_EINVAL_VALUE;
        rc = esock__getsockopt_fd(fd, level, d->native_opt, val->u.bytes.buf, &len);
        if (rc == 0)
            val->u.bytes.len = len;
        return rc;
    }
    unsigned char buf[ESOCK__NATIVE_MAX];
    size_t len = esock__optval_native_size(d->type);
    if (len == 0 || len > sizeof buf)
        return ESOCK_ENOTSUP_OPTION;
    memset(buf, 0, sizeof buf);
    rc = esock__getsockopt_fd(fd, level, d->native_opt, buf, &len);
    if (rc)
        return rc;
    return esock__optval_from_native(d->type, buf, len, val);
}

int esock__setopt_fd(int fd, esock_opt_t opt, const esock_optval_t *val)
{
    const esock__optdef_t *d;
    int rc = check(opt, ESOCK_OPT_SET, &d);
    if (rc)
        return rc;
    if (val == NULL || val->type != d->type)
        return ESOCK_EINVAL_VALUE;
    if (!esock__opt_supported(opt))
        return ESOCK_ENOTSUP_OPTION;
    int level = esock_level_native(d->level);
    if (d->type == ESOCK_OVT_BYTES) {
        if (val->u.bytes.len > 0 && val->u.bytes.buf == NULL)
            return ESOCK_EINVAL_VALUE;
        return esock__setsockopt_fd(fd, level, d->native_opt, val->u.bytes.buf, val->u.bytes.len);
    }
    unsigned char stackbuf[ESOCK__NATIVE_MAX];
    void *buf = stackbuf;
    size_t len;
    rc = esock__optval_to_native(d->type, val, buf, sizeof stackbuf, &len);
    if (rc == -ENOSPC) {
        /* only a long msfilter source list gets here */
        if ((buf = esock__malloc(len)) == NULL)
            return -ENOMEM;
        rc = esock__optval_to_native(d->type, val, buf, len, &len);
    }
    if (rc == 0)
        rc = esock__setsockopt_fd(fd, level, d->native_opt, buf, len);
    if (buf != stackbuf)
        esock__free(buf);
    return rc;
}
