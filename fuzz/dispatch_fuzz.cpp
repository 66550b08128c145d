// SPDX-License-Identifier: MIT
//
// Hostile argument blocks against dispatchMethod(). The input decodes into a
// selector, a selector policy, a table choice and a MethodArgs block whose
// counts, sizes, pointers (NULL or real heap buffers of exactly the claimed
// size, so ASan sees any overrun) and descriptor lengths are arbitrary.
//
// Invariants, checked on every input:
// - no crash, no out-of-bounds access (ASan/UBSan);
// - the status and whether the handler ran agree with a plain reference
//   model written straight from dispatch.md 3.2;
// - a handler only ever sees a block consistent with its row: counts and
//   sizes as promised, pointers valid for them, outputs zeroed;
// - after the call no output count exceeds the caller's capacity; a
//   rejected call leaves the counts untouched;
// - the result is the handler's or one of the documented codes.
//
// Public operations reached: dispatchMethod (every selector policy, a null
// or short table, a null block, every row shape), isAsync, and after the
// call, from the rest of the same input, in any order: AsyncRef::capture and
// wakePort, AsyncResultSink::sendResult (every documented branch),
// TargetRef retain/release/transferTo (to an empty or held ref, itself, null)
// /isHeld/target and its destructor, NotifyPort init/registerPort/clear/
// isRegistered/port/type/refCon/send. TargetRef::retain into a held ref and
// null arguments are contract failures (programmer errors), not reached here.
#include "kdrv/dispatch.hpp"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vector>

#include "fuzz_check.hpp" // for FUZZ_CHECK

using kdrv::MethodArgs;
using kdrv::MethodDispatch;
using kdrv::Status;

