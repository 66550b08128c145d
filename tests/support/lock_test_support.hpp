// SPDX-License-Identifier: MIT
//
// Helpers shared by the refcount, lock and sleep tests: the per-backend test
// hooks (interrupting a sleeper, capturing warnings), stress scaling and a
// spin-until helper that never relies on timing.
#ifndef KDRV_TESTS_LOCK_TEST_SUPPORT_HPP
#define KDRV_TESTS_LOCK_TEST_SUPPORT_HPP

#include "kdrv/testing.hpp"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <thread>

// Lock-analysis annotations describe normal use; the tests also exercise
// misuse-adjacent patterns (try-lock inside CHECK, unlock from a helper).
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wthread-safety-analysis"
#endif

namespace kdrvtest
{
// KDRV_STRESS_SCALE (default 1) multiplies stress-test iteration counts.
inline unsigned stressScale()
{
    const char* s = std::getenv("KDRV_STRESS_SCALE");
    if (s == nullptr)
        return 1;
    long v = std::strtol(s, nullptr, 10);
    return v < 1 ? 1u : static_cast<unsigned>(v);
}

// Makes `thread`'s interruptible sleep return WaitResult::Interrupted.
inline bool interruptSleeper(kdrv::platform::ThreadId thread)
{
    return kdrv::interruptSleepingThread(thread);
}

// Counts the threads inside an exclusive section; any second thread inside
// is an overlap. The counter's own atomics sit inside the section, so the
// plain data the section guards is what proves the lock's memory ordering.
struct InsideCounter
{
    std::atomic<int> now{0};
    std::atomic<long> overlaps{0};
    void enter()
    {
        if (now.fetch_add(1) != 0)
            overlaps.fetch_add(1);
    }
    void leave() { now.fetch_sub(1); }
};

// Runs tryLock() (or the given try call) on a fresh thread and releases
// what it got: does another thread find the lock free?
template <typename Lock> bool tryLockElsewhere(Lock& lock)
{
    bool got = false;
    std::thread(
        [&]
        {
            got = lock.tryLock();
            if (got)
                lock.unlock();
        })
        .join();
    return got;
}

// Spins (yielding) until `done()` is true. Correctness tests wait for states,
// never for time.
template <typename F> void waitUntil(F done)
{
    while (!done())
        std::this_thread::yield();
}

// Counts kdrv::platform::warn() calls while alive (kdrv/testing.hpp's
// warning handler, the same on both backends).
class WarningCapture
{
  public:
    WarningCapture()
    {
        count().store(0);
        lastObjectSlot().store(nullptr);
        previous_ = kdrv::setWarningHandler(onWarning);
    }
    ~WarningCapture() { kdrv::setWarningHandler(previous_); }
    WarningCapture(const WarningCapture&) = delete;
    WarningCapture& operator=(const WarningCapture&) = delete;

    int warnings() const { return count().load(); }
    const void* lastObject() const { return lastObjectSlot().load(); }

  private:
    static std::atomic<int>& count()
    {
        static std::atomic<int> c{0};
        return c;
    }
    static std::atomic<const void*>& lastObjectSlot()
    {
        static std::atomic<const void*> p{nullptr};
        return p;
    }
    static void onWarning(const char*, const void* object)
    {
        lastObjectSlot().store(object);
        count().fetch_add(1);
    }
    kdrv::WarningHandler previous_;
};
} // namespace kdrvtest

#endif // KDRV_TESTS_LOCK_TEST_SUPPORT_HPP
