// SPDX-License-Identifier: MIT
//
/// \file
/// Partition tables read from caller-supplied sectors: the MBR, the GUID
/// Partition Table (UEFI), mixed-endian GUIDs, CRC-32, and bounded helpers
/// for a driver's own table format.
///
/// Every byte comes from a disk, so every byte is hostile. Fields are read
/// with the little-endian loads of endian.hpp at their offsets (never a
/// struct cast); signatures are compared over a fixed length (never strcmp);
/// every count, offset and size is checked against the buffer the caller
/// passed and against the disk's capacity before it is used; block-to-byte
/// conversions are checked multiplies (block_range.hpp). A table that fails a
/// check gets a Status, never an assert, and nothing is read outside the
/// caller's buffer.
///
///   crc32(seed, data, n)                         CRC-32 (IEEE 802.3, as zlib's)
///   guidFromDisk / guidToDisk / guidFormat / guidParse / guidEqual
///   mbrParse(sector, bytes, device, out, capacity, &scan)
///   gptParseHeader(sector, bytes, lba, device, maxEntries, &header)
///   gptEntryArrayBytes(header, &bytes), gptEntryArrayBlocks(header, device, &blocks)
///   gptParseEntries(header, array, bytes, device, out, capacity, &scan)
///   gptCheckBackup(primary, backup)
///   signatureMatches(buf, bytes, offset, sig, sigBytes)   for a custom format
///   tableEntryCount(bufBytes, headerBytes, entryBytes, declared, max, &count)
///   partitionExtent(startBlock, blockCount, device, &bytes)
///
/// Status values. NotFound: the sector holds no table of that kind (no
/// 0x55AA, no "EFI PART"). BadMedia: a table that contradicts its format or
/// the disk (CRC mismatch, header size, usable range outside the disk, entry
/// array overlapping the usable blocks, entry size not 128 x 2^n, primary and
/// backup disagreeing, a declared count larger than the buffer can hold).
/// Unsupported: a well-formed table larger than the caller's configured
/// maximum, or a GPT revision other than 1.x. BadArgument: the caller's own
/// arguments (null pointers, a buffer shorter than the block size or than the
/// entry array the header describes, a device with block size 0). NoSpace:
/// more valid partitions than the output array holds (the first `capacity`
/// are stored, the scan counts them all).
///
/// Entries. An entry that is unused (MBR type 0, GPT type GUID all zero) is
/// counted as unused. An entry that is used but wrong (MBR: boot flag other
/// than 0x00/0x80, no sectors, start 0, past the capacity; GPT: start after
/// end, outside the header's usable range; either: bytes not representable)
/// is counted as invalid and skipped; it never fails the table. A table with
/// no valid entry is a Success with an empty result. Valid entries that share
/// a block are all stored, each marked kPartitionOverlaps, and the scan
/// counts the overlapping pairs: whether overlap is fatal is the caller's
/// policy.
///
/// The MBR parser reads the four primary entries only: extended partitions
/// (types 0x05, 0x0F, 0x85) are reported with kPartitionExtended but their
/// chain of extended boot records is not followed. A protective MBR (a type
/// 0xEE entry) sets PartitionScan::protectiveMbr: the disk is a GPT disk.
///
/// Apple Partition Map: not implemented, by decision. macOS reads it through
/// IOApplePartitionScheme (IOStorageFamily), but it is the PowerPC-era
/// format: Intel and Apple-silicon Macs boot from GPT, and the book's storage
/// chapter uses a hypothetical format of its own and GPT. The helpers at the
/// end of this file (bounded signature compare, entry count bounded by the
/// buffer, checked extents) are what an APM reader would be built from: its
/// map entries are one block each, big-endian, signature "PM".
///
/// GUIDs are mixed-endian on disk: the first three fields little-endian, the
/// last eight bytes in order. 8D7FD0BB-39A8-43C0-9432-F4E1A269F070 (the
/// book's sample filter scheme) is stored as bb d0 7f 8d a8 39 c0 43 94 32
/// f4 e1 a2 69 f0 70.
///
/// All functions are pure, allocation-free, use at most a few hundred bytes
/// of stack and are callable in any context. Their loops are bounded by the
/// caller's buffer sizes and capacities.
#ifndef KDRV_PARTITION_HPP
#define KDRV_PARTITION_HPP

#include "kdrv/base.hpp"        // for copyBytes, compareBytes, isPowerOfTwo32
#include "kdrv/block_range.hpp" // for BlockDevice, BlockExtent, ByteExtent
#include "kdrv/endian.hpp"      // for loadLE16/32/64
#include "kdrv/status.hpp"      // for Status

