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
/// The builder's parts: kdrv/dma_format.hpp (the output formats and their
/// one encoder), kdrv/dma_spec.hpp (the specification and its validated
/// limits), kdrv/detail/dma_walk.hpp (the run scan, the whole-segment test
/// and the cutting rule below, shared by both inputs) and this header
/// (DmaCommand: the inputs, the prepared window, the walk and emission).
/// Including this header includes them all.
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

#include "kdrv/base.hpp"            // for addOverflow64, min64, KDRV_INLINE
#include "kdrv/detail/dma_walk.hpp" // for the run scan and the cutting rule
#include "kdrv/dma_format.hpp"      // for DmaFormat, DmaRange, dmaStoreSegment
#include "kdrv/dma_spec.hpp"        // for DmaSpecification, DmaLimits, DmaBounceFunction
#include "kdrv/status.hpp"          // for Status

namespace kdrv
{
/// A descriptor that reports its physical layout one segment at a time, like
/// IOMemoryDescriptor::getPhysicalSegment(): for the byte at `offset` (from
/// the start of the descriptor, below its length) it returns Success, the
/// physical address and the number of physically contiguous bytes from there
/// (> 0; it may reach past the end, the excess is ignored). Any other Status
/// is passed on by the caller. A zero length, or an address + length that
/// does not fit in 64 bits, makes the caller fail with BadArgument.
struct DmaSourceOps
{
    Status (*physicalSegment)(void* context, uint64_t offset, uint64_t* address, uint64_t* length);
};

class DmaCommand
{
  public:
    constexpr DmaCommand()
        : limits_(), bounce_(nullptr), bounceContext_(nullptr), ranges_(nullptr), source_(nullptr),
          sourceContext_(nullptr), inputLength_(0), windowOffset_(0), windowLength_(0),
          firstRunOffset_(0), addressBits_(0), lengthBits_(0), walk_(), rangeCount_(0),
          firstRun_(0), lastRun_(0), prepareCount_(0), initialized_(false), useSource_(false),
          walkValid_(false)
    {
    }
    KDRV_NONCOPYABLE(DmaCommand);

