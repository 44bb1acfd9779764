/*
 * mbox/mbox_int.h - what the socket and inet layers use of mailboxes.
 *
 * Watches: a layer registers interest in an fd's readiness in a mailbox's
 * readiness set; a thread waiting on that mailbox calls the callback with
 * (arg, events) when the fd is ready. One-shot watches are cleared before
 * the call; persistent ones stay until unwatched. Callbacks run on the
 * waiting thread without mailbox locks held, and may post, watch and unwatch.
 * Callbacks receive an integer arg (a handle id), never a pointer, so a
 * watch that outlives its object is harmless.
 */
#ifndef ESOCK_MBOX_INT_H
#define ESOCK_MBOX_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <esock/mbox.h>

#include "poll/poll.h"

typedef void (*esock__watch_cb)(uint64_t arg, unsigned events);

#define ESOCK__WATCH_PERSIST 0x100u

/* Watches the given direction(s) of fd in mb: when one fires, the mailbox's
 * waiting thread calls cb(arg, ESOCK__EV_IN or ESOCK__EV_OUT), once per
 * direction that fired. One callback and argument serve both directions of
 * an fd (a watch is per fd and small, one per idle connection): watching
 * another direction replaces them, so a caller passes the same pair for
 * both and tells the directions apart by the events argument.
 * events: ESOCK__EV_IN and/or ESOCK__EV_OUT, | ESOCK__WATCH_PERSIST.
 * 0, ESOCK_ECLOSED (no such mailbox), -errno. */
int esock__mbox_watch(uint32_t mb, int fd, unsigned events, esock__watch_cb cb, uint64_t arg);
/* Removes the given directions of fd's watch in mb (all with IN|OUT). */
void esock__mbox_unwatch(uint32_t mb, int fd, unsigned events);

/* Posts msg (data ownership passes to the mailbox). 0 or ESOCK_ECLOSED. */
int esock__mbox_post(uint32_t mb, const esock_msg_t *msg);

/* A queue entry. The mailbox allocates one per posted message, except for
 * entries that live inside their own payload's allocation (embedded: inet
 * puts one at the end of every message block). Posting those allocates
 * nothing, so it cannot fail for memory, and the entry goes away when the
 * receiver frees the payload. */
struct esock__qnode {
    struct esock__qnode *next;
    esock_msg_t m;
    bool embedded; /* inside m.data's allocation: never freed on its own */
};

/* inet: posts the chain first..last (next links, embedded entries) in order
 * with one pin and one lock. On ESOCK_ECLOSED every payload is freed. */
int esock__mbox_post_nodes(uint32_t mb, struct esock__qnode *first, struct esock__qnode *last,
                           size_t n);

/* inet's controlling_process: moves the inet records of @p socket queued
 * in @p from, in order, to the end of @p to's queue (OTP moves a port's
 * messages to its new owner). 0, or ESOCK_ECLOSED if @p to is gone (the
 * records are freed then). */
int esock__mbox_move_socket(uint32_t from, uint32_t to, uint32_t socket);

/* True if the mailbox exists. */
bool esock__mbox_alive(uint32_t mb);

/* The mailbox the calling thread is waiting on / handling messages from
 * (set by esock_mbox_recv for the thread's duration in it), or 0. */
uint32_t esock__mbox_serving(void);

/* Whether the calling thread is the one that last began a receive on
 * @p mb (false for a stale id). */
bool esock__mbox_is_receiver(uint32_t mb);

/* Sets the function called on a mailbox's waiting thread when its queue is
 * empty, just before it blocks (inet uses it to flush coalesced sends).
 * One hook process-wide; returns the one it replaces. Thread-safe. */
typedef void (*esock__mbox_hook_t)(uint32_t mb);
esock__mbox_hook_t esock__mbox_set_idle_hook(esock__mbox_hook_t fn);

/* Registers a function called when a mailbox is destroyed (sockets drop it
 * as owner). Up to 4 hooks; registering the same one twice is a no-op.
 * Thread-safe: the socket and inet layers register theirs on first use,
 * possibly at the same time. */
void esock__mbox_on_destroy(void (*fn)(uint32_t mb));

/* Called from a readiness callback that delivered a burst of bytes: the
 * receiver gets its messages (and writes its replies) before the next
 * socket is read, so a burst is echoed while it is still in the cache. */
void esock__mbox_burst(void);

/* How esock_msg_free frees the records of the inet kinds (the inet layer
 * registers it before it creates a socket). */
void esock__mbox_set_inet_free(void (*fn)(void *));

/* The calling thread's implicit mailbox id if it has one already, else 0
 * (never creates one). */
uint32_t esock__mbox_self_peek(void);

/* Fresh unique references for select handles and monitors (never 0). */
uint64_t esock__make_ref(void);

#endif
