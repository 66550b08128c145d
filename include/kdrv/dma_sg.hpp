// SPDX-License-Identifier: MIT
//
/// \file
/// Scatter/gather list builder for DMA, after I/O Kit's IODMACommand and its
/// genIOVMSegments(), with Linux's segment-boundary mask as a further limit.
///
/// A buffer that is contiguous in virtual memory is a list of physical runs.
/// DmaCommand turns such a list (or a callback that reports the physical
/// segment at a byte offset, like getPhysicalSegment()) into the segment list
/// a DMA engine accepts: it merges physically adjacent runs, cuts them at the
/// device's limits and writes each segment in the device's format. It is pure
/// logic over caller-supplied memory: no allocation, no locking, the same code
/// in kernel and user space.
///
/// Use:
///     kdrv::DmaSpecification spec = {};
///     spec.format = kdrv::DmaFormat::Little32;
///     spec.pageSize = 4096;            // the bounce granule; never assumed
///     spec.maxSegmentSize = 65536;
///     spec.boundary = 0x100000000ull;  // no segment crosses 4 GiB
///     kdrv::DmaCommand cmd;
///     Status s = cmd.init(spec);                   // every limit is validated
///     s = cmd.setRanges(pages, pageCount);         // physical runs, in order
///     s = cmd.prepare();                           // the whole buffer
///     uint64_t offset = 0;
///     while (offset < cmd.preparedLength()) {
///         uint32_t n = ringSpace;                  // capacity in, count out
///         s = cmd.generate(&offset, ring, &n);     // resumable by offset
///         ...
///     }
///     s = cmd.complete();
///
/// Generation (kdrv's rule; the order follows xnu's walk). Let A be the
/// address of the next byte and E the number of bytes physically contiguous
/// from A up to the end of the prepared window (adjacent runs merge when one
/// starts exactly where the previous ends; zero-length runs are skipped;
/// runs are never reordered). One segment is cut from A:
///   1. A beyond the address limit (A > 2^bits - 1), or A not a multiple of
///      the alignment: the piece is bounced (see DmaBounceFunction) or, with
///      no bounce function, the call fails with MessageTooLarge / NotAligned.
///      A bounced piece ends at the end of A's page at the latest.
///   2. Otherwise the segment may not reach past 2^bits - 1.
///   3. Length <= the maximum segment size (for 32-bit formats also
///      <= 0xFFFFFFFF rounded down to the alignments: never truncated).
///   4. The segment does not cross a multiple of the boundary.
///   5. If the segment now ends inside the contiguous bytes (length < E), the
///      cut is moved back, if that leaves a non-empty segment, so that the
///      length is a multiple of the length alignment and (unbounced pieces
///      only) the rest starts at an aligned address.
///   6. A length that is not a multiple of the length alignment fails with
///      NotAligned (an extent's own end is never moved).
/// Every byte cut off is processed next, in order, by the same rule, so a
/// segment depends only on where it starts: one call with a large capacity
/// and many calls with capacity 1 give the same list.
///
/// Errors are values (Status, equal to IOReturn). Input from outside (the
/// range list, the source callback's answers, the specification) is checked
/// and gets a Status; the contract macros are not used on it.
///
/// Concurrency: a DmaCommand is not thread safe; one thread (or a caller-held
/// lock) at a time, as for IODMACommand. Nothing here blocks or allocates, so
/// every function may be called with preemption or interrupts disabled,
/// provided the callbacks may be as well.
#ifndef KDRV_DMA_SG_HPP
#define KDRV_DMA_SG_HPP

#include "kdrv/base.hpp"
#include "kdrv/endian.hpp"
#include "kdrv/status.hpp"

