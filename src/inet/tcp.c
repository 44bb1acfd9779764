/*
 * inet/tcp.c - gen_tcp: connect, listen, accept, recv, send, shutdown, close.
 *
 * Every call pins the socket, takes its lock, tries the non-blocking
 * syscall and, when it would block, waits in wait.c (lock released) until
 * the fd is ready, the deadline passes or another thread closes the socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <esock/error.h>

#include "inet/inet_int.h"
#include "inet/msgblock.h"
#include "inet/owner.h"
#include "sys/sys.h"


/* socket() inside network namespace @p ns (Linux setns on this thread). */
static int socket_in_ns(const char *ns, int family, int type)
{
    int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (self < 0)
        return -errno;
    int target = open(ns, O_RDONLY | O_CLOEXEC);
    if (target < 0) {
        int e = -errno;
        esock__sys.close(self);
        return e;
    }
    int fd;
    if (setns(target, CLONE_NEWNET) < 0) {
        fd = -errno;
    } else {
        fd = esock__sys.socket(family, type, 0);
        if (fd < 0)
            fd = -errno;
        if (setns(self, CLONE_NEWNET) < 0) { /* cannot happen once we could enter */
            if (fd >= 0)
                esock__sys.close(fd);
            fd = -errno;
        }
    }
    esock__sys.close(target);
    esock__sys.close(self);
    return fd;
}

static int sa_native(const esock_sockaddr_t *sa, struct sockaddr_storage *ss, socklen_t *len)
{
    return esock_sockaddr_to_native(sa, ss, len);
}

static int family_of(const esock_sockaddr_t *sa)
{
    switch (sa ? sa->family : ESOCK_FAMILY_INET) {
    case ESOCK_FAMILY_INET: return AF_INET;
    case ESOCK_FAMILY_INET6: return AF_INET6;
    case ESOCK_FAMILY_LOCAL: return AF_UNIX;
    default: return -1;
    }
}

/* Create a socket and apply defaults + options (unlocked on return). */
int esock__inet_create(esock__isock_t **out, int family, esock_inet_proto_t proto,
                  const esock_inet_opt_t *opts, size_t n, int defaults, uint32_t owner)
{
    char ns[256];
    int orc = esock__inet_check_opts(opts, n, true); /* before a socket exists */
    if (orc)
        return orc;
    orc = esock__owner_check(owner);
    if (orc)
        return orc;
    esock__sys_init(); /* faults (ESOCK_FAULTS) from the first syscall on */
    int type = (proto == ESOCK_INET_TCP ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC;
    int has_ns = esock__inet_find_netns(opts, n, defaults == 1, ns, sizeof ns);
    if (has_ns < 0)
        return has_ns;
    int fd = has_ns ? socket_in_ns(ns, family, type) : esock__sys.socket(family, type, 0);
    if (fd < 0)
        return has_ns ? fd : -errno;
    esock__isock_t *s;
    int rc = esock__inet_new(&s);
    if (rc) {
        esock__sys.close(fd);
        return rc;
    }
    s->fd = fd;
    s->family = family;
    s->proto = proto;
    s->owner = owner;
    s->states = ESOCK_INET_ST_OPEN;
    if (!owner)
        s->active = ESOCK_INET_ACTIVE_FALSE;
    if (proto == ESOCK_INET_UDP)
        s->buffer = 8192; /* gen_udp's (inet_udp opens with recbuf 8192, which raises it) */
    if (defaults == 1 && family != AF_UNIX && proto == ESOCK_INET_TCP) {
        /* inet sets SO_REUSEADDR on listen sockets; {reuseaddr,false} in
         * the options (applied below) turns it off again. */
        int one = 1;
        esock__sys.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    }
    if (defaults >= 0)
        rc = esock__inet_apply_defaults(s, defaults == 1);
    if (rc == 0)
        rc = esock__inet_setopts_locked(s, opts, n, true);
    pthread_mutex_unlock(&s->mu);
    if (rc) {
        esock_inet_t h = {s->ref.id};
        esock_inet_close(h);
        return rc;
    }
    *out = s;
    return 0;
}

int esock_inet_connect(esock_inet_t *out, const esock_sockaddr_t *addr, const esock_inet_opt_t *opts,
                       size_t n, esock_mbox_t owner, int64_t timeout_ms)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    if (!out)
        return -EINVAL;
    if (!addr)
        return ESOCK_EINVAL_ADDRESS;
    int fam = family_of(addr);
    if (fam < 0)
        return ESOCK_EINVAL_ADDRESS;
    int rc = sa_native(addr, &ss, &sl);
    if (rc)
        return rc;
    int64_t deadline = esock__inet_deadline(timeout_ms);
    esock__isock_t *s;
    rc = esock__inet_create(&s, fam, ESOCK_INET_TCP, opts, n, 0, owner.id);
    if (rc)
        return rc;
    esock_inet_t h = {s->ref.id};
    pthread_mutex_lock(&s->mu);
    s->states |= ESOCK_INET_ST_CONNECTING;
    /* EINTR: retried. After a signal the connect may already be under way
     * (EALREADY: wait for it as for EINPROGRESS) or done (EISCONN). */
    int cr, tries = 0;
    while ((cr = esock__sys.connect(s->fd, (struct sockaddr *)&ss, sl)) < 0 && errno == EINTR)
        tries++;
    if (cr < 0 && tries > 0 && errno == EISCONN)
        cr = 0;
    if (cr < 0) {
        if (errno != EINPROGRESS && errno != EAGAIN && errno != EALREADY) {
            rc = -errno;
        } else {
            for (;;) {
                rc = esock__inet_wait(s, POLLOUT, deadline);
                if (rc)
                    break;
                int err = 0;
                socklen_t el = sizeof err;
                struct pollfd p = {.fd = s->fd, .events = POLLOUT};
                if (esock__sys.poll(&p, 1, 0) <= 0)
                    continue; /* woken for another reason: wait again */
                esock__sys.getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &el);
                rc = -err;
                break;
            }
        }
    }
    s->states &= ~ESOCK_INET_ST_CONNECTING;
    if (rc == 0) {
        s->states |= ESOCK_INET_ST_CONNECTED | ESOCK_INET_ST_BOUND;
        esock__active_update(s);
    }
    pthread_mutex_unlock(&s->mu);
    if (rc) {
        esock_inet_close(h);
        return rc;
    }
    *out = h;
    return 0;
}

