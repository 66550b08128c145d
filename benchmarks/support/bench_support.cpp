// SPDX-License-Identifier: MIT
//
// Clock calibration, CPU pinning, the run's context record and the
// core-to-core ping-pong benchmark that bounds every two-thread figure.
#include "bench_support.hpp"

#include "clock_probe.hpp"

#include "kdrv/version.hpp"

#include <pthread.h>
#include <sched.h>
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

namespace kdrvbench
{
namespace
{
int64_t monotonicNs()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// False when the run's clock check declined (startRun): no benchmark then
// records a GHz counter, so no cycles are published.
bool g_clockTrusted = true;

// The latest probe, shared by all benchmark threads.
struct ClockCache
{
    std::mutex mutex;
    double ghz = 0.0;
    int64_t takenNs = 0;
};

ClockCache& clockCache()
{
    static ClockCache cache;
    return cache;
}

// An earlier probe counts as "the start of this run" when it is this recent.
constexpr int64_t kProbeFreshNs = 2000000000;

// ---------------------------------------------------------------------------
// CPU affinity.
struct CpuSet
{
    std::vector<int> cpus; // the CPUs the process could use at start-up
    cpu_set_t mask;
};

const CpuSet& initialCpus()
{
    static const CpuSet set = []
    {
        CpuSet s;
        CPU_ZERO(&s.mask);
        if (sched_getaffinity(0, sizeof(s.mask), &s.mask) == 0)
        {
            for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
            {
                if (CPU_ISSET(cpu, &s.mask))
                {
                    s.cpus.push_back(cpu);
                }
            }
        }
        return s;
    }();
    return set;
}

void restoreAffinity()
{
    const CpuSet& set = initialCpus();
    if (!set.cpus.empty())
    {
        pthread_setaffinity_np(pthread_self(), sizeof(set.mask), &set.mask);
    }
}

// ---------------------------------------------------------------------------
// Context.
// "AMD EPYC (family 26 model 2 stepping 1)": the marketing name alone does
// not tell CPU generations apart inside a VM.
std::string cpuModel()
{
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    std::string name;
    std::string family;
    std::string model;
    std::string stepping;
    while (std::getline(in, line) && !line.empty())
    {
        const std::string::size_type colon = line.find(':');
        if (colon == std::string::npos || colon == 0)
        {
            continue;
        }
        const std::string::size_type keyEnd = line.find_last_not_of(" \t", colon - 1);
        const std::string key = line.substr(0, keyEnd == std::string::npos ? 0 : keyEnd + 1);
        const std::string::size_type start = line.find_first_not_of(" \t", colon + 1);
        const std::string value = start == std::string::npos ? std::string() : line.substr(start);
        if (key == "model name" || key == "cpu model")
        {
            name = value;
        }
        else if (key == "cpu family")
        {
            family = value;
        }
        else if (key == "model")
        {
            model = value;
        }
        else if (key == "stepping")
        {
            stepping = value;
        }
    }
    if (name.empty())
    {
        name = "unknown";
    }
    if (!family.empty() && !model.empty())
    {
        name += " (family " + family + " model " + model;
        name += stepping.empty() ? ")" : " stepping " + stepping + ")";
    }
    return name;
}

std::string compilerName()
{
#if defined(__clang__)
    std::string version = __clang_version__;
    version.erase(version.find_last_not_of(' ') + 1);
    return "clang " + version;
#elif defined(__GNUC__)
    return std::string("g++ ") + __VERSION__;
#else
    return "unknown";
#endif
}

#ifndef KDRV_BENCH_CXX_FLAGS
#define KDRV_BENCH_CXX_FLAGS "unknown"
#endif
#ifndef KDRV_BENCH_BUILD_TYPE
#define KDRV_BENCH_BUILD_TYPE "unknown"
#endif
#ifndef KDRV_BENCH_PEERS
#define KDRV_BENCH_PEERS ""
#endif

// ---------------------------------------------------------------------------
// core.pingpong/roundtrip: two pinned threads bounce a counter on one cache
// line. One iteration is one round trip (two line transfers); every
// contended-lock and cross-thread ring figure is bounded below by it.
struct alignas(64) Ball
{
    std::atomic<uint64_t> value{0};
};
Ball g_ball;

void pingPongRoundTrip(benchmark::State& state)
{
    // Both threads take the same decision, so neither waits for a partner
    // that skipped.
    if (initialCpus().cpus.size() < 2)
    {
        state.SkipWithError("needs two CPUs");
        return;
    }
    const int me = state.thread_index();
    pinThreadToCpu(me);
    if (me == 0)
    {
        g_ball.value.store(0, std::memory_order_relaxed); // published by the start barrier
    }
    uint64_t next = 1;
    for (auto _ : state)
    {
        if (me == 0)
        {
            g_ball.value.store(next, std::memory_order_release);
            while (g_ball.value.load(std::memory_order_acquire) != next + 1)
            {
            }
        }
        else
        {
            while (g_ball.value.load(std::memory_order_acquire) != next)
            {
            }
            g_ball.value.store(next + 1, std::memory_order_release);
        }
        next += 2;
    }
    if (me == 0)
    {
        state.SetItemsProcessed(state.iterations());
    }
    setClockCounters(state);
}
BENCHMARK(pingPongRoundTrip)->Name("core.pingpong/roundtrip")->Threads(2)->UseRealTime();
} // namespace

// ---------------------------------------------------------------------------
void setClockCounters(benchmark::State& state)
{
    const double now = g_clockTrusted ? probePrimaryGHz() : 0.0;
    const int64_t nowNs = monotonicNs();
    double start = now;
    {
        ClockCache& cache = clockCache();
        std::lock_guard<std::mutex> hold(cache.mutex);
        if (cache.ghz > 0.0 && nowNs - cache.takenNs < kProbeFreshNs)
        {
            start = cache.ghz;
        }
        cache.ghz = now;
        cache.takenNs = nowNs;
    }
    if (now > 0.0)
    {
        state.counters["GHz"] =
            benchmark::Counter((start + now) / 2.0, benchmark::Counter::kAvgThreads);
    }
    restoreAffinity();
}

bool pinThreadToCpu(int cpu)
{
    const CpuSet& set = initialCpus();
    if (cpu < 0 || size_t(cpu) >= set.cpus.size())
    {
        return false;
    }
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(set.cpus[size_t(cpu)], &one);
    return pthread_setaffinity_np(pthread_self(), sizeof(one), &one) == 0;
}

namespace detail
{
// Called by bench_main.cpp before any benchmark runs: captures the initial
// CPU set before anything is pinned and records the run's context.
void startRun()
{
    const CpuSet& set = initialCpus();
    const ClockReading clock = measureClock();
    g_clockTrusted = clock.declined.empty();
    {
        ClockCache& cache = clockCache();
        std::lock_guard<std::mutex> hold(cache.mutex);
        cache.ghz = clock.ghz;
        cache.takenNs = monotonicNs();
    }
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.3f", clock.primaryGHz);
    benchmark::AddCustomContext("clock_primary", clock.primaryMethod + ": " + buffer + " GHz");
    std::snprintf(buffer, sizeof buffer, "%.3f", clock.checkGHz);
    benchmark::AddCustomContext("clock_check", clock.checkMethod + ": " + buffer + " GHz");
    if (g_clockTrusted)
    {
        std::snprintf(buffer, sizeof buffer, "%.3f", clock.ghz);
        benchmark::AddCustomContext("clock_ghz_at_start", buffer);
    }
    else
    {
        benchmark::AddCustomContext("clock_declined", clock.declined);
    }
    benchmark::AddCustomContext("kdrv_version", std::to_string(KDRV_VERSION_MAJOR) + "." +
                                                    std::to_string(KDRV_VERSION_MINOR) + "." +
                                                    std::to_string(KDRV_VERSION_PATCH));
    benchmark::AddCustomContext("cpu_model", cpuModel());
    benchmark::AddCustomContext("cpus_allowed", std::to_string(set.cpus.size()));
    benchmark::AddCustomContext("compiler", compilerName());
    benchmark::AddCustomContext("compiler_flags", KDRV_BENCH_CXX_FLAGS);
    benchmark::AddCustomContext("build_type", KDRV_BENCH_BUILD_TYPE);
    benchmark::AddCustomContext("peers", KDRV_BENCH_PEERS);
}
} // namespace detail
} // namespace kdrvbench
