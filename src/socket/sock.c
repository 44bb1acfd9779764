/*
 * The socket object: open, close, pinning, the registry and owners.
 *
 * Close is two-phase, as in OTP: esock_close marks the socket closed,
 * removes its handle, wakes every blocked caller (the wake eventfd), posts
 * abort messages for nowait operations and DOWN to monitors; the descriptor
 * itself is closed when the last pin drops, so no call ever uses an fd
 * number that may already belong to someone else.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mbox/mbox_int.h"
#include "socket/sock.h"
#include "sys/sys.h"

static struct esock__htab table = ESOCK__HTAB_INIT;
bool esock__registry_default = true;
static _Atomic uint64_t serial;

/* Library-wide counters for info(). */
static _Atomic uint64_t n_inet, n_inet6, n_local, n_stream, n_dgram, n_seqpacket;
static _Atomic uint64_t n_ip, n_ip6, n_tcp, n_udp, n_sctp;

esock__sock_t *esock__sock_pin(esock_t h)
{
    return esock__htab_pin(&table, h.id);
}

static void sock_free(esock__sock_t *s)
{
    esock__sendfile_state_free(s);
    esock__sys.close(s->fd);
    esock__sys.close(s->wakefd);
    pthread_mutex_destroy(&s->mu);
    esock__free(s);
}

void esock__sock_unpin(esock__sock_t *s)
{
    if (atomic_fetch_sub(&s->ref.refs, 1) == 1)
        sock_free(s);
}

static void count_kind(int domain, int type, int protocol)
{
    if (domain == AF_INET)
        n_inet++;
    else if (domain == AF_INET6)
        n_inet6++;
    else if (domain == AF_UNIX)
        n_local++;
    if (type == SOCK_STREAM)
        n_stream++;
    else if (type == SOCK_DGRAM)
        n_dgram++;
    else if (type == SOCK_SEQPACKET)
        n_seqpacket++;
    if (protocol == IPPROTO_TCP)
        n_tcp++;
    else if (protocol == IPPROTO_UDP)
        n_udp++;
    else if (protocol == IPPROTO_SCTP)
        n_sctp++;
    else if (protocol == IPPROTO_IP && domain == AF_INET)
        n_ip++;
    else if (protocol == IPPROTO_IPV6)
        n_ip6++;
}

static void on_mbox_destroyed(uint32_t mb);

int esock__sock_new(int fd, int domain, int type, int protocol, esock_t *out)
{
    esock__sys_init();
    esock__sock_t *s = esock__calloc(1, sizeof *s);
    if (s == NULL)
        return -ENOMEM;
    s->wakefd = esock__sys.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (s->wakefd < 0) {
        int e = -errno;
        esock__free(s);
        return e;
    }
    s->fd = fd;
    s->domain = domain;
    s->type = type;
    s->protocol = protocol;
    s->serial = atomic_fetch_add(&serial, 1) + 1;
    s->use_registry = esock__registry_default;
    s->owner = esock__mbox_self_peek();
    s->otp_rcvbuf = 8192; /* OTP's default recv size for recv(S) */
    s->otp_rcvnum = 1;
    s->otp_rcvctrlbuf = 1024; /* and control-message buffer sizes */
    s->otp_sndctrlbuf = 1024;
    pthread_mutex_init(&s->mu, NULL);
    atomic_init(&s->ref.refs, 1);
    int rc = esock__htab_add(&table, &s->ref);
    if (rc < 0) {
        esock__sys.close(s->wakefd);
        pthread_mutex_destroy(&s->mu);
        esock__free(s);
        return rc;
    }
    esock__mbox_on_destroy(on_mbox_destroyed);
    count_kind(domain, type, protocol);
    out->id = s->ref.id;
    return 0;
}

static int set_nonblock(int fd)
{
    int fl = esock__sys.fcntl(fd, F_GETFL, 0);
    if (fl < 0 || esock__sys.fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -errno;
    return 0;
}

int esock_open(int domain, int type, int protocol, esock_t *out)
{
    if (out == NULL)
        return -EFAULT;
    out->id = 0;
    esock__sys_init();
    int fd = esock__sys.socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
    if (fd < 0)
        return -errno;
    /* Learn the protocol the OS chose for protocol 0 (OTP reports it). */
    int proto = protocol;
    socklen_t len = sizeof proto;
    if (protocol == 0)
        esock__sys.getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len);
    int rc = esock__sock_new(fd, domain, type, proto, out);
    if (rc < 0)
        esock__sys.close(fd);
    return rc;
}

