# SPDX-License-Identifier: MIT
#
# cmake -DPKG_CONFIG=... -DPREFIX=... -DDATADIR=... -DLIBDIR=... -DCXX=... -DSOURCE=...
#       -DSIM_SOURCE=... -DWORK=... -DVERSION=... -P pkg_config.cmake
# Builds a consumer with nothing but `pkg-config --cflags kdrv` and a compiler,
# the way a project without CMake uses kdrv, then runs it. Then the same for
# the xnu simulation: SIM_SOURCE linked with `pkg-config --cflags --libs
# kdrv-xnu-sim`, and once more compiled together with the installed
# simulation sources instead of the library.
# Only the prefix under test:
set(ENV{PKG_CONFIG_LIBDIR} "${PREFIX}/${DATADIR}/pkgconfig:${PREFIX}/${LIBDIR}/pkgconfig")
unset(ENV{PKG_CONFIG_PATH})

function(pkgconf_of package out)
  execute_process(COMMAND "${PKG_CONFIG}" ${ARGN} ${package}
                  OUTPUT_VARIABLE _out ERROR_VARIABLE _err RESULT_VARIABLE _rc
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "packaging: pkg-config ${ARGN} ${package} failed: ${_err}")
  endif()
  set(${out} "${_out}" PARENT_SCOPE)
endfunction()
macro(pkgconf out)
  pkgconf_of(kdrv ${out} ${ARGN})
endmacro()

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

# The xnu simulation.
pkgconf_of(kdrv-xnu-sim _sim_version --modversion)
if(NOT _sim_version STREQUAL VERSION)
  message(FATAL_ERROR "packaging: kdrv-xnu-sim.pc says version '${_sim_version}', not ${VERSION}")
endif()
pkgconf_of(kdrv-xnu-sim _sim_cflags --cflags)
pkgconf_of(kdrv-xnu-sim _sim_libs --libs)
pkgconf_of(kdrv-xnu-sim _sim_sources --variable=simsourcedir)
separate_arguments(_sim_cflags_list UNIX_COMMAND "${_sim_cflags}")
separate_arguments(_sim_libs_list UNIX_COMMAND "${_sim_libs}")
file(GLOB _sim_cpp "${_sim_sources}/*.cpp")
if(NOT _sim_cpp)
  message(FATAL_ERROR "packaging: kdrv-xnu-sim.pc's simsourcedir '${_sim_sources}' has no sources")
endif()
foreach(_way library sources)
  if(_way STREQUAL "library")
    set(_inputs "${SIM_SOURCE}" ${_sim_libs_list})
  else()
    set(_inputs "${SIM_SOURCE}" ${_sim_cpp} -pthread)
  endif()
  execute_process(COMMAND "${CXX}" -std=c++14 ${_sim_cflags_list} -Wall -Wextra -Werror ${_inputs}
                          -o "${WORK}/sim_${_way}"
                  RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "packaging: the kdrv-xnu-sim consumer does not build from the ${_way} "
                        "(cflags: ${_sim_cflags}; libs: ${_sim_libs})")
  endif()
  execute_process(COMMAND "${WORK}/sim_${_way}" RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "packaging: the kdrv-xnu-sim consumer built from the ${_way} failed (${_rc})")
  endif()
endforeach()
message(STATUS "packaging: kdrv-xnu-sim consumer built from the library and from the sources, and ran")
