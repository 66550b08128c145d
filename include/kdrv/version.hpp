// SPDX-License-Identifier: MIT
//
/// \file
/// kdrv's version: driver building blocks for kernel and user space.
/// KDRV_VERSION is major * 10000 + minor * 100 + patch, for `#if` tests.
/// Kernel-visible; defines macros only.
#ifndef KDRV_VERSION_HPP
#define KDRV_VERSION_HPP

/// CMake parses these three lines; keep the form "#define NAME number".
#define KDRV_VERSION_MAJOR 0
#define KDRV_VERSION_MINOR 2
#define KDRV_VERSION_PATCH 0

#define KDRV_VERSION (KDRV_VERSION_MAJOR * 10000 + KDRV_VERSION_MINOR * 100 + KDRV_VERSION_PATCH)

#endif // KDRV_VERSION_HPP
