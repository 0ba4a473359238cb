# iofd_add_badinput(<cases-file> PREFIX <prefix> [ENVIRONMENT <var=value>...])
# Register every case of a bad-input cases file (functions named bad_<name>,
# see testlib/badinput.sh) as its own CTest test "<prefix>.<name>" with the
# label "badinput". The file is re-read at every configure it changes.
function(iofd_add_badinput file)
  cmake_parse_arguments(ARG "" "PREFIX" "ENVIRONMENT" ${ARGN})
  get_filename_component(path ${file} ABSOLUTE)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${path})
  # Names only: a whole line in a CMake list would be split or joined at
  # any unbalanced bracket it holds.
  file(READ ${path} text)
  string(REGEX MATCHALL "(^|\n)bad_[a-z0-9_]+\\(\\)" heads "${text}")
  foreach(h IN LISTS heads)
    string(REGEX REPLACE "^\n?bad_([a-z0-9_]+)\\(\\)$" "\\1" n "${h}")
    add_test(NAME ${ARG_PREFIX}.${n}
      COMMAND bash ${PROJECT_SOURCE_DIR}/testlib/badinput.sh ${path} ${n}
              ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
    set_tests_properties(${ARG_PREFIX}.${n} PROPERTIES LABELS badinput
      TIMEOUT 120)
    if(ARG_ENVIRONMENT)
      set_tests_properties(${ARG_PREFIX}.${n} PROPERTIES
        ENVIRONMENT "${ARG_ENVIRONMENT}")
    endif()
  endforeach()
endfunction()
