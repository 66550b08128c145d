// SPDX-License-Identifier: MIT
//
/// \file
/// SpinLock: a non-sleeping lock for very short critical sections, including
/// those shared with interrupt context.
///
/// Kernel: an IOSimpleLock (lck_spin). Preemption is disabled while it is
/// held, so the holder must not block: no Mutex, no allocation that may wait,
/// no sleep. Use lockDisableInterrupts() when the same data is touched from a
/// primary interrupt handler (IOSimpleLockLockDisableInterrupt).
/// User space: test-and-test-and-set. lock() is one exchange when free and
/// spins on a plain load with a pause instruction while held, yielding the CPU
/// after a while; unlock() is a release store. It is unfair: under contention
/// the thread that already has the cache line usually wins, which maximizes
/// throughput. Interrupt state is a no-op token.
///
/// Memory order: lock() and a successful tryLock() are acquire operations,
/// unlock() is a release operation: everything written under the lock is
/// visible to the next holder.
///
/// Lifetime: constant-initialized by the constexpr constructor, so a global
/// or static SpinLock needs no constructor call. init() must succeed before
/// first use (the kernel allocates the IOSimpleLock there; user space does
/// nothing) and destroy() releases it; both run from thread context with the
/// lock free. The lock is not recursive.
#ifndef KDRV_SPINLOCK_HPP
#define KDRV_SPINLOCK_HPP

#include "kdrv/base.hpp"           // for KDRV_ACQUIRE, KDRV_RELEASE, KDRV_SCOPED_CAPABILITY
#include "kdrv/lockdebug.hpp"      // for LockDebugState, KDRV_LOCK_SITE_PARAM_
#include "kdrv/platform/locks.hpp" // for platform::RawSpinLock
#include "kdrv/status.hpp"         // for Status, isSuccess

namespace kdrv
{
/// The interrupt state saved by SpinLock::lockDisableInterrupts(); pass it
/// back unchanged to unlockRestoreInterrupts().
typedef platform::InterruptState InterruptState;

KDRV_LOCK_ABI_BEGIN

class KDRV_CAPABILITY("spinlock") SpinLock
{
  public:
    constexpr SpinLock() {}
    KDRV_NONCOPYABLE(SpinLock);

    /// Prepares the lock for use. Thread context; may allocate (kernel).
    /// Returns Success, or NoMemory if the kernel lock could not be allocated.
    /// Calling it again on an initialized lock does nothing and succeeds.
    KDRV_NODISCARD Status init()
    {
        Status s = raw_.init();
        KDRV_LOCK_DEBUG_ONLY_(debug_.noteInit(isSuccess(s));)
        return s;
    }

    /// Releases what init() acquired. The lock must be free.
    void destroy(KDRV_LOCK_SITE_PARAM_)
    {
        KDRV_LOCK_DEBUG_ONLY_(debug_.checkDestroy(
            KDRV_LOCK_MSG_("SpinLock::destroy: the lock is held"), KDRV_LOCK_SITE_);)
        raw_.destroy();
    }

    /// Spins until the lock is acquired. Must not be held by the caller.
    KDRV_INLINE void lock(KDRV_LOCK_SITE_PARAM_) KDRV_ACQUIRE()
    {
        beforeLock(KDRV_LOCK_SITE_ARG_);
        raw_.lock();
        KDRV_LOCK_DEBUG_ONLY_(debug_.noteLocked();)
    }

    /// Acquires the lock only if it is free. Returns true if the caller now
    /// holds it. Never spins.
    KDRV_NODISCARD KDRV_INLINE bool tryLock(KDRV_LOCK_SITE_PARAM_) KDRV_TRY_ACQUIRE(true)
    {
        beforeLock(KDRV_LOCK_SITE_ARG_);
        if (!raw_.tryLock())
            return false;
        KDRV_LOCK_DEBUG_ONLY_(debug_.noteLocked();)
        return true;
    }

    /// Releases the lock; the caller must hold it.
    KDRV_INLINE void unlock(KDRV_LOCK_SITE_PARAM_) KDRV_RELEASE()
    {
        beforeUnlock(KDRV_LOCK_SITE_ARG_);
        raw_.unlock();
    }

