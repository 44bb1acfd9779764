/* Active modes: true, once, N with the passive message, the count
 * arithmetic, closed reported once, econnreset, buffered data on re-arm;
 * the per-thread read buffer is freed when its thread exits; message
 * blocks (one allocation with their mailbox entry, small ones reused). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "helpers.h"
#include "inet/inet_int.h"
#include "inet/msgblock.h"
#include "sys/sys.h"

static void data_then(esock_mbox_t mb, esock_inet_t a, const char *s)
{
    esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_DATA);
    assert_int_equal(m->sock.id, a.id);
    assert_int_equal(m->len, strlen(s));
    assert_memory_equal(m->data, s, m->len);
    esock_inet_msg_free(m);
}

static void set_active(esock_inet_t s, int64_t v, int want)
{
    esock_inet_opt_t o = OPT(ACTIVE, v);
    assert_int_equal(esock_inet_setopts(s, &o, 1), want);
}

static int64_t get_active(esock_inet_t s)
{
    esock_inet_opt_t o = {.name = ESOCK_IOPT_ACTIVE};
    size_t n;
    assert_int_equal(esock_inet_getopts(s, &o, 1, &n), 0);
    return o.v.i;
}

static void active_once(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_ONCE), OPTI(PACKET, ESOCK_INET_PACKET_2)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), mb, &l, &a);
    wr(fd, "\0\x01" "a" "\0\x01" "b", 6);
    data_then(mb, a, "a");
    expect_none(mb, 50); /* once: one message, no passive message */
    assert_int_equal(get_active(a), ESOCK_INET_ACTIVE_FALSE);
    set_active(a, ESOCK_INET_ACTIVE_ONCE, 0);
    data_then(mb, a, "b"); /* the buffered packet comes at once */
    expect_none(mb, 30);
    close(fd);
    msleep(20);
    expect_none(mb, 30); /* passive: the close is not reported yet */
    set_active(a, ESOCK_INET_ACTIVE_ONCE, 0);
    esock_inet_msg_free(expect_msg(mb, ESOCK_INET_MSG_CLOSED));
    expect_none(mb, 30);
    esock_inet_close(a);
    esock_inet_close(l);
    tm_free(mb);
}

static void active_n_passive_message(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, 2), OPTI(PACKET, ESOCK_INET_PACKET_1)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), mb, &l, &a);
    assert_int_equal(get_active(a), 2);
    wr(fd, "\x01" "1" "\x01" "2" "\x01" "3", 6);
    data_then(mb, a, "1");
    data_then(mb, a, "2");
    esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_PASSIVE);
    assert_int_equal(m->sock.id, a.id);
    esock_inet_msg_free(m);
    expect_none(mb, 30);
    assert_int_equal(get_active(a), ESOCK_INET_ACTIVE_FALSE);
    close(fd);
    /* {active,5} later: the buffered third, then closed */
    set_active(a, 5, 0);
    data_then(mb, a, "3");
    esock_inet_msg_free(expect_msg(mb, ESOCK_INET_MSG_CLOSED));
    expect_none(mb, 30);
    esock_inet_close(a);
    esock_inet_close(l);
    tm_free(mb);
}

static void active_n_arithmetic(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    uint16_t port;
    esock_inet_t l = inet_listener(NULL, 0, mb, &port);
    set_active(l, 3, 0);
    assert_int_equal(get_active(l), 3);
    set_active(l, -3, 0); /* reaches 0: passive + message */
    esock_inet_msg_free(expect_msg(mb, ESOCK_INET_MSG_PASSIVE));
    assert_int_equal(get_active(l), ESOCK_INET_ACTIVE_FALSE);
    set_active(l, 0, 0); /* {active,0} on a passive socket: another message */
    esock_inet_msg_free(expect_msg(mb, ESOCK_INET_MSG_PASSIVE));
    set_active(l, ESOCK_INET_ACTIVE_FALSE, 0); /* false is not a count: no message */
    expect_none(mb, 20);
    set_active(l, 32767, 0);
    assert_int_equal(get_active(l), 32767);
    set_active(l, 1, -EINVAL); /* 32768 */
    assert_int_equal(get_active(l), 32767);
    set_active(l, -32769, -EINVAL);
    set_active(l, 32768, -EINVAL);
    set_active(l, -32768, 0);
    esock_inet_msg_free(expect_msg(mb, ESOCK_INET_MSG_PASSIVE));
    set_active(l, 5, 0);
    set_active(l, ESOCK_INET_ACTIVE_TRUE, 0);
    assert_int_equal(get_active(l), ESOCK_INET_ACTIVE_TRUE);
    set_active(l, 5, 0);
    set_active(l, ESOCK_INET_ACTIVE_ONCE, 0);
    assert_int_equal(get_active(l), ESOCK_INET_ACTIVE_ONCE);
    expect_none(mb, 20);
    esock_inet_close(l);
    /* listen with {active,0}: an immediate passive message */
    const esock_inet_opt_t z[] = {OPTI(ACTIVE, 0)};
    l = inet_listener(z, 1, mb, &port);
    esock_inet_msg_free(expect_msg(mb, ESOCK_INET_MSG_PASSIVE));
    esock_inet_close(l);
    tm_free(mb);
}

