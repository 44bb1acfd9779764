/*
 * inet/inet_int.h - the inet socket object shared by the files of src/inet.
 *
 * Locking: one mutex per socket guards everything below it. The handle
 * table (table.c) pins a socket for the duration of a call (refs); the
 * memory is freed when the last pin drops after close. Blocking calls wait
 * outside the lock (wait.c) and are woken by close through a per-thread
 * eventfd, so no thread ever sleeps inside a syscall on an fd that another
 * thread may close.
 */
#ifndef ESOCK_INET_INT_H
#define ESOCK_INET_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <esock/inet.h>

#include "inet/frame.h"
#include "sys/htab.h"

/* The per-thread buffer active reads go into (active.c): as large as one
 * loopback TCP read gets, so a stream of big packets takes few reads. */
#define ESOCK__INET_SCRATCH 262144

/* One queued output chunk (the unwritten part of a send): bytes copied
 * into data[], or a message sent with esock_inet_send_msg, whose bytes are
 * hdr[0..hlen) then the message's payload, left where they are. */
typedef struct esock__chunk {
    struct esock__chunk *next;
    size_t len, off, cap;   /* bytes in it, bytes written, room (copy chunks) */
    esock_inet_msg_t *msg;  /* a message chunk: freed with the chunk */
    const uint8_t *wire;    /* or NULL: where header and payload lie together */
    uint8_t hlen, hdr[4];
    uint8_t data[];
} esock__chunk_t;

/* Where the @p hlen header bytes @p hdr and the payload of @p m lie
 * together, or NULL: a packet delivered with zerocopy_min still has its
 * wire header right before its payload in the read buffer, and when those
 * bytes are the header to send, the packet is written from there as one
 * vector (and the packets of one read as one, as an echo in place does). */
const uint8_t *esock__inet_wire(const esock_inet_msg_t *m, const uint8_t *hdr, size_t hlen);

/* Below this many bytes esock_inet_send_msg copies the payload (and frees
 * the message at once): a small copy costs less than a chunk of its own
 * and a vector more in the write. */
#define ESOCK__INET_SEND_REF_MIN 2048

/* A thread blocked on this socket: woken by close. */
typedef struct esock__waiter {
    struct esock__waiter *next, *prev;
    int efd;             /* the waiting thread's eventfd (-1: a closing thread without one) */
} esock__waiter_t;

/* A thread waiting in accept (FIFO, on its stack). */
typedef struct esock__acceptor {
    struct esock__acceptor *next;
} esock__acceptor_t;

typedef struct esock__mon {
    struct esock__mon *next;
    uint64_t ref;
    uint32_t mbox;
} esock__mon_t;

