/*
 * Churn: connections opened, used for a two-byte exchange and closed, in a
 * loop bounded by count and time, through the socket API and the inet API
 * (passive, and active with an owner mailbox). Before and after (after a
 * warm-up, so that tables and per-thread resources are at their steady
 * size): the descriptors, the registry (esock_number_of), the inet table and
 * listing, and the live allocations and bytes through the seam must be
 * equal. The listener is replaced every LISTENER_EVERY connections so that
 * TIME_WAIT entries (the client closes first) never exhaust the 4-tuples
 * towards one port.
 *
 * Also: a handle is generation-tagged so that a stale one never reaches a
 * newer socket in the same slot; churning one slot shows how long that
 * holds.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <esock/opt.h>

#include "hostile.h"

#define CHURN_COUNT 10000
#define CHURN_CAP_MS 15000
#define WARMUP 64
#define LISTENER_EVERY 2500

typedef struct census {
    int fds, socks, rows;
    size_t inet;
    heap_snap_t heap;
} census_t;

static void take_census(census_t *c)
{
    c->fds = fd_count();
    c->socks = esock_number_of();
    c->inet = esock_inet_count();
    c->rows = inet_rows();
    heap_snap(&c->heap);
}

static void compare_census(const char *what, int n, int64_t ms, const census_t *a, const census_t *b)
{
    printf("# churn %s: %d connections in %lld ms (%.0f/s); fds %d -> %d, sockets %d -> %d, "
           "inet %zu -> %zu (rows %d -> %d), seam heap %lld allocs / %lld bytes -> %lld / %lld\n",
           what, n, (long long)ms, ms ? n * 1000.0 / (double)ms : 0.0, a->fds, b->fds, a->socks,
           b->socks, a->inet, b->inet, a->rows, b->rows, a->heap.allocs, a->heap.bytes,
           b->heap.allocs, b->heap.bytes);
    assert_int_equal(b->fds, a->fds);
    assert_int_equal(b->socks, a->socks);
    assert_int_equal(b->inet, a->inet);
    assert_int_equal(b->rows, a->rows);
    assert_int_equal(b->heap.allocs, a->heap.allocs);
    assert_int_equal(b->heap.bytes, a->heap.bytes);
}

/* ---- socket API ---- */

static esock_t sock_listener(esock_sockaddr_t *sa)
{
    esock_t l;
    assert_int_equal(esock_open(AF_INET, SOCK_STREAM, 0, &l), 0);
    *sa = lo4(0);
    assert_int_equal(esock_bind(l, sa), 0);
    assert_int_equal(esock_listen(l, 128), 0);
    assert_int_equal(esock_sockname(l, sa), 0);
    return l;
}

static void sock_once(esock_t l, const esock_sockaddr_t *sa)
{
    esock_t c, s;
    char b[2];
    size_t n;
    assert_int_equal(esock_open(AF_INET, SOCK_STREAM, 0, &c), 0);
    assert_int_equal(esock_connect(c, sa, 2000, NULL), 0);
    assert_int_equal(esock_accept(l, 2000, &s, NULL), 0);
    assert_int_equal(esock_send(c, "hi", 2, 0, 2000, &n, NULL), 0);
    assert_int_equal(esock_recv(s, b, 2, 2, 0, 2000, &n, NULL), 0);
    assert_memory_equal(b, "hi", 2);
    assert_int_equal(esock_send(s, "ok", 2, 0, 2000, &n, NULL), 0);
    assert_int_equal(esock_recv(c, b, 2, 2, 0, 2000, &n, NULL), 0);
    assert_memory_equal(b, "ok", 2);
    assert_int_equal(esock_close(c), 0);
    assert_int_equal(esock_close(s), 0);
}

