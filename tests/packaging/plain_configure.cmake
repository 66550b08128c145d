# SPDX-License-Identifier: MIT
#
# cmake -DSOURCE=... -DWORK=... -DGENERATOR=... -DMAKE_PROGRAM=... -DCXX=... -DCONSUMERS=...
#       -DVERSION=... -DLIBDIR=... -DDATADIR=... -P plain_configure.cmake
# A new user's first steps on a machine without doctest or Google Benchmark:
# a plain top-level configure (no options but the compiler) must succeed,
# say which parts are off and why, and `cmake --install` right after it,
# with nothing built, must install a usable header package.
file(REMOVE_RECURSE "${WORK}")
set(_build "${WORK}/build")
set(_prefix "${WORK}/prefix")

execute_process(COMMAND "${CMAKE_COMMAND}" -S "${SOURCE}" -B "${_build}" -G "${GENERATOR}"
                        "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}" "-DCMAKE_CXX_COMPILER=${CXX}"
                        -DCMAKE_DISABLE_FIND_PACKAGE_doctest=ON
                        -DCMAKE_DISABLE_FIND_PACKAGE_benchmark=ON
                RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
set(_log "${_out}${_err}")
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "packaging: a plain configure without doctest and Google Benchmark "
                      "fails:\n${_log}")
endif()
string(REGEX REPLACE "[ \t\r\n]+" " " _flat "${_log}") # CMake wraps warning text
foreach(_want "doctest not found \\(Debian: doctest-dev\\), so kdrv's tests are off"
              "Google Benchmark not found \\(Debian: libbenchmark-dev\\), so kdrv's benchmarks are off")
  if(NOT _flat MATCHES "${_want}")
    message(FATAL_ERROR "packaging: the plain configure does not say /${_want}/:\n${_log}")
  endif()
endforeach()

# The examples' checks are CTest tests although kdrv's tests are off
# (examples/vserial/README.md runs `ctest -R examples/vserial`).
execute_process(COMMAND "${CMAKE_CTEST_COMMAND}" --test-dir "${_build}" -N -R examples/vserial
                RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
if(NOT _rc EQUAL 0 OR NOT _out MATCHES "Total Tests: [1-9]")
  message(FATAL_ERROR "packaging: with kdrv's tests off, ctest finds no examples/vserial "
                      "tests:\n${_out}${_err}")
endif()

# Install with nothing built.
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${_build}" --prefix "${_prefix}"
                RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "packaging: cmake --install right after configure fails:\n${_out}${_err}")
endif()
if(NOT "${_out}" MATCHES "libkdrv_xnu_sim.a is not built")
  message(FATAL_ERROR "packaging: installing an unbuilt tree does not say that the simulation "
                      "library is left out:\n${_out}")
endif()
foreach(_f "include/kdrv/kdrv.hpp" "include/kdrv/testing/doctest_status.hpp"
           "${DATADIR}/cmake/kdrv/kdrvConfig.cmake" "${DATADIR}/pkgconfig/kdrv.pc"
           "${DATADIR}/kdrv/sdk/include/IOKit/IOLib.h" "${DATADIR}/kdrv/sdk/src/xnu_sim.cpp")
  if(NOT EXISTS "${_prefix}/${_f}")
    message(FATAL_ERROR "packaging: the install after a plain configure lacks ${_f}")
  endif()
endforeach()
foreach(_f "${LIBDIR}/libkdrv_xnu_sim.a" "${LIBDIR}/pkgconfig/kdrv-xnu-sim.pc")
  if(EXISTS "${_prefix}/${_f}")
    message(FATAL_ERROR "packaging: ${_f} installed although nothing was built")
  endif()
endforeach()

# The header package is found; asking for the missing simulation fails, saying why.
string(REGEX MATCH "^[0-9]+\\.[0-9]+" _request "${VERSION}")
execute_process(COMMAND "${CMAKE_COMMAND}" -S "${CONSUMERS}/version_mismatch"
                        -B "${WORK}/headers_only" -G "${GENERATOR}"
                        "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}" "-DCMAKE_CXX_COMPILER=${CXX}"
                        "-DCMAKE_PREFIX_PATH=${_prefix}" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
                        "-DKDRV_REQUEST=${_request}"
                RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
if(NOT _rc EQUAL 0 OR NOT "${_out}" MATCHES "accepted for request ${_request}")
  message(FATAL_ERROR "packaging: find_package(kdrv ${_request}) does not accept the header "
                      "install:\n${_out}${_err}")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" -S "${CONSUMERS}/version_mismatch"
                        -B "${WORK}/sim_missing" -G "${GENERATOR}"
                        "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}" "-DCMAKE_CXX_COMPILER=${CXX}"
                        "-DCMAKE_PREFIX_PATH=${_prefix}" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
                        -DKDRV_COMPONENTS=xnu_sim
                RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
string(REGEX REPLACE "[ \t\r\n]+" " " _flat "${_out}${_err}")
if(_rc EQUAL 0 OR NOT _flat MATCHES "installed without the xnu simulation library")
  message(FATAL_ERROR "packaging: find_package(kdrv COMPONENTS xnu_sim) on a header install "
                      "must fail and say why:\n${_out}${_err}")
endif()
message(STATUS "packaging: plain configure without test frameworks, install without a build: ok")
