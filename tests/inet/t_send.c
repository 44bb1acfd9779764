/* The send side: watermarks and the busy state, send_timeout(_close),
 * delay_send, getstat against known traffic. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "inet/inet_int.h"

static uint64_t stat1(esock_inet_t s, esock_inet_stat_t k)
{
    uint64_t v = 0;
    assert_int_equal(esock_inet_getstat(s, &k, 1, &v), 0);
    return v;
}


static void watermarks_hold_back_fast_sender(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(HIGH_WATERMARK, 16384),
                                  OPTI(LOW_WATERMARK, 8192)};
    esock_inet_t l, a;
    int fd = inet_stalled_pair(o, NOPTS(o), mb, &l, &a);
    char chunk[4096];
    memset(chunk, 'w', sizeof chunk);
    int rc = 0, sends = 0;
    size_t accepted = 0;
    while (sends < 10000) {
        rc = esock_inet_send_ex(a, chunk, sizeof chunk, ESOCK_NOWAIT);
        if (rc != 0)
            break;
        accepted += sizeof chunk;
        sends++;
    }
    /* the sender is held back once the queue reaches high_watermark */
    assert_int_equal(rc, ESOCK_SELECT);
    uint64_t pend = stat1(a, ESOCK_STAT_SEND_PEND);
    /* (the refused nowait send wrote what the kernel took: busy lasts
     * until the queue is below low_watermark) */
    assert_true(pend >= 8192);
    assert_true(pend < 16384 + sizeof chunk);
    esock_inet_info_t info;
    assert_int_equal(esock_inet_info(a, &info), 0);
    assert_true(info.states & ESOCK_INET_ST_BUSY);
    assert_int_equal(info.output, pend);
    /* send_oct counts what was accepted (queued), not what hit the wire */
    assert_int_equal(stat1(a, ESOCK_STAT_SEND_OCT), accepted);
    /* the peer drains: the queue falls below low_watermark, READY is posted */
    char sink[65536];
    size_t total = 0;
    esock_inet_msg_t *m = NULL;
    for (int i = 0; i < 400 && !m; i++) {
        ssize_t r = recv(fd, sink, sizeof sink, MSG_DONTWAIT);
        if (r > 0)
            total += (size_t)r;
        m = tm_recv(mb, 5);
    }
    assert_non_null(m);
    assert_int_equal(m->kind, ESOCK_INET_MSG_READY);
    esock_inet_msg_free(m);
    assert_true(total > 0); /* READY came because the peer read */
    assert_true(stat1(a, ESOCK_STAT_SEND_PEND) < 8192);
    assert_int_equal(esock_inet_send_ex(a, chunk, sizeof chunk, ESOCK_NOWAIT), 0);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
    tm_free(mb);
}

static void send_timeout_then_close(void **st)
{
    (void)st;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(SEND_TIMEOUT, 200),
                                  OPTI(SEND_TIMEOUT_CLOSE, 1)};
    esock_inet_t l, a;
    int fd = inet_stalled_pair(o, NOPTS(o), ESOCK_INET_NO_OWNER, &l, &a);
    static char big[1 << 20];
    /* inet: the first big send is queued (ok), the next blocks and times out */
    assert_int_equal(esock_inet_send(a, big, sizeof big), 0);
    assert_true(stat1(a, ESOCK_STAT_SEND_PEND) > 0);
    int64_t t0 = now_ms();
    assert_int_equal(esock_inet_send(a, big, 10), ESOCK_ETIMEOUT);
    int64_t el = now_ms() - t0;
    assert_true(el >= 150 && el < 3000);
    /* send_timeout_close: the fd is closed and the port stays, as after a
     * passive recv's end (OTP 25.2.3: send and recv enotconn, getstat
     * works; made active it reports tcp_closed, then it is gone) */
    assert_int_equal(esock_inet_send(a, big, 10), -ENOTCONN);
    char b[8];
    size_t got;
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 100), -ENOTCONN);
    assert_true(stat1(a, ESOCK_STAT_SEND_CNT) >= 1);
    esock_mbox_t mb = tm_new();
    activate_once(a, mb);
    esock_inet_msg_free(expect_msg(mb, ESOCK_INET_MSG_CLOSED));
    assert_int_equal(esock_inet_send(a, big, 10), ESOCK_ECLOSED); /* now gone */
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
    tm_free(mb);
}

/* send_timeout_close on an active socket: its owner gets CLOSED at once
 * and the port is gone (OTP 25 posts nothing there, erlang/otp#11319:
 * docs/inet.md, differences). */
