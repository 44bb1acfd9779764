/*
 * sendmsg and recvmsg. The same shape as io.c: try the syscall first,
 * non-blocking; on EAGAIN wait (blocking) or register a select watch
 * (nowait) and keep the direction.
 *
 * More than IOV_MAX vectors: a stream sends them in windows of at most
 * IOV_MAX vectors, and every byte the OS takes is counted once in
 * write_byte (OTP counts only what its last window wrote). A datagram
 * cannot be split, so its vectors are first gathered into one buffer.
 * Control messages go with the first syscall that moves bytes only, so
 * SCM_RIGHTS descriptors are never passed twice.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <esock/cmsg.h>

#include "poll/poll.h"
#include "socket/op.h"
#include "socket/sock.h"
#include "sys/sys.h"

static size_t iov_max(void)
{
    static size_t cached;
    size_t v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v == 0) {
        long l = sysconf(_SC_IOV_MAX);
        v = l > 0 ? (size_t)l : 1024;
        __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    }
    return v;
}

void esock_msghdr_release(esock_msghdr_t *m)
{
    if (m != NULL && m->ctrl_owned) {
        esock__free(m->ctrl);
        m->ctrl = NULL;
        m->ctrllen = 0;
        m->ctrl_owned = false;
    }
}

/* Total bytes of the vectors; -EINVAL on overflow or a NULL base with a length. */
static int iov_total(const struct iovec *iov, size_t n, size_t *total)
{
    size_t t = 0;
    for (size_t i = 0; i < n; i++) {
        if (iov[i].iov_base == NULL && iov[i].iov_len > 0)
            return -EFAULT;
        if (iov[i].iov_len > SIZE_MAX - t)
            return -EINVAL;
        t += iov[i].iov_len;
    }
    *total = t;
    return 0;
}

/* ---- sendmsg ------------------------------------------------------------------ */

#define SMALL_WIN 16

int esock_sendmsg(esock_t h, const esock_msghdr_t *msg, int flags, int64_t timeout_ms,
                  size_t *sentp, esock_select_info_t *si)
{
    size_t sent = 0, total = 0;
    if (sentp)
        *sentp = 0;
    if (msg == NULL || (msg->iov == NULL && msg->iovlen > 0) ||
        (msg->ctrl == NULL && msg->ctrllen > 0))
        return -EFAULT;
    int rc = iov_total(msg->iov, msg->iovlen, &total);
    if (rc < 0)
        return rc;
    struct sockaddr_storage ss;
    socklen_t sslen = 0;
    if (msg->addr != NULL) {
        rc = esock_sockaddr_to_native(msg->addr, &ss, &sslen);
        if (rc < 0)
            return rc;
    }
    esock__sock_t *s;
    struct esock__how how;
    rc = esock__op_begin(h, ESOCK_OP_SENDMSG, timeout_ms, si, &s, &how, true);
    if (rc != 0)
        return rc;

    bool stream = s->type == SOCK_STREAM;
    const size_t imax = iov_max();
    const struct iovec *iov = msg->iov;
    size_t iovlen = msg->iovlen;
    struct iovec gathered, small[SMALL_WIN], *win = small;
    void *heap = NULL;
    if (!stream && iovlen > imax) {
        /* One datagram from more vectors than the OS takes: gather it. */
        heap = esock__malloc(total ? total : 1);
        if (heap == NULL) {
            rc = -ENOMEM;
            goto out;
        }
        size_t o = 0;
        for (size_t i = 0; i < iovlen; i++) {
            if (iov[i].iov_len)
                memcpy((char *)heap + o, iov[i].iov_base, iov[i].iov_len);
            o += iov[i].iov_len;
        }
        gathered.iov_base = heap;
        gathered.iov_len = total;
        iov = &gathered;
        iovlen = 1;
    } else if (iovlen > SMALL_WIN) {
        size_t wn = iovlen < imax ? iovlen : imax;
        win = heap = esock__malloc(wn * sizeof *win);
        if (heap == NULL) {
            rc = -ENOMEM;
            goto out;
        }
    }

    size_t idx = 0, off = 0; /* the next byte to send: iov[idx] at off */
    bool ctrl_done = msg->ctrllen == 0;
    for (;;) {
        while (idx < iovlen && off == iov[idx].iov_len) { /* skip empty / finished vectors */
            idx++;
            off = 0;
        }
        size_t wn = 0;
        if (iov != &gathered) {
            for (size_t i = idx; i < iovlen && wn < imax; i++, wn++) {
                win[wn] = iov[i];
                if (i == idx) {
                    win[wn].iov_base = (char *)iov[i].iov_base + off;
                    win[wn].iov_len -= off;
                }
            }
        } else if (idx < iovlen) {
            win = &gathered;
            wn = 1;
        }
        struct msghdr nm;
        memset(&nm, 0, sizeof nm);
        nm.msg_name = msg->addr ? &ss : NULL;
        nm.msg_namelen = sslen;
        nm.msg_iov = win;
        nm.msg_iovlen = wn;
        if (!ctrl_done) {
            nm.msg_control = msg->ctrl;
            nm.msg_controllen = msg->ctrllen;
        }
        ESOCK__CTR_ADD(s, write_tries, 1);
        ssize_t n = esock__sys.sendmsg(s->fd, &nm, flags | MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n >= 0) {
            ctrl_done = true;
            sent += (size_t)n;
            ESOCK__CTR_ADD(s, write_pkg, 1);
            ESOCK__CTR_ADD(s, write_byte, n);
            ESOCK__CTR_MAX(s, write_pkg_max, n);
            if (sent >= total || !stream) {
                rc = 0;
                break;
            }
            /* Advance (idx, off) by n bytes. */
            size_t left = (size_t)n;
            while (left > 0 && idx < iovlen) {
                size_t room = iov[idx].iov_len - off;
                if (left < room) {
                    off += left;
                    left = 0;
                } else {
                    left -= room;
                    idx++;
                    off = 0;
                }
            }
            continue;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            rc = esock__wait(s, &s->wr, ESOCK__EV_OUT, &how, &s->ctr.write_waits);
            if (rc == 0)
                continue;
            if (rc == ESOCK_SELECT) {
                esock__free(heap);
                if (sentp)
                    *sentp = sent;
                esock__sock_unpin(s); /* stays the current writer */
                return sent > 0 ? ESOCK_SELECT_PARTIAL : ESOCK_SELECT;
            }
            break;
        }
        rc = -errno;
        ESOCK__CTR_ADD(s, write_fails, 1);
        break;
    }
out:
    esock__free(heap);
    esock__op_finish(s, &s->wr);
    if (sentp)
        *sentp = sent;
    return rc;
}

