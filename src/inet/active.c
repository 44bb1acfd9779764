/*
 * inet/active.c - active mode: read, frame and deliver on the thread that
 * waits on the owner mailbox.
 *
 * Per readiness: one read() (into a reusable per-thread buffer when the
 * socket has nothing buffered, so an idle socket holds no input memory),
 * frames parsed in place, each packet posted as one allocation
 * (esock_inet_msg_t with the bytes inline). {active, once | N} stop the
 * reading when the count runs out; the kernel buffer then pushes back on
 * the peer, as with inet.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <esock/error.h>

#include "inet/inet_int.h"
#include "sys/sys.h"
#include "sys/thread_exit.h"
#include "inet/msgblock.h"
#include "inet/owner.h"
#include "inet/rbuf.h"

#define SCRATCH ESOCK__INET_SCRATCH
/* A read this big is a burst: its replies go out before the next socket is
 * read (esock__mbox_burst), while the bytes are still in the cache. */
#define BURST 65536

/* The per-thread read buffer (an rbuf): allocated on a thread's first
 * active read, released when the thread exits (sys/thread_exit.h), so
 * threads that come and go (a pool serving mailboxes) do not leave 256 KiB
 * each behind. The thread that runs exit() keeps its buffer until the
 * process ends. When zerocopy_min messages still point into it, the thread
 * leaves it to them and takes a new one. */
static _Thread_local uint8_t *scratch;
static _Thread_local bool scratch_armed; /* scratch_free will run at this thread's exit */

static void scratch_free(void *unused)
{
    (void)unused;
    esock__rbuf_release(scratch);
    scratch = NULL;
    scratch_armed = false;
}

static struct esock__thread_exit scratch_at_exit = ESOCK__THREAD_EXIT_INIT(scratch_free);

/* This thread's buffer, or NULL (no memory, or no way to free it at thread
 * exit: then the caller reads through the socket's own buffer instead). */
static uint8_t *thread_scratch(void)
{
    if (scratch && !esock__rbuf_shared(scratch))
        return scratch;
    if (!scratch_armed) {
        if (esock__thread_exit_arm(&scratch_at_exit) != 0)
            return NULL;
        scratch_armed = true;
    }
    uint8_t *p = esock__rbuf_new(SCRATCH);
    if (!p)
        return NULL;
    esock__rbuf_release(scratch); /* the last message pointing into it frees it */
    scratch = p;
    return p;
}

void esock_inet_msg_free(esock_inet_msg_t *m)
{
    esock__msgblock_free(m); /* a plain malloc block: free() is fine too */
}

esock_inet_msg_t *esock_inet_msg(const esock_msg_t *msg)
{
    if (!msg || !msg->data)
        return NULL;
    if ((msg->kind >= ESOCK_MSG_INET_FIRST && msg->kind <= ESOCK_MSG_INET_LAST) ||
        (msg->kind == ESOCK_MSG_DOWN && msg->len >= sizeof(esock_inet_msg_t)))
        return msg->data;
    return NULL;
}

/* Messages produced by one readiness event are chained here and posted in
 * one go at its end (one lock and at most one wake-up per event). */
/* One struct, so a function finds it with one thread-local lookup: in the
 * shared library each lookup is a call, and the per-packet path made
 * several. */
static _Thread_local struct event_batch {
    esock_inet_msg_t *first, *last;
    uint32_t mb;
    bool on; /* inside esock__active_ready: post() chains */
    bool lost; /* a data message of this event could not be allocated: the
                * stream has a hole (ended at the end of the event) */
} batch;

static int post(uint32_t mb, esock_inet_msg_t *m)
{
    struct event_batch *b = &batch; /* one lookup: this runs per packet */
    if (b->on && (b->mb == mb || !b->first)) {
        b->mb = mb;
        m->link_ = NULL;
        if (b->last)
            b->last->link_ = m;
        else
            b->first = m;
        b->last = m;
        return 0;
    }
    return esock__owner_post(mb, m);
}

/* Posts the batch: 0, or ESOCK_ECLOSED when the mailbox is gone (the
 * messages are freed then). */
static int batch_flush(void)
{
    int rc = 0;
    if (batch.first)
        rc = esock__owner_post_chain(batch.mb, batch.first, batch.last); /* always consumed */
    batch.first = batch.last = NULL;
    return rc;
}

