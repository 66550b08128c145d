# doctest_discover_tests cannot register a test case whose name holds ';', '['
# or ']' (CTest list syntax): such a test would silently never run. Refuse them.
# Usage: cmake -DROOT=<source dir> -P test_names_check.cmake
file(GLOB _sources "${ROOT}/tests/*_test.cpp" "${ROOT}/examples/*/*_test.cpp")
set(_bad "")
foreach(_src IN LISTS _sources)
  file(READ "${_src}" _text)
  # ';' is CMake's list separator: hide it before matching.
  string(REPLACE ";" "<semicolon>" _text "${_text}")
  string(REGEX MATCH "TEST_CASE\\(\"[^\"\n]*(<semicolon>|\\[|\\])" _hit "${_text}")
  if(_hit)
    list(APPEND _bad "${_src}")
  endif()
endforeach()
if(_bad)
  message(FATAL_ERROR "test names with ';', '[' or ']' never run under CTest: ${_bad}")
endif()
