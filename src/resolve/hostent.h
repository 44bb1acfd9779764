/* hostent.h - building hostent records and converting OS address bytes. */
#ifndef ESOCK_RESOLVE_HOSTENT_H
#define ESOCK_RESOLVE_HOSTENT_H

#include <esock/resolve.h>

/**
 * A new hostent holding copies of @p name, the NULL-terminated @p aliases
 * (may be NULL), and @p naddrs addresses of @p family. NULL if out of memory.
 */
esock_hostent_t *esock__hostent_make(const char *name, char *const *aliases, int family,
                                     const esock_ip_t *addrs, size_t naddrs);

/** Network-order address bytes (4 or 16) to an esock_ip_t of @p family. */
void esock__ip_from_bytes(int family, const void *bytes, esock_ip_t *ip);

/** An esock_ip_t to network-order bytes (4 or 16 written). */
void esock__ip_to_bytes(const esock_ip_t *ip, uint8_t *b);

#endif
