/*
 * Allocation failure at each allocation point of open, accept and recv, for
 * the socket API and the inet API.
 *
 * For N = 1, 2, ... the N-th allocation (malloc, calloc and realloc through
 * the seam, counted together) of the operation fails. For every N the
 * operation must return its normal result or an error (-ENOMEM), and once
 * everything is closed again nothing may be left over: no allocated block
 * (tracked through the seam), no descriptor (/proc/self/fd), no registry
 * entry (esock_number_of, esock_inet_count), no message. The sweep ends at
 * the first N that is never reached: N - 1 is the number of allocation
 * points on that path. Each operation runs once untouched first, so that
 * the caches kept for the life of the process or thread (the implicit
 * mailbox, handle tables, the active-mode scratch buffer) already exist;
 * the "new thread" variants run the operation on a fresh thread instead, so
 * that those thread caches are made (and released at thread exit) inside
 * the sweep. In active mode the error arrives as a message: packets that
 * could not be queued for the owner end the stream with {tcp_error, S,
 * enomem} and closed, never silently.
 */
#include "ft.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <esock/cmsg.h>

#define MAX_POINTS 600
#define PKT 10000 /* larger than one read of the inet layer: the buffer grows */

struct ctx {
    esock_t l, c, s;
    esock_inet_t il, ic, ia;
    int rawl, rawc;
    uint16_t port;
    esock_mbox_t mb;
    esock_select_info_t si;
    bool cold, data_sent;
    size_t got;
    uint8_t out[PKT + 4], in[PKT + 4];
};

struct op {
    const char *name;
    void (*prepare)(struct ctx *);
    int (*run)(struct ctx *);
    void (*cleanup)(struct ctx *, int rc);
    int success; /* the result when nothing fails (0 or ESOCK_SELECT) */
    bool cold;   /* run on a fresh thread each time: its caches are made
                    (and must be released again) inside the sweep */
    bool no_warmup; /* what it exercises happens once per process */
};

/* Empties a mailbox (messages hold allocations too). */
static void drain(esock_mbox_t mb)
{
    esock_msg_t m;
    while (esock_mbox_recv(mb, &m, 0) == 0)
        esock_msg_free(&m);
}

static void fill(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 31 + seed);
}

/* ---- socket API ------------------------------------------------------------ */

static int run_open(struct ctx *x)
{
    return esock_open(AF_INET, SOCK_STREAM, 0, &x->s);
}

static void clean_s(struct ctx *x, int rc)
{
    if (rc >= 0 && x->s.id)
        ok(esock_close(x->s));
}

static void prep_listener(struct ctx *x)
{
    ok(esock_open(AF_INET, SOCK_STREAM, 0, &x->l));
    esock_sockaddr_t sa = lo4(0);
    ok(esock_bind(x->l, &sa));
    ok(esock_listen(x->l, 4));
    x->port = ft_port(x->l);
    x->rawc = -1;
    x->s.id = 0;
}

static void prep_accept(struct ctx *x)
{
    prep_listener(x);
    x->rawc = raw_connect(x->port);
}

static int run_accept(struct ctx *x)
{
    return esock_accept(x->l, 1000, &x->s, NULL);
}

static void clean_accept(struct ctx *x, int rc)
{
    if (rc == 0) { /* the connection really is ours: data flows */
        wr(x->rawc, "ping", 4);
        char b[4];
        ok(esock_recv(x->s, b, 4, 4, 0, 1000, NULL, NULL));
        assert_memory_equal(b, "ping", 4);
    }
    clean_s(x, rc);
    if (rc == ESOCK_SELECT && x->si.handle != 0 && !x->cold)
        ok(esock_cancel(x->l, &x->si)); /* (a thread that has exited lost its turn with its mailbox) */
    ok(esock_close(x->l));
    if (x->rawc >= 0)
        close(x->rawc);
    drain(esock_mbox_self());
}

