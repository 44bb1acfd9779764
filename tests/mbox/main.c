/* Mailbox tests: queue order, timeouts, selective receive, cross-thread
 * posts and wake-ups, destroy semantics, the pollable fd and fd watches. */
#include <esock/mbox.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "mbox/mbox_int.h"
#include "sys/sys.h"
#include "testnet.h"

static esock_msg_t user(uint64_t ref)
{
    esock_msg_t m = {0};
    m.kind = ESOCK_MSG_USER;
    m.ref = ref;
    return m;
}

static void test_create_destroy_stale(void **state)
{
    (void)state;
    esock_mbox_t mb, zero = {0};
    esock_msg_t m;
    assert_int_equal(esock_mbox_create(NULL), -EINVAL);
    assert_int_equal(esock_mbox_create(&mb), 0);
    assert_int_not_equal(mb.id, 0);
    assert_int_equal(esock_mbox_len(mb), 0);
    assert_int_equal(esock_mbox_recv(mb, NULL, 0), -EINVAL);
    assert_int_equal(esock_mbox_post(mb, NULL), -EINVAL);
    assert_true(esock_mbox_fd(mb) >= 0);
    assert_int_equal(esock_mbox_destroy(mb), 0);
    /* The stale handle fails everywhere, and never touches freed memory. */
    assert_int_equal(esock_mbox_destroy(mb), ESOCK_ECLOSED);
    assert_int_equal(esock_mbox_recv(mb, &m, 0), ESOCK_ECLOSED);
    assert_int_equal(esock_mbox_len(mb), ESOCK_ECLOSED);
    assert_int_equal(esock_mbox_fd(mb), ESOCK_ECLOSED);
    esock_msg_t u = user(1);
    assert_int_equal(esock_mbox_post(mb, &u), ESOCK_ECLOSED);
    assert_int_equal(esock_mbox_recv(zero, &m, 0), ESOCK_ECLOSED);
    /* A new mailbox never reuses the stale handle's value. */
    esock_mbox_t mb2;
    assert_int_equal(esock_mbox_create(&mb2), 0);
    assert_int_not_equal(mb2.id, mb.id);
    assert_int_equal(esock_mbox_destroy(mb2), 0);
}

static void test_fifo_and_timeouts(void **state)
{
    (void)state;
    esock_mbox_t mb;
    esock_msg_t m;
    assert_int_equal(esock_mbox_create(&mb), 0);
    assert_int_equal(esock_mbox_recv(mb, &m, 0), ESOCK_ETIMEOUT);
    assert_int_equal(esock_mbox_recv(mb, &m, ESOCK_NOWAIT), ESOCK_ETIMEOUT);
    int64_t t0 = now_ms();
    assert_int_equal(esock_mbox_recv(mb, &m, 60), ESOCK_ETIMEOUT);
    int64_t el = now_ms() - t0;
    assert_true(el >= 55 && el < 2000);
    for (uint64_t i = 1; i <= 5; i++) {
        esock_msg_t u = user(i);
        assert_int_equal(esock_mbox_post(mb, &u), 0);
    }
    assert_int_equal(esock_mbox_len(mb), 5);
    for (uint64_t i = 1; i <= 5; i++) {
        assert_int_equal(esock_mbox_recv(mb, &m, ESOCK_INFINITY), 0);
        assert_int_equal(m.kind, ESOCK_MSG_USER);
        assert_int_equal(m.ref, i);
        esock_msg_free(&m);
    }
    assert_int_equal(esock_mbox_len(mb), 0);
    assert_int_equal(esock_mbox_destroy(mb), 0);
}

