/*
 * loadgen.c - {packet,4} load generator for the echo benchmarks.
 *
 * A stand-in for ../shared/bench/loadgen (absent from the peers' folder):
 * the same command line and the same "RESULT key=value" line, so
 * run_peers.sh drives it unchanged. One thread, epoll, non-blocking.
 *
 *   -m pingpong|stream|connect|wait|freeport  -c conns  -s size  -W window
 *   -H host -p port -d seconds -w warmup_seconds -T wait_timeout_s
 *
 * pingpong: each connection sends one frame and waits for its echo.
 * stream:   each connection keeps W frames in flight.
 * connect:  c concurrent loops of connect, one echo, close.
 * Every echoed byte is verified; a mismatch counts as an error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct conn {
    int fd;
    uint8_t *in;
    size_t inoff, inlen, incap; /* unread echoes: in[inoff..inlen) */
    uint8_t *out; /* small frames: copied here, out[outoff..outlen) to send */
    size_t outlen, outoff, outcap;
    int queued;     /* big frames: how many to send, from seq_sent on, */
    size_t headoff; /* and the bytes of the first already sent */
    uint32_t seq_sent;
    int inflight;
    bool want_out; /* EPOLLOUT is in the registered interest */
    double sent_at[256]; /* send times of in-flight frames (ring) */
    unsigned sa_head, sa_tail;
    uint32_t seq_in;
} conn_t;

static const char *mode = "pingpong";
static int nconn = 1, size = 64, window = 1;
static const char *host = "127.0.0.1";
static int port = 0;
static double dur = 3, warm = 0.5, wait_t = 20;
static int ep;
static uint64_t msgs, bytes, errors, all_msgs; /* all_msgs includes the warm-up */
static double *lat;
static size_t nlat, caplat;
static bool measuring;

static void add_lat(double us)
{
    if (!measuring)
        return;
    if (nlat == caplat) {
        caplat = caplat ? caplat * 2 : 1 << 16;
        lat = realloc(lat, caplat * sizeof *lat);
    }
    lat[nlat++] = us;
}

/* Binds fd to the next source address of 127.0.0.2-251 (port chosen at
 * connect). In connect mode thousands of closed connections per second sit
 * in TIME_WAIT; from one source address the kernel's search for a free
 * ephemeral port walks them and costs the generator more than the server's
 * whole accept/echo/close. Spreading sources keeps that search short. */
static void bind_spread_source(int fd)
{
    static unsigned next;
    struct sockaddr_in src = {.sin_family = AF_INET};
    src.sin_addr.s_addr = htonl(0x7f000002u + next++ % 250);
    int one = 1;
    setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    bind(fd, (struct sockaddr *)&src, sizeof src); /* on failure: the kernel picks */
}

static int dial(bool spread)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &a.sin_addr);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (spread && (ntohl(a.sin_addr.s_addr) >> 24) == 127)
        bind_spread_source(fd);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Frame seq's payload byte i is (seq * 31 + i) mod 256: the bytes from
 * offset (seq * 31) mod 256 of one pattern 0, 1, 2, ... So a frame is built
 * and checked with memcpy / memcmp, as fast at -O2 as at -O3: a per-byte
 * loop here held every server of st16k_c8 at the generator's pace. */
static uint8_t *pattern; /* size + 256 bytes */

static const uint8_t *payload_of(uint32_t seq)
{
    if (!pattern) {
        pattern = malloc((size_t)size + 256);
        for (int i = 0; i < size + 256; i++)
            pattern[i] = (uint8_t)i;
    }
    return pattern + ((seq * 31u) & 255u);
}

static void put_header(uint8_t *p)
{
    p[0] = (uint8_t)(size >> 24);
    p[1] = (uint8_t)(size >> 16);
    p[2] = (uint8_t)(size >> 8);
    p[3] = (uint8_t)size;
}

static bool frame_ok(const uint8_t *p, uint32_t seq)
{
    uint8_t h[4];
    put_header(h);
    return memcmp(p, h, 4) == 0 && memcmp(p + 4, payload_of(seq), (size_t)size) == 0;
}

/* Frames below this size are copied into one buffer and sent with send();
 * bigger ones are sent from the pattern through iovecs, with no copy. For
 * 64-byte frames the copy is cheaper than the kernel's walk over two
 * iovecs a frame; for 16 KiB ones the copy doubled what the generator paid
 * per byte. */
#define COPY_BELOW 1024

static bool output_pending(const conn_t *c)
{
    return size < COPY_BELOW ? c->outoff < c->outlen : c->queued > 0;
}

static void queue_frame(conn_t *c)
{
    if (size < COPY_BELOW) {
        size_t fl = 4 + (size_t)size;
        if (c->outlen + fl > c->outcap) {
            c->outcap = (c->outlen + fl) * 2;
            c->out = realloc(c->out, c->outcap);
        }
        put_header(c->out + c->outlen);
        memcpy(c->out + c->outlen + 4, payload_of(c->seq_sent++), (size_t)size);
        c->outlen += fl;
    } else {
        c->queued++;
    }
    c->sent_at[c->sa_head++ & 255] = now_s();
    c->inflight++;
}