namespace kdrv
{
/// Output formats, as IODMACommand's output functions (kIODMACommandOutput*).
/// Segment i is written at byte offset i * elementSize of the output array,
/// which need not be aligned:
///   *32: 8 bytes, address at +0, length at +4 (uint32_t each);
///   *64: 16 bytes, address at +0, length at +8 (uint64_t each).
/// Big and Little are written with explicit shifts, independent of the host;
/// Host is the CPU's native order (equal to Little on x86_64 and arm64).
enum class DmaFormat : uint8_t
{
    Host32 = 0,
    Big32 = 1,
    Little32 = 2,
    Host64 = 3,
    Big64 = 4,
    Little64 = 5,
};

constexpr bool dmaFormatIsValid(DmaFormat f) { return static_cast<uint8_t>(f) <= 5; }
constexpr bool dmaFormatIs64Bit(DmaFormat f) { return static_cast<uint8_t>(f) >= 3; }
constexpr uint32_t dmaFormatElementSize(DmaFormat f) { return dmaFormatIs64Bit(f) ? 16u : 8u; }

/// The fixed-order format a Host format means on a host of order `host`
/// (Big and Little formats are returned unchanged).
constexpr DmaFormat dmaResolveFormat(DmaFormat f, ByteOrder host)
{
    return f == DmaFormat::Host32
               ? (host == ByteOrder::Big ? DmaFormat::Big32 : DmaFormat::Little32)
               : (f == DmaFormat::Host64
                      ? (host == ByteOrder::Big ? DmaFormat::Big64 : DmaFormat::Little64)
                      : f);
}

/// A physical (bus) range: an input run or an output segment. Same layout as
/// the Host64 element, and as IODMACommand::Segment64.
struct DmaRange
{
    uint64_t address;
    uint64_t length;
};
static_assert(sizeof(DmaRange) == 16, "DmaRange is the Host64 element");

/// Host32 and Host64 elements as structs (IODMACommand::Segment32/Segment64
/// have the same layout: fIOVMAddr, fLength).
struct DmaSegment32
{
    uint32_t address;
    uint32_t length;
};
struct DmaSegment64
{
    uint64_t address;
    uint64_t length;
};
static_assert(sizeof(DmaSegment32) == 8, "Host32 element");
static_assert(sizeof(DmaSegment64) == 16, "Host64 element");

/// Writes one segment at index `index` of `array` in format `f` (byte-exact,
/// any alignment). A 32-bit format refuses an address or length above
/// 0xFFFFFFFF with MessageTooLarge and writes nothing; unlike IODMACommand's
/// 32-bit output functions it never truncates.
KDRV_INLINE Status dmaEncodeSegment(DmaFormat f, void* array, uint32_t index, uint64_t address,
                                    uint64_t length)
{
    uint8_t* const out = static_cast<uint8_t*>(array);
    const DmaFormat fixed = dmaResolveFormat(f, hostByteOrder());
    if (!dmaFormatIs64Bit(fixed))
    {
        if (((address | length) >> 32) != 0)
        {
            return Status::MessageTooLarge;
        }
        uint8_t* const p = out + static_cast<size_t>(index) * 8u;
        const ByteOrder order = fixed == DmaFormat::Big32 ? ByteOrder::Big : ByteOrder::Little;
        store32(p, static_cast<uint32_t>(address), order);
        store32(p + 4, static_cast<uint32_t>(length), order);
        return Status::Success;
    }
    if (fixed != DmaFormat::Big64 && fixed != DmaFormat::Little64)
    {
        return Status::BadArgument;
    }
    uint8_t* const p = out + static_cast<size_t>(index) * 16u;
    const ByteOrder order = fixed == DmaFormat::Big64 ? ByteOrder::Big : ByteOrder::Little;
    store64(p, address, order);
    store64(p + 8, length, order);
    return Status::Success;
}

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
    uint64_t maxAddress;       // 2^bits - 1; UINT64_MAX without a limit
    uint64_t maxSegmentSize;   // effective, >= 1 (32-bit formats capped)
    uint64_t maxTransferSize;  // UINT64_MAX when unlimited
    uint64_t alignmentMask;    // alignment - 1
    uint64_t lengthMask;       // lengthAlignment - 1
    uint64_t pageMask;         // pageSize - 1
    uint64_t boundaryMask;     // boundary - 1; UINT64_MAX without a boundary
    uint64_t maxSegments;      // UINT64_MAX when unlimited
    DmaFormat format;          // as specified
    DmaFormat fixedFormat;     // Host resolved to Big or Little for this host
    uint8_t numAddressBits;    // effective: 12..64
};

/// Validates `spec` (IODMACommand::withSpecification's checks, plus kdrv's
/// power-of-two and consistency checks) and computes its effective limits.
/// BadArgument for any invalid field; *limits is written only on success.
inline Status dmaComputeLimits(const DmaSpecification& spec, DmaLimits* limits)
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

/// A descriptor that reports its physical layout one segment at a time, like
/// IOMemoryDescriptor::getPhysicalSegment(): for the byte at `offset` (from
/// the start of the descriptor, below its length) it returns Success, the
/// physical address and the number of physically contiguous bytes from there
/// (> 0; it may reach past the end, the excess is ignored). Any other Status
/// is passed on by the caller. A zero length, or an address + length that
/// does not fit in 64 bits, makes the caller fail with BadArgument.
struct DmaSourceOps
{
    Status (*physicalSegment)(void* context, uint64_t offset, uint64_t* address,
                              uint64_t* length);
};

class DmaCommand
{
public:
    constexpr DmaCommand()
        : limits_(), bounce_(nullptr), bounceContext_(nullptr), ranges_(nullptr),
          source_(nullptr), sourceContext_(nullptr), inputLength_(0), windowOffset_(0),
          windowLength_(0), firstRunOffset_(0), walk_(), rangeCount_(0), firstRun_(0),
          lastRun_(0), prepareCount_(0), initialized_(false), useSource_(false),
          walkValid_(false)
    {
    }
    KDRV_NONCOPYABLE(DmaCommand);

