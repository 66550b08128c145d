// SPDX-License-Identifier: MIT
//
/// \file
/// Mutex (a sleeping lock with sleep/wakeup on an event address) and
/// RecursiveMutex.
///
/// Kernel: Mutex is an IOLock (lck_mtx) and RecursiveMutex an IORecursiveLock.
/// User space: a pthread mutex. Either may block, so neither may be taken from
/// interrupt context or while a SpinLock is held.
///
/// Memory order: lock() and a successful tryLock() acquire, unlock() releases.
///
/// Sleep and wakeup (the book's IOLockSleep/IOLockWakeup pattern):
///
///     mutex.lock();                          // producer:
///     while (!ready)                         //   mutex.lock();
///         (void)mutex.sleep(&ready, ...);    //   ready = true;
///     ...                                    //   mutex.wakeupAll(&ready);
///     mutex.unlock();                        //   mutex.unlock();
///
/// sleep() is called with the mutex held. It registers the thread on the
/// event address before it releases the mutex, so a wakeup made by anyone who
/// took the mutex after the sleeper cannot be lost; it re-acquires the mutex
/// before returning. A return does not by itself mean the condition is true
/// (another thread may have got there first): re-check it in a loop.
/// wakeupOne() wakes one sleeper on the event, wakeupAll() every sleeper;
/// neither needs the mutex, but holding it while changing the condition and
/// waking is what makes the pattern race-free. The event is only
/// an address: any object's address works; nothing is read through it.
///
/// Lifetime: constant-initialized by the constexpr constructor. init() must
/// succeed before first use (the kernel allocates the IOLock; user space does
/// nothing), destroy() releases it with no holder and no sleeper.
#ifndef KDRV_MUTEX_HPP
#define KDRV_MUTEX_HPP

#include "kdrv/base.hpp"           // for KDRV_ACQUIRE, KDRV_RELEASE, KDRV_NONCOPYABLE
#include "kdrv/contract.hpp"       // for KDRV_EXPECTS
#include "kdrv/lockdebug.hpp"      // for LockDebugState, KDRV_LOCK_SITE_PARAM_
#include "kdrv/platform/locks.hpp" // for platform::RawMutex, RawRecursiveMutex
#include "kdrv/status.hpp"         // for Status, isSuccess

namespace kdrv
{
// WaitResult and SleepType are defined with the platform seam
// (platform/platform.hpp), which every backend implements.

KDRV_LOCK_ABI_BEGIN

class KDRV_CAPABILITY("mutex") Mutex
{
  public:
    constexpr Mutex() {}
    KDRV_NONCOPYABLE(Mutex);

    /// Prepares the mutex. Thread context; may allocate (kernel). Returns
    /// Success or NoMemory. Calling it again on an initialized mutex does
    /// nothing and succeeds.
    KDRV_NODISCARD Status init()
    {
        Status s = raw_.init();
        KDRV_LOCK_DEBUG_ONLY_(debug_.noteInit(isSuccess(s));)
        return s;
    }

    /// Releases what init() acquired. No thread may hold or sleep on it.
    void destroy(KDRV_LOCK_SITE_PARAM_)
    {
        KDRV_LOCK_DEBUG_ONLY_(debug_.checkDestroy(
            KDRV_LOCK_MSG_("Mutex::destroy: the mutex is held"), KDRV_LOCK_SITE_);)
        raw_.destroy();
    }

    /// Blocks until the mutex is acquired. Not recursive: the caller must not
    /// hold it already.
    KDRV_INLINE void lock(KDRV_LOCK_SITE_PARAM_) KDRV_ACQUIRE()
    {
        beforeLock(KDRV_LOCK_SITE_ARG_);
        raw_.lock();
        KDRV_LOCK_DEBUG_ONLY_(debug_.noteLocked();)
    }

    /// Acquires the mutex only if it is free; never blocks. Returns true if the
    /// caller now holds it.
    KDRV_NODISCARD KDRV_INLINE bool tryLock(KDRV_LOCK_SITE_PARAM_) KDRV_TRY_ACQUIRE(true)
    {
        beforeLock(KDRV_LOCK_SITE_ARG_);
        if (!raw_.tryLock())
            return false;
        KDRV_LOCK_DEBUG_ONLY_(debug_.noteLocked();)
        return true;
    }

    /// Releases the mutex; the caller must hold it.
    KDRV_INLINE void unlock(KDRV_LOCK_SITE_PARAM_) KDRV_RELEASE()
    {
        KDRV_LOCK_DEBUG_ONLY_(debug_.checkOwnedAndRelease(
            KDRV_LOCK_MSG_("Mutex::unlock: the calling thread does not hold the mutex"),
            KDRV_LOCK_SITE_);)
        raw_.unlock();
    }

