/*
 * send, sendto, recv, recvfrom: the syscall is tried first, non-blocking;
 * only on EAGAIN does the call wait (blocking) or register a select watch
 * (nowait). The fast path takes the socket lock twice (acquire, release)
 * and allocates nothing.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "poll/poll.h"
#include "socket/op.h"
#include "socket/sock.h"
#include "sys/sys.h"

/* ---- sending -------------------------------------------------------------- */

static int send_impl(esock_t h, const void *data, size_t len, int flags,
                     const esock_sockaddr_t *dest, int64_t timeout_ms, size_t *sentp,
                     esock_select_info_t *si)
{
    size_t sent = 0;
    if (sentp)
        *sentp = 0;
    if (data == NULL && len > 0)
        return -EFAULT;
    struct sockaddr_storage ss;
    socklen_t sslen = 0;
    if (dest != NULL) {
        int rc = esock_sockaddr_to_native(dest, &ss, &sslen);
        if (rc < 0)
            return rc;
    }
    esock__sock_t *s;
    struct esock__how how;
    int rc = esock__op_begin(h, dest ? ESOCK_OP_SENDTO : ESOCK_OP_SEND, timeout_ms, si, &s, &how, true);
    if (rc != 0)
        return rc;
    const char *p = data;
    for (;;) {
        ESOCK__CTR_ADD(s, write_tries, 1);
        /* Messages (dgram, seqpacket) go through sendto: they are never
         * split, and the fault seam only shortens stream transfers. */
        ssize_t n = dest || s->type != SOCK_STREAM
                        ? esock__sys.sendto(s->fd, p + sent, len - sent,
                                            flags | MSG_NOSIGNAL | MSG_DONTWAIT,
                                            dest ? (struct sockaddr *)&ss : NULL, sslen)
                        : esock__sys.send(s->fd, p + sent, len - sent,
                                          flags | MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n >= 0) {
            sent += (size_t)n;
            ESOCK__CTR_ADD(s, write_pkg, 1);
            ESOCK__CTR_ADD(s, write_byte, n);
            ESOCK__CTR_MAX(s, write_pkg_max, n);
            if (sent == len || s->type != SOCK_STREAM) {
                rc = 0;
                break;
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
                /* Stays the current writer until it calls again or cancels. */
                if (sentp)
                    *sentp = sent;
                esock__sock_unpin(s);
                return sent > 0 ? ESOCK_SELECT_PARTIAL : ESOCK_SELECT;
            }
            break;
        }
        rc = -errno;
        ESOCK__CTR_ADD(s, write_fails, 1);
        break;
    }
    esock__op_finish(s, &s->wr);
    if (sentp)
        *sentp = sent;
    return rc;
}

int esock_send(esock_t s, const void *data, size_t len, int flags, int64_t timeout_ms,
               size_t *sent, esock_select_info_t *si)
{
    return send_impl(s, data, len, flags, NULL, timeout_ms, sent, si);
}

int esock_sendto(esock_t s, const void *data, size_t len, int flags, const esock_sockaddr_t *dest,
                 int64_t timeout_ms, size_t *sent, esock_select_info_t *si)
{
    if (dest == NULL)
        return ESOCK_EINVAL_ADDRESS;
    return send_impl(s, data, len, flags, dest, timeout_ms, sent, si);
}

/* ---- receiving ---------------------------------------------------------- */

static int recv_impl(esock_t h, void *buf, size_t len, size_t cap, int flags, int64_t timeout_ms,
                     size_t *gotp, esock_sockaddr_t *from, esock_select_info_t *si, esock_op_t tag)
{
    size_t got = 0;
    if (gotp)
        *gotp = 0;
    size_t want = len ? len : cap;
    if (want == 0)
        return ESOCK_EINVAL_LENGTH;
    if (buf == NULL)
        return -EFAULT;
    esock__sock_t *s;
    struct esock__how how;
    int rc = esock__op_begin(h, tag, timeout_ms, si, &s, &how, false);
    if (rc != 0)
        return rc;
    bool stream = s->type == SOCK_STREAM;
    char *p = buf;
    /* A reader that had to wait last time most likely has to wait again
     * (request/response traffic): poll first and save the recv that would
     * fail with EAGAIN. One syscall less per round trip. */
    bool probe = !s->rd_hint_wait || (++s->rd_hint_n & 15) == 0;
    if (!how.nowait && !probe) {
        rc = esock__wait(s, &s->rd, ESOCK__EV_IN, &how, &s->ctr.read_waits);
        if (rc != 0)
            goto done;
    }
    for (;;) {
        ESOCK__CTR_ADD(s, read_tries, 1);
        struct sockaddr_storage ss;
        socklen_t sslen = sizeof ss;
        ssize_t n = stream ? esock__sys.recv(s->fd, p + got, want - got, flags | MSG_DONTWAIT)
                           : esock__sys.recvfrom(s->fd, p, want, flags | MSG_DONTWAIT,
                                                 (struct sockaddr *)&ss, &sslen);
        if (n > 0 || (n == 0 && !stream)) {
            if (probe && got == 0)
                s->rd_hint_wait = false; /* data was there at once */
            probe = false;
            size_t moved = !stream && (size_t)n > want ? want : (size_t)n; /* MSG_TRUNC */
            got += moved;
            ESOCK__CTR_ADD(s, read_pkg, 1);
            ESOCK__CTR_ADD(s, read_byte, moved);
            ESOCK__CTR_MAX(s, read_pkg_max, moved);
            if (from != NULL && !stream)
                esock_sockaddr_from_native((struct sockaddr *)&ss, sslen, from);
            if (!stream || len == 0 || got == len) {
                rc = 0;
                break;
            }
            continue;
        }
        if (n == 0) { /* the peer closed the stream */
            rc = ESOCK_ECLOSED;
            break;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            s->rd_hint_wait = true;
            rc = esock__wait(s, &s->rd, ESOCK__EV_IN, &how, &s->ctr.read_waits);
            if (rc == 0)
                continue;
            if (rc == ESOCK_SELECT) {
                if (gotp)
                    *gotp = got;
                esock__sock_unpin(s);
                return got > 0 ? ESOCK_SELECT_PARTIAL : ESOCK_SELECT;
            }
            break;
        }
        rc = -errno;
        ESOCK__CTR_ADD(s, read_fails, 1);
        break;
    }
    if (from != NULL && stream && rc == 0)
        esock_peername(h, from);
done:
    esock__op_finish(s, &s->rd);
    if (gotp)
        *gotp = got;
    return rc;
}

int esock_recv(esock_t s, void *buf, size_t len, size_t cap, int flags, int64_t timeout_ms,
               size_t *received, esock_select_info_t *si)
{
    return recv_impl(s, buf, len, cap, flags, timeout_ms, received, NULL, si, ESOCK_OP_RECV);
}

int esock_recvfrom(esock_t s, void *buf, size_t cap, int flags, int64_t timeout_ms,
                   size_t *received, esock_sockaddr_t *from, esock_select_info_t *si)
{
    return recv_impl(s, buf, 0, cap, flags, timeout_ms, received, from, si, ESOCK_OP_RECVFROM);
}
