/*
 * inet/stat.c - getstat counters with the inet driver's arithmetic.
 *
 * Each delivered packet (recv) or accepted send (send, header included) of
 * n bytes updates: cnt += 1, oct += n, max = max(max, n),
 * avg += (n - avg) / cnt, and for recv dvi += ((n - avg') - dvi) / cnt
 * where avg' is the updated mean. getstat truncates to integers. So dvi is
 * a running mean of signed distances to the running mean, not a deviation
 * (OTP-NOTES 1.3); docs/inet.md records the choice.
 */
#include <errno.h>
#include <string.h>

#include <esock/error.h>

#include "inet/inet_int.h"
#include "sys/sys.h"

/* A packet of the running mean's size with no deviation on record changes
 * neither (both increments are exactly 0): the inline counters in
 * inet_int.h call these only otherwise. Divisions, not a multiplication by
 * 1/cnt: the truncated results must match the driver's arithmetic exactly. */
void esock__inet_stat_recv_mean(esock__isock_t *s, size_t n)
{
    double avg = s->recv_avg + ((double)n - s->recv_avg) / (double)s->recv_cnt;
    s->recv_dvi = s->recv_dvi + (((double)n - avg) - s->recv_dvi) / (double)s->recv_cnt;
    s->recv_avg = avg;
}

/* The driver keeps no send deviation: one division. */
void esock__inet_stat_send_mean(esock__isock_t *s, size_t n)
{
    s->send_avg += ((double)n - s->send_avg) / (double)s->send_cnt;
}

static const char *const statnames[ESOCK_STAT_COUNT_] = {
    "recv_oct", "recv_cnt", "recv_max", "recv_avg", "recv_dvi",
    "send_oct", "send_cnt", "send_max", "send_avg", "send_pend",
};

const char *esock_inet_statname(esock_inet_stat_t k)
{
    return (unsigned)k < ESOCK_STAT_COUNT_ ? statnames[k] : NULL;
}

/* A double running value as getstat reports it: truncated. The means are
 * never negative; the deviation is, and the driver reports its absolute
 * value (a 12-byte then a 4-byte packet: recv_dvi 2, OTP 25). */
static uint64_t trunc_u(double v)
{
    return v <= 0 ? 0 : (uint64_t)v;
}
static uint64_t trunc_abs(double v)
{
    return trunc_u(v < 0 ? -v : v);
}

static uint64_t stat_value(const esock__isock_t *s, esock_inet_stat_t k)
{
    switch (k) {
    case ESOCK_STAT_RECV_OCT: return s->recv_oct;
    case ESOCK_STAT_RECV_CNT: return s->recv_cnt;
    case ESOCK_STAT_RECV_MAX: return s->recv_max;
    case ESOCK_STAT_RECV_AVG: return trunc_u(s->recv_avg);
    case ESOCK_STAT_RECV_DVI: return trunc_abs(s->recv_dvi);
    case ESOCK_STAT_SEND_OCT: return s->send_oct;
    case ESOCK_STAT_SEND_CNT: return s->send_cnt;
    case ESOCK_STAT_SEND_MAX: return s->send_max;
    case ESOCK_STAT_SEND_AVG: return trunc_u(s->send_avg);
    case ESOCK_STAT_SEND_PEND: return s->opend;
    default: return 0;
    }
}

void esock__inet_stat_all(const esock__isock_t *s, uint64_t *values)
{
    for (int k = 0; k < ESOCK_STAT_COUNT_; k++)
        values[k] = stat_value(s, (esock_inet_stat_t)k);
}

int esock_inet_getstat(esock_inet_t h, const esock_inet_stat_t *keys, size_t n, uint64_t *values)
{
    if (!values)
        return -EINVAL;
    esock__isock_t *s = esock__inet_pin(h);
    if (!s)
        return ESOCK_ECLOSED;
    int rc = 0;
    pthread_mutex_lock(&s->mu);
    if (s->closed || s->read_dead) {
        rc = -EINVAL; /* OTP: getstat on a closed port -> einval */
    } else if (!keys) {
        esock__inet_stat_all(s, values);
    } else {
        for (size_t i = 0; i < n && rc == 0; i++) {
            if ((unsigned)keys[i] >= ESOCK_STAT_COUNT_)
                rc = -EINVAL;
            else
                values[i] = stat_value(s, keys[i]);
        }
    }
    pthread_mutex_unlock(&s->mu);
    esock__inet_unpin(s);
    return rc;
}
