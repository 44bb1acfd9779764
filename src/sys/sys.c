/*
 * The syscall seam: the default table, and the fault-injecting wrappers
 * switched on by ESOCK_FAULTS.
 */
#include "sys/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
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

/* ---- fault injection --------------------------------------------------- */

/* The table as esock__sys_init left it: the real calls, with the injecting
 * wrappers of ESOCK_FAULTS in place when that is set. esock__sys_reset goes
 * back to it, so a test that overrides an entry and resets does not switch
 * the faults of a fault run off. Guarded by cfg_mu (written by init and
 * esock__sys_set_faults only). */
static struct esock__sys base_table = {0};
static bool base_valid;
static pthread_mutex_t cfg_mu = PTHREAD_MUTEX_INITIALIZER;

static _Atomic unsigned eintr_pct, eagain_pct, short_pct;
static _Atomic uint64_t rng_state = 1;
static _Atomic uint64_t n_eintr, n_eagain, n_short;

static unsigned roll(void)
{
    /* splitmix64 over an atomic counter: reproducible for a seed, thread-safe. */
    uint64_t z = atomic_fetch_add(&rng_state, 0x9e3779b97f4a7c15ull) + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return (unsigned)((z ^ (z >> 31)) % 100);
}

/* What one call may suffer: EINTR only (waits, accept, connect), also
 * EAGAIN (message calls: a datagram is never shortened), or also a short
 * transfer (stream data calls). */
enum fault_class { F_INTR, F_AGAIN, F_SHORT };

/* Decides the fate of one call of len bytes: -1 with errno set (EINTR or
 * EAGAIN) to fail it before it does anything, otherwise the length to pass
 * on (maybe shortened). One roll per call: the shares are exclusive. */
static ssize_t fate(enum fault_class cls, size_t len)
{
    unsigned r = roll();
    unsigned pi = atomic_load_explicit(&eintr_pct, memory_order_relaxed);
    unsigned pa = cls >= F_AGAIN ? atomic_load_explicit(&eagain_pct, memory_order_relaxed) : 0;
    unsigned ps = cls >= F_SHORT ? atomic_load_explicit(&short_pct, memory_order_relaxed) : 0;
    if (r < pi) {
        atomic_fetch_add(&n_eintr, 1);
        errno = EINTR;
        return -1;
    }
    if (r < pi + pa) {
        atomic_fetch_add(&n_eagain, 1);
        errno = EAGAIN;
        return -1;
    }
    if (len > 1 && r < pi + pa + ps) {
        atomic_fetch_add(&n_short, 1);
        return (ssize_t)(1 + roll() * (len - 1) / 100);
    }
    return (ssize_t)len;
}

/* read and write reach eventfds too (the inet layer's wake-ups). A
 * non-blocking eventfd never fails with EINTR and fails with EAGAIN only
 * when that is the truth, so the faults model sockets only: injecting into
 * a wake-up would lose it, which no OS does. */
static bool is_socket(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

#define FAULTY(cls, call, ...)             \
    do {                                   \
        ssize_t f_ = fate((cls), len);     \
        if (f_ < 0)                        \
            return -1;                     \
        len = (size_t)f_;                  \
        return call(__VA_ARGS__);          \
    } while (0)

static ssize_t f_send(int fd, const void *b, size_t len, int fl) { FAULTY(F_SHORT, send, fd, b, len, fl); }
static ssize_t f_recv(int fd, void *b, size_t len, int fl) { FAULTY(F_SHORT, recv, fd, b, len, fl); }

static ssize_t f_read(int fd, void *b, size_t len)
{
    if (!is_socket(fd))
        return read(fd, b, len);
    FAULTY(F_SHORT, read, fd, b, len);
}

static ssize_t f_write(int fd, const void *b, size_t len)
{
    if (!is_socket(fd))
        return write(fd, b, len);
    FAULTY(F_SHORT, write, fd, b, len);
}

static ssize_t f_sendfile(int out, int in, off_t *off, size_t len)
{
    FAULTY(F_SHORT, sendfile, out, in, off, len);
}

/* Message calls: a datagram cannot be shortened without losing data, so only
 * EINTR and EAGAIN are injected there. */
static ssize_t f_sendto(int fd, const void *b, size_t len, int fl, const struct sockaddr *a,
                        socklen_t al)
{
    FAULTY(F_AGAIN, sendto, fd, b, len, fl, a, al);
}

static ssize_t f_recvfrom(int fd, void *b, size_t len, int fl, struct sockaddr *a, socklen_t *al)
{
    FAULTY(F_AGAIN, recvfrom, fd, b, len, fl, a, al);
}

/* sendmsg and recvmsg carry streams too (the inet layer writes several
 * vectors with sendmsg): there a short transfer is injected by offering the kernel the
 * vectors cut to fewer bytes. */
#define CUT_IOV_MAX 1024

static bool is_stream(int fd)
{
    int type = 0;
    socklen_t l = sizeof type;
    return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l) == 0 && type == SOCK_STREAM;
}