namespace
{
const uint32_t V = kdrv::kVariableSize;

// How the handler behaves, chosen by the input and known to the model.
struct Behaviour
{
    Status result;
    uint32_t raiseScalar;     // added to scalarOutputCount
    uint32_t raiseStructure;  // added to structureOutputSize
    uint32_t raiseDescriptor; // added to structureOutputDescriptorSize
    uint32_t lowerScalar;     // subtracted (saturating) from scalarOutputCount
};

struct HandlerContext
{
    const MethodDispatch* row;
    Behaviour behaviour;
    int calls;
    bool sawAsync;
};

bool checkHolds(uint32_t check, uint64_t actual)
{
    return check == V || static_cast<uint64_t>(check) == actual;
}

// Reads every byte it was promised and writes every output byte: with
// exact-size heap buffers, ASan proves the promise.
Status fuzzHandler(void* target, void* reference, MethodArgs* a)
{
    HandlerContext* ctx = static_cast<HandlerContext*>(target);
    FUZZ_CHECK(reference == &ctx->behaviour);
    FUZZ_CHECK(a != nullptr);
    ++ctx->calls;
    const MethodDispatch& row = *ctx->row;
    const uint64_t structIn = a->structureInputDescriptor != nullptr
                                  ? a->structureInputDescriptorLength
                                  : a->structureInputSize;
    const uint64_t structOut = a->structureOutputDescriptor != nullptr
                                   ? a->structureOutputDescriptorLength
                                   : a->structureOutputSize;
    FUZZ_CHECK(checkHolds(row.checkScalarInputCount, a->scalarInputCount));
    FUZZ_CHECK(checkHolds(row.checkStructureInputSize, structIn));
    FUZZ_CHECK(checkHolds(row.checkScalarOutputCount, a->scalarOutputCount));
    FUZZ_CHECK(checkHolds(row.checkStructureOutputSize, structOut));
    FUZZ_CHECK(a->scalarInputCount <= kdrv::kScalarMax);
    FUZZ_CHECK(a->scalarOutputCount <= kdrv::kScalarMax);
    FUZZ_CHECK(a->structureInputSize <= kdrv::kInlineStructMax);
    FUZZ_CHECK(a->structureOutputSize <= kdrv::kInlineStructMax);
    FUZZ_CHECK(a->scalarInputCount == 0 || a->scalarInput != nullptr);
    FUZZ_CHECK(a->scalarOutputCount == 0 || a->scalarOutput != nullptr);
    FUZZ_CHECK(a->structureInputSize == 0 || a->structureInput != nullptr);
    FUZZ_CHECK(a->structureOutputSize == 0 || a->structureOutput != nullptr);
    FUZZ_CHECK(a->structureInputSize == 0 || a->structureInputDescriptor == nullptr);
    FUZZ_CHECK(a->structureOutputSize == 0 || a->structureOutputDescriptor == nullptr);
    if (kdrv::isAsync(a))
    {
        FUZZ_CHECK((row.flags & kdrv::kMethodAllowAsync) != 0);
        FUZZ_CHECK(a->asyncReference != nullptr && a->asyncReferenceCount >= 1);
        kdrv::AsyncRef ref;
        const uint32_t n = ref.capture(a);
        FUZZ_CHECK(n == kdrv::min32(a->asyncReferenceCount, kdrv::kAsyncRefCount));
        for (uint32_t i = n; i < kdrv::kAsyncRefCount; ++i)
        {
            FUZZ_CHECK(ref.words[i] == 0);
        }
        ctx->sawAsync = true;
    }
    if ((row.flags & kdrv::kMethodRequireAdmin) != 0)
    {
        FUZZ_CHECK(a->clientPrivileged);
    }

    uint64_t sum = 0;
    for (uint32_t i = 0; i < a->scalarInputCount; ++i)
    {
        sum += a->scalarInput[i];
    }
    const uint8_t* in = static_cast<const uint8_t*>(a->structureInput);
    for (uint32_t i = 0; i < a->structureInputSize; ++i)
    {
        sum += in[i];
    }
    // Outputs arrive zeroed; then the handler fills them completely.
    for (uint32_t i = 0; i < a->scalarOutputCount; ++i)
    {
        FUZZ_CHECK(a->scalarOutput[i] == 0);
        a->scalarOutput[i] = sum + i;
    }
    uint8_t* out = static_cast<uint8_t*>(a->structureOutput);
    for (uint32_t i = 0; i < a->structureOutputSize; ++i)
    {
        FUZZ_CHECK(out[i] == 0);
        out[i] = static_cast<uint8_t>(sum + i);
    }

    const Behaviour& b = ctx->behaviour;
    a->scalarOutputCount += b.raiseScalar;
    a->structureOutputSize += b.raiseStructure;
    a->structureOutputDescriptorSize += b.raiseDescriptor;
    a->scalarOutputCount -= kdrv::min32(a->scalarOutputCount, b.lowerScalar);
    return b.result;
}

// Rows of every check kind: exact zeros, exact counts, markers in each
// position, descriptor-only sizes, async and admin flags, NULL functions,
// the 0xFFFFFFFE non-marker.
const MethodDispatch sRows[] = {
    {fuzzHandler, 0, 0, 0, 0, 0},
    {fuzzHandler, 1, 0, 1, 0, 0},
    {fuzzHandler, V, 0, 0, 0, 0},
    {fuzzHandler, 0, 16, 0, 16, 0},
    {fuzzHandler, 0, V, 0, V, 0},
    {fuzzHandler, V, V, V, V, kdrv::kMethodAllowAsync},
    {fuzzHandler, 2, 4096, 16, 4096, kdrv::kMethodRequireAdmin},
    {nullptr, 0, 0, 0, 0, 0},
    {fuzzHandler, 0, 0xFFFFFFFEu, 0, 0xFFFFFFFEu, 0},
    {fuzzHandler, 16, 8, V, 0, kdrv::kMethodAllowAsync | kdrv::kMethodRequireAdmin},
    {fuzzHandler, 0, 5000, 0, 8192, 0},
    {nullptr, V, V, V, V, kdrv::kMethodAllowAsync},
    {fuzzHandler, 3, V, 0, 1, kdrv::kMethodAllowAsync},
};
const uint32_t kRowCount = static_cast<uint32_t>(KDRV_COUNTOF(sRows));

// Step 2 of the spec, written plainly.
bool modelConsistent(const MethodArgs* a)
{
    if (a->scalarInputCount > 16 || a->scalarOutputCount > 16)
    {
        return false;
    }
    if (a->scalarInputCount > 0 && a->scalarInput == nullptr)
    {
        return false;
    }
    if (a->scalarOutputCount > 0 && a->scalarOutput == nullptr)
    {
        return false;
    }
    if (a->structureInputSize > 4096 || a->structureOutputSize > 4096)
    {
        return false;
    }
    if (a->structureInputSize > 0 && a->structureInput == nullptr)
    {
        return false;
    }
    if (a->structureOutputSize > 0 && a->structureOutput == nullptr)
    {
        return false;
    }
    if (a->structureInputSize > 0 && a->structureInputDescriptor != nullptr)
    {
        return false;
    }
    if (a->structureOutputSize > 0 && a->structureOutputDescriptor != nullptr)
    {
        return false;
    }
    if (a->structureInputDescriptor == nullptr && a->structureInputDescriptorLength > 0)
    {
        return false;
    }
    if (a->structureOutputDescriptor == nullptr &&
        (a->structureOutputDescriptorLength > 0 || a->structureOutputDescriptorSize > 0))
    {
        return false;
    }
    if (a->asyncReferenceCount > 0 && a->asyncReference == nullptr)
    {
        return false;
    }
    return true;
}

// The spec's steps, written plainly.
Status model(const MethodDispatch* table, uint32_t count, uint32_t selector, const MethodArgs* a,
             kdrv::SelectorPolicy policy, const Behaviour& b, bool* called)
{
    *called = false;
    if (a == nullptr)
    {
        return Status::BadArgument;
    }
    if (!modelConsistent(a))
    {
        return Status::BadArgument;
    }
    if (table == nullptr)
    {
        return Status::Error;
    }
    if (selector >= count)
    {
        return policy == kdrv::SelectorPolicy::BadArgument ? Status::BadArgument
                                                           : Status::Unsupported;
    }
    const MethodDispatch& row = table[selector];
    const uint64_t structIn = a->structureInputDescriptor != nullptr
                                  ? a->structureInputDescriptorLength
                                  : a->structureInputSize;
    const uint64_t structOut = a->structureOutputDescriptor != nullptr
                                   ? a->structureOutputDescriptorLength
                                   : a->structureOutputSize;
    if (!checkHolds(row.checkScalarInputCount, a->scalarInputCount) ||
        !checkHolds(row.checkStructureInputSize, structIn) ||
        !checkHolds(row.checkScalarOutputCount, a->scalarOutputCount) ||
        !checkHolds(row.checkStructureOutputSize, structOut))
    {
        return Status::BadArgument;
    }
    if (a->asyncWakePort != 0)
    {
        if ((row.flags & kdrv::kMethodAllowAsync) == 0 || a->asyncReference == nullptr ||
            a->asyncReferenceCount < 1)
        {
            return Status::BadArgument;
        }
    }
    if ((row.flags & kdrv::kMethodRequireAdmin) != 0 && !a->clientPrivileged)
    {
        return Status::NotPrivileged;
    }
    if (row.function == nullptr)
    {
        return Status::NoCompletion;
    }
    *called = true;
    // What the handler leaves in the counts (uint32_t arithmetic, as it does).
    uint32_t scalar = a->scalarOutputCount + b.raiseScalar;
    scalar -= kdrv::min32(scalar, b.lowerScalar);
    const uint32_t structure = a->structureOutputSize + b.raiseStructure;
    const uint32_t descriptor = a->structureOutputDescriptorSize + b.raiseDescriptor;
    if (scalar > a->scalarOutputCount || structure > a->structureOutputSize ||
        descriptor > a->structureOutputDescriptorSize)
    {
        return Status::Overrun;
    }
    return b.result;
}

class Reader
{
  public:
    Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
    uint8_t u8()
    {
        if (pos_ >= size_)
        {
            return 0;
        }
        return data_[pos_++];
    }
    uint32_t u32()
    {
        uint32_t v = 0;
        for (int i = 0; i < 4; ++i)
        {
            v = (v << 8) | u8();
        }
        return v;
    }
    uint64_t u64() { return (static_cast<uint64_t>(u32()) << 32) | u32(); }

