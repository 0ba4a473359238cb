# Keep fuzz/seeds/*.txt (the text sources) and corpus/fuzz_attach (the
# committed binaries) in step. A seed NAME.txt is the input corpus/NAME.
#
#   cmake -DMODE=encode -DFUZZ_TEXT=... -DSEEDS=... -DCORPUS=... -P seeds.cmake
#       write every seed's bytes into CORPUS (the fuzz_encode_seeds target)
# The check that they are in step is `fuzz_text check SEEDS CORPUS` (the
# fuzz_text_roundtrip test), one process for every seed and input.
cmake_minimum_required(VERSION 3.25)

foreach(var FUZZ_TEXT SEEDS CORPUS MODE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "seeds.cmake: ${var} not set")
  endif()
endforeach()

file(GLOB seeds LIST_DIRECTORIES false ${SEEDS}/*.txt)
list(SORT seeds)
if(NOT seeds)
  message(FATAL_ERROR "no seeds in ${SEEDS}")
endif()

function(run_text)
  execute_process(COMMAND ${FUZZ_TEXT} ${ARGN}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "fuzz_text ${ARGN} failed (${rc}): ${err}")
  endif()
  set(text_out "${out}" PARENT_SCOPE)
endfunction()

if(MODE STREQUAL "encode")
  foreach(seed IN LISTS seeds)
    get_filename_component(name ${seed} NAME_WE)
    run_text(encode ${seed} ${CORPUS}/${name})
    message(STATUS "corpus/${name}")
  endforeach()
  return()
endif()

message(FATAL_ERROR "seeds.cmake: MODE must be encode (fuzz_text check does the check)")