typedef struct esock__isock {
    /* Members are grouped by size, the small ones last, so that little is
     * lost to padding: there is one record per connection, and at 344
     * bytes it is a 352-byte malloc chunk where the 368 bytes it had with
     * the members in topic order took 384 (docs/bench.md, "Memory per
     * idle connection"). */
    struct esock__ref ref; /* first: pins (+ 1 while open) and the handle, ref.id (sys/htab.h) */
    pthread_mutex_t mu;
    int fd;
    unsigned states;       /* ESOCK_INET_ST_* */
    uint32_t owner;        /* owner mailbox id, 0 = none */

    /* inet options (the non-kernel ones live only here) */
    int active;            /* ESOCK_INET_ACTIVE_* or count > 0 */
    int header;
    int read_packets;
    esock__framer_t fr;
    size_t zc_min;         /* zerocopy_min: share packets this big (0 = never) */
    size_t buffer;
    int64_t send_timeout_ms;
    size_t high_wm, low_wm, high_msgq_wm, low_msgq_wm;

    /* input */
    uint8_t *ibuf;
    size_t icap, ilo, ihi;
    int pending_err;       /* error seen while passive, reported when active */
    int dead_send_err;     /* what send returns then (0 = ESOCK_ECLOSED) */

    /* output */
    esock__chunk_t *oq_head, *oq_tail;
    size_t opend;          /* bytes queued (send_pend) */
    int write_err;         /* sticky write error */
    uint32_t ready_mbox;   /* post READY here when busy clears (nowait sender) */

    /* statistics: inet driver semantics (stat.c) */
    uint64_t recv_oct, recv_cnt, recv_max, send_oct, send_cnt, send_max;
    double recv_avg, recv_dvi, send_avg;

    esock__waiter_t *waiters;
    esock__acceptor_t *acc_head;
    esock__mon_t *mons;
    uint64_t serial;       /* creation order, for i() */

    /* the small ones, together at the end */
    uint8_t proto;         /* esock_inet_proto_t */
    uint8_t family;        /* AF_INET, AF_INET6, AF_UNIX */
    uint8_t watch_ev;      /* ESOCK__INET_IN | ESOCK__INET_OUT registered */
    bool closed;           /* esock_inet_close() started: new calls fail */
    bool binary, deliver_port, exit_on_close, show_econnreset, delay_send;
    bool send_timeout_close, read_ahead;
    bool recvtos, recvttl, recvtclass;
    bool eof_seen;         /* read returned 0 (or RST mapped to close) */
    bool closed_reported;  /* the CLOSED message was posted (once per socket) */
    bool read_dead;        /* the "port" is gone: fd released, handle kept */
    bool reader_busy;      /* a passive recv is in progress (ealready) */
    bool accept_select;    /* a nowait accept waits for a SELECT message */
    bool deferred;         /* output deferred for coalescing (active.c) */
    bool busy;
    bool buffer_set;       /* buffer was given: recbuf no longer raises it (not inherited) */
    bool prio_set;         /* priority was set: accepted sockets get it too (Linux does not copy it) */
} esock__isock_t;

/* ---- table.c ---- */
/* A new socket, refs = 1 (the open ref), returned with s->mu held: it is in
 * the table (i() can reach it) before the caller has filled it in. */
int esock__inet_new(esock__isock_t **out);
esock__isock_t *esock__inet_pin(esock_inet_t h);       /* NULL if stale; else pinned */
void esock__inet_unpin(esock__isock_t *s);
void esock__inet_unregister(esock__isock_t *s);        /* remove handle (close) */
/* Calls fn for every open socket (pinned during the call). */
void esock__inet_foreach(void (*fn)(esock__isock_t *, void *), void *arg);
void esock__inet_defaults(esock__isock_t *s);

/* ---- stat.c ---- */
/* Count one delivered packet / accepted send of n bytes (getstat). Inline:
 * they run once per packet, and in a stream of equal packets the running
 * mean does not move, so the divisions (stat.c) are skipped. mu held. */
void esock__inet_stat_recv_mean(esock__isock_t *s, size_t n);
void esock__inet_stat_send_mean(esock__isock_t *s, size_t n);

static inline void esock__inet_stat_recv(esock__isock_t *s, size_t n)
{
    s->recv_cnt++;
    s->recv_oct += n;
    if (n > s->recv_max)
        s->recv_max = n;
    if ((double)n != s->recv_avg || s->recv_dvi != 0)
        esock__inet_stat_recv_mean(s, n);
}

static inline void esock__inet_stat_send(esock__isock_t *s, size_t n)
{
    s->send_cnt++;
    s->send_oct += n;
    if (n > s->send_max)
        s->send_max = n;
    if ((double)n != s->send_avg)
        esock__inet_stat_send_mean(s, n);
}

/* ---- wait.c ---- */
/* Wait (unlocked) for fd readiness or close. events POLLIN/POLLOUT.
 * Returns 0 ready, ESOCK_ETIMEOUT, ESOCK_ECLOSED. s->mu must be held; it is
 * released while waiting and taken again. */
int esock__inet_wait(esock__isock_t *s, short events, int64_t deadline_ms);
/* The same wait for the thread closing @p s (s->closed already set, the
 * teardown its own): does not refuse the closed socket. Returns 0 ready or
 * woken, ESOCK_ETIMEOUT, -ENOTCONN (no fd), -errno. */
