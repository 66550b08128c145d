// SPDX-License-Identifier: MIT
//
/// \file
/// Threads and locks of the user-space backend (the second table in
/// platform/platform.hpp). Never part of a kext. It holds no lock algorithm
/// of its own: the spin lock and the reader/writer lock are kdrv's portable
/// ones (detail/), the mutex is pthread's, and sleep/wakeup is
/// posix_waitqueue.hpp. All are constant-initialized and usable without
/// init(); init() exists so that the same code runs over the xnu backend,
/// which must allocate.
#ifndef KDRV_PLATFORM_POSIX_LOCKS_HPP
#define KDRV_PLATFORM_POSIX_LOCKS_HPP

#include "kdrv/atomic.hpp"                   // for AtomicU64
#include "kdrv/base.hpp"                     // for copyBytes
#include "kdrv/detail/rw_lock.hpp"           // for RwLockWord
#include "kdrv/detail/ttas_lock.hpp"         // for TtasLock
#include "kdrv/platform/platform.hpp"        // for WaitResult
#include "kdrv/platform/posix_waitqueue.hpp" // for prepareWait, finishWait, wake
#include "kdrv/status.hpp"                   // for Status

#include <pthread.h> // for pthread_mutex_t, pthread_self

namespace kdrv
{
namespace platform
{
/// Identifies a thread for lock-owner tracking; 0 is "no thread".
typedef uint64_t ThreadId;

inline ThreadId currentThreadId()
{
    // pthread_t is an integer on Linux and a pointer elsewhere: copy its bytes.
    pthread_t self = pthread_self();
    static_assert(sizeof(self) <= sizeof(ThreadId), "pthread_t wider than ThreadId");
    ThreadId id = 0;
    copyBytes(&id, &self, sizeof(self));
    return id;
}

/// Test hook (kdrv/testing.hpp): makes `thread`'s interruptible sleep return
/// WaitResult::Interrupted, as thread_abort does in the kernel. Returns false,
/// changing nothing, if that thread is not in an interruptible sleep now.
inline bool interruptSleepingThread(ThreadId thread)
{
    return detail::interrupt(static_cast<uintptr_t>(thread));
}

/// The saved interrupt state. User space cannot mask interrupts: a token.
typedef int InterruptState;

class RawSpinLock
{
  public:
    constexpr RawSpinLock() {}
    KDRV_NONCOPYABLE(RawSpinLock);

    KDRV_NODISCARD Status init() { return Status::Success; }
    void destroy() {}

    KDRV_INLINE void lock() { lock_.lock(); }
    KDRV_INLINE bool tryLock() { return lock_.tryLock(); }
    KDRV_INLINE void unlock() { lock_.unlock(); }

    KDRV_INLINE InterruptState lockDisableInterrupts()
    {
        lock_.lock();
        return 1;
    }
    KDRV_INLINE void unlockRestoreInterrupts(InterruptState) { lock_.unlock(); }

    uint32_t debugState() const { return lock_.debugState(); }

  private:
    detail::TtasLock lock_;
};

class RawMutex
{
  public:
    constexpr RawMutex() {}
    KDRV_NONCOPYABLE(RawMutex);

    KDRV_NODISCARD Status init() { return Status::Success; }
    void destroy() {}

    KDRV_INLINE void lock() { pthread_mutex_lock(&mutex_); }
    KDRV_INLINE bool tryLock() { return pthread_mutex_trylock(&mutex_) == 0; }
    KDRV_INLINE void unlock() { pthread_mutex_unlock(&mutex_); }

    /// Called with the mutex held. Registers on `event` before releasing the
    /// mutex, so no wakeup issued after the release is lost; returns with the
    /// mutex held again.
    WaitResult sleep(const void* event, bool hasDeadline, uint64_t deadlineNanos,
                     bool interruptible)
    {
        detail::Waiter waiter;
        detail::prepareWait(&waiter, event, static_cast<uintptr_t>(currentThreadId()),
                            interruptible);
        pthread_mutex_unlock(&mutex_);
        int result = detail::finishWait(&waiter, hasDeadline, deadlineNanos);
        pthread_mutex_lock(&mutex_);
        return result == detail::kAwakened   ? WaitResult::Awakened
               : result == detail::kTimedOut ? WaitResult::TimedOut
                                             : WaitResult::Interrupted;
    }
    void wakeup(const void* event, bool oneThread) { detail::wake(event, oneThread); }

  private:
    pthread_mutex_t mutex_ = PTHREAD_MUTEX_INITIALIZER;
};

class RawRecursiveMutex
{
  public:
    constexpr RawRecursiveMutex() : owner_(0), depth_(0) {}
    KDRV_NONCOPYABLE(RawRecursiveMutex);

    KDRV_NODISCARD Status init() { return Status::Success; }
    void destroy() {}

    void lock()
    {
        ThreadId self = currentThreadId();
        // Only this thread ever stores `self` here, so a relaxed load suffices.
        if (owner_.load(MemoryOrder::Relaxed) == self)
        {
            ++depth_;
            return;
        }
        pthread_mutex_lock(&mutex_);
        owner_.store(self, MemoryOrder::Relaxed);
        depth_ = 1;
    }
    bool tryLock()
    {
        ThreadId self = currentThreadId();
        if (owner_.load(MemoryOrder::Relaxed) == self)
        {
            ++depth_;
            return true;
        }
        if (pthread_mutex_trylock(&mutex_) != 0)
            return false;
        owner_.store(self, MemoryOrder::Relaxed);
        depth_ = 1;
        return true;
    }
    void unlock()
    {
        if (--depth_ != 0)
            return;
        owner_.store(0, MemoryOrder::Relaxed);
        pthread_mutex_unlock(&mutex_);
    }
    bool heldByCaller() const { return owner_.load(MemoryOrder::Relaxed) == currentThreadId(); }

  private:
    pthread_mutex_t mutex_ = PTHREAD_MUTEX_INITIALIZER;
    AtomicU64 owner_;
    uint32_t depth_; // guarded by mutex_
};

class RawRWLock
{
  public:
    constexpr RawRWLock() {}
    KDRV_NONCOPYABLE(RawRWLock);

    KDRV_NODISCARD Status init() { return Status::Success; }
    void destroy() {}

    KDRV_INLINE void readLock() { lock_.readLock(); }
    KDRV_INLINE bool tryReadLock() { return lock_.tryReadLock(); }
    KDRV_INLINE void readUnlock() { lock_.readUnlock(); }
    KDRV_INLINE void writeLock() { lock_.writeLock(); }
    KDRV_INLINE bool tryWriteLock() { return lock_.tryWriteLock(); }
    KDRV_INLINE void writeUnlock() { lock_.writeUnlock(); }
    bool upgrade() { return lock_.upgrade(); }
    void downgrade() { lock_.downgrade(); }

    uint32_t debugState() const { return lock_.debugState(); }

  private:
    detail::RwLockWord lock_;
};
} // namespace platform
} // namespace kdrv

#endif // KDRV_PLATFORM_POSIX_LOCKS_HPP