int esock_open_fd(int fd, bool dup_it, esock_t *out)
{
    if (out == NULL)
        return -EFAULT;
    out->id = 0;
    esock__sys_init();
    /* SO_ACCEPTCONN: an inherited listener (socket activation) accepts as
     * one made by esock_listen does. */
    int v[4];
    static const int opts[4] = {SO_DOMAIN, SO_TYPE, SO_PROTOCOL, SO_ACCEPTCONN};
    for (int i = 0; i < 4; i++) {
        socklen_t len = sizeof v[i];
        if (esock__sys.getsockopt(fd, SOL_SOCKET, opts[i], &v[i], &len) < 0)
            return -errno;
    }
    int nfd = fd;
    if (dup_it) {
        nfd = esock__sys.fcntl(fd, F_DUPFD_CLOEXEC, 0);
        if (nfd < 0)
            return -errno;
    }
    int rc = set_nonblock(nfd);
    if (rc == 0)
        rc = esock__sock_new(nfd, v[0], v[1], v[2], out);
    if (rc == 0 && v[3])
        esock__sock_set_state(*out, false, true);
    if (rc < 0 && dup_it)
        esock__sys.close(nfd);
    return rc;
}

void esock__sock_set_state(esock_t h, bool connected, bool listening)
{
    esock__sock_t *s = esock__sock_pin(h);
    if (s == NULL)
        return;
    pthread_mutex_lock(&s->mu);
    s->connected = connected;
    s->listening = listening;
    if (listening && !s->listening_held) { /* as esock_listen: non-blocking for good */
        s->listening_held = true;
        s->nb_holds++;
    }
    pthread_mutex_unlock(&s->mu);
    esock__sock_unpin(s);
}

int esock_close(esock_t h)
{
    esock__sock_t *s = esock__htab_remove(&table, h.id);
    if (s == NULL)
        return ESOCK_ECLOSED;
    pthread_mutex_lock(&s->mu);
    /* seq_cst: pairs with the reader's rd_in_kernel (io.c recv_syscall) */
    __atomic_store_n(&s->closed, true, __ATOMIC_SEQ_CST);
    esock__dir_abort(s, &s->rd);
    esock__dir_abort(s, &s->wr);
    esock__dir_abort(s, &s->acc);
    esock__monitors_down(s, 0);
    pthread_mutex_unlock(&s->mu);
    uint64_t one = 1;
    while (write(s->wakefd, &one, sizeof one) < 0 && errno == EINTR)
        ;
    /* A reader asleep in recv itself sees no eventfd: shutting the read
     * side wakes it (recv returns 0, and it finds the socket closed). The
     * socket goes away anyway; nothing is sent to the peer. */
    if (__atomic_load_n(&s->rd_in_kernel, __ATOMIC_SEQ_CST))
        esock__sys.shutdown(s->fd, SHUT_RD);
    esock__sock_unpin(s); /* the open reference */
    return 0;
}

/* ---- blocking mode of the descriptor (see sock.h) ---------------------- */

static int set_o_nonblock(int fd, bool on)
{
    int fl = esock__sys.fcntl(fd, F_GETFL, 0);
    if (fl < 0)
        return -errno;
    int want = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
    if (want != fl && esock__sys.fcntl(fd, F_SETFL, want) < 0)
        return -errno;
    return 0;
}

bool esock__fd_set_blocking(esock__sock_t *s)
{
    pthread_mutex_lock(&s->mu);
    bool on = __atomic_load_n(&s->fd_blocking, __ATOMIC_RELAXED);
    if (!on && !s->closed && s->nb_holds == 0 && set_o_nonblock(s->fd, false) == 0) {
        __atomic_store_n(&s->fd_blocking, true, __ATOMIC_RELEASE);
        on = true;
    }
    pthread_mutex_unlock(&s->mu);
    return on;
}