static int run_accept_nowait(struct ctx *x)
{
    memset(&x->si, 0, sizeof x->si);
    return esock_accept(x->l, ESOCK_NOWAIT, &x->s, &x->si);
}

static void prep_pair(struct ctx *x)
{
    ft_tcp_pair(&x->c, &x->s);
    fill(x->out, PKT, 7);
    x->data_sent = false;
}

static void prep_pair_data(struct ctx *x)
{
    prep_pair(x);
    ok(esock_send(x->c, x->out, PKT, 0, 1000, NULL, NULL));
    x->data_sent = true;
}

static int run_recv(struct ctx *x)
{
    return esock_recv(x->s, x->in, PKT, PKT, 0, 1000, &x->got, NULL);
}

static int run_recv_nowait(struct ctx *x)
{
    memset(&x->si, 0, sizeof x->si);
    return esock_recv(x->s, x->in, 0, PKT, 0, ESOCK_NOWAIT, &x->got, &x->si);
}

static void clean_pair(struct ctx *x, int rc)
{
    if (rc == -ENOMEM && x->data_sent) /* nothing was lost: the data is still there */
        ok(esock_recv(x->s, x->in, PKT, PKT, 0, 1000, &x->got, NULL));
    if (rc == 0 && x->got == PKT)
        assert_memory_equal(x->in, x->out, PKT);
    if (rc == ESOCK_SELECT && !x->cold)
        ok(esock_cancel(x->s, &x->si));
    ok(esock_close(x->c));
    ok(esock_close(x->s));
    drain(esock_mbox_self());
}

static int run_recvmsg(struct ctx *x)
{
    struct iovec iov = {x->in, PKT};
    esock_msghdr_t m = {.iov = &iov, .iovlen = 1}; /* ctrl NULL: the library allocates it */
    int rc = esock_recvmsg(x->s, &m, 0, 1000, &x->got, NULL);
    esock_msghdr_release(&m);
    return rc;
}

static void clean_pair_msg(struct ctx *x, int rc)
{
    if (rc == -ENOMEM) {
        size_t all = 0;
        while (all < PKT) {
            ok(esock_recv(x->s, x->in + all, 0, PKT - all, 0, 1000, &x->got, NULL));
            all += x->got;
        }
        x->got = all;
        rc = 0;
    } else if (rc == 0 && x->got < PKT) { /* recvmsg gives what is there */
        size_t all = x->got;
        while (all < PKT) {
            ok(esock_recv(x->s, x->in + all, 0, PKT - all, 0, 1000, &x->got, NULL));
            all += x->got;
        }
        x->got = all;
    }
    clean_pair(x, rc);
}

/* ---- inet API ------------------------------------------------------------ */

static const esock_inet_opt_t copts[] = {IOPT(PACKET, ESOCK_INET_PACKET_4), IOPT(NODELAY, 1),
                                         IOPT(ACTIVE, ESOCK_INET_ACTIVE_TRUE)};
static const esock_inet_opt_t popts[] = {IOPT(PACKET, ESOCK_INET_PACKET_4),
                                         IOPT(ACTIVE, ESOCK_INET_ACTIVE_FALSE)};

static void prep_raw_listener(struct ctx *x)
{
    x->rawl = raw_listener(&x->port);
    x->ic.id = 0;
}

static int run_inet_connect(struct ctx *x)
{
    esock_sockaddr_t to = lo4(x->port);
    return esock_inet_connect(&x->ic, &to, copts, NELEM(copts), x->mb, 1000);
}

static int run_inet_connect_plain(struct ctx *x)
{
    esock_sockaddr_t to = lo4(x->port);
    return esock_inet_connect(&x->ic, &to, NULL, 0, ESOCK_INET_NO_OWNER, 1000);
}

static void clean_inet_connect(struct ctx *x, int rc)
{
    if (rc == 0) {
        int fd = raw_accept(x->rawl);
        ok(esock_inet_close(x->ic));
        close(fd);
    }
    close(x->rawl); /* drops a connection that the failed call made and closed */
    drain(x->mb);
}

