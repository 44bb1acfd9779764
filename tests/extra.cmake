# The socket suite again with partial I/O and EAGAIN injected through the
# syscall seam (src/sys/sys.h).
if(TARGET test_socket)
  add_test(NAME socket_faults COMMAND test_socket)
  set_tests_properties(socket_faults PROPERTIES TIMEOUT 300
    ENVIRONMENT "ESOCK_FAULTS=eagain:20,short:30,seed:7")
endif()

# The esock tool, driven as a user would (tests/cli/run.sh).
if(TARGET esock_tool)
  add_test(NAME cli COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/run.sh $<TARGET_FILE:esock_tool>
           ${CMAKE_CURRENT_SOURCE_DIR}/vectors)
  set_tests_properties(cli PROPERTIES TIMEOUT 300)
endif()