static void test_selective_receive(void **state)
{
    (void)state;
    esock_mbox_t mb;
    assert_int_equal(esock_mbox_create(&mb), 0);
    esock_msg_t a = {.kind = ESOCK_MSG_SELECT, .socket = 7, .tag = ESOCK_OP_RECV, .ref = 100};
    esock_msg_t b = {.kind = ESOCK_MSG_SELECT, .socket = 8, .tag = ESOCK_OP_SEND, .ref = 200};
    esock_msg_t c = {.kind = ESOCK_MSG_ABORT, .socket = 7, .tag = ESOCK_OP_RECV, .ref = 300,
                     .reason = ESOCK_ECLOSED};
    esock_msg_t d = user(400);
    assert_int_equal(esock_mbox_post(mb, &a), 0);
    assert_int_equal(esock_mbox_post(mb, &b), 0);
    assert_int_equal(esock_mbox_post(mb, &c), 0);
    assert_int_equal(esock_mbox_post(mb, &d), 0);

    esock_msg_t m, pat;
    /* By kind. */
    pat = (esock_msg_t){.kind = ESOCK_MSG_ABORT};
    assert_int_equal(esock_mbox_recv_match(mb, &pat, &m, 0), 0);
    assert_int_equal(m.ref, 300);
    assert_int_equal(m.reason, ESOCK_ECLOSED);
    /* By socket. */
    pat = (esock_msg_t){.socket = 8};
    assert_int_equal(esock_mbox_recv_match(mb, &pat, &m, 0), 0);
    assert_int_equal(m.ref, 200);
    /* By select handle: nothing matches, so it times out and keeps the queue. */
    pat = (esock_msg_t){.ref = 999};
    int64_t t0 = now_ms();
    assert_int_equal(esock_mbox_recv_match(mb, &pat, &m, 30), ESOCK_ETIMEOUT);
    assert_true(now_ms() - t0 >= 25);
    assert_int_equal(esock_mbox_len(mb), 2);
    /* The others stay queued in their order. */
    assert_int_equal(esock_mbox_recv(mb, &m, 0), 0);
    assert_int_equal(m.ref, 100);
    assert_int_equal(esock_mbox_recv(mb, &m, 0), 0);
    assert_int_equal(m.ref, 400);
    assert_int_equal(esock_mbox_destroy(mb), 0);
}

struct poster {
    esock_mbox_t mb;
    int delay_ms;
    int n;
};

static void *post_later(void *arg)
{
    struct poster *p = arg;
    usleep((useconds_t)p->delay_ms * 1000);
    for (int i = 0; i < p->n; i++) {
        esock_msg_t u = user((uint64_t)i + 1);
        u.data = malloc(16);
        u.len = 16;
        memset(u.data, 'x', 16);
        assert_int_equal(esock_mbox_post(p->mb, &u), 0);
    }
    return NULL;
}

static void test_cross_thread_post_wakes(void **state)
{
    (void)state;
    esock_mbox_t mb;
    assert_int_equal(esock_mbox_create(&mb), 0);
    struct poster p = {mb, 30, 200};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, post_later, &p), 0);
    for (int i = 0; i < p.n; i++) {
        esock_msg_t m;
        assert_int_equal(esock_mbox_recv(mb, &m, 5000), 0);
        assert_int_equal(m.ref, (uint64_t)i + 1);
        assert_int_equal(m.len, 16);
        assert_int_equal(((char *)m.data)[15], 'x');
        esock_msg_free(&m);
        assert_null(m.data);
        esock_msg_free(&m); /* idempotent */
    }
    pthread_join(th, NULL);
    assert_int_equal(esock_mbox_destroy(mb), 0);
}

struct waiter {
    esock_mbox_t mb;
    int rc;
};

static void *wait_forever(void *arg)
{
    struct waiter *w = arg;
    esock_msg_t m;
    w->rc = esock_mbox_recv(w->mb, &m, ESOCK_INFINITY);
    return NULL;
}

static void test_destroy_wakes_waiter_and_frees_queue(void **state)
{
    (void)state;
    esock_mbox_t mb;
    assert_int_equal(esock_mbox_create(&mb), 0);
    struct waiter w = {mb, 1};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, wait_forever, &w), 0);
    usleep(30000);
    assert_int_equal(esock_mbox_destroy(mb), 0);
    pthread_join(th, NULL);
    assert_int_equal(w.rc, ESOCK_ECLOSED);

    /* Queued payloads are freed by destroy (ASan checks for the leak). */
    assert_int_equal(esock_mbox_create(&mb), 0);
    esock_msg_t u = user(1);
    u.data = malloc(32);
    u.len = 32;
    assert_int_equal(esock_mbox_post(mb, &u), 0);
    assert_int_equal(esock_mbox_destroy(mb), 0);
}

/* Several threads waiting: destroy returns every one of them (epoll wakes
 * one waiter per event; the eventfd of a dead mailbox stays readable). */
struct timed_waiter {
    esock_mbox_t mb;
    int rc;
    int64_t ms;
};

static void *wait_3s(void *arg)
{
    struct timed_waiter *w = arg;
    esock_msg_t m;
    int64_t t0 = now_ms();
    w->rc = esock_mbox_recv(w->mb, &m, 3000);
    w->ms = now_ms() - t0;
    if (w->rc == 0)
        esock_msg_free(&m);
    return NULL;
}

static void start_waiters(esock_mbox_t mb, struct timed_waiter *w, pthread_t *th, int n)
{
    for (int i = 0; i < n; i++) {
        w[i] = (struct timed_waiter){mb, 1, 0};
        assert_int_equal(pthread_create(&th[i], NULL, wait_3s, &w[i]), 0);
    }
    usleep(100000); /* all of them asleep in the mailbox */
}

