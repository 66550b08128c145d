// SPDX-License-Identifier: MIT
//
// A slow, obviously correct model of kdrv's scatter/gather builder
// (dma_sg.hpp), for differential tests and the fuzzer. It shares no code
// with the builder: it flattens the window into byte ranges, merges them in
// a separate pass, then cuts one segment at a time with plain division and
// 128-bit arithmetic instead of masks, and encodes with byte loops.
// User-space only (std::vector).
#ifndef KDRV_TESTS_DMA_SG_REFERENCE_HPP
#define KDRV_TESTS_DMA_SG_REFERENCE_HPP

#include "kdrv/dma_sg.hpp"

#include <stdint.h>
#include <vector>

namespace dmasgref
{
__extension__ typedef unsigned __int128 u128;

const u128 kMax64 = static_cast<u128>(~uint64_t(0));

inline bool isPow2(u128 v)
{
    int ones = 0;
    for (int bit = 0; bit < 128; ++bit)
    {
        ones += static_cast<int>((v >> bit) & 1u);
    }
    return ones == 1;
}

inline u128 min128(u128 a, u128 b) { return a < b ? a : b; }

struct Limits
{
    bool wide;     // 64-bit format
    unsigned bits; // effective address bits
    u128 limitEnd; // 2^bits: first address the device cannot reach
    u128 pageSize;
    u128 alignment;
    u128 lengthAlignment;
    u128 maxSegment;  // effective
    u128 maxTransfer; // effective
    u128 boundary;    // 0: none
    u128 maxSegments; // effective
    bool bounce;
};

// The specification checks, written out one by one.
inline kdrv::Status validate(const kdrv::DmaSpecification& s, Limits* out)
{
    const unsigned format = static_cast<unsigned>(s.format);
    if (format > 5)
    {
        return kdrv::Status::BadArgument;
    }
    Limits l;
    l.wide = format >= 3;
    if (!isPow2(s.pageSize) || s.pageSize < 4096)
    {
        return kdrv::Status::BadArgument;
    }
    l.pageSize = s.pageSize;
    l.bits = s.numAddressBits;
    if (l.bits == 0)
    {
        l.bits = l.wide ? 64 : 32;
    }
    if (l.bits > 64 || (!l.wide && l.bits > 32))
    {
        return kdrv::Status::BadArgument;
    }
    l.limitEnd = static_cast<u128>(1) << l.bits;
    if (l.limitEnd < l.pageSize)
    {
        return kdrv::Status::BadArgument;
    }
    l.alignment = s.alignment == 0 ? 1 : s.alignment;
    l.lengthAlignment = s.lengthAlignment == 0 ? 1 : s.lengthAlignment;
    if (!isPow2(l.alignment) || !isPow2(l.lengthAlignment))
    {
        return kdrv::Status::BadArgument;
    }
    const u128 granule = l.alignment > l.lengthAlignment ? l.alignment : l.lengthAlignment;
    l.boundary = s.boundary;
    if (l.boundary != 0 && (!isPow2(l.boundary) || l.boundary < granule))
    {
        return kdrv::Status::BadArgument;
    }
    if (s.maxSegmentSize != 0 && s.maxSegmentSize < granule)
    {
        return kdrv::Status::BadArgument;
    }
    l.maxSegment = s.maxSegmentSize == 0 ? kMax64 + 1 : static_cast<u128>(s.maxSegmentSize);
    if (!l.wide)
    {
        const u128 cap32 = (static_cast<u128>(0xFFFFFFFFu) / granule) * granule;
        l.maxSegment = min128(l.maxSegment, cap32);
    }
    l.maxTransfer = s.maxTransferSize == 0 ? kMax64 + 1 : static_cast<u128>(s.maxTransferSize);
    l.maxSegments = s.maxSegments == 0 ? kMax64 + 1 : static_cast<u128>(s.maxSegments);
    l.bounce = s.bounce != nullptr;
    *out = l;
    return kdrv::Status::Success;
}

struct Segment
{
    uint64_t address; // bus address (the bounce address when bounced)
    uint64_t length;
    uint64_t sourceAddress; // where the bytes are in the buffer
    uint64_t offset;        // window offset of the first byte
    kdrv::DmaBounceReason reason;
};

struct Outcome
{
    kdrv::Status limitsStatus = kdrv::Status::Success;
    kdrv::Status inputStatus = kdrv::Status::Success;
    kdrv::Status prepareStatus = kdrv::Status::Success;
    std::vector<Segment> segments; // what generation emits before `endStatus`
    kdrv::Status endStatus = kdrv::Status::Success;
    bool tooMany = false; // more segments than the caller's cap: not modelled
    uint64_t windowLength = 0;
    // The walk without bounce calls (prepare's and countSegments' view).
    size_t structuralCount = 0;
    kdrv::Status structuralStatus = kdrv::Status::Success;
};

// Full model: specification, input, prepare(offset, length), generation.
// Bounced pieces call spec.bounce in segment order, once each.
inline Outcome build(const kdrv::DmaSpecification& spec, const kdrv::DmaRange* runs, size_t count,
                     uint64_t prepOffset, uint64_t prepLength, size_t maxModelledSegments)
{
    Outcome o;
    Limits l;
    o.limitsStatus = validate(spec, &l);
    if (o.limitsStatus != kdrv::Status::Success)
    {
        return o;
    }
    // Input: every run's end must be representable, and the total.
    u128 total = 0;
    for (size_t i = 0; i < count; ++i)
    {
        if (static_cast<u128>(runs[i].address) + runs[i].length > kMax64)
        {
            o.inputStatus = kdrv::Status::BadArgument;
        }
        total += runs[i].length;
    }
    if (total > kMax64)
    {
        o.inputStatus = kdrv::Status::BadArgument;
    }
    if (o.inputStatus != kdrv::Status::Success)
    {
        return o;
    }
    // Window.
    u128 winStart = prepOffset;
    u128 winLen = prepLength;
    if (prepLength == 0)
    {
        if (winStart > total)
        {
            o.prepareStatus = kdrv::Status::BadArgument;
            return o;
        }
        winLen = total - winStart;
    }
    else if (winStart + winLen > total)
    {
        o.prepareStatus = kdrv::Status::BadArgument;
        return o;
    }
    if (winLen > l.maxTransfer)
    {
        o.prepareStatus = kdrv::Status::NoSpace;
        return o;
    }
    if (winLen % l.lengthAlignment != 0)
    {
        o.prepareStatus = kdrv::Status::NotAligned;
        return o;
    }
    o.windowLength = static_cast<uint64_t>(winLen);

    // 1. Flatten: the window's bytes as (address, length) pieces, in order.
    struct Piece
    {
        u128 address;
        u128 length;
    };
    std::vector<Piece> pieces;
    u128 bufferPos = 0;
    for (size_t i = 0; i < count; ++i)
    {
        const u128 runStart = bufferPos;
        const u128 runEnd = bufferPos + runs[i].length;
        bufferPos = runEnd;
        const u128 from = runStart > winStart ? runStart : winStart;
        const u128 to = runEnd < winStart + winLen ? runEnd : winStart + winLen;
        if (from < to)
        {
            Piece p;
            p.address = runs[i].address + (from - runStart);
            p.length = to - from;
            pieces.push_back(p);
        }
    }
    // 2. Merge physically adjacent pieces into extents.
    std::vector<Piece> extents;
    for (size_t i = 0; i < pieces.size(); ++i)
    {
        if (!extents.empty() && extents.back().address + extents.back().length == pieces[i].address)
        {
            extents.back().length += pieces[i].length;
        }
        else
        {
            extents.push_back(pieces[i]);
        }
    }
    // 3. Cut segments (source addresses), stopping at a structural error.
    std::vector<Segment> cut;
    kdrv::Status structural = kdrv::Status::Success;
    u128 windowPos = 0;
    for (size_t x = 0; x < extents.size() && structural == kdrv::Status::Success; ++x)
    {
        u128 used = 0;
        while (used < extents[x].length)
        {
            if (cut.size() > maxModelledSegments)
            {
                o.tooMany = true;
                return o;
            }
            const u128 a = extents[x].address + used;
            const u128 e = extents[x].length - used;
            const bool unreachable = a >= l.limitEnd;
            const bool misaligned = a % l.alignment != 0;
            kdrv::DmaBounceReason reason = kdrv::DmaBounceReason::None;
            u128 len = e;
            if (unreachable || misaligned)
            {
                if (!l.bounce)
                {
                    structural =
                        unreachable ? kdrv::Status::MessageTooLarge : kdrv::Status::NotAligned;
                    break;
                }
                reason = unreachable ? kdrv::DmaBounceReason::Unreachable
                                     : kdrv::DmaBounceReason::Misaligned;
                const u128 pageEnd = (a / l.pageSize + 1) * l.pageSize;
                len = min128(len, pageEnd - a);
            }
            else
            {
                len = min128(len, l.limitEnd - a);
            }
            len = min128(len, l.maxSegment);
            if (l.boundary != 0)
            {
                const u128 nextBoundary = (a / l.boundary + 1) * l.boundary;
                len = min128(len, nextBoundary - a);
            }
            if (len < e)
            {
                const u128 over = len % l.lengthAlignment;
                if (over != 0 && len > over)
                {
                    len -= over;
                }
                if (reason == kdrv::DmaBounceReason::None)
                {
                    const u128 skew = (a + len) % l.alignment;
                    if (skew != 0 && len > skew)
                    {
                        len -= skew;
                    }
                }
            }
            if (len % l.lengthAlignment != 0)
            {
                structural = kdrv::Status::NotAligned;
                break;
            }
            Segment s;
            s.address = static_cast<uint64_t>(a);
            s.sourceAddress = static_cast<uint64_t>(a);
            s.length = static_cast<uint64_t>(len);
            s.offset = static_cast<uint64_t>(windowPos);
            s.reason = reason;
            cut.push_back(s);
            used += len;
            windowPos += len;
        }
    }
    o.structuralCount = cut.size();
    o.structuralStatus = structural;
    // prepare() walks the window when maxSegments is set.
    if (l.maxSegments <= kMax64)
    {
        if (cut.size() > l.maxSegments)
        {
            o.prepareStatus = kdrv::Status::NoSpace;
            return o;
        }
        if (structural != kdrv::Status::Success)
        {
            o.prepareStatus = structural;
            return o;
        }
    }
    // 4. Generation: bounce, check, emit.
    for (size_t i = 0; i < cut.size(); ++i)
    {
        Segment s = cut[i];
        if (s.reason != kdrv::DmaBounceReason::None)
        {
            kdrv::DmaBounceRequest request;
            request.offset = s.offset;
            request.address = s.sourceAddress;
            request.length = s.length;
            request.reason = s.reason;
            uint64_t bus = 0;
            const kdrv::Status st = spec.bounce(spec.bounceContext, &request, &bus);
            if (st != kdrv::Status::Success)
            {
                o.endStatus = st;
                return o;
            }
            const u128 last = static_cast<u128>(bus) + s.length - 1;
            const bool crosses = l.boundary != 0 && bus / l.boundary != last / l.boundary;
            if (last > kMax64 || last >= l.limitEnd || bus % l.alignment != 0 || crosses)
            {
                o.endStatus = kdrv::Status::BadArgument;
                return o;
            }
            s.address = bus;
        }
        if (!l.wide && (s.address > 0xFFFFFFFFu || s.length > 0xFFFFFFFFu))
        {
            o.endStatus = kdrv::Status::MessageTooLarge;
            return o;
        }
        o.segments.push_back(s);
    }
    o.endStatus = structural;
    return o;
}

// Byte-loop encoders, independent of the host.
inline void encode(kdrv::DmaFormat format, bool hostIsBig, uint64_t address, uint64_t length,
                   uint8_t* out)
{
    unsigned f = static_cast<unsigned>(format);
    const unsigned width = f >= 3 ? 8 : 4;
    bool big = f == 1 || f == 4;
    if (f == 0 || f == 3)
    {
        big = hostIsBig;
    }
    const uint64_t values[2] = {address, length};
    for (unsigned v = 0; v < 2; ++v)
    {
        for (unsigned k = 0; k < width; ++k)
        {
            const unsigned shift = 8 * (big ? width - 1 - k : k);
            out[v * width + k] = static_cast<uint8_t>(values[v] >> shift);
        }
    }
}

inline void decode(kdrv::DmaFormat format, bool hostIsBig, const uint8_t* in, uint64_t* address,
                   uint64_t* length)
{
    unsigned f = static_cast<unsigned>(format);
    const unsigned width = f >= 3 ? 8 : 4;
    bool big = f == 1 || f == 4;
    if (f == 0 || f == 3)
    {
        big = hostIsBig;
    }
    uint64_t values[2] = {0, 0};
    for (unsigned v = 0; v < 2; ++v)
    {
        for (unsigned k = 0; k < width; ++k)
        {
            const unsigned shift = 8 * (big ? width - 1 - k : k);
            values[v] |= static_cast<uint64_t>(in[v * width + k]) << shift;
        }
    }
    *address = values[0];
    *length = values[1];
}
} // namespace dmasgref

#endif // KDRV_TESTS_DMA_SG_REFERENCE_HPP
