/*
 * test_stress: eight threads for a bounded time and count doing send, recv,
 * setopt, monitor / cancel_monitor, shutdown, info, owner changes, i(),
 * close and reopen on one shared set of connected pairs, through the
 * socket API and the inet API at once (with flush, getstat and active
 * modes read by the owner thread's mailbox loop on the inet side,
 * which_sockets on the socket side), and sendto / recvfrom / active modes
 * on a set of UDP sockets that are closed and reopened too. Some threads close sockets that
 * others are using, and reopen them.
 *
 * Every call must return success or an error its documentation allows for
 * that situation (ESOCK_ECLOSED on a closed handle, a timeout, the peer's
 * reset...), never crash, never hang. After the threads are joined the
 * registry, the inet table, the descriptors and the live allocations through
 * the seam are back where they started. Meant to run under ThreadSanitizer
 * and AddressSanitizer + UBSan as well (scripts/ci runs every suite there).
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <esock/error.h>
#include <esock/inet.h>
#include <esock/opt.h>
#include <esock/socket.h>

#include "heap.h"
#include "testnet.h"

#define NTHREADS 8
#define NPAIRS 6        /* connected pairs per API in the shared set */
#define RUN_MS 2500     /* how long the threads run */
#define MAX_OPS 400000  /* and at most this many calls each */
#define HANG_MS 20000   /* a thread still running this long after RUN_MS hangs */

enum {
    OP_S_SEND, OP_S_RECV, OP_S_SETOPT, OP_S_MONITOR, OP_S_CLOSE, OP_S_REOPEN,
    OP_I_SEND, OP_I_RECV, OP_I_SETOPT, OP_I_MONITOR, OP_I_CLOSE, OP_I_REOPEN,
    OP_I_SHUTDOWN, OP_I_FLUSH, OP_I_STAT, OP_I_OWNER, OP_I_LIST,
    OP_S_SHUTDOWN, OP_S_INFO, OP_S_OWNER, OP_S_LIST, OP_I_ACTIVE,
    OP_U_SEND, OP_U_RECV, OP_U_ACTIVE, OP_U_REOPEN,
    OP_CANCEL, OP_COUNT
};

/* ---- the shared set ---- */

typedef struct pair {
    _Atomic uint32_t h[2]; /* the two ends (esock_t or esock_inet_t ids), 0 while replaced */
} pair_t;

/* UDP sockets: h[0] the handle, h[1] its port (what others send to) */
static pair_t udps[NPAIRS];

static pair_t spairs[NPAIRS]; /* socket API */
static pair_t ipairs[NPAIRS]; /* inet API */

/* Each thread connects its reopened pairs through its own listeners, so an
 * accept always finds the connection its thread just made. */
static esock_t slis[NTHREADS];
static esock_sockaddr_t ssa[NTHREADS];
static esock_inet_t ilis[NTHREADS];
static esock_sockaddr_t isa[NTHREADS];

static atomic_bool stop;
static FILE *devnull; /* where the i() listings go (opened before the census) */
static pthread_barrier_t start_line;
static int weight_total;

/* ---- per thread ---- */

#define MAXMON 32

typedef struct worker {
    int id;
    uint64_t rng;
    esock_mbox_t mb;           /* DOWN messages of its monitors */
    uint64_t mon[MAXMON];      /* outstanding monitors, 0 = free */
    bool mon_inet[MAXMON];
    uint64_t ops[OP_COUNT];    /* calls per operation */
    uint64_t ok[OP_COUNT];     /* of which succeeded */
    uint64_t downs;
    uint64_t data_msgs;        /* packets its mailbox loop delivered (i_active) */
    uint64_t echoed;           /* of which sent back with esock_inet_send_msg */
    uint64_t mon_made[2], mon_removed[2], downs_of[2]; /* [inet]: monitors set, cancelled before firing, fired */
    int bad_op, bad_rc;        /* the first undocumented result */
    int bad_count;
    bool done;
    pthread_t th;
} worker_t;

static worker_t workers[NTHREADS];

static uint32_t rnd(worker_t *w)
{
    w->rng ^= w->rng << 13;
    w->rng ^= w->rng >> 7;
    w->rng ^= w->rng << 17;
    return (uint32_t)(w->rng >> 16);
}