static int flush_copied(conn_t *c)
{
    while (c->outoff < c->outlen) {
        ssize_t w = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);
        if (w < 0)
            return errno == EAGAIN ? 0 : -1;
        c->outoff += (size_t)w;
    }
    c->outoff = c->outlen = 0;
    return 0;
}

/* Sends the queued big frames straight from the pattern, a header and a
 * payload iovec each. */
static int flush_out(conn_t *c)
{
    if (size < COPY_BELOW)
        return flush_copied(c);
    static uint8_t hdr[4];
    put_header(hdr);
    size_t fl = 4 + (size_t)size;
    while (c->queued > 0) {
        struct iovec iov[128];
        int n = 0;
        for (int k = 0; k < c->queued && n + 2 <= 128; k++) {
            iov[n++] = (struct iovec){hdr, 4};
            iov[n++] = (struct iovec){(void *)payload_of(c->seq_sent + (uint32_t)k), (size_t)size};
        }
        size_t skip = c->headoff; /* drop what the head frame already sent */
        int first = 0;
        while (skip >= iov[first].iov_len) {
            skip -= iov[first].iov_len;
            first++;
        }
        iov[first].iov_base = (uint8_t *)iov[first].iov_base + skip;
        iov[first].iov_len -= skip;
        struct msghdr m = {.msg_iov = iov + first, .msg_iovlen = (size_t)(n - first)};
        ssize_t w = sendmsg(c->fd, &m, MSG_NOSIGNAL);
        if (w < 0)
            return errno == EAGAIN ? 0 : -1;
        size_t done = c->headoff + (size_t)w;
        c->seq_sent += (uint32_t)(done / fl);
        c->queued -= (int)(done / fl);
        c->headoff = done % fl;
    }
    return 0;
}

/* Registers or updates c's interest: EPOLLIN always, EPOLLOUT while output
 * is pending. An update is a syscall, so it is made only when that changes:
 * the generator must cost less than the servers it measures. */
static void arm(conn_t *c, bool add)
{
    bool want_out = output_pending(c);
    if (!add && want_out == c->want_out)
        return;
    c->want_out = want_out;
    struct epoll_event e = {.events = EPOLLIN | (want_out ? EPOLLOUT : 0), .data.ptr = c};
    epoll_ctl(ep, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, c->fd, &e);
}

/* Consume whole echoed frames; returns how many, or -1 on error/EOF.
 * The buffer holds 64 frames; the unread tail is moved to the front only
 * when less than one frame's room is left, not after every read. */
