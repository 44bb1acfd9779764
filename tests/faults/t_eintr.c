/*
 * EINTR everywhere, in process: the ESOCK_FAULTS wrappers are switched on
 * with a high EINTR share (plus EAGAIN and short transfers) around a real
 * transfer, so that this suite proves the point on its own run and not
 * only in the ESOCK_FAULTS runs of the other suites (tests.cmake). Every
 * byte must arrive once and in order, no call may report EINTR, and the
 * faults must really have been injected.
 */
#include "ft.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SPEC "eintr:40,eagain:10,short:30,seed:"

static uint64_t eintr_before;

static void faults_on(unsigned seed)
{
    struct esock__faults f;
    esock__sys_faults(&f);
    eintr_before = f.injected_eintr;
    char spec[64];
    snprintf(spec, sizeof spec, SPEC "%u", seed);
    esock__sys_set_faults(spec);
}

/* Back to what the environment asked for; returns the EINTRs injected. */
static uint64_t faults_off(void)
{
    esock__sys_set_faults(getenv("ESOCK_FAULTS"));
    struct esock__faults f;
    esock__sys_faults(&f);
    return f.injected_eintr - eintr_before;
}

/* Shares out of range: a negative one is 0 (strtoull would read -5 as
 * 2^64 - 5, clipped to 100), and eintr stays below 100, where every call
 * would be retried for ever. */
static void spec_shares_bounded(void **state)
{
    (void)state;
    struct esock__faults neg, full;
    esock__sys_set_faults("eintr:-5,eagain:-1,short:-30,seed:3");
    esock__sys_faults(&neg);
    esock__sys_set_faults("eintr:100,eagain:50");
    esock__sys_faults(&full);
    faults_off(); /* before any assertion: teardown must not run under them */
    assert_int_equal(neg.eintr_pct, 0);
    assert_int_equal(neg.eagain_pct, 0);
    assert_int_equal(neg.short_pct, 0);
    assert_int_equal(full.eintr_pct, 99);
    assert_int_equal(full.eagain_pct, 1);
}

static uint8_t pattern(size_t i)
{
    return (uint8_t)((i * 7919) >> 3);
}

/* ---- socket API stream ------------------------------------------------------------ */

#define STREAM_BYTES (512 * 1024)

struct sender {
    esock_t s;
    int rc;
};

static void *stream_sender(void *p)
{
    struct sender *x = p;
    uint8_t buf[7777];
    size_t off = 0;
    while (off < STREAM_BYTES && x->rc == 0) {
        size_t n = STREAM_BYTES - off < sizeof buf ? STREAM_BYTES - off : sizeof buf;
        for (size_t i = 0; i < n; i++)
            buf[i] = pattern(off + i);
        size_t sent = 0;
        x->rc = esock_send(x->s, buf, n, 0, 5000, &sent, NULL);
        off += sent;
    }
    return NULL;
}

static void eintr_socket_stream(void **st)
{
    (void)st;
    esock_t c, s;
    ft_tcp_pair(&c, &s);
    faults_on(11);
    struct sender x = {c, 0};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, stream_sender, &x), 0);
    static uint8_t in[STREAM_BYTES];
    size_t off = 0;
    int rc = 0;
    while (off < STREAM_BYTES && rc == 0) {
        size_t got = 0, want = STREAM_BYTES - off < 5000 ? STREAM_BYTES - off : 5000;
        rc = esock_recv(s, in + off, want, want, 0, 5000, &got, NULL);
        off += got;
    }
    pthread_join(t, NULL);
    uint64_t injected = faults_off();
    assert_int_equal(x.rc, 0);
    assert_int_equal(rc, 0);
    assert_int_equal(off, STREAM_BYTES);
    for (size_t i = 0; i < STREAM_BYTES; i++)
        if (in[i] != pattern(i))
            fail_msg("byte %zu differs", i);
    esock_socket_info_t ic, is;
    ok(esock_info_socket(c, &ic));
    ok(esock_info_socket(s, &is));
    assert_int_equal(ic.counters.write_fails, 0);
    assert_int_equal(is.counters.read_fails, 0);
    assert_true(injected > 0);
    ft_note("eintr  socket stream: %d bytes intact, %llu EINTR injected on the way\n", STREAM_BYTES,
            (unsigned long long)injected);
    ok(esock_close(c));
    ok(esock_close(s));
}

/* ---- socket API datagrams ------------------------------------------------------------ */

static void eintr_socket_dgram(void **st)
{
    (void)st;
    esock_t a, b;
    ok(esock_open(AF_INET, SOCK_DGRAM, 0, &a));
    ok(esock_open(AF_INET, SOCK_DGRAM, 0, &b));
    esock_sockaddr_t sa = lo4(0);
    ok(esock_bind(a, &sa));
    ok(esock_bind(b, &sa));
    esock_sockaddr_t to = lo4(ft_port(b));
    faults_on(12);
    enum { N = 64 };
    int rc = 0;
    for (int i = 0; i < N && rc == 0; i++) { /* one at a time: loopback never drops these */
        char d[32], r[32];
        int n = snprintf(d, sizeof d, "datagram %d", i);
        rc = esock_sendto(a, d, (size_t)n, 0, &to, 2000, NULL, NULL);
        if (rc == 0) {
            size_t got = 0;
            rc = esock_recvfrom(b, r, sizeof r, 0, 2000, &got, NULL, NULL);
            if (rc == 0 && (got != (size_t)n || memcmp(r, d, got) != 0))
                rc = -EPROTO;
        }
    }
    uint64_t injected = faults_off();
    assert_int_equal(rc, 0);
    assert_true(injected > 0);
    ok(esock_close(a));
    ok(esock_close(b));
}

