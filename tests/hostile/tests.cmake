# Hostile peers and connection churn (tests/hostile; figures for
# docs/reliability.md). Run again with partial I/O, EAGAIN and EINTR
# injected through the seam: a hostile peer plus a hostile kernel.
esock_test_suite(hostile inet)
add_test(NAME hostile_faults COMMAND test_hostile)
set_tests_properties(hostile hostile_faults PROPERTIES TIMEOUT 240 SKIP_RETURN_CODE 77)
set_tests_properties(hostile_faults PROPERTIES
  ENVIRONMENT "ESOCK_FAULTS=eintr:5,eagain:20,short:30,seed:7")