    /// Validates and installs the device's constraints (dmaComputeLimits).
    /// Busy while prepared; BadArgument for an invalid field. On failure the
    /// previous specification stays. The input is kept.
    Status init(const DmaSpecification& spec)
    {
        if (prepareCount_ != 0)
        {
            return Status::Busy;
        }
        DmaLimits limits;
        const Status s = dmaComputeLimits(spec, &limits);
        if (s != Status::Success)
        {
            return s;
        }
        limits_ = limits;
        bounce_ = spec.bounce;
        bounceContext_ = spec.bounceContext;
        initialized_ = true;
        return Status::Success;
    }

    /// Input: `count` physical runs in buffer order. The array is not copied;
    /// it must stay valid and unchanged until complete(). `ranges` may be
    /// null when `count` is 0 (an empty buffer). Each run's address + length
    /// must fit in 64 bits and so must the total, else BadArgument (and the
    /// previous input stays). Busy while prepared. O(count).
    Status setRanges(const DmaRange* ranges, uint32_t count)
    {
        if (prepareCount_ != 0)
        {
            return Status::Busy;
        }
        if (ranges == nullptr && count != 0)
        {
            return Status::BadArgument;
        }
        // One pass, written so that compilers can vectorize it: a run wraps
        // when length > ~address; the total is summed in 32-bit halves, which
        // cannot overflow for 2^32 runs, and combined once at the end.
        uint64_t wrapped = 0;
        uint64_t lowSum = 0;
        uint64_t highSum = 0;
        for (uint32_t i = 0; i < count; ++i)
        {
            const uint64_t address = ranges[i].address;
            const uint64_t length = ranges[i].length;
            wrapped |= static_cast<uint64_t>(length > ~address);
            lowSum += length & 0xFFFFFFFFu;
            highSum += length >> 32;
        }
        uint64_t total;
        if (wrapped != 0 || highSum > 0xFFFFFFFFu || addOverflow64(highSum << 32, lowSum, &total))
        {
            return Status::BadArgument;
        }
        ranges_ = ranges;
        rangeCount_ = count;
        source_ = nullptr;
        sourceContext_ = nullptr;
        useSource_ = false;
        inputLength_ = total;
        return Status::Success;
    }

    /// Input: a descriptor of `length` bytes reached through `ops`, which
    /// must stay valid until complete(). Busy while prepared; BadArgument for
    /// null ops.
    Status setSource(const DmaSourceOps* ops, void* context, uint64_t length)
    {
        if (prepareCount_ != 0)
        {
            return Status::Busy;
        }
        if (ops == nullptr || ops->physicalSegment == nullptr)
        {
            return Status::BadArgument;
        }
        ranges_ = nullptr;
        rangeCount_ = 0;
        source_ = ops;
        sourceContext_ = context;
        useSource_ = true;
        inputLength_ = length;
        return Status::Success;
    }

    /// Prepares the window [offset, offset + length) of the input for
    /// generation; length 0 means up to the end. Checks, in order:
    ///   no specification                               NotReady
    ///   window beyond the input, or wrapping           BadArgument
    ///   already prepared: the same window nests (count + 1); another NotReady
    ///   length > maxTransferSize                       NoSpace
    ///   length not a multiple of the length alignment  NotAligned
    ///   with maxSegments: the window is walked once (no bounce calls) and
    ///   more segments than allowed give NoSpace; an error the walk meets
    ///   (NotAligned, MessageTooLarge without a bounce function, an error of
    ///   the source) is returned instead.
    /// A failed prepare changes nothing (no count change). Each successful
    /// prepare needs one complete().
    Status prepare(uint64_t offset = 0, uint64_t length = 0)
    {
        if (!initialized_)
        {
            return Status::NotReady;
        }
        uint64_t windowLength = length;
        if (length == 0)
        {
            if (offset > inputLength_)
            {
                return Status::BadArgument;
            }
            windowLength = inputLength_ - offset;
        }
        else
        {
            uint64_t end;
            if (addOverflow64(offset, length, &end) || end > inputLength_)
            {
                return Status::BadArgument;
            }
        }
        if (prepareCount_ != 0)
        {
            if (offset != windowOffset_ || windowLength != windowLength_)
            {
                return Status::NotReady;
            }
            if (prepareCount_ == ~uint32_t(0))
            {
                return Status::NoResources;
            }
            ++prepareCount_;
            return Status::Success;
        }
        if (windowLength > limits_.maxTransferSize)
        {
            return Status::NoSpace;
        }
        if ((windowLength & limits_.lengthMask) != 0)
        {
            return Status::NotAligned;
        }
        windowOffset_ = offset;
        windowLength_ = windowLength;
        placeWindow();
        if (limits_.maxSegments != ~uint64_t(0))
        {
            uint64_t count = 0;
            const Status s = walkCount(limits_.maxSegments, &count);
            if (s != Status::Success)
            {
                return s;
            }
        }
        prepareCount_ = 1;
        resetWalk(&walk_);
        walkValid_ = true;
        return Status::Success;
    }

