/*
 * EMFILE on accept: the process is out of descriptors while a connection
 * waits on the listener. Both the injected kind (accept4 fails with EMFILE
 * through the seam) and the real one (RLIMIT_NOFILE lowered to the next
 * free descriptor number). A blocking accept with a timeout must report
 * -EMFILE without spinning (accept4 is tried a bounded number of times and
 * the call returns well before its deadline), and the listener must stay
 * usable: once descriptors are free again, the same listener accepts the
 * very connection that was pending, and data flows over it.
 */
#include "ft.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

/* accept4 through the seam: counted, and failing with EMFILE while
 * emfile is set. */
static _Atomic unsigned accept_calls;
static _Atomic bool emfile;
static int (*real_accept4)(int, struct sockaddr *, socklen_t *, int);

static int counting_accept4(int fd, struct sockaddr *a, socklen_t *al, int fl)
{
    atomic_fetch_add(&accept_calls, 1);
    if (atomic_load(&emfile)) {
        errno = EMFILE;
        return -1;
    }
    return real_accept4(fd, a, al, fl);
}

static void hook_accept(bool inject)
{
    real_accept4 = esock__sys.accept4;
    esock__sys.accept4 = counting_accept4;
    atomic_store(&accept_calls, 0);
    atomic_store(&emfile, inject);
}

/* Makes the next descriptor number the first one past the limit. Returns
 * the old limit for restore_fds(). */
static struct rlimit starve_fds(void)
{
    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
    int probe = dup(0); /* the lowest free number */
    assert_true(probe >= 0);
    close(probe);
    lim = old;
    lim.rlim_cur = (rlim_t)probe;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &lim), 0);
    return old;
}

static void restore_fds(struct rlimit old)
{
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
}

/* ---- socket API ------------------------------------------------------------ */

static void check_socket_accept_after(esock_t l, int peer)
{
    esock_t s;
    ok(esock_accept(l, 2000, &s, NULL));
    wr(peer, "after", 5);
    char b[5];
    ok(esock_recv(s, b, 5, 5, 0, 2000, NULL, NULL));
    assert_memory_equal(b, "after", 5);
    ok(esock_close(s));
}

static void socket_listener(esock_t *l, uint16_t *port)
{
    ok(esock_open(AF_INET, SOCK_STREAM, 0, l));
    esock_sockaddr_t sa = lo4(0);
    ok(esock_bind(*l, &sa));
    ok(esock_listen(*l, 4));
    *port = ft_port(*l);
}

static void emfile_socket_accept(bool real)
{
    esock_t l, s;
    uint16_t port;
    socket_listener(&l, &port);
    int peer = raw_connect(port);
    esock_socket_info_t before;
    ok(esock_info_socket(l, &before));

    hook_accept(!real);
    struct rlimit old = {0, 0};
    if (real)
        old = starve_fds();
    int64_t t0 = now_ms();
    int rc = esock_accept(l, 1000, &s, NULL);
    int64_t took = now_ms() - t0;
    esock_select_info_t si = {0};
    int rc_nowait = esock_accept(l, ESOCK_NOWAIT, &s, &si);
    if (real)
        restore_fds(old);
    unsigned calls = atomic_load(&accept_calls);
    atomic_store(&emfile, false);

    assert_int_equal(rc, -EMFILE);
    assert_int_equal(rc_nowait, -EMFILE);
    assert_int_equal(s.id, 0);
    assert_true(took < 500); /* reported, not waited out or spun on */
    assert_true(calls >= 2 && calls <= 8); /* one try per call (injected EINTRs add retries) */
    esock_socket_info_t after;
    ok(esock_info_socket(l, &after));
    assert_int_equal(after.counters.acc_fails - before.counters.acc_fails, 2);
    assert_int_equal(esock_number_of(), 1); /* nothing half-made */

    check_socket_accept_after(l, peer); /* the pending connection, on the same listener */
    ft_note("emfile esock_accept (%s): -EMFILE after %u accept4 calls in %lld ms; listener kept\n",
            real ? "RLIMIT_NOFILE" : "injected", calls, (long long)took);
    esock__sys_reset();
    close(peer);
    ok(esock_close(l));
}

static void emfile_socket_injected(void **st)
{
    (void)st;
    emfile_socket_accept(false);
}

static void emfile_socket_rlimit(void **st)
{
    (void)st;
    emfile_socket_accept(true);
}

/* ---- inet API -------------------------------------------------------------- */

