/*
 * getopt/setopt of every OS-level option in the table, on a socket of a
 * kind that supports it (raw fds: esock__getopt_fd / esock__setopt_fd are
 * what esock_getopt / esock_setopt run after pinning the socket).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "opt_tests.h"
#include "opt/optsys.h"
#include "sys/sys.h"

/*
 * The loop below runs twice: on the raw fd (esock__getopt_fd) and through
 * the public API on an esock_t wrapping a dup of that fd.
 */
static bool via_handle;

static int G(int fd, esock_opt_t o, esock_optval_t *v)
{
    if (!via_handle)
        return esock__getopt_fd(fd, o, v);
    esock_t s;
    int rc = esock_open_fd(fd, true, &s);
    if (rc)
        return rc;
    rc = esock_getopt(s, o, v);
    esock_close(s);
    return rc;
}

static int S(int fd, esock_opt_t o, const esock_optval_t *v)
{
    if (!via_handle)
        return esock__setopt_fd(fd, o, v);
    esock_t s;
    int rc = esock_open_fd(fd, true, &s);
    if (rc)
        return rc;
    rc = esock_setopt(s, o, v);
    esock_close(s);
    return rc;
}

static enum kind kind_for(esock_opt_t o)
{
    switch (o) {
    case ESOCK_OPT_SOCKET_PEERCRED:
    case ESOCK_OPT_SOCKET_PASSCRED:
        return K_LOCAL;
    case ESOCK_OPT_SOCKET_BROADCAST:
        return K_UDP4;
    case ESOCK_OPT_IP_HDRINCL:
    case ESOCK_OPT_IP_NODEFRAG:
    case ESOCK_OPT_IP_ROUTER_ALERT:
        return K_RAW4;
    case ESOCK_OPT_IPV6_CHECKSUM:
    case ESOCK_OPT_IPV6_ROUTER_ALERT:
        return K_RAW6;
    case ESOCK_OPT_IPV6_PKTOPTIONS:
        return K_TCP6;
    case ESOCK_OPT_IPV6_V6ONLY:
        return K_UDP6_UNBOUND;
    default:
        break;
    }
    switch (esock__opttab[o].level) {
    case ESOCK_LEVEL_IP:
    case ESOCK_LEVEL_UDP:
        return K_UDP4;
    case ESOCK_LEVEL_IPV6:
        return K_UDP6;
    case ESOCK_LEVEL_SCTP:
        return K_SCTP;
    default:
        return K_TCP4;
    }
}

/*
 * What Linux itself answers for a few options on the kinds above, so that a
 * failure of ours is never mistaken for the kernel's (and the reverse).
 */
static int linux_get_error(esock_opt_t o)
{
    switch (o) {
    case ESOCK_OPT_IPV6_AUTHHDR:      /* a name with no implementation: OTP 25 gets the same */
        return -ENOPROTOOPT;
    default:
        return 0;
    }
}

static int linux_set_error(esock_opt_t o)
{
    switch (o) {
    case ESOCK_OPT_SOCKET_SNDLOWAT: /* "not changeable on Linux" */
    case ESOCK_OPT_IPV6_AUTHHDR:
        return -ENOPROTOOPT;
    default:
        return 0;
    }
}

enum cmp { EXACT, ATLEAST, NOCMP };

