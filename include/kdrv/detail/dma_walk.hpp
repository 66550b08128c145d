// SPDX-License-Identifier: MIT
//
/// \file
/// The pieces of DmaCommand's walk that the array input and the callback
/// input share, each written once: the run scan (physically adjacent runs
/// merge into one extent), the whole-segment test (the common case: an extent
/// that is one legal segment as it stands) and the cutting rule (steps 1-6 at
/// the top of kdrv/dma_sg.hpp). Internal to the scatter/gather builder; the
/// names may change without notice.
///
/// All are pure, inline functions of their arguments: the hot loop copies the
/// limits to a local first and the compiler keeps every field in a register.
#ifndef KDRV_DETAIL_DMA_WALK_HPP
#define KDRV_DETAIL_DMA_WALK_HPP

#include "kdrv/base.hpp"       // for min64, KDRV_INLINE, KDRV_UNLIKELY
#include "kdrv/dma_format.hpp" // for DmaRange
#include "kdrv/dma_spec.hpp"   // for DmaLimits, DmaBounceReason
#include "kdrv/status.hpp"     // for Status

namespace kdrv
{
namespace detail
{
/// The run scan: the contiguous extent that starts `skip` bytes into run `*r`
/// (runs in [r, end)). Exhausted and zero-length runs before it are passed
/// over; following runs join while each starts where the extent ends
/// (zero-length runs anywhere in between are skipped, runs are never
/// reordered). Returns the first run after the extent and its address and
/// length, or null when the runs end before a byte is found.
KDRV_INLINE const DmaRange* dmaScanRuns(const DmaRange* r, const DmaRange* end, uint64_t skip,
                                        uint64_t* address, uint64_t* length)
{
    if (KDRV_UNLIKELY(r == end))
    {
        return nullptr;
    }
    while (KDRV_UNLIKELY(r->length == skip))
    {
        if (++r == end)
        {
            return nullptr;
        }
        skip = 0;
    }
    const uint64_t start = r->address + skip;
    uint64_t next = r->address + r->length; // the address right after the extent
    // A run joins when it starts at `next`; a zero-length run anywhere joins
    // too, adding nothing: one test per run, two runs a step (a long extent
    // costs half the loop overhead, whatever the loop's code alignment).
    ++r;
    while (end - r >= 2 && (r[0].address == next || r[0].length == 0))
    {
        next += r[0].length;
        if (r[1].address != next && r[1].length != 0)
        {
            ++r;
            break;
        }
        next += r[1].length;
        r += 2;
    }
    for (; r != end && (r->address == next || r->length == 0); ++r)
    {
        next += r->length;
    }
    *address = start;
    *length = next - start;
    return r;
}

/// The whole-segment test: true when [a, a + e) (e > 0, no 64-bit wrap) is
/// one legal segment with no cut and no bounce. maxAddress is 2^bits - 1, so
/// "last byte <= maxAddress" is a mask test like the others.
KDRV_INLINE bool dmaFitsWhole(const DmaLimits& l, uint64_t a, uint64_t e)
{
    const uint64_t last = a + e - 1u;
    return ((a & l.alignmentMask) | (e & l.lengthMask) | ((a ^ last) & ~l.boundaryMask) |
            (last & ~l.maxAddress)) == 0 &&
           e <= l.maxSegmentSize;
}

/// Rule step 1: why the piece at `a` must be bounced, or None.
KDRV_INLINE DmaBounceReason dmaBounceReason(const DmaLimits& l, uint64_t a)
{
    if (a > l.maxAddress)
    {
        return DmaBounceReason::Unreachable;
    }
    return (a & l.alignmentMask) != 0 ? DmaBounceReason::Misaligned : DmaBounceReason::None;
}

/// Rule steps 1-4: the longest length a segment at `a` may have, at most `e`
/// (> 0). A bounced piece ends at its page end at the latest, an unbounced
/// one at the address limit.
KDRV_INLINE uint64_t dmaCutLimit(const DmaLimits& l, uint64_t a, uint64_t e, bool bounced)
{
    uint64_t lastOffset = bounced ? l.pageMask - (a & l.pageMask) : l.maxAddress - a;
    lastOffset = min64(lastOffset, l.maxSegmentSize - 1u);
    lastOffset = min64(lastOffset, l.boundaryMask - (a & l.boundaryMask));
    lastOffset = min64(lastOffset, e - 1u);
    return lastOffset + 1u;
}

/// Rule step 5: a cut inside the contiguous bytes (len < e) moves back, if a
/// non-empty segment remains, to a multiple of the length alignment and
/// (unbounced pieces only) so that the rest starts aligned.
KDRV_INLINE uint64_t dmaTrimCut(const DmaLimits& l, uint64_t a, uint64_t len, uint64_t e,
                                bool bounced)
{
    if (len < e)
    {
        uint64_t trim = len & l.lengthMask;
        if (trim != 0 && len > trim)
        {
            len -= trim;
        }
        if (!bounced)
        {
            trim = (a + len) & l.alignmentMask;
            if (trim != 0 && len > trim)
            {
                len -= trim;
            }
        }
    }
    return len;
}

/// True when `len` (dmaCutLimit of an unbounced piece) is already the
/// rule's answer: `a` needs no bounce (step 1), step 5 moves nothing and
/// step 6 passes. The hot loop's shortcut; every other case takes
/// dmaCutSegment.
KDRV_INLINE bool dmaCutIsFinal(const DmaLimits& l, uint64_t a, uint64_t e, uint64_t len)
{
    const uint64_t restMisaligned = len < e ? ((a + len) & l.alignmentMask) : 0;
    return a <= l.maxAddress &&
           ((a & l.alignmentMask) | (len & l.lengthMask) | restMisaligned) == 0;
}

/// The cutting rule, steps 1-6, for the segment at `a` with `e` (> 0)
/// contiguous bytes left in the window. On success *length is the segment's
/// length and *reason why it is bounced (None: used in place). Without a
/// bounce function (`canBounce` false) a piece to bounce fails with
/// MessageTooLarge (beyond the limit) or NotAligned; a length the length
/// alignment cannot hold fails with NotAligned.
KDRV_NODISCARD KDRV_INLINE Status dmaCutSegment(const DmaLimits& l, bool canBounce, uint64_t a,
                                                uint64_t e, uint64_t* length,
                                                DmaBounceReason* reason)
{
    const DmaBounceReason why = dmaBounceReason(l, a);
    const bool bounced = why != DmaBounceReason::None;
    if (bounced && !canBounce)
    {
        return why == DmaBounceReason::Unreachable ? Status::MessageTooLarge : Status::NotAligned;
    }
    const uint64_t len = dmaTrimCut(l, a, dmaCutLimit(l, a, e, bounced), e, bounced);
    if ((len & l.lengthMask) != 0)
    {
        return Status::NotAligned;
    }
    *length = len;
    *reason = why;
    return Status::Success;
}
} // namespace detail
} // namespace kdrv

#endif // KDRV_DETAIL_DMA_WALK_HPP