    /// Undoes one prepare(). NotReady without an active prepare.
    Status complete()
    {
        if (prepareCount_ == 0)
        {
            return Status::NotReady;
        }
        if (--prepareCount_ == 0)
        {
            walkValid_ = false;
        }
        return Status::Success;
    }

    bool isPrepared() const { return prepareCount_ != 0; }
    uint32_t prepareCount() const { return prepareCount_; }
    uint64_t preparedOffset() const { return windowOffset_; }
    uint64_t preparedLength() const { return windowLength_; }
    uint64_t inputLength() const { return inputLength_; }
    const DmaLimits& limits() const { return limits_; }

    /// genIOVMSegments: writes up to *numSegments segments, in the
    /// specification's format, to `segments` (any alignment), starting at the
    /// segment that begins `*offset` bytes into the prepared window. On
    /// success *numSegments is the number written (whole segments only) and
    /// *offset the start of the next segment (== preparedLength() at the end).
    /// Errors, in order:
    ///   not prepared                                   NotReady
    ///   a null pointer, *numSegments == 0              BadArgument
    ///   *offset >= preparedLength()                    Overrun (the end)
    ///   *offset neither 0, nor where the last call stopped, nor the start of
    ///   a segment                                      BadArgument
    ///   more than maxSegments segments                 NoSpace
    ///   a piece to bounce and no bounce function       MessageTooLarge (beyond
    ///                                                  the limit) / NotAligned
    ///   a length the length alignment cannot hold      NotAligned
    ///   the bounce function's or the source's error, or a bounce address that
    ///   breaks the specification                       (that) / BadArgument
    /// A failed call leaves *offset and *numSegments unchanged; the array may
    /// have been written and the bounce function called. The walk continues
    /// where the previous call stopped; any other *offset restarts it from
    /// the window start (skipping forward without output, O(offset)).
    Status generate(uint64_t* offset, void* segments, uint32_t* numSegments)
    {
        return generateAs(offset, segments, numSegments, limits_.fixedFormat);
    }

    /// As generate(), but always as host-order DmaRange pairs, whatever the
    /// format (for software consumers); the limits are those of the format.
    Status generateRanges(uint64_t* offset, DmaRange* segments, uint32_t* numSegments)
    {
        return generateAs(offset, segments, numSegments,
                          hostIsLittleEndian() ? DmaFormat::Little64 : DmaFormat::Big64);
    }

    /// The number of segments the prepared window needs, by a walk that emits
    /// nothing and calls no bounce function. NotReady if not prepared,
    /// BadArgument for a null pointer; otherwise the walk's error, if any.
    Status countSegments(uint64_t* count) const
    {
        if (prepareCount_ == 0)
        {
            return Status::NotReady;
        }
        if (count == nullptr)
        {
            return Status::BadArgument;
        }
        return walkCount(~uint64_t(0), count);
    }

private:
    // Where the walk stands; everything before `remaining` is emitted.
    struct Walk
    {
        uint64_t remaining;     // window bytes not yet covered by segments
        uint64_t extentAddress; // next byte of the current contiguous extent
        uint64_t extentLength;  // its bytes still to cut; 0: scan the next extent
        uint64_t index;         // segments before this point
        uint64_t nextRunOffset; // array input: the next scan starts here ...
        uint32_t nextRun;       // ... in this run
    };

    // Finds the runs holding the window's first and last bytes.
    void placeWindow()
    {
        if (useSource_)
        {
            return;
        }
        uint64_t skip = windowOffset_;
        uint32_t i = 0;
        while (i < rangeCount_ && ranges_[i].length <= skip)
        {
            skip -= ranges_[i].length;
            ++i;
        }
        firstRun_ = i;
        firstRunOffset_ = skip;
        if (windowLength_ == 0)
        {
            lastRun_ = i;
            return;
        }
        if (windowOffset_ + windowLength_ == inputLength_)
        {
            lastRun_ = rangeCount_ - 1u;
            return;
        }
        uint64_t need = skip + windowLength_;
        uint32_t j = i;
        while (ranges_[j].length < need && j + 1u < rangeCount_)
        {
            need -= ranges_[j].length;
            ++j;
        }
        lastRun_ = j;
    }

    void resetWalk(Walk* w) const
    {
        w->remaining = windowLength_;
        w->extentAddress = 0;
        w->extentLength = 0;
        w->index = 0;
        w->nextRunOffset = firstRunOffset_;
        w->nextRun = firstRun_;
    }