/* A value different from the default, and how to compare what comes back. */
static enum cmp sample(esock_opt_t o, const esock_optval_t *cur, esock_optval_t *v)
{
    memset(v, 0, sizeof *v);
    v->type = cur->type;
    switch (cur->type) {
    case ESOCK_OVT_BOOL:
        v->u.b = !cur->u.b;
        return EXACT;
    case ESOCK_OVT_LINGER:
        v->u.linger.onoff = true, v->u.linger.linger = 5;
        return EXACT;
    case ESOCK_OVT_IP_TOS:
        v->u.i = ESOCK_IPTOS_LOWDELAY;
        return EXACT;
    case ESOCK_OVT_IPV6_HOPS:
        v->u.i = 7;
        return EXACT;
    case ESOCK_OVT_IP_PMTUDISC:
    case ESOCK_OVT_IPV6_PMTUDISC:
        v->u.i = cur->u.i == ESOCK_PMTUDISC_DO ? ESOCK_PMTUDISC_DONT : ESOCK_PMTUDISC_DO;
        return EXACT;
    case ESOCK_OVT_IN_ADDR:
        v->u.ip.family = ESOCK_IP4;
        v->u.ip.u.v4[0] = 127, v->u.ip.u.v4[3] = 1;
        return EXACT;
    case ESOCK_OVT_STRING:
        strcpy(v->u.str.s, o == ESOCK_OPT_TCP_CONGESTION ? "reno" : "lo");
        return EXACT;
    case ESOCK_OVT_INT:
        break;
    default:
        return NOCMP;
    }
    switch (o) {
    case ESOCK_OPT_SOCKET_RCVBUF:
    case ESOCK_OPT_SOCKET_SNDBUF:
    case ESOCK_OPT_SOCKET_RCVBUFFORCE:
    case ESOCK_OPT_SOCKET_SNDBUFFORCE:
        v->u.i = 12345; /* Linux doubles it */
        return ATLEAST;
    case ESOCK_OPT_SOCKET_SNDLOWAT:
        v->u.i = cur->u.i;
        return NOCMP;
    case ESOCK_OPT_SOCKET_DEBUG:
        v->u.i = 1;
        return EXACT;
    case ESOCK_OPT_IP_MULTICAST_TTL:
    case ESOCK_OPT_IP_MINTTL:
    case ESOCK_OPT_IP_TTL:
        v->u.i = 33;
        return EXACT;
    case ESOCK_OPT_IP_ROUTER_ALERT:
    case ESOCK_OPT_IPV6_ROUTER_ALERT:
        v->u.i = 1;
        return NOCMP; /* Linux reads back a boolean-ish state */
    case ESOCK_OPT_IPV6_CHECKSUM:
        v->u.i = 6;
        return EXACT;
    case ESOCK_OPT_IPV6_MULTICAST_IF:
        v->u.i = 1; /* lo */
        return EXACT;
    case ESOCK_OPT_IPV6_TCLASS:
        v->u.i = 0x20;
        return EXACT;
    case ESOCK_OPT_TCP_MAXSEG:
        v->u.i = 1000;
        return NOCMP; /* the kernel may clamp it */
    case ESOCK_OPT_SOCKET_BUSY_POLL:
        v->u.i = 10;
        return EXACT;
    default:
        v->u.i = cur->u.i + 3;
        return EXACT;
    }
}

/*
 * A value for a set-only option that the generic loop can set on its own;
 * false for those with a dedicated test below (memberships, msfilter,
 * addrform, md5sig) or with no value the OS accepts out of context.
 */
static bool set_only_sample(esock_opt_t o, esock_optval_t *v)
{
    memset(v, 0, sizeof *v);
    switch (o) {
    case ESOCK_OPT_SOCKET_RCVBUFFORCE:
    case ESOCK_OPT_SOCKET_SNDBUFFORCE:
        v->type = ESOCK_OVT_INT, v->u.i = 65536;
        return true;
    default:
        return false;
    }
}

static int expect_rc(int rc, int want, const char *what, const esock__optdef_t *d, enum kind k)
{
    if (rc != want) {
        print_error("%s {%s,%s} on %s: got %d (%s), want %d (%s)\n", what,
                    esock_level_name(d->level), d->name, opt_test_kind_name(k), rc,
                    esock_errname(rc), want, esock_errname(want));
        return 1;
    }
    return 0;
}

