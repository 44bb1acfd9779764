/*
 * inet/msgblock.c - message blocks and the per-thread cache of small ones
 * (see msgblock.h).
 *
 * Why a cache: a readiness event on a busy stream delivers tens of small
 * packets at once and the owner frees them right after; glibc keeps only 7
 * freed blocks of one size per thread, so the rest of each burst went
 * through its slower general path. Blocks of one size class (SMALL bytes)
 * are kept here instead, up to KEEP per thread, and released at thread
 * exit. Any malloc block of that class works, so a block freed on another
 * thread is fine to keep (sys/blkcache.h). The record says which class its
 * block is (blk_): asking malloc (malloc_usable_size) cost more than the
 * rest of the free.
 */
#include "inet/msgblock.h"
#include "inet/rbuf.h"
#include "sys/blkcache.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#define SMALL 512u /* 248-byte record + 72-byte entry + up to 192 payload bytes */
#define KEEP 256u  /* at most 128 KiB per thread */

enum { BLK_OTHER, BLK_SMALL }; /* esock_inet_msg_t.blk_: a SMALL block or not */

/* One struct: one thread-local lookup per call (a call of its own in the
 * shared library). */
static _Thread_local struct esock__blkcache cache;

static void cache_release(void *unused)
{
    (void)unused;
    esock__blkcache_release(&cache, free);
}

static struct esock__thread_exit cache_at_exit = ESOCK__THREAD_EXIT_INIT(cache_release);

esock_inet_msg_t *esock__msgblock_alloc(size_t datalen)
{
    if (datalen > SIZE_MAX / 2)
        return NULL;
    size_t need = esock__msgblock_node_offset(datalen) + sizeof(struct esock__qnode);
    bool small = need <= SMALL;
    esock_inet_msg_t *m = small ? esock__blkcache_take(&cache) : NULL;
    if (m == NULL) {
        /* plain malloc: a block may be freed with free() by anyone */
        m = malloc(small ? SMALL : need);
        if (m == NULL)
            return NULL;
    }
    m->blk_ = small ? BLK_SMALL : BLK_OTHER;
    m->len = datalen;
    m->ref_ = NULL;
    return m;
}

void esock__msgblock_free(esock_inet_msg_t *m)
{
    if (m == NULL)
        return;
    if (m->ref_) { /* a zerocopy_min payload: drop its read buffer */
        esock__rbuf_release(m->ref_);
        m->ref_ = NULL;
    }
    if (m->blk_ != BLK_SMALL || !esock__blkcache_keep(&cache, m, KEEP, &cache_at_exit))
        free(m);
}

unsigned esock__msgblock_kept(void)
{
    return cache.n;
}
