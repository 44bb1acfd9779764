/*
 * One current user per direction (reader, writer, acceptor), the others
 * queued in arrival order; the waits of blocking and nowait callers.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "mbox/mbox_int.h"
#include "poll/poll.h"
#include "socket/sock.h"
#include "sys/sys.h"

int esock__how(struct esock__how *how, int64_t timeout_ms, const esock_select_info_t *si,
               esock_op_t tag)
{
    how->tag = tag;
    how->nowait = false;
    how->mbox = 0;
    how->ref = 0;
    how->deadline = -1;
    if (timeout_ms == ESOCK_NOWAIT) {
        how->nowait = true;
        how->mbox = esock_mbox_self().id;
        if (how->mbox == 0)
            return -ENOMEM;
        how->ref = si != NULL && si->handle != 0 ? si->handle : esock__make_ref();
        return 0;
    }
    if (timeout_ms == ESOCK_INFINITY)
        return 0;
    if (timeout_ms < 0)
        return ESOCK_EINVAL_TIMEOUT;
    how->deadline = esock__deadline_of(timeout_ms);
    return 0;
}

static void set_current(struct esock__dir *d, bool nowait, uint32_t mbox, uint64_t ref,
                        esock_op_t tag)
{
    d->busy = true;
    d->cur_nowait = nowait;
    d->cur_mbox = mbox;
    d->cur_ref = ref;
    d->cur_tag = tag;
}

static unsigned dir_events(esock__sock_t *s, struct esock__dir *d)
{
    return d == &s->wr ? ESOCK__EV_OUT : ESOCK__EV_IN;
}

static void stop_watch(esock__sock_t *s, struct esock__dir *d)
{
    if (d->watching) {
        esock__mbox_unwatch(d->cur_mbox, s->fd, dir_events(s, d));
        d->watching = false;
    }
}

static void enqueue(struct esock__dir *d, struct esock__waiter *w)
{
    w->next = NULL;
    if (d->tail)
        d->tail->next = w;
    else
        d->head = w;
    d->tail = w;
    d->queued++;
}

static bool unlink_waiter(struct esock__dir *d, struct esock__waiter *w)
{
    struct esock__waiter *prev = NULL;
    for (struct esock__waiter *q = d->head; q; prev = q, q = q->next) {
        if (q != w)
            continue;
        if (prev)
            prev->next = q->next;
        else
            d->head = q->next;
        if (d->tail == q)
            d->tail = prev;
        d->queued--;
        return true;
    }
    return false;
}

static void post_op(uint32_t mbox, esock_msg_kind_t kind, esock__sock_t *s, esock_op_t tag,
                    uint64_t ref, int reason)
{
    esock_msg_t m = {.kind = kind, .socket = s->ref.id, .tag = tag, .ref = ref, .reason = reason};
    esock__mbox_post(mbox, &m);
}

int esock__dir_acquire(esock__sock_t *s, struct esock__dir *d, const struct esock__how *how)
{
    if (s->closed)
        return ESOCK_ECLOSED;
    if (!d->busy) {
        set_current(d, false, how->mbox, how->ref, how->tag);
        return 0;
    }
    /* The current user retrying after its select message (same mailbox). */
    if (d->cur_nowait && d->cur_mbox != 0 &&
        d->cur_mbox == (how->nowait ? how->mbox : esock__mbox_self_peek())) {
        stop_watch(s, d);
        set_current(d, false, how->mbox, how->ref, how->tag);
        return 0;
    }
    if (how->nowait) {
        for (struct esock__waiter *q = d->head; q; q = q->next)
            if (q->nowait && q->mbox == how->mbox) {
                /* Already queued: it keeps its place, for its new call. */
                if (q->tag == ESOCK_OP_CONNECT && how->tag != ESOCK_OP_CONNECT)
                    esock__connect_over(s); /* that connect is given up */
                q->ref = how->ref;
                q->tag = how->tag;
                return ESOCK_SELECT;
            }
        struct esock__waiter *w = esock__calloc(1, sizeof *w);
        if (w == NULL)
            return -ENOMEM;
        w->nowait = true;
        w->mbox = how->mbox;
        w->ref = how->ref;
        w->tag = how->tag;
        enqueue(d, w);
        return ESOCK_SELECT;
    }
    struct esock__waiter w = {.tag = how->tag};
    esock__cond_init_monotonic(&w.cv);
    enqueue(d, &w);
    int rc = 0;
    while (!w.go && !s->closed) {
        if (esock__cond_wait_until(&w.cv, &s->mu, how->deadline) == ETIMEDOUT && !w.go) {
            rc = ESOCK_ETIMEOUT;
            break;
        }
    }
    if (!w.go) {
        unlink_waiter(d, &w);
        if (rc == 0)
            rc = ESOCK_ECLOSED;
    } else if (s->closed) {
        esock__dir_release(s, d);
        rc = ESOCK_ECLOSED;
    }
    pthread_cond_destroy(&w.cv);
    return rc;
}