    // Array input: the contiguous extent that starts at the walk's run
    // position, clipped to the window (the generic walk; emitArray() has its
    // own copy of the scan). False if the runs end first, which only a run
    // array changed while prepared can cause; the bound keeps every read
    // inside the array even then.
    KDRV_INLINE bool scanArray(Walk* w) const
    {
        const DmaRange* r = ranges_ + w->nextRun;
        const DmaRange* const end = ranges_ + lastRun_ + 1u;
        uint64_t skip = w->nextRunOffset;
        if (r == end)
        {
            return false;
        }
        while (r->length == skip) // exhausted or zero-length runs
        {
            if (++r == end)
            {
                return false;
            }
            skip = 0;
        }
        const uint64_t address = r->address + skip;
        uint64_t length = r->length - skip;
        for (++r; r != end; ++r)
        {
            if (r->address != address + length)
            {
                if (r->length != 0)
                {
                    break;
                }
                continue;
            }
            length += r->length;
        }
        w->nextRun = static_cast<uint32_t>(r - ranges_);
        w->nextRunOffset = 0;
        w->extentAddress = address;
        w->extentLength = min64(length, w->remaining);
        return true;
    }

    // Callback input: the contiguous extent at the walk's position, asking
    // the source at each step.
    KDRV_NOINLINE Status scanSource(uint64_t remaining, uint64_t* extentAddress,
                                    uint64_t* extentLength) const
    {
        const uint64_t start = windowOffset_ + (windowLength_ - remaining);
        uint64_t address = 0;
        uint64_t length = 0;
        Status s = source_->physicalSegment(sourceContext_, start, &address, &length);
        if (s != Status::Success)
        {
            return s;
        }
        uint64_t end;
        length = min64(length, remaining);
        if (length == 0 || addOverflow64(address, length, &end))
        {
            return Status::BadArgument;
        }
        while (length < remaining)
        {
            uint64_t nextAddress = 0;
            uint64_t nextLength = 0;
            s = source_->physicalSegment(sourceContext_, start + length, &nextAddress,
                                         &nextLength);
            if (s != Status::Success)
            {
                return s;
            }
            nextLength = min64(nextLength, remaining - length);
            if (nextLength == 0 || addOverflow64(nextAddress, nextLength, &end))
            {
                return Status::BadArgument;
            }
            if (nextAddress != address + length)
            {
                break;
            }
            length += nextLength;
        }
        *extentAddress = address;
        *extentLength = length;
        return Status::Success;
    }

    // True when the whole extent [a, a + e) is one legal segment: the common
    // case, checked with one combined test instead of the cutting rule.
    KDRV_INLINE bool fitsWhole(uint64_t a, uint64_t e) const
    {
        const uint64_t last = a + e - 1u;
        return ((a & limits_.alignmentMask) | (e & limits_.lengthMask) |
                ((a ^ last) & ~limits_.boundaryMask)) == 0 &&
               last <= limits_.maxAddress && e <= limits_.maxSegmentSize;
    }

    // The cutting rule (see the top of the file) for the segment at `a`
    // with `e` contiguous bytes left in the window.
    KDRV_NOINLINE Status cutSegment(uint64_t a, uint64_t e, uint64_t* length,
                                    DmaBounceReason* reason) const
    {
        DmaBounceReason why = DmaBounceReason::None;
        uint64_t lastOffset; // the largest allowed length - 1
        if (a > limits_.maxAddress)
        {
            why = DmaBounceReason::Unreachable;
        }
        else if ((a & limits_.alignmentMask) != 0)
        {
            why = DmaBounceReason::Misaligned;
        }
        if (why != DmaBounceReason::None)
        {
            if (bounce_ == nullptr)
            {
                return why == DmaBounceReason::Unreachable ? Status::MessageTooLarge
                                                           : Status::NotAligned;
            }
            lastOffset = limits_.pageMask - (a & limits_.pageMask);
        }
        else
        {
            lastOffset = limits_.maxAddress - a;
        }
        lastOffset = min64(lastOffset, limits_.maxSegmentSize - 1u);
        lastOffset = min64(lastOffset, limits_.boundaryMask - (a & limits_.boundaryMask));
        lastOffset = min64(lastOffset, e - 1u);
        uint64_t len = lastOffset + 1u;
        if (len < e)
        {
            uint64_t trim = len & limits_.lengthMask;
            if (trim != 0 && len > trim)
            {
                len -= trim;
            }
            if (why == DmaBounceReason::None)
            {
                trim = (a + len) & limits_.alignmentMask;
                if (trim != 0 && len > trim)
                {
                    len -= trim;
                }
            }
        }
        if ((len & limits_.lengthMask) != 0)
        {
            return Status::NotAligned;
        }
        *length = len;
        *reason = why;
        return Status::Success;
    }

