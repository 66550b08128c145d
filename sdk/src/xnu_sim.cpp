// SPDX-License-Identifier: MIT
//
// User-space simulation of the xnu KPIs declared in sdk/include, over pthreads
// and the C library. Linked into tests that run kdrv's xnu backend.
#ifdef KERNEL
#error "the xnu simulation is user-space code"
#endif

#include "kdrv/sim/xnu_sim.hpp"

#include <IOKit/IOLib.h>
#include <kern/clock.h>
#include <kern/debug.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

namespace
{
kdrv::sim::LogHook g_logHook = nullptr;
kdrv::sim::PanicHook g_panicHook = nullptr;
} // namespace

namespace kdrv
{
namespace sim
{
LogHook setLogHook(LogHook hook) { return __atomic_exchange_n(&g_logHook, hook, __ATOMIC_ACQ_REL); }
PanicHook setPanicHook(PanicHook hook)
{
    return __atomic_exchange_n(&g_panicHook, hook, __ATOMIC_ACQ_REL);
}
} // namespace sim
} // namespace kdrv

extern "C"
{

    void IOLogv(const char* format, va_list ap)
    {
        char line[1024];
        vsnprintf(line, sizeof line, format, ap);
        kdrv::sim::LogHook hook = __atomic_load_n(&g_logHook, __ATOMIC_ACQUIRE);
        if (hook != nullptr)
            hook(line);
        else
            fputs(line, stderr);
    }

    void IOLog(const char* format, ...)
    {
        va_list ap;
        va_start(ap, format);
        IOLogv(format, ap);
        va_end(ap);
    }

    void* IOMalloc(vm_size_t size) { return malloc(size); }
    void IOFree(void* address, vm_size_t) { free(address); }

    void IOSleep(unsigned milliseconds)
    {
        struct timespec ts;
        ts.tv_sec = static_cast<time_t>(milliseconds / 1000u);
        ts.tv_nsec = static_cast<long>((milliseconds % 1000u) * 1000000u);
        while (nanosleep(&ts, &ts) != 0)
        {
        }
    }

    void panic(const char* string, ...)
    {
        char message[1024];
        va_list ap;
        va_start(ap, string);
        vsnprintf(message, sizeof message, string, ap);
        va_end(ap);
        kdrv::sim::PanicHook hook = __atomic_load_n(&g_panicHook, __ATOMIC_ACQUIRE);
        if (hook != nullptr)
            hook(message);
        fprintf(stderr, "panic(sim): %s\n", message);
        fflush(stderr);
        abort();
    }

    // The simulated absolute-time unit is one nanosecond (as on Intel Macs).
    uint64_t mach_absolute_time(void)
    {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
    }

    void absolutetime_to_nanoseconds(uint64_t abstime, uint64_t* result) { *result = abstime; }
    void nanoseconds_to_absolutetime(uint64_t nanoseconds, uint64_t* result)
    {
        *result = nanoseconds;
    }

    void clock_interval_to_deadline(uint32_t interval, uint32_t scale_factor, uint64_t* result)
    {
        *result = mach_absolute_time() + static_cast<uint64_t>(interval) * scale_factor;
    }

} // extern "C"
