/*
 * src/opt/otpval.c - the otp level's values: checks and defaults (pure).
 * The socket keeps the values; this file decides what is valid.
 */
#include "opt/opt_int.h"

#include <stdint.h>
#include <string.h>

int esock__otp_normalize(esock_opt_t opt, const esock_optval_t *in, esock_optval_t *out)
{
    const esock__optdef_t *d = esock__optdef(opt);
    if (d == NULL || d->level != ESOCK_LEVEL_OTP || !(d->access & ESOCK_OPT_SET))
        return ESOCK_EINVAL_OPTION;
    if (in == NULL || in->type != d->type)
        return ESOCK_EINVAL_VALUE;
    *out = *in;
    switch (d->type) {
    case ESOCK_OVT_OTP_RCVBUF:
        if (out->u.rcvbuf.n == 0)
            out->u.rcvbuf.n = 1;
        if (out->u.rcvbuf.size == 0) /* default, also in {N, default} (as OTP 25) */
            out->u.rcvbuf.size = ESOCK__OTP_RCVBUF_DEFAULT;
        /* n reads of size bytes must fit one allocation */
        if (out->u.rcvbuf.size > ESOCK__OTP_BUF_MAX / out->u.rcvbuf.n)
            return ESOCK_EINVAL_VALUE;
        return 0;
    case ESOCK_OVT_OTP_BUFSZ:
        if (out->u.bufsz == 0)
            out->u.bufsz = ESOCK__OTP_CTRLBUF_DEFAULT;
        if (out->u.bufsz > ESOCK__OTP_BUF_MAX)
            return ESOCK_EINVAL_VALUE;
        return 0;
    case ESOCK_OVT_BOOL:
    case ESOCK_OVT_META:
    case ESOCK_OVT_MBOX:
        return 0;
    default:
        return ESOCK_EINVAL_VALUE;
    }
}