static void test_destroy_wakes_every_waiter(void **state)
{
    (void)state;
    esock_mbox_t mb;
    assert_int_equal(esock_mbox_create(&mb), 0);
    struct timed_waiter w[3];
    pthread_t th[3];
    start_waiters(mb, w, th, 3);
    assert_int_equal(esock_mbox_destroy(mb), 0);
    for (int i = 0; i < 3; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].rc, ESOCK_ECLOSED);
        assert_true(w[i].ms < 2000); /* woken, not timed out */
    }
}

/* Two waiters, two messages posted together: each waiter gets one at once
 * (the first one's receive read the wake-up count away and took one). */
static void test_two_waiters_two_posts(void **state)
{
    (void)state;
    esock_mbox_t mb;
    assert_int_equal(esock_mbox_create(&mb), 0);
    struct timed_waiter w[2];
    pthread_t th[2];
    start_waiters(mb, w, th, 2);
    esock_msg_t a = user(1), b = user(2);
    assert_int_equal(esock_mbox_post(mb, &a), 0);
    assert_int_equal(esock_mbox_post(mb, &b), 0);
    for (int i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].rc, 0);
        assert_true(w[i].ms < 2000);
    }
    assert_int_equal(esock_mbox_destroy(mb), 0);
}

/* ---- selective and plain receivers in different threads ---- */

/* A receiver thread: esock_mbox_recv_match on `want` (ref 0: a plain
 * esock_mbox_recv) for up to tmo ms; how it ended, when, and the thread
 * CPU time it used meanwhile (a receiver that waits must not spin). */
struct receiver {
    esock_mbox_t mb;
    uint64_t want;
    int tmo;
    bool idle; /* runs at SCHED_IDLE */
    int rc;
    uint64_t got;
    int64_t done_ms, cpu_us;
};

static int64_t thread_cpu_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static void *receive(void *arg)
{
    struct receiver *r = arg;
    struct sched_param sp = {0};
    if (r->idle && sched_setscheduler(0, SCHED_IDLE, &sp) != 0)
        r->idle = false; /* checked by the caller */
    esock_msg_t m, want = {.ref = r->want};
    int64_t c0 = thread_cpu_us();
    r->rc = r->want ? esock_mbox_recv_match(r->mb, &want, &m, r->tmo) : esock_mbox_recv(r->mb, &m, r->tmo);
    r->done_ms = now_ms();
    r->cpu_us = thread_cpu_us() - c0;
    if (r->rc == 0) {
        r->got = m.ref;
        esock_msg_free(&m);
    }
    return NULL;
}

/* Thread attributes that put a thread on the first CPU this process may
 * use. */
static void one_cpu_attr(pthread_attr_t *at)
{
    cpu_set_t all, one;
    assert_int_equal(sched_getaffinity(0, sizeof all, &all), 0);
    CPU_ZERO(&one);
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &all)) {
            CPU_SET(c, &one);
            break;
        }
    pthread_attr_init(at);
    assert_int_equal(pthread_attr_setaffinity_np(at, sizeof one, &one), 0);
}

/* Starts a receiver and lets it fall asleep in the mailbox. epoll wakes
 * the last sleeper first. All receivers share one CPU, and one started
 * with @p idle runs at SCHED_IDLE, so the normal one woken first runs
 * until it sleeps again before the idle one runs: otherwise the other
 * sleeper, woken too by epoll's level-triggered rescan, often sees the
 * message in time anyway, and the hand-over the tests check would go
 * untested. */
static void start_receiver(struct receiver *r, pthread_t *th, esock_mbox_t mb, uint64_t want, int tmo,
                           bool idle)
{
    *r = (struct receiver){.mb = mb, .want = want, .tmo = tmo, .idle = idle};
    pthread_attr_t at;
    one_cpu_attr(&at);
    assert_int_equal(pthread_create(th, &at, receive, r), 0);
    pthread_attr_destroy(&at);
    usleep(100000);
    assert_true(r->idle == idle);
}

/* A selective receiver (ref 7) is woken first for a message it does not
 * want (ref 8) and hands the wake-up on: the other receiver, waiting for
 * @p other_want (0: a plain receive), gets the message at once, and the
 * selective one still gets its own after. */
static void hand_over_then_own(uint64_t other_want)
{
    esock_mbox_t mb;
    assert_int_equal(esock_mbox_create(&mb), 0);
    struct receiver sel, other;
    pthread_t ts, to;
    start_receiver(&other, &to, mb, other_want, 5000, true);
    start_receiver(&sel, &ts, mb, 7, 5000, false);
    struct {
        pthread_t th;
        struct receiver *r;
        uint64_t ref;
    } turn[2] = {{to, &other, 8}, {ts, &sel, 7}};
    for (int i = 0; i < 2; i++) {
        esock_msg_t m = user(turn[i].ref);
        int64_t t0 = now_ms();
        assert_int_equal(esock_mbox_post(mb, &m), 0);
        pthread_join(turn[i].th, NULL);
        assert_int_equal(turn[i].r->rc, 0);
        assert_int_equal(turn[i].r->got, turn[i].ref);
        assert_true(turn[i].r->done_ms - t0 < 2000); /* woken, not timed out */
    }
    assert_int_equal(esock_mbox_destroy(mb), 0);
}