static esock_inet_msg_t *msg_new(int kind, esock__isock_t *s, size_t datalen)
{
    esock_inet_msg_t *m = esock__msgblock_alloc(datalen);
    if (!m)
        return NULL;
    /* Only the fixed head is cleared: `from` is filled for UDP only. */
    m->kind = kind;
    m->sock.id = s ? s->ref.id : 0;
    m->error = 0;
    m->mref = 0;
    m->udp = s && s->proto == ESOCK_INET_UDP;
    m->deliver_port = s && s->deliver_port;
    /* A datagram is never framed (gen_udp ignores packet): it is raw. */
    m->ptype = s && !m->udp ? s->fr.ptype : ESOCK_INET_PACKET_RAW;
    m->header_len = 0;
    m->len = datalen;
    m->data = (const uint8_t *)(m + 1);
    m->nanc = 0;
    m->from.family = ESOCK_FAMILY_UNSPEC;
    m->link_ = NULL;
    return m;
}

int esock__inet_post_simple(uint32_t mbox, int kind, esock__isock_t *s, int err, uint64_t ref)
{
    if (!mbox)
        return 0;
    esock_inet_msg_t *m = msg_new(kind, s, 0);
    if (!m)
        return -ENOMEM;
    m->error = err;
    m->mref = ref;
    return post(mbox, m); /* consumed even on error */
}

int esock__inet_post_nosock(uint32_t mbox, uint32_t sock_id, uint64_t ref)
{
    if (!mbox)
        return 0;
    esock_inet_msg_t *m = msg_new(ESOCK_INET_MSG_DOWN, NULL, 0);
    if (!m)
        return -ENOMEM;
    m->sock.id = sock_id; /* the socket it names, gone or not (OTP's DOWN names the port) */
    m->error = -ENOENT;
    m->mref = ref;
    return post(mbox, m);
}

/* One packet counted against {active, once | N}. */
static void count_one(esock__isock_t *s)
{
    if (s->active == ESOCK_INET_ACTIVE_ONCE) {
        s->active = ESOCK_INET_ACTIVE_FALSE; /* once: no passive message */
    } else if (s->active > 0) {
        if (--s->active == 0) {
            s->active = ESOCK_INET_ACTIVE_FALSE;
            esock__inet_post_simple(s->owner, ESOCK_INET_MSG_PASSIVE, s, 0, 0);
        }
    }
}

/* One packet framed at p (inside the rbuf @p rb): copied into its message,
 * or with zerocopy_min pointed at where it lies (the message holds rb). */
static void deliver(esock__isock_t *s, uint8_t *rb, const uint8_t *p, const esock__frame_t *fr)
{
    bool share = s->zc_min && fr->len >= s->zc_min;
    esock_inet_msg_t *m = msg_new(ESOCK_INET_MSG_DATA, s, share ? 0 : fr->len);
    if (m) {
        if (share) {
            esock__rbuf_hold(rb);
            m->ref_ = rb;
            m->data = p + fr->off;
            m->len = fr->len;
        } else {
            memcpy((uint8_t *)(m + 1), p + fr->off, fr->len);
        }
        m->ptype = fr->ptype;
        if (s->binary && s->header)
            m->header_len = (size_t)s->header < fr->len ? (size_t)s->header : fr->len;
        post(s->owner, m);
    } else {
        batch.lost = true; /* the stream has a hole now: ended at the end of the event */
    }
    esock__inet_stat_recv(s, fr->total);
    count_one(s);
}

/* Report the end of the stream once: error (if any) then closed. */
static void report_close(esock__isock_t *s)
{
    if (s->closed_reported)
        return;
    int info = s->pending_err;
    if (s->pending_err) {
        esock__inet_post_simple(s->owner, ESOCK_INET_MSG_ERROR, s, s->pending_err, 0);
        s->pending_err = 0;
    }
    s->closed_reported = true;
    esock__inet_post_simple(s->owner, ESOCK_INET_MSG_CLOSED, s, 0, 0);
    esock__inet_consume(s, s->ihi - s->ilo);
    /* exit_on_close false: stays writable, unless a passive reader's
     * framing error took the fd already (nothing left to write to). */
    esock__inet_port_dead(s, info, s->fd < 0);
}

