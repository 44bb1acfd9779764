/*
 * testnet.h - the small network toolkit every test suite shares: loopback
 * addresses, a raw-descriptor peer (the "other side" a test controls byte
 * by byte), whole writes and reads, and counting descriptors.
 *
 * Linked into every test executable (tests/CMakeLists.txt). Failures are
 * cmocka assertions, so a helper never returns a half-made result.
 */
#ifndef ESOCK_TESTNET_H
#define ESOCK_TESTNET_H

#include <stddef.h>
#include <stdint.h>

#include <esock/addr.h>

/* 127.0.0.1:port as an esock address. */
esock_sockaddr_t lo4(uint16_t port);

/* Raw loopback TCP: a listener on an ephemeral port (*port receives it), a
 * connect, and an accept that waits at most 2 s. Descriptors are CLOEXEC. */
int raw_listener(uint16_t *port);
int raw_connect(uint16_t port);
int raw_accept(int lfd);

/* Writes all n bytes (no SIGPIPE); reads exactly n bytes, each read waiting
 * at most 2 s. */
void wr(int fd, const void *p, size_t n);
void rd(int fd, void *p, size_t n);

/* Closes with SO_LINGER {1, 0}: the peer sees a reset (RST). */
void rst_close(int fd);

/* Sleeps ms milliseconds (resumed after signals). Only to let time pass,
 * never to wait for an event a test can await. */
void msleep(int ms);

/* Open descriptors of this process (/proc/self/fd). */
int fd_count(void);

/* CLOCK_MONOTONIC in milliseconds. */
int64_t now_ms(void);

#endif
