/*
 * Mailboxes: a locked message queue, an eventfd that wakes waiters, and an
 * epoll readiness set whose events become callbacks on the waiting thread.
 */
#include <esock/mbox.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "mbox/mbox_int.h"
#include "sys/htab.h"
#include "sys/sys.h"

/* One per watched fd (an idle inet connection has one), so it is kept
 * small: the direction sets are bytes, and both directions share one
 * callback and argument (the callback is told which direction fired):
 * 24 bytes, where a pair per direction and int sets took 48. */
struct watch {
    int fd;
    uint8_t ev;                  /* registered directions (EV_IN/EV_OUT) */
    uint8_t persist;             /* directions that stay after firing */
    esock__watch_cb cb;
    uint64_t arg;
};

struct mbox {
    struct esock__ref ref;
    pthread_mutex_t mu;
    /* dead and qlen change only under mu; the receiver peeks at them
     * without it (has_news) so that an empty queue costs no lock. */
    _Atomic bool dead;
    int epfd, efd;
    struct esock__qnode *head, *tail;
    _Atomic int qlen;
    struct watch *w;
    size_t nw, capw;
    uint32_t *slot; /* by fd: index in w + 1, 0 = not watched */
    size_t nslot;
    _Atomic int32_t spin_us; /* esock_mbox_set_spin */
    /* Under mu: efd was written (or is about to be) since a receiver last
     * read it; a post then writes no more (arm_locked). A receive
     * that returns with messages left makes sure it is (wake_if_left), so
     * the mailbox's fd polls readable and another waiting thread wakes:
     * the receiver read the count away, and the readiness callbacks of
     * its own receive do not write it at all (post). */
    bool efd_set;
    /* The thread that last began a receive here (its thread_token):
     * esock__mbox_is_receiver. */
    _Atomic(const void *) receiver;
    /* Selective receivers stepping aside (step_aside): threads inside a
     * receive (nrecv) and those of them waiting on side_cv (nside), and
     * the count of messages ever queued (queued_gen, under mu), which
     * tells one that steps aside that the queue has something new. */
    _Atomic int nrecv, nside;
    uint64_t queued_gen;
    pthread_cond_t side_cv;
};

static struct esock__htab table = ESOCK__HTAB_INIT;
/* The hooks are set once by the layers above, on their first use, while
 * other threads may be receiving or destroying: atomic pointers, and one
 * lock so that two registrations do not take the same slot. */
static _Atomic(esock__mbox_hook_t) idle_hook;
static _Atomic(esock__mbox_hook_t) destroy_hooks[4];
static pthread_mutex_t hooks_mu = PTHREAD_MUTEX_INITIALIZER;
static _Atomic uint64_t next_ref = 1;
/* The mailbox this thread is receiving on (recv_impl holds a pin on it
 * meanwhile), NULL outside a receive. Readiness callbacks run inside the
 * receive and post to that mailbox: they use this pointer and need no pin
 * of their own, nor a wake-up. */
static _Thread_local struct mbox *serving;

/* qlen: stored under mu, read with or without it. */
static int qlen_of(struct mbox *b)
{
    return atomic_load_explicit(&b->qlen, memory_order_acquire);
}

static void qlen_add(struct mbox *b, int d)
{
    atomic_store_explicit(&b->qlen, qlen_of(b) + d, memory_order_release);
}

uint64_t esock__make_ref(void)
{
    return atomic_fetch_add(&next_ref, 1);
}

esock__mbox_hook_t esock__mbox_set_idle_hook(esock__mbox_hook_t fn)
{
    return atomic_exchange_explicit(&idle_hook, fn, memory_order_acq_rel);
}

void esock__mbox_on_destroy(void (*fn)(uint32_t mb))
{
    pthread_mutex_lock(&hooks_mu);
    for (int i = 0; i < 4; i++) {
        esock__mbox_hook_t h = atomic_load_explicit(&destroy_hooks[i], memory_order_relaxed);
        if (h == fn)
            break;
        if (h == NULL) {
            atomic_store_explicit(&destroy_hooks[i], fn, memory_order_release);
            break;
        }
    }
    pthread_mutex_unlock(&hooks_mu);
}

