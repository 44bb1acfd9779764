/* getifaddrs: the OTP grouping rules, lo, and {netns, Path}. */
#include <esock/resolve.h>

#include "resolve/resolve_int.h"
#include "tests.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool is_ip(const esock_ifopt_t *o, int a, int b, int c, int d)
{
    return o->u.ip.family == ESOCK_IP4 && o->u.ip.u.v4[0] == a && o->u.ip.u.v4[1] == b &&
           o->u.ip.u.v4[2] == c && o->u.ip.u.v4[3] == d;
}

/* The rules of ref/inet.txt, checked on every interface of a list. */
static void assert_otp_rules(const esock_ifaddrs_t *ifa)
{
    for (size_t i = 0; i < ifa->count; i++) {
        const esock_ifaddrs_if_t *f = &ifa->ifs[i];
        assert_true(f->name[0] != '\0');
        assert_true(f->nopts >= 1);
        /* {flags} is mandatory and comes first: it applies to what follows. */
        assert_int_equal(f->opts[0].kind, ESOCK_IFOPT_FLAGS);
        unsigned flags = 0;
        bool hw_seen = false;
        for (size_t j = 0; j < f->nopts; j++) {
            const esock_ifopt_t *o = &f->opts[j];
            switch (o->kind) {
            case ESOCK_IFOPT_FLAGS:
                flags = o->u.flags;
                hw_seen = false;
                break;
            case ESOCK_IFOPT_ADDR:
                assert_false(hw_seen); /* hwaddr last in its group */
                /* Immediately after {addr} follows {netmask}. */
                assert_true(j + 1 < f->nopts);
                assert_int_equal(f->opts[j + 1].kind, ESOCK_IFOPT_NETMASK);
                assert_int_equal(f->opts[j + 1].u.ip.family, o->u.ip.family);
                break;
            case ESOCK_IFOPT_NETMASK:
                assert_true(j > 0 && f->opts[j - 1].kind == ESOCK_IFOPT_ADDR);
                /* Never both broadaddr and dstaddr for one addr. */
                if (j + 2 < f->nopts)
                    assert_false((f->opts[j + 1].kind == ESOCK_IFOPT_BROADADDR &&
                                  f->opts[j + 2].kind == ESOCK_IFOPT_DSTADDR) ||
                                 (f->opts[j + 1].kind == ESOCK_IFOPT_DSTADDR &&
                                  f->opts[j + 2].kind == ESOCK_IFOPT_BROADADDR));
                break;
            case ESOCK_IFOPT_BROADADDR:
                assert_true(flags & ESOCK_IFF_BROADCAST);
                assert_int_equal(f->opts[j - 1].kind, ESOCK_IFOPT_NETMASK);
                break;
            case ESOCK_IFOPT_DSTADDR:
                assert_true(flags & ESOCK_IFF_POINTTOPOINT);
                assert_int_equal(f->opts[j - 1].kind, ESOCK_IFOPT_NETMASK);
                break;
            case ESOCK_IFOPT_HWADDR:
                hw_seen = true;
                assert_true(o->u.hw.len > 0 && o->u.hw.len <= sizeof o->u.hw.bytes);
                break;
            default:
                fail_msg("unknown option kind %d", (int)o->kind);
            }
        }
    }
}

static void test_names_tables(void **state)
{
    (void)state;
    assert_string_equal(esock_ifflag_name(ESOCK_IFF_UP), "up");
    assert_string_equal(esock_ifflag_name(ESOCK_IFF_POINTTOPOINT), "pointtopoint");
    assert_string_equal(esock_ifflag_name(ESOCK_IFF_MULTICAST), "multicast");
    assert_null(esock_ifflag_name(ESOCK_IFF_UP | ESOCK_IFF_RUNNING));
    assert_string_equal(esock_ifopt_name(ESOCK_IFOPT_BROADADDR), "broadaddr");
    assert_string_equal(esock_ifopt_name(ESOCK_IFOPT_HWADDR), "hwaddr");
    assert_null(esock_ifopt_name((esock_ifopt_kind_t)0));
    assert_null(esock_ifopt_name((esock_ifopt_kind_t)99));
}