static void send_timeout_close_active(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_ONCE), OPTI(SEND_TIMEOUT, 200),
                                  OPTI(SEND_TIMEOUT_CLOSE, 1)};
    esock_inet_t l, a;
    int fd = inet_stalled_pair(o, NOPTS(o), mb, &l, &a);
    uint64_t mref;
    assert_int_equal(esock_inet_monitor(a, mb, &mref), 0);
    static char big[1 << 20];
    assert_int_equal(esock_inet_send(a, big, sizeof big), 0);
    assert_int_equal(esock_inet_send(a, big, 10), ESOCK_ETIMEOUT);
    esock_inet_msg_free(expect_msg(mb, ESOCK_INET_MSG_CLOSED));
    expect_down(mb, mref, ESOCK_ETIMEOUT);
    assert_int_equal(esock_inet_send(a, big, 10), ESOCK_ECLOSED);
    uint64_t v;
    esock_inet_stat_t k = ESOCK_STAT_SEND_CNT;
    assert_int_equal(esock_inet_getstat(a, &k, 1, &v), -EINVAL);
    expect_none(mb, 30);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
    tm_free(mb);
}

/* One of two senders on a stalled socket. */
typedef struct {
    esock_inet_t a;
    pthread_t th;
    int rc;
    _Atomic bool done;
} para_sender_t;

static void *para_sender_main(void *p)
{
    para_sender_t *ps = p;
    static const char chunk[10000];
    int rc = 0;
    for (int i = 0; i < 100000 && rc == 0; i++) /* bounded: the timeout ends it */
        rc = esock_inet_send(ps->a, chunk, sizeof chunk);
    ps->rc = rc;
    atomic_store(&ps->done, true);
    return NULL;
}

/* Two threads send on a socket whose peer does not read
 * (gen_tcp_misc_SUITE send_timeout_para): neither hangs. Without
 * send_timeout_close both time out, and so does the next send; with it,
 * one times out and the other and the next send get enotconn (inet). */
static void send_timeout_two_senders(bool autoclose)
{
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(SEND_TIMEOUT, 300),
                                  OPTI(SEND_TIMEOUT_CLOSE, autoclose), OPTI(PACKET, ESOCK_INET_PACKET_2)};
    esock_inet_t l, a;
    int fd = inet_stalled_pair(o, NOPTS(o), ESOCK_INET_NO_OWNER, &l, &a);
    para_sender_t ps[2] = {{.a = a}, {.a = a}};
    for (int k = 0; k < 2; k++)
        assert_int_equal(pthread_create(&ps[k].th, NULL, para_sender_main, &ps[k]), 0);
    for (int i = 0; i < 5000 && !(atomic_load(&ps[0].done) && atomic_load(&ps[1].done)); i++)
        msleep(2);
    bool done = atomic_load(&ps[0].done) && atomic_load(&ps[1].done);
    if (!done)
        esock_inet_close(a); /* wakes them (closed) rather than hang the suite */
    for (int k = 0; k < 2; k++)
        pthread_join(ps[k].th, NULL);
    assert_true(done);
    int next = autoclose ? -ENOTCONN : ESOCK_ETIMEOUT;
    int timeouts = (ps[0].rc == ESOCK_ETIMEOUT) + (ps[1].rc == ESOCK_ETIMEOUT);
    int nexts = (ps[0].rc == next) + (ps[1].rc == next);
    if (autoclose ? !(timeouts == 1 && nexts == 1) : timeouts != 2)
        print_error("send_timeout_close %d: the senders returned %s and %s\n", autoclose,
                    esock_errname(ps[0].rc), esock_errname(ps[1].rc));
    assert_int_equal(timeouts, autoclose ? 1 : 2);
    assert_int_equal(nexts, autoclose ? 1 : 2);
    assert_int_equal(esock_inet_send(a, "Hej", 3), next);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
}

static void send_timeout_two_senders_keep(void **st)
{
    (void)st;
    send_timeout_two_senders(false);
}

static void send_timeout_two_senders_close(void **st)
{
    (void)st;
    send_timeout_two_senders(true);
}

static void send_timeout_keeps_socket(void **st)
{
    (void)st;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(SEND_TIMEOUT, 100)};
    esock_inet_t l, a;
    int fd = inet_stalled_pair(o, NOPTS(o), ESOCK_INET_NO_OWNER, &l, &a);
    static char big[1 << 20];
    assert_int_equal(esock_inet_send(a, big, sizeof big), 0);
    assert_int_equal(esock_inet_send(a, big, 10), ESOCK_ETIMEOUT);
    assert_int_equal(esock_inet_send(a, big, 10), ESOCK_ETIMEOUT); /* still open */
    esock_inet_opt_t lg = {.name = ESOCK_IOPT_LINGER};
    lg.v.linger.on = true;
    lg.v.linger.secs = 0;
    assert_int_equal(esock_inet_setopts(a, &lg, 1), 0); /* close at once */
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
}

