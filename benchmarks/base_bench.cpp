// SPDX-License-Identifier: MIT
//
// Base atomics: kdrv's AtomicU64 against std::atomic. Both must compile to
// the same locked instruction; any gap here is measurement noise, and it is
// the yardstick for every block built on top (refcounts, locks, rings).
#include "bench_support.hpp"

#include "kdrv/atomic.hpp"

#include <atomic>
#include <cstdint>

namespace
{
struct alignas(64) KdrvCounter
{
    kdrv::AtomicU64 value;
};
struct alignas(64) StdCounter
{
    std::atomic<uint64_t> value{0};
};
KdrvCounter g_kdrvCounter;
StdCounter g_stdCounter;

// Relaxed fetch-add with the result used: one `lock xadd`.
void atomicFetchAddKdrv(benchmark::State& state)
{
    kdrvbench::pinIfThreaded(state);
    for (auto _ : state)
    {
        benchmark::DoNotOptimize(g_kdrvCounter.value.fetchAdd(1, kdrv::MemoryOrder::Relaxed));
    }
    state.SetItemsProcessed(state.iterations());
    kdrvbench::setClockCounters(state);
}

void atomicFetchAddStd(benchmark::State& state)
{
    kdrvbench::pinIfThreaded(state);
    for (auto _ : state)
    {
        benchmark::DoNotOptimize(g_stdCounter.value.fetch_add(1, std::memory_order_relaxed));
    }
    state.SetItemsProcessed(state.iterations());
    kdrvbench::setClockCounters(state);
}

// Compare-exchange that always succeeds (the expected value is tracked).
void atomicCasKdrv(benchmark::State& state)
{
    uint64_t expected = g_kdrvCounter.value.load(kdrv::MemoryOrder::Relaxed);
    for (auto _ : state)
    {
        const bool ok = g_kdrvCounter.value.compareExchange(
            &expected, expected + 1, kdrv::MemoryOrder::AcqRel, kdrv::MemoryOrder::Relaxed);
        benchmark::DoNotOptimize(ok);
        expected += ok ? 1 : 0;
    }
    state.SetItemsProcessed(state.iterations());
    kdrvbench::setClockCounters(state);
}

void atomicCasStd(benchmark::State& state)
{
    uint64_t expected = g_stdCounter.value.load(std::memory_order_relaxed);
    for (auto _ : state)
    {
        const bool ok = g_stdCounter.value.compare_exchange_strong(
            expected, expected + 1, std::memory_order_acq_rel, std::memory_order_relaxed);
        benchmark::DoNotOptimize(ok);
        expected += ok ? 1 : 0;
    }
    state.SetItemsProcessed(state.iterations());
    kdrvbench::setClockCounters(state);
}
} // namespace

BENCHMARK(atomicFetchAddKdrv)->Name("atomic.fetch_add/kdrv");
BENCHMARK(atomicFetchAddStd)->Name("atomic.fetch_add/std_atomic");
BENCHMARK(atomicFetchAddKdrv)->Name("atomic.fetch_add/kdrv")->Threads(2)->UseRealTime();
BENCHMARK(atomicFetchAddStd)->Name("atomic.fetch_add/std_atomic")->Threads(2)->UseRealTime();
BENCHMARK(atomicCasKdrv)->Name("atomic.compare_exchange/kdrv");
BENCHMARK(atomicCasStd)->Name("atomic.compare_exchange/std_atomic");
