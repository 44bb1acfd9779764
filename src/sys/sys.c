/*
 * The syscall seam: the default table, and the fault-injecting wrappers
 * switched on by ESOCK_FAULTS.
 */
#include "sys/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <time.h>
#include <unistd.h>

static int sys_ioctl(int fd, unsigned long req, void *arg) { return ioctl(fd, req, arg); }
static int sys_fcntl(int fd, int cmd, int arg) { return fcntl(fd, cmd, arg); }

const struct esock__sys esock__sys_default = {
    .socket = socket, .bind = bind, .listen = listen, .accept4 = accept4, .connect = connect,
    .send = send, .sendto = sendto, .sendmsg = sendmsg, .recv = recv, .recvfrom = recvfrom,
    .recvmsg = recvmsg, .read = read, .write = write, .sendfile = sendfile, .close = close,
    .shutdown = shutdown, .getsockopt = getsockopt, .setsockopt = setsockopt,
    .getsockname = getsockname, .getpeername = getpeername, .ioctl = sys_ioctl,
    .fcntl = sys_fcntl, .poll = poll, .epoll_create1 = epoll_create1, .epoll_ctl = epoll_ctl,
    .epoll_wait = epoll_wait, .eventfd = eventfd, .malloc = malloc, .calloc = calloc,
    .realloc = realloc, .free = free,
};

struct esock__sys esock__sys = {
    .socket = socket, .bind = bind, .listen = listen, .accept4 = accept4, .connect = connect,
    .send = send, .sendto = sendto, .sendmsg = sendmsg, .recv = recv, .recvfrom = recvfrom,
    .recvmsg = recvmsg, .read = read, .write = write, .sendfile = sendfile, .close = close,
    .shutdown = shutdown, .getsockopt = getsockopt, .setsockopt = setsockopt,
    .getsockname = getsockname, .getpeername = getpeername, .ioctl = sys_ioctl,
    .fcntl = sys_fcntl, .poll = poll, .epoll_create1 = epoll_create1, .epoll_ctl = epoll_ctl,
    .epoll_wait = epoll_wait, .eventfd = eventfd, .malloc = malloc, .calloc = calloc,
    .realloc = realloc, .free = free,
};

void esock__sys_reset(void)
{
    esock__sys = esock__sys_default;
}

/* ---- fault injection --------------------------------------------------- */

static unsigned eagain_pct, short_pct;
static _Atomic uint64_t rng_state = 1;
static _Atomic uint64_t n_eagain, n_short;

static unsigned roll(void)
{
    /* splitmix64 over an atomic counter: reproducible for a seed, thread-safe. */
    uint64_t z = atomic_fetch_add(&rng_state, 0x9e3779b97f4a7c15ull) + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return (unsigned)((z ^ (z >> 31)) % 100);
}

/* Decides the fate of one data call of len bytes: -1 = fail with EAGAIN,
 * otherwise the length to pass on (maybe shortened). */
static ssize_t fate(size_t len)
{
    unsigned r = roll();
    if (r < eagain_pct) {
        atomic_fetch_add(&n_eagain, 1);
        return -1;
    }
    if (len > 1 && r < eagain_pct + short_pct) {
        atomic_fetch_add(&n_short, 1);
        return (ssize_t)(1 + roll() * (len - 1) / 100);
    }
    return (ssize_t)len;
}

#define FAULTY(call, ...)              \
    do {                               \
        ssize_t f_ = fate(len);        \
        if (f_ < 0) {                  \
            errno = EAGAIN;            \
            return -1;                 \
        }                              \
        len = (size_t)f_;              \
        return call(__VA_ARGS__);      \
    } while (0)

static ssize_t f_send(int fd, const void *b, size_t len, int fl) { FAULTY(send, fd, b, len, fl); }
static ssize_t f_recv(int fd, void *b, size_t len, int fl) { FAULTY(recv, fd, b, len, fl); }
static ssize_t f_read(int fd, void *b, size_t len) { FAULTY(read, fd, b, len); }
static ssize_t f_write(int fd, const void *b, size_t len) { FAULTY(write, fd, b, len); }

/* Datagram calls: a datagram cannot be shortened without losing data, so only
 * EAGAIN is injected there. */
static ssize_t f_sendto(int fd, const void *b, size_t len, int fl, const struct sockaddr *a,
                        socklen_t al)
{
    if (roll() < eagain_pct) {
        atomic_fetch_add(&n_eagain, 1);
        errno = EAGAIN;
        return -1;
    }
    return sendto(fd, b, len, fl, a, al);
}

static ssize_t f_recvfrom(int fd, void *b, size_t len, int fl, struct sockaddr *a, socklen_t *al)
{
    if (roll() < eagain_pct) {
        atomic_fetch_add(&n_eagain, 1);
        errno = EAGAIN;
        return -1;
    }
    return recvfrom(fd, b, len, fl, a, al);
}

static ssize_t f_sendmsg(int fd, const struct msghdr *m, int fl)
{
    if (roll() < eagain_pct) {
        atomic_fetch_add(&n_eagain, 1);
        errno = EAGAIN;
        return -1;
    }
    return sendmsg(fd, m, fl);
}

static ssize_t f_recvmsg(int fd, struct msghdr *m, int fl)
{
    if (roll() < eagain_pct) {
        atomic_fetch_add(&n_eagain, 1);
        errno = EAGAIN;
        return -1;
    }
    return recvmsg(fd, m, fl);
}

static unsigned parse_pct(const char *spec, const char *key)
{
    const char *p = strstr(spec, key);
    if (p == NULL)
        return 0;
    long v = strtol(p + strlen(key), NULL, 10);
    return v < 0 ? 0 : v > 100 ? 100 : (unsigned)v;
}

static void init_once(void)
{
    const char *spec = getenv("ESOCK_FAULTS");
    if (spec == NULL || *spec == '\0')
        return;
    eagain_pct = parse_pct(spec, "eagain:");
    short_pct = parse_pct(spec, "short:");
    const char *seed = strstr(spec, "seed:");
    if (seed != NULL)
        atomic_store(&rng_state, strtoull(seed + 5, NULL, 10));
    if (eagain_pct + short_pct > 100)
        short_pct = 100 - eagain_pct;
    if (eagain_pct == 0 && short_pct == 0)
        return;
    esock__sys.send = f_send;
    esock__sys.recv = f_recv;
    esock__sys.read = f_read;
    esock__sys.write = f_write;
    esock__sys.sendto = f_sendto;
    esock__sys.recvfrom = f_recvfrom;
    esock__sys.sendmsg = f_sendmsg;
    esock__sys.recvmsg = f_recvmsg;
}

void esock__sys_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, init_once);
}

void esock__sys_faults(struct esock__faults *out)
{
    out->eagain_pct = eagain_pct;
    out->short_pct = short_pct;
    out->injected_eagain = atomic_load(&n_eagain);
    out->injected_short = atomic_load(&n_short);
}

/* ---- clock ------------------------------------------------------------- */

int64_t esock__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t esock__deadline_of(int64_t timeout_ms)
{
    if (timeout_ms < 0)
        return -1;
    return esock__now_ms() + timeout_ms;
}

int esock__ms_left(int64_t deadline_ms)
{
    if (deadline_ms < 0)
        return -1;
    int64_t left = deadline_ms - esock__now_ms();
    if (left <= 0)
        return 0;
    return left > 0x7fffffff ? 0x7fffffff : (int)left;
}
