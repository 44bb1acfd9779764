/* Host lookups: gethostname, gethostbyname, gethostbyaddr, getaddr(s). */
#include <esock/resolve.h>

#include "resolve/resolve_int.h"
#include "sandbox.h"
#include "tests.h"

#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include "testnet.h"

#define S(lit) lit, sizeof(lit) - 1

static esock_ip_t ip4(int a, int b, int c, int d)
{
    esock_ip_t ip;
    memset(&ip, 0, sizeof ip);
    ip.family = ESOCK_IP4;
    ip.u.v4[0] = (uint8_t)a, ip.u.v4[1] = (uint8_t)b, ip.u.v4[2] = (uint8_t)c, ip.u.v4[3] = (uint8_t)d;
    return ip;
}

static esock_ip_t ip6(int a, int b, int c, int d, int e, int f, int g, int h)
{
    esock_ip_t ip;
    int v[8] = {a, b, c, d, e, f, g, h};
    memset(&ip, 0, sizeof ip);
    ip.family = ESOCK_IP6;
    for (int i = 0; i < 8; i++)
        ip.u.v6[i] = (uint16_t)v[i];
    return ip;
}

static bool ip_eq(const esock_ip_t *a, const esock_ip_t *b)
{
    if (a->family != b->family)
        return false;
    return a->family == ESOCK_IP4 ? memcmp(a->u.v4, b->u.v4, 4) == 0
                                  : memcmp(a->u.v6, b->u.v6, 16) == 0;
}

/* ---- in the system's own configuration -------------------------------------- */

static void test_gethostname_is_short_name(void **state)
{
    (void)state;
    char buf[ESOCK_HOSTNAME_MAX], os[ESOCK_HOSTNAME_MAX];
    int n = esock_gethostname(buf, sizeof buf);
    assert_true(n > 0);
    assert_int_equal((size_t)n, strlen(buf));
    assert_null(strchr(buf, '.'));
    assert_int_equal(gethostname(os, sizeof os), 0);
    assert_int_equal(strncmp(os, buf, (size_t)n), 0);
    char tiny[2];
    assert_int_equal(n >= 2 ? esock_gethostname(tiny, sizeof tiny) : -ENOSPC, -ENOSPC);
}

static void test_localhost_forward_and_reverse(void **state)
{
    (void)state;
    esock_hostent_t *he = NULL;
    esock_ip_t lo = ip4(127, 0, 0, 1);
    assert_int_equal(esock_gethostbyname(S("localhost"), ESOCK_IP4, 5000, &he), 0);
    assert_non_null(he);
    assert_int_equal(he->addrtype, ESOCK_IP4);
    assert_int_equal(he->length, 4);
    assert_true(he->naddrs >= 1);
    assert_true(ip_eq(&he->addrs[0], &lo));
    assert_null(he->aliases[he->naliases]);
    esock_hostent_free(he);

    /* Reverse: 127.0.0.1 as an address and as a string. */
    assert_int_equal(esock_gethostbyaddr(&lo, 5000, &he), 0);
    assert_int_equal(he->naddrs, 1);
    assert_true(ip_eq(&he->addrs[0], &lo));
    assert_true(strlen(he->name) > 0);
    esock_hostent_free(he);
    assert_int_equal(esock_gethostbyaddr_str(S("127.0.0.1"), 5000, &he), 0);
    assert_true(ip_eq(&he->addrs[0], &lo));
    esock_hostent_free(he);

    /* ::1 always reverse-resolves (OTP falls back to this host's name). */
    esock_ip_t lo6 = ip6(0, 0, 0, 0, 0, 0, 0, 1);
    assert_int_equal(esock_gethostbyaddr_str(S("::1"), 5000, &he), 0);
    assert_int_equal(he->addrtype, ESOCK_IP6);
    assert_int_equal(he->length, 16);
    assert_int_equal(he->naddrs, 1);
    assert_true(ip_eq(&he->addrs[0], &lo6));
    esock_hostent_free(he);

    /* ::1 forward: an address string gives itself. */
    assert_int_equal(esock_gethostbyname(S("::1"), ESOCK_IP6, 5000, &he), 0);
    assert_string_equal(he->name, "::1");
    assert_int_equal(he->naddrs, 1);
    assert_true(ip_eq(&he->addrs[0], &lo6));
    esock_hostent_free(he);
}