/* otp_7816: rounds of "send until the send times out, then the peer
 * drains, then send again" on one socket. Every packet whose send
 * returned 0 arrives, in order, and none other: the packet of the send
 * that timed out is not sent (OTP 25 sends it later; docs/inet.md,
 * "Sending"), so the stream stays framed from round to round. */
#define R_PAYLOAD 1000
#define R_PACKET (4 + R_PAYLOAD)

/* Reads from the raw peer until @p want packets are in @p buf (flushing
 * the sender's queue as room appears); returns the bytes read. */
static size_t drain_packets(int fd, esock_inet_t a, uint8_t *buf, size_t cap, size_t want)
{
    size_t have = 0;
    for (int64_t end = now_ms() + 5000; have < want * R_PACKET && now_ms() < end;) {
        assert_true(esock_inet_flush(a) == 0);
        ssize_t n = recv(fd, buf + have, cap - have, MSG_DONTWAIT);
        if (n > 0) {
            have += (size_t)n;
            continue;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        poll(&p, 1, 10);
    }
    return have;
}

static void send_timeout_rounds(void **st)
{
    (void)st;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(SEND_TIMEOUT, 50),
                                  OPTI(PACKET, ESOCK_INET_PACKET_4)};
    esock_inet_t l, a;
    int fd = inet_stalled_pair(o, NOPTS(o), ESOCK_INET_NO_OWNER, &l, &a);
    static uint8_t stream[8 << 20];
    uint8_t pkt[R_PAYLOAD] = {0};
    uint32_t next = 0; /* sequence number of the next packet sent */
    uint32_t seen = 0; /* packets the peer has checked */
    for (int round = 0; round < 3; round++) {
        int rc = 0, sends = 0;
        for (; sends < 20000; sends++) {
            memcpy(pkt, &next, sizeof next);
            if ((rc = esock_inet_send(a, pkt, sizeof pkt)) != 0)
                break;
            next++;
        }
        assert_int_equal(rc, ESOCK_ETIMEOUT);
        assert_true(sends > 0);
        size_t want = next - seen;
        assert_true(want * R_PACKET <= sizeof stream);
        size_t got = drain_packets(fd, a, stream, sizeof stream, want);
        assert_int_equal(got, want * R_PACKET);
        for (size_t k = 0; k < want; k++) {
            const uint8_t *p = stream + k * R_PACKET;
            assert_memory_equal(p, "\0\0\x03\xe8", 4); /* 1000 */
            uint32_t seq;
            memcpy(&seq, p + 4, sizeof seq);
            assert_int_equal(seq, seen + k);
        }
        seen = next;
        /* and no more: the timed-out packet never left */
        msleep(20);
        assert_int_equal(esock_inet_flush(a), 0);
        assert_int_equal(recv(fd, stream, 16, MSG_DONTWAIT), -1);
        assert_int_equal(errno, EAGAIN);
    }
    assert_int_equal(stat1(a, ESOCK_STAT_SEND_CNT), next);
    assert_int_equal(stat1(a, ESOCK_STAT_SEND_PEND), 0);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
}

static void delay_send_coalesces(void **st)
{
    (void)st;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(DELAY_SEND, 1),
                                  OPTI(PACKET, ESOCK_INET_PACKET_1)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), ESOCK_INET_NO_OWNER, &l, &a);
    assert_int_equal(esock_inet_send(a, "ab", 2), 0);
    assert_int_equal(esock_inet_send(a, "cd", 2), 0);
    /* queued, not written yet */
    assert_int_equal(stat1(a, ESOCK_STAT_SEND_PEND), 6);
    char b[8];
    assert_int_equal(recv(fd, b, sizeof b, MSG_DONTWAIT), -1);
    assert_int_equal(esock_inet_flush(a), 0);
    rd(fd, b, 6);
    assert_memory_equal(b, "\x02" "ab\x02" "cd", 6);
    assert_int_equal(stat1(a, ESOCK_STAT_SEND_PEND), 0);
    /* close writes what is still queued */
    assert_int_equal(esock_inet_send(a, "ef", 2), 0);
    esock_inet_close(a);
    rd(fd, b, 3);
    assert_memory_equal(b, "\x02" "ef", 3);
    close(fd);
    esock_inet_close(l);
}

/* delay_send queues big sends too: on the owner's thread a burst of 16 KiB
 * packets stays queued until the thread waits on its mailbox again, then
 * leaves whole and in order. With the default high_msgq_watermark (8 KiB)
 * each of them is written at once instead. */
