/*
 * esock bench: an esock echo server (the one `esock echo` runs, on its own
 * thread) and a ping-pong load generator on loopback: N connections, each
 * sends one message and waits for its echo, for S seconds. The load
 * generator is plain blocking POSIX sockets, one thread per connection, so
 * that it measures the server and not itself. Prints progress each second,
 * then messages/s, MB/s and latency percentiles.
 */
#include "cli.h"

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HIST_US 100000 /* 1 us buckets up to 100 ms; slower lands in the last */

struct conn {
    pthread_t t;
    int fd, hdr;
    size_t size;
    unsigned char *msg, *reply;
    uint32_t *hist;
    atomic_ullong count;
    int err;
};

static atomic_int bench_stop, server_stop;

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int full(int fd, unsigned char *p, size_t n, bool wr)
{
    while (n > 0) {
        ssize_t k = wr ? write(fd, p, n) : read(fd, p, n);
        if (k <= 0)
            return k == 0 ? -EPIPE : -errno;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static void *pingpong(void *arg)
{
    struct conn *c = arg;
    size_t total = (size_t)c->hdr + c->size;
    while (!bench_stop) {
        uint64_t t0 = now_us();
        int rc = full(c->fd, c->msg, total, true);
        if (rc == 0)
            rc = full(c->fd, c->reply, total, false);
        if (rc != 0) {
            c->err = rc;
            break;
        }
        uint64_t d = now_us() - t0;
        c->hist[d < HIST_US ? d : HIST_US - 1]++;
        atomic_fetch_add_explicit(&c->count, 1, memory_order_relaxed);
    }
    return NULL;
}

static uint64_t percentile(const uint64_t *h, uint64_t n, double p)
{
    uint64_t want = (uint64_t)(p * (double)n), seen = 0;
    for (uint64_t i = 0; i < HIST_US; i++)
        if ((seen += h[i]) > want)
            return i;
    return HIST_US;
}

struct load {
    int ptype;
    long nconn, size, secs;
    FILE *addr_in;
    int ret;
    uint64_t *hist, n, elapsed;
};

static void *load_main(void *arg)
{
    struct load *ld = arg;
    int ptype = ld->ptype;
    long nconn = ld->nconn, size = ld->size, secs = ld->secs;
    char line[128];
    char *colon = NULL;
    if (fgets(line, sizeof line, ld->addr_in) == NULL || (colon = strrchr(line, ':')) == NULL) {
        ld->ret = EXIT_FAILED; /* the server said why */
        server_stop = 1;
        return NULL;
    }
    uint16_t port = (uint16_t)atoi(colon + 1);
    int hdr = cli_header_size(ptype);
    struct conn *cs = calloc((size_t)nconn, sizeof *cs);
    int ret = cs ? EXIT_OK : cli_fail("bench", "memory", -ENOMEM);
    long started = 0;
    for (long i = 0; cs && i < nconn; i++)
        cs[i].fd = -1;
    for (long i = 0; cs && i < nconn; i++, started++) {
        struct conn *c = &cs[i];
        c->hdr = hdr;
        c->size = (size_t)size;
        c->msg = malloc((size_t)hdr + (size_t)size);
        c->reply = malloc((size_t)hdr + (size_t)size);
        c->hist = calloc(HIST_US, sizeof *c->hist);
        c->fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port),
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        int one = 1;
        if (!c->msg || !c->reply || !c->hist || c->fd < 0 ||
            connect(c->fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
            ret = cli_fail("bench", "connect", -errno);
            break;
        }
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        memset(c->msg + hdr, 'x', (size_t)size);
        if (ptype == ESOCK_INET_PACKET_LINE)
            c->msg[size - 1] = '\n';
        for (int b = 0; b < hdr; b++)
            c->msg[b] = (unsigned char)((uint64_t)size >> (8 * (hdr - 1 - b)));
        if (pthread_create(&c->t, NULL, pingpong, c) != 0) {
            ret = cli_fail("bench", "thread", -EAGAIN);
            break;
        }
    }
    printf("esock bench: %ld connections, %ld-byte messages, packet %s, %ld s, echo server on "
           "127.0.0.1:%u\n", nconn, size, ptype == ESOCK_INET_PACKET_RAW ? "raw"
           : ptype == ESOCK_INET_PACKET_LINE ? "line" : (hdr == 1 ? "1" : hdr == 2 ? "2" : "4"),
           secs, port);
    uint64_t t0 = now_us(), last = 0;
    for (long s = 0; ret == EXIT_OK && s < secs; s++) {
        sleep(1);
        uint64_t total = 0;
        for (long i = 0; i < started; i++)
            total += atomic_load(&cs[i].count);
        fprintf(stderr, "  %lds: %llu msgs/s\n", s + 1, (unsigned long long)(total - last));
        last = total;
    }
    bench_stop = 1;
    /* Unblock every client: the server echoes the message in flight. */
    uint64_t elapsed = now_us() - t0;
    uint64_t *h = calloc(HIST_US, sizeof *h), n = 0;
    for (long i = 0; i < started; i++) {
        pthread_join(cs[i].t, NULL);
        if (cs[i].err && ret == EXIT_OK)
            ret = cli_fail("bench", "ping-pong", cs[i].err);
    }
    for (long i = 0; cs && i < nconn; i++) {
        for (uint64_t b = 0; h && cs[i].hist && b < HIST_US; b++)
            h[b] += cs[i].hist[b];
        n += atomic_load(&cs[i].count);
        if (cs[i].fd >= 0)
            close(cs[i].fd);
        free(cs[i].msg);
        free(cs[i].reply);
        free(cs[i].hist);
    }
    free(cs);
    ld->ret = ret;
    ld->hist = h;
    ld->n = n;
    ld->elapsed = elapsed;
    server_stop = 1;
    return NULL;
}

int cmd_bench(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, "bench"))
        return EXIT_OK;
    int ptype = ESOCK_INET_PACKET_4;
    long nconn = 16, size = 64, secs = 5;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if (strcmp(a, "--packet") == 0 && v) {
            ptype = cli_packet_type(v);
            if (ptype != ESOCK_INET_PACKET_RAW && cli_header_size(ptype) == 0 &&
                ptype != ESOCK_INET_PACKET_LINE)
                ptype = -1;
        } else if (strcmp(a, "--connections") == 0 && v)
            nconn = strtol(v, &end, 10);
        else if (strcmp(a, "--size") == 0 && v)
            size = strtol(v, &end, 10);
        else if (strcmp(a, "--seconds") == 0 && v)
            secs = strtol(v, &end, 10);
        else {
            cli_usage(stderr, "bench");
            return EXIT_USAGE;
        }
        i++;
        if ((end && *end) || ptype < 0 || nconn < 1 || nconn > 1000 || size < 1 ||
            size > (1 << 24) || secs < 1 || secs > 3600) {
            fprintf(stderr, "esock bench: bad value for %s (packet raw|1|2|4|line, "
                            "connections 1..1000, size 1..16M, seconds 1..3600)\n", a);
            return EXIT_USAGE;
        }
    }
    if (ptype == ESOCK_INET_PACKET_1 && size > 255)
        size = 255;
    if (ptype == ESOCK_INET_PACKET_2 && size > 65535)
        size = 65535;
    signal(SIGPIPE, SIG_IGN);

    struct load ld = {.ptype = ptype, .nconn = nconn, .size = size, .secs = secs};
    int fds[2];
    if (pipe(fds) != 0)
        return cli_fail("bench", "pipe", -errno);
    ld.addr_in = fdopen(fds[0], "r");
    FILE *addr_out = fdopen(fds[1], "w");
    pthread_t t;
    if (!ld.addr_in || !addr_out || pthread_create(&t, NULL, load_main, &ld) != 0)
        return cli_fail("bench", "thread", -EAGAIN);
    /* The echo server runs on this thread, the load generator on the other;
     * the server prints its address into the pipe the generator reads. */
    struct cli_net net;
    memset(&net, 0, sizeof net);
    net.packet = ptype;
    net.active = ESOCK_INET_ACTIVE_TRUE;
    esock_ip_t lo = {.family = ESOCK_IP4, .u.v4 = {127, 0, 0, 1}};
    esock_sockaddr_ip(&net.addr, &lo, 0);
    int src = cli_echo_serve(&net, &server_stop, addr_out);
    fclose(addr_out);
    pthread_join(t, NULL);
    fclose(ld.addr_in);
    int ret = src != EXIT_OK ? src : ld.ret;
    uint64_t *h = ld.hist, n = ld.n, elapsed = ld.elapsed;
    if (h && n > 0) {
        double s = (double)elapsed / 1e6;
        printf("messages/s: %.0f\nMB/s: %.2f (each way, payload)\n", (double)n / s,
               (double)n * (double)size / s / 1e6);
        printf("latency (us): p50 %llu  p90 %llu  p99 %llu  p99.9 %llu\n",
               (unsigned long long)percentile(h, n, 0.50), (unsigned long long)percentile(h, n, 0.90),
               (unsigned long long)percentile(h, n, 0.99), (unsigned long long)percentile(h, n, 0.999));
    } else if (ret == EXIT_OK) {
        ret = cli_fail("bench", "no message came back", ESOCK_ETIMEOUT);
    }
    free(h);
    return ret;
}
