/*
 * inet/io.c - the input buffer and the output queue of an inet socket.
 *
 * Input: a growable buffer [ilo, ihi) of unframed bytes, allocated only
 * while bytes are pending (an idle socket holds none). Output: a list of
 * chunks holding what a send could not write at once; `opend` is its size
 * (send_pend) and drives the busy state with the watermarks.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <esock/error.h>

#include "inet/inet_int.h"
#include "inet/msgblock.h"
#include "inet/rbuf.h"
#include "sys/blkcache.h"
#include "sys/sys.h"

/* Smallest read we bother to do; reads are at least `buffer` bytes. */
#define MIN_READ 4096

/* Messages point into the buffer (zerocopy_min): what is pending moves to
 * a fresh one, and the old one goes with its last message. */
static int move_to_fresh(esock__isock_t *s, size_t ncap)
{
    size_t have = s->ihi - s->ilo;
    uint8_t *nb = esock__rbuf_new(ncap);
    if (!nb)
        return -ENOMEM;
    memcpy(nb, s->ibuf + s->ilo, have);
    esock__rbuf_release(s->ibuf);
    s->ibuf = nb;
    s->icap = ncap;
    s->ilo = 0;
    s->ihi = have;
    return 0;
}

static int ensure_room(esock__isock_t *s, size_t want)
{
    bool shared = s->ibuf && esock__rbuf_shared(s->ibuf);
    if (s->ilo == s->ihi && !shared)
        s->ilo = s->ihi = 0;
    size_t readsz = s->buffer > MIN_READ ? s->buffer : MIN_READ;
    size_t have = s->ihi - s->ilo;
    size_t need = want > have ? want - have : 0;
    /* want may be a length a peer announced and has not sent: grow towards
     * it as its bytes arrive (at most doubling what is buffered), so that a
     * header claiming 2 GiB pins about what really came, not 2 GiB. */
    if (need > have && need > readsz)
        need = have > readsz ? have : readsz;
    if (need < readsz)
        need = readsz;
    if (s->icap - s->ihi >= need)
        return 0; /* past the end: fine even when shared */
    if (shared)
        return move_to_fresh(s, have + need);
    if (s->ilo > 0) {
        memmove(s->ibuf, s->ibuf + s->ilo, s->ihi - s->ilo);
        s->ihi -= s->ilo;
        s->ilo = 0;
        if (s->icap - s->ihi >= need)
            return 0;
    }
    size_t ncap = s->ihi + need;
    uint8_t *nb = esock__rbuf_grow(s->ibuf, ncap);
    if (!nb)
        return -ENOMEM;
    s->ibuf = nb;
    s->icap = ncap;
    return 0;
}

ssize_t esock__inet_fill(esock__isock_t *s, size_t want)
{
    int rc = ensure_room(s, want);
    if (rc)
        return rc;
    size_t max = s->icap - s->ihi;
    if (!s->read_ahead && s->fr.ptype != ESOCK_INET_PACKET_RAW) {
        /* read_ahead false: never read past the current packet (the header
         * first, then exactly the rest), so nothing after it is consumed. */
        size_t have = s->ihi - s->ilo;
        size_t target = want;
        if (!target) {
            switch (s->fr.ptype) {
            case ESOCK_INET_PACKET_1: target = 1; break;
            case ESOCK_INET_PACKET_2: target = 2; break;
            case ESOCK_INET_PACKET_4: target = 4; break;
            default: target = have + 1; break; /* delimited types: a byte at a time */
            }
        }
        if (target > have && target - have < max)
            max = target - have;
    }
    for (;;) {
        ssize_t n = esock__sys.read(s->fd, s->ibuf + s->ihi, max);
        if (n > 0) {
            s->ihi += (size_t)n;
            return n;
        }
        if (n == 0)
            return 0;
        if (errno == EINTR)
            continue;
        return -errno;
    }
}

int esock__inet_next_packet(esock__isock_t *s, size_t rawlen, esock__frame_t *fr, size_t *need)
{
    *need = 0;
    if (s->ihi == s->ilo)
        return 0;
    return esock__inet_frame_next(&s->fr, s->ibuf + s->ilo, s->ihi - s->ilo, s->buffer, rawlen, fr,
                             need);
}

void esock__inet_consume(esock__isock_t *s, size_t n)
{
    s->ilo += n;
    if (s->ilo == s->ihi) {
        s->ilo = s->ihi = 0;
        /* Give a big buffer back once drained; a usual one stays (as the
         * driver's i_buf) so that a busy socket does not allocate per read.
         * Sockets that never had a partial packet hold none. One that
         * messages point into goes with the last of them. */
        if (s->icap > 262144 || (s->ibuf && esock__rbuf_shared(s->ibuf))) {
            esock__rbuf_release(s->ibuf);
            s->ibuf = NULL;
            s->icap = 0;
        }
    }
}