static void test_address_strings_need_no_lookup(void **state)
{
    (void)state;
    esock_hostent_t *he = NULL;
    esock_ip_t a, want;
    /* timeout 0: only answers that need no lookup can come back. */
    assert_int_equal(esock_gethostbyname(S("127.1"), ESOCK_IP4, 0, &he), 0);
    assert_string_equal(he->name, "127.1");
    assert_int_equal(he->naliases, 0);
    want = ip4(127, 0, 0, 1);
    assert_true(ip_eq(&he->addrs[0], &want));
    esock_hostent_free(he);

    assert_int_equal(esock_gethostbyname(S("3232235521"), ESOCK_IP4, 0, &he), 0);
    want = ip4(192, 168, 0, 1);
    assert_true(ip_eq(&he->addrs[0], &want));
    assert_string_equal(he->name, "3232235521");
    esock_hostent_free(he);

    assert_int_equal(esock_gethostbyname(S("::ffff:127.0.0.1"), ESOCK_IP6, 0, &he), 0);
    want = ip6(0, 0, 0, 0, 0, 65535, 32512, 1);
    assert_true(ip_eq(&he->addrs[0], &want));
    esock_hostent_free(he);

    /* An address of the other family is unknown (OTP: nxdomain). */
    assert_int_equal(esock_gethostbyname(S("::1"), ESOCK_IP4, 0, &he), ESOCK_ENXDOMAIN);
    assert_null(he);
    assert_int_equal(esock_gethostbyname(S("127.0.0.1"), ESOCK_IP6, 0, &he), ESOCK_ENXDOMAIN);
    assert_int_equal(esock_getaddr(S("::1"), ESOCK_IP4, 0, &a), ESOCK_ENXDOMAIN);

    assert_int_equal(esock_getaddr(S("127.1"), ESOCK_IP4, 0, &a), 0);
    want = ip4(127, 0, 0, 1);
    assert_true(ip_eq(&a, &want));
    assert_int_equal(esock_getaddr(S("3232235521"), ESOCK_IP4, 0, &a), 0);
    want = ip4(192, 168, 0, 1);
    assert_true(ip_eq(&a, &want));
    assert_int_equal(esock_getaddr(S("::"), ESOCK_IP6, 0, &a), 0);
    want = ip6(0, 0, 0, 0, 0, 0, 0, 0);
    assert_true(ip_eq(&a, &want));

    /* A name with timeout 0 cannot be answered in time. */
    assert_int_equal(esock_gethostbyname(S("localhost"), ESOCK_IP4, 0, &he), ESOCK_ETIMEOUT);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    esock_hostent_t *he = NULL;
    esock_ip_t a, bad;
    size_t n = 99;
    assert_int_equal(esock_gethostbyname(S("localhost"), 0, 1000, &he), -EINVAL);
    assert_int_equal(esock_gethostbyname(S("localhost"), AF_INET, 1000, &he), -EINVAL);
    assert_int_equal(esock_gethostbyname(S("local\0host"), ESOCK_IP4, 1000, &he), -EINVAL);
    assert_int_equal(esock_gethostbyname(S("localhost"), ESOCK_IP4, ESOCK_NOWAIT, &he),
                     ESOCK_EINVAL_TIMEOUT);
    assert_int_equal(esock_gethostbyname(S("localhost"), ESOCK_IP4, -5, &he), ESOCK_EINVAL_TIMEOUT);
    assert_int_equal(esock_gethostbyname(S(""), ESOCK_IP4, 1000, &he), ESOCK_ENXDOMAIN);
    assert_null(he);
    /* NULL where a result goes: -EINVAL, not a crash */
    assert_int_equal(esock_gethostbyname(S("localhost"), ESOCK_IP4, 1000, NULL), -EINVAL);
    esock_ip_t lo = ip4(127, 0, 0, 1);
    assert_int_equal(esock_gethostbyaddr(&lo, 1000, NULL), -EINVAL);
    assert_int_equal(esock_gethostbyaddr_str(S("127.0.0.1"), 1000, NULL), -EINVAL);
    assert_int_equal(esock_gethostname(NULL, 10), -EINVAL);
    assert_int_equal(esock_get_rc(NULL), -EINVAL);
    assert_int_equal(esock_getifaddrs(NULL), -EINVAL);
    assert_int_equal(esock_getifaddrs_netns("/proc/self/ns/net", NULL), -EINVAL);
    assert_int_equal(esock_gethostbyaddr_str(S("foo"), 1000, &he), -EINVAL);
    assert_int_equal(esock_gethostbyaddr_str(S("1.2.3.4.5"), 1000, &he), -EINVAL);
    assert_null(he);
    memset(&bad, 0, sizeof bad);
    bad.family = 5;
    assert_int_equal(esock_gethostbyaddr(&bad, 1000, &he), -EINVAL);
    /* getaddr(s): hosts must be visible strings (inet_parse:visible_string). */
    assert_int_equal(esock_getaddr(S(" localhost"), ESOCK_IP4, 1000, &a), -EINVAL);
    assert_int_equal(esock_getaddr(S("local host"), ESOCK_IP4, 1000, &a), -EINVAL);
    assert_int_equal(esock_getaddr(S("a\x80"), ESOCK_IP4, 1000, &a), -EINVAL);
    assert_int_equal(esock_getaddrs(S(""), ESOCK_IP4, 1000, &a, 1, &n), -EINVAL);
    assert_int_equal(n, 0);
    assert_int_equal(esock_getaddr(S("localhost"), 7, 1000, &a), -EINVAL);
    /* An address as the host: family must match. */
    esock_ip_t v4 = ip4(1, 2, 3, 4), v6 = ip6(0, 0, 0, 0, 0, 0, 0, 1);
    assert_int_equal(esock_getaddr_ip(&v4, ESOCK_IP4, &a), 0);
    assert_true(ip_eq(&a, &v4));
    assert_int_equal(esock_getaddr_ip(&v4, ESOCK_IP6, &a), -EAFNOSUPPORT);
    assert_int_equal(esock_getaddr_ip(&v6, ESOCK_IP4, &a), -EAFNOSUPPORT);
    assert_int_equal(esock_getaddr_ip(&v4, 0, &a), -EAFNOSUPPORT);
    assert_int_equal(esock_getaddr_ip(&bad, ESOCK_IP4, &a), -EINVAL);
}

