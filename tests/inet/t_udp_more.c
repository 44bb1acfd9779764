/* gen_udp active modes and read_packets, packet on UDP, getstat on UDP,
 * 64-bit octet counters, local stream sockets, closed UDP handles,
 * esock_inet_recv on UDP, connected UDP sockets, a local datagram
 * sender facing a full receiver.
 * Expected values were checked against Erlang/OTP 25 (inet driver). */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "helpers.h"
#include "inet/inet_int.h"

/* Under ESOCK_FAULTS (inet_faults / inet_eintr) reads may fail with an
 * injected EAGAIN, which ends a readiness round early. */
static bool faults_on(void)
{
    const char *f = getenv("ESOCK_FAULTS");
    return f && *f;
}

static esock_inet_t udp_lo(const esock_inet_opt_t *o, size_t n, esock_mbox_t owner, uint16_t *port)
{
    esock_sockaddr_t a = lo4(0);
    esock_inet_t u;
    assert_int_equal(esock_inet_udp_open(&u, &a, o, n, owner), 0);
    assert_int_equal(esock_inet_port(u, port), 0);
    return u;
}

/* A passive UDP socket on 127.0.0.1 without an owner. */
static esock_inet_t udp_no_owner(uint16_t *port)
{
    const esock_inet_opt_t po[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
    return udp_lo(po, NOPTS(po), ESOCK_INET_NO_OWNER, port);
}

static void send_to(esock_inet_t from, uint16_t port, const void *d, size_t len)
{
    esock_sockaddr_t to = lo4(port);
    assert_int_equal(esock_inet_sendto(from, &to, d, len), 0);
}

static void assert_from_lo(const esock_sockaddr_t *sa, uint16_t port)
{
    assert_int_equal(sa->family, ESOCK_FAMILY_INET);
    const uint8_t lo[4] = {127, 0, 0, 1};
    assert_memory_equal(sa->u.in.addr, lo, 4);
    assert_int_equal(sa->u.in.port, port);
}

static int64_t get_active(esock_inet_t s)
{
    esock_inet_opt_t g = {.name = ESOCK_IOPT_ACTIVE};
    size_t n = 0;
    assert_int_equal(esock_inet_getopts(s, &g, 1, &n), 0);
    assert_int_equal(n, 1);
    return g.v.i;
}

static void expect_dgram(esock_mbox_t mb, esock_inet_t s, const char *data, size_t len, uint16_t from_port)
{
    esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_DATA);
    assert_int_equal(m->sock.id, s.id);
    assert_true(m->udp);
    assert_int_equal(m->len, len);
    if (len)
        assert_memory_equal(m->data, data, len);
    assert_from_lo(&m->from, from_port);
    esock_inet_msg_free(m);
}

/* The passive counterpart: the next datagram by esock_inet_recvfrom. */
static void recv_dgram(esock_inet_t s, const char *data, size_t len, uint16_t from_port)
{
    char b[64];
    size_t got = 0;
    esock_sockaddr_t from;
    assert_true(len <= sizeof b);
    assert_int_equal(esock_inet_recvfrom(s, b, sizeof b, &got, &from, NULL, NULL, 1000), 0);
    assert_int_equal(got, len);
    assert_memory_equal(b, data, len);
    assert_from_lo(&from, from_port);
}

/* 1. {active, once} and {active, N}: one datagram per message with the
 * source address and port; passive after N (not after once); a passive
 * recv that times out keeps the next datagram whole. */
static void udp_active_once_n_and_timeout(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t po[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(MODE, 1)};
    uint16_t pu, pv;
    esock_inet_t u = udp_lo(po, NOPTS(po), mb, &pu);
    esock_inet_t v = udp_no_owner(&pv);

    /* once: two queued, one delivered, no passive message */
    send_to(v, pu, "once-1", 6);
    send_to(v, pu, "once-22", 7);
    expect_none(mb, 30); /* passive: nothing is read */
    esock_inet_opt_t once = OPT(ACTIVE, ESOCK_INET_ACTIVE_ONCE);
    assert_int_equal(esock_inet_setopts(u, &once, 1), 0);
    expect_dgram(mb, u, "once-1", 6, pv);
    expect_none(mb, 50);
    assert_int_equal(get_active(u), ESOCK_INET_ACTIVE_FALSE);
    assert_int_equal(esock_inet_setopts(u, &once, 1), 0);
    expect_dgram(mb, u, "once-22", 7, pv);
    expect_none(mb, 50);

    /* {active, 3} with four queued (one of them empty): three, then
     * udp_passive, and the fourth stays for a passive recv */
    send_to(v, pu, "n-a", 3);
    send_to(v, pu, "", 0);
    send_to(v, pu, "n-ccc", 5);
    send_to(v, pu, "n-dddd", 6);
    esock_inet_opt_t three = OPT(ACTIVE, 3);
    assert_int_equal(esock_inet_setopts(u, &three, 1), 0);
    expect_dgram(mb, u, "n-a", 3, pv);
    expect_dgram(mb, u, "", 0, pv);
    expect_dgram(mb, u, "n-ccc", 5, pv);
    esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_PASSIVE);
    assert_true(m->udp);
    assert_int_equal(m->sock.id, u.id);
    esock_inet_msg_free(m);
    expect_none(mb, 50);
    assert_int_equal(get_active(u), ESOCK_INET_ACTIVE_FALSE);
    recv_dgram(u, "n-dddd", 6, pv);
    char b[64];
    size_t got = 0;
    esock_sockaddr_t from;

    /* passive recv with a timeout: timeout, then the next datagram whole */
    int64_t t0 = now_ms();
    assert_int_equal(esock_inet_recvfrom(u, b, sizeof b, &got, &from, NULL, NULL, 60), ESOCK_ETIMEOUT);
    int64_t el = now_ms() - t0;
    assert_true(el >= 50 && el < 2000);
    static const char whole[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    send_to(v, pu, whole, sizeof whole - 1);
    recv_dgram(u, whole, sizeof whole - 1, pv);
    /* a zero timeout on an empty socket is a timeout too */
    assert_int_equal(esock_inet_recvfrom(u, b, sizeof b, &got, NULL, NULL, NULL, 0), ESOCK_ETIMEOUT);

    /* passive recv on an active UDP socket: einval (OTP: {error, einval}) */
    esock_inet_opt_t tr = OPT(ACTIVE, ESOCK_INET_ACTIVE_TRUE);
    assert_int_equal(esock_inet_setopts(u, &tr, 1), 0);
    assert_int_equal(esock_inet_recvfrom(u, b, sizeof b, &got, NULL, NULL, NULL, 10), -EINVAL);

    esock_inet_close(u);
    esock_inet_close(v);
    tm_free(mb);
}

