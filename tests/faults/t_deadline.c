/*
 * Deadlines further away than one poll() can wait (INT_MAX ms, about 24.8
 * days). poll() is handed the most it can take; when that much time has
 * gone by with nothing ready, the deadline has not passed yet and the wait
 * must go on. The seam stands in for the 24.8 days: its poll returns 0 at
 * once when asked to wait INT_MAX ms, after the peer has sent its data
 * ("on day 25"), so a wait that goes on receives it and one that gives up
 * reports a timeout.
 */
#include "ft.h"

#include <limits.h>
#include <poll.h>
#include <unistd.h>

static struct esock__sys under;
static int day25_fd = -1; /* the peer writes here when the long poll "ends" */

static int h_poll(struct pollfd *p, nfds_t n, int ms)
{
    if (ms == INT_MAX && day25_fd >= 0) {
        wr(day25_fd, "x", 1);
        day25_fd = -1;
        return 0; /* INT_MAX ms went by, nothing was ready */
    }
    return under.poll(p, n, ms);
}

/* A recv whose 30-day timeout outlasts one poll() gets the byte sent after
 * the first 24.8 days, not ESOCK_ETIMEOUT. */
static void long_timeout_outlasts_one_poll(void **state)
{
    (void)state;
    uint16_t port;
    int l = raw_listener(&port);
    esock_t c;
    ok(esock_open(AF_INET, SOCK_STREAM, 0, &c));
    esock_sockaddr_t sa = lo4(port);
    ok(esock_connect(c, &sa, 2000, NULL));
    int peer = raw_accept(l);
    under = esock__sys;
    esock__sys.poll = h_poll;
    day25_fd = peer;
    char b = 0;
    size_t got = 0;
    int rc = esock_recv(c, &b, 1, 1, 0, 30LL * 24 * 3600 * 1000, &got, NULL);
    esock__sys_reset();
    bool asked = day25_fd == -1; /* the long poll was asked for */
    day25_fd = -1;
    ok(esock_close(c));
    close(peer);
    close(l);
    assert_true(asked);
    assert_int_equal(rc, 0);
    assert_int_equal(got, 1);
    assert_int_equal(b, 'x');
}

const struct CMUnitTest ft_deadline_tests[] = {
    cmocka_unit_test(long_timeout_outlasts_one_poll),
};
const size_t ft_deadline_count = NELEM(ft_deadline_tests);