int esock__nonblock_hold_locked(esock__sock_t *s)
{
    int rc = 0;
    /* A reader asleep in recv stays asleep (its recv was blocking when it
     * began); the next one finds EAGAIN and waits in poll. */
    if (__atomic_load_n(&s->fd_blocking, __ATOMIC_RELAXED)) {
        rc = set_o_nonblock(s->fd, true);
        if (rc == 0)
            __atomic_store_n(&s->fd_blocking, false, __ATOMIC_RELEASE);
    }
    if (rc == 0)
        s->nb_holds++;
    return rc;
}

int esock__nonblock_hold(esock__sock_t *s)
{
    pthread_mutex_lock(&s->mu);
    int rc = esock__nonblock_hold_locked(s);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

void esock__nonblock_release(esock__sock_t *s)
{
    pthread_mutex_lock(&s->mu);
    s->nb_holds--;
    pthread_mutex_unlock(&s->mu);
}

/* ---- owner ------------------------------------------------------------- */

int esock_get_owner(esock_t h, esock_mbox_t *owner)
{
    if (!owner)
        return -EFAULT;
    esock__sock_t *s = esock__sock_pin(h);
    if (s == NULL)
        return ESOCK_ECLOSED;
    pthread_mutex_lock(&s->mu);
    owner->id = s->owner;
    pthread_mutex_unlock(&s->mu);
    esock__sock_unpin(s);
    return 0;
}

int esock_set_owner(esock_t h, esock_mbox_t owner)
{
    if (owner.id != 0 && !esock__mbox_alive(owner.id))
        return ESOCK_EINVAL_HANDLE;
    esock__sock_t *s = esock__sock_pin(h);
    if (s == NULL)
        return ESOCK_ECLOSED;
    pthread_mutex_lock(&s->mu);
    s->owner = owner.id;
    pthread_mutex_unlock(&s->mu);
    esock__sock_unpin(s);
    return 0;
}

/* The nowait operations of a destroyed mailbox end as its cancel would end
 * them: an exited thread cannot cancel, and the callers queued behind it
 * must go on (OTP: a waiter that dies frees its slot). s->mu held. */
static void drop_ops_of(esock__sock_t *s, uint32_t mb)
{
    struct esock__dir *dirs[3] = {&s->rd, &s->wr, &s->acc};
    for (int i = 0; i < 3; i++)
        if (esock__dir_drop_mbox(s, dirs[i], mb))
            esock__connect_over(s);
}

static void on_mbox_destroyed(uint32_t mb)
{
    /* Sockets owned by a destroyed mailbox simply lose their owner. */
    uint32_t cap = esock__htab_count(&table) + 64;
    esock__sock_t **all = esock__malloc(cap * sizeof *all);
    if (all == NULL)
        return;
    uint32_t n = esock__htab_snapshot(&table, (void **)all, cap);
    for (uint32_t i = 0; i < n; i++) {
        pthread_mutex_lock(&all[i]->mu);
        if (all[i]->owner == mb)
            all[i]->owner = 0;
        drop_ops_of(all[i], mb);
        pthread_mutex_unlock(&all[i]->mu);
        esock__sock_unpin(all[i]);
    }
    esock__free(all);
}

/* ---- registry ------------------------------------------------------------ */

void esock_use_registry(bool on)
{
    __atomic_store_n(&esock__registry_default, on, __ATOMIC_RELAXED);
}

int esock_number_of(void)
{
    esock_filter_t all = {0};
    return esock_which_sockets(&all, NULL, 0);
}

int esock_which_sockets(const esock_filter_t *f, esock_t *out, size_t cap)
{
    uint32_t total = esock__htab_count(&table) + 64;
    esock__sock_t **all = esock__malloc(total * sizeof *all);
    if (all == NULL)
        return -ENOMEM;
    uint32_t n = esock__htab_snapshot(&table, (void **)all, total);
    size_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        esock__sock_t *s = all[i];
        pthread_mutex_lock(&s->mu);
        bool ok = s->use_registry && !s->closed;
        uint32_t owner = s->owner;
        pthread_mutex_unlock(&s->mu);
        esock_t h = {s->ref.id};
        if (ok && f != NULL)
            ok = (f->domain == 0 || f->domain == s->domain) && (f->type == 0 || f->type == s->type) &&
                 (f->protocol == 0 || f->protocol == s->protocol) &&
                 (f->owner == 0 || f->owner == owner) && (f->pred == NULL || f->pred(h, f->arg));
        if (ok) {
            if (out != NULL && k < cap)
                out[k] = h;
            k++;
        }
        esock__sock_unpin(s);
    }
    esock__free(all);
    return (int)k;
}