static void assert_lo(const esock_ifaddrs_t *ifa)
{
    const esock_ifaddrs_if_t *lo = esock_ifaddrs_find(ifa, "lo");
    assert_non_null(lo);
    assert_int_equal(lo->opts[0].kind, ESOCK_IFOPT_FLAGS);
    unsigned fl = lo->opts[0].u.flags;
    assert_true(fl & ESOCK_IFF_UP);
    assert_true(fl & ESOCK_IFF_LOOPBACK);
    assert_false(fl & ESOCK_IFF_BROADCAST);
    bool found = false;
    for (size_t j = 0; j + 1 < lo->nopts; j++) {
        if (lo->opts[j].kind == ESOCK_IFOPT_ADDR && is_ip(&lo->opts[j], 127, 0, 0, 1)) {
            assert_int_equal(lo->opts[j + 1].kind, ESOCK_IFOPT_NETMASK);
            assert_true(is_ip(&lo->opts[j + 1], 255, 0, 0, 0));
            found = true;
        }
    }
    assert_true(found);
}

static void test_getifaddrs_lists_lo(void **state)
{
    (void)state;
    esock_ifaddrs_t *ifa = NULL;
    assert_int_equal(esock_getifaddrs(&ifa), 0);
    assert_non_null(ifa);
    assert_true(ifa->count >= 1);
    assert_lo(ifa);
    assert_otp_rules(ifa);
    /* Each interface appears once. */
    for (size_t i = 0; i < ifa->count; i++)
        for (size_t j = i + 1; j < ifa->count; j++)
            assert_string_not_equal(ifa->ifs[i].name, ifa->ifs[j].name);
    assert_null(esock_ifaddrs_find(ifa, "no-such-if0"));
    esock_ifaddrs_free(ifa);
    esock_ifaddrs_free(NULL);
}


/* ---- the grouping rules on a synthetic OS list --------------------------------- */

static struct sockaddr_in sin4(const char *a)
{
    struct sockaddr_in s;
    memset(&s, 0, sizeof s);
    s.sin_family = AF_INET;
    inet_pton(AF_INET, a, &s.sin_addr);
    return s;
}

static struct sockaddr_in6 sin6(const char *a)
{
    struct sockaddr_in6 s;
    memset(&s, 0, sizeof s);
    s.sin6_family = AF_INET6;
    inet_pton(AF_INET6, a, &s.sin6_addr);
    return s;
}

