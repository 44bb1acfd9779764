/* The Erlang peer of the interop test: one escript VM (peer.escript) driven
 * by commands on its stdin, answering with lines on its stdout. */
#ifndef INTEROP_PEER_H
#define INTEROP_PEER_H

#include <stddef.h>
#include <stdint.h>

/* 1 if escript is on PATH. */
int peer_available(void);
/* Start the VM if it is not running. Returns 0 or -1. */
int peer_start(void);
/* Kill the VM's process group and reap it (safe to call twice). */
void peer_kill(void);
/* Send one command (an Erlang term; the "." and newline are added). */
void peer_cmd(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Next line from the peer within tmo_ms into buf (without newline).
 * Returns 0, or -1 on timeout / EOF. */
int peer_line(char *buf, size_t cap, int tmo_ms);
/* Expect "port P"; returns P. */
unsigned peer_port(void);
/* Expect "got L C" with these values. */
void peer_got(size_t len, uint32_t crc);
/* Expect "end TEXT"; copies TEXT to buf. */
void peer_end(char *buf, size_t cap);
/* The command in progress finished cleanly: the peer is in sync again. */
extern int peer_busy;

uint32_t crc32_of(const void *p, size_t n);
/* The message bytes of a given size (peer.escript pattern/1). */
void pattern(uint8_t *p, size_t n);

#endif
