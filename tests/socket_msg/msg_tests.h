/* Shared helpers of the sendmsg/recvmsg/sendfile tests (test_socket_msg). */
#ifndef ESOCK_TEST_SOCKET_MSG_H
#define ESOCK_TEST_SOCKET_MSG_H

#include <esock/esock.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testnet.h"

#define ok(expr) assert_int_equal((expr), 0)

/* A loopback address of the family with port 0. */
esock_sockaddr_t msg_loopback(int family);
/* Open a dgram socket bound to loopback; 77 if the family is missing. */
int udp_bound(int family, esock_t *s, esock_sockaddr_t *addr);
/* A connected TCP pair over 127.0.0.1. */
void tcp_pair4(esock_t *client, esock_t *server);
/* Set a native int socket option on an esock socket. */
void set_int_opt(esock_t s, int level, int name, int value);
/* The socket's counters. */
esock_counters_t counters_of(esock_t s);
/* Every test ends with no socket open. */
int msg_check_no_sockets(void **state);
/* Whether ESOCK_FAULTS is set (the seam then injects EAGAIN). */
int faults_on(void);

extern const struct CMUnitTest cmsg_tests[];
extern const size_t cmsg_count;
extern const struct CMUnitTest msg_tests[];
extern const size_t msg_count;
extern const struct CMUnitTest sendfile_tests[];
extern const size_t sendfile_count;

#endif
