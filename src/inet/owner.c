/*
 * inet/owner.c - inet's side of the mailbox module (see owner.h).
 *
 * A socket's fd is watched (persistently) in its owner mailbox's readiness
 * set with the socket's handle id as the callback argument, so a callback
 * for a socket closed meanwhile finds a stale handle and does nothing.
 * Messages are esock_msg_t records of the inet kinds whose payload is the
 * esock_inet_msg_t. The idle hook writes the delay_send output coalesced
 * on the mailbox's thread; the destroy hook drops a dead mailbox as owner.
 */
#include <pthread.h>
#include <stdlib.h>

#include <esock/error.h>

#include "inet/inet_int.h"
#include "inet/msgblock.h"
#include "inet/owner.h"
#include "mbox/mbox_int.h"

/* The mailbox this thread last waited on (and whose messages it handles):
 * set by the readiness callbacks and the idle hook, which run on it. */
static _Thread_local uint32_t tls_serving;

static void on_ready(uint64_t arg, unsigned events)
{
    unsigned ev = (events & ESOCK__EV_IN ? ESOCK__INET_IN : 0) | (events & ESOCK__EV_OUT ? ESOCK__INET_OUT : 0);
    esock__active_ready((uint32_t)arg, ev);
}

static void on_idle(uint32_t mb)
{
    tls_serving = mb;
    esock__active_idle();
}

static void drop_owner(esock__isock_t *s, void *arg)
{
    uint32_t mb = (uint32_t)(uintptr_t)arg;
    pthread_mutex_lock(&s->mu);
    if (s->owner == mb) {
        s->owner = 0;
        s->watch_ev = 0; /* the readiness set went with the mailbox */
        s->accept_select = false;
    }
    if (s->ready_mbox == mb)
        s->ready_mbox = 0;
    pthread_mutex_unlock(&s->mu);
}

static void on_destroy(uint32_t mb)
{
    esock__inet_foreach(drop_owner, (void *)(uintptr_t)mb);
}

static void free_record(void *m)
{
    esock__msgblock_free(m); /* drops a shared read buffer's reference */
}

static void init_once(void)
{
    esock__mbox_set_idle_hook(on_idle);
    esock__mbox_on_destroy(on_destroy);
    esock__mbox_set_inet_free(free_record);
}

void esock__owner_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, init_once);
}

int esock__owner_watch(uint32_t mb, int fd, uint32_t sock_id, unsigned old, unsigned events)
{
    unsigned drop = old & ~events;
    unsigned add = events & ~old;
    if (drop)
        esock__mbox_unwatch(mb, fd, (drop & ESOCK__INET_IN ? ESOCK__EV_IN : 0) |
                                        (drop & ESOCK__INET_OUT ? ESOCK__EV_OUT : 0));
    if (add) {
        unsigned ev = (add & ESOCK__INET_IN ? ESOCK__EV_IN : 0) | (add & ESOCK__INET_OUT ? ESOCK__EV_OUT : 0);
        return esock__mbox_watch(mb, fd, ev | ESOCK__WATCH_PERSIST, on_ready, sock_id);
    }
    return 0;
}

static void to_msg(esock_inet_msg_t *m, esock_msg_t *msg)
{
    msg->kind = (esock_msg_kind_t)m->kind;
    msg->socket = m->sock.id;
    msg->tag = ESOCK_OP_NONE;
    msg->ref = m->mref;
    msg->reason = m->error;
    msg->data = m;
    msg->len = sizeof *m + (m->kind == ESOCK_INET_MSG_DATA ? m->len : 0);
    msg->aux = (uint64_t)m->ptype;
}

static struct esock__qnode *node_of(esock_inet_msg_t *m)
{
    struct esock__qnode *q = esock__msgblock_node(m);
    to_msg(m, &q->m);
    q->embedded = true;
    q->next = NULL;
    return q;
}

int esock__owner_post(uint32_t mb, esock_inet_msg_t *m)
{
    struct esock__qnode *q = node_of(m);
    return esock__mbox_post_nodes(mb, q, q, 1); /* frees m itself if the mailbox is gone */
}

int esock__owner_post_chain(uint32_t mb, esock_inet_msg_t *first, esock_inet_msg_t *last)
{
    struct esock__qnode *head = NULL, *tail = NULL;
    size_t n = 0;
    for (esock_inet_msg_t *m = first, *next; m; m = next) {
        next = m == last ? NULL : m->link_;
        m->link_ = NULL;
        struct esock__qnode *q = node_of(m);
        if (tail)
            tail->next = q;
        else
            head = q;
        tail = q;
        n++;
    }
    return esock__mbox_post_nodes(mb, head, tail, n); /* one lock for the chain */
}

int esock__owner_serving(uint32_t mb)
{
    if (!mb)
        return 0;
    if (esock__mbox_serving() == mb)
        return 1;
    /* Between receives: this thread's loop, unless another thread has
     * begun receiving on mb since (its loop now, which writes nothing
     * deferred here; this thread might never wait again). */
    return tls_serving == mb && esock__mbox_is_receiver(mb);
}

void esock__owner_note_serving(uint32_t mb)
{
    tls_serving = mb;
}

int esock__owner_check(uint32_t mb)
{
    return mb == 0 || esock__mbox_alive(mb) ? 0 : ESOCK_EINVAL_HANDLE;
}