int esock_inet_listen(esock_inet_t *out, const esock_sockaddr_t *addr, int backlog,
                      const esock_inet_opt_t *opts, size_t n, esock_mbox_t owner)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    if (!out)
        return -EINVAL;
    if (!addr)
        return ESOCK_EINVAL_ADDRESS;
    int fam = family_of(addr);
    if (fam < 0)
        return ESOCK_EINVAL_ADDRESS;
    int rc = sa_native(addr, &ss, &sl);
    if (rc)
        return rc;
    esock__isock_t *s;
    rc = esock__inet_create(&s, fam, ESOCK_INET_TCP, opts, n, 1, owner.id);
    if (rc)
        return rc;
    esock_inet_t h = {s->ref.id};
    pthread_mutex_lock(&s->mu);
    if (esock__sys.bind(s->fd, (struct sockaddr *)&ss, sl) < 0)
        rc = -errno;
    if (rc == 0 && esock__sys.listen(s->fd, backlog > 0 ? backlog : 5) < 0)
        rc = -errno;
    if (rc == 0)
        s->states |= ESOCK_INET_ST_BOUND | ESOCK_INET_ST_LISTEN;
    pthread_mutex_unlock(&s->mu);
    if (rc) {
        esock_inet_close(h);
        return rc;
    }
    *out = h;
    return 0;
}

/* The inet options an accepted socket inherits from its listener. */
static void inherit(esock__isock_t *c, const esock__isock_t *l)
{
    c->active = l->active;
    c->binary = l->binary;
    c->deliver_port = l->deliver_port;
    c->exit_on_close = l->exit_on_close;
    c->show_econnreset = l->show_econnreset;
    c->delay_send = l->delay_send;
    c->send_timeout_close = l->send_timeout_close;
    c->read_ahead = l->read_ahead;
    c->header = l->header;
    c->read_packets = l->read_packets;
    c->zc_min = l->zc_min;
    c->buffer = l->buffer;
    c->send_timeout_ms = l->send_timeout_ms;
    c->high_wm = l->high_wm;
    c->low_wm = l->low_wm;
    c->high_msgq_wm = l->high_msgq_wm;
    c->low_msgq_wm = l->low_msgq_wm;
    c->fr = l->fr;
    c->fr.in_headers = 0;
    /* Linux gives an accepted socket the listener's tos but not its
     * priority; inet's accepted socket has both (OTP 25.2.3). */
    int prio;
    socklen_t pl = sizeof prio;
    if (l->prio_set && c->fd >= 0 &&
        esock__sys.getsockopt(l->fd, SOL_SOCKET, SO_PRIORITY, &prio, &pl) == 0 &&
        esock__sys.setsockopt(c->fd, SOL_SOCKET, SO_PRIORITY, &prio, sizeof prio) == 0)
        c->prio_set = true;
}

