# SPDX-License-Identifier: MIT
#
# cmake -DCLANGXX=<clang++> -DNM=<llvm-nm or empty> -DARCH=x86_64|arm64
#       -DSOURCE=<file.cpp> -DOBJECT=<file.o> -DINCLUDES=<dir;dir;...>
#       -P kext_compile_check.cmake
#
# Compiles SOURCE as a kext translation unit (kernel-build.md, profile A:
# Mach-O kext code generation, -fapple-kext -mkernel, no C or C++ library
# headers, KERNEL defined) with every warning an error. Then, if llvm-nm is
# available, fails on undefined symbols that a kext cannot resolve or must
# not have: the exception and RTTI runtime, guard variables, atexit, TLS and
# libatomic calls.
execute_process(COMMAND "${CLANGXX}" -print-resource-dir
                OUTPUT_VARIABLE _resource OUTPUT_STRIP_TRAILING_WHITESPACE)
set(_includes "")
foreach(_dir IN LISTS INCLUDES)
  list(APPEND _includes "-I${_dir}")
endforeach()
execute_process(
  COMMAND "${CLANGXX}" --target=${ARCH}-apple-macos11 -std=gnu++17
          -fapple-kext -mkernel -nostdinc -isystem "${_resource}/include"
          -DKERNEL -O2 -Wall -Wextra -Werror ${_includes}
          -c "${SOURCE}" -o "${OBJECT}"
  RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
if(NOT _rc STREQUAL "0")
  message(FATAL_ERROR "kext compile failed (${ARCH}):\n${_out}${_err}")
endif()
message(STATUS "compiled ${SOURCE} for ${ARCH}-apple-macos11 with -fapple-kext -mkernel")

if(NOT NM)
  message(STATUS "llvm-nm not found: undefined symbols not checked")
  return()
endif()
execute_process(COMMAND "${NM}" -u "${OBJECT}"
                RESULT_VARIABLE _rc OUTPUT_VARIABLE _symbols ERROR_VARIABLE _err)
if(NOT _rc STREQUAL "0")
  message(FATAL_ERROR "llvm-nm failed: ${_err}")
endif()
# Mach-O names carry one extra leading underscore.
set(_forbidden "___cxa_(guard|throw|begin_catch|end_catch|allocate_exception|atexit)|__Unwind_|___gxx_personality|__ZTI|__ZTS|___cxxabiv1|__ZGV|_atexit|___dso_handle|___tls_get_addr|___atomic_|__ZnwmSt11align_val_t")
string(REPLACE "\n" ";" _lines "${_symbols}")
set(_bad "")
foreach(_line IN LISTS _lines)
  string(STRIP "${_line}" _sym)
  if(_sym MATCHES "^(${_forbidden})")
    list(APPEND _bad "${_sym}")
  endif()
endforeach()
if(_bad)
  message(FATAL_ERROR "the kext object references symbols a kext must not use: ${_bad}")
endif()
message(STATUS "undefined symbols checked: none forbidden")
