// SPDX-License-Identifier: MIT
//
// Differential check of kdrv::DmaCommand against the reference model
// (dma_sg_reference.hpp), shared by the differential test and the fuzzer.
// One Case is a specification, a run list, a window and a pattern of calls;
// checkCase() runs it through the builder in several ways (one call, many
// small resumable calls with restarts, both output entry points, the source
// callback input) and returns the first disagreement, or an empty string.
#ifndef KDRV_TESTS_DMA_SG_DIFF_HPP
#define KDRV_TESTS_DMA_SG_DIFF_HPP

#include "dma_sg_reference.hpp"

#include "kdrv/dma_sg.hpp"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <string>
#include <vector>

namespace dmasgdiff
{
// Small deterministic generator (splitmix64).
struct Rng
{
    uint64_t state;
    explicit Rng(uint64_t seed) : state(seed) {}
    uint64_t next()
    {
        uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    uint64_t below(uint64_t n) { return n == 0 ? 0 : next() % n; }
    bool chance(unsigned oneIn) { return below(oneIn) == 0; }
};

enum BounceMode : int
{
    BounceNone = 0,
    BounceGood = 1,    // always a valid address (if the limits allow one)
    BounceHostile = 2, // sometimes fails, sometimes misaligned or out of reach
};

struct BounceRecord
{
    uint64_t offset;
    uint64_t address;
    uint64_t length;
    int reason;
    uint64_t bus; // the answer (when `failed` is false)
    bool failed;
    bool operator==(const BounceRecord& o) const
    {
        return offset == o.offset && address == o.address && length == o.length &&
               reason == o.reason && bus == o.bus && failed == o.failed;
    }
};

struct BounceContext
{
    int mode = BounceNone;
    uint64_t unit = 4096;
    std::vector<BounceRecord> log;
};

// A pure function of the request, so the model and the builder (which may
// ask again after a restart) get the same answers.
inline kdrv::Status bounceFunction(void* context, const kdrv::DmaBounceRequest* request,
                                   uint64_t* busAddress)
{
    BounceContext* ctx = static_cast<BounceContext*>(context);
    BounceRecord r = {request->offset,
                      request->address,
                      request->length,
                      static_cast<int>(request->reason),
                      0,
                      false};
    const uint64_t k = (request->offset / 3 + request->length) % 4;
    uint64_t bus = k * ctx->unit;
    if (ctx->mode == BounceHostile)
    {
        const uint64_t h = (request->offset * 0x9E3779B97F4A7C15ull) ^ request->address;
        switch ((h >> 17) % 11)
        {
        case 0:
            r.failed = true;
            ctx->log.push_back(r);
            return kdrv::Status::NoResources;
        case 1:
            bus += 1;
            break;
        case 2:
            bus = ~uint64_t(0) - request->length / 2;
            break;
        case 3:
            bus = uint64_t(1) << 40;
            break;
        default:
            break;
        }
    }
    r.bus = bus;
    ctx->log.push_back(r);
    *busAddress = bus;
    return kdrv::Status::Success;
}

// A descriptor over a run list, answering like getPhysicalSegment().
struct SourceAdaptor
{
    const kdrv::DmaRange* runs;
    size_t count;
    uint64_t overreport; // extra length claimed for the input's last run
    std::vector<uint64_t> starts;
    uint64_t total = 0;

    void setUp(const kdrv::DmaRange* r, size_t n, uint64_t extra)
    {
        runs = r;
        count = n;
        overreport = extra;
        starts.clear();
        total = 0;
        for (size_t i = 0; i < n; ++i)
        {
            starts.push_back(total);
            total += r[i].length;
        }
    }