int esock_inet_accept(esock_inet_t lh, esock_inet_t *out, esock_mbox_t owner, int64_t timeout_ms)
{
    if (!out)
        return -EINVAL;
    int orc = esock__owner_check(owner.id);
    if (orc)
        return orc;
    esock__isock_t *l = esock__inet_pin(lh);
    if (!l)
        return ESOCK_ECLOSED;
    int64_t deadline = esock__inet_deadline(timeout_ms);
    int rc = 0, fd = -1;
    pthread_mutex_lock(&l->mu);
    if (l->closed)
        rc = ESOCK_ECLOSED;
    else if (!(l->states & ESOCK_INET_ST_LISTEN))
        rc = -EINVAL;
    /* Acceptors are served in arrival order (inet's accept queue): only
     * the head of the queue tries accept(); the others sleep until the
     * head leaves the queue. A nowait accept never queues. */
    esock__acceptor_t me = {NULL};
    bool queued = false;
    if (rc == 0 && timeout_ms != ESOCK_NOWAIT) {
        esock__acceptor_t **pp = &l->acc_head;
        while (*pp)
            pp = &(*pp)->next;
        *pp = &me;
        queued = true;
    }
    while (rc == 0) {
        if (queued && l->acc_head != &me) {
            rc = esock__inet_wait(l, 0, deadline); /* woken when the head leaves */
            continue;
        }
        fd = l->fd >= 0 ? esock__sys.accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC) : -1;
        if (fd >= 0)
            break;
        if (l->fd < 0) {
            rc = ESOCK_ECLOSED;
            break;
        }
        if (errno == EINTR || errno == ECONNABORTED)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            rc = -errno;
            break;
        }
        if (timeout_ms == ESOCK_NOWAIT) {
            if (!l->owner) {
                rc = -EINVAL;
                break;
            }
            l->accept_select = true;
            esock__active_update(l);
            rc = ESOCK_SELECT;
            break;
        }
        l->states |= ESOCK_INET_ST_ACCEPTING;
        rc = esock__inet_wait(l, POLLIN, deadline);
        if (!l->closed)
            l->states &= ~ESOCK_INET_ST_ACCEPTING;
    }
    if (queued) {
        bool was_head = l->acc_head == &me;
        for (esock__acceptor_t **pp = &l->acc_head; *pp; pp = &(*pp)->next)
            if (*pp == &me) {
                *pp = me.next;
                break;
            }
        if (was_head && l->acc_head)
            esock__inet_wake_all(l); /* the next acceptor's turn */
        if (l->acc_head)
            l->states |= ESOCK_INET_ST_ACCEPTING;
    }
    esock__isock_t *c = NULL;
    if (rc == 0) {
        rc = esock__inet_new(&c);
        if (rc) {
            esock__sys.close(fd);
        } else {
            c->fd = fd;
            c->family = l->family;
            c->proto = ESOCK_INET_TCP;
            c->owner = owner.id ? owner.id : l->owner;
            c->states = ESOCK_INET_ST_OPEN | ESOCK_INET_ST_BOUND | ESOCK_INET_ST_CONNECTED;
            inherit(c, l);
            if (!c->owner)
                c->active = ESOCK_INET_ACTIVE_FALSE;
        }
    }
    pthread_mutex_unlock(&l->mu);
    esock__inet_unpin(l);
    if (rc)
        return rc;
    esock__active_update(c); /* c->mu held since esock__inet_new */
    pthread_mutex_unlock(&c->mu);
    out->id = c->ref.id;
    return 0;
}

/* After the close/error was reported with exit_on_close: the port is gone
 * in OTP. The fd is released now; the handle stays until esock_inet_close. */
void esock__inet_port_dead(esock__isock_t *s, int info, bool force)
{
    if (!s->exit_on_close && !force)
        return;
    s->read_dead = true;
    esock__active_detach(s);
    esock__inet_wake_all(s);
    esock__inet_post_down(s, info); /* the port is gone: monitors fire */
    esock__inet_teardown(s);
}

/* The end of the stream (or a framing error) was returned to a passive
 * reader: the inet driver closes the fd there but keeps the port, with its
 * options, counters, owner and monitors (OTP 25: getstat and setopts work,
 * sockname is ebadf, recv enotconn). Making it active again reports CLOSED
 * and only then is the port gone (report_close in active.c). */
static void fd_release(esock__isock_t *s)
{
    s->eof_seen = true; /* what esock__active_update reports when made active */
    esock__active_detach(s);
    esock__inet_wake_all(s);
    esock__inet_teardown(s);
}

/* The result a passive reader gets once the stream ended: the error
 * (econnreset with show_econnreset) or closed; what is left buffered (a
 * packet cut short) is dropped, the caller having taken a raw remainder
 * first (esock_inet_recv). With exit_on_close the fd is released (fd_release): later
 * recv gives enotconn, send closed (enotconn after econnreset), as inet. */
static int closed_result(esock__isock_t *s)
{
    int rc = s->pending_err ? s->pending_err : ESOCK_ECLOSED;
    s->pending_err = 0;
    esock__inet_consume(s, s->ihi - s->ilo);
    if (rc != ESOCK_ECLOSED || s->write_err == -ECONNRESET)
        s->dead_send_err = -ENOTCONN;
    if (s->exit_on_close)
        fd_release(s);
    return rc;
}

/* Queued output is written by whoever waits on the socket: OTP's port
 * writes its queue by itself whatever the process does, and a thread
 * blocked in recv may be the only thread that will touch this socket until
 * the answer to that very output arrives. Non-blocking; a write error
 * stays in write_err for the next sender. mu held. */