static void test_grouping_rules_on_synthetic_list(void **state)
{
    (void)state;
    /* As glibc lists them: link (AF_PACKET) entries first, then addresses;
     * x0 has two flag sets; x1 is point-to-point; x2 has no address. */
    unsigned bc = IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_MULTICAST;
    unsigned p2p = IFF_UP | IFF_POINTOPOINT;
    struct sockaddr_ll ll0, ll2;
    memset(&ll0, 0, sizeof ll0);
    ll0.sll_family = AF_PACKET;
    ll0.sll_halen = 6;
    memcpy(ll0.sll_addr, "\x02\x00\x00\x00\x00\x01", 6);
    ll2 = ll0;
    ll2.sll_addr[5] = 2;
    struct sockaddr_in a0 = sin4("10.0.0.1"), m0 = sin4("255.255.255.0"), b0 = sin4("10.0.0.255");
    struct sockaddr_in a1 = sin4("10.9.9.1"), m1 = sin4("255.255.255.255"), d1 = sin4("10.9.9.2");
    struct sockaddr_in6 a6 = sin6("fd00::1"), m6 = sin6("ffff:ffff:ffff:ffff::");
    struct ifaddrs e[7];
    memset(e, 0, sizeof e);
    e[0] = (struct ifaddrs){&e[1], (char *)"x0", bc, (struct sockaddr *)&ll0, NULL, {NULL}, NULL};
    e[1] = (struct ifaddrs){&e[2], (char *)"x1", p2p, NULL, NULL, {NULL}, NULL};
    e[2] = (struct ifaddrs){&e[3], (char *)"x2", IFF_BROADCAST, (struct sockaddr *)&ll2, NULL, {NULL}, NULL};
    e[3] = (struct ifaddrs){&e[4], (char *)"x0", bc, (struct sockaddr *)&a0, (struct sockaddr *)&m0,
                            {(struct sockaddr *)&b0}, NULL};
    e[4] = (struct ifaddrs){&e[5], (char *)"x1", p2p, (struct sockaddr *)&a1, (struct sockaddr *)&m1,
                            {(struct sockaddr *)&d1}, NULL};
    /* A second flag set on x0 (possible per address family). */
    e[5] = (struct ifaddrs){&e[6], (char *)"x0", IFF_UP | IFF_MULTICAST, (struct sockaddr *)&a6,
                            (struct sockaddr *)&m6, {NULL}, NULL};
    e[6] = (struct ifaddrs){NULL, (char *)"x0", bc, (struct sockaddr *)&a0, (struct sockaddr *)&m0,
                            {NULL}, NULL};

    esock_ifaddrs_t *ifa = NULL;
    assert_int_equal(esock__ifaddrs_build(e, &ifa), 0);
    assert_otp_rules(ifa);
    assert_int_equal(ifa->count, 3);
    assert_string_equal(ifa->ifs[0].name, "x0");
    assert_string_equal(ifa->ifs[1].name, "x1");
    assert_string_equal(ifa->ifs[2].name, "x2");

    /* x0: {flags,bc} addr netmask broadaddr addr netmask hwaddr
     *     {flags,[up,multicast]} addr netmask */
    const esock_ifaddrs_if_t *x0 = &ifa->ifs[0];
    static const esock_ifopt_kind_t want0[] = {
        ESOCK_IFOPT_FLAGS, ESOCK_IFOPT_ADDR, ESOCK_IFOPT_NETMASK, ESOCK_IFOPT_BROADADDR,
        ESOCK_IFOPT_ADDR,  ESOCK_IFOPT_NETMASK, ESOCK_IFOPT_HWADDR,
        ESOCK_IFOPT_FLAGS, ESOCK_IFOPT_ADDR, ESOCK_IFOPT_NETMASK};
    assert_int_equal(x0->nopts, sizeof want0 / sizeof want0[0]);
    for (size_t i = 0; i < x0->nopts; i++)
        assert_int_equal(x0->opts[i].kind, want0[i]);
    assert_int_equal(x0->opts[0].u.flags,
                     ESOCK_IFF_UP | ESOCK_IFF_BROADCAST | ESOCK_IFF_RUNNING | ESOCK_IFF_MULTICAST);
    assert_true(is_ip(&x0->opts[3], 10, 0, 0, 255));
    assert_int_equal(x0->opts[6].u.hw.len, 6);
    assert_int_equal(x0->opts[6].u.hw.bytes[5], 1);
    assert_int_equal(x0->opts[7].u.flags, ESOCK_IFF_UP | ESOCK_IFF_MULTICAST);
    assert_int_equal(x0->opts[8].u.ip.family, ESOCK_IP6);
    assert_int_equal(x0->opts[8].u.ip.u.v6[0], 0xfd00);
    assert_int_equal(x0->opts[9].u.ip.u.v6[3], 0xffff);
    assert_int_equal(x0->opts[9].u.ip.u.v6[4], 0);

    /* x1: point-to-point: dstaddr, never broadaddr; no link address. */
    const esock_ifaddrs_if_t *x1 = &ifa->ifs[1];
    assert_int_equal(x1->nopts, 4);
    assert_int_equal(x1->opts[0].u.flags, ESOCK_IFF_UP | ESOCK_IFF_POINTTOPOINT);
    assert_int_equal(x1->opts[3].kind, ESOCK_IFOPT_DSTADDR);
    assert_true(is_ip(&x1->opts[3], 10, 9, 9, 2));

    /* x2: flags and hwaddr only. */
    const esock_ifaddrs_if_t *x2 = &ifa->ifs[2];
    assert_int_equal(x2->nopts, 2);
    assert_int_equal(x2->opts[0].u.flags, ESOCK_IFF_BROADCAST);
    assert_int_equal(x2->opts[1].kind, ESOCK_IFOPT_HWADDR);
    esock_ifaddrs_free(ifa);

    /* An empty list is an empty answer. */
    assert_int_equal(esock__ifaddrs_build(NULL, &ifa), 0);
    assert_int_equal(ifa->count, 0);
    esock_ifaddrs_free(ifa);
}

