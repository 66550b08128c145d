// SPDX-License-Identifier: MIT
//
// ProgressWatchdog: a concurrent test calls tick() whenever it makes
// progress. If no tick arrives for `seconds`, the watchdog prints what the
// test was doing and the state `dump` describes (the lock word, counters),
// then ends the process with exit code 86, so CTest reports this one test as
// failed with a diagnosis, long before its own timeout. Time is used only to
// detect a hang, never to decide that a test passed.
#ifndef KDRV_TESTS_WATCHDOG_HPP
#define KDRV_TESTS_WATCHDOG_HPP

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace kdrvtest
{
class ProgressWatchdog
{
  public:
    ProgressWatchdog(const char* what, std::function<std::string()> dump, unsigned seconds = 10)
        : what_(what), dump_(std::move(dump)), seconds_(seconds), ticks_(0), stop_(false),
          thread_([this] { watch(); })
    {
    }
    ~ProgressWatchdog()
    {
        {
            std::lock_guard<std::mutex> g(mutex_);
            stop_ = true;
        }
        changed_.notify_all();
        thread_.join();
    }
    ProgressWatchdog(const ProgressWatchdog&) = delete;
    ProgressWatchdog& operator=(const ProgressWatchdog&) = delete;

    void tick() { ticks_.fetch_add(1, std::memory_order_relaxed); }
    unsigned long long ticks() const { return ticks_.load(std::memory_order_relaxed); }

  private:
    void watch()
    {
        unsigned long long last = ticks();
        auto lastChange = std::chrono::steady_clock::now();
        std::unique_lock<std::mutex> g(mutex_);
        while (!stop_)
        {
            changed_.wait_for(g, std::chrono::milliseconds(100));
            unsigned long long now = ticks();
            auto t = std::chrono::steady_clock::now();
            if (now != last)
            {
                last = now;
                lastChange = t;
                continue;
            }
            if (t - lastChange >= std::chrono::seconds(seconds_))
            {
                std::string state = dump_ ? dump_() : std::string("(no state dump)");
                std::fprintf(stderr,
                             "watchdog: %s: no progress for %u s after %llu steps; state: %s\n",
                             what_, seconds_, now, state.c_str());
                std::fflush(stderr);
                std::_Exit(86);
            }
        }
    }

    const char* what_;
    std::function<std::string()> dump_;
    unsigned seconds_;
    std::atomic<unsigned long long> ticks_;
    bool stop_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::thread thread_;
};
} // namespace kdrvtest

#endif // KDRV_TESTS_WATCHDOG_HPP