/* 2. read_packets K: at most K datagrams are read per readiness (the rest
 * wait for the next notification), and every datagram is delivered. */
static void udp_read_packets_bound(void **st)
{
    (void)st;
    static const int ks[] = {1, 3};
    for (size_t t = 0; t < NOPTS(ks); t++) {
        int k = ks[t];
        esock_mbox_t mb = tm_new();
        const esock_inet_opt_t po[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
        uint16_t pu, pv;
        esock_inet_t u = udp_lo(po, NOPTS(po), mb, &pu);
        esock_inet_t v = udp_no_owner(&pv);
        esock_inet_opt_t g = {.name = ESOCK_IOPT_READ_PACKETS};
        size_t n = 0;
        assert_int_equal(esock_inet_getopts(u, &g, 1, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(g.v.i, 5); /* the default, as OTP */
        esock_inet_opt_t bad = OPT(READ_PACKETS, 0);
        assert_int_equal(esock_inet_setopts(u, &bad, 1), ESOCK_EINVAL_VALUE); /* OTP: einval */
        esock_inet_opt_t rp = OPT(READ_PACKETS, k);
        assert_int_equal(esock_inet_setopts(u, &rp, 1), 0);

        enum { N = 8 };
        char d[N][16];
        for (int i = 0; i < N; i++) {
            int len = snprintf(d[i], sizeof d[i], "dgram-%d-%d", k, i);
            send_to(v, pu, d[i], (size_t)len); /* loopback: queued at the receiver on return */
        }
        esock_inet_opt_t on = OPT(ACTIVE, ESOCK_INET_ACTIVE_TRUE);
        assert_int_equal(esock_inet_setopts(u, &on, 1), 0);
        int left_in_round = 0; /* messages of the current readiness still queued */
        for (int i = 0; i < N; i++) {
            expect_dgram(mb, u, d[i], strlen(d[i]), pv);
            int q = esock_mbox_len(mb);
            assert_true(q >= 0);
            /* one readiness read at most k: never more than k - 1 behind the one taken */
            assert_true(q <= k - 1);
            if (left_in_round == 0) { /* this message started a new round */
                int expect_q = (N - i) < k ? (N - i) - 1 : k - 1;
                if (!faults_on())
                    assert_int_equal(q, expect_q);
                left_in_round = q;
            } else {
                assert_int_equal(q, left_in_round - 1);
                left_in_round = q;
            }
        }
        expect_none(mb, 30);
        esock_inet_stat_t key = ESOCK_STAT_RECV_CNT;
        uint64_t cnt = 0;
        assert_int_equal(esock_inet_getstat(u, &key, 1, &cnt), 0);
        assert_int_equal(cnt, N);
        esock_inet_close(u);
        esock_inet_close(v);
        tm_free(mb);
    }
}

/* 3. packet on UDP. OTP 25: gen_udp:open(0, [{packet,4}]) is badarg, but
 * setopts takes it, getopts reports it and datagrams are neither framed
 * nor stripped. esock accepts it at open too (docs say nothing) and
 * ignores it the same way. */
static void udp_packet_option_ignored(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t po[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(PACKET, ESOCK_INET_PACKET_4)};
    uint16_t pu;
    esock_inet_t u = udp_lo(po, NOPTS(po), mb, &pu);
    esock_inet_opt_t g = {.name = ESOCK_IOPT_PACKET};
    size_t n = 0;
    assert_int_equal(esock_inet_getopts(u, &g, 1, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(g.v.i, ESOCK_INET_PACKET_4);

    /* a plain UDP peer */
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_in me = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&me, sizeof me), 0);
    socklen_t ml = sizeof me;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&me, &ml), 0);
    uint16_t pf = ntohs(me.sin_port);
    struct sockaddr_in tu = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = htons(pu)};

    /* receive: the bytes as sent, no 4-byte header taken off (passive) */
    assert_int_equal(sendto(fd, "abcdefgh", 8, 0, (struct sockaddr *)&tu, sizeof tu), 8);
    recv_dgram(u, "abcdefgh", 8, pf);

    /* send: no header added */
    esock_sockaddr_t tf = lo4(pf);
    assert_int_equal(esock_inet_sendto(u, &tf, "xyz", 3), 0);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    assert_int_equal(poll(&p, 1, 2000), 1);
    char b[32];
    ssize_t r = recv(fd, b, sizeof b, 0);
    assert_int_equal(r, 3);
    assert_memory_equal(b, "xyz", 3);

    /* active, and another type set later: still one datagram as sent */
    const esock_inet_opt_t so[] = {OPTI(PACKET, ESOCK_INET_PACKET_LINE), OPTI(ACTIVE, ESOCK_INET_ACTIVE_ONCE)};
    assert_int_equal(esock_inet_setopts(u, so, NOPTS(so)), 0);
    assert_int_equal(sendto(fd, "a\nb\nc", 5, 0, (struct sockaddr *)&tu, sizeof tu), 5);
    esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_DATA);
    assert_true(m->udp);
    assert_int_equal(m->ptype, ESOCK_INET_PACKET_RAW); /* nothing framed it */
    assert_int_equal(m->len, 5);
    assert_memory_equal(m->data, "a\nb\nc", 5);
    assert_from_lo(&m->from, pf);
    esock_inet_msg_free(m);
    expect_none(mb, 30);

    /* the counters see datagram bytes (OTP: recv_oct 8 + 5, send_oct 3) */
    uint64_t v[ESOCK_STAT_COUNT_];
    assert_int_equal(esock_inet_getstat(u, NULL, 0, v), 0);
    assert_int_equal(v[ESOCK_STAT_RECV_OCT], 13);
    assert_int_equal(v[ESOCK_STAT_RECV_CNT], 2);
    assert_int_equal(v[ESOCK_STAT_SEND_OCT], 3);
    assert_int_equal(v[ESOCK_STAT_SEND_CNT], 1);
    close(fd);
    esock_inet_close(u);
    tm_free(mb);
}

