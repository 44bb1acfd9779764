/*
 * esock/mbox.h - mailboxes: the stand-in for an Erlang process.
 *
 * In Erlang, select, abort and 'DOWN' (and gen_tcp's tcp, tcp_closed,
 * tcp_passive, tcp_error) are messages to a process. In esock they are
 * esock_msg_t records delivered to a mailbox. Waiting on a mailbox
 * (esock_mbox_recv) runs its readiness loop on the waiting thread: readiness
 * of the sockets registered in it becomes messages right there, with no
 * hidden I/O thread. Other threads post through a locked queue and an
 * eventfd that sits in the same readiness set.
 *
 * Every thread has an implicit mailbox, esock_mbox_self(), created on first
 * use and destroyed when the thread exits: it receives the select messages
 * of the nowait calls the thread makes (as the calling process does in OTP).
 *
 * Thread safety: every function may be called from any thread. Several
 * threads may wait on one mailbox, plain and selective receivers mixed;
 * each message is delivered to one of them, and a thread that returns with
 * messages left wakes another waiting thread. A selective receiver woken
 * for a message it does not match hands the wake-up on to the other
 * receivers (docs/socket.md, "Mailboxes").
 * Handles are never reused before 2^32 more (common.h): a destroyed mailbox's handle fails with
 * ESOCK_ECLOSED.
 */
#ifndef ESOCK_MBOX_H
#define ESOCK_MBOX_H

#include <esock/common.h>
#include <esock/error.h>

#include <stdint.h>

ESOCK_BEGIN_DECLS

/** A mailbox handle. id 0 is never a valid mailbox. */
typedef struct esock_mbox {
    uint32_t id;
} esock_mbox_t;

/** Message kinds. 16..63 are reserved for the inet layer (inet.h). */
typedef enum esock_msg_kind {
    ESOCK_MSG_NONE = 0,
    ESOCK_MSG_SELECT = 1, /**< {'$socket', S, select, Handle}: retry the operation */
    ESOCK_MSG_ABORT = 2,  /**< {'$socket', S, abort, {Handle, Reason}}: the operation ended */
    ESOCK_MSG_DOWN = 3,   /**< {'DOWN', Ref, socket, S, Info}: a monitored socket closed */
    ESOCK_MSG_USER = 4,   /**< posted by the program with esock_mbox_post */
    ESOCK_MSG_INET_FIRST = 16,
    ESOCK_MSG_INET_LAST = 63
} esock_msg_kind_t;

/** Select tags: the operation a select or abort message is about. */
typedef enum esock_op {
    ESOCK_OP_NONE = 0,
    ESOCK_OP_ACCEPT,
    ESOCK_OP_CONNECT,
    ESOCK_OP_RECV,
    ESOCK_OP_RECVFROM,
    ESOCK_OP_RECVMSG,
    ESOCK_OP_SEND,
    ESOCK_OP_SENDTO,
    ESOCK_OP_SENDMSG,
    ESOCK_OP_SENDFILE
} esock_op_t;

/**
 * A message. The receiver owns it after esock_mbox_recv() and releases it
 * with esock_msg_free() (which frees @c data; the record itself is the
 * caller's). Fields by kind:
 *  - SELECT: socket, tag, ref (the select handle).
 *  - ABORT:  socket, tag, ref, reason (ESOCK_ECLOSED when closed by another thread).
 *  - DOWN:   socket, ref (the monitor reference), reason (0 = closed normally,
 *            ESOCK_ECLOSED..., or -ENOENT for "nosock": no such socket).
 *  - USER:   ref, data/len as posted.
 */
typedef struct esock_msg {
    esock_msg_kind_t kind;
    uint32_t socket; /**< the socket's handle id (esock_t.id or the inet handle) */
    esock_op_t tag;
    uint64_t ref;
    int reason;
    void *data;      /**< heap payload owned by the receiver, or NULL */
    size_t len;
    uint64_t aux;    /**< kind-specific extra (inet: packet / address info) */
} esock_msg_t;

/** Creates a mailbox, in *out. 0, -EINVAL (NULL @p out), -ENOMEM, -EMFILE (epoll/eventfd), ESOCK_ESYSTEM_LIMIT. */
ESOCK_API int esock_mbox_create(esock_mbox_t *out);