static void test_selective_then_plain_receiver(void **state)
{
    (void)state;
    hand_over_then_own(0);
}

static void test_two_selective_receivers(void **state)
{
    (void)state;
    hand_over_then_own(8);
}

/* A message nobody waiting wants: the selective receivers sleep until
 * their timeout, neither spinning nor passing the wake-up back and forth,
 * and the message stays queued. */
static void test_unwanted_message_no_spin(void **state)
{
    (void)state;
    esock_mbox_t mb;
    assert_int_equal(esock_mbox_create(&mb), 0);
    struct receiver r7, r8;
    pthread_t t7, t8;
    start_receiver(&r8, &t8, mb, 8, 600, true);
    start_receiver(&r7, &t7, mb, 7, 600, false);
    esock_msg_t a = user(1);
    assert_int_equal(esock_mbox_post(mb, &a), 0);
    pthread_join(t7, NULL);
    pthread_join(t8, NULL);
    assert_int_equal(r7.rc, ESOCK_ETIMEOUT);
    assert_int_equal(r8.rc, ESOCK_ETIMEOUT);
    assert_true(r7.cpu_us < 100000);
    assert_true(r8.cpu_us < 100000);
    assert_int_equal(esock_mbox_len(mb), 1);
    assert_int_equal(esock_mbox_destroy(mb), 0);
}

/* A watch whose callback posts the message the selective receiver wants. */
static void post_ref7(uint64_t arg, unsigned events)
{
    (void)events;
    esock_msg_t m = user(7);
    assert_int_equal(esock__mbox_post((uint32_t)arg, &m), 0);
}

/* The selective receiver that handed a wake-up to a plain one goes back to
 * serving the mailbox's watches when that one leaves: a readiness that
 * comes after is handled, and its message received. */
static void test_selective_serves_watches_after_plain_left(void **state)
{
    (void)state;
    esock_mbox_t mb;
    int pv[2];
    assert_int_equal(pipe(pv), 0);
    assert_int_equal(esock_mbox_create(&mb), 0);
    assert_int_equal(esock__mbox_watch(mb.id, pv[0], ESOCK__EV_IN, post_ref7, mb.id), 0);
    struct receiver sel, plain;
    pthread_t ts, tp;
    start_receiver(&plain, &tp, mb, 0, 5000, true);
    start_receiver(&sel, &ts, mb, 7, 5000, false);
    esock_msg_t a = user(1);
    assert_int_equal(esock_mbox_post(mb, &a), 0);
    pthread_join(tp, NULL);
    assert_int_equal(plain.got, 1);
    int64_t t0 = now_ms();
    assert_int_equal(write(pv[1], "x", 1), 1);
    pthread_join(ts, NULL);
    assert_int_equal(sel.rc, 0);
    assert_int_equal(sel.got, 7);
    assert_true(sel.done_ms - t0 < 2000);
    assert_int_equal(esock_mbox_destroy(mb), 0);
    close(pv[0]);
    close(pv[1]);
}

/* Four selective receivers, each taking the messages of its own tag, and
 * a poster that mixes them: every message reaches its receiver, none is
 * left waiting for a timeout. */
#define MIX_RECEIVERS 4
#define MIX_EACH 500

struct tag_receiver {
    esock_mbox_t mb;
    uint64_t tag;
    int got, errors;
};

static void *receive_tag(void *arg)
{
    struct tag_receiver *r = arg;
    esock_msg_t want = {.tag = r->tag}, m;
    while (r->got < MIX_EACH) {
        if (esock_mbox_recv_match(r->mb, &want, &m, 3000) != 0) {
            r->errors++;
            break;
        }
        if (m.tag != r->tag || m.ref != (uint64_t)r->got)
            r->errors++;
        r->got++;
        esock_msg_free(&m);
    }
    return NULL;
}