/* 4. getstat on UDP, per datagram as the inet driver counts. OTP 25 with
 * {buffer, 50} and datagrams of 10, 0, 100, 30 bytes: received sizes 10,
 * 0, 50, 30; receiver recv_oct 90, recv_cnt 4, recv_max 50, recv_avg 22,
 * recv_dvi 8; sender send_oct 140, send_cnt 4, send_max 100, send_avg 35.
 * The same whether the receiver is passive or active. */
static void udp_getstat_counts(void **st)
{
    (void)st;
    for (int active = 0; active < 2; active++) {
        esock_mbox_t mb = tm_new();
        const esock_inet_opt_t ro[] = {OPTI(ACTIVE, active ? ESOCK_INET_ACTIVE_TRUE : ESOCK_INET_ACTIVE_FALSE),
                                       OPTI(BUFFER, 50)};
        const esock_inet_opt_t so[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
        uint16_t pu, pv;
        esock_inet_t u = udp_lo(ro, NOPTS(ro), mb, &pu);
        esock_inet_t v = udp_lo(so, NOPTS(so), ESOCK_INET_NO_OWNER, &pv);
        static const size_t sizes[] = {10, 0, 100, 30};
        static const size_t want[] = {10, 0, 50, 30};
        uint8_t data[100];
        for (size_t i = 0; i < sizeof data; i++)
            data[i] = (uint8_t)('a' + i % 26);
        for (size_t i = 0; i < NOPTS(sizes); i++)
            send_to(v, pu, data, sizes[i]);
        for (size_t i = 0; i < NOPTS(sizes); i++) {
            if (active) {
                esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_DATA);
                assert_int_equal(m->len, want[i]);
                if (want[i])
                    assert_memory_equal(m->data, data, want[i]);
                esock_inet_msg_free(m);
            } else {
                uint8_t b[200];
                size_t got = 99;
                assert_int_equal(esock_inet_recvfrom(u, b, sizeof b, &got, NULL, NULL, NULL, 1000), 0);
                assert_int_equal(got, want[i]);
                if (want[i])
                    assert_memory_equal(b, data, want[i]);
            }
        }
        uint64_t r[ESOCK_STAT_COUNT_], s[ESOCK_STAT_COUNT_];
        assert_int_equal(esock_inet_getstat(u, NULL, 0, r), 0);
        assert_int_equal(esock_inet_getstat(v, NULL, 0, s), 0);
        const uint64_t ru[ESOCK_STAT_COUNT_] = {90, 4, 50, 22, 8, 0, 0, 0, 0, 0};
        const uint64_t sv[ESOCK_STAT_COUNT_] = {0, 0, 0, 0, 0, 140, 4, 100, 35, 0};
        for (int k = 0; k < ESOCK_STAT_COUNT_; k++) {
            if (r[k] != ru[k] || s[k] != sv[k])
                print_error("active=%d %s: receiver %llu (want %llu), sender %llu (want %llu)\n", active,
                            esock_inet_statname((esock_inet_stat_t)k), (unsigned long long)r[k],
                            (unsigned long long)ru[k], (unsigned long long)s[k], (unsigned long long)sv[k]);
            assert_int_equal(r[k], ru[k]);
            assert_int_equal(s[k], sv[k]);
        }
        /* selected keys, in the caller's order */
        esock_inet_stat_t keys[] = {ESOCK_STAT_SEND_CNT, ESOCK_STAT_RECV_MAX, ESOCK_STAT_RECV_OCT};
        uint64_t kv[3];
        assert_int_equal(esock_inet_getstat(u, keys, 3, kv), 0);
        assert_int_equal(kv[0], 0);
        assert_int_equal(kv[1], 50);
        assert_int_equal(kv[2], 90);
        esock_inet_close(u);
        esock_inet_close(v);
        tm_free(mb);
    }
}

/* Sets a socket's octet counters through the internal record. */
static void set_octets(esock_inet_t h, uint64_t recv_oct, uint64_t send_oct)
{
    esock__isock_t *s = esock__inet_pin(h);
    assert_non_null(s);
    pthread_mutex_lock(&s->mu);
    s->recv_oct = recv_oct;
    s->send_oct = send_oct;
    pthread_mutex_unlock(&s->mu);
    esock__inet_unpin(s);
}

#define TWO32 ((uint64_t)1 << 32)

/* 5. The octet counters are 64-bit (OTP's wrapping_oct: they keep counting
 * past 4 GiB), over UDP and TCP, in getstat, info and the i() listing. */