static void accept_inherits_active_n(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, 3), OPTI(PACKET, ESOCK_INET_PACKET_4), OPTI(MODE, 1)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), mb, &l, &a);
    assert_int_equal(get_active(a), 3);
    for (int k = 0; k < 3; k++) {
        wr(fd, "\0\0\0\x02" "hi", 6);
        data_then(mb, a, "hi");
        assert_int_equal(esock_inet_send(a, "hi", 2), 0);
        char b[6];
        rd(fd, b, 6);
    }
    esock_inet_msg_free(expect_msg(mb, ESOCK_INET_MSG_PASSIVE));
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
    tm_free(mb);
}

/* Both ends esock sockets with {active, 3} (gen_tcp_misc_SUITE active_n):
 * three echo round trips, then each end gets its passive message once. */
static void active_n_on_both_ends(void **st)
{
    (void)st;
    esock_mbox_t mc = tm_new(), ms = tm_new();
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, 3), OPTI(PACKET, ESOCK_INET_PACKET_4), OPTI(MODE, 1)};
    uint16_t port;
    esock_inet_t l = inet_listener(o, NOPTS(o), ms, &port), c, a;
    esock_sockaddr_t to = lo4(port);
    assert_int_equal(esock_inet_connect(&c, &to, o, NOPTS(o), mc, 1000), 0);
    assert_int_equal(esock_inet_accept(l, &a, ms, 1000), 0);
    for (int k = 0; k < 3; k++) {
        assert_int_equal(esock_inet_send(c, "ping", 4), 0);
        data_then(ms, a, "ping");
        assert_int_equal(esock_inet_send(a, "pong", 4), 0);
        data_then(mc, c, "pong");
    }
    esock_inet_msg_t *m = expect_msg(ms, ESOCK_INET_MSG_PASSIVE);
    assert_int_equal(m->sock.id, a.id);
    esock_inet_msg_free(m);
    m = expect_msg(mc, ESOCK_INET_MSG_PASSIVE);
    assert_int_equal(m->sock.id, c.id);
    esock_inet_msg_free(m);
    expect_none(ms, 30);
    expect_none(mc, 30);
    assert_int_equal(get_active(a), ESOCK_INET_ACTIVE_FALSE);
    assert_int_equal(get_active(c), ESOCK_INET_ACTIVE_FALSE);
    esock_inet_close(c);
    esock_inet_close(a);
    esock_inet_close(l);
    tm_free(mc);
    tm_free(ms);
}

static void closed_mid_packet_active(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t o[] = {OPTI(PACKET, ESOCK_INET_PACKET_2)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), mb, &l, &a);
    wr(fd, "\0\x02" "ab" "\0\x05" "cd", 8); /* a whole packet and half of one */
    data_then(mb, a, "ab");
    close(fd);
    esock_inet_msg_free(expect_msg(mb, ESOCK_INET_MSG_CLOSED)); /* the half is dropped */
    expect_none(mb, 50); /* closed is reported once */
    esock_inet_close(a);
    esock_inet_close(l);
    tm_free(mb);
}