static uint32_t pick(worker_t *w, pair_t *set, bool *which)
{
    pair_t *p = &set[rnd(w) % NPAIRS];
    *which = rnd(w) & 1;
    return atomic_load(&p->h[*which]);
}

/* ---- making pairs ---- */

static int new_spair(int t, uint32_t out[2])
{
    esock_t c, s;
    int rc = esock_open(AF_INET, SOCK_STREAM, 0, &c);
    if (rc)
        return rc;
    if ((rc = esock_connect(c, &ssa[t], 2000, NULL)) != 0 ||
        (rc = esock_accept(slis[t], 2000, &s, NULL)) != 0) {
        esock_close(c);
        return rc;
    }
    out[0] = c.id;
    out[1] = s.id;
    return 0;
}

static int new_ipair(int t, uint32_t out[2])
{
    /* a short send_timeout bounds how long close may spend writing what a
     * peer that never reads left queued */
    const esock_inet_opt_t o[] = {{.name = ESOCK_IOPT_SEND_TIMEOUT, .v.i = 50}};
    esock_inet_t c, s;
    int rc = esock_inet_connect(&c, &isa[t], o, 1, ESOCK_INET_NO_OWNER, 2000);
    if (rc)
        return rc;
    if ((rc = esock_inet_accept(ilis[t], &s, ESOCK_INET_NO_OWNER, 2000)) != 0 ||
        (rc = esock_inet_setopts(s, o, 1)) != 0) {
        esock_inet_close(c);
        esock_inet_close(s);
        return rc;
    }
    out[0] = c.id;
    out[1] = s.id;
    return 0;
}

/* ---- the operations: socket API ---- */

static char payload[4096];

static int s_send(worker_t *w)
{
    bool e;
    esock_t s = {pick(w, spairs, &e)};
    size_t sent;
    return esock_send(s, payload, 64 + rnd(w) % 256, 0, 10, &sent, NULL);
}

static int s_recv(worker_t *w)
{
    bool e;
    esock_t s = {pick(w, spairs, &e)};
    char b[1024];
    size_t got;
    return esock_recv(s, b, 0, sizeof b, 0, 5, &got, NULL);
}

static int s_setopt(worker_t *w)
{
    bool e;
    esock_t s = {pick(w, spairs, &e)};
    esock_optval_t v = {.type = ESOCK_OVT_BOOL, .u.b = rnd(w) & 1};
    return esock_setopt(s, (rnd(w) & 1) ? ESOCK_OPT_SOCKET_KEEPALIVE : ESOCK_OPT_TCP_NODELAY, &v);
}

static int keep_monitor(worker_t *w, uint64_t ref, bool inet)
{
    for (int i = 0; i < MAXMON; i++)
        if (!w->mon[i]) {
            w->mon[i] = ref;
            w->mon_inet[i] = inet;
            return 0;
        }
    return -1;
}

/* Cancels a monitor. socket: 0 removed, -ENOENT already fired; inet: 1
 * removed, 0 not found. Returns 0 for those, counting the removals (each
 * monitor set must end as exactly one DOWN or one removal). */
static int cancel_ref(worker_t *w, uint64_t ref, bool inet)
{
    for (int i = 0; i < MAXMON; i++)
        if (w->mon[i] == ref && w->mon_inet[i] == inet) /* the two APIs number apart */
            w->mon[i] = 0;
    int rc = inet ? esock_inet_cancel_monitor(ref) : esock_cancel_monitor(ref);
    bool removed = inet ? rc == 1 : rc == 0;
    if (removed)
        w->mon_removed[inet]++;
    if (inet)
        return rc == 1 || rc == 0 ? 0 : rc;
    return rc == -ENOENT ? 0 : rc;
}

static int cancel_one(worker_t *w, int i)
{
    return cancel_ref(w, w->mon[i], w->mon_inet[i]);
}

static int s_monitor(worker_t *w)
{
    bool e;
    esock_t s = {pick(w, spairs, &e)};
    uint64_t ref = 0;
    int rc = esock_monitor(s, w->mb, &ref);
    if (rc)
        return rc;
    w->mon_made[0]++;
    if (keep_monitor(w, ref, false) == 0 && (rnd(w) & 3))
        return 0;
    return cancel_ref(w, ref, false);
}

