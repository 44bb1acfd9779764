/* zerocopy_min (packets delivered pointing into the read buffer) and
 * esock_inet_send_msg / esock_inet_send_msgs (received packets sent on
 * without a copy). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "helpers.h"
#include "inet/inet_int.h"
#include "inet/rbuf.h"
#include "sys/sys.h"

/* Byte i of test packet k: every packet differs from every other. */
static uint8_t pat(unsigned k, size_t i)
{
    return (uint8_t)(i * 31 + k * 7 + (i >> 8));
}

/* A {packet,4} header for @p len bytes, at out. */
static void header4(uint8_t *out, size_t len)
{
    out[0] = (uint8_t)(len >> 24);
    out[1] = (uint8_t)(len >> 16);
    out[2] = (uint8_t)(len >> 8);
    out[3] = (uint8_t)len;
}

/* Packet k of @p len bytes with its 4-byte header, at out. */
static size_t frame(uint8_t *out, unsigned k, size_t len)
{
    header4(out, len);
    for (size_t i = 0; i < len; i++)
        out[4 + i] = pat(k, i);
    return 4 + len;
}

static void check_packet(const esock_inet_msg_t *m, unsigned k, size_t len)
{
    assert_int_equal(m->kind, ESOCK_INET_MSG_DATA);
    assert_int_equal(m->len, len);
    for (size_t i = 0; i < len; i++)
        if (m->data[i] != pat(k, i)) {
            print_error("packet %u: byte %zu is %u, want %u\n", k, i, m->data[i], pat(k, i));
            fail();
        }
}

static bool inline_payload(const esock_inet_msg_t *m)
{
    return m->ref_ == NULL && m->data == (const uint8_t *)(m + 1);
}

/* Default off; 0..2^31-1; inherited by accepted sockets; getopts reports it. */
static void zerocopy_option(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t o[] = {OPTI(ZEROCOPY_MIN, 4096)};
    esock_inet_t l, a, l2, a2;
    int fd = inet_peer_pair(o, NOPTS(o), mb, &l, &a);
    int fd2 = inet_peer_pair(NULL, 0, mb, &l2, &a2);
    esock_inet_opt_t g = {.name = ESOCK_IOPT_ZEROCOPY_MIN};
    size_t got = 0;
    assert_int_equal(esock_inet_getopts(a, &g, 1, &got), 0);
    assert_int_equal(got, 1);
    assert_int_equal(g.v.i, 4096); /* inherited from the listener */
    g.v.i = -1;
    assert_int_equal(esock_inet_getopts(a2, &g, 1, &got), 0);
    assert_int_equal(g.v.i, 0); /* default: never */
    esock_inet_opt_t bad = OPT(ZEROCOPY_MIN, -1);
    assert_int_equal(esock_inet_setopts(a, &bad, 1), ESOCK_EINVAL_VALUE);
    bad.v.i = 0x80000000LL;
    assert_int_equal(esock_inet_setopts(a, &bad, 1), ESOCK_EINVAL_VALUE);
    assert_string_equal(esock_inet_optname(ESOCK_IOPT_ZEROCOPY_MIN), "zerocopy_min");
    assert_int_equal(esock_inet_optcode("zerocopy_min"), ESOCK_IOPT_ZEROCOPY_MIN);
    close(fd);
    close(fd2);
    esock_inet_close(a);
    esock_inet_close(l);
    esock_inet_close(a2);
    esock_inet_close(l2);
    tm_free(mb);
}

/* Packets at or above the threshold point into the read buffer, smaller
 * ones are copied; with the option off everything is copied. A message
 * held while later packets arrive keeps its bytes (its buffer is not
 * reused), and once every message is freed no read buffer is left over
 * but the reading thread's own. */
static void zerocopy_delivers_in_place(void **st)
{
    (void)st;
    enum { ROUNDS = 6, PER = 5 };
    static const size_t sizes[PER] = {3000, 100, 1024, 1023, 70000};
    static uint8_t wire[PER * (70000 + 4) + 64];
    for (int on = 1; on >= 0; on--) {
        long live0 = esock__rbuf_live();
        esock_mbox_t mb = tm_new();
        const esock_inet_opt_t o[] = {OPTI(PACKET, ESOCK_INET_PACKET_4), OPTI(MODE, 1),
                                      OPTI(ZEROCOPY_MIN, on ? 1024 : 0)};
        esock_inet_t l, a;
        int fd = inet_peer_pair(o, NOPTS(o), mb, &l, &a);
        esock_inet_msg_t *held[ROUNDS] = {0};
        for (unsigned r = 0; r < ROUNDS; r++) {
            size_t n = 0;
            for (unsigned i = 0; i < PER; i++)
                n += frame(wire + n, r * PER + i, sizes[i]);
            wr(fd, wire, n);
            for (unsigned i = 0; i < PER; i++) {
                esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_DATA);
                check_packet(m, r * PER + i, sizes[i]);
                bool shared = on && sizes[i] >= 1024;
                assert_int_equal(!inline_payload(m), shared);
                assert_int_equal(m->ref_ != NULL, shared);
                if (i == 0) /* kept: later reads must not write over it */
                    held[r] = m;
                else
                    esock_inet_msg_free(m);
            }
        }
        for (unsigned r = 0; r < ROUNDS; r++) {
            check_packet(held[r], r * PER, sizes[0]);
            esock_inet_msg_free(held[r]);
        }
        close(fd);
        esock_inet_close(a);
        esock_inet_close(l);
        tm_free(mb);
        /* this thread's read buffer may be new; nothing else is left */
        long live = esock__rbuf_live();
        assert_true(live <= live0 + 1);
    }
}

