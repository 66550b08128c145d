// SPDX-License-Identifier: MIT
//
// Power-state lookups and the activity tickle.
//
// Lookups are what power management does on every request: the parent's cap
// for the parent's flags, and the state a child's flags need. Each runs over
// a batch of 256 flag values (a random mix of 0 and kPMPowerOn, the values
// power management passes) on 2-, 4- and 8-row tables:
//   kdrv          PowerTableIndex (what PowerPolicy uses)
//   kdrv_scan     kdrv's table scan (highestStateForParentFlags ...)
//   linear_scan   a straightforward scan written here
//   direct_index  the floor: a precomputed answer indexed by the flag bit
// The tickle is the data path's call before each hardware access: a tickle
// at or below the cached level, which must stay cheap.
//   kdrv          PowerPolicy::activityTickle
//   linear_scan   a straightforward tickle that recomputes the parent's cap
//                 with a scan on every call
#include "bench_support.hpp"

#include "kdrv/power.hpp"

#include <cstdint>
#include <random>
#include <vector>

namespace
{
constexpr int kBatch = 256;

std::vector<kdrv::PowerState> makeTable(int rows)
{
    std::vector<kdrv::PowerState> t(static_cast<size_t>(rows));
    for (int i = 0; i < rows; ++i)
    {
        kdrv::PowerState r = {
            1, kdrv::kPMPowerOn, kdrv::kPMPowerOn, kdrv::kPMPowerOn, 0, 0, 0, 0, 0, 0, 0, 0};
        if (i == 0)
        {
            r.capabilityFlags = 0;
            r.outputPowerCharacter = 0;
            r.inputPowerRequirement = 0;
        }
        else if (i == rows - 1)
        {
            r.capabilityFlags |= kdrv::kPMDeviceUsable;
        }
        t[static_cast<size_t>(i)] = r;
    }
    return t;
}

std::vector<kdrv::PowerFlags> makeFlags()
{
    std::mt19937 rng(42);
    std::vector<kdrv::PowerFlags> flags(kBatch);
    for (auto& f : flags)
    {
        f = (rng() & 1u) ? kdrv::kPMPowerOn : 0;
    }
    return flags;
}

// The scans a driver writer would write.
unsigned long linearParentCap(const kdrv::PowerState* t, unsigned long n, kdrv::PowerFlags f)
{
    unsigned long best = 0;
    for (unsigned long i = 0; i < n; ++i)
    {
        if ((f & t[i].inputPowerRequirement) == t[i].inputPowerRequirement)
        {
            best = i;
        }
    }
    return best;
}

unsigned long linearChildNeed(const kdrv::PowerState* t, unsigned long n, kdrv::PowerFlags f)
{
    for (unsigned long i = 0; i < n; ++i)
    {
        if ((t[i].outputPowerCharacter & f) == f)
        {
            return i;
        }
    }
    return 0;
}

enum class Impl
{
    Kdrv,
    KdrvScan,
    LinearScan,
    DirectIndex,
};

template <Impl impl, bool parent> void lookup(benchmark::State& state)
{
    const int rows = static_cast<int>(state.range(0));
    const std::vector<kdrv::PowerState> table = makeTable(rows);
    const std::vector<kdrv::PowerFlags> flags = makeFlags();
    const unsigned long n = table.size();
    kdrv::PowerTableIndex index;
    index.build(table.data(), n);
    unsigned long direct[2];
    for (kdrv::PowerFlags f = 0; f < 2; ++f)
    {
        direct[f] = parent ? linearParentCap(table.data(), n, f << 1)
                           : linearChildNeed(table.data(), n, f << 1);
    }
    for (auto _ : state)
    {
        unsigned long sum = 0;
        for (int i = 0; i < kBatch; ++i)
        {
            const kdrv::PowerFlags f = flags[static_cast<size_t>(i)];
            unsigned long r = 0;
            switch (impl)
            {
            case Impl::Kdrv:
                r = parent ? index.highestStateForParentFlags(f)
                           : index.lowestStateWithOutputCharacter(f);
                break;
            case Impl::KdrvScan:
                r = parent ? kdrv::highestStateForParentFlags(table.data(), n, f)
                           : kdrv::lowestStateWithOutputCharacter(table.data(), n, f);
                break;
            case Impl::LinearScan:
                r = parent ? linearParentCap(table.data(), n, f)
                           : linearChildNeed(table.data(), n, f);
                break;
            case Impl::DirectIndex:
                r = direct[(f >> 1) & 1u];
                break;
            }
            sum += r;
        }
        // A copy escapes, not the accumulator: DoNotOptimize takes its
        // argument's address, and an escaped accumulator is stored on every
        // lookup of every contender (a harness cost, not a lookup's).
        const unsigned long result = sum;
        benchmark::DoNotOptimize(result);
    }
    state.SetItemsProcessed(state.iterations() * kBatch);
    kdrvbench::setClockCounters(state);
}

struct NullDriver final : kdrv::PowerDriver
{
};

void tickleKdrv(benchmark::State& state)
{
    const std::vector<kdrv::PowerState> table = makeTable(static_cast<int>(state.range(0)));
    NullDriver driver;
    kdrv::PowerPolicy policy;
    if (policy.init(table.data(), table.size(), &driver) != kdrv::Status::Success)
    {
        state.SkipWithError("init");
        return;
    }
    const unsigned long top = table.size() - 1;
    (void)policy.activityTickle(kdrv::kPMSuperclassPolicy1, top); // raises, caches the level
    for (auto _ : state)
    {
        for (int i = 0; i < kBatch; ++i)
        {
            benchmark::DoNotOptimize(policy.activityTickle(kdrv::kPMSuperclassPolicy1, top));
        }
    }
    state.SetItemsProcessed(state.iterations() * kBatch);
    kdrvbench::setClockCounters(state);
}

// A tickle as one might write it without a cached level: mark activity,
// recompute the parent's cap, compare with the current state.
struct NaiveTickle
{
    const kdrv::PowerState* table;
    unsigned long count;
    kdrv::PowerFlags parentFlags;
    unsigned long current;
    bool activity;