static int s_close(worker_t *w)
{
    bool e;
    esock_t s = {pick(w, spairs, &e)};
    return esock_close(s);
}

static int s_reopen(worker_t *w)
{
    uint32_t nh[2];
    int rc = new_spair(w->id, nh);
    if (rc)
        return rc;
    pair_t *p = &spairs[rnd(w) % NPAIRS];
    for (int k = 0; k < 2; k++) {
        esock_t old = {atomic_exchange(&p->h[k], nh[k])};
        int c = esock_close(old);
        if (c != 0 && c != ESOCK_ECLOSED)
            return c;
    }
    return 0;
}

static int s_shutdown(worker_t *w)
{
    bool e;
    esock_t s = {pick(w, spairs, &e)};
    return esock_shutdown(s, (rnd(w) & 1) ? SHUT_WR : SHUT_RDWR);
}

/* info(Socket) with its counters, or info() of the library */
static int s_info(worker_t *w)
{
    bool e;
    esock_t s = {pick(w, spairs, &e)};
    if (rnd(w) & 1) {
        esock_socket_info_t inf;
        return esock_info_socket(s, &inf);
    }
    esock_lib_info_t li;
    return esock_info(&li);
}

static int s_owner(worker_t *w)
{
    bool e;
    esock_t s = {pick(w, spairs, &e)};
    return esock_set_owner(s, (rnd(w) & 1) ? w->mb : ESOCK_INET_NO_OWNER);
}

/* i() and which_sockets over the registry while others open and close */
static int s_list(worker_t *w)
{
    if (rnd(w) & 1) {
        esock_t hs[64];
        int n = esock_which_sockets(NULL, hs, 64);
        return n >= 0 ? 0 : n;
    }
    esock_i(devnull, 0, 0, 0);
    return 0;
}

/* ---- the operations: inet API ---- */

static int i_send(worker_t *w)
{
    bool e;
    esock_inet_t s = {pick(w, ipairs, &e)};
    /* one in eight big enough to be delivered and echoed by reference
     * (zerocopy_min, esock_inet_send_msg) on active sockets */
    size_t len = (rnd(w) & 7) ? 64 + rnd(w) % 256 : 2048 + rnd(w) % 2048;
    return esock_inet_send_ex(s, payload, len, 10);
}

static int i_recv(worker_t *w)
{
    bool e;
    esock_inet_t s = {pick(w, ipairs, &e)};
    char b[4096];
    size_t got;
    return esock_inet_recv(s, b, sizeof b, 0, &got, 5);
}

static int i_setopt(worker_t *w)
{
    bool e;
    esock_inet_t s = {pick(w, ipairs, &e)};
    esock_inet_opt_t o[2] = {{.name = ESOCK_IOPT_NODELAY, .v.i = rnd(w) & 1},
                             {.name = ESOCK_IOPT_HIGH_WATERMARK, .v.i = 8192 + rnd(w) % 8192}};
    return esock_inet_setopts(s, o, 1 + (rnd(w) & 1));
}

static int i_monitor(worker_t *w)
{
    bool e;
    esock_inet_t s = {pick(w, ipairs, &e)};
    uint64_t ref = 0;
    int rc = esock_inet_monitor(s, w->mb, &ref);
    if (rc)
        return rc;
    w->mon_made[1]++;
    if (keep_monitor(w, ref, true) == 0 && (rnd(w) & 3))
        return 0;
    return cancel_ref(w, ref, true);
}

static int i_close(worker_t *w)
{
    bool e;
    esock_inet_t s = {pick(w, ipairs, &e)};
    return esock_inet_close(s);
}

static int i_reopen(worker_t *w)
{
    uint32_t nh[2];
    int rc = new_ipair(w->id, nh);
    if (rc)
        return rc;
    pair_t *p = &ipairs[rnd(w) % NPAIRS];
    for (int k = 0; k < 2; k++) {
        esock_inet_t old = {atomic_exchange(&p->h[k], nh[k])};
        int c = esock_inet_close(old);
        if (c != 0 && c != ESOCK_ECLOSED)
            return c;
    }
    return 0;
}