static void delay_send_coalesces_big_sends(void **st)
{
    (void)st;
    enum { N = 4, SZ = 16384 };
    static uint8_t out[N][SZ], in[N * (SZ + 4)];
    for (int k = 0; k < N; k++)
        for (int i = 0; i < SZ; i++)
            out[k][i] = (uint8_t)(i * 7 + k);
    for (int raised = 1; raised >= 0; raised--) {
        esock_mbox_t mb = tm_new();
        const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(DELAY_SEND, 1),
                                      OPTI(PACKET, ESOCK_INET_PACKET_4),
                                      OPTI(HIGH_MSGQ_WATERMARK, raised ? 262144 : 8192),
                                      OPTI(HIGH_WATERMARK, raised ? 524288 : 8192),
                                      OPTI(LOW_WATERMARK, raised ? 262144 : 4096)};
        esock_inet_t l, a;
        int fd = inet_peer_pair(o, NOPTS(o), mb, &l, &a);
        esock_msg_t m;
        assert_int_equal(esock_mbox_recv(mb, &m, 0), ESOCK_ETIMEOUT); /* this thread serves mb */
        for (int k = 0; k < N; k++)
            assert_int_equal(esock_inet_send(a, out[k], SZ), 0);
        char probe;
        if (raised) {
            assert_int_equal(stat1(a, ESOCK_STAT_SEND_PEND), N * (SZ + 4));
            assert_int_equal(recv(fd, &probe, 1, MSG_DONTWAIT), -1); /* nothing written yet */
            assert_int_equal(esock_mbox_recv(mb, &m, 0), ESOCK_ETIMEOUT); /* idle: written now */
        }
        assert_int_equal(stat1(a, ESOCK_STAT_SEND_PEND), 0);
        rd(fd, in, sizeof in);
        for (int k = 0; k < N; k++) {
            const uint8_t *p = in + k * (SZ + 4);
            assert_int_equal(((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]), SZ);
            assert_memory_equal(p + 4, out[k], SZ);
        }
        close(fd);
        esock_inet_close(a);
        esock_inet_close(l);
        tm_free(mb);
    }
}

/* A send that delay_send defers on the owner's thread waits for that
 * thread to wait on its mailbox again. A thread that exits instead writes
 * it on its way out (and lets the socket go: under ASan a kept pin would
 * leak the socket). */
struct exiting_sender {
    esock_mbox_t mb;
    esock_inet_t a;
    int pend_before_exit, sent;
};

static void *send_then_exit(void *arg)
{
    struct exiting_sender *x = arg;
    esock_msg_t m;
    if (esock_mbox_recv(x->mb, &m, 0) == ESOCK_ETIMEOUT) /* this thread serves mb */
        x->sent = esock_inet_send(x->a, "ab", 2) == 0;
    uint64_t pend = 0;
    esock_inet_stat_t k = ESOCK_STAT_SEND_PEND;
    esock_inet_getstat(x->a, &k, 1, &pend);
    x->pend_before_exit = (int)pend;
    return NULL;
}

static void delay_send_written_when_owner_thread_exits(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(DELAY_SEND, 1),
                                  OPTI(PACKET, ESOCK_INET_PACKET_1)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), mb, &l, &a);
    struct exiting_sender x = {.mb = mb, .a = a};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, send_then_exit, &x), 0);
    pthread_join(t, NULL);
    assert_true(x.sent);
    assert_int_equal(x.pend_before_exit, 3); /* deferred, as on any owner thread */
    struct pollfd p = {.fd = fd, .events = POLLIN};
    assert_int_equal(poll(&p, 1, 2000), 1); /* written at the thread's exit */
    char b[3];
    rd(fd, b, 3);
    assert_memory_equal(b, "\x02" "ab", 3);
    assert_int_equal(stat1(a, ESOCK_STAT_SEND_PEND), 0);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
    tm_free(mb);
}

