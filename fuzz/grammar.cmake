# fuzz_grammar_current: fuzz/GRAMMAR must be what `fuzz_text grammar`
# prints now, so the documented text form is the one the parser takes.
# Rewrite it with the fuzz_write_grammar target after changing the table.
#
#   cmake -DFUZZ_TEXT=... -DGRAMMAR=... -DOUT=... -P grammar.cmake
cmake_minimum_required(VERSION 3.25)

foreach(var FUZZ_TEXT GRAMMAR OUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "grammar.cmake: ${var} not set")
  endif()
endforeach()
execute_process(COMMAND ${FUZZ_TEXT} grammar OUTPUT_FILE ${OUT}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "fuzz_text grammar failed (${rc})")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT} ${GRAMMAR}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "fuzz/GRAMMAR is not what the op table says: build the fuzz_write_grammar target")
endif()
