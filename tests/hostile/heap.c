/*
 * The counting allocator: wraps esock__sys.malloc/calloc/realloc/free so a
 * test sees every allocation the library makes through the seam: how many
 * are live, their bytes, the peak, and the largest single request. Sizes are
 * taken with malloc_usable_size() at allocation and at free, so no header is
 * added and a block freed outside the seam cannot corrupt anything (it only
 * shows up as a difference in the counts). Thread-safe: plain atomics.
 */
#include <errno.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "heap.h"
#include "sys/sys.h"

static struct esock__sys next; /* the entries the wrappers chain to */

static atomic_llong live_allocs, live_bytes, peak_bytes;
static atomic_size_t max_request, refused;

static void note_request(size_t n)
{
    size_t m = atomic_load(&max_request);
    while (n > m && !atomic_compare_exchange_weak(&max_request, &m, n))
        ;
}

static void note_live(void *p)
{
    long long sz = (long long)malloc_usable_size(p);
    atomic_fetch_add(&live_allocs, 1);
    long long now = atomic_fetch_add(&live_bytes, sz) + sz;
    long long pk = atomic_load(&peak_bytes);
    while (now > pk && !atomic_compare_exchange_weak(&peak_bytes, &pk, now))
        ;
}

static void note_gone(void *p)
{
    atomic_fetch_sub(&live_allocs, 1);
    atomic_fetch_sub(&live_bytes, (long long)malloc_usable_size(p));
}

static bool refuse(size_t n)
{
    note_request(n);
    if (n <= HEAP_REFUSE_ABOVE)
        return false;
    atomic_fetch_add(&refused, 1);
    errno = ENOMEM;
    return true;
}

static void *c_malloc(size_t n)
{
    if (refuse(n))
        return NULL;
    void *p = next.malloc(n);
    if (p)
        note_live(p);
    return p;
}

static void *c_calloc(size_t n, size_t m)
{
    size_t total = (m && n > SIZE_MAX / m) ? SIZE_MAX : n * m;
    if (refuse(total))
        return NULL;
    void *p = next.calloc(n, m);
    if (p)
        note_live(p);
    return p;
}

static void *c_realloc(void *old, size_t n)
{
    if (refuse(n))
        return NULL; /* the old block stays, as realloc leaves it */
    if (old)
        note_gone(old);
    void *p = next.realloc(old, n);
    if (p)
        note_live(p);
    else if (old && n)
        note_live(old); /* failed: the old block is still there */
    return p;
}

static void c_free(void *p)
{
    if (p)
        note_gone(p);
    next.free(p);
}

void heap_install(void)
{
    esock__sys_init(); /* faults (ESOCK_FAULTS) first; it leaves these entries alone */
    next = esock__sys;
    esock__sys.malloc = c_malloc;
    esock__sys.calloc = c_calloc;
    esock__sys.realloc = c_realloc;
    esock__sys.free = c_free;
}

void heap_uninstall(void)
{
    esock__sys_reset();
}

void heap_snap(heap_snap_t *out)
{
    out->allocs = atomic_load(&live_allocs);
    out->bytes = atomic_load(&live_bytes);
}

void heap_mark(void)
{
    atomic_store(&max_request, 0);
    atomic_store(&peak_bytes, atomic_load(&live_bytes));
    atomic_store(&refused, 0);
}

size_t heap_max_request(void)
{
    return atomic_load(&max_request);
}

long long heap_peak_bytes(void)
{
    return atomic_load(&peak_bytes);
}

size_t heap_refused(void)
{
    return atomic_load(&refused);
}