static void test_selective_receivers_mixed_stream(void **state)
{
    (void)state;
    esock_mbox_t mb;
    assert_int_equal(esock_mbox_create(&mb), 0);
    struct tag_receiver r[MIX_RECEIVERS];
    pthread_t th[MIX_RECEIVERS];
    pthread_attr_t at;
    one_cpu_attr(&at); /* woken ones run in turn: see start_receiver */
    for (int i = 0; i < MIX_RECEIVERS; i++) {
        r[i] = (struct tag_receiver){.mb = mb, .tag = (uint64_t)i + 1};
        assert_int_equal(pthread_create(&th[i], &at, receive_tag, &r[i]), 0);
    }
    pthread_attr_destroy(&at);
    unsigned seed = 7;
    int sent[MIX_RECEIVERS] = {0};
    for (int n = 0; n < MIX_RECEIVERS * MIX_EACH;) {
        int k = (int)(rand_r(&seed) % MIX_RECEIVERS);
        if (sent[k] == MIX_EACH)
            continue;
        esock_msg_t m = {.kind = ESOCK_MSG_USER, .tag = (uint64_t)k + 1, .ref = (uint64_t)sent[k]++};
        assert_int_equal(esock_mbox_post(mb, &m), 0);
        n++;
        if (n % 64 == 0)
            usleep(1000); /* let the receivers fall asleep now and then */
    }
    for (int i = 0; i < MIX_RECEIVERS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(r[i].errors, 0);
        assert_int_equal(r[i].got, MIX_EACH);
    }
    assert_int_equal(esock_mbox_len(mb), 0);
    assert_int_equal(esock_mbox_destroy(mb), 0);
}

/* The fd polls readable while messages are queued, also after a
 * receive that matched none of them (it read the wake-up count). */
static void test_fd_readable_while_queued(void **state)
{
    (void)state;
    esock_mbox_t mb;
    assert_int_equal(esock_mbox_create(&mb), 0);
    esock_msg_t a = user(1), b = user(2), m;
    assert_int_equal(esock_mbox_post(mb, &a), 0);
    assert_int_equal(esock_mbox_post(mb, &b), 0);
    esock_msg_t want = {.ref = 99};
    assert_int_equal(esock_mbox_recv_match(mb, &want, &m, 0), ESOCK_ETIMEOUT);
    struct pollfd pfd = {.fd = esock_mbox_fd(mb), .events = POLLIN};
    assert_int_equal(poll(&pfd, 1, 0), 1);
    assert_int_equal(esock_mbox_recv(mb, &m, 0), 0);
    assert_int_equal(poll(&pfd, 1, 0), 1); /* one still queued */
    assert_int_equal(esock_mbox_recv(mb, &m, 0), 0);
    assert_int_equal(esock_mbox_recv(mb, &m, 0), ESOCK_ETIMEOUT); /* reads the count */
    assert_int_equal(poll(&pfd, 1, 0), 0);
    assert_int_equal(esock_mbox_destroy(mb), 0);
}

static void test_fd_pollable(void **state)
{
    (void)state;
    esock_mbox_t mb;
    assert_int_equal(esock_mbox_create(&mb), 0);
    struct pollfd pfd = {.fd = esock_mbox_fd(mb), .events = POLLIN};
    assert_true(pfd.fd >= 0);
    assert_int_equal(poll(&pfd, 1, 0), 0);
    struct poster p = {mb, 20, 1};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, post_later, &p), 0);
    assert_int_equal(poll(&pfd, 1, 5000), 1);
    assert_true(pfd.revents & POLLIN);
    esock_msg_t m;
    assert_int_equal(esock_mbox_recv(mb, &m, 0), 0);
    assert_int_equal(m.ref, 1);
    esock_msg_free(&m);
    pthread_join(th, NULL);
    assert_int_equal(esock_mbox_destroy(mb), 0);
}

/* A watch callback: records the call and posts a message to the mailbox it
 * is serving, as the socket layer turns readiness into select messages. */
static int watch_calls;
static pthread_t watch_thread;

static void on_ready(uint64_t arg, unsigned events)
{
    watch_calls++;
    watch_thread = pthread_self();
    esock_msg_t m = {.kind = ESOCK_MSG_SELECT, .socket = (uint32_t)arg, .reason = (int)events};
    assert_int_equal(esock__mbox_post(esock__mbox_serving(), &m), 0);
}

