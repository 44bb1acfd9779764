/* Monitors: a DOWN message when the socket closes, or at once (nosock). */
#include <errno.h>
#include <pthread.h>

#include "mbox/mbox_int.h"
#include "socket/sock.h"
#include "sys/sys.h"

/* Which socket each monitor reference watches, for cancel_monitor. */
struct monref {
    struct monref *next;
    uint64_t ref;
    uint32_t sock;
};
static pthread_mutex_t refs_mu = PTHREAD_MUTEX_INITIALIZER;
static struct monref *refs;

static void forget(uint64_t ref)
{
    pthread_mutex_lock(&refs_mu);
    for (struct monref **pp = &refs; *pp; pp = &(*pp)->next)
        if ((*pp)->ref == ref) {
            struct monref *r = *pp;
            *pp = r->next;
            esock__free(r);
            break;
        }
    pthread_mutex_unlock(&refs_mu);
}

int esock_monitor(esock_t h, esock_mbox_t to, uint64_t *mref)
{
    if (mref == NULL)
        return -EFAULT;
    if (!esock__mbox_alive(to.id))
        return ESOCK_EINVAL_HANDLE;
    uint64_t ref = esock__make_ref();
    *mref = ref;
    esock__sock_t *s = esock__sock_pin(h);
    if (s == NULL) {
        esock_msg_t m = {.kind = ESOCK_MSG_DOWN, .socket = h.id, .ref = ref, .reason = -ENOENT};
        return esock__mbox_post(to.id, &m);
    }
    struct esock__mon *mon = esock__malloc(sizeof *mon);
    struct monref *r = esock__malloc(sizeof *r);
    if (mon == NULL || r == NULL) {
        esock__free(mon);
        esock__free(r);
        esock__sock_unpin(s);
        return -ENOMEM;
    }
    mon->ref = ref;
    mon->mbox = to.id;
    r->ref = ref;
    r->sock = h.id;
    pthread_mutex_lock(&refs_mu);
    r->next = refs;
    refs = r;
    pthread_mutex_unlock(&refs_mu);
    pthread_mutex_lock(&s->mu);
    /* Closed between the pin and here: its DOWNs went out already and a
     * monitor linked now would never fire (nor be freed). */
    bool gone = s->closed;
    if (!gone) {
        mon->next = s->mons;
        s->mons = mon;
    }
    pthread_mutex_unlock(&s->mu);
    esock__sock_unpin(s);
    if (gone) {
        forget(ref);
        esock__free(mon);
        esock_msg_t m = {.kind = ESOCK_MSG_DOWN, .socket = h.id, .ref = ref, .reason = -ENOENT};
        return esock__mbox_post(to.id, &m);
    }
    return 0;
}

int esock_cancel_monitor(uint64_t mref)
{
    uint32_t sock = 0;
    pthread_mutex_lock(&refs_mu);
    for (struct monref *r = refs; r; r = r->next)
        if (r->ref == mref)
            sock = r->sock;
    pthread_mutex_unlock(&refs_mu);
    if (sock == 0)
        return -ENOENT;
    forget(mref);
    esock_t h = {sock};
    esock__sock_t *s = esock__sock_pin(h);
    if (s == NULL)
        return -ENOENT;
    int rc = -ENOENT;
    pthread_mutex_lock(&s->mu);
    for (struct esock__mon **pp = &s->mons; *pp; pp = &(*pp)->next)
        if ((*pp)->ref == mref) {
            struct esock__mon *m = *pp;
            *pp = m->next;
            esock__free(m);
            rc = 0;
            break;
        }
    pthread_mutex_unlock(&s->mu);
    esock__sock_unpin(s);
    return rc;
}

void esock__monitors_down(esock__sock_t *s, int reason)
{
    struct esock__mon *m = s->mons;
    s->mons = NULL;
    while (m) {
        struct esock__mon *next = m->next;
        esock_msg_t msg = {.kind = ESOCK_MSG_DOWN, .socket = s->ref.id, .ref = m->ref, .reason = reason};
        esock__mbox_post(m->mbox, &msg);
        forget(m->ref);
        esock__free(m);
        m = next;
    }
}
