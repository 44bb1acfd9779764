/* bind, listen, accept, connect, shutdown, sockname, peername. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <sys/socket.h>

#include "mbox/mbox_int.h"
#include "poll/poll.h"
#include "socket/sock.h"
#include "sys/sys.h"

int esock_bind(esock_t h, const esock_sockaddr_t *addr)
{
    if (addr == NULL)
        return ESOCK_EINVAL_ADDRESS;
    struct sockaddr_storage ss;
    socklen_t len;
    int rc = esock_sockaddr_to_native(addr, &ss, &len);
    if (rc < 0)
        return rc;
    esock__sock_t *s = esock__sock_pin(h);
    if (s == NULL)
        return ESOCK_ECLOSED;
    rc = esock__sys.bind(s->fd, (struct sockaddr *)&ss, len) < 0 ? -errno : 0;
    esock__sock_unpin(s);
    return rc;
}

int esock_listen(esock_t h, int backlog)
{
    esock__sock_t *s = esock__sock_pin(h);
    if (s == NULL)
        return ESOCK_ECLOSED;
    /* accept4 has no MSG_DONTWAIT: a listener stays non-blocking for good. */
    int rc = esock__nonblock_hold(s);
    if (rc != 0) {
        esock__sock_unpin(s);
        return rc;
    }
    rc = esock__sys.listen(s->fd, backlog < 0 ? ESOCK_DEFAULT_BACKLOG : backlog) < 0 ? -errno : 0;
    pthread_mutex_lock(&s->mu);
    if (rc == 0)
        s->listening = true;
    if (rc == 0 && !s->listening_held)
        s->listening_held = true; /* kept */
    else
        s->nb_holds--;
    pthread_mutex_unlock(&s->mu);
    esock__sock_unpin(s);
    return rc;
}

static int name_of(esock_t h, esock_sockaddr_t *addr,
                   int (*call)(int, struct sockaddr *, socklen_t *))
{
    if (addr == NULL)
        return -EFAULT;
    esock__sock_t *s = esock__sock_pin(h);
    if (s == NULL)
        return ESOCK_ECLOSED;
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    int rc = call(s->fd, (struct sockaddr *)&ss, &len) < 0 ? -errno : 0;
    if (rc == 0)
        rc = esock_sockaddr_from_native((struct sockaddr *)&ss, len, addr);
    esock__sock_unpin(s);
    return rc;
}

int esock_sockname(esock_t h, esock_sockaddr_t *addr)
{
    return name_of(h, addr, esock__sys.getsockname);
}

int esock_peername(esock_t h, esock_sockaddr_t *addr)
{
    return name_of(h, addr, esock__sys.getpeername);
}

int esock_shutdown(esock_t h, int how)
{
    if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
        return -EINVAL;
    esock__sock_t *s = esock__sock_pin(h);
    if (s == NULL)
        return ESOCK_ECLOSED;
    int rc = esock__sys.shutdown(s->fd, how) < 0 ? -errno : 0;
    if (rc == 0) {
        pthread_mutex_lock(&s->mu);
        s->rd_shut |= how != SHUT_WR;
        s->wr_shut |= how != SHUT_RD;
        pthread_mutex_unlock(&s->mu);
    }
    esock__sock_unpin(s);
    return rc;
}

int esock_accept(esock_t h, int64_t timeout_ms, esock_t *out, esock_select_info_t *si)
{
    if (out == NULL)
        return -EFAULT;
    out->id = 0;
    esock__sock_t *s = esock__sock_pin(h);
    if (s == NULL)
        return ESOCK_ECLOSED;
    struct esock__how how;
    int rc = esock__how(&how, timeout_ms, si, ESOCK_OP_ACCEPT);
    if (si != NULL && how.nowait) {
        si->tag = ESOCK_OP_ACCEPT;
        si->handle = how.ref;
    }
    if (rc == 0) {
        pthread_mutex_lock(&s->mu);
        rc = s->listening ? esock__dir_acquire(s, &s->acc, &how) : -EINVAL;
        pthread_mutex_unlock(&s->mu);
    }
    if (rc != 0) {
        esock__sock_unpin(s);
        return rc;
    }
    for (;;) {
        ESOCK__CTR_ADD(s, acc_tries, 1);
        int fd = esock__sys.accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            rc = esock__sock_new(fd, s->domain, s->type, s->protocol, out);
            if (rc == 0) {
                esock__sock_set_state(*out, true, false);
                ESOCK__CTR_ADD(s, acc_success, 1);
                break;
            }
            esock__sys.close(fd);
            ESOCK__CTR_ADD(s, acc_fails, 1);
            break;
        }
        if (errno == EINTR || errno == ECONNABORTED)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            rc = esock__wait(s, &s->acc, ESOCK__EV_IN, &how, &s->ctr.acc_waits);
            if (rc == 0)
                continue;
            if (rc == ESOCK_SELECT) {
                esock__sock_unpin(s);
                return rc;
            }
            break;
        }
        /* EMFILE/ENFILE/ENOBUFS/ENOMEM: report it; the listener stays usable
         * and nothing spins (the caller decides when to try again). */
        rc = -errno;
        ESOCK__CTR_ADD(s, acc_fails, 1);
        break;
    }
    pthread_mutex_lock(&s->mu);
    esock__dir_release(s, &s->acc);
    pthread_mutex_unlock(&s->mu);
    esock__sock_unpin(s);
    return rc;
}

static int so_error(esock__sock_t *s)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (esock__sys.getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        return -errno;
    return -err;
}

