/* Internal helpers shared by the addr module's files. */
#ifndef ESOCK_ADDR_INT_H
#define ESOCK_ADDR_INT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Writes the plain text of an IPv6 address (lower-case hex, longest zero run
 * of >= 2 groups as "::", "::ffff:a.b.c.d" for v4-mapped) into buf WITHOUT a
 * terminating NUL. Unlike esock_ntoa it gives group 2 no scope meaning and no
 * "::a.b.c.d" form. Returns the length, or -ENOSPC if it exceeds cap.
 */
int esock__format_ip6(const uint16_t g[8], char *buf, size_t cap);

#endif
