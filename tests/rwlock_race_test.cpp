// SPDX-License-Identifier: MIT
//
// Reader/writer lock: the upgrade-versus-waiting-writer race of kdrv 0.1, as
// a deterministic regression test, and the loop that found it as a stress
// test that counts exclusive holders. The 0.1 algorithm is kept as a fixture
// (support/legacy_rwlock.hpp) to prove that the scenario catches it.
#include "kdrv/detail/rw_lock.hpp"
#include "kdrv/rwlock.hpp"

#include "legacy_rwlock.hpp"
#include "lock_test_support.hpp"
#include "watchdog.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace
{
// Counts the threads inside an exclusive section and remembers the most.
struct Inside
{
    std::atomic<int> now{0};
    std::atomic<int> most{0};
    void enter()
    {
        int n = now.fetch_add(1) + 1;
        int m = most.load();
        while (n > m && !most.compare_exchange_weak(m, n))
        {
        }
    }
    void leave() { now.fetch_sub(1); }
};

std::string hex(unsigned v)
{
    char b[32];
    std::snprintf(b, sizeof b, "0x%x", v);
    return b;
}
} // namespace

// The writer is parked between its two loads (it has seen no pending upgrade)
// while the only reader upgrades. The 0.1 algorithm then admits both.
TEST_CASE("rwlock regression: the 0.1 fixture admits a writer beside an upgrader")
{
    kdrvtest::LegacyRWLock lock;
    std::atomic<int> phase{0}; // 1: writer parked between the loads; 2: let it go
    kdrvtest::ProgressWatchdog dog("legacy rwlock scenario",
                                   [&]
                                   {
                                       return "flags=" + hex(lock.flags()) +
                                              " readers=" + hex(lock.readers()) +
                                              " phase=" + std::to_string(phase.load());
                                   });
    lock.setBetweenLoadsHook(
        [](void* context)
        {
            auto* p = static_cast<std::atomic<int>*>(context);
            int expected = 0;
            if (p->compare_exchange_strong(expected, 1))
                while (p->load() != 2)
                    std::this_thread::yield();
        },
        &phase);
    Inside inside;
    std::atomic<bool> writerIn{false};

    lock.readLock();
    std::thread writer(
        [&]
        {
            lock.writeLock();
            inside.enter();
            writerIn = true;
        });
    while (phase.load() != 1)
    {
        dog.tick();
        std::this_thread::yield();
    }
    REQUIRE(lock.upgrade()); // readers drop to 0: the upgrader is in
    inside.enter();
    phase = 2;
    while (!writerIn.load())
        std::this_thread::yield();
    writer.join();
    // The bug, reproduced: two exclusive holders ...
    CHECK(inside.most.load() == 2);
    // ... with both flags set. Two unlocks that both load this word before
    // either writes clear only kUpgrade: the wedge seen in the field.
    CHECK(lock.flags() == (kdrvtest::LegacyRWLock::kWriter | kdrvtest::LegacyRWLock::kUpgrade));
    CHECK(lock.readers() == 0u);
    lock.setBetweenLoadsHook(nullptr, nullptr);
    lock.writeUnlock();
    lock.writeUnlock();
}

// The same scenario on the algorithm in use: the writer has claimed its bit
// and waits for the reader; the reader upgrades (an upgrade beats waiting
// writers). However long the upgrader holds the lock, the writer stays out.
TEST_CASE("rwlock regression: a writer that holds its bit is never admitted beside an upgrader")
{
    kdrv::detail::RwLockWord lock;
    Inside inside;
    std::atomic<bool> writerIn{false};
    kdrvtest::ProgressWatchdog dog("rwlock upgrade scenario",
                                   [&] { return "word=" + hex(lock.debugState()); });

    lock.readLock();
    std::thread writer(
        [&]
        {
            lock.writeLock();
            inside.enter();
            writerIn = true;
            inside.leave();
            lock.writeUnlock();
        });
    while ((lock.debugState() & kdrv::detail::RwLockWord::kWriter) == 0)
    {
        dog.tick();
        std::this_thread::yield();
    }
    REQUIRE(lock.upgrade());
    inside.enter();
    for (int i = 0; i < 2000; ++i) // every yield is a chance for the writer
    {
        CHECK_FALSE(writerIn.load());
        std::this_thread::yield();
        dog.tick();
    }
    CHECK((lock.debugState() & ~kdrv::detail::RwLockWord::kWriter) ==
          kdrv::detail::RwLockWord::kUpgrade);
    inside.leave();
    lock.writeUnlock();
    writer.join();
    CHECK(writerIn.load());
    CHECK(inside.most.load() == 1);
    CHECK(lock.debugState() == 0u);
}

