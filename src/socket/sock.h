/*
 * socket/sock.h - the socket object, shared by the files of src/socket and
 * by the layers above (opt). Public API: include/esock/socket.h.
 *
 * Locking: s->mu guards every field below it except the counters, which are
 * updated with relaxed atomics by the one current reader / writer. The
 * syscalls themselves run without the lock: a call that pins the socket may
 * use s->fd freely, because the descriptor is closed only when the last pin
 * drops (sock_free), never while a call still uses it.
 */
#ifndef ESOCK_SOCKET_SOCK_H
#define ESOCK_SOCKET_SOCK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <esock/socket.h>

#include "sys/htab.h"

/* A caller queued behind the current user of one direction. */
struct esock__waiter {
    struct esock__waiter *next;
    pthread_cond_t cv;
    bool go;        /* handed the direction */
    bool nowait;    /* a nowait caller: told by a select message instead */
    uint32_t mbox;  /* the nowait caller's mailbox */
    uint64_t ref;
    esock_op_t tag;
};

/* One direction (reader, writer, acceptor): one current user, FIFO queue. */
struct esock__dir {
    bool busy;
    bool cur_nowait;   /* the current user is a nowait caller that got select */
    uint32_t cur_mbox; /* its mailbox */
    uint64_t cur_ref;
    esock_op_t cur_tag;
    bool watching;     /* a select watch is registered in cur_mbox */
    struct esock__waiter *head, *tail;
    int queued;
};

struct esock__mon {
    struct esock__mon *next;
    uint64_t ref;
    uint32_t mbox;
};

typedef struct esock__sock {
    struct esock__ref ref; /* pins; the open socket holds one */
    uint32_t id;
    int fd;                /* constant from open to free */
    int wakefd;            /* eventfd written by close to wake blocked waits */
    int domain, type, protocol;
    uint64_t serial;       /* creation order, for i() */

    pthread_mutex_t mu;
    bool closed;
    bool listening, connecting, connected;
    bool rd_shut, wr_shut;
    bool use_registry;
    uint32_t owner;        /* owner mailbox id (controlling process) */
    struct esock__dir rd, wr, acc;
    struct esock__mon *mons;

    /* otp level (opt module) */
    size_t otp_rcvbuf;     /* default recv size when none is given */
    size_t otp_rcvctrlbuf, otp_sndctrlbuf;
    bool otp_iow, otp_debug;
    uint64_t otp_meta;     /* the user's value (opaque) */
    int conn_err;          /* result of a finished nowait connect */
    bool rd_hint_wait;     /* blocking reads have been waiting: poll first
                              (only the current reader touches these two) */
    uint8_t rd_hint_n;     /* every 16th such read tries recv first, to notice
                              when data has become ready on arrival */

    esock_counters_t ctr;  /* relaxed atomics */
    void *sendfile_state;  /* sendfile.c: an unfinished sendfile (current writer only) */
} esock__sock_t;

/* Pin by handle: NULL when closed or stale. Every public call pins. */
esock__sock_t *esock__sock_pin(esock_t s);
void esock__sock_unpin(esock__sock_t *s);

/* Relaxed counter updates (one writer per counter group, readers anywhere). */
#define ESOCK__CTR_ADD(s, field, n) __atomic_fetch_add(&(s)->ctr.field, (uint64_t)(n), __ATOMIC_RELAXED)
#define ESOCK__CTR_MAX(s, field, n)                                              \
    do {                                                                         \
        uint64_t n_ = (uint64_t)(n);                                             \
        if (n_ > __atomic_load_n(&(s)->ctr.field, __ATOMIC_RELAXED))             \
            __atomic_store_n(&(s)->ctr.field, n_, __ATOMIC_RELAXED);             \
    } while (0)

/* ---- queue.c: one current user per direction ---- */

/* How a call waits: its deadline, and for nowait its mailbox and handle. */
struct esock__how {
    bool nowait;
    int64_t deadline;   /* -1 = none */
    uint32_t mbox;      /* nowait: the caller's mailbox */
    uint64_t ref;       /* nowait: the select handle */
    esock_op_t tag;
};

/* Fills how from the public timeout arguments. ESOCK_EINVAL_TIMEOUT on a
 * negative timeout other than the two sentinels. */
int esock__how(struct esock__how *how, int64_t timeout_ms, const esock_select_info_t *si,
               esock_op_t tag);

/* Becomes the current user of d. 0 = go on; ESOCK_SELECT = queued (nowait,
 * a select message follows); ESOCK_ETIMEOUT; ESOCK_ECLOSED. s->mu held. */
int esock__dir_acquire(esock__sock_t *s, struct esock__dir *d, const struct esock__how *how);
/* Leaves d and hands it to the next in line. s->mu held. */
void esock__dir_release(esock__sock_t *s, struct esock__dir *d);

/* Waits (s->mu not held) until fd is ready for ev or the deadline passes,
 * or, for nowait, registers a one-shot select watch in the caller's mailbox
 * and returns ESOCK_SELECT. 0 ready, ESOCK_SELECT, ESOCK_ETIMEOUT,
 * ESOCK_ECLOSED. Counts a wait in *waits. */
int esock__wait(esock__sock_t *s, struct esock__dir *d, unsigned ev, const struct esock__how *how,
                uint64_t *waits);

/* Close-time: abort every waiter and current nowait user of d. s->mu held. */
void esock__dir_abort(esock__sock_t *s, struct esock__dir *d);

/* cancel for one direction: 0 if si matched, 1 if not. s->mu held. */
int esock__dir_cancel(esock__sock_t *s, struct esock__dir *d, const esock_select_info_t *si);

/* ---- monitor.c ---- */
void esock__monitors_down(esock__sock_t *s, int reason); /* s->mu held */

/* ---- sock.c ---- */
/* Wraps an fd (non-blocking, close-on-exec) in a new socket object. */
int esock__sock_new(int fd, int domain, int type, int protocol, esock_t *out);
extern bool esock__registry_default;
/* sendfile.c: frees s->sendfile_state (sock_free calls it). */
void esock__sendfile_state_free(esock__sock_t *s);

#endif