namespace kdrv
{
// --- CRC-32 ------------------------------------------------------------------
//
// The reflected CRC-32 of IEEE 802.3 (polynomial 0xEDB88320), the one GPT,
// zlib and Ethernet use. Table j maps a byte to its contribution to the CRC
// register when j zero bytes follow it, so one step folds eight bytes with
// eight lookups (slicing by eight, tables 0..7). Long inputs run five
// independent lanes over interleaved 8-byte words ("braiding"): lane l takes
// words l, l + 5, l + 10 ..., each step advancing its 8 bytes and the 32
// bytes of the other lanes (tables 32..39), so the five dependency chains
// overlap in the CPU; the last five words fold the lanes back into one
// register by linearity. 16 tables of 256 entries (16 KiB of constant data),
// each computed by the compiler as its own constant, no runtime setup.

namespace detail
{
constexpr uint32_t crc32Bit(uint32_t c) { return (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u))); }
constexpr uint32_t crc32Byte(uint32_t c)
{
    return crc32Bit(crc32Bit(crc32Bit(crc32Bit(crc32Bit(crc32Bit(crc32Bit(crc32Bit(c))))))));
}
/// One more zero byte after the contribution t.
constexpr uint32_t crc32Zero1(uint32_t t) { return (t >> 8) ^ crc32Byte(t & 0xFFu); }
constexpr uint32_t crc32Zero2(uint32_t t) { return crc32Zero1(crc32Zero1(t)); }
constexpr uint32_t crc32Zero4(uint32_t t) { return crc32Zero2(crc32Zero2(t)); }
constexpr uint32_t crc32Zero8(uint32_t t) { return crc32Zero4(crc32Zero4(t)); }
constexpr uint32_t crc32Zero16(uint32_t t) { return crc32Zero8(crc32Zero8(t)); }
constexpr uint32_t crc32Zero32(uint32_t t) { return crc32Zero16(crc32Zero16(t)); }
/// t followed by j zero bytes (j < 64), one power of two at a time.
constexpr uint32_t crc32ZerosBelow4(uint32_t j, uint32_t t)
{
    return (j & 2u) ? ((j & 1u) ? crc32Zero1(crc32Zero2(t)) : crc32Zero2(t))
                    : ((j & 1u) ? crc32Zero1(t) : t);
}
constexpr uint32_t crc32ZerosBelow16(uint32_t j, uint32_t t)
{
    return crc32ZerosBelow4(j, (j & 8u) ? ((j & 4u) ? crc32Zero4(crc32Zero8(t)) : crc32Zero8(t))
                                        : ((j & 4u) ? crc32Zero4(t) : t));
}
constexpr uint32_t crc32Zeros(uint32_t j, uint32_t t)
{
    return crc32ZerosBelow16(j, (j & 32u)
                                    ? ((j & 16u) ? crc32Zero16(crc32Zero32(t)) : crc32Zero32(t))
                                    : ((j & 16u) ? crc32Zero16(t) : t));
}
/// Entry i of table j: byte i followed by j zero bytes.
constexpr uint32_t crc32Entry(uint32_t j, uint32_t i) { return crc32Zeros(j, crc32Byte(i)); }

struct Crc32Table
{
    uint32_t v[256];
};

#define KDRV_CRC4_(j, i)                                                                           \
    ::kdrv::detail::crc32Entry(j, i), ::kdrv::detail::crc32Entry(j, i + 1),                        \
        ::kdrv::detail::crc32Entry(j, i + 2), ::kdrv::detail::crc32Entry(j, i + 3)
#define KDRV_CRC16_(j, i)                                                                          \
    KDRV_CRC4_(j, i), KDRV_CRC4_(j, i + 4), KDRV_CRC4_(j, i + 8), KDRV_CRC4_(j, i + 12)
#define KDRV_CRC64_(j, i)                                                                          \
    KDRV_CRC16_(j, i), KDRV_CRC16_(j, i + 16), KDRV_CRC16_(j, i + 32), KDRV_CRC16_(j, i + 48)
