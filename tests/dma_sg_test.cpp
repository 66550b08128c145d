// SPDX-License-Identifier: MIT
//
// Unit tests for the scatter/gather builder: every edge case of the
// specification (dma-sg.md section 10), with the byte-exact vectors.
#include "kdrv/dma_sg.hpp"

#include "dma_sg_diff.hpp"

#include <doctest/doctest.h>
#include <string.h>
#include <vector>

using kdrv::DmaBounceReason;
using kdrv::DmaCommand;
using kdrv::DmaFormat;
using kdrv::DmaRange;
using kdrv::DmaSpecification;
using kdrv::Status;

namespace
{
const uint64_t kPage = 4096;
const uint64_t k4G = 0x100000000ull;

DmaSpecification spec(DmaFormat format, uint8_t bits = 0, uint64_t maxSegment = 0)
{
    DmaSpecification s = {};
    s.format = format;
    s.numAddressBits = bits;
    s.pageSize = kPage;
    s.maxSegmentSize = maxSegment;
    return s;
}

// Records bounce requests; answers with consecutive pages from a pool that
// starts at `pool`, keeping the piece's offset in its page.
struct BouncePool
{
    uint64_t pool = 0x10000;
    uint64_t next = 0;
    bool fail = false;
    std::vector<kdrv::DmaBounceRequest> requests;
};

Status poolBounce(void* context, const kdrv::DmaBounceRequest* request, uint64_t* bus)
{
    BouncePool* p = static_cast<BouncePool*>(context);
    p->requests.push_back(*request);
    if (p->fail)
    {
        return Status::NoMemory;
    }
    *bus = p->pool + p->next * kPage + (request->address & (kPage - 1));
    ++p->next;
    return Status::Success;
}

struct Build
{
    Status status = Status::Success;
    std::vector<DmaRange> segments;
};

// Whole window through generateRanges with a given capacity per call.
Build buildAll(DmaCommand& cmd, uint32_t capacity = 64)
{
    Build b;
    uint64_t offset = 0;
    std::vector<DmaRange> chunk(capacity);
    for (unsigned guard = 0; guard < 100000; ++guard)
    {
        uint32_t n = capacity;
        const Status s = cmd.generateRanges(&offset, chunk.data(), &n);
        if (s == Status::Overrun)
        {
            return b;
        }
        if (s != Status::Success)
        {
            b.status = s;
            return b;
        }
        b.segments.insert(b.segments.end(), chunk.begin(), chunk.begin() + n);
    }
    b.status = Status::InternalError;
    return b;
}

Build buildRuns(const DmaSpecification& s, const std::vector<DmaRange>& runs,
                uint32_t capacity = 64)
{
    DmaCommand cmd;
    Build b;
    b.status = cmd.init(s);
    if (b.status != Status::Success)
    {
        return b;
    }
    b.status = cmd.setRanges(runs.data(), static_cast<uint32_t>(runs.size()));
    if (b.status != Status::Success)
    {
        return b;
    }
    b.status = cmd.prepare();
    if (b.status != Status::Success)
    {
        return b;
    }
    b = buildAll(cmd, capacity);
    const Status c = cmd.complete();
    CHECK(c == Status::Success);
    return b;
}

bool sameRanges(const std::vector<DmaRange>& a, const std::vector<DmaRange>& b)
{
    if (a.size() != b.size())
    {
        return false;
    }
    for (size_t i = 0; i < a.size(); ++i)
    {
        if (a[i].address != b[i].address || a[i].length != b[i].length)
        {
            return false;
        }
    }
    return true;
}

DmaRange R(uint64_t address, uint64_t length)
{
    DmaRange r = {address, length};
    return r;
}

// Encodes `segments` with a fresh command in `format` (64 address bits for
// 64-bit formats) and returns the bytes.
std::vector<uint8_t> encodeVia(DmaFormat format, const std::vector<DmaRange>& runs,
                               uint64_t maxSegment, size_t misalign = 0)
{
    DmaCommand cmd;
    REQUIRE(cmd.init(spec(format, 0, maxSegment)) == Status::Success);
    REQUIRE(cmd.setRanges(runs.data(), static_cast<uint32_t>(runs.size())) == Status::Success);
    REQUIRE(cmd.prepare() == Status::Success);
    std::vector<uint8_t> raw(16 * 8 + misalign + 8, 0xAA);
    uint64_t offset = 0;
    uint32_t n = 8;
    REQUIRE(cmd.generate(&offset, raw.data() + misalign, &n) == Status::Success);
    CHECK(offset == cmd.preparedLength());
    CHECK(cmd.complete() == Status::Success);
    const size_t bytes = n * kdrv::dmaFormatElementSize(format);
    CHECK(raw[misalign + bytes] == 0xAA); // nothing written past the last element
    return std::vector<uint8_t>(raw.begin() + static_cast<long>(misalign),
                                raw.begin() + static_cast<long>(misalign + bytes));
}

std::vector<uint8_t> bytes(std::initializer_list<int> list)
{
    std::vector<uint8_t> v;
    for (int b : list)
    {
        v.push_back(static_cast<uint8_t>(b));
    }
    return v;
}
} // namespace

// --- 1, 2: empty buffers and zero-length runs --------------------------------

TEST_CASE("dma_sg: an empty buffer prepares and generates Overrun with 0 segments")
{
    DmaCommand cmd;
    REQUIRE(cmd.init(spec(DmaFormat::Host64)) == Status::Success);
    REQUIRE(cmd.setRanges(nullptr, 0) == Status::Success);
    REQUIRE(cmd.prepare() == Status::Success);
    CHECK(cmd.preparedLength() == 0);
    DmaRange out[2];
    uint64_t offset = 0;
    uint32_t n = 2;
    CHECK(cmd.generateRanges(&offset, out, &n) == Status::Overrun);
    CHECK(n == 2);
    CHECK(offset == 0);
    uint64_t count = 99;
    CHECK(cmd.countSegments(&count) == Status::Success);
    CHECK(count == 0);
    CHECK(cmd.complete() == Status::Success);

    // Only zero-length runs: the same.
    const DmaRange zeros[3] = {R(0x1000, 0), R(0x5000, 0), R(0, 0)};
    REQUIRE(cmd.setRanges(zeros, 3) == Status::Success);
    REQUIRE(cmd.prepare() == Status::Success);
    CHECK(cmd.generateRanges(&offset, out, &n) == Status::Overrun);
    CHECK(cmd.complete() == Status::Success);
}

