# Eight threads on one shared set of sockets (tests/stress; figures for
# docs/reliability.md), also with faults injected through the seam. It
# links the hostile suite's counting allocator (tests/hostile/heap.c).
esock_test_suite(stress inet)
target_sources(test_stress PRIVATE ${CMAKE_CURRENT_LIST_DIR}/../hostile/heap.c)
target_include_directories(test_stress PRIVATE ${CMAKE_CURRENT_LIST_DIR}/../hostile)
add_test(NAME stress_faults COMMAND test_stress)
set_tests_properties(stress stress_faults PROPERTIES TIMEOUT 120 SKIP_RETURN_CODE 77)
set_tests_properties(stress_faults PROPERTIES
  ENVIRONMENT "ESOCK_FAULTS=eintr:5,eagain:20,short:30,seed:7")
