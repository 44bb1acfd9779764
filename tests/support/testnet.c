/* The shared test network toolkit; see testnet.h. */
#include "testnet.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

esock_sockaddr_t lo4(uint16_t port)
{
    esock_sockaddr_t sa;
    memset(&sa, 0, sizeof sa);
    sa.family = ESOCK_FAMILY_INET;
    sa.u.in.addr[0] = 127;
    sa.u.in.addr[3] = 1;
    sa.u.in.port = port;
    return sa;
}

static struct sockaddr_in loopback_in(uint16_t port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sa;
}

int raw_listener(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = loopback_in(0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(fd, 16), 0);
    socklen_t l = sizeof sa;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &l), 0);
    *port = ntohs(sa.sin_port);
    return fd;
}

int raw_connect(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = loopback_in(port);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

int raw_accept(int lfd)
{
    struct pollfd p = {.fd = lfd, .events = POLLIN};
    assert_int_equal(poll(&p, 1, 2000), 1);
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    assert_true(fd >= 0);
    return fd;
}

void wr(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
        assert_true(w > 0);
        c += w;
        n -= (size_t)w;
    }
}

void rd(int fd, void *p, size_t n)
{
    char *c = p;
    while (n) {
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        assert_int_equal(poll(&pf, 1, 2000), 1);
        ssize_t r = read(fd, c, n);
        assert_true(r > 0);
        c += r;
        n -= (size_t)r;
    }
}

void rst_close(int fd)
{
    struct linger lg = {1, 0};
    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg), 0);
    close(fd);
}

void msleep(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int fd_count(void)
{
    DIR *d = opendir("/proc/self/fd");
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1; /* the directory's own descriptor */
}

int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