    /// Sleeps on `event` (non-null) until woken or, for an interruptible
    /// sleep, interrupted. Called with the mutex held; returns with it held.
    KDRV_NODISCARD WaitResult sleep(const void* event, SleepType type KDRV_LOCK_SITE_MORE_PARAM_)
        KDRV_REQUIRES(this)
    {
        return sleepImpl(event, false, 0, type KDRV_LOCK_SITE_MORE_ARG_);
    }

    /// As sleep(), but gives up at `deadlineNanos` on the
    /// kdrv::platform::monotonicNanos() clock and returns TimedOut. A deadline
    /// already in the past still releases and re-acquires the mutex.
    KDRV_NODISCARD WaitResult sleepUntil(const void* event, uint64_t deadlineNanos,
                                         SleepType type KDRV_LOCK_SITE_MORE_PARAM_)
        KDRV_REQUIRES(this)
    {
        return sleepImpl(event, true, deadlineNanos, type KDRV_LOCK_SITE_MORE_ARG_);
    }

    /// As sleepUntil(), with a deadline `timeoutNanos` from now (saturating).
    KDRV_NODISCARD WaitResult sleepFor(const void* event, uint64_t timeoutNanos,
                                       SleepType type KDRV_LOCK_SITE_MORE_PARAM_)
        KDRV_REQUIRES(this)
    {
        const uint64_t deadline = addSaturating64(platform::monotonicNanos(), timeoutNanos);
        return sleepImpl(event, true, deadline, type KDRV_LOCK_SITE_MORE_ARG_);
    }

    /// Wakes one thread sleeping on `event`, or none if there is none
    /// (IOLockWakeup(lock, event, true)). User space wakes the longest-waiting
    /// sleeper; the kernel lets the scheduler choose. The wakeup is not
    /// remembered: only threads already asleep are woken.
    void wakeupOne(const void* event) { raw_.wakeup(event, true); }

    /// Wakes every thread sleeping on `event` (IOLockWakeup(lock, event, false)).
    void wakeupAll(const void* event) { raw_.wakeup(event, false); }

    /// Debug builds: contract failure unless the caller holds / does not hold
    /// the mutex. Release builds: no effect.
    void assertOwned(KDRV_LOCK_SITE_PARAM_) const KDRV_ASSERT_CAPABILITY(this)
    {
        KDRV_LOCK_DEBUG_ONLY_(debug_.checkOwned(
            KDRV_LOCK_MSG_("Mutex::assertOwned: the calling thread does not hold the mutex"),
            KDRV_LOCK_SITE_);)
    }
    void assertNotOwned(KDRV_LOCK_SITE_PARAM_) const
    {
        KDRV_LOCK_DEBUG_ONLY_(debug_.checkNotOwned(
            KDRV_LOCK_MSG_("Mutex::assertNotOwned: the calling thread holds the mutex"),
            KDRV_LOCK_SITE_);)
    }

  private:
    WaitResult sleepImpl(const void* event, bool hasDeadline, uint64_t deadline,
                         SleepType type KDRV_LOCK_SITE_MORE_PARAM_)
    {
        KDRV_EXPECTS(event != nullptr);
        // The mutex is released while asleep: nobody owns it meanwhile.
        KDRV_LOCK_DEBUG_ONLY_(debug_.checkOwnedAndRelease(
            KDRV_LOCK_MSG_("Mutex::sleep: the calling thread does not hold the mutex"),
            KDRV_LOCK_SITE_);)
        WaitResult r = raw_.sleep(event, hasDeadline, deadline, type == SleepType::Interruptible);
        KDRV_LOCK_DEBUG_ONLY_(debug_.noteLocked();)
        return r;
    }

    KDRV_INLINE void beforeLock(KDRV_LOCK_SITE_PARAM_)
    {
        KDRV_LOCK_DEBUG_ONLY_(debug_.checkLock(
            KDRV_LOCK_MSG_("Mutex used before a successful init()"),
            KDRV_LOCK_MSG_("Mutex::lock: the calling thread already holds this non-recursive "
                           "mutex (self-deadlock)"),
            KDRV_LOCK_SITE_);)
    }

    platform::RawMutex raw_;
#if KDRV_CONFIG_LOCK_DEBUG
    LockDebugState debug_;
#endif
};

/// Holds a Mutex for the guard's scope.
class KDRV_SCOPED_CAPABILITY MutexGuard
{
  public:
    explicit MutexGuard(Mutex& mutex KDRV_LOCK_SITE_MORE_PARAM_) KDRV_ACQUIRE(mutex) : mutex_(mutex)
    {
        mutex_.lock(KDRV_LOCK_SITE_ARG_);
    }
    ~MutexGuard() KDRV_RELEASE() { mutex_.unlock(); }
    KDRV_NONCOPYABLE(MutexGuard);

