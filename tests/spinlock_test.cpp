// SPDX-License-Identifier: MIT
#include "kdrv/spinlock.hpp"

#include "lock_test_support.hpp"
#include "watchdog.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

using kdrv::SpinLock;
using kdrv::Status;

namespace
{
KDRV_CONST_INIT SpinLock g_spin;

using kdrvtest::tryLockElsewhere;
} // namespace

TEST_CASE("spinlock: a constant-initialized global works after init()")
{
    REQUIRE(g_spin.init() == Status::Success);
    CHECK(g_spin.init() == Status::Success); // again: no effect
    g_spin.lock();
    g_spin.assertOwned();
    g_spin.unlock();
    g_spin.assertNotOwned();
}

TEST_CASE("spinlock: lock excludes, tryLock reports")
{
    SpinLock lock;
    REQUIRE(lock.init() == Status::Success);
    CHECK(tryLockElsewhere(lock));
    lock.lock();
    CHECK_FALSE(tryLockElsewhere(lock));
    lock.unlock();
    REQUIRE(lock.tryLock());
    CHECK_FALSE(tryLockElsewhere(lock));
    lock.unlock();
    CHECK(tryLockElsewhere(lock));
    lock.destroy();
}

TEST_CASE("spinlock: guards")
{
    SpinLock lock;
    REQUIRE(lock.init() == Status::Success);
    {
        kdrv::SpinLockGuard guard(lock);
        CHECK_FALSE(tryLockElsewhere(lock));
    }
    CHECK(tryLockElsewhere(lock));
    {
        kdrv::SpinLockIrqGuard guard(lock);
        CHECK_FALSE(tryLockElsewhere(lock));
#if KDRV_CONFIG_PLATFORM == KDRV_PLATFORM_XNU
        CHECK_FALSE(kdrv::sim::interruptsEnabled());
        CHECK(kdrv::sim::preemptionLevel() == 1);
#endif
    }
    CHECK(tryLockElsewhere(lock));
#if KDRV_CONFIG_PLATFORM == KDRV_PLATFORM_XNU
    CHECK(kdrv::sim::interruptsEnabled());
    CHECK(kdrv::sim::preemptionLevel() == 0);
#endif
    lock.destroy();
}

TEST_CASE("spinlock: interrupt state is saved and restored, nesting included")
{
    SpinLock a;
    SpinLock b;
    REQUIRE(a.init() == Status::Success);
    REQUIRE(b.init() == Status::Success);
    kdrv::InterruptState outer = a.lockDisableInterrupts();
    kdrv::InterruptState inner = b.lockDisableInterrupts();
#if KDRV_CONFIG_PLATFORM == KDRV_PLATFORM_XNU
    CHECK(outer != 0); // were enabled
    CHECK(inner == 0); // already disabled by the outer lock
    CHECK(kdrv::sim::preemptionLevel() == 2);
#endif
    b.unlockRestoreInterrupts(inner);
#if KDRV_CONFIG_PLATFORM == KDRV_PLATFORM_XNU
    CHECK_FALSE(kdrv::sim::interruptsEnabled());
#endif
    a.unlockRestoreInterrupts(outer);
#if KDRV_CONFIG_PLATFORM == KDRV_PLATFORM_XNU
    CHECK(kdrv::sim::interruptsEnabled());
    CHECK(kdrv::sim::preemptionLevel() == 0);
#endif
    CHECK(tryLockElsewhere(a));
    CHECK(tryLockElsewhere(b));
    a.destroy();
    b.destroy();
}

TEST_CASE("stress: spinlock mutual exclusion, exact counter")
{
    SpinLock lock;
    REQUIRE(lock.init() == Status::Success);
    const int threads = 4;
    const long iters = 500000L * kdrvtest::stressScale();
    long counter = 0;
    kdrvtest::InsideCounter inside;
    kdrvtest::ProgressWatchdog dog("spinlock stress",
                                   [&] {
                                       return "counter=" + std::to_string(counter) +
                                              " inside=" + std::to_string(inside.now.load());
                                   });
    auto section = [&]
    {
        inside.enter();
        ++counter;
        inside.leave();
    };
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
    {
        pool.emplace_back(
            [&]
            {
                for (long i = 0; i < iters; ++i)
                {
                    if ((i & 255) == 0)
                        dog.tick();
                    if ((i & 7) == 0 && lock.tryLock())
                    {
                        section();
                        lock.unlock();
                        continue;
                    }
                    if ((i & 15) == 1)
                    {
                        kdrv::SpinLockIrqGuard guard(lock);
                        section();
                        continue;
                    }
                    kdrv::SpinLockGuard guard(lock);
                    section();
                }
            });
    }
    for (auto& t : pool)
        t.join();
    CHECK(inside.overlaps.load() == 0);
    CHECK(counter == threads * iters);
    MESSAGE("spinlock stress lock/unlock pairs: " << threads * iters);
    lock.destroy();
}
