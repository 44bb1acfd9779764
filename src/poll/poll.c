/* A blocking wait on one fd that close (through a wake eventfd) can interrupt. */
#include "poll/poll.h"

#include <errno.h>
#include <poll.h>

#include <esock/error.h>

#include "sys/sys.h"

int esock__wait_fd(int fd, unsigned events, int wakefd, int64_t deadline_ms)
{
    struct pollfd p[2] = {
        {.fd = fd, .events = (short)((events & ESOCK__EV_IN ? POLLIN : 0) |
                                     (events & ESOCK__EV_OUT ? POLLOUT : 0))},
        {.fd = wakefd, .events = POLLIN},
    };
    for (;;) {
        int n = esock__sys.poll(p, wakefd >= 0 ? 2 : 1, esock__ms_left(deadline_ms));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (wakefd >= 0 && p[1].revents)
            return 1;
        if (n > 0)
            return 0;
        /* poll waits at most INT_MAX ms: a deadline further away is not
         * reached when that ends. */
        if (deadline_ms < 0 || esock__ms_left(deadline_ms) > 0)
            continue;
        return ESOCK_ETIMEOUT;
    }
}