/* A link address longer than struct sockaddr_ll's 8 bytes (InfiniBand:
 * 20) comes whole, as OTP gives sll_halen bytes: getifaddrs stores AF_PACKET
 * entries with 24 bytes of address room (glibc's sockaddr_ll_max, musl's
 * sockaddr_ll_hack), the layout built here. */
static void test_long_hwaddr_whole(void **state)
{
    (void)state;
    struct {
        unsigned short family, protocol;
        int ifindex;
        unsigned short hatype;
        unsigned char pkttype, halen;
        unsigned char addr[24];
    } ib;
    memset(&ib, 0, sizeof ib);
    ib.family = AF_PACKET;
    ib.hatype = 32; /* ARPHRD_INFINIBAND */
    ib.halen = 20;
    for (int i = 0; i < 20; i++)
        ib.addr[i] = (unsigned char)(0xa0 + i);
    ib.addr[20] = 0xee; /* past halen: not part of it */
    struct ifaddrs e;
    memset(&e, 0, sizeof e);
    e = (struct ifaddrs){NULL, (char *)"ib0", IFF_UP | IFF_BROADCAST, (struct sockaddr *)(void *)&ib, NULL,
                         {NULL}, NULL};
    esock_ifaddrs_t *ifa = NULL;
    assert_int_equal(esock__ifaddrs_build(&e, &ifa), 0);
    assert_int_equal(ifa->count, 1);
    const esock_ifaddrs_if_t *x = &ifa->ifs[0];
    assert_int_equal(x->nopts, 2);
    assert_int_equal(x->opts[1].kind, ESOCK_IFOPT_HWADDR);
    assert_int_equal(x->opts[1].u.hw.len, 20);
    assert_memory_equal(x->opts[1].u.hw.bytes, ib.addr, 20);
    esock_ifaddrs_free(ifa);

    /* A length past the room the C library keeps is cut to that room. */
    ib.halen = 40;
    assert_int_equal(esock__ifaddrs_build(&e, &ifa), 0);
    assert_int_equal(ifa->ifs[0].opts[1].u.hw.len, 24);
    esock_ifaddrs_free(ifa);
}

/* ---- {netns, Path} ----------------------------------------------------------- */

static char ns_name[64];

static int sh(const char *fmt, const char *arg)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, fmt, arg, arg);
    return system(cmd);
}

static void ns_cleanup(void)
{
    if (ns_name[0]) {
        sh("ip netns del %s >/dev/null 2>&1", ns_name);
        ns_name[0] = '\0';
    }
}

static const esock_ifopt_t *find_addr(const esock_ifaddrs_if_t *f, int a, int b, int c, int d)
{
    for (size_t j = 0; j < f->nopts; j++)
        if (f->opts[j].kind == ESOCK_IFOPT_ADDR && is_ip(&f->opts[j], a, b, c, d))
            return &f->opts[j];
    return NULL;
}

