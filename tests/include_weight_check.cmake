# Fails when a light block header pulls in thread or lock headers: contract,
# refcount, byte_ring and dispatch use only the core half of the platform
# seam (platform/platform.hpp), never its locks half.
# Usage: cmake -DCXX=<compiler> -DROOT=<source dir> -P include_weight_check.cmake
cmake_policy(SET CMP0007 NEW)
set(_light contract refcount byte_ring dispatch)
set(_posix_flags "")
set(_posix_forbidden "pthread[.]h" "stdio[.]h" "platform/posix_locks[.]hpp")
set(_xnu_flags "-DKDRV_CONFIG_PLATFORM=2" "-I${ROOT}/sdk/include")
set(_xnu_forbidden "kern/thread[.]h" "platform/xnu_locks[.]hpp")
set(_failed "")
foreach(_backend posix xnu)
  foreach(_h IN LISTS _light)
    set(_src "${CMAKE_CURRENT_BINARY_DIR}/weight_${_backend}_${_h}.cpp")
    file(WRITE "${_src}" "#include \"kdrv/${_h}.hpp\"\n")
    execute_process(
      COMMAND "${CXX}" -std=c++17 -fsyntax-only -H "-I${ROOT}/include" ${_${_backend}_flags} "${_src}"
      RESULT_VARIABLE _rc ERROR_VARIABLE _tree OUTPUT_QUIET)
    if(NOT _rc EQUAL 0)
      list(APPEND _failed "kdrv/${_h}.hpp (${_backend}): does not compile alone")
      continue()
    endif()
    foreach(_bad IN LISTS _${_backend}_forbidden)
      if(_tree MATCHES "/${_bad}")
        list(APPEND _failed "kdrv/${_h}.hpp (${_backend}) includes ${_bad}")
      endif()
    endforeach()
  endforeach()
endforeach()
if(_failed)
  string(REPLACE ";" "\n  " _msg "${_failed}")
  message(FATAL_ERROR "include weight: light headers pull thread/lock headers:\n  ${_msg}")
endif()
message(STATUS "include weight: contract, refcount, byte_ring, dispatch use the core seam only")