TEST_CASE("dma_sg: prepare length 0 on a non-empty buffer means the whole buffer")
{
    DmaCommand cmd;
    const DmaRange runs[2] = {R(0x10000, 0x1000), R(0x30000, 0x800)};
    REQUIRE(cmd.init(spec(DmaFormat::Host64)) == Status::Success);
    REQUIRE(cmd.setRanges(runs, 2) == Status::Success);
    CHECK(cmd.inputLength() == 0x1800);
    REQUIRE(cmd.prepare(0, 0) == Status::Success);
    CHECK(cmd.preparedLength() == 0x1800);
    CHECK(cmd.complete() == Status::Success);
    // From an offset to the end.
    REQUIRE(cmd.prepare(0x800, 0) == Status::Success);
    CHECK(cmd.preparedLength() == 0x1000);
    const Build b = buildAll(cmd);
    CHECK(b.status == Status::Success);
    CHECK(sameRanges(b.segments, {R(0x10800, 0x800), R(0x30000, 0x800)}));
    CHECK(cmd.complete() == Status::Success);
    // An offset at the very end gives an empty window.
    REQUIRE(cmd.prepare(0x1800, 0) == Status::Success);
    CHECK(cmd.preparedLength() == 0);
    CHECK(cmd.complete() == Status::Success);
}

TEST_CASE("dma_sg: zero-length runs are skipped and do not split a segment")
{
    const Build b = buildRuns(spec(DmaFormat::Host64),
                              {R(0x7000, 0), R(0x1000, 0x1000), R(0x9999, 0), R(0x2000, 0x1000),
                               R(0x2000, 0), R(0x3000, 0x1000), R(0, 0)});
    CHECK(b.status == Status::Success);
    CHECK(sameRanges(b.segments, {R(0x1000, 0x3000)}));
}

// --- 3: arguments ---------------------------------------------------------------

TEST_CASE("dma_sg: bad generate arguments and the end of the list leave outputs unchanged")
{
    DmaCommand cmd;
    const DmaRange runs[1] = {R(0x4000, 0x2000)};
    REQUIRE(cmd.init(spec(DmaFormat::Little32)) == Status::Success);
    REQUIRE(cmd.setRanges(runs, 1) == Status::Success);
    uint8_t out[64];
    uint64_t offset = 0;
    uint32_t n = 4;
    CHECK(cmd.generate(&offset, out, &n) == Status::NotReady); // before prepare
    REQUIRE(cmd.prepare() == Status::Success);
    CHECK(cmd.generate(nullptr, out, &n) == Status::BadArgument);
    CHECK(cmd.generate(&offset, nullptr, &n) == Status::BadArgument);
    CHECK(cmd.generate(&offset, out, nullptr) == Status::BadArgument);
    uint32_t zero = 0;
    CHECK(cmd.generate(&offset, out, &zero) == Status::BadArgument);
    CHECK(zero == 0);
    CHECK(cmd.generateRanges(&offset, nullptr, &n) == Status::BadArgument);
    offset = 0x2000;
    CHECK(cmd.generate(&offset, out, &n) == Status::Overrun);
    CHECK(offset == 0x2000);
    CHECK(n == 4);
    offset = ~uint64_t(0);
    CHECK(cmd.generate(&offset, out, &n) == Status::Overrun);
    CHECK(offset == ~uint64_t(0));
    CHECK(n == 4);
    offset = 0;
    CHECK(cmd.generate(&offset, out, &n) == Status::Success);
    CHECK(n == 1);
    CHECK(offset == 0x2000);
    CHECK(cmd.countSegments(nullptr) == Status::BadArgument);
    CHECK(cmd.complete() == Status::Success);
    uint64_t count = 0;
    CHECK(cmd.countSegments(&count) == Status::NotReady);
}

// --- 4, 5: coalescing and fragmentation --------------------------------------------

TEST_CASE("dma_sg: coalescing, the book's 2048-byte segments, 1 MiB, reversed runs")
{
    // Two adjacent pages: one segment.
    Build b = buildRuns(spec(DmaFormat::Host64), {R(0x13b9d5000, kPage), R(0x13b9d6000, kPage)});
    CHECK(b.status == Status::Success);
    CHECK(sameRanges(b.segments, {R(0x13b9d5000, 2 * kPage)}));

    // The same with maxSegmentSize 2048: four segments, even though they are
    // physically contiguous (the book's Listing 9-12 output, 36 bits).
    b = buildRuns(spec(DmaFormat::Host64, 36, 2048),
                  {R(0x13b9d5000, kPage), R(0x13b9d6000, kPage)});
    CHECK(b.status == Status::Success);
    CHECK(sameRanges(b.segments, {R(0x13b9d5000, 2048), R(0x13b9d5800, 2048), R(0x13b9d6000, 2048),
                                  R(0x13b9d6800, 2048)}));

    // A 1 MiB physically contiguous buffer given page by page, no maximum.
    std::vector<DmaRange> pages;
    for (uint64_t i = 0; i < 256; ++i)
    {
        pages.push_back(R(0x40000000 + i * kPage, kPage));
    }
    b = buildRuns(spec(DmaFormat::Host32), pages);
    CHECK(b.status == Status::Success);
    CHECK(sameRanges(b.segments, {R(0x40000000, 1 << 20)}));
    // ... and as one run.
    b = buildRuns(spec(DmaFormat::Host32), {R(0x40000000, 1 << 20)});
    CHECK(sameRanges(b.segments, {R(0x40000000, 1 << 20)}));

    // Adjacent runs listed in reverse order do not merge.
    b = buildRuns(spec(DmaFormat::Host64), {R(0x6000, kPage), R(0x5000, kPage)});
    CHECK(sameRanges(b.segments, {R(0x6000, kPage), R(0x5000, kPage)}));
}

TEST_CASE("dma_sg: 32 scattered pages give 32 segments, an offset buffer spans 3 pages")
{
    std::vector<DmaRange> pages;
    for (uint64_t i = 0; i < 32; ++i)
    {
        pages.push_back(R(0x100000 + ((i * 7) % 32) * 2 * kPage, kPage)); // never adjacent
    }
    Build b = buildRuns(spec(DmaFormat::Big32), pages);
    CHECK(b.status == Status::Success);
    CHECK(sameRanges(b.segments, pages));
    uint64_t sum = 0;
    for (const DmaRange& s : b.segments)
    {
        sum += s.length;
    }
    CHECK(sum == 128 * 1024);

    // 8 KiB starting at page offset 0x800 touches three scattered pages.
    b = buildRuns(spec(DmaFormat::Host64),
                  {R(0x23000 + 0x800, 0x800), R(0x91000, kPage), R(0x47000, 0x800)});
    CHECK(b.status == Status::Success);
    CHECK(b.segments.size() == 3);
    CHECK(sameRanges(b.segments, {R(0x23800, 0x800), R(0x91000, kPage), R(0x47000, 0x800)}));
}

// --- 6, 7: capacity, resumption, restarts, maxSegments ----------------------------

