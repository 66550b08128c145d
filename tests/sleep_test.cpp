// SPDX-License-Identifier: MIT
//
// Sleep and wakeup on an event address (Mutex::sleep*, wakeupOne/All).
// Every test waits for states, never for time: a sleeper announces itself
// under the mutex before it sleeps, so once the test holds the mutex and sees
// the announcement, the sleeper is registered on its event.
#include "kdrv/mutex.hpp"

#include "lock_test_support.hpp"
#include "watchdog.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

using kdrv::Mutex;
using kdrv::SleepType;
using kdrv::Status;
using kdrv::WaitResult;

namespace
{
// Ten seconds: a sleep that needs it has lost its wakeup.
const uint64_t kLostWakeupNanos = 10ull * 1000 * 1000 * 1000;

struct Sleepers
{
    Mutex mutex;
    int event = 0;
    int sleeping = 0; // guarded by mutex
    int woken = 0;    // guarded by mutex
    int order[8] = {};

    Sleepers() { REQUIRE(mutex.init() == Status::Success); }
    ~Sleepers() { mutex.destroy(); }

    // Waits until `n` sleepers have announced themselves (and so are
    // registered on the event, because they only release the mutex by
    // sleeping).
    void waitForSleepers(int n)
    {
        kdrvtest::waitUntil(
            [&]
            {
                kdrv::MutexGuard guard(mutex);
                return sleeping == n;
            });
    }
    void waitForWoken(int n)
    {
        kdrvtest::waitUntil(
            [&]
            {
                kdrv::MutexGuard guard(mutex);
                return woken == n;
            });
    }
};

// Sleeps once on s.event and records the result and its wake order.
std::thread sleeper(Sleepers& s, int id, SleepType type, WaitResult* result,
                    std::atomic<kdrv::platform::ThreadId>* self = nullptr)
{
    return std::thread(
        [&s, id, type, result, self]
        {
            if (self != nullptr)
                self->store(kdrv::platform::currentThreadId());
            kdrv::MutexGuard guard(s.mutex);
            ++s.sleeping;
            *result = s.mutex.sleep(&s.event, type);
            s.mutex.assertOwned();
            s.order[s.woken++] = id;
            --s.sleeping;
        });
}
} // namespace

TEST_CASE("sleep: wait results and types carry xnu's numbers")
{
    CHECK(static_cast<int>(WaitResult::Awakened) == 0);
    CHECK(static_cast<int>(WaitResult::TimedOut) == 1);
    CHECK(static_cast<int>(WaitResult::Interrupted) == 2);
    CHECK(static_cast<int>(SleepType::Uninterruptible) == 0);
    CHECK(static_cast<int>(SleepType::Interruptible) == 1);
    CHECK(kdrv::toWaitResult(3) == WaitResult::Interrupted); // THREAD_RESTART
}

TEST_CASE("sleep: a past deadline times out and returns with the mutex held")
{
    Sleepers s;
    s.mutex.lock();
    CHECK(s.mutex.sleepUntil(&s.event, 0, SleepType::Uninterruptible) == WaitResult::TimedOut);
    CHECK(s.mutex.sleepUntil(&s.event, kdrv::platform::monotonicNanos(),
                             SleepType::Interruptible) == WaitResult::TimedOut);
    s.mutex.assertOwned();
    bool otherGot = true;
    std::thread(
        [&]
        {
            otherGot = s.mutex.tryLock();
            if (otherGot)
                s.mutex.unlock();
        })
        .join();
    CHECK_FALSE(otherGot);
    s.mutex.unlock();
}

TEST_CASE("sleep: a short timeout expires, a wakeup with no sleeper is not remembered")
{
    Sleepers s;
    s.mutex.wakeupAll(&s.event);
    s.mutex.wakeupOne(&s.event);
    kdrv::MutexGuard guard(s.mutex);
    CHECK(s.mutex.sleepFor(&s.event, 1000 * 1000, SleepType::Uninterruptible) ==
          WaitResult::TimedOut);
}