// One function per table: each table is its own constant evaluation (the
// compilers bound the work of one), and one copy per program (an inline
// function's static): no guard variable, no static-init code.
#define KDRV_CRC_TABLE_(j)                                                                         \
    KDRV_INLINE const Crc32Table& crc32Table##j()                                                  \
    {                                                                                              \
        static constexpr Crc32Table table = {{KDRV_CRC64_(j##u, 0u), KDRV_CRC64_(j##u, 64u),       \
                                              KDRV_CRC64_(j##u, 128u), KDRV_CRC64_(j##u, 192u)}};  \
        return table;                                                                              \
    }
KDRV_CRC_TABLE_(0)
KDRV_CRC_TABLE_(1)
KDRV_CRC_TABLE_(2)
KDRV_CRC_TABLE_(3)
KDRV_CRC_TABLE_(4)
KDRV_CRC_TABLE_(5)
KDRV_CRC_TABLE_(6)
KDRV_CRC_TABLE_(7)
KDRV_CRC_TABLE_(32)
KDRV_CRC_TABLE_(33)
KDRV_CRC_TABLE_(34)
KDRV_CRC_TABLE_(35)
KDRV_CRC_TABLE_(36)
KDRV_CRC_TABLE_(37)
KDRV_CRC_TABLE_(38)
KDRV_CRC_TABLE_(39)
#undef KDRV_CRC_TABLE_
#undef KDRV_CRC4_
#undef KDRV_CRC16_
#undef KDRV_CRC64_

/// The eight tables of one step, byte k of the word (k = 0 first in
/// memory) through table base + 7 - k.
struct Crc32Step
{
    const uint32_t* t[8];
};

/// The contribution of the 8 bytes of w (little-endian, the register
/// already folded in) followed by `base` zero bytes.
KDRV_INLINE uint32_t crc32Word(const Crc32Step& s, uint64_t w)
{
    return s.t[0][w & 0xFFu] ^ s.t[1][(w >> 8) & 0xFFu] ^ s.t[2][(w >> 16) & 0xFFu] ^
           s.t[3][(w >> 24) & 0xFFu] ^ s.t[4][(w >> 32) & 0xFFu] ^ s.t[5][(w >> 40) & 0xFFu] ^
           s.t[6][(w >> 48) & 0xFFu] ^ s.t[7][w >> 56];
}

enum : size_t
{
    kCrc32Lanes = 5,
};
} // namespace detail

/// CRC-32 of n bytes, continuing from `seed` (0 to start; the result of a
/// previous call to continue). Same values as zlib's crc32(seed, data, n):
/// crc32(0, "123456789", 9) == 0xCBF43926. Reads the bytes in order, any
/// alignment; no state besides the constant tables.
inline uint32_t crc32(uint32_t seed, const void* data, size_t n)
{
    using namespace detail;
    const Crc32Step word = {{crc32Table7().v, crc32Table6().v, crc32Table5().v, crc32Table4().v,
                             crc32Table3().v, crc32Table2().v, crc32Table1().v, crc32Table0().v}};
    const uint8_t* p = static_cast<const uint8_t*>(data);
    uint32_t c = ~seed;
    const size_t block = 8 * kCrc32Lanes;
    if (n >= 2 * block)
    {
        const Crc32Step braid = {{crc32Table39().v, crc32Table38().v, crc32Table37().v,
                                  crc32Table36().v, crc32Table35().v, crc32Table34().v,
                                  crc32Table33().v, crc32Table32().v}};
        size_t blocks = n / block;
        n -= blocks * block;
        uint32_t c0 = c;
        uint32_t c1 = 0;
        uint32_t c2 = 0;
        uint32_t c3 = 0;
        uint32_t c4 = 0;
        // Each lane's register is the contribution pending at its next word.
        for (; blocks > 1; --blocks)
        {
            c0 = crc32Word(braid, loadLE64(p) ^ c0);
            c1 = crc32Word(braid, loadLE64(p + 8) ^ c1);
            c2 = crc32Word(braid, loadLE64(p + 16) ^ c2);
            c3 = crc32Word(braid, loadLE64(p + 24) ^ c3);
            c4 = crc32Word(braid, loadLE64(p + 32) ^ c4);
            p += block;
        }
        // The last block folds the lanes back, word by word.
        c = crc32Word(word, loadLE64(p) ^ c0);
        c = crc32Word(word, loadLE64(p + 8) ^ c1 ^ c);
        c = crc32Word(word, loadLE64(p + 16) ^ c2 ^ c);
        c = crc32Word(word, loadLE64(p + 24) ^ c3 ^ c);
        c = crc32Word(word, loadLE64(p + 32) ^ c4 ^ c);
        p += block;
    }
    while (n >= 8)
    {
        c = crc32Word(word, loadLE64(p) ^ c);
        p += 8;
        n -= 8;
    }
    const uint32_t* t0 = word.t[7];
    while (n != 0)
    {
        c = t0[(c ^ *p) & 0xFFu] ^ (c >> 8);
        ++p;
        --n;
    }
    return ~c;
}

// --- GUIDs -------------------------------------------------------------------

/// A GUID in host form: data1-data2-data3-data4[0..1]-data4[2..7].
struct Guid
{
    uint32_t data1;
    uint16_t data2;
    uint16_t data3;
    uint8_t data4[8];
};

/// The 16 on-disk bytes at p (mixed-endian) as a Guid.
KDRV_INLINE Guid guidFromDisk(const uint8_t* p)
{
    Guid g;
    g.data1 = loadLE32(p);
    g.data2 = loadLE16(p + 4);
    g.data3 = loadLE16(p + 6);
    copyBytes(g.data4, p + 8, 8);
    return g;
}

/// The 16 on-disk bytes of g, written to out.
KDRV_INLINE void guidToDisk(const Guid& g, uint8_t* out)
{
    storeLE32(out, g.data1);
    storeLE16(out + 4, g.data2);
    storeLE16(out + 6, g.data3);
    copyBytes(out + 8, g.data4, 8);
}

KDRV_INLINE bool guidEqual(const Guid& a, const Guid& b)
{
    return a.data1 == b.data1 && a.data2 == b.data2 && a.data3 == b.data3 &&
           compareBytes(a.data4, b.data4, 8) == 0;
}

KDRV_INLINE bool guidIsZero(const Guid& g)
{
    uint8_t any = 0;
    for (size_t i = 0; i < 8; ++i)
        any = static_cast<uint8_t>(any | g.data4[i]);
    return g.data1 == 0 && g.data2 == 0 && g.data3 == 0 && any == 0;
}

enum : size_t
{
    /// Characters of a formatted GUID, without the terminating NUL.
    kGuidTextLength = 36,
};

/// g as "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX" (upper case) plus a NUL:
/// out must hold kGuidTextLength + 1 characters.
inline void guidFormat(const Guid& g, char* out)
{
    static const char kHex[] = "0123456789ABCDEF";
    uint8_t b[16];
    // Big-endian order of every field is the text order.
    storeBE32(b, g.data1);
    storeBE16(b + 4, g.data2);
    storeBE16(b + 6, g.data3);
    copyBytes(b + 8, g.data4, 8);
    size_t o = 0;
    for (size_t i = 0; i < 16; ++i)
    {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = kHex[b[i] >> 4];
        out[o++] = kHex[b[i] & 0xF];
    }
    out[o] = '\0';
}

/// Parses exactly kGuidTextLength characters (hex digits in either case,
/// hyphens at 8, 13, 18 and 23); `length` is the number of characters
/// available at text. BadArgument for anything else.
KDRV_NODISCARD inline Status guidParse(const char* text, size_t length, Guid* out)
{
    if (text == nullptr || out == nullptr || length < kGuidTextLength)
        return Status::BadArgument;
    uint8_t b[16] = {0};
    size_t nibble = 0;
    for (size_t i = 0; i < kGuidTextLength; ++i)
    {
        const char c = text[i];
        if (i == 8 || i == 13 || i == 18 || i == 23)
        {
            if (c != '-')
                return Status::BadArgument;
            continue;
        }
        uint8_t d;
        if (c >= '0' && c <= '9')
            d = static_cast<uint8_t>(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = static_cast<uint8_t>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = static_cast<uint8_t>(c - 'A' + 10);
        else
            return Status::BadArgument;
        b[nibble / 2] = static_cast<uint8_t>(b[nibble / 2] | (nibble % 2 == 0 ? d << 4 : d));
        ++nibble;
    }
    out->data1 = loadBE32(b);
    out->data2 = loadBE16(b + 4);
    out->data3 = loadBE16(b + 6);
    copyBytes(out->data4, b + 8, 8);
    return Status::Success;
}

// --- Results -----------------------------------------------------------------

enum : uint32_t
{
    /// Shares at least one block with another valid entry.
    kPartitionOverlaps = 1u << 0,
    /// MBR boot indicator 0x80.
    kPartitionBootable = 1u << 1,
    /// MBR extended partition (0x05, 0x0F, 0x85); its chain is not followed.
    kPartitionExtended = 1u << 2,
    /// MBR protective entry (0xEE).
    kPartitionProtective = 1u << 3,
};

enum : uint32_t
{
    /// UTF-16 code units of a GPT partition name (72 bytes).
    kGptNameUnits = 36,
};

/// One valid partition, from either table.
struct Partition
{
    uint32_t index;      ///< entry index in the table, from 0
    uint32_t flags;      ///< kPartition*
    uint64_t startBlock; ///< first block
    uint64_t blockCount; ///< number of blocks (GPT: EndingLBA - StartingLBA + 1)
    uint64_t byteOffset; ///< startBlock x block size, checked
    uint64_t byteLength; ///< blockCount x block size, checked
    Guid typeGuid;       ///< GPT; zero for MBR
    Guid uniqueGuid;     ///< GPT; zero for MBR
    uint64_t attributes; ///< GPT attribute bits; 0 for MBR
    uint8_t mbrType;     ///< MBR system id; 0 for GPT
    uint8_t nameUnits;   ///< GPT: units of name before the first NUL; 0 for MBR
    /// GPT: all 36 UTF-16 code units of the name, host order. MBR: name[0]
    /// is 0 and the rest is unspecified.
    uint16_t name[kGptNameUnits];
};

/// What a scan saw. valid = stored + the ones that did not fit.
struct PartitionScan
{
    uint32_t entries;   ///< entries examined
    uint32_t unused;    ///< empty slots
    uint32_t invalid;   ///< used but wrong: skipped
    uint32_t valid;     ///< valid entries
    uint32_t stored;    ///< valid entries written to the output array
    uint32_t overlaps;  ///< pairs of stored entries that share a block
    bool protectiveMbr; ///< MBR: a 0xEE entry (a GPT disk)
};

namespace detail
{
KDRV_INLINE void partitionScanReset(PartitionScan* scan)
{
    scan->entries = 0;
    scan->unused = 0;
    scan->invalid = 0;
    scan->valid = 0;
    scan->stored = 0;
    scan->overlaps = 0;
    scan->protectiveMbr = false;
}

KDRV_INLINE void guidClear(Guid* g)
{
    g->data1 = 0;
    g->data2 = 0;
    g->data3 = 0;
    storeHost64(g->data4, 0);
}

/// Every field zero, name[0] a NUL. Field by field: a constant-size memset
/// becomes a call to __bzero on Darwin x86_64, which the kernel gate rejects.
KDRV_INLINE void partitionClear(Partition* p)
{
    p->index = 0;
    p->flags = 0;
    p->startBlock = 0;
    p->blockCount = 0;
    p->byteOffset = 0;
    p->byteLength = 0;
    guidClear(&p->typeGuid);
    guidClear(&p->uniqueGuid);
    p->attributes = 0;
    p->mbrType = 0;
    p->nameUnits = 0;
    p->name[0] = 0;
}

/// Counts a valid entry and, while out has room, stores its slot, extent
/// and byte range (every other field zero). Null when out is full: the
/// entry is counted but not stored.
inline Partition* partitionAccept(Partition* out, uint32_t capacity, PartitionScan* scan,
                                  uint32_t index, uint64_t start, uint64_t count,
                                  const ByteExtent& bytes)
{
    ++scan->valid;
    if (scan->stored >= capacity)
        return nullptr;
    Partition* p = &out[scan->stored++];
    partitionClear(p);
    p->index = index;
    p->startBlock = start;
    p->blockCount = count;
    p->byteOffset = bytes.offset;
    p->byteLength = bytes.length;
    return p;
}

/// Marks overlapping pairs among the stored entries; counts the pairs.
inline void partitionMarkOverlaps(Partition* out, PartitionScan* scan)
{
    for (uint32_t i = 0; i < scan->stored; ++i)
    {
        for (uint32_t j = i + 1; j < scan->stored; ++j)
        {
            const BlockExtent a = {out[i].startBlock, out[i].blockCount};
            const BlockExtent b = {out[j].startBlock, out[j].blockCount};
            if (BlockDevice::extentsOverlap(a, b))
            {
                out[i].flags |= kPartitionOverlaps;
                out[j].flags |= kPartitionOverlaps;
                ++scan->overlaps;
            }
        }
    }
}
} // namespace detail

// --- Helpers for any table format ----------------------------------------------

/// True when sigBytes bytes at buf + offset equal sig, and all of them lie
/// within the bufBytes of buf. A fixed-length compare: no terminator needed.
KDRV_INLINE bool signatureMatches(const uint8_t* buf, size_t bufBytes, size_t offset,
                                  const void* sig, size_t sigBytes)
{
    return buf != nullptr && offset <= bufBytes && sigBytes <= bufBytes - offset &&
           compareBytes(buf + offset, sig, sigBytes) == 0;
}

/// The number of entries of entryBytes each that a table may have when its
/// header (headerBytes) and entries must fit in bufBytes and the table
/// declares `declared` of them: BadMedia if they do not fit (never read
/// past the buffer), Unsupported if more than maxEntries (0: no maximum),
/// BadArgument if entryBytes is 0 or the header does not fit.
KDRV_NODISCARD KDRV_INLINE Status tableEntryCount(size_t bufBytes, size_t headerBytes,
                                                  size_t entryBytes, uint64_t declared,
                                                  uint32_t maxEntries, uint32_t* out)
{
    if (entryBytes == 0 || headerBytes > bufBytes || out == nullptr)
        return Status::BadArgument;
    const uint64_t room = static_cast<uint64_t>((bufBytes - headerBytes) / entryBytes);
    if (declared > room)
        return Status::BadMedia;
    if (maxEntries != 0 && declared > maxEntries)
        return Status::Unsupported;
    if (declared > 0xFFFFFFFFu)
        return Status::Unsupported;
    *out = static_cast<uint32_t>(declared);
    return Status::Success;
}

/// A partition of blockCount blocks at startBlock, on `device`, in bytes:
/// BadMedia if it is empty, reaches past the capacity or its bytes do not
/// fit in 64 bits; BadArgument for a device with block size 0.
KDRV_NODISCARD KDRV_INLINE Status partitionExtent(uint64_t startBlock, uint64_t blockCount,
                                                  const BlockDevice& device, ByteExtent* out)
{
    if (device.blockSize == 0)
        return Status::BadArgument;
    ByteExtent e;
    uint64_t end;
    if (blockCount == 0 || !blockRangeOk(startBlock, blockCount, device.blockCount) ||
        !checkedMul(startBlock, device.blockSize, &e.offset) ||
        !checkedMul(blockCount, device.blockSize, &e.length) ||
        !checkedAdd(e.offset, e.length, &end))
        return Status::BadMedia;
    *out = e;
    return Status::Success;
}

// --- MBR -----------------------------------------------------------------------

enum : uint32_t
{
    kMbrSize = 512,
    kMbrEntryOffset = 446,
    kMbrEntryBytes = 16,
    kMbrEntries = 4,
    kMbrSignatureOffset = 510,
};

/// The four primary entries of the MBR in `sector` (at least 512 bytes;
/// LBAs in units of device.blockSize). Valid entries go to out[0..capacity).
/// NotFound without the 0x55 0xAA signature. See the file comment for
/// which entries count as invalid.
KDRV_NODISCARD inline Status mbrParse(const uint8_t* sector, size_t sectorBytes,
                                      const BlockDevice& device, Partition* out, uint32_t capacity,
                                      PartitionScan* scan)
{
    if (sector == nullptr || scan == nullptr || (out == nullptr && capacity != 0) ||
        sectorBytes < kMbrSize || device.blockSize == 0)
        return Status::BadArgument;
    detail::partitionScanReset(scan);
    static const uint8_t kSig[2] = {0x55, 0xAA};
    if (!signatureMatches(sector, sectorBytes, kMbrSignatureOffset, kSig, 2))
        return Status::NotFound;
    for (uint32_t i = 0; i < kMbrEntries; ++i)
    {
        const uint8_t* e = sector + kMbrEntryOffset + i * kMbrEntryBytes;
        ++scan->entries;
        const uint8_t boot = e[0];
        const uint8_t type = e[4];
        if (type == 0)
        {
            ++scan->unused;
            continue;
        }
        if (type == 0xEE)
            scan->protectiveMbr = true;
        const uint64_t start = loadLE32(e + 8);
        const uint64_t count = loadLE32(e + 12);
        ByteExtent bytes;
        if ((boot != 0x00 && boot != 0x80) || start == 0 ||
            partitionExtent(start, count, device, &bytes) != Status::Success)
        {
            ++scan->invalid;
            continue;
        }
        Partition* p = detail::partitionAccept(out, capacity, scan, i, start, count, bytes);
        if (p == nullptr)
            continue;
        p->mbrType = type;
        if (boot == 0x80)
            p->flags |= kPartitionBootable;
        if (type == 0x05 || type == 0x0F || type == 0x85)
            p->flags |= kPartitionExtended;
        if (type == 0xEE)
            p->flags |= kPartitionProtective;
    }
    detail::partitionMarkOverlaps(out, scan);
    return scan->valid > scan->stored ? Status::NoSpace : Status::Success;
}

// --- GPT -----------------------------------------------------------------------

enum : uint32_t
{
    kGptHeaderMinSize = 92,
    kGptEntryMinSize = 128,
    /// A default maximum entry count for gptParseHeader's maxEntries: the
    /// usual array is 128 entries; 4096 leaves room and bounds the work.
    kGptDefaultMaxEntries = 4096,
};

/// The fields of a GPT header, in host order.
struct GptHeader
{
    uint32_t revision;
    uint32_t headerSize;
    uint32_t headerCrc;
    uint64_t myLba;
    uint64_t alternateLba;
    uint64_t firstUsableLba;
    uint64_t lastUsableLba;
    Guid diskGuid;
    uint64_t entryLba;
    uint32_t entryCount;
    uint32_t entrySize;
    uint32_t entryArrayCrc;
};

/// Bytes of the entry array the header describes (entryCount x entrySize).
KDRV_INLINE uint64_t gptEntryArrayBytes(const GptHeader& h)
{
    return static_cast<uint64_t>(h.entryCount) * h.entrySize; // 32 x 32 bits: no overflow
}

/// Blocks the entry array occupies on `device` (rounded up).
KDRV_NODISCARD KDRV_INLINE Status gptEntryArrayBlocks(const GptHeader& h, const BlockDevice& device,
                                                      uint64_t* blocks)
{
    if (device.blockSize == 0)
        return Status::BadArgument;
    const uint64_t bytes = gptEntryArrayBytes(h);
    *blocks = bytes / device.blockSize + (bytes % device.blockSize != 0 ? 1u : 0u);
    return Status::Success;
}

namespace detail
{
/// gptParseHeader's checks of a header's LBAs, entry size and count and of
/// its entry array's place, in the order (and with the codes) listed there.
KDRV_NODISCARD inline Status gptCheckLayout(const GptHeader& h, uint64_t lba,
                                            const BlockDevice& device, uint32_t maxEntries)
{
    const uint64_t count = device.blockCount;
    if (h.myLba != lba || lba >= count || h.alternateLba >= count || h.alternateLba == lba)
        return Status::BadMedia;
    if (h.firstUsableLba > h.lastUsableLba || h.lastUsableLba >= count)
        return Status::BadMedia;
    const BlockExtent usable = {h.firstUsableLba, h.lastUsableLba - h.firstUsableLba + 1};
    const BlockExtent mine = {lba, 1};
    const BlockExtent other = {h.alternateLba, 1};
    if (BlockDevice::extentsOverlap(usable, mine) || BlockDevice::extentsOverlap(usable, other))
        return Status::BadMedia;
    if (h.entrySize < kGptEntryMinSize || h.entrySize % kGptEntryMinSize != 0 ||
        !isPowerOfTwo32(h.entrySize / kGptEntryMinSize))
        return Status::BadMedia;
    const uint32_t limit =
        maxEntries != 0 ? maxEntries : static_cast<uint32_t>(kGptDefaultMaxEntries);
    if (h.entryCount > limit)
        return Status::Unsupported;
    uint64_t blocks = 0;
    if (gptEntryArrayBlocks(h, device, &blocks) != Status::Success)
        return Status::BadArgument;
    if (blocks != 0)
    {
        const BlockExtent array = {h.entryLba, blocks};
        if (!blockRangeOk(h.entryLba, blocks, count) ||
            BlockDevice::extentsOverlap(array, usable) || BlockDevice::extentsOverlap(array, mine))
            return Status::BadMedia;
    }
    return Status::Success;
}
} // namespace detail

/// The GPT header in `sector` (one block read from LBA `lba`: 1 for the
/// primary, the primary's alternateLba for the backup). sectorBytes must be
/// at least device.blockSize and the block size at least 92 bytes. Checks,
/// in order: signature "EFI PART" (else NotFound); header size in
/// [92, block size]; header CRC-32 (computed with its own field as zero);
/// revision 1.x (Unsupported otherwise); myLba == lba; alternateLba on the
/// disk and not lba; firstUsableLba <= lastUsableLba < block count, and
/// neither header inside the usable range; entry size 128 x 2^n; entry
/// count <= maxEntries (Unsupported; 0 means kGptDefaultMaxEntries); the
/// entry array on the disk, outside the usable range and not holding lba.
/// The entry array itself is checked by gptParseEntries.
KDRV_NODISCARD inline Status gptParseHeader(const uint8_t* sector, size_t sectorBytes, uint64_t lba,
                                            const BlockDevice& device, uint32_t maxEntries,
                                            GptHeader* out)
{
    if (sector == nullptr || out == nullptr || device.blockSize < kGptHeaderMinSize ||
        sectorBytes < device.blockSize)
        return Status::BadArgument;
    if (!signatureMatches(sector, sectorBytes, 0, "EFI PART", 8))
        return Status::NotFound;
    GptHeader h;
    h.revision = loadLE32(sector + 8);
    h.headerSize = loadLE32(sector + 12);
    h.headerCrc = loadLE32(sector + 16);
    if (h.headerSize < kGptHeaderMinSize || h.headerSize > device.blockSize)
        return Status::BadMedia;
    // The CRC of the header with its CRC field read as zero, without
    // writing to the caller's buffer: the bytes before, four zeros, the rest.
    static const uint8_t kZero4[4] = {0, 0, 0, 0};
    uint32_t crc = crc32(0, sector, 16);
    crc = crc32(crc, kZero4, 4);
    crc = crc32(crc, sector + 20, h.headerSize - 20u);
    if (crc != h.headerCrc)
        return Status::BadMedia;
    if ((h.revision >> 16) != 1)
        return Status::Unsupported;
    h.myLba = loadLE64(sector + 24);
    h.alternateLba = loadLE64(sector + 32);
    h.firstUsableLba = loadLE64(sector + 40);
    h.lastUsableLba = loadLE64(sector + 48);
    h.diskGuid = guidFromDisk(sector + 56);
    h.entryLba = loadLE64(sector + 72);
    h.entryCount = loadLE32(sector + 80);
    h.entrySize = loadLE32(sector + 84);
    h.entryArrayCrc = loadLE32(sector + 88);
    const Status layout = detail::gptCheckLayout(h, lba, device, maxEntries);
    if (layout != Status::Success)
        return layout;
    *out = h;
    return Status::Success;
}

/// The entries of a header that gptParseHeader accepted, from `array`
/// (arrayBytes available; at least gptEntryArrayBytes(header), else
/// BadArgument and nothing is read). The entry-array CRC-32 is checked first
/// (BadMedia). Valid entries, those with a non-zero type GUID and
/// firstUsableLba <= start <= end <= lastUsableLba, go to out[0..capacity).
KDRV_NODISCARD inline Status gptParseEntries(const GptHeader& header, const uint8_t* array,
                                             size_t arrayBytes, const BlockDevice& device,
                                             Partition* out, uint32_t capacity, PartitionScan* scan)
{
    if (scan == nullptr || (out == nullptr && capacity != 0) || device.blockSize == 0)
        return Status::BadArgument;
    detail::partitionScanReset(scan);
    const uint64_t bytes = gptEntryArrayBytes(header);
    if (header.entrySize < kGptEntryMinSize || bytes > arrayBytes ||
        (array == nullptr && bytes != 0))
        return Status::BadArgument;
    if (crc32(0, array, static_cast<size_t>(bytes)) != header.entryArrayCrc)
        return Status::BadMedia;
    for (uint32_t i = 0; i < header.entryCount; ++i)
    {
        const uint8_t* e = array + static_cast<size_t>(i) * header.entrySize;
        ++scan->entries;
        const Guid type = guidFromDisk(e);
        if (guidIsZero(type))
        {
            ++scan->unused;
            continue;
        }
        const uint64_t start = loadLE64(e + 32);
        const uint64_t end = loadLE64(e + 40);
        ByteExtent extent;
        if (start > end || start < header.firstUsableLba || end > header.lastUsableLba ||
            partitionExtent(start, end - start + 1, device, &extent) != Status::Success)
        {
            ++scan->invalid;
            continue;
        }
        Partition* p =
            detail::partitionAccept(out, capacity, scan, i, start, end - start + 1, extent);
        if (p == nullptr)
            continue;
        p->typeGuid = type;
        p->uniqueGuid = guidFromDisk(e + 16);
        p->attributes = loadLE64(e + 48);
        uint8_t units = kGptNameUnits;
        for (uint32_t u = 0; u < kGptNameUnits; ++u)
        {
            p->name[u] = loadLE16(e + 56 + 2 * u);
            if (p->name[u] == 0 && units == kGptNameUnits)
                units = static_cast<uint8_t>(u);
        }
        p->nameUnits = units;
    }
    detail::partitionMarkOverlaps(out, scan);
    return scan->valid > scan->stored ? Status::NoSpace : Status::Success;
}

/// Primary and backup headers describe the same table: each names the
/// other's LBA, and the usable range, disk GUID, entry count, entry size
/// and entry-array CRC agree (the array's own LBA differs). BadMedia if not.
KDRV_NODISCARD inline Status gptCheckBackup(const GptHeader& primary, const GptHeader& backup)
{
    if (backup.myLba != primary.alternateLba || backup.alternateLba != primary.myLba ||
        backup.firstUsableLba != primary.firstUsableLba ||
        backup.lastUsableLba != primary.lastUsableLba ||
        !guidEqual(backup.diskGuid, primary.diskGuid) || backup.entryCount != primary.entryCount ||
        backup.entrySize != primary.entrySize || backup.entryArrayCrc != primary.entryArrayCrc)
        return Status::BadMedia;
    return Status::Success;
}
} // namespace kdrv

#endif // KDRV_PARTITION_HPP