TEST_CASE("dma_sg: capacity 1 in a loop equals one large call, partial lists resume")
{
    std::vector<DmaRange> runs;
    for (uint64_t i = 0; i < 40; ++i)
    {
        runs.push_back(R(0x200000 + (i / 3) * 0x10000 + (i % 3) * kPage, kPage));
    }
    const DmaSpecification s = spec(DmaFormat::Host64, 0, 0x2000);
    const Build whole = buildRuns(s, runs, 1000);
    REQUIRE(whole.status == Status::Success);
    const Build single = buildRuns(s, runs, 1);
    CHECK(single.status == Status::Success);
    CHECK(sameRanges(whole.segments, single.segments));
    const Build three = buildRuns(s, runs, 3);
    CHECK(sameRanges(whole.segments, three.segments));

    // Too small a capacity: a partial list, *offset at the next segment.
    DmaCommand cmd;
    REQUIRE(cmd.init(s) == Status::Success);
    REQUIRE(cmd.setRanges(runs.data(), 40) == Status::Success);
    REQUIRE(cmd.prepare() == Status::Success);
    DmaRange out[4];
    uint64_t offset = 0;
    uint32_t n = 4;
    REQUIRE(cmd.generateRanges(&offset, out, &n) == Status::Success);
    CHECK(n == 4);
    uint64_t covered = 0;
    for (uint32_t i = 0; i < 4; ++i)
    {
        CHECK(out[i].address == whole.segments[i].address);
        covered += out[i].length;
    }
    CHECK(offset == covered);
    n = 4;
    REQUIRE(cmd.generateRanges(&offset, out, &n) == Status::Success);
    CHECK(out[0].address == whole.segments[4].address);
    CHECK(out[0].length == whole.segments[4].length);
    CHECK(cmd.complete() == Status::Success);
}

TEST_CASE("dma_sg: an unexpected offset (0, backwards) restarts the walk correctly")
{
    std::vector<DmaRange> runs;
    for (uint64_t i = 0; i < 12; ++i)
    {
        runs.push_back(R(0x800000 + (i % 2 ? i * 0x3000 : i * 0x1000), kPage));
    }
    const DmaSpecification s = spec(DmaFormat::Host64, 0, 2048);
    const Build whole = buildRuns(s, runs, 1000);
    REQUIRE(whole.status == Status::Success);
    REQUIRE(whole.segments.size() == 24);

    DmaCommand cmd;
    REQUIRE(cmd.init(s) == Status::Success);
    REQUIRE(cmd.setRanges(runs.data(), 12) == Status::Success);
    REQUIRE(cmd.prepare() == Status::Success);
    DmaRange out[8];
    uint64_t offset = 0;
    uint32_t n = 8;
    REQUIRE(cmd.generateRanges(&offset, out, &n) == Status::Success);
    REQUIRE(cmd.generateRanges(&offset, out, &n) == Status::Success); // at segment 16
    // Backwards to segment 5 (offset 5 * 2048).
    offset = 5 * 2048;
    n = 3;
    REQUIRE(cmd.generateRanges(&offset, out, &n) == Status::Success);
    CHECK(out[0].address == whole.segments[5].address);
    CHECK(out[2].address == whole.segments[7].address);
    CHECK(offset == 8 * 2048);
    // Back to 0.
    offset = 0;
    n = 1;
    REQUIRE(cmd.generateRanges(&offset, out, &n) == Status::Success);
    CHECK(out[0].address == whole.segments[0].address);
    // Forwards, skipping ahead to a segment start, also works.
    offset = 20 * 2048;
    n = 8;
    REQUIRE(cmd.generateRanges(&offset, out, &n) == Status::Success);
    CHECK(n == 4);
    CHECK(out[3].address == whole.segments[23].address);
    CHECK(offset == 24 * 2048);
    // An offset inside a segment is refused and leaves everything unchanged.
    offset = 2048 + 5;
    n = 2;
    CHECK(cmd.generateRanges(&offset, out, &n) == Status::BadArgument);
    CHECK(offset == 2048 + 5);
    CHECK(n == 2);
    CHECK(cmd.complete() == Status::Success);
}

TEST_CASE("dma_sg: maxSegments: exactly enough passes, one fewer is NoSpace at prepare")
{
    std::vector<DmaRange> runs;
    for (uint64_t i = 0; i < 8; ++i)
    {
        runs.push_back(R(0x100000 + i * 2 * kPage, kPage));
    }
    DmaSpecification s = spec(DmaFormat::Host64);
    s.maxSegments = 8;
    Build b = buildRuns(s, runs);
    CHECK(b.status == Status::Success);
    CHECK(b.segments.size() == 8);
    s.maxSegments = 7;
    DmaCommand cmd;
    REQUIRE(cmd.init(s) == Status::Success);
    REQUIRE(cmd.setRanges(runs.data(), 8) == Status::Success);
    CHECK(cmd.prepare() == Status::NoSpace);
    CHECK_FALSE(cmd.isPrepared());
    // A smaller window fits.
    CHECK(cmd.prepare(0, 7 * kPage) == Status::Success);
    uint64_t count = 0;
    CHECK(cmd.countSegments(&count) == Status::Success);
    CHECK(count == 7);
    CHECK(cmd.complete() == Status::Success);
}

// --- 8, 9, 10: address bits, bouncing, 32-bit formats --------------------------------

TEST_CASE("dma_sg: 32 address bits: a run ending exactly at 0xFFFFFFFF is accepted")
{
    const Build b = buildRuns(spec(DmaFormat::Big32, 32), {R(0xFFFFF000, 0x1000)});
    CHECK(b.status == Status::Success);
    CHECK(sameRanges(b.segments, {R(0xFFFFF000, 0x1000)}));
    const std::vector<uint8_t> raw = encodeVia(DmaFormat::Big32, {R(0xFFFFF000, 0x1000)}, 0);
    CHECK(raw == bytes({0xff, 0xff, 0xf0, 0x00, 0x00, 0x00, 0x10, 0x00}));
}