static int run_inet_listen(struct ctx *x)
{
    esock_sockaddr_t any = lo4(0);
    return esock_inet_listen(&x->il, &any, 5, copts, NELEM(copts), x->mb);
}

static void clean_inet_listen(struct ctx *x, int rc)
{
    if (rc == 0)
        ok(esock_inet_close(x->il));
    drain(x->mb);
}

static void prep_inet_listener(struct ctx *x, const esock_inet_opt_t *o, size_t n)
{
    x->il = inet_listener(o, n, x->mb, &x->port);
    x->rawc = raw_connect(x->port);
    x->ia.id = 0;
}

static void prep_inet_accept(struct ctx *x)
{
    prep_inet_listener(x, copts, NELEM(copts));
}

static int run_inet_accept(struct ctx *x)
{
    return esock_inet_accept(x->il, &x->ia, x->mb, 1000);
}

static void clean_inet_accept(struct ctx *x, int rc)
{
    if (rc == 0)
        ok(esock_inet_close(x->ia));
    ok(esock_inet_close(x->il));
    close(x->rawc);
    drain(x->mb);
}

/* A passive {packet,4} socket with one packet of PKT bytes waiting. */
static void prep_inet_recv(struct ctx *x)
{
    prep_inet_listener(x, popts, NELEM(popts));
    ok(esock_inet_accept(x->il, &x->ia, x->mb, 1000));
    fill(x->out + 4, PKT, 3);
    x->out[0] = 0;
    x->out[1] = 0;
    x->out[2] = (uint8_t)(PKT >> 8);
    x->out[3] = (uint8_t)PKT;
    wr(x->rawc, x->out, PKT + 4);
}

static int run_inet_recv(struct ctx *x)
{
    return esock_inet_recv(x->ia, x->in, PKT, 0, &x->got, 1000);
}

static void clean_inet_recv(struct ctx *x, int rc)
{
    if (rc == -ENOMEM) /* the packet is still buffered, whole */
        ok(esock_inet_recv(x->ia, x->in, PKT, 0, &x->got, 1000));
    if (rc == 0 || rc == -ENOMEM) {
        assert_int_equal(x->got, PKT);
        assert_memory_equal(x->in, x->out + 4, PKT);
    }
    clean_inet_accept(x, 0);
}

/* Active {packet,4}: the owner's readiness loop reads, frames and posts. */
static void prep_inet_active_frame(struct ctx *x)
{
    prep_inet_listener(x, copts, NELEM(copts));
    ok(esock_inet_accept(x->il, &x->ia, x->mb, 1000));
    fill(x->out + 4, PKT, 5);
    x->out[0] = 0;
    x->out[1] = 0;
    x->out[2] = (uint8_t)(PKT >> 8);
    x->out[3] = (uint8_t)PKT;
}

static void prep_inet_active(struct ctx *x)
{
    prep_inet_active_frame(x);
    wr(x->rawc, x->out, PKT + 4);
}

static int run_inet_active(struct ctx *x)
{
    esock_inet_msg_t *m = ft_inet_msg(x->mb, 1000);
    if (m == NULL)
        return ESOCK_ETIMEOUT;
    int rc = m->kind == ESOCK_INET_MSG_DATA ? 0 : m->kind == ESOCK_INET_MSG_ERROR ? m->error : -EPROTO;
    if (m->kind == ESOCK_INET_MSG_DATA) {
        x->got = m->len;
        memcpy(x->in, m->data, m->len < PKT ? m->len : PKT);
    }
    esock_inet_msg_free(m);
    return rc;
}

static void clean_inet_active(struct ctx *x, int rc)
{
    if (rc == 0) {
        assert_int_equal(x->got, PKT);
        assert_memory_equal(x->in, x->out + 4, PKT);
    }
    clean_inet_accept(x, 0);
}