static void run_destroy_hooks(uint32_t mb)
{
    for (int i = 0; i < 4; i++) {
        esock__mbox_hook_t h = atomic_load_explicit(&destroy_hooks[i], memory_order_acquire);
        if (h == NULL)
            break;
        h(mb);
    }
}

/* Frees the payloads of a chain and its own entries (an embedded entry goes
 * with its payload, so nothing is read from it after that). */
static void free_queue(struct esock__qnode *q)
{
    while (q) {
        struct esock__qnode *n = q->next;
        esock_msg_t m = q->m;
        if (!q->embedded)
            esock__free(q);
        esock_msg_free(&m);
        q = n;
    }
}

static void unpin(struct mbox *b)
{
    if (atomic_fetch_sub(&b->ref.refs, 1) != 1)
        return;
    free_queue(b->head);
    esock__sys.close(b->epfd);
    esock__sys.close(b->efd);
    esock__free(b->w);
    esock__free(b->slot);
    pthread_cond_destroy(&b->side_cv);
    pthread_mutex_destroy(&b->mu);
    esock__free(b);
}

static struct mbox *pin(uint32_t id)
{
    return esock__htab_pin(&table, id);
}

int esock_mbox_create(esock_mbox_t *out)
{
    if (out == NULL)
        return -EINVAL;
    esock__sys_init();
    struct mbox *b = esock__calloc(1, sizeof *b);
    if (b == NULL)
        return -ENOMEM;
    b->epfd = esock__sys.epoll_create1(EPOLL_CLOEXEC);
    b->efd = b->epfd < 0 ? -1 : esock__sys.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    int rc = 0;
    if (b->epfd < 0 || b->efd < 0) {
        rc = -errno;
    } else {
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = b->efd};
        if (esock__sys.epoll_ctl(b->epfd, EPOLL_CTL_ADD, b->efd, &ev) < 0)
            rc = -errno;
    }
    if (rc == 0) {
        pthread_mutex_init(&b->mu, NULL);
        esock__cond_init_monotonic(&b->side_cv);
        atomic_init(&b->ref.refs, 1);
        rc = esock__htab_add(&table, &b->ref);
        if (rc < 0) {
            pthread_cond_destroy(&b->side_cv);
            pthread_mutex_destroy(&b->mu);
        }
    }
    if (rc < 0) {
        if (b->efd >= 0)
            esock__sys.close(b->efd);
        if (b->epfd >= 0)
            esock__sys.close(b->epfd);
        esock__free(b);
        return rc;
    }
    out->id = b->ref.id;
    return 0;
}

/* One per thread; its address names the thread (mbox.receiver). */
static _Thread_local char thread_token;

/* Under mu: whether the caller is to write the eventfd (after unlocking).
 * Not when it is set already: one readable eventfd wakes as well as many
 * writes, and a burst of posts from other threads costs one write. */
static bool arm_locked(struct mbox *b)
{
    if (b->efd_set)
        return false;
    b->efd_set = true;
    return true;
}

/* Under mu, after messages were queued: receivers that stepped aside
 * look at the queue again. */
static void queued_locked(struct mbox *b, size_t n)
{
    b->queued_gen += n;
    if (atomic_load(&b->nside) > 0)
        pthread_cond_broadcast(&b->side_cv);
}

static void wake(struct mbox *b)
{
    uint64_t one = 1;
    ssize_t r;
    do
        r = write(b->efd, &one, sizeof one);
    while (r < 0 && errno == EINTR);
}

int esock_mbox_destroy(esock_mbox_t mb)
{
    struct mbox *b = esock__htab_remove(&table, mb.id);
    if (b == NULL)
        return ESOCK_ECLOSED;
    pthread_mutex_lock(&b->mu);
    atomic_store_explicit(&b->dead, true, memory_order_release);
    b->efd_set = true; /* and stays readable: every waiter sees dead */
    pthread_cond_broadcast(&b->side_cv);
    struct esock__qnode *q = b->head;
    b->head = b->tail = NULL;
    atomic_store_explicit(&b->qlen, 0, memory_order_release);
    pthread_mutex_unlock(&b->mu);
    free_queue(q);
    wake(b);
    run_destroy_hooks(mb.id);
    unpin(b); /* the table's reference */
    return 0;
}

/* ---- the implicit per-thread mailbox ----------------------------------- */

static pthread_key_t self_key;
static pthread_once_t self_once = PTHREAD_ONCE_INIT;

