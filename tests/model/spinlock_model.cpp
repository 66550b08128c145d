// SPDX-License-Identifier: MIT
//
// SpinLock (detail::TtasLock under kdrv::SpinLock): mutual exclusion and
// the ordering of the data it protects, including tryLock; and the planted
// bug of an unlock by a relaxed store.
#include "model_check.hpp"

#include "kdrv/detail/ttas_lock.hpp"
#include "kdrv/spinlock.hpp"

namespace
{
// Three threads: two lock(), one tryLock(); the counter is a checked plain
// variable, so an overlap or a missing happens-before is a reported race.
struct SpinLockExclusion : kdrvmodel::Test<SpinLockExclusion, 3>
{
    kdrv::SpinLock lock;
    rl::var<int> counter;
    rl::var<int> tried;

    void setUp()
    {
        MODEL_ASSERT(lock.init() == kdrv::Status::Success);
        counter($) = 0;
        tried($) = 0;
    }
    void thread(unsigned index)
    {
        if (index == 2)
        {
            if (lock.tryLock())
            {
                tried($) = 1;
                counter($) = counter($) + 1;
                lock.unlock();
            }
            return;
        }
        lock.lock();
        counter($) = counter($) + 1;
        lock.unlock();
    }
    void after()
    {
        MODEL_ASSERT(counter($) == 2 + tried($));
        lock.destroy();
    }
};
KDRV_MODEL_CHECK(SpinLockExclusion, "spinlock.exclusion", Full, 0, 0, Clean);
KDRV_MODEL_CHECK(SpinLockExclusion, "spinlock.exclusion_random", Random, 20000, 0, Clean);

// The planted bug: the shipped algorithm with its releasing store made
// relaxed, so the next holder need not see the previous holder's writes.
class RelaxedUnlockTtas
{
  public:
    RelaxedUnlockTtas() : word_(0) {}
    void lock()
    {
        kdrv::detail::SpinWait wait;
        for (;;)
        {
            while (word_.load(kdrv::MemoryOrder::Relaxed) != 0)
                wait.pause();
            if (word_.exchange(1, kdrv::MemoryOrder::Acquire) == 0)
                return;
        }
    }
    void unlock() { word_.store(0, kdrv::MemoryOrder::Relaxed); } // BUG: must be Release

  private:
    kdrv::AtomicU32 word_;
};

struct PlantedRelaxedUnlock : kdrvmodel::Test<PlantedRelaxedUnlock, 2>
{
    RelaxedUnlockTtas lock;
    rl::var<int> counter;

    void setUp() { counter($) = 0; }
    void thread(unsigned)
    {
        lock.lock();
        counter($) = counter($) + 1;
        lock.unlock();
    }
};
KDRV_MODEL_CHECK(PlantedRelaxedUnlock, "spinlock.planted_relaxed_unlock", Full, 0, 0, Report);
} // namespace
