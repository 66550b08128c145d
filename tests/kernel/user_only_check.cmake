# SPDX-License-Identifier: MIT
#
# Every user-only header (sim/, testing/, gsl.hpp, testing.hpp, the posix and
# model backends) must refuse a kernel build with its own #error, before it
# pulls anything a kext cannot compile. Compiles each alone with the kext
# profile's flags and requires a failure whose first error is that #error.
#   cmake -DROOT=... -DFLAGS_FILE=<profile>.flags -DWORK=<dir> -P user_only_check.cmake
# The profile file holds the compiler, then one flag per line.
file(STRINGS "${FLAGS_FILE}" _flags)
list(POP_FRONT _flags _compiler)
file(GLOB_RECURSE _headers RELATIVE "${ROOT}/include"
     "${ROOT}/include/kdrv/sim/*.hpp" "${ROOT}/include/kdrv/testing/*.hpp"
     "${ROOT}/include/kdrv/platform/posix*.hpp" "${ROOT}/include/kdrv/platform/model*.hpp")
list(APPEND _headers kdrv/gsl.hpp kdrv/testing.hpp)
list(SORT _headers)
set(_bad 0)
foreach(_h IN LISTS _headers)
  file(WRITE "${WORK}/user_only.cpp" "#include \"${_h}\"\n")
  execute_process(COMMAND "${_compiler}" ${_flags} -fsyntax-only "${WORK}/user_only.cpp"
                  RESULT_VARIABLE _rc ERROR_VARIABLE _err OUTPUT_QUIET)
  string(REGEX MATCH "error: [^\n]*" _first "${_err}")
  if(_rc EQUAL 0)
    message(SEND_ERROR "user-only: ${_h} compiles in a kernel build")
    math(EXPR _bad "${_bad} + 1")
  elseif(NOT _first MATCHES "error: \"[^\"]*(user space|user-space|model-checking build)")
    message(SEND_ERROR "user-only: ${_h} fails in a kernel build, but not by its own #error: ${_first}")
    math(EXPR _bad "${_bad} + 1")
  endif()
endforeach()
list(LENGTH _headers _n)
if(_bad EQUAL 0)
  message(STATUS "user-only: ${_n} headers refuse a kernel build with their own #error")
endif()
