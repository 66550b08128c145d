// SPDX-License-Identifier: MIT
//
/// \file
/// Threads and locks of the kernel backend (the second table in
/// platform/platform.hpp) over xnu's public KPIs:
///   RawSpinLock        IOSimpleLock (lck_spin): preemption off while held
///   RawMutex           IOLock (lck_mtx) with IOLockSleep*/IOLockWakeup
///   RawRecursiveMutex  IORecursiveLock
///   RawRWLock          IORWLock, driven through its lck_rw_t for the try,
///                      upgrade and downgrade calls IOLocks.h lacks
/// Storage: a kext cannot embed these locks. Their types are opaque in
/// Kernel.framework (no size), and the inline-init calls (IOLockInlineInit and
/// friends) are private to xnu. So each wrapper holds a pointer, null after
/// its constexpr constructor (constant initialization still works for
/// globals), which init() fills with IO*Alloc and destroy() frees.
#ifndef KDRV_PLATFORM_XNU_LOCKS_HPP
#define KDRV_PLATFORM_XNU_LOCKS_HPP

#include "kdrv/base.hpp"              // for KDRV_NONCOPYABLE
#include "kdrv/platform/platform.hpp" // for WaitResult, contractFailed
#include "kdrv/status.hpp"            // for Status

#include <IOKit/IOLocks.h>   // for IOLock*, IOSimpleLock*, IORecursiveLock*, IORWLock*
#include <kern/kern_types.h> // for THREAD_AWAKENED ..., THREAD_UNINT ...
#include <kern/locks.h>      // for lck_rw_*
#include <kern/thread.h>     // for current_thread

namespace kdrv
{
namespace platform
{
// ---------------------------------------------------------------------------
// Threads

// Identifies a thread for lock-owner tracking; 0 is "no thread".
typedef uint64_t ThreadId;

inline ThreadId currentThreadId()
{
    return static_cast<ThreadId>(reinterpret_cast<uintptr_t>(current_thread()));
}

// WaitResult and SleepType carry xnu's own numbers.
static_assert(THREAD_AWAKENED == static_cast<int>(WaitResult::Awakened) &&
                  THREAD_TIMED_OUT == static_cast<int>(WaitResult::TimedOut) &&
                  THREAD_INTERRUPTED == static_cast<int>(WaitResult::Interrupted),
              "xnu wait results");
static_assert(THREAD_UNINT == static_cast<int>(SleepType::Uninterruptible) &&
                  THREAD_INTERRUPTIBLE == static_cast<int>(SleepType::Interruptible),
              "xnu wait kinds");

// Lock calls on a wrapper whose init() was not called (or failed).
#define KDRV_XNU_REQUIRE_INIT_(p)                                                                  \
    (KDRV_LIKELY((p) != nullptr)                                                                   \
         ? static_cast<void>(0)                                                                    \
         : contractFailed(ContractKind::Precondition, "lock used before a successful init()",      \
                          __FILE__, __LINE__))

// ---------------------------------------------------------------------------
// Spin lock: IOSimpleLock

typedef IOInterruptState InterruptState;

class RawSpinLock
{
  public:
    constexpr RawSpinLock() : lock_(nullptr) {}
    KDRV_NONCOPYABLE(RawSpinLock);

    KDRV_NODISCARD Status init()
    {
        if (lock_ == nullptr)
            lock_ = IOSimpleLockAlloc();
        return lock_ != nullptr ? Status::Success : Status::NoMemory;
    }
    void destroy()
    {
        if (lock_ != nullptr)
            IOSimpleLockFree(lock_);
        lock_ = nullptr;
    }

    KDRV_INLINE void lock()
    {
        KDRV_XNU_REQUIRE_INIT_(lock_);
        IOSimpleLockLock(lock_);
    }
    KDRV_INLINE bool tryLock()
    {
        KDRV_XNU_REQUIRE_INIT_(lock_);
        return IOSimpleLockTryLock(lock_) != 0;
    }
    KDRV_INLINE void unlock() { IOSimpleLockUnlock(lock_); }

    KDRV_INLINE InterruptState lockDisableInterrupts()
    {
        KDRV_XNU_REQUIRE_INIT_(lock_);
        return IOSimpleLockLockDisableInterrupt(lock_);
    }
    KDRV_INLINE void unlockRestoreInterrupts(InterruptState state)
    {
        IOSimpleLockUnlockEnableInterrupt(lock_, state);
    }

  private:
    IOSimpleLock* lock_;
};

// ---------------------------------------------------------------------------
// Mutex: IOLock, with sleep/wakeup on an event address

class RawMutex
{
  public:
    constexpr RawMutex() : lock_(nullptr) {}
    KDRV_NONCOPYABLE(RawMutex);

