// SPDX-License-Identifier: MIT
//
// Kernel backend over xnu's public KPIs. In a kext it compiles against
// Kernel.framework; in kdrv's own tests against the stand-in SDK (sdk/),
// whose pthread simulation runs this exact code in user space.
#ifndef KDRV_PLATFORM_XNU_HPP
#define KDRV_PLATFORM_XNU_HPP

#include "kdrv/base.hpp"
#include "kdrv/status.hpp"

#include <stdarg.h>

#include <IOKit/IOLib.h>     // IOLog, IOLogv, IOMalloc, IOFree
#include <IOKit/IOReturn.h>  // kIOReturn*
#include <kern/clock.h>      // mach_absolute_time
#include <kern/debug.h>      // panic

namespace kdrv
{
// Status mirrors IOReturn value for value; prove it against the SDK in use.
#define KDRV_CHECK_IORETURN_(n) \
    static_assert(toIOReturn(Status::n) == kIOReturn##n, "Status::" #n " != kIOReturn" #n)
KDRV_CHECK_IORETURN_(Success);
KDRV_CHECK_IORETURN_(Error);
KDRV_CHECK_IORETURN_(NoMemory);
KDRV_CHECK_IORETURN_(NoResources);
KDRV_CHECK_IORETURN_(IPCError);
KDRV_CHECK_IORETURN_(NoDevice);
KDRV_CHECK_IORETURN_(NotPrivileged);
KDRV_CHECK_IORETURN_(BadArgument);
KDRV_CHECK_IORETURN_(LockedRead);
KDRV_CHECK_IORETURN_(LockedWrite);
KDRV_CHECK_IORETURN_(ExclusiveAccess);
KDRV_CHECK_IORETURN_(BadMessageID);
KDRV_CHECK_IORETURN_(Unsupported);
KDRV_CHECK_IORETURN_(VMError);
KDRV_CHECK_IORETURN_(InternalError);
KDRV_CHECK_IORETURN_(IOError);
KDRV_CHECK_IORETURN_(CannotLock);
KDRV_CHECK_IORETURN_(NotOpen);
KDRV_CHECK_IORETURN_(NotReadable);
KDRV_CHECK_IORETURN_(NotWritable);
KDRV_CHECK_IORETURN_(NotAligned);
KDRV_CHECK_IORETURN_(BadMedia);
KDRV_CHECK_IORETURN_(StillOpen);
KDRV_CHECK_IORETURN_(RLDError);
KDRV_CHECK_IORETURN_(DMAError);
KDRV_CHECK_IORETURN_(Busy);
KDRV_CHECK_IORETURN_(Timeout);
KDRV_CHECK_IORETURN_(Offline);
KDRV_CHECK_IORETURN_(NotReady);
KDRV_CHECK_IORETURN_(NotAttached);
KDRV_CHECK_IORETURN_(NoChannels);
KDRV_CHECK_IORETURN_(NoSpace);
KDRV_CHECK_IORETURN_(PortExists);
KDRV_CHECK_IORETURN_(CannotWire);
KDRV_CHECK_IORETURN_(NoInterrupt);
KDRV_CHECK_IORETURN_(NoFrames);
KDRV_CHECK_IORETURN_(MessageTooLarge);
KDRV_CHECK_IORETURN_(NotPermitted);
KDRV_CHECK_IORETURN_(NoPower);
KDRV_CHECK_IORETURN_(NoMedia);
KDRV_CHECK_IORETURN_(UnformattedMedia);
KDRV_CHECK_IORETURN_(UnsupportedMode);
KDRV_CHECK_IORETURN_(Underrun);
KDRV_CHECK_IORETURN_(Overrun);
KDRV_CHECK_IORETURN_(DeviceError);
KDRV_CHECK_IORETURN_(NoCompletion);
KDRV_CHECK_IORETURN_(Aborted);
KDRV_CHECK_IORETURN_(NoBandwidth);
KDRV_CHECK_IORETURN_(NotResponding);
KDRV_CHECK_IORETURN_(IsoTooOld);
KDRV_CHECK_IORETURN_(IsoTooNew);
KDRV_CHECK_IORETURN_(NotFound);
#undef KDRV_CHECK_IORETURN_

namespace platform
{
#define KDRV_XNU_LOG_PREFIX_ "kdrv: "

__attribute__((format(printf, 1, 2))) inline void logMessage(const char* format, ...)
{
    va_list args;
    va_start(args, format);
    IOLogv(format, args);
    va_end(args);
}

inline void warn(const char* message, const void* object)
{
    IOLog(KDRV_XNU_LOG_PREFIX_ "warning: %s (object %p)\n", message, object);
}

[[noreturn]] KDRV_COLD inline void contractFailed(ContractKind kind, const char* expression,
                                                  const char* file, int line)
{
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

inline void* allocate(size_t size) { return IOMalloc(static_cast<vm_size_t>(size)); }
inline void deallocate(void* p, size_t size) { IOFree(p, static_cast<vm_size_t>(size)); }
} // namespace platform
} // namespace kdrv

#endif // KDRV_PLATFORM_XNU_HPP