static void write_queued(esock__isock_t *s)
{
    if (!s->oq_head || s->write_err || s->fd < 0)
        return;
    esock__inet_flush_locked(s);
    if (s->fd >= 0)
        esock__active_update(s); /* the owner's loop need not watch for room any more */
}

/* What a blocked reader waits for: input, and room for queued output. */
static short reader_events(const esock__isock_t *s)
{
    return (short)(POLLIN | (s->oq_head && !s->write_err ? POLLOUT : 0));
}

int esock_inet_recv(esock_inet_t h, void *buf, size_t cap, size_t len, size_t *got,
                    int64_t timeout_ms)
{
    if (!buf && cap > 0)
        return -EINVAL;
    esock__isock_t *s = esock__inet_pin(h);
    if (!s)
        return ESOCK_ECLOSED;
    int64_t deadline = esock__inet_deadline(timeout_ms);
    int rc = 0;
    bool datagram = false;
    if (got)
        *got = 0;
    pthread_mutex_lock(&s->mu);
    if (s->closed || s->read_dead) /* a gone port: closed, as gen_tcp says */
        rc = ESOCK_ECLOSED;
    else if (s->fd < 0)
        rc = -ENOTCONN;
    else if (s->proto == ESOCK_INET_UDP) {
        /* gen_tcp:recv on a UDP socket reads one datagram, len ignored
         * (inet_udp:recv does it; the sender is dropped here) */
        rc = esock__inet_udp_recv_locked(s, buf, cap, got, NULL, NULL, NULL, deadline);
        datagram = true;
    } else if (s->states & ESOCK_INET_ST_LISTEN)
        rc = -ENOTCONN;
    else if (s->active != ESOCK_INET_ACTIVE_FALSE)
        rc = -EINVAL;
    else if (len > 0 && s->fr.ptype != ESOCK_INET_PACKET_RAW)
        rc = -EINVAL;
    else if (len > ESOCK__INET_RECV_LEN_MAX)
        rc = -ENOMEM; /* as the inet driver, at once: it will not buffer that much */
    else if (s->reader_busy)
        rc = -EALREADY;
    if (rc || datagram) {
        pthread_mutex_unlock(&s->mu);
        esock__inet_unpin(s);
        return rc;
    }
    s->reader_busy = true;
    for (;;) {
        esock__frame_t fr;
        size_t need = 0;
        uint8_t in_headers = s->fr.in_headers; /* http: framing a start line moves it */
        int r = esock__inet_next_packet(s, len, &fr, &need);
        if (r == 1) {
            if (fr.len > cap) {
                s->fr.in_headers = in_headers; /* the packet stays, and so does the state */
                rc = -ENOBUFS;
                break;
            }
            if (fr.len) /* buf may be NULL with cap 0 */
                memcpy(buf, s->ibuf + s->ilo + fr.off, fr.len);
            esock__inet_stat_recv(s, fr.total);
            esock__inet_consume(s, fr.total);
            if (got)
                *got = fr.len;
            rc = 0;
            break;
        }
        if (r < 0) {
            /* packet_size exceeded / malformed: reported, then the fd is
             * closed as the inet driver does (next recv and send:
             * enotconn); the port stays until made active or closed. */
            rc = r;
            s->dead_send_err = -ENOTCONN;
            fd_release(s);
            break;
        }
        if (s->eof_seen) {
            if (s->fr.ptype == ESOCK_INET_PACKET_RAW && s->ihi > s->ilo && cap > 0) {
                /* A raw recv(len) that the end cut short: the bytes that
                 * came are the caller's, with the end (OTP drops them,
                 * erlang/otp#8716; a framed packet cut short is no packet
                 * and is dropped as there). */
                size_t part = ESOCK__MIN(s->ihi - s->ilo, cap);
                memcpy(buf, s->ibuf + s->ilo, part);
                esock__inet_stat_recv(s, part);
                if (got)
                    *got = part;
            }
            rc = closed_result(s);
            break;
        }
        ssize_t n = esock__inet_fill(s, need);
        if (n > 0)
            continue;
        if (n == 0) {
            s->eof_seen = true;
            continue;
        }
        if (n == -EAGAIN || n == -EWOULDBLOCK) {
            write_queued(s);
            rc = esock__inet_wait(s, reader_events(s), deadline);
            if (rc)
                break;
            continue;
        }
        if (n == -ECONNRESET || n == -EPIPE) {
            s->eof_seen = true;
            if (s->show_econnreset)
                s->pending_err = -ECONNRESET;
            continue;
        }
        rc = (int)n;
        break;
    }
    s->reader_busy = false;
    /* Made active while this recv waited: the read interest that
     * reader_busy held back is taken up now (and what is buffered goes
     * to the owner), as the inet driver reads on. */
    if (s->active != ESOCK_INET_ACTIVE_FALSE && !s->closed)
        esock__active_update(s);
    pthread_mutex_unlock(&s->mu);
    esock__inet_unpin(s);
    return rc;
}

