/*
 * socket/op.h - the start and end of every data operation (io.c, msg.c,
 * sendfile.c): pin, decode the timeout, become the current user of one
 * direction; release it and unpin.
 */
#ifndef ESOCK_SOCKET_OP_H
#define ESOCK_SOCKET_OP_H

#include "socket/sock.h"

static inline int esock__op_begin(esock_t h, esock_op_t tag, int64_t timeout_ms,
                                  esock_select_info_t *si, esock__sock_t **sp,
                                  struct esock__how *how, bool writer)
{
    esock__sock_t *s = esock__sock_pin(h);
    if (s == NULL)
        return ESOCK_ECLOSED;
    int rc = esock__how(how, timeout_ms, si, tag);
    if (rc == 0) {
        pthread_mutex_lock(&s->mu);
        rc = esock__dir_acquire(s, writer ? &s->wr : &s->rd, how);
        pthread_mutex_unlock(&s->mu);
    }
    if (si != NULL && how->nowait) {
        si->tag = tag;
        si->handle = how->ref;
    }
    if (rc != 0) {
        esock__sock_unpin(s);
        return rc;
    }
    *sp = s;
    return 0;
}

static inline void esock__op_finish(esock__sock_t *s, struct esock__dir *d)
{
    pthread_mutex_lock(&s->mu);
    esock__dir_release(s, d);
    pthread_mutex_unlock(&s->mu);
    esock__sock_unpin(s);
}

#endif
