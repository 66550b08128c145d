// SPDX-License-Identifier: MIT
//
// External-method dispatch: the edge cases of dispatch.md section 6, each
// test case named after its number ("6.N"). Cases 28-32 (kernel-control
// options) are in option_table_test.cpp.
#include "kdrv/dispatch.hpp"
#include "kdrv/gsl.hpp"
#include "kdrv/platform/xnu_dispatch.hpp"

#include <doctest/doctest.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

using kdrv::MethodArgs;
using kdrv::MethodDispatch;
using kdrv::SelectorPolicy;
using kdrv::Status;

namespace
{
// ---------------------------------------------------------------------------
// The book's timer user client (Chapter 5), written kdrv's way.

struct TimerValue
{
    uint64_t time;
    uint64_t timebase;
};
// 6.11: every shared struct has one layout in 32- and 64-bit processes.
static_assert(sizeof(TimerValue) == 16, "TimerValue is 16 bytes");
static_assert(offsetof(TimerValue, time) == 0 && offsetof(TimerValue, timebase) == 8,
              "TimerValue layout");

enum TimerSelector : uint32_t
{
    kStartTimer,
    kStopTimer,
    kGetElapsedTimerTime,
    kGetElapsedTimerValue,
    kDelayForMs,
    kDelayForTime,
    kInstallTimer,
    kResetCounters,
    kTimerMethodCount
};

// What the handlers saw, for the assertions.
struct Probe
{
    int calls = 0;
    void* target = nullptr;
    void* reference = nullptr;
    MethodArgs seen{};
    bool sawAsync = false;
    uint64_t lastScalar = 0;
    TimerValue lastValue{};
};

class TimerClient
{
  public:
    Probe probe;
    bool started = false;
    uint64_t startTime = 0;
    uint64_t delayed = 0;

    void record(void* target, void* reference, const MethodArgs* a)
    {
        ++probe.calls;
        probe.target = target;
        probe.reference = reference;
        probe.seen = *a;
        probe.sawAsync = kdrv::isAsync(a);
    }
};

TimerClient* self(void* target) { return static_cast<TimerClient*>(target); }

Status sStartTimer(void* target, void* reference, MethodArgs* a)
{
    TimerClient* me = self(target);
    me->record(target, reference, a);
    me->started = true;
    me->startTime = 1000;
    return Status::Success;
}
Status sStopTimer(void* target, void* reference, MethodArgs* a)
{
    TimerClient* me = self(target);
    me->record(target, reference, a);
    me->started = false;
    return Status::Success;
}
Status sGetElapsedTimerTime(void* target, void* reference, MethodArgs* a)
{
    TimerClient* me = self(target);
    me->record(target, reference, a);
    if (!me->started)
    {
        return Status::NotReady; // 6.19: a state error, the handler's to report
    }
    a->scalarOutput[0] = 2500 - me->startTime;
    return Status::Success;
}
Status sGetElapsedTimerValue(void* target, void* reference, MethodArgs* a)
{
    TimerClient* me = self(target);
    me->record(target, reference, a);
    const TimerValue v = {1500, 1000000000u};
    memcpy(a->structureOutput, &v, sizeof v);
    return Status::Success;
}
Status sDelayForMs(void* target, void* reference, MethodArgs* a)
{
    TimerClient* me = self(target);
    me->record(target, reference, a);
    const uint64_t raw = a->scalarInput[0];
    me->probe.lastScalar = raw;
    // 6.6: narrowing to 32 bits range-checks first.
    if (raw > UINT32_MAX)
    {
        return Status::BadArgument;
    }
    me->delayed += static_cast<uint32_t>(raw);
    return Status::Success;
}
Status sDelayForTime(void* target, void* reference, MethodArgs* a)
{
    TimerClient* me = self(target);
    me->record(target, reference, a);
    // 6.11: the inline buffer need not be aligned for TimerValue: memcpy.
    memcpy(&me->probe.lastValue, a->structureInput, sizeof(TimerValue));
    return Status::Success;
}
Status sInstallTimer(void* target, void* reference, MethodArgs* a)
{
    TimerClient* me = self(target);
    me->record(target, reference, a);
    return Status::Success;
}
Status sResetCounters(void* target, void* reference, MethodArgs* a)
{
    TimerClient* me = self(target);
    me->record(target, reference, a);
    me->delayed = 0;
    return Status::Success;
}

const MethodDispatch sTimerMethods[] = {
    {sStartTimer, 0, 0, 0, 0, 0},
    {sStopTimer, 0, 0, 0, 0, 0},
    {sGetElapsedTimerTime, 0, 0, 1, 0, 0},
    {sGetElapsedTimerValue, 0, 0, 0, sizeof(TimerValue), 0},
    {sDelayForMs, 1, 0, 0, 0, 0},
    {sDelayForTime, 0, sizeof(TimerValue), 0, 0, 0},
    {sInstallTimer, 1, 0, 0, 0, kdrv::kMethodAllowAsync},
    {sResetCounters, 0, 0, 0, 0, kdrv::kMethodRequireAdmin},
};
KDRV_STATIC_ASSERT_METHOD_TABLE(sTimerMethods, kTimerMethodCount);

// ---------------------------------------------------------------------------
// A call: real buffers for every pointer, filled with a sentinel so zeroing
// and stray writes show.

constexpr uint8_t kSentinel = 0xA5;

struct Call
{
    uint64_t scalarsIn[kdrv::kScalarMax + 2];
    uint64_t scalarsOut[kdrv::kScalarMax + 2];
    alignas(16) uint8_t structIn[kdrv::kInlineStructMax + 64];
    alignas(16) uint8_t structOut[kdrv::kInlineStructMax + 64];
    uint64_t asyncWords[kdrv::kAsyncRefCount + 4];
    int inDescriptor = 0; // only its address is used, as an opaque handle
    int outDescriptor = 0;
    MethodArgs a{};

    Call()
    {
        memset(scalarsIn, 0, sizeof scalarsIn);
        memset(scalarsOut, kSentinel, sizeof scalarsOut);
        memset(structIn, 0, sizeof structIn);
        memset(structOut, kSentinel, sizeof structOut);
        memset(asyncWords, 0, sizeof asyncWords);
        a.version = kdrv::kMethodArgsVersion;
    }
    Call& scalarIn(uint32_t n)
    {
        a.scalarInput = scalarsIn;
        a.scalarInputCount = n;
        return *this;
    }
    Call& scalarOut(uint32_t n)
    {
        a.scalarOutput = scalarsOut;
        a.scalarOutputCount = n;
        return *this;
    }
    Call& structureIn(uint32_t n)
    {
        a.structureInput = structIn;
        a.structureInputSize = n;
        return *this;
    }
    Call& structureOut(uint32_t n)
    {
        a.structureOutput = structOut;
        a.structureOutputSize = n;
        return *this;
    }
    Call& descriptorIn(uint64_t length)
    {
        a.structureInputDescriptor = &inDescriptor;
        a.structureInputDescriptorLength = length;
        return *this;
    }
    Call& descriptorOut(uint64_t length)
    {
        a.structureOutputDescriptor = &outDescriptor;
        a.structureOutputDescriptorLength = length;
        a.structureOutputDescriptorSize = static_cast<uint32_t>(length);
        return *this;
    }
    Call& async(uint32_t words)
    {
        a.asyncWakePort = 0x1234;
        a.asyncReference = asyncWords;
        a.asyncReferenceCount = words;
        return *this;
    }
    bool scalarOutIsSentinel() const
    {
        for (uint64_t v : scalarsOut)
        {
            if (v != 0xA5A5A5A5A5A5A5A5ull)
            {
                return false;
            }
        }
        return true;
    }
    size_t zeroScalarOuts() const
    {
        size_t n = 0;
        while (n < KDRV_COUNTOF(scalarsOut) && scalarsOut[n] == 0)
        {
            ++n;
        }
        return n;
    }
    size_t zeroStructOut() const
    {
        size_t n = 0;
        while (n < sizeof structOut && structOut[n] == 0)
        {
            ++n;
        }
        return n;
    }
};

Status call(TimerClient& client, uint32_t selector, Call& c,
            SelectorPolicy policy = SelectorPolicy::Unsupported)
{
    return kdrv::dispatchMethod(sTimerMethods, kTimerMethodCount, selector, &c.a, &client, nullptr,
                                policy);
}

// A generic handler for tables built inside tests; `target` is a Probe.
Status probeHandler(void* target, void* reference, MethodArgs* a)
{
    Probe* p = static_cast<Probe*>(target);
    ++p->calls;
    p->target = target;
    p->reference = reference;
    p->seen = *a;
    p->sawAsync = kdrv::isAsync(a);
    return Status::Success;
}

Status dispatchRow(const MethodDispatch& row, Call& c, Probe& p)
{
    return kdrv::dispatchMethod(&row, 1, 0, &c.a, &p, nullptr);
}
} // namespace

