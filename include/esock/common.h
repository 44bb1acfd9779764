/*
 * esock/common.h - conventions shared by every esock header.
 *
 * Return codes: 0 is success, a negative value is an error (-errno for an OS
 * error, an ESOCK_E* code from <esock/error.h> otherwise), and a positive
 * value is a non-error outcome such as ESOCK_SELECT.
 *
 * Timeouts are int64_t milliseconds with two sentinels: ESOCK_INFINITY waits
 * for ever, ESOCK_NOWAIT never waits (a call that cannot finish at once
 * returns ESOCK_SELECT). Deadlines are measured on CLOCK_MONOTONIC.
 *
 * Handles are 32-bit values from a counter that only moves forward (a
 * closed handle's value is not reused before 2^32 more handles): a call on a
 * closed or stale handle fails with ESOCK_ECLOSED or -EBADF and never
 * touches freed memory or another object.
 */
#ifndef ESOCK_COMMON_H
#define ESOCK_COMMON_H

#include <stddef.h>
#include <stdint.h>

#if defined(ESOCK_BUILDING) && defined(__GNUC__)
#define ESOCK_API __attribute__((visibility("default")))
#elif defined(__GNUC__)
#define ESOCK_API __attribute__((visibility("default")))
#else
#define ESOCK_API
#endif

#ifdef __cplusplus
#define ESOCK_BEGIN_DECLS extern "C" {
#define ESOCK_END_DECLS }
#else
#define ESOCK_BEGIN_DECLS
#define ESOCK_END_DECLS
#endif

/** Wait without limit. */
#define ESOCK_INFINITY ((int64_t)-1)
/** Do not wait: return ESOCK_SELECT (and deliver a select message later). */
#define ESOCK_NOWAIT ((int64_t)-2)

/** The library version, as major * 10000 + minor * 100 + patch. */
#define ESOCK_VERSION_NUMBER 100

#endif /* ESOCK_COMMON_H */