    // One segment (source addresses; bounced pieces flagged, not replaced).
    KDRV_INLINE Status step(Walk* w, DmaRange* seg, DmaBounceReason* reason, bool arrayInput) const
    {
        if (w->extentLength == 0)
        {
            if (arrayInput)
            {
                if (KDRV_UNLIKELY(!scanArray(w)))
                {
                    return Status::InternalError; // the run array changed while prepared
                }
            }
            else
            {
                uint64_t address = 0;
                uint64_t length = 0;
                const Status s = scanSource(w->remaining, &address, &length);
                if (s != Status::Success)
                {
                    return s;
                }
                w->extentAddress = address;
                w->extentLength = length;
            }
        }
        const uint64_t a = w->extentAddress;
        const uint64_t e = w->extentLength;
        if (KDRV_LIKELY(fitsWhole(a, e)))
        {
            seg->address = a;
            seg->length = e;
            *reason = DmaBounceReason::None;
            w->extentLength = 0;
            w->remaining -= e;
            return Status::Success;
        }
        uint64_t len = 0;
        const Status s = cutSegment(a, e, &len, reason);
        if (s != Status::Success)
        {
            return s;
        }
        seg->address = a;
        seg->length = len;
        w->extentAddress = a + len;
        w->extentLength = e - len;
        w->remaining -= len;
        return Status::Success;
    }

    // Walks the whole window from the start without output or bounce calls;
    // NoSpace as soon as more than `limit` segments are needed.
    Status walkCount(uint64_t limit, uint64_t* count) const
    {
        Walk w;
        resetWalk(&w);
        uint64_t n = 0;
        while (w.remaining != 0)
        {
            DmaRange seg;
            DmaBounceReason reason;
            const Status s = step(&w, &seg, &reason, !useSource_);
            if (s != Status::Success)
            {
                return s;
            }
            if (++n > limit)
            {
                return Status::NoSpace;
            }
        }
        *count = n;
        return Status::Success;
    }

    // The bus address for a bounced piece: the bounce function's answer,
    // checked against the specification.
    KDRV_NOINLINE Status bounceSegment(uint64_t address, uint64_t length, DmaBounceReason reason,
                                       uint64_t offset, uint64_t* busAddress) const
    {
        DmaBounceRequest request;
        request.offset = offset;
        request.address = address;
        request.length = length;
        request.reason = reason;
        uint64_t bus = 0;
        const Status s = bounce_(bounceContext_, &request, &bus);
        if (s != Status::Success)
        {
            return s;
        }
        uint64_t last;
        if (addOverflow64(bus, length - 1u, &last) || last > limits_.maxAddress ||
            (bus & limits_.alignmentMask) != 0 || ((bus ^ last) & ~limits_.boundaryMask) != 0)
        {
            return Status::BadArgument;
        }
        *busAddress = bus;
        return Status::Success;
    }

    // The slow half of the cutting rule for the segment at `a` (`e` bytes
    // left in its extent): trims, bouncing and errors. Returned by value so
    // that the hot loop's variables never have their address taken.
    struct Cut
    {
        uint64_t length;
        uint64_t bus; // the address to emit
        Status status;
    };
    KDRV_NOINLINE Cut cutSlow(uint64_t a, uint64_t e, uint64_t offset) const
    {
        Cut cut;
        cut.length = 0;
        cut.bus = a;
        DmaBounceReason reason = DmaBounceReason::None;
        cut.status = cutSegment(a, e, &cut.length, &reason);
        if (cut.status == Status::Success && reason != DmaBounceReason::None)
        {
            cut.status = bounceSegment(a, cut.length, reason, offset, &cut.bus);
        }
        return cut;
    }

    // Writes one segment in a fixed-order format (a constant after inlining).
    static KDRV_INLINE bool put(DmaFormat f, uint8_t* out, uint32_t i, uint64_t address,
                                uint64_t length)
    {
        switch (f)
        {
        case DmaFormat::Big32:
        case DmaFormat::Little32:
        {
            if (((address | length) >> 32) != 0)
            {
                return false;
            }
            uint8_t* const p = out + static_cast<size_t>(i) * 8u;
            if (f == DmaFormat::Big32)
            {
                storeBE32(p, static_cast<uint32_t>(address));
                storeBE32(p + 4, static_cast<uint32_t>(length));
            }
            else
            {
                storeLE32(p, static_cast<uint32_t>(address));
                storeLE32(p + 4, static_cast<uint32_t>(length));
            }
            return true;
        }
        case DmaFormat::Big64:
            storeBE64(out + static_cast<size_t>(i) * 16u, address);
            storeBE64(out + static_cast<size_t>(i) * 16u + 8u, length);
            return true;
        case DmaFormat::Little64:
            storeLE64(out + static_cast<size_t>(i) * 16u, address);
            storeLE64(out + static_cast<size_t>(i) * 16u + 8u, length);
            return true;
        case DmaFormat::Host32:
        case DmaFormat::Host64:
            break;
        }
        return false;
    }

