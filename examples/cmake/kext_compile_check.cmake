# SPDX-License-Identifier: MIT
#
# cmake -DCLANGXX=<clang++> -DNM=<llvm-nm or empty> -DOBJDUMP=<llvm-objdump or empty>
#       -DARCH=x86_64|arm64 -DSOURCE=<file.cpp> -DOBJECT=<file.o>
#       -DINCLUDES=<dir;dir;...> -P kext_compile_check.cmake
#
# Compiles SOURCE as a kext translation unit (kernel-build.md, profile A:
# Mach-O kext code generation, -fapple-kext -mkernel, no C or C++ library
# headers, KERNEL defined) with every warning an error, twice: gnu++17 at
# -O2 and the C++11 floor at -O0. Then, if llvm-nm and llvm-objdump are
# available, fails on undefined symbols that a kext cannot resolve or must
# not have (the exception and RTTI runtime, guard variables, atexit, TLS,
# libatomic calls, aligned new) and on sections it must not have (static
# constructors and destructors, exception tables).
execute_process(COMMAND "${CLANGXX}" -print-resource-dir
                OUTPUT_VARIABLE _resource OUTPUT_STRIP_TRAILING_WHITESPACE)
set(_includes "")
foreach(_dir IN LISTS INCLUDES)
  list(APPEND _includes "-I${_dir}")
endforeach()
# Mach-O names carry one extra leading underscore.
set(_forbidden "___cxa_(guard|throw|begin_catch|end_catch|allocate_exception|atexit)|__Unwind_|___gxx_personality|__ZTI|__ZTS|___cxxabiv1|__ZGV|_atexit|___dso_handle|___tls_get_addr|___atomic_|__ZnwmSt11align_val_t|__ZnamSt11align_val_t")

foreach(_cell "gnu++17;-O2" "gnu++11;-O0")
  list(GET _cell 0 _std)
  list(GET _cell 1 _opt)
  string(REPLACE "+" "x" _tag "${_std}${_opt}")
  set(_object "${OBJECT}.${_tag}.o")
  execute_process(
    COMMAND "${CLANGXX}" --target=${ARCH}-apple-macos11 -std=${_std} ${_opt}
            -fapple-kext -mkernel -nostdinc -isystem "${_resource}/include" -DKERNEL
            -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Werror
            -Wno-stdlibcxx-not-found ${_includes}
            -c "${SOURCE}" -o "${_object}"
    RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
  if(NOT _rc STREQUAL "0")
    message(FATAL_ERROR "kext compile failed (${ARCH}, ${_std} ${_opt}):\n${_out}${_err}")
  endif()
  message(STATUS "compiled ${SOURCE} for ${ARCH}-apple-macos11, ${_std} ${_opt}, "
                 "-fapple-kext -mkernel")

  if(NOT NM OR NOT OBJDUMP)
    message(STATUS "llvm-nm or llvm-objdump not found: symbols and sections not checked")
    continue()
  endif()
  execute_process(COMMAND "${NM}" -u "${_object}"
                  RESULT_VARIABLE _rc OUTPUT_VARIABLE _symbols ERROR_VARIABLE _err)
  if(NOT _rc STREQUAL "0")
    message(FATAL_ERROR "llvm-nm failed: ${_err}")
  endif()
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
  execute_process(COMMAND "${OBJDUMP}" --section-headers "${_object}"
                  RESULT_VARIABLE _rc OUTPUT_VARIABLE _sections ERROR_VARIABLE _err)
  if(NOT _rc STREQUAL "0")
    message(FATAL_ERROR "llvm-objdump failed: ${_err}")
  endif()
  if(_sections MATCHES "(__mod_init_func|__mod_term_func|__gcc_except_tab|__init_offsets)")
    message(FATAL_ERROR "the kext object has a ${CMAKE_MATCH_1} section (static constructors "
                        "or destructors, or exception tables):\n${_sections}")
  endif()
  message(STATUS "checked: no forbidden undefined symbols, no static constructors, "
                 "destructors or exception tables")
endforeach()
