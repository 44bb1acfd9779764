/*
 * inet/rbuf.h - reference-counted input buffers.
 *
 * A socket's input buffer (ibuf) and a thread's active-read buffer are
 * rbufs. With zerocopy_min a data message points into the buffer its
 * packet was read into instead of copying it, and holds a reference until
 * it is freed (OTP's sub-binaries of the driver's read buffer). A buffer
 * somebody else still references is only ever written past its last byte
 * in use: the reader never moves, shrinks or reuses the part messages
 * point at; it takes a fresh buffer instead.
 *
 * A thread keeps the last few big buffers (64 KiB..1 MiB) released on it and
 * reuses them for its next new ones; they are freed when the thread exits.
 *
 * The functions take and return the data pointer (what ibuf holds), so an
 * rbuf is used as a plain byte buffer everywhere else.
 */
#ifndef ESOCK_INET_RBUF_H
#define ESOCK_INET_RBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A new buffer of at least @p cap bytes with one reference (the caller's),
 * or NULL. */
uint8_t *esock__rbuf_new(size_t cap);

/* Grows an unshared buffer to @p cap bytes (realloc: it may move). NULL
 * (the buffer unchanged) when out of memory. data may be NULL (= new). */
uint8_t *esock__rbuf_grow(uint8_t *data, size_t cap);

/* Another reference, for a message pointing into the buffer. */
void esock__rbuf_hold(uint8_t *data);

/* Drops a reference; the last one frees the buffer. NULL is ignored.
 * Thread-safe: messages are freed on any thread. */
void esock__rbuf_release(uint8_t *data);

/* Does anybody but the caller hold a reference? */
bool esock__rbuf_shared(const uint8_t *data);

/* Are the @p len bytes at @p p, preceded by @p before more, all inside the
 * buffer @p data? (Pointers compared as addresses: p may be anything.) */
bool esock__rbuf_spans(const uint8_t *data, const uint8_t *p, size_t before, size_t len);

/* Buffers in use (allocated, not released), process-wide (for tests); a
 * kept spare does not count. */
long esock__rbuf_live(void);

/* Big buffers this thread keeps for reuse (for tests). */
unsigned esock__rbuf_spares(void);

#endif