// ===========================================================================
// Selector and table

TEST_CASE("dispatch 6.1: selector range, empty and NULL table, NULL args, both policies")
{
    for (SelectorPolicy policy : {SelectorPolicy::Unsupported, SelectorPolicy::BadArgument})
    {
        const Status outOfRange =
            policy == SelectorPolicy::Unsupported ? Status::Unsupported : Status::BadArgument;
        TimerClient client;
        Call c;
        CHECK(call(client, kTimerMethodCount, c, policy) == outOfRange);
        CHECK(call(client, UINT32_MAX, c, policy) == outOfRange);
        CHECK(call(client, kTimerMethodCount + 1, c, policy) == outOfRange);
        CHECK(client.probe.calls == 0);

        // count - 1 is the last valid selector (admin-only: grant it).
        c.a.clientPrivileged = true;
        CHECK(call(client, kTimerMethodCount - 1, c, policy) == Status::Success);
        CHECK(client.probe.calls == 1);

        // An empty table: every selector is out of range.
        Call e;
        CHECK(kdrv::dispatchMethod(sTimerMethods, 0, 0, &e.a, &client, nullptr, policy) ==
              outOfRange);
        // A NULL table is Error under either policy.
        CHECK(kdrv::dispatchMethod(nullptr, kTimerMethodCount, 0, &e.a, &client, nullptr, policy) ==
              Status::Error);
        CHECK(kdrv::dispatchMethod(nullptr, 0, 0, &e.a, &client, nullptr, policy) == Status::Error);
        // NULL args is BadArgument, before anything else.
        CHECK(kdrv::dispatchMethod(sTimerMethods, kTimerMethodCount, 0, nullptr, &client, nullptr,
                                   policy) == Status::BadArgument);
        CHECK(kdrv::dispatchMethod(nullptr, 0, UINT32_MAX, nullptr, nullptr, nullptr, policy) ==
              Status::BadArgument);
        CHECK(client.probe.calls == 1);
    }
    // The default policy is the book's.
    TimerClient client;
    Call c;
    CHECK(kdrv::dispatchMethod(sTimerMethods, kTimerMethodCount, kTimerMethodCount, &c.a, &client,
                               nullptr) == Status::Unsupported);
}

TEST_CASE("dispatch 6.2: NULL function is NoCompletion only after the checks pass")
{
    const MethodDispatch row = {nullptr, 1, 0, 0, 0, 0};
    Probe p;
    Call ok;
    ok.scalarIn(1);
    CHECK(dispatchRow(row, ok, p) == Status::NoCompletion);
    Call wrong;
    wrong.scalarIn(2);
    CHECK(dispatchRow(row, wrong, p) == Status::BadArgument);
    Call none;
    CHECK(dispatchRow(row, none, p) == Status::BadArgument);
}

namespace
{
// 6.3: the book's five-value rows (Listing 5-11 after its errata) compile,
// with flags = 0, and without a missing-initializer warning (this file is
// built with -Werror): the row's constructor defaults the flags.
const MethodDispatch sBookStyle[] = {
    {sGetElapsedTimerTime, 0, 0, 1, 0},
    {sGetElapsedTimerValue, 0, 0, 0, sizeof(TimerValue)},
    {sDelayForMs, 1, 0, 0, 0},
    {sDelayForTime, 0, sizeof(TimerValue), 0, 0},
};
enum BookSelector
{
    kBookElapsedTime,
    kBookElapsedValue,
    kBookDelayMs,
    kBookDelayTime,
    kBookMethodCount
};
KDRV_STATIC_ASSERT_METHOD_TABLE(sBookStyle, kBookMethodCount);

// A table one row short of its enum. KDRV_STATIC_ASSERT_METHOD_TABLE on it
// would not compile; the condition it asserts is checked false here.
const MethodDispatch sShortTable[] = {
    {sStartTimer, 0, 0, 0, 0, 0},
    {sStopTimer, 0, 0, 0, 0, 0},
};
static_assert(!KDRV_METHOD_TABLE_MATCHES(sShortTable, kTimerMethodCount),
              "a short table must not match its enum");
static_assert(!KDRV_METHOD_TABLE_MATCHES(sTimerMethods, kTimerMethodCount + 1),
              "a long enum must not match");
static_assert(KDRV_METHOD_TABLE_MATCHES(sTimerMethods, kTimerMethodCount), "exact match");

// A table declared with a bound cannot be short either: a row has no default
// constructor, so the compiler cannot zero-fill a missing one. (The
// declaration itself failing is proven by the dispatch/short_table_* CTest
// tests, which compile tests/compile_fail/ sources and expect an error.)
static_assert(!std::is_default_constructible<MethodDispatch>::value,
              "a method row must not be default-constructible");
static_assert(std::is_trivially_copyable<MethodDispatch>::value &&
                  std::is_standard_layout<MethodDispatch>::value,
              "a method row stays a plain, copyable record");
} // namespace

TEST_CASE("dispatch 6.3: table/enum length is checked at compile time, book rows compile")
{
    for (const MethodDispatch& row : sBookStyle)
    {
        CHECK(row.flags == 0u);
    }
    TimerClient client;
    Call c;
    c.scalarIn(1);
    c.scalarsIn[0] = 7;
    CHECK(kdrv::dispatchMethod(sBookStyle, kBookMethodCount, kBookDelayMs, &c.a, &client,
                               nullptr) == Status::Success);
    CHECK(client.delayed == 7u);
    CHECK(KDRV_COUNTOF(sShortTable) == 2u);
    CHECK((sShortTable[1].function == &sStopTimer));
}

// ===========================================================================
// Scalar input

TEST_CASE("dispatch 6.4: scalar input count must match exactly")
{
    TimerClient client;
    for (uint32_t n : {0u, 2u, 3u, 16u})
    {
        Call c;
        c.scalarIn(n);
        CHECK_MESSAGE(call(client, kDelayForMs, c) == Status::BadArgument, "count " << n);
    }
    Call one;
    one.scalarIn(1);
    CHECK(call(client, kStartTimer, one) == Status::BadArgument); // 1 when 0 expected
    CHECK(client.probe.calls == 0);
    Call exact;
    exact.scalarIn(1);
    CHECK(call(client, kDelayForMs, exact) == Status::Success);
    CHECK(client.probe.calls == 1);
}

TEST_CASE("dispatch 6.5: variable scalar count accepts 0..16, rejects 17 and NULL")
{
    const MethodDispatch row = {probeHandler, kdrv::kVariableSize, 0, 0, 0, 0};
    for (uint32_t n : {0u, 1u, 15u, 16u})
    {
        Probe p;
        Call c;
        c.scalarIn(n);
        CHECK(dispatchRow(row, c, p) == Status::Success);
        CHECK(p.seen.scalarInputCount == n);
    }
    Probe p;
    Call c17;
    c17.scalarIn(17);
    CHECK(dispatchRow(row, c17, p) == Status::BadArgument);
    Call nullWithCount;
    nullWithCount.a.scalarInput = nullptr;
    nullWithCount.a.scalarInputCount = 1;
    CHECK(dispatchRow(row, nullWithCount, p) == Status::BadArgument);
    Call nullZero; // NULL with count 0 is simply "no scalars"
    CHECK(dispatchRow(row, nullZero, p) == Status::Success);
    CHECK(p.calls == 1);
}

TEST_CASE("dispatch 6.6: scalar values reach the handler unchanged, narrowing is range-checked")
{
    TimerClient client;
    for (uint64_t v : {uint64_t(0), uint64_t(UINT32_MAX), UINT64_MAX})
    {
        Call c;
        c.scalarIn(1);
        c.scalarsIn[0] = v;
        const Status s = call(client, kDelayForMs, c);
        CHECK(client.probe.lastScalar == v);
        CHECK(s == (v > UINT32_MAX ? Status::BadArgument : Status::Success));
    }
    CHECK(client.delayed == uint64_t(UINT32_MAX));
    CHECK(client.probe.calls == 3);
}

// ===========================================================================
// Structure input

TEST_CASE("dispatch 6.7: structure input size must match exactly")
{
    TimerClient client;
    for (uint32_t n : {15u, 17u, 0u, 32u})
    {
        Call c;
        if (n != 0)
        {
            c.structureIn(n);
        }
        CHECK_MESSAGE(call(client, kDelayForTime, c) == Status::BadArgument, "size " << n);
    }
    Call extra; // N when 0 is expected
    extra.structureIn(16);
    CHECK(call(client, kStartTimer, extra) == Status::BadArgument);
    CHECK(client.probe.calls == 0);

    Call exact;
    exact.structureIn(sizeof(TimerValue));
    const TimerValue v = {42, 7};
    memcpy(exact.structIn, &v, sizeof v);
    CHECK(call(client, kDelayForTime, exact) == Status::Success);
    CHECK(client.probe.lastValue.time == 42u);
    CHECK(client.probe.lastValue.timebase == 7u);
}

