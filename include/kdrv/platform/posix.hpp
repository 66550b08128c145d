// SPDX-License-Identifier: MIT
//
/// \file
/// Core services of the user-space backend (the first table in
/// platform/platform.hpp): log, warn, contract failure, clock, yield. Never
/// part of a kext. Deliberately light: it includes no stdio or pthread header,
/// so every block that only reports errors stays cheap to include. Threads
/// and locks are in platform/posix_locks.hpp.
#ifndef KDRV_PLATFORM_POSIX_HPP
#define KDRV_PLATFORM_POSIX_HPP

#include "kdrv/base.hpp"              // for ContractKind, KDRV_COLD
#include "kdrv/platform/platform.hpp" // for ContractViolation (this file is its backend)

#if defined(KERNEL)
#error "kdrv/platform/posix.hpp is for user space; kernel builds use platform/xnu.hpp"
#endif

/// The posix backend is never a kernel build.
#define KDRV_IN_KERNEL 0

#include <sched.h>  // for sched_yield
#include <stdarg.h> // for va_list
#include <time.h>   // for clock_gettime
#include <unistd.h> // for write

namespace kdrv
{
namespace platform
{
/// Formats into a bounded buffer and writes it to stderr in one write(2), so
/// lines from several threads do not interleave. Longer lines are cut.
inline void writeStderrV(const char* format, va_list args)
{
    char line[512];
    int n = __builtin_vsnprintf(line, sizeof line, format, args);
    if (n <= 0)
        return;
    size_t len = static_cast<size_t>(n) < sizeof line ? static_cast<size_t>(n) : sizeof line - 1;
    ssize_t ignored = ::write(2, line, len);
    (void)ignored;
}

__attribute__((format(printf, 1, 2))) inline void writeStderr(const char* format, ...)
{
    va_list args;
    va_start(args, format);
    writeStderrV(format, args);
    va_end(args);
}

inline void defaultContractHandler(const ContractViolation& v)
{
    static const char* const kinds[] = {"?", "precondition", "postcondition", "assertion"};
    writeStderr("kdrv: %s failed: %s @%s:%d\n", kinds[static_cast<int>(v.kind) & 3], v.expression,
                v.file, v.line);
    __builtin_abort();
}

inline void defaultWarningHandler(const char* message, const void* object)
{
    writeStderr("kdrv: warning: %s (object %p)\n", message, object);
}

/// Constant-initialized function-local statics: one slot per program, no
/// guard. kdrv/testing.hpp installs handlers.
inline ContractHandler& contractHandlerSlot()
{
    static ContractHandler handler = defaultContractHandler;
    return handler;
}
inline WarningHandler& warningHandlerSlot()
{
    static WarningHandler handler = defaultWarningHandler;
    return handler;
}

__attribute__((format(printf, 1, 2))) inline void logMessage(const char* format, ...)
{
    va_list args;
    va_start(args, format);
    writeStderrV(format, args);
    va_end(args);
}

inline void warn(const char* message, const void* object)
{
    WarningHandler h = __atomic_load_n(&warningHandlerSlot(), __ATOMIC_ACQUIRE);
    h(message, object);
}

[[noreturn]] KDRV_COLD inline void contractFailed(ContractKind kind, const char* expression,
                                                  const char* file, int line)
{
    ContractViolation v = {kind, expression, file, line};
    ContractHandler h = __atomic_load_n(&contractHandlerSlot(), __ATOMIC_ACQUIRE);
    h(v);
    __builtin_abort();
}

inline uint64_t monotonicNanos()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

inline void yieldThread() { sched_yield(); }
} // namespace platform
} // namespace kdrv

#endif // KDRV_PLATFORM_POSIX_HPP