int esock__inet_wait_closing(esock__isock_t *s, short events, int64_t deadline_ms);
int64_t esock__inet_deadline(int64_t timeout_ms);    /* ESOCK_INFINITY stays -1 */
int64_t esock__inet_now_ms(void);
void esock__inet_wake_all(esock__isock_t *s);

/* ---- io.c ---- */
/* Read once into the input buffer. >0 bytes, 0 EOF, <0 -errno (-EAGAIN). mu held. */
ssize_t esock__inet_fill(esock__isock_t *s, size_t want);
/* Frame the next packet from the buffer. */
int esock__inet_next_packet(esock__isock_t *s, size_t rawlen, esock__frame_t *fr, size_t *need);
void esock__inet_consume(esock__isock_t *s, size_t n);
/* esock__inet_enqueue when the tail chunk has no room: a new chunk, then
 * the copy. 0 or -ENOMEM. */
int esock__inet_enqueue_chunk(esock__isock_t *s, const uint8_t *a, size_t alen, const uint8_t *b,
                              size_t blen);
/* Lone output chunks this thread keeps for reuse (io.c; for tests). */
unsigned esock__inet_lone_kept(void);
/* Queue a + b (copied; header and payload) / a message's payload by
 * reference, after its header, with @p done bytes of the two already
 * written (the message is then the queue's). 0 or -ENOMEM. mu held.
 * @p a is a packet header (at most 4 bytes). Small pieces go into the tail
 * chunk while it has room: a burst of small sends becomes one buffer and
 * one write. Inline: it runs once per packet of a burst. */
static inline int esock__inet_enqueue(esock__isock_t *s, const uint8_t *a, size_t alen,
                                      const uint8_t *b, size_t blen)
{
    size_t len = alen + blen;
    esock__chunk_t *c = s->oq_tail;
    if (!len)
        return 0;
    if (!c || c->msg || c->cap - c->len < len)
        return esock__inet_enqueue_chunk(s, a, alen, b, blen);
    uint8_t *d = c->data + c->len;
    for (size_t i = 0; i < alen; i++)
        d[i] = a[i];
    if (blen)
        memcpy(d + alen, b, blen);
    c->len += len;
    s->opend += len;
    return 0;
}
int esock__inet_enqueue_msg(esock__isock_t *s, const uint8_t *hdr, size_t hlen, esock_inet_msg_t *m,
                            size_t done);
/* Write queued output. 0 all written, 1 some left (EAGAIN), <0 error. mu held. */
int esock__inet_flush_locked(esock__isock_t *s);
/* A write failed with @p err (-errno, returned): kept for the next sender;
 * the queued output is dropped (send_pend 0) and the busy state left.
 * A reset ends the connection as the inet driver ends it: a passive
 * socket's next recv (or an active socket's close report) gives
 * econnreset with show_econnreset, else closed, and later sends get
 * enotconn (OTP 25: send econnreset, send enotconn, recv econnreset). */
int esock__inet_write_failed(esock__isock_t *s, int err);
/* One write of the n vectors at iov: send() for one, sendmsg() for more
 * (MSG_NOSIGNAL). Returns what the call returned, errno set on -1. */
ssize_t esock__inet_writev(int fd, const struct iovec *iov, size_t n);
/* Room in the kernel's send buffer right now (poll, no wait)? */
bool esock__inet_writable_now(const esock__isock_t *s);
/* How many times a write that stopped short is tried again while the
 * socket still has room. A real kernel stops short only when its buffer is
 * full (poll then says so and the rest is queued at once); the bound is
 * for EAGAIN or short transfers injected through the seam, and signals. */
#define ESOCK__INET_SHORT_RETRIES 16
/* The longest raw recv(len) the inet driver takes (64 MiB); above it
 * gen_tcp:recv says enomem at once (OTP 25). */
#define ESOCK__INET_RECV_LEN_MAX ((size_t)1 << 26)
/* The busy state (high_watermark / low_watermark) after the queue changed:
 * entering it, or leaving it (blocked senders woken, a ready message to a
 * nowait sender). Not busy and under high_watermark, nothing can change:
 * the common case of a send, inline. mu held. */