static void self_free(void *p)
{
    esock_mbox_t mb = {(uint32_t)(uintptr_t)p};
    esock_mbox_destroy(mb);
}

static void self_init(void)
{
    pthread_key_create(&self_key, self_free);
}

esock_mbox_t esock_mbox_self(void)
{
    pthread_once(&self_once, self_init);
    esock_mbox_t mb = {(uint32_t)(uintptr_t)pthread_getspecific(self_key)};
    if (mb.id != 0 && esock__mbox_alive(mb.id))
        return mb;
    mb.id = 0;
    if (esock_mbox_create(&mb) == 0)
        pthread_setspecific(self_key, (void *)(uintptr_t)mb.id);
    return mb;
}

uint32_t esock__mbox_self_peek(void)
{
    pthread_once(&self_once, self_init);
    uint32_t id = (uint32_t)(uintptr_t)pthread_getspecific(self_key);
    return id != 0 && esock__mbox_alive(id) ? id : 0;
}

/* ---- posting ------------------------------------------------------------ */

static int post(struct mbox *b, const esock_msg_t *m)
{
    struct esock__qnode *q = esock__malloc(sizeof *q);
    if (q == NULL) { /* the payload is taken over on every outcome */
        esock_msg_t tmp = *m;
        esock_msg_free(&tmp);
        return -ENOMEM;
    }
    q->next = NULL;
    q->m = *m;
    q->embedded = false;
    pthread_mutex_lock(&b->mu);
    if (b->dead) {
        pthread_mutex_unlock(&b->mu);
        esock_msg_free(&q->m);
        esock__free(q);
        return ESOCK_ECLOSED;
    }
    if (b->tail)
        b->tail->next = q;
    else
        b->head = q;
    b->tail = q;
    qlen_add(b, 1);
    queued_locked(b, 1);
    /* inet: a post from the mailbox's own waiting thread (a readiness
     * callback) needs no wake-up: that thread looks at the queue again
     * before it blocks (and wakes others if it leaves some: wake_if_left).
     * Saves an eventfd write per delivered packet. */
    bool w = b != serving && arm_locked(b);
    pthread_mutex_unlock(&b->mu);
    if (w)
        wake(b);
    return 0;
}

/* The mailbox mb for a post, pinned unless it is the one this thread is
 * receiving on (already pinned by recv_impl; see serving). */
static struct mbox *pin_for_post(uint32_t mb)
{
    return serving && serving->ref.id == mb ? serving : pin(mb);
}

static void unpin_after_post(struct mbox *b)
{
    if (b != serving)
        unpin(b);
}

int esock__mbox_post(uint32_t mb, const esock_msg_t *msg)
{
    struct mbox *b = pin_for_post(mb);
    if (b == NULL) {
        esock_msg_t tmp = *msg;
        esock_msg_free(&tmp);
        return ESOCK_ECLOSED;
    }
    int rc = post(b, msg);
    unpin_after_post(b);
    return rc;
}

/* inet: posts a chain of embedded entries (what one readiness event
 * produced) with one pin and one lock and no allocation. */
int esock__mbox_post_nodes(uint32_t mb, struct esock__qnode *first, struct esock__qnode *last,
                           size_t n)
{
    if (first == NULL)
        return 0;
    last->next = NULL;
    struct mbox *b = pin_for_post(mb);
    int rc = b == NULL ? ESOCK_ECLOSED : 0;
    bool w = false;
    if (b != NULL) {
        pthread_mutex_lock(&b->mu);
        if (b->dead) {
            rc = ESOCK_ECLOSED;
        } else {
            if (b->tail)
                b->tail->next = first;
            else
                b->head = first;
            b->tail = last;
            qlen_add(b, (int)n);
            queued_locked(b, n);
            w = b != serving && arm_locked(b);
        }
        pthread_mutex_unlock(&b->mu);
        if (w)
            wake(b);
        unpin_after_post(b);
    }
    if (rc != 0)
        free_queue(first);
    return rc;
}

/* The kinds reserved for inet records (esock_inet_msg_t payloads). */
static bool inet_kind(int kind)
{
    return kind >= ESOCK_MSG_INET_FIRST && kind <= ESOCK_MSG_INET_LAST;
}

