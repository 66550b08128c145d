# SPDX-License-Identifier: MIT
#
# kdrv_add_kernel_check(<name>
#     SOURCES <file>...
#     [ARCHS x86_64 arm64]              (default: both)
#     [STANDARDS gnu++11 gnu++17]       (default: both)
#     [INCLUDE_DIRECTORIES <dir>...]    (the sources' own headers)
#     [DEFINITIONS <NAME[=value]>...]
#     [WARNINGS <flag>...])             (default: -Wall -Wextra)
#
# Adds CTest tests that check a team's own driver sources, on Linux and
# without the macOS SDK, the way kdrv checks its headers
# (docs/kernel-build.md, docs/kext-integration.md):
#
#   <name>/<arch>   each source compiled as a kext translation unit (Xcode's
#                   kernel-extension flags, arm64e for arm64) at every
#                   standard, -O0 (Debug) and -Os (Release), against kdrv and
#                   the stand-in SDK; then every object's undefined symbols
#                   must be in xnu's public kext export lists (BSDKernel,
#                   IOKit, Libkern, Mach; Unsupported and MACFramework are
#                   allowed and reported; Private and unlisted symbols fail),
#                   and no forbidden symbol or section may appear (exception,
#                   RTTI, guard-variable, TLS, libatomic, aligned-new;
#                   __mod_init_func/__mod_term_func only in a TU that defines
#                   an I/O Kit class with OSDefineMetaClassAndStructors).
#   <name>/ecpp     the Embedded C++ rules over clang's AST and include
#                   graph, reported in the sources and in files under
#                   INCLUDE_DIRECTORIES and the sources' directories.
#
# Every problem is printed as
#   kdrv-gate: FAIL <file>:<line> [<rule>] <detail>
# and fails the test. Tools: clang++, llvm-nm, llvm-objdump, clang-query,
# python3 (Debian: clang llvm clang-tools python3); if one is missing the
# tests are still added and fail naming it.
#
# Set before including this file (kdrvConfig.cmake and kdrv's own build do):
#   KDRV_KERNEL_CHECK_ROOT     directory of kdrv's include/ (the prefix)
#   KDRV_KERNEL_CHECK_INCLUDE  kdrv's include directory
#   KDRV_KERNEL_CHECK_SDK      the stand-in SDK (include/ and freestanding/)
#   KDRV_KERNEL_CHECK_TOOLS    directory of kernel_gate.py and exports/
# They are kept as global properties, so the function also works from a
# parent project that embeds kdrv with add_subdirectory().
foreach(_kdrv_kc_var ROOT INCLUDE SDK TOOLS)
  if(DEFINED KDRV_KERNEL_CHECK_${_kdrv_kc_var})
    set_property(GLOBAL PROPERTY KDRV_KERNEL_CHECK_${_kdrv_kc_var} "${KDRV_KERNEL_CHECK_${_kdrv_kc_var}}")
  endif()
endforeach()
include_guard(GLOBAL)