static void churn_socket_api(void **st)
{
    (void)st;
    esock_sockaddr_t sa;
    esock_t l = sock_listener(&sa);
    for (int i = 0; i < WARMUP; i++)
        sock_once(l, &sa);
    assert_int_equal(esock_close(l), 0);
    census_t before, after;
    take_census(&before);
    int64_t t0 = now_ms();
    int n = 0;
    l = sock_listener(&sa);
    while (n < CHURN_COUNT && now_ms() - t0 < CHURN_CAP_MS) {
        if (n && n % LISTENER_EVERY == 0) {
            assert_int_equal(esock_close(l), 0);
            l = sock_listener(&sa);
        }
        sock_once(l, &sa);
        n++;
    }
    assert_int_equal(esock_close(l), 0);
    int64_t ms = now_ms() - t0;
    take_census(&after);
    compare_census("socket API", n, ms, &before, &after);
    assert_true(n >= 1000); /* the time cap must not hide a crawl */
}

/* ---- inet API ---- */

typedef struct iloop {
    esock_inet_t l;
    esock_sockaddr_t sa;
    esock_mbox_t mb; /* the owner for the active variant, or none */
} iloop_t;

static void inet_listen_for(iloop_t *x)
{
    uint16_t port;
    x->l = inet_listener(NULL, 0, x->mb, &port);
    x->sa = lo4(port);
}

static void inet_once(iloop_t *x)
{
    esock_inet_t c, s;
    char b[2];
    size_t n;
    assert_int_equal(esock_inet_connect(&c, &x->sa, NULL, 0, ESOCK_INET_NO_OWNER, 2000), 0);
    assert_int_equal(esock_inet_accept(x->l, &s, x->mb, 2000), 0);
    assert_int_equal(esock_inet_send(c, "hi", 2), 0);
    if (x->mb.id) {
        /* active: the accepted socket inherits the owner; the data comes as
         * messages (raw: one per read, so maybe "h" then "i") */
        for (size_t got = 0; got < 2;) {
            esock_inet_msg_t *m = inet_next(x->mb, 2000);
            assert_non_null(m);
            assert_int_equal(m->kind, ESOCK_INET_MSG_DATA);
            assert_true(m->len >= 1 && got + m->len <= 2);
            assert_memory_equal(m->data, &"hi"[got], m->len);
            got += m->len;
            esock_inet_msg_free(m);
        }
    } else {
        assert_int_equal(esock_inet_recv(s, b, sizeof b, 2, &n, 2000), 0);
        assert_memory_equal(b, "hi", 2);
    }
    assert_int_equal(esock_inet_send(s, "ok", 2), 0);
    assert_int_equal(esock_inet_recv(c, b, sizeof b, 2, &n, 2000), 0);
    assert_memory_equal(b, "ok", 2);
    assert_int_equal(esock_inet_close(c), 0);
    assert_int_equal(esock_inet_close(s), 0);
}

static void churn_inet(bool active)
{
    iloop_t x = {0};
    if (active)
        assert_int_equal(esock_mbox_create(&x.mb), 0);
    inet_listen_for(&x);
    for (int i = 0; i < WARMUP; i++)
        inet_once(&x);
    assert_int_equal(esock_inet_close(x.l), 0);
    /* nothing may be left for the owner (a CLOSED for a closed socket is not sent) */
    assert_null(active ? inet_next(x.mb, 0) : NULL);
    census_t before, after;
    take_census(&before);
    int64_t t0 = now_ms();
    int n = 0;
    inet_listen_for(&x);
    while (n < CHURN_COUNT && now_ms() - t0 < CHURN_CAP_MS) {
        if (n && n % LISTENER_EVERY == 0) {
            assert_int_equal(esock_inet_close(x.l), 0);
            inet_listen_for(&x);
        }
        inet_once(&x);
        n++;
    }
    assert_int_equal(esock_inet_close(x.l), 0);
    int64_t ms = now_ms() - t0;
    if (active) {
        esock_inet_msg_t *m = inet_next(x.mb, 0);
        if (m) {
            print_error("left in the owner mailbox: kind %d\n", m->kind);
            esock_inet_msg_free(m);
            fail();
        }
    }
    take_census(&after);
    compare_census(active ? "inet API, active" : "inet API, passive", n, ms, &before, &after);
    assert_true(n >= 1000);
    if (active)
        assert_int_equal(esock_mbox_destroy(x.mb), 0);
}