/* ---- info ------------------------------------------------------------------ */

int esock_fd(esock_t h)
{
    esock__sock_t *s = esock__sock_pin(h);
    if (s == NULL)
        return ESOCK_ECLOSED;
    int fd = s->fd;
    esock__sock_unpin(s);
    return fd;
}

static const char *state_of(const esock__sock_t *s, bool rd)
{
    if (s->closed)
        return "closed";
    if (s->listening)
        return rd ? (s->acc.busy ? "accepting" : "listening") : "listening";
    if (rd ? s->rd_shut : s->wr_shut)
        return "shutdown";
    if (s->connecting)
        return "connecting";
    if (s->connected)
        return "connected";
    return "open";
}

int esock_info_socket(esock_t h, esock_socket_info_t *info)
{
    if (!info)
        return -EFAULT;
    esock__sock_t *s = esock__sock_pin(h);
    if (s == NULL)
        return ESOCK_ECLOSED;
    pthread_mutex_lock(&s->mu);
    info->domain = s->domain;
    info->type = s->type;
    info->protocol = s->protocol;
    info->owner = s->owner;
    info->use_registry = s->use_registry;
    info->num_readers = s->rd.busy + s->rd.queued;
    info->num_writers = s->wr.busy + s->wr.queued;
    info->num_acceptors = s->acc.busy + s->acc.queued;
    info->readable = !s->rd_shut;
    info->writable = !s->wr_shut;
    info->rstate = state_of(s, true);
    info->wstate = state_of(s, false);
    pthread_mutex_unlock(&s->mu);
    uint64_t *dst = (uint64_t *)&info->counters;
    const uint64_t *src = (const uint64_t *)&s->ctr;
    for (size_t i = 0; i < sizeof s->ctr / sizeof(uint64_t); i++)
        dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
    esock__sock_unpin(s);
    return 0;
}

int esock_info(esock_lib_info_t *info)
{
    if (!info)
        return -EFAULT;
    info->num_sockets = (uint64_t)esock__htab_count(&table);
    info->num_dinet = n_inet;
    info->num_dinet6 = n_inet6;
    info->num_dlocal = n_local;
    info->num_tstreams = n_stream;
    info->num_tdgrams = n_dgram;
    info->num_tseqpkgs = n_seqpacket;
    info->num_pip = n_ip;
    info->num_pip6 = n_ip6;
    info->num_ptcp = n_tcp;
    info->num_pudp = n_udp;
    info->num_psctp = n_sctp;
    long iov = sysconf(_SC_IOV_MAX);
    info->iov_max = iov > 0 ? (int)iov : 1024;
    info->use_registry = __atomic_load_n(&esock__registry_default, __ATOMIC_RELAXED);
    return 0;
}

/* ---- cancel ------------------------------------------------------------------ */

int esock_cancel(esock_t h, const esock_select_info_t *si)
{
    if (si == NULL)
        return ESOCK_EINVAL_SELECTINFO;
    esock__sock_t *s = esock__sock_pin(h);
    if (s == NULL)
        return ESOCK_ECLOSED;
    pthread_mutex_lock(&s->mu);
    int rc = 1, tag = ESOCK_OP_NONE;
    struct esock__dir *dirs[3] = {&s->rd, &s->wr, &s->acc};
    for (int i = 0; i < 3 && rc == 1; i++)
        rc = esock__dir_cancel(s, dirs[i], si, &tag);
    if (rc == 0 && tag == ESOCK_OP_CONNECT) /* also when si named no operation */
        esock__connect_over(s);
    pthread_mutex_unlock(&s->mu);
    esock__sock_unpin(s);
    return rc == 0 ? 0 : ESOCK_EINVAL_SELECTINFO;
}
