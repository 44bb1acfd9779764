/*
 * test_hostile: hostile peers (lying length headers, endless lines, header
 * floods, slowloris) and connection churn, with the allocations through the
 * seam and the descriptors accounted for.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostile.h"

static int run(const char *name, const struct CMUnitTest *t, size_t n)
{
    return _cmocka_run_group_tests(name, t, n, NULL, NULL);
}

/*
 * The main thread's lazily created resources (its mailbox, its wake-up
 * eventfd, the first table blocks) appear on first use; create them once
 * here so that the per-test fd and registry checks compare like with like.
 */
static void warm_up(void)
{
    esock_t s;
    if (esock_open(AF_INET, SOCK_STREAM, 0, &s) == 0) {
        char b[1];
        size_t got;
        esock_sockaddr_t sa = lo4(0);
        esock_bind(s, &sa);
        esock_listen(s, 1);
        esock_t c;
        esock_accept(s, 1, &c, NULL);
        esock_recv(s, b, 1, 1, 0, 1, &got, NULL);
        esock_close(s);
    }
    esock_inet_t l, a;
    esock_sockaddr_t sa = lo4(0);
    if (esock_inet_listen(&l, &sa, 1, NULL, 0, ESOCK_INET_NO_OWNER) == 0) {
        uint16_t port;
        esock_inet_port(l, &port);
        esock_inet_accept(l, &a, ESOCK_INET_NO_OWNER, 1);
        esock_inet_t c;
        sa = lo4(port);
        if (esock_inet_connect(&c, &sa, NULL, 0, ESOCK_INET_NO_OWNER, 1000) == 0) {
            if (esock_inet_accept(l, &a, ESOCK_INET_NO_OWNER, 1000) == 0) {
                char b[1];
                size_t got;
                esock_inet_recv(a, b, 1, 0, &got, 1);
                esock_inet_close(a);
            }
            esock_inet_close(c);
        }
        esock_inet_close(l);
    }
    inet_rows();
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* HOSTILE_FILTER=pattern runs the matching tests only, HOSTILE_SKIP=pattern
     * all but those (cmocka's filters; * and ? match). */
    if (getenv("HOSTILE_FILTER"))
        cmocka_set_test_filter(getenv("HOSTILE_FILTER"));
    if (getenv("HOSTILE_SKIP"))
        cmocka_set_skip_filter(getenv("HOSTILE_SKIP"));
    heap_install();
    warm_up();
    int fails = 0;
    fails += run("hostile_packet4", hostile_packet4_tests, hostile_packet4_count);
    fails += run("hostile_line_http", hostile_line_tests, hostile_line_count);
    fails += run("hostile_slowloris", hostile_slow_tests, hostile_slow_count);
    fails += run("hostile_churn", hostile_churn_tests, hostile_churn_count);
    heap_uninstall();
    return fails ? 1 : 0;
}