static void all_options(void)
{
    int fails = 0, got = 0, want_got = 0, roundtrips = 0, unsupported = 0, set_only = 0;
    for (int oi = 1; oi < ESOCK_OPT__COUNT; oi++) {
        esock_opt_t o = (esock_opt_t)oi;
        const esock__optdef_t *d = &esock__opttab[o];
        if (d->level == ESOCK_LEVEL_OTP)
            continue;
        enum kind k = kind_for(o);
        int aux[2];
        int fd = opt_test_open(k, aux);
        esock_optval_t v, v1, v2;
        memset(&v, 0, sizeof v);
        unsigned char raw[256];
        if (d->type == ESOCK_OVT_BYTES)
            v.type = ESOCK_OVT_BYTES, v.u.bytes.buf = raw, v.u.bytes.len = sizeof raw;
        if (!esock__opt_supported(o)) {
            /* unsupported: every call says so, before the OS is asked */
            unsupported++;
            int taux[2] = {-1, -1};
            int tfd = fd >= 0 ? fd : opt_test_open(K_TCP4, taux);
            if (d->access & ESOCK_OPT_GET)
                fails += expect_rc(G(tfd, o, &v), ESOCK_ENOTSUP_OPTION, "get", d, k);
            v.type = d->type;
            if (d->access & ESOCK_OPT_SET)
                fails += expect_rc(S(tfd, o, &v), ESOCK_ENOTSUP_OPTION, "set", d, k);
            if (tfd != fd)
                opt_test_close(tfd, taux);
            opt_test_close(fd, aux);
            continue;
        }
        if (fd < 0) {
            print_message("  skip {%s,%s}: cannot open a %s socket here\n", esock_level_name(d->level),
                          d->name, opt_test_kind_name(k));
            continue;
        }
        if (d->access & ESOCK_OPT_GET) {
            int rc = G(fd, o, &v);
            fails += expect_rc(rc, linux_get_error(o), "get", d, k);
            got += rc == 0;
            want_got += linux_get_error(o) == 0;
            if (rc == 0 && (d->access & ESOCK_OPT_SET) && d->type != ESOCK_OVT_BYTES) {
                enum cmp c = sample(o, &v, &v1);
                rc = S(fd, o, &v1);
                fails += expect_rc(rc, linux_set_error(o), "set", d, k);
                if (rc == 0 && c != NOCMP) {
                    memset(&v2, 0, sizeof v2);
                    fails += expect_rc(G(fd, o, &v2), 0, "get after set", d, k);
                    if (c == EXACT && !esock__optval_equal(&v1, &v2)) {
                        print_error("{%s,%s}: value did not round-trip\n", esock_level_name(d->level), d->name);
                        fails++;
                    }
                    if (c == ATLEAST && v2.u.i < v1.u.i) {
                        print_error("{%s,%s}: %d < %d\n", esock_level_name(d->level), d->name, v2.u.i, v1.u.i);
                        fails++;
                    }
                    roundtrips++;
                }
            }
        }
        if (d->access == ESOCK_OPT_SET && set_only_sample(o, &v1)) {
            fails += expect_rc(S(fd, o, &v1), 0, "set", d, k);
            set_only++;
        }
        opt_test_close(fd, aux);
    }
    print_message("  %d set (set-only)\n", set_only);
    print_message("  %d got, %d round-tripped, %d unsupported on this build\n", got, roundtrips,
                  unsupported);
    assert_int_equal(fails, 0);
    assert_int_equal(got, want_got);
    assert_true(got > 0);
}

static void every_option_is_got_and_roundtrips(void **state)
{
    (void)state;
    via_handle = false;
    all_options();
}

static void every_option_via_esock_t(void **state)
{
    (void)state;
    via_handle = true;
    all_options();
    via_handle = false;
    assert_int_equal(esock_number_of(), 0);
}