    KDRV_NODISCARD Status init()
    {
        if (lock_ == nullptr)
            lock_ = IOLockAlloc();
        return lock_ != nullptr ? Status::Success : Status::NoMemory;
    }
    void destroy()
    {
        if (lock_ != nullptr)
            IOLockFree(lock_);
        lock_ = nullptr;
    }

    KDRV_INLINE void lock()
    {
        KDRV_XNU_REQUIRE_INIT_(lock_);
        IOLockLock(lock_);
    }
    KDRV_INLINE bool tryLock()
    {
        KDRV_XNU_REQUIRE_INIT_(lock_);
        return IOLockTryLock(lock_) != 0;
    }
    KDRV_INLINE void unlock() { IOLockUnlock(lock_); }

    /// Returns how the sleep ended, with the mutex held again.
    WaitResult sleep(const void* event, bool hasDeadline, uint64_t deadlineNanos,
                     bool interruptible)
    {
        // IOLockSleep takes a non-const event; it only uses the address.
        void* e = const_cast<void*>(event);
        UInt32 type = interruptible ? THREAD_INTERRUPTIBLE : THREAD_UNINT;
        if (!hasDeadline)
            return toWaitResult(IOLockSleep(lock_, e, type));
        uint64_t deadline = 0;
        nanoseconds_to_absolutetime(deadlineNanos, &deadline);
        return toWaitResult(IOLockSleepDeadline(lock_, e, deadline, type));
    }
    void wakeup(const void* event, bool oneThread)
    {
        KDRV_XNU_REQUIRE_INIT_(lock_);
        IOLockWakeup(lock_, const_cast<void*>(event), oneThread);
    }

  private:
    IOLock* lock_;
};

// ---------------------------------------------------------------------------
// Recursive mutex: IORecursiveLock

class RawRecursiveMutex
{
  public:
    constexpr RawRecursiveMutex() : lock_(nullptr) {}
    KDRV_NONCOPYABLE(RawRecursiveMutex);

    KDRV_NODISCARD Status init()
    {
        if (lock_ == nullptr)
            lock_ = IORecursiveLockAlloc();
        return lock_ != nullptr ? Status::Success : Status::NoMemory;
    }
    void destroy()
    {
        if (lock_ != nullptr)
            IORecursiveLockFree(lock_);
        lock_ = nullptr;
    }

    void lock()
    {
        KDRV_XNU_REQUIRE_INIT_(lock_);
        IORecursiveLockLock(lock_);
    }
    bool tryLock()
    {
        KDRV_XNU_REQUIRE_INIT_(lock_);
        return IORecursiveLockTryLock(lock_) != 0;
    }
    void unlock() { IORecursiveLockUnlock(lock_); }
    bool heldByCaller() const { return lock_ != nullptr && IORecursiveLockHaveLock(lock_) != 0; }

  private:
    IORecursiveLock* lock_;
};

// ---------------------------------------------------------------------------
// Reader/writer lock: IORWLock and its lck_rw_t

class RawRWLock
{
  public:
    constexpr RawRWLock() : lock_(nullptr), rw_(nullptr) {}
    KDRV_NONCOPYABLE(RawRWLock);

    KDRV_NODISCARD Status init()
    {
        if (lock_ == nullptr)
        {
            lock_ = IORWLockAlloc();
            if (lock_ == nullptr)
                return Status::NoMemory;
            rw_ = IORWLockGetMachLock(lock_);
        }
        return Status::Success;
    }
    void destroy()
    {
        if (lock_ != nullptr)
            IORWLockFree(lock_);
        lock_ = nullptr;
        rw_ = nullptr;
    }

    void readLock()
    {
        KDRV_XNU_REQUIRE_INIT_(rw_);
        lck_rw_lock_shared(rw_);
    }
    bool tryReadLock()
    {
        KDRV_XNU_REQUIRE_INIT_(rw_);
        return lck_rw_try_lock(rw_, LCK_RW_TYPE_SHARED) != 0;
    }
    void readUnlock() { lck_rw_unlock_shared(rw_); }

    void writeLock()
    {
        KDRV_XNU_REQUIRE_INIT_(rw_);
        lck_rw_lock_exclusive(rw_);
    }
    bool tryWriteLock()
    {
        KDRV_XNU_REQUIRE_INIT_(rw_);
        return lck_rw_try_lock(rw_, LCK_RW_TYPE_EXCLUSIVE) != 0;
    }
    void writeUnlock() { lck_rw_unlock_exclusive(rw_); }

    // False: the shared hold has been dropped (xnu's documented behaviour).
    bool upgrade() { return lck_rw_lock_shared_to_exclusive(rw_) != 0; }
    void downgrade() { lck_rw_lock_exclusive_to_shared(rw_); }

  private:
    IORWLock* lock_;
    lck_rw_t* rw_;
};
} // namespace platform
} // namespace kdrv

#endif // KDRV_PLATFORM_XNU_LOCKS_HPP