/* ---- connect / accept -------------------------------------------------------------- */

static void eintr_connect_accept(void **st)
{
    (void)st;
    esock_t l;
    ok(esock_open(AF_INET, SOCK_STREAM, 0, &l));
    esock_sockaddr_t sa = lo4(0);
    ok(esock_bind(l, &sa));
    ok(esock_listen(l, 8));
    esock_sockaddr_t to = lo4(ft_port(l));
    esock_mbox_t mb;
    ok(esock_mbox_create(&mb));
    esock_inet_t il;
    esock_sockaddr_t any = lo4(0);
    ok(esock_inet_listen(&il, &any, 8, NULL, 0, ESOCK_INET_NO_OWNER));
    uint16_t iport;
    ok(esock_inet_port(il, &iport));
    esock_sockaddr_t ito = lo4(iport);
    faults_on(13);
    int rc = 0;
    for (int i = 0; i < 20 && rc == 0; i++) {
        esock_t c, s;
        rc = esock_open(AF_INET, SOCK_STREAM, 0, &c);
        if (rc == 0) {
            rc = esock_connect(c, &to, 2000, NULL);
            if (rc == 0)
                rc = esock_accept(l, 2000, &s, NULL);
            if (rc == 0)
                esock_close(s);
            esock_close(c);
        }
        esock_inet_t ic, ia;
        if (rc == 0)
            rc = esock_inet_connect(&ic, &ito, NULL, 0, mb, 2000);
        if (rc == 0) {
            rc = esock_inet_accept(il, &ia, ESOCK_INET_NO_OWNER, 2000);
            if (rc == 0)
                esock_inet_close(ia);
            esock_inet_close(ic);
        }
    }
    uint64_t injected = faults_off();
    if (rc != 0)
        fprintf(stderr, "connect/accept under EINTR: %d (%s)\n", rc, esock_errname(rc));
    assert_int_equal(rc, 0);
    assert_true(injected > 0);
    esock_msg_t m;
    while (esock_mbox_recv(mb, &m, 0) == 0)
        esock_msg_free(&m);
    ok(esock_mbox_destroy(mb));
    ok(esock_inet_close(il));
    ok(esock_close(l));
}

/* ---- inet, {packet,4}, active --------------------------------------------------------- */

#define PACKETS 300

static size_t packet_len(int i)
{
    return 1 + (size_t)(i * 389) % 3000;
}

struct isender {
    esock_inet_t c;
    int rc;
};

static void *inet_sender(void *p)
{
    struct isender *x = p;
    static uint8_t buf[3000];
    for (int i = 0; i < PACKETS && x->rc == 0; i++) {
        size_t n = packet_len(i);
        for (size_t k = 0; k < n; k++)
            buf[k] = pattern(k + (size_t)i);
        x->rc = esock_inet_send(x->c, buf, n);
    }
    int rc = esock_inet_close(x->c); /* writes what is still queued first */
    if (x->rc == 0)
        x->rc = rc;
    return NULL;
}

static void eintr_inet_packets(void **st)
{
    (void)st;
    esock_mbox_t mb;
    ok(esock_mbox_create(&mb));
    const esock_inet_opt_t lo[] = {IOPT(PACKET, ESOCK_INET_PACKET_4), IOPT(ACTIVE, ESOCK_INET_ACTIVE_TRUE)};
    esock_inet_t l, a;
    esock_sockaddr_t any = lo4(0);
    ok(esock_inet_listen(&l, &any, 4, lo, NELEM(lo), mb));
    uint16_t port;
    ok(esock_inet_port(l, &port));
    esock_sockaddr_t to = lo4(port);
    const esock_inet_opt_t co[] = {IOPT(PACKET, ESOCK_INET_PACKET_4), IOPT(ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
    struct isender x = {{0}, 0};
    ok(esock_inet_connect(&x.c, &to, co, NELEM(co), ESOCK_INET_NO_OWNER, 2000));
    ok(esock_inet_accept(l, &a, mb, 2000));
    ok(esock_inet_close(l));
    faults_on(14);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, inet_sender, &x), 0);
    int n = 0, closed = 0, other = 0;
    bool intact = true;
    int64_t end = now_ms() + 20000;
    while (!closed && now_ms() < end) {
        esock_inet_msg_t *m = ft_inet_msg(mb, 1000);
        if (m == NULL)
            continue;
        if (m->kind == ESOCK_INET_MSG_DATA) {
            size_t want = packet_len(n);
            intact = intact && m->len == want;
            for (size_t k = 0; intact && k < want; k++)
                intact = m->data[k] == pattern(k + (size_t)n);
            n++;
        } else if (m->kind == ESOCK_INET_MSG_CLOSED) {
            closed++;
        } else {
            other++;
        }
        esock_inet_msg_free(m);
    }
    pthread_join(t, NULL);
    uint64_t injected = faults_off();
    assert_int_equal(x.rc, 0);
    assert_int_equal(n, PACKETS);
    assert_true(intact);
    assert_int_equal(closed, 1);
    assert_int_equal(other, 0);
    assert_true(injected > 0);
    ft_note("eintr  inet {packet,4}: %d packets intact, %llu EINTR injected on the way\n", n,
            (unsigned long long)injected);
    ok(esock_inet_close(a));
    ok(esock_mbox_destroy(mb));
}

const struct CMUnitTest ft_eintr_tests[] = {
    cmocka_unit_test(spec_shares_bounded),
    cmocka_unit_test(eintr_socket_stream),
    cmocka_unit_test(eintr_socket_dgram),
    cmocka_unit_test(eintr_connect_accept),
    cmocka_unit_test(eintr_inet_packets),
};
const size_t ft_eintr_count = NELEM(ft_eintr_tests);