/* The page's invalid() reasons, in the order esock checks them. */
static void wrong_types_and_unknown_options(void **state)
{
    (void)state;
    int aux[2];
    int fd = opt_test_open(K_TCP4, aux);
    assert_true(fd >= 0);
    esock_optval_t v;
    memset(&v, 0, sizeof v);
    /* unknown ids */
    assert_int_equal(esock__getopt_fd(fd, ESOCK_OPT_NONE, &v), ESOCK_EINVAL_OPTION);
    assert_int_equal(esock__getopt_fd(fd, ESOCK_OPT__COUNT, &v), ESOCK_EINVAL_OPTION);
    assert_int_equal(esock__setopt_fd(fd, (esock_opt_t)9999, &v), ESOCK_EINVAL_OPTION);
    /* setting a get-only option: {invalid, {socket_option, {socket, type}}} */
    v.type = ESOCK_OVT_SOCKTYPE, v.u.i = SOCK_STREAM;
    assert_int_equal(esock__setopt_fd(fd, ESOCK_OPT_SOCKET_TYPE, &v), ESOCK_EINVAL_OPTION);
    /* getting a set-only option: {invalid, {socket_option, {ip, add_membership}}} */
    assert_int_equal(esock__getopt_fd(fd, ESOCK_OPT_IP_ADD_MEMBERSHIP, &v), ESOCK_EINVAL_OPTION);
    /* wrong value type: {invalid, {socket_option, {socket, reuseaddr}, 17}} */
    v.type = ESOCK_OVT_INT, v.u.i = 17;
    assert_int_equal(esock__setopt_fd(fd, ESOCK_OPT_SOCKET_REUSEADDR, &v), ESOCK_EINVAL_VALUE);
    v.type = ESOCK_OVT_IP_TOS, v.u.i = 300;
    assert_int_equal(esock__setopt_fd(fd, ESOCK_OPT_IP_TOS, &v), ESOCK_EINVAL_VALUE);
    v.type = ESOCK_OVT_LINGER, v.u.linger.onoff = true, v.u.linger.linger = -5;
    assert_int_equal(esock__setopt_fd(fd, ESOCK_OPT_SOCKET_LINGER, &v), ESOCK_EINVAL_VALUE);
    assert_int_equal(esock__setopt_fd(fd, ESOCK_OPT_SOCKET_LINGER, NULL), ESOCK_EINVAL_VALUE);
    /* an option for another protocol: the OS's enotsup (tcp nodelay on udp) */
    int uaux[2];
    int u = opt_test_open(K_UDP4, uaux);
    assert_true(u >= 0);
    assert_int_equal(esock__getopt_fd(u, ESOCK_OPT_TCP_NODELAY, &v), -EOPNOTSUPP);
    assert_string_equal(esock_errname(-EOPNOTSUPP), "enotsup");
    opt_test_close(u, uaux);
    /* a raw (bytes) option needs the caller's buffer */
    memset(&v, 0, sizeof v);
    assert_int_equal(esock__getopt_fd(fd, ESOCK_OPT_IP_OPTIONS, &v), ESOCK_EINVAL_VALUE);
    /* a closed fd: the OS's ebadf */
    opt_test_close(fd, aux);
    assert_int_equal(esock__getopt_fd(fd, ESOCK_OPT_SOCKET_KEEPALIVE, &v), -EBADF);
}

static void linger_abort_and_get_only_values(void **state)
{
    (void)state;
    int aux[2];
    int fd = opt_test_open(K_TCP4, aux);
    assert_true(fd >= 0);
    esock_optval_t v = {.type = ESOCK_OVT_LINGER};
    assert_int_equal(esock__getopt_fd(fd, ESOCK_OPT_SOCKET_LINGER, &v), 0);
    assert_false(v.u.linger.onoff);
    /* abort = {true, 0}: set only, read back as the plain value (as OTP does) */
    v.u.linger.onoff = true, v.u.linger.linger = 0;
    assert_int_equal(esock__setopt_fd(fd, ESOCK_OPT_SOCKET_LINGER, &v), 0);
    memset(&v, 0, sizeof v);
    assert_int_equal(esock__getopt_fd(fd, ESOCK_OPT_SOCKET_LINGER, &v), 0);
    assert_true(v.u.linger.onoff);
    assert_int_equal(v.u.linger.linger, 0);
    assert_int_equal(esock__getopt_fd(fd, ESOCK_OPT_SOCKET_TYPE, &v), 0);
    assert_int_equal(v.u.i, SOCK_STREAM);
    assert_int_equal(esock__getopt_fd(fd, ESOCK_OPT_SOCKET_DOMAIN, &v), 0);
    assert_int_equal(v.u.i, AF_INET);
    assert_int_equal(esock__getopt_fd(fd, ESOCK_OPT_SOCKET_PROTOCOL, &v), 0);
    assert_int_equal(v.u.i, IPPROTO_TCP);
    assert_int_equal(esock__getopt_fd(fd, ESOCK_OPT_SOCKET_ERROR, &v), 0);
    assert_int_equal(v.u.i, 0);
    assert_int_equal(esock__getopt_fd(fd, ESOCK_OPT_SOCKET_ACCEPTCONN, &v), 0);
    assert_false(v.u.b);
    assert_int_equal(esock__getopt_fd(aux[0], ESOCK_OPT_SOCKET_ACCEPTCONN, &v), 0);
    assert_true(v.u.b);
    assert_int_equal(esock__getopt_fd(fd, ESOCK_OPT_TCP_INFO, &v), 0);
    assert_int_equal(v.u.tcp_info.state, 1 /* TCP_ESTABLISHED */);
    opt_test_close(fd, aux);
    /* SO_ERROR after a refused connect: -ECONNREFUSED, then cleared */
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(l, (struct sockaddr *)&a, &al), 0);
    close(l); /* nobody listens on that port now */
    int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int rc = connect(c, (struct sockaddr *)&a, sizeof a);
    if (rc < 0 && errno == EINPROGRESS) {
        for (int i = 0; i < 100; i++) {
            usleep(10000);
            assert_int_equal(esock__getopt_fd(c, ESOCK_OPT_SOCKET_ERROR, &v), 0);
            if (v.u.i != 0)
                break;
        }
        assert_int_equal(v.u.i, -ECONNREFUSED);
        assert_int_equal(esock__getopt_fd(c, ESOCK_OPT_SOCKET_ERROR, &v), 0);
        assert_int_equal(v.u.i, 0);
    } else {
        assert_int_equal(errno, ECONNREFUSED);
    }
    close(c);
}

