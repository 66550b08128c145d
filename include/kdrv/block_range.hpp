// SPDX-License-Identifier: MIT
//
/// \file
/// Block-device request checks, after IOBlockStorageDevice's
/// doAsyncReadWrite(buffer, block, nblks, ...) and doUnmap(extents, count):
/// range checks that cannot wrap, checked block-to-byte conversion, the
/// zero-length policy, unmap extent validation and byte-I/O alignment.
///
/// The trap this block removes. The usual range check
///     if (block + nblks > blockCount) return kIOReturnBadArgument;
/// wraps when block + nblks passes 2^64: block = UINT64_MAX, nblks = 2 gives
/// 1, which passes, and the byte offset block * blockSize then wraps too.
/// Here no check ever computes block + nblks:
///     blockRangeOk(b, n, count)  is  n <= count && b <= count - n
/// and every conversion to bytes goes through checkedMul/checkedAdd, which
/// report overflow instead of wrapping.
///
///   checkedAdd(a, b, &out), checkedMul(a, b, &out)   true when exact
///   blockRangeOk(b, n, count)                         [b, b + n) inside [0, count)
///   maxValidBlock(count, &out)                        count - 1 (reportMaxValidBlock)
///   isBlockDirection(direction)                       exactly In (1) or Out (2)
///   BlockDevice::checkIo(direction, b, n, bufferBytes, &extent)
///   BlockDevice::checkByteIo(offset, length, &blocks)
///   BlockDevice::checkUnmap(extents, count, flags, &badIndex)
///
/// Zero-length policy (n == 0). A request for no blocks is either accepted as
/// a no-op (Success, extent of length 0, nothing to transfer) or rejected
/// with BadArgument; BlockDevice::zeroLength chooses, and Reject is the
/// default, because a zero-block request from the storage stack is a bug
/// upstream. Under Accept the start must still be within [0, count]: the
/// empty range at the very end (b == count) is in range, b > count is not.
/// blockRangeOk itself has no policy: an empty range is in range when its
/// start is at most count.
///
/// Directions are IODirection values: kIODirectionIn (1, read from the
/// device into memory) and kIODirectionOut (2, write). Anything else,
/// including kIODirectionNone (0) and kIODirectionOutIn (3), is BadArgument.
///
/// Status values: BadArgument for any request outside the device or not
/// representable in bytes, NotAligned for byte I/O that is not a whole number
/// of blocks, NotAttached for a device marked detached (a terminated device
/// refuses I/O), NoMedia for a device with no blocks. Nothing here asserts:
/// every argument may come from outside.
///
/// All functions are pure, allocation-free and callable in any context.
#ifndef KDRV_BLOCK_RANGE_HPP
#define KDRV_BLOCK_RANGE_HPP

#include "kdrv/base.hpp"   // for KDRV_NODISCARD, KDRV_INLINE
#include "kdrv/status.hpp" // for Status

