/* test_packet: shared declarations of the packet test groups. */
#ifndef PACKET_TESTS_H
#define PACKET_TESTS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <esock/error.h>
#include <esock/packet.h>

extern const struct CMUnitTest packet_api_tests[];
extern const size_t packet_api_count;
extern const struct CMUnitTest packet_split_tests[];
extern const size_t packet_split_count;
extern const struct CMUnitTest packet_wide_tests[];
extern const size_t packet_wide_count;

/* A buffer that ends exactly at an unmapped page: guard_place() copies n
 * bytes so that the last one is the last readable byte. */
struct guard {
    unsigned char *base;
    size_t size; /* readable bytes before the guard page */
};
int guard_init(struct guard *g, size_t size);
void guard_free(struct guard *g);
unsigned char *guard_place(struct guard *g, const void *p, size_t n);

#endif
