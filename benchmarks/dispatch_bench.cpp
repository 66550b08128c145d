// SPDX-License-Identifier: MIT
//
// Method dispatch: kdrv's validated table against the ways a user-space
// program would route a request number to a handler. Every implementation
// runs the same handlers (one scalar in, one scalar out) over the same
// argument block; only the routing differs.
//
//   kdrv                 dispatchMethod(): consistency checks, output zeroing,
//                        bounds check, four row checks, flags, one indirect call
//   validated_by_hand    the same required work as dispatchMethod written plainly
//                        in the route (the like-for-like peer: what the checks
//                        themselves cost, whoever writes them)
//   unvalidated_table    bounds check + one indirect call (the floor for a table)
//   switch               a switch with the handlers inlined into its cases
//   unordered_map        std::unordered_map<uint32_t, std::function<...>>
//   std_function_array   bounds check + std::function call
//   direct_call          the handler called directly (predictable only)
//
// Selectors come from a 4096-entry array: all the same method
// ("call_predictable") or uniformly random ("call_random"), over 16 or 256
// methods (the benchmark argument). "reject" dispatches calls whose shape
// fails every row (the rejection path) next to the same four checks written
// by hand.
#include "bench_support.hpp"

#include "kdrv/dispatch.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <random>
#include <unordered_map>
#include <utility>
#include <vector>