static void counters_past_2_32(void **st)
{
    (void)st;
    /* UDP */
    uint16_t pu, pv;
    esock_inet_t u = udp_no_owner(&pu);
    esock_inet_t v = udp_no_owner(&pv);
    set_octets(u, TWO32 - 4, 0);
    set_octets(v, 0, TWO32 - 4);
    for (int i = 0; i < 2; i++) {
        send_to(v, pu, "0123456789", 10);
        char b[16];
        size_t got;
        assert_int_equal(esock_inet_recvfrom(u, b, sizeof b, &got, NULL, NULL, NULL, 1000), 0);
        assert_int_equal(got, 10);
    }
    esock_inet_stat_t kr = ESOCK_STAT_RECV_OCT, ks = ESOCK_STAT_SEND_OCT;
    uint64_t val = 0;
    assert_int_equal(esock_inet_getstat(u, &kr, 1, &val), 0);
    assert_int_equal(val, TWO32 + 16);
    assert_int_equal(esock_inet_getstat(v, &ks, 1, &val), 0);
    assert_int_equal(val, TWO32 + 16);

    /* TCP, both directions, with a {packet,2} header counted */
    const esock_inet_opt_t to[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(PACKET, ESOCK_INET_PACKET_2)};
    esock_inet_t l, a;
    int fd = inet_peer_pair(to, NOPTS(to), ESOCK_INET_NO_OWNER, &l, &a);
    set_octets(a, UINT32_MAX, UINT32_MAX - 1);
    wr(fd, "\0\5hello", 7);
    char b[16];
    size_t got;
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 1000), 0);
    assert_int_equal(got, 5);
    assert_int_equal(esock_inet_send(a, "abc", 3), 0);
    rd(fd, b, 5);
    assert_memory_equal(b, "\0\3abc", 5);
    uint64_t all[ESOCK_STAT_COUNT_];
    assert_int_equal(esock_inet_getstat(a, NULL, 0, all), 0);
    assert_int_equal(all[ESOCK_STAT_RECV_OCT], (uint64_t)UINT32_MAX + 7);
    assert_int_equal(all[ESOCK_STAT_SEND_OCT], (uint64_t)UINT32_MAX - 1 + 5);
    assert_int_equal(all[ESOCK_STAT_RECV_CNT], 1);
    assert_int_equal(all[ESOCK_STAT_SEND_CNT], 1);
    esock_inet_info_t info;
    assert_int_equal(esock_inet_info(a, &info), 0);
    assert_int_equal(info.counters[ESOCK_STAT_RECV_OCT], (uint64_t)UINT32_MAX + 7);
    /* i(): Recv and Sent print the full values */
    esock_inet_icol_t cols[] = {ESOCK_ICOL_PORT, ESOCK_ICOL_RECV, ESOCK_ICOL_SENT};
    char *txt = i_listing(ESOCK_INET_I_ALL, cols, NOPTS(cols), true, NULL);
    char want[64];
    snprintf(want, sizeof want, "%llu ", (unsigned long long)UINT32_MAX + 7);
    assert_non_null(strstr(txt, want));
    snprintf(want, sizeof want, "%llu ", (unsigned long long)TWO32 + 16);
    assert_non_null(strstr(txt, want));
    free(txt);
    close(fd);
    esock_inet_close(a);
    esock_inet_close(l);
    esock_inet_close(u);
    esock_inet_close(v);
}

/* ---- local (AF_UNIX) stream sockets ---- */

static char tmpdir[64];
static char sockpath[96];

static int local_teardown(void **state)
{
    if (sockpath[0])
        unlink(sockpath);
    if (tmpdir[0])
        rmdir(tmpdir);
    sockpath[0] = tmpdir[0] = 0;
    return inet_teardown(state);
}

static esock_sockaddr_t local_addr(const char *p, size_t len)
{
    esock_sockaddr_t sa;
    memset(&sa, 0, sizeof sa);
    assert_int_equal(esock_sockaddr_local(&sa, p, len), 0);
    return sa;
}

static void assert_local_name(const esock_sockaddr_t *sa, const char *p, size_t len)
{
    assert_int_equal(sa->family, ESOCK_FAMILY_LOCAL);
    assert_int_equal(sa->u.local.len, len);
    if (len)
        assert_memory_equal(sa->u.local.path, p, len);
}

/* 6. A local stream socket on a path name in a fresh directory: {packet,2}
 * both ways (checked on the wire), {active, once}, the names (OTP 25: the
 * listener and the accepted socket report the path, the client's own name
 * and the accepted socket's peer are unnamed), closed reported to an
 * active owner, and the socket file, which close leaves behind as OTP does
 * (listening there again is eaddrinuse until it is removed). */
static void local_stream_path(void **st)
{
    (void)st;
    strcpy(tmpdir, "/tmp/esock-udpmore-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    snprintf(sockpath, sizeof sockpath, "%s/s", tmpdir);
    size_t plen = strlen(sockpath);
    esock_sockaddr_t sa = local_addr(sockpath, plen);
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t lo[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(PACKET, ESOCK_INET_PACKET_2)};
    esock_inet_t l, c, a;
    assert_int_equal(esock_inet_listen(&l, &sa, 4, lo, NOPTS(lo), ESOCK_INET_NO_OWNER), 0);
    struct stat stt;
    assert_int_equal(stat(sockpath, &stt), 0);
    assert_true(S_ISSOCK(stt.st_mode));
    const esock_inet_opt_t co[] = {OPTI(PACKET, ESOCK_INET_PACKET_2), OPTI(ACTIVE, ESOCK_INET_ACTIVE_ONCE)};
    assert_int_equal(esock_inet_connect(&c, &sa, co, NOPTS(co), mb, 1000), 0);
    assert_int_equal(esock_inet_accept(l, &a, ESOCK_INET_NO_OWNER, 1000), 0);

    esock_sockaddr_t n;
    assert_int_equal(esock_inet_sockname(l, &n), 0);
    assert_local_name(&n, sockpath, plen);
    assert_int_equal(esock_inet_sockname(a, &n), 0);
    assert_local_name(&n, sockpath, plen);
    assert_int_equal(esock_inet_peername(a, &n), 0);
    assert_local_name(&n, "", 0);
    assert_int_equal(esock_inet_sockname(c, &n), 0);
    assert_local_name(&n, "", 0);
    assert_int_equal(esock_inet_peername(c, &n), 0);
    assert_local_name(&n, sockpath, plen);
    esock_inet_info_t info;
    assert_int_equal(esock_inet_info(c, &info), 0);
    assert_int_equal(info.family, AF_UNIX);
    assert_int_equal(info.proto, ESOCK_INET_TCP);

    /* {active, once}: one packet, no passive message, then false */
    assert_int_equal(esock_inet_send(a, "hello", 5), 0);
    assert_int_equal(esock_inet_send(a, "world!", 6), 0);
    esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_DATA);
    assert_false(m->udp);
    assert_int_equal(m->sock.id, c.id);
    assert_int_equal(m->len, 5);
    assert_memory_equal(m->data, "hello", 5);
    esock_inet_msg_free(m);
    expect_none(mb, 50);
    assert_int_equal(get_active(c), ESOCK_INET_ACTIVE_FALSE);
    esock_inet_opt_t once = OPT(ACTIVE, ESOCK_INET_ACTIVE_ONCE);
    assert_int_equal(esock_inet_setopts(c, &once, 1), 0);
    m = expect_msg(mb, ESOCK_INET_MSG_DATA);
    assert_int_equal(m->len, 6);
    assert_memory_equal(m->data, "world!", 6);
    esock_inet_msg_free(m);
    expect_none(mb, 30);

    /* client to server, passive */
    assert_int_equal(esock_inet_send(c, "ping", 4), 0);
    char b[16];
    size_t got = 0;
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 1000), 0);
    assert_int_equal(got, 4);
    assert_memory_equal(b, "ping", 4);

    /* the 2-byte header on the wire, with a plain unix client */
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    memcpy(un.sun_path, sockpath, plen + 1);
    assert_int_equal(connect(fd, (struct sockaddr *)&un, sizeof un), 0);
    esock_inet_t a2;
    assert_int_equal(esock_inet_accept(l, &a2, ESOCK_INET_NO_OWNER, 1000), 0);
    wr(fd, "\0\3abc", 5);
    assert_int_equal(esock_inet_recv(a2, b, sizeof b, 0, &got, 1000), 0);
    assert_int_equal(got, 3);
    assert_memory_equal(b, "abc", 3);
    assert_int_equal(esock_inet_send(a2, "xy", 2), 0);
    rd(fd, b, 4);
    assert_memory_equal(b, "\0\2xy", 4);
    uint64_t v[ESOCK_STAT_COUNT_];
    assert_int_equal(esock_inet_getstat(a2, NULL, 0, v), 0);
    assert_int_equal(v[ESOCK_STAT_RECV_OCT], 5);
    assert_int_equal(v[ESOCK_STAT_SEND_OCT], 4);
    close(fd);
    esock_inet_close(a2);

    /* the server closes: the active client gets closed */
    assert_int_equal(esock_inet_setopts(c, &once, 1), 0);
    esock_inet_close(a);
    m = expect_msg(mb, ESOCK_INET_MSG_CLOSED);
    assert_int_equal(m->sock.id, c.id);
    esock_inet_msg_free(m);
    expect_none(mb, 30);
    esock_inet_close(c);

    /* close leaves the file (as OTP); the path is taken until removed */
    assert_int_equal(esock_inet_close(l), 0);
    assert_int_equal(stat(sockpath, &stt), 0);
    assert_true(S_ISSOCK(stt.st_mode));
    assert_int_equal(esock_inet_listen(&l, &sa, 4, NULL, 0, ESOCK_INET_NO_OWNER), -EADDRINUSE);
    assert_int_equal(unlink(sockpath), 0);
    assert_int_equal(esock_inet_listen(&l, &sa, 4, NULL, 0, ESOCK_INET_NO_OWNER), 0);
    esock_inet_close(l);
    assert_int_equal(unlink(sockpath), 0);
    sockpath[0] = 0;
    assert_int_equal(rmdir(tmpdir), 0);
    tmpdir[0] = 0;
    tm_free(mb);
}

