// SPDX-License-Identifier: MIT
#include "kdrv/rwlock.hpp"

#include "lock_test_support.hpp"
#include "watchdog.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

using kdrv::RWLock;
using kdrv::Status;
using kdrv::UpgradeResult;

namespace
{
KDRV_CONST_INIT RWLock g_rw;

bool tryReadElsewhere(RWLock& lock)
{
    bool got = false;
    std::thread t(
        [&]
        {
            got = lock.tryReadLock();
            if (got)
                lock.readUnlock();
        });
    t.join();
    return got;
}

bool tryWriteElsewhere(RWLock& lock)
{
    bool got = false;
    std::thread t(
        [&]
        {
            got = lock.tryWriteLock();
            if (got)
                lock.writeUnlock();
        });
    t.join();
    return got;
}

struct Fixture
{
    RWLock lock;
    Fixture() { REQUIRE(lock.init() == Status::Success); }
    ~Fixture() { lock.destroy(); }
};
} // namespace

TEST_CASE("rwlock: constant-initialized global works after init()")
{
    REQUIRE(g_rw.init() == Status::Success);
    CHECK(g_rw.init() == Status::Success);
    {
        kdrv::RWLockWriteGuard guard(g_rw);
        g_rw.assertOwned();
    }
    {
        kdrv::RWLockReadGuard guard(g_rw);
        g_rw.assertNotOwned();
    }
}

TEST_CASE("rwlock: readers share, writers exclude")
{
    Fixture f;
    CHECK(tryReadElsewhere(f.lock));
    CHECK(tryWriteElsewhere(f.lock));

    f.lock.readLock();
    CHECK(tryReadElsewhere(f.lock));
    CHECK_FALSE(tryWriteElsewhere(f.lock));
    REQUIRE(f.lock.tryReadLock()); // a second shared hold, no writer waiting
    f.lock.readUnlock();
    f.lock.readUnlock();

    f.lock.writeLock();
    CHECK_FALSE(tryReadElsewhere(f.lock));
    CHECK_FALSE(tryWriteElsewhere(f.lock));
    f.lock.writeUnlock();

    REQUIRE(f.lock.tryWriteLock());
    CHECK_FALSE(tryReadElsewhere(f.lock));
    f.lock.writeUnlock();
    CHECK(tryWriteElsewhere(f.lock));
}

TEST_CASE("rwlock: a waiting writer holds off new readers, then gets the lock")
{
    Fixture f;
    std::atomic<int> stage{0};
    f.lock.readLock();
    std::thread writer(
        [&]
        {
            stage.store(1);
            f.lock.writeLock();
            stage.store(2);
            f.lock.writeUnlock();
        });
    // Once the writer waits, a new reader is refused (writer preference).
    kdrvtest::waitUntil([&] { return !tryReadElsewhere(f.lock); });
    CHECK(stage.load() == 1);
    f.lock.readUnlock();
    writer.join();
    CHECK(stage.load() == 2);
    CHECK(tryReadElsewhere(f.lock));
}

TEST_CASE("rwlock: upgrade of the only reader succeeds, downgrade lets readers in")
{
    Fixture f;
    f.lock.readLock();
    REQUIRE(f.lock.upgradeToWrite() == UpgradeResult::Upgraded);
    f.lock.assertOwned();
    CHECK_FALSE(tryReadElsewhere(f.lock));
    CHECK_FALSE(tryWriteElsewhere(f.lock));

    f.lock.downgradeToRead();
    f.lock.assertNotOwned();
    CHECK(tryReadElsewhere(f.lock));
    CHECK_FALSE(tryWriteElsewhere(f.lock));
    f.lock.readUnlock();
    CHECK(tryWriteElsewhere(f.lock));
}

TEST_CASE("rwlock: upgrade waits for the other readers to leave")
{
    Fixture f;
    std::atomic<int> stage{0};
    f.lock.readLock(); // the test thread: another reader
    std::thread upgrader(
        [&]
        {
            f.lock.readLock();
            stage.store(1);
            UpgradeResult r = f.lock.upgradeToWrite();
            stage.store(r == UpgradeResult::Upgraded ? 2 : 3);
            if (r == UpgradeResult::Upgraded)
                f.lock.writeUnlock();
        });
    // The pending upgrade refuses new readers.
    kdrvtest::waitUntil([&] { return stage.load() == 1 && !tryReadElsewhere(f.lock); });
    CHECK(stage.load() == 1);
    f.lock.readUnlock();
    upgrader.join();
    CHECK(stage.load() == 2);
}

TEST_CASE("rwlock: a second concurrent upgrade fails and RELEASES the shared hold")
{
    Fixture f;
    std::atomic<int> first{0};
    f.lock.readLock();
    std::thread upgrader(
        [&]
        {
            f.lock.readLock();
            first.store(1);
            UpgradeResult r = f.lock.upgradeToWrite();
            first.store(r == UpgradeResult::Upgraded ? 2 : 3);
            if (r == UpgradeResult::Upgraded)
                f.lock.writeUnlock();
        });
    kdrvtest::waitUntil([&] { return first.load() == 1 && !tryReadElsewhere(f.lock); });

    // Our upgrade conflicts with the pending one: it fails, our hold is gone,
    // and that is exactly what lets the first upgrade complete.
    UpgradeResult mine = f.lock.upgradeToWrite();
    CHECK(mine == UpgradeResult::ReleasedLock);
    upgrader.join();
    CHECK(first.load() == 2);
    // Nobody holds the lock any more: a writer gets it at once.
    CHECK(tryWriteElsewhere(f.lock));
}