TEST_CASE("dma_sg: a run crossing 4 GiB is cut there, the upper half bounces or fails")
{
    // FAIL policy (no bounce function): MessageTooLarge after the low half.
    DmaCommand cmd;
    REQUIRE(cmd.init(spec(DmaFormat::Little32, 32)) == Status::Success);
    const DmaRange runs[1] = {R(0xFFFFF000, 0x2000)};
    REQUIRE(cmd.setRanges(runs, 1) == Status::Success);
    REQUIRE(cmd.prepare() == Status::Success);
    DmaRange out[4];
    uint64_t offset = 0;
    uint32_t n = 1;
    CHECK(cmd.generateRanges(&offset, out, &n) == Status::Success);
    CHECK(out[0].address == 0xFFFFF000);
    CHECK(out[0].length == 0x1000);
    n = 1;
    CHECK(cmd.generateRanges(&offset, out, &n) == Status::MessageTooLarge);
    CHECK(offset == 0x1000);
    uint64_t count = 0;
    CHECK(cmd.countSegments(&count) == Status::MessageTooLarge);
    CHECK(cmd.complete() == Status::Success);

    // CALLBACK policy: the upper page comes from the bounce pool.
    BouncePool pool;
    DmaSpecification s = spec(DmaFormat::Little32, 32);
    s.bounce = &poolBounce;
    s.bounceContext = &pool;
    const Build b = buildRuns(s, {R(0xFFFFF000, 0x2000)});
    CHECK(b.status == Status::Success);
    CHECK(sameRanges(b.segments, {R(0xFFFFF000, 0x1000), R(0x10000, 0x1000)}));
    REQUIRE(pool.requests.size() == 1);
    CHECK(pool.requests[0].offset == 0x1000);
    CHECK(pool.requests[0].address == k4G);
    CHECK(pool.requests[0].length == 0x1000);
    CHECK(pool.requests[0].reason == DmaBounceReason::Unreachable);
}

TEST_CASE("dma_sg: a run entirely above 4 GiB is bounced page by page")
{
    BouncePool pool;
    DmaSpecification s = spec(DmaFormat::Host32, 32);
    s.bounce = &poolBounce;
    s.bounceContext = &pool;
    const Build b = buildRuns(s, {R(0x100000800, 0x2000), R(0x3000, 0x1000)});
    CHECK(b.status == Status::Success);
    CHECK(sameRanges(
        b.segments, {R(0x10800, 0x800), R(0x11000, 0x1000), R(0x12000, 0x800), R(0x3000, 0x1000)}));
    REQUIRE(pool.requests.size() == 3);
    CHECK(pool.requests[0].address == 0x100000800);
    CHECK(pool.requests[1].address == 0x100001000);
    CHECK(pool.requests[2].address == 0x100002000);
    CHECK(pool.requests[2].offset == 0x1800);

    // A failing bounce function's status is passed on; nothing is reported done.
    BouncePool failing;
    failing.fail = true;
    s.bounceContext = &failing;
    DmaCommand cmd;
    REQUIRE(cmd.init(s) == Status::Success);
    const DmaRange high[1] = {R(0x200000000, 0x1000)};
    REQUIRE(cmd.setRanges(high, 1) == Status::Success);
    REQUIRE(cmd.prepare() == Status::Success);
    uint8_t out[16];
    uint64_t offset = 0;
    uint32_t n = 2;
    CHECK(cmd.generate(&offset, out, &n) == Status::NoMemory);
    CHECK(offset == 0);
    CHECK(n == 2);
    CHECK(cmd.complete() == Status::Success);
}

TEST_CASE("dma_sg: a bounce address that breaks the specification is BadArgument")
{
    struct Bad
    {
        static Status answer(void* context, const kdrv::DmaBounceRequest*, uint64_t* bus)
        {
            *bus = *static_cast<uint64_t*>(context);
            return Status::Success;
        }
    };
    const uint64_t answers[4] = {0x1FFFFF000ull /* above 32 bits */, 0x1002 /* misaligned */,
                                 0xFFFF /* crosses 64 KiB */, 0x20000 /* fine */};
    const Status expect[4] = {Status::BadArgument, Status::BadArgument, Status::BadArgument,
                              Status::Success};
    for (int i = 0; i < 4; ++i)
    {
        CAPTURE(i);
        uint64_t answer = answers[i];
        DmaSpecification s = spec(DmaFormat::Little32, 32);
        s.alignment = 4;
        s.boundary = 0x10000;
        s.bounce = &Bad::answer;
        s.bounceContext = &answer;
        const Build b = buildRuns(s, {R(0x300000000ull, 0x100)});
        CHECK(b.status == expect[i]);
    }
}

TEST_CASE("dma_sg: address-bit settings")
{
    // 36 bits, 64-bit format: addresses between 2^32 and 2^36 pass in place.
    Build b =
        buildRuns(spec(DmaFormat::Host64, 36), {R(0x13b9d5000, 0x1000), R(0xFFFFFF000, 0x1000)});
    CHECK(b.status == Status::Success);
    CHECK(sameRanges(b.segments, {R(0x13b9d5000, 0x1000), R(0xFFFFFF000, 0x1000)}));
    // ... and 2^36 itself is beyond reach.
    b = buildRuns(spec(DmaFormat::Host64, 36), {R(0x1000000000, 0x1000)});
    CHECK(b.status == Status::MessageTooLarge);

    DmaCommand cmd;
    // A 32-bit format with more than 32 bits is refused.
    CHECK(cmd.init(spec(DmaFormat::Big32, 33)) == Status::BadArgument);
    CHECK(cmd.init(spec(DmaFormat::Host32, 64)) == Status::BadArgument);
    CHECK(cmd.prepare() == Status::NotReady); // nothing installed
    // 0 with a 32-bit format means 32; with a 64-bit format, no limit.
    REQUIRE(cmd.init(spec(DmaFormat::Little32, 0)) == Status::Success);
    CHECK(cmd.limits().numAddressBits == 32);
    CHECK(cmd.limits().maxAddress == 0xFFFFFFFFu);
    REQUIRE(cmd.init(spec(DmaFormat::Little64, 0)) == Status::Success);
    CHECK(cmd.limits().numAddressBits == 64);
    CHECK(cmd.limits().maxAddress == ~uint64_t(0));
    // Fewer bits than the page shift: refused (12 with 4 KiB pages, 14 with 16 KiB).
    CHECK(cmd.init(spec(DmaFormat::Little64, 11)) == Status::BadArgument);
    CHECK(cmd.init(spec(DmaFormat::Little64, 12)) == Status::Success);
    DmaSpecification arm = spec(DmaFormat::Little64, 13);
    arm.pageSize = 16384;
    CHECK(cmd.init(arm) == Status::BadArgument);
    arm.numAddressBits = 14;
    CHECK(cmd.init(arm) == Status::Success);
    CHECK(cmd.init(spec(DmaFormat::Little64, 65)) == Status::BadArgument);
    // 64 bits: no limit, even at the top of the address space.
    b = buildRuns(spec(DmaFormat::Big64, 64), {R(0xFFFFFFFFFFFF0000ull, 0xFFFF)});
    CHECK(b.status == Status::Success);
    CHECK(sameRanges(b.segments, {R(0xFFFFFFFFFFFF0000ull, 0xFFFF)}));
    // Page size: required, a power of two, at least 4096.
    DmaSpecification p = spec(DmaFormat::Host64);
    p.pageSize = 0;
    CHECK(cmd.init(p) == Status::BadArgument);
    p.pageSize = 2048;
    CHECK(cmd.init(p) == Status::BadArgument);
    p.pageSize = 12288;
    CHECK(cmd.init(p) == Status::BadArgument);
    p.format = static_cast<DmaFormat>(6);
    p.pageSize = 4096;
    CHECK(cmd.init(p) == Status::BadArgument);
}