static size_t iov_bytes(const struct msghdr *m)
{
    size_t n = 0;
    for (size_t i = 0; i < m->msg_iovlen; i++)
        n += m->msg_iov[i].iov_len;
    return n;
}

/* Rolls the fate of one message call. -1: fail it (errno set); otherwise
 * *use is m, or *cut holding m's vectors cut to fewer bytes. */
static int msg_fate(int fd, const struct msghdr *m, struct msghdr *cut, struct iovec *iov,
                    const struct msghdr **use)
{
    size_t total = iov_bytes(m);
    bool stream = total > 1 && m->msg_iovlen <= CUT_IOV_MAX && is_stream(fd);
    ssize_t f = fate(stream ? F_SHORT : F_AGAIN, total);
    *use = m;
    if (f < 0)
        return -1;
    if (!stream || (size_t)f == total)
        return 0;
    *cut = *m;
    cut->msg_iov = iov;
    size_t left = (size_t)f, k = 0;
    for (; k < m->msg_iovlen && left > 0; k++) {
        iov[k] = m->msg_iov[k];
        if (iov[k].iov_len > left)
            iov[k].iov_len = left;
        left -= iov[k].iov_len;
    }
    cut->msg_iovlen = k;
    *use = cut;
    return 0;
}

static ssize_t f_sendmsg(int fd, const struct msghdr *m, int fl)
{
    struct iovec iov[CUT_IOV_MAX];
    struct msghdr cut;
    const struct msghdr *use;
    if (msg_fate(fd, m, &cut, iov, &use) < 0)
        return -1;
    return sendmsg(fd, use, fl);
}

static ssize_t f_recvmsg(int fd, struct msghdr *m, int fl)
{
    struct iovec iov[CUT_IOV_MAX];
    struct msghdr cut;
    const struct msghdr *use;
    if (msg_fate(fd, m, &cut, iov, &use) < 0)
        return -1;
    if (use == m)
        return recvmsg(fd, m, fl);
    ssize_t n = recvmsg(fd, &cut, fl);
    /* What the kernel reports back goes to the caller's header. */
    m->msg_namelen = cut.msg_namelen;
    m->msg_controllen = cut.msg_controllen;
    m->msg_flags = cut.msg_flags;
    return n;
}

/* Calls that only a signal can interrupt here: EINTR, before anything is
 * done (a connect interrupted this way has not started). */
static int f_accept4(int fd, struct sockaddr *a, socklen_t *al, int fl)
{
    if (fate(F_INTR, 0) < 0)
        return -1;
    return accept4(fd, a, al, fl);
}

static int f_connect(int fd, const struct sockaddr *a, socklen_t al)
{
    if (fate(F_INTR, 0) < 0)
        return -1;
    return connect(fd, a, al);
}

static int f_poll(struct pollfd *p, nfds_t n, int ms)
{
    if (fate(F_INTR, 0) < 0)
        return -1;
    return poll(p, n, ms);
}

static int f_epoll_wait(int ep, struct epoll_event *ev, int max, int ms)
{
    if (fate(F_INTR, 0) < 0)
        return -1;
    return epoll_wait(ep, ev, max, ms);
}

/* The value N of "key:N" in a comma-separated spec, dflt when absent. Keys
 * are matched whole (so "eagain" is not found in "xeagain"). */
static unsigned long long spec_value(const char *spec, const char *key, unsigned long long dflt)
{
    size_t kl = strlen(key);
    for (const char *p = spec; p != NULL && *p != '\0';) {
        while (*p == ',' || *p == ' ')
            p++;
        if (strncmp(p, key, kl) == 0 && p[kl] == ':') /* a negative value is 0, */
            return p[kl + 1] == '-' ? 0 : strtoull(p + kl + 1, NULL, 10); /* not 2^64 - N */
        p = strchr(p, ',');
    }
    return dflt;
}

/* A share: 0..100, 0 when absent. */
static unsigned pct_of(const char *spec, const char *key)
{
    unsigned long long v = spec_value(spec, key, 0);
    return v > 100 ? 100 : (unsigned)v;
}