int esock__mbox_move_socket(uint32_t from, uint32_t to, uint32_t socket)
{
    struct mbox *b = pin(from);
    if (b == NULL)
        return 0;
    struct esock__qnode *first = NULL, *last = NULL, *prev = NULL;
    size_t n = 0;
    pthread_mutex_lock(&b->mu);
    for (struct esock__qnode *q = b->head, *next; q; q = next) {
        next = q->next;
        if (!inet_kind(q->m.kind) || q->m.socket != socket) {
            prev = q;
            continue;
        }
        if (prev)
            prev->next = next;
        else
            b->head = next;
        if (b->tail == q)
            b->tail = prev;
        q->next = NULL;
        if (last)
            last->next = q;
        else
            first = q;
        last = q;
        n++;
    }
    qlen_add(b, -(int)n);
    pthread_mutex_unlock(&b->mu);
    unpin(b);
    return esock__mbox_post_nodes(to, first, last, n);
}

int esock_mbox_post(esock_mbox_t mb, const esock_msg_t *msg)
{
    if (msg == NULL)
        return -EINVAL;
    if (inet_kind(msg->kind)) {
        free(msg->data); /* taken over in every case */
        return -EINVAL; /* reserved for the inet layer */
    }
    return esock__mbox_post(mb.id, msg);
}

bool esock__mbox_alive(uint32_t mb)
{
    struct mbox *b = pin(mb);
    if (b == NULL)
        return false;
    unpin(b);
    return true;
}

int esock_mbox_len(esock_mbox_t mb)
{
    struct mbox *b = pin(mb.id);
    if (b == NULL)
        return ESOCK_ECLOSED;
    int n = qlen_of(b);
    unpin(b);
    return n;
}

int esock_mbox_fd(esock_mbox_t mb)
{
    struct mbox *b = pin(mb.id);
    if (b == NULL)
        return ESOCK_ECLOSED;
    int fd = b->epfd;
    unpin(b);
    return fd;
}

/* How records of the inet kinds are freed. The inet layer sits above this
 * one and registers its function when it creates its first socket (no inet
 * record exists before that); plain free() until then. */
static _Atomic(void (*)(void *)) inet_record_free;

void esock__mbox_set_inet_free(void (*fn)(void *))
{
    atomic_store_explicit(&inet_record_free, fn, memory_order_release);
}

void esock_msg_free(esock_msg_t *msg)
{
    if (msg == NULL)
        return;
    /* An inet record may hold a reference to a shared read buffer
     * (zerocopy_min): its own free drops it. The inet kinds are posted
     * only by the library (esock_mbox_post refuses them). */
    void (*inet_free)(void *) = atomic_load_explicit(&inet_record_free, memory_order_acquire);
    if (inet_free && inet_kind(msg->kind))
        inet_free(msg->data);
    else
        free(msg->data);
    msg->data = NULL;
    msg->len = 0;
}

/* ---- watches ------------------------------------------------------------ */

/* Watches are found by fd through b->slot: every readiness event looks its
 * watch up, so the cost must not grow with the number of sockets. */
static struct watch *find_watch(struct mbox *b, int fd)
{
    if (fd < 0 || (size_t)fd >= b->nslot || b->slot[fd] == 0)
        return NULL;
    return &b->w[b->slot[fd] - 1];
}

/* Room for one more watch, on @p fd. */
static int watch_room(struct mbox *b, int fd)
{
    if ((size_t)fd >= b->nslot) {
        size_t n = b->nslot ? b->nslot : 64;
        while (n <= (size_t)fd)
            n *= 2;
        uint32_t *sl = esock__realloc(b->slot, n * sizeof *sl);
        if (sl == NULL)
            return -ENOMEM;
        memset(sl + b->nslot, 0, (n - b->nslot) * sizeof *sl);
        b->slot = sl;
        b->nslot = n;
    }
    if (b->nw == b->capw) {
        size_t nc = b->capw ? b->capw * 2 : 8;
        struct watch *nwv = esock__realloc(b->w, nc * sizeof *nwv);
        if (nwv == NULL)
            return -ENOMEM;
        b->w = nwv;
        b->capw = nc;
    }
    return 0;
}

/* The last watch takes the place of @p w. */
static void remove_watch(struct mbox *b, struct watch *w)
{
    size_t i = (size_t)(w - b->w);
    b->slot[w->fd] = 0;
    *w = b->w[--b->nw];
    if (i < b->nw)
        b->slot[w->fd] = (uint32_t)i + 1;
}