TEST_CASE("dma_sg: a 32-bit format never truncates a 4 GiB length")
{
    // 4 GiB at address 0 with 32 bits: the last byte is 0xFFFFFFFF, so the
    // run is reachable, but 0x100000000 does not fit a 32-bit length field.
    Build b = buildRuns(spec(DmaFormat::Little32, 32), {R(0, k4G)});
    CHECK(b.status == Status::Success);
    CHECK(sameRanges(b.segments, {R(0, 0xFFFFFFFF), R(0xFFFFFFFF, 1)}));
    DmaSpecification s = spec(DmaFormat::Little32, 32);
    s.alignment = 4;
    CHECK(buildRuns(s, {R(0, k4G)}).segments.size() == 2);
    CHECK(sameRanges(buildRuns(s, {R(0, k4G)}).segments, {R(0, 0xFFFFFFFC), R(0xFFFFFFFC, 4)}));
    // The encoder itself refuses, rather than truncating.
    uint8_t out[16] = {0}; // room for any format
    CHECK(kdrv::dmaEncodeSegment(DmaFormat::Little32, out, 0, 0, k4G) == Status::MessageTooLarge);
    CHECK(kdrv::dmaEncodeSegment(DmaFormat::Big32, out, 0, k4G, 1) == Status::MessageTooLarge);
    CHECK(kdrv::dmaEncodeSegment(DmaFormat::Host32, out, 0, 1, 0xFFFFFFFF) == Status::Success);
}

// --- 11, 12: transfer size and alignment ---------------------------------------------

TEST_CASE("dma_sg: maxTransferSize: equal passes, one more byte is NoSpace, 0 is unlimited")
{
    DmaSpecification s = spec(DmaFormat::Host64);
    s.maxTransferSize = 0x3000;
    DmaCommand cmd;
    REQUIRE(cmd.init(s) == Status::Success);
    const DmaRange runs[2] = {R(0x10000, 0x3000), R(0x90000, 1)};
    REQUIRE(cmd.setRanges(runs, 2) == Status::Success);
    CHECK(cmd.prepare(0, 0x3000) == Status::Success);
    CHECK(cmd.complete() == Status::Success);
    CHECK(cmd.prepare(0, 0x3001) == Status::NoSpace);
    CHECK(cmd.prepare() == Status::NoSpace);
    CHECK_FALSE(cmd.isPrepared());
    s.maxTransferSize = 0;
    REQUIRE(cmd.init(s) == Status::Success);
    CHECK(cmd.prepare() == Status::Success);
    CHECK(cmd.complete() == Status::Success);
}

TEST_CASE("dma_sg: alignment: 0 means 1, 3 is refused, misaligned runs bounce or fail")
{
    DmaCommand cmd;
    DmaSpecification s = spec(DmaFormat::Host64);
    s.alignment = 0;
    REQUIRE(cmd.init(s) == Status::Success);
    CHECK(cmd.limits().alignmentMask == 0);
    s.alignment = 3;
    CHECK(cmd.init(s) == Status::BadArgument);
    s.alignment = 4096;
    s.lengthAlignment = 6;
    CHECK(cmd.init(s) == Status::BadArgument);

    // 4096 alignment, run at a misaligned address: NotAligned without a
    // bounce function, bounced (to the end of its page) with one.
    s.lengthAlignment = 0;
    Build b = buildRuns(s, {R(0x5100, 0x2000)});
    CHECK(b.status == Status::NotAligned);
    BouncePool pool;
    pool.pool = 0x700000;
    s.bounce = &poolBounce;
    s.bounceContext = &pool;
    struct Aligned
    {
        static Status answer(void* context, const kdrv::DmaBounceRequest* request, uint64_t* bus)
        {
            BouncePool* p = static_cast<BouncePool*>(context);
            p->requests.push_back(*request);
            *bus = p->pool; // page-aligned, as the specification needs
            return Status::Success;
        }
    };
    s.bounce = &Aligned::answer;
    // Only the misaligned head (to the end of its page) is bounced; the rest
    // starts aligned and stays in place. A second misaligned run is bounced too.
    b = buildRuns(s, {R(0x5100, 0x2000), R(0x9100, 0x100)});
    CHECK(b.status == Status::Success);
    CHECK(sameRanges(b.segments, {R(0x700000, 0xF00), R(0x6000, 0x1100), R(0x700000, 0x100)}));
    REQUIRE(pool.requests.size() == 2);
    CHECK(pool.requests[0].reason == DmaBounceReason::Misaligned);
    CHECK(pool.requests[0].address == 0x5100);
    CHECK(pool.requests[0].length == 0xF00);
    CHECK(pool.requests[1].address == 0x9100);
    CHECK(pool.requests[1].offset == 0x2000);
}

TEST_CASE("dma_sg: length alignment: NotAligned at prepare and for unfixable pieces")
{
    DmaSpecification s = spec(DmaFormat::Host64);
    s.lengthAlignment = 512;
    DmaCommand cmd;
    REQUIRE(cmd.init(s) == Status::Success);
    const DmaRange runs[2] = {R(0x10000, 0x300), R(0x20000, 0x300)};
    REQUIRE(cmd.setRanges(runs, 2) == Status::Success);
    CHECK(cmd.prepare(0, 0x500) == Status::NotAligned); // not a multiple of 512
    CHECK_FALSE(cmd.isPrepared());
    // 0x600 is a multiple, but each run's 0x300 is not: the first segment's
    // end is its extent's end, which is never moved.
    REQUIRE(cmd.prepare() == Status::Success);
    const Build b = buildAll(cmd);
    CHECK(b.status == Status::NotAligned);
    CHECK(cmd.complete() == Status::Success);

    // A cut inside an extent moves back to the length alignment.
    s.maxSegmentSize = 0x300;
    const Build c = buildRuns(s, {R(0x10000, 0x600)});
    CHECK(c.status == Status::Success);
    CHECK(sameRanges(c.segments, {R(0x10000, 0x200), R(0x10200, 0x200), R(0x10400, 0x200)}));
}

TEST_CASE("dma_sg: maxSegmentSize 3000 with alignment 1024 gives 2048-byte segments")
{
    DmaSpecification s = spec(DmaFormat::Host64, 0, 3000);
    s.alignment = 1024;
    const Build b = buildRuns(s, {R(0x100000, 0x2000)});
    CHECK(b.status == Status::Success);
    CHECK(sameRanges(b.segments,
                     {R(0x100000, 2048), R(0x100800, 2048), R(0x101000, 2048), R(0x101800, 2048)}));
    // The same rule in the classic 1 MiB case.
    const Build m = buildRuns(s, {R(0x40000000, 1 << 20)});
    CHECK(m.segments.size() == 512);
    // maxSegmentSize below an alignment is refused.
    s.maxSegmentSize = 1000;
    DmaCommand cmd;
    CHECK(cmd.init(s) == Status::BadArgument);
}

