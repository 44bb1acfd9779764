/*
 * poll/poll.h - the readiness backend seam: a blocking wait on one fd that
 * another thread can interrupt.
 */
#ifndef ESOCK_POLL_H
#define ESOCK_POLL_H

#include <stdint.h>

#define ESOCK__EV_IN 1u
#define ESOCK__EV_OUT 2u

/*
 * Waits until fd is ready for events (ESOCK__EV_IN / ESOCK__EV_OUT), until
 * wakefd (an eventfd, or -1) becomes readable, or until deadline_ms (from
 * esock__deadline_of; -1 = none). Returns 0 when fd is ready (or in error:
 * the next syscall reports it), 1 when woken, ESOCK_ETIMEOUT when the
 * deadline passed, or -errno. The wake fd is not drained.
 */
int esock__wait_fd(int fd, unsigned events, int wakefd, int64_t deadline_ms);

#endif
