/* test_resolve: host lookups, get_rc and getifaddrs. */
#include "tests.h"

/*
 * Under ThreadSanitizer: glibc guards its resolver state (resolv.conf
 * cache, NSS module tables) with internal locks that TSan cannot see, so
 * two workers inside gethostbyname2_r() look like a race inside libc
 * (__libc_dynarray_emplace_enlarge). Races in memory that libc manages
 * are libc's business; our own locking is still checked in full.
 */
const char *__tsan_default_suppressions(void);
__attribute__((visibility("default"))) const char *__tsan_default_suppressions(void)
{
    return "race:__libc_dynarray_emplace_enlarge\n";
}

int main(void)
{
    int failed = 0;
    failed += _cmocka_run_group_tests("resolve_host", resolve_host_tests, resolve_host_ntests, NULL, NULL);
    failed += _cmocka_run_group_tests("resolve_ifaddrs", resolve_ifaddrs_tests, resolve_ifaddrs_ntests,
                                      NULL, NULL);
    return failed ? 1 : 0;
}