/* Run @p fn in a sandbox with @p f as its files: skipped where no sandbox
 * can be made here, failed if fn fails. */
static void run_sandboxed(const sandbox_files_t *f, int (*fn)(void))
{
    int rc = sandbox_run(f, fn, 30);
    if (rc == 77)
        skip();
    assert_int_equal(rc, 0);
}

/* How many entries of @p rc are named @p key. */
static int rc_count(const esock_rc_t *rc, const char *key)
{
    int n = 0;
    for (size_t i = 0; i < rc->count; i++)
        n += strcmp(rc->entries[i].key, key) == 0;
    return n;
}

/* ---- names from a hosts file the test controls ------------------------------- */

static const char test_hosts[] =
    "# esock resolve test\n"
    "127.0.0.1 localhost\n"
    "1.2.3.4 foo.test foo alias2\n"
    "1.2.3.5 foo.test\n"
    "::1 ip6-localhost ip6-loopback\n"
    "fd00::5 six.test six\n"
    "1.2.3.6 both.test\n"
    "fd00::6 both.test\n";

/* DNS at 127.0.0.1 in a private network namespace where nothing listens:
 * every DNS query fails at once. */
static const char test_resolv_refused[] =
    "nameserver 127.0.0.1\n"
    "search example.test other.test\n"
    "options timeout:1 attempts:1\n";

static const char test_nsswitch[] = "# test\nhosts:   files   dns # trailing\n";

