# iofd_add_tests(<exe> LABEL <label> TESTS <name>...)
# Register every named test of a check.h test executable as its own CTest
# test "<exe>.<name>", so a failure names the test and tests run in parallel.
function(iofd_add_tests exe)
  cmake_parse_arguments(ARG "" "LABEL" "TESTS" ${ARGN})
  foreach(t IN LISTS ARG_TESTS)
    add_test(NAME ${exe}.${t} COMMAND ${exe} ${t})
    set_tests_properties(${exe}.${t} PROPERTIES LABELS "${ARG_LABEL}" TIMEOUT 120)
  endforeach()
endfunction()