static void test_watch_runs_on_waiting_thread(void **state)
{
    (void)state;
    esock_mbox_t mb;
    int pv[2];
    assert_int_equal(pipe(pv), 0);
    assert_int_equal(esock_mbox_create(&mb), 0);
    watch_calls = 0;
    assert_int_equal(esock__mbox_watch(mb.id, pv[0], ESOCK__EV_IN, on_ready, 42), 0);
    esock_msg_t m;
    assert_int_equal(esock_mbox_recv(mb, &m, 20), ESOCK_ETIMEOUT);
    assert_int_equal(watch_calls, 0);
    assert_int_equal(write(pv[1], "a", 1), 1);
    assert_int_equal(esock_mbox_recv(mb, &m, 5000), 0);
    assert_int_equal(m.kind, ESOCK_MSG_SELECT);
    assert_int_equal(m.socket, 42);
    assert_true((unsigned)m.reason & ESOCK__EV_IN);
    assert_int_equal(watch_calls, 1);
    assert_true(pthread_equal(watch_thread, pthread_self()));
    /* One-shot: still readable, but no second call. */
    assert_int_equal(esock_mbox_recv(mb, &m, 30), ESOCK_ETIMEOUT);
    assert_int_equal(watch_calls, 1);

    /* Persistent: called again while readable, until unwatched. */
    assert_int_equal(esock__mbox_watch(mb.id, pv[0], ESOCK__EV_IN | ESOCK__WATCH_PERSIST,
                                       on_ready, 43), 0);
    assert_int_equal(esock_mbox_recv(mb, &m, 5000), 0);
    assert_int_equal(m.socket, 43);
    assert_int_equal(esock_mbox_recv(mb, &m, 5000), 0);
    assert_int_equal(m.socket, 43);
    assert_true(watch_calls >= 3);
    esock__mbox_unwatch(mb.id, pv[0], ESOCK__EV_IN | ESOCK__EV_OUT);
    int before = watch_calls;
    while (esock_mbox_recv(mb, &m, 0) == 0) /* drain what was already posted */
        ;
    assert_int_equal(esock_mbox_recv(mb, &m, 30), ESOCK_ETIMEOUT);
    assert_true(watch_calls - before <= 1);
    assert_int_equal(esock_mbox_destroy(mb), 0);
    close(pv[0]);
    close(pv[1]);
}

/* Many watches, removed in a scrambled order (each removal moves another
 * watch into the hole): every event still reaches its own callback
 * argument, once per one-shot watch, and nothing else fires. */
static void on_ready_tag(uint64_t arg, unsigned events)
{
    (void)events;
    esock_msg_t m = {.kind = ESOCK_MSG_SELECT, .socket = (uint32_t)arg};
    assert_int_equal(esock__mbox_post(esock__mbox_serving(), &m), 0);
}

static void test_many_watches(void **state)
{
    (void)state;
    enum { N = 150 };
    int p[N][2];
    esock_mbox_t mb;
    assert_int_equal(esock_mbox_create(&mb), 0);
    assert_int_equal(esock__mbox_watch(mb.id, -1, ESOCK__EV_IN, on_ready_tag, 0), -EBADF);
    for (int i = 0; i < N; i++) {
        assert_int_equal(pipe(p[i]), 0);
        assert_int_equal(esock__mbox_watch(mb.id, p[i][0], ESOCK__EV_IN, on_ready_tag, (uint64_t)i + 1), 0);
    }
    bool gone[N] = {false};
    for (int k = 0; k < N; k += 3) { /* a third of them, in a scrambled order */
        int i = (k * 37) % N;
        esock__mbox_unwatch(mb.id, p[i][0], ESOCK__EV_IN);
        gone[i] = true;
    }
    for (int k = 0; k < N; k += 6) { /* half of those again: new entries at the end */
        int i = (k * 37) % N;
        assert_int_equal(esock__mbox_watch(mb.id, p[i][0], ESOCK__EV_IN, on_ready_tag, (uint64_t)i + 1), 0);
        gone[i] = false;
    }
    for (int i = 0; i < N; i++)
        assert_int_equal(write(p[i][1], "x", 1), 1);
    int seen[N + 1] = {0}, want = 0;
    for (int i = 0; i < N; i++)
        want += !gone[i];
    esock_msg_t m;
    for (int got = 0; got < want; got++) {
        assert_int_equal(esock_mbox_recv(mb, &m, 5000), 0);
        assert_true(m.socket >= 1 && m.socket <= N);
        assert_false(gone[m.socket - 1]);
        seen[m.socket]++;
    }
    assert_int_equal(esock_mbox_recv(mb, &m, 30), ESOCK_ETIMEOUT); /* one-shot: once each */
    for (int i = 0; i < N; i++)
        assert_int_equal(seen[i + 1], gone[i] ? 0 : 1);
    assert_int_equal(esock_mbox_destroy(mb), 0);
    for (int i = 0; i < N; i++) {
        close(p[i][0]);
        close(p[i][1]);
    }
}

/* esock_mbox_set_spin: a receive polls without blocking for up to the
 * spin time before it sleeps, never past its own timeout; 0 blocks at once.
 * The polls are counted through the epoll_wait seam. */
static _Atomic int polls_now, polls_blocking;
static int (*real_epoll_wait)(int, struct epoll_event *, int, int);
static int counting_epoll_wait(int ep, struct epoll_event *ev, int n, int ms)
{
    atomic_fetch_add(ms == 0 ? &polls_now : &polls_blocking, 1);
    return real_epoll_wait(ep, ev, n, ms);
}

