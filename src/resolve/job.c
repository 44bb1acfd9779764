/*
 * job.c - run a blocking lookup on a detached worker thread with a deadline.
 *
 * getaddrinfo(), gethostbyname2_r() and friends cannot be cancelled, so the
 * caller never runs them itself: a worker thread does, and the caller waits
 * on the job's condition variable until it is done or the deadline passes.
 * The job is reference counted (caller + worker), so a caller that gives up
 * leaves the job to be freed by the worker when the OS call returns.
 * See resolve_int.h for the cost model and the bound.
 */
#include "resolve/resolve_int.h"
#include "sys/sys.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* ---- deadlines ------------------------------------------------------------ */

int esock__deadline_make(int64_t timeout_ms, esock__deadline_t *dl)
{
    if (timeout_ms == ESOCK_INFINITY) {
        dl->infinite = true;
        return 0;
    }
    if (timeout_ms < 0)
        return ESOCK_EINVAL_TIMEOUT; /* ESOCK_NOWAIT: a lookup sends no message */
    dl->infinite = false;
    clock_gettime(CLOCK_MONOTONIC, &dl->at);
    dl->at.tv_sec += (time_t)(timeout_ms / 1000);
    dl->at.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (dl->at.tv_nsec >= 1000000000L) {
        dl->at.tv_sec += 1;
        dl->at.tv_nsec -= 1000000000L;
    }
    return 0;
}

bool esock__deadline_passed(const esock__deadline_t *dl)
{
    struct timespec now;
    if (dl->infinite)
        return false;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > dl->at.tv_sec ||
           (now.tv_sec == dl->at.tv_sec && now.tv_nsec >= dl->at.tv_nsec);
}

/* Wait on cv until signalled or the deadline; returns ETIMEDOUT or 0. */
static int wait_until(pthread_cond_t *cv, pthread_mutex_t *mu, const esock__deadline_t *dl)
{
    if (dl->infinite)
        return pthread_cond_wait(cv, mu);
    return pthread_cond_timedwait(cv, mu, &dl->at);
}

/* ---- the worker slots --------------------------------------------------- */

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv;
static int g_workers; /* under g_mu */

static void atfork_prepare(void) { pthread_mutex_lock(&g_mu); }
static void atfork_parent(void) { pthread_mutex_unlock(&g_mu); }

/* The child has no workers: their slots are free again (their jobs leak in
 * the child, which never sees them finish). The forking thread holds g_mu
 * (atfork_prepare), so it may unlock it here. */
static void atfork_child(void)
{
    g_workers = 0;
    pthread_mutex_unlock(&g_mu);
}

static void init_once(void)
{
    esock__cond_init_monotonic(&g_cv);
    pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

int esock__resolve_workers(void)
{
    pthread_once(&g_once, init_once);
    pthread_mutex_lock(&g_mu);
    int n = g_workers;
    pthread_mutex_unlock(&g_mu);
    return n;
}

static int slot_acquire(const esock__deadline_t *dl)
{
    int rc = 0;
    pthread_mutex_lock(&g_mu);
    while (g_workers >= ESOCK__RESOLVE_MAX_WORKERS) {
        if (wait_until(&g_cv, &g_mu, dl) == ETIMEDOUT && g_workers >= ESOCK__RESOLVE_MAX_WORKERS) {
            rc = ESOCK_ETIMEOUT;
            break;
        }
    }
    if (rc == 0)
        g_workers++;
    pthread_mutex_unlock(&g_mu);
    return rc;
}

static void slot_release(void)
{
    pthread_mutex_lock(&g_mu);
    g_workers--;
    pthread_cond_signal(&g_cv);
    pthread_mutex_unlock(&g_mu);
}

/* ---- jobs ----------------------------------------------------------------- */

static void job_unref(esock__rjob_t *job)
{
    if (atomic_fetch_sub_explicit(&job->refs, 1, memory_order_acq_rel) != 1)
        return;
    pthread_mutex_destroy(&job->mu);
    pthread_cond_destroy(&job->cv);
    esock_hostent_free(job->he); /* a result nobody took */
    free(job->name);
    free(job);
}

static void *worker_main(void *arg)
{
    esock__rjob_t *job = arg;
    job->fn(job);
    pthread_mutex_lock(&job->mu);
    job->done = true;
    pthread_cond_signal(&job->cv);
    pthread_mutex_unlock(&job->mu);
    job_unref(job);
    slot_release();
    return NULL;
}

static esock__rjob_t *job_new(esock__rjob_fn fn, const char *name, size_t len, const esock_ip_t *ip,
                              int family)
{
    esock__rjob_t *job = calloc(1, sizeof *job);
    if (!job)
        return NULL;
    if (name) {
        job->name = malloc(len + 1);
        if (!job->name) {
            free(job);
            return NULL;
        }
        memcpy(job->name, name, len);
        job->name[len] = '\0';
    }
    if (ip)
        job->ip = *ip;
    if (pthread_mutex_init(&job->mu, NULL) != 0) {
        free(job->name);
        free(job);
        return NULL;
    }
    if (esock__cond_init_monotonic(&job->cv) != 0) {
        pthread_mutex_destroy(&job->mu);
        free(job->name);
        free(job);
        return NULL;
    }
    atomic_init(&job->refs, 2);
    job->fn = fn;
    job->family = family;
    job->rc = ESOCK_ENXDOMAIN;
    return job;
}

/* Start the worker with every signal blocked: signals belong to the
 * application's threads, not to ours. */
static int spawn(esock__rjob_t *job)
{
    pthread_attr_t attr;
    pthread_t tid;
    sigset_t all, old;
    int rc = pthread_attr_init(&attr);
    if (rc != 0)
        return -rc;
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, ESOCK__RESOLVE_STACK);
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&tid, &attr, worker_main, job);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    return -rc;
}

int esock__rjob_run(esock__rjob_fn fn, const char *name, size_t len, const esock_ip_t *ip,
                    int family, const esock__deadline_t *dl, esock_hostent_t **out)
{
    *out = NULL;
    pthread_once(&g_once, init_once);
    if (esock__deadline_passed(dl))
        return ESOCK_ETIMEOUT;
    int rc = slot_acquire(dl);
    if (rc != 0)
        return rc;
    esock__rjob_t *job = job_new(fn, name, len, ip, family);
    if (!job) {
        slot_release();
        return -ENOMEM;
    }
    rc = spawn(job);
    if (rc != 0) {
        atomic_store(&job->refs, 1);
        job_unref(job);
        slot_release();
        return rc;
    }
    pthread_mutex_lock(&job->mu);
    while (!job->done) {
        if (wait_until(&job->cv, &job->mu, dl) == ETIMEDOUT && !job->done)
            break;
    }
    if (job->done) {
        rc = job->rc;
        *out = job->he;
        job->he = NULL;
    } else {
        rc = ESOCK_ETIMEOUT; /* the worker frees the job and its result */
    }
    pthread_mutex_unlock(&job->mu);
    job_unref(job);
    return rc;
}
