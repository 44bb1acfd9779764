/* test_socket_msg: sendmsg/recvmsg, control messages, sendfile. */
#include "msg_tests.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

int faults_on(void)
{
    const char *f = getenv("ESOCK_FAULTS");
    return f != NULL && *f != 0;
}

esock_sockaddr_t msg_loopback(int family)
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

int udp_bound(int family, esock_t *s, esock_sockaddr_t *addr)
{
    int rc = esock_open(family, SOCK_DGRAM, 0, s);
    if (rc == -EAFNOSUPPORT)
        return 77;
    assert_int_equal(rc, 0);
    esock_sockaddr_t sa = msg_loopback(family);
    rc = esock_bind(*s, &sa);
    if (rc == -EADDRNOTAVAIL) {
        esock_close(*s);
        return 77;
    }
    assert_int_equal(rc, 0);
    ok(esock_sockname(*s, addr));
    return 0;
}

void tcp_pair4(esock_t *client, esock_t *server)
{
    esock_t l;
    ok(esock_open(AF_INET, SOCK_STREAM, 0, &l));
    esock_sockaddr_t sa = msg_loopback(AF_INET);
    ok(esock_bind(l, &sa));
    ok(esock_listen(l, 5));
    ok(esock_sockname(l, &sa));
    ok(esock_open(AF_INET, SOCK_STREAM, 0, client));
    ok(esock_connect(*client, &sa, 5000, NULL));
    ok(esock_accept(l, 5000, server, NULL));
    ok(esock_close(l));
}

void set_int_opt(esock_t s, int level, int name, int value)
{
    int fd = esock_fd(s);
    assert_true(fd >= 0);
    ok(setsockopt(fd, level, name, &value, sizeof value));
}

esock_counters_t counters_of(esock_t s)
{
    esock_socket_info_t info;
    ok(esock_info_socket(s, &info));
    return info.counters;
}

int msg_check_no_sockets(void **state)
{
    (void)state;
    assert_int_equal(esock_number_of(), 0);
    return 0;
}

int main(void)
{
    int failed = 0;
    failed += _cmocka_run_group_tests("cmsg", cmsg_tests, cmsg_count, NULL, NULL);
    failed += _cmocka_run_group_tests("msg", msg_tests, msg_count, NULL, NULL);
    failed += _cmocka_run_group_tests("sendfile", sendfile_tests, sendfile_count, NULL, NULL);
    return failed ? 1 : 0;
}
