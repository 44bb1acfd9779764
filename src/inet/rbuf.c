/*
 * inet/rbuf.c - reference-counted input buffers (see rbuf.h).
 */
#include "inet/rbuf.h"

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>

#include "sys/sys.h"

struct rbuf {
    atomic_size_t refs;
    alignas(max_align_t) uint8_t data[];
};

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
    if (cap > SIZE_MAX - sizeof(struct rbuf))
        return NULL;
    struct rbuf *b = esock__realloc(data ? head_of(data) : NULL, sizeof *b + cap);
    if (b == NULL)
        return NULL;
    if (data == NULL) {
        atomic_init(&b->refs, 1);
        atomic_fetch_add_explicit(&live, 1, memory_order_relaxed);
    }
    return b->data;
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
        esock__free(b);
        atomic_fetch_sub_explicit(&live, 1, memory_order_relaxed);
    }
}

long esock__rbuf_live(void)
{
    return atomic_load_explicit(&live, memory_order_relaxed);
}

bool esock__rbuf_shared(const uint8_t *data)
{
    return atomic_load_explicit(&head_of(data)->refs, memory_order_acquire) > 1;
}
