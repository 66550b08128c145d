// SPDX-License-Identifier: MIT
//
/// \file
/// Test hooks of the user-space xnu simulation (sdk/src/xnu_sim.cpp). Link
/// kdrv::xnu_sim to run kdrv's xnu backend, and your driver code over it, in
/// ordinary user-space tests.
#ifndef KDRV_SIM_XNU_SIM_HPP
#define KDRV_SIM_XNU_SIM_HPP

#if defined(KERNEL)
#error "kdrv/sim/ is user-space only: it simulates the kernel, it is not part of it"
#endif

#include <stdint.h> // for uint64_t

namespace kdrv
{
namespace sim
{
// Receives each formatted IOLog line instead of stderr. Returns the old hook.
typedef void (*LogHook)(const char* line);
LogHook setLogHook(LogHook hook);

// Called with the formatted message when simulated code panics. If the hook
// returns, the process aborts, as a panic would. Returns the old hook.
typedef void (*PanicHook)(const char* message);
PanicHook setPanicHook(PanicHook hook);

// Interrupts `thread` (a kdrv::platform::currentThreadId() value, i.e. the
// simulated current_thread()) if it is in an interruptible sleep
// (IOLockSleep* with THREAD_INTERRUPTIBLE): the sleep returns
// THREAD_INTERRUPTED, as after thread_abort. Returns false, changing nothing,
// if the thread is not in such a sleep right now. The posix backend has the
// same hook: kdrv::platform::interruptSleepingThread().
bool interruptThread(uint64_t thread);

// The calling thread's simulated preemption-disable depth (one per held
// IOSimpleLock) and interrupt-enable flag (ml_set_interrupts_enabled).
int preemptionLevel();
bool interruptsEnabled();
} // namespace sim
} // namespace kdrv

#endif // KDRV_SIM_XNU_SIM_HPP