    /// Disables interrupts on this CPU, then locks. Returns the previous
    /// interrupt state, which unlockRestoreInterrupts() puts back.
    KDRV_NODISCARD KDRV_INLINE InterruptState lockDisableInterrupts(KDRV_LOCK_SITE_PARAM_)
        KDRV_ACQUIRE()
    {
        beforeLock(KDRV_LOCK_SITE_ARG_);
        InterruptState state = raw_.lockDisableInterrupts();
        KDRV_LOCK_DEBUG_ONLY_(debug_.noteLocked();)
        return state;
    }

    /// Unlocks, then restores the interrupt state saved by the matching
    /// lockDisableInterrupts().
    KDRV_INLINE void unlockRestoreInterrupts(InterruptState state KDRV_LOCK_SITE_MORE_PARAM_)
        KDRV_RELEASE()
    {
        beforeUnlock(KDRV_LOCK_SITE_ARG_);
        raw_.unlockRestoreInterrupts(state);
    }

    /// Debug builds: contract failure unless the caller holds / does not hold
    /// the lock. Release builds: no effect.
    void assertOwned(KDRV_LOCK_SITE_PARAM_) const KDRV_ASSERT_CAPABILITY(this)
    {
        KDRV_LOCK_DEBUG_ONLY_(debug_.checkOwned(
            KDRV_LOCK_MSG_("SpinLock::assertOwned: the calling thread does not hold the lock"),
            KDRV_LOCK_SITE_);)
    }
    void assertNotOwned(KDRV_LOCK_SITE_PARAM_) const
    {
        KDRV_LOCK_DEBUG_ONLY_(debug_.checkNotOwned(
            KDRV_LOCK_MSG_("SpinLock::assertNotOwned: the calling thread holds the lock"),
            KDRV_LOCK_SITE_);)
    }

  private:
    KDRV_INLINE void beforeLock(KDRV_LOCK_SITE_PARAM_)
    {
        KDRV_LOCK_DEBUG_ONLY_(debug_.checkLock(
            KDRV_LOCK_MSG_("SpinLock used before a successful init()"),
            KDRV_LOCK_MSG_("SpinLock::lock: the calling thread already holds this non-recursive "
                           "lock (self-deadlock)"),
            KDRV_LOCK_SITE_);)
    }
    KDRV_INLINE void beforeUnlock(KDRV_LOCK_SITE_PARAM_)
    {
        KDRV_LOCK_DEBUG_ONLY_(debug_.checkOwnedAndRelease(
            KDRV_LOCK_MSG_("SpinLock::unlock: the calling thread does not hold the lock"),
            KDRV_LOCK_SITE_);)
    }

    platform::RawSpinLock raw_;
#if KDRV_CONFIG_LOCK_DEBUG
    LockDebugState debug_;
#endif
};

/// Holds a SpinLock for the guard's scope.
class KDRV_SCOPED_CAPABILITY SpinLockGuard
{
  public:
    explicit SpinLockGuard(SpinLock& lock KDRV_LOCK_SITE_MORE_PARAM_) KDRV_ACQUIRE(lock)
        : lock_(lock)
    {
        lock_.lock(KDRV_LOCK_SITE_ARG_);
    }
    ~SpinLockGuard() KDRV_RELEASE() { lock_.unlock(); }
    KDRV_NONCOPYABLE(SpinLockGuard);

  private:
    SpinLock& lock_;
};

/// Holds a SpinLock with interrupts disabled for the guard's scope.
class KDRV_SCOPED_CAPABILITY SpinLockIrqGuard
{
  public:
    explicit SpinLockIrqGuard(SpinLock& lock KDRV_LOCK_SITE_MORE_PARAM_) KDRV_ACQUIRE(lock)
        : lock_(lock), state_(lock.lockDisableInterrupts(KDRV_LOCK_SITE_ARG_))
    {
    }
    ~SpinLockIrqGuard() KDRV_RELEASE() { lock_.unlockRestoreInterrupts(state_); }
    KDRV_NONCOPYABLE(SpinLockIrqGuard);

  private:
    SpinLock& lock_;
    InterruptState state_;
};

KDRV_LOCK_ABI_END
} // namespace kdrv

#endif // KDRV_SPINLOCK_HPP