static esock_ip_t ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    esock_ip_t ip;
    memset(&ip, 0, sizeof ip);
    ip.family = ESOCK_IP4;
    ip.u.v4[0] = a, ip.u.v4[1] = b, ip.u.v4[2] = c, ip.u.v4[3] = d;
    return ip;
}

/* Multicast join and leave on loopback, every set-only ip option. */
static void multicast_join_leave_on_loopback(void **state)
{
    (void)state;
    int aux[2];
    int u = opt_test_open(K_UDP4, aux);
    assert_true(u >= 0);
    esock_optval_t m = {.type = ESOCK_OVT_IP_MREQ};
    m.u.mreq.multiaddr = ip4(239, 1, 2, 3);
    m.u.mreq.interface = ip4(127, 0, 0, 1);
    assert_int_equal(esock__setopt_fd(u, ESOCK_OPT_IP_ADD_MEMBERSHIP, &m), 0);
    /* joining twice is the OS's eaddrinuse */
    assert_int_equal(esock__setopt_fd(u, ESOCK_OPT_IP_ADD_MEMBERSHIP, &m), -EADDRINUSE);
    esock_optval_t s = {.type = ESOCK_OVT_IP_MREQ_SOURCE};
    s.u.mreq_source.multiaddr = m.u.mreq.multiaddr;
    s.u.mreq_source.interface = m.u.mreq.interface;
    s.u.mreq_source.sourceaddr = ip4(127, 0, 0, 9);
    assert_int_equal(esock__setopt_fd(u, ESOCK_OPT_IP_BLOCK_SOURCE, &s), 0);
    assert_int_equal(esock__setopt_fd(u, ESOCK_OPT_IP_UNBLOCK_SOURCE, &s), 0);
    /* msfilter: include only one source, then the null form */
    esock_ip_t src[1] = {ip4(127, 0, 0, 7)};
    esock_optval_t f = {.type = ESOCK_OVT_IP_MSFILTER};
    f.u.msfilter.multiaddr = m.u.mreq.multiaddr;
    f.u.msfilter.interface = m.u.mreq.interface;
    f.u.msfilter.mode = ESOCK_MCAST_INCLUDE;
    f.u.msfilter.nsrc = 1;
    f.u.msfilter.slist = src;
    assert_int_equal(esock__setopt_fd(u, ESOCK_OPT_IP_MSFILTER, &f), 0);
    f.u.msfilter.mode = ESOCK_MCAST_EXCLUDE;
    f.u.msfilter.nsrc = 0;
    assert_int_equal(esock__setopt_fd(u, ESOCK_OPT_IP_MSFILTER, &f), 0);
    f.u.msfilter.null = true; /* NULL pointer, size 0: the OS's einval */
    assert_int_equal(esock__setopt_fd(u, ESOCK_OPT_IP_MSFILTER, &f), -EINVAL);
    assert_int_equal(esock__setopt_fd(u, ESOCK_OPT_IP_DROP_MEMBERSHIP, &m), 0);
    /* leaving again: not a member */
    assert_int_equal(esock__setopt_fd(u, ESOCK_OPT_IP_DROP_MEMBERSHIP, &m), -EADDRNOTAVAIL);
    /* source-specific join and leave */
    s.u.mreq_source.multiaddr = ip4(232, 1, 2, 3);
    assert_int_equal(esock__setopt_fd(u, ESOCK_OPT_IP_ADD_SOURCE_MEMBERSHIP, &s), 0);
    assert_int_equal(esock__setopt_fd(u, ESOCK_OPT_IP_DROP_SOURCE_MEMBERSHIP, &s), 0);
    /* the wrong value type for a membership */
    assert_int_equal(esock__setopt_fd(u, ESOCK_OPT_IP_ADD_MEMBERSHIP, &s), ESOCK_EINVAL_VALUE);
    opt_test_close(u, aux);

    /* IPv6: join ff02::1:3 on lo by index, both spellings */
    int u6 = opt_test_open(K_UDP6, aux);
    if (u6 < 0) {
        print_message("  no ::1 here; IPv6 part skipped\n");
        return;
    }
    esock_optval_t m6 = {.type = ESOCK_OVT_IPV6_MREQ};
    m6.u.mreq6.multiaddr.family = ESOCK_IP6;
    m6.u.mreq6.multiaddr.u.v6[0] = 0xff02;
    m6.u.mreq6.multiaddr.u.v6[6] = 1;
    m6.u.mreq6.multiaddr.u.v6[7] = 3;
    m6.u.mreq6.interface = if_nametoindex("lo");
    int rc = esock__setopt_fd(u6, ESOCK_OPT_IPV6_ADD_MEMBERSHIP, &m6);
    assert_int_equal(rc, 0);
    assert_int_equal(esock__setopt_fd(u6, ESOCK_OPT_IPV6_DROP_MEMBERSHIP, &m6), 0);
    if (esock__opt_supported(ESOCK_OPT_IPV6_JOIN_GROUP)) {
        assert_int_equal(esock__setopt_fd(u6, ESOCK_OPT_IPV6_JOIN_GROUP, &m6), 0);
        assert_int_equal(esock__setopt_fd(u6, ESOCK_OPT_IPV6_LEAVE_GROUP, &m6), 0);
    }
    opt_test_close(u6, aux);
}