/* 6b. An abstract name (Linux): reported back byte for byte, leading NUL
 * included (OTP: {local, <<0, ...>>}), and no file anywhere. */
static void local_stream_abstract(void **st)
{
    (void)st;
    char name[64];
    int len = snprintf(name, sizeof name, "%cesock-udpmore-%d", 0, (int)getpid());
    esock_sockaddr_t sa = local_addr(name, (size_t)len);
    assert_int_equal(sa.u.local.len, (size_t)len);
    esock_inet_t l, c, a;
    const esock_inet_opt_t o[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE), OPTI(PACKET, ESOCK_INET_PACKET_2)};
    assert_int_equal(esock_inet_listen(&l, &sa, 4, o, NOPTS(o), ESOCK_INET_NO_OWNER), 0);
    assert_int_equal(esock_inet_connect(&c, &sa, o, NOPTS(o), ESOCK_INET_NO_OWNER, 1000), 0);
    assert_int_equal(esock_inet_accept(l, &a, ESOCK_INET_NO_OWNER, 1000), 0);
    esock_sockaddr_t n;
    assert_int_equal(esock_inet_sockname(l, &n), 0);
    assert_local_name(&n, name, (size_t)len);
    assert_int_equal(esock_inet_peername(c, &n), 0);
    assert_local_name(&n, name, (size_t)len);
    assert_int_equal(esock_inet_send(c, "abs", 3), 0);
    char b[8];
    size_t got = 0;
    assert_int_equal(esock_inet_recv(a, b, sizeof b, 0, &got, 1000), 0);
    assert_int_equal(got, 3);
    assert_memory_equal(b, "abs", 3);
    /* i(): the name as esock_sockaddr_format shows it, NUL as '@' */
    esock_inet_icol_t cols[] = {ESOCK_ICOL_PORT, ESOCK_ICOL_LOCAL_ADDRESS};
    int rows;
    char *txt = i_listing(ESOCK_INET_I_ALL, cols, NOPTS(cols), true, &rows);
    assert_true(rows >= 3);
    char want[80];
    snprintf(want, sizeof want, "local:@%s", name + 1);
    assert_non_null(strstr(txt, want));
    free(txt);
    /* a second listener on the same name while the first is open */
    esock_inet_t l2;
    assert_int_equal(esock_inet_listen(&l2, &sa, 4, NULL, 0, ESOCK_INET_NO_OWNER), -EADDRINUSE);
    esock_inet_close(c);
    esock_inet_close(a);
    esock_inet_close(l);
    /* an abstract name goes with its socket: free again at once */
    assert_int_equal(esock_inet_listen(&l2, &sa, 4, NULL, 0, ESOCK_INET_NO_OWNER), 0);
    esock_inet_close(l2);
}

/* 7. A closed UDP socket: every call on the handle is ESOCK_ECLOSED
 * (docs: a closed or stale handle), the owner gets no message for a local
 * close (OTP sends none for gen_udp:close), monitors get DOWN, a recv
 * blocked in another thread wakes with ESOCK_ECLOSED, and a new socket
 * in the freed slot is not reachable through the old handle. */
typedef struct {
    esock_inet_t u;
    int rc;
    int64_t took;
} blocked_t;

static void *blocked_recv(void *arg)
{
    blocked_t *b = arg;
    char buf[16];
    size_t got;
    int64_t t0 = now_ms();
    b->rc = esock_inet_recvfrom(b->u, buf, sizeof buf, &got, NULL, NULL, NULL, 3000);
    b->took = now_ms() - t0;
    return NULL;
}

