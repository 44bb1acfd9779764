/*
 * {packet,4} with a peer that announces 4 GiB (0xFFFFFFFF) or 2 GiB
 * (0x80000000) and sends a few bytes. OTP (inet driver, verified on 25.2.3,
 * default packet_size 0 and packet_size 1 MiB alike): passive recv
 * {error,emsgsize} then {error,enotconn}; active {tcp_error,S,emsgsize}
 * then {tcp_closed,S}; the port is closed, so the peer sees EOF. Here the
 * same, and the largest allocation the library asks for stays small.
 *
 * A header just under 2 GiB (0x7FFFFFF0) is a valid length without
 * packet_size: OTP waits for the body (recv times out). Here too, and the
 * buffer must grow with the bytes that arrive, not with the announcement.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "hostile.h"

/* What the library may allocate for a refused or unfinished packet: its
 * 256 KiB read buffer (plus the buffer's 16-byte reference count) and a
 * read-sized input buffer, not the announcement. */
#define SMALL (256 * KIB + 64)

typedef struct p4case {
    uint32_t announced;
    int64_t packet_size; /* < 0: the default (0, unlimited) */
    bool active;
} p4case_t;

static void send_header(int fd, uint32_t len)
{
    unsigned char wire[4 + 60];
    wire[0] = (unsigned char)(len >> 24);
    wire[1] = (unsigned char)(len >> 16);
    wire[2] = (unsigned char)(len >> 8);
    wire[3] = (unsigned char)len;
    memset(wire + 4, 'j', sizeof wire - 4);
    assert_true(wr_all(fd, wire, sizeof wire));
}

static size_t pair_for(const p4case_t *c, esock_mbox_t owner, esock_inet_t *l, esock_inet_t *a, int *fd)
{
    esock_inet_opt_t o[3] = {OPTI(PACKET, ESOCK_INET_PACKET_4), OPTI(MODE, 1)};
    size_t n = 2;
    if (c->packet_size >= 0)
        o[n++] = (esock_inet_opt_t)OPTI(PACKET_SIZE, c->packet_size);
    *fd = inet_peer_pair(o, n, owner, l, a);
    /* The default really is 0 (unlimited), as in the inet driver. */
    esock_inet_opt_t q = {.name = ESOCK_IOPT_PACKET_SIZE};
    size_t nout = 0;
    assert_int_equal(esock_inet_getopts(*a, &q, 1, &nout), 0);
    assert_int_equal(nout, 1);
    assert_int_equal(q.v.i, c->packet_size >= 0 ? c->packet_size : 0);
    return n;
}

static void report(const char *what, const p4case_t *c)
{
    printf("# %s: header 0x%08x, packet_size %lld, %s: largest allocation %zu bytes\n", what,
           (unsigned)c->announced, (long long)(c->packet_size < 0 ? 0 : c->packet_size),
           c->active ? "active" : "passive", heap_max_request());
}

static void refused_case(const p4case_t *c)
{
    esock_mbox_t mb = {0};
    if (c->active)
        assert_int_equal(esock_mbox_create(&mb), 0);
    esock_inet_t l, a;
    int fd;
    pair_for(c, c->active ? mb : ESOCK_INET_NO_OWNER, &l, &a, &fd);
    heap_mark();
    send_header(fd, c->announced);
    if (!c->active) {
        char b[256];
        size_t got = 99;
        int rc = esock_inet_recv(a, b, sizeof b, 0, &got, 2000);
        if (rc != -EMSGSIZE)
            print_error("recv: %s (%d), wanted emsgsize\n", esock_errname(rc), rc);
        assert_int_equal(rc, -EMSGSIZE);
        assert_int_equal(got, 0);
        /* then the fd is closed, as the inet driver leaves it */
        assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 100), -ENOTCONN);
    } else {
        esock_inet_msg_t *m = inet_next(mb, 2000);
        assert_non_null(m);
        if (m->kind != ESOCK_INET_MSG_ERROR || m->error != -EMSGSIZE)
            print_error("message kind %d error %s, wanted ERROR emsgsize\n", m->kind,
                        esock_errname(m->error));
        assert_int_equal(m->kind, ESOCK_INET_MSG_ERROR);
        assert_int_equal(m->error, -EMSGSIZE);
        esock_inet_msg_free(m);
        m = inet_next(mb, 2000);
        assert_non_null(m);
        assert_int_equal(m->kind, ESOCK_INET_MSG_CLOSED);
        esock_inet_msg_free(m);
        assert_null(inet_next(mb, 20));
    }
    assert_true(peer_sees_close(fd, 2000));
    /* Passive: the fd is gone, the port lives and takes options (kernel
     * ones ignored). Active: the error and close were reported, the port
     * is gone (OTP 25: setopts einval; tests/inet/t_portend.c). */
    const esock_inet_opt_t nd[] = {OPTI(NODELAY, 1), OPTI(PACKET, ESOCK_INET_PACKET_RAW)};
    assert_int_equal(esock_inet_setopts(a, nd, NOPTS(nd)), c->active ? -EINVAL : 0);
    report("refused", c);
    assert_true(heap_max_request() <= SMALL);
    assert_int_equal(heap_refused(), 0);
    close(fd);
    assert_int_equal(esock_inet_close(a), 0);
    assert_int_equal(esock_inet_close(l), 0);
    if (c->active)
        assert_int_equal(esock_mbox_destroy(mb), 0);
}

