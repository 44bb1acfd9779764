/* test_inet: the inet layer (gen_tcp / gen_udp sockets). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

static int run(const char *name, const struct CMUnitTest *t, size_t n)
{
    return _cmocka_run_group_tests(name, t, n, NULL, NULL);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    int fails = 0;
    fails += run("inet_frame", inet_tests_frame, inet_ntests_frame);
    fails += run("inet_basic", inet_tests_basic, inet_ntests_basic);
    fails += run("inet_packet", inet_tests_packet, inet_ntests_packet);
    fails += run("inet_active", inet_tests_active, inet_ntests_active);
    fails += run("inet_send", inet_tests_send, inet_ntests_send);
    fails += run("inet_opts", inet_tests_opts, inet_ntests_opts);
    fails += run("inet_misc", inet_tests_misc, inet_ntests_misc);
    fails += run("inet_zerocopy", inet_tests_zerocopy, inet_ntests_zerocopy);
    fails += run("inet_interop", inet_tests_interop, inet_ntests_interop);
    fails += run("inet_udp_more", inet_tests_udp_more, inet_ntests_udp_more);
    fails += run("inet_lifecycle", inet_tests_lifecycle, inet_ntests_lifecycle);
    fails += run("inet_portend", inet_tests_portend, inet_ntests_portend);
    fails += run("inet_edges", inet_tests_edges, inet_ntests_edges);
    return fails ? 1 : 0;
}
