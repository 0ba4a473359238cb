# Keep fuzz/seeds/*.txt (the text sources) and corpus/fuzz_attach (the
# committed binaries) in step. A seed NAME.txt is the input corpus/NAME.
#
#   cmake -DMODE=encode -DFUZZ_TEXT=... -DSEEDS=... -DCORPUS=... -P seeds.cmake
#       write every seed's bytes into CORPUS (the fuzz_encode_seeds target)
#   cmake -DMODE=check -DFUZZ_TEXT=... -DSEEDS=... -DCORPUS=... -DWORK=... -P
#       fail unless every seed encodes to its committed binary, and every
#       binary of CORPUS round-trips: decode, then encode, gives its bytes
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

if(NOT MODE STREQUAL "check" OR NOT DEFINED WORK)
  message(FATAL_ERROR "seeds.cmake: MODE must be encode or check (with WORK)")
endif()

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(failed "")

# Every seed is committed, and committed as its text says.
foreach(seed IN LISTS seeds)
  get_filename_component(name ${seed} NAME_WE)
  run_text(encode ${seed} ${WORK}/${name}.seed)
  if(NOT EXISTS ${CORPUS}/${name})
    list(APPEND failed "${name}: no corpus file (build fuzz_encode_seeds)")
    continue()
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files
                  ${WORK}/${name}.seed ${CORPUS}/${name} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    list(APPEND failed "${name}: corpus file differs from its seed text")
  endif()
endforeach()

# Every corpus input survives decode + encode unchanged.
file(GLOB inputs LIST_DIRECTORIES false ${CORPUS}/*)
set(count 0)
foreach(input IN LISTS inputs)
  get_filename_component(name ${input} NAME)
  if(name MATCHES "^README" OR name MATCHES "^\\.")
    continue()
  endif()
  run_text(decode ${input})
  file(WRITE ${WORK}/${name}.txt "${text_out}")
  run_text(encode ${WORK}/${name}.txt ${WORK}/${name}.rt)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files
                  ${WORK}/${name}.rt ${input} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    list(APPEND failed "${name}: decode + encode changed the bytes")
  endif()
  math(EXPR count "${count} + 1")
endforeach()

if(failed)
  list(JOIN failed "\n  " msg)
  message(FATAL_ERROR "seed check failed:\n  ${msg}")
endif()
message(STATUS "${count} corpus inputs round-trip, all seeds committed")