    /// Validates and installs the device's constraints (dmaComputeLimits).
    /// Busy while prepared; BadArgument for an invalid field. On failure the
    /// previous specification stays. The input is kept.
    KDRV_NODISCARD Status init(const DmaSpecification& spec)
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
    KDRV_NODISCARD Status setRanges(const DmaRange* ranges, uint32_t count)
    {
        if (prepareCount_ != 0)
        {
            return Status::Busy;
        }
        if (ranges == nullptr && count != 0)
        {
            return Status::BadArgument;
        }
        uint64_t total;
        uint64_t addressBits;
        uint64_t lengthBits;
        if (!rangesTotal(ranges, count, &total, &addressBits, &lengthBits))
        {
            return Status::BadArgument;
        }
        addressBits_ = addressBits;
        lengthBits_ = lengthBits;
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
    KDRV_NODISCARD Status setSource(const DmaSourceOps* ops, void* context, uint64_t length)
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
    KDRV_NODISCARD Status prepare(uint64_t offset = 0, uint64_t length = 0)
    {
        if (!initialized_)
        {
            return Status::NotReady;
        }
        uint64_t windowLength = 0;
        if (!windowFits(offset, length, &windowLength))
        {
            return Status::BadArgument;
        }
        if (prepareCount_ != 0)
        {
            return nest(offset, windowLength);
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
    KDRV_NODISCARD Status complete()
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

    KDRV_NODISCARD bool isPrepared() const { return prepareCount_ != 0; }
    KDRV_NODISCARD uint32_t prepareCount() const { return prepareCount_; }
    KDRV_NODISCARD uint64_t preparedOffset() const { return windowOffset_; }
    KDRV_NODISCARD uint64_t preparedLength() const { return windowLength_; }
    KDRV_NODISCARD uint64_t inputLength() const { return inputLength_; }
    KDRV_NODISCARD const DmaLimits& limits() const { return limits_; }

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
    KDRV_NODISCARD Status generate(uint64_t* offset, void* segments, uint32_t* numSegments)
    {
        return generateAs(offset, segments, numSegments, limits_.fixedFormat);
    }

    /// As generate(), but always as host-order DmaRange pairs, whatever the
    /// format (for software consumers); the limits are those of the format.
    KDRV_NODISCARD Status generateRanges(uint64_t* offset, DmaRange* segments,
                                         uint32_t* numSegments)
    {
        return generateAs(offset, segments, numSegments,
                          hostIsLittleEndian() ? DmaFormat::Little64 : DmaFormat::Big64);
    }

    /// The number of segments the prepared window needs, by a walk that emits
    /// nothing and calls no bounce function. NotReady if not prepared,
    /// BadArgument for a null pointer; otherwise the walk's error, if any.
    KDRV_NODISCARD Status countSegments(uint64_t* count) const
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

    // setRanges(): the total length of `count` runs, false if a run or the
    // total does not fit in 64 bits. The usual case takes one pass of ORs and
    // one sum, which vectorizes without reordering the fields: when every
    // length is below 2^32 and every address below 2^64 - 2^32 (tested on
    // the ORs, which bound each value), no run can wrap and the sum of at
    // most 2^32 - 1 lengths cannot either. Otherwise an exact second pass
    // decides: a run wraps when length > ~address; the total is summed in
    // 32-bit halves, which cannot overflow for 2^32 runs. The ORs are kept
    // (uniformRuns()).
    static bool rangesTotal(const DmaRange* ranges, uint32_t count, uint64_t* total,
                            uint64_t* addressOr, uint64_t* lengthOr)
    {
        uint64_t addressBits = 0;
        uint64_t lengthBits = 0;
        uint64_t sum = 0;
        for (uint32_t i = 0; i < count; ++i)
        {
            addressBits |= ranges[i].address;
            lengthBits |= ranges[i].length;
            sum += ranges[i].length;
        }
        *addressOr = addressBits;
        *lengthOr = lengthBits;
        if ((lengthBits >> 32) == 0 && (addressBits >> 32) != 0xFFFFFFFFu)
        {
            *total = sum;
            return true;
        }
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
        return wrapped == 0 && highSum <= 0xFFFFFFFFu &&
               !addOverflow64(highSum << 32, lowSum, total);
    }

    // The window [offset, offset + length) of the input (length 0: to the
    // end): false if it reaches beyond the input or wraps.
    bool windowFits(uint64_t offset, uint64_t length, uint64_t* windowLength) const
    {
        uint64_t end;
        if (length == 0)
        {
            *windowLength = inputLength_ - offset;
            return offset <= inputLength_;
        }
        *windowLength = length;
        return !addOverflow64(offset, length, &end) && end <= inputLength_;
    }

    // prepare() while prepared: the same window nests, another is NotReady.
    KDRV_NODISCARD Status nest(uint64_t offset, uint64_t windowLength)
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

    // Array input: the contiguous extent at the walk's run position, clipped
    // to the window. False if the runs end first, which only a run array
    // changed while prepared can cause; the bound keeps every read inside the
    // array even then.
    KDRV_INLINE bool scanArray(Walk* w) const
    {
        uint64_t address = 0;
        uint64_t length = 0;
        const DmaRange* const next = detail::dmaScanRuns(
            ranges_ + w->nextRun, ranges_ + lastRun_ + 1u, w->nextRunOffset, &address, &length);
        if (next == nullptr)
        {
            return false;
        }
        w->nextRun = static_cast<uint32_t>(next - ranges_);
        w->nextRunOffset = 0;
        w->extentAddress = address;
        w->extentLength = min64(length, w->remaining);
        return true;
    }

    // Callback input: one answer of the source for the byte at `at`, clipped
    // to `room` bytes and checked (non-empty, no 64-bit wrap).
    KDRV_NODISCARD Status askSource(uint64_t at, uint64_t room, uint64_t* address,
                                    uint64_t* length) const
    {
        const Status s = source_->physicalSegment(sourceContext_, at, address, length);
        if (s != Status::Success)
        {
            return s;
        }
        uint64_t end;
        *length = min64(*length, room);
        if (*length == 0 || addOverflow64(*address, *length, &end))
        {
            return Status::BadArgument;
        }
        return Status::Success;
    }

    // Callback input: the contiguous extent at the walk's position, asking
    // the source at each step (the run scan's merge rule, one answer a run).
    KDRV_NODISCARD KDRV_NOINLINE Status scanSource(uint64_t remaining, uint64_t* extentAddress,
                                                   uint64_t* extentLength) const
    {
        const uint64_t start = windowOffset_ + (windowLength_ - remaining);
        uint64_t address = 0;
        uint64_t length = 0;
        Status s = askSource(start, remaining, &address, &length);
        while (s == Status::Success && length < remaining)
        {
            uint64_t nextAddress = 0;
            uint64_t nextLength = 0;
            s = askSource(start + length, remaining - length, &nextAddress, &nextLength);
            if (s != Status::Success || nextAddress != address + length)
            {
                break;
            }
            length += nextLength;
        }
        if (s != Status::Success)
        {
            return s;
        }
        *extentAddress = address;
        *extentLength = length;
        return Status::Success;
    }

    // Finds the next extent when the current one is used up.
    KDRV_NODISCARD KDRV_INLINE Status refill(Walk* w, bool arrayInput) const
    {
        if (arrayInput)
        {
            // False only when the run array changed while prepared.
            return KDRV_LIKELY(scanArray(w)) ? Status::Success : Status::InternalError;
        }
        uint64_t address = 0;
        uint64_t length = 0;
        const Status s = scanSource(w->remaining, &address, &length);
        if (s == Status::Success)
        {
            w->extentAddress = address;
            w->extentLength = length;
        }
        return s;
    }

    // One segment of the generic walk (source addresses; bounced pieces
    // flagged, not replaced).
    KDRV_NODISCARD KDRV_INLINE Status step(Walk* w, DmaRange* seg, DmaBounceReason* reason,
                                           bool arrayInput) const
    {
        if (w->extentLength == 0)
        {
            const Status s = refill(w, arrayInput);
            if (s != Status::Success)
            {
                return s;
            }
        }
        const uint64_t a = w->extentAddress;
        const uint64_t e = w->extentLength;
        uint64_t len = e;
        *reason = DmaBounceReason::None;
        if (KDRV_UNLIKELY(!detail::dmaFitsWhole(limits_, a, e)))
        {
            const Status s = detail::dmaCutSegment(limits_, bounce_ != nullptr, a, e, &len, reason);
            if (s != Status::Success)
            {
                return s;
            }
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
    KDRV_NODISCARD Status walkCount(uint64_t limit, uint64_t* count) const
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
    KDRV_NODISCARD KDRV_NOINLINE Status bounceSegment(uint64_t address, uint64_t length,
                                                      DmaBounceReason reason, uint64_t offset,
                                                      uint64_t* busAddress) const
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

    // The emission loop for callback input: the generic walk, one step at a
    // time, with the format switched per segment (the source's indirect
    // calls cost more than that).
    KDRV_NODISCARD Status emitFromSource(Walk* walk, uint8_t* out, uint32_t room,
                                         uint32_t* produced, DmaFormat f) const
    {
        Walk w = *walk;
        uint32_t n = 0;
        for (; n < room && w.remaining != 0; ++n)
        {
            const uint64_t position = windowLength_ - w.remaining;
            DmaRange seg;
            DmaBounceReason reason;
            Status s = step(&w, &seg, &reason, false);
            if (KDRV_UNLIKELY(s == Status::Success && reason != DmaBounceReason::None))
            {
                s = bounceSegment(seg.address, seg.length, reason, position, &seg.address);
            }
            if (KDRV_UNLIKELY(s != Status::Success))
            {
                return s;
            }
            if (KDRV_UNLIKELY(!dmaSegmentFits(f, seg.address, seg.length)))
            {
                return Status::MessageTooLarge;
            }
            dmaStoreSegment(f, out + static_cast<size_t>(n) * dmaFormatElementSize(f), seg.address,
                            seg.length);
        }
        *walk = w;
        *produced = n;
        return Status::Success;
    }

    // The array loop's slow cut, out of line: the whole cutting rule and the
    // bounce call. Returned by value so that the hot loop's variables never
    // have their address taken. `position` is the segment's window offset.
    struct Cut
    {
        uint64_t length;
        uint64_t bus; // the address to emit
        Status status;
    };
    KDRV_NOINLINE Cut cutSlow(uint64_t a, uint64_t e, uint64_t position) const
    {
        Cut cut;
        cut.length = 0;
        cut.bus = a;
        DmaBounceReason reason = DmaBounceReason::None;
        cut.status = detail::dmaCutSegment(limits_, bounce_ != nullptr, a, e, &cut.length, &reason);
        if (cut.status == Status::Success && reason != DmaBounceReason::None)
        {
            cut.status = bounceSegment(a, cut.length, reason, position, &cut.bus);
        }
        return cut;
    }

    // The array loop's cut for the segment at `a` with `e` contiguous bytes
    // and `remaining` window bytes left: whole, or cut by steps 2-4 with
    // nothing to trim (dmaCutIsFinal) inline, any other case in cutSlow().
    KDRV_INLINE Cut cut(const DmaLimits& l, uint64_t a, uint64_t e, uint64_t remaining) const
    {
        Cut c;
        c.length = e;
        c.bus = a;
        c.status = Status::Success;
        if (KDRV_UNLIKELY(!detail::dmaFitsWhole(l, a, e)))
        {
            c.length = detail::dmaCutLimit(l, a, e, false);
            if (KDRV_UNLIKELY(!detail::dmaCutIsFinal(l, a, e, c.length)))
            {
                c = cutSlow(a, e, windowLength_ - remaining);
            }
        }
        return c;
    }

    // The array loop's common case: from run `*next` (an extent's first
    // run), each whole extent that ends before the window's last run
    // (`fastEnd`) and is one legal segment as it stands (dmaFitsWhole; with
    // `uniform` (uniformRuns()) only its length is left to test) is stored
    // at *cursor, until the array is full.
    // Stops, leaving *next at the extent's first run, at anything else: a
    // zero-length run next to an extent's end, an extent that reaches the
    // last run (it may continue there or be clipped by the window), one
    // longer than maxSegmentSize or one that needs a cut or a bounce; the
    // general loop takes that extent. Returns the bytes stored.
    static KDRV_INLINE uint64_t emitWholeExtents(const DmaLimits& l, DmaFormat f,
                                                 const DmaRange** next, const DmaRange* fastEnd,
                                                 uint8_t** cursor, uint8_t* cursorEnd, bool uniform)
    {
        const size_t elementSize = dmaFormatElementSize(f);
        const DmaRange* n = *next;
        uint8_t* c = *cursor;
        uint64_t stored = 0;
        while (n < fastEnd && c != cursorEnd)
        {
            const uint64_t start = n->address;
            uint64_t end = start + n->length;
            const DmaRange* r = n + 1;
            while (r != fastEnd && r->address == end && end - start <= l.maxSegmentSize)
            {
                end += r->length;
                ++r;
            }
            const uint64_t len = end - start;
            const uint64_t last = end - 1u;
            const bool bad =
                !uniform && ((start & l.alignmentMask) | (len & l.lengthMask) |
                             (last & ~l.maxAddress) | ((start ^ last) & ~l.boundaryMask)) != 0;
            // len - 1 wraps for an empty extent (zero-length runs only).
            if (KDRV_UNLIKELY(r == fastEnd || r->length == 0 || bad ||
                              len - 1u >= l.maxSegmentSize))
            {
                break;
            }
            dmaStoreSegment(f, c, start, len);
            c += elementSize;
            stored += len;
            n = r;
        }
        *next = n;
        *cursor = c;
        return stored;
    }

    // True when every extent that starts and ends at run edges passes the
    // whole-segment test but for its length, as the ORs of setRanges() show:
    // no address or length has a bit of the alignment masks set, and each
    // address and length is at most maxAddress / 2, so no extent reaches
    // past maxAddress, nor crosses a boundary at or above it.
    KDRV_INLINE bool uniformRuns(const DmaLimits& l) const
    {
        return ((addressBits_ & l.alignmentMask) | (lengthBits_ & l.lengthMask)) == 0 &&
               (addressBits_ | lengthBits_) <= (l.maxAddress >> 1) &&
               l.boundaryMask >= l.maxAddress;
    }

    // emitWholeExtents() with the per-extent tests only where they can fail.
    KDRV_INLINE uint64_t emitWhole(const DmaLimits& l, DmaFormat f, const DmaRange** next,
                                   const DmaRange* fastEnd, uint8_t** cursor,
                                   uint8_t* cursorEnd) const
    {
        if (uniformRuns(l))
        {
            return emitWholeExtents(l, f, next, fastEnd, cursor, cursorEnd, true);
        }
        return emitWholeExtents(l, f, next, fastEnd, cursor, cursorEnd, false);
    }

    // The emission loop for array input, the hot path. `f` is a constant at
    // each call site in emit(), so the format is chosen once per call. The
    // scan, the whole-segment test and the cutting rule are those of the
    // generic walk (kdrv/detail/dma_walk.hpp), inlined on a local copy of the
    // limits and of the walk: a store to `out` may alias any memory, and
    // members would be reloaded after each one. A cut that needs no bounce
    // and no trim stays inline (steps 2-4, then dmaCutIsFinal); any other
    // goes to cutSlow(), which applies the whole rule.
    //
    // Values that reach dmaStoreSegment() fit the format: a legal segment has
    // last byte <= maxAddress and length <= maxSegmentSize, both below 2^32
    // for 32-bit formats (dmaComputeLimits), and bounce addresses are checked
    // against the same limits.
    KDRV_NODISCARD KDRV_INLINE Status emitArray(Walk* walk, uint8_t* out, uint32_t room,
                                                uint32_t* produced, DmaFormat f) const
    {
        if (walk->extentLength == 0 && walk->nextRunOffset != 0 && !scanArray(walk))
        {
            return Status::InternalError; // the run array changed while prepared
        }
        const DmaLimits l = limits_;
        const size_t elementSize = dmaFormatElementSize(f);
        const DmaRange* const runsEnd = ranges_ + lastRun_ + 1u;
        const DmaRange* next = ranges_ + walk->nextRun;
        uint64_t remaining = walk->remaining;
        uint64_t a = walk->extentAddress;
        uint64_t e = walk->extentLength;
        uint8_t* cursor = out;
        uint8_t* const cursorEnd = out + static_cast<size_t>(room) * elementSize;
        const DmaRange* const fastEnd = runsEnd - 1u; // the window's last run
        while (cursor != cursorEnd && remaining != 0)
        {
            if (e == 0)
            {
                remaining -= emitWhole(l, f, &next, fastEnd, &cursor, cursorEnd); // common case
                if (cursor == cursorEnd || remaining == 0)
                {
                    break;
                }
                next = detail::dmaScanRuns(next, runsEnd, 0, &a, &e);
                if (KDRV_UNLIKELY(next == nullptr))
                {
                    return Status::InternalError; // the run array changed while prepared
                }
                e = min64(e, remaining);
            }
            const Cut c = cut(l, a, e, remaining);
            if (KDRV_UNLIKELY(c.status != Status::Success))
            {
                return c.status;
            }
            dmaStoreSegment(f, cursor, c.bus, c.length);
            cursor += elementSize;
            a += c.length;
            e -= c.length;
            remaining -= c.length;
        }
        walk->remaining = remaining;
        walk->extentAddress = a;
        walk->extentLength = e;
        walk->nextRun = static_cast<uint32_t>(next - ranges_);
        walk->nextRunOffset = 0;
        *produced = static_cast<uint32_t>(static_cast<size_t>(cursor - out) / elementSize);
        return Status::Success;
    }

    // Positions the walk at the segment that begins `start` bytes into the
    // window: where the last call stopped, or a restart from the window start
    // (skipping forward without output). BadArgument if no segment begins
    // there.
    KDRV_NODISCARD KDRV_INLINE Status seek(uint64_t start)
    {
        Walk& w = walk_;
        const bool resume = walkValid_ && start != 0 && start == windowLength_ - w.remaining;
        walkValid_ = false; // until this call succeeds
        if (resume)
        {
            return Status::Success;
        }
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
        return windowLength_ - w.remaining == start ? Status::Success : Status::BadArgument;
    }

    // Emits up to `room` segments in the fixed-order format `f`: the source
    // loop, or the array loop with the format a constant.
    KDRV_NODISCARD KDRV_INLINE Status emit(uint8_t* out, uint32_t room, uint32_t* produced,
                                           DmaFormat f)
    {
        if (useSource_)
        {
            return emitFromSource(&walk_, out, room, produced, f);
        }
        switch (f)
        {
        case DmaFormat::Big32:
            return emitArray(&walk_, out, room, produced, DmaFormat::Big32);
        case DmaFormat::Little32:
            return emitArray(&walk_, out, room, produced, DmaFormat::Little32);
        case DmaFormat::Big64:
            return emitArray(&walk_, out, room, produced, DmaFormat::Big64);
        case DmaFormat::Little64:
            return emitArray(&walk_, out, room, produced, DmaFormat::Little64);
        case DmaFormat::Host32:
        case DmaFormat::Host64:
            break;
        }
        return Status::InternalError; // generateAs() passes fixed-order formats only
    }

    KDRV_NODISCARD Status generateAs(uint64_t* offset, void* segments, uint32_t* numSegments,
                                     DmaFormat f)
    {
        if (prepareCount_ == 0)
        {
            return Status::NotReady;
        }
        if (offset == nullptr || segments == nullptr || numSegments == nullptr || *numSegments == 0)
        {
            return Status::BadArgument;
        }
        if (*offset >= windowLength_)
        {
            return Status::Overrun;
        }
        // The walk is updated in place (no copy: a struct copy right after the
        // previous call's field stores stalls on store forwarding); a failed
        // call leaves it invalid, so the next call restarts.
        Status s = seek(*offset);
        if (s != Status::Success)
        {
            return s;
        }
        uint32_t room = *numSegments;
        const uint64_t left = limits_.maxSegments - walk_.index;
        const bool capped = left < room;
        if (capped)
        {
            room = static_cast<uint32_t>(left);
            if (room == 0)
            {
                return Status::NoSpace;
            }
        }
        uint32_t produced = 0;
        s = emit(static_cast<uint8_t*>(segments), room, &produced, f);
        if (s != Status::Success)
        {
            return s;
        }
        if (capped && produced == room && walk_.remaining != 0)
        {
            return Status::NoSpace;
        }
        walk_.index += produced;
        walkValid_ = true;
        *offset = windowLength_ - walk_.remaining;
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
    uint64_t addressBits_; // the OR of the runs' addresses (setRanges)
    uint64_t lengthBits_;  // the OR of their lengths
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
