/* Guard-page buffers: a read one byte past the data faults at once. */
#include "packet_tests.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int guard_init(struct guard *g, size_t size)
{
    size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    size = (size + pg - 1) / pg * pg;
    unsigned char *m = mmap(NULL, size + pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return -1;
    if (mprotect(m + size, pg, PROT_NONE) != 0) {
        munmap(m, size + pg);
        return -1;
    }
    g->base = m;
    g->size = size;
    return 0;
}

void guard_free(struct guard *g)
{
    munmap(g->base, g->size + (size_t)sysconf(_SC_PAGESIZE));
}

unsigned char *guard_place(struct guard *g, const void *p, size_t n)
{
    unsigned char *dst = g->base + g->size - n;
    if (n)
        memmove(dst, p, n);
    return dst;
}
