/*
 * Two mailboxes queued as nowait readers (and as nowait acceptors) on one
 * socket, as two Erlang processes would queue: the select messages come in
 * arrival order, cancelling the first promotes the second, and close
 * aborts both.
 *
 * A select message goes to the mailbox of the thread that made the call, so
 * each "process" is an actor thread with its own mailbox; the test thread
 * tells it what to call and reads its mailbox from outside (any thread may
 * receive from any mailbox).
 */
#include "helpers.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum cmd { CMD_NONE, CMD_RECV, CMD_ACCEPT, CMD_SEND, CMD_CONNECT, CMD_CANCEL, CMD_QUIT };

struct actor {
    pthread_t t;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    enum cmd cmd;         /* set by the test thread, cleared by the actor when done */
    esock_t s;            /* the socket to call on */
    esock_mbox_t mbox;    /* the actor's own mailbox */
    esock_select_info_t si;
    int rc;
    size_t got;
    char buf[8];
    esock_t accepted;
    esock_sockaddr_t to;  /* where CMD_CONNECT connects */
};

static void *actor_main(void *arg)
{
    struct actor *a = arg;
    pthread_mutex_lock(&a->mu);
    a->mbox = esock_mbox_self();
    for (;;) {
        pthread_cond_broadcast(&a->cv);
        while (a->cmd == CMD_NONE)
            pthread_cond_wait(&a->cv, &a->mu);
        enum cmd c = a->cmd;
        if (c == CMD_QUIT)
            break;
        pthread_mutex_unlock(&a->mu);
        int rc;
        if (c == CMD_RECV) {
            a->got = 0;
            rc = esock_recv(a->s, a->buf, 0, 1, 0, ESOCK_NOWAIT, &a->got, &a->si);
        } else if (c == CMD_ACCEPT) {
            rc = esock_accept(a->s, ESOCK_NOWAIT, &a->accepted, &a->si);
        } else if (c == CMD_SEND) {
            rc = esock_send(a->s, "datagram", 8, 0, ESOCK_NOWAIT, NULL, &a->si);
        } else if (c == CMD_CONNECT) {
            rc = esock_connect(a->s, &a->to, ESOCK_NOWAIT, &a->si);
        } else {
            rc = esock_cancel(a->s, &a->si);
        }
        pthread_mutex_lock(&a->mu);
        a->rc = rc;
        a->cmd = CMD_NONE;
    }
    pthread_mutex_unlock(&a->mu);
    return NULL; /* the thread's mailbox goes with it */
}

static void actor_start(struct actor *a, esock_t s)
{
    memset(a, 0, sizeof *a);
    a->s = s;
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->cv, NULL);
    a->cmd = CMD_NONE;
    ok(pthread_create(&a->t, NULL, actor_main, a));
    pthread_mutex_lock(&a->mu);
    while (a->mbox.id == 0)
        pthread_cond_wait(&a->cv, &a->mu);
    pthread_mutex_unlock(&a->mu);
}

/* Runs one call in the actor and returns its result (bounded: 5 s). */
static int actor_do(struct actor *a, enum cmd c)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 5;
    pthread_mutex_lock(&a->mu);
    a->cmd = c;
    pthread_cond_broadcast(&a->cv);
    int w = 0;
    while (a->cmd != CMD_NONE && w != ETIMEDOUT)
        w = pthread_cond_timedwait(&a->cv, &a->mu, &until);
    int rc = a->rc;
    pthread_mutex_unlock(&a->mu);
    assert_int_not_equal(w, ETIMEDOUT);
    return rc;
}

static void actor_stop(struct actor *a)
{
    pthread_mutex_lock(&a->mu);
    a->cmd = CMD_QUIT;
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
    ok(pthread_join(a->t, NULL));
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->mu);
}

/* The next message in the actor's mailbox: of kind, about its last call. */
static void expect_msg(struct actor *a, esock_t s, esock_msg_kind_t kind)
{
    esock_msg_t m;
    ok(esock_mbox_recv(a->mbox, &m, 5000));
    assert_int_equal(m.kind, kind);
    assert_int_equal(m.socket, s.id);
    assert_int_equal(m.tag, a->si.tag);
    assert_int_equal(m.ref, a->si.handle);
    if (kind == ESOCK_MSG_ABORT)
        assert_int_equal(m.reason, ESOCK_ECLOSED);
    esock_msg_free(&m);
}

static void expect_no_msg(struct actor *a)
{
    esock_msg_t m;
    assert_int_equal(esock_mbox_recv(a->mbox, &m, 0), ESOCK_ETIMEOUT);
}

/* The actor's call, repeated after each select message until it completes
 * (an injected EAGAIN in a fault run makes it select again). */
