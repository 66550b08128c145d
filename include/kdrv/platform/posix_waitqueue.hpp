// SPDX-License-Identifier: MIT
//
/// \file
/// Event wait queues for user space: the mechanism behind sleep/wakeup on an
/// event address (xnu's assert_wait/thread_wakeup, IOLockSleep/IOLockWakeup).
/// Shared by the posix backend (Mutex::sleep) and by the user-space xnu
/// simulation (IOLockSleep*), so both backends lose no wakeup for the same
/// reason. User space only; never part of a kext.
///
/// Design: a fixed table of buckets hashed by event address. Each bucket has
/// a pthread mutex, one condition variable and a FIFO list of waiters that
/// live on the sleepers' stacks. A sleeper
///   1. registers itself on the event (prepareWait) while it still holds the
///      caller's lock, so a wakeup issued after that lock is released finds it;
///   2. releases the caller's lock;
///   3. blocks until its own state leaves Waiting (finishWait).
/// A waker changes the state of the waiters it picks and broadcasts the
/// bucket's condition; each sleeper only looks at its own state, so there are
/// no spurious returns and wakeOne wakes exactly one sleeper (the oldest).
/// A waiter is unlinked by whoever decides its outcome (waker, interrupter or
/// the sleeper's own timeout), always under the bucket mutex, so the sleeper's
/// stack record is never touched after finishWait returns.
///
/// Invariants (all under the bucket mutex, so no check-then-act spans two
/// states): a waiter is linked exactly while its state is Waiting; exactly one
/// party moves it out of Waiting (waker, interrupter or the timed-out
/// sleeper), and that party unlinks it; the sleeper reads only its own state.
/// Hence a wakeup that follows the sleeper's registration (step 1) always
/// finds it, and no wakeup is counted twice.
///
/// The table is a constant-initialized function-local static (no guard, no
/// constructor). 64 buckets: collisions only cost a shared mutex and an extra
/// wakeup check, never correctness.
#ifndef KDRV_PLATFORM_POSIX_WAITQUEUE_HPP
#define KDRV_PLATFORM_POSIX_WAITQUEUE_HPP

#include "kdrv/base.hpp" // for uint32_t, uint64_t

#if defined(KERNEL)
#error "kdrv/platform/posix_waitqueue.hpp is user-space code"
#endif

#include <errno.h>   // ETIMEDOUT
#include <pthread.h> // pthread_mutex_t, pthread_cond_t
#include <time.h>    // clock_gettime, struct timespec

namespace kdrv
{
namespace detail
{
// Outcomes; the values are xnu's THREAD_* wait results.
enum : int
{
    kWaiting = -1,
    kAwakened = 0,
    kTimedOut = 1,
    kInterrupted = 2,
};

struct WaitBucket;

// One sleeping thread. Lives on the sleeper's stack between prepareWait and
// finishWait; all fields but the constant ones are guarded by bucket->lock.
struct Waiter
{
    const void* event;
    uintptr_t thread;
    WaitBucket* bucket;
    Waiter* next;
    Waiter* prev;
    int state;
    bool interruptible;
};

struct WaitBucket
{
    pthread_mutex_t lock;
    pthread_cond_t changed;
    Waiter* head;
    Waiter* tail;
};

enum : uint32_t
{
    kBucketShift = 6,
    kBucketCount = 1u << kBucketShift,
};

#define KDRV_WAIT_BUCKET_INIT_                                                                     \
    {                                                                                              \
        PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, nullptr, nullptr                      \
    }
#define KDRV_WAIT_BUCKET_INIT8_                                                                    \
    KDRV_WAIT_BUCKET_INIT_, KDRV_WAIT_BUCKET_INIT_, KDRV_WAIT_BUCKET_INIT_,                        \
        KDRV_WAIT_BUCKET_INIT_, KDRV_WAIT_BUCKET_INIT_, KDRV_WAIT_BUCKET_INIT_,                    \
        KDRV_WAIT_BUCKET_INIT_, KDRV_WAIT_BUCKET_INIT_

inline WaitBucket* bucketTable()
{
    static WaitBucket table[kBucketCount] = {KDRV_WAIT_BUCKET_INIT8_, KDRV_WAIT_BUCKET_INIT8_,
                                             KDRV_WAIT_BUCKET_INIT8_, KDRV_WAIT_BUCKET_INIT8_,
                                             KDRV_WAIT_BUCKET_INIT8_, KDRV_WAIT_BUCKET_INIT8_,
                                             KDRV_WAIT_BUCKET_INIT8_, KDRV_WAIT_BUCKET_INIT8_};
    return table;
}
#undef KDRV_WAIT_BUCKET_INIT8_
#undef KDRV_WAIT_BUCKET_INIT_

inline WaitBucket* bucketFor(const void* event)
{
    // Fibonacci hashing: neighbouring addresses land in different buckets.
    uint64_t key = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(event));
    return &bucketTable()[(key * 0x9E3779B97F4A7C15ull) >> (64u - kBucketShift)];
}

inline void unlinkLocked(WaitBucket* b, Waiter* w)
{
    if (w->prev != nullptr)
        w->prev->next = w->next;
    else
        b->head = w->next;
    if (w->next != nullptr)
        w->next->prev = w->prev;
    else
        b->tail = w->prev;
    w->next = nullptr;
    w->prev = nullptr;
}

// Step 1: register on `event`. Call while still holding the lock that
// protects the sleeper's condition; release that lock only afterwards.
inline void prepareWait(Waiter* w, const void* event, uintptr_t thread, bool interruptible)
{
    WaitBucket* b = bucketFor(event);
    w->event = event;
    w->thread = thread;
    w->bucket = b;
    w->next = nullptr;
    w->state = kWaiting;
    w->interruptible = interruptible;
    pthread_mutex_lock(&b->lock);
    w->prev = b->tail;
    if (b->tail != nullptr)
        b->tail->next = w;
    else
        b->head = w;
    b->tail = w;
    pthread_mutex_unlock(&b->lock);
}

inline void monotonicTimespec(uint64_t nanos, struct timespec* ts)
{
    ts->tv_sec = static_cast<time_t>(nanos / 1000000000u);
    ts->tv_nsec = static_cast<long>(nanos % 1000000000u);
}

inline uint64_t monotonicNow()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

// Blocks on the bucket's condition until `deadline` (CLOCK_MONOTONIC ns).
// Returns false once the deadline has passed.
inline bool timedWaitLocked(WaitBucket* b, uint64_t deadline)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 30))
    struct timespec ts;
    monotonicTimespec(deadline, &ts);
    return pthread_cond_clockwait(&b->changed, &b->lock, CLOCK_MONOTONIC, &ts) != ETIMEDOUT;
