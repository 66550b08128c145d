// SPDX-License-Identifier: MIT
//
// Shared support for kdrv_bench. Every benchmark is named
// "<hot path>/<implementation>", kdrv's own implementation exactly "kdrv",
// and ends its function with kdrvbench::setClockCounters(state) so the
// reporter (tools/bench_report.py) can turn times into cycles.
//
// Peer availability: KDRV_BENCH_HAVE_<PEER> is 1 when benchmarks/CMakeLists.txt
// found the peer and 0 otherwise; guard each peer with #if.
#ifndef KDRV_BENCH_SUPPORT_HPP
#define KDRV_BENCH_SUPPORT_HPP

#include <benchmark/benchmark.h>

#include <atomic>
#include <thread>

#ifndef KDRV_BENCH_HAVE_BOOST
#define KDRV_BENCH_HAVE_BOOST 0
#endif
#ifndef KDRV_BENCH_HAVE_BOOST_THREAD
#define KDRV_BENCH_HAVE_BOOST_THREAD 0
#endif
#ifndef KDRV_BENCH_HAVE_ABSL
#define KDRV_BENCH_HAVE_ABSL 0
#endif
#ifndef KDRV_BENCH_HAVE_TBB
#define KDRV_BENCH_HAVE_TBB 0
#endif
#ifndef KDRV_BENCH_HAVE_DPDK
#define KDRV_BENCH_HAVE_DPDK 0
#endif
#ifndef KDRV_BENCH_HAVE_CK
#define KDRV_BENCH_HAVE_CK 0
#endif
#ifndef KDRV_BENCH_HAVE_URCU
#define KDRV_BENCH_HAVE_URCU 0
#endif
#ifndef KDRV_BENCH_HAVE_MOODYCAMEL
#define KDRV_BENCH_HAVE_MOODYCAMEL 0
#endif
#ifndef KDRV_BENCH_HAVE_ATOMIC_QUEUE
#define KDRV_BENCH_HAVE_ATOMIC_QUEUE 0
#endif
#ifndef KDRV_BENCH_HAVE_ZLIB
#define KDRV_BENCH_HAVE_ZLIB 0
#endif

#if KDRV_BENCH_HAVE_CK
// Concurrency Kit's headers are C; this makes them valid C++ for both
// compilers. Including it here means a later <ck_*.h> include is a no-op.
#include "peer_ck.hpp"
#endif

namespace kdrvbench
{
// Records the "GHz" counter of the calling benchmark: the core clock measured
// by timing a chain of fixed-latency instructions (clock_probe.hpp), averaged
// over a probe taken now and the most recent earlier probe (normally the end
// of the previous benchmark call, i.e. about when this one started). The
// reporter computes cycles/op = GHz * ns/op; ratios between contenders never
// use it (they are ratios of same-run times). When the run's clock check at
// start-up declined (the two clock methods disagreed), no counter is
// recorded. Multi-threaded benchmarks may call it from every thread; the
// counter is averaged over threads.
//
// Call it once, after the timed loop. It costs about 0.1 ms and also returns
// the calling thread's CPU affinity to the process's initial set, so a pin
// never leaks into the next benchmark (thread 0 of a threaded benchmark is
// the main thread).
void setClockCounters(benchmark::State& state);

// Pins the calling thread to one CPU. `cpu` indexes the CPUs this process was
// allowed to use when it started (0 .. n-1), so pinning works inside a
// restricted cpuset. Returns false, leaving the affinity unchanged, when
// there is no such CPU or the system refuses.
bool pinThreadToCpu(int cpu);

// A reusable barrier for n threads that spins (and yields after a while, so
// it survives a busy, time-sliced VM). Use it to start the threads of a
// hand-made multi-threaded measurement together; Google Benchmark's own
// ->Threads(n) already starts and stops its threads together.
class SpinBarrier
{
  public:
    explicit SpinBarrier(int n) : threads_(n) {}
    SpinBarrier(const SpinBarrier&) = delete;
    SpinBarrier& operator=(const SpinBarrier&) = delete;

    // Returns once all n threads have arrived. Everything a thread wrote
    // before arriving is visible to every thread after it returns.
    void arriveAndWait()
    {
        const unsigned generation = generation_.load(std::memory_order_acquire);
        if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == threads_)
        {
            arrived_.store(0, std::memory_order_relaxed);
            generation_.fetch_add(1, std::memory_order_release);
            return;
        }
        for (unsigned spins = 0; generation_.load(std::memory_order_acquire) == generation; ++spins)
        {
            if (spins < 4096)
            {
#if defined(__x86_64__) || defined(__i386__)
                __builtin_ia32_pause();
#endif
            }
            else
            {
                std::this_thread::yield();
            }
        }
    }

  private:
    alignas(64) std::atomic<int> arrived_{0};
    alignas(64) std::atomic<unsigned> generation_{0};
    const int threads_;
};

// Threaded runs pin thread i to CPU i, as every two-thread benchmark does.
inline void pinIfThreaded(const benchmark::State& state)
{
    if (state.threads() > 1)
        pinThreadToCpu(state.thread_index());
}

// Ends a benchmark whose iteration is one operation: items and the GHz counter.
inline void finishPerOperation(benchmark::State& state)
{
    state.SetItemsProcessed(state.iterations());
    setClockCounters(state);
}
} // namespace kdrvbench

#endif // KDRV_BENCH_SUPPORT_HPP