static void closed_mid_packet_passive(void **st)
{
    (void)st;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(PACKET, ESOCK_INET_PACKET_2)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), ESOCK_INET_NO_OWNER, &l, &a);
    wr(fd, "\0\x02" "ab" "\0\x01", 6);
    close(fd);
    msleep(20);
    char b[8];
    size_t got;
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 1000), 0);
    assert_memory_equal(b, "ab", 2);
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 1000), ESOCK_ECLOSED);
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 1000), -ENOTCONN);
    esock_inet_close(a);
    esock_inet_close(l);
}

static void closed_seen_passive_reported_once(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(EXIT_ON_CLOSE, 0)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), mb, &l, &a);
    close(fd);
    char b[8];
    size_t got;
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 1000), ESOCK_ECLOSED);
    /* made active later: the closed message comes, once (OTP 25 does the same) */
    set_active(a, ESOCK_INET_ACTIVE_TRUE, 0);
    esock_inet_msg_free(expect_msg(mb, ESOCK_INET_MSG_CLOSED));
    set_active(a, ESOCK_INET_ACTIVE_FALSE, 0);
    set_active(a, ESOCK_INET_ACTIVE_ONCE, 0);
    expect_none(mb, 50);
    /* exit_on_close false: still writable */
    assert_int_equal(esock_inet_send(a, "w", 1), 0);
    esock_inet_close(a);
    esock_inet_close(l);
    tm_free(mb);
}

static void econnreset_active(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t o[] = {OPTI(SHOW_ECONNRESET, 1)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), mb, &l, &a);
    uint64_t ref;
    assert_int_equal(esock_inet_monitor(a, mb, &ref), 0);
    struct linger lg = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
    esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_ERROR);
    assert_int_equal(m->error, -ECONNRESET);
    esock_inet_msg_free(m);
    esock_inet_msg_free(expect_msg(mb, ESOCK_INET_MSG_CLOSED));
    /* the port goes away: DOWN with the reason, as OTP 25 */
    m = expect_msg(mb, ESOCK_INET_MSG_DOWN);
    assert_int_equal(m->mref, ref);
    assert_int_equal(m->error, -ECONNRESET);
    esock_inet_msg_free(m);
    esock_inet_close(a);
    esock_inet_close(l);
    tm_free(mb);
}

static void one_mailbox_many_sockets(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t o[] = {OPTI(PACKET, ESOCK_INET_PACKET_4)};
    uint16_t port;
    esock_inet_t l = inet_listener(o, NOPTS(o), mb, &port), c[8], a[8];
    esock_sockaddr_t to = lo4(port);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(esock_inet_connect(&c[i], &to, o, NOPTS(o), mb, 1000), 0);
        assert_int_equal(esock_inet_accept(l, &a[i], ESOCK_INET_NO_OWNER, 1000), 0);
    }
    for (int i = 0; i < 8; i++)
        assert_int_equal(esock_inet_send(c[i], &i, sizeof i), 0);
    int seen = 0;
    for (int k = 0; k < 8; k++) {
        esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_DATA);
        int v;
        memcpy(&v, m->data, sizeof v);
        assert_int_equal(m->sock.id, a[v].id);
        seen |= 1 << v;
        esock_inet_msg_free(m);
    }
    assert_int_equal(seen, 0xff);
    for (int i = 0; i < 8; i++) {
        esock_inet_close(c[i]);
        esock_inet_close(a[i]);
    }
    esock_inet_close(l);
    tm_free(mb);
}

static void nowait_accept_select(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    uint16_t port;
    esock_inet_t l = inet_listener(NULL, 0, mb, &port), a, c;
    assert_int_equal(esock_inet_accept(l, &a, ESOCK_INET_NO_OWNER, ESOCK_NOWAIT), ESOCK_SELECT);
    expect_none(mb, 20);
    esock_sockaddr_t to = lo4(port);
    assert_int_equal(esock_inet_connect(&c, &to, NULL, 0, ESOCK_INET_NO_OWNER, 1000), 0);
    esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_SELECT);
    assert_int_equal(m->sock.id, l.id);
    esock_inet_msg_free(m);
    assert_int_equal(esock_inet_accept(l, &a, ESOCK_INET_NO_OWNER, ESOCK_NOWAIT), 0);
    esock_inet_close(a);
    esock_inet_close(c);
    esock_inet_close(l);
    tm_free(mb);
}

