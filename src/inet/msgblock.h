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
#include <stdint.h>

#include <esock/inet.h>

#include "mbox/mbox_int.h"

/* A block for @p datalen payload bytes (m->len = datalen, m->ref_ NULL,
 * m->data not yet set: the rest is the caller's to fill), or NULL when out
 * of memory. A shared payload: allocate 0 bytes, then set ref_, data, len. */
esock_inet_msg_t *esock__msgblock_alloc(size_t datalen);

/* Where a block's mailbox entry starts: after the record and @p datalen
 * payload bytes, aligned. */
static inline size_t esock__msgblock_node_offset(size_t datalen)
{
    size_t a = _Alignof(struct esock__qnode);
    return (sizeof(esock_inet_msg_t) + datalen + a - 1) & ~(a - 1);
}

/* The block's mailbox entry (m->len must still be the datalen it was
 * allocated for; a payload in a shared read buffer is not in the block).
 * Inline: one per packet. */
static inline struct esock__qnode *esock__msgblock_node(esock_inet_msg_t *m)
{
    return (struct esock__qnode *)(void *)((uint8_t *)m +
                                           esock__msgblock_node_offset(m->ref_ ? 0 : m->len));
}

/* Frees a block (and its read-buffer reference), or keeps it for reuse by
 * this thread. NULL is ignored. */
void esock__msgblock_free(esock_inet_msg_t *m);

/* Blocks this thread keeps for reuse (for tests). */
unsigned esock__msgblock_kept(void);

#endif
