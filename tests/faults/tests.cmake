# The fault-injection suite (tests/faults): allocation failure at every
# allocation point, EMFILE on accept, ENOBUFS/ENOMEM, peer reset, half-close,
# through the syscall seam (src/sys/sys.h).
esock_test_suite(faults inet)

# The other suites again with EINTR, EAGAIN and short transfers injected
# (ESOCK_FAULTS, src/sys/sys.h): EINTR must be retried, never reported and
# never lose data.
set(_esock_eintr_env "ESOCK_FAULTS=eintr:20,eagain:20,short:30,seed:7")
if(TARGET test_socket)
  add_test(NAME socket_eintr COMMAND test_socket)
  set_tests_properties(socket_eintr PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77
    ENVIRONMENT "${_esock_eintr_env}")
endif()
if(TARGET test_socket_msg)
  add_test(NAME socket_msg_eintr COMMAND test_socket_msg)
  set_tests_properties(socket_msg_eintr PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77
    ENVIRONMENT "${_esock_eintr_env}")
endif()
if(TARGET test_inet)
  add_test(NAME inet_eintr COMMAND test_inet)
  set_tests_properties(inet_eintr PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77
    ENVIRONMENT "${_esock_eintr_env}")
endif()
# The fault suite itself under EINTR (its own seam overrides sit on top).
add_test(NAME faults_eintr COMMAND test_faults)
set_tests_properties(faults_eintr PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77
  ENVIRONMENT "ESOCK_FAULTS=eintr:20,seed:7")