static int hdr_for(const esock__isock_t *s, size_t len, uint8_t *hdr, size_t *hlen)
{
    switch (s->fr.ptype) {
    case ESOCK_INET_PACKET_1:
        if (len > 0xff)
            return -EMSGSIZE;
        hdr[0] = (uint8_t)len;
        *hlen = 1;
        return 0;
    case ESOCK_INET_PACKET_2:
        if (len > 0xffff)
            return -EMSGSIZE;
        hdr[0] = (uint8_t)(len >> 8);
        hdr[1] = (uint8_t)len;
        *hlen = 2;
        return 0;
    case ESOCK_INET_PACKET_4:
        if ((uint64_t)len > 0xffffffffu)
            return -EMSGSIZE;
        hdr[0] = (uint8_t)(len >> 24);
        hdr[1] = (uint8_t)(len >> 16);
        hdr[2] = (uint8_t)(len >> 8);
        hdr[3] = (uint8_t)len;
        *hlen = 4;
        return 0;
    default:
        *hlen = 0;
        return 0;
    }
}

/* A write error as inet reports it to a sender. */
static int send_err(const esock__isock_t *s, int e)
{
    if (e == -EPIPE || e == -ENOTCONN)
        return ESOCK_ECLOSED;
    if (e == -ECONNRESET)
        return s->show_econnreset ? -ECONNRESET : ESOCK_ECLOSED;
    return e;
}

/* Advance an iovec array past k bytes written. */
static void iov_advance(struct msghdr *mh, size_t k)
{
    while (k && mh->msg_iovlen) {
        if (k >= mh->msg_iov->iov_len) {
            k -= mh->msg_iov->iov_len;
            mh->msg_iov++;
            mh->msg_iovlen--;
        } else {
            mh->msg_iov->iov_base = (uint8_t *)mh->msg_iov->iov_base + k;
            mh->msg_iov->iov_len -= k;
            k = 0;
        }
    }
}

/* Write header + data at once with nothing queued. *done = bytes written;
 * what is left is the caller's to queue. Returns 0 or a send error. A
 * write that stops short while poll still sees room is tried again:
 * whatever is queued here waits for the next call or an owner's loop, so
 * queueing only when the kernel is really full keeps a socket without
 * owner from sitting on output the kernel would have taken. */
static int write_direct(esock__isock_t *s, uint8_t *hdr, size_t hlen, const void *data, size_t len,
                        size_t *done)
{
    struct iovec iov[2] = {{hdr, hlen}, {(void *)data, len}};
    struct msghdr mh = {.msg_iov = hlen ? iov : iov + 1, .msg_iovlen = hlen ? 2 : 1};
    size_t total = hlen + len;
    int retries = 0;
    *done = 0;
    while (*done < total) {
        ssize_t w = esock__inet_writev(s->fd, mh.msg_iov, mh.msg_iovlen);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return send_err(s, esock__inet_write_failed(s, -errno));
        if (w > 0) {
            *done += (size_t)w;
            iov_advance(&mh, (size_t)w);
            if (*done == total)
                break;
        }
        if (retries++ == ESOCK__INET_SHORT_RETRIES || !esock__inet_writable_now(s))
            break;
    }
    return 0;
}

/* Queue what a send did not write (@p done bytes of header + payload it
 * did): a big enough message by reference (*m is the queue's then, and
 * NULL here), anything else copied. */
static int queue_rest(esock__isock_t *s, const uint8_t *hdr, size_t hlen, const uint8_t *data,
                      size_t len, esock_inet_msg_t **m, size_t done)
{
    if (*m && len >= ESOCK__INET_SEND_REF_MIN) {
        int rc = esock__inet_enqueue_msg(s, hdr, hlen, *m, done);
        if (rc == 0)
            *m = NULL;
        return rc;
    }
    if (done < hlen)
        return esock__inet_enqueue(s, hdr + done, hlen - done, data, len);
    return esock__inet_enqueue(s, NULL, 0, data + (done - hlen), hlen + len - done);
}

/* The caller's deadline, computed when a send first has to wait (most
 * never do, and need no clock reading). */
#define DEADLINE_UNSET INT64_MIN

/* One packet on a pinned socket whose lock is held. @p m is the message
 * the payload comes from, or NULL: *m becomes NULL when the queue takes it
 * over. While busy, waits up to send_timeout and the call's own deadline
 * (*call_deadline, from @p timeout_ms, shared by the packets of one call). */
/* Why the socket takes no send at all (closed, not connected, a write
 * error on record), or 0. */
static int send_refused(const esock__isock_t *s)
{
    if (s->closed || s->read_dead) /* a gone port: closed, whatever ended it */
        return ESOCK_ECLOSED;
    if (s->fd < 0)
        return s->dead_send_err ? s->dead_send_err : ESOCK_ECLOSED;
    if (s->proto != ESOCK_INET_TCP || !(s->states & ESOCK_INET_ST_CONNECTED))
        return -ENOTCONN;
    if (s->write_err) /* after a reset the connection is gone: enotconn, as inet */
        return s->write_err == -ECONNRESET ? -ENOTCONN : send_err(s, s->write_err);
    return 0;
}

