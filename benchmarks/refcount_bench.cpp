// SPDX-License-Identifier: MIT
//
// Reference counts: one retain plus one release per item, uncontended and
// with two pinned threads on one counter. kdrv's RefCount next to the
// minimal correct pair (relaxed fetch_add; release fetch_sub + acquire fence
// on the last), an OSObject-style compare-and-swap loop, boost::intrusive_ptr
// copies and std::shared_ptr copies. "near_saturation" runs kdrv's count just
// below its limit to show the saturation check stays off the fast path.
#include "bench_support.hpp"

#include "kdrv/refcount.hpp"

#include <atomic>
#include <cstdint>
#include <memory>

#if KDRV_BENCH_HAVE_BOOST
#include <boost/smart_ptr/intrusive_ptr.hpp>
#include <boost/smart_ptr/intrusive_ref_counter.hpp>
#endif

namespace
{
struct alignas(64) KdrvSlot
{
    kdrv::RefCount count;
};
KdrvSlot g_kdrv;

struct alignas(64) NearLimitSlot
{
    kdrv::RefCount count{kdrv::RefCount::kMax - 16u};
};
NearLimitSlot g_kdrvNearLimit;

void refcountKdrv(benchmark::State& state)
{
    kdrvbench::pinIfThreaded(state);
    for (auto _ : state)
    {
        g_kdrv.count.retain();
        benchmark::DoNotOptimize(g_kdrv.count.release());
    }
    kdrvbench::finishPerOperation(state);
}

void refcountKdrvNearSaturation(benchmark::State& state)
{
    kdrvbench::pinIfThreaded(state);
    for (auto _ : state)
    {
        g_kdrvNearLimit.count.retain();
        benchmark::DoNotOptimize(g_kdrvNearLimit.count.release());
    }
    kdrvbench::finishPerOperation(state);
}

// The minimal correct pair, as in performance.md.
struct alignas(64) MinimalSlot
{
    std::atomic<uint32_t> count{1};
};
MinimalSlot g_minimal;

void refcountMinimal(benchmark::State& state)
{
    kdrvbench::pinIfThreaded(state);
    for (auto _ : state)
    {
        g_minimal.count.fetch_add(1, std::memory_order_relaxed);
        bool last = g_minimal.count.fetch_sub(1, std::memory_order_release) == 1;
        if (last)
            std::atomic_thread_fence(std::memory_order_acquire);
        benchmark::DoNotOptimize(last);
    }
    kdrvbench::finishPerOperation(state);
}

// OSObject style: compare-and-swap loops with a pegged maximum.
MinimalSlot g_cas;

void refcountCasLoop(benchmark::State& state)
{
    kdrvbench::pinIfThreaded(state);
    for (auto _ : state)
    {
        uint32_t old = g_cas.count.load(std::memory_order_relaxed);
        while (old != 0xFFFEu &&
               !g_cas.count.compare_exchange_weak(old, old + 1, std::memory_order_relaxed))
        {
        }
        old = g_cas.count.load(std::memory_order_relaxed);
        while (old != 0xFFFEu &&
               !g_cas.count.compare_exchange_weak(old, old - 1, std::memory_order_acq_rel))
        {
        }
        benchmark::DoNotOptimize(old == 1);
    }
    kdrvbench::finishPerOperation(state);
}

struct Payload
{
    int value = 0;
};
std::shared_ptr<Payload> g_shared = std::make_shared<Payload>();

void refcountSharedPtr(benchmark::State& state)
{
    kdrvbench::pinIfThreaded(state);
    for (auto _ : state)
    {
        std::shared_ptr<Payload> copy(g_shared);
        benchmark::DoNotOptimize(copy);
    }
    kdrvbench::finishPerOperation(state);
}

#if KDRV_BENCH_HAVE_BOOST
struct IntrusivePayload : boost::intrusive_ref_counter<IntrusivePayload, boost::thread_safe_counter>
{
    int value = 0;
};
boost::intrusive_ptr<IntrusivePayload> g_intrusive(new IntrusivePayload);

void refcountBoostIntrusive(benchmark::State& state)
{
    kdrvbench::pinIfThreaded(state);
    for (auto _ : state)
    {
        boost::intrusive_ptr<IntrusivePayload> copy(g_intrusive);
        benchmark::DoNotOptimize(copy);
    }
    kdrvbench::finishPerOperation(state);
}
#endif
} // namespace

#define KDRV_REFCOUNT_BENCH_(fn, name)                                                             \
    BENCHMARK(fn)->Name("refcount.retain_release/" name);                                          \
    BENCHMARK(fn)->Name("refcount.retain_release_2t/" name)->Threads(2)->UseRealTime()

KDRV_REFCOUNT_BENCH_(refcountKdrv, "kdrv");
KDRV_REFCOUNT_BENCH_(refcountMinimal, "minimal_pair");
KDRV_REFCOUNT_BENCH_(refcountCasLoop, "cas_loop");
KDRV_REFCOUNT_BENCH_(refcountSharedPtr, "std_shared_ptr");
#if KDRV_BENCH_HAVE_BOOST
KDRV_REFCOUNT_BENCH_(refcountBoostIntrusive, "boost_intrusive_ptr");
#endif
BENCHMARK(refcountKdrvNearSaturation)->Name("refcount.retain_release_near_saturation/kdrv");