static int apply_interest(struct mbox *b, struct watch *w, int op)
{
    struct epoll_event ev = {
        .events = (w->ev & ESOCK__EV_IN ? EPOLLIN | EPOLLRDHUP : 0) |
                  (w->ev & ESOCK__EV_OUT ? EPOLLOUT : 0),
        .data.fd = w->fd,
    };
    if (esock__sys.epoll_ctl(b->epfd, op, w->fd, &ev) < 0)
        return -errno;
    return 0;
}

int esock__mbox_watch(uint32_t mb, int fd, unsigned events, esock__watch_cb cb, uint64_t arg)
{
    struct mbox *b = pin(mb);
    if (b == NULL)
        return ESOCK_ECLOSED;
    int rc = 0;
    pthread_mutex_lock(&b->mu);
    struct watch *w = find_watch(b, fd);
    bool added = false;
    if (w == NULL) {
        rc = fd < 0 ? -EBADF : watch_room(b, fd);
        if (rc < 0)
            goto out;
        w = &b->w[b->nw++];
        memset(w, 0, sizeof *w);
        w->fd = fd;
        b->slot[fd] = (uint32_t)b->nw;
        added = true;
    }
    unsigned dirs = events & (ESOCK__EV_IN | ESOCK__EV_OUT);
    w->cb = cb;
    w->arg = arg;
    w->ev = (uint8_t)(w->ev | dirs);
    if (events & ESOCK__WATCH_PERSIST)
        w->persist = (uint8_t)(w->persist | dirs);
    else
        w->persist = (uint8_t)(w->persist & ~dirs);
    rc = apply_interest(b, w, added ? EPOLL_CTL_ADD : EPOLL_CTL_MOD);
    if (rc == -EEXIST) /* fd was closed and reused without unwatch: re-add */
        rc = apply_interest(b, w, EPOLL_CTL_MOD);
    if (rc < 0 && added)
        remove_watch(b, w);
out:
    pthread_mutex_unlock(&b->mu);
    unpin(b);
    return rc;
}

static void drop_dirs(struct mbox *b, struct watch *w, unsigned dirs)
{
    w->ev = (uint8_t)(w->ev & ~dirs);
    w->persist = (uint8_t)(w->persist & ~dirs);
    if (w->ev == 0) {
        esock__sys.epoll_ctl(b->epfd, EPOLL_CTL_DEL, w->fd, NULL);
        remove_watch(b, w);
    } else {
        apply_interest(b, w, EPOLL_CTL_MOD);
    }
}

void esock__mbox_unwatch(uint32_t mb, int fd, unsigned events)
{
    struct mbox *b = pin(mb);
    if (b == NULL)
        return;
    pthread_mutex_lock(&b->mu);
    struct watch *w = find_watch(b, fd);
    if (w != NULL)
        drop_dirs(b, w, events & (ESOCK__EV_IN | ESOCK__EV_OUT));
    pthread_mutex_unlock(&b->mu);
    unpin(b);
}

