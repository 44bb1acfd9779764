/* Shared helpers of the socket tests. */
#ifndef ESOCK_TEST_SOCKET_HELPERS_H
#define ESOCK_TEST_SOCKET_HELPERS_H

#include <esock/socket.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "testnet.h" /* now_ms, fd_count */

/* A connected TCP pair over loopback (family AF_INET or AF_INET6); the
 * listener is closed again. Returns 0, or 77 when the family is missing. */
int tcp_pair(int family, esock_t *client, esock_t *server);
/* A bound loopback address with port 0 of the family. */
esock_sockaddr_t loopback(int family);
/* An IPv4 loopback listener with @p backlog, and in *sa the address to
 * connect to (its ephemeral port). */
esock_t tcp_listener(esock_sockaddr_t *sa, int backlog);
/* Every test ends with no socket left open. */
int check_no_sockets(void **state);
int ms_since(int64_t t0);
/* Whether the library injects faults in this run (ESOCK_FAULTS set and not
 * empty: the library's own view, so an empty variable is "off"). */
int faults_on(void);

#define ok(expr) assert_int_equal((expr), 0)

extern const struct CMUnitTest socket_basic_tests[];
extern const size_t socket_basic_count;
extern const struct CMUnitTest socket_async_tests[];
extern const size_t socket_async_count;
extern const struct CMUnitTest socket_thread_tests[];
extern const size_t socket_thread_count;
extern const struct CMUnitTest socket_queue_tests[];
extern const size_t socket_queue_count;
extern const struct CMUnitTest socket_read_tests[];
extern const size_t socket_read_count;

#endif
