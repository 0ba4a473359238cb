# fuzz_seed_faults: a seed that injects faults names the host calls it
# means to fail in "# expect-fault: <text>" comments (an ioctl name such
# as VFIO_DEVICE_BIND_IOMMUFD, or "open(/dev/iommu)"), one per fault in
# the order they fire; the first ones may be left out by starting with
# "# expect-fault: *" lines. This replays each such seed's corpus input
# with -v and checks that the n-th call marked "[injected]" in the host
# call log contains the n-th text, so that a seed whose fault drifted onto
# another call (the core or the emulator changed the call order) is
# caught, not silently kept.
#
#   cmake -DREPLAY=... -DSEEDS=... -DCORPUS=... -P expect_fault.cmake
cmake_minimum_required(VERSION 3.25)

foreach(var REPLAY SEEDS CORPUS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "expect_fault.cmake: ${var} not set")
  endif()
endforeach()

file(GLOB seeds LIST_DIRECTORIES false ${SEEDS}/*.txt)
list(SORT seeds)
set(failed "")
set(count 0)
foreach(seed IN LISTS seeds)
  file(STRINGS ${seed} wants REGEX "^# expect-fault: ")
  if(NOT wants)
    continue()
  endif()
  get_filename_component(name ${seed} NAME_WE)
  execute_process(COMMAND ${REPLAY} -v ${CORPUS}/${name}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    list(APPEND failed "${name}: replay failed (${rc})")
    continue()
  endif()
  string(REGEX MATCHALL "host #[0-9]+ [^\n]*\\[injected\\]" gots "${out}")
  set(i 0)
  foreach(want IN LISTS wants)
    string(REGEX REPLACE "^# expect-fault: *" "" want "${want}")
    list(LENGTH gots ngot)
    if(i GREATER_EQUAL ngot)
      list(APPEND failed "${name}: fault ${i} (${want}) never fired")
      break()
    endif()
    list(GET gots ${i} got)
    string(FIND "${got}" "${want}" at)
    if(NOT want STREQUAL "*" AND at EQUAL -1)
      list(APPEND failed "${name}: fault ${i} wants ${want}, got: ${got}")
    endif()
    math(EXPR i "${i} + 1")
  endforeach()
  math(EXPR count "${count} + 1")
endforeach()

if(failed)
  list(JOIN failed "\n  " msg)
  message(FATAL_ERROR "seeds whose fault hits another call:\n  ${msg}")
endif()
message(STATUS "${count} fault seeds hit the call they name")