static void controlling_process_moves_messages(void **st)
{
    (void)st;
    esock_mbox_t m1 = tm_new(), m2 = tm_new();
    esock_inet_t l, a;
    int fd = inet_peer_pair(NULL, 0, m1, &l, &a);
    assert_int_equal(esock_inet_controlling_process(a, m2), 0);
    wr(fd, "q", 1);
    esock_inet_msg_free(expect_msg(m2, ESOCK_INET_MSG_DATA));
    expect_none(m1, 20);
    close(fd);
    esock_inet_msg_free(expect_msg(m2, ESOCK_INET_MSG_CLOSED));
    esock_inet_close(a);
    esock_inet_close(l);
    assert_int_equal(esock_inet_controlling_process(a, m1), ESOCK_ECLOSED);
    tm_free(m1);
    tm_free(m2);
}

/* Read interest is dropped lazily (active.c, set_interest): {active, once}
 * re-armed between packets and a listener between a select message and the
 * next nowait accept cost no epoll_ctl on their fd at all; a kept interest
 * that fires while not wanted is dropped then, once, and delivers nothing. */
static _Atomic int ctl_calls, ctl_fd;
static int (*real_epoll_ctl)(int, int, int, struct epoll_event *);
static int counting_epoll_ctl(int ep, int op, int fd, struct epoll_event *ev)
{
    if (fd == atomic_load(&ctl_fd))
        atomic_fetch_add(&ctl_calls, 1);
    return real_epoll_ctl(ep, op, fd, ev);
}

static void read_interest_kept_lazily(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_ONCE), OPTI(PACKET, ESOCK_INET_PACKET_2)};
    esock_inet_t l, a, c;
    int fd = inet_peer_pair(o, NOPTS(o), mb, &l, &a);
    real_epoll_ctl = esock__sys.epoll_ctl;
    atomic_store(&ctl_calls, 0);
    atomic_store(&ctl_fd, esock_inet_fd(a));
    esock__sys.epoll_ctl = counting_epoll_ctl;
    for (int i = 0; i < 20; i++) { /* the last one leaves it passive */
        char p[3] = {0, 1, (char)('a' + i)}, want[2] = {p[2], 0};
        wr(fd, p, 3);
        data_then(mb, a, want);
        if (i < 19)
            set_active(a, ESOCK_INET_ACTIVE_ONCE, 0);
    }
    int ping_pong = atomic_load(&ctl_calls);
    /* passive now: the packet wakes the owner's loop once, which drops the
     * interest and delivers nothing */
    int before = atomic_load(&ctl_calls);
    assert_int_equal(get_active(a), ESOCK_INET_ACTIVE_FALSE);
    wr(fd, "\0\x01" "z", 3);
    expect_none(mb, 50);
    int dropped = atomic_load(&ctl_calls) - before;
    expect_none(mb, 30);
    int later = atomic_load(&ctl_calls) - before;
    set_active(a, ESOCK_INET_ACTIVE_ONCE, 0);
    data_then(mb, a, "z");
    int rearmed = atomic_load(&ctl_calls) - before;
    /* a listener: select message, accept, nowait accept again */
    uint16_t port;
    esock_inet_t l2 = inet_listener(NULL, 0, mb, &port), a2;
    assert_int_equal(esock_inet_accept(l2, &a2, ESOCK_INET_NO_OWNER, ESOCK_NOWAIT), ESOCK_SELECT);
    atomic_store(&ctl_fd, esock_inet_fd(l2));
    before = atomic_load(&ctl_calls);
    esock_sockaddr_t to = lo4(port);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(esock_inet_connect(&c, &to, NULL, 0, ESOCK_INET_NO_OWNER, 1000), 0);
        esock_inet_msg_free(expect_msg(mb, ESOCK_INET_MSG_SELECT));
        assert_int_equal(esock_inet_accept(l2, &a2, ESOCK_INET_NO_OWNER, ESOCK_NOWAIT), 0);
        assert_int_equal(esock_inet_accept(l2, &a2, ESOCK_INET_NO_OWNER, ESOCK_NOWAIT), ESOCK_SELECT);
        esock_inet_close(a2);
        esock_inet_close(c);
    }
    int accepting = atomic_load(&ctl_calls) - before;
    esock__sys.epoll_ctl = real_epoll_ctl;
    assert_int_equal(ping_pong, 0);
    assert_int_equal(dropped, 1);
    assert_int_equal(later, 1);
    assert_int_equal(rearmed, 2);
    assert_int_equal(accepting, 0);
    close(fd);
    esock_inet_close(l2);
    esock_inet_close(a);
    esock_inet_close(l);
    tm_free(mb);
}