namespace kdrv
{
/// a + b into *out; false (and *out untouched) if the sum does not fit.
KDRV_NODISCARD KDRV_INLINE bool checkedAdd(uint64_t a, uint64_t b, uint64_t* out)
{
    uint64_t r;
    if (__builtin_add_overflow(a, b, &r))
        return false;
    *out = r;
    return true;
}

/// a * b into *out; false (and *out untouched) if the product does not fit.
KDRV_NODISCARD KDRV_INLINE bool checkedMul(uint64_t a, uint64_t b, uint64_t* out)
{
    uint64_t r;
    if (__builtin_mul_overflow(a, b, &r))
        return false;
    *out = r;
    return true;
}

/// True when blocks [b, b + n) lie within a device of `count` blocks. Never
/// computes b + n. An empty range (n == 0) is in range when b <= count.
constexpr bool blockRangeOk(uint64_t b, uint64_t n, uint64_t count)
{
    return n <= count && b <= count - n;
}

/// reportMaxValidBlock: the index of the last block, count - 1 (not the
/// count). NoMedia for a device with no blocks (there is no last block).
KDRV_NODISCARD KDRV_INLINE Status maxValidBlock(uint64_t count, uint64_t* out)
{
    if (count == 0)
        return Status::NoMedia;
    *out = count - 1;
    return Status::Success;
}

/// IODirection values accepted for block I/O.
enum : uint32_t
{
    kBlockDirectionIn = 1,  ///< kIODirectionIn: device to memory (read)
    kBlockDirectionOut = 2, ///< kIODirectionOut: memory to device (write)
};

constexpr bool isBlockDirection(uint32_t direction)
{
    return direction == kBlockDirectionIn || direction == kBlockDirectionOut;
}

/// What a zero-block request does (see the file comment).
enum class ZeroLength : uint8_t
{
    Reject = 0,     ///< BadArgument
    AcceptNoOp = 1, ///< Success with an empty extent
};

/// Flags for BlockDevice::checkUnmap.
enum : uint32_t
{
    /// Extents must be in ascending order and disjoint: each starts at or
    /// after the end of the one before (one pass).
    kUnmapSorted = 1u << 0,
    /// Extents must be pairwise disjoint, in any order (quadratic in the
    /// count; bound it with BlockDevice::maxUnmapExtents).
    kUnmapDisjoint = 1u << 1,
    /// An extent of zero blocks is an error instead of a skipped no-op.
    kUnmapRejectEmpty = 1u << 2,
    kUnmapKnownFlags = kUnmapSorted | kUnmapDisjoint | kUnmapRejectEmpty,
};

/// One unmap (discard) extent, as IOBlockStorageDeviceExtent.
struct BlockExtent
{
    uint64_t blockStart;
    uint64_t blockCount;
};

/// A checked request in bytes (checkIo) or in blocks (checkByteIo).
struct ByteExtent
{
    uint64_t offset;
    uint64_t length;
};

/// A block device's geometry and policy: plain data, constant-initializable.
/// blockSize is in bytes and must be non-zero; it need not be a power of two.
struct BlockDevice
{
    uint64_t blockSize;
    uint64_t blockCount;
    ZeroLength zeroLength;
    /// false once the device is terminated: every check returns NotAttached.
    bool attached;
    /// checkUnmap rejects longer lists (0 means no limit).
    uint32_t maxUnmapExtents;

    /// reportMaxValidBlock for this device.
    KDRV_NODISCARD Status maxValidBlock(uint64_t* out) const
    {
        return kdrv::maxValidBlock(blockCount, out);
    }

    /// The capacity in bytes, checked. BadArgument if blockSize is 0 or the
    /// product does not fit in 64 bits.
    KDRV_NODISCARD Status capacityBytes(uint64_t* out) const
    {
        if (blockSize == 0 || !checkedMul(blockSize, blockCount, out))
            return Status::BadArgument;
        return Status::Success;
    }

    /// doAsyncReadWrite's checks: attached, direction In or Out, blocks
    /// [block, block + nblks) on the device (zero-length policy applied),
    /// byte offset and length representable, and the buffer holds at least
    /// the length. On Success *out is {block * blockSize, nblks * blockSize};
    /// on failure *out is untouched.
    KDRV_NODISCARD Status checkIo(uint32_t direction, uint64_t block, uint64_t nblks,
                                  uint64_t bufferBytes, ByteExtent* out) const
    {
        if (!attached)
            return Status::NotAttached;
        if (!isBlockDirection(direction) || blockSize == 0)
            return Status::BadArgument;
        if (nblks == 0 && zeroLength == ZeroLength::Reject)
            return Status::BadArgument;
        if (!blockRangeOk(block, nblks, blockCount))
            return Status::BadArgument;
        ByteExtent e;
        if (!checkedMul(block, blockSize, &e.offset) || !checkedMul(nblks, blockSize, &e.length))
            return Status::BadArgument;
        uint64_t end;
        if (!checkedAdd(e.offset, e.length, &end))
            return Status::BadArgument;
        if (bufferBytes < e.length)
            return Status::BadArgument;
        *out = e;
        return Status::Success;
    }

