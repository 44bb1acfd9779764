/* The checkable test stream and its plain reader (rawstream.h). */
#include "rawstream.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include "testnet.h" /* msleep */

uint8_t pat(size_t i)
{
    return (uint8_t)((i ^ (i >> 9) ^ (i >> 17)) * 37u + 11u);
}

void fill_pat(uint8_t *p, size_t off, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = pat(off + i);
}

size_t check_pat(const uint8_t *p, size_t off, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != pat(off + i))
            return i;
    return n;
}

void *raw_reader_main(void *arg)
{
    raw_reader_t *r = arg;
    uint8_t *buf = malloc(r->chunk);
    r->bad_at = SIZE_MAX;
    r->end = ENOMEM;
    for (int k = 1; buf; k++) {
        struct pollfd p = {.fd = r->fd, .events = POLLIN};
        if (poll(&p, 1, 3000) != 1) {
            r->end = -1;
            break;
        }
        ssize_t n = read(r->fd, buf, r->chunk);
        if (n == 0) {
            r->end = 0;
            break;
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            r->end = errno;
            break;
        }
        size_t bad = check_pat(buf, r->got, (size_t)n);
        if (bad < (size_t)n && r->bad_at == SIZE_MAX)
            r->bad_at = r->got + bad;
        r->got += (size_t)n;
        if (r->pause_every && k % r->pause_every == 0)
            msleep(r->pause_ms ? r->pause_ms : 1);
    }
    free(buf);
    return NULL;
}