    bool tickle(unsigned long type, unsigned long s)
    {
        if (type != kdrv::kPMSuperclassPolicy1 || s == 0 || s >= count)
        {
            return true;
        }
        activity = true;
        const unsigned long cap = linearParentCap(table, count, parentFlags);
        return current >= (s < cap ? s : cap);
    }
};

void tickleLinearScan(benchmark::State& state)
{
    const std::vector<kdrv::PowerState> table = makeTable(static_cast<int>(state.range(0)));
    NaiveTickle naive = {table.data(), table.size(), kdrv::kPMPowerOn, table.size() - 1, false};
    benchmark::DoNotOptimize(naive);
    const unsigned long top = table.size() - 1;
    for (auto _ : state)
    {
        for (int i = 0; i < kBatch; ++i)
        {
            benchmark::DoNotOptimize(naive.tickle(kdrv::kPMSuperclassPolicy1, top));
        }
    }
    state.SetItemsProcessed(state.iterations() * kBatch);
    kdrvbench::setClockCounters(state);
}
} // namespace

#define KDRV_POWER_LOOKUP_BENCH_(name, impl, parent)                                               \
    BENCHMARK_TEMPLATE(lookup, impl, parent)->Name(name)->Arg(2)->Arg(4)->Arg(8)
KDRV_POWER_LOOKUP_BENCH_("power.lookup_parent/kdrv", Impl::Kdrv, true);
KDRV_POWER_LOOKUP_BENCH_("power.lookup_parent/kdrv_scan", Impl::KdrvScan, true);
KDRV_POWER_LOOKUP_BENCH_("power.lookup_parent/linear_scan", Impl::LinearScan, true);
KDRV_POWER_LOOKUP_BENCH_("power.lookup_parent/direct_index", Impl::DirectIndex, true);
KDRV_POWER_LOOKUP_BENCH_("power.lookup_child/kdrv", Impl::Kdrv, false);
KDRV_POWER_LOOKUP_BENCH_("power.lookup_child/kdrv_scan", Impl::KdrvScan, false);
KDRV_POWER_LOOKUP_BENCH_("power.lookup_child/linear_scan", Impl::LinearScan, false);
KDRV_POWER_LOOKUP_BENCH_("power.lookup_child/direct_index", Impl::DirectIndex, false);
BENCHMARK(tickleKdrv)->Name("power.tickle/kdrv")->Arg(2)->Arg(4)->Arg(8);
BENCHMARK(tickleLinearScan)->Name("power.tickle/linear_scan")->Arg(2)->Arg(4)->Arg(8);