namespace
{
using kdrv::MethodArgs;
using kdrv::MethodDispatch;
using kdrv::Status;

constexpr uint32_t kMaxMethods = 256;
constexpr uint32_t kSelectorCount = 4096;

// Handler K adds K: distinct bodies, so no two table entries fold together.
template <uint32_t K> Status handler(void*, void*, MethodArgs* a)
{
    a->scalarOutput[0] = a->scalarInput[0] + K;
    return Status::Success;
}

template <uint32_t... K>
constexpr std::array<MethodDispatch, sizeof...(K)> makeTable(std::integer_sequence<uint32_t, K...>)
{
    return {{{handler<K>, 1, 0, 1, 0, 0}...}};
}
constexpr std::array<MethodDispatch, kMaxMethods> kTable =
    makeTable(std::make_integer_sequence<uint32_t, kMaxMethods>{});

// Rows no call in the benchmark matches (two scalars in), for the rejection path.
template <uint32_t... K>
constexpr std::array<MethodDispatch, sizeof...(K)>
makeRejectTable(std::integer_sequence<uint32_t, K...>)
{
    return {{{handler<K>, 2, 0, 1, 0, 0}...}};
}
constexpr std::array<MethodDispatch, kMaxMethods> kRejectTable =
    makeRejectTable(std::make_integer_sequence<uint32_t, kMaxMethods>{});

// The same handlers as std::function, with the target and reference bound.
using Callable = std::function<Status(MethodArgs*)>;
template <uint32_t... K> std::vector<Callable> makeCallables(std::integer_sequence<uint32_t, K...>)
{
    return {Callable([](MethodArgs* a) { return handler<K>(nullptr, nullptr, a); })...};
}

// The switch: every case is a handler body, inlined.
#define KDRV_BENCH_CASE(k)                                                                         \
    case (k):                                                                                      \
        return handler<(k)>(nullptr, nullptr, a)
#define KDRV_BENCH_CASE4(k)                                                                        \
    KDRV_BENCH_CASE((k));                                                                          \
    KDRV_BENCH_CASE((k) + 1);                                                                      \
    KDRV_BENCH_CASE((k) + 2);                                                                      \
    KDRV_BENCH_CASE((k) + 3)
#define KDRV_BENCH_CASE16(k)                                                                       \
    KDRV_BENCH_CASE4((k));                                                                         \
    KDRV_BENCH_CASE4((k) + 4);                                                                     \
    KDRV_BENCH_CASE4((k) + 8);                                                                     \
    KDRV_BENCH_CASE4((k) + 12)
#define KDRV_BENCH_CASE64(k)                                                                       \
    KDRV_BENCH_CASE16((k));                                                                        \
    KDRV_BENCH_CASE16((k) + 16);                                                                   \
    KDRV_BENCH_CASE16((k) + 32);                                                                   \
    KDRV_BENCH_CASE16((k) + 48)

inline Status switch16(uint32_t selector, MethodArgs* a)
{
    switch (selector)
    {
        KDRV_BENCH_CASE16(0u);
    default:
        return Status::Unsupported;
    }
}
inline Status switch256(uint32_t selector, MethodArgs* a)
{
    switch (selector)
    {
        KDRV_BENCH_CASE64(0u);
        KDRV_BENCH_CASE64(64u);
        KDRV_BENCH_CASE64(128u);
        KDRV_BENCH_CASE64(192u);
    default:
        return Status::Unsupported;
    }
}

// One argument block, as a user client would receive it.
struct Block
{
    uint64_t in[1] = {7};
    uint64_t out[1] = {0};
    MethodArgs args{};
    Block()
    {
        args.version = kdrv::kMethodArgsVersion;
        args.scalarInput = in;
        args.scalarInputCount = 1;
        args.scalarOutput = out;
        args.scalarOutputCount = 1;
    }
};

std::vector<uint32_t> makeSelectors(uint32_t methods, bool random)
{
    std::vector<uint32_t> s(kSelectorCount, methods / 2 + 1);
    if (random)
    {
        std::mt19937 rng(12345);
        std::uniform_int_distribution<uint32_t> pick(0, methods - 1);
        for (uint32_t& v : s)
        {
            v = pick(rng);
        }
    }
    return s;
}

uint32_t methodsOf(const benchmark::State& state) { return static_cast<uint32_t>(state.range(0)); }

// Shared loop: `route` is the implementation under test.
template <typename Route> void runCalls(benchmark::State& state, bool random, Route route)
{
    const uint32_t methods = methodsOf(state);
    const std::vector<uint32_t> selectors = makeSelectors(methods, random);
    Block b;
    uint32_t i = 0;
    int failures = 0;
    for (auto _ : state)
    {
        const uint32_t selector = selectors[i++ & (kSelectorCount - 1)];
        const Status s = route(methods, selector, &b.args);
        failures += s != Status::Success;
        benchmark::DoNotOptimize(b.out[0]);
    }
    if (failures != 0)
    {
        state.SkipWithError("a call failed");
    }
    state.SetItemsProcessed(state.iterations());
    kdrvbench::setClockCounters(state);
}

// Every route is forced inline, as its comment below promises: a route the
// compiler leaves out of line pays a call and register saves the others do not.
#define KDRV_BENCH_ROUTE_INLINE inline __attribute__((always_inline))

KDRV_BENCH_ROUTE_INLINE Status routeKdrv(uint32_t methods, uint32_t selector, MethodArgs* a)
{
    return kdrv::dispatchMethod(kTable.data(), methods, selector, a, nullptr, nullptr);
}

KDRV_BENCH_ROUTE_INLINE Status routeUnvalidated(uint32_t methods, uint32_t selector, MethodArgs* a)
{
    if (selector >= methods)
    {
        return Status::Unsupported;
    }
    return kTable[selector].function(nullptr, nullptr, a);
}

KDRV_BENCH_ROUTE_INLINE Status routeSwitch(uint32_t methods, uint32_t selector, MethodArgs* a)
{
    return methods == 16 ? switch16(selector, a) : switch256(selector, a);
}

// Everything dispatchMethod must do (see the contract in dispatch.hpp), written
// the obvious way: the same checks in the same order, the same zeroing, the
// same Spectre index mask and the same overrun clamp.
KDRV_BENCH_ROUTE_INLINE Status routeByHand(uint32_t methods, uint32_t selector, MethodArgs* a)
{
    if (a == nullptr)
    {
        return Status::BadArgument;
    }
    if (a->scalarInputCount > kdrv::kScalarMax || a->scalarOutputCount > kdrv::kScalarMax ||
        a->structureInputSize > kdrv::kInlineStructMax ||
        a->structureOutputSize > kdrv::kInlineStructMax)
    {
        return Status::BadArgument;
    }
    if ((a->scalarInputCount != 0 && a->scalarInput == nullptr) ||
        (a->scalarOutputCount != 0 && a->scalarOutput == nullptr) ||
        (a->structureInputSize != 0 && a->structureInput == nullptr) ||
        (a->structureOutputSize != 0 && a->structureOutput == nullptr) ||
        (a->asyncReferenceCount != 0 && a->asyncReference == nullptr))
    {
        return Status::BadArgument;
    }
    if (a->structureInputDescriptor != nullptr ? a->structureInputSize != 0
                                               : a->structureInputDescriptorLength != 0)
    {
        return Status::BadArgument;
    }
    if (a->structureOutputDescriptor != nullptr
            ? a->structureOutputSize != 0
            : (a->structureOutputDescriptorLength != 0 || a->structureOutputDescriptorSize != 0))
    {
        return Status::BadArgument;
    }
    const uint32_t scalarCap = a->scalarOutputCount;
    const uint32_t structCap = a->structureOutputSize;
    const uint32_t descCap = a->structureOutputDescriptorSize;
    if (scalarCap != 0)
    {
        std::memset(a->scalarOutput, 0, scalarCap * sizeof(uint64_t));
    }
    if (structCap != 0)
    {
        std::memset(a->structureOutput, 0, structCap);
    }
    const MethodDispatch* table = kTable.data();
    if (table == nullptr)
    {
        return Status::Error;
    }
    if (selector >= methods)
    {
        return Status::Unsupported;
    }
    // Spectre v1 index mask, hidden from the optimizer as dispatchMethod's is.
    uint64_t diff = static_cast<uint64_t>(selector) - methods;
    __asm__("" : "+r"(diff));
    const MethodDispatch& row = table[selector & static_cast<uint32_t>(0u - (diff >> 63))];
    const uint64_t inSize = a->structureInputDescriptor != nullptr
                                ? a->structureInputDescriptorLength
                                : a->structureInputSize;
    const uint64_t outSize = a->structureOutputDescriptor != nullptr
                                 ? a->structureOutputDescriptorLength
                                 : a->structureOutputSize;
    if ((row.checkScalarInputCount != kdrv::kVariableSize &&
         row.checkScalarInputCount != a->scalarInputCount) ||
        (row.checkStructureInputSize != kdrv::kVariableSize &&
         row.checkStructureInputSize != inSize) ||
        (row.checkScalarOutputCount != kdrv::kVariableSize &&
         row.checkScalarOutputCount != a->scalarOutputCount) ||
        (row.checkStructureOutputSize != kdrv::kVariableSize &&
         row.checkStructureOutputSize != outSize))
    {
        return Status::BadArgument;
    }
    if (a->asyncWakePort != 0 && ((row.flags & kdrv::kMethodAllowAsync) == 0 ||
                                  a->asyncReference == nullptr || a->asyncReferenceCount == 0))
    {
        return Status::BadArgument;
    }
    if ((row.flags & kdrv::kMethodRequireAdmin) != 0 && !a->clientPrivileged)
    {
        return Status::NotPrivileged;
    }
    if (row.function == nullptr)
    {
        return Status::NoCompletion;
    }
    const Status result = row.function(nullptr, nullptr, a);
    if (a->scalarOutputCount > scalarCap || a->structureOutputSize > structCap ||
        a->structureOutputDescriptorSize > descCap)
    {
        a->scalarOutputCount = std::min(a->scalarOutputCount, scalarCap);
        a->structureOutputSize = std::min(a->structureOutputSize, structCap);
        a->structureOutputDescriptorSize = std::min(a->structureOutputDescriptorSize, descCap);
        return Status::Overrun;
    }
    return result;
}

// --- call_predictable / call_random --------------------------------------

// Routes are passed as lambdas so each one is inlined into the timed loop.
#define KDRV_BENCH_ROUTE(fn) [](uint32_t m, uint32_t s, MethodArgs* a) { return fn(m, s, a); }

void callPredictableKdrv(benchmark::State& state)
{
    runCalls(state, false, KDRV_BENCH_ROUTE(routeKdrv));
}
void callRandomKdrv(benchmark::State& state) { runCalls(state, true, KDRV_BENCH_ROUTE(routeKdrv)); }
void callPredictableByHand(benchmark::State& state)
{
    runCalls(state, false, KDRV_BENCH_ROUTE(routeByHand));
}
void callRandomByHand(benchmark::State& state)
{
    runCalls(state, true, KDRV_BENCH_ROUTE(routeByHand));
}
void callPredictableUnvalidated(benchmark::State& state)
{
    runCalls(state, false, KDRV_BENCH_ROUTE(routeUnvalidated));
}
void callRandomUnvalidated(benchmark::State& state)
{
    runCalls(state, true, KDRV_BENCH_ROUTE(routeUnvalidated));
}
void callPredictableSwitch(benchmark::State& state)
{
    runCalls(state, false, KDRV_BENCH_ROUTE(routeSwitch));
}
void callRandomSwitch(benchmark::State& state)
{
    runCalls(state, true, KDRV_BENCH_ROUTE(routeSwitch));
}

void callMap(benchmark::State& state, bool random)
{
    const uint32_t methods = methodsOf(state);
    const std::vector<Callable> callables =
        makeCallables(std::make_integer_sequence<uint32_t, kMaxMethods>{});
    std::unordered_map<uint32_t, Callable> map;
    for (uint32_t k = 0; k < methods; ++k)
    {
        map.emplace(k, callables[k]);
    }
    runCalls(state, random,
             [&map](uint32_t, uint32_t selector, MethodArgs* a)
             {
                 const auto it = map.find(selector);
                 return it == map.end() ? Status::Unsupported : it->second(a);
             });
}
void callPredictableMap(benchmark::State& state) { callMap(state, false); }
void callRandomMap(benchmark::State& state) { callMap(state, true); }

void callFunctionArray(benchmark::State& state, bool random)
{
    const std::vector<Callable> callables =
        makeCallables(std::make_integer_sequence<uint32_t, kMaxMethods>{});
    runCalls(state, random,
             [&callables](uint32_t methods, uint32_t selector, MethodArgs* a)
             { return selector < methods ? callables[selector](a) : Status::Unsupported; });
}
void callPredictableFunctionArray(benchmark::State& state) { callFunctionArray(state, false); }
void callRandomFunctionArray(benchmark::State& state) { callFunctionArray(state, true); }

// The handler itself, called by name: what any routing adds is measured
// against this. Not inlined, as a table's handler cannot be.
__attribute__((noinline)) Status directHandler(MethodArgs* a)
{
    return handler<9>(nullptr, nullptr, a);
}
void callPredictableDirect(benchmark::State& state)
{
    runCalls(state, false, [](uint32_t, uint32_t, MethodArgs* a) { return directHandler(a); });
}

// --- reject ----------------------------------------------------------------

void rejectKdrv(benchmark::State& state)
{
    const uint32_t methods = methodsOf(state);
    const std::vector<uint32_t> selectors = makeSelectors(methods, false);
    Block b;
    uint32_t i = 0;
    int accepted = 0;
    for (auto _ : state)
    {
        const uint32_t selector = selectors[i++ & (kSelectorCount - 1)];
        const Status s =
            kdrv::dispatchMethod(kRejectTable.data(), methods, selector, &b.args, nullptr, nullptr);
        accepted += s != Status::BadArgument;
        benchmark::DoNotOptimize(b.out[0]);
    }
    if (accepted != 0)
    {
        state.SkipWithError("a call was accepted");
    }
    state.SetItemsProcessed(state.iterations());
    kdrvbench::setClockCounters(state);
}

// The least a rejecting dispatcher can do: bounds check and the four exact
// comparisons, nothing else.
void rejectManualChecks(benchmark::State& state)
{
    const uint32_t methods = methodsOf(state);
    const std::vector<uint32_t> selectors = makeSelectors(methods, false);
    Block b;
    uint32_t i = 0;
    int accepted = 0;
    for (auto _ : state)
    {
        const uint32_t selector = selectors[i++ & (kSelectorCount - 1)];
        Status s = Status::Unsupported;
        if (selector < methods)
        {
            const MethodDispatch& row = kRejectTable[selector];
            const MethodArgs& a = b.args;
            if (row.checkScalarInputCount != a.scalarInputCount ||
                row.checkStructureInputSize != a.structureInputSize ||
                row.checkScalarOutputCount != a.scalarOutputCount ||
                row.checkStructureOutputSize != a.structureOutputSize)
            {
                s = Status::BadArgument;
            }
            else
            {
                s = row.function(nullptr, nullptr, &b.args);
            }
        }
        accepted += s != Status::BadArgument;
        benchmark::DoNotOptimize(b.out[0]);
    }
    if (accepted != 0)
    {
        state.SkipWithError("a call was accepted");
    }
    state.SetItemsProcessed(state.iterations());
    kdrvbench::setClockCounters(state);
}
} // namespace