/* Puts the injecting wrappers the shares in force need into t; leaves the
 * other entries alone (a test may have replaced some before the first
 * esock__sys_init). */
static void install_wrappers(struct esock__sys *t)
{
    unsigned pi = atomic_load(&eintr_pct);
    if (pi + atomic_load(&eagain_pct) + atomic_load(&short_pct) > 0) {
        t->send = f_send;
        t->recv = f_recv;
        t->read = f_read;
        t->write = f_write;
        t->sendfile = f_sendfile;
        t->sendto = f_sendto;
        t->recvfrom = f_recvfrom;
        t->sendmsg = f_sendmsg;
        t->recvmsg = f_recvmsg;
    }
    if (pi > 0) {
        t->accept4 = f_accept4;
        t->connect = f_connect;
        t->poll = f_poll;
        t->epoll_wait = f_epoll_wait;
    }
}

/* Installs the spec into the base table (cfg_mu held). */
static void configure(const char *spec)
{
    unsigned pi = 0, pa = 0, ps = 0;
    if (spec != NULL && *spec != '\0') {
        pi = pct_of(spec, "eintr");
        if (pi == 100) /* every call would fail, and the library retries for ever */
            pi = 99;
        pa = pct_of(spec, "eagain");
        ps = pct_of(spec, "short");
        atomic_store(&rng_state, spec_value(spec, "seed", 1));
    }
    /* The shares are exclusive outcomes of one roll: clip in this order. */
    if (pa > 100 - pi)
        pa = 100 - pi;
    if (ps > 100 - pi - pa)
        ps = 100 - pi - pa;
    atomic_store(&eintr_pct, pi);
    atomic_store(&eagain_pct, pa);
    atomic_store(&short_pct, ps);
    base_table = esock__sys_default;
    install_wrappers(&base_table);
    base_valid = true;
}

/* "report:1" in ESOCK_FAULTS: how many faults were injected, on stderr at
 * exit (for the figures of docs/reliability.md). */
static void report_at_exit(void)
{
    fprintf(stderr, "ESOCK_FAULTS injected: eintr %llu, eagain %llu, short %llu\n",
            (unsigned long long)atomic_load(&n_eintr), (unsigned long long)atomic_load(&n_eagain),
            (unsigned long long)atomic_load(&n_short));
}

static void init_once(void)
{
    const char *spec = getenv("ESOCK_FAULTS");
    pthread_mutex_lock(&cfg_mu);
    if (!base_valid) {
        configure(spec);
        install_wrappers(&esock__sys);
    }
    pthread_mutex_unlock(&cfg_mu);
    if (spec != NULL && spec_value(spec, "report", 0) != 0)
        atexit(report_at_exit);
}

void esock__sys_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, init_once);
}

void esock__sys_reset(void)
{
    esock__sys_init();
    pthread_mutex_lock(&cfg_mu);
    esock__sys = base_table;
    pthread_mutex_unlock(&cfg_mu);
}

void esock__sys_set_faults(const char *spec)
{
    esock__sys_init();
    pthread_mutex_lock(&cfg_mu);
    configure(spec);
    esock__sys = base_table;
    pthread_mutex_unlock(&cfg_mu);
}

void esock__sys_faults(struct esock__faults *out)
{
    out->eagain_pct = atomic_load(&eagain_pct);
    out->short_pct = atomic_load(&short_pct);
    out->injected_eagain = atomic_load(&n_eagain);
    out->injected_short = atomic_load(&n_short);
    out->eintr_pct = atomic_load(&eintr_pct);
    out->injected_eintr = atomic_load(&n_eintr);
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
    int64_t now = esock__now_ms();
    return timeout_ms > INT64_MAX - now ? -1 : now + timeout_ms; /* never wraps */
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

int esock__cond_init_monotonic(pthread_cond_t *cv)
{
    pthread_condattr_t ca;
    int rc = pthread_condattr_init(&ca);
    if (rc != 0)
        return rc;
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    rc = pthread_cond_init(cv, &ca);
    pthread_condattr_destroy(&ca);
    return rc;
}

int esock__cond_wait_until(pthread_cond_t *cv, pthread_mutex_t *mu, int64_t deadline_ms)
{
    if (deadline_ms < 0)
        return pthread_cond_wait(cv, mu);
    struct timespec ts = {.tv_sec = deadline_ms / 1000, .tv_nsec = (long)(deadline_ms % 1000) * 1000000};
    return pthread_cond_timedwait(cv, mu, &ts);
}
