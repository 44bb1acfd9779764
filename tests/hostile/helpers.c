/* Helpers of the hostile suite: peers, clocks, leak accounting. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hostile.h"

static FILE *devnull;

int inet_rows(void)
{
    if (!devnull)
        devnull = fopen("/dev/null", "w"); /* kept open: the fd counts stay stable */
    assert_non_null(devnull);
    return esock_inet_i(devnull, ESOCK_INET_I_ALL, NULL, 0, true);
}

bool wr_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        c += w;
        n -= (size_t)w;
    }
    return true;
}

bool peer_sees_close(int fd, int ms)
{
    int64_t end = now_ms() + ms;
    char b[4096];
    for (;;) {
        int left = (int)(end - now_ms());
        if (left <= 0)
            return false;
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        if (poll(&pf, 1, left) <= 0)
            continue;
        ssize_t r = recv(fd, b, sizeof b, MSG_DONTWAIT);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
            return true;
    }
}

esock_inet_msg_t *inet_next(esock_mbox_t mb, int ms)
{
    esock_msg_t m;
    if (esock_mbox_recv(mb, &m, ms) != 0)
        return NULL;
    esock_inet_msg_t *im = esock_inet_msg(&m);
    assert_non_null(im);
    return im;
}

/* ---- the streaming peer ---- */

static void *streamer_main(void *arg)
{
    streamer_t *s = arg;
    int64_t end = now_ms() + s->cap_ms;
    if (s->prefix_len && !wr_all(s->fd, s->prefix, s->prefix_len))
        return NULL;
    unsigned char chunk[64 * 1024];
    memset(chunk, s->fill, sizeof chunk);
    size_t done = 0;
    while (done < s->total && !atomic_load(&s->stop) && now_ms() < end) {
        struct pollfd pf = {.fd = s->fd, .events = POLLOUT};
        int pr = poll(&pf, 1, 50);
        if (pr <= 0)
            continue;
        if (pf.revents & (POLLERR | POLLHUP))
            break;
        size_t n = s->total - done < sizeof chunk ? s->total - done : sizeof chunk;
        ssize_t w = send(s->fd, chunk, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (w <= 0)
            break;
        done += (size_t)w;
        atomic_store(&s->written, done);
    }
    if (s->hangup)
        shutdown(s->fd, SHUT_WR);
    return NULL;
}

void streamer_start(streamer_t *s)
{
    atomic_store(&s->stop, false);
    atomic_store(&s->written, 0);
    assert_int_equal(pthread_create(&s->th, NULL, streamer_main, s), 0);
}

void streamer_join(streamer_t *s)
{
    atomic_store(&s->stop, true);
    pthread_join(s->th, NULL);
}

/* ---- per-test leak check ---- */

static int start_fds, start_socks;
static size_t start_inet;

int note_start(void **state)
{
    (void)state;
    start_fds = fd_count();
    start_socks = esock_number_of();
    start_inet = esock_inet_count();
    return 0;
}

int check_clean(void **state)
{
    (void)state;
    assert_int_equal(esock_number_of(), start_socks);
    assert_int_equal(esock_inet_count(), start_inet);
    assert_int_equal(fd_count(), start_fds);
    return 0;
}