/* The packet arrives in two parts: the first read leaves a partial packet
 * that the socket must keep (an allocation of its own) until the rest. */
#define SPLIT_HEAD 100
static void prep_inet_active_split(struct ctx *x)
{
    prep_inet_active_frame(x);
    wr(x->rawc, x->out, 4 + SPLIT_HEAD);
}

static int run_inet_active_split(struct ctx *x)
{
    esock_inet_msg_t *m = ft_inet_msg(x->mb, 50); /* reads the first part */
    if (m != NULL) {
        int rc = m->kind == ESOCK_INET_MSG_ERROR ? m->error : -EPROTO;
        esock_inet_msg_free(m);
        return rc;
    }
    wr(x->rawc, x->out + 4 + SPLIT_HEAD, PKT - SPLIT_HEAD);
    return run_inet_active(x);
}

static int run_inet_udp_open(struct ctx *x)
{
    esock_sockaddr_t any = lo4(0);
    const esock_inet_opt_t o[] = {IOPT(ACTIVE, ESOCK_INET_ACTIVE_TRUE)};
    return esock_inet_udp_open(&x->ic, &any, o, NELEM(o), x->mb);
}

static void clean_inet_ic(struct ctx *x, int rc)
{
    if (rc == 0)
        ok(esock_inet_close(x->ic));
    drain(x->mb);
}

/* Many sockets at once: the handle tables of both APIs grow on the way
 * (from 64 slots), so their growth is swept too. Without warm-up: a table
 * grows only once per process. Stops at the first error. */
#define MANY 100
static esock_t many_s[MANY];
static esock_inet_t many_i[MANY];
static int many_ns, many_ni;

static int run_many(struct ctx *x)
{
    (void)x;
    esock_sockaddr_t any = lo4(0);
    int rc = 0;
    many_ns = many_ni = 0;
    for (int i = 0; i < MANY && rc == 0; i++) {
        rc = esock_open(AF_INET, SOCK_DGRAM, 0, &many_s[i]);
        if (rc == 0)
            many_ns++;
    }
    for (int i = 0; i < MANY && rc == 0; i++) {
        rc = esock_inet_udp_open(&many_i[i], &any, NULL, 0, ESOCK_INET_NO_OWNER);
        if (rc == 0)
            many_ni++;
    }
    return rc;
}

static void clean_many(struct ctx *x, int rc)
{
    (void)x;
    (void)rc;
    for (int i = 0; i < many_ns; i++)
        ok(esock_close(many_s[i]));
    for (int i = 0; i < many_ni; i++)
        ok(esock_inet_close(many_i[i]));
}

/* ---- the sweep ----------------------------------------------------------- */

struct counts {
    long live;
    int fds, socks;
    size_t inets;
};

struct runner {
    const struct op *op;
    struct ctx *x;
    int rc;
};

static void *run_thread(void *p)
{
    struct runner *r = p;
    r->rc = r->op->run(r->x);
    return NULL;
}

/* The operation, on this thread or (cold) on a fresh one that has exited
 * (with its thread-lifetime caches) when this returns. */
static int run_op(const struct op *op, struct ctx *x)
{
    if (!op->cold)
        return op->run(x);
    struct runner r = {op, x, 0};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, run_thread, &r), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    return r.rc;
}

static struct counts measure(void)
{
    struct counts c = {ft_alloc_live(), fd_count(), esock_number_of(), esock_inet_count()};
    return c;
}