/* shutdown writes the queue first (up to the pair's send_timeout) without
 * holding the socket while it waits */
static int i_shutdown(worker_t *w)
{
    bool e;
    esock_inet_t s = {pick(w, ipairs, &e)};
    return esock_inet_shutdown(s, (rnd(w) & 1) ? SHUT_WR : SHUT_RDWR);
}

static int i_flush(worker_t *w)
{
    bool e;
    esock_inet_t s = {pick(w, ipairs, &e)};
    return esock_inet_flush(s);
}

/* getstat and info: counters read while other threads move them */
static int i_stat(worker_t *w)
{
    bool e;
    esock_inet_t s = {pick(w, ipairs, &e)};
    if (rnd(w) & 1) {
        esock_inet_info_t inf;
        return esock_inet_info(s, &inf);
    }
    uint64_t v[ESOCK_STAT_COUNT_];
    return esock_inet_getstat(s, NULL, 0, v);
}

/* the socket moves between this thread's mailbox and none (passive
 * sockets: the owner gets nothing but DOWNs of its monitors) */
static int i_owner(worker_t *w)
{
    bool e;
    esock_inet_t s = {pick(w, ipairs, &e)};
    return esock_inet_controlling_process(s, (rnd(w) & 1) ? w->mb : ESOCK_INET_NO_OWNER);
}

/* An active mode (or passive again) and, half the time, this thread's
 * mailbox as the owner: its loop (drain_downs) then reads the socket and
 * frees what it delivers, while other threads send, close and reopen. */
static int i_active(worker_t *w)
{
    static const int64_t modes[] = {ESOCK_INET_ACTIVE_TRUE, ESOCK_INET_ACTIVE_ONCE, ESOCK_INET_ACTIVE_FALSE, 3,
                                    -2};
    bool e;
    esock_inet_t s = {pick(w, ipairs, &e)};
    esock_inet_opt_t o[2] = {{.name = ESOCK_IOPT_ACTIVE, .v.i = modes[rnd(w) % 5]},
                             {.name = ESOCK_IOPT_ZEROCOPY_MIN, .v.i = (rnd(w) & 1) ? 1024 : 0}};
    int rc = esock_inet_setopts(s, o, 2);
    if (rc == 0 && (rnd(w) & 1))
        rc = esock_inet_controlling_process(s, w->mb);
    return rc;
}

/* ---- the operations: inet UDP ---- */

static int new_udp(uint32_t *id, uint32_t *port)
{
    esock_sockaddr_t a;
    esock_ip_t ip = {.family = ESOCK_IP4, .u.v4 = {127, 0, 0, 1}};
    esock_sockaddr_ip(&a, &ip, 0);
    esock_inet_t u;
    int rc = esock_inet_udp_open(&u, &a, NULL, 0, ESOCK_INET_NO_OWNER);
    if (rc)
        return rc;
    uint16_t p = 0;
    if ((rc = esock_inet_port(u, &p)) != 0) {
        esock_inet_close(u);
        return rc;
    }
    *id = u.id;
    *port = p;
    return 0;
}

/* to the port of a random socket of the set (maybe just closed: lost) */
static int u_send(worker_t *w)
{
    esock_inet_t u = {atomic_load(&udps[rnd(w) % NPAIRS].h[0])};
    esock_sockaddr_t to;
    esock_ip_t ip = {.family = ESOCK_IP4, .u.v4 = {127, 0, 0, 1}};
    esock_sockaddr_ip(&to, &ip, (uint16_t)atomic_load(&udps[rnd(w) % NPAIRS].h[1]));
    return esock_inet_sendto(u, &to, payload, 16 + rnd(w) % 1400);
}

static int u_recv(worker_t *w)
{
    esock_inet_t u = {atomic_load(&udps[rnd(w) % NPAIRS].h[0])};
    char b[2048];
    size_t got;
    esock_sockaddr_t from;
    return esock_inet_recvfrom(u, b, sizeof b, &got, &from, NULL, NULL, 5);
}

