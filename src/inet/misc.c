/*
 * inet/misc.c - port, sockname/peername(s), fd, info, monitors,
 * controlling_process.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <esock/error.h>

#include "inet/inet_int.h"
#include "inet/owner.h"
#include "mbox/mbox_int.h"
#include "sys/sys.h"

/* Run body on a pinned, locked socket whose port lives; closed_rc when it
 * is closed or gone. The body sees fd < 0 after a passive reader got the
 * end of the stream with exit_on_close (the fd is released, the port
 * stays: see fd_release in tcp.c). */
#define WITH_SOCK(h, s, closed_rc, body)                                       \
    do {                                                                       \
        esock__isock_t *s = esock__inet_pin(h);                                \
        if (!s)                                                                \
            return ESOCK_ECLOSED;                                              \
        int rc_;                                                               \
        pthread_mutex_lock(&s->mu);                                            \
        if (s->closed || s->read_dead)                                         \
            rc_ = (closed_rc);                                                 \
        else {                                                                 \
            body                                                               \
        }                                                                      \
        pthread_mutex_unlock(&s->mu);                                          \
        esock__inet_unpin(s);                                                  \
        return rc_;                                                            \
    } while (0)

static int name_of(int fd, bool peer, esock_sockaddr_t *sa)
{
    if (fd < 0) /* the fd was released, the port lives (OTP 25: ebadf / enotconn) */
        return peer ? -ENOTCONN : -EBADF;
    struct sockaddr_storage ss;
    socklen_t l = sizeof ss;
    memset(&ss, 0, sizeof ss);
    int r = peer ? esock__sys.getpeername(fd, (struct sockaddr *)&ss, &l) : esock__sys.getsockname(fd, (struct sockaddr *)&ss, &l);
    if (r < 0)
        return -errno;
    return esock_sockaddr_from_native((struct sockaddr *)&ss, l, sa);
}

int esock_inet_sockname(esock_inet_t h, esock_sockaddr_t *sa)
{
    WITH_SOCK(h, s, -EINVAL, { rc_ = name_of(s->fd, false, sa); });
}

int esock_inet_peername(esock_inet_t h, esock_sockaddr_t *sa)
{
    WITH_SOCK(h, s, -EINVAL, { rc_ = name_of(s->fd, true, sa); });
}

int esock_inet_socknames(esock_inet_t h, esock_sockaddr_t *sa, size_t *n)
{
    if (!n || *n == 0)
        return -EINVAL;
    int rc = esock_inet_sockname(h, sa);
    *n = rc == 0 ? 1 : 0;
    return rc;
}

int esock_inet_peernames(esock_inet_t h, esock_sockaddr_t *sa, size_t *n)
{
    if (!n || *n == 0)
        return -EINVAL;
    int rc = esock_inet_peername(h, sa);
    *n = rc == 0 ? 1 : 0;
    return rc;
}

int esock_inet_port(esock_inet_t h, uint16_t *port)
{
    if (port == NULL)
        return -EINVAL;
    esock_sockaddr_t sa;
    int rc = esock_inet_sockname(h, &sa);
    if (rc)
        return rc;
    if (sa.family == ESOCK_FAMILY_INET)
        *port = sa.u.in.port;
    else if (sa.family == ESOCK_FAMILY_INET6)
        *port = sa.u.in6.port;
    else
        return -EINVAL; /* local sockets have no port: OTP gives the path (docs/inet.md) */
    return 0;
}

int esock_inet_fd(esock_inet_t h)
{
    WITH_SOCK(h, s, -EINVAL, { rc_ = s->fd < 0 ? -EINVAL : s->fd; });
}

int esock_inet_info(esock_inet_t h, esock_inet_info_t *info)
{
    if (!info)
        return -EINVAL;
    WITH_SOCK(h, s, -EINVAL, {
        memset(info, 0, sizeof *info);
        info->proto = s->proto;
        info->family = s->family;
        info->fd = s->fd;
        info->owner.id = s->owner;
        info->active = s->active;
        info->states = s->states;
        info->input = s->ihi - s->ilo;
        info->output = s->opend;
        unsigned m = 0;
        for (esock__mon_t *x = s->mons; x; x = x->next)
            m++;
        info->monitors = m;
        esock__inet_stat_all(s, info->counters); /* under the same lock as the rest */
        rc_ = 0;
    });
}

