// SPDX-License-Identifier: MIT
//
/// \file
/// A DMA device's constraints (DmaSpecification), their validation and the
/// effective limits DmaCommand cuts segments by (DmaLimits), and the bounce
/// callback that supplies a bus address for a piece the device cannot use in
/// place. Part of the scatter/gather builder (kdrv/dma_sg.hpp); the limits are
/// applied by the rule written at the top of that header.
///
/// Pure functions over caller memory: any context, no locking, no allocation.
/// The specification comes from the driver, not from an untrusted client, but
/// every field is still checked and a bad one gets BadArgument.
#ifndef KDRV_DMA_SPEC_HPP
#define KDRV_DMA_SPEC_HPP

#include "kdrv/base.hpp"       // for isPowerOfTwo32/64, min64, max32
#include "kdrv/dma_format.hpp" // for DmaFormat, dmaFormatIs64Bit, dmaResolveFormat
#include "kdrv/status.hpp"     // for Status

namespace kdrv
{
/// Why a piece is bounced.
enum class DmaBounceReason : uint8_t
{
    None = 0,
    Unreachable = 1, // it starts above the device's address limit
    Misaligned = 2,  // it starts at an address that is not a multiple of the alignment
};

struct DmaBounceRequest
{
    uint64_t offset;  // byte offset of the piece in the prepared window
    uint64_t address; // the piece's physical address in the buffer
    uint64_t length;  // its length: at most to the end of its page
    DmaBounceReason reason;
};

/// Supplies a bounce buffer for one piece the device cannot use in place.
/// Returns Success and the bus address of `request->length` bytes the device
/// can reach, or an error that generation passes on. The address must satisfy
/// the specification (below the limit, aligned, not crossing the boundary);
/// otherwise generation fails with BadArgument. It is called each time a
/// bounced segment is emitted (again after a restart), in segment order, so
/// the callee can record the pieces: copy data in before an outbound
/// transfer, copy it back after an inbound one. It is never called by
/// prepare() or countSegments(). Calling context: that of generate().
typedef Status (*DmaBounceFunction)(void* context, const DmaBounceRequest* request,
                                    uint64_t* busAddress);

/// The device's constraints. Zero-initialize, then set what applies:
/// `DmaSpecification spec = {};`. init() validates every field.
struct DmaSpecification
{
    DmaFormat format;
    /// Highest address the device can generate is 2^bits - 1; a segment's
    /// last byte must be below 2^bits. 0: 32 for 32-bit formats, 64 (no
    /// limit) for 64-bit ones. A 32-bit format with more than 32 bits, fewer
    /// bits than log2(pageSize), or more than 64 is BadArgument.
    uint8_t numAddressBits;
    /// The CPU page size (bounce granule): a power of two >= 4096. Required;
    /// it is 4096 on x86_64 and 16384 on arm64 macOS, so it is never assumed.
    uint32_t pageSize;
    /// Every segment starts at a multiple of this (power of two; 0 means 1).
    uint32_t alignment;
    /// Every segment's length is a multiple of this (power of two; 0 means 1).
    /// The prepared length must be a multiple too (NotAligned at prepare).
    uint32_t lengthAlignment;
    /// Most segments one prepared transfer may use; 0: unlimited. With a
    /// limit, prepare() counts the segments and fails with NoSpace.
    uint32_t maxSegments;
    /// Longest segment; 0: unlimited. At least both alignments if set.
    uint64_t maxSegmentSize;
    /// Longest prepared transfer; 0: unlimited. More is NoSpace at prepare.
    uint64_t maxTransferSize;
    /// No segment crosses a multiple of this (power of two, at least both
    /// alignments), e.g. 64 KiB or 4 GiB; 0: none (as Linux's seg_boundary_mask).
    uint64_t boundary;
    /// Null: a piece that would need bouncing fails generation (the cursor
    /// behaviour of IODMACommand's kIterateOnly).
    DmaBounceFunction bounce;
    void* bounceContext;
};

/// The validated, effective limits (masks rather than sizes).
struct DmaLimits
{
    uint64_t maxAddress;      // 2^bits - 1; UINT64_MAX without a limit
    uint64_t maxSegmentSize;  // effective, >= 1 (32-bit formats capped)
    uint64_t maxTransferSize; // UINT64_MAX when unlimited
    uint64_t alignmentMask;   // alignment - 1
    uint64_t lengthMask;      // lengthAlignment - 1
    uint64_t pageMask;        // pageSize - 1
    uint64_t boundaryMask;    // boundary - 1; UINT64_MAX without a boundary
    uint64_t maxSegments;     // UINT64_MAX when unlimited
    DmaFormat format;         // as specified
    DmaFormat fixedFormat;    // Host resolved to Big or Little for this host
    uint8_t numAddressBits;   // effective: 12..64
};

/// Validates `spec` (IODMACommand::withSpecification's checks, plus kdrv's
/// power-of-two and consistency checks) and computes its effective limits.
/// BadArgument for any invalid field; *limits is written only on success.
KDRV_NODISCARD inline Status dmaComputeLimits(const DmaSpecification& spec, DmaLimits* limits)
{
    if (limits == nullptr || !dmaFormatIsValid(spec.format))
    {
        return Status::BadArgument;
    }
    if (!isPowerOfTwo32(spec.pageSize) || spec.pageSize < 4096u)
    {
        return Status::BadArgument;
    }
    const bool wide = dmaFormatIs64Bit(spec.format);
    uint32_t bits = spec.numAddressBits;
    if (bits == 0)
    {
        bits = wide ? 64u : 32u;
    }
    if (bits > 64u || (!wide && bits > 32u) ||
        (uint64_t(1) << (bits < 63u ? bits : 63u)) < spec.pageSize)
    {
        return Status::BadArgument;
    }
    const uint32_t alignment = spec.alignment == 0 ? 1u : spec.alignment;
    const uint32_t lengthAlignment = spec.lengthAlignment == 0 ? 1u : spec.lengthAlignment;
    if (!isPowerOfTwo32(alignment) || !isPowerOfTwo32(lengthAlignment))
    {
        return Status::BadArgument;
    }
    const uint64_t granule = max32(alignment, lengthAlignment);
    if (spec.boundary != 0 && (!isPowerOfTwo64(spec.boundary) || spec.boundary < granule))
    {
        return Status::BadArgument;
    }
    if (spec.maxSegmentSize != 0 && spec.maxSegmentSize < granule)
    {
        return Status::BadArgument;
    }
    DmaLimits out;
    out.maxAddress = bits == 64u ? ~uint64_t(0) : (uint64_t(1) << bits) - 1u;
    uint64_t maxSegment = spec.maxSegmentSize == 0 ? ~uint64_t(0) : spec.maxSegmentSize;
    if (!wide)
    {
        // A 32-bit length field never holds 4 GiB; cap below it, aligned.
        maxSegment = min64(maxSegment, uint64_t(0xFFFFFFFFu) & ~(granule - 1u));
    }
    out.maxSegmentSize = maxSegment;
    out.maxTransferSize = spec.maxTransferSize == 0 ? ~uint64_t(0) : spec.maxTransferSize;
    out.alignmentMask = alignment - 1u;
    out.lengthMask = lengthAlignment - 1u;
    out.pageMask = spec.pageSize - 1u;
    out.boundaryMask = spec.boundary == 0 ? ~uint64_t(0) : spec.boundary - 1u;
    out.maxSegments = spec.maxSegments == 0 ? ~uint64_t(0) : spec.maxSegments;
    out.format = spec.format;
    out.fixedFormat = dmaResolveFormat(spec.format, hostByteOrder());
    out.numAddressBits = static_cast<uint8_t>(bits);
    *limits = out;
    return Status::Success;
}

} // namespace kdrv

#endif // KDRV_DMA_SPEC_HPP