static void udp_closed_handle(void **st)
{
    (void)st;
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t po[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
    uint16_t pu, pv;
    esock_inet_t u = udp_lo(po, NOPTS(po), mb, &pu);
    esock_inet_t v = udp_no_owner(&pv);
    uint64_t mref = 0;
    assert_int_equal(esock_inet_monitor(u, mb, &mref), 0);

    /* a recv blocked in another thread is woken by close */
    blocked_t bl = {.u = u, .rc = 1};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, blocked_recv, &bl), 0);
    msleep(50);
    assert_int_equal(esock_inet_close(u), 0);
    pthread_join(th, NULL);
    assert_int_equal(bl.rc, ESOCK_ECLOSED);
    assert_true(bl.took < 2000);

    esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_DOWN);
    assert_int_equal(m->mref, mref);
    assert_int_equal(m->error, 0);
    esock_inet_msg_free(m);
    expect_none(mb, 30); /* no closed message for a local close */

    char b[8];
    size_t got, n;
    esock_sockaddr_t to = lo4(pv), sa;
    esock_inet_opt_t o = OPT(ACTIVE, ESOCK_INET_ACTIVE_ONCE);
    esock_inet_opt_t g = {.name = ESOCK_IOPT_ACTIVE};
    uint64_t vals[ESOCK_STAT_COUNT_];
    esock_inet_info_t info;
    uint16_t port;
    assert_int_equal(esock_inet_sendto(u, &to, "x", 1), ESOCK_ECLOSED);
    assert_int_equal(esock_inet_recvfrom(u, b, sizeof b, &got, NULL, NULL, NULL, 0), ESOCK_ECLOSED);
    assert_int_equal(esock_inet_recvfrom(u, b, sizeof b, &got, NULL, NULL, NULL, 100), ESOCK_ECLOSED);
    assert_int_equal(esock_inet_getopts(u, &g, 1, &n), ESOCK_ECLOSED);
    assert_int_equal(esock_inet_setopts(u, &o, 1), ESOCK_ECLOSED);
    assert_int_equal(esock_inet_getstat(u, NULL, 0, vals), ESOCK_ECLOSED);
    assert_int_equal(esock_inet_controlling_process(u, mb), ESOCK_ECLOSED);
    assert_int_equal(esock_inet_port(u, &port), ESOCK_ECLOSED);
    assert_int_equal(esock_inet_sockname(u, &sa), ESOCK_ECLOSED);
    assert_int_equal(esock_inet_info(u, &info), ESOCK_ECLOSED);
    assert_int_equal(esock_inet_fd(u), ESOCK_ECLOSED);
    assert_int_equal(esock_inet_close(u), ESOCK_ECLOSED);
    assert_string_equal(esock_errname(ESOCK_ECLOSED), "closed");
    /* a monitor on the closed socket fires at once, "nosock" */
    assert_int_equal(esock_inet_monitor(u, mb, &mref), 0);
    m = expect_msg(mb, ESOCK_INET_MSG_DOWN);
    assert_int_equal(m->mref, mref);
    assert_int_equal(m->error, -ENOENT);
    esock_inet_msg_free(m);

    /* a new socket (perhaps in the same slot) is not the old handle */
    uint16_t pw;
    esock_inet_t w = udp_no_owner(&pw);
    assert_true(w.id != u.id);
    assert_int_equal(esock_inet_sendto(u, &to, "x", 1), ESOCK_ECLOSED);
    assert_int_equal(esock_inet_getstat(u, NULL, 0, vals), ESOCK_ECLOSED);
    assert_int_equal(esock_inet_getstat(w, NULL, 0, vals), 0);
    assert_int_equal(vals[ESOCK_STAT_SEND_CNT], 0);
    esock_inet_close(w);
    esock_inet_close(v);
    tm_free(mb);
}

/* 8. gen_tcp:recv on a UDP socket reads a datagram, as inet_udp:recv does
 * (OTP 25 checked: gen_tcp:recv(U, 0) and gen_tcp:recv(U, 2) each gave a
 * whole 5-byte datagram): the length is ignored, the sender dropped. */
static void udp_recv_without_sender(void **st)
{
    (void)st;
    uint16_t pu, pv;
    esock_inet_t u = udp_no_owner(&pu);
    esock_inet_t v = udp_no_owner(&pv);
    char b[16];
    size_t got = 99;
    assert_int_equal(esock_inet_recv(u, b, sizeof b, 0, &got, 30), ESOCK_ETIMEOUT);
    assert_int_equal(got, 0);
    send_to(v, pu, "hello", 5);
    assert_int_equal(esock_inet_recv(u, b, sizeof b, 0, &got, 1000), 0);
    assert_int_equal(got, 5);
    assert_memory_equal(b, "hello", 5);
    send_to(v, pu, "world", 5);
    assert_int_equal(esock_inet_recv(u, b, sizeof b, 2, &got, 1000), 0);
    assert_int_equal(got, 5);
    assert_memory_equal(b, "world", 5);
    /* cut to the caller's room, the rest of the datagram discarded, as
     * esock_inet_recvfrom does; the next datagram comes whole */
    send_to(v, pu, "abcdef", 6);
    send_to(v, pu, "gh", 2);
    assert_int_equal(esock_inet_recv(u, b, 3, 0, &got, 1000), 0);
    assert_int_equal(got, 3);
    assert_memory_equal(b, "abc", 3);
    recv_dgram(u, "gh", 2, pv);
    uint64_t vals[ESOCK_STAT_COUNT_];
    assert_int_equal(esock_inet_getstat(u, NULL, 0, vals), 0);
    assert_int_equal(vals[ESOCK_STAT_RECV_CNT], 4);
    assert_int_equal(vals[ESOCK_STAT_RECV_OCT], 5 + 5 + 3 + 2);
    /* an active UDP socket's datagrams go to its owner */
    esock_mbox_t mb = tm_new();
    esock_inet_opt_t a = OPT(ACTIVE, ESOCK_INET_ACTIVE_TRUE);
    assert_int_equal(esock_inet_controlling_process(u, mb), 0);
    assert_int_equal(esock_inet_setopts(u, &a, 1), 0);
    assert_int_equal(esock_inet_recv(u, b, sizeof b, 0, &got, 30), -EINVAL);
    assert_int_equal(esock_inet_close(u), 0);
    assert_int_equal(esock_inet_recv(u, b, sizeof b, 0, &got, 30), ESOCK_ECLOSED);
    esock_inet_close(v);
    tm_free(mb);
}

