/*
 * inet/msgblock.h - the memory of inet messages.
 *
 * A message is one block: the esock_inet_msg_t record, its payload bytes,
 * then the mailbox entry that carries it (struct esock__qnode, embedded),
 * so a delivered packet costs one allocation and posting it cannot fail for
 * memory. Blocks are plain malloc blocks: whoever holds one may free() it,
 * unless it is a zerocopy_min message whose payload stays in the read
 * buffer (ref_ set: esock__msgblock_free drops that reference). Small ones
 * freed through esock_inet_msg_free are kept on a per-thread list and
 * reused.
 */
#ifndef ESOCK_INET_MSGBLOCK_H
#define ESOCK_INET_MSGBLOCK_H

#include <stddef.h>

#include <esock/inet.h>

#include "mbox/mbox_int.h"

/* A block for @p datalen payload bytes (m->len = datalen, m->ref_ NULL,
 * m->data not yet set: the rest is the caller's to fill), or NULL when out
 * of memory. A shared payload: allocate 0 bytes, then set ref_, data, len. */
esock_inet_msg_t *esock__msgblock_alloc(size_t datalen);

/* The block's mailbox entry, made to carry it (call once m is filled in;
 * m->len must still be the datalen it was allocated for). */
struct esock__qnode *esock__msgblock_node(esock_inet_msg_t *m);

/* Frees a block (and its read-buffer reference), or keeps it for reuse by
 * this thread. NULL is ignored. */
void esock__msgblock_free(esock_inet_msg_t *m);

/* Blocks this thread keeps for reuse (for tests). */
unsigned esock__msgblock_kept(void);

#endif
