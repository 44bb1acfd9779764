/*
 * Shared helpers of the fault-injection suite (tests/faults).
 *
 * The suite replaces entries of the syscall seam (src/sys/sys.h) to make the
 * OS fail the way it can: allocation failure at the N-th allocation, EMFILE
 * from accept4, ENOBUFS/ENOMEM from the data calls, EINTR everywhere. The
 * seam is process-wide, so the tests run one at a time and every test puts
 * the table back (ft_teardown also does, and checks that nothing leaked).
 */
#ifndef ESOCK_TEST_FAULTS_H
#define ESOCK_TEST_FAULTS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "inetpeer.h"
#include "testnet.h"

#include <esock/inet.h>
#include <esock/socket.h>

#include "sys/sys.h"

#define ok(expr) assert_int_equal((expr), 0)
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define IOPT(n, val) {.name = ESOCK_IOPT_##n, .v.i = (val)}

/* ---- allocation accounting through the seam ---- */

/* Installs counting malloc/calloc/realloc/free wrappers (over the entries in
 * force) and empties the live set: from now on every block the library
 * allocates is remembered until it is freed. */
void ft_alloc_track(void);
/* Fails the n-th allocation (malloc, calloc or realloc, counted together)
 * from now on; 0 = never. Resets the call count. */
void ft_alloc_fail_at(unsigned n);
/* Allocations made since the last ft_alloc_fail_at, and whether the armed
 * failure was injected. */
unsigned ft_alloc_calls(void);
bool ft_alloc_failed(void);
/* Blocks allocated since ft_alloc_track and not freed. */
long ft_alloc_live(void);
/* Prints the live blocks (size and allocation number) to stderr. */
void ft_alloc_dump(void);

/* ---- sockets (lo4, raw peers, wr/rd, rst_close, fd_count, now_ms:
 * the shared toolkit, tests/support/testnet.h) ---- */

/* Port of an esock / inet socket. */
uint16_t ft_port(esock_t s);

/* A connected TCP pair of the socket API over 127.0.0.1. */
void ft_tcp_pair(esock_t *client, esock_t *server);

/* Mailbox helpers: the next inet message within tmo_ms or NULL. */
esock_inet_msg_t *ft_inet_msg(esock_mbox_t mb, int tmo_ms);

/* Every test starts and ends with the real seam, no socket and no mailbox
 * it made left over. */
int ft_setup(void **state);
int ft_teardown(void **state);

/* Figures for the report at the end of the run (main.c prints them). */
void ft_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

extern const struct CMUnitTest ft_alloc_tests[];
extern const size_t ft_alloc_count;
extern const struct CMUnitTest ft_accept_tests[];
extern const size_t ft_accept_count;
extern const struct CMUnitTest ft_errno_tests[];
extern const size_t ft_errno_count;
extern const struct CMUnitTest ft_reset_tests[];
extern const size_t ft_reset_count;
extern const struct CMUnitTest ft_half_tests[];
extern const size_t ft_half_count;
extern const struct CMUnitTest ft_eintr_tests[];
extern const size_t ft_eintr_count;
extern const struct CMUnitTest ft_spurious_tests[];
extern const size_t ft_spurious_count;
extern const struct CMUnitTest ft_deadline_tests[];
extern const size_t ft_deadline_count;

#endif