void esock__dir_release(esock__sock_t *s, struct esock__dir *d)
{
    stop_watch(s, d);
    struct esock__waiter *w = d->head;
    if (w == NULL || s->closed) {
        d->busy = false;
        d->cur_nowait = false;
        d->cur_mbox = 0;
        return;
    }
    unlink_waiter(d, w);
    if (w->nowait) {
        /* Its turn: the select message tells it to call again. A queued
         * connect is made now, and its message says that it is over. */
        set_current(d, true, w->mbox, w->ref, w->tag);
        if (w->tag != ESOCK_OP_CONNECT || esock__connect_turn(s))
            post_op(w->mbox, ESOCK_MSG_SELECT, s, w->tag, w->ref, 0);
        esock__free(w);
    } else {
        set_current(d, false, 0, 0, w->tag);
        w->go = true;
        pthread_cond_signal(&w->cv);
    }
}

/* d's nowait operation, if it waits for this readiness, gets its SELECT
 * message (the caller's cue to retry). s->mu held. */
static void select_dir(esock__sock_t *s, struct esock__dir *d)
{
    if (d->busy && d->cur_nowait && d->watching) {
        d->watching = false;
        post_op(d->cur_mbox, ESOCK_MSG_SELECT, s, d->cur_tag, d->cur_ref, 0);
    }
}

/* A select watch fired in the nowait caller's mailbox. The mailbox gives
 * one argument for both directions of an fd (the socket's handle) and
 * says which fired: out is the writer; in is the reader or, on a
 * listening socket, the acceptor (never both waiting: recv on a listener
 * and accept on a connected socket fail at once, without a watch). */
static void select_ready(uint64_t arg, unsigned events)
{
    esock_t h = {(uint32_t)arg};
    esock__sock_t *s = esock__sock_pin(h);
    if (s == NULL)
        return;
    pthread_mutex_lock(&s->mu);
    if (events & ESOCK__EV_OUT) {
        select_dir(s, &s->wr);
    } else {
        select_dir(s, &s->rd);
        select_dir(s, &s->acc);
    }
    pthread_mutex_unlock(&s->mu);
    esock__sock_unpin(s);
}

int esock__wait(esock__sock_t *s, struct esock__dir *d, unsigned ev, const struct esock__how *how,
                uint64_t *waits)
{
    if (waits != NULL) /* one writer: the current user (see ESOCK__CTR_ADD) */
        __atomic_store_n(waits, __atomic_load_n(waits, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
    if (!how->nowait) {
        int r = esock__wait_fd(s->fd, ev, s->wakefd, how->deadline);
        if (r == 1)
            return ESOCK_ECLOSED;
        return r;
    }
    pthread_mutex_lock(&s->mu);
    int rc = ESOCK_ECLOSED;
    if (!s->closed) {
        set_current(d, true, how->mbox, how->ref, how->tag);
        rc = esock__dir_watch(s, d, ev);
        if (rc == 0)
            rc = ESOCK_SELECT;
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int esock__dir_watch(esock__sock_t *s, struct esock__dir *d, unsigned ev)
{
    int w = esock__mbox_watch(d->cur_mbox, s->fd, ev, select_ready, s->ref.id);
    d->watching = w == 0;
    return w;
}

void esock__dir_abort(esock__sock_t *s, struct esock__dir *d)
{
    if (d->busy && d->cur_nowait) {
        stop_watch(s, d);
        post_op(d->cur_mbox, ESOCK_MSG_ABORT, s, d->cur_tag, d->cur_ref, ESOCK_ECLOSED);
        d->busy = false;
        d->cur_nowait = false;
    }
    struct esock__waiter **pp = &d->head;
    while (*pp) {
        struct esock__waiter *w = *pp;
        if (w->nowait) {
            *pp = w->next;
            d->queued--;
            post_op(w->mbox, ESOCK_MSG_ABORT, s, w->tag, w->ref, ESOCK_ECLOSED);
            esock__free(w);
        } else {
            pthread_cond_signal(&w->cv); /* it sees s->closed and unlinks itself */
            pp = &w->next;
        }
    }
    d->tail = NULL;
    for (struct esock__waiter *w = d->head; w; w = w->next)
        d->tail = w;
}

bool esock__dir_drop_mbox(esock__sock_t *s, struct esock__dir *d, uint32_t mbox)
{
    bool connect = false;
    /* The queued ones first, so that d is not handed on to one of them. */
    for (struct esock__waiter *w = d->head, *next; w; w = next) {
        next = w->next;
        if (w->nowait && w->mbox == mbox) {
            connect |= w->tag == ESOCK_OP_CONNECT;
            unlink_waiter(d, w);
            esock__free(w);
        }
    }
    if (d->busy && d->cur_nowait && d->cur_mbox == mbox) {
        connect |= d->cur_tag == ESOCK_OP_CONNECT;
        esock__dir_release(s, d);
    }
    return connect;
}

int esock__dir_cancel(esock__sock_t *s, struct esock__dir *d, const esock_select_info_t *si, int *tag)
{
    if (d->busy && d->cur_nowait && d->cur_ref == si->handle &&
        (si->tag == ESOCK_OP_NONE || si->tag == d->cur_tag)) {
        *tag = d->cur_tag;
        esock__dir_release(s, d);
        return 0;
    }
    for (struct esock__waiter *w = d->head; w; w = w->next)
        if (w->nowait && w->ref == si->handle) {
            *tag = w->tag;
            unlink_waiter(d, w);
            esock__free(w);
            return 0;
        }
    return 1;
}
