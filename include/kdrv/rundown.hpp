// SPDX-License-Identifier: MIT
//
/// \file
/// Rundown: the detach/unload handshake. In-flight work holds a reference;
/// stop(), unload or a power-down transition closes the gate so that no new
/// reference is granted, then waits, asleep, until the last reference is
/// dropped, with a deadline that turns into a Busy result instead of a hang.
///
///     // work (any thread, interrupt context included for acquire):
///     if (!gRundown.acquire())
///         return kIOReturnNotAttached;    // shutting down: do not start
///     ...                                 // use the driver's state
///     gRundown.release();
///
///     // stop() / kext stop routine (thread context):
///     if (gRundown.drainFor(2 * kNanosPerSecond) == kdrv::Status::Busy)
///         return KERN_NO_ACCESS;          // the book's answer; try again later
///
/// What goes wrong without it: the book's `while (filterRegistered);`
/// busy-waits a CPU until another thread changes a flag it may never see;
/// polling with a sleep (Microsoft's DMF waits 100 ms per round) adds up to
/// a round of latency and still spins for ever if the reference leaks. Here
/// the last release() wakes the drainer at once, and a leak ends at the
/// deadline with Busy.
///
/// States. Open: acquire() succeeds. Closing: acquire() fails; the drain ends
/// when the count reaches 0. Drained: closing with no reference left; a drain
/// returns Success at once. reopen() goes back to open (power-up, or a
/// cancelled unload).
///
///   acquire()          lock-free; false when closing (or at 2^31 - 1
///                      references). Any context.
///   release()          lock-free except for the last reference during a
///                      drain, which takes the mutex to wake the drainer:
///                      thread context for that one (work loops and threads,
///                      not primary interrupt handlers). A release without a
///                      reference is ignored and reported once through
///                      platform::warn().
///   beginDrain(n)      closes the gate without waiting: Success when already
///                      drained (n never runs), Busy when references remain;
///                      then n->fn(n->context) runs exactly once, from the
///                      last release(), after the mutex is dropped. For a
///                      power-down in setPowerState(): return the ack-implied
///                      value on Success, or a time and call
///                      acknowledgeSetPowerState() from n on Busy.
///                      ExclusiveAccess if another notification is pending.
///   drainUntil(t)      closes the gate and sleeps (Mutex::sleepUntil,
///   drainFor(ns)       uninterruptible) until drained or the deadline on the
///   drain()            monotonicNanos() clock. Success when drained, Busy if
///                      references remain at the deadline (the gate stays
///                      closed; call again later or reopen()). Thread context.
///                      Any number of threads may drain at once.
///   reopen()           opens the gate; a pending notification is cancelled
///                      and never runs. Busy while a thread sleeps in a drain.
///
/// Lifetime. When a drain returns Success, the thread that dropped the last
/// reference has finished with the Rundown (it set the drained state under
/// the mutex, and the drainer observed it under the same mutex), so the
/// caller may destroy() it and free its memory. A notification may still be
/// running at that point; it receives only its own context.
///
/// Memory order: release() is a release operation and a successful drain an
/// acquire one, so everything the work did before dropping its reference is
/// visible to the thread that saw the drain complete.
///
/// Invariants. state_ = references << 1 | kClosing, changed only by RMWs.
/// acquire() adds a reference only by a CAS from a word without kClosing;
/// the lock-free release() subtracts one only by a CAS from a word other than
/// (kClosing | one reference), so it never produces "closing with none".
/// That transition happens only with the mutex held (closeLocked's fetchOr
/// finding no reference, or releaseLast's CAS from kClosing | one), and both
/// set drained_ in the same section: every mutex holder sees drained_ true
/// exactly when the word is kClosing alone. A drainer checks drained_ and
/// sleeps under the mutex and releaseLast wakes under it, so the last
/// release cannot slip between a drainer's check and its sleep.
#ifndef KDRV_RUNDOWN_HPP
#define KDRV_RUNDOWN_HPP

#include "kdrv/atomic.hpp"            // for MemoryOrder, compareExchangeWeak, fetchOr
#include "kdrv/base.hpp"              // for KDRV_NODISCARD, addOverflow64
#include "kdrv/mutex.hpp"             // for Mutex, MutexGuard
#include "kdrv/platform/platform.hpp" // for WaitResult, SleepType
#include "kdrv/status.hpp"            // for Status

namespace kdrv
{
constexpr uint64_t kNanosPerSecond = 1000000000ull;

/// Called once when a drain begun with beginDrain() completes.
struct RundownNotify
{
    void (*fn)(void* context);
    void* context;
};

class Rundown
{
  public:
    /// The largest number of references held at once.
    static constexpr uint32_t kMaxRefs = 0x7FFFFFFFu;

    constexpr Rundown()
        : state_(0), mutex_(), drained_(false), waiters_(0), notify_(nullptr), warned_()
    {
    }
    KDRV_NONCOPYABLE(Rundown);

    /// Prepares the mutex. Thread context. Success or NoMemory. The gate
    /// starts open with no reference.
    KDRV_NODISCARD Status init()
    {
        Status s = mutex_.init();
        if (s != Status::Success)
            return s;
        state_.store(0, MemoryOrder::Relaxed);
        drained_ = false;
        waiters_ = 0;
        notify_ = nullptr;
        warned_.clear(MemoryOrder::Relaxed);
        return Status::Success;
    }

    /// Releases the mutex. No reference, drainer or notification may remain.
    void destroy() { mutex_.destroy(); }

