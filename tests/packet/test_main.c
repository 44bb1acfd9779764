/* test_packet: decode_packet API, options, split points and guard pages. */
#include "packet_tests.h"

int main(void)
{
    int failed = 0;
    failed += _cmocka_run_group_tests("packet_api", packet_api_tests, packet_api_count, NULL, NULL);
    failed += _cmocka_run_group_tests("packet_split", packet_split_tests, packet_split_count, NULL, NULL);
    failed += _cmocka_run_group_tests("packet_wide", packet_wide_tests, packet_wide_count, NULL, NULL);
    return failed == 0 ? 0 : 1;
}
