/*
 * owner_api.h - the few mailbox calls the inet benchmarks need, in one
 * place (owner_open / owner_id / owner_recv / owner_close).
 */
#ifndef ESOCK_BENCH_OWNER_API_H
#define ESOCK_BENCH_OWNER_API_H

#include <esock/esock.h>
#include <esock/mbox.h>

typedef esock_mbox_t owner_t;

static inline int owner_open(owner_t *mb)
{
    return esock_mbox_create(mb);
}

static inline esock_mbox_t owner_id(owner_t mb)
{
    return mb;
}

/* The next inet message (its payload; free with esock_inet_msg_free), or
 * NULL on timeout. Other messages are dropped. */
static inline esock_inet_msg_t *owner_recv(owner_t mb, int64_t timeout_ms)
{
    esock_msg_t m;
    if (esock_mbox_recv(mb, &m, timeout_ms) != 0)
        return NULL;
    esock_inet_msg_t *im = esock_inet_msg(&m);
    if (!im)
        esock_msg_free(&m);
    return im;
}

static inline void owner_close(owner_t mb)
{
    esock_mbox_destroy(mb);
}

#endif
