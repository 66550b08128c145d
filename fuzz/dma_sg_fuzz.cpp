// SPDX-License-Identifier: MIT
//
// libFuzzer target for the scatter/gather builder. The input bytes choose a
// specification (hostile values included: any format byte, any address
// bits, non-powers of two, tiny boundaries and maxima), a run list (edges of
// the 32-bit, 36-bit and 64-bit address spaces, adjacency, reversal, zero
// lengths, wrapping runs), a window and a call pattern. The builder must
// agree with the reference model (tests/support/dma_sg_reference.hpp) in
// every status and byte, whether generation runs in one call, in resumed
// calls of random capacity with restarts, or over the callback input; a
// complete list must cover exactly the window's bytes, in order, with every
// segment within every limit.
#include "../tests/support/dma_sg_diff.hpp"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

namespace
{
struct Reader
{
    const uint8_t* data;
    size_t size;
    size_t pos;

    uint8_t byte() { return pos < size ? data[pos++] : 0; }
    uint64_t bytes(unsigned n)
    {
        uint64_t v = 0;
        for (unsigned i = 0; i < n; ++i)
        {
            v |= static_cast<uint64_t>(byte()) << (8 * i);
        }
        return v;
    }
    // A value: from a small table of interesting ones, a power of two, or raw.
    uint64_t pick(const uint64_t* table, unsigned count)
    {
        const uint8_t selector = byte();
        switch (selector >> 6)
        {
        case 0:
        case 1:
            return table[selector % count];
        case 2:
            return uint64_t(1) << (selector & 63);
        default:
            return bytes(1 + (selector & 7));
        }
    }
};

const uint64_t kPages[] = {4096, 16384, 65536, 0, 2048, 8192};
const uint64_t kBits[] = {0, 32, 36, 12, 13, 14, 64, 63, 31, 33, 65, 48};
const uint64_t kAlign[] = {0, 1, 2, 4, 512, 1024, 4096, 3};
const uint64_t kMaxSeg[] = {0, 2048, 3000, 4096, 65536, 0x100000000ull, 0xFFFFFFFFull, 1};
const uint64_t kBoundary[] = {0, 4096, 65536, 0x100000000ull, 3, 2048};
const uint64_t kBases[] = {0,
                           0xFFFFF000ull,
                           0x100000000ull,
                           0xFFFFFFFFull,
                           0x1000000000ull - 0x2000,
                           0x13b9d5000ull,
                           0x3f913800ull,
                           ~uint64_t(0) - 0x3000,
                           ~uint64_t(0)};
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    Reader in = {data, size, 0};
    dmasgdiff::Case c;
    kdrv::DmaSpecification& s = c.spec;
    s = kdrv::DmaSpecification();
    const uint8_t format = in.byte();
    s.format = static_cast<kdrv::DmaFormat>(format < 200 ? format % kdrv::kDmaFormatCount : format);
    s.pageSize = static_cast<uint32_t>(in.pick(kPages, 6));
    s.numAddressBits = static_cast<uint8_t>(in.pick(kBits, 12));
    s.alignment = static_cast<uint32_t>(in.pick(kAlign, 8));
    s.lengthAlignment = static_cast<uint32_t>(in.pick(kAlign, 8));
    s.maxSegmentSize = in.pick(kMaxSeg, 8);
    s.boundary = in.pick(kBoundary, 6);
    s.maxSegments = static_cast<uint32_t>(in.byte() < 192 ? 0 : in.bytes(1));
    c.bounceMode = in.byte() % 3;

    const unsigned count = in.byte() % 48;
    for (unsigned i = 0; i < count; ++i)
    {
        const uint8_t mode = in.byte();
        kdrv::DmaRange r;
        switch (mode & 7)
        {
        case 0:
            r.length = 0;
            break;
        case 1:
        case 2:
            r.length = 4096;
            break;
        case 3:
            r.length = in.bytes(2);
            break;
        case 4:
            r.length = in.bytes(3);
            break;
        case 5:
            r.length = in.bytes(8);
            break;
        default:
            r.length = 1 + (mode >> 4);
            break;
        }
        const unsigned place = (mode >> 3) & 3;
        if (i > 0 && place == 0)
        {
            r.address = c.runs[i - 1].address + c.runs[i - 1].length; // adjacent (may wrap)
        }
        else if (i > 0 && place == 1)
        {
            r.address = c.runs[i - 1].address - r.length; // adjacent, reversed
        }
        else if (place == 2)
        {
            r.address = kBases[in.byte() % 9] + (in.bytes(2) << 4);
        }
        else
        {
            r.address = in.bytes(8);
        }
        c.runs.push_back(r);
    }
    const uint8_t window = in.byte();
    if ((window & 3) == 1)
    {
        c.prepOffset = in.bytes(3);
        c.prepLength = in.bytes(3);
    }
    else if ((window & 3) == 2)
    {
        c.prepOffset = in.bytes(8);
        c.prepLength = in.bytes(8);
    }
    if ((window & 12) == 4)
    {
        s.maxTransferSize = in.bytes(4);
    }
    c.callSeed = in.bytes(8);
    c.viaSource = (window & 16) != 0;
    c.overreport = (window & 32) != 0 ? in.bytes(3) : 0;

    const dmasgdiff::Result r = dmasgdiff::checkCase(c, 2048);
    if (!r.mismatch.empty())
    {
        fprintf(stderr, "dma_sg fuzz mismatch: %s\n%s", r.mismatch.c_str(),
                dmasgdiff::describeCase(c).c_str());
        abort();
    }
    return 0;
}
