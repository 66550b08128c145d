// SPDX-License-Identifier: MIT
//
/// \file
/// The platform seam: the few services kdrv asks of an operating system, and
/// the one place that picks the backend providing them (KDRV_CONFIG_PLATFORM,
/// chosen in config.hpp). Algorithms (detail/, the blocks) are written once
/// over these services and atomic.hpp; nobody but kdrv's own headers needs to
/// read the backends.
///
/// The seam has two parts, so that a header pays only for what it uses:
///
/// Core services (this header; every block may use them). Light: no thread
/// or lock headers, no stdio. Each entry: semantics and calling context, then
/// the posix / xnu implementation.
///
///   KDRV_IN_KERNEL          1 in a real kernel build, else 0.
///                           posix: 0. xnu: 1 with KERNEL, 0 in the simulation.
///   logMessage(fmt, ...)    a printf-style line; any context but interrupt.
///                           posix: write(2) to stderr. xnu: IOLogv.
///   warn(message, object)   a diagnostic that is not fatal (refcount
///                           saturation). posix: the warning handler (stderr).
///                           xnu: IOLog; in the simulation the handler too.
///   contractFailed(kind, expression, file, line)
///                           [[noreturn]]: a programmer error. posix: the
///                           contract handler, then abort. xnu: panic; in the
///                           simulation the contract handler first.
///   monotonicNanos()        monotonic clock in nanoseconds; any context.
///                           posix: CLOCK_MONOTONIC. xnu: mach_absolute_time.
///   yieldThread()           give the CPU away briefly; thread context.
///                           posix: sched_yield. xnu: a pause (kernel spins
///                           are short and their holders are not preempted).
///   KDRV_MODEL_WRITE_BYTES(p, n), KDRV_MODEL_READ_BYTES(p, n)
///                           plain bytes shared between threads (ring
///                           storage) were written / read. posix, xnu:
///                           nothing, ((void)0). model: checked accesses.
///
/// The model-checking backend (KDRV_CONFIG_MODEL_CHECK=1; platform/model.hpp
/// and platform/model_locks.hpp) has every name of both tables. Log, warn:
/// stderr and the warning handler; contractFailed: fails the execution;
/// clock: a model clock; yield, spin pauses: checker yields; ThreadId: the
/// checker's thread index + 1; RawSpinLock, RawRWLock: detail/ as in posix;
/// RawMutex: the checker's mutex with a wait list over its condition
/// variable (timeouts and aborts are the checker's choice).
///
/// Threads and locks (platform/locks.hpp; the lock headers only):
///
///   ThreadId, currentThreadId()
///                           nonzero id of the calling thread (lock owners).
///                           posix: pthread_self. xnu: current_thread.
///   InterruptState          token of lockDisableInterrupts().
///                           posix: int (nothing to mask). xnu: IOInterruptState.
///   RawSpinLock             never sleeps; kernel: preemption off while held.
///                           posix: detail::TtasLock. xnu: IOSimpleLock.
///   RawMutex                may block; sleep(event, hasDeadline, deadline,
///                           interruptible) returns a WaitResult with the
///                           mutex held again; wakeup(event, oneThread).
///                           posix: pthread mutex + posix_waitqueue.hpp.
///                           xnu: IOLock + IOLockSleep*/IOLockWakeup.
///   RawRecursiveMutex       may block; the owner may lock again.
///                           posix: pthread mutex + owner/depth.
///                           xnu: IORecursiveLock.
///   RawRWLock               may block; xnu's upgrade rules.
///                           posix: detail::RwLockWord. xnu: IORWLock/lck_rw.
///
/// Every Raw* lock: constexpr constructor, `Status init()` (Success or
/// NoMemory; may allocate; repeat calls succeed), `destroy()` (nobody holds
/// it). Test hooks for both backends are in kdrv/testing.hpp (user space).
///
/// A third backend is one core header and one locks header with the names
/// above, a KDRV_PLATFORM_* number in config.hpp and a row in each table;
/// docs/platform-backends.md shows how.
#ifndef KDRV_PLATFORM_PLATFORM_HPP
#define KDRV_PLATFORM_PLATFORM_HPP

#include "kdrv/base.hpp"   // for ContractKind
#include "kdrv/config.hpp" // for KDRV_CONFIG_PLATFORM

namespace kdrv
{
/// How a sleep ended. The values are xnu's THREAD_AWAKENED, THREAD_TIMED_OUT
/// and THREAD_INTERRUPTED, so they can be compared with a kernel's numbers.
enum class WaitResult : int
{
    Awakened = 0,    ///< woken by wakeupOne/wakeupAll
    TimedOut = 1,    ///< the deadline passed first
    Interrupted = 2, ///< an interruptible sleep was aborted (signal, thread_abort)
};

/// THREAD_UNINT / THREAD_INTERRUPTIBLE.
enum class SleepType : int
{
    Uninterruptible = 0,
    Interruptible = 1,
};

/// Maps an xnu THREAD_* wait result. THREAD_RESTART ("restart the
/// operation") and anything unknown count as Interrupted: the caller must
/// back out either way.
constexpr WaitResult toWaitResult(int threadWaitResult)
{
    return threadWaitResult == 0   ? WaitResult::Awakened
           : threadWaitResult == 1 ? WaitResult::TimedOut
                                   : WaitResult::Interrupted;
}

/// What a contract handler receives (kdrv/testing.hpp installs handlers).
struct ContractViolation
{
    ContractKind kind;
    const char* expression;
    const char* file;
    int line;
};

/// A contract handler must not return; if it does, the process aborts.
typedef void (*ContractHandler)(const ContractViolation& violation);
/// Receives every platform warning (refcount saturation and the like).
typedef void (*WarningHandler)(const char* message, const void* object);
} // namespace kdrv

#if KDRV_CONFIG_MODEL_CHECK
#include "kdrv/platform/model.hpp" // for the model-checker backend
#elif KDRV_CONFIG_PLATFORM == KDRV_PLATFORM_XNU
#include "kdrv/platform/xnu.hpp" // for the kernel backend
#else
#include "kdrv/platform/posix.hpp" // for the user-space backend
#endif

// Plain shared data for the model checker; nothing at all in other builds.
#ifndef KDRV_MODEL_WRITE_BYTES
#define KDRV_MODEL_WRITE_BYTES(p, n) ((void)0)
#define KDRV_MODEL_READ_BYTES(p, n) ((void)0)
#endif

#endif // KDRV_PLATFORM_PLATFORM_HPP
