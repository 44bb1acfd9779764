/*
 * inet/wait.c - blocking waits that close can interrupt.
 *
 * A thread that must wait for readiness polls the socket's fd together with
 * its own eventfd (one per thread, created on first use and kept). The
 * waiter is linked into the socket while it sleeps; close writes to every
 * linked eventfd. So a blocked call returns ESOCK_ECLOSED promptly and no
 * thread ever sleeps on an fd number that another thread might close.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <esock/error.h>

#include "inet/inet_int.h"
#include "sys/sys.h"
#include "sys/thread_exit.h"

static _Thread_local int tls_efd = -1;

/* At thread exit (sys/thread_exit.h). tls_efd goes back to -1, so a later
 * wait in another exit function of this thread makes a new one (and arms
 * this again) instead of waiting on a closed descriptor. */
static void efd_free(void *unused)
{
    (void)unused;
    if (tls_efd >= 0)
        esock__sys.close(tls_efd);
    tls_efd = -1;
}

static struct esock__thread_exit efd_at_exit = ESOCK__THREAD_EXIT_INIT(efd_free);

static int thread_efd(void)
{
    if (tls_efd < 0) {
        int fd = esock__sys.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (fd < 0)
            return -errno;
        if (esock__thread_exit_arm(&efd_at_exit) != 0) { /* it would outlive the thread */
            esock__sys.close(fd);
            return -EAGAIN;
        }
        tls_efd = fd;
    }
    return tls_efd;
}

int64_t esock__inet_now_ms(void)
{
    return esock__now_ms();
}

int64_t esock__inet_deadline(int64_t timeout_ms)
{
    if (timeout_ms == ESOCK_INFINITY)
        return -1;
    if (timeout_ms < 0) /* any other negative: due now */
        return esock__now_ms();
    return esock__deadline_of(timeout_ms); /* saturates: no wrapped sum */
}

void esock__inet_wake_all(esock__isock_t *s)
{
    uint64_t one = 1;
    for (esock__waiter_t *w = s->waiters; w; w = w->next) {
        if (w->efd < 0) /* a closing thread without one */
            continue;
        ssize_t r = esock__sys.write(w->efd, &one, sizeof one);
        (void)r;
    }
}

/* Links this thread into @p s as a waiter, lets go of the lock, sleeps
 * until @p events on the fd, a wake (close, the port going away) or the
 * deadline, and takes the lock back. 0, ESOCK_ETIMEOUT or -errno. */
static int wait_unlocked(esock__isock_t *s, int efd, short events, int64_t deadline_ms)
{
    esock__waiter_t w = {.next = s->waiters, .prev = NULL, .efd = efd};
    if (s->waiters)
        s->waiters->prev = &w;
    s->waiters = &w;
    struct pollfd pfd[2] = {{.fd = s->fd, .events = events}, {.fd = efd, .events = POLLIN}};
    int rc = 0;
    pthread_mutex_unlock(&s->mu);
    for (;;) {
        int tmo = -1;
        if (deadline_ms >= 0) {
            int64_t left = deadline_ms - esock__inet_now_ms();
            if (left <= 0) {
                rc = ESOCK_ETIMEOUT;
                break;
            }
            tmo = left > INT32_MAX ? INT32_MAX : (int)left;
        }
        int n = esock__sys.poll(pfd, 2, tmo);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = -errno;
            break;
        }
        if (n == 0)
            continue; /* re-check the deadline */
        if (pfd[1].revents) {
            uint64_t v;
            ssize_t r = esock__sys.read(efd, &v, sizeof v);
            (void)r;
        }
        break;
    }
    pthread_mutex_lock(&s->mu);
    if (w.prev)
        w.prev->next = w.next;
    else
        s->waiters = w.next;
    if (w.next)
        w.next->prev = w.prev;
    return rc;
}

int esock__inet_wait(esock__isock_t *s, short events, int64_t deadline_ms)
{
    int efd = thread_efd();
    if (efd < 0)
        return efd;
    if (s->closed)
        return ESOCK_ECLOSED;
    int rc = wait_unlocked(s, efd, events, deadline_ms);
    return s->closed ? ESOCK_ECLOSED : rc;
}

int esock__inet_wait_closing(esock__isock_t *s, short events, int64_t deadline_ms)
{
    if (s->fd < 0)
        return -ENOTCONN;
    /* Nothing wakes the closing thread (close woke the others already), so
     * without an eventfd (descriptors exhausted) it polls the socket alone
     * rather than give up on the queue. */
    int efd = thread_efd();
    return wait_unlocked(s, efd < 0 ? -1 : efd, events, deadline_ms);
}