TEST_CASE("dispatch 6.8: variable structure input: inline up to 4096, larger only by descriptor")
{
    const MethodDispatch row = {probeHandler, 0, kdrv::kVariableSize, 0, 0, 0};
    Probe p;
    Call none;
    CHECK(dispatchRow(row, none, p) == Status::Success);
    Call inl;
    inl.structureIn(4096);
    CHECK(dispatchRow(row, inl, p) == Status::Success);
    CHECK(p.seen.structureInputSize == 4096u);
    Call desc;
    desc.descriptorIn(4097);
    CHECK(dispatchRow(row, desc, p) == Status::Success);
    CHECK(p.seen.structureInputDescriptorLength == 4097u);
    CHECK(p.calls == 3);
    Call big;
    big.structureIn(4097);
    CHECK(dispatchRow(row, big, p) == Status::BadArgument);
    CHECK(p.calls == 3);
}

TEST_CASE("dispatch 6.9: descriptor length wins, inline+descriptor rejected, no 2^32 aliasing")
{
    const MethodDispatch row = {probeHandler, 0, 16, 0, 0, 0};
    Probe p;
    Call desc16;
    desc16.descriptorIn(16);
    CHECK(dispatchRow(row, desc16, p) == Status::Success);
    Call desc17;
    desc17.descriptorIn(17);
    CHECK(dispatchRow(row, desc17, p) == Status::BadArgument);
    Call both;
    both.structureIn(16).descriptorIn(16);
    CHECK(dispatchRow(row, both, p) == Status::BadArgument);
    Call alias;
    alias.descriptorIn((uint64_t(1) << 32) + 16);
    CHECK(dispatchRow(row, alias, p) == Status::BadArgument);
    // A length without a descriptor is inconsistent.
    Call orphan;
    orphan.a.structureInputDescriptorLength = 16;
    CHECK(dispatchRow(row, orphan, p) == Status::BadArgument);
    CHECK(p.calls == 1);

    // The same for the output direction.
    const MethodDispatch outRow = {probeHandler, 0, 0, 0, 16, 0};
    Probe q;
    Call out16;
    out16.descriptorOut(16);
    CHECK(dispatchRow(outRow, out16, q) == Status::Success);
    Call outBoth;
    outBoth.structureOut(16).descriptorOut(16);
    CHECK(dispatchRow(outRow, outBoth, q) == Status::BadArgument);
    Call outAlias;
    outAlias.descriptorOut((uint64_t(1) << 32) + 16);
    CHECK(dispatchRow(outRow, outAlias, q) == Status::BadArgument);
    CHECK(q.calls == 1);
}

TEST_CASE("dispatch 6.10: NULL structure pointer with a size is rejected, pointer with 0 is fine")
{
    const MethodDispatch zero = {probeHandler, 0, 0, 0, 0, 0};
    const MethodDispatch sixteen = {probeHandler, 0, 16, 0, 16, 0};
    Probe p;
    Call nullIn;
    nullIn.a.structureInputSize = 16;
    CHECK(dispatchRow(sixteen, nullIn, p) == Status::BadArgument);
    Call nullOut;
    nullOut.structureIn(16);
    nullOut.a.structureOutputSize = 16;
    CHECK(dispatchRow(sixteen, nullOut, p) == Status::BadArgument);
    CHECK(p.calls == 0);
    Call ptrZero;
    ptrZero.structureIn(0).structureOut(0);
    CHECK(dispatchRow(zero, ptrZero, p) == Status::Success);
    CHECK(p.calls == 1);
}

TEST_CASE("dispatch 6.11: unaligned structure input is read with memcpy, shared layouts pinned")
{
    static_assert(sizeof(kdrv::AsyncRef) == 64, "AsyncRef is OSAsyncReference64-sized");
    static_assert(offsetof(MethodDispatch, function) == 0, "row: function first");
    static_assert(offsetof(MethodDispatch, checkScalarInputCount) == sizeof(void*),
                  "row: checks follow the function pointer");
    static_assert(offsetof(MethodDispatch, checkStructureOutputSize) == sizeof(void*) + 12,
                  "row: four 32-bit checks");
    static_assert(offsetof(MethodDispatch, flags) == sizeof(void*) + 16, "row: flags last");

    TimerClient client;
    Call c;
    const TimerValue v = {0x1122334455667788ull, 0x99AABBCCDDEEFF00ull};
    // Place the structure at an odd address inside the inline buffer.
    memcpy(c.structIn + 1, &v, sizeof v);
    c.a.structureInput = c.structIn + 1;
    c.a.structureInputSize = sizeof v;
    CHECK(call(client, kDelayForTime, c) == Status::Success);
    CHECK(client.probe.lastValue.time == v.time);
    CHECK(client.probe.lastValue.timebase == v.timebase);
}

// ===========================================================================
// Outputs

TEST_CASE("dispatch 6.12: scalar output capacity must match exactly, 0 and NULL count as 0")
{
    TimerClient client;
    client.started = true;
    client.startTime = 1000;
    Call big;
    big.scalarOut(16);
    CHECK(call(client, kGetElapsedTimerTime, big) == Status::BadArgument);
    Call zero;
    zero.scalarOut(0);
    CHECK(call(client, kGetElapsedTimerTime, zero) == Status::BadArgument);
    Call null; // no output array at all
    CHECK(call(client, kGetElapsedTimerTime, null) == Status::BadArgument);
    CHECK(client.probe.calls == 0);
    // 0 and NULL are accepted where 0 is expected.
    CHECK(call(client, kStartTimer, null) == Status::Success);
    Call zeroPtr;
    zeroPtr.scalarOut(0);
    CHECK(call(client, kStartTimer, zeroPtr) == Status::Success);
    Call one;
    one.scalarOut(1);
    CHECK(call(client, kGetElapsedTimerTime, one) == Status::Success);
    CHECK(one.scalarsOut[0] == 1500u);
    CHECK(one.a.scalarOutputCount == 1u);
}

namespace
{
const char kVersionString[] = "kdrv timer 1.0";

Status sGetVersionString(void* target, void*, MethodArgs* a)
{
    Probe* p = static_cast<Probe*>(target);
    ++p->calls;
    const uint32_t n = static_cast<uint32_t>(sizeof kVersionString);
    if (a->structureOutputSize < n)
    {
        return Status::NoSpace;
    }
    memcpy(a->structureOutput, kVersionString, n);
    a->structureOutputSize = n; // shrink to what was written
    return Status::Success;
}
} // namespace

TEST_CASE("dispatch 6.13: structure output: exact size, variable marker, handler may shrink")
{
    TimerClient client;
    Call big;
    big.structureOut(32);
    CHECK(call(client, kGetElapsedTimerValue, big) == Status::BadArgument);
    Call exact;
    exact.structureOut(16);
    CHECK(call(client, kGetElapsedTimerValue, exact) == Status::Success);
    TimerValue v;
    memcpy(&v, exact.structOut, sizeof v);
    CHECK(v.time == 1500u);

    const MethodDispatch row = {sGetVersionString, 0, 0, 0, kdrv::kVariableSize, 0};
    for (uint32_t cap : {15u, 64u, 4096u})
    {
        Probe p;
        Call c;
        c.structureOut(cap);
        CHECK(dispatchRow(row, c, p) == Status::Success);
        CHECK(c.a.structureOutputSize == sizeof kVersionString);
        CHECK(strcmp(reinterpret_cast<const char*>(c.structOut), kVersionString) == 0);
        // The rest of the capacity was zeroed before the handler ran.
        for (uint32_t i = static_cast<uint32_t>(sizeof kVersionString); i < cap; ++i)
        {
            REQUIRE(c.structOut[i] == 0);
        }
        CHECK(c.structOut[cap] == kSentinel);
    }
    Probe p;
    Call tiny;
    tiny.structureOut(4);
    CHECK(dispatchRow(row, tiny, p) == Status::NoSpace);
    CHECK(tiny.a.structureOutputSize == 4u);
}

namespace
{
struct Raise
{
    uint32_t scalar;
    uint32_t structure;
    uint32_t descriptor;
    Status ret;
};

Status sRaiseCounts(void* target, void*, MethodArgs* a)
{
    const Raise* r = static_cast<const Raise*>(target);
    a->scalarOutputCount += r->scalar;
    a->structureOutputSize += r->structure;
    a->structureOutputDescriptorSize += r->descriptor;
    return r->ret;
}
} // namespace

