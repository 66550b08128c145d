// SPDX-License-Identifier: MIT
//
// RWLock (detail::RwLockWord under kdrv::RWLock): readers beside readers,
// writers alone, try variants, upgrade (including an upgrader racing a
// writer that already holds its kWriter bit and waits for the readers),
// two upgraders, downgrade. The protected data is a checked variable: a
// writer beside anyone, or a holder not ordered after the previous one, is a
// reported data race. Planted bug: the kdrv 0.1 upgrade algorithm
// (tests/support/legacy_rwlock.hpp).
#include "model_check.hpp"

#include "kdrv/rwlock.hpp"
#include "legacy_rwlock.hpp"

namespace
{
struct RWLockTest
{
    kdrv::RWLock lock;
    rl::var<int> data;
    rl::atomic<int> writes;

    void start()
    {
        MODEL_ASSERT(lock.init() == kdrv::Status::Success);
        data($) = 0;
        writes.store(0, rl::mo_relaxed, $);
    }
    void write() // the caller holds the lock exclusively
    {
        data($) = data($) + 1;
        writes.fetch_add(1, rl::mo_relaxed, $);
    }
    void read() { (void)data($); }               // the caller holds the lock
    void finish() KDRV_NO_THREAD_SAFETY_ANALYSIS // try + unlock through an assert
    {
        MODEL_ASSERT(data($) == writes.load(rl::mo_relaxed, $));
        MODEL_ASSERT(lock.tryWriteLock()); // nothing left behind
        lock.writeUnlock();
        lock.destroy();
    }
};

// Two readers and a writer.
struct ReadersAndWriter : kdrvmodel::Test<ReadersAndWriter, 3>, RWLockTest
{
    void setUp() { start(); }
    void thread(unsigned index)
    {
        if (index == 2)
        {
            lock.writeLock();
            write();
            lock.writeUnlock();
            return;
        }
        lock.readLock();
        read();
        lock.readUnlock();
    }
    void after() { finish(); }
};
KDRV_MODEL_CHECK(ReadersAndWriter, "rwlock.readers_and_writer", Bound, 0, 3, Clean);

// tryWriteLock, tryReadLock and a writer that downgrades and reads on.
struct TryAndDowngrade : kdrvmodel::Test<TryAndDowngrade, 3>, RWLockTest
{
    void setUp() { start(); }
    void thread(unsigned index) KDRV_NO_THREAD_SAFETY_ANALYSIS // upgrade, downgrade
    {
        if (index == 0)
        {
            if (lock.tryWriteLock())
            {
                write();
                lock.writeUnlock();
            }
        }
        else if (index == 1)
        {
            if (lock.tryReadLock())
            {
                read();
                lock.readUnlock();
            }
        }
        else
        {
            lock.writeLock();
            write();
            lock.downgradeToRead();
            read();
            lock.readUnlock();
        }
    }
    void after() { finish(); }
};
KDRV_MODEL_CHECK(TryAndDowngrade, "rwlock.try_and_downgrade", Bound, 0, 3, Clean);

// A reader upgrades while a writer races it: the writer may already hold
// kWriter and wait for the readers to drain when the upgrade starts. A
// third thread reads.
struct UpgradeVsWriter : kdrvmodel::Test<UpgradeVsWriter, 3>, RWLockTest
{
    void setUp() { start(); }
    void thread(unsigned index) KDRV_NO_THREAD_SAFETY_ANALYSIS // upgrade, downgrade
    {
        if (index == 0)
        {
            lock.readLock();
            read();
            if (lock.upgradeToWrite() == kdrv::UpgradeResult::Upgraded)
            {
                write();
                lock.writeUnlock();
            }
        }
        else if (index == 1)
        {
            lock.writeLock();
            write();
            lock.writeUnlock();
        }
        else
        {
            lock.readLock();
            read();
            lock.readUnlock();
        }
    }
    void after() { finish(); }
};
KDRV_MODEL_CHECK(UpgradeVsWriter, "rwlock.upgrade_vs_writer", Bound, 0, 3, Clean);
KDRV_MODEL_CHECK(UpgradeVsWriter, "rwlock.upgrade_vs_writer_random", Random, 50000, 0, Clean);

// Two upgraders: at most one upgrade is pending at a time; the one that
// fails has lost its shared hold. An upgrader that succeeded downgrades.
struct TwoUpgraders : kdrvmodel::Test<TwoUpgraders, 2>, RWLockTest
{
    void setUp() { start(); }
    void thread(unsigned) KDRV_NO_THREAD_SAFETY_ANALYSIS // upgrade, downgrade
    {
        lock.readLock();
        read();
        if (lock.upgradeToWrite() == kdrv::UpgradeResult::Upgraded)
        {
            write();
            lock.downgradeToRead();
            read();
            lock.readUnlock();
        }
    }
    void after()
    {
        MODEL_ASSERT(writes.load(rl::mo_relaxed, $) >= 1); // never both fail
        finish();
    }
};
KDRV_MODEL_CHECK(TwoUpgraders, "rwlock.two_upgraders", Bound, 0, 3, Clean);

// The planted bug: kdrv 0.1's reader/writer lock, where a waiting writer
// loads the upgrade flag and the reader count separately, so a reader's
// upgrade between the two loads admits both.
struct PlantedLegacyUpgrade : kdrvmodel::Test<PlantedLegacyUpgrade, 2>
{
    kdrvtest::LegacyRWLock lock;
    rl::var<int> data;

    void setUp() { data($) = 0; }
    void thread(unsigned index)
    {
        if (index == 0)
        {
            lock.readLock();
            if (lock.upgrade())
            {
                data($) = data($) + 1;
                lock.writeUnlock();
            }
        }
        else
        {
            lock.writeLock();
            data($) = data($) + 1;
            lock.writeUnlock();
        }
    }
};
KDRV_MODEL_CHECK(PlantedLegacyUpgrade, "rwlock.planted_legacy_upgrade", Bound, 0, 3, Report);
} // namespace