static void recv_posted_later(esock_mbox_t mb, int *now, int *blocking)
{
    struct poster p = {mb, 30, 1};
    pthread_t th;
    atomic_store(&polls_now, 0);
    atomic_store(&polls_blocking, 0);
    assert_int_equal(pthread_create(&th, NULL, post_later, &p), 0);
    esock_msg_t m;
    assert_int_equal(esock_mbox_recv(mb, &m, 5000), 0);
    assert_int_equal(m.ref, 1);
    esock_msg_free(&m);
    assert_int_equal(pthread_join(th, NULL), 0);
    *now = atomic_load(&polls_now);
    *blocking = atomic_load(&polls_blocking);
}

static void test_spin(void **state)
{
    (void)state;
    esock_mbox_t mb;
    assert_int_equal(esock_mbox_create(&mb), 0);
    assert_int_equal(esock_mbox_set_spin(mb, -1), -EINVAL);
    assert_int_equal(esock_mbox_set_spin(mb, 1000001), -EINVAL);
    real_epoll_wait = esock__sys.epoll_wait;
    esock__sys.epoll_wait = counting_epoll_wait;
    int now0, blocking0, now1, blocking1;
    recv_posted_later(mb, &now0, &blocking0); /* default: no spin */
    assert_int_equal(esock_mbox_set_spin(mb, 1000000), 0);
    recv_posted_later(mb, &now1, &blocking1); /* spins through the 30 ms */
    atomic_store(&polls_now, 0);
    esock_msg_t m;
    int64_t t0 = now_ms();
    assert_int_equal(esock_mbox_recv(mb, &m, 20), ESOCK_ETIMEOUT); /* the timeout bounds the spin */
    int64_t waited = now_ms() - t0;
    int now2 = atomic_load(&polls_now);
    esock__sys.epoll_wait = real_epoll_wait;
    assert_int_equal(now0, 0);
    assert_true(blocking0 >= 1);
    assert_true(now1 > 10);
    assert_int_equal(blocking1, 0); /* the message came while it spun */
    assert_true(now2 > 10);
    assert_true(waited >= 15 && waited < 900);
    assert_int_equal(esock_mbox_destroy(mb), 0);
    assert_int_equal(esock_mbox_set_spin(mb, 10), ESOCK_ECLOSED);
}