static void complete(struct actor *a, esock_t s, enum cmd c)
{
    int rc = actor_do(a, c);
    for (int i = 0; i < 50 && rc == ESOCK_SELECT; i++) {
        expect_msg(a, s, ESOCK_MSG_SELECT);
        rc = actor_do(a, c);
    }
    ok(rc);
}

static int readers_of(esock_t s)
{
    esock_socket_info_t in;
    ok(esock_info_socket(s, &in));
    return in.num_readers;
}

static int acceptors_of(esock_t s)
{
    esock_socket_info_t in;
    ok(esock_info_socket(s, &in));
    return in.num_acceptors;
}

static int writers_of(esock_t s)
{
    esock_socket_info_t in;
    ok(esock_info_socket(s, &in));
    return in.num_writers;
}

/* A and B start and both call recv nowait on s, in that order: A becomes
 * the current reader (it selects), B queues behind it. */
static void queue_two_readers(struct actor *a, struct actor *b, esock_t s)
{
    actor_start(a, s);
    actor_start(b, s);
    assert_int_equal(actor_do(a, CMD_RECV), ESOCK_SELECT);
    assert_int_equal(actor_do(b, CMD_RECV), ESOCK_SELECT);
    assert_int_equal(a->si.tag, ESOCK_OP_RECV);
    assert_int_equal(b->si.tag, ESOCK_OP_RECV);
    assert_true(a->si.handle != b->si.handle);
    assert_int_equal(readers_of(s), 2);
}

static void test_two_nowait_readers_in_arrival_order(void **state)
{
    (void)state;
    esock_t c, s;
    ok(tcp_pair(AF_INET, &c, &s));
    struct actor a, b;
    queue_two_readers(&a, &b, s);
    ok(esock_send(c, "xy", 2, 0, 1000, NULL, NULL));
    /* A's turn first: its select; B hears nothing while A has the turn. */
    expect_msg(&a, s, ESOCK_MSG_SELECT);
    expect_no_msg(&b);
    complete(&a, s, CMD_RECV);
    assert_int_equal(a.got, 1);
    assert_int_equal(a.buf[0], 'x');
    /* A's read is done: B is promoted and told so. */
    expect_msg(&b, s, ESOCK_MSG_SELECT);
    complete(&b, s, CMD_RECV);
    assert_int_equal(b.got, 1);
    assert_int_equal(b.buf[0], 'y');
    expect_no_msg(&a);
    assert_int_equal(readers_of(s), 0);
    actor_stop(&a);
    actor_stop(&b);
    ok(esock_close(c));
    ok(esock_close(s));
}

static void test_cancel_first_reader_promotes_second(void **state)
{
    (void)state;
    esock_t c, s;
    ok(tcp_pair(AF_INET, &c, &s));
    struct actor a, b;
    queue_two_readers(&a, &b, s);
    ok(actor_do(&a, CMD_CANCEL));
    assert_int_equal(readers_of(s), 1);
    ok(esock_send(c, "z", 1, 0, 1000, NULL, NULL));
    expect_msg(&b, s, ESOCK_MSG_SELECT);
    complete(&b, s, CMD_RECV);
    assert_int_equal(b.buf[0], 'z');
    expect_no_msg(&a); /* the cancelled one hears nothing more */
    assert_int_equal(actor_do(&a, CMD_CANCEL), ESOCK_EINVAL_SELECTINFO); /* nothing left */
    actor_stop(&a);
    actor_stop(&b);
    ok(esock_close(c));
    ok(esock_close(s));
}

static void test_close_aborts_both_readers(void **state)
{
    (void)state;
    esock_t c, s;
    ok(tcp_pair(AF_INET, &c, &s));
    struct actor a, b;
    queue_two_readers(&a, &b, s);
    ok(esock_close(s));
    expect_msg(&a, s, ESOCK_MSG_ABORT);
    expect_msg(&b, s, ESOCK_MSG_ABORT);
    expect_no_msg(&a);
    expect_no_msg(&b);
    actor_stop(&a);
    actor_stop(&b);
    ok(esock_close(c));
}

static void queue_two_acceptors(struct actor *a, struct actor *b, esock_t l)
{
    assert_int_equal(actor_do(a, CMD_ACCEPT), ESOCK_SELECT);
    assert_int_equal(actor_do(b, CMD_ACCEPT), ESOCK_SELECT);
    assert_int_equal(a->si.tag, ESOCK_OP_ACCEPT);
    assert_int_equal(b->si.tag, ESOCK_OP_ACCEPT);
    assert_int_equal(acceptors_of(l), 2);
}

static esock_t connect_to(const esock_sockaddr_t *sa)
{
    esock_t c;
    ok(esock_open(AF_INET, SOCK_STREAM, 0, &c));
    ok(esock_connect(c, sa, 2000, NULL));
    return c;
}

