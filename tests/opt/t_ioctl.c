/* ioctl requests on lo, checked against `ip link` / `ip addr`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "opt_tests.h"
#include "opt/optsys.h"

/* Run a shell command, return its first line of output (static buffer) or NULL. */
static const char *sh(const char *cmd)
{
    static char line[512];
    FILE *p = popen(cmd, "r");
    if (p == NULL)
        return NULL;
    char *r = fgets(line, sizeof line, p);
    int st = pclose(p);
    if (r == NULL || st != 0)
        return NULL;
    line[strcspn(line, "\n")] = 0;
    return line;
}

static int sockfd(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    return fd;
}

static void get_requests_on_lo_match_ip(void **state)
{
    (void)state;
    const char *link = sh("ip -o link show lo 2>/dev/null");
    if (link == NULL) {
        print_message("  `ip` not available; comparing with fixed Linux values only\n");
    }
    int fd = sockfd();
    esock_ifval_t v;
    int idx = (int)if_nametoindex("lo");
    assert_true(idx > 0);
    assert_int_equal(esock__ioctl_get_fd(fd, ESOCK_IOCTL_GIFINDEX, "lo", 0, &v), 0);
    assert_int_equal(v.i, idx);
    assert_int_equal(esock__ioctl_get_fd(fd, ESOCK_IOCTL_GIFNAME, NULL, idx, &v), 0);
    assert_string_equal(v.name, "lo");
    assert_int_equal(esock__ioctl_get_fd(fd, ESOCK_IOCTL_GIFMTU, "lo", 0, &v), 0);
    int mtu = v.i;
    assert_int_equal(esock__ioctl_get_fd(fd, ESOCK_IOCTL_GIFTXQLEN, "lo", 0, &v), 0);
    int qlen = v.i;
    assert_int_equal(esock__ioctl_get_fd(fd, ESOCK_IOCTL_GIFFLAGS, "lo", 0, &v), 0);
    unsigned flags = v.flags;
    assert_true(flags & IFF_UP);
    assert_true(flags & IFF_LOOPBACK);
    assert_string_equal(esock_ioctl_flag_name(IFF_LOOPBACK), "loopback");
    if (link) {
        char want[64];
        snprintf(want, sizeof want, "%d: lo:", idx);
        assert_non_null(strstr(link, want));
        snprintf(want, sizeof want, " mtu %d ", mtu);
        assert_non_null(strstr(link, want));
        snprintf(want, sizeof want, " qlen %d", qlen);
        assert_non_null(strstr(link, want));
        assert_non_null(strstr(link, "LOOPBACK"));
        assert_int_equal(strstr(link, ",UP") != NULL || strstr(link, "<UP") != NULL, (flags & IFF_UP) != 0);
        assert_non_null(strstr(link, "link/loopback 00:00:00:00:00:00"));
    }
    assert_int_equal(esock__ioctl_get_fd(fd, ESOCK_IOCTL_GIFHWADDR, "lo", 0, &v), 0);
    assert_int_equal(v.addr.family, ESOCK_FAMILY_NATIVE);
    assert_int_equal(v.addr.u.raw.family, ARPHRD_LOOPBACK);
    assert_int_equal(v.addr.u.raw.len, 14);
    static const uint8_t zero[14];
    assert_memory_equal(v.addr.u.raw.data, zero, 14);

    /* addresses: `ip -o -4 addr show lo` says "inet 127.0.0.1/8" */
    assert_int_equal(esock__ioctl_get_fd(fd, ESOCK_IOCTL_GIFADDR, "lo", 0, &v), 0);
    assert_int_equal(v.addr.family, ESOCK_FAMILY_INET);
    char a[64], m[96];
    snprintf(a, sizeof a, "%u.%u.%u.%u", v.addr.u.in.addr[0], v.addr.u.in.addr[1],
             v.addr.u.in.addr[2], v.addr.u.in.addr[3]);
    assert_int_equal(esock__ioctl_get_fd(fd, ESOCK_IOCTL_GIFNETMASK, "lo", 0, &v), 0);
    assert_int_equal(v.addr.family, ESOCK_FAMILY_INET);
    uint32_t mask = (uint32_t)v.addr.u.in.addr[0] << 24 | (uint32_t)v.addr.u.in.addr[1] << 16 |
                    (uint32_t)v.addr.u.in.addr[2] << 8 | v.addr.u.in.addr[3];
    int plen = 0;
    while (plen < 32 && (mask & (0x80000000u >> plen)))
        plen++;
    snprintf(m, sizeof m, "inet %s/%d ", a, plen);
    const char *addr = sh("ip -o -4 addr show lo 2>/dev/null");
    if (addr)
        assert_non_null(strstr(addr, m));
    else
        assert_string_equal(m, "inet 127.0.0.1/8 ");
    /* lo has no broadcast / peer address of its own: the kernel answers anyway or says so */
    int rc = esock__ioctl_get_fd(fd, ESOCK_IOCTL_GIFBRDADDR, "lo", 0, &v);
    assert_true(rc == 0 || rc == -EADDRNOTAVAIL);
    rc = esock__ioctl_get_fd(fd, ESOCK_IOCTL_GIFDSTADDR, "lo", 0, &v);
    assert_true(rc == 0 || rc == -EADDRNOTAVAIL);
    assert_int_equal(esock__ioctl_get_fd(fd, ESOCK_IOCTL_GIFMAP, "lo", 0, &v), 0);
    assert_int_equal(v.map.irq, 0);
    assert_true(v.map.mem_start == 0 && v.map.base_addr == 0);
    close(fd);
}