/* datagrams then go to this thread's mailbox loop (drain_downs) */
static int u_active(worker_t *w)
{
    static const int64_t modes[] = {ESOCK_INET_ACTIVE_TRUE, ESOCK_INET_ACTIVE_ONCE, ESOCK_INET_ACTIVE_FALSE, 4};
    esock_inet_t u = {atomic_load(&udps[rnd(w) % NPAIRS].h[0])};
    esock_inet_opt_t o = {.name = ESOCK_IOPT_ACTIVE, .v.i = modes[rnd(w) % 4]};
    int rc = esock_inet_setopts(u, &o, 1);
    if (rc == 0 && (rnd(w) & 1))
        rc = esock_inet_controlling_process(u, w->mb);
    return rc;
}

static int u_reopen(worker_t *w)
{
    uint32_t id, port;
    int rc = new_udp(&id, &port);
    if (rc)
        return rc;
    pair_t *p = &udps[rnd(w) % NPAIRS];
    atomic_store(&p->h[1], port);
    esock_inet_t old = {atomic_exchange(&p->h[0], id)};
    int c = esock_inet_close(old);
    return c == ESOCK_ECLOSED ? 0 : c;
}

/* i(): every socket locked in turn while the others are in use */
static int i_list(worker_t *w)
{
    (void)w;
    int rows = esock_inet_i(devnull, ESOCK_INET_I_ALL, NULL, 0, true);
    return rows >= 0 ? 0 : rows;
}

static int cancel_some(worker_t *w)
{
    int i = (int)(rnd(w) % MAXMON);
    return w->mon[i] ? cancel_one(w, i) : 0;
}

/*
 * The operations, how often each is drawn, and the results their
 * documentation allows in this setting (handles closed under the caller,
 * peers closed or reset, short timeouts, buffers full).
 */
#define A(...) {__VA_ARGS__, 1} /* 1 terminates: never a result */
static const struct op {
    const char *name;
    int (*fn)(worker_t *);
    int weight;
    int allowed[12];
} ops[OP_COUNT] = {
    [OP_S_SEND] = {"socket send", s_send, 10,
                   A(0, ESOCK_ETIMEOUT, ESOCK_ECLOSED, -EPIPE, -ECONNRESET)},
    [OP_S_RECV] = {"socket recv", s_recv, 10, A(0, ESOCK_ETIMEOUT, ESOCK_ECLOSED, -ECONNRESET)},
    [OP_S_SETOPT] = {"socket setopt", s_setopt, 6, A(0, ESOCK_ECLOSED, -EBADF)},
    [OP_S_MONITOR] = {"socket monitor", s_monitor, 6, A(0)},
    [OP_S_CLOSE] = {"socket close", s_close, 1, A(0, ESOCK_ECLOSED)},
    [OP_S_REOPEN] = {"socket reopen", s_reopen, 2, A(0)},
    [OP_I_SEND] = {"inet send", i_send, 10,
                   A(0, ESOCK_ETIMEOUT, ESOCK_ECLOSED, -EPIPE, -ECONNRESET, -ENOTCONN)},
    [OP_I_RECV] = {"inet recv", i_recv, 10, /* -EINVAL: made active (i_active) */
                   A(0, ESOCK_ETIMEOUT, ESOCK_ECLOSED, -ENOTCONN, -EALREADY, -EINVAL)},
    /* -EINVAL: the port is gone after a reported close (tests/inet/t_portend.c) */
    [OP_I_SETOPT] = {"inet setopts", i_setopt, 6, A(0, ESOCK_ECLOSED, -EINVAL)},
    [OP_I_MONITOR] = {"inet monitor", i_monitor, 6, A(0)},
    [OP_I_CLOSE] = {"inet close", i_close, 1, A(0, ESOCK_ECLOSED)},
    [OP_I_REOPEN] = {"inet reopen", i_reopen, 2, A(0)},
    [OP_I_SHUTDOWN] = {"inet shutdown", i_shutdown, 1,
                       A(0, ESOCK_ETIMEOUT, ESOCK_ECLOSED, -ENOTCONN)},
    [OP_I_FLUSH] = {"inet flush", i_flush, 3,
                    A(0, ESOCK_ECLOSED, -ENOTCONN, -EPIPE, -ECONNRESET)},
    [OP_I_STAT] = {"inet getstat/info", i_stat, 4, A(0, ESOCK_ECLOSED, -EINVAL)},
    [OP_I_OWNER] = {"inet controlling_process", i_owner, 2, A(0, ESOCK_ECLOSED)},
    [OP_I_LIST] = {"inet i()", i_list, 1, A(0)},
    [OP_S_SHUTDOWN] = {"socket shutdown", s_shutdown, 1, A(0, ESOCK_ECLOSED, -ENOTCONN)},
    [OP_S_INFO] = {"socket info", s_info, 4, A(0, ESOCK_ECLOSED)},
    [OP_S_OWNER] = {"socket set_owner", s_owner, 2, A(0, ESOCK_ECLOSED)},
    [OP_S_LIST] = {"socket i()/which", s_list, 1, A(0)},
    [OP_I_ACTIVE] = {"inet active/owner", i_active, 3, A(0, ESOCK_ECLOSED, -EINVAL)},
    [OP_U_SEND] = {"udp sendto", u_send, 6, A(0, ESOCK_ECLOSED)},
    [OP_U_RECV] = {"udp recvfrom", u_recv, 6, /* -EINVAL: made active (u_active) */
                   A(0, ESOCK_ETIMEOUT, ESOCK_ECLOSED, -EINVAL)},
    [OP_U_ACTIVE] = {"udp active/owner", u_active, 2, A(0, ESOCK_ECLOSED)},
    [OP_U_REOPEN] = {"udp reopen", u_reopen, 1, A(0)},
    [OP_CANCEL] = {"cancel_monitor", cancel_some, 4, A(0)},
};

