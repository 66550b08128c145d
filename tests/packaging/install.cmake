# SPDX-License-Identifier: MIT
#
# cmake -DBUILD_DIR=... -DPREFIX=... -DCONFIG=... -DLIBDIR=... -DDATADIR=...
#       [-DCLEAN_DIRS=a;b] -P install.cmake
# Installs kdrv's build tree into a fresh prefix and checks the layout.
file(REMOVE_RECURSE "${PREFIX}" ${CLEAN_DIRS})
set(_config "")
if(CONFIG)
  set(_config --config "${CONFIG}")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}" ${_config}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "packaging: cmake --install failed (${rc})")
endif()

set(_expected
  "include/kdrv/version.hpp"
  "include/kdrv/base.hpp"
  "include/kdrv/platform/xnu.hpp"
  "include/kdrv/sim/xnu_sim.hpp"
  "${DATADIR}/cmake/kdrv/kdrvConfig.cmake"
  "${DATADIR}/cmake/kdrv/kdrvConfigVersion.cmake"
  "${DATADIR}/cmake/kdrv/kdrvTargets.cmake"
  "${DATADIR}/pkgconfig/kdrv.pc"
  "include/kdrv/dispatch.hpp"
  "include/kdrv/method_dispatch.hpp"
  "include/kdrv/testing/doctest_status.hpp"
  "include/kdrv/testing/method_call.hpp"
  "${DATADIR}/kdrv/sdk/include/IOKit/IOLib.h"
  "${DATADIR}/kdrv/sdk/freestanding/stdint.h"
  "${DATADIR}/cmake/kdrv/KdrvKernelCheck.cmake"
  "${DATADIR}/kdrv/kernel-check/kernel_gate.py"
  "${DATADIR}/kdrv/kernel-check/exports/x86_64/IOKit.txt"
  "${DATADIR}/kdrv/kernel-check/exports/arm64/Libkern.txt"
  "${DATADIR}/kdrv/sdk/src/xnu_sim.cpp"
  "${DATADIR}/cmake/kdrv/kdrvSimTargets.cmake"
  "${LIBDIR}/pkgconfig/kdrv-xnu-sim.pc"
  "${LIBDIR}/libkdrv_xnu_sim.a")
foreach(_f IN LISTS _expected)
  if(NOT EXISTS "${PREFIX}/${_f}")
    message(FATAL_ERROR "packaging: the install lacks ${_f}")
  endif()
endforeach()
# Tests, benchmarks and tools are never installed.
if(EXISTS "${PREFIX}/bin")
  file(GLOB _bins "${PREFIX}/bin/*")
  message(FATAL_ERROR "packaging: the install contains programs: ${_bins}")
endif()
message(STATUS "packaging: kdrv installed into ${PREFIX}")