static void sweep(const struct op *op, esock_mbox_t mb)
{
    struct ctx *x = calloc(1, sizeof *x);
    assert_non_null(x);
    x->mb = mb;
    x->cold = op->cold;
    ft_alloc_track();
    /* Warm up: process- and thread-lifetime caches come into being here. */
    for (int i = 0; i < (op->no_warmup ? 0 : 2); i++) {
        op->prepare(x);
        int rc = run_op(op, x);
        assert_int_equal(rc, op->success);
        op->cleanup(x, rc);
    }
    unsigned points = 0, survived = 0, errors = 0;
    bool done = false;
    for (unsigned n = 1; n <= MAX_POINTS && !done; n++) {
        struct counts before = measure();
        op->prepare(x);
        ft_alloc_fail_at(n);
        int rc = run_op(op, x);
        bool failed = ft_alloc_failed();
        unsigned calls = ft_alloc_calls();
        ft_alloc_fail_at(0);
        if (!failed) {
            assert_int_equal(rc, op->success);
            points = calls;
            done = true;
        } else if (rc == op->success) {
            survived++;
        } else {
            if (rc != -ENOMEM)
                fprintf(stderr, "%s: allocation %u failed: rc %d (%s)\n", op->name, n, rc,
                        esock_errname(rc));
            assert_int_equal(rc, -ENOMEM);
            errors++;
        }
        op->cleanup(x, rc);
        struct counts after = measure();
        if (after.live != before.live || after.fds != before.fds || after.socks != before.socks ||
            after.inets != before.inets) {
            fprintf(stderr, "%s: allocation %u failed (rc %d): live %ld -> %ld, fds %d -> %d, "
                            "sockets %d -> %d, inet %zu -> %zu\n",
                    op->name, n, rc, before.live, after.live, before.fds, after.fds, before.socks,
                    after.socks, before.inets, after.inets);
            ft_alloc_dump();
        }
        assert_int_equal(after.live, before.live);
        assert_int_equal(after.fds, before.fds);
        assert_int_equal(after.socks, before.socks);
        assert_int_equal(after.inets, before.inets);
    }
    assert_true(done);
    ft_note("alloc %-36s %2u allocation points: %u give -ENOMEM, %u are survived\n", op->name,
            points, errors, survived);
    esock__sys_reset();
    free(x);
}

