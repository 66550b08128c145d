// SPDX-License-Identifier: MIT
//
// The user-space RWLock state machine against a model, from one thread:
// every operation that cannot block (try variants, and the blocking ones only
// where they must succeed at once) must agree with a model of shared holds
// and the exclusive hold, including upgrade and downgrade.
//
// Public operations and how they are reached (any order, one opcode each):
//   init, destroy (when the model says the lock is free, then init again),
//   readLock, tryReadLock, readUnlock, writeLock, tryWriteLock, writeUnlock,
//   upgradeToWrite (Upgraded: the sole reader), downgradeToRead,
//   RWLockReadGuard, RWLockWriteGuard, RWLockGuard (with upgrade and
//   downgrade inside), assertNotOwned (a no-op outside lock-debug builds).
// Not reached from one thread: upgradeToWrite's ReleasedLock (needs a
// competing upgrader; tests/rwlock_test.cpp) and blocking waits. Misuse
// (unlocking an unheld lock, destroying a held one) is not a Status but a
// lock-debug contract failure, covered by tests/lockdebug.
#include "kdrv/rwlock.hpp"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_check.hpp" // for FUZZ_CHECK

// Holds are driven by the input, which static lock analysis cannot follow.
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wthread-safety-analysis"
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    kdrv::RWLock lock;
    if (lock.init() != kdrv::Status::Success)
        abort();
    uint32_t readers = 0;
    bool writer = false;
    for (size_t i = 0; i < size; ++i)
    {
        switch (data[i] & 15u)
        {
        case 8: // destroy and init again while free
            if (!writer && readers == 0)
            {
                lock.destroy();
                FUZZ_CHECK(lock.init() == kdrv::Status::Success);
            }
            break;
        case 9:
            if (!writer)
            {
                kdrv::RWLockReadGuard guard(lock);
                FUZZ_CHECK(!lock.tryWriteLock());
            }
            break;
        case 10:
            if (!writer && readers == 0)
            {
                kdrv::RWLockWriteGuard guard(lock);
                FUZZ_CHECK(!lock.tryReadLock());
                lock.assertOwned();
            }
            break;
        case 11: // RWLockGuard: read, upgrade (sole holder), downgrade, release
            if (!writer && readers == 0)
            {
                kdrv::RWLockGuard guard(lock);
                FUZZ_CHECK(!lock.tryWriteLock());
                if (guard.upgrade())
                {
                    FUZZ_CHECK(!lock.tryReadLock());
                    guard.downgrade();
                }
                FUZZ_CHECK(lock.tryReadLock());
                lock.readUnlock();
            }
            break;
        case 12:
            if (!writer)
                lock.assertNotOwned();
            break;
        case 0: // tryReadLock succeeds exactly when nobody writes
        {
            bool got = lock.tryReadLock();
            FUZZ_CHECK(got == !writer);
            if (got)
                ++readers;
            break;
        }
        case 1: // tryWriteLock succeeds exactly when nobody holds the lock
        {
            bool got = lock.tryWriteLock();
            FUZZ_CHECK(got == (!writer && readers == 0));
            if (got)
                writer = true;
            break;
        }
        case 2:
            if (readers > 0)
            {
                lock.readUnlock();
                --readers;
            }
            break;
        case 3:
            if (writer)
            {
                lock.writeUnlock();
                writer = false;
            }
            break;
        case 4: // the only reader upgrades without waiting
            if (readers == 1 && !writer)
            {
                FUZZ_CHECK(lock.upgradeToWrite() == kdrv::UpgradeResult::Upgraded);
                readers = 0;
                writer = true;
            }
            break;
        case 5:
            if (writer)
            {
                lock.downgradeToRead();
                writer = false;
                readers = 1;
            }
            break;
        case 6:
            if (!writer && readers < 64)
            {
                lock.readLock();
                ++readers;
            }
            break;
        case 7:
            if (!writer && readers == 0)
            {
                lock.writeLock();
                writer = true;
            }
            break;
        }
    }
    if (writer)
        lock.writeUnlock();
    while (readers-- > 0)
        lock.readUnlock();
    // Everything released: the lock is free again.
    FUZZ_CHECK(lock.tryWriteLock());
    lock.writeUnlock();
    lock.destroy();
    return 0;
}
