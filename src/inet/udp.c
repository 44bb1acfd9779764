/*
 * inet/udp.c - gen_udp: open, connect, send, recv (with ancillary data).
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <esock/error.h>

#include "inet/inet_int.h"
#include "sys/sys.h"


int esock_inet_udp_open(esock_inet_t *out, const esock_sockaddr_t *addr, const esock_inet_opt_t *opts,
                        size_t n, esock_mbox_t owner)
{
    if (!out)
        return -EINVAL;
    esock_sockaddr_t any;
    if (!addr) {
        memset(&any, 0, sizeof any);
        any.family = ESOCK_FAMILY_INET;
        addr = &any;
    }
    int fam = addr->family == ESOCK_FAMILY_INET6 ? AF_INET6
            : addr->family == ESOCK_FAMILY_LOCAL ? AF_UNIX
            : addr->family == ESOCK_FAMILY_INET  ? AF_INET
                                                 : -1;
    if (fam < 0)
        return ESOCK_EINVAL_ADDRESS;
    struct sockaddr_storage ss;
    socklen_t sl;
    int rc = esock_sockaddr_to_native(addr, &ss, &sl);
    if (rc)
        return rc;
    esock__isock_t *s;
    rc = esock__inet_create(&s, fam, ESOCK_INET_UDP, opts, n, -1, owner.id);
    if (rc)
        return rc;
    esock_inet_t h = {s->ref.id};
    pthread_mutex_lock(&s->mu);
    if (esock__sys.bind(s->fd, (struct sockaddr *)&ss, sl) < 0)
        rc = -errno;
    else
        s->states |= ESOCK_INET_ST_BOUND;
    if (rc == 0)
        esock__active_update(s);
    pthread_mutex_unlock(&s->mu);
    if (rc) {
        esock_inet_close(h);
        return rc;
    }
    *out = h;
    return 0;
}

/* Why a UDP call is refused on this socket (closed, not UDP), or 0. */
static int udp_refused(const esock__isock_t *s)
{
    if (s->closed || s->fd < 0)
        return ESOCK_ECLOSED;
    return s->proto == ESOCK_INET_UDP ? 0 : -EINVAL;
}

int esock_inet_udp_connect(esock_inet_t h, const esock_sockaddr_t *peer)
{
    /* No way back to unconnected (AF_UNSPEC): Linux then drops the port of
     * a socket bound to port 0, and the next send would come from another.
     * Neither NULL nor an address that is AF_UNSPEC in the OS form asks it. */
    if (!peer)
        return -EINVAL;
    struct sockaddr_storage ss;
    socklen_t sl;
    int rc = esock_sockaddr_to_native(peer, &ss, &sl);
    if (rc)
        return rc;
    if (ss.ss_family == AF_UNSPEC)
        return -EINVAL;
    esock__isock_t *s = esock__inet_pin(h);
    if (!s)
        return ESOCK_ECLOSED;
    pthread_mutex_lock(&s->mu);
    rc = udp_refused(s);
    while (rc == 0 && esock__sys.connect(s->fd, (struct sockaddr *)&ss, sl) < 0)
        rc = errno == EINTR ? 0 : -errno; /* a datagram connect can be repeated */
    if (rc == 0)
        s->states |= ESOCK_INET_ST_CONNECTED;
    pthread_mutex_unlock(&s->mu);
    esock__inet_unpin(s);
    return rc;
}

int esock__inet_udp_send_locked(esock__isock_t *s, const struct sockaddr *to, socklen_t tolen,
                                const void *data, size_t len)
{
    int rc = udp_refused(s);
    while (rc == 0) {
        ssize_t w = esock__sys.sendto(s->fd, data, len, MSG_NOSIGNAL, to, tolen);
        if (w >= 0) {
            esock__inet_stat_send(s, len);
            break;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            /* A local receiver's full queue is no state of this socket that
             * poll(2) reports (an unconnected sender reads writable at
             * once): waiting would spin. gen_udp says eagain there too. */
            if (s->family == AF_UNIX) {
                rc = -EAGAIN;
                break;
            }
            rc = esock__inet_wait(s, POLLOUT, -1);
            continue;
        }
        rc = -errno;
    }
    return rc;
}