TEST_CASE("sleep: a huge timeout saturates instead of wrapping into the past")
{
    Sleepers s;
    WaitResult r = WaitResult::TimedOut;
    std::thread t(
        [&]
        {
            kdrv::MutexGuard guard(s.mutex);
            ++s.sleeping;
            r = s.mutex.sleepFor(&s.event, ~static_cast<uint64_t>(0), SleepType::Uninterruptible);
        });
    s.waitForSleepers(1);
    s.mutex.wakeupOne(&s.event);
    t.join();
    CHECK(r == WaitResult::Awakened);
}

TEST_CASE("sleep: wakeupOne wakes exactly one sleeper, the oldest first")
{
    Sleepers s;
    WaitResult r1 = WaitResult::TimedOut;
    WaitResult r2 = WaitResult::TimedOut;
    std::thread a = sleeper(s, 1, SleepType::Uninterruptible, &r1);
    s.waitForSleepers(1);
    std::thread b = sleeper(s, 2, SleepType::Uninterruptible, &r2);
    s.waitForSleepers(2);

    s.mutex.wakeupOne(&s.event);
    s.waitForWoken(1);
    {
        kdrv::MutexGuard guard(s.mutex);
        CHECK(s.order[0] == 1);
        CHECK(s.sleeping == 1);
    }
    s.mutex.wakeupOne(&s.event);
    a.join();
    b.join();
    CHECK(s.woken == 2);
    CHECK(s.order[1] == 2);
    CHECK(r1 == WaitResult::Awakened);
    CHECK(r2 == WaitResult::Awakened);
}

TEST_CASE("sleep: wakeupAll wakes every sleeper, other events are not woken")
{
    Sleepers s;
    Sleepers other;
    WaitResult r[3] = {WaitResult::TimedOut, WaitResult::TimedOut, WaitResult::TimedOut};
    WaitResult otherResult = WaitResult::Awakened;
    std::thread t0 = sleeper(s, 1, SleepType::Uninterruptible, &r[0]);
    std::thread t1 = sleeper(s, 2, SleepType::Interruptible, &r[1]);
    std::thread t2 = sleeper(s, 3, SleepType::Uninterruptible, &r[2]);
    s.waitForSleepers(3);

    // A sleeper on a different event (and maybe the same hash bucket) keeps
    // sleeping through wakeupAll(&s.event): it can only time out.
    std::thread lone(
        [&]
        {
            kdrv::MutexGuard guard(other.mutex);
            ++other.sleeping;
            otherResult =
                other.mutex.sleepFor(&other.event, 50ull * 1000 * 1000, SleepType::Uninterruptible);
        });
    other.waitForSleepers(1);
    s.mutex.wakeupAll(&s.event);
    t0.join();
    t1.join();
    t2.join();
    lone.join();
    CHECK(s.woken == 3);
    for (WaitResult each : r)
        CHECK(each == WaitResult::Awakened);
    CHECK(otherResult == WaitResult::TimedOut);
}

TEST_CASE("sleep: an interruptible sleep can be interrupted, an uninterruptible one cannot")
{
    Sleepers s;
    WaitResult ri = WaitResult::Awakened;
    WaitResult ru = WaitResult::TimedOut;
    std::atomic<kdrv::platform::ThreadId> interruptibleId{0};
    std::atomic<kdrv::platform::ThreadId> unintId{0};

    std::thread u = sleeper(s, 1, SleepType::Uninterruptible, &ru, &unintId);
    s.waitForSleepers(1);
    std::thread i = sleeper(s, 2, SleepType::Interruptible, &ri, &interruptibleId);
    s.waitForSleepers(2);

    CHECK_FALSE(kdrvtest::interruptSleeper(unintId.load()));
    CHECK(kdrvtest::interruptSleeper(interruptibleId.load()));
    i.join();
    CHECK(ri == WaitResult::Interrupted);
    CHECK_FALSE(kdrvtest::interruptSleeper(interruptibleId.load())); // no longer asleep
    {
        kdrv::MutexGuard guard(s.mutex);
        CHECK(s.sleeping == 1);
    }
    s.mutex.wakeupOne(&s.event);
    u.join();
    CHECK(ru == WaitResult::Awakened);
}