/* connect(2) on the non-blocking descriptor: 0, -EINPROGRESS or -errno. */
static int connect_syscall(int fd, const struct sockaddr_storage *ss, socklen_t len)
{
    int r;
    bool retried = false;
    while ((r = esock__sys.connect(fd, (const struct sockaddr *)ss, len)) < 0 && errno == EINTR)
        retried = true;
    int rc = r < 0 ? -errno : 0;
    /* A retried connect reports the first attempt's progress: still
     * going (EALREADY) or already done (EISCONN). */
    if (retried && rc == -EALREADY)
        return -EINPROGRESS;
    if (retried && rc == -EISCONN)
        return 0;
    return rc;
}

void esock__connect_over(esock__sock_t *s)
{
    s->connecting = false;
    s->conn_queued = false;
    s->conn_done = false;
}

/* The connect is over with rc: the writer direction goes to the next. */
static void connect_end(esock__sock_t *s, int rc)
{
    esock__connect_over(s);
    s->connected = rc == 0;
    esock__dir_release(s, &s->wr);
}

/* A nowait connect queued behind the current writer: it is made when its
 * turn comes (esock__connect_turn), and nobody else may start one. */
static void connect_queue(esock__sock_t *s, const struct sockaddr_storage *ss, socklen_t len)
{
    s->connecting = true;
    s->conn_queued = true;
    s->conn_addr = *ss;
    s->conn_len = len;
}

bool esock__connect_turn(esock__sock_t *s)
{
    s->conn_queued = false;
    /* Under s->mu, so nobody makes the descriptor blocking meanwhile; the
     * connect(2) itself never blocks. */
    int rc = esock__nonblock_hold_locked(s);
    if (rc == 0) {
        rc = connect_syscall(s->fd, &s->conn_addr, s->conn_len);
        s->nb_holds--; /* esock__nonblock_release, s->mu held */
    }
    if (rc == -EINPROGRESS || rc == -EAGAIN) {
        rc = esock__dir_watch(s, &s->wr, ESOCK__EV_OUT);
        if (rc == 0)
            return false; /* the watch posts the select message */
    }
    s->conn_done = true;
    s->conn_err = rc; /* its result, or why its end cannot be watched */
    return true;
}

int esock_connect(esock_t h, const esock_sockaddr_t *addr, int64_t timeout_ms,
                  esock_select_info_t *si)
{
    if (addr == NULL)
        return ESOCK_EINVAL_ADDRESS;
    struct sockaddr_storage ss;
    socklen_t len;
    int rc = esock_sockaddr_to_native(addr, &ss, &len);
    if (rc < 0)
        return rc;
    esock__sock_t *s = esock__sock_pin(h);
    if (s == NULL)
        return ESOCK_ECLOSED;
    struct esock__how how;
    rc = esock__how(&how, timeout_ms, si, ESOCK_OP_CONNECT);
    if (si != NULL && how.nowait) {
        si->tag = ESOCK_OP_CONNECT;
        si->handle = how.ref;
    }
    if (rc == 0) {
        pthread_mutex_lock(&s->mu);
        if (s->connecting) {
            rc = ESOCK_EALREADY_OP;
        } else {
            rc = esock__dir_acquire(s, &s->wr, &how);
            if (rc == 0)
                s->connecting = true;
            else if (rc == ESOCK_SELECT)
                connect_queue(s, &ss, len);
        }
        pthread_mutex_unlock(&s->mu);
    }
    if (rc != 0) {
        esock__sock_unpin(s);
        return rc;
    }
    /* connect has no MSG_DONTWAIT: the descriptor must be non-blocking. */
    rc = esock__nonblock_hold(s);
    if (rc == 0) {
        rc = connect_syscall(s->fd, &ss, len);
        esock__nonblock_release(s);
    }
    if (rc == -EINPROGRESS || rc == -EAGAIN) {
        uint64_t waits = 0;
        rc = esock__wait(s, &s->wr, ESOCK__EV_OUT, &how, &waits);
        if (rc == ESOCK_SELECT) { /* connect_finish completes it */
            esock__sock_unpin(s);
            return rc;
        }
        if (rc == 0)
            rc = so_error(s);
    }
    pthread_mutex_lock(&s->mu);
    connect_end(s, rc);
    pthread_mutex_unlock(&s->mu);
    esock__sock_unpin(s);
    return rc;
}

int esock_connect_finish(esock_t h)
{
    esock__sock_t *s = esock__sock_pin(h);
    if (s == NULL)
        return ESOCK_ECLOSED;
    pthread_mutex_lock(&s->mu);
    int rc;
    /* Only a nowait connect that is the current writer is this call's to
     * end: a queued one, or a blocking one, is still in progress. */
    if (!(s->wr.busy && s->wr.cur_nowait && s->wr.cur_tag == ESOCK_OP_CONNECT)) {
        rc = s->connecting ? -EINPROGRESS : s->connected ? 0 : -ENOTCONN;
    } else {
        rc = s->conn_done ? s->conn_err : so_error(s);
        if (rc == 0 && !s->conn_done) {
            /* Still in progress if the socket is not writable yet. */
            int w = esock__wait_fd(s->fd, ESOCK__EV_OUT, -1, 0);
            if (w == ESOCK_ETIMEOUT)
                rc = -EINPROGRESS;
        }
        /* Still going after its select message (a readiness the socket
         * did not have): watch again, so that the message the caller is
         * told to wait for does come. Called early, the watch is still on. */
        if (rc == -EINPROGRESS && !s->wr.watching) {
            int w = esock__dir_watch(s, &s->wr, ESOCK__EV_OUT);
            if (w != 0)
                rc = w;
        }
        if (rc != -EINPROGRESS)
            connect_end(s, rc);
    }
    pthread_mutex_unlock(&s->mu);
    esock__sock_unpin(s);
    return rc;
}