static const struct op ops[] = {
    {.name = "esock_open", .prepare = NULL, .run = run_open, .cleanup = clean_s, .success = 0, .cold = false},
    {.name = "esock_accept", .prepare = prep_accept, .run = run_accept, .cleanup = clean_accept, .success = 0, .cold = false},
    {.name = "esock_accept(nowait)", .prepare = prep_listener, .run = run_accept_nowait, .cleanup = clean_accept, .success = ESOCK_SELECT, .cold = false},
    {.name = "esock_recv", .prepare = prep_pair_data, .run = run_recv, .cleanup = clean_pair, .success = 0, .cold = false},
    {.name = "esock_recv(nowait)", .prepare = prep_pair, .run = run_recv_nowait, .cleanup = clean_pair, .success = ESOCK_SELECT, .cold = false},
    {.name = "esock_recvmsg", .prepare = prep_pair_data, .run = run_recvmsg, .cleanup = clean_pair_msg, .success = 0, .cold = false},
    {.name = "esock_inet_connect", .prepare = prep_raw_listener, .run = run_inet_connect, .cleanup = clean_inet_connect, .success = 0, .cold = false},
    {.name = "esock_inet_connect(plain)", .prepare = prep_raw_listener, .run = run_inet_connect_plain, .cleanup = clean_inet_connect, .success = 0, .cold = false},
    {.name = "esock_inet_listen", .prepare = NULL, .run = run_inet_listen, .cleanup = clean_inet_listen, .success = 0, .cold = false},
    {.name = "esock_inet_accept", .prepare = prep_inet_accept, .run = run_inet_accept, .cleanup = clean_inet_accept, .success = 0, .cold = false},
    {.name = "esock_inet_recv", .prepare = prep_inet_recv, .run = run_inet_recv, .cleanup = clean_inet_recv, .success = 0, .cold = false},
    {.name = "esock_inet_recv(active)", .prepare = prep_inet_active, .run = run_inet_active, .cleanup = clean_inet_active, .success = 0, .cold = false},
    {.name = "esock_inet_udp_open", .prepare = NULL, .run = run_inet_udp_open, .cleanup = clean_inet_ic, .success = 0, .cold = false},
    /* The same on a thread's first call: its implicit mailbox, wake-up
     * eventfd and read buffer are made inside the sweep. */
    {.name = "esock_open(new thread)", .prepare = NULL, .run = run_open, .cleanup = clean_s, .success = 0, .cold = true},
    {.name = "esock_accept(new thread)", .prepare = prep_accept, .run = run_accept, .cleanup = clean_accept, .success = 0, .cold = true},
    {.name = "esock_recv(new thread)", .prepare = prep_pair_data, .run = run_recv, .cleanup = clean_pair, .success = 0, .cold = true},
    {.name = "esock_inet_connect(new thread)", .prepare = prep_raw_listener, .run = run_inet_connect, .cleanup = clean_inet_connect, .success = 0, .cold = true},
    {.name = "esock_inet_accept(new thread)", .prepare = prep_inet_accept, .run = run_inet_accept, .cleanup = clean_inet_accept, .success = 0, .cold = true},
    {.name = "esock_inet_recv(new thread)", .prepare = prep_inet_recv, .run = run_inet_recv, .cleanup = clean_inet_recv, .success = 0, .cold = true},
    {.name = "esock_inet_recv(active, new thread)", .prepare = prep_inet_active, .run = run_inet_active, .cleanup = clean_inet_active, .success = 0, .cold = true},
    {.name = "esock_accept(nowait, new thread)", .prepare = prep_listener, .run = run_accept_nowait, .cleanup = clean_accept, .success = ESOCK_SELECT, .cold = true},
    {.name = "open 100 + 100 (tables grow)", .prepare = NULL, .run = run_many, .cleanup = clean_many, .success = 0, .cold = false, .no_warmup = true},
    {.name = "esock_recv(nowait, new thread)", .prepare = prep_pair, .run = run_recv_nowait, .cleanup = clean_pair, .success = ESOCK_SELECT, .cold = true},
    {.name = "esock_inet_recv(active, split)", .prepare = prep_inet_active_split, .run = run_inet_active_split, .cleanup = clean_inet_active, .success = 0, .cold = false},
    {.name = "esock_inet_recv(active, split, new thread)", .prepare = prep_inet_active_split, .run = run_inet_active_split, .cleanup = clean_inet_active, .success = 0, .cold = true},
};

static void nothing(struct ctx *x)
{
    x->s.id = 0;
    x->ic.id = 0;
    x->il.id = 0;
}

static void alloc_sweep(void **state)
{
    const struct op *op = *state;
    esock_mbox_t mb;
    ok(esock_mbox_create(&mb));
    struct op o = *op;
    if (o.prepare == NULL)
        o.prepare = nothing;
    sweep(&o, mb);
    drain(mb);
    ok(esock_mbox_destroy(mb));
}

/* The test's name is the index (a static initializer cannot read
 * ops[i].name in ISO C); the sweep prints the operation's name. */
#define SWEEP(i) \
    {"alloc_sweep_" #i, alloc_sweep, ft_setup, ft_teardown, (void *)&ops[i]}

const struct CMUnitTest ft_alloc_tests[] = {
    SWEEP(0),  SWEEP(1),  SWEEP(2),  SWEEP(3),  SWEEP(4),  SWEEP(5),  SWEEP(6),
    SWEEP(7),  SWEEP(8),  SWEEP(9),  SWEEP(10), SWEEP(11), SWEEP(12), SWEEP(13),
    SWEEP(14), SWEEP(15), SWEEP(16), SWEEP(17), SWEEP(18), SWEEP(19), SWEEP(20),
    SWEEP(21), SWEEP(22), SWEEP(23), SWEEP(24),
};
_Static_assert(sizeof ops / sizeof ops[0] == sizeof ft_alloc_tests / sizeof ft_alloc_tests[0],
               "one test per operation");
const size_t ft_alloc_count = NELEM(ft_alloc_tests);