/* A packet split across reads goes through the socket's own buffer: it is
 * shared the same way, and a held message survives the buffer moving its
 * pending bytes to a fresh one. Every split point of a small packet. */
static void zerocopy_split_packets(void **st)
{
    (void)st;
    enum { LEN = 40 };
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t o[] = {OPTI(PACKET, ESOCK_INET_PACKET_4), OPTI(MODE, 1),
                                  OPTI(ZEROCOPY_MIN, 1)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), mb, &l, &a);
    esock_inet_msg_t *held[LEN + 4] = {0};
    uint8_t w[2 * (LEN + 4)];
    for (unsigned cut = 1; cut < LEN + 4; cut++) {
        /* packet `cut` whole plus the first `cut` bytes of the next ... */
        size_t n = frame(w, cut, LEN);
        frame(w + n, 1000 + cut, LEN);
        wr(fd, w, n + cut);
        held[cut] = expect_msg(mb, ESOCK_INET_MSG_DATA);
        check_packet(held[cut], cut, LEN);
        expect_none(mb, 5);
        /* ... then the rest of it */
        wr(fd, w + n + cut, LEN + 4 - cut);
        esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_DATA);
        check_packet(m, 1000 + cut, LEN);
        assert_non_null(m->ref_);
        esock_inet_msg_free(m);
    }
    for (unsigned cut = 1; cut < LEN + 4; cut++) {
        check_packet(held[cut], cut, LEN);
        esock_inet_msg_free(held[cut]);
    }
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
    tm_free(mb);
}

/* Messages freed by esock_msg_free, and messages still queued when the
 * mailbox is destroyed, drop their references too: no buffer stays. */
static void zerocopy_freed_every_way(void **st)
{
    (void)st;
    long live0 = esock__rbuf_live();
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t o[] = {OPTI(PACKET, ESOCK_INET_PACKET_4), OPTI(ZEROCOPY_MIN, 8)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), mb, &l, &a);
    uint8_t w[3 * 64];
    size_t n = 0;
    for (unsigned k = 0; k < 3; k++)
        n += frame(w + n, k, 60);
    wr(fd, w, n);
    esock_msg_t m;
    assert_int_equal(esock_mbox_recv(mb, &m, 2000), 0);
    esock_inet_msg_t *im = esock_inet_msg(&m);
    assert_non_null(im);
    check_packet(im, 0, 60);
    assert_non_null(im->ref_);
    esock_msg_free(&m); /* the esock_msg_t way */
    assert_null(m.data);
    /* the other two stay queued, unreceived, until the mailbox goes */
    for (int i = 0; i < 200 && esock_mbox_len(mb) < 2; i++) {
        esock_msg_t none;
        assert_int_equal(esock_mbox_recv_match(mb, &(esock_msg_t){.kind = ESOCK_MSG_USER}, &none, 5),
                         ESOCK_ETIMEOUT);
    }
    assert_int_equal(esock_mbox_len(mb), 2);
    tm_free(mb);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
    assert_true(esock__rbuf_live() <= live0 + 1); /* at most this thread's own */
}

/* Only the library posts inet messages. */
static void mbox_post_refuses_inet_kinds(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    esock_msg_t m = {.kind = (esock_msg_kind_t)ESOCK_INET_MSG_DATA, .data = malloc(16), .len = 16};
    assert_int_equal(esock_mbox_post(mb, &m), -EINVAL); /* data freed: ASan checks */
    m = (esock_msg_t){.kind = ESOCK_MSG_INET_LAST};
    assert_int_equal(esock_mbox_post(mb, &m), -EINVAL);
    assert_int_equal(esock_mbox_len(mb), 0);
    tm_free(mb);
}

/* Received packets (shared and inline, every size once) echoed one by one
 * with esock_inet_send_msg, or all at once with esock_inet_send_msgs: every
 * packet intact and in order, counted one by one in getstat, with and
 * without delay_send. */