/* Turns one epoll event into callbacks (called without the lock held). */
static void dispatch(struct mbox *b, int fd, uint32_t revents)
{
    unsigned fired = 0;
    if (revents & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
        fired |= ESOCK__EV_IN;
    if (revents & (EPOLLOUT | EPOLLHUP | EPOLLERR))
        fired |= ESOCK__EV_OUT;
    pthread_mutex_lock(&b->mu);
    struct watch *w = find_watch(b, fd);
    if (w == NULL) { /* unwatched since epoll_wait returned */
        pthread_mutex_unlock(&b->mu);
        return;
    }
    fired &= w->ev;
    /* copied now: a oneshot direction that fired may take the watch away */
    esock__watch_cb cb = w->cb;
    uint64_t arg = w->arg;
    unsigned oneshot = fired & ~w->persist;
    if (oneshot)
        drop_dirs(b, w, oneshot);
    pthread_mutex_unlock(&b->mu);
    if (fired & ESOCK__EV_IN)
        cb(arg, ESOCK__EV_IN);
    if (fired & ESOCK__EV_OUT)
        cb(arg, ESOCK__EV_OUT);
}

/* ---- receiving ------------------------------------------------------------ */

static bool matches(const esock_msg_t *m, const esock_msg_t *want)
{
    if (want == NULL)
        return true;
    return (want->kind == 0 || want->kind == m->kind) &&
           (want->socket == 0 || want->socket == m->socket) &&
           (want->tag == 0 || want->tag == m->tag) && (want->ref == 0 || want->ref == m->ref);
}

static bool take(struct mbox *b, const esock_msg_t *want, esock_msg_t *out)
{
    struct esock__qnode *prev = NULL;
    for (struct esock__qnode *q = b->head; q; prev = q, q = q->next) {
        if (!matches(&q->m, want))
            continue;
        if (prev)
            prev->next = q->next;
        else
            b->head = q->next;
        if (b->tail == q)
            b->tail = prev;
        qlen_add(b, -1);
        *out = q->m;
        if (!q->embedded) /* an embedded entry now belongs to the receiver's payload */
            esock__free(q);
        return true;
    }
    return false;
}

/* The readiness events of this thread's last epoll_wait not handled yet.
 * They are handled a batch at a time (handle_pending): the receiver gets
 * the messages of a socket that delivered a burst, and (idle hook) its
 * coalesced replies are written, before the next socket is read, as an
 * event loop writes after each read; its replies then wait for one
 * socket's work, not the whole round's. The watches are
 * level-triggered, so events dropped here (the thread moved on to another
 * mailbox) are reported again; a stale one costs a read that finds
 * nothing, as a spurious wake-up does. */
#define PENDING_MAX 32
static _Thread_local struct {
    uint32_t mb;
    int n, next;
    struct epoll_event ev[PENDING_MAX];
} pending;

/* The eventfd is read under mu, so that efd_set says whether it is
 * readable. Once the mailbox is dead it is left readable: every thread
 * waiting on it wakes (epoll wakes one waiter per event) and sees dead. */
static void read_efd(struct mbox *b)
{
    pthread_mutex_lock(&b->mu);
    if (!b->dead) {
        uint64_t v;
        while (read(b->efd, &v, sizeof v) < 0 && errno == EINTR)
            ;
        b->efd_set = false;
    }
    pthread_mutex_unlock(&b->mu);
}

/* A receive that leaves messages queued makes the eventfd readable if
 * no one has: for another thread waiting on this mailbox, and for an
 * event loop that polls esock_mbox_fd. */
static void wake_if_left(struct mbox *b)
{
    if (qlen_of(b) == 0)
        return;
    pthread_mutex_lock(&b->mu);
    bool w = !b->dead && b->head && arm_locked(b);
    pthread_mutex_unlock(&b->mu);
    if (w)
        wake(b);
}

static void handle_event(struct mbox *b, const struct epoll_event *e)
{
    if (e->data.fd == b->efd) {
        read_efd(b);
    } else {
        dispatch(b, e->data.fd, e->events);
    }
}

/* Handles pending events until they have queued a batch's worth of
 * messages (or none are left): a socket that delivers a burst is served
 * on its own, sockets with one message each are taken together. */
#define PENDING_BATCH 16
static _Thread_local bool burst_done;

void esock__mbox_burst(void)
{
    burst_done = true;
}

static void handle_pending(struct mbox *b)
{
    for (;;) {
        burst_done = false;
        handle_event(b, &pending.ev[pending.next++]);
        if (pending.next >= pending.n || burst_done || qlen_of(b) >= PENDING_BATCH)
            return;
    }
}

/* Takes up to max messages (max >= 1): how many. Lock held. */
static size_t take_many(struct mbox *b, esock_msg_t *out, size_t max)
{
    size_t n = 0;
    while (n < max && b->head) {
        struct esock__qnode *q = b->head;
        b->head = q->next;
        out[n++] = q->m;
        if (!q->embedded)
            esock__free(q);
    }
    if (b->head == NULL)
        b->tail = NULL;
    qlen_add(b, -(int)n);
    return n;
}

/* What a receive takes: the first message matching want, or (want NULL)
 * up to max messages. How many. Lock held. */
static size_t take_for(struct mbox *b, const esock_msg_t *want, esock_msg_t *out, size_t max)
{
    return want ? take(b, want, out) : take_many(b, out, max);
}

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* esock_mbox_set_spin: polls the readiness set without blocking for up to
 * the mailbox's spin time, bounded by @p ms (< 0: none) as well. Returns
 * what the last poll returned (0: nothing came, block now). */
static int spin(struct mbox *b, int ms)
{
    int64_t us = atomic_load_explicit(&b->spin_us, memory_order_relaxed);
    if (us == 0)
        return 0;
    if (ms > 0 && (int64_t)ms * 1000 < us)
        us = (int64_t)ms * 1000;
    int64_t end = now_ns() + us * 1000;
    int n;
    do
        n = esock__sys.epoll_wait(b->epfd, pending.ev, PENDING_MAX, 0);
    while (n == 0 && now_ns() < end);
    return n;
}

int esock_mbox_set_spin(esock_mbox_t mb, int64_t spin_us)
{
    if (spin_us < 0 || spin_us > 1000000)
        return -EINVAL;
    struct mbox *b = pin(mb.id);
    if (b == NULL)
        return ESOCK_ECLOSED;
    atomic_store_explicit(&b->spin_us, (int32_t)spin_us, memory_order_relaxed);
    unpin(b);
    return 0;
}

/* Whether the queue may hold a message or the mailbox was destroyed: only
 * then does the receiver take the lock. Another thread's post or destroy
 * stores under the lock before it writes the eventfd, and this thread
 * peeks after epoll_wait saw that write, so a peek cannot miss it (the
 * kernel's eventfd lock orders the two); this thread's own callbacks post
 * before it peeks. A ping-pong receive finds the queue empty twice per
 * message (before and after the idle hook). */
static bool has_news(struct mbox *b)
{
    return qlen_of(b) != 0 || atomic_load_explicit(&b->dead, memory_order_acquire);
}

/* ---- selective receivers beside other receivers ----------------------- *
 * Every receiver of a mailbox waits in its epoll set, and epoll wakes one
 * of them per event. A selective receiver woken for a message it does not
 * match would keep that wake-up from a receiver that wants the message,
 * which then slept on with the message queued. So a selective receiver
 * about to block, with messages queued that it does not match, while
 * another receiver is active (inside a receive and not stepping aside),
 * makes the eventfd readable for that one and waits on side_cv instead,
 * until something new is queued, no other receiver is active (one must
 * be in epoll to serve the mailbox's watches), the mailbox dies, or its
 * deadline. Of two selective receivers that match none of the queue, the
 * second finds no other active and blocks in epoll: the wake-up is not
 * passed back and forth. */

enum { ASIDE_NOT, ASIDE_TOOK, ASIDE_BACK };

/* ASIDE_TOOK: a matching message is in *out. ASIDE_BACK: stepped aside and
 * back, look at the queue again. ASIDE_NOT: block in epoll now. */
static int step_aside(struct mbox *b, const esock_msg_t *want, esock_msg_t *out, int64_t deadline)
{
    pthread_mutex_lock(&b->mu);
    if (b->dead || !b->head) {
        pthread_mutex_unlock(&b->mu);
        return ASIDE_NOT;
    }
    if (take(b, want, out)) {
        pthread_mutex_unlock(&b->mu);
        return ASIDE_TOOK;
    }
    int rc = ASIDE_NOT;
    /* Sequentially consistent with leave(): of this increment and a
     * leaving receiver's decrement, the later one sees the other. Both
     * counts include this thread. */
    atomic_fetch_add(&b->nside, 1);
    if (atomic_load(&b->nrecv) - atomic_load(&b->nside) > 0) {
        rc = ASIDE_BACK;
        if (arm_locked(b))
            wake(b);
        uint64_t gen = b->queued_gen;
        while (!b->dead && b->queued_gen == gen && atomic_load(&b->nrecv) - atomic_load(&b->nside) > 0)
            if (esock__cond_wait_until(&b->side_cv, &b->mu, deadline) == ETIMEDOUT)
                break;
    }
    atomic_fetch_sub(&b->nside, 1);
    pthread_mutex_unlock(&b->mu);
    return rc;
}

/* A receive ends: receivers that stepped aside for it look again. */
static void leave(struct mbox *b)
{
    atomic_fetch_sub(&b->nrecv, 1);
    if (atomic_load(&b->nside) > 0) {
        pthread_mutex_lock(&b->mu);
        pthread_cond_broadcast(&b->side_cv);
        pthread_mutex_unlock(&b->mu);
    }
}

/* One message matching want, or (want NULL) up to max messages. Returns the
 * number taken (>= 1) or an error. */
static int recv_impl(esock_mbox_t mb, const esock_msg_t *want, esock_msg_t *out, size_t max,
                     int64_t timeout_ms)
{
    if (out == NULL || max == 0)
        return -EINVAL;
    struct mbox *b = pin(mb.id);
    if (b == NULL)
        return ESOCK_ECLOSED;
    int64_t deadline = timeout_ms == ESOCK_NOWAIT ? 0 : timeout_ms < 0 ? -1 : esock__deadline_of(timeout_ms);
    struct mbox *saved = serving;
    serving = b;
    atomic_store_explicit(&b->receiver, &thread_token, memory_order_relaxed);
    atomic_fetch_add(&b->nrecv, 1);
    int rc;
    bool idled = false;
    for (;;) {
        bool dead = false;
        size_t got = 0;
        if (has_news(b)) {
            pthread_mutex_lock(&b->mu);
            dead = b->dead;
            got = dead ? 0 : take_for(b, want, out, max);
            pthread_mutex_unlock(&b->mu);
        }
        if (dead) {
            rc = ESOCK_ECLOSED;
            break;
        }
        if (got) {
            rc = (int)got;
            break;
        }
        int ms = deadline == 0 ? 0 : esock__ms_left(deadline);
        esock__mbox_hook_t idle = idled ? NULL : atomic_load_explicit(&idle_hook, memory_order_acquire);
        if (idle) { /* inet: also for a 0 timeout (a polling loop must flush too) */
            /* Before blocking, let the inet layer flush coalesced output;
             * then look again, since that may have produced messages. */
            idled = true;
            idle(mb.id);
            continue;
        }
        if (pending.mb == mb.id && pending.next < pending.n) {
            handle_pending(b);
            idled = false;
            continue;
        }
        if (want && ms != 0 && qlen_of(b) > 0) {
            int a = step_aside(b, want, out, deadline);
            if (a == ASIDE_TOOK) {
                rc = 1;
                break;
            }
            if (a == ASIDE_BACK)
                continue;
        }
        int n = ms == 0 ? 0 : spin(b, ms);
        if (n == 0)
            n = esock__sys.epoll_wait(b->epfd, pending.ev, PENDING_MAX, ms);
        if (n < 0 && errno != EINTR) {
            rc = -errno;
            break;
        }
        pending.mb = mb.id;
        pending.n = n > 0 ? n : 0;
        pending.next = 0;
        if (n > 0) {
            handle_pending(b);
            idled = false;
            continue;
        }
        if (n == 0 && ms == 0) {
            /* One last look: a callback of this round may have posted. */
            pthread_mutex_lock(&b->mu);
            got = b->dead ? 0 : take_for(b, want, out, max);
            pthread_mutex_unlock(&b->mu);
            rc = got ? (int)got : ESOCK_ETIMEOUT;
            break;
        }
    }
    wake_if_left(b);
    leave(b);
    serving = saved;
    unpin(b);
    return rc;
}

int esock_mbox_recv(esock_mbox_t mb, esock_msg_t *msg, int64_t timeout_ms)
{
    int rc = recv_impl(mb, NULL, msg, 1, timeout_ms);
    return rc > 0 ? 0 : rc;
}

int esock_mbox_recv_many(esock_mbox_t mb, esock_msg_t *msgs, size_t max, int64_t timeout_ms)
{
    if (max > INT_MAX)
        max = INT_MAX;
    return recv_impl(mb, NULL, msgs, max, timeout_ms);
}

int esock_mbox_recv_match(esock_mbox_t mb, const esock_msg_t *match, esock_msg_t *msg,
                          int64_t timeout_ms)
{
    int rc = recv_impl(mb, match, msg, 1, timeout_ms);
    return rc > 0 ? 0 : rc;
}

uint32_t esock__mbox_serving(void)
{
    return serving ? serving->ref.id : 0;
}

bool esock__mbox_is_receiver(uint32_t mb)
{
    if (serving && serving->ref.id == mb)
        return true;
    struct mbox *b = pin(mb);
    if (b == NULL)
        return false;
    bool me = atomic_load_explicit(&b->receiver, memory_order_relaxed) == &thread_token;
    unpin(b);
    return me;
}