/* ipv6 addrform: a UDP socket connected to a v4-mapped address becomes inet. */
static void ipv6_addrform(void **state)
{
    (void)state;
    int u4aux[2];
    int u4 = opt_test_open(K_UDP4, u4aux);
    int s6 = socket(AF_INET6, SOCK_DGRAM, 0);
    if (s6 < 0 || u4 < 0) {
        opt_test_close(u4, u4aux);
        skip();
    }
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    assert_int_equal(getsockname(u4, (struct sockaddr *)&a, &al), 0);
    struct sockaddr_in6 m = {.sin6_family = AF_INET6, .sin6_port = a.sin_port};
    m.sin6_addr.s6_addr[10] = m.sin6_addr.s6_addr[11] = 0xff;
    memcpy(&m.sin6_addr.s6_addr[12], &a.sin_addr, 4);
    esock_optval_t v = {.type = ESOCK_OVT_DOMAIN, .u.i = AF_INET};
    /* not yet connected: the OS refuses */
    assert_int_equal(esock__setopt_fd(s6, ESOCK_OPT_IPV6_ADDRFORM, &v), -ENOTCONN);
    assert_int_equal(connect(s6, (struct sockaddr *)&m, sizeof m), 0);
    assert_int_equal(esock__setopt_fd(s6, ESOCK_OPT_IPV6_ADDRFORM, &v), 0);
    assert_int_equal(esock__getopt_fd(s6, ESOCK_OPT_SOCKET_DOMAIN, &v), 0);
    assert_int_equal(v.u.i, AF_INET);
    close(s6);
    opt_test_close(u4, u4aux);
}

static void tcp_md5sig_is_set_only(void **state)
{
    (void)state;
    if (!esock__opt_supported(ESOCK_OPT_TCP_MD5SIG))
        skip();
    int aux[2];
    int l = socket(AF_INET, SOCK_STREAM, 0);
    aux[0] = aux[1] = -1;
    struct tcp_md5sig sig;
    memset(&sig, 0, sizeof sig);
    struct sockaddr_in *a = (struct sockaddr_in *)&sig.tcpm_addr;
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sig.tcpm_keylen = 4;
    memcpy(sig.tcpm_key, "key!", 4);
    esock_optval_t v = {.type = ESOCK_OVT_BYTES};
    v.u.bytes.buf = &sig, v.u.bytes.len = sizeof sig;
    assert_int_equal(esock__setopt_fd(l, ESOCK_OPT_TCP_MD5SIG, &v), 0);
    assert_int_equal(esock__getopt_fd(l, ESOCK_OPT_TCP_MD5SIG, &v), ESOCK_EINVAL_OPTION);
    opt_test_close(l, aux);
}