static void send_msg_echo(void **st)
{
    (void)st;
    static const size_t sizes[] = {0, 1, 100, 2047, 2048, 5000, 70000, 300000, 3};
    enum { N = sizeof sizes / sizeof sizes[0] };
    static uint8_t wire[N * 4 + 100 + 2047 + 2048 + 5000 + 70000 + 300000 + 5];
    static uint8_t back[sizeof wire];
    for (int round = 0; round < 4; round++) {
        bool delay = round & 1, batch = round & 2;
        esock_mbox_t mb = tm_new();
        const esock_inet_opt_t o[] = {OPTI(PACKET, ESOCK_INET_PACKET_4), OPTI(MODE, 1),
                                      OPTI(ZEROCOPY_MIN, 2048), OPTI(DELAY_SEND, delay)};
        esock_inet_t l, a;
        int fd = inet_peer_pair(o, NOPTS(o), mb, &l, &a);
        size_t n = 0;
        for (unsigned k = 0; k < N; k++)
            n += frame(wire + n, k, sizes[k]);
        wr(fd, wire, n);
        esock_inet_msg_t *m[N];
        for (unsigned k = 0; k < N; k++) {
            m[k] = expect_msg(mb, ESOCK_INET_MSG_DATA);
            check_packet(m[k], k, sizes[k]);
            if (!batch)
                assert_int_equal(esock_inet_send_msg(a, m[k], ESOCK_INFINITY), 0); /* m[k] is gone */
        }
        if (batch) {
            size_t taken = 99;
            assert_int_equal(esock_inet_send_msgs(a, m, N, ESOCK_INFINITY, &taken), 0);
            assert_int_equal(taken, N); /* all of them are the library's now */
        }
        expect_none(mb, 1); /* this thread idles: delay_send output is written */
        rd(fd, back, n);
        assert_memory_equal(back, wire, n);
        esock_inet_stat_t k[] = {ESOCK_STAT_SEND_CNT, ESOCK_STAT_SEND_OCT, ESOCK_STAT_SEND_MAX,
                                 ESOCK_STAT_SEND_PEND};
        uint64_t v[4];
        assert_int_equal(esock_inet_getstat(a, k, 4, v), 0);
        assert_int_equal(v[0], N);
        assert_int_equal(v[1], n);
        assert_int_equal(v[2], 4 + 300000);
        assert_int_equal(v[3], 0);
        close(fd);
        esock_inet_close(a);
        esock_inet_close(l);
        tm_free(mb);
    }
}

/* The raw peer's side of a transfer, on its own thread (the test's thread
 * runs the owner's mailbox meanwhile). */
struct peer_io {
    int fd;
    uint8_t *buf;
    size_t n;
    bool writing;
    atomic_bool done;
};

static void *peer_io_main(void *p)
{
    struct peer_io *io = p;
    size_t off = 0;
    while (off < io->n) {
        struct pollfd pf = {.fd = io->fd, .events = io->writing ? POLLOUT : POLLIN};
        if (poll(&pf, 1, 5000) != 1)
            break;
        ssize_t r = io->writing ? send(io->fd, io->buf + off, io->n - off, MSG_NOSIGNAL)
                                : read(io->fd, io->buf + off, io->n - off);
        if (r <= 0)
            break;
        off += (size_t)r;
    }
    io->n = off;
    atomic_store(&io->done, true);
    return NULL;
}

/* A peer that does not read (a unix socket: the kernel's room stays used
 * up): send_msg queues the packets by reference; they go out intact once
 * the peer reads, also through injected short writes. A socket closed with
 * such packets queued frees them. */
static void send_msg_queued_by_reference(void **st)
{
    (void)st;
    enum { LEN = 200000, K = 4 };
    static uint8_t wire[K * (LEN + 4)], back[K * (LEN + 4)];
    size_t n = 0;
    for (unsigned k = 0; k < K; k++)
        n += frame(wire + n, k, LEN);
    for (int close_early = 0; close_early <= 1; close_early++) {
        long live0 = esock__rbuf_live();
        esock_mbox_t mb = tm_new();
        const esock_inet_opt_t o[] = {OPTI(PACKET, ESOCK_INET_PACKET_4), OPTI(MODE, 1),
                                      OPTI(ZEROCOPY_MIN, 1), OPTI(HIGH_WATERMARK, 64 << 20),
                                      OPTI(LOW_WATERMARK, 32 << 20)};
        esock_inet_t l, a;
        int fd = local_peer_pair(o, NOPTS(o), mb, &l, &a);
        struct peer_io w = {.fd = fd, .buf = wire, .n = n, .writing = true};
        pthread_t wt, rt;
        assert_int_equal(pthread_create(&wt, NULL, peer_io_main, &w), 0);
        for (unsigned k = 0; k < K; k++) {
            esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_DATA);
            check_packet(m, k, LEN);
            assert_non_null(m->ref_);
            assert_int_equal(esock_inet_send_msg(a, m, ESOCK_INFINITY), 0);
        }
        assert_int_equal(pthread_join(wt, NULL), 0);
        assert_int_equal(w.n, n);
        esock_inet_info_t inf;
        assert_int_equal(esock_inet_info(a, &inf), 0);
        assert_true(inf.output > 0); /* the peer reads nothing yet: queued */
        if (close_early) {
            assert_int_equal(esock_inet_close(a), 0); /* frees the queued messages */
        } else {
            struct peer_io r = {.fd = fd, .buf = back, .n = n};
            assert_int_equal(pthread_create(&rt, NULL, peer_io_main, &r), 0);
            for (int i = 0; i < 1000 && !atomic_load(&r.done); i++)
                assert_null(tm_recv(mb, 5)); /* the owner's loop writes as room comes */
            assert_int_equal(pthread_join(rt, NULL), 0);
            assert_int_equal(r.n, n);
            assert_memory_equal(back, wire, n);
            esock_inet_close(a);
        }
        close(fd);
        esock_inet_close(l);
        tm_free(mb);
        assert_true(esock__rbuf_live() <= live0 + 1);
    }
}

