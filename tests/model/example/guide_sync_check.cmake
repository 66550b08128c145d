# Fails when docs/testing-your-driver.md no longer shows the model-check
# example exactly as tests/model/example holds it (the files CTest builds).
# Usage: cmake -DROOT=<source dir> -P guide_sync_check.cmake
file(READ "${ROOT}/docs/testing-your-driver.md" _guide)
set(_stale "")
foreach(_file mailbox.hpp mailbox_model_test.cpp)
  file(READ "${ROOT}/tests/model/example/${_file}" _text)
  string(FIND "${_guide}" "```cpp\n${_text}```" _at)
  if(_at EQUAL -1)
    list(APPEND _stale "tests/model/example/${_file}")
  endif()
endforeach()
if(_stale)
  message(FATAL_ERROR "docs/testing-your-driver.md: update the code blocks from: ${_stale}")
endif()
message(STATUS "the guide shows the model-check example as built")