void esock__inet_busy_recheck(esock__isock_t *s)
{
    bool was = s->busy;
    /* An empty queue is never busy: high_watermark 0 makes any queued
     * byte busy until the queue is written out (OTP accepts 0). */
    if (s->opend > 0 && s->opend >= s->high_wm)
        s->busy = true;
    else if (s->opend < s->low_wm || s->opend == 0)
        s->busy = false;
    if (s->busy)
        s->states |= ESOCK_INET_ST_BUSY;
    else
        s->states &= ~ESOCK_INET_ST_BUSY;
    if (was && !s->busy) {
        esock__inet_wake_all(s); /* blocked senders re-check */
        if (s->ready_mbox) {
            esock__inet_post_simple(s->ready_mbox, ESOCK_INET_MSG_READY, s, 0, 0);
            s->ready_mbox = 0;
        }
    }
}

bool esock__inet_writable_now(const esock__isock_t *s)
{
    struct pollfd p = {.fd = s->fd, .events = POLLOUT};
    int n, tries = 0;
    do /* a signal is no answer: ask again (bounded) */
        n = esock__sys.poll(&p, 1, 0);
    while (n < 0 && errno == EINTR && ++tries < 16);
    return n == 1 && (p.revents & POLLOUT);
}

/* ---- the output queue ---- */

const uint8_t *esock__inet_wire(const esock_inet_msg_t *m, const uint8_t *hdr, size_t hlen)
{
    if (!m->ref_ || !esock__rbuf_spans(m->ref_, m->data, hlen, m->len))
        return NULL;
    const uint8_t *w = m->data - hlen;
    return memcmp(w, hdr, hlen) == 0 ? w : NULL;
}

/* Appends @p len bytes at @p p to the vector, as part of the last entry
 * when they follow it in memory (packets read one after another and sent
 * from their read buffer go out as one vector, as an echo in place does). */
static void push_iov(struct iovec *iov, size_t *n, const uint8_t *p, size_t len)
{
    if (*n && (uint8_t *)iov[*n - 1].iov_base + iov[*n - 1].iov_len == p) {
        iov[*n - 1].iov_len += len;
        return;
    }
    iov[*n].iov_base = (void *)p;
    iov[(*n)++].iov_len = len;
}

/* Appends a chunk's unwritten bytes, at most two vectors: a copy chunk's
 * data; a message chunk's packet header, then the message's payload, or
 * both at once when they lie together (wire). */
static void chunk_iov(const esock__chunk_t *c, struct iovec *iov, size_t *n)
{
    if (!c->msg || c->wire) {
        push_iov(iov, n, (c->msg ? c->wire : c->data) + c->off, c->len - c->off);
        return;
    }
    size_t off = c->off;
    if (off < c->hlen) {
        push_iov(iov, n, c->hdr + off, c->hlen - off);
        off = 0;
    } else {
        off -= c->hlen;
    }
    push_iov(iov, n, c->msg->data + off, c->msg->len - off);
}

/* The whole block of a lone reply's chunk: glibc's tcache serves requests
 * up to 1032 bytes. */
#define CHUNK_LONE 1024
#define LONE_CAP (CHUNK_LONE - sizeof(esock__chunk_t))
/* Lone chunks freed on this thread, for its next ones: a batch of replies
 * to many connections takes one each, more than glibc's tcache keeps (7),
 * and the rest went through its general path, about 200 instructions per
 * reply (sys/blkcache.h). From the seam's allocator, so freed by it. */
#define LONE_KEEP 64u /* 64 KiB per thread at most */
static _Thread_local struct esock__blkcache lone_cache;

static void seam_free(void *p)
{
    esock__free(p);
}

static void lone_release(void *unused)
{
    (void)unused;
    esock__blkcache_release(&lone_cache, seam_free);
}

static struct esock__thread_exit lone_at_exit = ESOCK__THREAD_EXIT_INIT(lone_release);

unsigned esock__inet_lone_kept(void)
{
    return lone_cache.n;
}

static void chunk_free(esock__chunk_t *c)
{
    bool lone = c->msg == NULL && c->cap == LONE_CAP; /* a copy chunk of the lone size */
    esock__msgblock_free(c->msg); /* NULL for a copy chunk */
    if (!lone || !esock__blkcache_keep(&lone_cache, c, LONE_KEEP, &lone_at_exit))
        esock__free(c);
}

static void append(esock__isock_t *s, esock__chunk_t *c)
{
    c->next = NULL;
    if (s->oq_tail)
        s->oq_tail->next = c;
    else
        s->oq_head = c;
    s->oq_tail = c;
}