static int send_locked(esock__isock_t *s, const uint8_t *data, size_t len, esock_inet_msg_t **m,
                       int64_t timeout_ms, int64_t *call_deadline)
{
    if (s->proto == ESOCK_INET_UDP) /* gen_tcp:send on a UDP socket: to the connected peer */
        return esock__inet_udp_send_locked(s, NULL, 0, data, len);
    uint8_t hdr[4];
    size_t hlen = 0;
    int rc = send_refused(s);
    if (rc == 0)
        rc = hdr_for(s, len, hdr, &hlen);
    if (rc == 0 && s->busy && timeout_ms == ESOCK_NOWAIT) {
        /* Write what the kernel takes now: with no owner, or an owner that
         * does not wait on its mailbox, no readiness loop writes the queue,
         * and a retried nowait send is what moves it. */
        int f = esock__inet_flush_locked(s);
        if (f < 0) {
            rc = send_err(s, f);
        } else if (s->busy) {
            s->ready_mbox = s->owner;
            rc = ESOCK_SELECT;
        }
    }
    if (rc == 0 && s->busy) {
        int64_t deadline = esock__inet_deadline(s->send_timeout_ms);
        if (*call_deadline == DEADLINE_UNSET)
            *call_deadline = esock__inet_deadline(timeout_ms);
        /* The call's own deadline, when it comes first, times the
         * call out without send_timeout_close: that closes the fd
         * for send_timeout only (the header). */
        bool own = *call_deadline >= 0 && (deadline < 0 || *call_deadline < deadline);
        if (own)
            deadline = *call_deadline;
        /* The socket may end while this sender waits (another
         * sender's send_timeout_close, a reset, a close): each round,
         * and a wait that timed out, first ask whether it did, so of
         * two senders whose deadlines pass together the first back
         * under the lock times out and the other finds it ended. */
        while (s->busy && (rc = send_refused(s)) == 0) {
            int f = esock__inet_flush_locked(s);
            if (f < 0) {
                rc = send_err(s, f);
                break;
            }
            if (!s->busy)
                break;
            int w = esock__inet_wait(s, POLLOUT, deadline);
            if (w != 0) {
                rc = send_refused(s);
                if (rc == 0)
                    rc = w;
                break;
            }
        }
        if (rc == ESOCK_ETIMEOUT && s->send_timeout_close && !own) {
            /* send_timeout_close: the fd is closed. An active owner gets
             * its closed message at once (OTP bug #11319 avoided) and
             * the port is gone; a passive socket keeps its port as
             * after a passive recv's end (OTP 25: send and recv
             * enotconn, getstat works, made active: tcp_closed). */
            if (s->active != ESOCK_INET_ACTIVE_FALSE && s->owner && !s->closed_reported) {
                s->closed_reported = true;
                esock__inet_post_simple(s->owner, ESOCK_INET_MSG_CLOSED, s, 0, 0);
                esock__inet_port_dead(s, ESOCK_ETIMEOUT, true);
            } else {
                s->dead_send_err = -ENOTCONN;
                fd_release(s);
            }
        }
    }
    if (rc == 0) {
        bool was_empty = !s->oq_head;
        esock__inet_stat_send(s, hlen + len);
        /* delay_send queues every send, as inet does: one write per burst
         * costs the kernel far less than one per send, which outweighs
         * copying even 16 KiB sends (measured in docs/bench.md). */
        bool coalesce = s->deferred || s->delay_send;
        if (coalesce) {
            rc = queue_rest(s, hdr, hlen, data, len, m, 0);
            if (rc == 0 && !s->deferred)
                esock__inet_defer_flush(s); /* else the owner's readiness loop writes it */
            /* The coalescing queue plays the port message queue: at
             * high_msgq_watermark it is handed to the kernel at once. */
            if (rc == 0 && s->opend >= s->high_msgq_wm)
                esock__inet_flush_locked(s);
        } else if (!s->oq_head) {
            size_t total = hlen + len, done = 0;
            const uint8_t *wire = *m ? esock__inet_wire(*m, hdr, hlen) : NULL;
            rc = wire ? write_direct(s, NULL, 0, wire, total, &done)
                      : write_direct(s, hdr, hlen, data, len, &done);
            if (rc == 0 && done < total)
                rc = queue_rest(s, hdr, hlen, data, len, m, done);
        } else {
            rc = queue_rest(s, hdr, hlen, data, len, m, 0);
        }
        if (rc == 0 && s->oq_head) {
            esock__inet_update_busy(s);
            if (!s->deferred)
                esock__active_update(s); /* ask the owner's loop to flush */
            /* A reader blocked in recv writes the queue too, but it chose
             * its poll events before there was one: wake it to choose again. */
            if (was_empty && s->reader_busy)
                esock__inet_wake_all(s);
        }
    }
    return rc;
}

