# SPDX-License-Identifier: MIT
#
# cmake -DPROGRAM=<exe> -DEXPECTED=<file> -P compare_output.cmake
# Runs PROGRAM and fails unless it exits 0 and its standard output equals
# EXPECTED exactly. On a mismatch the actual output is kept next to the
# program (<exe>.actual.txt) for `diff -u`, and both texts are printed.
execute_process(COMMAND "${PROGRAM}"
                OUTPUT_VARIABLE _out
                ERROR_VARIABLE _err
                RESULT_VARIABLE _rc)
file(READ "${EXPECTED}" _expected)
if(NOT _rc STREQUAL "0")
  message(FATAL_ERROR "${PROGRAM} exited with ${_rc}\nstderr:\n${_err}\nstdout:\n${_out}")
endif()
if(NOT _out STREQUAL _expected)
  file(WRITE "${PROGRAM}.actual.txt" "${_out}")
  message(FATAL_ERROR "output differs from ${EXPECTED}\n"
                      "compare: diff -u ${EXPECTED} ${PROGRAM}.actual.txt\n"
                      "---- expected\n${_expected}---- actual\n${_out}---- stderr\n${_err}")
endif()
message(STATUS "output matches ${EXPECTED}")