TEST_CASE("rwlock: an upgrade beats a writer that was already waiting")
{
    Fixture f;
    std::atomic<int> writerStage{0};
    f.lock.readLock();
    std::thread writer(
        [&]
        {
            writerStage.store(1);
            f.lock.writeLock();
            writerStage.store(2);
            f.lock.writeUnlock();
        });
    kdrvtest::waitUntil([&] { return !tryReadElsewhere(f.lock); }); // writer waiting
    REQUIRE(f.lock.upgradeToWrite() == UpgradeResult::Upgraded);
    CHECK(writerStage.load() == 1); // still waiting
    f.lock.writeUnlock();
    writer.join();
    CHECK(writerStage.load() == 2);
}

TEST_CASE("rwlock: RWLockGuard tracks its mode through upgrade, downgrade and loss")
{
    Fixture f;
    {
        kdrv::RWLockGuard guard(f.lock);
        CHECK(guard.mode() == kdrv::RWLockGuard::Mode::Read);
        REQUIRE(guard.upgrade());
        CHECK(guard.mode() == kdrv::RWLockGuard::Mode::Write);
        CHECK_FALSE(tryReadElsewhere(f.lock));
        guard.downgrade();
        CHECK(guard.mode() == kdrv::RWLockGuard::Mode::Read);
        CHECK(tryReadElsewhere(f.lock));
        CHECK_FALSE(tryWriteElsewhere(f.lock));
    }
    CHECK(tryWriteElsewhere(f.lock));

    // Losing the lock in a failed upgrade leaves the guard holding nothing.
    std::atomic<int> first{0};
    kdrv::RWLockGuard guard(f.lock);
    std::thread upgrader(
        [&]
        {
            f.lock.readLock();
            first.store(1);
            if (f.lock.upgradeToWrite() == UpgradeResult::Upgraded)
                f.lock.writeUnlock();
            first.store(2);
        });
    kdrvtest::waitUntil([&] { return first.load() == 1 && !tryReadElsewhere(f.lock); });
    CHECK_FALSE(guard.upgrade());
    CHECK(guard.mode() == kdrv::RWLockGuard::Mode::None);
    upgrader.join();
    guard.relockWrite();
    CHECK(guard.mode() == kdrv::RWLockGuard::Mode::Write);
    CHECK_FALSE(tryReadElsewhere(f.lock));
    guard.release();
    CHECK(guard.mode() == kdrv::RWLockGuard::Mode::None);
    CHECK(tryWriteElsewhere(f.lock));
    guard.relockRead();
    CHECK(guard.mode() == kdrv::RWLockGuard::Mode::Read);
}

// Writers store one value into four words; readers must never see a mix.
// Some readers upgrade and write too, some writers downgrade and verify.
TEST_CASE("stress: rwlock readers never see a torn multi-word value")
{
    Fixture f;
    struct Value
    {
        long w[4];
    } value = {{0, 0, 0, 0}};
    const int readers = 3;
    const int writers = 2;
    const long iters = 400000L * kdrvtest::stressScale();
    std::atomic<long> torn{0};
    std::atomic<long> ops{0};
    long writes = 0; // guarded by the write lock
    kdrvtest::InsideCounter exclusive;
    kdrvtest::ProgressWatchdog dog("rwlock torn-value stress",
                                   [&]
                                   {
                                       return "writes=" + std::to_string(writes) +
                                              " exclusive=" + std::to_string(exclusive.now.load());
                                   });

    auto consistent = [&]
    { return value.w[1] == value.w[0] && value.w[2] == value.w[0] && value.w[3] == value.w[0]; };
    std::vector<std::thread> pool;
    for (int r = 0; r < readers; ++r)
    {
        pool.emplace_back(
            [&, r]
            {
                long local = 0;
                for (long i = 0; i < iters; ++i)
                {
                    if ((i & 63) == r)
                    {
                        f.lock.readLock();
                        if (!consistent())
                            torn.fetch_add(1);
                        if (f.lock.upgradeToWrite() == UpgradeResult::Upgraded)
                        {
                            exclusive.enter();
                            long v = value.w[0] + 1;
                            for (long& w : value.w)
                                w = v;
                            ++writes;
                            exclusive.leave();
                            f.lock.writeUnlock();
                        }
                        dog.tick();
                        local += 2;
                        continue;
                    }
                    kdrv::RWLockReadGuard guard(f.lock);
                    if (!consistent() || exclusive.now.load() != 0)
                        torn.fetch_add(1);
                    ++local;
                }
                ops.fetch_add(local);
            });
    }
    for (int w = 0; w < writers; ++w)
    {
        pool.emplace_back(
            [&]
            {
                long local = 0;
                for (long i = 0; i < iters / 4; ++i)
                {
                    if ((i & 15) == 0 && !f.lock.tryWriteLock())
                        f.lock.writeLock();
                    else if ((i & 15) != 0)
                        f.lock.writeLock();
                    exclusive.enter();
                    if (!consistent())
                        torn.fetch_add(1);
                    long v = value.w[0] + 1;
                    for (long& each : value.w)
                        each = v;
                    ++writes;
                    exclusive.leave();
                    dog.tick();
                    if ((i & 7) == 3)
                    {
                        f.lock.downgradeToRead();
                        if (!consistent() || value.w[0] != v)
                            torn.fetch_add(1);
                        f.lock.readUnlock();
                    }
                    else
                    {
                        f.lock.writeUnlock();
                    }
                    ++local;
                }
                ops.fetch_add(local);
            });
    }
    for (auto& t : pool)
        t.join();
    CHECK(torn.load() == 0);
    CHECK(exclusive.overlaps.load() == 0);
    CHECK(value.w[0] == writes); // every write incremented it exactly once
    CHECK(consistent());
    MESSAGE("rwlock stress lock/unlock pairs: " << ops.load());
}