/* Bad arguments fail cleanly, and the message is still the caller's. */
static void send_msg_errors(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t o[] = {OPTI(PACKET, ESOCK_INET_PACKET_4), OPTI(ZEROCOPY_MIN, 1)};
    esock_inet_t l, a;
    int fd = inet_stalled_local_pair(o, NOPTS(o), mb, &l, &a);
    assert_int_equal(esock_inet_send_msg(a, NULL, ESOCK_INFINITY), -EINVAL);
    uint8_t w[4 + 300];
    wr(fd, w, frame(w, 5, 300));
    esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_DATA);
    check_packet(m, 5, 300);
    /* too long for a {packet,1} header on the way back */
    const esock_inet_opt_t p1[] = {OPTI(PACKET, ESOCK_INET_PACKET_1)};
    assert_int_equal(esock_inet_setopts(a, p1, 1), 0);
    assert_int_equal(esock_inet_send_msg(a, m, ESOCK_INFINITY), -EMSGSIZE);
    check_packet(m, 5, 300);
    /* busy (the peer does not read) and nowait: ESOCK_SELECT, m kept for
     * the retry */
    const esock_inet_opt_t p4[] = {OPTI(PACKET, ESOCK_INET_PACKET_4)};
    assert_int_equal(esock_inet_setopts(a, p4, 1), 0);
    fill_until_busy(a);
    assert_int_equal(esock_inet_send_msg(a, m, ESOCK_NOWAIT), ESOCK_SELECT);
    check_packet(m, 5, 300);
    stalled_peer_t peer = {.fd = fd};
    drain_until_ready(&peer, a, mb);
    assert_int_equal(esock_inet_setopts(a, p1, 1), 0);
    /* a record that is not data */
    close(fd);
    esock_inet_msg_t *c = expect_msg(mb, ESOCK_INET_MSG_CLOSED);
    assert_int_equal(esock_inet_send_msg(a, c, ESOCK_INFINITY), -EINVAL);
    esock_inet_msg_free(c);
    /* the port is gone after the reported close */
    assert_true(esock_inet_send_msg(a, m, ESOCK_INFINITY) < 0);
    check_packet(m, 5, 300);
    /* a stale handle */
    esock_inet_close(a);
    assert_int_equal(esock_inet_send_msg(a, m, ESOCK_INFINITY), ESOCK_ECLOSED);
    check_packet(m, 5, 300);
    esock_inet_msg_free(m);
    esock_inet_close(l);
    tm_free(mb);
}

/* A batch stops at the first message not sent: those before it are sent
 * and the library's (*taken), it and the rest are still the caller's. */
static void send_msgs_stops(void **st)
{
    (void)st;
    enum { N = 4, LEN = 300 };
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t o[] = {OPTI(PACKET, ESOCK_INET_PACKET_4), OPTI(DELAY_SEND, 1)};
    esock_inet_t l, a;
    int fd = inet_stalled_local_pair(o, NOPTS(o), mb, &l, &a);
    uint8_t w[N * (4 + LEN)], back[sizeof w];
    size_t n = 0;
    for (unsigned k = 0; k < N; k++)
        n += frame(w + n, k, LEN);
    wr(fd, w, n);
    esock_inet_msg_t *m[N];
    for (unsigned k = 0; k < N; k++)
        m[k] = expect_msg(mb, ESOCK_INET_MSG_DATA);
    size_t taken = 99;
    assert_int_equal(esock_inet_send_msgs(a, m, N, ESOCK_INFINITY, NULL), -EINVAL);
    assert_int_equal(esock_inet_send_msgs(a, NULL, 1, ESOCK_INFINITY, &taken), -EINVAL);
    assert_int_equal(taken, 0);
    taken = 99;
    assert_int_equal(esock_inet_send_msgs(a, NULL, 0, ESOCK_INFINITY, &taken), 0);
    assert_int_equal(taken, 0);
    /* busy after the first packet and nowait: 1 taken, ESOCK_SELECT, and
     * READY once the peer has read and the owner's loop written it all.
     * With the peer not reading and the kernel full, the watermarks are
     * put just above the queue: the first packet makes it busy. */
    fill_until_busy(a);
    uint64_t pend = 0;
    esock_inet_stat_t kp = ESOCK_STAT_SEND_PEND;
    assert_int_equal(esock_inet_getstat(a, &kp, 1, &pend), 0);
    const esock_inet_opt_t wm[] = {OPTI(HIGH_WATERMARK, (int64_t)pend + 1), OPTI(LOW_WATERMARK, (int64_t)pend + 1)};
    assert_int_equal(esock_inet_setopts(a, wm, NOPTS(wm)), 0);
    /* fill's nowait send may go on (READY; more than one if the fill was
     * refused more than once around a write) */
    esock_inet_msg_t *r;
    while ((r = tm_recv(mb, 50)) != NULL) {
        assert_int_equal(r->kind, ESOCK_INET_MSG_READY);
        esock_inet_msg_free(r);
    }
    assert_int_equal(esock_inet_send_msgs(a, m, N, ESOCK_NOWAIT, &taken), ESOCK_SELECT);
    assert_int_equal(taken, 1);
    for (unsigned k = 1; k < N; k++)
        check_packet(m[k], k, LEN);
    stalled_peer_t peer = {.fd = fd};
    drain_until_ready(&peer, a, mb);
    const esock_inet_opt_t idle[] = {OPTI(HIGH_WATERMARK, 8192), OPTI(LOW_WATERMARK, 4096)};
    assert_int_equal(esock_inet_setopts(a, idle, NOPTS(idle)), 0);
    /* an entry that is not data stops the batch there */
    esock_inet_msg_t *c = m[3];
    c->kind = ESOCK_INET_MSG_PASSIVE;
    assert_int_equal(esock_inet_send_msgs(a, m + 1, N - 1, ESOCK_INFINITY, &taken), -EINVAL);
    assert_int_equal(taken, 2);
    c->kind = ESOCK_INET_MSG_DATA;
    check_packet(c, 3, LEN);
    /* everything is written: the stream ends with packets 0, 1 and 2 */
    uint64_t oct = 0;
    esock_inet_stat_t ko = ESOCK_STAT_SEND_OCT;
    assert_int_equal(esock_inet_getstat(a, &ko, 1, &oct), 0);
    int64_t end = now_ms() + 5000;
    while (peer.got < oct && now_ms() < end) {
        assert_null(tm_recv(mb, 5)); /* the owner's loop writes */
        peer_read(&peer);
    }
    assert_int_equal(peer.got, oct);
    memcpy(back, peer.tail + sizeof peer.tail - 3 * (4 + LEN), 3 * (4 + LEN));
    assert_memory_equal(back, w, 3 * (4 + LEN));
    /* a stale handle: nothing taken */
    esock_inet_close(a);
    assert_int_equal(esock_inet_send_msgs(a, m + 3, 1, ESOCK_INFINITY, &taken), ESOCK_ECLOSED);
    assert_int_equal(taken, 0);
    check_packet(c, 3, LEN);
    esock_inet_msg_free(c);
    close(fd);
    esock_inet_close(l);
    tm_free(mb);
}

