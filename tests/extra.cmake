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

# sendmsg/recvmsg, control messages and sendfile (tests/socket_msg), also
# with EAGAIN injected through the seam.
file(GLOB _msgsrc CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/socket_msg/*.c)
if(_msgsrc AND TARGET esock_obj_socket)
  esock_objects_for(_objs socket)
  add_executable(test_socket_msg ${_msgsrc} ${_objs})
  target_include_directories(test_socket_msg PRIVATE ${PROJECT_SOURCE_DIR}/include
    ${PROJECT_SOURCE_DIR}/src ${CMAKE_CURRENT_SOURCE_DIR}/support ${CMOCKA_INCLUDE_DIR})
  target_compile_definitions(test_socket_msg PRIVATE
    ESOCK_FUZZ_CORPUS="${PROJECT_SOURCE_DIR}/fuzz/corpus/cmsg")
  target_link_libraries(test_socket_msg PRIVATE esock_test_support ${CMOCKA_LIBRARY} Threads::Threads)
  add_test(NAME socket_msg COMMAND test_socket_msg)
  add_test(NAME socket_msg_faults COMMAND test_socket_msg)
  set_tests_properties(socket_msg socket_msg_faults PROPERTIES TIMEOUT 120 SKIP_RETURN_CODE 77)
  set_tests_properties(socket_msg_faults PROPERTIES
    ENVIRONMENT "ESOCK_FAULTS=eagain:20,short:30,seed:7")
endif()

# Interoperability with real Erlang/OTP peers (tests/interop, docs/interop.md).
if(TARGET esock_obj_inet)
  esock_objects_for(_interop_objs inet)
  add_executable(test_interop interop/interop.c interop/peer.c ${_interop_objs})
  target_include_directories(test_interop PRIVATE ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/src
    ${CMAKE_CURRENT_SOURCE_DIR}/support ${CMOCKA_INCLUDE_DIR})
  target_compile_definitions(test_interop PRIVATE ESOCK_INTEROP_DIR="${CMAKE_CURRENT_SOURCE_DIR}/interop")
  target_link_libraries(test_interop PRIVATE esock_test_support ${CMOCKA_LIBRARY} Threads::Threads)
  add_test(NAME interop COMMAND test_interop)
  set_tests_properties(interop PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
endif()

# i/0,1,2 with OTP's table layout (tests/socket_i, docs/socket-i.md).
file(GLOB _isrc CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/socket_i/*.c)
if(_isrc AND TARGET esock_obj_socket)
  esock_objects_for(_iobjs socket)
  add_executable(test_socket_i ${_isrc} ${_iobjs})
  target_include_directories(test_socket_i PRIVATE ${PROJECT_SOURCE_DIR}/include
    ${PROJECT_SOURCE_DIR}/src ${CMAKE_CURRENT_SOURCE_DIR}/support ${CMOCKA_INCLUDE_DIR})
  target_link_libraries(test_socket_i PRIVATE esock_test_support ${CMOCKA_LIBRARY} Threads::Threads)
  add_test(NAME socket_i COMMAND test_socket_i)
  set_tests_properties(socket_i PROPERTIES TIMEOUT 60 SKIP_RETURN_CODE 77)
endif()

# esock_test_suite(<name> <layer>): tests/<name>/*.c as test_<name>, linked
# against <layer> and everything below it, registered as CTest test <name>.
function(esock_test_suite name layer)
  file(GLOB _src CONFIGURE_DEPENDS ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/${name}/*.c)
  esock_objects_for(_objs ${layer})
  add_executable(test_${name} ${_src} ${_objs})
  target_include_directories(test_${name} PRIVATE ${PROJECT_SOURCE_DIR}/include
    ${PROJECT_SOURCE_DIR}/src ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/support ${CMOCKA_INCLUDE_DIR})
  target_link_libraries(test_${name} PRIVATE esock_test_support ${CMOCKA_LIBRARY} Threads::Threads)
  add_test(NAME ${name} COMMAND test_${name})
  set_tests_properties(${name} PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
endfunction()

# Further suites declare themselves beside their code, one file each
# (tests/<suite>/tests.cmake), so that adding a suite touches no shared file.
file(GLOB _suite_fragments CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*/tests.cmake)
foreach(f IN LISTS _suite_fragments)
  include(${f})
endforeach()