// --- 13: boundary ----------------------------------------------------------------------

TEST_CASE("dma_sg: boundary: split exactly at 4 GiB or 64 KiB, an end on it is not split")
{
    DmaSpecification s = spec(DmaFormat::Host64);
    s.boundary = k4G;
    Build b = buildRuns(s, {R(0xFFFFF000, 0x2000)});
    CHECK(sameRanges(b.segments, {R(0xFFFFF000, 0x1000), R(k4G, 0x1000)}));
    b = buildRuns(s, {R(0xFFFFF000, 0x1000), R(k4G, 0x1000)}); // adjacent runs: same
    CHECK(sameRanges(b.segments, {R(0xFFFFF000, 0x1000), R(k4G, 0x1000)}));
    b = buildRuns(s, {R(0xFFFF0000, 0x10000)}); // ends exactly at 4 GiB
    CHECK(sameRanges(b.segments, {R(0xFFFF0000, 0x10000)}));

    s.boundary = 0x10000;
    b = buildRuns(s, {R(0x1F000, 0x3000), R(0x30000, 0x10000)});
    CHECK(sameRanges(b.segments, {R(0x1F000, 0x1000), R(0x20000, 0x2000), R(0x30000, 0x10000)}));
    b = buildRuns(s, {R(0x5000, 0x30000)});
    CHECK(sameRanges(b.segments, {R(0x5000, 0xB000), R(0x10000, 0x10000), R(0x20000, 0x10000),
                                  R(0x30000, 0x5000)}));

    s.boundary = 0; // disabled
    b = buildRuns(s, {R(0xFFFFF000, 0x2000)});
    CHECK(sameRanges(b.segments, {R(0xFFFFF000, 0x2000)}));

    DmaCommand cmd;
    s.boundary = 0x18000;
    CHECK(cmd.init(s) == Status::BadArgument);
    s.boundary = 512;
    s.alignment = 1024; // a boundary below the alignment could never be met
    CHECK(cmd.init(s) == Status::BadArgument);
}

// --- 14: formats -----------------------------------------------------------------------

TEST_CASE("dma_sg: all formats match the byte-exact vectors")
{
    // Single segments (the book's addresses).
    CHECK(encodeVia(DmaFormat::Big64, {R(0x13b9d5000, 2048)}, 0) ==
          bytes({0x00, 0x00, 0x00, 0x01, 0x3b, 0x9d, 0x50, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                 0x08, 0x00}));
    CHECK(encodeVia(DmaFormat::Little64, {R(0x13b9d5000, 2048)}, 0) ==
          bytes({0x00, 0x50, 0x9d, 0x3b, 0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00,
                 0x00, 0x00}));
    CHECK(encodeVia(DmaFormat::Big32, {R(0x3f913800, 2048)}, 0) ==
          bytes({0x3f, 0x91, 0x38, 0x00, 0x00, 0x00, 0x08, 0x00}));
    CHECK(encodeVia(DmaFormat::Little32, {R(0x3f913800, 2048)}, 0) ==
          bytes({0x00, 0x38, 0x91, 0x3f, 0x00, 0x08, 0x00, 0x00}));
    // Two segments: segment i at i * elementSize. One contiguous page with a
    // 2048-byte maximum (the book's scenario) gives the two 64-bit segments.
    const std::vector<uint8_t> big64 =
        bytes({0x00, 0x00, 0x00, 0x01, 0x3b, 0x9d, 0x50, 0x00, 0x00, 0x00, 0x00,
               0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x01, 0x3b, 0x9d,
               0x58, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00});
    const std::vector<uint8_t> little64 =
        bytes({0x00, 0x50, 0x9d, 0x3b, 0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00,
               0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x58, 0x9d, 0x3b, 0x01, 0x00,
               0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00});
    CHECK(encodeVia(DmaFormat::Big64, {R(0x13b9d5000, 4096)}, 2048) == big64);
    CHECK(encodeVia(DmaFormat::Little64, {R(0x13b9d5000, 4096)}, 2048) == little64);

    // The 32-bit two-segment vectors: the runs are adjacent, so they merge;
    // a 4 KiB boundary cuts them back into exactly the vector's segments.
    const DmaRange pair[2] = {R(0x3f913800, 0x800), R(0x3f914000, 0x1000)};
    const std::vector<uint8_t> big32 = bytes({0x3f, 0x91, 0x38, 0x00, 0x00, 0x00, 0x08, 0x00, 0x3f,
                                              0x91, 0x40, 0x00, 0x00, 0x00, 0x10, 0x00});
    const std::vector<uint8_t> little32 = bytes({0x00, 0x38, 0x91, 0x3f, 0x00, 0x08, 0x00, 0x00,
                                                 0x00, 0x40, 0x91, 0x3f, 0x00, 0x10, 0x00, 0x00});
    for (int big = 0; big < 2; ++big)
    {
        DmaSpecification s = spec(big ? DmaFormat::Big32 : DmaFormat::Little32);
        s.boundary = 0x1000;
        DmaCommand cmd;
        REQUIRE(cmd.init(s) == Status::Success);
        REQUIRE(cmd.setRanges(pair, 2) == Status::Success);
        REQUIRE(cmd.prepare() == Status::Success);
        uint8_t out[17];
        uint64_t offset = 0;
        uint32_t n = 2;
        REQUIRE(cmd.generate(&offset, out + 1, &n) == Status::Success);
        CHECK(n == 2);
        CHECK(offset == 0x1800);
        CHECK(std::vector<uint8_t>(out + 1, out + 17) == (big ? big32 : little32));
        CHECK(cmd.complete() == Status::Success);
    }

    // The single-segment encoder writes the same bytes at index i * 8.
    std::vector<uint8_t> raw(16, 0);
    REQUIRE(kdrv::dmaEncodeSegment(DmaFormat::Big32, raw.data(), 0, 0x3f913800, 0x800) ==
            Status::Success);
    REQUIRE(kdrv::dmaEncodeSegment(DmaFormat::Big32, raw.data(), 1, 0x3f914000, 0x1000) ==
            Status::Success);
    CHECK(raw == big32);
    REQUIRE(kdrv::dmaEncodeSegment(DmaFormat::Little32, raw.data(), 0, 0x3f913800, 0x800) ==
            Status::Success);
    REQUIRE(kdrv::dmaEncodeSegment(DmaFormat::Little32, raw.data(), 1, 0x3f914000, 0x1000) ==
            Status::Success);
    CHECK(raw == little32);
    std::vector<uint8_t> raw64(32, 0);
    REQUIRE(kdrv::dmaEncodeSegment(DmaFormat::Big64, raw64.data(), 1, 0x13b9d5800, 2048) ==
            Status::Success);
    CHECK(std::vector<uint8_t>(raw64.begin() + 16, raw64.end()) ==
          std::vector<uint8_t>(big64.begin() + 16, big64.end()));
    CHECK(kdrv::dmaEncodeSegment(static_cast<DmaFormat>(9), raw64.data(), 0, 1, 1) ==
          Status::BadArgument);
}