/* esock_inet_send_ex, and esock_inet_send_msg with @p m (data/len are its
 * payload): on success m is freed here unless the queue took it; on an
 * error it stays the caller's. */
static int send_packet(esock_inet_t h, const uint8_t *data, size_t len, esock_inet_msg_t *m,
                       int64_t timeout_ms)
{
    esock__isock_t *s = esock__inet_pin(h);
    if (!s)
        return ESOCK_ECLOSED;
    int64_t call_deadline = DEADLINE_UNSET;
    pthread_mutex_lock(&s->mu);
    int rc = send_locked(s, data, len, &m, timeout_ms, &call_deadline);
    pthread_mutex_unlock(&s->mu);
    esock__inet_unpin(s);
    if (rc == 0)
        esock__msgblock_free(m); /* written or copied: done with it */
    return rc;
}

int esock_inet_send_ex(esock_inet_t h, const void *data, size_t len, int64_t timeout_ms)
{
    if (!data && len > 0) /* queued output copies it: a NULL would crash there */
        return -EINVAL;
    return send_packet(h, data, len, NULL, timeout_ms);
}

static bool is_data(const esock_inet_msg_t *m)
{
    return m && m->kind == ESOCK_INET_MSG_DATA;
}

int esock_inet_send_msg(esock_inet_t h, esock_inet_msg_t *m, int64_t timeout_ms)
{
    if (!is_data(m))
        return -EINVAL;
    return send_packet(h, m->data, m->len, m, timeout_ms);
}

/* The leading packets of a run that send_locked would only append to the
 * coalescing queue: the socket has no error and is not busy, its queue is
 * already waiting for the owner's loop to write it (deferred), and each
 * packet is small (copied, not queued by reference) and leaves the queue
 * under high_msgq_watermark and high_watermark, so no write, busy state or
 * wake-up can follow. Those are appended here without send_locked's checks
 * for each (a burst of echoed packets; docs/bench.md). Returns how many of
 * msgs[0..n) it took and freed; send_locked takes the rest. mu held. */
static size_t append_run(esock__isock_t *s, esock_inet_msg_t *const *msgs, size_t n)
{
    if (send_refused(s) || s->busy || !s->deferred || !s->oq_head)
        return 0;
    size_t limit = ESOCK__MIN(s->high_msgq_wm, s->high_wm);
    size_t i = 0;
    for (; i < n; i++) {
        esock_inet_msg_t *m = msgs[i];
        uint8_t hdr[4];
        size_t hlen;
        if (!is_data(m) || m->len >= ESOCK__INET_SEND_REF_MIN || hdr_for(s, m->len, hdr, &hlen) != 0 ||
            s->opend + hlen + m->len >= limit || esock__inet_enqueue(s, hdr, hlen, m->data, m->len) != 0)
            break;
        esock__inet_stat_send(s, hlen + m->len);
        esock__msgblock_free(m);
    }
    return i;
}

int esock_inet_send_msgs(esock_inet_t h, esock_inet_msg_t *const *msgs, size_t n, int64_t timeout_ms,
                         size_t *taken)
{
    if (!taken)
        return -EINVAL;
    *taken = 0;
    if (n == 0)
        return 0;
    if (!msgs || !is_data(msgs[0]))
        return -EINVAL;
    esock__isock_t *s = esock__inet_pin(h);
    if (!s)
        return ESOCK_ECLOSED;
    int64_t call_deadline = DEADLINE_UNSET;
    int rc = 0;
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t k = append_run(s, msgs + i, n - i);
        *taken += k;
        i += k;
        if (i == n)
            break;
        esock_inet_msg_t *m = msgs[i];
        if (!is_data(m)) {
            rc = -EINVAL;
            break;
        }
        rc = send_locked(s, m->data, m->len, &m, timeout_ms, &call_deadline);
        if (rc == 0) {
            esock__msgblock_free(m); /* NULL when queued by reference */
            ++*taken;
        }
    }
    pthread_mutex_unlock(&s->mu);
    esock__inet_unpin(s);
    return rc;
}

int esock_inet_send(esock_inet_t s, const void *data, size_t len)
{
    return esock_inet_send_ex(s, data, len, ESOCK_INFINITY);
}

int esock_inet_flush(esock_inet_t h)
{
    esock__isock_t *s = esock__inet_pin(h);
    if (!s)
        return ESOCK_ECLOSED;
    pthread_mutex_lock(&s->mu);
    int rc = s->closed ? ESOCK_ECLOSED : s->fd < 0 ? -ENOTCONN : esock__inet_flush_locked(s);
    if (rc > 0)
        rc = 0;
    if (rc < 0 && rc != ESOCK_ECLOSED)
        rc = send_err(s, rc);
    pthread_mutex_unlock(&s->mu);
    esock__inet_unpin(s);
    return rc;
}

