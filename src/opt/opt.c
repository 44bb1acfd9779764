/*
 * src/opt/opt.c - the public getopt/setopt, native and ioctl calls on
 * esock_t sockets: pin the socket, then the otp level reads/writes the
 * socket's fields and the OS levels go to optfd.c / ioctl.c with its fd.
 */
#include "opt/opt_int.h"
#include "socket/sock.h"

#include <pthread.h>
#include <string.h>

/* ==== glue: the socket core's internal API ==== */
typedef esock__sock_t sock_t;

static int pin(esock_t s, sock_t **out)
{
    *out = esock__sock_pin(s);
    return *out ? 0 : ESOCK_ECLOSED;
}

static void unpin(sock_t *sk)
{
    esock__sock_unpin(sk);
}

static int sock_fd(const sock_t *sk)
{
    return sk->fd; /* constant while pinned */
}

/* ---- the otp level: the socket's own fields (under its lock) -------------------- */

static size_t or_default(size_t v, size_t def)
{
    return v ? v : def;
}

static int otp_get(sock_t *sk, esock_opt_t opt, esock_optval_t *val)
{
    memset(val, 0, sizeof *val);
    val->type = esock__opttab[opt].type;
    pthread_mutex_lock(&sk->mu);
    switch (opt) {
    case ESOCK_OPT_OTP_DEBUG:
        val->u.b = sk->otp_debug;
        break;
    case ESOCK_OPT_OTP_IOW:
        val->u.b = sk->otp_iow;
        break;
    case ESOCK_OPT_OTP_CONTROLLING_PROCESS:
        val->u.mbox.id = sk->owner;
        break;
    case ESOCK_OPT_OTP_RCVBUF:
        val->u.rcvbuf.n = __atomic_load_n(&sk->otp_rcvnum, __ATOMIC_RELAXED);
        if (val->u.rcvbuf.n == 0)
            val->u.rcvbuf.n = 1;
        val->u.rcvbuf.size = or_default(__atomic_load_n(&sk->otp_rcvbuf, __ATOMIC_RELAXED),
                                        ESOCK__OTP_RCVBUF_DEFAULT);
        break;
    case ESOCK_OPT_OTP_RCVCTRLBUF:
        val->u.bufsz = or_default(sk->otp_rcvctrlbuf, ESOCK__OTP_CTRLBUF_DEFAULT);
        break;
    case ESOCK_OPT_OTP_SNDCTRLBUF:
        val->u.bufsz = or_default(sk->otp_sndctrlbuf, ESOCK__OTP_CTRLBUF_DEFAULT);
        break;
    case ESOCK_OPT_OTP_META:
        val->u.meta = sk->otp_meta;
        break;
    case ESOCK_OPT_OTP_USE_REGISTRY:
        val->u.b = sk->use_registry;
        break;
    case ESOCK_OPT_OTP_FD:
        val->u.i = sk->fd;
        break;
    case ESOCK_OPT_OTP_DOMAIN:
        val->u.i = sk->domain;
        break;
    default:
        pthread_mutex_unlock(&sk->mu);
        return ESOCK_EINVAL_OPTION;
    }
    pthread_mutex_unlock(&sk->mu);
    return 0;
}

/* @p val is already checked and normalized (esock__otp_normalize). */
static int otp_set(sock_t *sk, esock_opt_t opt, const esock_optval_t *val)
{
    int rc = 0;
    pthread_mutex_lock(&sk->mu);
    switch (opt) {
    case ESOCK_OPT_OTP_DEBUG:
        sk->otp_debug = val->u.b;
        break;
    case ESOCK_OPT_OTP_IOW:
        sk->otp_iow = val->u.b;
        break;
    case ESOCK_OPT_OTP_RCVBUF:
        /* Readers take these without the lock (socket/io.c): atomics. A
         * reader that starts between the two stores sees the old N with
         * the new size, or the reverse; either is a valid setting. */
        __atomic_store_n(&sk->otp_rcvbuf, val->u.rcvbuf.size, __ATOMIC_RELAXED);
        __atomic_store_n(&sk->otp_rcvnum, val->u.rcvbuf.n, __ATOMIC_RELAXED);
        break;
    case ESOCK_OPT_OTP_RCVCTRLBUF:
        sk->otp_rcvctrlbuf = val->u.bufsz;
        break;
    case ESOCK_OPT_OTP_SNDCTRLBUF:
        sk->otp_sndctrlbuf = val->u.bufsz;
        break;
    case ESOCK_OPT_OTP_META:
        sk->otp_meta = val->u.meta;
        break;
    default:
        rc = ESOCK_EINVAL_OPTION;
        break;
    }
    pthread_mutex_unlock(&sk->mu);
    return rc;
}

