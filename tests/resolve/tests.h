/* tests.h - the test tables of each file of test_resolve. */
#ifndef ESOCK_TEST_RESOLVE_TESTS_H
#define ESOCK_TEST_RESOLVE_TESTS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

extern const struct CMUnitTest resolve_host_tests[];
extern const size_t resolve_host_ntests;
extern const struct CMUnitTest resolve_ifaddrs_tests[];
extern const size_t resolve_ifaddrs_ntests;

#endif
