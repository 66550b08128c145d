// SPDX-License-Identifier: MIT
//
// A progress watchdog for concurrent tests: the test bumps a progress counter
// as work completes; if it stops moving for `limitSeconds`, the watchdog
// prints the test's own diagnosis (who is inside what, the counters) and
// ends the process, so a deadlock or lost wakeup fails with a message
// instead of hanging CI. It never decides pass or fail from timing: a slow
// but moving test is never stopped.
#ifndef KDRV_TESTS_PROGRESS_WATCHDOG_HPP
#define KDRV_TESTS_PROGRESS_WATCHDOG_HPP

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>

namespace kdrvtest
{
class ProgressWatchdog
{
  public:
    ProgressWatchdog(const char* what, const std::atomic<uint64_t>& progress,
                     std::function<std::string()> diagnose, int limitSeconds = 10)
        : what_(what), progress_(progress), diagnose_(diagnose), limit_(limitSeconds), stop_(false),
          thread_([this] { run(); })
    {
    }
    ~ProgressWatchdog()
    {
        stop_.store(true);
        thread_.join();
    }
    ProgressWatchdog(const ProgressWatchdog&) = delete;
    ProgressWatchdog& operator=(const ProgressWatchdog&) = delete;

  private:
    void run()
    {
        uint64_t last = progress_.load();
        auto since = std::chrono::steady_clock::now();
        while (!stop_.load())
        {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            const uint64_t now = progress_.load();
            const auto t = std::chrono::steady_clock::now();
            if (now != last)
            {
                last = now;
                since = t;
                continue;
            }
            if (t - since > std::chrono::seconds(limit_))
            {
                std::fprintf(stderr, "watchdog: %s made no progress for %d s (progress %llu): %s\n",
                             what_, limit_, static_cast<unsigned long long>(now),
                             diagnose_().c_str());
                std::fflush(stderr);
                std::_Exit(3);
            }
        }
    }

    const char* what_;
    const std::atomic<uint64_t>& progress_;
    std::function<std::string()> diagnose_;
    int limit_;
    std::atomic<bool> stop_;
    std::thread thread_;
};
} // namespace kdrvtest

#endif // KDRV_TESTS_PROGRESS_WATCHDOG_HPP