int esock_inet_sendto(esock_inet_t h, const esock_sockaddr_t *to, const void *data, size_t len)
{
    if (!data && len > 0)
        return -EINVAL;
    struct sockaddr_storage ss;
    socklen_t sl = 0;
    if (to) {
        int rc = esock_sockaddr_to_native(to, &ss, &sl);
        if (rc)
            return rc;
    }
    esock__isock_t *s = esock__inet_pin(h);
    if (!s)
        return ESOCK_ECLOSED;
    pthread_mutex_lock(&s->mu);
    int rc = esock__inet_udp_send_locked(s, to ? (struct sockaddr *)&ss : NULL, sl, data, len);
    pthread_mutex_unlock(&s->mu);
    esock__inet_unpin(s);
    return rc;
}

/* Receive one datagram (mu held, fd non-blocking). Returns bytes or -errno. */
ssize_t esock__inet_udp_read(esock__isock_t *s, void *buf, size_t cap, esock_sockaddr_t *from,
                        esock_inet_anc_t *anc, size_t *nanc)
{
    struct sockaddr_storage ss;
    union {
        struct cmsghdr align;
        char b[256];
    } cbuf;
    struct iovec iov = {buf, cap};
    struct msghdr mh = {.msg_name = &ss, .msg_namelen = sizeof ss, .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = cbuf.b, .msg_controllen = sizeof cbuf.b};
    ssize_t n;
    do
        n = esock__sys.recvmsg(s->fd, &mh, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    /* A sender with no address (an unbound local datagram socket: no
     * name at all) is unspec with no bytes, as in OTP ({unspec, <<>>}). */
    if (from && esock_sockaddr_from_native((struct sockaddr *)&ss, mh.msg_namelen, from) != 0) {
        memset(from, 0, sizeof *from);
        from->family = ESOCK_FAMILY_UNSPEC;
        from->u.raw.family = AF_UNSPEC;
    }
    size_t k = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c && anc && nanc && k < *nanc; c = CMSG_NXTHDR(&mh, c)) {
        int v;
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS) {
            anc[k].kind = ESOCK_INET_ANC_TOS;
            anc[k++].value = *(unsigned char *)CMSG_DATA(c);
        } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
            memcpy(&v, CMSG_DATA(c), sizeof v);
            anc[k].kind = ESOCK_INET_ANC_TTL;
            anc[k++].value = v;
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_TCLASS) {
            memcpy(&v, CMSG_DATA(c), sizeof v);
            anc[k].kind = ESOCK_INET_ANC_TCLASS;
            anc[k++].value = v;
        }
    }
    if (nanc)
        *nanc = k;
    return n;
}

int esock__inet_udp_recv_locked(esock__isock_t *s, void *buf, size_t cap, size_t *got,
                                esock_sockaddr_t *from, esock_inet_anc_t *anc, size_t *nanc,
                                int64_t deadline)
{
    int rc = udp_refused(s);
    if (rc == 0 && s->active != ESOCK_INET_ACTIVE_FALSE)
        rc = -EINVAL; /* its datagrams go to the owner */
    /* gen_udp: at most `buffer` bytes of a datagram are returned. */
    size_t lim = cap < s->buffer ? cap : s->buffer;
    while (rc == 0) {
        ssize_t n = esock__inet_udp_read(s, buf, lim, from, anc, nanc);
        if (n >= 0) {
            esock__inet_stat_recv(s, (size_t)n);
            if (got)
                *got = (size_t)n;
            break;
        }
        if (n == -EAGAIN || n == -EWOULDBLOCK) {
            rc = esock__inet_wait(s, POLLIN, deadline);
            continue;
        }
        rc = (int)n;
    }
    return rc;
}

int esock_inet_recvfrom(esock_inet_t h, void *buf, size_t cap, size_t *got, esock_sockaddr_t *from,
                        esock_inet_anc_t *anc, size_t *nanc, int64_t timeout_ms)
{
    if (!buf && cap > 0)
        return -EINVAL;
    esock__isock_t *s = esock__inet_pin(h);
    if (!s)
        return ESOCK_ECLOSED;
    int64_t deadline = esock__inet_deadline(timeout_ms);
    pthread_mutex_lock(&s->mu);
    int rc = esock__inet_udp_recv_locked(s, buf, cap, got, from, anc, nanc, deadline);
    pthread_mutex_unlock(&s->mu);
    esock__inet_unpin(s);
    return rc;
}