static int read_in(conn_t *c)
{
    size_t fl = 4 + (size_t)size;
    if (c->incap < fl * 64) {
        c->incap = fl * 64 > 65536 ? fl * 64 : 65536;
        c->in = realloc(c->in, c->incap);
    }
    int got = 0;
    for (;;) {
        if (c->incap - c->inlen < fl) {
            memmove(c->in, c->in + c->inoff, c->inlen - c->inoff);
            c->inlen -= c->inoff;
            c->inoff = 0;
        }
        size_t room = c->incap - c->inlen;
        ssize_t r = read(c->fd, c->in + c->inlen, room);
        if (r == 0)
            return -1;
        if (r < 0) {
            if (errno == EAGAIN)
                break;
            return -1;
        }
        c->inlen += (size_t)r;
        while (c->inlen - c->inoff >= fl) {
            if (!frame_ok(c->in + c->inoff, c->seq_in++))
                errors++;
            c->inoff += fl;
            got++;
            c->inflight--;
            double t = c->sent_at[c->sa_tail++ & 255];
            add_lat((now_s() - t) * 1e6);
            all_msgs++;
            if (measuring) {
                msgs++;
                bytes += (uint64_t)size;
            }
        }
        if (c->inoff == c->inlen)
            c->inoff = c->inlen = 0;
        if ((size_t)r < room)
            break;
    }
    return got;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void result(double secs, double cpu)
{
    double p50 = 0, p99 = 0, mx = 0;
    if (nlat) {
        qsort(lat, nlat, sizeof *lat, cmpd);
        p50 = lat[nlat / 2];
        p99 = lat[(size_t)(nlat * 0.99)];
        mx = lat[nlat - 1];
    }
    printf("RESULT mode=%s conns=%d size=%d msgs=%llu secs=%.3f msgs_per_s=%.0f MB_per_s=%.2f p50_us=%.1f "
           "p99_us=%.1f max_us=%.1f errors=%llu client_cpu_pct=%.0f all_msgs=%llu\n",
           mode, nconn, size, (unsigned long long)msgs, secs, msgs / secs, bytes / secs / 1e6, p50, p99, mx,
           (unsigned long long)errors, 100 * cpu / secs, (unsigned long long)all_msgs);
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int run_conns(void)
{
    bool pp = strcmp(mode, "pingpong") == 0;
    window = pp ? 1 : window;
    if (window > 200)
        window = 200;
    conn_t *cs = calloc((size_t)nconn, sizeof *cs);
    for (int i = 0; i < nconn; i++) {
        cs[i].fd = dial(false);
        if (cs[i].fd < 0) {
            fprintf(stderr, "connect failed\n");
            return 1;
        }
        for (int k = 0; k < window; k++)
            queue_frame(&cs[i]);
        flush_out(&cs[i]);
        arm(&cs[i], true);
    }
    double t0 = now_s(), tm = t0 + warm, tend = tm + dur, c0 = 0;
    struct epoll_event ev[64];
    for (;;) {
        double t = now_s();
        if (!measuring && t >= tm) {
            measuring = true;
            c0 = cpu_s();
            tm = t;
        }
        if (t >= tend)
            break;
        int n = epoll_wait(ep, ev, 64, 100);
        for (int i = 0; i < n; i++) {
            conn_t *c = ev[i].data.ptr;
            if (ev[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                int got = read_in(c);
                if (got < 0) {
                    errors++;
                    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                    continue;
                }
                for (int k = 0; k < got; k++)
                    queue_frame(c);
            }
            if (flush_out(c) < 0)
                errors++;
            arm(c, false);
        }
    }
    result(now_s() - tm, cpu_s() - c0);
    return 0;
}

/* Starts one connect-mode round on slot c: connect, then send the frame at
 * once (on loopback the handshake is usually done when connect returns; if
 * not, the send waits for EPOLLOUT). Returns -1 when no socket was made. */
static int start_round(conn_t *c)
{
    c->inoff = c->inlen = c->headoff = c->outlen = c->outoff = 0;
    c->queued = c->inflight = 0;
    c->seq_sent = c->seq_in; /* a redial drops what was in flight */
    c->sa_tail = c->sa_head;
    c->fd = dial(true);
    if (c->fd < 0)
        return -1;
    queue_frame(c);
    if (flush_out(c) < 0 && errno != ENOTCONN)
        errors++;
    arm(c, true);
    return 0;
}

/* connect mode: each slot loops connect -> one frame -> echo -> close. */
static int run_connect(void)
{
    conn_t *cs = calloc((size_t)nconn, sizeof *cs);
    for (int i = 0; i < nconn; i++) {
        if (start_round(&cs[i]) < 0) {
            fprintf(stderr, "connect failed\n");
            return 1;
        }
    }
    double t0 = now_s(), tm = t0 + warm, tend = tm + dur, c0 = 0;
    struct epoll_event ev[64];
    for (;;) {
        double t = now_s();
        if (!measuring && t >= tm) {
            measuring = true;
            c0 = cpu_s();
            tm = t;
        }
        if (t >= tend)
            break;
        int n = epoll_wait(ep, ev, 64, 100);
        for (int i = 0; i < n; i++) {
            conn_t *c = ev[i].data.ptr;
            if (ev[i].events & (EPOLLERR | EPOLLHUP) && !(ev[i].events & EPOLLIN)) {
                errors++;
                goto redial;
            }
            if (output_pending(c)) {
                if (flush_out(c) < 0) {
                    errors++;
                    goto redial;
                }
                arm(c, false);
            }
            if (ev[i].events & EPOLLIN) {
                int got = read_in(c);
                if (got < 0) {
                    errors++;
                    goto redial;
                }
                if (got > 0)
                    goto redial;
            }
            continue;
        redial:
            close(c->fd); /* also ends its epoll registration */
            if (start_round(c) < 0) {
                fprintf(stderr, "connect failed\n");
                return 1;
            }
        }
    }
    result(now_s() - tm, cpu_s() - c0);
    return 0;
}

int main(int argc, char **argv)
{
    int opt;
    while ((opt = getopt(argc, argv, "m:c:s:W:H:p:d:w:T:")) != -1) {
        switch (opt) {
        case 'm': mode = optarg; break;
        case 'c': nconn = atoi(optarg); break;
        case 's': size = atoi(optarg); break;
        case 'W': window = atoi(optarg); break;
        case 'H': host = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 'd': dur = atof(optarg); break;
        case 'w': warm = atof(optarg); break;
        case 'T': wait_t = atof(optarg); break;
        default: return 2;
        }
    }
    if (strcmp(mode, "freeport") == 0) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET};
        inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
        socklen_t l = sizeof a;
        bind(fd, (struct sockaddr *)&a, sizeof a);
        getsockname(fd, (struct sockaddr *)&a, &l);
        printf("%u\n", ntohs(a.sin_port));
        close(fd);
        return 0;
    }
    if (strcmp(mode, "wait") == 0) {
        double end = now_s() + wait_t;
        while (now_s() < end) {
            int fd = socket(AF_INET, SOCK_STREAM, 0);
            struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
            inet_pton(AF_INET, host, &a.sin_addr);
            int r = connect(fd, (struct sockaddr *)&a, sizeof a);
            close(fd);
            if (r == 0)
                return 0;
            usleep(50000);
        }
        return 1;
    }
    ep = epoll_create1(0);
    if (strcmp(mode, "connect") == 0)
        return run_connect();
    return run_conns();
}