/* A run of small packets that crosses high_msgq_watermark and
 * high_watermark several times, with one packet big enough to be queued by
 * reference in the middle: esock_inet_send_msgs appends the packets that
 * only join the coalescing queue without send_locked's per-packet checks,
 * and hands the others to it. It must give what sending them one by one
 * gives: the same bytes in the same order, and the same getstat values. */
static void send_msgs_run_matches_one_by_one(void **st)
{
    (void)st;
    enum { N = 300, BIG = 150 };
    static uint8_t wire[N * 4 + N * 40 + 3000];
    static uint8_t back[sizeof wire];
    esock_inet_stat_t keys[] = {ESOCK_STAT_SEND_CNT, ESOCK_STAT_SEND_OCT, ESOCK_STAT_SEND_MAX,
                                ESOCK_STAT_SEND_AVG, ESOCK_STAT_SEND_PEND};
    uint64_t got[2][5];
    size_t n = 0;
    for (unsigned k = 0; k < N; k++)
        n += frame(wire + n, k, k == BIG ? 3000 : (k * 7) % 40);
    for (int batch = 0; batch < 2; batch++) {
        esock_mbox_t mb = tm_new();
        const esock_inet_opt_t o[] = {OPTI(PACKET, ESOCK_INET_PACKET_4), OPTI(MODE, 1),
                                      OPTI(DELAY_SEND, 1)};
        esock_inet_t l, a;
        int fd = inet_peer_pair(o, NOPTS(o), mb, &l, &a);
        const esock_inet_opt_t wm[] = {OPTI(HIGH_MSGQ_WATERMARK, 1000), OPTI(LOW_MSGQ_WATERMARK, 500),
                                       OPTI(HIGH_WATERMARK, 4000), OPTI(LOW_WATERMARK, 2000)};
        assert_int_equal(esock_inet_setopts(a, wm, NOPTS(wm)), 0);
        wr(fd, wire, n);
        esock_inet_msg_t *m[N];
        for (unsigned k = 0; k < N; k++) {
            m[k] = expect_msg(mb, ESOCK_INET_MSG_DATA);
            check_packet(m[k], k, k == BIG ? 3000 : (k * 7) % 40);
        }
        if (batch) {
            size_t taken = 0;
            assert_int_equal(esock_inet_send_msgs(a, m, N, ESOCK_INFINITY, &taken), 0);
            assert_int_equal(taken, N);
        } else {
            for (unsigned k = 0; k < N; k++)
                assert_int_equal(esock_inet_send_msg(a, m[k], ESOCK_INFINITY), 0);
        }
        /* the queue went to the kernel each time it reached 1000 bytes */
        esock_inet_stat_t pk = ESOCK_STAT_SEND_PEND;
        uint64_t pend;
        assert_int_equal(esock_inet_getstat(a, &pk, 1, &pend), 0);
        assert_true(pend < 1000);
        expect_none(mb, 1); /* this thread idles: the rest of the queue is written */
        rd(fd, back, n);
        assert_memory_equal(back, wire, n);
        assert_int_equal(esock_inet_getstat(a, keys, 5, got[batch]), 0);
        close(fd);
        esock_inet_close(a);
        esock_inet_close(l);
        tm_free(mb);
    }
    assert_int_equal(got[1][0], N);
    assert_int_equal(got[1][1], n);
    assert_int_equal(got[1][2], 4 + 3000);
    assert_int_equal(got[1][4], 0);
    assert_memory_equal(got[1], got[0], sizeof got[0]); /* send_avg included */
}

/* Owner thread receives shared packets and hands them to a worker that
 * checks and frees them while the owner goes on reading (ThreadSanitizer
 * watches the reference counts and the buffer reuse). */
struct handoff {
    int rfd;
    unsigned bad, seen;
};

