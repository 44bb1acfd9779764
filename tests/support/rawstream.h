/* A checkable byte stream and a plain reader thread for it, shared by the
 * suites that check what a peer receives (every byte, in order, then the
 * end of the stream). */
#ifndef TEST_RAWSTREAM_H
#define TEST_RAWSTREAM_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

/* The byte at offset i of the test stream: not periodic at any small
 * shift, so a lost, doubled or reordered piece shows. */
uint8_t pat(size_t i);
/* Writes the stream's bytes off .. off + n into p. */
void fill_pat(uint8_t *p, size_t off, size_t n);
/* Offset of the first byte of p[0..n) that is not the stream's byte at
 * off + i, or n. */
size_t check_pat(const uint8_t *p, size_t off, size_t n);

/* A plain reader on a thread (no cmocka asserts there): reads fd until
 * the end of the stream, an error or 3 s without data, checking each
 * byte against the stream. */
typedef struct raw_reader {
    int fd;
    size_t chunk;     /* bytes per read */
    int pause_every;  /* reads between pauses (0: none) */
    int pause_ms;     /* how long each pause is (0: 1 ms) */
    size_t got;
    size_t bad_at;    /* stream offset of the first wrong byte, or SIZE_MAX */
    int end;          /* 0: EOF, >0: errno, -1: nothing for 3 s */
    pthread_t th;
} raw_reader_t;

/* pthread_create(&r->th, NULL, raw_reader_main, r) */
void *raw_reader_main(void *arg);

#endif