void esock__inet_busy_recheck(esock__isock_t *s);

static inline void esock__inet_update_busy(esock__isock_t *s)
{
    if (s->busy || s->opend >= s->high_wm)
        esock__inet_busy_recheck(s);
}
/* Close the fd and release everything (the last step of close). mu held. */
void esock__inet_teardown(esock__isock_t *s);

/* ---- opts.c ---- */
/* Whether every option names one and carries a value it takes (0 or the
 * error setopts gives); applies nothing. @p creation: connect / listen /
 * open options and the process-wide defaults. */
int esock__inet_check_opts(const esock_inet_opt_t *o, size_t n, bool creation);
/* Checks every option, then applies them in order (s->mu held). */
int esock__inet_setopts_locked(esock__isock_t *s, const esock_inet_opt_t *o, size_t n, bool creation);
int esock__inet_apply_defaults(esock__isock_t *s, bool listen);

/* ---- active.c: the owner mailbox side ---- */
/* (Re)compute the read interest in the owner's mailbox after a state change. mu held. */
void esock__active_update(esock__isock_t *s);
/* Detach from the owner's mailbox (close, controlling_process). mu held. */
void esock__active_detach(esock__isock_t *s);
/* Defer this socket's queued output to the mailbox thread's idle point. */
int esock__inet_defer_flush(esock__isock_t *s);
/* Post a closed/error/passive/down message. */
int esock__inet_post_simple(uint32_t mbox, int kind, esock__isock_t *s, int err, uint64_t ref);
/* Every getstat value of @p s, in esock_inet_stat_t order. mu held. */
void esock__inet_stat_all(const esock__isock_t *s, uint64_t *values);
/* The DOWN of a monitor set on a socket that is gone or stale: info
 * -ENOENT (nosock), naming the socket @p sock_id. */
int esock__inet_post_nosock(uint32_t mbox, uint32_t sock_id, uint64_t ref);

/* ---- tcp.c / udp.c / misc.c / opts.c ---- */
/* Create a socket (optionally in a netns) and apply the defaults
 * (defaults: 0 connect, 1 listen, -1 none) and @p opts. */
int esock__inet_create(esock__isock_t **out, int family, esock_inet_proto_t proto,
                  const esock_inet_opt_t *opts, size_t n, int defaults, uint32_t owner);
/* The inet driver closes the port underneath after a reported close (with
 * exit_on_close) or a framing error (force): release the fd, keep the
 * handle; monitors get DOWN with @p info (0 = normal). mu held. */
void esock__inet_port_dead(esock__isock_t *s, int info, bool force);
/* Post DOWN to every monitor and drop them. mu held. */
void esock__inet_post_down(esock__isock_t *s, int info);
/* One datagram (mu held, non-blocking). Bytes or -errno. */
ssize_t esock__inet_udp_read(esock__isock_t *s, void *buf, size_t cap, esock_sockaddr_t *from,
                        esock_inet_anc_t *anc, size_t *nanc);
/* esock_inet_sendto / esock_inet_recvfrom on a pinned socket whose lock is
 * held (@p to NULL: the connected peer; @p deadline as esock__inet_deadline
 * gives): what gen_tcp's send and recv do on a UDP socket too. */
int esock__inet_udp_send_locked(esock__isock_t *s, const struct sockaddr *to, socklen_t tolen,
                                const void *data, size_t len);
int esock__inet_udp_recv_locked(esock__isock_t *s, void *buf, size_t cap, size_t *got,
                                esock_sockaddr_t *from, esock_inet_anc_t *anc, size_t *nanc,
                                int64_t deadline);
/* The netns path among the default and given options: 1 found, 0 none, <0 error. */
int esock__inet_find_netns(const esock_inet_opt_t *o, size_t n, bool listen, char *path, size_t cap);

#define ESOCK__MIN(a, b) ((a) < (b) ? (a) : (b))
#define ESOCK__MAX(a, b) ((a) > (b) ? (a) : (b))

#endif