/* ---- A seam-counted heap: the blocks allocated through esock__sys by
 * the threads that ask for it, and whether they were freed (by anyone). */

#define HEAP_MAX 256
static struct {
    pthread_mutex_t mu;
    void *live[HEAP_MAX];
    size_t size[HEAP_MAX];
    unsigned nlive, overflow;
} heap = {.mu = PTHREAD_MUTEX_INITIALIZER};
static _Thread_local bool heap_watch; /* this thread's blocks are counted */
static struct esock__sys heap_real;   /* the table the wrappers call on to */

static void heap_note(void *p, size_t n)
{
    if (!p || !heap_watch)
        return;
    pthread_mutex_lock(&heap.mu);
    if (heap.nlive < HEAP_MAX) {
        heap.live[heap.nlive] = p;
        heap.size[heap.nlive++] = n;
    } else {
        heap.overflow++;
    }
    pthread_mutex_unlock(&heap.mu);
}

static void heap_forget(void *p)
{
    pthread_mutex_lock(&heap.mu);
    for (unsigned i = 0; i < heap.nlive; i++)
        if (heap.live[i] == p) {
            heap.live[i] = heap.live[--heap.nlive];
            heap.size[i] = heap.size[heap.nlive];
            break;
        }
    pthread_mutex_unlock(&heap.mu);
}

static void *heap_malloc(size_t n)
{
    void *p = heap_real.malloc(n);
    heap_note(p, n);
    return p;
}

static void *heap_calloc(size_t k, size_t n)
{
    void *p = heap_real.calloc(k, n);
    heap_note(p, k * n);
    return p;
}

static void *heap_realloc(void *old, size_t n)
{
    void *p = heap_real.realloc(old, n);
    if (p || n == 0) {
        heap_forget(old);
        heap_note(p, n);
    }
    return p;
}

static void heap_free(void *p)
{
    if (p)
        heap_forget(p);
    heap_real.free(p);
}

/* Live counted blocks, and how many of them have at least @p size bytes
 * (a read buffer is ESOCK__INET_SCRATCH bytes after a small header). */
static unsigned heap_live(size_t size, unsigned *of_size)
{
    pthread_mutex_lock(&heap.mu);
    unsigned n = heap.nlive, k = 0;
    for (unsigned i = 0; i < n; i++)
        k += heap.size[i] >= size;
    pthread_mutex_unlock(&heap.mu);
    if (of_size)
        *of_size = k;
    return n;
}

struct active_thread {
    esock_mbox_t mb;
    int kind;          /* the message it got (0: none) */
    size_t len;
    unsigned live_64k; /* 64 KiB blocks of this thread alive while it ran */
};

/* Serves the mailbox once (the readiness loop reads the socket on this
 * thread), notes what it got and what it holds, and exits. No cmocka
 * asserts here: the main thread checks. */
static void *active_thread_main(void *p)
{
    struct active_thread *t = p;
    heap_watch = true;
    esock_msg_t m;
    if (esock_mbox_recv(t->mb, &m, 2000) == 0) {
        esock_inet_msg_t *im = esock_inet_msg(&m);
        t->kind = im ? (int)im->kind : -1;
        t->len = im ? im->len : 0;
        esock_msg_free(&m);
    }
    heap_live(ESOCK__INET_SCRATCH, &t->live_64k);
    return NULL;
}

/* The read buffer (ESOCK__INET_SCRATCH) an active read allocates on its thread is freed
 * when that thread exits (it used to stay allocated for ever: a leak per
 * thread for programs whose threads come and go). */
