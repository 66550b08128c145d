# SPDX-License-Identifier: MIT
#
# cmake -DCXX=... -DINCLUDE=... -DSOURCE=... [-DCASE=NAME -DEXPECT=regex] -P expect_compile.cmake
# Without CASE: SOURCE must compile. With CASE: compiling SOURCE with
# -DKDRV_CASE_<CASE> must fail, and the diagnostics must match EXPECT (so the
# refusal has the intended cause, not a typo).
set(_defs "")
if(CASE)
  set(_defs "-DKDRV_CASE_${CASE}")
endif()
execute_process(COMMAND "${CXX}" -std=c++11 -fsyntax-only -Wall -Wextra -Werror "-I${INCLUDE}"
                        ${_defs} "${SOURCE}"
                RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
if(NOT CASE)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "compile_fail: the control build of ${SOURCE} fails:\n${_err}")
  endif()
  message(STATUS "compile_fail: control build compiles")
  return()
endif()
if(_rc EQUAL 0)
  message(FATAL_ERROR "compile_fail: case ${CASE} of ${SOURCE} compiled; it must be refused")
endif()
if(NOT "${_out}${_err}" MATCHES "${EXPECT}")
  message(FATAL_ERROR "compile_fail: case ${CASE} was refused, but not for the expected reason "
                      "(/${EXPECT}/):\n${_err}")
endif()
message(STATUS "compile_fail: case ${CASE} refused as expected")