    static kdrv::Status physicalSegment(void* context, uint64_t offset, uint64_t* address,
                                        uint64_t* length)
    {
        const SourceAdaptor* self = static_cast<const SourceAdaptor*>(context);
        if (offset >= self->total)
        {
            return kdrv::Status::Overrun;
        }
        // Binary search for the last run starting at or before offset with bytes.
        size_t lo = 0;
        size_t hi = self->count;
        while (hi - lo > 1)
        {
            const size_t mid = (lo + hi) / 2;
            if (self->starts[mid] <= offset)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }
        size_t i = lo;
        while (self->starts[i] + self->runs[i].length <= offset)
        {
            ++i;
        }
        const uint64_t into = offset - self->starts[i];
        *address = self->runs[i].address + into;
        *length = self->runs[i].length - into;
        bool lastWithBytes = true;
        for (size_t j = i + 1; j < self->count; ++j)
        {
            if (self->runs[j].length != 0)
            {
                lastWithBytes = false;
            }
        }
        if (lastWithBytes && ~uint64_t(0) - (*address + *length) > self->overreport)
        {
            *length += self->overreport;
        }
        return kdrv::Status::Success;
    }
};

// Invariants of a complete segment list, independent of the model: the
// segments cover exactly the window's bytes, in order (a bounced segment
// stands for the bytes its bounce request named), and each obeys every
// limit of the specification. `log` holds the bounce calls of the build.
inline bool invariantsHold(const kdrv::DmaSpecification& spec, const kdrv::DmaRange* runs,
                           size_t count, uint64_t windowOffset, uint64_t windowLength,
                           const std::vector<kdrv::DmaRange>& segments,
                           const std::vector<BounceRecord>& log, std::string* why)
{
    dmasgref::Limits l;
    if (dmasgref::validate(spec, &l) != kdrv::Status::Success)
    {
        *why = "invariants: invalid specification";
        return false;
    }
    // Window bytes as pieces.
    std::vector<kdrv::DmaRange> pieces;
    uint64_t bufferPos = 0;
    for (size_t i = 0; i < count; ++i)
    {
        const uint64_t runStart = bufferPos;
        const uint64_t runEnd = bufferPos + runs[i].length;
        bufferPos = runEnd;
        const uint64_t from = runStart > windowOffset ? runStart : windowOffset;
        const uint64_t to =
            runEnd < windowOffset + windowLength ? runEnd : windowOffset + windowLength;
        if (from < to)
        {
            kdrv::DmaRange p = {runs[i].address + (from - runStart), to - from};
            pieces.push_back(p);
        }
    }
    size_t piece = 0;
    uint64_t into = 0; // bytes of pieces[piece] already covered
    uint64_t position = 0;
    size_t logIndex = 0;
    char line[160];
    for (size_t i = 0; i < segments.size(); ++i)
    {
        const kdrv::DmaRange& s = segments[i];
        const dmasgref::u128 last = static_cast<dmasgref::u128>(s.address) + s.length - 1;
        snprintf(line, sizeof line, "invariants: segment %zu (0x%llx +0x%llx) ", i,
                 static_cast<unsigned long long>(s.address),
                 static_cast<unsigned long long>(s.length));
        if (s.length == 0 || s.length > l.maxSegment || last > dmasgref::kMax64 ||
            last >= l.limitEnd || s.address % l.alignment != 0 ||
            s.length % l.lengthAlignment != 0 ||
            (l.boundary != 0 && s.address / l.boundary != last / l.boundary) ||
            (!l.wide && (s.address > 0xFFFFFFFFu || s.length > 0xFFFFFFFFu)))
        {
            *why = std::string(line) + "breaks a limit";
            return false;
        }
        uint64_t expectAddress = s.address;
        if (logIndex < log.size() && log[logIndex].offset == position)
        {
            const BounceRecord& b = log[logIndex++];
            if (b.failed || b.bus != s.address || b.length != s.length)
            {
                *why = std::string(line) + "does not match its bounce request";
                return false;
            }
            expectAddress = b.address;
        }
        // The next s.length window bytes must be contiguous from expectAddress.
        uint64_t need = s.length;
        while (need > 0)
        {
            if (piece == pieces.size())
            {
                *why = std::string(line) + "runs past the window";
                return false;
            }
            const uint64_t here = pieces[piece].address + into;
            const uint64_t avail = pieces[piece].length - into;
            if (here != expectAddress)
            {
                *why = std::string(line) + "is not the window's next bytes";
                return false;
            }
            const uint64_t take = avail < need ? avail : need;
            need -= take;
            expectAddress += take;
            into += take;
            if (into == pieces[piece].length)
            {
                ++piece;
                into = 0;
            }
        }
        position += s.length;
    }
    if (position != windowLength || logIndex != log.size())
    {
        *why = "invariants: the segments do not cover the window exactly";
        return false;
    }
    return true;
}

struct Case
{
    kdrv::DmaSpecification spec;
    int bounceMode = BounceNone;
    std::vector<kdrv::DmaRange> runs;
    uint64_t prepOffset = 0;
    uint64_t prepLength = 0;
    uint64_t callSeed = 0; // drives capacities, restarts, entry points
    bool viaSource = false;
    uint64_t overreport = 0;
};

inline std::string describeStatus(kdrv::Status s) { return kdrv::statusName(s); }

inline std::string describeCase(const Case& c)
{
    char line[256];
    std::string out;
    snprintf(line, sizeof line,
             "spec: format=%u bits=%u page=%u align=%u lenAlign=%u maxSegs=%u maxSeg=%llu "
             "maxXfer=%llu boundary=%llu bounce=%d\n",
             static_cast<unsigned>(c.spec.format), c.spec.numAddressBits, c.spec.pageSize,
             c.spec.alignment, c.spec.lengthAlignment, c.spec.maxSegments,
             static_cast<unsigned long long>(c.spec.maxSegmentSize),
             static_cast<unsigned long long>(c.spec.maxTransferSize),
             static_cast<unsigned long long>(c.spec.boundary), c.bounceMode);
    out += line;
    snprintf(line, sizeof line, "window: offset=%llu length=%llu callSeed=%llu source=%d\n",
             static_cast<unsigned long long>(c.prepOffset),
             static_cast<unsigned long long>(c.prepLength),
             static_cast<unsigned long long>(c.callSeed), c.viaSource ? 1 : 0);
    out += line;
    for (size_t i = 0; i < c.runs.size(); ++i)
    {
        snprintf(line, sizeof line, "  run %zu: 0x%llx +0x%llx\n", i,
                 static_cast<unsigned long long>(c.runs[i].address),
                 static_cast<unsigned long long>(c.runs[i].length));
        out += line;
    }
    return out;
}

struct Result
{
    bool skipped = false;
    std::string mismatch;
};

#define DMASG_DIFF_EXPECT(cond, what)                                                              \
    do                                                                                             \
    {                                                                                              \
        if (!(cond))                                                                               \
        {                                                                                          \
            char where_[64];                                                                       \
            snprintf(where_, sizeof where_, " (line %d)", __LINE__);                               \
            res.mismatch = std::string(what) + where_;                                             \
            return res;                                                                            \
        }                                                                                          \
    } while (0)

// Compares the segments emitted into `out` (element size `elem`) with the
// model's segments [first, first + n).
inline bool sameSegments(const uint8_t* out, uint32_t n, kdrv::DmaFormat format, bool ranges,
                         const dmasgref::Outcome& ref, size_t first, std::string* why)
{
    const bool hostBig = !kdrv::hostIsLittleEndian();
    const kdrv::DmaFormat f = ranges ? kdrv::DmaFormat::Host64 : format;
    const size_t elem = kdrv::dmaFormatElementSize(f);
    for (uint32_t i = 0; i < n; ++i)
    {
        const dmasgref::Segment& s = ref.segments[first + i];
        uint8_t expect[16];
        dmasgref::encode(f, hostBig, s.address, s.length, expect);
        if (memcmp(out + i * elem, expect, elem) != 0)
        {
            uint64_t a = 0;
            uint64_t l = 0;
            dmasgref::decode(f, hostBig, out + i * elem, &a, &l);
            char line[200];
            snprintf(line, sizeof line,
                     "segment %zu: got 0x%llx +0x%llx, model 0x%llx +0x%llx (format %u)", first + i,
                     static_cast<unsigned long long>(a), static_cast<unsigned long long>(l),
                     static_cast<unsigned long long>(s.address),
                     static_cast<unsigned long long>(s.length), static_cast<unsigned>(f));
            *why = line;
            return false;
        }
    }
    return true;
}

inline Result checkCase(const Case& c, size_t maxModelled = 4096)
{
    Result res;
    BounceContext bounce;
    bounce.mode = c.bounceMode;
    kdrv::DmaSpecification spec = c.spec;
    spec.bounce = c.bounceMode == BounceNone ? nullptr : &bounceFunction;
    spec.bounceContext = &bounce;
    {
        uint64_t unit = spec.pageSize;
        if (spec.alignment > unit)
        {
            unit = spec.alignment;
        }
        bounce.unit = unit == 0 ? 4096 : unit;
    }

    const dmasgref::Outcome ref = dmasgref::build(spec, c.runs.data(), c.runs.size(), c.prepOffset,
                                                  c.prepLength, maxModelled);
    if (ref.tooMany)
    {
        res.skipped = true;
        return res;
    }
    const std::vector<BounceRecord> refLog = bounce.log;
    bounce.log.clear();

    kdrv::DmaCommand cmd;
    kdrv::Status st = cmd.init(spec);
    DMASG_DIFF_EXPECT(st == ref.limitsStatus, "init: " + describeStatus(st) + " vs model " +
                                                  describeStatus(ref.limitsStatus));
    if (st != kdrv::Status::Success)
    {
        DMASG_DIFF_EXPECT(cmd.prepare() == kdrv::Status::NotReady, "prepare after failed init");
        return res;
    }
    {
        dmasgref::Limits l = dmasgref::Limits();
        DMASG_DIFF_EXPECT(dmasgref::validate(spec, &l) == kdrv::Status::Success,
                          "limits: model refuses a specification init accepted");
        const kdrv::DmaLimits& k = cmd.limits();
        DMASG_DIFF_EXPECT(static_cast<dmasgref::u128>(k.maxAddress) + 1 == l.limitEnd,
                          "limits: address");
        DMASG_DIFF_EXPECT(static_cast<dmasgref::u128>(k.maxSegmentSize) ==
                              dmasgref::min128(l.maxSegment, dmasgref::kMax64),
                          "limits: max segment");
        DMASG_DIFF_EXPECT(k.numAddressBits == l.bits, "limits: bits");
    }
    st = cmd.setRanges(c.runs.data(), static_cast<uint32_t>(c.runs.size()));
    DMASG_DIFF_EXPECT(st == ref.inputStatus, "setRanges: " + describeStatus(st) + " vs model " +
                                                 describeStatus(ref.inputStatus));
    if (st != kdrv::Status::Success)
    {
        return res;
    }
    st = cmd.prepare(c.prepOffset, c.prepLength);
    DMASG_DIFF_EXPECT(st == ref.prepareStatus, "prepare: " + describeStatus(st) + " vs model " +
                                                   describeStatus(ref.prepareStatus));
    DMASG_DIFF_EXPECT(bounce.log.empty(), "prepare called the bounce function");
    if (st != kdrv::Status::Success)
    {
        DMASG_DIFF_EXPECT(!cmd.isPrepared(), "failed prepare left the command prepared");
        return res;
    }
    DMASG_DIFF_EXPECT(cmd.preparedLength() == ref.windowLength, "prepared length");

    // countSegments sees the walk without bounce calls.
    {
        uint64_t count = 0;
        st = cmd.countSegments(&count);
        DMASG_DIFF_EXPECT(st == ref.structuralStatus, "countSegments status " + describeStatus(st));
        if (st == kdrv::Status::Success)
        {
            DMASG_DIFF_EXPECT(count == ref.structuralCount, "countSegments count");
        }
        DMASG_DIFF_EXPECT(bounce.log.empty(), "countSegments called the bounce function");
    }

    const size_t total = ref.segments.size();
    const bool endsWell = ref.endStatus == kdrv::Status::Success;
    const size_t elem = kdrv::dmaFormatElementSize(spec.format);
    std::vector<uint8_t> buffer((total + 16) * 16 + 1);
    uint8_t* const out = buffer.data() + 1; // deliberately unaligned
    std::string why;

    // 1. One call with room for everything.
    {
        uint64_t offset = 0;
        uint32_t n = static_cast<uint32_t>(total + 2);
        st = cmd.generate(&offset, out, &n);
        if (ref.windowLength == 0)
        {
            DMASG_DIFF_EXPECT(st == kdrv::Status::Overrun, "empty window: " + describeStatus(st));
            DMASG_DIFF_EXPECT(n == total + 2 && offset == 0, "empty window changed outputs");
        }
        else if (endsWell)
        {
            DMASG_DIFF_EXPECT(st == kdrv::Status::Success, "one call: " + describeStatus(st));
            DMASG_DIFF_EXPECT(n == total, "one call: segment count");
            DMASG_DIFF_EXPECT(offset == ref.windowLength, "one call: final offset");
            DMASG_DIFF_EXPECT(sameSegments(out, n, spec.format, false, ref, 0, &why), why);
            std::vector<kdrv::DmaRange> decoded(n);
            for (uint32_t i = 0; i < n; ++i)
            {
                dmasgref::decode(spec.format, !kdrv::hostIsLittleEndian(), out + i * elem,
                                 &decoded[i].address, &decoded[i].length);
            }
            DMASG_DIFF_EXPECT(invariantsHold(spec, c.runs.data(), c.runs.size(),
                                             cmd.preparedOffset(), cmd.preparedLength(), decoded,
                                             bounce.log, &why),
                              why);
            uint32_t again = 1;
            DMASG_DIFF_EXPECT(cmd.generate(&offset, out, &again) == kdrv::Status::Overrun,
                              "past the end");
        }
        else
        {
            DMASG_DIFF_EXPECT(st == ref.endStatus, "one call: " + describeStatus(st) +
                                                       " vs model " +
                                                       describeStatus(ref.endStatus));
            DMASG_DIFF_EXPECT(offset == 0 && n == total + 2, "failed call changed outputs");
        }
        DMASG_DIFF_EXPECT(bounce.log == refLog, "bounce calls differ (one call)");
    }

    // 2. Resumable calls with small capacities, restarts and both entry points.
    if (ref.windowLength != 0)
    {
        Rng rng(c.callSeed);
        uint64_t offset = 0;
        size_t index = 0; // model index of the segment at `offset`
        bool failedOnce = false;
        std::vector<kdrv::DmaRange> rangeBuffer(16);
        unsigned restarts = 0;
        for (unsigned guard = 0; guard < 16 * total + 64; ++guard)
        {
            if (index == total && endsWell)
            {
                break;
            }
            // Occasionally restart at 0 or at an earlier segment start.
            if (index > 0 && restarts < 3 && rng.chance(8))
            {
                ++restarts;
                const size_t highest = index < total ? index : total - 1;
                index = static_cast<size_t>(rng.below(highest + 1));
                offset = index == 0 ? 0 : ref.segments[index].offset;
            }
            // Occasionally try an offset inside a segment: BadArgument.
            if (index < total && ref.segments[index].length > 1 && rng.chance(16))
            {
                uint64_t bad =
                    ref.segments[index].offset + 1 + rng.below(ref.segments[index].length - 1);
                const uint64_t keep = bad;
                uint32_t n = 3;
                st = cmd.generate(&bad, out, &n);
                DMASG_DIFF_EXPECT(st == kdrv::Status::BadArgument,
                                  "mid-segment offset: " + describeStatus(st));
                DMASG_DIFF_EXPECT(bad == keep && n == 3, "mid-segment offset changed outputs");
            }
            const uint32_t cap = static_cast<uint32_t>(1 + rng.below(rng.chance(4) ? 9 : 3));
            const bool ranges = rng.chance(3);
            uint32_t n = cap;
            const uint64_t before = offset;
            if (ranges)
            {
                st = cmd.generateRanges(&offset, rangeBuffer.data(), &n);
                memcpy(out, rangeBuffer.data(), n * sizeof(kdrv::DmaRange));
            }
            else
            {
                st = cmd.generate(&offset, out, &n);
            }
            const size_t left = total - index;
            if (endsWell || cap <= left)
            {
                DMASG_DIFF_EXPECT(st == kdrv::Status::Success,
                                  "resumable call: " + describeStatus(st));
                const uint32_t expectN = static_cast<uint32_t>(cap < left ? cap : left);
                DMASG_DIFF_EXPECT(n == expectN, "resumable call: count");
                DMASG_DIFF_EXPECT(sameSegments(out, n, spec.format, ranges, ref, index, &why), why);
                index += n;
                const uint64_t expectOffset =
                    index < total ? ref.segments[index].offset : ref.windowLength;
                if (index < total || endsWell)
                {
                    DMASG_DIFF_EXPECT(offset == expectOffset, "resumable call: offset");
                }
            }
            else
            {
                DMASG_DIFF_EXPECT(st == ref.endStatus,
                                  "resumable failing call: " + describeStatus(st) + " vs " +
                                      describeStatus(ref.endStatus));
                DMASG_DIFF_EXPECT(offset == before && n == cap, "failed call changed outputs");
                if (failedOnce)
                {
                    break;
                }
                failedOnce = true;
                // A retry that stops before the failure succeeds after a restart.
                if (left > 0)
                {
                    uint32_t m = static_cast<uint32_t>(left);
                    st = cmd.generate(&offset, out, &m);
                    DMASG_DIFF_EXPECT(st == kdrv::Status::Success,
                                      "retry before the failure: " + describeStatus(st));
                    DMASG_DIFF_EXPECT(m == left, "retry count");
                    DMASG_DIFF_EXPECT(sameSegments(out, m, spec.format, false, ref, index, &why),
                                      why);
                    index += m;
                }
            }
        }
        if (endsWell)
        {
            DMASG_DIFF_EXPECT(index == total, "resumable run did not finish");
            uint32_t n = 1;
            DMASG_DIFF_EXPECT(cmd.generate(&offset, out, &n) == kdrv::Status::Overrun,
                              "resumable: past the end");
        }
    }
    // Misuse while prepared, from the header's contract: the specification
    // and the input are Busy, the same window nests, another is NotReady.
    DMASG_DIFF_EXPECT(cmd.init(spec) == kdrv::Status::Busy, "init while prepared");
    DMASG_DIFF_EXPECT(cmd.setRanges(c.runs.data(), static_cast<uint32_t>(c.runs.size())) ==
                          kdrv::Status::Busy,
                      "setRanges while prepared");
    DMASG_DIFF_EXPECT(cmd.prepare(c.prepOffset, c.prepLength) == kdrv::Status::Success,
                      "the same window nests");
    if (cmd.preparedLength() > 1)
    {
        DMASG_DIFF_EXPECT(cmd.prepare(cmd.preparedOffset() + 1, 1) == kdrv::Status::NotReady,
                          "another window while prepared");
    }
    DMASG_DIFF_EXPECT(cmd.complete() == kdrv::Status::Success, "complete of the nested prepare");
    DMASG_DIFF_EXPECT(cmd.isPrepared(), "one prepare still active");
    DMASG_DIFF_EXPECT(cmd.complete() == kdrv::Status::Success, "complete");
    DMASG_DIFF_EXPECT(cmd.complete() == kdrv::Status::NotReady, "second complete");
    {
        // After the last complete: nothing generates until the next prepare.
        uint64_t offset = 0;
        uint32_t n = 1;
        DMASG_DIFF_EXPECT(cmd.generate(&offset, out, &n) == kdrv::Status::NotReady,
                          "generate after complete");
        uint64_t count = 0;
        DMASG_DIFF_EXPECT(cmd.countSegments(&count) == kdrv::Status::NotReady,
                          "countSegments after complete");
        uint64_t inputTotal = 0;
        for (const kdrv::DmaRange& run : c.runs)
        {
            inputTotal += run.length;
        }
        DMASG_DIFF_EXPECT(cmd.inputLength() == inputTotal, "input length");
    }

    // 3. The same buffer through the source callback: same result.
    if (c.viaSource)
    {
        SourceAdaptor adaptor;
        adaptor.setUp(c.runs.data(), c.runs.size(), c.overreport);
        const kdrv::DmaSourceOps ops = {&SourceAdaptor::physicalSegment};
        kdrv::DmaCommand viaSource;
        DMASG_DIFF_EXPECT(viaSource.init(spec) == kdrv::Status::Success, "source: init");
        DMASG_DIFF_EXPECT(viaSource.setSource(&ops, &adaptor, adaptor.total) ==
                              kdrv::Status::Success,
                          "source: setSource");
        st = viaSource.prepare(c.prepOffset, c.prepLength);
        DMASG_DIFF_EXPECT(st == kdrv::Status::Success, "source: prepare " + describeStatus(st));
        bounce.log.clear();
        uint64_t offset = 0;
        uint32_t n = static_cast<uint32_t>(total + 2);
        st = viaSource.generate(&offset, out, &n);
        if (ref.windowLength == 0)
        {
            DMASG_DIFF_EXPECT(st == kdrv::Status::Overrun, "source: empty window");
        }
        else if (endsWell)
        {
            DMASG_DIFF_EXPECT(st == kdrv::Status::Success, "source: " + describeStatus(st));
            DMASG_DIFF_EXPECT(n == total && offset == ref.windowLength, "source: count");
            DMASG_DIFF_EXPECT(sameSegments(out, n, spec.format, false, ref, 0, &why), why);
        }
        else
        {
            DMASG_DIFF_EXPECT(st == ref.endStatus, "source: " + describeStatus(st) + " vs " +
                                                       describeStatus(ref.endStatus));
        }
        DMASG_DIFF_EXPECT(bounce.log == refLog, "source: bounce calls differ");
        // Capacity 1 all the way equals the one call.
        if (endsWell && total > 0)
        {
            offset = 0;
            for (size_t i = 0; i < total; ++i)
            {
                uint32_t one = 1;
                st = viaSource.generate(&offset, out + i * elem, &one);
                DMASG_DIFF_EXPECT(st == kdrv::Status::Success && one == 1,
                                  "source: capacity 1 " + describeStatus(st));
            }
            DMASG_DIFF_EXPECT(offset == ref.windowLength, "source: capacity 1 offset");
            DMASG_DIFF_EXPECT(
                sameSegments(out, static_cast<uint32_t>(total), spec.format, false, ref, 0, &why),
                why);
        }
    }
    return res;
}

#undef DMASG_DIFF_EXPECT

// Random cases with realistic and edge-heavy values.
inline void randomCase(Rng& rng, Case* c)
{
    Case k;
    kdrv::DmaSpecification& s = k.spec;
    s = kdrv::DmaSpecification();
    // A valid format, or now and then a value that names none.
    const uint64_t formats = kdrv::kDmaFormatCount;
    s.format = static_cast<kdrv::DmaFormat>(rng.chance(64) ? formats + rng.below(256 - formats)
                                                           : rng.below(formats));
    {
        static const uint32_t pages[] = {4096,  4096, 4096, 4096, 16384, 16384,
                                         65536, 8192, 0,    2048, 3000,  4097};
        s.pageSize = pages[rng.chance(16) ? rng.below(12) : rng.below(7)];
    }
    {
        static const uint8_t bits[] = {0,  0,  0,  32, 32, 36, 12, 13, 14,
                                       16, 20, 31, 33, 40, 48, 63, 64};
        s.numAddressBits =
            rng.chance(32) ? static_cast<uint8_t>(rng.below(80)) : bits[rng.below(17)];
    }
    {
        static const uint32_t aligns[] = {0, 1, 1, 1, 2, 4, 4, 8, 512, 1024, 4096, 3};
        s.alignment = rng.chance(8) ? uint32_t(1) << rng.below(17)
                                    : aligns[rng.below(rng.chance(32) ? 12 : 11)];
        static const uint32_t lens[] = {0, 1, 1, 1, 1, 2, 4, 512, 6};
        s.lengthAlignment =
            rng.chance(8) ? uint32_t(1) << rng.below(13) : lens[rng.below(rng.chance(32) ? 9 : 8)];
    }
    {
        static const uint64_t segs[] = {
            0, 0, 0, 2048, 3000, 4096, 65536, 0x100000000ull, 0xFFFFFFFFull, 1, 512};
        s.maxSegmentSize =
            rng.chance(4) ? 256 + rng.below(rng.chance(2) ? 20000 : 1u << 20) : segs[rng.below(11)];
    }
    {
        static const uint64_t bounds[] = {0, 0, 0, 4096, 65536, 0x100000000ull, 2048, 3};
        s.boundary = rng.chance(5)
                         ? uint64_t(1) << (rng.chance(8) ? rng.below(12) : 9 + rng.below(31))
                         : bounds[rng.below(rng.chance(32) ? 8 : 7)];
    }
    s.maxSegments = rng.chance(4) ? static_cast<uint32_t>(rng.below(24)) : 0;
    k.bounceMode = static_cast<int>(rng.below(3));

    // Runs: a few address regions, with adjacency, reversal and zero lengths.
    const unsigned count = static_cast<unsigned>(rng.below(rng.chance(6) ? 40 : 12));
    const uint64_t page = 4096;
    for (unsigned i = 0; i < count; ++i)
    {
        kdrv::DmaRange r;
        const uint64_t kind = rng.below(10);
        uint64_t len;
        switch (rng.below(8))
        {
        case 0:
            len = 0;
            break;
        case 1:
        case 2:
            len = page;
            break;
        case 3:
            len = page - rng.below(page);
            break;
        case 4:
            len = 1 + rng.below(64);
            break;
        case 5:
            len = page * (1 + rng.below(16));
            break;
        case 6:
            len = 1 + rng.below(1u << 18);
            break;
        default:
            len = rng.chance(64) ? (uint64_t(1) << 32) + rng.below(1u << 20) : 2 * page;
            break;
        }
        if (i > 0 && kind < 4)
        {
            r.address = k.runs[i - 1].address + k.runs[i - 1].length; // adjacent
        }
        else if (i > 0 && kind == 4)
        {
            r.address = k.runs[i - 1].address - len; // adjacent, reversed order
        }
        else
        {
            switch (rng.below(7))
            {
            case 0:
                r.address = rng.below(1u << 24) & ~(page - 1);
                break;
            case 1:
                r.address = 0x100000000ull - page * rng.below(4) - rng.below(3) * 512;
                break;
            case 2:
                r.address = (uint64_t(1) << 36) - page * rng.below(4);
                break;
            case 3:
                r.address = rng.next();
                break;
            case 4:
                r.address = ~uint64_t(0) - len - rng.below(3 * page);
                break;
            case 5:
                r.address = (rng.below(1u << 20) << 12) + rng.below(page);
                break;
            default:
                r.address = 0x3f913800ull + page * rng.below(64);
                break;
            }
        }
        r.length = len;
        k.runs.push_back(r);
    }
    uint64_t total = 0;
    for (size_t i = 0; i < k.runs.size(); ++i)
    {
        total += k.runs[i].length;
    }
    switch (rng.below(6))
    {
    case 0:
        k.prepOffset = rng.below(total + 2);
        k.prepLength = 0;
        break;
    case 1:
        k.prepOffset = rng.below(total + 1);
        k.prepLength = rng.below(total - (k.prepOffset > total ? total : k.prepOffset) + 2);
        break;
    case 2:
        k.prepOffset = rng.chance(2) ? ~uint64_t(0) - rng.below(4) : rng.below(total + 1);
        k.prepLength = rng.chance(2) ? ~uint64_t(0) : total;
        break;
    default:
        break;
    }
    s.maxTransferSize = rng.chance(5) ? total - rng.below(2) + rng.below(2) : 0;
    k.callSeed = rng.next();
    k.viaSource = rng.chance(3);
    k.overreport = rng.chance(2) ? rng.below(1u << 16) : 0;
    *c = k;
}
} // namespace dmasgdiff

#endif // KDRV_TESTS_DMA_SG_DIFF_HPP
