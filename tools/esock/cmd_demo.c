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

/*
 * The same exchange through the inet layer (gen_tcp) with {packet, 4}: the
 * server socket is active and owned by a mailbox (its "process"), so each
 * message arrives as {tcp, S, Data}; the client is passive and uses recv.
 */
static int inet_demo(void)
{
    esock_mbox_t mb;
    esock_inet_t l, c, a;
    esock_sockaddr_t addr;
    esock_ip_t lo;
    char text[64];
    int rc;

    puts("\n== inet layer: the same exchange with gen_tcp and {packet,4} ==");
    CHECK("mailbox", esock_mbox_create(&mb));
    const esock_inet_opt_t o[] = {esock_inet_opt_int(ESOCK_IOPT_PACKET, ESOCK_INET_PACKET_4),
                                  esock_inet_opt_int(ESOCK_IOPT_MODE, 1),
                                  esock_inet_opt_int(ESOCK_IOPT_ACTIVE, ESOCK_INET_ACTIVE_TRUE)};
    const esock_inet_opt_t co[] = {o[0], o[1], esock_inet_opt_int(ESOCK_IOPT_ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
    esock_parse_address("127.0.0.1", 9, &lo);
    esock_sockaddr_ip(&addr, &lo, 0);
    CHECK("gen_tcp:listen", esock_inet_listen(&l, &addr, 0, o, 3, mb));
    CHECK("inet:sockname", esock_inet_sockname(l, &addr));
    esock_sockaddr_format(&addr, text, sizeof text);
    printf("server: gen_tcp:listen(0, [binary, {packet,4}, {active,true}]) -> %s\n", text);
    CHECK("gen_tcp:connect", esock_inet_connect(&c, &addr, co, 3, ESOCK_INET_NO_OWNER, 5000));
    CHECK("gen_tcp:accept", esock_inet_accept(l, &a, ESOCK_INET_NO_OWNER, 5000));
    puts("client: connected (passive); server: accepted (active, owned by a mailbox)");

    puts("\ninet:i():");
    esock_inet_i(stdout, ESOCK_INET_I_ALL, NULL, 0, true);

    const char *words[] = {"ping", "hello, {packet,4}", ""};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        CHECK("gen_tcp:send", esock_inet_send(c, words[i], strlen(words[i])));
        esock_msg_t raw;
        CHECK("receive", esock_mbox_recv(mb, &raw, 5000));
        esock_inet_msg_t *m = esock_inet_msg(&raw);
        if (m == NULL || m->kind != ESOCK_INET_MSG_DATA) {
            esock_msg_free(&raw);
            return cli_fail("demo", "receive {tcp,S,Data}", -EPROTO);
        }
        fputs("server: got {tcp,S,", stdout);
        term_binary(stdout, m->data, m->len);
        puts("}, sending it back");
        rc = esock_inet_send(a, m->data, m->len);
        esock_inet_msg_free(m);
        CHECK("gen_tcp:send", rc);
        char buf[64];
        size_t got;
        CHECK("gen_tcp:recv", esock_inet_recv(c, buf, sizeof buf, 0, &got, 5000));
        fputs("client: gen_tcp:recv(S, 0) -> {ok,", stdout);
        term_binary(stdout, buf, got);
        puts("}");
    }

    puts("\ninet:getstat/1 after the exchange:");
    const char *who[] = {"client", "server"};
    esock_inet_t socks[] = {c, a};
    for (int k = 0; k < 2; k++) {
        uint64_t v[ESOCK_STAT_COUNT_];
        CHECK("inet:getstat", esock_inet_getstat(socks[k], NULL, 0, v));
        printf("  %s: [", who[k]);
        for (int i = 0; i < ESOCK_STAT_COUNT_; i++)
            printf("%s{%s,%llu}", i ? "," : "", esock_inet_statname((esock_inet_stat_t)i),
                   (unsigned long long)v[i]);
        puts("]");
    }
    CHECK("gen_tcp:shutdown", esock_inet_shutdown(c, SHUT_WR));
    esock_msg_t raw;
    if (esock_mbox_recv(mb, &raw, 5000) == 0) {
        esock_inet_msg_t *m = esock_inet_msg(&raw);
        if (m && m->kind == ESOCK_INET_MSG_CLOSED)
            puts("\nserver: got {tcp_closed,S} after the client's shutdown(write)");
        if (m)
            esock_inet_msg_free(m);
        else
            esock_msg_free(&raw);
    }
    CHECK("gen_tcp:close", esock_inet_close(a));
    CHECK("gen_tcp:close", esock_inet_close(c));
    CHECK("gen_tcp:close", esock_inet_close(l));
    esock_mbox_destroy(mb);
    printf("inet sockets open after close: %zu\n", esock_inet_count());
    return EXIT_OK;
}

int cmd_demo(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, "demo"))
        return EXIT_OK;
    if (argc > 1) {
        fprintf(stderr, "esock demo: unknown argument %s (demo takes none)\n", argv[1]);
        return EXIT_USAGE;
    }
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
    return inet_demo();
}