static void getstat_known_traffic(void **st)
{
    (void)st;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(PACKET, ESOCK_INET_PACKET_2)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), ESOCK_INET_NO_OWNER, &l, &a);
    /* two packet-2 frames "abc", "defg": recv_oct 11, cnt 2, max 6, avg 5, dvi 0 */
    wr(fd, "\0\x03" "abc" "\0\x04" "defg", 11);
    char b[8];
    size_t got;
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 1000), 0);
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 1000), 0);
    assert_int_equal(esock_inet_send(a, "abc", 3), 0);
    assert_int_equal(esock_inet_send(a, "defgh", 5), 0);
    uint64_t v[ESOCK_STAT_COUNT_];
    assert_int_equal(esock_inet_getstat(a, NULL, 0, v), 0);
    assert_int_equal(v[ESOCK_STAT_RECV_OCT], 11);
    assert_int_equal(v[ESOCK_STAT_RECV_CNT], 2);
    assert_int_equal(v[ESOCK_STAT_RECV_MAX], 6);
    assert_int_equal(v[ESOCK_STAT_RECV_AVG], 5);
    assert_int_equal(v[ESOCK_STAT_RECV_DVI], 0);
    /* as OTP: send_oct 12, cnt 2, max 7, avg 6 (headers included) */
    assert_int_equal(v[ESOCK_STAT_SEND_OCT], 12);
    assert_int_equal(v[ESOCK_STAT_SEND_CNT], 2);
    assert_int_equal(v[ESOCK_STAT_SEND_MAX], 7);
    assert_int_equal(v[ESOCK_STAT_SEND_AVG], 6);
    assert_int_equal(v[ESOCK_STAT_SEND_PEND], 0);
    /* a selection, in the order asked */
    esock_inet_stat_t keys[] = {ESOCK_STAT_SEND_MAX, ESOCK_STAT_RECV_OCT};
    uint64_t w[2];
    assert_int_equal(esock_inet_getstat(a, keys, 2, w), 0);
    assert_int_equal(w[0], 7);
    assert_int_equal(w[1], 11);
    esock_inet_stat_t bad = (esock_inet_stat_t)99;
    assert_int_equal(esock_inet_getstat(a, &bad, 1, w), -EINVAL);
    assert_string_equal(esock_inet_statname(ESOCK_STAT_RECV_DVI), "recv_dvi");
    /* dvi with uneven sizes: the running mean of (n - running avg) */
    wr(fd, "\0\x0a" "0123456789", 12);
    char big[16];
    assert_int_equal(esock_inet_recv(a, big, sizeof big, 0, &got, 1000), 0);
    assert_int_equal(esock_inet_getstat(a, NULL, 0, v), 0);
    /* n=12: avg = 5.5 + (12-5.5)/3 = 7.67; dvi = 0.25 + ((12-7.67)-0.25)/3 = 1.61 */
    assert_int_equal(v[ESOCK_STAT_RECV_AVG], 7);
    assert_int_equal(v[ESOCK_STAT_RECV_DVI], 1);
    assert_int_equal(v[ESOCK_STAT_RECV_MAX], 12);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
}

/* Queued output goes out before the shutdown, in both directions' case
 * (gen_tcp_api_SUITE t_shutdown_write, t_shutdown_both): the peer reads
 * it, then EOF; after SHUT_RDWR the socket's own recv reports closed. */
static void shutdown_after_queue(int how)
{
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(DELAY_SEND, 1)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), ESOCK_INET_NO_OWNER, &l, &a);
    assert_int_equal(esock_inet_send(a, "bye", 3), 0);
    assert_int_equal(esock_inet_shutdown(a, how), 0);
    char b[8];
    rd(fd, b, 3);
    assert_memory_equal(b, "bye", 3);
    assert_int_equal(read(fd, b, sizeof b), 0); /* then EOF */
    if (how == SHUT_RDWR) {
        size_t got;
        assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 1000), ESOCK_ECLOSED);
    }
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
}

static void shutdown_write_after_queue(void **st)
{
    (void)st;
    shutdown_after_queue(SHUT_WR);
}

static void shutdown_both_after_queue(void **st)
{
    (void)st;
    shutdown_after_queue(SHUT_RDWR);
}

struct drainer {
    int fd;
    size_t want, got;
};

static void *drain_thread(void *p)
{
    struct drainer *d = p;
    char buf[65536];
    msleep(100); /* let the sender block first */
    while (d->got < d->want) {
        ssize_t r = read(d->fd, buf, sizeof buf);
        if (r <= 0)
            break;
        d->got += (size_t)r;
    }
    return NULL;
}

static void busy_sender_blocks_until_drained(void **st)
{
    (void)st;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
    esock_inet_t l, a;
    /* A unix stream: once the kernel refuses a write it stays full until
     * the drainer reads (over loopback TCP, ACKs could free room earlier and
     * let the sender go before the drainer starts; the fault runs, whose
     * extra calls change the timing, showed it). */
    int fd = local_peer_pair(o, NOPTS(o), ESOCK_INET_NO_OWNER, &l, &a);
    esock_inet_opt_t sb = OPT(SNDBUF, 4096);
    assert_int_equal(esock_inet_setopts(a, &sb, 1), 0);
    static char chunk[8192];
    memset(chunk, 'b', sizeof chunk);
    size_t sent = 0;
    int rc, k = 0;
    /* fill until busy (nowait senders are refused, not queued) */
    while ((rc = esock_inet_send_ex(a, chunk, sizeof chunk, ESOCK_NOWAIT)) == 0 && k++ < 1000)
        sent += sizeof chunk;
    assert_int_equal(rc, ESOCK_SELECT);
    /* busy: at or above low_watermark (the refused nowait send wrote
     * what the kernel took) */
    assert_true(stat1(a, ESOCK_STAT_SEND_PEND) >= 4096);
    struct drainer d = {.fd = fd, .want = sent + sizeof chunk};
    pthread_t t;
    pthread_create(&t, NULL, drain_thread, &d);
    int64_t t0 = now_ms();
    assert_int_equal(esock_inet_send(a, chunk, sizeof chunk), 0); /* blocks while busy */
    assert_true(now_ms() - t0 >= 50);
    esock_inet_close(a); /* writes the rest */
    pthread_join(t, NULL);
    assert_int_equal(d.got, d.want);
    close(fd);
    esock_inet_close(l);
}