static void churn_inet_passive(void **st)
{
    (void)st;
    churn_inet(false);
}

static void churn_inet_active(void **st)
{
    (void)st;
    churn_inet(true);
}

/* ---- stale handles across slot reuse ----
 * A closed socket's handle must stay invalid however often its table slot
 * is reused (sys/htab.h); a 12-bit generation once gave it back after
 * 4096 reuses. */

#define REUSES 5000

static void stale_handle_socket_api(void **st)
{
    (void)st;
    esock_t old;
    assert_int_equal(esock_open(AF_INET, SOCK_DGRAM, 0, &old), 0);
    assert_int_equal(esock_close(old), 0);
    int clash = -1;
    for (int i = 0; i < REUSES && clash < 0; i++) {
        esock_t s;
        assert_int_equal(esock_open(AF_INET, SOCK_DGRAM, 0, &s), 0);
        if (s.id == old.id)
            clash = i;
        assert_int_equal(esock_close(s), 0);
    }
    if (clash >= 0)
        print_error("after %d reuses of one slot a new socket got the stale handle 0x%x "
                    "again (src/sys/htab.c)\n", clash + 1, old.id);
    assert_int_equal(clash, -1);
    assert_int_equal(esock_close(old), ESOCK_ECLOSED);
}

static void stale_handle_inet_api(void **st)
{
    (void)st;
    esock_inet_t old;
    assert_int_equal(esock_inet_udp_open(&old, NULL, NULL, 0, ESOCK_INET_NO_OWNER), 0);
    assert_int_equal(esock_inet_close(old), 0);
    int clash = -1;
    for (int i = 0; i < REUSES && clash < 0; i++) {
        esock_inet_t s;
        assert_int_equal(esock_inet_udp_open(&s, NULL, NULL, 0, ESOCK_INET_NO_OWNER), 0);
        if (s.id == old.id)
            clash = i;
        assert_int_equal(esock_inet_close(s), 0);
    }
    if (clash >= 0)
        print_error("after %d reuses of one slot a new socket got the stale handle 0x%x "
                    "again (src/inet/table.c)\n", clash + 1, old.id);
    assert_int_equal(clash, -1);
    assert_int_equal(esock_inet_close(old), ESOCK_ECLOSED);
}

/* ---- many live handles while the table grows ----
 * The table doubles when half full and moves each live handle by the
 * handle it reads from its object (sys/htab.c): after several doublings,
 * with handles closed in between, every live one must still reach its own
 * socket and every closed one none. */

#define LIVE 600

static void live_handles_survive_growth(void **st)
{
    (void)st;
    static esock_inet_t h[LIVE];
    static uint16_t port[LIVE];
    size_t before = esock_inet_count();
    for (int i = 0; i < LIVE; i++) {
        assert_int_equal(esock_inet_udp_open(&h[i], NULL, NULL, 0, ESOCK_INET_NO_OWNER), 0);
        assert_int_equal(esock_inet_port(h[i], &port[i]), 0);
        if (i % 3 == 2) /* holes between the live ones */
            assert_int_equal(esock_inet_close(h[i]), 0);
    }
    assert_int_equal(esock_inet_count(), before + LIVE - LIVE / 3);
    for (int i = 0; i < LIVE; i++) {
        uint16_t p = 0;
        int rc = esock_inet_port(h[i], &p);
        if (i % 3 == 2) {
            assert_int_equal(rc, ESOCK_ECLOSED);
            continue;
        }
        assert_int_equal(rc, 0);
        assert_int_equal(p, port[i]); /* its own socket, not another's */
        assert_int_equal(esock_inet_close(h[i]), 0);
    }
    assert_int_equal(esock_inet_count(), before);
}

#define T(f) cmocka_unit_test_setup_teardown(f, note_start, check_clean)
const struct CMUnitTest hostile_churn_tests[] = {
    T(churn_socket_api),
    T(churn_inet_passive),
    T(churn_inet_active),
    T(stale_handle_socket_api),
    T(stale_handle_inet_api),
    T(live_handles_survive_growth),
};
const size_t hostile_churn_count = NOPTS(hostile_churn_tests);
