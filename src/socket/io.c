/*
 * send, sendto, recv, recvfrom: the syscall is tried first, non-blocking;
 * only on EAGAIN does the call wait (blocking) or register a select watch
 * (nowait). A reader with no deadline waits in recv itself (see
 * may_sleep_in_recv). The fast path takes the socket lock twice (acquire,
 * release) and allocates nothing.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "poll/poll.h"
#include "socket/op.h"
#include "socket/sock.h"
#include "sys/sys.h"

void esock__addr_from_os(const struct sockaddr_storage *ss, socklen_t len, esock_sockaddr_t *out)
{
    /* An unnamed sender (a unix socketpair, UDP after shutdown(SHUT_RD))
     * gives no address: the caller still gets a defined one, unspec. */
    if (len == 0 || len > sizeof *ss ||
        esock_sockaddr_from_native((const struct sockaddr *)ss, len, out) != 0)
        memset(out, 0, sizeof *out);
}

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

/* How one recv call reads: what it may still take and how. */
struct rd {
    esock__sock_t *s;
    bool stream;
    int flags;
    size_t want;      /* len, or cap for a recv of no length */
    unsigned units;   /* {otp, rcvbuf} {N, Size}: N reads at most (1 = one read of up to cap) */
    size_t unit;      /* and Size */
    unsigned reads;   /* reads that moved bytes so far */
    bool sleep;       /* the next recv may sleep in the kernel */
};

/* A reader with no deadline that has to wait sleeps in recv itself rather
 * than in poll + recv: one syscall less per wait, and no poll set-up. That
 * needs the descriptor in blocking mode, which is switched once, here, and
 * kept while nothing needs it non-blocking (esock__nonblock_hold). Every
 * other call on the descriptor passes MSG_DONTWAIT or holds it. */
static bool may_sleep_in_recv(esock__sock_t *s)
{
    if (__atomic_load_n(&s->fd_blocking, __ATOMIC_ACQUIRE))
        return true;
    return esock__fd_set_blocking(s);
}

/* One recv or recvfrom syscall, counted; sleeping in the kernel when r->sleep
 * (close from another thread shuts the read side to wake it, see sock.c).
 * Returns what the syscall returned, or -2 when the socket was closed. */
static ssize_t recv_syscall(struct rd *r, char *p, size_t n, struct sockaddr_storage *ss,
                            socklen_t *sslen)
{
    esock__sock_t *s = r->s;
    int flags = r->flags | (r->sleep ? 0 : MSG_DONTWAIT);
    if (r->sleep) {
        /* Pairs with esock_close: either it sees rd_in_kernel and shuts the
         * read side, or this sees closed; never neither (both seq_cst). */
        __atomic_store_n(&s->rd_in_kernel, true, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&s->closed, __ATOMIC_SEQ_CST)) {
            __atomic_store_n(&s->rd_in_kernel, false, __ATOMIC_RELAXED);
            return -2;
        }
    }
    ESOCK__CTR_ADD(s, read_tries, 1);
    ssize_t got = r->stream ? esock__sys.recv(s->fd, p, n, flags)
                            : esock__sys.recvfrom(s->fd, p, n, flags, (struct sockaddr *)ss, sslen);
    if (r->sleep) {
        int e = errno;
        __atomic_store_n(&s->rd_in_kernel, false, __ATOMIC_RELAXED);
        if (got <= 0 && __atomic_load_n(&s->closed, __ATOMIC_SEQ_CST))
            return -2;
        errno = e;
    }
    return got;
}

/* The read that moved n bytes (asked for ask): is the call done? */
static bool read_done(struct rd *r, size_t len, size_t got, size_t moved, size_t ask)
{
    if (!r->stream)
        return true;
    if (len > 0)
        return got == len;
    if (r->units <= 1)
        return true;
    /* {N, Size}: another read while the last one filled its Size */
    return ++r->reads >= r->units || moved < ask || got == r->want;
}

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
    struct rd r = {.s = s, .stream = s->type == SOCK_STREAM, .flags = flags, .want = want, .units = 1};
    if (r.stream && len == 0) {
        r.units = __atomic_load_n(&s->otp_rcvnum, __ATOMIC_RELAXED);
        r.unit = __atomic_load_n(&s->otp_rcvbuf, __ATOMIC_RELAXED);
        if (r.unit == 0)
            r.units = 1;
    }
    bool can_sleep = !how.nowait && how.deadline < 0;
    char *p = buf;
    for (;;) {
        size_t ask = r.stream ? want - got : want;
        if (r.units > 1 && ask > r.unit)
            ask = r.unit;
        struct sockaddr_storage ss;
        socklen_t sslen = sizeof ss;
        bool slept = r.sleep;
        ssize_t n = recv_syscall(&r, r.stream ? p + got : p, ask, &ss, &sslen);
        r.sleep = false;
        if (n == -2) {
            rc = ESOCK_ECLOSED;
            break;
        }
        if (n > 0 || (n == 0 && !r.stream)) {
            size_t moved = !r.stream && (size_t)n > want ? want : (size_t)n; /* MSG_TRUNC */
            got += moved;
            ESOCK__CTR_ADD(s, read_pkg, 1);
            ESOCK__CTR_ADD(s, read_byte, moved);
            ESOCK__CTR_MAX(s, read_pkg_max, moved);
            if (from != NULL && !r.stream)
                esock__addr_from_os(&ss, sslen, from);
            if (read_done(&r, len, got, moved, ask)) {
                rc = 0;
                break;
            }
            continue;
        }
        if (n == 0) { /* the peer closed the stream */
            rc = ESOCK_ECLOSED;
            break;
        }
        if (errno == EINTR) {
            r.sleep = slept; /* the same wait goes on */
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (r.units > 1 && got > 0) { /* {N, Size}: what there is */
                rc = 0;
                break;
            }
            /* After a recv that was to sleep but could not (the descriptor
             * was made non-blocking meanwhile, SO_RCVTIMEO, an injected
             * fault), the wait goes on in poll: already counted. */
            if (can_sleep && !slept && may_sleep_in_recv(s)) {
                ESOCK__CTR_ADD(s, read_waits, 1);
                r.sleep = true;
                continue;
            }
            rc = esock__wait(s, &s->rd, ESOCK__EV_IN, &how, slept ? NULL : &s->ctr.read_waits);
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
    if (from != NULL && r.stream && rc == 0 && esock_peername(h, from) != 0)
        memset(from, 0, sizeof *from); /* no peer to name: unspec, as a datagram's */
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