/* ---- Queued output and a blocked passive reader ----------------------- *
 * A request/response peer answers only after the whole request: if the
 * request sits in esock's queue while the caller waits in recv for the
 * answer, both wait for ever. OTP's port writes its queue by itself; here
 * the thread blocked in recv writes it. */

struct answerer {
    int fd;
    size_t want, got;
};

/* Reads the whole request (10 s at most), then answers "ok". */
static void *answer_thread(void *p)
{
    struct answerer *a = p;
    char buf[16384];
    int64_t end = now_ms() + 10000;
    while (a->got < a->want && now_ms() < end) {
        struct pollfd pf = {.fd = a->fd, .events = POLLIN};
        if (poll(&pf, 1, 100) <= 0)
            continue;
        size_t n = a->want - a->got < sizeof buf ? a->want - a->got : sizeof buf;
        ssize_t r = read(a->fd, buf, n);
        if (r <= 0)
            break;
        a->got += (size_t)r;
    }
    if (a->got == a->want) {
        ssize_t w = write(a->fd, "ok", 2);
        (void)w;
    }
    return NULL;
}

/* A pair whose esock side has a small send buffer. (Not stalled_pair: a
 * receive buffer shrunk after the connection is set up can keep the TCP
 * window shut for seconds once the peer does read, which these tests
 * would take for esock not writing.) */
static int small_sndbuf_pair(const esock_inet_opt_t *o, size_t n, esock_inet_t *l, esock_inet_t *a)
{
    int fd = inet_peer_pair(o, n, ESOCK_INET_NO_OWNER, l, a);
    esock_inet_opt_t sb = OPT(SNDBUF, 4096);
    assert_int_equal(esock_inet_setopts(*a, &sb, 1), 0);
    return fd;
}

static uint64_t queued(esock_inet_t s)
{
    esock_inet_info_t inf;
    assert_int_equal(esock_inet_info(s, &inf), 0);
    return inf.output;
}

/* The request is queued before the caller recvs the answer. */
static void passive_recv_writes_queued_output(void **st)
{
    (void)st;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
    esock_inet_t l, a;
    int fd = small_sndbuf_pair(o, NOPTS(o), &l, &a);
    const size_t big = 4 << 20;
    char *req = malloc(big);
    assert_non_null(req);
    memset(req, 'r', big);
    assert_int_equal(esock_inet_send(a, req, big), 0);
    assert_true(queued(a) > 0); /* the kernel did not take it all */
    struct answerer an = {.fd = fd, .want = big};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, answer_thread, &an), 0);
    char b[2];
    size_t got = 0;
    int rc = esock_inet_recv(a, b, sizeof b, 2, &got, 5000);
    uint64_t left = queued(a);
    pthread_join(t, NULL);
    free(req);
    if (rc)
        print_error("recv %s; %llu bytes still queued, the peer got %zu of %zu\n", esock_errname(rc),
                    (unsigned long long)left, an.got, an.want);
    assert_int_equal(rc, 0);
    assert_memory_equal(b, "ok", 2);
    assert_int_equal(left, 0);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
}

struct reader {
    esock_inet_t s;
    int rc;
    size_t got;
    char b[2];
};

static void *reader_thread(void *p)
{
    struct reader *r = p;
    r->rc = esock_inet_recv(r->s, r->b, sizeof r->b, 2, &r->got, 5000);
    return NULL;
}

/* The request is sent (and queued) while another thread already waits in
 * recv: that thread must notice the queue and write it. */
static void send_queued_while_reader_blocked(const esock_inet_opt_t *o, size_t no, size_t len)
{
    esock_inet_t l, a;
    int fd = small_sndbuf_pair(o, no, &l, &a);
    struct reader r = {.s = a, .rc = 1};
    pthread_t rt, at;
    assert_int_equal(pthread_create(&rt, NULL, reader_thread, &r), 0);
    /* No event says "that thread now sleeps in recv": poll its state, bounded. */
    assert_true(inet_wait_sleeper(a, true, 2000));
    char *req = malloc(len);
    assert_non_null(req);
    memset(req, 'q', len);
    struct answerer an = {.fd = fd, .want = len};
    assert_int_equal(pthread_create(&at, NULL, answer_thread, &an), 0);
    assert_int_equal(esock_inet_send(a, req, len), 0);
    pthread_join(rt, NULL);
    pthread_join(at, NULL);
    free(req);
    if (r.rc)
        print_error("recv %s; the peer got %zu of %zu\n", esock_errname(r.rc), an.got, an.want);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.got, 2);
    assert_memory_equal(r.b, "ok", 2);
    assert_int_equal(queued(a), 0);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
}