static bool allowed(const struct op *o, int rc)
{
    for (int i = 0; o->allowed[i] != 1; i++)
        if (o->allowed[i] == rc)
            return true;
    return false;
}

static int draw(worker_t *w)
{
    int r = (int)(rnd(w) % (uint32_t)weight_total);
    for (int i = 0; i < OP_COUNT; i++) {
        if (r < ops[i].weight)
            return i;
        r -= ops[i].weight;
    }
    return 0;
}

static void drain_downs(worker_t *w)
{
    esock_msg_t m;
    while (esock_mbox_recv(w->mb, &m, 0) == 0) {
        if (m.kind == ESOCK_MSG_DOWN) { /* = ESOCK_INET_MSG_DOWN; inet ones carry a record */
            w->downs++;
            w->downs_of[esock_inet_msg(&m) != NULL]++;
        }
        esock_inet_msg_t *im = esock_inet_msg(&m);
        if (im && im->kind == ESOCK_INET_MSG_DATA) {
            w->data_msgs++;
            /* half of them echoed: the send takes the message over (big
             * ones by reference into the read buffer) or leaves it ours */
            if ((rnd(w) & 1) && esock_inet_send_msg(im->sock, im, ESOCK_NOWAIT) == 0) {
                w->echoed++;
                continue;
            }
        }
        esock_msg_free(&m);
    }
}

static void *worker_main(void *arg)
{
    worker_t *w = arg;
    pthread_barrier_wait(&start_line);
    int64_t end = now_ms() + RUN_MS;
    uint64_t n = 0;
    while (!atomic_load(&stop) && n < MAX_OPS && (n & 63 || now_ms() < end)) {
        int k = draw(w);
        int rc = ops[k].fn(w);
        w->ops[k]++;
        if (rc == 0)
            w->ok[k]++;
        else if (!allowed(&ops[k], rc) && w->bad_count++ == 0) {
            w->bad_op = k;
            w->bad_rc = rc;
        }
        if ((++n & 15) == 0)
            drain_downs(w);
    }
    w->done = true;
    return NULL;
}

/* ---- the test ---- */

