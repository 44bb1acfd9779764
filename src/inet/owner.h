/*
 * inet/owner.h - the seam between inet and the owner's mailbox.
 *
 * Only owner.c knows the mailbox module. inet asks for read/write interest
 * of a socket's fd in the readiness set of its owner mailbox; when the
 * mailbox's waiting thread sees the fd ready it calls
 * esock__active_ready(sock_id, events) on that thread (DESIGN.md
 * "Mailboxes": data is read, framed and delivered right there).
 */
#ifndef ESOCK_INET_OWNER_H
#define ESOCK_INET_OWNER_H

#include <stdint.h>

#include <esock/inet.h>

#define ESOCK__INET_IN 1u
#define ESOCK__INET_OUT 2u
/* Called once before the first socket is created (installs mailbox hooks). */
void esock__owner_init(void);

/* Set the interest of @p fd (socket @p sock_id) in mailbox @p mb to
 * @p events (0 = remove). @p old is the interest registered before (0 = none). */
int esock__owner_watch(uint32_t mb, int fd, uint32_t sock_id, unsigned old, unsigned events);
/* Post @p m (a message block, see msgblock.h) to mailbox @p mb. The message is consumed in every case: the
 * mailbox owns it (the receiver frees it) or, if the mailbox is gone, it is
 * freed here. Returns 0 or ESOCK_ECLOSED. */
int esock__owner_post(uint32_t mb, esock_inet_msg_t *m);
/* Post a chain of messages linked by link_ (first .. last), in order: what
 * one readiness event produced. One lock, no allocation. Consumed in every
 * case, as above. */
int esock__owner_post_chain(uint32_t mb, esock_inet_msg_t *first, esock_inet_msg_t *last);
/* True when the calling thread is the one that waits on mailbox @p mb
 * (it is handling a message it received from it): a delay_send send may
 * then be deferred until the thread goes back to wait, and coalesced with
 * the next sends (see esock__active_idle). */
int esock__owner_serving(uint32_t mb);

/* 0 if @p mb is 0 (no owner) or a live mailbox, else ESOCK_EINVAL_HANDLE
 * (never created, or destroyed): what a call that takes an owner or a
 * monitor's mailbox says to a stale one, as esock_set_owner does. The
 * mailbox may still go right after; its destroy hook handles that. */
int esock__owner_check(uint32_t mb);

/* Records that the calling thread serves mailbox @p mb (readiness callbacks). */
void esock__owner_note_serving(uint32_t mb);

/* Called by owner.c on the mailbox thread. */
void esock__active_ready(uint32_t sock_id, unsigned events);
/* Called by owner.c on the mailbox thread when its queue is empty, before
 * it blocks: writes out the sends deferred by delay_send (esock__inet_defer_flush). */
void esock__active_idle(void);

#endif
