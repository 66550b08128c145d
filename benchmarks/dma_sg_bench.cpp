// SPDX-License-Identifier: MIT
//
// Scatter/gather building: 256 pages of 4 KiB (the buffer starts 100 bytes
// into its first page) turned into a device's segment list under typical
// limits: 64 KiB maximum segment, 32 address bits, 4-byte alignment, a
// 4 GiB boundary (or none), Little32 or Little64 output.
//
// Page patterns: contig (one physical run: 16 segments), random (each page
// follows the previous one with probability 1/2), runs4 (runs of 4 pages:
// 64 segments), frag (no two pages adjacent: 256 segments).
//
// Contenders, all producing the same bytes:
//   kdrv                  DmaCommand: setRanges + prepare + generate + complete
//   reference_coalescer   a straightforward coalescer in IODMACommand's style:
//                         it walks the pages one at a time, applies every limit
//                         at each step and emits each segment through an output
//                         function pointer
//   naive_per_page        one segment per page, no merging and no limits (the
//                         floor for streaming the page list; not a builder)
// "_cap1" runs kdrv with capacity 1 per generate() call (resumable).
// Items are pages: cycles/page = GHz / (items per second).
#include "bench_support.hpp"

#include "kdrv/dma_sg.hpp"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace
{
const uint32_t kPages = 256;
const uint64_t kPageSize = 4096;
const uint64_t kFirstOffset = 100;
const uint64_t kMaxSegment = 65536;
const uint64_t kBoundary = 0x100000000ull;
const uint32_t kAlignment = 4;

enum Pattern
{
    Contig,
    Random,
    Runs4,
    Frag,
};

struct Config
{
    Pattern pattern;
    bool wide;     // Little64 instead of Little32
    bool boundary; // 4 GiB boundary
};

uint64_t nextRandom(uint64_t* state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// The page list: physical addresses below 4 GiB.
std::vector<kdrv::DmaRange> makePages(Pattern pattern)
{
    std::vector<kdrv::DmaRange> pages(kPages);
    uint64_t state = 12345;
    uint64_t address = 0x40000000;
    for (uint32_t i = 0; i < kPages; ++i)
    {
        bool follows = false;
        switch (pattern)
        {
        case Contig:
            follows = i != 0;
            break;
        case Random:
            follows = i != 0 && (nextRandom(&state) & 1) != 0;
            break;
        case Runs4:
            follows = i % 4 != 0;
            break;
        case Frag:
            follows = false;
            break;
        }
        if (i != 0 && !follows)
        {
            // A random page well away from the previous one (never adjacent).
            address = 0x10000000 + ((nextRandom(&state) % 0x30000) << 12);
            if (address == pages[i - 1].address + kPageSize)
            {
                address += 2 * kPageSize;
            }
        }
        else if (i != 0)
        {
            address = pages[i - 1].address + kPageSize;
        }
        pages[i].address = address;
        pages[i].length = kPageSize;
    }
    pages[0].address += kFirstOffset;
    pages[0].length -= kFirstOffset;
    return pages;
}

kdrv::DmaSpecification makeSpec(const Config& c)
{
    kdrv::DmaSpecification s = {};
    s.format = c.wide ? kdrv::DmaFormat::Little64 : kdrv::DmaFormat::Little32;
    s.numAddressBits = 32;
    s.pageSize = kPageSize;
    s.alignment = kAlignment;
    s.maxSegmentSize = kMaxSegment;
    s.boundary = c.boundary ? kBoundary : 0;
    return s;
}

// --- reference coalescer (IODMACommand style) --------------------------------

struct RefSegment
{
    uint64_t address;
    uint64_t length;
};

// One output function per format, called once per segment through a pointer.
typedef bool (*OutputFunction)(RefSegment segment, void* segments, uint32_t index);

bool outputLittle32(RefSegment segment, void* segments, uint32_t index)
{
    if (((segment.address | segment.length) >> 32) != 0)
    {
        return false;
    }
    kdrv::storeLE32(static_cast<uint8_t*>(segments) + index * 8u,
                    static_cast<uint32_t>(segment.address));
    kdrv::storeLE32(static_cast<uint8_t*>(segments) + index * 8u + 4,
                    static_cast<uint32_t>(segment.length));
    return true;
}

bool outputLittle64(RefSegment segment, void* segments, uint32_t index)
{
    kdrv::storeLE64(static_cast<uint8_t*>(segments) + index * 16u, segment.address);
    kdrv::storeLE64(static_cast<uint8_t*>(segments) + index * 16u + 8, segment.length);
    return true;
}

struct RefLimits
{
    uint64_t maxAddress;
    uint64_t maxSegment;
    uint64_t boundary;  // 0: none; a power of two, applied with a mask
    uint64_t alignment; // a power of two
    OutputFunction output;
};

// Walks the page list one page at a time; every limit is checked at every
// step. Returns the number of segments, or -1 on a limit violation it cannot
// fix (the cursor behaviour: no bounce buffers).
__attribute__((noinline)) int referenceCoalesce(const RefLimits& l, const kdrv::DmaRange* pages,
                                                uint32_t count, void* out)
{
    RefSegment current = {0, 0};
    uint32_t emitted = 0;
    for (uint32_t i = 0; i < count; ++i)
    {
        uint64_t address = pages[i].address;
        uint64_t length = pages[i].length;
        while (length != 0)
        {
            // How much of this step may join the current segment.
            const bool adjacent =
                current.length != 0 && current.address + current.length == address;
            uint64_t room = adjacent ? l.maxSegment - current.length : l.maxSegment;
            if (l.boundary != 0)
            {
                const uint64_t toBoundary = l.boundary - (address & (l.boundary - 1));
                if (toBoundary < room)
                {
                    room = toBoundary;
                }
            }
            if (!adjacent || room == 0)
            {
                if (current.length != 0)
                {
                    if (!l.output(current, out, emitted))
                    {
                        return -1;
                    }
                    ++emitted;
                }
                if ((address & (l.alignment - 1)) != 0)
                {
                    return -1;
                }
                current.address = address;
                current.length = 0;
                room = l.maxSegment;
                if (l.boundary != 0)
                {
                    const uint64_t toBoundary = l.boundary - (address & (l.boundary - 1));
                    if (toBoundary < room)
                    {
                        room = toBoundary;
                    }
                }
            }
            const uint64_t take = length < room ? length : room;
            if (address + take - 1 > l.maxAddress)
            {
                return -1;
            }
            current.length += take;
            address += take;
            length -= take;
        }
    }
    if (current.length != 0)
    {
        if (!l.output(current, out, emitted))
        {
            return -1;
        }
        ++emitted;
    }
    return static_cast<int>(emitted);
}

// --- naive: one segment per page -------------------------------------------

uint32_t naivePerPage(bool wide, const kdrv::DmaRange* pages, uint32_t count, uint8_t* out)
{
    if (wide)
    {
        for (uint32_t i = 0; i < count; ++i)
        {
            kdrv::storeLE64(out + i * 16u, pages[i].address);
            kdrv::storeLE64(out + i * 16u + 8, pages[i].length);
        }
    }
    else
    {
        for (uint32_t i = 0; i < count; ++i)
        {
            kdrv::storeLE32(out + i * 8u, static_cast<uint32_t>(pages[i].address));
            kdrv::storeLE32(out + i * 8u + 4, static_cast<uint32_t>(pages[i].length));
        }
    }
    return count;
}

// --- benchmark bodies -----------------------------------------------------------

void sgKdrv(benchmark::State& state, Config c, bool capacityOne)
{
    const std::vector<kdrv::DmaRange> pages = makePages(c.pattern);
    const kdrv::DmaSpecification spec = makeSpec(c);
    std::vector<uint8_t> out(kPages * 16 * 2);
    kdrv::DmaCommand cmd;
    if (cmd.init(spec) != kdrv::Status::Success)
    {
        state.SkipWithError("init");
        return;
    }
    uint32_t segments = 0;
    for (auto _ : state)
    {
        kdrv::Status s = cmd.setRanges(pages.data(), kPages);
        s = cmd.prepare();
        uint64_t offset = 0;
        uint32_t total = 0;
        if (capacityOne)
        {
            const size_t elem = kdrv::dmaFormatElementSize(spec.format);
            while (s == kdrv::Status::Success && offset < cmd.preparedLength())
            {
                uint32_t n = 1;
                s = cmd.generate(&offset, out.data() + total * elem, &n);
                total += n;
            }
        }
        else
        {
            uint32_t n = kPages * 2;
            s = cmd.generate(&offset, out.data(), &n);
            total = n;
        }
        if (s != kdrv::Status::Success || cmd.complete() != kdrv::Status::Success)
        {
            state.SkipWithError("generate");
            break;
        }
        segments = total;
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.counters["segments"] = segments;
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kPages);
    kdrvbench::setClockCounters(state);
}

void sgReference(benchmark::State& state, Config c)
{
    const std::vector<kdrv::DmaRange> pages = makePages(c.pattern);
    RefLimits l;
    l.maxAddress = 0xFFFFFFFFu;
    l.maxSegment = kMaxSegment;
    l.boundary = c.boundary ? kBoundary : 0;
    l.alignment = kAlignment;
    l.output = c.wide ? &outputLittle64 : &outputLittle32;
    // Through a volatile pointer, so the call stays indirect as in IODMACommand.
    OutputFunction volatile chosen = l.output;
    l.output = chosen;
    std::vector<uint8_t> out(kPages * 16 * 2);
    int segments = 0;
    for (auto _ : state)
    {
        segments = referenceCoalesce(l, pages.data(), kPages, out.data());
        if (segments < 0)
        {
            state.SkipWithError("limits");
            break;
        }
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.counters["segments"] = segments;
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kPages);
    kdrvbench::setClockCounters(state);
}

void sgNaive(benchmark::State& state, Config c)
{
    const std::vector<kdrv::DmaRange> pages = makePages(c.pattern);
    std::vector<uint8_t> out(kPages * 16 * 2);
    uint32_t segments = 0;
    for (auto _ : state)
    {
        segments = naivePerPage(c.wide, pages.data(), kPages, out.data());
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.counters["segments"] = segments;
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kPages);
    kdrvbench::setClockCounters(state);
}

// Checks once, before any timing, that kdrv and the reference coalescer
// write the same bytes for every configuration (the comparison is fair).
bool sameOutputs(const Config& c)
{
    const std::vector<kdrv::DmaRange> pages = makePages(c.pattern);
    std::vector<uint8_t> a(kPages * 32, 0);
    std::vector<uint8_t> b(kPages * 32, 0);
    kdrv::DmaCommand cmd;
    if (cmd.init(makeSpec(c)) != kdrv::Status::Success ||
        cmd.setRanges(pages.data(), kPages) != kdrv::Status::Success ||
        cmd.prepare() != kdrv::Status::Success)
    {
        return false;
    }
    uint64_t offset = 0;
    uint32_t n = kPages * 2;
    if (cmd.generate(&offset, a.data(), &n) != kdrv::Status::Success)
    {
        return false;
    }
    RefLimits l;
    l.maxAddress = 0xFFFFFFFFu;
    l.maxSegment = kMaxSegment;
    l.boundary = c.boundary ? kBoundary : 0;
    l.alignment = kAlignment;
    l.output = c.wide ? &outputLittle64 : &outputLittle32;
    const int m = referenceCoalesce(l, pages.data(), kPages, b.data());
    return m == static_cast<int>(n) && a == b;
}

const char* patternName(Pattern p)
{
    switch (p)
    {
    case Contig:
        return "contig";
    case Random:
        return "random";
    case Runs4:
        return "runs4";
    case Frag:
        return "frag";
    }
    return "?";
}

int registerAll()
{
    const Pattern patterns[4] = {Contig, Random, Runs4, Frag};
    for (int wide = 0; wide < 2; ++wide)
    {
        for (int bound = 1; bound >= 0; --bound)
        {
            for (Pattern p : patterns)
            {
                const Config c = {p, wide != 0, bound != 0};
                std::string path = std::string("sg.build_256_") + patternName(p);
                if (wide)
                {
                    path += "_64";
                }
                if (!bound)
                {
                    path += "_nobound";
                }
                if (!sameOutputs(c))
                {
                    benchmark::RegisterBenchmark((path + "/kdrv_output_mismatch").c_str(),
                                                 [](benchmark::State& st)
                                                 {
                                                     st.SkipWithError("outputs differ");
                                                     for (auto _ : st)
                                                     {
                                                     }
                                                 });
                    continue;
                }
                benchmark::RegisterBenchmark((path + "/kdrv").c_str(), sgKdrv, c, false);
                benchmark::RegisterBenchmark((path + "/reference_coalescer").c_str(), sgReference,
                                             c);
                benchmark::RegisterBenchmark((path + "/naive_per_page").c_str(), sgNaive, c);
                benchmark::RegisterBenchmark((path + "_cap1/kdrv").c_str(), sgKdrv, c, true);
            }
        }
    }
    return 0;
}

const int g_registered = registerAll();
} // namespace