static void setup_listeners(void)
{
    for (int t = 0; t < NTHREADS; t++) {
        esock_ip_t ip;
        esock_parse_address("127.0.0.1", 9, &ip);
        esock_sockaddr_ip(&ssa[t], &ip, 0);
        assert_int_equal(esock_open(AF_INET, SOCK_STREAM, 0, &slis[t]), 0);
        assert_int_equal(esock_bind(slis[t], &ssa[t]), 0);
        assert_int_equal(esock_listen(slis[t], 16), 0);
        assert_int_equal(esock_sockname(slis[t], &ssa[t]), 0);
        esock_sockaddr_ip(&isa[t], &ip, 0);
        assert_int_equal(esock_inet_listen(&ilis[t], &isa[t], 16, NULL, 0, ESOCK_INET_NO_OWNER), 0);
        uint16_t port;
        assert_int_equal(esock_inet_port(ilis[t], &port), 0);
        isa[t].u.in.port = port;
    }
}

static void setup_pairs(void)
{
    for (int i = 0; i < NPAIRS; i++) {
        uint32_t h[2] = {0, 0};
        assert_int_equal(new_spair(i % NTHREADS, h), 0);
        atomic_store(&spairs[i].h[0], h[0]);
        atomic_store(&spairs[i].h[1], h[1]);
        assert_int_equal(new_ipair(i % NTHREADS, h), 0);
        atomic_store(&ipairs[i].h[0], h[0]);
        atomic_store(&ipairs[i].h[1], h[1]);
        assert_int_equal(new_udp(&h[0], &h[1]), 0);
        atomic_store(&udps[i].h[0], h[0]);
        atomic_store(&udps[i].h[1], h[1]);
    }
}

static void teardown_all(void)
{
    for (int i = 0; i < NPAIRS; i++)
        for (int k = 0; k < 2; k++) {
            esock_t s = {atomic_exchange(&spairs[i].h[k], 0)};
            int rc = esock_close(s);
            assert_true(rc == 0 || rc == ESOCK_ECLOSED);
            esock_inet_t is = {atomic_exchange(&ipairs[i].h[k], 0)};
            rc = esock_inet_close(is);
            assert_true(rc == 0 || rc == ESOCK_ECLOSED);
        }
    for (int i = 0; i < NPAIRS; i++) {
        esock_inet_t u = {atomic_exchange(&udps[i].h[0], 0)};
        int rc = esock_inet_close(u);
        assert_true(rc == 0 || rc == ESOCK_ECLOSED);
    }
    for (int t = 0; t < NTHREADS; t++) {
        assert_int_equal(esock_close(slis[t]), 0);
        assert_int_equal(esock_inet_close(ilis[t]), 0);
    }
}

static void report(int64_t ms)
{
    uint64_t total[OP_COUNT] = {0}, okc[OP_COUNT] = {0}, all = 0, downs = 0, data = 0, echoed = 0;
    for (int t = 0; t < NTHREADS; t++) {
        uint64_t mine = 0;
        for (int k = 0; k < OP_COUNT; k++) {
            total[k] += workers[t].ops[k];
            okc[k] += workers[t].ok[k];
            mine += workers[t].ops[k];
        }
        all += mine;
        downs += workers[t].downs;
        data += workers[t].data_msgs;
        echoed += workers[t].echoed;
        printf("# thread %d: %llu calls\n", t, (unsigned long long)mine);
    }
    printf("# stress: %d threads, %lld ms, %llu calls (%llu per thread on average), %llu DOWN "
           "messages, %llu packets delivered to owners (%llu echoed)\n",
           NTHREADS, (long long)ms, (unsigned long long)all, (unsigned long long)(all / NTHREADS),
           (unsigned long long)downs, (unsigned long long)data, (unsigned long long)echoed);
    for (int k = 0; k < OP_COUNT; k++)
        printf("#   %-24s %8llu calls, %8llu ok\n", ops[k].name, (unsigned long long)total[k],
               (unsigned long long)okc[k]);
}