static void *free_worker(void *p)
{
    struct handoff *h = p;
    esock_inet_msg_t *m;
    while (read(h->rfd, &m, sizeof m) == (ssize_t)sizeof m && m) {
        unsigned k = (unsigned)m->len - 5000;
        for (size_t i = 0; i < m->len; i++)
            if (m->data[i] != pat(k, i)) {
                h->bad++;
                break;
            }
        h->seen++;
        esock_inet_msg_free(m);
    }
    return NULL;
}

static void zerocopy_freed_on_other_thread(void **st)
{
    (void)st;
    enum { N = 300 };
    long live0 = esock__rbuf_live();
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t o[] = {OPTI(PACKET, ESOCK_INET_PACKET_4), OPTI(ZEROCOPY_MIN, 1)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), mb, &l, &a);
    int pp[2];
    assert_int_equal(pipe(pp), 0);
    struct handoff h = {.rfd = pp[0]};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, free_worker, &h), 0);
    static uint8_t w[16 * (5000 + N + 4)];
    for (unsigned k = 0; k < N; k += 16) {
        size_t n = 0;
        for (unsigned j = k; j < k + 16 && j < N; j++)
            n += frame(w + n, j, 5000 + j); /* the length tells the worker k */
        wr(fd, w, n);
        for (unsigned j = k; j < k + 16 && j < N; j++) {
            esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_DATA);
            assert_int_equal(m->len, 5000 + j);
            assert_int_equal(write(pp[1], &m, sizeof m), (ssize_t)sizeof m);
        }
    }
    esock_inet_msg_t *end = NULL;
    assert_int_equal(write(pp[1], &end, sizeof end), (ssize_t)sizeof end);
    assert_int_equal(pthread_join(th, NULL), 0);
    close(pp[0]);
    close(pp[1]);
    assert_int_equal(h.seen, N);
    assert_int_equal(h.bad, 0);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
    tm_free(mb);
    assert_true(esock__rbuf_live() <= live0 + 1);
}

/* Frees through the seam, counted (only the spare tests hook it). */
static atomic_int seam_frees;
static void (*real_free)(void *);
static void counting_free(void *p)
{
    if (p)
        atomic_fetch_add(&seam_frees, 1);
    real_free(p);
}

struct spare_thread {
    int frees_while_kept; /* frees seen after releasing, before exiting */
    unsigned kept;
};

static void *spare_thread_main(void *p)
{
    struct spare_thread *t = p;
    uint8_t *b[3];
    for (int i = 0; i < 3; i++)
        b[i] = esock__rbuf_new(ESOCK__INET_SCRATCH);
    int f0 = atomic_load(&seam_frees);
    for (int i = 0; i < 3; i++)
        esock__rbuf_release(b[i]);
    t->frees_while_kept = atomic_load(&seam_frees) - f0;
    t->kept = esock__rbuf_spares();
    return NULL;
}

/* Big read buffers released on a thread are kept (at most 4) and handed
 * back by the next new one that fits (cap..2*cap bytes); small ones go to
 * free(); a thread's spares are freed when it exits. */
static void big_buffers_kept_per_thread(void **st)
{
    (void)st;
    long live0 = esock__rbuf_live();
    uint8_t *a = esock__rbuf_new(256 * 1024);
    uint8_t *b = esock__rbuf_new(256 * 1024 + 100); /* a packet's tail + one read */
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(esock__rbuf_live(), live0 + 2);
    esock__rbuf_release(a);
    assert_int_equal(esock__rbuf_live(), live0 + 1); /* a kept spare is not in use */
    assert_true(esock__rbuf_spares() >= 1);
    uint8_t *c = esock__rbuf_new(200 * 1024);
    assert_ptr_equal(c, a); /* 256 KiB serves 200 KiB */
    memset(c, 0xab, 200 * 1024);
    esock__rbuf_release(b);
    uint8_t *d = esock__rbuf_new(256 * 1024);
    assert_ptr_equal(d, b); /* rounded up to 320 KiB: serves the next 256 KiB read */
    esock__rbuf_release(d);
    uint8_t *e = esock__rbuf_new(100 * 1024);
    assert_ptr_not_equal(e, b); /* more than twice what is asked: not used */
    esock__rbuf_release(e);
    esock__rbuf_release(c);
    uint8_t *small = esock__rbuf_new(1000);
    unsigned before = esock__rbuf_spares();
    esock__rbuf_release(small);
    assert_int_equal(esock__rbuf_spares(), before); /* small: freed */

    uint8_t *many[6];
    for (int i = 0; i < 6; i++)
        many[i] = esock__rbuf_new(512 * 1024);
    for (int i = 0; i < 6; i++)
        esock__rbuf_release(many[i]);
    assert_int_equal(esock__rbuf_spares(), 4);
    assert_int_equal(esock__rbuf_live(), live0);
    uint8_t *back[4];
    for (int i = 0; i < 4; i++) { /* the 4 newest were kept, and come back newest first */
        back[i] = esock__rbuf_new(512 * 1024);
        assert_ptr_equal(back[i], many[5 - i]);
    }
    for (int i = 4; i-- > 0;)
        esock__rbuf_release(back[i]);

    real_free = esock__sys.free;
    esock__sys.free = counting_free;
    atomic_store(&seam_frees, 0);
    struct spare_thread t = {0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, spare_thread_main, &t), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    int frees = atomic_load(&seam_frees);
    esock__sys.free = real_free;
    assert_int_equal(t.frees_while_kept, 0);
    assert_int_equal(t.kept, 3);
    assert_true(frees >= 3); /* ... and freed when the thread exited */
    assert_int_equal(esock__rbuf_live(), live0);
}

