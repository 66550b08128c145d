// SPDX-License-Identifier: MIT
//
// User-space backend over pthreads and the C library. Never part of a kext.
#ifndef KDRV_PLATFORM_POSIX_HPP
#define KDRV_PLATFORM_POSIX_HPP

#include "kdrv/base.hpp"

#if KDRV_IN_KERNEL
#error "kdrv/platform/posix.hpp is for user space; kernel builds use platform/xnu.hpp"
#endif

#include <stdarg.h>
#include <stdio.h>  // vfprintf for logMessage
#include <stdlib.h> // abort, malloc
#include <time.h>   // clock_gettime

namespace kdrv
{
// What a contract handler receives.
struct ContractViolation
{
    ContractKind kind;
    const char* expression;
    const char* file;
    int line;
};

// A contract handler must not return; if it does, the process aborts.
typedef void (*ContractHandler)(const ContractViolation& violation);
// Receives every platform warning (refcount saturation and the like).
typedef void (*WarningHandler)(const char* message, const void* object);

namespace platform
{
inline void defaultContractHandler(const ContractViolation& v)
{
    static const char* const kinds[] = {"?", "precondition", "postcondition", "assertion"};
    fprintf(stderr, "kdrv: %s failed: %s @%s:%d\n", kinds[static_cast<int>(v.kind) & 3],
            v.expression, v.file, v.line);
    fflush(stderr);
    abort();
}

inline void defaultWarningHandler(const char* message, const void* object)
{
    fprintf(stderr, "kdrv: warning: %s (object %p)\n", message, object);
}

// Constant-initialized function-local statics: one slot per program, no guard.
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
    vfprintf(stderr, format, args);
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
    abort();
}

inline uint64_t monotonicNanos()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

inline void* allocate(size_t size) { return malloc(size); }
inline void deallocate(void* p, size_t) { free(p); }
} // namespace platform

// Installs a contract handler; returns the previous one. Passing nullptr
// restores the default (print and abort).
inline ContractHandler setContractHandler(ContractHandler h)
{
    if (h == nullptr)
        h = platform::defaultContractHandler;
    return __atomic_exchange_n(&platform::contractHandlerSlot(), h, __ATOMIC_ACQ_REL);
}

// Installs a warning handler; returns the previous one. nullptr restores the
// default (print to stderr).
inline WarningHandler setWarningHandler(WarningHandler h)
{
    if (h == nullptr)
        h = platform::defaultWarningHandler;
    return __atomic_exchange_n(&platform::warningHandlerSlot(), h, __ATOMIC_ACQ_REL);
}
} // namespace kdrv

#endif // KDRV_PLATFORM_POSIX_HPP