static void test_two_nowait_acceptors_in_arrival_order(void **state)
{
    (void)state;
    esock_sockaddr_t sa;
    esock_t l = tcp_listener(&sa, 8);
    struct actor a, b;
    actor_start(&a, l);
    actor_start(&b, l);
    queue_two_acceptors(&a, &b, l);
    esock_t c1 = connect_to(&sa);
    expect_msg(&a, l, ESOCK_MSG_SELECT);
    expect_no_msg(&b);
    complete(&a, l, CMD_ACCEPT);
    expect_msg(&b, l, ESOCK_MSG_SELECT); /* promoted when A's accept completed */
    esock_t c2 = connect_to(&sa);
    complete(&b, l, CMD_ACCEPT);
    /* Each got its own connection: c1 pairs with A's, c2 with B's. */
    esock_sockaddr_t p1, p2, n1, n2;
    ok(esock_peername(a.accepted, &p1));
    ok(esock_sockname(c1, &n1));
    ok(esock_peername(b.accepted, &p2));
    ok(esock_sockname(c2, &n2));
    assert_int_equal(p1.u.in.port, n1.u.in.port);
    assert_int_equal(p2.u.in.port, n2.u.in.port);
    assert_int_equal(acceptors_of(l), 0);
    actor_stop(&a);
    actor_stop(&b);
    ok(esock_close(a.accepted));
    ok(esock_close(b.accepted));
    ok(esock_close(c1));
    ok(esock_close(c2));
    ok(esock_close(l));
}

static void test_cancel_first_acceptor_promotes_second(void **state)
{
    (void)state;
    esock_sockaddr_t sa;
    esock_t l = tcp_listener(&sa, 8);
    struct actor a, b;
    actor_start(&a, l);
    actor_start(&b, l);
    queue_two_acceptors(&a, &b, l);
    ok(actor_do(&a, CMD_CANCEL));
    assert_int_equal(acceptors_of(l), 1);
    esock_t c = connect_to(&sa);
    expect_msg(&b, l, ESOCK_MSG_SELECT);
    complete(&b, l, CMD_ACCEPT);
    expect_no_msg(&a);
    actor_stop(&a);
    actor_stop(&b);
    ok(esock_close(b.accepted));
    ok(esock_close(c));
    ok(esock_close(l));
}

static void test_close_aborts_both_acceptors(void **state)
{
    (void)state;
    esock_sockaddr_t sa;
    esock_t l = tcp_listener(&sa, 8);
    struct actor a, b;
    actor_start(&a, l);
    actor_start(&b, l);
    queue_two_acceptors(&a, &b, l);
    ok(esock_close(l));
    expect_msg(&a, l, ESOCK_MSG_ABORT);
    expect_msg(&b, l, ESOCK_MSG_ABORT);
    expect_no_msg(&a);
    expect_no_msg(&b);
    actor_stop(&a);
    actor_stop(&b);
}

/* A thread that exits ends its nowait operations as a cancel would (its
 * mailbox goes with it): a queued one leaves the queue, a current one
 * hands the reader on, so the next reader still gets the data (OTP: a
 * waiter killed while holding the slot). */
static void test_exited_nowait_readers_free_their_turn(void **state)
{
    (void)state;
    esock_t c, s;
    ok(tcp_pair(AF_INET, &c, &s));
    struct actor a, b;
    queue_two_readers(&a, &b, s);
    actor_stop(&b); /* the queued one */
    assert_int_equal(readers_of(s), 1);
    actor_stop(&a); /* the current one */
    assert_int_equal(readers_of(s), 0);
    ok(esock_send(c, "data", 4, 0, 1000, NULL, NULL));
    char buf[4];
    size_t got;
    ok(esock_recv(s, buf, 4, 4, 0, 2000, &got, NULL));
    assert_memory_equal(buf, "data", 4);
    /* The one queued behind an exiting current reader is told its turn. */
    queue_two_readers(&a, &b, s);
    actor_stop(&a);
    expect_msg(&b, s, ESOCK_MSG_SELECT);
    ok(esock_send(c, "z", 1, 0, 1000, NULL, NULL));
    complete(&b, s, CMD_RECV);
    assert_int_equal(b.buf[0], 'z');
    actor_stop(&b);
    ok(esock_close(c));
    ok(esock_close(s));
}

/* A local dgram socket bound to an abstract name (no file to remove). */
static esock_t bound_local_dgram(esock_sockaddr_t *sa, int i)
{
    char path[64];
    int n = snprintf(path, sizeof path, "%cesock-queue-%d-%d", 0, (int)getpid(), i);
    ok(esock_sockaddr_local(sa, path, (size_t)n));
    esock_t r;
    ok(esock_open(AF_UNIX, SOCK_DGRAM, 0, &r));
    ok(esock_bind(r, sa));
    return r;
}