static void gifconf_lists_lo(void **state)
{
    (void)state;
    int fd = sockfd();
    esock_ifconf_entry_t e[64];
    size_t n = 0;
    assert_int_equal(esock__ioctl_gifconf_fd(fd, e, 64, &n), 0);
    assert_true(n >= 1);
    int seen = 0;
    for (size_t i = 0; i < n && i < 64; i++)
        if (strcmp(e[i].name, "lo") == 0) {
            seen = 1;
            assert_int_equal(e[i].addr.family, ESOCK_FAMILY_INET);
            assert_int_equal(e[i].addr.u.in.addr[0], 127);
        }
    assert_true(seen);
    size_t n2 = 0;
    assert_int_equal(esock__ioctl_gifconf_fd(fd, e, 0, &n2), 0); /* count only */
    assert_int_equal(n2, n);
    close(fd);
}

static void bad_requests_and_names(void **state)
{
    (void)state;
    int fd = sockfd();
    esock_ifval_t v;
    assert_int_equal(esock__ioctl_get_fd(fd, ESOCK_IOCTL_SIFMTU, "lo", 0, &v), ESOCK_EINVAL_REQUEST);
    assert_int_equal(esock__ioctl_get_fd(fd, ESOCK_IOCTL_NONE, "lo", 0, &v), ESOCK_EINVAL_REQUEST);
    assert_int_equal(esock__ioctl_get_fd(fd, ESOCK_IOCTL_GIFCONF, "lo", 0, &v), ESOCK_EINVAL_REQUEST);
    assert_int_equal(esock__ioctl_set_fd(fd, ESOCK_IOCTL_GIFMTU, "lo", &v), ESOCK_EINVAL_REQUEST);
    assert_int_equal(esock__ioctl_get_fd(fd, ESOCK_IOCTL_GIFMTU, "", 0, &v), ESOCK_EINVAL_VALUE);
    assert_int_equal(esock__ioctl_get_fd(fd, ESOCK_IOCTL_GIFMTU, NULL, 0, &v), ESOCK_EINVAL_VALUE);
    assert_int_equal(esock__ioctl_get_fd(fd, ESOCK_IOCTL_GIFMTU, "a-name-far-too-long", 0, &v),
                     ESOCK_EINVAL_VALUE);
    assert_int_equal(esock__ioctl_get_fd(fd, ESOCK_IOCTL_GIFMTU, "nosuchif0", 0, &v), -ENODEV);
    assert_int_equal(esock__ioctl_get_fd(fd, ESOCK_IOCTL_GIFNAME, NULL, 99999, &v), -ENODEV);
    assert_string_equal(esock_ioctl_request_name(ESOCK_IOCTL_GIFTXQLEN), "giftxqlen");
    assert_null(esock_ioctl_request_name(ESOCK_IOCTL__COUNT));
    close(fd);
}

/* Every set request without privilege: the OS's eperm. Done in a child that drops root. */
static void set_requests_without_privilege_give_eperm(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(77);
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        esock_ifval_t v;
        int bad = 0;
        for (int r = ESOCK_IOCTL_SIFFLAGS; r < ESOCK_IOCTL__COUNT; r++) {
            memset(&v, 0, sizeof v);
            if (esock__ioctl_get_fd(fd, ESOCK_IOCTL_GIFMTU, "lo", 0, &v) != 0)
                _exit(3);
            esock_ifval_t s;
            memset(&s, 0, sizeof s);
            switch (r) {
            case ESOCK_IOCTL_SIFFLAGS:
                s.flags_change.set = IFF_UP;
                break;
            case ESOCK_IOCTL_SIFMTU:
                s.i = v.i;
                break;
            case ESOCK_IOCTL_SIFTXQLEN:
                s.i = 1000;
                break;
            case ESOCK_IOCTL_SIFHWADDR:
                s.addr.family = ESOCK_FAMILY_NATIVE;
                s.addr.u.raw.family = ARPHRD_LOOPBACK;
                s.addr.u.raw.len = 6;
                break;
            default: {
                esock_ip_t ip = {.family = ESOCK_IP4, .u.v4 = {127, 0, 0, 1}};
                esock_sockaddr_ip(&s.addr, &ip, 0);
            }
            }
            int rc = esock__ioctl_set_fd(fd, (esock_ioctl_request_t)r, "lo", &s);
            if (rc != -EPERM) {
                fprintf(stderr, "%s: %d\n", esock_ioctl_request_name((esock_ioctl_request_t)r), rc);
                bad++;
            }
        }
        _exit(bad ? 1 : 0);
    }
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    if (WEXITSTATUS(st) == 77)
        skip();
    assert_int_equal(WEXITSTATUS(st), 0);
}

const struct CMUnitTest opt_ioctl_tests[] = {
    cmocka_unit_test(get_requests_on_lo_match_ip),
    cmocka_unit_test(gifconf_lists_lo),
    cmocka_unit_test(bad_requests_and_names),
    cmocka_unit_test(set_requests_without_privilege_give_eperm),
};
OPT_NTESTS(opt_ioctl);