TEST_CASE("sleep: an interruptible deadline sleep can be interrupted too")
{
    Sleepers s;
    WaitResult r = WaitResult::Awakened;
    std::atomic<kdrv::platform::ThreadId> id{0};
    std::thread t(
        [&]
        {
            id.store(kdrv::platform::currentThreadId());
            kdrv::MutexGuard guard(s.mutex);
            ++s.sleeping;
            r = s.mutex.sleepFor(&s.event, kLostWakeupNanos, SleepType::Interruptible);
        });
    s.waitForSleepers(1);
    kdrvtest::waitUntil([&] { return kdrvtest::interruptSleeper(id.load()); });
    t.join();
    CHECK(r == WaitResult::Interrupted);
}

// A bounded buffer of 4 slots between producers and consumers, each side
// sleeping on its own event when it cannot proceed. A lost wakeup leaves a
// side asleep until the 10 s guard deadline and fails the test; the sum of
// consumed items proves nothing was lost or duplicated.
TEST_CASE("stress: sleep/wakeup producer-consumer loses no wakeup")
{
    Mutex mutex;
    REQUIRE(mutex.init() == Status::Success);
    const int kSlots = 4;
    long buffer[kSlots] = {};
    int head = 0;
    int count = 0;
    int notEmpty = 0; // event addresses
    int notFull = 0;
    const int producers = 2;
    const int consumers = 2;
    const long itemsPerProducer = 50000L * kdrvtest::stressScale();
    std::atomic<long> consumedSum{0};
    std::atomic<long> consumedCount{0};
    std::atomic<int> lostWakeups{0};
    std::atomic<long> sleeps{0};
    kdrvtest::ProgressWatchdog dog(
        "sleep/wakeup stress",
        [&]
        {
            return "consumed=" + std::to_string(consumedCount.load()) +
                   " lostWakeups=" + std::to_string(lostWakeups.load());
        },
        30); // longer than the 10 s lost-wakeup guard, which reports first

    std::vector<std::thread> pool;
    for (int p = 0; p < producers; ++p)
    {
        pool.emplace_back(
            [&, p]
            {
                for (long i = 1; i <= itemsPerProducer; ++i)
                {
                    kdrv::MutexGuard guard(mutex);
                    while (count == kSlots)
                    {
                        sleeps.fetch_add(1, std::memory_order_relaxed);
                        if (mutex.sleepFor(&notFull, kLostWakeupNanos,
                                           SleepType::Uninterruptible) == WaitResult::TimedOut)
                            lostWakeups.fetch_add(1);
                    }
                    buffer[(head + count) % kSlots] = i * producers + p;
                    ++count;
                    // Alternate the two wakeup kinds; both must suffice.
                    if ((i & 1) != 0)
                        mutex.wakeupOne(&notEmpty);
                    else
                        mutex.wakeupAll(&notEmpty);
                }
            });
    }
    const long total = producers * itemsPerProducer;
    for (int c = 0; c < consumers; ++c)
    {
        pool.emplace_back(
            [&]
            {
                for (;;)
                {
                    kdrv::MutexGuard guard(mutex);
                    while (count == 0 && consumedCount.load() < total)
                    {
                        sleeps.fetch_add(1, std::memory_order_relaxed);
                        if (mutex.sleepFor(&notEmpty, kLostWakeupNanos,
                                           SleepType::Uninterruptible) == WaitResult::TimedOut)
                            lostWakeups.fetch_add(1);
                    }
                    if (count == 0)
                        return; // everything consumed; the other consumer finished it
                    long item = buffer[head];
                    head = (head + 1) % kSlots;
                    --count;
                    consumedSum.fetch_add(item);
                    dog.tick();
                    if (consumedCount.fetch_add(1) + 1 == total)
                        mutex.wakeupAll(&notEmpty); // release the other consumer
                    mutex.wakeupOne(&notFull);
                }
            });
    }
    for (auto& t : pool)
        t.join();

    long expected = 0;
    for (int p = 0; p < producers; ++p)
        for (long i = 1; i <= itemsPerProducer; ++i)
            expected += i * producers + p;
    CHECK(lostWakeups.load() == 0);
    CHECK(consumedCount.load() == total);
    CHECK(consumedSum.load() == expected);
    // Each item: one lock/unlock on each side plus one wakeup each.
    MESSAGE("sleep stress operations: " << total * 4 + sleeps.load());
    mutex.destroy();
}