/* A framing error in active mode: {tcp_error, S, emsgsize}, then the socket
 * is closed as the inet driver closes it. */
static void report_frame_error(esock__isock_t *s, int err)
{
    esock__inet_post_simple(s->owner, ESOCK_INET_MSG_ERROR, s, err, 0);
    s->closed_reported = true;
    esock__inet_post_simple(s->owner, ESOCK_INET_MSG_CLOSED, s, 0, 0);
    esock__inet_consume(s, s->ihi - s->ilo);
    esock__inet_port_dead(s, err, true);
}

/* Deliver what is buffered while active. Returns <0 after a framing error. */
static int drain_buffer(esock__isock_t *s)
{
    while (s->active != ESOCK_INET_ACTIVE_FALSE && s->ihi > s->ilo && s->fd >= 0) {
        esock__frame_t fr;
        size_t need;
        int r = esock__inet_next_packet(s, 0, &fr, &need);
        if (r < 0) {
            report_frame_error(s, r);
            return r;
        }
        if (r == 0)
            break;
        deliver(s, s->ibuf, s->ibuf + s->ilo, &fr);
        esock__inet_consume(s, fr.total);
    }
    return 0;
}

/* Frame straight out of the scratch buffer; keep only the tail. */
static int deliver_scratch(esock__isock_t *s, uint8_t *p, size_t n)
{
    size_t pos = 0;
    while (pos < n && s->active != ESOCK_INET_ACTIVE_FALSE) {
        esock__frame_t fr;
        size_t need;
        int r = esock__inet_frame_next(&s->fr, p + pos, n - pos, s->buffer, 0, &fr, &need);
        if (r < 0) {
            report_frame_error(s, r);
            return r;
        }
        if (r == 0)
            break;
        deliver(s, p, p + pos, &fr);
        pos += fr.total;
    }
    if (pos < n) { /* the socket's buffer is empty here: it takes the tail */
        size_t left = n - pos;
        if (!s->ibuf || s->icap < left || esock__rbuf_shared(s->ibuf)) {
            size_t cap = left > s->buffer ? left : s->buffer;
            uint8_t *b = esock__rbuf_new(cap);
            if (!b) {
                batch.lost = true; /* the tail is gone: a hole in the stream, as in deliver() */
                return -ENOMEM;
            }
            esock__rbuf_release(s->ibuf);
            s->ibuf = b;
            s->icap = cap;
        }
        memcpy(s->ibuf, p + pos, left);
        s->ilo = 0;
        s->ihi = left;
    }
    return 0;
}

static void read_tcp(esock__isock_t *s)
{
    uint8_t *sc = NULL;
    if (s->ihi == s->ilo && s->fr.ptype != ESOCK_INET_PACKET_RAW && s->read_ahead)
        sc = thread_scratch();
    if (sc) {
        ssize_t n;
        do
            n = esock__sys.read(s->fd, sc, SCRATCH);
        while (n < 0 && errno == EINTR);
        if (n > 0) {
            deliver_scratch(s, sc, (size_t)n);
            if ((size_t)n >= BURST)
                esock__mbox_burst();
            return;
        }
        if (n == 0) {
            s->eof_seen = true;
        } else if (errno == ECONNRESET) {
            s->eof_seen = true;
            if (s->show_econnreset)
                s->pending_err = -ECONNRESET;
        } else if (errno != EAGAIN) {
            s->eof_seen = true;
            s->pending_err = -errno;
        }
    } else {
        size_t need = 0;
        esock__frame_t fr;
        if (s->ihi > s->ilo && esock__inet_next_packet(s, 0, &fr, &need) == 1) {
            drain_buffer(s);
            return;
        }
        ssize_t n = esock__inet_fill(s, need);
        if (n > 0) {
            drain_buffer(s);
            if ((size_t)n >= BURST)
                esock__mbox_burst();
            return;
        }
        if (n == 0) {
            s->eof_seen = true;
        } else if (n == -ECONNRESET) {
            s->eof_seen = true;
            if (s->show_econnreset)
                s->pending_err = -ECONNRESET;
        } else if (n != -EAGAIN) {
            s->eof_seen = true;
            s->pending_err = (int)n;
        }
    }
    if (s->eof_seen && s->active != ESOCK_INET_ACTIVE_FALSE) {
        drain_buffer(s);
        if (s->active != ESOCK_INET_ACTIVE_FALSE)
            report_close(s);
    }
}

