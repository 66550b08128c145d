// SPDX-License-Identifier: MIT
//
// libFuzzer target for block_range.hpp. The input describes a device
// (block size and count from tables of edges or raw, zero-length policy,
// attached, unmap list limit) and then a sequence of operations, each
// checked against a reference model that restates the header's contract in
// 128-bit arithmetic (where b + n and b x size cannot wrap):
//   0  blockRangeOk(b, n, count)
//   1  checkedAdd(a, b) and checkedMul(a, b), result and untouched output
//   2  BlockDevice::checkIo(direction, block, nblks, bufferBytes)
//   3  BlockDevice::checkByteIo(offset, length)
//   4  BlockDevice::checkUnmap(list, count, flags): an extent list of up to
//      64 extents (edges, adjacency, overlap, empties, wrapping starts), any
//      flags including unknown ones, a null list; status and bad index
//   5  maxValidBlock, capacityBytes, BlockDevice::extentsOverlap
// Any disagreement aborts.
#include "kdrv/block_range.hpp"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <vector>

#include "fuzz_check.hpp" // for FUZZ_CHECK

namespace
{
typedef unsigned __int128 u128;

struct Input
{
    const uint8_t* data;
    size_t size;
    size_t pos;
    uint8_t byte() { return pos < size ? data[pos++] : 0; }
    uint64_t raw(unsigned n)
    {
        uint64_t v = 0;
        for (unsigned i = 0; i < n; ++i)
            v |= static_cast<uint64_t>(byte()) << (8 * i);
        return v;
    }
    bool done() const { return pos >= size; }
    // An edge value relative to `ref`, a small number, or raw bits.
    uint64_t value(uint64_t ref)
    {
        const uint8_t sel = byte();
        switch (sel & 7)
        {
        case 0:
            return sel >> 3;
        case 1:
            return ref - (sel >> 3);
        case 2:
            return ref + (sel >> 3);
        case 3:
            return UINT64_MAX - (sel >> 3);
        case 4:
            return UINT64_MAX / (ref == 0 ? 1 : ref) + (sel >> 3) - 4;
        case 5:
            return ref / 2 + (sel >> 3);
        case 6:
            return uint64_t(1) << (sel >> 2);
        default:
            return raw(1 + (sel >> 5));
        }
    }
};

const uint64_t kSizes[] = {512, 4096, 0, 1, 520, 2048, uint64_t(1) << 40, UINT64_MAX};
const uint64_t kCounts[] = {32768, 0, 1, 100, 0xFFFFFFFFull, UINT64_MAX, uint64_t(1) << 55, 7};

bool modelRange(uint64_t b, uint64_t n, uint64_t count) { return u128(b) + n <= count; }

kdrv::Status modelIo(const kdrv::BlockDevice& d, uint32_t dir, uint64_t b, uint64_t n, uint64_t buf,
                     kdrv::ByteExtent* out)
{
    using kdrv::Status;
    if (!d.attached)
        return Status::NotAttached;
    if ((dir != 1 && dir != 2) || d.blockSize == 0)
        return Status::BadArgument;
    if (n == 0 && d.zeroLength == kdrv::ZeroLength::Reject)
        return Status::BadArgument;
    if (!modelRange(b, n, d.blockCount))
        return Status::BadArgument;
    const u128 off = u128(b) * d.blockSize;
    const u128 len = u128(n) * d.blockSize;
    if (off + len > UINT64_MAX)
        return Status::BadArgument;
    if (len > buf)
        return Status::BadArgument;
    out->offset = uint64_t(off);
    out->length = uint64_t(len);
    return Status::Success;
}

kdrv::Status modelByteIo(const kdrv::BlockDevice& d, uint64_t off, uint64_t len,
                         kdrv::ByteExtent* out)
{
    using kdrv::Status;
    if (!d.attached)
        return Status::NotAttached;
    if (d.blockSize == 0)
        return Status::BadArgument;
    if (off % d.blockSize != 0 || len % d.blockSize != 0)
        return Status::NotAligned;
    if (len == 0 && d.zeroLength == kdrv::ZeroLength::Reject)
        return Status::BadArgument;
    if (!modelRange(off / d.blockSize, len / d.blockSize, d.blockCount))
        return Status::BadArgument;
    out->offset = off / d.blockSize;
    out->length = len / d.blockSize;
    return Status::Success;
}

bool modelOverlap(const kdrv::BlockExtent& a, const kdrv::BlockExtent& b)
{
    if (a.blockCount == 0 || b.blockCount == 0)
        return false;
    const u128 aEnd = u128(a.blockStart) + a.blockCount;
    const u128 bEnd = u128(b.blockStart) + b.blockCount;
    return a.blockStart < bEnd && b.blockStart < aEnd;
}

kdrv::Status modelUnmap(const kdrv::BlockDevice& d, const kdrv::BlockExtent* e, uint32_t count,
                        uint32_t flags, uint32_t* bad)
{
    using kdrv::Status;
    *bad = count;
    if (!d.attached)
        return Status::NotAttached;
    if ((flags & ~7u) != 0 || (e == nullptr && count != 0) ||
        (d.maxUnmapExtents != 0 && count > d.maxUnmapExtents))
        return Status::BadArgument;
    u128 lastEnd = 0;
    for (uint32_t i = 0; i < count; ++i)
    {
        bool ok = true;
        if (e[i].blockCount == 0)
        {
            ok = (flags & 4) == 0;
        }
        else
        {
            ok = modelRange(e[i].blockStart, e[i].blockCount, d.blockCount);
            if (ok && (flags & 1) != 0)
            {
                ok = e[i].blockStart >= lastEnd;
                if (ok)
                    lastEnd = u128(e[i].blockStart) + e[i].blockCount;
            }
            if (ok && (flags & 2) != 0)
            {
                for (uint32_t j = 0; j < i && ok; ++j)
                    ok = !modelOverlap(e[j], e[i]);
            }
        }
        if (!ok)
        {
            *bad = i;
            return Status::BadArgument;
        }
    }
    return Status::Success;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    Input in = {data, size, 0};
    kdrv::BlockDevice d;
    const uint8_t geometry = in.byte();
    d.blockSize = (geometry & 8) ? in.value(512) : kSizes[geometry & 7];
    d.blockCount =
        (geometry & 0x80) ? in.value(kCounts[(geometry >> 4) & 7]) : kCounts[(geometry >> 4) & 7];
    const uint8_t policy = in.byte();
    d.zeroLength = (policy & 1) ? kdrv::ZeroLength::AcceptNoOp : kdrv::ZeroLength::Reject;
    d.attached = (policy & 0x0E) != 0; // detached 1 time in 8
    d.maxUnmapExtents = (policy & 0x10) ? static_cast<uint32_t>(policy >> 5) : 0u;

    std::vector<kdrv::BlockExtent> list;
    for (int ops = 0; ops < 64 && !in.done(); ++ops)
    {
        const uint8_t op = in.byte();
        switch (op % 6)
        {
        case 0:
        {
            const uint64_t count = (op & 0x80) ? in.value(d.blockCount) : d.blockCount;
            const uint64_t b = in.value(count);
            const uint64_t n = in.value(count);
            FUZZ_CHECK(kdrv::blockRangeOk(b, n, count) == modelRange(b, n, count));
            break;
        }
        case 1:
        {
            const uint64_t a = in.value(d.blockSize);
            const uint64_t b = in.value(d.blockCount);
            uint64_t out = 0x5A5A;
            const bool added = kdrv::checkedAdd(a, b, &out);
            FUZZ_CHECK(added == (u128(a) + b <= UINT64_MAX));
            FUZZ_CHECK(added ? out == a + b : out == 0x5A5A);
            out = 0xA5A5;
            const bool multiplied = kdrv::checkedMul(a, b, &out);
            FUZZ_CHECK(multiplied == (u128(a) * b <= UINT64_MAX));
            FUZZ_CHECK(multiplied ? out == a * b : out == 0xA5A5);
            break;
        }
        case 2:
        {
            const uint8_t dirSel = in.byte();
            const uint32_t dir =
                dirSel < 200 ? 1u + (dirSel & 1u) : static_cast<uint32_t>(in.raw(4));
            const uint64_t b = in.value(d.blockCount);
            const uint64_t n = in.value(d.blockCount - (b < d.blockCount ? b : 0));
            const uint64_t buf = (op & 0x40) ? in.value(n * d.blockSize) : UINT64_MAX;
            kdrv::ByteExtent got = {1, 2};
            kdrv::ByteExtent want = {1, 2};
            const kdrv::Status s = d.checkIo(dir, b, n, buf, &got);
            FUZZ_CHECK(s == modelIo(d, dir, b, n, buf, &want));
            FUZZ_CHECK(got.offset == want.offset && got.length == want.length);
            break;
        }
        case 3:
        {
            const uint64_t off = in.value(d.blockSize);
            const uint64_t len = in.value(d.blockSize);
            kdrv::ByteExtent got = {3, 4};
            kdrv::ByteExtent want = {3, 4};
            FUZZ_CHECK(d.checkByteIo(off, len, &got) == modelByteIo(d, off, len, &want));
            FUZZ_CHECK(got.offset == want.offset && got.length == want.length);
            break;
        }
        case 4:
        {
            const uint32_t n = in.byte() & 63u;
            list.clear();
            uint64_t cursor = in.value(d.blockCount);
            for (uint32_t i = 0; i < n && !in.done(); ++i)
            {
                const uint8_t how = in.byte();
                kdrv::BlockExtent x;
                switch (how & 3)
                {
                case 0: // adjacent to the previous end
                    x.blockStart = cursor;
                    break;
                case 1: // overlapping or behind
                    x.blockStart = cursor - (how >> 2);
                    break;
                case 2:
                    x.blockStart = cursor + (how >> 2);
                    break;
                default:
                    x.blockStart = in.value(d.blockCount);
                    break;
                }
                x.blockCount = (how & 0x80) ? 0 : in.value(16);
                cursor = x.blockStart + x.blockCount;
                list.push_back(x);
            }
            const uint32_t flags = (op & 0x40) ? static_cast<uint32_t>(in.byte())
                                               : static_cast<uint32_t>(in.byte() & 7u);
            const bool nullList = (op & 0x80) != 0 && list.empty();
            const uint32_t count = nullList ? static_cast<uint32_t>(in.byte() & 3u)
                                            : static_cast<uint32_t>(list.size());
            const kdrv::BlockExtent* p = nullList ? nullptr : list.data();
            uint32_t badGot = 0xDEAD;
            uint32_t badWant = 0xBEEF;
            const kdrv::Status s = d.checkUnmap(p, count, flags, &badGot);
            FUZZ_CHECK(s == modelUnmap(d, p, count, flags, &badWant));
            FUZZ_CHECK(badGot == badWant);
            FUZZ_CHECK(d.checkUnmap(p, count, flags, nullptr) == s);
            break;
        }
        default:
        {
            uint64_t last = 77;
            const kdrv::Status s = d.maxValidBlock(&last);
            FUZZ_CHECK(d.blockCount == 0
                           ? (s == kdrv::Status::NoMedia && last == 77)
                           : (s == kdrv::Status::Success && last == d.blockCount - 1));
            uint64_t cap = 0;
            const bool fits = d.blockSize != 0 && u128(d.blockSize) * d.blockCount <= UINT64_MAX;
            FUZZ_CHECK((d.capacityBytes(&cap) == kdrv::Status::Success) == fits);
            FUZZ_CHECK(!fits || cap == d.blockSize * d.blockCount);
            const kdrv::BlockExtent a = {in.value(d.blockCount), in.value(8)};
            const kdrv::BlockExtent b = {in.value(a.blockStart), in.value(8)};
            FUZZ_CHECK(kdrv::BlockDevice::extentsOverlap(a, b) == modelOverlap(a, b));
            FUZZ_CHECK(kdrv::BlockDevice::extentsOverlap(b, a) == modelOverlap(a, b));
            break;
        }
        }
    }
    return 0;
}