int esock__inet_enqueue_chunk(esock__isock_t *s, const uint8_t *a, size_t alen, const uint8_t *b,
                              size_t blen)
{
    /* Small, into an empty queue (a lone reply, the first of a burst): a
     * block glibc's per-thread cache serves (1 KiB in all), about 230
     * instructions cheaper to take and give back than the 4 KiB one,
     * which its general path serves. Small after that: 4000 bytes, the
     * rest of a burst of small replies. Bigger pieces get 64 KiB chunks
     * that the next ones share: a burst of 16 KiB replies is then four
     * copies into one buffer rather than an allocation each, and leaves
     * in one write. */
    size_t len = alen + blen;
    size_t cap = len <= LONE_CAP && !s->oq_head ? LONE_CAP : len < 4000 ? 4000 : len < 65536 ? 65536 : len;
    esock__chunk_t *c = cap == LONE_CAP ? esock__blkcache_take(&lone_cache) : NULL;
    if (!c)
        c = esock__malloc(sizeof *c + cap);
    if (!c)
        return -ENOMEM;
    c->msg = NULL;
    c->off = c->len = 0;
    c->cap = cap;
    c->hlen = 0;
    append(s, c);
    return esock__inet_enqueue(s, a, alen, b, blen); /* the new tail has room */
}

int esock__inet_enqueue_msg(esock__isock_t *s, const uint8_t *hdr, size_t hlen, esock_inet_msg_t *m,
                            size_t done)
{
    esock__chunk_t *c = esock__malloc(sizeof *c);
    if (!c)
        return -ENOMEM;
    c->msg = m;
    c->wire = esock__inet_wire(m, hdr, hlen);
    c->hlen = (uint8_t)hlen;
    memcpy(c->hdr, hdr, hlen);
    c->len = c->cap = hlen + m->len;
    c->off = done;
    append(s, c);
    s->opend += c->len - done;
    return 0;
}

/* Most writes are one vector (a reply with nothing queued before it, or a
 * queue of one chunk). sendmsg first copies and checks a msghdr and imports
 * the vector array: about 3 % of a 64-byte echo's server time, which send()
 * does not spend. */
ssize_t esock__inet_writev(int fd, const struct iovec *iov, size_t n)
{
    if (n == 1)
        return esock__sys.send(fd, iov->iov_base, iov->iov_len, MSG_NOSIGNAL);
    struct msghdr mh = {.msg_iov = (struct iovec *)iov, .msg_iovlen = n};
    return esock__sys.sendmsg(fd, &mh, MSG_NOSIGNAL);
}

/* Frees every queued chunk. mu held. */
static void drop_output(esock__isock_t *s)
{
    esock__chunk_t *c = s->oq_head;
    while (c) {
        esock__chunk_t *nx = c->next;
        chunk_free(c);
        c = nx;
    }
    s->oq_head = s->oq_tail = NULL;
    s->opend = 0;
}

/* The queue goes with the connection, as the driver clears its output
 * queue when a write fails: no later write can deliver it, send_pend
 * says 0, and a sender held busy is woken to meet the error. */
int esock__inet_write_failed(esock__isock_t *s, int err)
{
    s->write_err = err;
    drop_output(s);
    esock__inet_update_busy(s);
    if (err == -ECONNRESET) {
        if (s->show_econnreset && !s->pending_err)
            s->pending_err = err;
        if (s->active == ESOCK_INET_ACTIVE_FALSE)
            s->eof_seen = true; /* an active socket's read finds the end */
    }
    return err;
}

int esock__inet_flush_locked(esock__isock_t *s)
{
    if (s->write_err)
        return s->write_err;
    if (s->fd < 0)
        return -ENOTCONN;
    int retries = 0;
    while (s->oq_head) {
        struct iovec iov[64];
        size_t n = 0;
        for (esock__chunk_t *c = s->oq_head; c && n + 2 <= 64; c = c->next)
            chunk_iov(c, iov, &n);
        ssize_t w = esock__inet_writev(s->fd, iov, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                return esock__inet_write_failed(s, -errno);
            /* Full only if poll agrees (see ESOCK__INET_SHORT_RETRIES). */
            if (retries++ < ESOCK__INET_SHORT_RETRIES && esock__inet_writable_now(s))
                continue;
            esock__inet_update_busy(s); /* what was written may end busy */
            return 1;
        }
        size_t left = (size_t)w;
        s->opend -= left;
        while (left && s->oq_head) {
            esock__chunk_t *c = s->oq_head;
            size_t avail = c->len - c->off;
            if (left >= avail) {
                left -= avail;
                s->oq_head = c->next;
                chunk_free(c);
            } else {
                c->off += left;
                left = 0;
            }
        }
        if (!s->oq_head)
            s->oq_tail = NULL;
    }
    esock__inet_update_busy(s);
    return 0;
}

void esock__inet_teardown(esock__isock_t *s)
{
    drop_output(s);
    if (s->fd >= 0) {
        esock__sys.close(s->fd);
        s->fd = -1;
    }
    esock__rbuf_release(s->ibuf);
    s->ibuf = NULL;
    s->icap = s->ilo = s->ihi = 0;
    s->states = 0;
}