function(kdrv_add_kernel_check name)
  cmake_parse_arguments(PARSE_ARGV 1 _kc "" ""
                        "SOURCES;ARCHS;STANDARDS;INCLUDE_DIRECTORIES;DEFINITIONS;WARNINGS")
  if(_kc_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "kdrv_add_kernel_check(${name}): unknown arguments ${_kc_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT _kc_SOURCES)
    message(FATAL_ERROR "kdrv_add_kernel_check(${name}): SOURCES is required")
  endif()
  if(NOT _kc_ARCHS)
    set(_kc_ARCHS x86_64 arm64)
  endif()
  if(NOT _kc_STANDARDS)
    set(_kc_STANDARDS gnu++11 gnu++17)
  endif()
  if(NOT DEFINED _kc_WARNINGS)
    set(_kc_WARNINGS -Wall -Wextra)
  endif()
  foreach(_arch IN LISTS _kc_ARCHS)
    if(NOT _arch MATCHES "^(x86_64|arm64)$")
      message(FATAL_ERROR "kdrv_add_kernel_check(${name}): ARCHS takes x86_64 and arm64, not ${_arch}")
    endif()
  endforeach()

  find_program(KDRV_KC_CLANGXX NAMES clang++ clang++-19 clang++-18 clang++-17 clang++-16 clang++-15 clang++-14)
  find_program(KDRV_KC_NM NAMES llvm-nm llvm-nm-19 llvm-nm-18 llvm-nm-17 llvm-nm-16 llvm-nm-15 llvm-nm-14)
  find_program(KDRV_KC_OBJDUMP NAMES llvm-objdump llvm-objdump-19 llvm-objdump-18 llvm-objdump-17
               llvm-objdump-16 llvm-objdump-15 llvm-objdump-14)
  find_program(KDRV_KC_CLANG_QUERY NAMES clang-query clang-query-19 clang-query-18 clang-query-17
               clang-query-16 clang-query-15 clang-query-14)
  # The distribution's interpreter first: version-manager shims are slow to start.
  find_program(KDRV_KC_PYTHON NAMES python3 HINTS /usr/bin NO_DEFAULT_PATH)
  find_program(KDRV_KC_PYTHON NAMES python3)

  set(_sources "")
  foreach(_s IN LISTS _kc_SOURCES)
    get_filename_component(_abs "${_s}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND _sources --source "${_abs}")
  endforeach()
  set(_user "")
  foreach(_d IN LISTS _kc_INCLUDE_DIRECTORIES)
    get_filename_component(_abs "${_d}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND _user --include-dir "${_abs}")
  endforeach()
  foreach(_d IN LISTS _kc_DEFINITIONS)
    list(APPEND _user "--define=${_d}")
  endforeach()
  set(_stds "")
  foreach(_std IN LISTS _kc_STANDARDS)
    list(APPEND _stds --std "${_std}")
  endforeach()
  set(_warnings "")
  foreach(_w IN LISTS _kc_WARNINGS)
    list(APPEND _warnings "--warning=${_w}")
  endforeach()

  set(_missing "")
  foreach(_tool CLANGXX NM OBJDUMP CLANG_QUERY PYTHON)
    if(NOT KDRV_KC_${_tool})
      list(APPEND _missing ${_tool})
    endif()
  endforeach()
  if(_missing)
    list(JOIN _missing ", " _text)
    add_test(NAME ${name}/tools COMMAND "${CMAKE_COMMAND}" -E echo
             "kdrv-gate: FAIL [gate.tools] kdrv_add_kernel_check: missing ${_text} (Debian: clang llvm clang-tools python3)")
    set_tests_properties(${name}/tools PROPERTIES WILL_FAIL TRUE)
    return()
  endif()

  foreach(_var ROOT INCLUDE SDK TOOLS)
    get_property(_${_var} GLOBAL PROPERTY KDRV_KERNEL_CHECK_${_var})
  endforeach()
  set(_gate "${KDRV_KC_PYTHON}" "${_TOOLS}/kernel_gate.py"
      --root "${_ROOT}" --kdrv-include "${_INCLUDE}"
      --sdk-dir "${_SDK}" --exports "${_TOOLS}/exports"
      --nm "${KDRV_KC_NM}" --objdump "${KDRV_KC_OBJDUMP}")
  set(_display --display-root "${PROJECT_SOURCE_DIR}")
  string(MAKE_C_IDENTIFIER "${name}" _work)
  foreach(_arch IN LISTS _kc_ARCHS)
    add_test(NAME ${name}/${_arch}
             COMMAND ${_gate} check kext ${_sources} --arch ${_arch} ${_stds} ${_user} ${_warnings} ${_display}
                     --clangxx "${KDRV_KC_CLANGXX}"
                     --work "${CMAKE_CURRENT_BINARY_DIR}/kdrv_kernel_check/${_work}/${_arch}")
  endforeach()
  add_test(NAME ${name}/ecpp
           COMMAND ${_gate} check ecpp ${_sources} ${_user} ${_display}
                   --clangxx "${KDRV_KC_CLANGXX}" --clang-query "${KDRV_KC_CLANG_QUERY}")
  set(_tests ${name}/ecpp)
  foreach(_arch IN LISTS _kc_ARCHS)
    list(APPEND _tests ${name}/${_arch})
  endforeach()
  set_tests_properties(${_tests} PROPERTIES TIMEOUT 300 LABELS kernel-check
                       FAIL_REGULAR_EXPRESSION "kdrv-gate: FAIL")
endfunction()