static void blocked_reader_writes_later_send(void **st)
{
    (void)st;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
    send_queued_while_reader_blocked(o, NOPTS(o), 4 << 20); /* more than the kernel takes */
}

static void blocked_reader_writes_delay_send(void **st)
{
    (void)st;
    /* delay_send without an owner queues everything: only the reader writes it */
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(DELAY_SEND, 1)};
    send_queued_while_reader_blocked(o, NOPTS(o), 100);
}

/* Lone reply chunks (io.c): a thread that flushes replies to more
 * sockets than glibc's tcache holds keeps their chunks for its next
 * replies, takes them back newest first, and gives them back to malloc at
 * exit (ASan would report them leaked otherwise). Kept per thread: the
 * main thread's count does not move. */
#define LONE_SOCKS 12
static void *lone_chunks_thread(void *arg)
{
    unsigned *kept = arg;
    esock_inet_t a[LONE_SOCKS];
    int fd[LONE_SOCKS];
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
    for (int i = 0; i < LONE_SOCKS; i++)
        fd[i] = inet_peer_accepted(o, NOPTS(o), ESOCK_INET_NO_OWNER, &a[i]);
    kept[0] = esock__inet_lone_kept();
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < LONE_SOCKS; i++) { /* queue each socket one reply, in a chunk of its own */
            esock__isock_t *s = esock__inet_pin(a[i]);
            pthread_mutex_lock(&s->mu);
            assert_int_equal(esock__inet_enqueue_chunk(s, (const uint8_t *)"r", 1, (const uint8_t *)"!", 1), 0);
            pthread_mutex_unlock(&s->mu);
            esock__inet_unpin(s);
        }
        kept[1 + round] = esock__inet_lone_kept(); /* round 1: all taken back */
        for (int i = 0; i < LONE_SOCKS; i++)
            assert_int_equal(esock_inet_flush(a[i]), 0);
        kept[3 + round] = esock__inet_lone_kept();
    }
    for (int i = 0; i < LONE_SOCKS; i++) {
        char b[4];
        rd(fd[i], b, 4);
        assert_memory_equal(b, "r!r!", 4);
        esock_inet_close(a[i]);
        close(fd[i]);
    }
    return NULL;
}

static void lone_chunks_kept_per_thread(void **st)
{
    (void)st;
    unsigned main_kept = esock__inet_lone_kept();
    unsigned kept[5];
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, lone_chunks_thread, kept), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(kept[0], 0);           /* a new thread keeps none */
    assert_int_equal(kept[1], 0);           /* 12 replies queued: 12 new chunks */
    assert_int_equal(kept[3], LONE_SOCKS);  /* written: all 12 kept */
    assert_int_equal(kept[2], 0);           /* the next 12 replies took them back */
    assert_int_equal(kept[4], LONE_SOCKS);
    assert_int_equal(esock__inet_lone_kept(), main_kept);
}

/* A send's own timeout is not send_timeout: send_timeout_close closes the
 * fd when send_timeout runs out, never when the call's deadline does. */
static void call_timeout_keeps_socket_with_send_timeout_close(void **st)
{
    (void)st;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(SEND_TIMEOUT_CLOSE, 1)};
    esock_inet_t l, a;
    int fd = inet_stalled_local_pair(o, NOPTS(o), ESOCK_INET_NO_OWNER, &l, &a);
    static char chunk[65536];
    int rc = 0;
    for (int k = 0; k < 1000 && rc == 0; k++)
        rc = esock_inet_send_ex(a, chunk, sizeof chunk, 100);
    assert_int_equal(rc, ESOCK_ETIMEOUT);
    /* still connected: a nowait send finds it busy, not gone */
    assert_int_equal(esock_inet_send_ex(a, chunk, 10, ESOCK_NOWAIT), ESOCK_SELECT);
    esock_sockaddr_t me;
    assert_int_equal(esock_inet_sockname(a, &me), 0);
    /* 0 ms is a deadline of the call too */
    assert_int_equal(esock_inet_send_ex(a, chunk, 10, 0), ESOCK_ETIMEOUT);
    assert_int_equal(esock_inet_sockname(a, &me), 0);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
}

/* With no owner no readiness loop writes the queue: a retried nowait send
 * does, so the sender that polls gets through once the peer reads. */
