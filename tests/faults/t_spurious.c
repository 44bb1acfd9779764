/*
 * Spurious readiness: epoll reports a descriptor ready that is not (the
 * kernel may; the seam makes it certain). A nowait operation then gets its
 * select message too early, its retry finds it not done, and the caller
 * must still get the message it is told to wait for.
 */
#include "ft.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static struct esock__sys under;
static int inject_fd = -1; /* the next epoll_wait reports this fd writable */

static int h_epoll_wait(int ep, struct epoll_event *ev, int max, int ms)
{
    if (inject_fd >= 0 && max > 0) {
        ev[0].events = EPOLLOUT;
        ev[0].data.u64 = 0;
        ev[0].data.fd = inject_fd;
        inject_fd = -1;
        return 1;
    }
    return under.epoll_wait(ep, ev, max, ms);
}

/* A plain listener whose accept queue is full: one connection waits in
 * it, so the SYN of the next is dropped and that connect stays in
 * progress until the queue has room and the SYN is sent again (1 s). */
static int full_listener(uint16_t *port, int *queued)
{
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(l >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(l, 0), 0);
    assert_int_equal(getsockname(l, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    *queued = raw_connect(*port);
    return l;
}

/* The next message of the calling thread's mailbox within tmo_ms, which
 * must be the connect's select message. */
static void expect_connect_select(int tmo_ms)
{
    esock_msg_t m;
    assert_int_equal(esock_mbox_recv(esock_mbox_self(), &m, tmo_ms), 0);
    assert_int_equal(m.kind, ESOCK_MSG_SELECT);
    assert_int_equal(m.tag, ESOCK_OP_CONNECT);
    esock_msg_free(&m);
}

/* A nowait connect whose select message came while it was still in
 * progress: connect_finish says -EINPROGRESS, and a new select message
 * follows when the connect is over. */
static void connect_select_before_done(void **state)
{
    (void)state;
    uint16_t port;
    int queued;
    int l = full_listener(&port, &queued);
    esock_t c;
    ok(esock_open(AF_INET, SOCK_STREAM, 0, &c));
    esock_sockaddr_t to = lo4(port);
    esock_select_info_t si;
    assert_int_equal(esock_connect(c, &to, ESOCK_NOWAIT, &si), ESOCK_SELECT);

    under = esock__sys;
    esock__sys.epoll_wait = h_epoll_wait;
    inject_fd = esock_fd(c);
    expect_connect_select(1000); /* the spurious one */
    esock__sys = under;
    assert_int_equal(esock_connect_finish(c), -EINPROGRESS);

    /* Room in the queue: the SYN sent again gets through. */
    int a = accept(l, NULL, NULL);
    assert_true(a >= 0);
    expect_connect_select(5000);
    ok(esock_connect_finish(c));
    esock_sockaddr_t peer;
    ok(esock_peername(c, &peer));
    assert_int_equal(peer.u.in.port, port);

    ok(esock_close(c));
    close(a);
    close(queued);
    close(l);
}

const struct CMUnitTest ft_spurious_tests[] = {
    cmocka_unit_test(connect_select_before_done),
};
const size_t ft_spurious_count = NELEM(ft_spurious_tests);