static void read_udp(esock__isock_t *s)
{
    uint8_t *sc = thread_scratch();
    if (!sc)
        return;
    for (int i = 0; i < s->read_packets && s->active != ESOCK_INET_ACTIVE_FALSE; i++) {
        esock_sockaddr_t from;
        esock_inet_anc_t anc[3];
        size_t nanc = 3;
        size_t cap = s->buffer < SCRATCH ? s->buffer : SCRATCH;
        ssize_t n = esock__inet_udp_read(s, sc, cap, &from, anc, &nanc);
        if (n < 0) {
            if (n != -EAGAIN && n != -EWOULDBLOCK)
                esock__inet_post_simple(s->owner, ESOCK_INET_MSG_ERROR, s, (int)n, 0);
            return;
        }
        esock_inet_msg_t *m = msg_new(ESOCK_INET_MSG_DATA, s, (size_t)n);
        if (!m)
            return;
        memcpy((uint8_t *)(m + 1), sc, (size_t)n);
        m->from = from;
        m->nanc = nanc;
        memcpy(m->anc, anc, nanc * sizeof anc[0]);
        post(s->owner, m);
        esock__inet_stat_recv(s, (size_t)n);
        count_one(s);
    }
}

static unsigned wanted(const esock__isock_t *s)
{
    unsigned ev = 0;
    if (s->closed || s->fd < 0 || !s->owner)
        return 0;
    if (s->active != ESOCK_INET_ACTIVE_FALSE && !(s->states & ESOCK_INET_ST_LISTEN) &&
        !s->read_dead && !s->eof_seen && !s->reader_busy &&
        (s->states & (ESOCK_INET_ST_CONNECTED | ESOCK_INET_ST_BOUND)))
        ev |= ESOCK__INET_IN;
    if (s->accept_select)
        ev |= ESOCK__INET_IN;
    if (s->oq_head && !s->write_err)
        ev |= ESOCK__INET_OUT;
    return ev;
}

/* Updates what the owner's readiness set watches. Interest is added at
 * once and write interest dropped at once, but read interest is dropped
 * lazily: {active, once} between packets, {active, N} after its passive
 * message, a listener between a select message and the next nowait accept
 * most often want it back before anything arrives, and each drop and
 * re-add is an epoll_ctl. An event that comes while reading is not wanted
 * drops it for real (@p drop_in, from esock__active_ready), so a kept
 * interest costs at most one wake-up in vain. A socket closing, losing its
 * owner or its fd drops everything at once. */
static void set_interest(esock__isock_t *s, bool drop_in)
{
    unsigned ev = wanted(s);
    if (!drop_in && !s->closed && s->fd >= 0 && s->owner)
        ev |= s->watch_ev & ESOCK__INET_IN;
    if (ev == s->watch_ev)
        return;
    if (esock__owner_watch(s->owner, s->fd, s->ref.id, s->watch_ev, ev) == 0)
        s->watch_ev = ev;
}

void esock__active_update(esock__isock_t *s)
{
    /* Buffered packets, or an end of stream seen while passive, are
     * delivered as soon as the socket becomes active (OTP), also when a
     * passive recv returned the end already and the fd went with it
     * (fd < 0 while the port lives: CLOSED, then the port is gone). */
    if (s->owner && s->active != ESOCK_INET_ACTIVE_FALSE && !s->closed && !s->read_dead &&
        s->proto == ESOCK_INET_TCP && !(s->states & ESOCK_INET_ST_LISTEN) && (s->fd >= 0 || s->eof_seen)) {
        drain_buffer(s);
        if (s->eof_seen && s->active != ESOCK_INET_ACTIVE_FALSE && !s->closed_reported)
            report_close(s);
    }
    if (s->fd >= 0)
        set_interest(s, false);
}

void esock__active_detach(esock__isock_t *s)
{
    if (s->watch_ev && s->fd >= 0)
        esock__owner_watch(s->owner, s->fd, s->ref.id, s->watch_ev, 0);
    s->watch_ev = 0;
}