static int hosts_checks(void)
{
    esock_hostent_t *he = NULL;
    esock_ip_t a[4], w;
    size_t n;

    /* Forward, with aliases, case-insensitive, several addresses. */
    CHK(esock_gethostbyname(S("foo"), ESOCK_IP4, 5000, &he) == 0);
    CHK(strcmp(he->name, "foo.test") == 0);
    CHK(he->naliases == 2 && strcmp(he->aliases[0], "foo") == 0 && strcmp(he->aliases[1], "alias2") == 0);
    CHK(he->aliases[2] == NULL);
    CHK(he->addrtype == ESOCK_IP4 && he->length == 4 && he->naddrs == 1);
    w = ip4(1, 2, 3, 4);
    CHK(ip_eq(&he->addrs[0], &w));
    esock_hostent_free(he);
    CHK(esock_gethostbyname(S("FOO"), ESOCK_IP4, 5000, &he) == 0);
    CHK(strcmp(he->name, "foo.test") == 0);
    esock_hostent_free(he);
    CHK(esock_getaddrs(S("foo.test"), ESOCK_IP4, 5000, a, 4, &n) == 0);
    CHK(n == 2);
    w = ip4(1, 2, 3, 5);
    CHK(ip_eq(&a[1], &w));
    /* A list cut at cap still reports the full count. */
    CHK(esock_getaddrs(S("foo.test"), ESOCK_IP4, 5000, a, 1, &n) == 0 && n == 2);
    w = ip4(1, 2, 3, 4);
    CHK(esock_getaddr(S("foo.test"), ESOCK_IP4, 5000, &a[0]) == 0 && ip_eq(&a[0], &w));

    /* Families. */
    CHK(esock_gethostbyname(S("six"), ESOCK_IP6, 5000, &he) == 0);
    CHK(strcmp(he->name, "six.test") == 0 && he->addrtype == ESOCK_IP6 && he->length == 16);
    w = ip6(0xfd00, 0, 0, 0, 0, 0, 0, 5);
    CHK(he->naddrs == 1 && ip_eq(&he->addrs[0], &w));
    esock_hostent_free(he);
    CHK(esock_gethostbyname(S("six.test"), ESOCK_IP4, 5000, &he) == ESOCK_ENXDOMAIN && he == NULL);
    CHK(esock_getaddr(S("both.test"), ESOCK_IP4, 5000, &a[0]) == 0);
    w = ip4(1, 2, 3, 6);
    CHK(ip_eq(&a[0], &w));
    CHK(esock_getaddr(S("both.test"), ESOCK_IP6, 5000, &a[0]) == 0);
    w = ip6(0xfd00, 0, 0, 0, 0, 0, 0, 6);
    CHK(ip_eq(&a[0], &w));

    /* localhost and ::1, forward and reverse, from this file. */
    CHK(esock_gethostbyname(S("localhost"), ESOCK_IP4, 5000, &he) == 0);
    CHK(strcmp(he->name, "localhost") == 0);
    esock_hostent_free(he);
    CHK(esock_gethostbyname(S("ip6-localhost"), ESOCK_IP6, 5000, &he) == 0);
    w = ip6(0, 0, 0, 0, 0, 0, 0, 1);
    CHK(ip_eq(&he->addrs[0], &w));
    esock_hostent_free(he);
    CHK(esock_gethostbyaddr(&w, 5000, &he) == 0);
    CHK(strcmp(he->name, "ip6-localhost") == 0 && he->naddrs == 1 && ip_eq(&he->addrs[0], &w));
    esock_hostent_free(he);
    CHK(esock_gethostbyaddr_str(S("127.0.0.1"), 5000, &he) == 0);
    CHK(strcmp(he->name, "localhost") == 0);
    esock_hostent_free(he);

    /* Reverse with aliases; the address asked for is the only address. */
    CHK(esock_gethostbyaddr_str(S("1.2.3.4"), 5000, &he) == 0);
    CHK(strcmp(he->name, "foo.test") == 0 && he->naliases == 2);
    esock_hostent_free(he);
    CHK(esock_gethostbyaddr_str(S("fd00::5"), 5000, &he) == 0);
    CHK(strcmp(he->name, "six.test") == 0 && he->addrtype == ESOCK_IP6);
    esock_hostent_free(he);
    CHK(esock_gethostbyaddr_str(S("1.2.3.99"), 5000, &he) == ESOCK_ENXDOMAIN && he == NULL);

    /* Unknown names: nxdomain, well within the timeout. */
    int64_t t0 = now_ms();
    CHK(esock_gethostbyname(S("no-such-host.invalid"), ESOCK_IP4, 3000, &he) == ESOCK_ENXDOMAIN);
    CHK(esock_getaddr(S("nothere"), ESOCK_IP6, 3000, &a[0]) == ESOCK_ENXDOMAIN);
    CHK(now_ms() - t0 < 3000);

    /* Our own name always resolves, to loopback (OTP's last resort). */
    char self[ESOCK_HOSTNAME_MAX];
    CHK(esock_gethostname(self, sizeof self) > 0);
    CHK(esock_gethostbyname(self, strlen(self), ESOCK_IP6, 5000, &he) == 0);
    CHK(strcasecmp(he->name, self) == 0);
    w = ip6(0, 0, 0, 0, 0, 0, 0, 1);
    CHK(ip_eq(&he->addrs[0], &w));
    esock_hostent_free(he);

    /* get_rc reports the configuration in use. */
    esock_rc_t *rc = NULL;
    CHK(esock_get_rc(&rc) == 0);
    CHK(strcmp(esock_rc_get(rc, "resolv_conf"), "/etc/resolv.conf") == 0);
    CHK(strcmp(esock_rc_get(rc, "hosts_file"), "/etc/hosts") == 0);
    CHK(strcmp(esock_rc_get(rc, "lookup"), "native") == 0);
    CHK(strcmp(esock_rc_get(rc, "nsswitch"), "files dns") == 0);
    CHK(strcmp(esock_rc_get(rc, "nameserver"), "127.0.0.1") == 0);
    CHK(rc_count(rc, "search") == 2 && rc_count(rc, "options") == 2);
    CHK(esock_rc_get(rc, "domain") == NULL);
    esock_rc_free(rc);
    return 0;
}

