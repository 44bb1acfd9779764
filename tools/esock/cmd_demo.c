/*
 * esock demo: the socket page's client/server example over loopback (open,
 * bind, listen, accept, connect, send, shutdown, recv, close), printing the
 * socket table while the sockets are open and the counters afterwards.
 */
#include "cli.h"

#include <string.h>

#define CHECK(what, expr)                              \
    do {                                               \
        int rc_ = (expr);                              \
        if (rc_ < 0)                                   \
            return cli_fail("demo", what, rc_);        \
    } while (0)

static void show_counters(const char *who, esock_t s)
{
    esock_socket_info_t in;
    if (esock_info_socket(s, &in) != 0)
        return;
    printf("  %s: read_byte=%llu read_pkg=%llu write_byte=%llu write_pkg=%llu acc_success=%llu\n",
           who, (unsigned long long)in.counters.read_byte, (unsigned long long)in.counters.read_pkg,
           (unsigned long long)in.counters.write_byte, (unsigned long long)in.counters.write_pkg,
           (unsigned long long)in.counters.acc_success);
}

int cmd_demo(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, "demo"))
        return EXIT_OK;
    esock_t lsock, client, server;
    esock_ip_t lo;
    esock_sockaddr_t addr;
    char text[64];

    puts("== socket module: the client/server example of socket(3erl) ==");
    CHECK("open", esock_open(AF_INET, SOCK_STREAM, IPPROTO_TCP, &lsock));
    esock_parse_address("127.0.0.1", 9, &lo);
    esock_sockaddr_ip(&addr, &lo, 0);
    CHECK("bind", esock_bind(lsock, &addr));
    CHECK("sockname", esock_sockname(lsock, &addr));
    esock_sockaddr_format(&addr, text, sizeof text);
    printf("server: listening on %s (port 0 picked %u)\n", text, addr.u.in.port);
    CHECK("listen", esock_listen(lsock, ESOCK_DEFAULT_BACKLOG));
    CHECK("open", esock_open(AF_INET, SOCK_STREAM, 0, &client));
    CHECK("connect", esock_connect(client, &addr, 5000, NULL));
    CHECK("accept", esock_accept(lsock, 5000, &server, NULL));
    puts("client: connected; server: accepted");

    puts("\nsocket table (i()):");
    esock_i(stdout, 0, 0, 0);

    const char *msg = "hello from the esock demo";
    size_t n;
    CHECK("send", esock_send(client, msg, strlen(msg), 0, 5000, &n, NULL));
    printf("\nclient: sent %zu bytes, then shutdown(write)\n", n);
    CHECK("shutdown", esock_shutdown(client, SHUT_WR));
    char buf[128];
    size_t total = 0;
    for (;;) {
        int rc = esock_recv(server, buf + total, 0, sizeof buf - total, 0, 5000, &n, NULL);
        total += n;
        if (rc == ESOCK_ECLOSED)
            break; /* the client's shutdown */
        CHECK("recv", rc);
    }
    printf("server: received \"%.*s\" and then closed\n", (int)total, buf);
    CHECK("send", esock_send(server, buf, total, 0, 5000, &n, NULL));
    CHECK("recv", esock_recv(client, buf, total, sizeof buf, 0, 5000, &n, NULL));
    printf("client: echo came back (%zu bytes)\n", n);

    puts("\ncounters (info(Socket)):");
    show_counters("client", client);
    show_counters("server", server);
    CHECK("close", esock_close(server));
    CHECK("close", esock_close(client));
    CHECK("close", esock_close(lsock));
    printf("\nsockets open after close: %d\n", esock_number_of());
    return EXIT_OK;
}
