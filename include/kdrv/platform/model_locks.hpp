// SPDX-License-Identifier: MIT
//
/// \file
/// Threads and locks of the model-checking backend (the second table in
/// platform/platform.hpp), chosen by KDRV_CONFIG_MODEL_CHECK=1. The spin lock
/// and the reader/writer lock are kdrv's portable algorithms (detail/), the
/// very code the posix backend runs; the mutex is the checker's own, and
/// sleep/wakeup is a per-mutex wait list over the checker's condition
/// variable, so a lost wakeup is a reported deadlock.
///
/// Sleeps that may end early (a deadline, or interruptible) end early at the
/// checker's choice: it explores the timeout or the abort (thread_abort) at
/// every point where the sleeper waits. interruptSleepingThread() therefore
/// has nothing to do here and returns false. model::exploreInterrupts(false)
/// makes interruptible sleeps without a deadline plain sleeps, so a lost
/// wakeup is a deadlock the checker reports.
#ifndef KDRV_PLATFORM_MODEL_LOCKS_HPP
#define KDRV_PLATFORM_MODEL_LOCKS_HPP

#include "kdrv/atomic.hpp"            // for AtomicU64
#include "kdrv/base.hpp"              // for KDRV_NONCOPYABLE
#include "kdrv/detail/rw_lock.hpp"    // for RwLockWord
#include "kdrv/detail/ttas_lock.hpp"  // for TtasLock
#include "kdrv/platform/model.hpp"    // for KDRV_MODEL_HERE_
#include "kdrv/platform/platform.hpp" // for WaitResult
#include "kdrv/status.hpp"            // for Status

namespace kdrv
{
namespace platform
{
/// Identifies a thread for lock-owner tracking; 0 is "no thread".
typedef uint64_t ThreadId;

inline ThreadId currentThreadId() { return static_cast<ThreadId>(::rl::thread_index()) + 1; }

/// The checker already tries an abort wherever an interruptible sleep waits.
inline bool interruptSleepingThread(ThreadId) { return false; }

typedef int InterruptState;

class RawSpinLock
{
  public:
    RawSpinLock() {}
    KDRV_NONCOPYABLE(RawSpinLock);

    Status init() { return Status::Success; }
    void destroy() {}

    void lock() { lock_.lock(); }
    bool tryLock() { return lock_.tryLock(); }
    void unlock() { lock_.unlock(); }
    InterruptState lockDisableInterrupts()
    {
        lock_.lock();
        return 1;
    }
    void unlockRestoreInterrupts(InterruptState) { lock_.unlock(); }
    uint32_t debugState() const { return lock_.debugState(); }

  private:
    detail::TtasLock lock_;
};

class RawMutex
{
  public:
    RawMutex() : head_(nullptr) {}
    KDRV_NONCOPYABLE(RawMutex);

    Status init() { return Status::Success; }
    void destroy() {}

    void lock() { mutex_.lock(KDRV_MODEL_HERE_); }
    bool tryLock() { return mutex_.try_lock(KDRV_MODEL_HERE_); }
    void unlock() { mutex_.unlock(KDRV_MODEL_HERE_); }

    /// Called with the mutex held. Registers on `event` (under the list's
    /// own lock) before releasing the mutex, as the other backends do;
    /// returns with the mutex held again.
    WaitResult sleep(const void* event, bool hasDeadline, uint64_t deadlineNanos,
                     bool interruptible)
    {
        // The checker decides when a deadline passes; the largest time
        // (a saturated "forever") never does.
        hasDeadline = hasDeadline && deadlineNanos != ~static_cast<uint64_t>(0);
        interruptible = interruptible && model::interruptsExplored();
        Waiter self = {event, nullptr, kWaiting};
        queueLock_.lock(KDRV_MODEL_HERE_);
        self.next = head_;
        head_ = &self;
        mutex_.unlock(KDRV_MODEL_HERE_);
        while (self.state == kWaiting)
        {
            if (!hasDeadline && !interruptible)
            {
                changed_.wait(queueLock_, KDRV_MODEL_HERE_);
            }
            else if (!changed_.wait_for(queueLock_, 0, KDRV_MODEL_HERE_) && self.state == kWaiting)
            {
                unlink(&self);
                const bool timedOut = hasDeadline && (!interruptible || ::rl::rand(2) == 0);
                self.state = timedOut ? kTimedOut : kInterrupted;
            }
        }
        const int result = self.state;
        queueLock_.unlock(KDRV_MODEL_HERE_);
        mutex_.lock(KDRV_MODEL_HERE_);
        return result == kAwakened   ? WaitResult::Awakened
               : result == kTimedOut ? WaitResult::TimedOut
                                     : WaitResult::Interrupted;
    }

