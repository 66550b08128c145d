// SPDX-License-Identifier: MIT
//
/// \file
/// Test hooks, one API for both backends (user space only; never in a kext).
///
///   setContractHandler(h)     receives every KDRV_EXPECTS/ENSURES/ASSERT and
///                             lock-debug failure as a ContractViolation
///                             (kind, expression, file, line). The handler
///                             must not return; if it does, the process
///                             aborts (posix) or the simulated kernel panics
///                             (xnu). nullptr restores the default: print and
///                             abort (posix), panic (xnu). Returns the
///                             previous handler.
///   setWarningHandler(h)      receives every platform warning (refcount
///                             saturation and the like) instead of stderr or
///                             IOLog. nullptr restores the default. Returns
///                             the previous handler.
///   interruptSleepingThread(t) makes thread t's interruptible sleep (Mutex
///                             sleep with SleepType::Interruptible) return
///                             WaitResult::Interrupted, as thread_abort does
///                             in the kernel. Returns false, changing nothing,
///                             if t is not in such a sleep right now (there is
///                             no pending-abort state). t is a
///                             platform::currentThreadId() value.
///
/// The xnu backend needs the user-space simulation (link kdrv::xnu_sim).
#ifndef KDRV_TESTING_HPP
#define KDRV_TESTING_HPP

#include "kdrv/platform/locks.hpp" // for ThreadId, the handler slots

#if KDRV_IN_KERNEL
#error "kdrv/testing.hpp is user-space only: test hooks have no place in a kext"
#endif

#if KDRV_CONFIG_PLATFORM == KDRV_PLATFORM_XNU
#include "kdrv/sim/xnu_sim.hpp" // for sim::interruptThread
#endif

namespace kdrv
{
#if KDRV_CONFIG_PLATFORM == KDRV_PLATFORM_XNU
inline ContractHandler setContractHandler(ContractHandler h)
{
    return __atomic_exchange_n(&platform::simContractHandlerSlot(), h, __ATOMIC_ACQ_REL);
}
inline WarningHandler setWarningHandler(WarningHandler h)
{
    return __atomic_exchange_n(&platform::simWarningHandlerSlot(), h, __ATOMIC_ACQ_REL);
}
inline bool interruptSleepingThread(platform::ThreadId thread)
{
    return sim::interruptThread(thread);
}
#else
inline ContractHandler setContractHandler(ContractHandler h)
{
    if (h == nullptr)
        h = platform::defaultContractHandler;
    return __atomic_exchange_n(&platform::contractHandlerSlot(), h, __ATOMIC_ACQ_REL);
}
inline WarningHandler setWarningHandler(WarningHandler h)
{
    if (h == nullptr)
        h = platform::defaultWarningHandler;
    return __atomic_exchange_n(&platform::warningHandlerSlot(), h, __ATOMIC_ACQ_REL);
}
inline bool interruptSleepingThread(platform::ThreadId thread)
{
    return platform::interruptSleepingThread(thread);
}
#endif
} // namespace kdrv

#endif // KDRV_TESTING_HPP