TEST_CASE("rwlock regression: downgrade after upgrade keeps a waiting writer out until release")
{
    kdrv::detail::RwLockWord lock;
    std::atomic<bool> writerIn{false};
    kdrvtest::ProgressWatchdog dog("rwlock downgrade scenario",
                                   [&] { return "word=" + hex(lock.debugState()); });
    lock.readLock();
    std::thread writer(
        [&]
        {
            lock.writeLock();
            writerIn = true;
            lock.writeUnlock();
        });
    while ((lock.debugState() & kdrv::detail::RwLockWord::kWriter) == 0)
    {
        dog.tick();
        std::this_thread::yield();
    }
    REQUIRE(lock.upgrade());
    lock.downgrade(); // now one shared hold, the writer still waiting
    CHECK(lock.debugState() ==
          (kdrv::detail::RwLockWord::kWriter | kdrv::detail::RwLockWord::kReader));
    CHECK_FALSE(lock.tryReadLock()); // writers are preferred
    for (int i = 0; i < 500; ++i)
    {
        CHECK_FALSE(writerIn.load());
        std::this_thread::yield();
    }
    lock.readUnlock();
    writer.join();
    CHECK(writerIn.load());
    CHECK(lock.debugState() == 0u);
}

TEST_CASE("rwlock regression: a losing upgrader releases its shared hold")
{
    kdrv::detail::RwLockWord lock;
    kdrvtest::ProgressWatchdog dog("rwlock double upgrade",
                                   [&] { return "word=" + hex(lock.debugState()); });
    lock.readLock();
    std::atomic<int> result{-1};
    std::atomic<bool> secondReading{false};
    std::thread second(
        [&]
        {
            lock.readLock();
            secondReading = true;
            // Wait for the first upgrade to be pending, then lose.
            while ((lock.debugState() & kdrv::detail::RwLockWord::kUpgrade) == 0)
                std::this_thread::yield();
            result = lock.upgrade() ? 1 : 0;
        });
    while (!secondReading.load())
        std::this_thread::yield();
    // The first upgrade waits for the second reader, which must give up.
    CHECK(lock.upgrade());
    second.join();
    CHECK(result.load() == 0);
    CHECK(lock.debugState() == kdrv::detail::RwLockWord::kUpgrade);
    lock.writeUnlock();
    CHECK(lock.debugState() == 0u);
}

// The loop that found the 0.1 bug: readers that upgrade and plain writers,
// with a count of threads inside the exclusive section and of readers inside
// the shared one. KDRV_STRESS_SCALE multiplies the iterations (a 60 s run:
// KDRV_STRESS_SCALE=200).
TEST_CASE("stress: rwlock upgraders and writers never overlap")
{
    kdrv::RWLock lock;
    REQUIRE(lock.init() == kdrv::Status::Success);
    std::atomic<int> exclusive{0};
    std::atomic<int> shared{0};
    std::atomic<long> overlaps{0};
    std::atomic<long> upgrades{0};
    std::atomic<long> lost{0};
    kdrvtest::ProgressWatchdog dog("rwlock upgrade/writer loop",
                                   [&]
                                   {
                                       return "exclusive=" + std::to_string(exclusive.load()) +
                                              " shared=" + std::to_string(shared.load()) +
                                              " overlaps=" + std::to_string(overlaps.load());
                                   });
    const long iters = 20000L * kdrvtest::stressScale();
    auto exclusiveSection = [&]
    {
        if (exclusive.fetch_add(1) != 0 || shared.load() != 0)
            overlaps.fetch_add(1);
        std::this_thread::yield(); // widen the window
        if (shared.load() != 0)
            overlaps.fetch_add(1);
        exclusive.fetch_sub(1);
    };
    std::vector<std::thread> pool;
    for (int r = 0; r < 2; ++r)
        pool.emplace_back(
            [&]
            {
                for (long i = 0; i < iters; ++i)
                {
                    lock.readLock();
                    shared.fetch_add(1);
                    if (exclusive.load() != 0)
                        overlaps.fetch_add(1);
                    shared.fetch_sub(1);
                    if (lock.upgradeToWrite() == kdrv::UpgradeResult::Upgraded)
                    {
                        upgrades.fetch_add(1);
                        exclusiveSection();
                        lock.writeUnlock();
                    }
                    else
                    {
                        lost.fetch_add(1);
                    }
                    dog.tick();
                }
            });
    for (int w = 0; w < 2; ++w)
        pool.emplace_back(
            [&]
            {
                for (long i = 0; i < iters; ++i)
                {
                    lock.writeLock();
                    exclusiveSection();
                    lock.writeUnlock();
                    dog.tick();
                }
            });
    for (auto& t : pool)
        t.join();
    CHECK(overlaps.load() == 0);
    CHECK(upgrades.load() + lost.load() == 2 * iters);
    CHECK(upgrades.load() > 0);
    // Nothing is left behind: another thread takes the lock at once.
    bool free = false;
    std::thread(
        [&]
        {
            free = lock.tryWriteLock();
            if (free)
                lock.writeUnlock();
        })
        .join();
    CHECK(free);
    lock.destroy();
}