/* ---- typed getopt / setopt --------------------------------------------------------- */

int esock_getopt(esock_t s, esock_opt_t opt, esock_optval_t *val)
{
    const esock__optdef_t *d = esock__optdef(opt);
    if (d == NULL || !(d->access & ESOCK_OPT_GET))
        return ESOCK_EINVAL_OPTION;
    if (val == NULL)
        return ESOCK_EINVAL_VALUE;
    sock_t *sk;
    int rc = pin(s, &sk);
    if (rc)
        return rc;
    if (d->level == ESOCK_LEVEL_OTP)
        rc = otp_get(sk, opt, val);
    else
        rc = esock__getopt_fd(sock_fd(sk), opt, val);
    unpin(sk);
    return rc;
}

int esock_setopt(esock_t s, esock_opt_t opt, const esock_optval_t *val)
{
    const esock__optdef_t *d = esock__optdef(opt);
    if (d == NULL || !(d->access & ESOCK_OPT_SET))
        return ESOCK_EINVAL_OPTION;
    if (val == NULL || val->type != d->type)
        return ESOCK_EINVAL_VALUE;
    esock_optval_t norm;
    if (d->level == ESOCK_LEVEL_OTP) {
        int rc = esock__otp_normalize(opt, val, &norm);
        if (rc)
            return rc;
        val = &norm;
    }
    if (opt == ESOCK_OPT_OTP_CONTROLLING_PROCESS)
        return esock_set_owner(s, val->u.mbox); /* the socket module moves the owner */
    sock_t *sk;
    int rc = pin(s, &sk);
    if (rc)
        return rc;
    if (d->level == ESOCK_LEVEL_OTP)
        rc = otp_set(sk, opt, val);
    else
        rc = esock__setopt_fd(sock_fd(sk), opt, val);
    unpin(sk);
    return rc;
}

/* u.i carries these types; the int shortcuts accept them. */
static bool int_like(esock_optval_type_t t)
{
    switch (t) {
    case ESOCK_OVT_INT:
    case ESOCK_OVT_IP_PMTUDISC:
    case ESOCK_OVT_IP_TOS:
    case ESOCK_OVT_IPV6_HOPS:
    case ESOCK_OVT_IPV6_PMTUDISC:
    case ESOCK_OVT_DOMAIN:
    case ESOCK_OVT_SOCKTYPE:
    case ESOCK_OVT_PROTOCOL:
    case ESOCK_OVT_ERROR:
        return true;
    default:
        return false;
    }
}

int esock_getopt_int(esock_t s, esock_opt_t opt, int *v)
{
    const esock__optdef_t *d = esock__optdef(opt);
    if (d == NULL)
        return ESOCK_EINVAL_OPTION;
    if (v == NULL || (!int_like(d->type) && d->type != ESOCK_OVT_OTP_BUFSZ))
        return ESOCK_EINVAL_VALUE;
    esock_optval_t val;
    memset(&val, 0, sizeof val);
    int rc = esock_getopt(s, opt, &val);
    if (rc == 0)
        *v = d->type == ESOCK_OVT_OTP_BUFSZ ? (int)val.u.bufsz : val.u.i;
    return rc;
}

int esock_setopt_int(esock_t s, esock_opt_t opt, int v)
{
    const esock__optdef_t *d = esock__optdef(opt);
    if (d == NULL)
        return ESOCK_EINVAL_OPTION;
    esock_optval_t val;
    memset(&val, 0, sizeof val);
    val.type = d->type;
    if (int_like(d->type))
        val.u.i = v;
    else if (d->type == ESOCK_OVT_OTP_BUFSZ && v >= 0)
        val.u.bufsz = (size_t)v;
    else if (d->access & ESOCK_OPT_SET)
        return ESOCK_EINVAL_VALUE;
    return esock_setopt(s, opt, &val);
}