/* Writes made through the seam while counting: calls and vectors. */
static atomic_int seam_writes, seam_vectors, seam_sendmsgs, first_vectors;
static ssize_t (*real_send)(int, const void *, size_t, int);
static ssize_t (*real_sendmsg)(int, const struct msghdr *, int);
static ssize_t counting_send(int fd, const void *b, size_t n, int fl)
{
    if (atomic_fetch_add(&seam_writes, 1) == 0)
        atomic_store(&first_vectors, 1);
    atomic_fetch_add(&seam_vectors, 1);
    return real_send(fd, b, n, fl);
}
static ssize_t counting_sendmsg(int fd, const struct msghdr *mh, int fl)
{
    if (atomic_fetch_add(&seam_writes, 1) == 0)
        atomic_store(&first_vectors, (int)mh->msg_iovlen);
    atomic_fetch_add(&seam_sendmsgs, 1);
    atomic_fetch_add(&seam_vectors, (int)mh->msg_iovlen);
    return real_sendmsg(fd, mh, fl);
}

static void count_writes(bool on)
{
    if (on) {
        atomic_store(&seam_writes, 0);
        atomic_store(&seam_vectors, 0);
        atomic_store(&seam_sendmsgs, 0);
        atomic_store(&first_vectors, 0);
        real_send = esock__sys.send;
        real_sendmsg = esock__sys.sendmsg;
        esock__sys.send = counting_send;
        esock__sys.sendmsg = counting_sendmsg;
    } else {
        esock__sys.send = real_send;
        esock__sys.sendmsg = real_sendmsg;
    }
}

/* Received packets sent back as they came lie in the read buffer with
 * their wire headers: they go out from there, a run of them that follow
 * each other as one vector (as an echo server writing in place), a lone
 * one with send() instead of a two-vector sendmsg(). A header that is not
 * the bytes before the payload (raw mode: none; a payload the caller
 * trimmed) is still sent on its own, and the peer gets exactly the bytes
 * the packet modes say. */
static void send_msgs_in_place(void **st)
{
    (void)st;
    enum { N = 8, LEN = 4000 };
    static uint8_t wire[N * (LEN + 4)], back[N * (LEN + 4)], want[N * (LEN + 4)];
    for (int round = 0; round < 4; round++) {
        /* 0: packet 4 back, queued; 1: the same, written at once one by
         * one; 2: raw back (no headers); 3: payloads trimmed by one byte */
        bool delay = round != 1;
        esock_mbox_t mb = tm_new();
        const esock_inet_opt_t o[] = {OPTI(PACKET, ESOCK_INET_PACKET_4), OPTI(MODE, 1),
                                      OPTI(ZEROCOPY_MIN, 2048), OPTI(DELAY_SEND, delay),
                                      /* the whole run coalesced before a write */
                                      OPTI(HIGH_MSGQ_WATERMARK, 1 << 20), OPTI(HIGH_WATERMARK, 1 << 20)};
        esock_inet_t l, a;
        int fd = inet_peer_pair(o, NOPTS(o), mb, &l, &a);
        size_t n = 0;
        for (unsigned k = 0; k < N; k++)
            n += frame(wire + n, k, LEN);
        wr(fd, wire, n);
        esock_inet_msg_t *m[N];
        unsigned breaks = 0; /* packets not right after the one before */
        for (unsigned k = 0; k < N; k++) {
            m[k] = expect_msg(mb, ESOCK_INET_MSG_DATA);
            check_packet(m[k], k, LEN);
            if (k && m[k]->data != m[k - 1]->data + LEN + 4)
                breaks++;
        }
        if (round == 2) {
            esock_inet_opt_t raw = OPTI(PACKET, ESOCK_INET_PACKET_RAW);
            assert_int_equal(esock_inet_setopts(a, &raw, 1), 0);
        }
        size_t wn = 0;
        for (unsigned k = 0; k < N; k++) {
            size_t cut = round == 3;
            m[k]->data += cut;
            m[k]->len -= cut;
            if (round != 2) {
                header4(want + wn, LEN - cut);
                wn += 4;
            }
            memcpy(want + wn, m[k]->data, m[k]->len);
            wn += m[k]->len;
        }
        count_writes(true);
        if (round == 1) {
            for (unsigned k = 0; k < N; k++)
                assert_int_equal(esock_inet_send_msg(a, m[k], ESOCK_INFINITY), 0);
        } else {
            size_t taken = 0;
            assert_int_equal(esock_inet_send_msgs(a, m, N, ESOCK_INFINITY, &taken), 0);
            assert_int_equal(taken, N);
        }
        expect_none(mb, 1); /* this thread idles: delay_send output is written */
        count_writes(false);
        rd(fd, back, wn);
        assert_memory_equal(back, want, wn);
        /* (A write cut short by injected faults is finished by more
         * writes: only the first, which is handed everything, is counted.) */
        int first = atomic_load(&first_vectors);
        if (round == 0) /* header and payload together, packets together */
            assert_int_equal(first, (int)breaks + 1);
        else if (round == 1 && !breaks) /* send() each, a two-vector sendmsg() never */
            assert_int_equal(atomic_load(&seam_sendmsgs), 0);
        else if (round != 1) /* the packets' own vectors, headers on their own */
            assert_int_equal(first, round == 2 ? N : 2 * N);
        assert_true(atomic_load(&seam_writes) >= 1);
        assert_true(atomic_load(&seam_vectors) >= first);
        close(fd);
        esock_inet_close(a);
        esock_inet_close(l);
        tm_free(mb);
    }
}