#else
    // Statically initialized conditions time out on CLOCK_REALTIME: convert.
    uint64_t now = monotonicNow();
    if (now >= deadline)
        return false;
    struct timespec real;
    clock_gettime(CLOCK_REALTIME, &real);
    uint64_t until = static_cast<uint64_t>(real.tv_sec) * 1000000000u +
                     static_cast<uint64_t>(real.tv_nsec) + (deadline - now);
    struct timespec ts;
    monotonicTimespec(until, &ts);
    return pthread_cond_timedwait(&b->changed, &b->lock, &ts) != ETIMEDOUT;
#endif
}

// Step 3: block until woken, interrupted or (hasDeadline) past `deadline`
// in CLOCK_MONOTONIC nanoseconds. Returns kAwakened, kTimedOut or
// kInterrupted. Afterwards `w` is unlinked and may go out of scope.
inline int finishWait(Waiter* w, bool hasDeadline, uint64_t deadline)
{
    WaitBucket* b = w->bucket;
    pthread_mutex_lock(&b->lock);
    while (w->state == kWaiting)
    {
        if (!hasDeadline)
        {
            pthread_cond_wait(&b->changed, &b->lock);
        }
        else if (!timedWaitLocked(b, deadline) || monotonicNow() >= deadline)
        {
            if (w->state == kWaiting)
            {
                unlinkLocked(b, w);
                w->state = kTimedOut;
            }
        }
    }
    int result = w->state;
    pthread_mutex_unlock(&b->lock);
    return result;
}

// Wakes the oldest waiter on `event` (one) or all of them. Any thread, any
// lock state. Returns how many were woken.
inline uint32_t wake(const void* event, bool one)
{
    WaitBucket* b = bucketFor(event);
    uint32_t woken = 0;
    pthread_mutex_lock(&b->lock);
    Waiter* w = b->head;
    while (w != nullptr)
    {
        Waiter* next = w->next;
        if (w->event == event)
        {
            unlinkLocked(b, w);
            w->state = kAwakened;
            ++woken;
            if (one)
                break;
        }
        w = next;
    }
    if (woken != 0)
        pthread_cond_broadcast(&b->changed);
    pthread_mutex_unlock(&b->lock);
    return woken;
}

// Interrupts `thread` if it is registered in an interruptible wait (as
// thread_abort does to a THREAD_INTERRUPTIBLE sleep); its wait then returns
// kInterrupted. Returns false, and changes nothing, when the thread is not in
// such a wait: there is no pending-abort state.
inline bool interrupt(uintptr_t thread)
{
    WaitBucket* table = bucketTable();
    for (uint32_t i = 0; i < kBucketCount; ++i)
    {
        WaitBucket* b = &table[i];
        pthread_mutex_lock(&b->lock);
        for (Waiter* w = b->head; w != nullptr; w = w->next)
        {
            if (w->thread == thread && w->interruptible)
            {
                unlinkLocked(b, w);
                w->state = kInterrupted;
                pthread_cond_broadcast(&b->changed);
                pthread_mutex_unlock(&b->lock);
                return true;
            }
        }
        pthread_mutex_unlock(&b->lock);
    }
    return false;
}
} // namespace detail
} // namespace kdrv

#endif // KDRV_PLATFORM_POSIX_WAITQUEUE_HPP