/* How long close/shutdown wait for queued output, as OTP's prim_inet
 * does: with linger {true, T} at most T seconds in all ({true, 0}: not at
 * all, *absolute); otherwise for as long as the peer keeps taking bytes,
 * giving up after a window without progress: send_timeout if set, else
 * 5 s (OTP's INET_CLOSE_TIMEOUT). */
static int64_t drain_window(esock__isock_t *s, bool *absolute)
{
    struct linger lg = {0, 0};
    socklen_t l = sizeof lg;
    *absolute = esock__sys.getsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, &l) == 0 && lg.l_onoff;
    if (*absolute)
        return (int64_t)lg.l_linger * 1000;
    return s->send_timeout_ms != ESOCK_INFINITY ? s->send_timeout_ms : 5000;
}

/* Writes the queue out, waiting for room within drain_window's bounds. The
 * lock is let go while waiting (esock__inet_wait), so a peer that does not
 * read holds no other call on the socket: a sender woken by close returns
 * closed at once, i() and getstat go on. @p closing: the caller is
 * esock_inet_close (the socket is already marked closed). Returns 0
 * (written, or the queue died with a write error), ESOCK_ETIMEOUT (still
 * queued at the end), ESOCK_ECLOSED (a close came while shutdown waited),
 * -ENOTCONN, -errno. */
static int drain(esock__isock_t *s, bool closing)
{
    bool absolute;
    int64_t window = drain_window(s, &absolute);
    int64_t deadline = esock__inet_deadline(window);
    while (s->oq_head && s->fd >= 0) {
        size_t before = s->opend; /* under the lock: only this flush moves it */
        if (esock__inet_flush_locked(s) <= 0)
            return 0;
        if (!absolute && s->opend < before) /* progress: a new window */
            deadline = esock__inet_deadline(window);
        int rc = closing ? esock__inet_wait_closing(s, POLLOUT, deadline)
                         : esock__inet_wait(s, POLLOUT, deadline);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int esock_inet_shutdown(esock_inet_t h, int how)
{
    if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
        return -EINVAL; /* before the queue is written for nothing */
    esock__isock_t *s = esock__inet_pin(h);
    if (!s)
        return ESOCK_ECLOSED;
    int rc = 0;
    pthread_mutex_lock(&s->mu);
    if (s->closed || s->read_dead)
        rc = ESOCK_ECLOSED;
    else if (s->fd < 0 || !(s->states & ESOCK_INET_ST_CONNECTED))
        rc = -ENOTCONN; /* as inet; Linux would stop a listener on SHUT_RD */
    else {
        /* Timed out: nothing is shut down and the queue stays, so that the
         * caller may retry or close; shutting down would lose it. */
        if (how != SHUT_RD)
            rc = drain(s, false);
        if (rc == 0 && s->fd < 0) /* the port went away while it waited */
            rc = -ENOTCONN;
        if (rc == 0 && esock__sys.shutdown(s->fd, how) < 0)
            rc = -errno;
    }
    pthread_mutex_unlock(&s->mu);
    esock__inet_unpin(s);
    return rc;
}

/* With linger {true, T}, close(2) itself waits up to T for the kernel's
 * unsent bytes (Linux ignores O_NONBLOCK there), after drain already took
 * its share of T: the kernel gets what is left of it, in whole seconds,
 * and none (linger off: close returns, the kernel goes on sending) when
 * nothing is left, so that the whole close stays within T. ({1, 0} would
 * be the abort, a reset.) */
static void linger_rest(esock__isock_t *s, int64_t t0)
{
    struct linger lg = {0, 0};
    socklen_t l = sizeof lg;
    if (s->fd < 0 || esock__sys.getsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, &l) != 0 || !lg.l_onoff ||
        lg.l_linger <= 0)
        return;
    int64_t left = (int64_t)lg.l_linger * 1000 - (esock__inet_now_ms() - t0);
    struct linger rest = {left >= 1000, left >= 1000 ? (int)(left / 1000) : 0};
    esock__sys.setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &rest, sizeof rest);
}

int esock_inet_close(esock_inet_t h)
{
    esock__isock_t *s = esock__inet_pin(h);
    if (!s)
        return ESOCK_ECLOSED;
    pthread_mutex_lock(&s->mu);
    if (s->closed) {
        pthread_mutex_unlock(&s->mu);
        esock__inet_unpin(s);
        return ESOCK_ECLOSED;
    }
    s->closed = true;
    esock__inet_unregister(s);
    esock__active_detach(s);
    esock__inet_wake_all(s);
    if (s->fd >= 0 && s->oq_head && !s->write_err) {
        int64_t t0 = esock__inet_now_ms();
        drain(s, true);
        linger_rest(s, t0);
    }
    esock__inet_post_down(s, 0);
    esock__inet_teardown(s);
    pthread_mutex_unlock(&s->mu);
    esock__inet_unpin(s); /* this call's pin */
    esock__inet_unpin(s); /* the open reference */
    return 0;
}
