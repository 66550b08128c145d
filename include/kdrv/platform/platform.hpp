// SPDX-License-Identifier: MIT
//
// Selects the platform backend chosen in config.hpp. Each backend provides,
// in namespace kdrv::platform, the same small set of services:
//
//   logMessage(fmt, ...)                 IOLog / stderr
//   warn(message, object)                once-only diagnostics (refcount saturation)
//   contractFailed(kind, expr, file, line)   [[noreturn]]; panic / handler
//   monotonicNanos()                     mach_absolute_time / CLOCK_MONOTONIC
//   allocate(size) / deallocate(p, size) IOMalloc / malloc; init-time only
//   lock, sleep and wakeup primitives    see the backend headers
//
// Nobody but kdrv's own headers needs to read further.
#ifndef KDRV_PLATFORM_PLATFORM_HPP
#define KDRV_PLATFORM_PLATFORM_HPP

#include "kdrv/config.hpp"

#if KDRV_CONFIG_PLATFORM == KDRV_PLATFORM_XNU
#include "kdrv/platform/xnu.hpp"
#else
#include "kdrv/platform/posix.hpp"
#endif

#endif // KDRV_PLATFORM_PLATFORM_HPP