#define KDRV_DISPATCH_BENCH(name, fn) BENCHMARK(fn)->Name(name)->Arg(16)->Arg(256)

KDRV_DISPATCH_BENCH("dispatch.call_predictable/kdrv", callPredictableKdrv);
KDRV_DISPATCH_BENCH("dispatch.call_predictable/validated_by_hand", callPredictableByHand);
KDRV_DISPATCH_BENCH("dispatch.call_predictable/unvalidated_table", callPredictableUnvalidated);
KDRV_DISPATCH_BENCH("dispatch.call_predictable/switch", callPredictableSwitch);
KDRV_DISPATCH_BENCH("dispatch.call_predictable/unordered_map", callPredictableMap);
KDRV_DISPATCH_BENCH("dispatch.call_predictable/std_function_array", callPredictableFunctionArray);
KDRV_DISPATCH_BENCH("dispatch.call_predictable/direct_call", callPredictableDirect);

KDRV_DISPATCH_BENCH("dispatch.call_random/kdrv", callRandomKdrv);
KDRV_DISPATCH_BENCH("dispatch.call_random/validated_by_hand", callRandomByHand);
KDRV_DISPATCH_BENCH("dispatch.call_random/unvalidated_table", callRandomUnvalidated);
KDRV_DISPATCH_BENCH("dispatch.call_random/switch", callRandomSwitch);
KDRV_DISPATCH_BENCH("dispatch.call_random/unordered_map", callRandomMap);
KDRV_DISPATCH_BENCH("dispatch.call_random/std_function_array", callRandomFunctionArray);

KDRV_DISPATCH_BENCH("dispatch.reject/kdrv", rejectKdrv);
KDRV_DISPATCH_BENCH("dispatch.reject/manual_checks", rejectManualChecks);