TEST_CASE("dispatch 6.14: a handler that raises an output count is clamped and gets Overrun")
{
    const MethodDispatch row = {sRaiseCounts, 0, 0, kdrv::kVariableSize, kdrv::kVariableSize, 0};
    const Raise cases[] = {
        {1, 0, 0, Status::Success},
        {0, 1, 0, Status::Success},
        {0, 0, 5, Status::Success},
        {16, 4096, 1, Status::Error},
    };
    for (const Raise& r : cases)
    {
        Call c;
        c.scalarOut(2).structureOut(8);
        CHECK(kdrv::dispatchMethod(&row, 1, 0, &c.a, const_cast<Raise*>(&r), nullptr) ==
              Status::Overrun);
        CHECK(c.a.scalarOutputCount == 2u);
        CHECK(c.a.structureOutputSize == 8u);
    }
    Call d;
    d.scalarOut(1).descriptorOut(64);
    const Raise desc = {0, 0, 1, Status::Success};
    CHECK(kdrv::dispatchMethod(&row, 1, 0, &d.a, const_cast<Raise*>(&desc), nullptr) ==
          Status::Overrun);
    CHECK(d.a.structureOutputDescriptorSize == 64u);
    // Unchanged counts are fine and the handler's status passes through.
    const Raise none = {0, 0, 0, Status::Busy};
    Call e;
    e.scalarOut(3);
    CHECK(kdrv::dispatchMethod(&row, 1, 0, &e.a, const_cast<Raise*>(&none), nullptr) ==
          Status::Busy);
    CHECK(e.a.scalarOutputCount == 3u);
}

TEST_CASE("dispatch 6.15: outputs are zeroed first, late rejections leave them zero, counts kept")
{
    Probe p;
    const MethodDispatch rows[] = {
        {probeHandler, 0, 0, 2, 24, 0},
        {probeHandler, 0, 0, 2, 24, 0},
    };
    // Step 4 (NULL table), 5 (selector), 6 (shape), 7 (async), 8 (admin), 9 (NULL function).
    const MethodDispatch asyncRow = {probeHandler, 0, 0, 2, 24, 0};
    const MethodDispatch adminRow = {probeHandler, 0, 0, 2, 24, kdrv::kMethodRequireAdmin};
    const MethodDispatch nullRow = {nullptr, 0, 0, 2, 24, 0};
    const MethodDispatch shapeRow = {probeHandler, 1, 0, 2, 24, 0};
    struct Case
    {
        const MethodDispatch* table;
        uint32_t count;
        uint32_t selector;
        bool async;
        Status expected;
    };
    const Case cases[] = {
        {nullptr, 2, 0, false, Status::Error},
        {rows, 2, 2, false, Status::Unsupported},
        {&shapeRow, 1, 0, false, Status::BadArgument},
        {&asyncRow, 1, 0, true, Status::BadArgument},
        {&adminRow, 1, 0, false, Status::NotPrivileged},
        {&nullRow, 1, 0, false, Status::NoCompletion},
    };
    for (const Case& k : cases)
    {
        Call c;
        c.scalarOut(2).structureOut(24);
        if (k.async)
        {
            c.async(3);
        }
        CHECK(kdrv::dispatchMethod(k.table, k.count, k.selector, &c.a, &p, nullptr) == k.expected);
        CHECK(c.zeroScalarOuts() == 2u);
        CHECK(c.scalarsOut[2] == 0xA5A5A5A5A5A5A5A5ull); // exactly the capacity
        CHECK(c.zeroStructOut() == 24u);
        CHECK(c.a.scalarOutputCount == 2u);
        CHECK(c.a.structureOutputSize == 24u);
    }
    CHECK(p.calls == 0);

    // Step 2 rejections touch nothing.
    Call bad;
    bad.scalarOut(2).structureOut(24);
    bad.a.scalarInputCount = 3; // with a NULL pointer
    CHECK(kdrv::dispatchMethod(rows, 2, 0, &bad.a, &p, nullptr) == Status::BadArgument);
    CHECK(bad.scalarOutIsSentinel());
    CHECK(bad.structOut[0] == kSentinel);

    // The handler sees zeroed outputs.
    Call ok;
    ok.scalarOut(2).structureOut(24);
    CHECK(kdrv::dispatchMethod(rows, 2, 1, &ok.a, &p, nullptr) == Status::Success);
    CHECK(p.calls == 1);
    CHECK(ok.zeroScalarOuts() == 2u);
    CHECK(ok.zeroStructOut() == 24u);
}

TEST_CASE("dispatch 6.16: each check alone, all four, the marker per position, 0xFFFFFFFE")
{
    const uint32_t V = kdrv::kVariableSize;
    const MethodDispatch exact = {probeHandler, 1, 8, 1, 8, 0};
    auto good = [](Call& c) { c.scalarIn(1).structureIn(8).scalarOut(1).structureOut(8); };
    Probe p;
    {
        Call c;
        good(c);
        CHECK(dispatchRow(exact, c, p) == Status::Success);
    }
    for (int which = 0; which < 5; ++which)
    {
        Call c;
        good(c);
        if (which == 0 || which == 4)
        {
            c.a.scalarInputCount = 2;
        }
        if (which == 1 || which == 4)
        {
            c.a.structureInputSize = 9;
        }
        if (which == 2 || which == 4)
        {
            c.a.scalarOutputCount = 2;
        }
        if (which == 3 || which == 4)
        {
            c.a.structureOutputSize = 7;
        }
        CHECK_MESSAGE(dispatchRow(exact, c, p) == Status::BadArgument, "mismatch " << which);
    }
    CHECK(p.calls == 1);

    // The marker disables exactly its own check.
    const MethodDispatch markers[] = {
        {probeHandler, V, 8, 1, 8, 0},
        {probeHandler, 1, V, 1, 8, 0},
        {probeHandler, 1, 8, V, 8, 0},
        {probeHandler, 1, 8, 1, V, 0},
    };
    for (int pos = 0; pos < 4; ++pos)
    {
        for (int which = 0; which < 4; ++which)
        {
            Call c;
            good(c);
            if (which == 0)
            {
                c.a.scalarInputCount = 3;
            }
            if (which == 1)
            {
                c.a.structureInputSize = 100;
            }
            if (which == 2)
            {
                c.a.scalarOutputCount = 3;
            }
            if (which == 3)
            {
                c.a.structureOutputSize = 100;
            }
            const Status expected = pos == which ? Status::Success : Status::BadArgument;
            CHECK_MESSAGE(dispatchRow(markers[pos], c, p) == expected,
                          "marker " << pos << " mismatch " << which);
        }
    }
    // 0xFFFFFFFE is an ordinary number: nothing the caller can send matches it.
    const MethodDispatch almost = {probeHandler, 0xFFFFFFFEu, 0xFFFFFFFEu,
                                   0xFFFFFFFEu,  0xFFFFFFFEu, 0};
    Call c;
    good(c);
    CHECK(dispatchRow(almost, c, p) == Status::BadArgument);
    Call d;
    d.descriptorIn(0xFFFFFFFEull);
    const MethodDispatch almostIn = {probeHandler, 0, 0xFFFFFFFEu, 0, 0, 0};
    CHECK(dispatchRow(almostIn, d, p) == Status::Success); // a real 0xFFFFFFFE-byte descriptor
}

// ===========================================================================
// Target, reference, results

