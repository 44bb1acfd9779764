/*
 * The counting allocator behind esock__sys.malloc/calloc/realloc/free
 * (tests/hostile/heap.c; the stress suite links it too).
 */
#ifndef HOSTILE_HEAP_H
#define HOSTILE_HEAP_H

#include <stddef.h>

/* Requests above this are recorded and refused (NULL, as an exhausted
 * system would answer), so that a test never commits memory a peer asked
 * for: the assertion on the largest request reports it instead. */
#define HEAP_REFUSE_ABOVE ((size_t)64 << 20)

/* Installs the counting wrappers over the seam's allocation entries (chained
 * to what was there). Call once, before any other esock call. */
void heap_install(void);
/* Puts the seam back (esock__sys_reset) at the end of the run. */
void heap_uninstall(void);

typedef struct heap_snap {
    long long allocs; /* live allocations made through the seam */
    long long bytes;  /* their usable bytes */
} heap_snap_t;
void heap_snap(heap_snap_t *out);

/* The largest single request (malloc size, calloc n*m, realloc size) and the
 * peak of live bytes since the last heap_mark(); requests refused. */
void heap_mark(void);
size_t heap_max_request(void);
long long heap_peak_bytes(void);
size_t heap_refused(void);

#endif