/* The i(udp) row of @p s, by its Port column (the handle value). */
static bool udp_row(esock_inet_t s, const char *want)
{
    esock_inet_icol_t cols[] = {ESOCK_ICOL_PORT, ESOCK_ICOL_FOREIGN_ADDRESS, ESOCK_ICOL_STATE};
    int rows;
    char *txt = i_listing(ESOCK_INET_I_UDP, cols, NOPTS(cols), true, &rows), id[32];
    assert_true(rows >= 1);
    snprintf(id, sizeof id, "\n%llu ", (unsigned long long)s.id);
    const char *row = strstr(txt, id);
    const char *end = row ? strchr(row + 1, '\n') : NULL;
    bool found = row && end && strstr(row, want) && strstr(row, want) < end;
    if (!found)
        print_error("no \"%s\" in the row of %llu:\n%s", want, (unsigned long long)s.id, txt);
    free(txt);
    return found;
}

/* 9. gen_udp:connect (OTP 25 checked: filtered datagrams, CONNECTED(O) in
 * i(), econnrefused to a passive recv after the peer went, udp_error to an
 * active owner while the socket stays active, eafnosupport for a peer of
 * another family, connecting again replaces the peer). */
static void udp_connect_peer(void **st)
{
    (void)st;
    uint16_t pu, pv, pw;
    esock_inet_t u = udp_no_owner(&pu);
    esock_inet_t v = udp_no_owner(&pv);
    esock_inet_t w = udp_no_owner(&pw);
    esock_sockaddr_t to_u = lo4(pu), to_w = lo4(pw), sa;
    char b[16];
    size_t got;
    assert_int_equal(esock_inet_send(v, "x", 1), -EDESTADDRREQ); /* not connected yet */
    assert_int_equal(esock_inet_peername(v, &sa), -ENOTCONN);
    assert_true(udp_row(v, "IDLE"));

    assert_int_equal(esock_inet_udp_connect(v, &to_u), 0);
    assert_int_equal(esock_inet_peername(v, &sa), 0);
    assert_from_lo(&sa, pu);
    esock_inet_info_t info;
    assert_int_equal(esock_inet_info(v, &info), 0);
    assert_true(info.states & ESOCK_INET_ST_CONNECTED);
    char fa[32];
    snprintf(fa, sizeof fa, "localhost:%u", pu); /* as inet:i() names 127.0.0.1 */
    assert_true(udp_row(v, fa));
    assert_true(udp_row(v, "CONNECTED(O)"));
    /* only the peer's datagrams come in */
    send_to(w, pv, "third", 5);
    send_to(u, pv, "peer", 4);
    recv_dgram(v, "peer", 4, pu);
    assert_int_equal(esock_inet_recvfrom(v, b, sizeof b, &got, NULL, NULL, NULL, 50), ESOCK_ETIMEOUT);
    /* the send calls go to the peer */
    assert_int_equal(esock_inet_send(v, "hello", 5), 0);
    recv_dgram(u, "hello", 5, pv);
    assert_int_equal(esock_inet_send_ex(v, "", 0, ESOCK_NOWAIT), 0);
    recv_dgram(u, "", 0, pv);

    /* send_msg / send_msgs pass received messages on as datagrams */
    esock_mbox_t mb = tm_new();
    const esock_inet_opt_t ao[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_TRUE)};
    uint16_t px;
    esock_inet_t x = udp_lo(ao, NOPTS(ao), mb, &px);
    send_to(u, px, "m1", 2);
    send_to(u, px, "m2", 2);
    send_to(u, px, "m3", 2);
    esock_inet_msg_t *m1 = expect_msg(mb, ESOCK_INET_MSG_DATA);
    esock_inet_msg_t *ms[2] = {expect_msg(mb, ESOCK_INET_MSG_DATA), expect_msg(mb, ESOCK_INET_MSG_DATA)};
    assert_int_equal(esock_inet_send_msg(v, m1, ESOCK_INFINITY), 0);
    size_t taken = 0;
    assert_int_equal(esock_inet_send_msgs(v, ms, 2, ESOCK_INFINITY, &taken), 0);
    assert_int_equal(taken, 2);
    recv_dgram(u, "m1", 2, pv);
    recv_dgram(u, "m2", 2, pv);
    recv_dgram(u, "m3", 2, pv);
    uint64_t vals[ESOCK_STAT_COUNT_];
    assert_int_equal(esock_inet_getstat(v, NULL, 0, vals), 0);
    assert_int_equal(vals[ESOCK_STAT_SEND_CNT], 5);
    assert_int_equal(vals[ESOCK_STAT_SEND_OCT], 5 + 0 + 2 + 2 + 2);
    esock_inet_close(x);

    /* the peer goes: the ICMP port unreachable comes back to a passive
     * recv as econnrefused, once */
    assert_int_equal(esock_inet_close(u), 0);
    assert_int_equal(esock_inet_send(v, "a", 1), 0);
    int rc = 0;
    for (int i = 0; i < 100 && rc != -ECONNREFUSED; i++)
        rc = esock_inet_recvfrom(v, b, sizeof b, &got, NULL, NULL, NULL, 20);
    assert_int_equal(rc, -ECONNREFUSED);
    assert_int_equal(esock_inet_recv(v, b, sizeof b, 0, &got, 30), ESOCK_ETIMEOUT);
    /* and to an active owner as an error message; the socket stays active */
    assert_int_equal(esock_inet_controlling_process(v, mb), 0);
    esock_inet_opt_t act = OPT(ACTIVE, ESOCK_INET_ACTIVE_TRUE);
    assert_int_equal(esock_inet_setopts(v, &act, 1), 0);
    assert_int_equal(esock_inet_send(v, "b", 1), 0);
    esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_ERROR);
    assert_int_equal(m->sock.id, v.id);
    assert_int_equal(m->error, -ECONNREFUSED);
    esock_inet_msg_free(m);
    expect_none(mb, 30);
    assert_int_equal(get_active(v), ESOCK_INET_ACTIVE_TRUE);

    /* connecting again replaces the peer */
    assert_int_equal(esock_inet_udp_connect(v, &to_w), 0);
    assert_int_equal(esock_inet_peername(v, &sa), 0);
    assert_from_lo(&sa, pw);
    assert_int_equal(esock_inet_send(v, "to w", 4), 0);
    recv_dgram(w, "to w", 4, pv);
    send_to(w, pv, "from w", 6);
    expect_dgram(mb, v, "from w", 6, pw);

    /* there is no way back to unconnected (Linux would drop the port),
     * neither with NULL nor with an unspec address (AF_UNSPEC to the
     * kernel: that one was passed on, the socket lost its port and
     * still claimed to be connected) */
    esock_sockaddr_t unspec = {.family = ESOCK_FAMILY_UNSPEC};
    assert_int_equal(esock_inet_udp_connect(v, NULL), -EINVAL);
    assert_int_equal(esock_inet_udp_connect(v, &unspec), -EINVAL);
    assert_int_equal(esock_inet_peername(v, &sa), 0);
    assert_from_lo(&sa, pw);
    uint16_t pv2;
    assert_int_equal(esock_inet_port(v, &pv2), 0);
    assert_int_equal(pv2, pv);

    /* bad input */
    esock_sockaddr_t six = {.family = ESOCK_FAMILY_INET6};
    six.u.in6.addr[7] = 1; /* ::1 */
    six.u.in6.port = pw;
    assert_int_equal(esock_inet_udp_connect(v, &six), -EAFNOSUPPORT);
    esock_sockaddr_t bad = {.family = ESOCK_FAMILY_LINK}; /* none on Linux */
    assert_int_equal(esock_inet_udp_connect(v, &bad), ESOCK_EINVAL_ADDRESS);
    esock_inet_t l;
    const esock_inet_opt_t lo[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
    esock_sockaddr_t any = lo4(0);
    assert_int_equal(esock_inet_listen(&l, &any, 1, lo, NOPTS(lo), ESOCK_INET_NO_OWNER), 0);
    assert_int_equal(esock_inet_udp_connect(l, &to_w), -EINVAL);
    esock_inet_close(l);
    assert_int_equal(esock_inet_close(v), 0);
    assert_int_equal(esock_inet_udp_connect(v, &to_w), ESOCK_ECLOSED);
    assert_int_equal(esock_inet_send(v, "x", 1), ESOCK_ECLOSED);
    esock_inet_close(w);
    tm_free(mb);
}