/* A nowait connect queued behind the current writer is made when its turn
 * comes: its select message says it is over, esock_connect_finish gives
 * its result and hands the writer on. Until then it is in progress. */
/* s connected to r1 (a1), whose queue is full: actor a's nowait send is
 * the writer, actor b's nowait connect to r2 (a2) is queued behind it. */
struct queued_connect {
    esock_sockaddr_t a1, a2;
    esock_t r1, r2, s;
    struct actor a, b;
};

static void queue_a_connect(struct queued_connect *q)
{
    q->r1 = bound_local_dgram(&q->a1, 1);
    q->r2 = bound_local_dgram(&q->a2, 2);
    ok(esock_open(AF_UNIX, SOCK_DGRAM, 0, &q->s));
    ok(esock_connect(q->s, &q->a1, 1000, NULL));
    /* r1's queue full (raw sends: no fault injected), so s cannot write. */
    while (send(esock_fd(q->s), "f", 1, MSG_DONTWAIT) == 1)
        ;
    actor_start(&q->a, q->s);
    actor_start(&q->b, q->s);
    q->b.to = q->a2;
    assert_int_equal(actor_do(&q->a, CMD_SEND), ESOCK_SELECT);    /* the writer */
    assert_int_equal(actor_do(&q->b, CMD_CONNECT), ESOCK_SELECT); /* queued */
    assert_int_equal(writers_of(q->s), 2);
}

static void queued_connect_end(struct queued_connect *q)
{
    actor_stop(&q->a);
    actor_stop(&q->b);
    ok(esock_close(q->s));
    ok(esock_close(q->r1));
    ok(esock_close(q->r2));
}

static void test_queued_connect_is_made_at_its_turn(void **state)
{
    (void)state;
    struct queued_connect q;
    queue_a_connect(&q);
    esock_sockaddr_t peer;
    esock_t s = q.s;
    /* Not its turn yet: nothing made, and no other connect may start. */
    assert_int_equal(esock_connect_finish(s), -EINPROGRESS);
    esock_select_info_t si = {0};
    assert_int_equal(esock_connect(s, &q.a2, ESOCK_NOWAIT, &si), ESOCK_EALREADY_OP);
    ok(esock_peername(s, &peer));
    assert_true(esock_sockaddr_equal(&peer, &q.a1));
    ok(actor_do(&q.a, CMD_CANCEL));
    expect_msg(&q.b, s, ESOCK_MSG_SELECT);
    ok(esock_connect_finish(s));
    ok(esock_peername(s, &peer));
    assert_true(esock_sockaddr_equal(&peer, &q.a2));
    assert_int_equal(writers_of(s), 0);
    ok(esock_send(s, "to r2", 5, 0, 1000, NULL, NULL));
    char buf[8];
    size_t got;
    ok(esock_recv(q.r2, buf, 0, sizeof buf, 0, 1000, &got, NULL));
    assert_int_equal(got, 5);
    expect_no_msg(&q.a);
    queued_connect_end(&q);
}

/* A queued nowait connect cancelled with a select info that names no
 * operation (tag ESOCK_OP_NONE) is over: another connect may start. */
static void test_untagged_cancel_ends_a_queued_connect(void **state)
{
    (void)state;
    struct queued_connect q;
    queue_a_connect(&q);
    esock_sockaddr_t peer;
    esock_select_info_t untagged = q.b.si;
    untagged.tag = ESOCK_OP_NONE;
    ok(esock_cancel(q.s, &untagged));
    assert_int_equal(writers_of(q.s), 1);
    assert_int_equal(esock_connect_finish(q.s), 0); /* none in progress: connected (to r1) */
    ok(actor_do(&q.a, CMD_CANCEL));
    ok(esock_connect(q.s, &q.a2, 1000, NULL)); /* not EALREADY_OP */
    ok(esock_peername(q.s, &peer));
    assert_true(esock_sockaddr_equal(&peer, &q.a2));
    expect_no_msg(&q.b);
    queued_connect_end(&q);
}

const struct CMUnitTest socket_queue_tests[] = {
    cmocka_unit_test(test_two_nowait_readers_in_arrival_order),
    cmocka_unit_test(test_cancel_first_reader_promotes_second),
    cmocka_unit_test(test_close_aborts_both_readers),
    cmocka_unit_test(test_two_nowait_acceptors_in_arrival_order),
    cmocka_unit_test(test_cancel_first_acceptor_promotes_second),
    cmocka_unit_test(test_close_aborts_both_acceptors),
    cmocka_unit_test(test_exited_nowait_readers_free_their_turn),
    cmocka_unit_test(test_queued_connect_is_made_at_its_turn),
    cmocka_unit_test(test_untagged_cancel_ends_a_queued_connect),
};
const size_t socket_queue_count = sizeof socket_queue_tests / sizeof socket_queue_tests[0];
