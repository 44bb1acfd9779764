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
#include <sys/socket.h>

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
    struct esock__ref ref; /* pins (the open socket holds one) and the handle, ref.id */
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

    /* otp level (opt module). otp_rcvbuf / otp_rcvnum are also read by
     * readers without the lock: written and read with relaxed atomics. */
    size_t otp_rcvbuf;     /* default recv size when none is given */
    unsigned otp_rcvnum;   /* {otp, rcvbuf} {N, Size}: N (1 = one read) */
    size_t otp_rcvctrlbuf, otp_sndctrlbuf;
    bool otp_iow, otp_debug;
    uint64_t otp_meta;     /* the user's value (opaque) */
    /* A nowait connect queued behind the current writer is made when its
     * turn comes (esock__connect_turn), from the address kept here. */
    bool conn_queued;      /* queued: conn_addr is its address */
    bool conn_done;        /* made at its turn and over at once: conn_err */
    int conn_err;          /* result of a finished nowait connect */
    socklen_t conn_len;
    struct sockaddr_storage conn_addr;

    /* Readers with no deadline sleep in recv itself (io.c): the descriptor
     * is then in blocking mode. Everything else passes MSG_DONTWAIT or, for
     * the calls that have no such flag, holds the descriptor non-blocking
     * (connect and sendfile while they run; listen for good, for accept4). */
    bool fd_blocking;      /* O_NONBLOCK is off (atomic: read without mu) */
    int nb_holds;          /* calls that need O_NONBLOCK now; listen holds for good */
    bool listening_held;   /* listen's hold is taken */
    bool rd_in_kernel;     /* the reader may sleep in recv (atomic, seq_cst
                              with closed): close shuts the read side to wake it */

    esock_counters_t ctr;  /* relaxed atomics */
    void *sendfile_state;  /* sendfile.c: an unfinished sendfile (current writer only) */
} esock__sock_t;

/* Pin by handle: NULL when closed or stale. Every public call pins. */
esock__sock_t *esock__sock_pin(esock_t s);
void esock__sock_unpin(esock__sock_t *s);

/* Counter updates. Each group (read, write, acc, sendfile) has one writer
 * at a time, the current user of its direction, and the hand-over from one
 * to the next goes through s->mu: so a plain load + store is exact, and
 * needs no locked instruction. Relaxed atomics, for the readers anywhere. */
#define ESOCK__CTR_ADD(s, field, n)                                                        \
    __atomic_store_n(&(s)->ctr.field,                                                     \
                     __atomic_load_n(&(s)->ctr.field, __ATOMIC_RELAXED) + (uint64_t)(n), \
                     __ATOMIC_RELAXED)
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
 * ESOCK_ECLOSED. Counts a wait in *waits (NULL: already counted). */
int esock__wait(esock__sock_t *s, struct esock__dir *d, unsigned ev, const struct esock__how *how,
                uint64_t *waits);

/* Close-time: abort every waiter and current nowait user of d. s->mu held. */
void esock__dir_abort(esock__sock_t *s, struct esock__dir *d);

/* cancel for one direction: 0 if si matched (*tag: the operation it
 * ended, whatever tag si gave), 1 if not. s->mu held. */
int esock__dir_cancel(esock__sock_t *s, struct esock__dir *d, const esock_select_info_t *si, int *tag);

/* Ends every nowait operation of @p mbox on d as its cancel would (a
 * destroyed mailbox): it leaves the queue, or hands d on to the next in
 * line. true if one of them was a connect. s->mu held. */
bool esock__dir_drop_mbox(esock__sock_t *s, struct esock__dir *d, uint32_t mbox);

/* Registers the select watch for ev of d's current (nowait) user in its
 * mailbox. 0, or the error of esock__mbox_watch. s->mu held. */
int esock__dir_watch(esock__sock_t *s, struct esock__dir *d, unsigned ev);

/* Switches s->fd to blocking mode for the readers that sleep in recv, unless
 * a call holds it non-blocking or the socket is closed. true if it is in
 * blocking mode now. s->mu not held. */
bool esock__fd_set_blocking(esock__sock_t *s);
/* A call that needs s->fd non-blocking (connect, sendfile) holds it so for
 * as long as it runs; listen holds it for good. 0, or -errno from fcntl
 * (then nothing is held). s->mu not held. */
int esock__nonblock_hold(esock__sock_t *s);
int esock__nonblock_hold_locked(esock__sock_t *s); /* the same, s->mu held */
void esock__nonblock_release(esock__sock_t *s);

/* ---- io.c ---- */
/* The source address a receive got from the OS (len bytes of ss), or unspec
 * (all zero) when the OS gave none or one that cannot be represented. */
void esock__addr_from_os(const struct sockaddr_storage *ss, socklen_t len, esock_sockaddr_t *out);

/* ---- conn.c ---- */
/* A queued nowait connect has become the current writer: makes its
 * connect(2). true if that is over at once (conn_err holds the result:
 * the caller posts the select message), false if it is in progress (a
 * select watch posts the message). s->mu held. */
bool esock__connect_turn(esock__sock_t *s);
/* The connect in progress is over (finished, cancelled, its mailbox gone):
 * another may start. s->mu held. */
void esock__connect_over(esock__sock_t *s);

/* ---- monitor.c ---- */
void esock__monitors_down(esock__sock_t *s, int reason); /* s->mu held */

/* ---- sock.c ---- */
/* Wraps an fd (non-blocking, close-on-exec) in a new socket object. */
int esock__sock_new(int fd, int domain, int type, int protocol, esock_t *out);
/* The state of a new socket whose descriptor is already connected (accept)
 * or listening (open_fd of an inherited listener). */
void esock__sock_set_state(esock_t h, bool connected, bool listening);
extern bool esock__registry_default;
/* sendfile.c: frees s->sendfile_state (sock_free calls it). */
void esock__sendfile_state_free(esock__sock_t *s);

#endif