TEST_CASE("dma_sg: host formats equal a native memcpy and the resolved fixed format")
{
    const uint64_t address = 0x13b9d5000;
    const uint64_t length = 2048;
    std::vector<uint8_t> host64 = encodeVia(DmaFormat::Host64, {R(address, length)}, 0);
    uint8_t native64[16];
    memcpy(native64, &address, 8);
    memcpy(native64 + 8, &length, 8);
    CHECK(memcmp(host64.data(), native64, 16) == 0);
    kdrv::DmaSegment64 seg64;
    memcpy(&seg64, host64.data(), sizeof seg64);
    CHECK(seg64.address == address);
    CHECK(seg64.length == length);

    std::vector<uint8_t> host32 = encodeVia(DmaFormat::Host32, {R(0x3f913800, length)}, 0);
    const uint32_t a32 = 0x3f913800;
    const uint32_t l32 = 2048;
    uint8_t native32[8];
    memcpy(native32, &a32, 4);
    memcpy(native32 + 4, &l32, 4);
    CHECK(memcmp(host32.data(), native32, 8) == 0);
    kdrv::DmaSegment32 seg32;
    memcpy(&seg32, host32.data(), sizeof seg32);
    CHECK(seg32.address == a32);
    CHECK(seg32.length == l32);

    // On a simulated big-endian host, Host formats are Big; on little, Little.
    using kdrv::ByteOrder;
    CHECK(kdrv::dmaResolveFormat(DmaFormat::Host32, ByteOrder::Big) == DmaFormat::Big32);
    CHECK(kdrv::dmaResolveFormat(DmaFormat::Host64, ByteOrder::Big) == DmaFormat::Big64);
    CHECK(kdrv::dmaResolveFormat(DmaFormat::Host32, ByteOrder::Little) == DmaFormat::Little32);
    CHECK(kdrv::dmaResolveFormat(DmaFormat::Host64, ByteOrder::Little) == DmaFormat::Little64);
    CHECK(kdrv::dmaResolveFormat(DmaFormat::Big32, ByteOrder::Little) == DmaFormat::Big32);
    CHECK(kdrv::dmaResolveFormat(DmaFormat::Little64, ByteOrder::Big) == DmaFormat::Little64);
    const DmaFormat onBigHost = kdrv::dmaResolveFormat(DmaFormat::Host64, ByteOrder::Big);
    CHECK(encodeVia(onBigHost, {R(0x13b9d5000, 2048)}, 0) ==
          bytes({0x00, 0x00, 0x00, 0x01, 0x3b, 0x9d, 0x50, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                 0x08, 0x00}));
    const DmaFormat onBigHost32 = kdrv::dmaResolveFormat(DmaFormat::Host32, ByteOrder::Big);
    CHECK(encodeVia(onBigHost32, {R(0x3f913800, 2048)}, 0) ==
          bytes({0x3f, 0x91, 0x38, 0x00, 0x00, 0x00, 0x08, 0x00}));
    CHECK(kdrv::dmaResolveFormat(DmaFormat::Host64, kdrv::hostByteOrder()) ==
          (kdrv::hostIsLittleEndian() ? DmaFormat::Little64 : DmaFormat::Big64));
}

TEST_CASE("dma_sg: output to an unaligned array, element i at i * elementSize")
{
    const std::vector<DmaRange> runs = {R(0x10000, 0x1000), R(0x30000, 0x1000), R(0x50000, 0x10)};
    const DmaFormat formats[6] = {DmaFormat::Host32, DmaFormat::Big32, DmaFormat::Little32,
                                  DmaFormat::Host64, DmaFormat::Big64, DmaFormat::Little64};
    for (int f = 0; f < 6; ++f)
    {
        for (size_t misalign = 0; misalign < 8; ++misalign)
        {
            CAPTURE(f);
            CAPTURE(misalign);
            const std::vector<uint8_t> raw = encodeVia(formats[f], runs, 0, misalign);
            const size_t elem = kdrv::dmaFormatElementSize(formats[f]);
            REQUIRE(raw.size() == 3 * elem);
            for (size_t i = 0; i < 3; ++i)
            {
                uint64_t a = 0;
                uint64_t l = 0;
                dmasgref::decode(formats[f], !kdrv::hostIsLittleEndian(), raw.data() + i * elem, &a,
                                 &l);
                CHECK(a == runs[i].address);
                CHECK(l == runs[i].length);
            }
        }
    }
}

// --- 15: prepare / complete --------------------------------------------------------------

TEST_CASE("dma_sg: prepare and complete are counted, input is locked while prepared")
{
    DmaCommand cmd;
    const DmaRange runs[2] = {R(0x10000, 0x2000), R(0x40000, 0x2000)};
    CHECK(cmd.prepare() == Status::NotReady); // no specification
    CHECK(cmd.complete() == Status::NotReady);
    REQUIRE(cmd.init(spec(DmaFormat::Host64)) == Status::Success);
    REQUIRE(cmd.setRanges(runs, 2) == Status::Success);
    CHECK(cmd.complete() == Status::NotReady);

    REQUIRE(cmd.prepare(0x1000, 0x2000) == Status::Success);
    CHECK(cmd.prepareCount() == 1);
    CHECK(cmd.prepare(0x1000, 0x2000) == Status::Success); // same range nests
    CHECK(cmd.prepareCount() == 2);
    CHECK(cmd.prepare(0, 0x2000) == Status::NotReady); // different range
    CHECK(cmd.prepare() == Status::NotReady);
    CHECK(cmd.prepareCount() == 2); // no count change on failure
    CHECK(cmd.preparedOffset() == 0x1000);

    // Replacing the input or the specification while prepared: Busy.
    CHECK(cmd.setRanges(runs, 1) == Status::Busy);
    struct NoSource
    {
        static Status segment(void*, uint64_t, uint64_t*, uint64_t*) { return Status::Error; }
    };
    const kdrv::DmaSourceOps ops = {&NoSource::segment};
    CHECK(cmd.setSource(&ops, nullptr, 10) == Status::Busy);
    CHECK(cmd.init(spec(DmaFormat::Host32)) == Status::Busy);
    CHECK(cmd.inputLength() == 0x4000);

    CHECK(cmd.complete() == Status::Success);
    CHECK(cmd.isPrepared()); // N prepares need N completes
    const Build b = buildAll(cmd);
    CHECK(b.status == Status::Success);
    CHECK(sameRanges(b.segments, {R(0x11000, 0x1000), R(0x40000, 0x1000)}));
    CHECK(cmd.complete() == Status::Success);
    CHECK_FALSE(cmd.isPrepared());
    CHECK(cmd.complete() == Status::NotReady);
    uint64_t offset = 0;
    DmaRange out[1];
    uint32_t n = 1;
    CHECK(cmd.generateRanges(&offset, out, &n) == Status::NotReady);
    // Unprepared again: the input can change.
    CHECK(cmd.setRanges(runs, 1) == Status::Success);
    CHECK(cmd.setSource(nullptr, nullptr, 0) == Status::BadArgument);
}