int esock_getopt_bool(esock_t s, esock_opt_t opt, bool *v)
{
    const esock__optdef_t *d = esock__optdef(opt);
    if (d == NULL)
        return ESOCK_EINVAL_OPTION;
    if (v == NULL || d->type != ESOCK_OVT_BOOL)
        return ESOCK_EINVAL_VALUE;
    esock_optval_t val;
    memset(&val, 0, sizeof val);
    int rc = esock_getopt(s, opt, &val);
    if (rc == 0)
        *v = val.u.b;
    return rc;
}

int esock_setopt_bool(esock_t s, esock_opt_t opt, bool v)
{
    const esock__optdef_t *d = esock__optdef(opt);
    if (d == NULL)
        return ESOCK_EINVAL_OPTION;
    if (d->type != ESOCK_OVT_BOOL && (d->access & ESOCK_OPT_SET))
        return ESOCK_EINVAL_VALUE;
    esock_optval_t val;
    memset(&val, 0, sizeof val);
    val.type = d->type;
    val.u.b = v;
    return esock_setopt(s, opt, &val);
}

/* ---- native --------------------------------------------------------------------------- */

int esock_getopt_native_buf(esock_t s, int level, int opt, void *buf, size_t *len)
{
    if (len == NULL || (*len > 0 && buf == NULL))
        return ESOCK_EINVAL_VALUE;
    sock_t *sk;
    int rc = pin(s, &sk);
    if (rc)
        return rc;
    rc = esock__getsockopt_fd(sock_fd(sk), level, opt, buf, len);
    unpin(sk);
    return rc;
}

int esock_getopt_native_int(esock_t s, int level, int opt, int *v)
{
    if (v == NULL)
        return ESOCK_EINVAL_VALUE;
    int n = 0;
    size_t len = sizeof n;
    int rc = esock_getopt_native_buf(s, level, opt, &n, &len);
    if (rc == 0) {
        if (len == 1) /* some IP options answer with one byte */
            n = *(unsigned char *)&n;
        else if (len != sizeof n)
            return ESOCK_EINVAL_VALUE;
        *v = n;
    }
    return rc;
}

int esock_getopt_native_bool(esock_t s, int level, int opt, bool *v)
{
    int n;
    if (v == NULL)
        return ESOCK_EINVAL_VALUE;
    int rc = esock_getopt_native_int(s, level, opt, &n);
    if (rc == 0)
        *v = n != 0;
    return rc;
}

int esock_setopt_native_buf(esock_t s, int level, int opt, const void *buf, size_t len)
{
    if (len > 0 && buf == NULL)
        return ESOCK_EINVAL_VALUE;
    sock_t *sk;
    int rc = pin(s, &sk);
    if (rc)
        return rc;
    rc = esock__setsockopt_fd(sock_fd(sk), level, opt, buf, len);
    unpin(sk);
    return rc;
}

int esock_setopt_native_int(esock_t s, int level, int opt, int v)
{
    return esock_setopt_native_buf(s, level, opt, &v, sizeof v);
}

int esock_setopt_native_bool(esock_t s, int level, int opt, bool v)
{
    return esock_setopt_native_int(s, level, opt, v ? 1 : 0);
}

/* ---- ioctl ---------------------------------------------------------------------------- */

int esock_ioctl_gifconf(esock_t s, esock_ifconf_entry_t *out, size_t cap, size_t *n)
{
    if (cap > 0 && out == NULL)
        return ESOCK_EINVAL_VALUE;
    sock_t *sk;
    int rc = pin(s, &sk);
    if (rc)
        return rc;
    rc = esock__ioctl_gifconf_fd(sock_fd(sk), out, cap, n);
    unpin(sk);
    return rc;
}

int esock_ioctl_get(esock_t s, esock_ioctl_request_t req, const char *name, int index,
                    esock_ifval_t *out)
{
    sock_t *sk;
    int rc = pin(s, &sk);
    if (rc)
        return rc;
    rc = esock__ioctl_get_fd(sock_fd(sk), req, name, index, out);
    unpin(sk);
    return rc;
}

int esock_ioctl_set(esock_t s, esock_ioctl_request_t req, const char *name, const esock_ifval_t *val)
{
    sock_t *sk;
    int rc = pin(s, &sk);
    if (rc)
        return rc;
    rc = esock__ioctl_set_fd(sock_fd(sk), req, name, val);
    unpin(sk);
    return rc;
}