static void p4_4g_default_passive(void **st)
{
    (void)st;
    refused_case(&(p4case_t){0xFFFFFFFFu, -1, false});
}

static void p4_4g_default_active(void **st)
{
    (void)st;
    refused_case(&(p4case_t){0xFFFFFFFFu, -1, true});
}

static void p4_2g_default_passive(void **st)
{
    (void)st;
    refused_case(&(p4case_t){0x80000000u, -1, false});
}

static void p4_2g_default_active(void **st)
{
    (void)st;
    refused_case(&(p4case_t){0x80000000u, -1, true});
}

static void p4_4g_psize_passive(void **st)
{
    (void)st;
    refused_case(&(p4case_t){0xFFFFFFFFu, (int64_t)MIB, false});
}

static void p4_4g_psize_active(void **st)
{
    (void)st;
    refused_case(&(p4case_t){0xFFFFFFFFu, (int64_t)MIB, true});
}

static void p4_2g_psize_passive(void **st)
{
    (void)st;
    refused_case(&(p4case_t){0x80000000u, (int64_t)MIB, false});
}

static void p4_2g_psize_active(void **st)
{
    (void)st;
    refused_case(&(p4case_t){0x80000000u, (int64_t)MIB, true});
}

/* The lengths -10..-1 as a signed 32-bit header (gen_tcp_misc_SUITE
 * otp_8102): emsgsize each, passive and active (OTP 25.2.3: emsgsize). */
static void p4_negative_lengths(void **st)
{
    (void)st;
    for (int32_t n = -10; n <= -1; n++) {
        refused_case(&(p4case_t){(uint32_t)n, -1, false});
        refused_case(&(p4case_t){(uint32_t)n, -1, true});
    }
}

/* One byte over packet_size is refused the same way. */
static void p4_psize_plus_one(void **st)
{
    (void)st;
    refused_case(&(p4case_t){(uint32_t)MIB + 1, (int64_t)MIB, false});
}

/*
 * A valid length just under 2 GiB (no packet_size): the peer sends 64 KiB of
 * it and stalls. OTP: recv times out and waits for more. The buffer must
 * hold what arrived, not what was announced.
 */
static void unfinished_case(bool active)
{
    const p4case_t c = {0x7FFFFFF0u, -1, active};
    esock_mbox_t mb = {0};
    if (active)
        assert_int_equal(esock_mbox_create(&mb), 0);
    esock_inet_t l, a;
    int fd;
    pair_for(&c, active ? mb : ESOCK_INET_NO_OWNER, &l, &a, &fd);
    heap_mark();
    send_header(fd, c.announced);
    static unsigned char body[64 * 1024];
    memset(body, 'b', sizeof body);
    assert_true(wr_all(fd, body, sizeof body));
    if (!active) {
        char b[256];
        size_t got = 0;
        int rc = esock_inet_recv(a, b, sizeof b, 0, &got, 300);
        if (rc != ESOCK_ETIMEOUT)
            print_error("recv: %s (%d), wanted timeout\n", esock_errname(rc), rc);
        assert_int_equal(rc, ESOCK_ETIMEOUT);
    } else {
        esock_inet_msg_t *m = inet_next(mb, 300);
        if (m) {
            print_error("unexpected message kind %d error %s\n", m->kind, esock_errname(m->error));
            esock_inet_msg_free(m);
            fail();
        }
    }
    report("unfinished", &c);
    if (heap_refused())
        print_error("src/inet/io.c ensure_room: the input buffer was sized from the "
                    "announced length, %zu bytes requested for a 2 GiB header\n",
                    heap_max_request());
    assert_int_equal(heap_refused(), 0);
    assert_true(heap_max_request() <= SMALL);
    close(fd);
    if (active) {
        /* the peer's close: CLOSED (the partial packet is dropped, OTP #8716) */
        esock_inet_msg_t *m = inet_next(mb, 2000);
        assert_non_null(m);
        assert_int_equal(m->kind, ESOCK_INET_MSG_CLOSED);
        esock_inet_msg_free(m);
    }
    assert_int_equal(esock_inet_close(a), 0);
    assert_int_equal(esock_inet_close(l), 0);
    if (active)
        assert_int_equal(esock_mbox_destroy(mb), 0);
}

static void p4_almost_2g_unfinished_passive(void **st)
{
    (void)st;
    unfinished_case(false);
}

static void p4_almost_2g_unfinished_active(void **st)
{
    (void)st;
    unfinished_case(true);
}

#define T(f) cmocka_unit_test_setup_teardown(f, note_start, check_clean)
const struct CMUnitTest hostile_packet4_tests[] = {
    T(p4_4g_default_passive),
    T(p4_4g_default_active),
    T(p4_2g_default_passive),
    T(p4_2g_default_active),
    T(p4_4g_psize_passive),
    T(p4_4g_psize_active),
    T(p4_2g_psize_passive),
    T(p4_2g_psize_active),
    T(p4_psize_plus_one),
    T(p4_negative_lengths),
    T(p4_almost_2g_unfinished_passive),
    T(p4_almost_2g_unfinished_active),
};
const size_t hostile_packet4_count = NOPTS(hostile_packet4_tests);