static void nowait_send_without_owner_moves_queue(void **st)
{
    (void)st;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(HIGH_WATERMARK, 16384),
                                  OPTI(LOW_WATERMARK, 8192)};
    esock_inet_t l, a;
    int fd = inet_stalled_pair(o, NOPTS(o), ESOCK_INET_NO_OWNER, &l, &a);
    char chunk[4096];
    memset(chunk, 'n', sizeof chunk);
    size_t sent = 0;
    int rc = 0;
    for (int k = 0; k < 10000 && rc == 0; k++)
        if ((rc = esock_inet_send_ex(a, chunk, sizeof chunk, ESOCK_NOWAIT)) == 0)
            sent += sizeof chunk;
    assert_int_equal(rc, ESOCK_SELECT);
    /* the peer reads everything; the sender polls with nowait sends */
    static char sink[1 << 16];
    size_t got = 0;
    int64_t end = now_ms() + 5000;
    while (rc == ESOCK_SELECT && now_ms() < end) {
        ssize_t r;
        while ((r = recv(fd, sink, sizeof sink, MSG_DONTWAIT)) > 0)
            got += (size_t)r;
        rc = esock_inet_send_ex(a, chunk, sizeof chunk, ESOCK_NOWAIT);
        if (rc == ESOCK_SELECT)
            msleep(1);
    }
    assert_int_equal(rc, 0);
    sent += sizeof chunk;
    while (got < sent && now_ms() < end) {
        ssize_t r = recv(fd, sink, sizeof sink, MSG_DONTWAIT);
        if (r > 0)
            got += (size_t)r;
        else
            assert_int_equal(esock_inet_flush(a), 0); /* the rest of the queue */
    }
    assert_int_equal(got, sent);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
}

/* high_watermark 0 (OTP accepts it): any queued byte is busy until the
 * queue is written; an empty queue is not busy. */
static void high_watermark_zero(void **st)
{
    (void)st;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(o, NOPTS(o), ESOCK_INET_NO_OWNER, &l, &a);
    esock_inet_opt_t hw = OPT(HIGH_WATERMARK, 0);
    assert_int_equal(esock_inet_setopts(a, &hw, 1), 0);
    esock_inet_info_t info;
    assert_int_equal(esock_inet_info(a, &info), 0);
    assert_false(info.states & ESOCK_INET_ST_BUSY);
    for (int i = 0; i < 3; i++)
        assert_int_equal(esock_inet_send_ex(a, "abc", 3, 500), 0);
    char b[9];
    rd(fd, b, sizeof b);
    assert_memory_equal(b, "abcabcabc", 9);
    assert_int_equal(esock_inet_info(a, &info), 0);
    assert_false(info.states & ESOCK_INET_ST_BUSY);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
}

const struct CMUnitTest inet_tests_send[] = {
    cmocka_unit_test_teardown(busy_sender_blocks_until_drained, inet_teardown),
    cmocka_unit_test_teardown(watermarks_hold_back_fast_sender, inet_teardown),
    cmocka_unit_test_teardown(send_timeout_then_close, inet_teardown),
    cmocka_unit_test_teardown(send_timeout_close_active, inet_teardown),
    cmocka_unit_test_teardown(send_timeout_keeps_socket, inet_teardown),
    cmocka_unit_test_teardown(send_timeout_rounds, inet_teardown),
    cmocka_unit_test_teardown(send_timeout_two_senders_keep, inet_teardown),
    cmocka_unit_test_teardown(send_timeout_two_senders_close, inet_teardown),
    cmocka_unit_test_teardown(delay_send_coalesces, inet_teardown),
    cmocka_unit_test_teardown(delay_send_coalesces_big_sends, inet_teardown),
    cmocka_unit_test_teardown(delay_send_written_when_owner_thread_exits, inet_teardown),
    cmocka_unit_test_teardown(lone_chunks_kept_per_thread, inet_teardown),
    cmocka_unit_test_teardown(getstat_known_traffic, inet_teardown),
    cmocka_unit_test_teardown(shutdown_write_after_queue, inet_teardown),
    cmocka_unit_test_teardown(shutdown_both_after_queue, inet_teardown),
    cmocka_unit_test_teardown(passive_recv_writes_queued_output, inet_teardown),
    cmocka_unit_test_teardown(blocked_reader_writes_later_send, inet_teardown),
    cmocka_unit_test_teardown(blocked_reader_writes_delay_send, inet_teardown),
    cmocka_unit_test_teardown(call_timeout_keeps_socket_with_send_timeout_close, inet_teardown),
    cmocka_unit_test_teardown(nowait_send_without_owner_moves_queue, inet_teardown),
    cmocka_unit_test_teardown(high_watermark_zero, inet_teardown),
};
const size_t inet_ntests_send = NOPTS(inet_tests_send);
