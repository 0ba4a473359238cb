# fuzz_attach_short: run the libFuzzer binary for SECONDS over a copy of the
# corpus in the build directory (the source tree is never written), with the
# flags of fuzz_attach.options and every machine reset proven, and fail on
# any crash, leak or timeout.
#
#   cmake -DFUZZER=... -DCORPUS=... -DOPTIONS=... -DWORK=... -DSECONDS=20
#         -P run_short.cmake
cmake_minimum_required(VERSION 3.25)

foreach(var FUZZER CORPUS OPTIONS WORK SECONDS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_short.cmake: ${var} not set")
  endif()
endforeach()

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/corpus ${WORK}/artifacts)
file(GLOB inputs LIST_DIRECTORIES false ${CORPUS}/*)
foreach(input IN LISTS inputs)
  get_filename_component(name ${input} NAME)
  if(NOT name MATCHES "^README" AND NOT name MATCHES "^\\.")
    file(COPY ${input} DESTINATION ${WORK}/corpus)
  endif()
endforeach()

# "key = value" lines of the [libfuzzer] section become -key=value; a dict
# named relative to the options file is found beside it.
get_filename_component(optdir ${OPTIONS} DIRECTORY)
file(STRINGS ${OPTIONS} lines)
set(flags "")
set(in_section FALSE)
foreach(line IN LISTS lines)
  if(line MATCHES "^\\[(.*)\\]")
    set(in_section FALSE)
    if(CMAKE_MATCH_1 STREQUAL "libfuzzer")
      set(in_section TRUE)
    endif()
  elseif(in_section AND line MATCHES "^[ \t]*([a-z_]+)[ \t]*=[ \t]*(.*[^ \t])")
    set(key ${CMAKE_MATCH_1})
    set(value ${CMAKE_MATCH_2})
    if(key STREQUAL "dict" AND NOT IS_ABSOLUTE ${value})
      set(value ${optdir}/${value})
    endif()
    list(APPEND flags -${key}=${value})
  endif()
endforeach()

# Every reset of the machine the inputs share is proven (harness.h).
execute_process(
  COMMAND ${CMAKE_COMMAND} -E env FUZZ_ATTACH_CHECK_RESET=1
          ${FUZZER} ${flags} -max_total_time=${SECONDS}
          -artifact_prefix=${WORK}/artifacts/ -print_final_stats=1
          ${WORK}/corpus
  WORKING_DIRECTORY ${WORK}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(GLOB found ${WORK}/artifacts/*)
  message(FATAL_ERROR "fuzz_attach failed (${rc}); artifacts: ${found}")
endif()