/* 10. A local datagram socket sending to a receiver whose queue is full:
 * poll(2) cannot tell when such a receiver has room (for an unconnected
 * sender it reports writable at once), so waiting for it spun on the CPU
 * until the receiver read. OTP 25 returns {error, eagain} (11 datagrams
 * queued, the 12th refused); esock returns -EAGAIN the same way. */
typedef struct {
    esock_inet_t u;
    esock_sockaddr_t to;
    _Atomic int done;
    int rc, sent;
} flood_t;

static void *flood_local(void *arg)
{
    flood_t *f = arg;
    for (int i = 0; i < 256 && f->rc == 0; i++) {
        f->rc = esock_inet_sendto(f->u, &f->to, "hello", 5);
        if (f->rc == 0)
            f->sent++;
    }
    f->done = 1;
    return NULL;
}

static esock_sockaddr_t local_abstract(const char *tag)
{
    char p[64];
    int len = snprintf(p, sizeof p, "%cesock-udp-%s-%d", 0, tag, (int)getpid());
    return local_addr(p, (size_t)len);
}

static void udp_local_full_receiver(void **st)
{
    (void)st;
    esock_sockaddr_t sa = local_abstract("rcv"), sb = local_abstract("snd");
    const esock_inet_opt_t po[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
    esock_inet_t a;
    flood_t f = {.to = sa};
    assert_int_equal(esock_inet_udp_open(&a, &sa, po, NOPTS(po), ESOCK_INET_NO_OWNER), 0);
    assert_int_equal(esock_inet_udp_open(&f.u, &sb, po, NOPTS(po), ESOCK_INET_NO_OWNER), 0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, flood_local, &f), 0);
    for (int i = 0; i < 200 && !f.done; i++)
        msleep(10);
    int done = f.done;
    esock_inet_close(f.u); /* wakes a sender still waiting */
    pthread_join(th, NULL);
    assert_true(done);
    assert_int_equal(f.rc, -EAGAIN);
    /* what was queued is there, whole; the receiver reads it */
    char b[8];
    size_t got = 0;
    esock_sockaddr_t from;
    for (int i = 0; i < f.sent; i++) {
        assert_int_equal(esock_inet_recvfrom(a, b, sizeof b, &got, &from, NULL, NULL, 1000), 0);
        assert_int_equal(got, 5);
        assert_memory_equal(b, "hello", 5);
    }
    assert_int_equal(esock_inet_recvfrom(a, b, sizeof b, &got, NULL, NULL, NULL, 0), ESOCK_ETIMEOUT);
    esock_inet_close(a);
}

const struct CMUnitTest inet_tests_udp_more[] = {
    cmocka_unit_test_teardown(udp_active_once_n_and_timeout, inet_teardown),
    cmocka_unit_test_teardown(udp_read_packets_bound, inet_teardown),
    cmocka_unit_test_teardown(udp_packet_option_ignored, inet_teardown),
    cmocka_unit_test_teardown(udp_getstat_counts, inet_teardown),
    cmocka_unit_test_teardown(counters_past_2_32, inet_teardown),
    cmocka_unit_test_teardown(local_stream_path, local_teardown),
    cmocka_unit_test_teardown(local_stream_abstract, inet_teardown),
    cmocka_unit_test_teardown(udp_closed_handle, inet_teardown),
    cmocka_unit_test_teardown(udp_recv_without_sender, inet_teardown),
    cmocka_unit_test_teardown(udp_connect_peer, inet_teardown),
    cmocka_unit_test_teardown(udp_local_full_receiver, inet_teardown),
};
const size_t inet_ntests_udp_more = NOPTS(inet_tests_udp_more);