static void test_recv_many(void **state)
{
    (void)state;
    esock_mbox_t mb;
    esock_msg_t v[10];
    assert_int_equal(esock_mbox_create(&mb), 0);
    assert_int_equal(esock_mbox_recv_many(mb, NULL, 4, 0), -EINVAL);
    assert_int_equal(esock_mbox_recv_many(mb, v, 0, 0), -EINVAL);
    assert_int_equal(esock_mbox_recv_many(mb, v, 10, 0), ESOCK_ETIMEOUT);
    int64_t t0 = now_ms();
    assert_int_equal(esock_mbox_recv_many(mb, v, 10, 40), ESOCK_ETIMEOUT);
    assert_true(now_ms() - t0 >= 35);
    for (uint64_t i = 1; i <= 5; i++) {
        esock_msg_t u = user(i);
        assert_int_equal(esock_mbox_post(mb, &u), 0);
    }
    /* At most max, in order; the rest stays queued. */
    assert_int_equal(esock_mbox_recv_many(mb, v, 3, ESOCK_INFINITY), 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(v[i].ref, (uint64_t)i + 1);
    assert_int_equal(esock_mbox_len(mb), 2);
    assert_int_equal(esock_mbox_recv_many(mb, v, 10, ESOCK_INFINITY), 2);
    assert_int_equal(v[0].ref, 4);
    assert_int_equal(v[1].ref, 5);
    assert_int_equal(esock_mbox_len(mb), 0);
    assert_int_equal(esock_mbox_destroy(mb), 0);
    assert_int_equal(esock_mbox_recv_many(mb, v, 10, 0), ESOCK_ECLOSED);
}

static int idle_calls;
static void count_idle(uint32_t mb)
{
    (void)mb;
    idle_calls++;
}

/* A readiness callback standing for a socket that delivers a burst. */
static void on_ready_burst(uint64_t arg, unsigned events)
{
    (void)events;
    for (int i = 0; i < 16; i++) {
        esock_msg_t m = {.kind = ESOCK_MSG_SELECT, .socket = (uint32_t)arg, .ref = (uint64_t)i};
        assert_int_equal(esock__mbox_post(esock__mbox_serving(), &m), 0);
    }
}

static void two_ready_pipes(esock_mbox_t mb, int a[2], int b[2], esock__watch_cb cb)
{
    assert_int_equal(pipe(a), 0);
    assert_int_equal(pipe(b), 0);
    assert_int_equal(esock__mbox_watch(mb.id, a[0], ESOCK__EV_IN, cb, 1), 0);
    assert_int_equal(esock__mbox_watch(mb.id, b[0], ESOCK__EV_IN, cb, 2), 0);
    assert_int_equal(write(a[1], "x", 1), 1);
    assert_int_equal(write(b[1], "y", 1), 1);
}

static void close_pipes(int a[2], int b[2])
{
    close(a[0]);
    close(a[1]);
    close(b[0]);
    close(b[1]);
}

/* Sockets ready at once: one that delivered a burst (16 messages) reaches
 * the receiver on its own, and the idle hook (inet writes coalesced replies
 * there) runs before the next one is read; sockets with a message each are
 * taken together. Nothing is lost either way. */
static void test_ready_events_batching(void **state)
{
    (void)state;
    void (*saved)(uint32_t) = esock__mbox_set_idle_hook(count_idle);
    esock_mbox_t mb;
    esock_msg_t v[64];
    int a[2], b[2];

    assert_int_equal(esock_mbox_create(&mb), 0);
    two_ready_pipes(mb, a, b, on_ready_burst);
    idle_calls = 0;
    assert_int_equal(esock_mbox_recv_many(mb, v, 64, 5000), 16);
    uint32_t first = v[0].socket;
    for (int i = 0; i < 16; i++) {
        assert_int_equal(v[i].socket, first);
        assert_int_equal(v[i].ref, (uint64_t)i);
    }
    int idle_after_first = idle_calls;
    assert_int_equal(esock_mbox_recv_many(mb, v, 64, 5000), 16);
    assert_int_equal(v[0].socket, first == 1 ? 2 : 1);
    assert_true(idle_calls > idle_after_first); /* the first one's replies went out first */
    assert_int_equal(esock_mbox_recv_many(mb, v, 64, 30), ESOCK_ETIMEOUT);
    assert_int_equal(esock_mbox_destroy(mb), 0);
    close_pipes(a, b);

    assert_int_equal(esock_mbox_create(&mb), 0);
    two_ready_pipes(mb, a, b, on_ready);
    assert_int_equal(esock_mbox_recv_many(mb, v, 64, 5000), 2);
    assert_int_not_equal(v[0].socket, v[1].socket);
    assert_int_equal(esock_mbox_recv_many(mb, v, 64, 30), ESOCK_ETIMEOUT);
    assert_int_equal(esock_mbox_destroy(mb), 0);
    close_pipes(a, b);
    esock__mbox_set_idle_hook(saved);
}

static void *self_id(void *arg)
{
    *(uint32_t *)arg = esock_mbox_self().id;
    return NULL;
}

static void test_self_per_thread(void **state)
{
    (void)state;
    esock_mbox_t a = esock_mbox_self(), b = esock_mbox_self();
    assert_int_not_equal(a.id, 0);
    assert_int_equal(a.id, b.id);
    uint32_t other = 0;
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, self_id, &other), 0);
    pthread_join(th, NULL);
    assert_int_not_equal(other, 0);
    assert_int_not_equal(other, a.id);
    /* The other thread's implicit mailbox died with it. */
    assert_int_equal(esock_mbox_len((esock_mbox_t){other}), ESOCK_ECLOSED);
}

static void test_refs_unique(void **state)
{
    (void)state;
    uint64_t prev = esock__make_ref();
    assert_int_not_equal(prev, 0);
    for (int i = 0; i < 1000; i++) {
        uint64_t r = esock__make_ref();
        assert_int_not_equal(r, 0);
        assert_int_not_equal(r, prev);
        prev = r;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_destroy_stale),
        cmocka_unit_test(test_fifo_and_timeouts),
        cmocka_unit_test(test_selective_receive),
        cmocka_unit_test(test_cross_thread_post_wakes),
        cmocka_unit_test(test_destroy_wakes_waiter_and_frees_queue),
        cmocka_unit_test(test_destroy_wakes_every_waiter),
        cmocka_unit_test(test_two_waiters_two_posts),
        cmocka_unit_test(test_selective_then_plain_receiver),
        cmocka_unit_test(test_two_selective_receivers),
        cmocka_unit_test(test_unwanted_message_no_spin),
        cmocka_unit_test(test_selective_serves_watches_after_plain_left),
        cmocka_unit_test(test_selective_receivers_mixed_stream),
        cmocka_unit_test(test_fd_readable_while_queued),
        cmocka_unit_test(test_fd_pollable),
        cmocka_unit_test(test_watch_runs_on_waiting_thread),
        cmocka_unit_test(test_self_per_thread),
        cmocka_unit_test(test_refs_unique),
        cmocka_unit_test(test_recv_many),
        cmocka_unit_test(test_many_watches),
        cmocka_unit_test(test_spin),
        cmocka_unit_test(test_ready_events_batching),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