/**
 * Destroys a mailbox: queued messages are freed, threads waiting on it return
 * ESOCK_ECLOSED, sockets owned by it lose their owner. 0 or ESOCK_ECLOSED
 * (already destroyed / stale).
 */
ESOCK_API int esock_mbox_destroy(esock_mbox_t mb);

/** The calling thread's implicit mailbox (created on first use). */
ESOCK_API esock_mbox_t esock_mbox_self(void);

/**
 * Receives the next message, waiting up to timeout_ms (ESOCK_INFINITY, or
 * 0 / ESOCK_NOWAIT to only look). 0 with *msg filled, ESOCK_ETIMEOUT, or
 * ESOCK_ECLOSED if the mailbox is (or gets) destroyed.
 */
ESOCK_API int esock_mbox_recv(esock_mbox_t mb, esock_msg_t *msg, int64_t timeout_ms);

/**
 * Receives a batch: waits as esock_mbox_recv() for the first message, then
 * takes every message already queued behind it, up to @p max, in order.
 * Returns how many (1..max) with msgs[0..n) filled (each owned by the caller
 * as with esock_mbox_recv), ESOCK_ETIMEOUT, ESOCK_ECLOSED, or -EINVAL
 * (msgs NULL or max 0). One lock and one handle lookup for the whole batch:
 * a server handling a stream of small messages saves that per message.
 * Send replies between calls as usual: coalesced (delay_send) output is
 * written when the thread comes back to wait and the queue is empty.
 * Messages taken here are no longer visible to other threads receiving on
 * the same mailbox. Thread-safe.
 */
ESOCK_API int esock_mbox_recv_many(esock_mbox_t mb, esock_msg_t *msgs, size_t max, int64_t timeout_ms);

/**
 * Selective receive: the first message that matches every non-zero field of
 * @p match (kind, socket, tag, ref); other messages stay queued in order.
 * Returns as esock_mbox_recv().
 */
ESOCK_API int esock_mbox_recv_match(esock_mbox_t mb, const esock_msg_t *match, esock_msg_t *msg,
                                    int64_t timeout_ms);

/**
 * Posts a copy of @p msg. Its data pointer is taken over in every case: the
 * receiver frees it with free(), or the mailbox does when the post fails.
 * 0, ESOCK_ECLOSED (no such mailbox), -EINVAL (@p msg NULL, or a kind of
 * the inet range 16..63: only the library posts those) or -ENOMEM (no memory for the queue
 * entry). Thread-safe.
 */
ESOCK_API int esock_mbox_post(esock_mbox_t mb, const esock_msg_t *msg);

/**
 * Busy-waiting before sleep, OTP's scheduler busy wait (`+sbwt`) for one
 * mailbox: a receive that finds nothing to do polls the mailbox's
 * readiness set for up to @p spin_us microseconds (never past its own
 * timeout) before it blocks. A thread that blocks at every lull must be
 * woken by the kernel for the next packet, and on a virtual machine
 * especially that wake-up costs the sending side more than the spin costs
 * the waiting one; spinning trades the waiting thread's CPU time (it shows
 * as busy while it spins) for the latency and the peers' cost. Default 0
 * (block at once). Returns 0, -EINVAL if @p spin_us is outside
 * 0..1,000,000, or ESOCK_ECLOSED if @p mb is stale. Thread-safe; it applies
 * to the receives that start waiting after the call.
 */
ESOCK_API int esock_mbox_set_spin(esock_mbox_t mb, int64_t spin_us);

/** Number of queued messages (a snapshot). ESOCK_ECLOSED if stale. */
ESOCK_API int esock_mbox_len(esock_mbox_t mb);

/**
 * A descriptor that polls readable whenever the mailbox has something to do
 * (a message queued or a registered socket ready): hand it to another event
 * loop, then call esock_mbox_recv(mb, &m, 0). Owned by the mailbox; valid
 * until esock_mbox_destroy. Returns the fd or ESOCK_ECLOSED.
 */
ESOCK_API int esock_mbox_fd(esock_mbox_t mb);

/** Frees the payload of a received message (idempotent): free() for the
 * socket and user kinds, esock_inet_msg_free() for the inet kinds. */
ESOCK_API void esock_msg_free(esock_msg_t *msg);

ESOCK_END_DECLS

#endif
