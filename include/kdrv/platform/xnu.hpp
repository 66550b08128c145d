// SPDX-License-Identifier: MIT
//
/// \file
/// Core services of the kernel backend (the first table in
/// platform/platform.hpp) over xnu's public KPIs: log, warn, contract failure
/// (panic), clock, yield, and the proof that Status is IOReturn. In a kext it
/// compiles against Kernel.framework; in kdrv's own tests against the
/// stand-in SDK (sdk/), whose pthread simulation runs this exact code in user
/// space. Threads and locks are in platform/xnu_locks.hpp, so a block that
/// only reports errors does not pull IOLocks.h or kern/thread.h.
#ifndef KDRV_PLATFORM_XNU_HPP
#define KDRV_PLATFORM_XNU_HPP

#include "kdrv/base.hpp"              // for ContractKind, KDRV_COLD
#include "kdrv/platform/platform.hpp" // for ContractViolation (this file is its backend)
#include "kdrv/atomic.hpp"            // for cpuRelax
#include "kdrv/status.hpp"            // for Status, toIOReturn

/// A real kernel build, or the user-space simulation of one.
#if defined(KERNEL)
#define KDRV_IN_KERNEL 1
#else
#define KDRV_IN_KERNEL 0
#endif

#include <stdarg.h> // for va_list

#include <IOKit/IOLib.h>    // for IOLog, IOLogv
#include <IOKit/IOReturn.h> // for kIOReturn*
#include <kern/clock.h>     // for mach_absolute_time, absolutetime_to_nanoseconds
#include <kern/debug.h>     // for panic

namespace kdrv
{
// Status mirrors IOReturn value for value; prove it against the SDK in use.
#define KDRV_CHECK_IORETURN_(n, code)                                                              \
    static_assert(toIOReturn(Status::n) == kIOReturn##n, "Status::" #n " != kIOReturn" #n);
KDRV_CHECK_IORETURN_(Success, 0)
KDRV_STATUS_CODES(KDRV_CHECK_IORETURN_)
#undef KDRV_CHECK_IORETURN_

namespace platform
{
#define KDRV_XNU_LOG_PREFIX_ "kdrv: "

#if !KDRV_IN_KERNEL
// The simulation only: handlers that kdrv/testing.hpp installs, so that tests
// observe contract failures and warnings the same way on both backends.
// Null (the default) means the kernel's behaviour: panic, IOLog.
inline ContractHandler& simContractHandlerSlot()
{
    static ContractHandler handler = nullptr;
    return handler;
}
inline WarningHandler& simWarningHandlerSlot()
{
    static WarningHandler handler = nullptr;
    return handler;
}
#endif

__attribute__((format(printf, 1, 2))) inline void logMessage(const char* format, ...)
{
    va_list args;
    va_start(args, format);
    IOLogv(format, args);
    va_end(args);
}

inline void warn(const char* message, const void* object)
{
#if !KDRV_IN_KERNEL
    WarningHandler h = __atomic_load_n(&simWarningHandlerSlot(), __ATOMIC_ACQUIRE);
    if (h != nullptr)
    {
        h(message, object);
        return;
    }
#endif
    IOLog(KDRV_XNU_LOG_PREFIX_ "warning: %s (object %p)\n", message, object);
}

[[noreturn]] KDRV_COLD inline void contractFailed(ContractKind kind, const char* expression,
                                                  const char* file, int line)
{
#if !KDRV_IN_KERNEL
    ContractHandler h = __atomic_load_n(&simContractHandlerSlot(), __ATOMIC_ACQUIRE);
    if (h != nullptr)
    {
        ContractViolation v = {kind, expression, file, line};
        h(v); // must not return; if it does, panic as the kernel would
    }
#endif
    const char* what = kind == ContractKind::Precondition    ? "precondition"
                       : kind == ContractKind::Postcondition ? "postcondition"
                                                             : "assertion";
    panic(KDRV_XNU_LOG_PREFIX_ "%s failed: %s @%s:%d", what, expression, file, line);
}

inline uint64_t monotonicNanos()
{
    uint64_t ns = 0;
    absolutetime_to_nanoseconds(mach_absolute_time(), &ns);
    return ns;
}

/// Kernel code uses the kernel's own locks; this only serves generic spin
/// loops, whose waits are short and whose holders are not preempted.
inline void yieldThread() { cpuRelax(); }
} // namespace platform
} // namespace kdrv

#endif // KDRV_PLATFORM_XNU_HPP