  private:
    Mutex& mutex_;
};

/// A mutex the holder may lock again; each lock() or successful tryLock()
/// needs one unlock(). Kernel: IORecursiveLock. Prefer Mutex: recursion
/// usually hides an unclear locking design.
class KDRV_CAPABILITY("mutex") RecursiveMutex
{
  public:
    constexpr RecursiveMutex() {}
    KDRV_NONCOPYABLE(RecursiveMutex);

    /// As Mutex::init().
    KDRV_NODISCARD Status init()
    {
        Status s = raw_.init();
        KDRV_LOCK_DEBUG_ONLY_(debug_.noteInit(isSuccess(s));)
        return s;
    }

    /// Releases what init() acquired. No thread may hold it.
    void destroy(KDRV_LOCK_SITE_PARAM_)
    {
        KDRV_LOCK_DEBUG_ONLY_(debug_.checkDestroy(
            KDRV_LOCK_MSG_("RecursiveMutex::destroy: the mutex is held"), KDRV_LOCK_SITE_);)
        raw_.destroy();
    }

    /// Blocks until acquired; returns at once if the caller holds it already.
    void lock(KDRV_LOCK_SITE_PARAM_) KDRV_ACQUIRE()
    {
        beforeLock(KDRV_LOCK_SITE_ARG_);
        raw_.lock();
        KDRV_LOCK_DEBUG_ONLY_(debug_.addHold();)
    }

    /// Acquires if free or already held by the caller; never blocks.
    KDRV_NODISCARD bool tryLock(KDRV_LOCK_SITE_PARAM_) KDRV_TRY_ACQUIRE(true)
    {
        beforeLock(KDRV_LOCK_SITE_ARG_);
        if (!raw_.tryLock())
            return false;
        KDRV_LOCK_DEBUG_ONLY_(debug_.addHold();)
        return true;
    }

    /// Undoes one lock(); the caller must hold the mutex.
    void unlock(KDRV_LOCK_SITE_PARAM_) KDRV_RELEASE()
    {
        KDRV_LOCK_DEBUG_ONLY_(
            if (KDRV_UNLIKELY(!raw_.heldByCaller())) LockDebugState::fail(
                KDRV_LOCK_MSG_(
                    "RecursiveMutex::unlock: the calling thread does not hold the mutex"),
                KDRV_LOCK_SITE_);
            (void)debug_.dropHold();)
        raw_.unlock();
    }

    /// True if the calling thread holds the mutex (IORecursiveLockHaveLock).
    /// Exact in every build.
    KDRV_NODISCARD bool heldByCaller() const { return raw_.heldByCaller(); }

    /// Debug builds: contract failure unless the caller holds / does not hold it.
    void assertOwned(KDRV_LOCK_SITE_PARAM_) const KDRV_ASSERT_CAPABILITY(this)
    {
        KDRV_LOCK_DEBUG_ONLY_(
            if (KDRV_UNLIKELY(!raw_.heldByCaller())) LockDebugState::fail(
                KDRV_LOCK_MSG_("RecursiveMutex::assertOwned: the calling thread does not hold it"),
                KDRV_LOCK_SITE_);)
    }
    void assertNotOwned(KDRV_LOCK_SITE_PARAM_) const
    {
        KDRV_LOCK_DEBUG_ONLY_(
            if (KDRV_UNLIKELY(raw_.heldByCaller())) LockDebugState::fail(
                KDRV_LOCK_MSG_("RecursiveMutex::assertNotOwned: the calling thread holds it"),
                KDRV_LOCK_SITE_);)
    }

  private:
    void beforeLock(KDRV_LOCK_SITE_PARAM_)
    {
        KDRV_LOCK_DEBUG_ONLY_(
            if (KDRV_UNLIKELY(!debug_.initialized())) LockDebugState::fail(
                KDRV_LOCK_MSG_("RecursiveMutex used before a successful init()"), KDRV_LOCK_SITE_);)
    }

    platform::RawRecursiveMutex raw_;
#if KDRV_CONFIG_LOCK_DEBUG
    LockDebugState debug_;
#endif
};

/// Holds a RecursiveMutex (one level) for the guard's scope.
class KDRV_SCOPED_CAPABILITY RecursiveMutexGuard
{
  public:
    explicit RecursiveMutexGuard(RecursiveMutex& mutex KDRV_LOCK_SITE_MORE_PARAM_)
        KDRV_ACQUIRE(mutex)
        : mutex_(mutex)
    {
        mutex_.lock(KDRV_LOCK_SITE_ARG_);
    }
    ~RecursiveMutexGuard() KDRV_RELEASE() { mutex_.unlock(); }
    KDRV_NONCOPYABLE(RecursiveMutexGuard);

  private:
    RecursiveMutex& mutex_;
};

KDRV_LOCK_ABI_END
} // namespace kdrv

#endif // KDRV_MUTEX_HPP
