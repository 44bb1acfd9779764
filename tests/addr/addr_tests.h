/* The addr module's unit tests: one group per file, run from test_main.c. */
#ifndef ESOCK_TEST_ADDR_H
#define ESOCK_TEST_ADDR_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

extern const struct CMUnitTest addr_parse_tests[];
extern const size_t addr_parse_count;
extern const struct CMUnitTest addr_ntoa_tests[];
extern const size_t addr_ntoa_count;
extern const struct CMUnitTest addr_sockaddr_tests[];
extern const size_t addr_sockaddr_count;

#endif
