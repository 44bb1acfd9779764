/* test_addr: parse/ntoa edge cases beyond the vectors, and socket addresses. */
#include "addr_tests.h"

int main(void)
{
    int failed = 0;
    failed += _cmocka_run_group_tests("addr_parse", addr_parse_tests, addr_parse_count, NULL, NULL);
    failed += _cmocka_run_group_tests("addr_ntoa", addr_ntoa_tests, addr_ntoa_count, NULL, NULL);
    failed += _cmocka_run_group_tests("addr_sockaddr", addr_sockaddr_tests, addr_sockaddr_count,
                                      NULL, NULL);
    return failed == 0 ? 0 : 1;
}
