// SPDX-License-Identifier: MIT
#include "kdrv/mutex.hpp"

#include "lock_test_support.hpp"
#include "watchdog.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

using kdrv::Mutex;
using kdrv::RecursiveMutex;
using kdrv::Status;

namespace
{
KDRV_CONST_INIT Mutex g_mutex;
KDRV_CONST_INIT RecursiveMutex g_recursive;

using kdrvtest::tryLockElsewhere;
} // namespace

TEST_CASE("mutex: constant-initialized globals work after init()")
{
    REQUIRE(g_mutex.init() == Status::Success);
    CHECK(g_mutex.init() == Status::Success);
    {
        kdrv::MutexGuard guard(g_mutex);
        g_mutex.assertOwned();
        CHECK_FALSE(tryLockElsewhere(g_mutex));
    }
    g_mutex.assertNotOwned();
    REQUIRE(g_recursive.init() == Status::Success);
    {
        kdrv::RecursiveMutexGuard guard(g_recursive);
        CHECK(g_recursive.heldByCaller());
    }
    CHECK_FALSE(g_recursive.heldByCaller());
}

TEST_CASE("mutex: lock excludes, tryLock reports")
{
    Mutex m;
    REQUIRE(m.init() == Status::Success);
    CHECK(tryLockElsewhere(m));
    m.lock();
    CHECK_FALSE(tryLockElsewhere(m));
    m.unlock();
    REQUIRE(m.tryLock());
    CHECK_FALSE(tryLockElsewhere(m));
    m.unlock();
    m.destroy();
}

TEST_CASE("mutex: a blocked locker proceeds after unlock")
{
    Mutex m;
    REQUIRE(m.init() == Status::Success);
    std::atomic<int> stage{0};
    m.lock();
    std::thread t(
        [&]
        {
            stage.store(1);
            m.lock();
            stage.store(2);
            m.unlock();
        });
    kdrvtest::waitUntil([&] { return stage.load() == 1; });
    CHECK(stage.load() == 1); // cannot pass while we hold the mutex
    m.unlock();
    t.join();
    CHECK(stage.load() == 2);
    m.destroy();
}

TEST_CASE("recursive mutex: nests, and excludes other threads until fully unlocked")
{
    RecursiveMutex m;
    REQUIRE(m.init() == Status::Success);
    CHECK_FALSE(m.heldByCaller());
    m.lock();
    REQUIRE(m.tryLock());
    m.lock();
    CHECK(m.heldByCaller());
    m.assertOwned();
    CHECK_FALSE(tryLockElsewhere(m));
    m.unlock();
    m.unlock();
    CHECK(m.heldByCaller());
    CHECK_FALSE(tryLockElsewhere(m));
    m.unlock();
    CHECK_FALSE(m.heldByCaller());
    m.assertNotOwned();
    CHECK(tryLockElsewhere(m));
    bool otherHeld = true;
    std::thread([&] { otherHeld = m.heldByCaller(); }).join();
    CHECK_FALSE(otherHeld);
    m.destroy();
}

TEST_CASE("stress: mutex and recursive mutex mutual exclusion, exact counters")
{
    Mutex m;
    RecursiveMutex r;
    REQUIRE(m.init() == Status::Success);
    REQUIRE(r.init() == Status::Success);
    const int threads = 4;
    const long iters = 300000L * kdrvtest::stressScale();
    long counter = 0;
    long recursiveCounter = 0;
    kdrvtest::InsideCounter inside;
    kdrvtest::InsideCounter insideRecursive;
    kdrvtest::ProgressWatchdog dog("mutex stress",
                                   [&]
                                   {
                                       return "counter=" + std::to_string(counter) +
                                              " recursive=" + std::to_string(recursiveCounter);
                                   });
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
                    if ((i & 7) == 0 && m.tryLock())
                    {
                        inside.enter();
                        ++counter;
                        inside.leave();
                        m.unlock();
                    }
                    else
                    {
                        kdrv::MutexGuard guard(m);
                        inside.enter();
                        ++counter;
                        inside.leave();
                    }
                    if ((i & 3) == 0)
                    {
                        kdrv::RecursiveMutexGuard outer(r);
                        kdrv::RecursiveMutexGuard inner(r);
                        insideRecursive.enter();
                        ++recursiveCounter;
                        insideRecursive.leave();
                    }
                }
            });
    }
    for (auto& t : pool)
        t.join();
    CHECK(inside.overlaps.load() == 0);
    CHECK(insideRecursive.overlaps.load() == 0);
    CHECK(counter == threads * iters);
    CHECK(recursiveCounter == threads * (iters / 4));
    MESSAGE("mutex stress lock/unlock pairs: " << threads * iters + threads * (iters / 4) * 2);
    m.destroy();
    r.destroy();
}
