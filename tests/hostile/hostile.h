/*
 * The hostile-peer suite (test_hostile): what a peer that lies, never
 * finishes, trickles or churns can make the library do, measured through
 * the syscall seam's allocator (src/sys/sys.h) and /proc/self/fd.
 */
#ifndef HOSTILE_H
#define HOSTILE_H

#include <setjmp.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include <esock/error.h>
#include <esock/inet.h>
#include <esock/socket.h>

#include "heap.h"
#include "inetpeer.h" /* inet_listener, inet_peer_pair */
#include "testnet.h" /* lo4, raw_connect (the hostile peer), msleep, fd_count, now_ms */

/* ---- helpers.c ------------------------------------------------------------ */

#define OPTI(n, val) {.name = ESOCK_IOPT_##n, .v.i = (val)}
#define NOPTS(a) (sizeof(a) / sizeof((a)[0]))
#define KIB ((size_t)1024)
#define MIB ((size_t)1024 * 1024)

/* Rows of the inet listing (esock_inet_i), printed to /dev/null. */
int inet_rows(void);

/* Writes all of p (blocking); false if the peer went away. */
bool wr_all(int fd, const void *p, size_t n);
/* True if the raw peer sees its connection end (EOF or reset) within ms. */
bool peer_sees_close(int fd, int ms);

/* Next inet message on mb within ms, or NULL (free with esock_inet_msg_free). */
esock_inet_msg_t *inet_next(esock_mbox_t mb, int ms);

/*
 * A streaming peer on its own thread: writes `total` bytes of `fill` in
 * chunks, then (if `hangup`) shuts down its side. Stops early when the
 * receiver goes away, when `stop` is set, or after `cap_ms`.
 */
typedef struct streamer {
    int fd;
    size_t total;
    unsigned char fill;
    const void *prefix; /* written first (not counted in total) */
    size_t prefix_len;
    bool hangup;
    int cap_ms;
    atomic_bool stop;
    atomic_size_t written; /* bytes of fill written */
    pthread_t th;
} streamer_t;
void streamer_start(streamer_t *s);
void streamer_join(streamer_t *s);

/* Every test leaves the registry, the inet table and the fds as it found them. */
int check_clean(void **state);
int note_start(void **state);

extern const struct CMUnitTest hostile_packet4_tests[];
extern const size_t hostile_packet4_count;
extern const struct CMUnitTest hostile_line_tests[];
extern const size_t hostile_line_count;
extern const struct CMUnitTest hostile_slow_tests[];
extern const size_t hostile_slow_count;
extern const struct CMUnitTest hostile_churn_tests[];
extern const size_t hostile_churn_count;

#endif