static void active_thread_exit_frees_read_buffer(void **st)
{
    (void)st;
    heap_real = esock__sys;
    heap.nlive = heap.overflow = 0;
    esock__sys.malloc = heap_malloc;
    esock__sys.calloc = heap_calloc;
    esock__sys.realloc = heap_realloc;
    esock__sys.free = heap_free;

    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_TRUE), OPTI(PACKET, ESOCK_INET_PACKET_LINE)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), mb, &l, &a);
    wr(fd, "ping\n", 5);
    struct active_thread t = {.mb = mb};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, active_thread_main, &t), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
    tm_free(mb);
    unsigned k64;
    unsigned live = heap_live(ESOCK__INET_SCRATCH, &k64);
    unsigned overflow = heap.overflow;
    esock__sys = heap_real;

    assert_int_equal(t.kind, ESOCK_INET_MSG_DATA);
    assert_int_equal(t.len, 5);
    assert_int_equal(overflow, 0);
    /* the read did go through the thread's read buffer ... */
    assert_int_equal(t.live_64k, 1);
    /* ... which left with the thread, as did everything else it allocated */
    if (live)
        print_error("%u block(s) allocated by the exited thread still live (%u of them read buffers)\n", live, k64);
    assert_int_equal(live, 0);
}

/* A burst of small packets: every message arrives whole and in order, the
 * blocks freed are kept for reuse (bounded), reused by the next burst, and
 * a block may also be freed with plain free(). */
static void message_blocks_reused(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_TRUE), OPTI(PACKET, ESOCK_INET_PACKET_2)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), mb, &l, &a);
    enum { BURST = 300 };
    uint8_t out[BURST * 6];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < BURST; i++) {
            uint8_t *p = out + i * 6;
            p[0] = 0;
            p[1] = 4;
            memcpy(p + 2, &i, 4);
        }
        wr(fd, out, sizeof out);
        unsigned kept_before = esock__msgblock_kept();
        for (int i = 0; i < BURST; i++) {
            esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_DATA);
            assert_int_equal(m->len, 4);
            int v;
            memcpy(&v, m->data, 4);
            assert_int_equal(v, i);
            if (i % 50 == 49)
                free(m); /* a plain malloc block */
            else
                esock_inet_msg_free(m);
        }
        unsigned kept = esock__msgblock_kept();
        assert_true(kept <= 256);
        if (round == 1) /* the second burst reused what the first left */
            assert_true(kept_before > 0 && kept >= kept_before - 6);
        assert_true(kept > 0);
    }
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
    tm_free(mb);
}

/* A mailbox destroyed with inet messages queued frees them and the
 * entries inside them (checked by the sanitizers and valgrind). */
static void queued_blocks_freed_with_mailbox(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_TRUE), OPTI(PACKET, ESOCK_INET_PACKET_LINE)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), mb, &l, &a);
    wr(fd, "a\nb\nc\n", 6);
    esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_DATA); /* reads all three */
    esock_inet_msg_free(m);
    assert_int_equal(esock_mbox_len(mb), 2);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
    tm_free(mb);
}

const struct CMUnitTest inet_tests_active[] = {
    cmocka_unit_test_teardown(active_once, inet_teardown),
    cmocka_unit_test_teardown(active_n_passive_message, inet_teardown),
    cmocka_unit_test_teardown(active_n_arithmetic, inet_teardown),
    cmocka_unit_test_teardown(accept_inherits_active_n, inet_teardown),
    cmocka_unit_test_teardown(active_n_on_both_ends, inet_teardown),
    cmocka_unit_test_teardown(closed_mid_packet_active, inet_teardown),
    cmocka_unit_test_teardown(closed_mid_packet_passive, inet_teardown),
    cmocka_unit_test_teardown(closed_seen_passive_reported_once, inet_teardown),
    cmocka_unit_test_teardown(econnreset_active, inet_teardown),
    cmocka_unit_test_teardown(one_mailbox_many_sockets, inet_teardown),
    cmocka_unit_test_teardown(nowait_accept_select, inet_teardown),
    cmocka_unit_test_teardown(controlling_process_moves_messages, inet_teardown),
    cmocka_unit_test_teardown(read_interest_kept_lazily, inet_teardown),
    cmocka_unit_test_teardown(active_thread_exit_frees_read_buffer, inet_teardown),
    cmocka_unit_test_teardown(message_blocks_reused, inet_teardown),
    cmocka_unit_test_teardown(queued_blocks_freed_with_mailbox, inet_teardown),
};
const size_t inet_ntests_active = NOPTS(inet_tests_active);