    // The emission loop for callback input: the generic walk, one step at a
    // time, with the format switched per segment (the source's indirect
    // calls cost more than that).
    Status emitFromSource(Walk* walk, uint8_t* out, uint32_t room, uint32_t* produced,
                          DmaFormat f) const
    {
        Walk w = *walk;
        uint32_t n = 0;
        while (n < room && w.remaining != 0)
        {
            const uint64_t position = windowLength_ - w.remaining;
            DmaRange seg;
            DmaBounceReason reason;
            Status s = step(&w, &seg, &reason, false);
            if (KDRV_UNLIKELY(s != Status::Success))
            {
                return s;
            }
            if (KDRV_UNLIKELY(reason != DmaBounceReason::None))
            {
                uint64_t bus = 0;
                s = bounceSegment(seg.address, seg.length, reason, position, &bus);
                if (s != Status::Success)
                {
                    return s;
                }
                seg.address = bus;
            }
            if (KDRV_UNLIKELY(!put(f, out, n, seg.address, seg.length)))
            {
                return Status::MessageTooLarge;
            }
            ++n;
        }
        *walk = w;
        *produced = n;
        return Status::Success;
    }

    // Writes one segment at `p` in a fixed-order format (a constant after
    // inlining). The caller has checked that the values fit the format.
    static KDRV_INLINE void store(DmaFormat f, uint8_t* p, uint64_t address, uint64_t length)
    {
        switch (f)
        {
        case DmaFormat::Big32:
            storeBE32(p, static_cast<uint32_t>(address));
            storeBE32(p + 4, static_cast<uint32_t>(length));
            break;
        case DmaFormat::Little32:
            storeLE32(p, static_cast<uint32_t>(address));
            storeLE32(p + 4, static_cast<uint32_t>(length));
            break;
        case DmaFormat::Big64:
            storeBE64(p, address);
            storeBE64(p + 8, length);
            break;
        case DmaFormat::Little64:
        case DmaFormat::Host32:
        case DmaFormat::Host64:
            storeLE64(p, address);
            storeLE64(p + 8, length);
            break;
        }
    }

    // The emission loop for array input, the hot path. `f` is a constant at
    // each call site in generateAs(), so the format is chosen once per call.
    // Contiguous runs are found by a tight scan (one compare per run); the
    // limits are applied once per extent, by one combined test when the
    // whole extent is a legal segment, and otherwise by the cutting rule,
    // whose common case is inline. Everything the loop reads is copied to
    // locals first: a store to `out` may alias any memory, and members
    // would be reloaded after each one.
    //
    // Values that reach store() fit the format: a legal segment has
    // last byte <= maxAddress and length <= maxSegmentSize, both below 2^32
    // for 32-bit formats (dmaComputeLimits), and bounce addresses are checked
    // against the same limits.
    KDRV_INLINE Status emitArray(Walk* walk, uint8_t* out, uint32_t room, uint32_t* produced,
                                 DmaFormat f) const
    {
        if (walk->extentLength == 0 && walk->nextRunOffset != 0)
        {
            // The window starts inside a run: its first extent, the generic way.
            if (!scanArray(walk))
            {
                return Status::InternalError;
            }
        }
        const uint64_t maxAddress = limits_.maxAddress;
        const uint64_t maxSegment = limits_.maxSegmentSize;
        const uint64_t alignmentMask = limits_.alignmentMask;
        const uint64_t lengthMask = limits_.lengthMask;
        const uint64_t boundaryMask = limits_.boundaryMask;
        const uint64_t boundaryHigh = ~boundaryMask;
        const uint64_t addressHigh = ~maxAddress;
        const size_t elementSize = dmaFormatElementSize(f);
        const DmaRange* const runsEnd = ranges_ + lastRun_ + 1u;
        const DmaRange* next = ranges_ + walk->nextRun;
        uint64_t remaining = walk->remaining;
        uint64_t a = walk->extentAddress;
        uint64_t e = walk->extentLength;
        uint8_t* cursor = out;
        uint32_t left = room;
        while (left != 0 && remaining != 0)
        {
            if (e == 0)
            {
                const DmaRange* r = next;
                while (KDRV_UNLIKELY(r == runsEnd || r->length == 0))
                {
                    if (r == runsEnd)
                    {
                        return Status::InternalError; // the run array changed while prepared
                    }
                    ++r;
                }
                a = r->address;
                uint64_t end = a + r->length;
                for (++r; r != runsEnd; ++r)
                {
                    if (r->address != end)
                    {
                        if (r->length != 0)
                        {
                            break;
                        }
                        continue;
                    }
                    end += r->length;
                }
                next = r;
                e = min64(end - a, remaining);
            }
            // The whole extent is one legal segment (maxAddress is 2^bits - 1,
            // so "last <= maxAddress" is a mask test too).
            const uint64_t last = a + e - 1u;
            if (KDRV_LIKELY(((a & alignmentMask) | (e & lengthMask) |
                             ((a ^ last) & boundaryHigh) | (last & addressHigh)) == 0 &&
                            e <= maxSegment))
            {
                store(f, cursor, a, e);
                cursor += elementSize;
                remaining -= e;
                e = 0;
                --left;
                continue;
            }
            uint64_t len = e;
            uint64_t bus = a;
            bool slow = a > maxAddress || (a & alignmentMask) != 0;
            if (!slow)
            {
                uint64_t lastOffset = min64(maxSegment - 1u, boundaryMask - (a & boundaryMask));
                lastOffset = min64(lastOffset, maxAddress - a);
                lastOffset = min64(lastOffset, e - 1u);
                len = lastOffset + 1u;
                slow = (len & lengthMask) != 0 || (len < e && ((a + len) & alignmentMask) != 0);
            }
            if (slow)
            {
                const Cut cut = cutSlow(a, e, windowLength_ - remaining);
                if (cut.status != Status::Success)
                {
                    return cut.status;
                }
                len = cut.length;
                bus = cut.bus;
            }
            store(f, cursor, bus, len);
            cursor += elementSize;
            a += len;
            e -= len;
            remaining -= len;
            --left;
        }
        walk->remaining = remaining;
        walk->extentAddress = a;
        walk->extentLength = e;
        walk->nextRun = static_cast<uint32_t>(next - ranges_);
        walk->nextRunOffset = 0;
        *produced = room - left;
        return Status::Success;
    }

