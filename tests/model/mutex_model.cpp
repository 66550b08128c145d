// SPDX-License-Identifier: MIT
//
// Mutex sleep/wakeup (kdrv::Mutex over the model RawMutex, whose sleeper
// registers before it releases the mutex, as the posix and xnu backends
// do): no lost wakeup whether the waker wakes under the mutex or after
// releasing it; an interruptible or timed sleep may end early and still
// returns with the mutex held; wakeOne wakes one of two sleepers. Planted
// bug: a waiter that tests its condition after dropping the mutex, then
// sleeps: the wakeup falls between the two and is lost (a deadlock).
#include "model_check.hpp"

#include "kdrv/mutex.hpp"

namespace
{
struct MutexTest
{
    kdrv::Mutex mutex;
    rl::var<int> ready; // guarded by mutex

    void start()
    {
        MODEL_ASSERT(mutex.init() == kdrv::Status::Success);
        ready($) = 0;
    }
    void signal(bool wakeUnderMutex, bool one)
    {
        mutex.lock();
        ready($) = ready($) + 1;
        if (wakeUnderMutex)
            one ? mutex.wakeupOne(&ready) : mutex.wakeupAll(&ready);
        mutex.unlock();
        if (!wakeUnderMutex)
            one ? mutex.wakeupOne(&ready) : mutex.wakeupAll(&ready);
    }
    // Waits until ready >= target; false if a sleep ended early first.
    bool wait(int target, kdrv::SleepType type, bool timed)
    {
        mutex.lock();
        bool ok = true;
        while (ready($) < target)
        {
            const kdrv::WaitResult r =
                timed ? mutex.sleepFor(&ready, 1000000, type) : mutex.sleep(&ready, type);
            if (r != kdrv::WaitResult::Awakened)
            {
                MODEL_ASSERT(timed || type == kdrv::SleepType::Interruptible);
                MODEL_ASSERT(
                    r == (timed ? kdrv::WaitResult::TimedOut : kdrv::WaitResult::Interrupted) ||
                    (timed && type == kdrv::SleepType::Interruptible));
                ok = false;
                break;
            }
        }
        (void)ready($); // the mutex is held again, whatever ended the sleep
        mutex.unlock();
        return ok;
    }
};

// One waiter, one waker that wakes under the mutex (thread 1) or after it.
template <bool UnderMutex>
struct NoLostWakeup : kdrvmodel::Test<NoLostWakeup<UnderMutex>, 2>, MutexTest
{
    void setUp() { start(); }
    void thread(unsigned index)
    {
        if (index == 0)
            MODEL_ASSERT(wait(1, kdrv::SleepType::Uninterruptible, false));
        else
            signal(UnderMutex, true);
    }
    void after() { mutex.destroy(); }
};
typedef NoLostWakeup<true> NoLostWakeupUnder;
typedef NoLostWakeup<false> NoLostWakeupAfter;
KDRV_MODEL_CHECK(NoLostWakeupUnder, "mutex.no_lost_wakeup_wake_under_mutex", Full, 0, 0, Clean);
KDRV_MODEL_CHECK(NoLostWakeupAfter, "mutex.no_lost_wakeup_wake_after_unlock", Full, 0, 0, Clean);

// Two sleepers, two wakeOne calls: both wake (none is woken twice, none
// lost).
struct WakeOneEach : kdrvmodel::Test<WakeOneEach, 3>, MutexTest
{
    void setUp() { start(); }
    void thread(unsigned index)
    {
        if (index < 2)
        {
            MODEL_ASSERT(wait(int(index) + 1, kdrv::SleepType::Uninterruptible, false));
        }
        else
        {
            signal(false, true);
            signal(true, true);
            signal(false, false);
        }
    }
    void after() { mutex.destroy(); }
};
KDRV_MODEL_CHECK(WakeOneEach, "mutex.wakeone_two_sleepers", Bound, 0, 2, Clean);

// An interruptible sleep and a timed sleep: either may end early (the
// checker tries it everywhere); both come back holding the mutex.
struct EarlyEnds : kdrvmodel::Test<EarlyEnds, 3>, MutexTest
{
    void setUp() { start(); }
    void thread(unsigned index)
    {
        if (index == 0)
            (void)wait(1, kdrv::SleepType::Interruptible, false);
        else if (index == 1)
            (void)wait(1, kdrv::SleepType::Uninterruptible, true);
        else
            signal(index == 2, false);
    }
    void after() { mutex.destroy(); }
};
KDRV_MODEL_CHECK(EarlyEnds, "mutex.interruptible_and_timed", Bound, 0, 2, Clean);

// The planted bug: the condition is tested with the mutex dropped; a wakeup
// between the test and the sleep finds nobody asleep.
struct PlantedTestAfterUnlock : kdrvmodel::Test<PlantedTestAfterUnlock, 2>
{
    kdrv::Mutex mutex;
    rl::atomic<int> ready;

    void setUp()
    {
        MODEL_ASSERT(mutex.init() == kdrv::Status::Success);
        ready.store(0, rl::mo_relaxed, $);
    }
    void thread(unsigned index)
    {
        if (index == 0)
        {
            mutex.lock();
            mutex.unlock();
            if (ready.load(rl::mo_acquire, $) == 0) // BUG: tested without the mutex
            {
                mutex.lock();
                (void)mutex.sleep(&ready, kdrv::SleepType::Uninterruptible);
                mutex.unlock();
            }
        }
        else
        {
            mutex.lock();
            ready.store(1, rl::mo_release, $);
            mutex.wakeupAll(&ready);
            mutex.unlock();
        }
    }
    void after() { mutex.destroy(); }
};
KDRV_MODEL_CHECK(PlantedTestAfterUnlock, "mutex.planted_test_after_unlock", Full, 0, 0, Report);
} // namespace