// --- 16: overflow ---------------------------------------------------------------------------

TEST_CASE("dma_sg: overflowing runs and windows are BadArgument")
{
    DmaCommand cmd;
    REQUIRE(cmd.init(spec(DmaFormat::Host64)) == Status::Success);
    // addr + len wraps past 2^64 (and the end must be representable).
    const DmaRange wrap[1] = {R(~uint64_t(0) - 0xFFF, 0x1000)};
    CHECK(cmd.setRanges(wrap, 1) == Status::BadArgument);
    const DmaRange edge[1] = {R(~uint64_t(0) - 0x1000, 0x1000)};
    CHECK(cmd.setRanges(edge, 1) == Status::Success);
    CHECK(cmd.inputLength() == 0x1000);
    // The total overflows.
    const DmaRange big[2] = {R(0, ~uint64_t(0) - 1), R(0, 2)};
    CHECK(cmd.setRanges(big, 2) == Status::BadArgument);
    CHECK(cmd.inputLength() == 0x1000); // the previous input stays
    CHECK(cmd.setRanges(nullptr, 3) == Status::BadArgument);

    const DmaRange runs[1] = {R(0x10000, 0x1000)};
    REQUIRE(cmd.setRanges(runs, 1) == Status::Success);
    CHECK(cmd.prepare(0x800, 0x801) == Status::BadArgument);    // beyond the buffer
    CHECK(cmd.prepare(0x1001, 0) == Status::BadArgument);       // offset beyond
    CHECK(cmd.prepare(~uint64_t(0), 2) == Status::BadArgument); // wraps
    CHECK(cmd.prepare(2, ~uint64_t(0)) == Status::BadArgument);
    CHECK_FALSE(cmd.isPrepared());
    CHECK(cmd.prepare(0x800, 0x800) == Status::Success);
    CHECK(cmd.complete() == Status::Success);
}

// --- the source callback input ------------------------------------------------------------

TEST_CASE("dma_sg: a getPhysicalSegment-style source gives the same list as the array")
{
    std::vector<DmaRange> runs;
    for (uint64_t i = 0; i < 20; ++i)
    {
        runs.push_back(R(0x400000 + (i % 4 == 3 ? 0x100000 + i * kPage : i * kPage), kPage));
    }
    runs.push_back(R(0x999000, 0));
    runs.push_back(R(0x500000, 0x123));
    DmaSpecification s = spec(DmaFormat::Big64, 0, 0x3000);
    s.boundary = 0x10000;
    const Build fromArray = buildRuns(s, runs);
    REQUIRE(fromArray.status == Status::Success);

    dmasgdiff::SourceAdaptor adaptor;
    adaptor.setUp(runs.data(), runs.size(), 0x5000);
    const kdrv::DmaSourceOps ops = {&dmasgdiff::SourceAdaptor::physicalSegment};
    DmaCommand cmd;
    REQUIRE(cmd.init(s) == Status::Success);
    REQUIRE(cmd.setSource(&ops, &adaptor, adaptor.total) == Status::Success);
    REQUIRE(cmd.prepare() == Status::Success);
    for (uint32_t capacity = 1; capacity < 5; ++capacity)
    {
        const Build viaSource = buildAll(cmd, capacity);
        CHECK(viaSource.status == Status::Success);
        CHECK(sameRanges(viaSource.segments, fromArray.segments));
    }
    CHECK(cmd.complete() == Status::Success);

    // A source that fails or answers nonsense: its status, or BadArgument.
    struct Broken
    {
        static Status fails(void*, uint64_t, uint64_t*, uint64_t*) { return Status::IOError; }
        static Status empty(void*, uint64_t, uint64_t* a, uint64_t* l)
        {
            *a = 0x1000;
            *l = 0;
            return Status::Success;
        }
        static Status wraps(void*, uint64_t, uint64_t* a, uint64_t* l)
        {
            *a = ~uint64_t(0) - 10;
            *l = 0x1000;
            return Status::Success;
        }
    };
    const kdrv::DmaSourceOps broken[3] = {{&Broken::fails}, {&Broken::empty}, {&Broken::wraps}};
    const Status expect[3] = {Status::IOError, Status::BadArgument, Status::BadArgument};
    for (int i = 0; i < 3; ++i)
    {
        CAPTURE(i);
        REQUIRE(cmd.setSource(&broken[i], nullptr, 0x2000) == Status::Success);
        REQUIRE(cmd.prepare() == Status::Success);
        const Build b = buildAll(cmd);
        CHECK(b.status == expect[i]);
        CHECK(cmd.complete() == Status::Success);
    }
    // With maxSegments, prepare walks the source and reports its error.
    s.maxSegments = 4;
    REQUIRE(cmd.init(s) == Status::Success);
    REQUIRE(cmd.setSource(&broken[0], nullptr, 0x2000) == Status::Success);
    CHECK(cmd.prepare() == Status::IOError);
    CHECK_FALSE(cmd.isPrepared());
}

// --- 17: determinism --------------------------------------------------------------------------

TEST_CASE("dma_sg: random cases agree with the reference model and keep every invariant")
{
    // The full run (10^6 cases) is tests/dma_sg_diff_test.cpp; this is a
    // quick deterministic sample so a failure shows up next to the unit tests.
    dmasgdiff::Rng rng(2024);
    unsigned bad = 0;
    for (int i = 0; i < 3000; ++i)
    {
        dmasgdiff::Case c;
        dmasgdiff::randomCase(rng, &c);
        const dmasgdiff::Result r = dmasgdiff::checkCase(c);
        if (!r.mismatch.empty() && ++bad <= 3)
        {
            FAIL_CHECK(r.mismatch << "\n" << dmasgdiff::describeCase(c));
        }
    }
    CHECK(bad == 0);
}

namespace
{
KDRV_CONST_INIT DmaCommand g_constantCommand;
}

TEST_CASE("dma_sg: a command can be a constant-initialized global")
{
    CHECK_FALSE(g_constantCommand.isPrepared());
    CHECK(g_constantCommand.prepare() == Status::NotReady);
}
