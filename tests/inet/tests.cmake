# The inet suite again with EAGAIN and short transfers injected through the
# syscall seam (src/sys/sys.h): every queued byte must still be written.
if(TARGET test_inet)
  add_test(NAME inet_faults COMMAND test_inet)
  set_tests_properties(inet_faults PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77
    ENVIRONMENT "ESOCK_FAULTS=eagain:20,short:30,seed:7")
endif()
