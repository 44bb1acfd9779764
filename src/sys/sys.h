/*
 * sys/sys.h - the syscall seam (in the manner of SQLite's os_unix.c aSyscall).
 *
 * Every OS call the library makes goes through esock__sys, so a test can
 * replace one entry (inject EAGAIN, EMFILE, ENOMEM, short transfers) and the
 * whole suite can run again with faults injected from the environment:
 *
 *   ESOCK_FAULTS="eintr:P,eagain:P,short:P,seed:N"
 *
 * Each call through a wrapped entry rolls once (splitmix64, reproducible for
 * a seed); the shares are exclusive outcomes of that roll, clipped in the
 * order eintr, eagain, short so that they add up to at most 100 (a
 * negative P is 0, and eintr is at most 99: at 100 no call would ever get
 * through, since the library retries EINTR):
 *
 *   eintr:P   P percent of the blocking and data calls fail with EINTR
 *             before doing anything: recv, send, read, write, recvfrom,
 *             sendto, recvmsg, sendmsg, sendfile, accept4, connect, poll,
 *             epoll_wait. The library must retry them, never report EINTR
 *             and never lose data.
 *   eagain:P  P percent of the data calls (the nine above from recv to
 *             sendfile) fail with EAGAIN.
 *   short:P   P percent of the stream data calls (recv, send, read, write,
 *             sendfile, and sendmsg / recvmsg on a stream socket) move
 *             fewer bytes than asked (at least one). Datagrams are never
 *             shortened: one would be lost.
 *
 *   report:1  prints the numbers injected to stderr at exit.
 *
 * read and write are faulted on sockets only (they reach eventfds too, whose
 * wake-ups no OS loses). The spec is read once, at the first
 * esock__sys_init(); esock__sys_set_faults() changes it at run time.
 */
#ifndef ESOCK_SYS_H
#define ESOCK_SYS_H

#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/types.h>

struct esock__sys {
    int (*socket)(int, int, int);
    int (*bind)(int, const struct sockaddr *, socklen_t);
    int (*listen)(int, int);
    int (*accept4)(int, struct sockaddr *, socklen_t *, int);
    int (*connect)(int, const struct sockaddr *, socklen_t);
    ssize_t (*send)(int, const void *, size_t, int);
    ssize_t (*sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
    ssize_t (*sendmsg)(int, const struct msghdr *, int);
    ssize_t (*recv)(int, void *, size_t, int);
    ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
    ssize_t (*recvmsg)(int, struct msghdr *, int);
    ssize_t (*read)(int, void *, size_t);
    ssize_t (*write)(int, const void *, size_t);
    ssize_t (*sendfile)(int, int, off_t *, size_t);
    int (*close)(int);
    int (*shutdown)(int, int);
    int (*getsockopt)(int, int, int, void *, socklen_t *);
    int (*setsockopt)(int, int, int, const void *, socklen_t);
    int (*getsockname)(int, struct sockaddr *, socklen_t *);
    int (*getpeername)(int, struct sockaddr *, socklen_t *);
    int (*ioctl)(int, unsigned long, void *);
    int (*fcntl)(int, int, int);
    int (*poll)(struct pollfd *, nfds_t, int);
    int (*epoll_create1)(int);
    int (*epoll_ctl)(int, int, int, struct epoll_event *);
    int (*epoll_wait)(int, struct epoll_event *, int, int);
    int (*eventfd)(unsigned int, int);
    void *(*malloc)(size_t);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    void (*free)(void *);
};

/* The table in use. Tests may overwrite entries and restore them with
 * esock__sys_reset(). */
extern struct esock__sys esock__sys;

/* The real calls. esock__sys_reset() puts back the table esock__sys_init()
 * set up: the real calls, with the ESOCK_FAULTS wrappers where those are on
 * (so a fault run keeps its faults across a test's own overrides). */
extern const struct esock__sys esock__sys_default;
void esock__sys_reset(void);

/* Reads ESOCK_FAULTS once and installs the injecting wrappers if it is set.
 * Safe to call from any thread, any number of times. */
void esock__sys_init(void);

/* Shares of injected faults now in force (0 when off), and how many were
 * injected so far, process-wide, since start (for reports). */
struct esock__faults {
    unsigned eagain_pct, short_pct;
    uint64_t injected_eagain, injected_short;
    unsigned eintr_pct;
    uint64_t injected_eintr;
};
void esock__sys_faults(struct esock__faults *out);

/* Replaces the fault spec (same syntax as ESOCK_FAULTS; NULL or "" = off)
 * and resets the whole table to the real calls plus the wrappers it needs:
 * entries a test replaced are dropped. The injected counts keep counting.
 * For tests; not to be called while other threads use the library. */
void esock__sys_set_faults(const char *spec);

/* Allocation through the seam. */
#define esock__malloc(n) (esock__sys.malloc(n))
#define esock__calloc(n, m) (esock__sys.calloc((n), (m)))
#define esock__realloc(p, n) (esock__sys.realloc((p), (n)))
#define esock__free(p) (esock__sys.free(p))

/* Monotonic clock and deadlines. A deadline of -1 means none (infinity). */
int64_t esock__now_ms(void);
int64_t esock__deadline_of(int64_t timeout_ms);
/* Milliseconds left for poll(): -1 for no deadline, 0 when passed. */
int esock__ms_left(int64_t deadline_ms);
/* A condition variable on the monotonic clock, the one deadlines use.
 * 0 or an error number. */
int esock__cond_init_monotonic(pthread_cond_t *cv);
/* Waits on @p cv (@p mu held) until signalled or @p deadline_ms passes
 * (esock__deadline_of; -1: no deadline). 0, or ETIMEDOUT. */
int esock__cond_wait_until(pthread_cond_t *cv, pthread_mutex_t *mu, int64_t deadline_ms);

#endif
