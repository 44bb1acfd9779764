/*
 * Blocking ping-pong over loopback: esock's socket module against plain
 * blocking BSD sockets doing exactly the same, in one run. Each side runs a
 * client thread and an echo thread; a round trip is send(64 B) + recv(64 B)
 * on both ends. Prints the time per round trip of each and the ratio.
 *
 *   esock_bench_pingpong [ROUNDS] [SIZE] [REPS]
 */
#include <esock/esock.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int rounds = 20000;
static size_t size = 64;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- plain blocking sockets ---- */

static int plain_recv_all(int fd, char *b, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = recv(fd, b + got, n - got, 0);
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

static void *plain_echo(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char *b = malloc(size);
    for (int i = 0; i < rounds; i++) {
        if (plain_recv_all(fd, b, size) < 0 || send(fd, b, size, MSG_NOSIGNAL) != (ssize_t)size)
            break;
    }
    free(b);
    return NULL;
}

static double run_plain(void)
{
    int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    bind(l, (struct sockaddr *)&sa, sizeof sa);
    getsockname(l, (struct sockaddr *)&sa, &len);
    listen(l, 1);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    connect(c, (struct sockaddr *)&sa, sizeof sa);
    int a = accept(l, NULL, NULL);
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(a, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    pthread_t t;
    pthread_create(&t, NULL, plain_echo, (void *)(intptr_t)a);
    char *b = calloc(1, size);
    double t0 = now_s();
    for (int i = 0; i < rounds; i++)
        if (send(c, b, size, MSG_NOSIGNAL) != (ssize_t)size || plain_recv_all(c, b, size) < 0)
            break;
    double el = now_s() - t0;
    pthread_join(t, NULL);
    free(b);
    close(a);
    close(c);
    close(l);
    return el / rounds * 1e6;
}

/* ---- esock ---- */

static void *esock_echo(void *arg)
{
    esock_t s = {(uint32_t)(uintptr_t)arg};
    char *b = malloc(size);
    for (int i = 0; i < rounds; i++) {
        if (esock_recv(s, b, size, size, 0, ESOCK_INFINITY, NULL, NULL) != 0 ||
            esock_send(s, b, size, 0, ESOCK_INFINITY, NULL, NULL) != 0)
            break;
    }
    free(b);
    return NULL;
}

static double run_esock(void)
{
    esock_t l, c, a;
    esock_ip_t lo;
    esock_sockaddr_t sa;
    esock_parse_address("127.0.0.1", 9, &lo);
    esock_sockaddr_ip(&sa, &lo, 0);
    if (esock_open(AF_INET, SOCK_STREAM, 0, &l) || esock_bind(l, &sa) || esock_sockname(l, &sa) ||
        esock_listen(l, 1) || esock_open(AF_INET, SOCK_STREAM, 0, &c) ||
        esock_connect(c, &sa, 5000, NULL) || esock_accept(l, 5000, &a, NULL)) {
        fprintf(stderr, "esock setup failed\n");
        exit(1);
    }
    int one = 1;
    setsockopt(esock_fd(c), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(esock_fd(a), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    pthread_t t;
    pthread_create(&t, NULL, esock_echo, (void *)(uintptr_t)a.id);
    char *b = calloc(1, size);
    double t0 = now_s();
    for (int i = 0; i < rounds; i++)
        if (esock_send(c, b, size, 0, ESOCK_INFINITY, NULL, NULL) != 0 ||
            esock_recv(c, b, size, size, 0, ESOCK_INFINITY, NULL, NULL) != 0)
            break;
    double el = now_s() - t0;
    pthread_join(t, NULL);
    free(b);
    esock_close(a);
    esock_close(c);
    esock_close(l);
    return el / rounds * 1e6;
}

static int cmp(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        rounds = atoi(argv[1]);
    if (argc > 2)
        size = (size_t)atoi(argv[2]);
    int reps = argc > 3 ? atoi(argv[3]) : 5;
    if (rounds <= 0 || size == 0 || reps <= 0 || reps > 64) {
        fprintf(stderr, "usage: %s [ROUNDS] [SIZE] [REPS<=64]\n", argv[0]);
        return 2;
    }
    double p[64], e[64], q[64];
    for (int r = 0; r < reps; r++) { /* interleaved, so drift hits both */
        p[r] = run_plain();
        e[r] = run_esock();
        q[r] = e[r] / p[r]; /* the ratio of one adjacent pair */
    }
    qsort(q, (size_t)reps, sizeof q[0], cmp);
    qsort(p, (size_t)reps, sizeof p[0], cmp);
    qsort(e, (size_t)reps, sizeof e[0], cmp);
    double pm = p[reps / 2], em = e[reps / 2];
    printf("blocking ping-pong, %zu B, %d round trips x %d runs (median)\n", size, rounds, reps);
    printf("  plain blocking sockets : %7.2f us per round trip\n", pm);
    printf("  esock socket module    : %7.2f us per round trip\n", em);
    printf("  ratio esock/plain      : %7.3f  (target <= 1.10)\n", em / pm);
    /* On a shared machine the fastest run of each is the least disturbed,
     * and the ratio of adjacent runs cancels slow drift. */
    printf("  best runs              : %7.2f / %7.2f us, ratio %.3f\n", p[0], e[0], e[0] / p[0]);
    printf("  median pairwise ratio  : %7.3f\n", q[reps / 2]);
    return 0;
}
