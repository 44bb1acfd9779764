/*
 * sendfile: file bytes to a stream socket without a copy through user
 * space. Same shape as io.c's send: try first, wait on EAGAIN (or register
 * a select watch for nowait). An operation that stops early (ESOCK_SELECT,
 * ESOCK_SELECT_PARTIAL, ESOCK_ETIMEOUT) leaves its position in the socket
 * (s->sendfile_state) so esock_sendfile_continue() can go on from there.
 *
 * Counters, as OTP 25 counts them (prim_socket_nif's sendfile; checked
 * against erl, docs/socket-msg.md): sendfile_tries = operations started
 * (one per esock_sendfile, none per continuation), sendfile = sendfile(2)
 * syscalls made (also the ones that return 0 at the end of the file, fail
 * or would block), sendfile_pkg = syscalls that moved bytes, sendfile_byte
 * = bytes moved, sendfile_pkg_max = the most bytes moved in one stretch
 * without a wait (OTP: by one NIF call; a blocking OTP sendfile is a call
 * per select), sendfile_max = the most bytes one operation (a call plus
 * its continuations) has moved, updated as it goes, sendfile_fails =
 * operations ended by an OS error, sendfile_waits = waits for the socket
 * to become writable (blocking) or select watches (nowait).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "poll/poll.h"
#include "socket/op.h"
#include "socket/sock.h"
#include "sys/sys.h"

/* The largest count Linux sendfile moves in one call. */
#define CHUNK_MAX ((size_t)0x7ffff000)

struct esock__sendfile_state {
    int file_fd;
    off_t offset;     /* next file offset to send */
    size_t remaining; /* bytes still to send (ignored when to_end) */
    bool to_end;      /* count 0: until the end of the file */
    uint64_t total;   /* sent so far by the whole operation */
};

void esock__sendfile_state_free(esock__sock_t *s)
{
    esock__free(s->sendfile_state);
    s->sendfile_state = NULL;
}

/* Counts one syscall that moved n > 0 bytes: burst is what this stretch
 * (since the call began or last waited) has moved so far, with n. */
static void count_moved(esock__sock_t *s, const struct esock__sendfile_state *st, size_t n,
                        uint64_t burst)
{
    ESOCK__CTR_ADD(s, sendfile_pkg, 1);
    ESOCK__CTR_ADD(s, sendfile_byte, n);
    ESOCK__CTR_MAX(s, sendfile_pkg_max, burst);
    ESOCK__CTR_MAX(s, sendfile_max, st->total);
}

/* Runs the operation in st as the current writer of s. */
static int run(esock__sock_t *s, struct esock__how *how, struct esock__sendfile_state *st,
               size_t *sentp)
{
    size_t sent = 0;
    uint64_t burst = 0;
    /* sendfile has no MSG_DONTWAIT: hold the descriptor non-blocking. */
    int rc = esock__nonblock_hold(s);
    if (rc != 0) { /* fcntl failed: an OS error that ends the operation */
        ESOCK__CTR_ADD(s, sendfile_fails, 1);
        esock__sendfile_state_free(s);
        esock__op_finish(s, &s->wr);
        *sentp = 0;
        return rc;
    }
    for (;;) {
        if (!st->to_end && st->remaining == 0) {
            rc = 0;
            break;
        }
        size_t want = st->to_end || st->remaining > CHUNK_MAX ? CHUNK_MAX : st->remaining;
        off_t off = st->offset;
        ssize_t n = esock__sys.sendfile(s->fd, st->file_fd, &off, want);
        ESOCK__CTR_ADD(s, sendfile, 1);
        if (n > 0) {
            sent += (size_t)n;
            burst += (uint64_t)n;
            st->total += (uint64_t)n;
            st->offset += n;
            if (!st->to_end)
                st->remaining -= (size_t)n;
            count_moved(s, st, (size_t)n, burst);
            continue;
        }
        if (n == 0) { /* end of file: done, with what there was */
            rc = 0;
            break;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            rc = esock__wait(s, &s->wr, ESOCK__EV_OUT, how, &s->ctr.sendfile_waits);
            if (rc == 0) {
                burst = 0;
                continue;
            }
            if (rc == ESOCK_SELECT) {
                *sentp = sent;
                esock__nonblock_release(s);
                esock__sock_unpin(s); /* stays the current writer; state kept */
                return sent > 0 ? ESOCK_SELECT_PARTIAL : ESOCK_SELECT;
            }
            break; /* ESOCK_ETIMEOUT keeps the state; ESOCK_ECLOSED too (freed with the socket) */
        }
        rc = -errno;
        ESOCK__CTR_ADD(s, sendfile_fails, 1);
        break;
    }
    esock__nonblock_release(s);
    if (rc != ESOCK_ETIMEOUT)
        esock__sendfile_state_free(s);
    esock__op_finish(s, &s->wr);
    *sentp = sent;
    return rc;
}

int esock_sendfile(esock_t h, int file_fd, int64_t offset, size_t count, int64_t timeout_ms,
                   size_t *sentp, esock_select_info_t *si)
{
    size_t dummy;
    if (sentp == NULL)
        sentp = &dummy;
    *sentp = 0;
    if (file_fd < 0)
        return -EBADF;
    if (offset < 0)
        return ESOCK_EINVAL_VALUE;
    esock__sock_t *s;
    struct esock__how how;
    int rc = esock__op_begin(h, ESOCK_OP_SENDFILE, timeout_ms, si, &s, &how, true);
    if (rc != 0)
        return rc;
    if (s->type != SOCK_STREAM) {
        esock__op_finish(s, &s->wr);
        return -EOPNOTSUPP;
    }
    /* A new operation replaces any unfinished one. */
    struct esock__sendfile_state *st = s->sendfile_state;
    if (st == NULL) {
        st = esock__malloc(sizeof *st);
        if (st == NULL) {
            esock__op_finish(s, &s->wr);
            return -ENOMEM;
        }
        s->sendfile_state = st;
    }
    st->file_fd = file_fd;
    st->offset = (off_t)offset;
    st->remaining = count;
    st->to_end = count == 0;
    st->total = 0;
    ESOCK__CTR_ADD(s, sendfile_tries, 1);
    return run(s, &how, st, sentp);
}

int esock_sendfile_continue(esock_t h, int64_t timeout_ms, size_t *sentp, esock_select_info_t *si)
{
    size_t dummy;
    if (sentp == NULL)
        sentp = &dummy;
    *sentp = 0;
    esock__sock_t *s;
    struct esock__how how;
    int rc = esock__op_begin(h, ESOCK_OP_SENDFILE, timeout_ms, si, &s, &how, true);
    if (rc != 0)
        return rc;
    if (s->sendfile_state == NULL) {
        esock__op_finish(s, &s->wr);
        return ESOCK_EXBADSEQ;
    }
    return run(s, &how, s->sendfile_state, sentp);
}