    /// Wakes the oldest sleeper on `event` (oneThread) or all of them.
    void wakeup(const void* event, bool oneThread)
    {
        queueLock_.lock(KDRV_MODEL_HERE_);
        bool woke = false;
        for (;;)
        {
            Waiter* oldest = nullptr;
            for (Waiter* w = head_; w != nullptr; w = w->next)
                if (w->event == event)
                    oldest = w; // the list is newest first
            if (oldest == nullptr)
                break;
            unlink(oldest);
            oldest->state = kAwakened;
            woke = true;
            if (oneThread)
                break;
        }
        if (woke)
            changed_.notify_all(KDRV_MODEL_HERE_);
        queueLock_.unlock(KDRV_MODEL_HERE_);
    }

  private:
    enum : int
    {
        kWaiting = -1,
        kAwakened = 0,
        kTimedOut = 1,
        kInterrupted = 2,
    };
    struct Waiter
    {
        const void* event;
        Waiter* next;
        int state; // guarded by queueLock_
    };

    void unlink(Waiter* w)
    {
        for (Waiter** p = &head_; *p != nullptr; p = &(*p)->next)
        {
            if (*p == w)
            {
                *p = w->next;
                w->next = nullptr;
                return;
            }
        }
    }

    ::rl::mutex mutex_;
    ::rl::mutex queueLock_;
    ::rl::condition_variable changed_;
    Waiter* head_; // guarded by queueLock_
};

class RawRecursiveMutex
{
  public:
    RawRecursiveMutex() : owner_(0), depth_(0) {}
    KDRV_NONCOPYABLE(RawRecursiveMutex);

    Status init() { return Status::Success; }
    void destroy() {}

    void lock()
    {
        const ThreadId self = currentThreadId();
        if (owner_.load(MemoryOrder::Relaxed) == self)
        {
            ++depth_;
            return;
        }
        mutex_.lock(KDRV_MODEL_HERE_);
        owner_.store(self, MemoryOrder::Relaxed);
        depth_ = 1;
    }
    bool tryLock()
    {
        const ThreadId self = currentThreadId();
        if (owner_.load(MemoryOrder::Relaxed) == self)
        {
            ++depth_;
            return true;
        }
        if (!mutex_.try_lock(KDRV_MODEL_HERE_))
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
        mutex_.unlock(KDRV_MODEL_HERE_);
    }
    bool heldByCaller() const { return owner_.load(MemoryOrder::Relaxed) == currentThreadId(); }

  private:
    ::rl::mutex mutex_;
    AtomicU64 owner_;
    uint32_t depth_; // guarded by mutex_
};

class RawRWLock
{
  public:
    RawRWLock() {}
    KDRV_NONCOPYABLE(RawRWLock);

    Status init() { return Status::Success; }
    void destroy() {}

    void readLock() { lock_.readLock(); }
    bool tryReadLock() { return lock_.tryReadLock(); }
    void readUnlock() { lock_.readUnlock(); }
    void writeLock() { lock_.writeLock(); }
    bool tryWriteLock() { return lock_.tryWriteLock(); }
    void writeUnlock() { lock_.writeUnlock(); }
    bool upgrade() { return lock_.upgrade(); }
    void downgrade() { lock_.downgrade(); }
    uint32_t debugState() const { return lock_.debugState(); }

  private:
    detail::RwLockWord lock_;
};
} // namespace platform
} // namespace kdrv

#endif // KDRV_PLATFORM_MODEL_LOCKS_HPP
