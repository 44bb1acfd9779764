/*
 * sys/blkcache.h - a per-thread stack of freed malloc blocks of one size.
 *
 * Why: glibc keeps at most 7 freed blocks of a size per thread; past that
 * a free goes through its general path (about 100 instructions, and as
 * many again to take the block back). The inet layer frees blocks of a
 * few fixed sizes in bursts (a batch of messages, the replies to a batch
 * of connections), so each such size keeps its own stack here, up to a
 * bound, and takes from it first. Any malloc block of the size works, so
 * a block freed on another thread than the one that took it is fine.
 *
 * A user declares one thread-local struct esock__blkcache and one
 * struct esock__thread_exit whose function calls esock__blkcache_release
 * on it (sys/thread_exit.h): the blocks kept go back to malloc when the
 * thread exits. The functions are inline: they run once per packet.
 */
#ifndef ESOCK_SYS_BLKCACHE_H
#define ESOCK_SYS_BLKCACHE_H

#include <stdbool.h>

#include "sys/thread_exit.h"

struct esock__blk {
    struct esock__blk *next;
};

struct esock__blkcache {
    struct esock__blk *head;
    unsigned n;
    bool armed; /* the release function will run at this thread's exit */
};

/* A kept block, or NULL (then malloc one). */
static inline void *esock__blkcache_take(struct esock__blkcache *c)
{
    struct esock__blk *b = c->head;
    if (b) {
        c->head = b->next;
        c->n--;
    }
    return b;
}

/* Keeps @p blk (a malloc block of the cache's size, no longer used) if
 * fewer than @p max are kept, arming @p te on the thread's first keep.
 * false: not kept, the caller frees it. */
static inline bool esock__blkcache_keep(struct esock__blkcache *c, void *blk, unsigned max,
                                        struct esock__thread_exit *te)
{
    if (c->n >= max)
        return false;
    if (!c->armed) {
        if (esock__thread_exit_arm(te) != 0)
            return false;
        c->armed = true;
    }
    struct esock__blk *b = blk;
    b->next = c->head;
    c->head = b;
    c->n++;
    return true;
}

/* Frees every kept block with @p free_fn, the free that matches the
 * allocator the blocks came from (the thread-exit function). A block kept
 * after this arms the release again. */
static inline void esock__blkcache_release(struct esock__blkcache *c, void (*free_fn)(void *))
{
    while (c->head) {
        struct esock__blk *n = c->head->next;
        free_fn(c->head);
        c->head = n;
    }
    c->n = 0;
    c->armed = false;
}

#endif