    /// Takes a reference for a piece of work; false once the gate is closed
    /// (or at kMaxRefs references). Lock-free, any context.
    KDRV_NODISCARD KDRV_INLINE bool acquire()
    {
        uint32_t v = state_.load(MemoryOrder::Relaxed);
        for (;;)
        {
            if ((v & kClosing) != 0 || (v >> 1) == kMaxRefs)
                return false;
            if (state_.compareExchangeWeak(&v, v + kOne, MemoryOrder::Acquire,
                                           MemoryOrder::Relaxed))
                return true;
        }
    }

    /// Drops a reference taken by acquire(). The last one during a drain
    /// wakes the drainer (thread context; see the file comment).
    KDRV_INLINE void release()
    {
        uint32_t v = state_.load(MemoryOrder::Relaxed);
        for (;;)
        {
            if (KDRV_UNLIKELY((v >> 1) == 0))
            {
                releaseWithoutReference();
                return;
            }
            if (KDRV_UNLIKELY(v == (kClosing | kOne)))
            {
                releaseLast();
                return;
            }
            if (state_.compareExchangeWeak(&v, v - kOne, MemoryOrder::Release,
                                           MemoryOrder::Relaxed))
                return;
        }
    }

    /// Closes the gate without waiting; see the file comment. notify may be
    /// null (then this only closes the gate and reports the state).
    KDRV_NODISCARD Status beginDrain(const RundownNotify* notify)
    {
        MutexGuard guard(mutex_);
        closeLocked();
        if (drained_)
            return Status::Success;
        if (notify != nullptr)
        {
            if (notify_ != nullptr && notify_ != notify)
                return Status::ExclusiveAccess;
            notify_ = notify;
        }
        return Status::Busy;
    }

    /// Closes the gate and sleeps until drained or `deadlineNanos`
    /// (platform::monotonicNanos()). Success or Busy. Thread context.
    KDRV_NODISCARD Status drainUntil(uint64_t deadlineNanos)
    {
        MutexGuard guard(mutex_);
        closeLocked();
        ++waiters_;
        while (!drained_)
        {
            if (mutex_.sleepUntil(&drained_, deadlineNanos, SleepType::Uninterruptible) ==
                    WaitResult::TimedOut &&
                !drained_)
                break;
        }
        --waiters_;
        if (!drained_)
            return Status::Busy;
        atomicFence(MemoryOrder::Acquire);
        return Status::Success;
    }

    /// As drainUntil(), `timeoutNanos` from now (saturating).
    KDRV_NODISCARD Status drainFor(uint64_t timeoutNanos)
    {
        uint64_t deadline = 0;
        if (addOverflow64(platform::monotonicNanos(), timeoutNanos, &deadline))
            deadline = ~static_cast<uint64_t>(0);
        return drainUntil(deadline);
    }

    /// Closes the gate and waits without a deadline. Use it only where
    /// waiting for ever is right; stop() and unload want drainFor().
    KDRV_NODISCARD Status drain() { return drainUntil(~static_cast<uint64_t>(0)); }

    /// Opens the gate again (power-up, or an unload that was called off).
    /// A pending notification is cancelled. Busy while a drainer sleeps.
    KDRV_NODISCARD Status reopen()
    {
        MutexGuard guard(mutex_);
        if (waiters_ != 0)
            return Status::Busy;
        (void)state_.fetchAnd(~kClosing, MemoryOrder::Release);
        drained_ = false;
        notify_ = nullptr;
        return Status::Success;
    }

    /// References held now (a snapshot, for diagnostics).
    uint32_t references() const { return state_.load(MemoryOrder::Relaxed) >> 1; }
    /// True once the gate is closed (a snapshot).
    bool isClosing() const { return (state_.load(MemoryOrder::Relaxed) & kClosing) != 0; }
    /// True when closed with no reference left and the drain observed.
    bool isDrained()
    {
        MutexGuard guard(mutex_);
        return drained_;
    }

  private:
    static constexpr uint32_t kClosing = 1u;
    static constexpr uint32_t kOne = 2u;

    // The transition to "closing with no reference" happens only with the
    // mutex held (here, or in releaseLast), so drained_ and the count agree
    // for every mutex holder.
    void closeLocked()
    {
        const uint32_t old = state_.fetchOr(kClosing, MemoryOrder::AcqRel);
        if ((old >> 1) == 0)
            drained_ = true;
    }

    KDRV_NOINLINE void releaseLast()
    {
        void (*fn)(void*) = nullptr;
        void* context = nullptr;
        {
            MutexGuard guard(mutex_);
            uint32_t old = state_.load(MemoryOrder::Relaxed);
            do
            {
                if ((old >> 1) == 0)
                {
                    releaseWithoutReference(); // a racing second release
                    return;
                }
            } while (!state_.compareExchangeWeak(&old, old - kOne, MemoryOrder::AcqRel,
                                                 MemoryOrder::Relaxed));
            // Under the mutex the gate can only have been reopened (and maybe
            // re-acquired) since release() looked; then this was not the last
            // reference of a drain.
            if (old == (kClosing | kOne))
            {
                drained_ = true;
                if (notify_ != nullptr)
                {
                    fn = notify_->fn;
                    context = notify_->context;
                    notify_ = nullptr;
                }
                mutex_.wakeupAll(&drained_);
            }
        }
        if (fn != nullptr)
            fn(context);
    }

    KDRV_COLD void releaseWithoutReference()
    {
        if (!warned_.testAndSet(MemoryOrder::Relaxed))
        {
            platform::warn("kdrv::Rundown: release without a reference; ignored", this);
        }
    }

    AtomicU32 state_; // references << 1 | kClosing
    Mutex mutex_;
    bool drained_;                // guarded by mutex_
    int waiters_;                 // guarded by mutex_
    const RundownNotify* notify_; // guarded by mutex_
    AtomicFlag warned_;
};
} // namespace kdrv

#endif // KDRV_RUNDOWN_HPP