    Status generateAs(uint64_t* offset, void* segments, uint32_t* numSegments, DmaFormat f)
    {
        if (prepareCount_ == 0)
        {
            return Status::NotReady;
        }
        if (offset == nullptr || segments == nullptr || numSegments == nullptr ||
            *numSegments == 0)
        {
            return Status::BadArgument;
        }
        const uint64_t start = *offset;
        if (start >= windowLength_)
        {
            return Status::Overrun;
        }
        // The walk is updated in place (no copy: a struct copy right after the
        // previous call's field stores stalls on store forwarding); a failed
        // call leaves it invalid, so the next call restarts.
        Walk& w = walk_;
        const bool resume = walkValid_ && start != 0 && start == windowLength_ - w.remaining;
        walkValid_ = false; // until this call succeeds
        if (!resume)
        {
            resetWalk(&w);
            while (windowLength_ - w.remaining < start)
            {
                DmaRange seg;
                DmaBounceReason reason;
                const Status s = step(&w, &seg, &reason, !useSource_);
                if (s != Status::Success)
                {
                    return s;
                }
                ++w.index;
            }
            if (windowLength_ - w.remaining != start)
            {
                return Status::BadArgument; // not the start of a segment
            }
        }
        uint32_t room = *numSegments;
        const uint64_t left = limits_.maxSegments - w.index;
        const bool capped = left < room;
        if (capped)
        {
            room = static_cast<uint32_t>(left);
            if (room == 0)
            {
                return Status::NoSpace;
            }
        }
        uint8_t* const out = static_cast<uint8_t*>(segments);
        uint32_t produced = 0;
        Status s;
        if (useSource_)
        {
            s = emitFromSource(&w, out, room, &produced, f);
        }
        else
        {
            switch (f)
            {
            case DmaFormat::Big32:
                s = emitArray(&w, out, room, &produced, DmaFormat::Big32);
                break;
            case DmaFormat::Little32:
                s = emitArray(&w, out, room, &produced, DmaFormat::Little32);
                break;
            case DmaFormat::Big64:
                s = emitArray(&w, out, room, &produced, DmaFormat::Big64);
                break;
            case DmaFormat::Little64:
                s = emitArray(&w, out, room, &produced, DmaFormat::Little64);
                break;
            case DmaFormat::Host32:
            case DmaFormat::Host64:
            default:
                s = Status::InternalError;
                break;
            }
        }
        if (s != Status::Success)
        {
            return s;
        }
        if (capped && produced == room && w.remaining != 0)
        {
            return Status::NoSpace;
        }
        w.index += produced;
        walkValid_ = true;
        *offset = windowLength_ - w.remaining;
        *numSegments = produced;
        return Status::Success;
    }

    DmaLimits limits_;
    DmaBounceFunction bounce_;
    void* bounceContext_;
    const DmaRange* ranges_;
    const DmaSourceOps* source_;
    void* sourceContext_;
    uint64_t inputLength_;
    uint64_t windowOffset_;
    uint64_t windowLength_;
    uint64_t firstRunOffset_;
    Walk walk_;
    uint32_t rangeCount_;
    uint32_t firstRun_;
    uint32_t lastRun_;
    uint32_t prepareCount_;
    bool initialized_;
    bool useSource_;
    bool walkValid_;
};
} // namespace kdrv

#endif // KDRV_DMA_SG_HPP