int esock_inet_controlling_process(esock_inet_t h, esock_mbox_t owner)
{
    int orc = esock__owner_check(owner.id);
    if (orc)
        return orc;
    WITH_SOCK(h, s, ESOCK_ECLOSED, {
        /* Checked again under the lock: a mailbox destroyed since the
         * check above has dropped its sockets already, and this one would
         * keep a dead owner (its drop hook takes this lock after removing
         * the mailbox, so a live one here will still drop it). */
        if (owner.id && !esock__mbox_alive(owner.id)) {
            rc_ = ESOCK_EINVAL_HANDLE;
        } else {
            uint32_t old = s->owner;
            esock__active_detach(s);
            s->owner = owner.id;
            /* The socket's records still queued for the old owner go to
             * the new one, in order and before anything new (OTP moves
             * them): under the lock, no delivery comes in between. */
            if (old && owner.id && old != owner.id)
                esock__mbox_move_socket(old, owner.id, s->ref.id);
            if (s->ready_mbox && s->ready_mbox == old) /* a READY still owed goes to the new owner */
                s->ready_mbox = owner.id;
            esock__active_update(s);
            rc_ = 0;
        }
    });
}

/* ---- monitors ----------------------------------------------------------- */

static pthread_mutex_t mon_mu = PTHREAD_MUTEX_INITIALIZER;
static uint64_t mon_next;

/* Every live monitor: ref -> socket id, so cancel can find it. */
typedef struct monref {
    struct monref *next;
    uint64_t ref;
    uint32_t sock;
} monref_t;
static monref_t *monrefs;

/* Removes @p ref's entry: the monitor is over (fired or cancelled).
 * Returns its socket id, 0 if there was none. mon_mu held. */
static uint32_t monref_take(uint64_t ref)
{
    for (monref_t **p = &monrefs; *p; p = &(*p)->next)
        if ((*p)->ref == ref) {
            monref_t *d = *p;
            uint32_t sock = d->sock;
            *p = d->next;
            esock__free(d);
            return sock;
        }
    return 0;
}

int esock_inet_monitor(esock_inet_t h, esock_mbox_t mb, uint64_t *mref)
{
    if (!mref)
        return -EINVAL;
    if (!mb.id) /* a monitor with nowhere to post its DOWN */
        return ESOCK_EINVAL_HANDLE;
    int orc = esock__owner_check(mb.id);
    if (orc)
        return orc;
    uint32_t mbox = mb.id;
    pthread_mutex_lock(&mon_mu);
    uint64_t ref = ++mon_next;
    pthread_mutex_unlock(&mon_mu);
    *mref = ref;
    esock__isock_t *s = esock__inet_pin(h);
    if (!s) {
        /* No such socket: the DOWN comes at once (27: nosock). */
        esock__inet_post_nosock(mbox, h.id, ref);
        return 0;
    }
    esock__mon_t *m = esock__malloc(sizeof *m);
    monref_t *r = esock__malloc(sizeof *r);
    if (!m || !r) {
        esock__free(m);
        esock__free(r);
        esock__inet_unpin(s);
        return -ENOMEM;
    }
    m->ref = ref;
    m->mbox = mbox;
    pthread_mutex_lock(&s->mu);
    if (s->closed || s->read_dead) { /* a gone port: DOWN at once, as OTP's noproc */
        pthread_mutex_unlock(&s->mu);
        esock__free(m);
        esock__free(r);
        esock__inet_post_nosock(mbox, h.id, ref);
    } else {
        m->next = s->mons;
        s->mons = m;
        r->ref = ref;
        r->sock = s->ref.id;
        pthread_mutex_lock(&mon_mu);
        r->next = monrefs;
        monrefs = r;
        pthread_mutex_unlock(&mon_mu);
        pthread_mutex_unlock(&s->mu);
    }
    esock__inet_unpin(s);
    return 0;
}

/* monrefs decides: whoever takes the entry (cancel, or the DOWN being
 * posted) owns the outcome. A close that is still writing the queue has
 * made the handle stale but not yet posted the DOWN: a cancel then still
 * wins, as demonitor does on a port that is closing, and the DOWN is not
 * posted. */
int esock_inet_cancel_monitor(uint64_t mref)
{
    pthread_mutex_lock(&mon_mu);
    uint32_t sid = monref_take(mref);
    pthread_mutex_unlock(&mon_mu);
    if (!sid)
        return 0;
    esock_inet_t h = {sid};
    esock__isock_t *s = esock__inet_pin(h);
    if (!s)
        return 1; /* closing: its post_down frees the record */
    pthread_mutex_lock(&s->mu);
    for (esock__mon_t **p = &s->mons; *p; p = &(*p)->next)
        if ((*p)->ref == mref) {
            esock__mon_t *d = *p;
            *p = d->next;
            esock__free(d);
            break;
        }
    pthread_mutex_unlock(&s->mu);
    esock__inet_unpin(s);
    return 1;
}

void esock__inet_post_down(esock__isock_t *s, int info)
{
    esock__mon_t *m = s->mons;
    s->mons = NULL;
    while (m) {
        esock__mon_t *nx = m->next;
        pthread_mutex_lock(&mon_mu);
        bool live = monref_take(m->ref) != 0; /* not cancelled meanwhile */
        pthread_mutex_unlock(&mon_mu);
        if (live)
            esock__inet_post_simple(m->mbox, ESOCK_INET_MSG_DOWN, s, info, m->ref);
        esock__free(m);
        m = nx;
    }
}
