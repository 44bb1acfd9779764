/* test_socket: the socket module. */
#include "helpers.h"
#include "sys/sys.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int ms_since(int64_t t0)
{
    return (int)(now_ms() - t0);
}

esock_sockaddr_t loopback(int family)
{
    esock_ip_t ip;
    if (family == AF_INET6)
        esock_parse_address("::1", 3, &ip);
    else
        esock_parse_address("127.0.0.1", 9, &ip);
    esock_sockaddr_t sa;
    esock_sockaddr_ip(&sa, &ip, 0);
    return sa;
}

int tcp_pair(int family, esock_t *client, esock_t *server)
{
    esock_t l;
    int rc = esock_open(family, SOCK_STREAM, 0, &l);
    if (rc == -EAFNOSUPPORT)
        return 77;
    assert_int_equal(rc, 0);
    esock_sockaddr_t sa = loopback(family);
    rc = esock_bind(l, &sa);
    if (rc == -EADDRNOTAVAIL || rc == -EAFNOSUPPORT) {
        esock_close(l);
        return 77;
    }
    assert_int_equal(rc, 0);
    ok(esock_listen(l, ESOCK_DEFAULT_BACKLOG));
    ok(esock_sockname(l, &sa));
    ok(esock_open(family, SOCK_STREAM, 0, client));
    ok(esock_connect(*client, &sa, 2000, NULL));
    ok(esock_accept(l, 2000, server, NULL));
    ok(esock_close(l));
    return 0;
}

esock_t tcp_listener(esock_sockaddr_t *sa, int backlog)
{
    esock_t l;
    ok(esock_open(AF_INET, SOCK_STREAM, 0, &l));
    *sa = loopback(AF_INET);
    ok(esock_bind(l, sa));
    ok(esock_listen(l, backlog));
    ok(esock_sockname(l, sa));
    return l;
}

int faults_on(void)
{
    struct esock__faults f;
    esock__sys_init();
    esock__sys_faults(&f);
    return f.eagain_pct > 0 || f.short_pct > 0 || f.eintr_pct > 0;
}

int check_no_sockets(void **state)
{
    (void)state;
    assert_int_equal(esock_number_of(), 0);
    return 0;
}

int main(void)
{
    const struct {
        const struct CMUnitTest *tests;
        size_t count;
    } groups[] = {
        {socket_basic_tests, socket_basic_count}, {socket_async_tests, socket_async_count},
        {socket_thread_tests, socket_thread_count}, {socket_queue_tests, socket_queue_count},
        {socket_read_tests, socket_read_count},
    };
    size_t n = 0;
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
        n += groups[g].count;
    struct CMUnitTest *all = calloc(n, sizeof *all);
    size_t k = 0;
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
        for (size_t i = 0; i < groups[g].count; i++)
            all[k++] = groups[g].tests[i];
    for (size_t i = 0; i < n; i++)
        all[i].teardown_func = check_no_sockets;
    int rc = _cmocka_run_group_tests("socket", all, n, NULL, NULL);
    free(all);
    return rc;
}
