# SPDX-License-Identifier: MIT
#
# cmake -DPKG_CONFIG=... -DPREFIX=... -DDATADIR=... -DCXX=... -DSOURCE=...
#       -DWORK=... -DVERSION=... -P pkg_config.cmake
# Builds a consumer with nothing but `pkg-config --cflags kdrv` and a compiler,
# the way a project without CMake uses kdrv, then runs it.
set(ENV{PKG_CONFIG_LIBDIR} "${PREFIX}/${DATADIR}/pkgconfig") # only the prefix under test
unset(ENV{PKG_CONFIG_PATH})

function(pkgconf out)
  execute_process(COMMAND "${PKG_CONFIG}" ${ARGN} kdrv
                  OUTPUT_VARIABLE _out ERROR_VARIABLE _err RESULT_VARIABLE _rc
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "packaging: pkg-config ${ARGN} kdrv failed: ${_err}")
  endif()
  set(${out} "${_out}" PARENT_SCOPE)
endfunction()

pkgconf(_version --modversion)
if(NOT _version STREQUAL VERSION)
  message(FATAL_ERROR "packaging: kdrv.pc says version '${_version}', the project is ${VERSION}")
endif()
pkgconf(_libs --libs)
if(NOT _libs STREQUAL "")
  message(FATAL_ERROR "packaging: kdrv is header-only, yet kdrv.pc has Libs: '${_libs}'")
endif()
pkgconf(_cflags --cflags)
separate_arguments(_cflags_list UNIX_COMMAND "${_cflags}")
set(_include "")
foreach(_flag IN LISTS _cflags_list)
  if(_flag MATCHES "^-I(.+)$")
    file(REAL_PATH "${CMAKE_MATCH_1}" _include)
  endif()
endforeach()
file(REAL_PATH "${PREFIX}/include" _want)
if(NOT _include STREQUAL _want)
  message(FATAL_ERROR "packaging: kdrv.pc points at '${_include}', not at the installed "
                      "headers '${_want}' (cflags: ${_cflags}); is the .pc file relocatable?")
endif()

file(MAKE_DIRECTORY "${WORK}")
execute_process(COMMAND "${CXX}" -std=c++11 ${_cflags_list} -Wall -Wextra -Wpedantic -Werror
                        "${SOURCE}" -o "${WORK}/consumer"
                RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "packaging: the pkg-config consumer does not compile (cflags: ${_cflags})")
endif()
execute_process(COMMAND "${WORK}/consumer" RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "packaging: the pkg-config consumer failed (${_rc})")
endif()
message(STATUS "packaging: pkg-config consumer built with '${_cflags}' and ran")