static void test_getifaddrs_in_netns(void **state)
{
    (void)state;
    char path[128];
    snprintf(ns_name, sizeof ns_name, "esock-test-%ld", (long)getpid());
    if (sh("ip netns add %s >/dev/null 2>&1", ns_name) != 0) {
        ns_name[0] = '\0';
        skip(); /* no iproute2 or no right to make a namespace */
    }
    snprintf(path, sizeof path, "/var/run/netns/%s", ns_name);

    /* lo up; a veth with a broadcast address; a tun with a peer (dstaddr). */
    int ok_lo = sh("ip -n %s link set lo up", ns_name) == 0;
    int ok_veth = sh("ip -n %s link add eska type veth peer name eskb >/dev/null 2>&1", ns_name) == 0 &&
                  sh("ip -n %s addr add 10.11.12.13/24 brd + dev eska", ns_name) == 0 &&
                  sh("ip -n %s link set eska up", ns_name) == 0 &&
                  sh("ip -n %s link set eskb up", ns_name) == 0;
    int ok_tun = sh("ip -n %s tuntap add dev eskt mode tun >/dev/null 2>&1", ns_name) == 0 &&
                 sh("ip -n %s addr add 10.9.9.1 peer 10.9.9.2 dev eskt", ns_name) == 0 &&
                 sh("ip -n %s link set eskt up", ns_name) == 0;

    esock_ifaddrs_t *ifa = NULL;
    int rc = esock_getifaddrs_netns(path, &ifa);
    if (rc != 0)
        ns_cleanup();
    assert_int_equal(rc, 0);
    assert_otp_rules(ifa);
    if (ok_lo)
        assert_lo(ifa);
    if (ok_veth) {
        const esock_ifaddrs_if_t *e = esock_ifaddrs_find(ifa, "eska");
        assert_non_null(e);
        assert_true(e->opts[0].u.flags & ESOCK_IFF_BROADCAST);
        const esock_ifopt_t *o = find_addr(e, 10, 11, 12, 13);
        assert_non_null(o);
        assert_true(is_ip(o + 1, 255, 255, 255, 0));
        assert_int_equal(o[2].kind, ESOCK_IFOPT_BROADADDR);
        assert_true(is_ip(o + 2, 10, 11, 12, 255));
        assert_int_equal(e->opts[e->nopts - 1].kind, ESOCK_IFOPT_HWADDR);
        assert_int_equal(e->opts[e->nopts - 1].u.hw.len, 6);
        assert_non_null(esock_ifaddrs_find(ifa, "eskb"));
    }
    if (ok_tun) {
        const esock_ifaddrs_if_t *t = esock_ifaddrs_find(ifa, "eskt");
        assert_non_null(t);
        assert_true(t->opts[0].u.flags & ESOCK_IFF_POINTTOPOINT);
        const esock_ifopt_t *o = find_addr(t, 10, 9, 9, 1);
        assert_non_null(o);
        assert_int_equal(o[2].kind, ESOCK_IFOPT_DSTADDR);
        assert_true(is_ip(o + 2, 10, 9, 9, 2));
    }
    esock_ifaddrs_free(ifa);

    /* The calling thread never moved: the namespace's devices are not here. */
    assert_int_equal(esock_getifaddrs(&ifa), 0);
    assert_null(esock_ifaddrs_find(ifa, "eska"));
    assert_null(esock_ifaddrs_find(ifa, "eskt"));
    esock_ifaddrs_free(ifa);
    ns_cleanup();
    assert_true(ok_lo);
}

static void test_getifaddrs_netns_errors(void **state)
{
    (void)state;
    esock_ifaddrs_t *ifa = (esock_ifaddrs_t *)&ifa;
    assert_int_equal(esock_getifaddrs_netns("/nonexistent/netns/x", &ifa), -ENOENT);
    assert_null(ifa);
    /* A file that is not a namespace: setns() says EINVAL. */
    assert_int_equal(esock_getifaddrs_netns("/etc/hostname", &ifa) == -EINVAL ||
                         esock_getifaddrs_netns("/etc/hostname", &ifa) == -ENOENT,
                     1);
    assert_int_equal(esock_getifaddrs_netns("", &ifa), -EINVAL);
}

static int teardown_ns(void **state)
{
    (void)state;
    ns_cleanup();
    return 0;
}

const struct CMUnitTest resolve_ifaddrs_tests[] = {
    cmocka_unit_test(test_names_tables),
    cmocka_unit_test(test_getifaddrs_lists_lo),
    cmocka_unit_test(test_grouping_rules_on_synthetic_list),
    cmocka_unit_test(test_long_hwaddr_whole),
    cmocka_unit_test_teardown(test_getifaddrs_in_netns, teardown_ns),
    cmocka_unit_test(test_getifaddrs_netns_errors),
};
const size_t resolve_ifaddrs_ntests = sizeof resolve_ifaddrs_tests / sizeof resolve_ifaddrs_tests[0];