static void stress_shared_sockets(void **st)
{
    (void)st;
    memset(payload, 'p', sizeof payload);
    devnull = fopen("/dev/null", "w");
    assert_non_null(devnull);
    for (int i = 0; i < OP_COUNT; i++)
        weight_total += ops[i].weight;
    /* a first round so that the tables and the main thread's lazily made
     * resources are at their size before the census */
    setup_listeners();
    setup_pairs();
    teardown_all();
    int fds0 = fd_count();
    int socks0 = esock_number_of();
    size_t inet0 = esock_inet_count();
    heap_snap_t h0;
    heap_snap(&h0);

    setup_listeners();
    setup_pairs();
    atomic_store(&stop, false);
    pthread_barrier_init(&start_line, NULL, NTHREADS + 1);
    for (int t = 0; t < NTHREADS; t++) {
        worker_t *w = &workers[t];
        memset(w, 0, sizeof *w);
        w->id = t;
        w->rng = 0x9e3779b97f4a7c15ull * (uint64_t)(t + 1);
        assert_int_equal(esock_mbox_create(&w->mb), 0);
        assert_int_equal(pthread_create(&w->th, NULL, worker_main, w), 0);
    }
    int64_t t0 = now_ms();
    pthread_barrier_wait(&start_line);
    /* a hang is a failure: the workers stop by themselves after RUN_MS */
    for (int t = 0; t < NTHREADS; t++) {
        struct timespec dl;
        clock_gettime(CLOCK_REALTIME, &dl);
        dl.tv_sec += (RUN_MS + HANG_MS) / 1000;
        int rc = pthread_timedjoin_np(workers[t].th, NULL, &dl);
        if (rc) {
            atomic_store(&stop, true);
            print_error("thread %d did not finish within %d ms of its time: a call hangs\n", t,
                        HANG_MS);
            fail();
        }
    }
    int64_t ms = now_ms() - t0;
    pthread_barrier_destroy(&start_line);
    report(ms);

    int bad = 0;
    for (int t = 0; t < NTHREADS; t++)
        if (workers[t].bad_count) {
            print_error("thread %d: %d undocumented results, first: %s returned %d (%s)\n", t,
                        workers[t].bad_count, ops[workers[t].bad_op].name, workers[t].bad_rc,
                        esock_errname(workers[t].bad_rc));
            bad++;
        }

    teardown_all();
    int downs_wrong = 0;
    for (int t = 0; t < NTHREADS; t++) {
        worker_t *w = &workers[t];
        for (int i = 0; i < MAXMON; i++)
            if (w->mon[i])
                assert_int_equal(cancel_one(w, i), 0);
        drain_downs(w);
        assert_int_equal(esock_mbox_destroy(w->mb), 0);
        /* every socket is closed now: each monitor fired once or was removed */
        for (int k = 0; k < 2; k++)
            if (w->downs_of[k] + w->mon_removed[k] != w->mon_made[k]) {
                print_error("thread %d, %s API: %llu monitors set, %llu removed by cancel, %llu "
                            "DOWN messages\n",
                            t, k ? "inet" : "socket", (unsigned long long)w->mon_made[k],
                            (unsigned long long)w->mon_removed[k], (unsigned long long)w->downs_of[k]);
                downs_wrong++;
            }
    }
    heap_snap_t h1;
    heap_snap(&h1);
    printf("# after: sockets %d -> %d, inet %zu -> %zu, fds %d -> %d, seam heap %lld allocs / "
           "%lld bytes -> %lld / %lld\n",
           socks0, esock_number_of(), inet0, esock_inet_count(), fds0, fd_count(), h0.allocs,
           h0.bytes, h1.allocs, h1.bytes);
    assert_int_equal(bad, 0);
    assert_int_equal(downs_wrong, 0);
    uint64_t data = 0;
    for (int t = 0; t < NTHREADS; t++)
        data += workers[t].data_msgs;
    assert_true(data > 0); /* the active path was exercised, not only set */
    for (int k = 0; k < OP_COUNT; k++)
        if (k != OP_S_CLOSE && k != OP_I_CLOSE)
            assert_true(workers[0].ops[k] + workers[1].ops[k] + workers[2].ops[k] > 0);
    assert_int_equal(esock_number_of(), socks0);
    assert_int_equal(esock_inet_count(), inet0);
    assert_int_equal(fd_count(), fds0);
    assert_int_equal(h1.allocs, h0.allocs);
    assert_int_equal(h1.bytes, h0.bytes);
    fclose(devnull);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, NULL, _IOLBF, 0);
    heap_install();
    /* the main thread's own mailbox and wake-up descriptor exist from here on */
    esock_mbox_self();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stress_shared_sockets),
    };
    int rc = cmocka_run_group_tests_name("stress", tests, NULL, NULL);
    heap_uninstall();
    return rc;
}
