// SPDX-License-Identifier: MIT
//
// Lock debugging (KDRV_CONFIG_LOCK_DEBUG=1): each misuse named on the command
// line must end in a contract failure whose message says what went wrong. A
// contract failure does not return, so the handler prints the message and
// exits 0; CTest matches the output. "none" runs only legal uses, sleep and
// wakeup included, and must finish without a failure. Runs over both
// backends through kdrv/testing.hpp's contract handler. Every report must
// name this file and the line of the misusing call.
#if !KDRV_CONFIG_LOCK_DEBUG
#error "build this test with KDRV_CONFIG_LOCK_DEBUG=1"
#endif

#include "kdrv/locked_byte_ring.hpp"
#include "kdrv/mutex.hpp"
#include "kdrv/serial_port.hpp"
#include "kdrv/rwlock.hpp"
#include "kdrv/spinlock.hpp"
#include "kdrv/testing.hpp"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <thread>

// Misuse on purpose: keep clang's static lock analysis out of the way.
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wthread-safety-analysis"
#endif

namespace
{
// The report must name the caller's file and line, not a kdrv header.
void onViolation(const kdrv::ContractViolation& v)
{
    printf("lock-misuse-caught: %s @%s:%d\n", v.expression, v.file, v.line);
    fflush(stdout);
    _Exit(0);
}

void must(kdrv::Status s)
{
    if (s != kdrv::Status::Success)
    {
        printf("init failed\n");
        exit(2);
    }
}

int legalUses()
{
    kdrv::Mutex m;
    kdrv::RecursiveMutex r;
    kdrv::SpinLock s;
    kdrv::RWLock rw;
    must(m.init());
    must(r.init());
    must(s.init());
    must(rw.init());
    int event = 0;
    {
        kdrv::MutexGuard g(m);
        m.assertOwned();
        (void)m.sleepUntil(&event, 0, kdrv::SleepType::Uninterruptible);
        m.assertOwned();
    }
    m.assertNotOwned();
    {
        kdrv::RecursiveMutexGuard a(r);
        kdrv::RecursiveMutexGuard b(r);
        r.assertOwned();
    }
    r.assertNotOwned();
    {
        kdrv::SpinLockIrqGuard g(s);
        s.assertOwned();
    }
    s.assertNotOwned();
    {
        kdrv::RWLockGuard g(rw);
        if (!g.upgrade())
            return 1;
        rw.assertOwned();
        g.downgrade();
        rw.assertNotOwned();
    }
    {
        rw.readLock();
        rw.readLock(); // two shared holds by one thread, no writer: legal
        rw.readUnlock();
        rw.readUnlock();
    }
    // Another thread may take what this one released.
    std::thread(
        [&]
        {
            kdrv::MutexGuard g(m);
            kdrv::RWLockWriteGuard w(rw);
            kdrv::SpinLockGuard h(s); // last: nothing may block under a spin lock
        })
        .join();
    m.destroy();
    r.destroy();
    s.destroy();
    rw.destroy();
    printf("no-misuse\n");
    return 0;
}

// init() without destroy(): the storage's destruction reports the leak (a
// warning, so the scenario runs to its end and prints what it did).
int leak(const char* which)
{
    if (strcmp(which, "leak-spinlock") == 0)
    {
        kdrv::SpinLock s;
        must(s.init());
    }
    else if (strcmp(which, "leak-mutex") == 0)
    {
        kdrv::Mutex m;
        must(m.init());
    }
    else if (strcmp(which, "leak-locked-byte-ring") == 0)
    {
        static uint8_t storage[16];
        kdrv::LockedByteRing r;
        must(r.init(storage, sizeof storage));
    }
    else if (strcmp(which, "leak-serial-port") == 0)
    {
        static uint8_t tx[8], rx[8];
        kdrv::SerialPortConfig c = {};
        c.txStorage = tx;
        c.txStorageSize = 8;
        c.rxStorage = rx;
        c.rxStorageSize = 8;
        kdrv::SerialPortHooks h = {};
        kdrv::SerialPortCore port;
        must(port.init(c, h));
    }
    else if (strcmp(which, "leak-none") == 0)
    {
        kdrv::SpinLock s;
        must(s.init());
        s.destroy();
        kdrv::Mutex m;
        must(m.init());
        m.destroy();
    }
    else
        return 2;
    printf("leak-scenario-done\n");
    return 0;
}

int misuse(const char* which)
{
    kdrv::Mutex m;
    kdrv::RecursiveMutex r;
    kdrv::SpinLock s;
    kdrv::RWLock rw;
    if (strcmp(which, "mutex-before-init") == 0)
        m.lock();
    must(m.init());
    must(r.init());
    must(s.init());
    must(rw.init());
    int event = 0;

    if (strcmp(which, "mutex-relock") == 0)
    {
        m.lock();
        m.lock();
    }
    else if (strcmp(which, "mutex-unlock-unowned") == 0)
        m.unlock();
    else if (strcmp(which, "mutex-unlock-other-thread") == 0)
    {
        m.lock();
        std::thread([&] { m.unlock(); }).join();
    }
    else if (strcmp(which, "mutex-destroy-held") == 0)
    {
        m.lock();
        m.destroy();
    }
    else if (strcmp(which, "mutex-sleep-unowned") == 0)
        (void)m.sleepUntil(&event, 0, kdrv::SleepType::Uninterruptible);
    else if (strcmp(which, "mutex-assert-owned") == 0)
        m.assertOwned();
    else if (strcmp(which, "mutex-assert-not-owned") == 0)
    {
        m.lock();
        m.assertNotOwned();
    }
    else if (strcmp(which, "recursive-unlock-unowned") == 0)
        r.unlock();
    else if (strcmp(which, "recursive-destroy-held") == 0)
    {
        r.lock();
        r.destroy();
    }
    else if (strcmp(which, "spin-relock") == 0)
    {
        s.lock();
        s.lock();
    }
    else if (strcmp(which, "spin-unlock-unowned") == 0)
        s.unlock();
    else if (strcmp(which, "spin-destroy-held") == 0)
    {
        s.lock();
        s.destroy();
    }
    else if (strcmp(which, "rw-write-relock") == 0)
    {
        rw.writeLock();
        rw.writeLock();
    }
    else if (strcmp(which, "rw-read-while-writing") == 0)
    {
        rw.writeLock();
        rw.readLock();
    }
    else if (strcmp(which, "rw-read-unlock-unheld") == 0)
        rw.readUnlock();
    else if (strcmp(which, "rw-write-unlock-unowned") == 0)
        rw.writeUnlock();
    else if (strcmp(which, "rw-upgrade-unheld") == 0)
        (void)rw.upgradeToWrite();
    else if (strcmp(which, "rw-destroy-held") == 0)
    {
        rw.readLock();
        rw.destroy();
    }
    else
    {
        printf("unknown scenario %s\n", which);
        return 2;
    }
    printf("misuse was not caught\n");
    return 1;
}
} // namespace

int main(int argc, char** argv)
{
    if (argc != 2)
        return 2;
    kdrv::setContractHandler(onViolation);
    if (strcmp(argv[1], "none") == 0)
        return legalUses();
    if (strncmp(argv[1], "leak-", 5) == 0)
        return leak(argv[1]);
    return misuse(argv[1]);
}