static void test_hosts_file_names(void **state)
{
    (void)state;
    sandbox_files_t f = {test_hosts, test_resolv_refused, test_nsswitch, true};
    run_sandboxed(&f, hosts_checks);
}

/* ---- get_rc reads the files as glibc does ------------------------------------- */

/* glibc takes "hosts:dns" (no blank) as a hosts line and applies the last
 * hosts line; of domain/search lines only the last one with a value counts. */
static const char rc_nsswitch_glibc[] = "hosts: files\nhosts:dns files # c\npasswd: files\n";
static const char rc_resolv_glibc[] = "search a.test b.test\nsearch c.test d.test\n"
                                      "nameserver 127.0.0.1\ndomain e.test\nsearch\n";

static int rc_nsswitch_checks(void)
{
    esock_rc_t *rc = NULL;
    CHK(esock_get_rc(&rc) == 0);
    CHK(strcmp(esock_rc_get(rc, "nsswitch"), "dns files") == 0);
    CHK(rc_count(rc, "nsswitch") == 1);
    esock_rc_free(rc);
    return 0;
}

static int rc_search_list_checks(void)
{
    esock_rc_t *rc = NULL;
    CHK(esock_get_rc(&rc) == 0);
    CHK(rc_count(rc, "search") == 0 && rc_count(rc, "domain") == 1);
    CHK(strcmp(esock_rc_get(rc, "domain"), "e.test") == 0);
    CHK(strcmp(esock_rc_get(rc, "nameserver"), "127.0.0.1") == 0);
    esock_rc_free(rc);
    return 0;
}

static const sandbox_files_t rc_glibc_files = {NULL, rc_resolv_glibc, rc_nsswitch_glibc, false};

static void test_get_rc_nsswitch_as_glibc(void **state)
{
    (void)state;
    run_sandboxed(&rc_glibc_files, rc_nsswitch_checks);
}

static void test_get_rc_search_list_as_glibc(void **state)
{
    (void)state;
    run_sandboxed(&rc_glibc_files, rc_search_list_checks);
}

/* ---- a hosts file with one huge line ------------------------------------------ */

/* glibc's files source parses every line into the caller's buffer, so a
 * line with 60000 aliases (over 1 MB parsed) must fit for the names
 * after it to be found, as glibc's own gethostbyname() finds them. */
#define HUGE_LINE_ALIASES 60000

static int huge_line_checks(void)
{
    esock_hostent_t *he = NULL;
    esock_ip_t w = ip4(1, 2, 3, 10);
    CHK(esock_gethostbyname(S("after.test"), ESOCK_IP4, 10000, &he) == 0);
    CHK(he->naddrs == 1 && ip_eq(&he->addrs[0], &w));
    esock_hostent_free(he);
    CHK(esock_gethostbyname(S("big.test"), ESOCK_IP4, 10000, &he) == 0);
    CHK(he->naliases == HUGE_LINE_ALIASES && strcmp(he->aliases[HUGE_LINE_ALIASES - 1], "alias59999") == 0);
    esock_hostent_free(he);
    return 0;
}

static char huge_hosts[64 + HUGE_LINE_ALIASES * 12];

static void test_hosts_file_with_huge_line(void **state)
{
    (void)state;
    size_t cap = sizeof huge_hosts, n = 0;
    n += (size_t)snprintf(huge_hosts, cap, "127.0.0.1 localhost\n1.2.3.9 big.test");
    for (int i = 0; i < HUGE_LINE_ALIASES; i++)
        n += (size_t)snprintf(huge_hosts + n, cap - n, " alias%d", i);
    snprintf(huge_hosts + n, cap - n, "\n1.2.3.10 after.test\n");
    sandbox_files_t f = {huge_hosts, test_resolv_refused, test_nsswitch, true};
    run_sandboxed(&f, huge_line_checks);
}

