/*
 * inet/rbuf.c - reference-counted input buffers (see rbuf.h), and the
 * per-thread spares of big ones.
 *
 * Why spares: with zerocopy_min every big read takes a fresh buffer (the
 * last one is still pointed at by its messages) and frees it once those
 * messages are sent. Through malloc that is a 256 KiB block per read, which
 * glibc hands back to the kernel and faults in again (a page fault per 4 KiB
 * inside the read's copy): on a 16 KiB-packet echo stream the server spent
 * about 12 % more CPU per packet than with the blocks kept. A thread keeps
 * the last few big buffers it released (SPARES, each BIG..MAX_SPARE bytes)
 * and takes them back before asking malloc; they go at thread exit.
 */
#include "inet/rbuf.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#include "sys/sys.h"
#include "sys/thread_exit.h"

struct rbuf {
    atomic_size_t refs;
    size_t cap; /* bytes of data[] */
    alignas(max_align_t) uint8_t data[];
};

#define BIG (64u * 1024u)         /* smaller buffers are malloc's business */
#define MAX_SPARE (1024u * 1024u) /* bigger ones are rare: not kept */
#define SPARES 4u                 /* kept per thread: at most 4 MiB */

static _Thread_local struct rbuf *spare[SPARES]; /* oldest first */
static _Thread_local unsigned nspare;
static _Thread_local bool exiting; /* past spares_release: keep nothing more */

static void spares_release(void *unused)
{
    (void)unused;
    exiting = true;
    while (nspare)
        esock__free(spare[--nspare]);
}

static struct esock__thread_exit spares_at_exit = ESOCK__THREAD_EXIT_INIT(spares_release);

/* Big buffers come in steps of BIG, so that one released after holding a
 * packet's tail (256 KiB + a few bytes) serves the next 256 KiB read. */
static size_t round_cap(size_t cap)
{
    return cap >= BIG && cap <= MAX_SPARE ? (cap + BIG - 1) / BIG * BIG : cap;
}

/* Takes slot i out, keeping the rest oldest first. */
static void drop_spare(unsigned i)
{
    memmove(&spare[i], &spare[i + 1], (--nspare - i) * sizeof spare[0]);
}

/* A kept buffer of cap..2*cap bytes, newest first (its bytes are the most
 * likely still cached), or NULL. */
static struct rbuf *take_spare(size_t cap)
{
    for (unsigned i = nspare; i-- > 0;) {
        struct rbuf *b = spare[i];
        if (b->cap >= cap && b->cap / 2 <= cap) {
            drop_spare(i);
            return b;
        }
    }
    return NULL;
}

/* Keeps @p b (no references left) for this thread; false: free it. */
static bool keep_spare(struct rbuf *b)
{
    if (b->cap < BIG || b->cap > MAX_SPARE || exiting)
        return false;
    if (nspare == SPARES) { /* the oldest goes: the newest are the warm ones */
        esock__free(spare[0]);
        drop_spare(0);
    }
    if (nspare == 0) { /* the first kept: have them released at thread exit */
        if (esock__thread_exit_arm(&spares_at_exit) != 0)
            return false;
    }
    spare[nspare++] = b;
    return true;
}

static atomic_long live; /* buffers allocated and not yet freed (for tests) */

static struct rbuf *head_of(const uint8_t *data)
{
    return (struct rbuf *)(void *)(data - offsetof(struct rbuf, data));
}

uint8_t *esock__rbuf_new(size_t cap)
{
    return esock__rbuf_grow(NULL, cap);
}

uint8_t *esock__rbuf_grow(uint8_t *data, size_t cap)
{
    if (cap > SIZE_MAX - sizeof(struct rbuf) - BIG)
        return NULL;
    cap = round_cap(cap);
    struct rbuf *b = data ? NULL : take_spare(cap);
    if (b == NULL) {
        b = esock__realloc(data ? head_of(data) : NULL, sizeof *b + cap);
        if (b == NULL)
            return NULL;
        b->cap = cap;
    }
    if (data == NULL) {
        atomic_init(&b->refs, 1);
        atomic_fetch_add_explicit(&live, 1, memory_order_relaxed);
    }
    return b->data;
}

bool esock__rbuf_spans(const uint8_t *data, const uint8_t *p, size_t before, size_t len)
{
    uintptr_t lo = (uintptr_t)data, at = (uintptr_t)p;
    size_t cap = head_of(data)->cap;
    return at >= lo && at - lo >= before && at - lo <= cap && cap - (at - lo) >= len;
}

void esock__rbuf_hold(uint8_t *data)
{
    atomic_fetch_add_explicit(&head_of(data)->refs, 1, memory_order_relaxed);
}

void esock__rbuf_release(uint8_t *data)
{
    if (data == NULL)
        return;
    struct rbuf *b = head_of(data);
    /* acq_rel: the holder's reads of the bytes happen before the free */
    if (atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) == 1) {
        atomic_fetch_sub_explicit(&live, 1, memory_order_relaxed);
        if (!keep_spare(b))
            esock__free(b);
    }
}

unsigned esock__rbuf_spares(void)
{
    return nspare;
}

long esock__rbuf_live(void)
{
    return atomic_load_explicit(&live, memory_order_relaxed);
}

bool esock__rbuf_shared(const uint8_t *data)
{
    return atomic_load_explicit(&head_of(data)->refs, memory_order_acquire) > 1;
}