/* getopt_native / setopt_native by level+option numbers. */
static void native_access(void **state)
{
    (void)state;
    int aux[2];
    int fd = opt_test_open(K_TCP4, aux);
    int lvl, opt;
    assert_int_equal(esock_opt_native(ESOCK_OPT_SOCKET_RCVBUF, &lvl, &opt), 0);
    int v = 32768;
    assert_int_equal(esock__setsockopt_fd(fd, lvl, opt, &v, sizeof v), 0);
    int back = 0;
    size_t len = sizeof back;
    assert_int_equal(esock__getsockopt_fd(fd, SOL_SOCKET, SO_RCVBUF, &back, &len), 0);
    assert_int_equal(len, sizeof back);
    assert_true(back >= 32768);
    /* the typed get agrees with the native one */
    esock_optval_t t;
    assert_int_equal(esock__getopt_fd(fd, ESOCK_OPT_SOCKET_RCVBUF, &t), 0);
    assert_int_equal(t.u.i, back);
    /* unknown native option: the OS's enoprotoopt */
    len = sizeof back;
    assert_int_equal(esock__getsockopt_fd(fd, SOL_SOCKET, 99999, &back, &len), -ENOPROTOOPT);
    opt_test_close(fd, aux);
}

/* The OS is reached through the sys seam: its errors come back untranslated. */
static int fail_getsockopt(int fd, int l, int o, void *b, socklen_t *len)
{
    (void)fd, (void)l, (void)o, (void)b, (void)len;
    errno = EIO;
    return -1;
}

static void *fail_malloc(size_t n)
{
    (void)n;
    return NULL;
}

static void os_errors_pass_through_the_seam(void **state)
{
    (void)state;
    int aux[2];
    int fd = opt_test_open(K_UDP4, aux);
    esock_optval_t v;
    esock__sys.getsockopt = fail_getsockopt;
    int rc = esock__getopt_fd(fd, ESOCK_OPT_SOCKET_RCVBUF, &v);
    esock__sys_reset();
    assert_int_equal(rc, -EIO);
    /* a long msfilter source list is allocated; allocation failure is -ENOMEM */
    static esock_ip_t src[200];
    for (int i = 0; i < 200; i++)
        src[i] = ip4(10, 0, (uint8_t)(i >> 8), (uint8_t)i);
    memset(&v, 0, sizeof v);
    v.type = ESOCK_OVT_IP_MSFILTER;
    v.u.msfilter.multiaddr = ip4(239, 9, 9, 9);
    v.u.msfilter.interface = ip4(127, 0, 0, 1);
    v.u.msfilter.mode = ESOCK_MCAST_INCLUDE;
    v.u.msfilter.nsrc = 200;
    v.u.msfilter.slist = src;
    esock__sys.malloc = fail_malloc;
    rc = esock__setopt_fd(fd, ESOCK_OPT_IP_MSFILTER, &v);
    esock__sys_reset();
    assert_int_equal(rc, -ENOMEM);
    /* and with memory, the OS answers (lo group not joined: eaddrnotavail / einval / enobufs) */
    rc = esock__setopt_fd(fd, ESOCK_OPT_IP_MSFILTER, &v);
    assert_true(rc < 0 && rc > -ESOCK_ERR_BASE);
    opt_test_close(fd, aux);
}

const struct CMUnitTest opt_fd_tests[] = {
    cmocka_unit_test(os_errors_pass_through_the_seam),
    cmocka_unit_test(every_option_is_got_and_roundtrips),
    cmocka_unit_test(every_option_via_esock_t),
    cmocka_unit_test(wrong_types_and_unknown_options),
    cmocka_unit_test(linger_abort_and_get_only_values),
    cmocka_unit_test(multicast_join_leave_on_loopback),
    cmocka_unit_test(ipv6_addrform),
    cmocka_unit_test(tcp_md5sig_is_set_only),
    cmocka_unit_test(native_access),
};
OPT_NTESTS(opt_fd);
