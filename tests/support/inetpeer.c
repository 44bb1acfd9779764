/* An inet listener and a raw peer; see inetpeer.h. */
#include "inetpeer.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "testnet.h"

esock_inet_t inet_listener(const esock_inet_opt_t *o, size_t n, esock_mbox_t owner, uint16_t *port)
{
    esock_inet_t l = {0};
    esock_sockaddr_t a = lo4(0);
    assert_int_equal(esock_inet_listen(&l, &a, 64, o, n, owner), 0);
    assert_int_equal(esock_inet_port(l, port), 0);
    return l;
}

int inet_peer_pair(const esock_inet_opt_t *o, size_t n, esock_mbox_t owner, esock_inet_t *l,
                   esock_inet_t *a)
{
    uint16_t port;
    *l = inet_listener(o, n, owner, &port);
    int fd = raw_connect(port);
    assert_int_equal(esock_inet_accept(*l, a, owner, 2000), 0);
    return fd;
}

int inet_peer_accepted(const esock_inet_opt_t *o, size_t n, esock_mbox_t owner, esock_inet_t *a)
{
    esock_inet_t l;
    int fd = inet_peer_pair(o, n, owner, &l, a);
    assert_int_equal(esock_inet_close(l), 0);
    return fd;
}