/* NULL where getaddr(s) write their result: -EINVAL, not a crash. */
static void test_getaddr_null_results(void **state)
{
    (void)state;
    esock_ip_t v4 = ip4(1, 2, 3, 4);
    size_t n = 99;
    assert_int_equal(esock_getaddr(S("127.1"), ESOCK_IP4, 0, NULL), -EINVAL);
    assert_int_equal(esock_getaddrs(S("127.1"), ESOCK_IP4, 0, NULL, 4, &n), -EINVAL);
    assert_int_equal(n, 0);
    assert_int_equal(esock_getaddrs(S("127.1"), ESOCK_IP4, 0, NULL, 0, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(esock_getaddr_ip(&v4, ESOCK_IP4, NULL), -EINVAL);
}

/* ---- a lookup that does not answer in time ------------------------------------ */

/* DNS at 127.0.0.1:53 in a private network namespace that takes queries and
 * never answers: glibc waits timeout:2 seconds. */
static const char test_resolv_silent[] = "nameserver 127.0.0.1\noptions timeout:2 attempts:1\n";

static int wait_workers_zero(int limit_ms)
{
    for (int i = 0; i < limit_ms / 20; i++) {
        if (esock__resolve_workers() == 0)
            return 0;
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return -1;
}

static int timeout_checks(void)
{
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(53); /* private namespace: no one else is here */
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    CHK(s >= 0);
    CHK(bind(s, (struct sockaddr *)&sin, sizeof sin) == 0);

    esock_hostent_t *he = (esock_hostent_t *)&he;
    CHK(esock__resolve_workers() == 0);
    int64_t t0 = now_ms();
    CHK(esock_gethostbyname(S("slow.test"), ESOCK_IP4, 200, &he) == ESOCK_ETIMEOUT);
    int64_t took = now_ms() - t0;
    CHK(he == NULL);
    CHK(took >= 190 && took < 1000);
    /* The abandoned lookup still holds its worker... */
    CHK(esock__resolve_workers() == 1);

    /* ...and so do more of them, up to the bound; beyond it a caller waits
     * for a free slot only until its own deadline. */
    for (int i = 1; i < ESOCK__RESOLVE_MAX_WORKERS; i++)
        CHK(esock_gethostbyname(S("slow.test"), ESOCK_IP4, 1, &he) == ESOCK_ETIMEOUT);
    CHK(esock__resolve_workers() == ESOCK__RESOLVE_MAX_WORKERS);
    t0 = now_ms();
    esock_ip_t a;
    CHK(esock_getaddr(S("another.test"), ESOCK_IP4, 100, &a) == ESOCK_ETIMEOUT);
    took = now_ms() - t0;
    CHK(took >= 90 && took < 1000);
    CHK(esock__resolve_workers() == ESOCK__RESOLVE_MAX_WORKERS);

    /* Every abandoned worker ends on its own when glibc gives up. */
    CHK(wait_workers_zero(8000) == 0);
    /* And the resolver still works: a name it can answer. */
    CHK(esock_gethostbyname(S("localhost"), ESOCK_IP4, 5000, &he) == 0);
    esock_hostent_free(he);
    close(s);
    return 0;
}

static void test_lookup_times_out_and_abandoned_job_is_freed(void **state)
{
    (void)state;
    sandbox_files_t f = {test_hosts, test_resolv_silent, test_nsswitch, true};
    run_sandboxed(&f, timeout_checks);
}

const struct CMUnitTest resolve_host_tests[] = {
    cmocka_unit_test(test_gethostname_is_short_name),
    cmocka_unit_test(test_localhost_forward_and_reverse),
    cmocka_unit_test(test_address_strings_need_no_lookup),
    cmocka_unit_test(test_bad_arguments),
    cmocka_unit_test(test_hosts_file_names),
    cmocka_unit_test(test_lookup_times_out_and_abandoned_job_is_freed),
    cmocka_unit_test(test_get_rc_nsswitch_as_glibc),
    cmocka_unit_test(test_get_rc_search_list_as_glibc),
    cmocka_unit_test(test_getaddr_null_results),
    cmocka_unit_test(test_hosts_file_with_huge_line),
};
const size_t resolve_host_ntests = sizeof resolve_host_tests / sizeof resolve_host_tests[0];