TEST_CASE("dispatch 6.17: target and reference pass through bit-identical, never dereferenced")
{
    const MethodDispatch row = {[](void* target, void* reference, MethodArgs* a) -> Status
                                {
                                    // Record through the args' scalar output, since target may
                                    // point at memory nobody may touch.
                                    a->scalarOutput[0] = reinterpret_cast<uintptr_t>(target);
                                    a->scalarOutput[1] = reinterpret_cast<uintptr_t>(reference);
                                    return Status::Success;
                                },
                                0,
                                0,
                                2,
                                0,
                                0};
    // A page nobody may read or write: dereferencing it would fault.
    const long pageSize = sysconf(_SC_PAGESIZE);
    void* const noAccess =
        mmap(nullptr, static_cast<size_t>(pageSize), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(noAccess != MAP_FAILED);
    int other = 0;
    void* const targets[] = {nullptr, &other, noAccess};
    void* const references[] = {nullptr, noAccess, &other};
    for (void* t : targets)
    {
        for (void* r : references)
        {
            Call c;
            c.scalarOut(2);
            CHECK(kdrv::dispatchMethod(&row, 1, 0, &c.a, t, r) == Status::Success);
            CHECK(c.scalarsOut[0] == reinterpret_cast<uintptr_t>(t));
            CHECK(c.scalarsOut[1] == reinterpret_cast<uintptr_t>(r));
        }
    }
    munmap(noAccess, static_cast<size_t>(pageSize));
}

TEST_CASE("dispatch 6.18: the handler's status passes through unchanged")
{
    const Status results[] = {Status::Success,
                              kdrv::fromIOReturn(static_cast<int32_t>(0xE0001234u)),
                              Status::Unsupported, Status::BadArgument, Status::Overrun};
    for (Status r : results)
    {
        const MethodDispatch row = {sRaiseCounts, 0, 0, 0, 0, 0};
        Raise raise = {0, 0, 0, r};
        Call c;
        CHECK(kdrv::dispatchMethod(&row, 1, 0, &c.a, &raise, nullptr) == r);
    }
}

TEST_CASE("dispatch 6.19: state errors come from the handler, not the dispatcher")
{
    TimerClient client;
    Call before;
    before.scalarOut(1);
    CHECK(call(client, kGetElapsedTimerTime, before) == Status::NotReady);
    CHECK(client.probe.calls == 1);    // the dispatcher let it through
    CHECK(before.scalarsOut[0] == 0u); // nothing stale leaks
    Call start;
    CHECK(call(client, kStartTimer, start) == Status::Success);
    Call after;
    after.scalarOut(1);
    CHECK(call(client, kGetElapsedTimerTime, after) == Status::Success);
    CHECK(after.scalarsOut[0] == 1500u);
}

// ===========================================================================
// Async

TEST_CASE("dispatch 6.20: async needs an async row and a reference")
{
    TimerClient client;
    Call notAllowed;
    notAllowed.scalarIn(1).async(3);
    CHECK(call(client, kDelayForMs, notAllowed) == Status::BadArgument);
    Call zeroCount;
    zeroCount.scalarIn(1).async(0);
    CHECK(call(client, kInstallTimer, zeroCount) == Status::BadArgument);
    Call nullRef;
    nullRef.scalarIn(1).async(0);
    nullRef.a.asyncReference = nullptr;
    CHECK(call(client, kInstallTimer, nullRef) == Status::BadArgument);
    Call nullRefWithCount;
    nullRefWithCount.scalarIn(1).async(3);
    nullRefWithCount.a.asyncReference = nullptr;
    CHECK(call(client, kInstallTimer, nullRefWithCount) == Status::BadArgument);
    CHECK(client.probe.calls == 0);
    Call ok;
    ok.scalarIn(1).async(kdrv::kAsyncCalloutCount);
    CHECK(call(client, kInstallTimer, ok) == Status::Success);
    CHECK(client.probe.sawAsync);
}

TEST_CASE("dispatch 6.21: a synchronous call to an async-capable row is not async")
{
    TimerClient client;
    Call c;
    c.scalarIn(1);
    CHECK(call(client, kInstallTimer, c) == Status::Success);
    CHECK(client.probe.calls == 1);
    CHECK_FALSE(client.probe.sawAsync);
    CHECK_FALSE(kdrv::isAsync(&c.a));
}

TEST_CASE("dispatch 6.22: capture copies at most 8 words and zero-fills the rest")
{
    Call c;
    for (uint64_t i = 0; i < KDRV_COUNTOF(c.asyncWords); ++i)
    {
        c.asyncWords[i] = 0x100 + i;
    }
    kdrv::AsyncRef ref;
    memset(&ref, 0xEE, sizeof ref);
    c.async(kdrv::kAsyncCalloutCount);
    CHECK(ref.capture(&c.a) == 3u);
    for (uint32_t i = 0; i < 8; ++i)
    {
        CHECK(ref.words[i] == (i < 3 ? 0x100u + i : 0u));
    }
    c.a.asyncReferenceCount = 8;
    CHECK(ref.capture(&c.a) == 8u);
    for (uint32_t i = 0; i < 8; ++i)
    {
        CHECK(ref.words[i] == 0x100u + i);
    }
    c.a.asyncReferenceCount = 1000; // clamped: words 8.. are never read
    memset(&ref, 0xEE, sizeof ref);
    CHECK(ref.capture(&c.a) == 8u);
    CHECK(ref.words[7] == 0x107u);
    c.a.asyncReferenceCount = 0;
    CHECK(ref.capture(&c.a) == 0u);
    CHECK(ref.words[0] == 0u);
    CHECK(ref.capture(nullptr) == 0u);
    CHECK(ref.words[7] == 0u);
}

namespace
{
// A counted object standing in for the user client (OSObject::retain/release).
struct Counted
{
    std::atomic<int> refs{1};
    std::atomic<int> retains{0};
    std::atomic<int> releases{0};
};
void countedRetain(void* t)
{
    Counted* c = static_cast<Counted*>(t);
    c->refs.fetch_add(1);
    c->retains.fetch_add(1);
}
void countedRelease(void* t)
{
    Counted* c = static_cast<Counted*>(t);
    c->refs.fetch_sub(1);
    c->releases.fetch_add(1);
}
const kdrv::TargetOps kCountedOps = {countedRetain, countedRelease};

// Completions delivered through the sink.
struct Mailbox
{
    std::mutex lock;
    std::condition_variable cv;
    int sent = 0;
    Status lastResult = Status::Invalid;
    uint32_t lastCount = 0;
    uint64_t lastWords[kdrv::kAsyncArgsMax] = {};
    uint64_t lastPort = 0;
};
Status mailboxSend(void* context, const kdrv::AsyncRef* ref, Status result, const uint64_t* words,
                   uint32_t count)
{
    Mailbox* m = static_cast<Mailbox*>(context);
    std::lock_guard<std::mutex> g(m->lock);
    ++m->sent;
    m->lastResult = result;
    m->lastCount = count;
    m->lastPort = ref->wakePort();
    if (count != 0)
    {
        memcpy(m->lastWords, words, count * sizeof(uint64_t));
    }
    m->cv.notify_all();
    return Status::Success;
}

// The book's Listing 5-16, with the failures it ignores handled.
struct AsyncWork
{
    kdrv::AsyncRef ref;
    uint64_t delayMs;
    kdrv::TargetRef targetRef;
};

struct AsyncTimerClient
{
    Counted object;
    kdrv::AsyncResultSink sink{nullptr, nullptr};
    bool failAllocation = false;
    bool failThreadStart = false;
    bool closed = false;
    Status lastSend = Status::Invalid;
    std::thread worker;
    std::mutex gate; // completion waits for the test to let it run
    bool mayComplete = false;
    std::condition_variable go;
};

void completeWork(AsyncTimerClient* client, AsyncWork* work)
{
    {
        std::unique_lock<std::mutex> g(client->gate);
        client->go.wait(g, [client] { return client->mayComplete; });
    }
    const uint64_t words[1] = {work->delayMs};
    client->lastSend = client->sink.sendResult(work->ref, Status::Success, words, 1);
    CHECK(work->targetRef.release());
    CHECK_FALSE(work->targetRef.release()); // exactly once
    delete work;
}

Status sAsyncDelay(void* target, void*, MethodArgs* a)
{
    AsyncTimerClient* client = static_cast<AsyncTimerClient*>(target);
    if (!kdrv::isAsync(a))
    {
        return Status::BadArgument;
    }
    kdrv::TargetRef ref;
    ref.retain(&client->object, &kCountedOps);
    AsyncWork* work = client->failAllocation ? nullptr : new AsyncWork();
    if (work == nullptr)
    {
        return Status::NoMemory; // ~TargetRef drops the reference
    }
    work->ref.capture(a);
    work->delayMs = a->scalarInput[0];
    ref.transferTo(&work->targetRef);
    CHECK_FALSE(ref.isHeld());
    if (client->failThreadStart)
    {
        CHECK(work->targetRef.release());
        delete work;
        return Status::NoResources;
    }
    a->scalarOutput[0] = 42; // 6.23: final when this returns
    client->worker = std::thread(completeWork, client, work);
    return Status::Success;
}

const MethodDispatch sAsyncMethods[] = {
    {sAsyncDelay, 1, 0, 1, 0, kdrv::kMethodAllowAsync},
};

Status asyncCall(AsyncTimerClient& client, Call& c)
{
    c.scalarIn(1).scalarOut(1).async(kdrv::kAsyncCalloutCount);
    c.asyncWords[kdrv::kAsyncReservedIndex] = 0x5000 | 1; // wake port | a flag bit
    c.asyncWords[kdrv::kAsyncCalloutFuncIndex] = 0xF00D;
    c.asyncWords[kdrv::kAsyncCalloutRefconIndex] = 0xC0FFEE;
    c.scalarsIn[0] = 250;
    return kdrv::dispatchMethod(sAsyncMethods, 1, 0, &c.a, &client, nullptr);
}

void letComplete(AsyncTimerClient& client)
{
    {
        std::lock_guard<std::mutex> g(client.gate);
        client.mayComplete = true;
    }
    client.go.notify_all();
    client.worker.join();
}
} // namespace

TEST_CASE("dispatch 6.23: async outputs are final when the call returns, before completion")
{
    Mailbox box;
    AsyncTimerClient client;
    client.sink = {mailboxSend, &box};
    Call c;
    CHECK(asyncCall(client, c) == Status::Success);
    CHECK(c.scalarsOut[0] == 42u);
    CHECK(c.a.scalarOutputCount == 1u);
    {
        std::lock_guard<std::mutex> g(box.lock);
        CHECK(box.sent == 0);
    }
    // The block is gone after return: scribble over it before completion.
    memset(c.asyncWords, 0xFF, sizeof c.asyncWords);
    c.scalarsIn[0] = 0;
    letComplete(client);
    CHECK(box.sent == 1);
    CHECK(box.lastPort == 0x5000u);
    CHECK(box.lastCount == 1u);
    CHECK(box.lastWords[0] == 250u);
}

TEST_CASE("dispatch 6.24: sendResult with 0, 16 and 17 words, a null port is a no-op")
{
    Mailbox box;
    const kdrv::AsyncResultSink sink = {mailboxSend, &box};
    kdrv::AsyncRef ref;
    memset(&ref, 0, sizeof ref);
    ref.words[kdrv::kAsyncReservedIndex] = 0x7000;
    uint64_t words[kdrv::kAsyncArgsMax + 1];
    for (uint64_t i = 0; i < KDRV_COUNTOF(words); ++i)
    {
        words[i] = i * 3;
    }
    CHECK(sink.sendResult(ref, Status::Success, nullptr, 0) == Status::Success);
    CHECK(box.sent == 1);
    CHECK(box.lastCount == 0u);
    CHECK(sink.sendResult(ref, Status::Aborted, words, 16) == Status::Success);
    CHECK(box.sent == 2);
    CHECK(box.lastResult == Status::Aborted);
    CHECK(box.lastWords[15] == 45u);
    CHECK(sink.sendResult(ref, Status::Success, words, 17) == Status::MessageTooLarge);
    CHECK(sink.sendResult(ref, Status::Success, nullptr, 2) == Status::BadArgument);
    CHECK(box.sent == 2);
    // No port (flag bits alone are not a port): Success, nothing sent.
    ref.words[kdrv::kAsyncReservedIndex] = 1;
    CHECK(sink.sendResult(ref, Status::Success, words, 1) == Status::Success);
    CHECK(box.sent == 2);
    // The word limit is checked even without a port, as in xnu.
    CHECK(sink.sendResult(ref, Status::Success, words, 17) == Status::MessageTooLarge);
    // A sink without a transport cannot send.
    const kdrv::AsyncResultSink none = {nullptr, nullptr};
    ref.words[kdrv::kAsyncReservedIndex] = 0x7000;
    CHECK(none.sendResult(ref, Status::Success, words, 1) == Status::Error);
}

TEST_CASE("dispatch 6.25: retain/release balanced on success, failures and late completion")
{
    SUBCASE("success")
    {
        Mailbox box;
        AsyncTimerClient client;
        client.sink = {mailboxSend, &box};
        Call c;
        CHECK(asyncCall(client, c) == Status::Success);
        CHECK(client.object.refs.load() == 2); // held across the asynchronous work
        letComplete(client);
        CHECK(client.lastSend == Status::Success);
        CHECK(box.sent == 1);
        CHECK(client.object.refs.load() == 1);
        CHECK(client.object.retains.load() == 1);
        CHECK(client.object.releases.load() == 1);
    }
    SUBCASE("allocation failure")
    {
        AsyncTimerClient client;
        client.failAllocation = true;
        Call c;
        CHECK(asyncCall(client, c) == Status::NoMemory);
        CHECK(client.object.refs.load() == 1);
        CHECK(client.object.retains.load() == 1);
        CHECK(client.object.releases.load() == 1);
    }
    SUBCASE("thread-start failure")
    {
        AsyncTimerClient client;
        client.failThreadStart = true;
        Call c;
        CHECK(asyncCall(client, c) == Status::NoResources);
        CHECK(client.object.refs.load() == 1);
        CHECK(client.object.releases.load() == 1);
    }
    SUBCASE("completion after clientClose")
    {
        Mailbox box;
        AsyncTimerClient client;
        client.sink = {mailboxSend, &box};
        Call c;
        CHECK(asyncCall(client, c) == Status::Success);
        client.closed = true;             // clientClose(): the client's port is gone ...
        client.sink = {nullptr, nullptr}; // ... and so is the transport
        letComplete(client);              // the completion still runs: its send fails, it releases
        CHECK(client.lastSend == Status::Error);
        CHECK(client.object.refs.load() == 1);
        CHECK(client.object.retains.load() == client.object.releases.load());
    }
    SUBCASE("TargetRef rules")
    {
        Counted o;
        {
            kdrv::TargetRef a;
            CHECK_FALSE(a.isHeld());
            CHECK_FALSE(a.release());
            a.retain(&o, &kCountedOps);
            CHECK(a.target() == &o);
            kdrv::TargetRef b;
            a.transferTo(&b);
            CHECK_FALSE(a.isHeld());
            CHECK(b.isHeld());
            kdrv::TargetRef c;
            c.retain(&o, &kCountedOps);
            c.transferTo(&b); // b is full: c's reference is dropped, not leaked
            CHECK_FALSE(c.isHeld());
            CHECK(o.refs.load() == 2);
            b.transferTo(&b);
            CHECK(b.isHeld());
        } // b releases on scope exit
        CHECK(o.refs.load() == 1);
        CHECK(o.retains.load() == 2);
        CHECK(o.releases.load() == 2);
    }
}

TEST_CASE("stress: dispatch 6.26: many threads dispatch through one table, it never changes")
{
    static const MethodDispatch table[] = {
        {[](void*, void*, MethodArgs* a) -> Status
         {
             a->scalarOutput[0] = a->scalarInput[0] + a->scalarInput[1];
             return Status::Success;
         },
         2, 0, 1, 0, 0},
        {[](void*, void*, MethodArgs* a) -> Status
         {
             uint64_t v = 0;
             memcpy(&v, a->structureInput, sizeof v);
             memcpy(a->structureOutput, &v, sizeof v);
             return Status::Success;
         },
         0, 8, 0, 8, 0},
        {nullptr, 0, 0, 0, 0, 0},
    };
    unsigned char snapshot[sizeof table];
    memcpy(snapshot, table, sizeof table);

    const char* scaleEnv = getenv("KDRV_STRESS_SCALE");
    const int scale = scaleEnv != nullptr && atoi(scaleEnv) > 0 ? atoi(scaleEnv) : 1;
    const int iterations = 20000 * scale;
    const int threads = 4;
    std::atomic<int> failures{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
    {
        pool.emplace_back(
            [&, t]
            {
                for (int i = 0; i < iterations; ++i)
                {
                    const uint32_t sel = static_cast<uint32_t>((i + t) % 4);
                    Call c;
                    Status expected = Status::Success;
                    uint64_t want = 0;
                    if (sel == 0)
                    {
                        c.scalarIn(2).scalarOut(1);
                        c.scalarsIn[0] = static_cast<uint64_t>(i);
                        c.scalarsIn[1] = static_cast<uint64_t>(t);
                        want = static_cast<uint64_t>(i + t);
                    }
                    else if (sel == 1)
                    {
                        c.structureIn(8).structureOut(8);
                        want = static_cast<uint64_t>(i) * 7u + static_cast<uint64_t>(t);
                        memcpy(c.structIn, &want, sizeof want);
                    }
                    else
                    {
                        expected = sel == 2 ? Status::NoCompletion : Status::Unsupported;
                    }
                    const Status s = kdrv::dispatchMethod(table, 3, sel, &c.a, nullptr, nullptr);
                    uint64_t got = want;
                    if (sel == 0)
                    {
                        got = c.scalarsOut[0];
                    }
                    else if (sel == 1)
                    {
                        memcpy(&got, c.structOut, sizeof got);
                    }
                    if (s != expected || got != want)
                    {
                        failures.fetch_add(1);
                    }
                }
            });
    }
    for (std::thread& th : pool)
    {
        th.join();
    }
    CHECK(failures.load() == 0);
    CHECK(memcmp(snapshot, table, sizeof table) == 0);
}

// ===========================================================================
// Notifications

namespace
{
struct TimerNotification
{
    kdrv::NotifyHeader header;
    uint64_t elapsed;
};
struct Outbox
{
    int sent = 0;
    void* port = nullptr;
    uint32_t size = 0;
    TimerNotification copy{};
};
Status outboxSend(void* context, void* port, kdrv::NotifyHeader* message, uint32_t size)
{
    Outbox* o = static_cast<Outbox*>(context);
    ++o->sent;
    o->port = port;
    o->size = size;
    memcpy(&o->copy, message, sizeof o->copy);
    return Status::Success;
}
} // namespace

TEST_CASE("dispatch 6.27: notification port: send before registration, replace, clear, header")
{
    static_assert(offsetof(TimerNotification, header) == 0, "the header comes first");
    Outbox out;
    kdrv::NotifyPort port;
    port.init(outboxSend, &out);
    TimerNotification msg{};
    msg.elapsed = 99;
    CHECK_FALSE(port.isRegistered());
    CHECK(port.send(&msg.header, sizeof msg) == Status::Error);
    CHECK(out.sent == 0);

    int portA = 0;
    int portB = 0;
    CHECK(port.registerPort(&portA, 0, 0x11) == Status::Success);
    CHECK(port.registerPort(&portB, 7, 0x22) == Status::Success); // replaces
    CHECK(port.port() == &portB);
    CHECK(port.type() == 7u);
    CHECK(port.refCon() == 0x22u);
    CHECK(port.send(&msg.header, sizeof msg) == Status::Success);
    CHECK(out.sent == 1);
    CHECK(out.port == &portB);
    CHECK(out.size == sizeof msg);
    CHECK(out.copy.header.size == sizeof msg);
    CHECK(out.copy.header.remotePort == &portB);
    CHECK(out.copy.elapsed == 99u);
    CHECK(port.send(nullptr, sizeof msg) == Status::BadArgument);
    CHECK(port.send(&msg.header, sizeof(kdrv::NotifyHeader) - 1) == Status::BadArgument);

    CHECK(port.registerPort(nullptr, 3, 3) == Status::Success); // 0 clears
    CHECK_FALSE(port.isRegistered());
    CHECK(port.type() == 0u);
    CHECK(port.send(&msg.header, sizeof msg) == Status::Error);
    CHECK(port.registerPort(&portA, 0, 0) == Status::Success);
    port.clear();
    CHECK(port.send(&msg.header, sizeof msg) == Status::Error);
    CHECK(out.sent == 1);

    kdrv::NotifyPort noTransport;
    CHECK(noTransport.registerPort(&portA, 0, 0) == Status::Success);
    CHECK(noTransport.send(&msg.header, sizeof msg) == Status::Error);
}

// ===========================================================================
// Beyond the numbered cases

TEST_CASE("dispatch: admin-only rows need a privileged client")
{
    TimerClient client;
    Call c;
    CHECK(call(client, kResetCounters, c) == Status::NotPrivileged);
    CHECK(client.probe.calls == 0);
    c.a.clientPrivileged = true;
    CHECK(call(client, kResetCounters, c) == Status::Success);
    CHECK(client.probe.calls == 1);
    // Shape errors come before the privilege check.
    Call shaped;
    shaped.scalarIn(1);
    CHECK(call(client, kResetCounters, shaped) == Status::BadArgument);
}

TEST_CASE("dispatch: consistency limits in both directions")
{
    const MethodDispatch any = {probeHandler,        kdrv::kVariableSize, kdrv::kVariableSize,
                                kdrv::kVariableSize, kdrv::kVariableSize, 0};
    Probe p;
    Call outMany;
    outMany.scalarOut(17);
    CHECK(dispatchRow(any, outMany, p) == Status::BadArgument);
    Call outBig;
    outBig.structureOut(4097);
    CHECK(dispatchRow(any, outBig, p) == Status::BadArgument);
    Call nullOutScalars;
    nullOutScalars.a.scalarOutputCount = 1;
    CHECK(dispatchRow(any, nullOutScalars, p) == Status::BadArgument);
    Call orphanSize;
    orphanSize.a.structureOutputDescriptorSize = 8;
    CHECK(dispatchRow(any, orphanSize, p) == Status::BadArgument);
    Call orphanAsync;
    orphanAsync.a.asyncReferenceCount = 2;
    CHECK(dispatchRow(any, orphanAsync, p) == Status::BadArgument);
    CHECK(p.calls == 0);
    Call full;
    full.scalarIn(16).scalarOut(16).structureIn(4096).structureOut(4096);
    CHECK(dispatchRow(any, full, p) == Status::Success);
    CHECK(p.calls == 1);
}

TEST_CASE("dispatch: the speculation-safe index is the index in range, else 0")
{
    CHECK(kdrv::detail::indexNoSpeculation(0, 1) == 0);
    CHECK(kdrv::detail::indexNoSpeculation(2, 3) == 2);
    CHECK(kdrv::detail::indexNoSpeculation(0xFFFFFFFEu, 0xFFFFFFFFu) == 0xFFFFFFFEu);
    CHECK(kdrv::detail::indexNoSpeculation(3, 3) == 0);
    CHECK(kdrv::detail::indexNoSpeculation(7, 3) == 0);
    CHECK(kdrv::detail::indexNoSpeculation(0xFFFFFFFFu, 3) == 0);
    CHECK(kdrv::detail::indexNoSpeculation(0, 0) == 0);
    CHECK(kdrv::detail::indexNoSpeculation(0x80000000u, 0x7FFFFFFFu) == 0);
    CHECK(kdrv::detail::indexNoSpeculation(0x7FFFFFFFu, 0x80000000u) == 0x7FFFFFFFu);
}

TEST_CASE("dispatch: a small non-NULL pointer is a pointer, not NULL")
{
    // The inline path screens pointers by "address >= count"; an address
    // below its count must still be judged exactly (by the ordered checks):
    // it is not NULL, so the block is consistent.
    const MethodDispatch any = {probeHandler,        kdrv::kVariableSize, kdrv::kVariableSize,
                                kdrv::kVariableSize, kdrv::kVariableSize, 0};
    const MethodDispatch twoIn = {probeHandler, 2, 0, 0, 0, 0};
    uint64_t* const low = reinterpret_cast<uint64_t*>(uintptr_t{8}); // never dereferenced
    Probe p;
    Call c;
    c.scalarOut(1);
    c.a.scalarInput = low;
    c.a.scalarInputCount = 16;
    CHECK(dispatchRow(any, c, p) == Status::Success);
    CHECK(p.calls == 1);
    CHECK(p.seen.scalarInput == low);
    CHECK(p.seen.scalarInputCount == 16);
    // Rejected by the row (step 6), not as inconsistent (step 2): the output
    // was zeroed first.
    Call r;
    r.scalarOut(1);
    r.a.scalarInput = low;
    r.a.scalarInputCount = 16;
    CHECK(dispatchRow(twoIn, r, p) == Status::BadArgument);
    CHECK(r.zeroScalarOuts() == 1);
    CHECK(p.calls == 1);
}

TEST_CASE("dispatch: a synchronous call may carry an async reference")
{
    const MethodDispatch none = {probeHandler, 0, 0, 0, 0, 0};
    Probe p;
    Call c;
    c.a.asyncReference = c.asyncWords;
    c.a.asyncReferenceCount = 3;
    CHECK(dispatchRow(none, c, p) == Status::Success);
    CHECK(p.calls == 1);
    CHECK_FALSE(p.sawAsync);
}

namespace
{
// A handler for the path comparison: writes what it may and raises or lowers
// the output counts as its reference word says.
Status shapeHandler(void* target, void*, MethodArgs* a)
{
    Probe* p = static_cast<Probe*>(target);
    ++p->calls;
    p->seen = *a;
    if (a->scalarOutputCount != 0)
    {
        a->scalarOutput[0] = 0x1111;
    }
    if (a->structureOutputSize != 0)
    {
        static_cast<uint8_t*>(a->structureOutput)[0] = 0x22;
    }
    switch (p->lastScalar % 4)
    {
    case 1:
        a->scalarOutputCount += 1;
        break;
    case 2:
        a->structureOutputSize = a->structureOutputSize / 2;
        break;
    case 3:
        a->structureOutputDescriptorSize += 1;
        break;
    default:
        break;
    }
    return static_cast<Status>(static_cast<int32_t>(p->lastScalar % 3));
}

// Builds one block from a seed; two calls with one seed build equal blocks.
void shapeCall(uint64_t seed, Call& c)
{
    const uint32_t counts[] = {0, 0, 1, 1, 2, 16, 17};
    const uint32_t sizes[] = {0, 0, 16, 16, 1, 4096, 4097};
    uint64_t x = seed;
    const auto pick = [&x](uint32_t n)
    {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<uint32_t>((x >> 33) % n);
    };
    c.a.scalarInputCount = counts[pick(7)];
    c.a.scalarInput = pick(8) != 0 ? c.scalarsIn : nullptr;
    c.a.scalarOutputCount = counts[pick(7)];
    c.a.scalarOutput = pick(8) != 0 ? c.scalarsOut : nullptr;
    c.a.structureInputSize = sizes[pick(7)];
    c.a.structureInput = pick(8) != 0 ? c.structIn : nullptr;
    c.a.structureOutputSize = sizes[pick(7)];
    c.a.structureOutput = pick(8) != 0 ? c.structOut : nullptr;
    if (pick(6) == 0)
    {
        c.descriptorIn(pick(2) != 0 ? 16 : 8192);
        c.a.structureInputSize = pick(2) != 0 ? 0 : c.a.structureInputSize;
    }
    if (pick(6) == 0)
    {
        c.descriptorOut(pick(2) != 0 ? 16 : 8192);
        c.a.structureOutputSize = pick(2) != 0 ? 0 : c.a.structureOutputSize;
    }
    switch (pick(8))
    {
    case 0:
        c.async(pick(2) != 0 ? 3 : 0);
        break;
    case 1:
        c.a.asyncReferenceCount = 2; // with or without words
        c.a.asyncReference = pick(2) != 0 ? c.asyncWords : nullptr;
        break;
    case 2:
        c.a.asyncWakePort = 1; // async without a reference
        break;
    default:
        break;
    }
    c.a.clientPrivileged = pick(2) != 0;
}
} // namespace

TEST_CASE("dispatch: the inline path and the ordered checks agree on every block shape")
{
    const uint32_t V = kdrv::kVariableSize;
    const MethodDispatch rows[] = {
        {shapeHandler, 1, 0, 1, 0, 0},
        {shapeHandler, 0, 0, 0, 0, 0},
        {shapeHandler, V, V, V, V, 0},
        {shapeHandler, 16, 4096, 16, 4096, 0},
        {shapeHandler, 2, 16, V, 16, kdrv::kMethodAllowAsync},
        {shapeHandler, 1, 16, 1, 16, kdrv::kMethodRequireAdmin},
        {nullptr, 1, 0, 1, 0, 0},
        {shapeHandler, 0, V, 0, V, kdrv::kMethodAllowAsync | kdrv::kMethodRequireAdmin},
    };
    const uint32_t n = KDRV_COUNTOF(rows);
    const uint32_t selectors[] = {0, 1, 2, 3, 4, 5, 6, 7, n, 0xFFFFFFFFu};
    int fastCalls = 0;
    for (uint64_t seed = 0; seed < 20000; ++seed)
    {
        const uint32_t selector = selectors[seed % KDRV_COUNTOF(selectors)];
        const bool noTable = seed % 97 == 0;
        const bool noArgs = seed % 89 == 0;
        const SelectorPolicy policy =
            seed % 2 != 0 ? SelectorPolicy::BadArgument : SelectorPolicy::Unsupported;
        Call viaInline;
        Call viaOrdered;
        shapeCall(seed, viaInline);
        shapeCall(seed, viaOrdered);
        Probe p1;
        Probe p2;
        p1.lastScalar = p2.lastScalar = seed / 7;
        const MethodDispatch* table = noTable ? nullptr : rows;
        const Status s1 = kdrv::dispatchMethod(table, n, selector, noArgs ? nullptr : &viaInline.a,
                                               &p1, nullptr, policy);
        const Status s2 = kdrv::detail::dispatchOrdered(
            table, n, selector, noArgs ? nullptr : &viaOrdered.a, &p2, nullptr, policy);
        INFO("seed " << seed);
        REQUIRE(s1 == s2);
        REQUIRE(p1.calls == p2.calls);
        REQUIRE(viaInline.a.scalarOutputCount == viaOrdered.a.scalarOutputCount);
        REQUIRE(viaInline.a.structureOutputSize == viaOrdered.a.structureOutputSize);
        REQUIRE(viaInline.a.structureOutputDescriptorSize ==
                viaOrdered.a.structureOutputDescriptorSize);
        REQUIRE(memcmp(viaInline.scalarsOut, viaOrdered.scalarsOut, sizeof viaInline.scalarsOut) ==
                0);
        REQUIRE(memcmp(viaInline.structOut, viaOrdered.structOut, sizeof viaInline.structOut) == 0);
        fastCalls += p1.calls;
    }
    // The seeds reach the handler often enough to compare the call paths too.
    CHECK(fastCalls > 400);
}

TEST_CASE("dispatch: gsl views of the arguments")
{
    Call c;
    c.scalarIn(3).scalarOut(2).structureIn(5).structureOut(7);
    c.scalarsIn[2] = 9;
    const gsl::span<const uint64_t> in = kdrv::scalarInputSpan(c.a);
    CHECK(in.size() == 3u);
    CHECK(in[2] == 9u);
    const gsl::span<uint64_t> out = kdrv::scalarOutputSpan(c.a);
    CHECK(out.size() == 2u);
    out[1] = 4;
    CHECK(c.scalarsOut[1] == 4u);
    CHECK(kdrv::structureInputSpan(c.a).size() == 5u);
    CHECK(kdrv::structureOutputSpan(c.a).size() == 7u);
    CHECK(static_cast<const void*>(kdrv::structureOutputSpan(c.a).data()) == c.structOut);
    Call empty;
    CHECK(kdrv::scalarInputSpan(empty.a).empty());
    CHECK(kdrv::structureOutputSpan(empty.a).empty());
}

#if KDRV_CONFIG_PLATFORM == KDRV_PLATFORM_XNU
namespace
{
class FakeDescriptor : public IOMemoryDescriptor
{
  public:
    explicit FakeDescriptor(IOByteCount length) : length_(length) {}
    ~FakeDescriptor() override {}
    IOByteCount getLength() const override { return length_; }

  private:
    IOByteCount length_;
};

Status sNativeProbe(void* target, void*, MethodArgs* a)
{
    Probe* p = static_cast<Probe*>(target);
    ++p->calls;
    p->seen = *a;
    a->scalarOutputCount = 1; // report a short write
    a->scalarOutput[0] = 77;
    return Status::Success;
}

constexpr MethodDispatch sNativeMethods[] = {
    {sNativeProbe, 2, 32, kdrv::kVariableSize, 0, 0},
};
constexpr IOExternalMethodDispatch sNativeTwins[] = {
    {nullptr, 2, 32, kIOUCVariableStructureSize, 0},
};
static_assert(kdrv::sameChecks(sNativeMethods[0], sNativeTwins[0]), "rows agree");
} // namespace

TEST_CASE("dispatch: xnu bridge over IOExternalMethodArguments")
{
    IOExternalMethodArguments native;
    memset(&native, 0, sizeof native);
    uint64_t scalarsIn[2] = {5, 6};
    uint64_t scalarsOut[4] = {9, 9, 9, 9};
    FakeDescriptor desc32(32);
    native.version = kIOExternalMethodArgumentsCurrentVersion;
    native.scalarInput = scalarsIn;
    native.scalarInputCount = 2;
    native.structureInputDescriptor = &desc32;
    native.scalarOutput = scalarsOut;
    native.scalarOutputCount = 4;
    Probe p;
    CHECK(kdrv::dispatchExternalMethod(sNativeMethods, 1, 0, &native, &p, nullptr, false) ==
          kIOReturnSuccess);
    CHECK(p.calls == 1);
    CHECK(p.seen.scalarInput == scalarsIn); // shared, not copied
    CHECK(p.seen.structureInputDescriptorLength == 32u);
    CHECK(p.seen.structureInputDescriptor == &desc32);
    CHECK(p.seen.nativeArguments == &native);
    CHECK(native.scalarOutputCount == 1u); // copied back
    CHECK(scalarsOut[0] == 77u);
    CHECK(scalarsOut[1] == 0u); // zeroed up to the capacity
    CHECK(scalarsOut[3] == 0u);

    FakeDescriptor huge((IOByteCount(1) << 32) + 32);
    native.structureInputDescriptor = &huge;
    native.scalarOutputCount = 4;
    CHECK(kdrv::dispatchExternalMethod(sNativeMethods, 1, 0, &native, &p, nullptr, false) ==
          kIOReturnBadArgument);
    CHECK(native.scalarOutputCount == 4u); // a rejection keeps the counts
    CHECK(kdrv::dispatchExternalMethod(sNativeMethods, 1, 1, &native, &p, nullptr, false,
                                       SelectorPolicy::BadArgument) == kIOReturnBadArgument);
    CHECK(kdrv::dispatchExternalMethod(sNativeMethods, 1, 1, &native, &p, nullptr, false) ==
          kIOReturnUnsupported);
    CHECK(kdrv::dispatchExternalMethod(sNativeMethods, 1, 0, nullptr, &p, nullptr, false) ==
          kIOReturnBadArgument);
    CHECK(p.calls == 1);
}
#endif
