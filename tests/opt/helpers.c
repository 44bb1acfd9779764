/* Sockets of every kind the option tests need (raw fds, loopback only). */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "opt_tests.h"
#include "opt/optsys.h"

static const char *const kind_names[K__COUNT] = {"tcp4", "udp4", "tcp6", "udp6", "udp6 unbound",
                                                 "raw4", "raw6", "local", "sctp"};

const char *opt_test_kind_name(enum kind k)
{
    return kind_names[k];
}

static socklen_t loop_addr(int domain, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (domain == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return sizeof *a;
    }
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
    a->sin6_family = AF_INET6;
    a->sin6_addr = in6addr_loopback;
    return sizeof *a;
}

/* A connected TCP client (aux: listener, accepted peer). */
static int tcp_pair(int domain, int aux[2])
{
    struct sockaddr_storage ss;
    socklen_t sl = loop_addr(domain, &ss);
    int l = socket(domain, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (l < 0)
        return -1;
    if (bind(l, (struct sockaddr *)&ss, sl) < 0 || listen(l, 1) < 0 ||
        getsockname(l, (struct sockaddr *)&ss, &sl) < 0) {
        close(l);
        return -1;
    }
    int c = socket(domain, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c < 0 || connect(c, (struct sockaddr *)&ss, sl) < 0) {
        close(l);
        if (c >= 0)
            close(c);
        return -1;
    }
    aux[0] = l;
    aux[1] = accept(l, NULL, NULL);
    return c;
}

/* A UDP socket bound to loopback and connected to itself (IP_MTU needs a peer). */
static int udp_self(int domain)
{
    struct sockaddr_storage ss;
    socklen_t sl = loop_addr(domain, &ss);
    int u = socket(domain, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (u < 0)
        return -1;
    if (bind(u, (struct sockaddr *)&ss, sl) < 0 || getsockname(u, (struct sockaddr *)&ss, &sl) < 0 ||
        connect(u, (struct sockaddr *)&ss, sl) < 0) {
        close(u);
        return -1;
    }
    return u;
}

int opt_test_open(enum kind k, int aux[2])
{
    aux[0] = aux[1] = -1;
    int sv[2];
    switch (k) {
    case K_TCP4:
        return tcp_pair(AF_INET, aux);
    case K_TCP6:
        return tcp_pair(AF_INET6, aux);
    case K_UDP4:
        return udp_self(AF_INET);
    case K_UDP6:
        return udp_self(AF_INET6);
    case K_UDP6_UNBOUND:
        return socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    case K_RAW4:
        return socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_UDP);
    case K_RAW6:
        return socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
    case K_LOCAL:
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
            return -1;
        aux[0] = sv[1];
        return sv[0];
    case K_SCTP:
        return socket(AF_INET, SOCK_SEQPACKET | SOCK_CLOEXEC, IPPROTO_SCTP);
    default:
        return -1;
    }
}

void opt_test_close(int fd, int aux[2])
{
    if (fd >= 0)
        close(fd);
    for (int i = 0; i < 2; i++)
        if (aux[i] >= 0)
            close(aux[i]);
}