/* Packets read from a stream could not be queued in the owner's mailbox
 * (no memory): they are gone, so the stream cannot go on as if nothing had
 * happened. The owner is told as for a read error: {tcp_error, S, enomem},
 * then closed. (A lost datagram is just a lost datagram.) mu held. */
static void lost_delivery(esock__isock_t *s)
{
    if (s->proto != ESOCK_INET_TCP || s->closed || s->closed_reported || s->fd < 0)
        return;
    s->eof_seen = true;
    s->pending_err = -ENOMEM;
    report_close(s);
    if (s->fd >= 0)
        set_interest(s, false);
}

void esock__active_ready(uint32_t sock_id, unsigned events)
{
    esock_inet_t h = {sock_id};
    esock__isock_t *s = esock__inet_pin(h);
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    if (s->owner)
        esock__owner_note_serving(s->owner); /* this thread waits on it */
    batch.on = true;
    batch.lost = false;
    if (!s->closed && s->fd >= 0) {
        /* read interest may be kept while not wanted (set_interest) */
        bool in_fired = events & ESOCK__INET_IN, want_in = wanted(s) & ESOCK__INET_IN;
        if (events & ESOCK__INET_OUT)
            esock__inet_flush_locked(s); /* a reset is kept for the close report (write_failed) */
        if (in_fired && s->accept_select) {
            s->accept_select = false;
            esock__inet_post_simple(s->owner, ESOCK_INET_MSG_SELECT, s, 0, 0);
        } else if (in_fired && want_in) {
            if (s->proto == ESOCK_INET_UDP)
                read_udp(s);
            else
                read_tcp(s);
        }
        if (s->fd >= 0)
            set_interest(s, in_fired && !want_in); /* a kept interest fired in vain */
    }
    batch.on = false;
    batch_flush(); /* cannot fail for memory: the entries are in the blocks */
    if (batch.lost)
        lost_delivery(s);
    batch.lost = false;
    pthread_mutex_unlock(&s->mu);
    esock__inet_unpin(s);
}

/* ---- delay_send coalescing ---------------------------------------------- *
 * With delay_send, a send made on the owner's mailbox thread is queued; the
 * queue is written when that thread goes back to wait on the mailbox
 * (esock__active_idle), so a burst of echoed packets leaves in one write
 * and a lone ping-pong reply leaves as soon as the handler returns. This is
 * inet's "queue, write on the next poll round" in C terms. */

#define DEFER_MAX 256

/* The sockets waiting for this thread's idle hook, each pinned by the list
 * (the idle hook then needs no handle lookup). The list is flushed when the
 * thread exits, so a thread that stops receiving neither strands output
 * nor keeps sockets alive. */
static _Thread_local struct {
    esock__isock_t *s[DEFER_MAX];
    unsigned n;
    bool registered; /* flush_deferred will run at this thread's exit */
} deferred;

static void flush_deferred(void *unused)
{
    (void)unused;
    esock__active_idle();
    deferred.registered = false;
}

static struct esock__thread_exit deferred_at_exit = ESOCK__THREAD_EXIT_INIT(flush_deferred);

int esock__inet_defer_flush(esock__isock_t *s)
{
    if (s->deferred)
        return 1;
    if (deferred.n == DEFER_MAX || !s->owner || !esock__owner_serving(s->owner))
        return 0;
    if (!deferred.registered) {
        if (esock__thread_exit_arm(&deferred_at_exit) != 0)
            return 0; /* written now instead */
        deferred.registered = true;
    }
    s->deferred = true;
    atomic_fetch_add(&s->ref.refs, 1); /* the caller's pin keeps s alive meanwhile */
    deferred.s[deferred.n++] = s;
    return 1;
}

void esock__active_idle(void)
{
    unsigned n = deferred.n;
    deferred.n = 0;
    for (unsigned i = 0; i < n; i++) {
        esock__isock_t *s = deferred.s[i];
        pthread_mutex_lock(&s->mu);
        s->deferred = false;
        if (!s->closed && s->fd >= 0 && s->oq_head) {
            esock__inet_flush_locked(s);
            set_interest(s, false);
        }
        pthread_mutex_unlock(&s->mu);
        esock__inet_unpin(s);
    }
}
