/*
 * idle_mem.c - heap per idle connection: esock inet vs libuv.
 *
 *   idle_mem esock|uv [N]     (N = 10000 by default)
 *
 * A child process opens N loopback connections and keeps them idle; the
 * parent accepts them as an echo server would (esock: {packet,4}, active,
 * all owned by one mailbox; libuv: a uv_tcp_t per connection with
 * uv_read_start) and reports how much the heap grew (mallinfo2 in-use
 * bytes) divided by N: the library's own memory per idle connection
 * (for libuv this includes the uv_tcp_t the program must allocate).
 */
#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef IDLE_MEM_UV
#include <uv.h>
#endif
#include <esock/esock.h>

static int N = 10000;

static size_t heap_used(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

/* The child: N connections, then wait for the parent to say stop. */
static pid_t spawn_clients(uint16_t port, int *stop_fd)
{
    int p[2];
    if (pipe(p))
        exit(1);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[1]);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        for (int i = 0; i < N; i++) {
            int fd = socket(AF_INET, SOCK_STREAM, 0);
            if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
                perror("client connect");
                _exit(1);
            }
        }
        char c;
        if (read(p[0], &c, 1) < 0)
            _exit(1);
        _exit(0);
    }
    close(p[0]);
    *stop_fd = p[1];
    return pid;
}

static void finish(const char *name, size_t before, size_t after, pid_t child, int stop_fd)
{
    printf("RESULT lib=%s conns=%d heap_bytes=%zu bytes_per_conn=%.1f\n", name, N, after - before,
           (double)(after - before) / N);
    if (write(stop_fd, "x", 1) < 0)
        perror("write");
    close(stop_fd);
    waitpid(child, NULL, 0);
}

#ifdef IDLE_MEM_UV
static int accepted;
static void on_alloc(uv_handle_t *h, size_t s, uv_buf_t *b)
{
    (void)h;
    b->base = malloc(s);
    b->len = s;
}
static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    (void)s;
    (void)n;
    free(b->base);
}
static void on_conn(uv_stream_t *server, int status)
{
    if (status < 0)
        return;
    uv_tcp_t *c = malloc(sizeof *c);
    uv_tcp_init(server->loop, c);
    if (uv_accept(server, (uv_stream_t *)c) == 0) {
        uv_read_start((uv_stream_t *)c, on_alloc, on_read);
        if (++accepted == N)
            uv_stop(server->loop);
    }
}
static int run_uv(void)
{
    uv_loop_t *loop = uv_default_loop();
    uv_tcp_t srv;
    uv_tcp_init(loop, &srv);
    struct sockaddr_in a;
    uv_ip4_addr("127.0.0.1", 0, &a);
    uv_tcp_bind(&srv, (struct sockaddr *)&a, 0);
    uv_listen((uv_stream_t *)&srv, 4096, on_conn);
    int len = sizeof a;
    uv_tcp_getsockname(&srv, (struct sockaddr *)&a, &len);
    uv_run(loop, UV_RUN_NOWAIT);
    size_t before = heap_used();
    int stop;
    pid_t child = spawn_clients(ntohs(a.sin_port), &stop);
    uv_run(loop, UV_RUN_DEFAULT);
    uv_run(loop, UV_RUN_NOWAIT);
    finish("libuv", before, heap_used(), child, stop);
    return 0;
}
#endif

int run_esock(void);

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    if (argc > 2)
        N = atoi(argv[2]);
    if (argc > 1 && strcmp(argv[1], "uv") == 0) {
#ifdef IDLE_MEM_UV
        return run_uv();
#else
        fprintf(stderr, "built without libuv\n");
        return 2;
#endif
    }
    return run_esock();
}

#include "bench/inet/owner_api.h"

int run_esock(void)
{
    owner_t mb;
    if (owner_open(&mb))
        return 1;
    esock_sockaddr_t a;
    esock_ip_t ip = {.family = ESOCK_IP4, .u.v4 = {127, 0, 0, 1}};
    esock_sockaddr_ip(&a, &ip, 0);
    const esock_inet_opt_t o[] = {esock_inet_opt_int(ESOCK_IOPT_PACKET, ESOCK_INET_PACKET_4),
                                  esock_inet_opt_int(ESOCK_IOPT_MODE, 1),
                                  esock_inet_opt_int(ESOCK_IOPT_DELAY_SEND, 1)};
    esock_inet_t l;
    if (esock_inet_listen(&l, &a, 4096, o, 3, owner_id(mb)))
        return 1;
    uint16_t port;
    esock_inet_port(l, &port);
    /* one round of the mailbox loop first, so its own setup is not counted */
    esock_inet_msg_t *m = owner_recv(mb, 0);
    esock_inet_msg_free(m);
    size_t before = heap_used();
    int stop;
    pid_t child = spawn_clients(port, &stop);
    esock_inet_t *cs = NULL; /* the program's own bookkeeping is not counted */
    for (int i = 0; i < N; i++) {
        esock_inet_t c;
        if (esock_inet_accept(l, &c, ESOCK_INET_NO_OWNER, 10000)) {
            fprintf(stderr, "accept failed at %d\n", i);
            return 1;
        }
    }
    (void)cs;
    m = owner_recv(mb, 100); /* idle: nothing arrives */
    esock_inet_msg_free(m);
    finish("esock", before, heap_used(), child, stop);
    return 0;
}