static void emfile_inet_accept(bool real)
{
    esock_mbox_t mb;
    ok(esock_mbox_create(&mb));
    esock_inet_t a = {0};
    const esock_inet_opt_t o[] = {IOPT(ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
    uint16_t port;
    esock_inet_t l = inet_listener(o, NELEM(o), mb, &port);
    int peer = raw_connect(port);

    hook_accept(!real);
    struct rlimit old = {0, 0};
    if (real)
        old = starve_fds();
    int64_t t0 = now_ms();
    int rc = esock_inet_accept(l, &a, mb, 1000);
    int64_t took = now_ms() - t0;
    int rc_nowait = esock_inet_accept(l, &a, mb, ESOCK_NOWAIT);
    if (real)
        restore_fds(old);
    unsigned calls = atomic_load(&accept_calls);
    atomic_store(&emfile, false);

    assert_int_equal(rc, -EMFILE);
    assert_int_equal(rc_nowait, -EMFILE);
    assert_int_equal(a.id, 0);
    assert_true(took < 500);
    assert_true(calls >= 2 && calls <= 8);
    assert_int_equal(esock_inet_count(), 1);
    /* Nothing was posted for the failed nowait accept, and the owner's
     * readiness loop does not spin on the pending connection either. */
    esock_msg_t m;
    assert_int_equal(esock_mbox_recv(mb, &m, 50), ESOCK_ETIMEOUT);
    assert_true(atomic_load(&accept_calls) == calls);

    ok(esock_inet_accept(l, &a, mb, 2000));
    wr(peer, "after", 5);
    char b[5];
    size_t got;
    ok(esock_inet_recv(a, b, sizeof b, 5, &got, 2000));
    assert_memory_equal(b, "after", 5);
    ft_note("emfile esock_inet_accept (%s): -EMFILE after %u accept4 calls in %lld ms; listener kept\n",
            real ? "RLIMIT_NOFILE" : "injected", calls, (long long)took);
    esock__sys_reset();
    close(peer);
    ok(esock_inet_close(a));
    ok(esock_inet_close(l));
    ok(esock_mbox_destroy(mb));
}

static void emfile_inet_injected(void **st)
{
    (void)st;
    emfile_inet_accept(false);
}

static void emfile_inet_rlimit(void **st)
{
    (void)st;
    emfile_inet_accept(true);
}

/* A nowait accept that got its select message and then meets EMFILE: the
 * select/accept cycle stays driven by the caller (one accept4 per call),
 * and the pending connection is accepted once descriptors are back. */
static void emfile_inet_after_select(void **st)
{
    (void)st;
    esock_mbox_t mb;
    ok(esock_mbox_create(&mb));
    esock_inet_t a = {0};
    uint16_t port;
    esock_inet_t l = inet_listener(NULL, 0, mb, &port);
    assert_int_equal(esock_inet_accept(l, &a, mb, ESOCK_NOWAIT), ESOCK_SELECT);
    int peer = raw_connect(port);
    esock_inet_msg_t *m = ft_inet_msg(mb, 2000);
    assert_non_null(m);
    assert_int_equal(m->kind, ESOCK_INET_MSG_SELECT);
    esock_inet_msg_free(m);
    hook_accept(true);
    assert_int_equal(esock_inet_accept(l, &a, mb, ESOCK_NOWAIT), -EMFILE);
    assert_int_equal(atomic_load(&accept_calls), 1);
    assert_null(ft_inet_msg(mb, 50)); /* no message storm while the connection waits */
    assert_int_equal(atomic_load(&accept_calls), 1);
    atomic_store(&emfile, false);
    ok(esock_inet_accept(l, &a, mb, ESOCK_NOWAIT));
    esock__sys_reset();
    close(peer);
    ok(esock_inet_close(a));
    ok(esock_inet_close(l));
    ok(esock_mbox_destroy(mb));
}

/* Connection pairs opened until the descriptors run out (connect or
 * accept fails); all closed again. How many pairs were made. */
static int pairs_until_emfile(esock_inet_t l, uint16_t port)
{
    static esock_inet_t c[2048], a[2048];
    esock_sockaddr_t to = lo4(port);
    const esock_inet_opt_t o[] = {IOPT(ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
    int n = 0, rc = 0;
    while (n < 2048) {
        rc = esock_inet_connect(&c[n], &to, o, NELEM(o), ESOCK_INET_NO_OWNER, 1000);
        if (rc)
            break;
        rc = esock_inet_accept(l, &a[n], ESOCK_INET_NO_OWNER, 1000);
        if (rc) {
            esock_inet_close(c[n]);
            break;
        }
        n++;
    }
    assert_int_equal(rc, -EMFILE);
    for (int i = 0; i < n; i++) {
        ok(esock_inet_close(a[i]));
        ok(esock_inet_close(c[i]));
    }
    /* a connection the last accept could not take: take it now */
    esock_inet_t left;
    if (esock_inet_accept(l, &left, ESOCK_INET_NO_OWNER, 100) == 0)
        ok(esock_inet_close(left));
    return n;
}

/* Running out of descriptors is repeatable (gen_tcp_misc_SUITE
 * iter_max_socks): each round opens as many connections as the last,
 * and closing them gives every descriptor and socket back. */
static void iter_max_socks(void **st)
{
    (void)st;
    uint16_t port;
    esock_inet_t l = inet_listener(NULL, 0, ESOCK_INET_NO_OWNER, &port);
    size_t socks0 = esock_inet_count();
    /* one round before the limit: the thread's wake-up eventfd exists */
    esock_sockaddr_t to = lo4(port);
    esock_inet_t c, a;
    ok(esock_inet_connect(&c, &to, NULL, 0, ESOCK_INET_NO_OWNER, 1000));
    ok(esock_inet_accept(l, &a, ESOCK_INET_NO_OWNER, 1000));
    ok(esock_inet_close(a));
    ok(esock_inet_close(c));
    int fds0 = fd_count();
    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
    lim = old;
    lim.rlim_cur = (rlim_t)fds0 + 300; /* about 150 pairs */
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &lim), 0);
    int first = 0;
    for (int round = 0; round < 3; round++) {
        int n = pairs_until_emfile(l, port);
        if (round == 0)
            first = n;
        assert_true(n >= 100);
        assert_int_equal(n, first);
        assert_int_equal(fd_count(), fds0);
        assert_int_equal(esock_inet_count(), socks0);
    }
    printf("# iter_max_socks: %d connections per round, 3 rounds\n", first);
    restore_fds(old);
    ok(esock_inet_close(l));
}

const struct CMUnitTest ft_accept_tests[] = {
    cmocka_unit_test(emfile_socket_injected),
    cmocka_unit_test(emfile_socket_rlimit),
    cmocka_unit_test(emfile_inet_injected),
    cmocka_unit_test(emfile_inet_rlimit),
    cmocka_unit_test(emfile_inet_after_select),
    cmocka_unit_test(iter_max_socks),
};
const size_t ft_accept_count = NELEM(ft_accept_tests);
