/*
 * resolve_int.h - internals of the resolve module shared between its files.
 *
 * A lookup that may block (NSS: hosts file, DNS, ...) runs as a job on a
 * detached worker thread. The job is reference counted: one reference for
 * the caller, one for the worker. The caller waits until the job is done or
 * its deadline passes; if the deadline passes it drops its reference and
 * returns ESOCK_ETIMEOUT at once. The worker drops its reference when the
 * OS call returns, and whoever drops the last one frees the job together
 * with any result nobody took. So an abandoned lookup costs the caller
 * nothing; it costs the process one thread and one job until the OS call
 * returns on its own, and there are at most ESOCK__RESOLVE_MAX_WORKERS such
 * threads (running or abandoned) at any time.
 */
#ifndef ESOCK_RESOLVE_INT_H
#define ESOCK_RESOLVE_INT_H

#include <esock/resolve.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

/** Most resolver worker threads alive at once (running or abandoned). */
#define ESOCK__RESOLVE_MAX_WORKERS 32

/** Stack size of a worker: enough for NSS modules, small enough to bound. */
#define ESOCK__RESOLVE_STACK (1024 * 1024)

typedef struct esock__rjob esock__rjob_t;

/** The work of a job: runs on the worker; sets job->rc and job->he. */
typedef void (*esock__rjob_fn)(esock__rjob_t *job);

struct esock__rjob {
    atomic_int refs;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;              /* under mu */
    esock__rjob_fn fn;
    /* Request (owned by the job). */
    int family;             /* ESOCK_IP4 / ESOCK_IP6 */
    char *name;             /* forward lookup: NUL-terminated copy */
    esock_ip_t ip;          /* reverse lookup */
    /* Result (owned by the job until the caller takes it). */
    int rc;
    esock_hostent_t *he;
};

/** A deadline on CLOCK_MONOTONIC; infinite when @c infinite is set. */
typedef struct esock__deadline {
    bool infinite;
    struct timespec at;
} esock__deadline_t;

/** Make a deadline from timeout_ms. Returns 0 or ESOCK_EINVAL_TIMEOUT. */
int esock__deadline_make(int64_t timeout_ms, esock__deadline_t *dl);

/** True if the deadline has passed. */
bool esock__deadline_passed(const esock__deadline_t *dl);

/**
 * Run @p fn for a new job built from @p name / @p ip / @p family on a worker
 * and wait for it until @p dl. On completion returns job->rc and moves
 * job->he to *out. Returns ESOCK_ETIMEOUT if the deadline passed first
 * (waiting for a free worker slot counts), -ENOMEM / -EAGAIN if no job or
 * thread could be made.
 */
int esock__rjob_run(esock__rjob_fn fn, const char *name, size_t len, const esock_ip_t *ip,
                    int family, const esock__deadline_t *dl, esock_hostent_t **out);

/** Worker threads alive now (running or abandoned): for tests and docs. */
int esock__resolve_workers(void);

/* ifaddrs.c: regroup an OS list by OTP's rules (pure; tests feed it
 * synthetic lists). Returns 0 and *out, or -ENOMEM. */
struct ifaddrs;
int esock__ifaddrs_build(const struct ifaddrs *list, esock_ifaddrs_t **out);

/* host.c helpers used by the workers. */
void esock__lookup_name(esock__rjob_t *job);
void esock__lookup_addr(esock__rjob_t *job);

#endif /* ESOCK_RESOLVE_INT_H */