    /// Byte-addressed I/O (raw device reads and writes): offset and length
    /// must both be multiples of the block size (NotAligned), then the same
    /// range check and zero-length policy as checkIo. On Success *out is
    /// {first block, block count}.
    KDRV_NODISCARD Status checkByteIo(uint64_t offset, uint64_t length, ByteExtent* out) const
    {
        if (!attached)
            return Status::NotAttached;
        if (blockSize == 0)
            return Status::BadArgument;
        if (offset % blockSize != 0 || length % blockSize != 0)
            return Status::NotAligned;
        const uint64_t block = offset / blockSize;
        const uint64_t nblks = length / blockSize;
        if (nblks == 0 && zeroLength == ZeroLength::Reject)
            return Status::BadArgument;
        if (!blockRangeOk(block, nblks, blockCount))
            return Status::BadArgument;
        out->offset = block;
        out->length = nblks;
        return Status::Success;
    }

    /// doUnmap's checks over a caller's extent list: every extent on the
    /// device, empty extents skipped (or rejected with kUnmapRejectEmpty),
    /// and the ordering rules the flags ask for. Empty extents take no part
    /// in the ordering rules. On failure *badIndex (if not null) names the
    /// first offending extent (for the disjoint rule, the later of the
    /// first overlapping pair found); it is count for a list-level error
    /// (null list with count > 0, too many extents, unknown flags).
    KDRV_NODISCARD Status checkUnmap(const BlockExtent* extents, uint32_t count, uint32_t flags,
                                     uint32_t* badIndex) const
    {
        if (badIndex != nullptr)
            *badIndex = count;
        if (!attached)
            return Status::NotAttached;
        if ((flags & ~static_cast<uint32_t>(kUnmapKnownFlags)) != 0 ||
            (extents == nullptr && count != 0) || (maxUnmapExtents != 0 && count > maxUnmapExtents))
            return Status::BadArgument;
        uint64_t previousEnd = 0;
        for (uint32_t i = 0; i < count; ++i)
        {
            const BlockExtent& e = extents[i];
            Status s = Status::Success;
            if (e.blockCount == 0)
            {
                // An empty extent needs no range: it names no block.
                if ((flags & kUnmapRejectEmpty) != 0)
                    s = Status::BadArgument;
            }
            else if (!blockRangeOk(e.blockStart, e.blockCount, blockCount))
            {
                s = Status::BadArgument;
            }
            else if ((flags & kUnmapSorted) != 0)
            {
                if (e.blockStart < previousEnd)
                    s = Status::BadArgument;
                else
                    previousEnd = e.blockStart + e.blockCount; // in range: cannot wrap
            }
            if (s == Status::Success && e.blockCount != 0 && (flags & kUnmapDisjoint) != 0)
            {
                for (uint32_t j = 0; j < i; ++j)
                {
                    if (extentsOverlap(extents[j], e))
                    {
                        s = Status::BadArgument;
                        break;
                    }
                }
            }
            if (s != Status::Success)
            {
                if (badIndex != nullptr)
                    *badIndex = i;
                return s;
            }
        }
        return Status::Success;
    }

    /// True when two non-empty, in-range extents share a block. Written
    /// without sums: [a, a + n) and [b, b + m) overlap iff a < b + m and
    /// b < a + n, i.e. a - b < m when a >= b, and b - a < n otherwise.
    static constexpr bool extentsOverlap(const BlockExtent& x, const BlockExtent& y)
    {
        return x.blockCount != 0 && y.blockCount != 0 &&
               (x.blockStart >= y.blockStart ? x.blockStart - y.blockStart < y.blockCount
                                             : y.blockStart - x.blockStart < x.blockCount);
    }
};

/// A device description with the defaults: attached, zero-length requests
/// rejected, no unmap list limit.
constexpr BlockDevice makeBlockDevice(uint64_t blockSize, uint64_t blockCount)
{
    return BlockDevice{blockSize, blockCount, ZeroLength::Reject, true, 0};
}
} // namespace kdrv

#endif // KDRV_BLOCK_RANGE_HPP