/* A reader that takes 32 KiB every 20 ms until told to stop (or 10 s). */
struct slow_reader {
    int fd;
    uint8_t *buf;
    size_t cap, n;
    atomic_bool stop;
};

static void *slow_reader_main(void *p)
{
    struct slow_reader *r = p;
    for (int i = 0; i < 500 && !atomic_load(&r->stop) && r->n < r->cap; i++) {
        size_t want = r->cap - r->n < 32768 ? r->cap - r->n : 32768;
        struct pollfd pf = {.fd = r->fd, .events = POLLIN};
        if (poll(&pf, 1, 20) == 1) {
            ssize_t k = read(r->fd, r->buf + r->n, want);
            if (k <= 0)
                break;
            r->n += (size_t)k;
        }
        usleep(20000);
    }
    return NULL;
}

/* The timeout of esock_inet_send_msgs bounds the whole call, not each
 * packet: against a peer that drains slowly every single wait is short,
 * yet the call ends at its deadline with ESOCK_ETIMEOUT, the packets not
 * taken still the caller's, and what the peer got is a clean prefix. */
static void send_msgs_timeout_whole_call(void **st)
{
    (void)st;
    enum { N = 8, LEN = 200000, TIMEOUT = 300 };
    static uint8_t wire[N * (LEN + 4)], back[N * (LEN + 4)];
    size_t n = 0;
    for (unsigned k = 0; k < N; k++)
        n += frame(wire + n, k, LEN);
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t o[] = {OPTI(PACKET, ESOCK_INET_PACKET_4), OPTI(MODE, 1)};
    esock_inet_t l, a;
    int fd = local_peer_pair(o, NOPTS(o), mb, &l, &a);
    struct peer_io w = {.fd = fd, .buf = wire, .n = n, .writing = true};
    pthread_t wt, rt;
    assert_int_equal(pthread_create(&wt, NULL, peer_io_main, &w), 0);
    esock_inet_msg_t *m[N];
    for (unsigned k = 0; k < N; k++)
        m[k] = expect_msg(mb, ESOCK_INET_MSG_DATA);
    assert_int_equal(pthread_join(wt, NULL), 0);
    assert_int_equal(w.n, n);
    /* 1.6 MB at 32 KiB per 20 ms: about a second to drain */
    struct slow_reader r = {.fd = fd, .buf = back, .cap = n};
    assert_int_equal(pthread_create(&rt, NULL, slow_reader_main, &r), 0);
    size_t taken = 99;
    int64_t t0 = now_ms();
    int rc = esock_inet_send_msgs(a, m, N, TIMEOUT, &taken);
    int64_t el = now_ms() - t0;
    /* Per packet, no single wait would reach the timeout: the call would
     * go on until the last packet is taken and return 0. */
    assert_int_equal(rc, ESOCK_ETIMEOUT);
    assert_true(taken >= 1 && taken < N);
    assert_true(el >= TIMEOUT - 20);
    assert_true(el < 2000); /* (slack for a loaded machine) */
    for (size_t k = taken; k < N; k++) { /* still the caller's, intact */
        check_packet(m[k], (unsigned)k, LEN);
        esock_inet_msg_free(m[k]);
    }
    esock_inet_close(a); /* frees what is still queued */
    atomic_store(&r.stop, true);
    assert_int_equal(pthread_join(rt, NULL), 0);
    assert_true(r.n <= taken * (LEN + 4));
    assert_memory_equal(back, wire, r.n);
    close(fd);
    esock_inet_close(l);
    tm_free(mb);
}

const struct CMUnitTest inet_tests_zerocopy[] = {
    cmocka_unit_test_teardown(big_buffers_kept_per_thread, inet_teardown),
    cmocka_unit_test_teardown(zerocopy_option, inet_teardown),
    cmocka_unit_test_teardown(zerocopy_delivers_in_place, inet_teardown),
    cmocka_unit_test_teardown(zerocopy_split_packets, inet_teardown),
    cmocka_unit_test_teardown(zerocopy_freed_every_way, inet_teardown),
    cmocka_unit_test_teardown(zerocopy_freed_on_other_thread, inet_teardown),
    cmocka_unit_test_teardown(mbox_post_refuses_inet_kinds, inet_teardown),
    cmocka_unit_test_teardown(send_msg_echo, inet_teardown),
    cmocka_unit_test_teardown(send_msg_queued_by_reference, inet_teardown),
    cmocka_unit_test_teardown(send_msg_errors, inet_teardown),
    cmocka_unit_test_teardown(send_msgs_stops, inet_teardown),
    cmocka_unit_test_teardown(send_msgs_run_matches_one_by_one, inet_teardown),
    cmocka_unit_test_teardown(send_msgs_in_place, inet_teardown),
    cmocka_unit_test_teardown(send_msgs_timeout_whole_call, inet_teardown),
};
const size_t inet_ntests_zerocopy = NOPTS(inet_tests_zerocopy);