    // A count or size: mostly boundary values, sometimes anything.
    uint32_t size32()
    {
        static const uint32_t kEdges[] = {0,    1,           2,           3,          8,    15,
                                          16,   17,          4095,        4096,       4097, 5000,
                                          8192, 0x7FFFFFFFu, 0xFFFFFFFEu, 0xFFFFFFFFu};
        const uint8_t k = u8();
        if (k < 200)
        {
            return kEdges[k % KDRV_COUNTOF(kEdges)];
        }
        return u32();
    }
    uint64_t size64()
    {
        const uint8_t k = u8();
        if (k < 64)
        {
            return size32();
        }
        if (k < 96)
        {
            return (uint64_t(1) << 32) + size32(); // aliases of small sizes
        }
        return u64();
    }

  private:
    const uint8_t* data_;
    size_t size_;
    size_t pos_ = 0;
};

// Exactly `n` elements on the heap (at least one byte so the pointer is
// real and distinct), or NULL.
template <typename T>
T* exactBuffer(std::vector<std::vector<uint8_t>>& keep, size_t n, bool present, uint8_t fill)
{
    if (!present)
    {
        return nullptr;
    }
    keep.emplace_back(n * sizeof(T) == 0 ? 1 : n * sizeof(T), fill);
    return reinterpret_cast<T*>(keep.back().data());
}

const Status kHandlerResults[] = {Status::Success,     Status::Error,   Status::Unsupported,
                                  Status::BadArgument, Status::NoSpace, Status::Overrun,
                                  Status::NotReady};

// ---- The async and notification helpers, in any order ---------------------
// AsyncRef (capture, wakePort), AsyncResultSink::sendResult, TargetRef
// (retain, release, transferTo, isHeld, target, destruction) and NotifyPort
// (init, registerPort, clear, isRegistered, port, type, refCon, send), driven
// by the same input after the dispatch call, each against its header's
// contract.
struct Counts
{
    int retains = 0;
    int releases = 0;
    int sends = 0;
    Status sendResult = Status::Success;
};
Counts g_counts;
void targetRetain(void*) { ++g_counts.retains; }
void targetRelease(void*) { ++g_counts.releases; }
const kdrv::TargetOps kTargetOps = {targetRetain, targetRelease};
Status asyncSend(void*, const kdrv::AsyncRef*, Status, const uint64_t*, uint32_t)
{
    ++g_counts.sends;
    return g_counts.sendResult;
}
Status notifySend(void*, void* port, kdrv::NotifyHeader* message, uint32_t size)
{
    FUZZ_CHECK(message->remotePort == port && message->size == size);
    ++g_counts.sends;
    return g_counts.sendResult;
}

void fuzzHelpers(Reader& r)
{
    g_counts = Counts();
    int targetA = 0, targetB = 0;
    int heldModel = 0; // references the model says are held (by a or b)
    {
        kdrv::TargetRef a, b;
        void* aTarget = nullptr;
        void* bTarget = nullptr;
        kdrv::NotifyPort port;
        bool transport = false;
        void* registered = nullptr;
        uint32_t type = 0;
        uint64_t refCon = 0;
        for (int step = 0; step < 32; ++step)
        {
            const uint8_t op = r.u8();
            g_counts.sendResult = (op & 0x80) != 0 ? Status::IOError : Status::Success;
            switch (op % 10)
            {
            case 0: // retain (only into an empty ref: the other is a contract failure)
                if (!a.isHeld())
                {
                    a.retain(&targetA, &kTargetOps);
                    aTarget = &targetA;
                    ++heldModel;
                }
                break;
            case 1:
            {
                const bool had = a.isHeld();
                FUZZ_CHECK(a.release() == had);
                if (had)
                {
                    --heldModel;
                }
                aTarget = nullptr;
                break;
            }
            case 2: // transfer a -> b: b empty takes it, else a's is dropped
            {
                const bool aHad = a.isHeld();
                const bool bHad = b.isHeld();
                a.transferTo(&b);
                FUZZ_CHECK(!a.isHeld());
                if (aHad && !bHad)
                {
                    bTarget = aTarget;
                }
                else if (aHad)
                {
                    --heldModel;
                }
                aTarget = nullptr;
                FUZZ_CHECK(b.isHeld() == (aHad || bHad));
                break;
            }
            case 3: // transfer to itself and to null
            {
                const bool had = b.isHeld();
                b.transferTo(&b);
                FUZZ_CHECK(b.isHeld() == had);
                if ((op & 0x40) != 0)
                {
                    b.transferTo(nullptr);
                    if (had)
                    {
                        --heldModel;
                    }
                    bTarget = nullptr;
                }
                break;
            }
            case 4:
                if (!b.isHeld())
                {
                    b.retain(&targetB, &kTargetOps);
                    bTarget = &targetB;
                    ++heldModel;
                }
                break;
            case 5: // sendResult over a captured reference
            {
                uint64_t words[kdrv::kAsyncRefCount + 2];
                for (uint64_t& w : words)
                {
                    w = r.u64();
                }
                MethodArgs args = {};
                args.asyncReference = (op & 0x40) != 0 ? nullptr : words;
                args.asyncReferenceCount = r.u8() % (kdrv::kAsyncRefCount + 3);
                kdrv::AsyncRef ref;
                const uint32_t n = ref.capture(&args);
                const uint32_t expectN =
                    args.asyncReference == nullptr
                        ? 0
                        : kdrv::min32(args.asyncReferenceCount, kdrv::kAsyncRefCount);
                FUZZ_CHECK(n == expectN);
                for (uint32_t i = 0; i < kdrv::kAsyncRefCount; ++i)
                {
                    FUZZ_CHECK(ref.words[i] == (i < n ? words[i] : 0));
                }
                FUZZ_CHECK(ref.wakePort() ==
                           (ref.words[kdrv::kAsyncReservedIndex] & ~kdrv::kAsyncReservedFlagsMask));
                const uint32_t count = r.u8() % (kdrv::kAsyncArgsMax + 3);
                const bool nullWords = (r.u8() & 1) != 0;
                const bool nullSend = (r.u8() & 7) == 0;
                const kdrv::AsyncResultSink sink = {nullSend ? nullptr : asyncSend, nullptr};
                const int before = g_counts.sends;
                const Status st =
                    sink.sendResult(ref, Status::Success, nullWords ? nullptr : words, count);
                Status expect = g_counts.sendResult;
                bool sent = true;
                if (count > kdrv::kAsyncArgsMax)
                {
                    expect = Status::MessageTooLarge;
                    sent = false;
                }
                else if (count != 0 && nullWords)
                {
                    expect = Status::BadArgument;
                    sent = false;
                }
                else if (ref.wakePort() == 0)
                {
                    expect = Status::Success;
                    sent = false;
                }
                else if (nullSend)
                {
                    expect = Status::Error;
                    sent = false;
                }
                FUZZ_CHECK(st == expect);
                FUZZ_CHECK(g_counts.sends == before + (sent ? 1 : 0));
                break;
            }
            case 6:
                port.init((op & 0x40) != 0 ? nullptr : notifySend, nullptr);
                transport = (op & 0x40) == 0;
                break;
            case 7:
            {
                void* p = (op & 0x40) != 0 ? nullptr : &targetA;
                const uint32_t t = r.u32();
                const uint64_t rc = r.u64();
                FUZZ_CHECK(port.registerPort(p, t, rc) == Status::Success);
                registered = p;
                type = p != nullptr ? t : 0;
                refCon = p != nullptr ? rc : 0;
                break;
            }
            case 8:
                port.clear();
                registered = nullptr;
                type = 0;
                refCon = 0;
                break;
            default:
            {
                kdrv::NotifyHeader message[2] = {};
                const uint32_t sizes[] = {0, sizeof(kdrv::NotifyHeader) - 1,
                                          sizeof(kdrv::NotifyHeader), sizeof message};
                const uint32_t sz = sizes[r.u8() % 4];
                const bool nullMessage = (op & 0x40) != 0;
                const int before = g_counts.sends;
                const Status st = port.send(nullMessage ? nullptr : message, sz);
                Status expect = g_counts.sendResult;
                if (registered == nullptr)
                {
                    expect = Status::Error;
                }
                else if (nullMessage || sz < sizeof(kdrv::NotifyHeader))
                {
                    expect = Status::BadArgument;
                }
                else if (!transport)
                {
                    expect = Status::Error;
                }
                FUZZ_CHECK(st == expect);
                FUZZ_CHECK(g_counts.sends ==
                           before + (expect == g_counts.sendResult && registered != nullptr &&
                                             !nullMessage && sz >= sizeof(kdrv::NotifyHeader) &&
                                             transport
                                         ? 1
                                         : 0));
                break;
            }
            }
            FUZZ_CHECK(a.target() == aTarget && b.target() == bTarget);
            FUZZ_CHECK(g_counts.retains - g_counts.releases == heldModel);
            FUZZ_CHECK(port.isRegistered() == (registered != nullptr));
            FUZZ_CHECK(port.port() == registered && port.type() == type && port.refCon() == refCon);
        }
    }
    // Destruction dropped whatever was still held: nothing leaks.
    FUZZ_CHECK(g_counts.retains == g_counts.releases);
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    Reader r(data, size);
    const uint8_t mode = r.u8();
    const kdrv::SelectorPolicy policy =
        (mode & 1) != 0 ? kdrv::SelectorPolicy::BadArgument : kdrv::SelectorPolicy::Unsupported;
    const bool nullTable = (mode & 0x0E) == 0x0E;
    const bool nullArgs = (mode & 0xF0) == 0xF0;
    uint32_t count = kRowCount;
    if ((mode & 0x30) == 0x10)
    {
        count = r.u8() % (kRowCount + 1); // a prefix of the table, possibly empty
    }
    uint32_t selector = r.u8();
    if (selector >= 0xF0)
    {
        selector = r.u32();
    }
    else
    {
        selector %= kRowCount + 3;
    }

    const uint8_t behaviourByte = r.u8();
    Behaviour behaviour;
    behaviour.result = kHandlerResults[behaviourByte % KDRV_COUNTOF(kHandlerResults)];
    behaviour.raiseScalar = (behaviourByte & 0x10) != 0 ? 1 + (r.u8() & 3) : 0;
    behaviour.raiseStructure = (behaviourByte & 0x20) != 0 ? 1 + r.u8() : 0;
    behaviour.raiseDescriptor = (behaviourByte & 0x40) != 0 ? 1 : 0;
    behaviour.lowerScalar = (behaviourByte & 0x80) != 0 ? 1 : 0;

    const uint8_t presence = r.u8(); // which pointers are non-NULL
    std::vector<std::vector<uint8_t>> keep;
    keep.reserve(8);
    MethodArgs a;
    memset(&a, 0, sizeof a);
    a.version = r.u8() < 128 ? kdrv::kMethodArgsVersion : r.u32();
    a.selector = selector;
    a.clientPrivileged = (presence & 0x80) != 0;

    a.scalarInputCount = r.size32();
    a.scalarInput = exactBuffer<uint64_t>(keep, kdrv::min32(a.scalarInputCount, 32),
                                          (presence & 0x01) != 0, 0x11);
    a.structureInputSize = r.size32();
    a.structureInput = exactBuffer<uint8_t>(keep, kdrv::min32(a.structureInputSize, 8192),
                                            (presence & 0x02) != 0, 0x22);
    a.scalarOutputCount = r.size32();
    a.scalarOutput = exactBuffer<uint64_t>(keep, kdrv::min32(a.scalarOutputCount, 32),
                                           (presence & 0x04) != 0, 0xA5);
    a.structureOutputSize = r.size32();
    a.structureOutput = exactBuffer<uint8_t>(keep, kdrv::min32(a.structureOutputSize, 8192),
                                             (presence & 0x08) != 0, 0xA5);

    // Descriptors are opaque handles: real objects, never dereferenced.
    int inDescriptor = 0;
    int outDescriptor = 0;
    const uint8_t descriptors = r.u8();
    if ((descriptors & 1) != 0)
    {
        a.structureInputDescriptor = &inDescriptor;
    }
    if ((descriptors & 2) != 0)
    {
        a.structureOutputDescriptor = &outDescriptor;
    }
    a.structureInputDescriptorLength = (descriptors & 4) != 0 ? r.size64() : 0;
    a.structureOutputDescriptorLength = (descriptors & 8) != 0 ? r.size64() : 0;
    a.structureOutputDescriptorSize = (descriptors & 16) != 0 ? r.size32() : 0;

    if ((presence & 0x10) != 0)
    {
        a.asyncWakePort = r.u64() | 4; // non-zero
    }
    a.asyncReferenceCount = r.size32();
    a.asyncReference = exactBuffer<uint64_t>(keep, kdrv::min32(a.asyncReferenceCount, 8),
                                             (presence & 0x20) != 0, 0x33);

    const MethodDispatch* table = nullTable ? nullptr : sRows;
    MethodArgs* args = nullArgs ? nullptr : &a;

    HandlerContext ctx;
    ctx.row = selector < kRowCount ? &sRows[selector] : nullptr;
    ctx.behaviour = behaviour;
    ctx.calls = 0;
    ctx.sawAsync = false;

    const MethodArgs before = a;
    bool modelCalled = false;
    const Status expected = model(table, count, selector, args, policy, behaviour, &modelCalled);
    const Status got =
        kdrv::dispatchMethod(table, count, selector, args, &ctx, &ctx.behaviour, policy);

    if (got != expected)
    {
        fprintf(stderr, "selector %u count %u: dispatch %s, model %s\n", selector, count,
                kdrv::statusName(got), kdrv::statusName(expected));
    }
    FUZZ_CHECK(got == expected);
    FUZZ_CHECK(ctx.calls == (modelCalled ? 1 : 0));
    if (args == nullptr)
    {
        return 0;
    }
    // Counts never exceed the caller's capacity.
    FUZZ_CHECK(a.scalarOutputCount <= before.scalarOutputCount);
    FUZZ_CHECK(a.structureOutputSize <= before.structureOutputSize);
    FUZZ_CHECK(a.structureOutputDescriptorSize <= before.structureOutputDescriptorSize);
    if (!modelCalled)
    {
        FUZZ_CHECK(a.scalarOutputCount == before.scalarOutputCount);
        FUZZ_CHECK(a.structureOutputSize == before.structureOutputSize);
        FUZZ_CHECK(a.structureOutputDescriptorSize == before.structureOutputDescriptorSize);
        // Past the consistency check the outputs are zero; before it, untouched.
        const uint8_t expect = modelConsistent(&before) ? 0x00 : 0xA5;
        if (a.scalarOutput != nullptr)
        {
            const uint8_t* p = reinterpret_cast<const uint8_t*>(a.scalarOutput);
            const size_t n = kdrv::min32(before.scalarOutputCount, 32) * sizeof(uint64_t);
            for (size_t i = 0; i < n; ++i)
            {
                FUZZ_CHECK(p[i] == expect);
            }
        }
        if (a.structureOutput != nullptr)
        {
            const uint8_t* p = static_cast<const uint8_t*>(a.structureOutput);
            const size_t n = kdrv::min32(before.structureOutputSize, 8192);
            for (size_t i = 0; i < n; ++i)
            {
                FUZZ_CHECK(p[i] == expect);
            }
        }
    }
    if (ctx.calls == 1 && kdrv::isAsync(&before))
    {
        FUZZ_CHECK(ctx.sawAsync);
    }
    // The status is the handler's or a documented code.
    const Status documented[] = {Status::BadArgument,   Status::Error,        Status::Unsupported,
                                 Status::NotPrivileged, Status::NoCompletion, Status::Overrun};
    bool known = modelCalled && got == behaviour.result;
    for (Status s : documented)
    {
        known = known || got == s;
    }
    FUZZ_CHECK(known || got == Status::Success);
    fuzzHelpers(r);
    return 0;
}