/* ---- recvmsg ------------------------------------------------------------------ */

int esock_recvmsg(esock_t h, esock_msghdr_t *msg, int flags, int64_t timeout_ms,
                  size_t *gotp, esock_select_info_t *si)
{
    size_t total = 0;
    if (gotp)
        *gotp = 0;
    if (msg == NULL || (msg->iov == NULL && msg->iovlen > 0))
        return -EFAULT;
    esock_msghdr_release(msg); /* a buffer we allocated last time: a fresh one below */
    size_t iovlen = msg->iovlen < iov_max() ? msg->iovlen : iov_max();
    int rc = iov_total(msg->iov, iovlen, &total);
    if (rc < 0)
        return rc;
    esock__sock_t *s;
    struct esock__how how;
    rc = esock__op_begin(h, ESOCK_OP_RECVMSG, timeout_ms, si, &s, &how, false);
    if (rc != 0)
        return rc;
    bool stream = s->type == SOCK_STREAM;
    size_t ctrlcap = msg->ctrllen;
    if (msg->ctrl == NULL) {
        pthread_mutex_lock(&s->mu);
        ctrlcap = s->otp_rcvctrlbuf ? s->otp_rcvctrlbuf : 1024;
        pthread_mutex_unlock(&s->mu);
        msg->ctrl = esock__malloc(ctrlcap);
        if (msg->ctrl == NULL) {
            esock__op_finish(s, &s->rd);
            return -ENOMEM;
        }
        msg->ctrl_owned = true;
    }
    msg->ctrllen = 0;
    msg->flags = 0;
    for (;;) {
        struct sockaddr_storage ss;
        struct msghdr nm;
        memset(&nm, 0, sizeof nm);
        nm.msg_name = &ss;
        nm.msg_namelen = sizeof ss;
        nm.msg_iov = (struct iovec *)(uintptr_t)msg->iov; /* recvmsg does not write the array */
        nm.msg_iovlen = iovlen;
        nm.msg_control = ctrlcap ? msg->ctrl : NULL;
        nm.msg_controllen = ctrlcap;
        ESOCK__CTR_ADD(s, read_tries, 1);
        ssize_t n = esock__sys.recvmsg(s->fd, &nm, flags | MSG_DONTWAIT);
        if (n > 0 || (n == 0 && (!stream || total == 0))) {
            size_t moved = (size_t)n > total ? total : (size_t)n; /* MSG_TRUNC asked */
            ESOCK__CTR_ADD(s, read_pkg, 1);
            ESOCK__CTR_ADD(s, read_byte, moved);
            ESOCK__CTR_MAX(s, read_pkg_max, moved);
            msg->flags = nm.msg_flags;
            msg->ctrllen = nm.msg_controllen;
            if (msg->addr != NULL)
                esock__addr_from_os(&ss, nm.msg_namelen, msg->addr);
            if (gotp)
                *gotp = (size_t)n; /* the datagram's real size with MSG_TRUNC */
            rc = 0;
            break;
        }
        if (n == 0) {
            rc = ESOCK_ECLOSED; /* the peer closed the stream */
            break;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            rc = esock__wait(s, &s->rd, ESOCK__EV_IN, &how, &s->ctr.read_waits);
            if (rc == 0)
                continue;
            if (rc == ESOCK_SELECT) {
                esock_msghdr_release(msg);
                esock__sock_unpin(s); /* stays the current reader */
                return ESOCK_SELECT;
            }
            break;
        }
        rc = -errno;
        ESOCK__CTR_ADD(s, read_fails, 1);
        break;
    }
    if (rc != 0)
        esock_msghdr_release(msg);
    esock__op_finish(s, &s->rd);
    return rc;
}
