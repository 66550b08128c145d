// SPDX-License-Identifier: MIT
#include "kdrv/partition.hpp"

#include "gpt_image.hpp"

#include <doctest/doctest.h>

#include <string.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

using kdrv::BlockDevice;
using kdrv::GptHeader;
using kdrv::Guid;
using kdrv::Partition;
using kdrv::PartitionScan;
using kdrv::Status;

namespace
{
BlockDevice deviceOf(const gptimage::Spec& s)
{
    return kdrv::makeBlockDevice(s.blockSize, s.blocks);
}

Status parsePrimary(std::vector<uint8_t>& img, const gptimage::Spec& s, GptHeader* h,
                    uint32_t maxEntries = 0)
{
    return kdrv::gptParseHeader(gptimage::block(img, s, 1), s.blockSize, 1, deviceOf(s), maxEntries,
                                h);
}

Status parseEntries(std::vector<uint8_t>& img, const gptimage::Spec& s, const GptHeader& h,
                    Partition* out, uint32_t capacity, PartitionScan* scan)
{
    const size_t offset = size_t(h.entryLba) * s.blockSize;
    return kdrv::gptParseEntries(h, img.data() + offset, img.size() - offset, deviceOf(s), out,
                                 capacity, scan);
}

// A 512-byte MBR with the given four entries (boot, type, start, count).
struct MbrEntry
{
    uint8_t boot;
    uint8_t type;
    uint32_t start;
    uint32_t count;
};
std::vector<uint8_t> mbr(const MbrEntry (&e)[4])
{
    std::vector<uint8_t> s(512, 0);
    for (int i = 0; i < 4; ++i)
    {
        uint8_t* p = s.data() + 446 + 16 * i;
        p[0] = e[i].boot;
        p[4] = e[i].type;
        gptimage::put32(p + 8, e[i].start);
        gptimage::put32(p + 12, e[i].count);
    }
    s[510] = 0x55;
    s[511] = 0xAA;
    return s;
}

std::string guidText(const Guid& g)
{
    char text[kdrv::kGuidTextLength + 1];
    kdrv::guidFormat(g, text);
    return text;
}
} // namespace

// ---------------------------------------------------------------------------
// CRC-32

TEST_CASE("partition: crc32 check value and agreement with a bitwise CRC")
{
    CHECK(kdrv::crc32(0, "123456789", 9) == 0xCBF43926u);
    CHECK(kdrv::crc32(0, "", 0) == 0u);
    CHECK(kdrv::crc32(0, nullptr, 0) == 0u);
    uint8_t data[300];
    uint32_t x = 12345;
    for (uint8_t& b : data)
    {
        x = x * 1103515245u + 12345u;
        b = uint8_t(x >> 16);
    }
    for (size_t start = 0; start < 8; ++start)
    {
        for (size_t n = 0; n + start <= sizeof data; n += (n < 40 ? 1 : 37))
        {
            CAPTURE(start);
            CAPTURE(n);
            REQUIRE(kdrv::crc32(0, data + start, n) == gptimage::crc32Bitwise(data + start, n));
        }
    }
    // Continuation: crc(a || b) == crc(crc(a), b).
    const uint32_t whole = kdrv::crc32(0, data, 200);
    CHECK(kdrv::crc32(kdrv::crc32(0, data, 77), data + 77, 123) == whole);
}

// ---------------------------------------------------------------------------
// GUIDs

TEST_CASE("partition: the book's GUID is stored mixed-endian and round-trips")
{
    const uint8_t disk[16] = {0xbb, 0xd0, 0x7f, 0x8d, 0xa8, 0x39, 0xc0, 0x43,
                              0x94, 0x32, 0xf4, 0xe1, 0xa2, 0x69, 0xf0, 0x70};
    const Guid g = kdrv::guidFromDisk(disk);
    CHECK(g.data1 == 0x8D7FD0BBu);
    CHECK(g.data2 == 0x39A8u);
    CHECK(g.data3 == 0x43C0u);
    CHECK(g.data4[0] == 0x94);
    CHECK(g.data4[7] == 0x70);
    CHECK(guidText(g) == "8D7FD0BB-39A8-43C0-9432-F4E1A269F070");
    Guid parsed;
    REQUIRE(kdrv::guidParse("8d7fd0bb-39a8-43c0-9432-f4e1a269f070", 36, &parsed) ==
            Status::Success);
    CHECK(kdrv::guidEqual(parsed, g));
    uint8_t back[16];
    kdrv::guidToDisk(parsed, back);
    CHECK(memcmp(back, disk, 16) == 0);
    uint8_t independent[16];
    gptimage::guidBytes(gptimage::kBookGuid, independent);
    CHECK(memcmp(independent, disk, 16) == 0);
    CHECK_FALSE(kdrv::guidIsZero(g));
    Guid zero;
    memset(&zero, 0, sizeof zero);
    CHECK(kdrv::guidIsZero(zero));
    zero.data4[7] = 1;
    CHECK_FALSE(kdrv::guidIsZero(zero));
}

TEST_CASE("partition: malformed GUID text is rejected")
{
    Guid g;
    CHECK(kdrv::guidParse("8D7FD0BB-39A8-43C0-9432-F4E1A269F07", 35, &g) == Status::BadArgument);
    CHECK(kdrv::guidParse("8D7FD0BB+39A8-43C0-9432-F4E1A269F070", 36, &g) == Status::BadArgument);
    CHECK(kdrv::guidParse("8D7FD0BB-39A8-43C0-9432-F4E1A269F07G", 36, &g) == Status::BadArgument);
    CHECK(kdrv::guidParse("8D7FD0BB39A8-43C0-9432-F4E1A269F0700", 36, &g) == Status::BadArgument);
    CHECK(kdrv::guidParse(nullptr, 36, &g) == Status::BadArgument);
    CHECK(kdrv::guidParse("8D7FD0BB-39A8-43C0-9432-F4E1A269F070", 36, nullptr) ==
          Status::BadArgument);
}

// ---------------------------------------------------------------------------
// Bounded helpers for a custom table

TEST_CASE("partition: a signature that is not terminated is compared within the buffer")
{
    // Heap buffers sized exactly, so a read past the end is an ASan error.
    std::unique_ptr<uint8_t[]> buf(new uint8_t[8]);
    memcpy(buf.get(), "xxxxEFI ", 8);
    CHECK_FALSE(kdrv::signatureMatches(buf.get(), 8, 4, "EFI PART", 8));
    CHECK(kdrv::signatureMatches(buf.get(), 8, 4, "EFI ", 4));
    CHECK_FALSE(kdrv::signatureMatches(buf.get(), 8, 9, "", 0));
    CHECK(kdrv::signatureMatches(buf.get(), 8, 8, "", 0));
    CHECK_FALSE(kdrv::signatureMatches(nullptr, 8, 0, "x", 1));
    CHECK_FALSE(kdrv::signatureMatches(buf.get(), 8, SIZE_MAX, "x", 1));
}

TEST_CASE("partition: a declared entry count is bounded by the sector")
{
    // A 512-byte sector with a 16-byte header and 16-byte entries holds 31.
    uint32_t n = 99;
    CHECK(kdrv::tableEntryCount(512, 16, 16, 0, 0, &n) == Status::Success);
    CHECK(n == 0);
    CHECK(kdrv::tableEntryCount(512, 16, 16, 1, 0, &n) == Status::Success);
    CHECK(n == 1);
    CHECK(kdrv::tableEntryCount(512, 16, 16, 31, 0, &n) == Status::Success);
    CHECK(n == 31);
    n = 99;
    CHECK(kdrv::tableEntryCount(512, 16, 16, 32, 0, &n) == Status::BadMedia);
    CHECK(n == 99);
    CHECK(kdrv::tableEntryCount(512, 16, 16, 0xFFFFFFFFu, 0, &n) == Status::BadMedia);
    CHECK(kdrv::tableEntryCount(512, 16, 16, UINT64_MAX, 0, &n) == Status::BadMedia);
    CHECK(kdrv::tableEntryCount(512, 16, 16, 31, 8, &n) == Status::Unsupported);
    CHECK(kdrv::tableEntryCount(512, 16, 16, 8, 8, &n) == Status::Success);
    CHECK(kdrv::tableEntryCount(512, 513, 16, 0, 0, &n) == Status::BadArgument);
    CHECK(kdrv::tableEntryCount(512, 16, 0, 0, 0, &n) == Status::BadArgument);
}

TEST_CASE("partition: extents are checked against the capacity without overflow")
{
    const BlockDevice d = kdrv::makeBlockDevice(512, 1000);
    kdrv::ByteExtent e;
    CHECK(kdrv::partitionExtent(10, 990, d, &e) == Status::Success);
    CHECK(e.offset == 5120);
    CHECK(e.length == 990u * 512u);
    CHECK(kdrv::partitionExtent(10, 991, d, &e) == Status::BadMedia);
    CHECK(kdrv::partitionExtent(UINT64_MAX, 2, d, &e) == Status::BadMedia);
    CHECK(kdrv::partitionExtent(5, 0, d, &e) == Status::BadMedia);
    // start x blockSize overflow on a device whose block count is huge.
    const BlockDevice big = kdrv::makeBlockDevice(4096, UINT64_MAX);
    CHECK(kdrv::partitionExtent(UINT64_MAX / 4096 + 1, 1, big, &e) == Status::BadMedia);
    CHECK(kdrv::partitionExtent(1, UINT64_MAX / 4096 + 1, big, &e) == Status::BadMedia);
    CHECK(kdrv::partitionExtent(0, 1, kdrv::makeBlockDevice(0, 10), &e) == Status::BadArgument);
}

// ---------------------------------------------------------------------------
// MBR

TEST_CASE("partition: MBR primary entries")
{
    const MbrEntry e[4] = {{0x80, 0x07, 2048, 1000},
                           {0x00, 0x83, 4096, 2048},
                           {0x00, 0x00, 0, 0},
                           {0x00, 0x0F, 8192, 100}};
    std::vector<uint8_t> s = mbr(e);
    Partition out[4];
    PartitionScan scan;
    REQUIRE(kdrv::mbrParse(s.data(), s.size(), kdrv::makeBlockDevice(512, 10000), out, 4, &scan) ==
            Status::Success);
    CHECK(scan.entries == 4);
    CHECK(scan.unused == 1);
    CHECK(scan.invalid == 0);
    CHECK(scan.valid == 3);
    CHECK(scan.stored == 3);
    CHECK(scan.overlaps == 0);
    CHECK_FALSE(scan.protectiveMbr);
    CHECK(out[0].index == 0);
    CHECK(out[0].mbrType == 0x07);
    CHECK(out[0].flags == kdrv::kPartitionBootable);
    CHECK(out[0].startBlock == 2048);
    CHECK(out[0].byteOffset == 2048u * 512u);
    CHECK(out[0].byteLength == 1000u * 512u);
    CHECK(out[1].index == 1);
    CHECK(out[2].index == 3);
    CHECK(out[2].flags == kdrv::kPartitionExtended);
}

TEST_CASE("partition: MBR without its signature or in a short buffer")
{
    const MbrEntry e[4] = {{0, 0x07, 1, 1}, {}, {}, {}};
    std::vector<uint8_t> s = mbr(e);
    Partition out[4];
    PartitionScan scan;
    const BlockDevice d = kdrv::makeBlockDevice(512, 100);
    CHECK(kdrv::mbrParse(s.data(), 511, d, out, 4, &scan) == Status::BadArgument);
    s[511] = 0x55;
    CHECK(kdrv::mbrParse(s.data(), 512, d, out, 4, &scan) == Status::NotFound);
    CHECK(kdrv::mbrParse(nullptr, 512, d, out, 4, &scan) == Status::BadArgument);
    CHECK(kdrv::mbrParse(s.data(), 512, d, nullptr, 4, &scan) == Status::BadArgument);
}

TEST_CASE("partition: MBR invalid entries are skipped, an all-invalid table is empty")
{
    const MbrEntry e[4] = {{0x01, 0x07, 10, 10}, // bad boot flag
                           {0x00, 0x07, 0, 10},  // covers the MBR
                           {0x00, 0x07, 95, 6},  // past the capacity
                           {0x00, 0x07, 10, 0}}; // no sectors
    std::vector<uint8_t> s = mbr(e);
    Partition out[4];
    PartitionScan scan;
    CHECK(kdrv::mbrParse(s.data(), s.size(), kdrv::makeBlockDevice(512, 100), out, 4, &scan) ==
          Status::Success);
    CHECK(scan.invalid == 4);
    CHECK(scan.valid == 0);
    CHECK(scan.stored == 0);
}

TEST_CASE("partition: MBR start times block size overflow is invalid")
{
    const MbrEntry e[4] = {{0, 0x07, 0xFFFFFF00u, 16}, {0, 0x07, 1, 1}, {}, {}};
    std::vector<uint8_t> s = mbr(e);
    Partition out[4];
    PartitionScan scan;
    const BlockDevice d = kdrv::makeBlockDevice(uint64_t(1) << 40, uint64_t(1) << 33);
    CHECK(kdrv::mbrParse(s.data(), s.size(), d, out, 4, &scan) == Status::Success);
    CHECK(scan.invalid == 1);
    CHECK(scan.stored == 1);
    CHECK(out[0].index == 1);
}

TEST_CASE("partition: MBR overlapping entries and a full output array")
{
    const MbrEntry e[4] = {{0, 0x07, 10, 10}, {0, 0x07, 19, 5}, {0, 0x07, 30, 5}, {0, 0x07, 34, 1}};
    std::vector<uint8_t> s = mbr(e);
    Partition out[4];
    PartitionScan scan;
    const BlockDevice d = kdrv::makeBlockDevice(512, 100);
    REQUIRE(kdrv::mbrParse(s.data(), s.size(), d, out, 4, &scan) == Status::Success);
    CHECK(scan.overlaps == 2);
    CHECK((out[0].flags & kdrv::kPartitionOverlaps) != 0);
    CHECK((out[1].flags & kdrv::kPartitionOverlaps) != 0);
    CHECK((out[2].flags & kdrv::kPartitionOverlaps) != 0);
    CHECK((out[3].flags & kdrv::kPartitionOverlaps) != 0);
    CHECK(kdrv::mbrParse(s.data(), s.size(), d, out, 2, &scan) == Status::NoSpace);
    CHECK(scan.valid == 4);
    CHECK(scan.stored == 2);
    CHECK(scan.overlaps == 1); // among the stored ones
    CHECK(kdrv::mbrParse(s.data(), s.size(), d, nullptr, 0, &scan) == Status::NoSpace);
    CHECK(scan.valid == 4);
}

TEST_CASE("partition: a protective MBR marks a GPT disk")
{
    gptimage::Spec spec = gptimage::typical();
    std::vector<uint8_t> img = gptimage::build(spec);
    Partition out[4];
    PartitionScan scan;
    CHECK(kdrv::mbrParse(img.data(), 512, deviceOf(spec), out, 4, &scan) == Status::Success);
    CHECK(scan.protectiveMbr);
    REQUIRE(scan.stored == 1);
    CHECK(out[0].flags == kdrv::kPartitionProtective);
    CHECK(out[0].blockCount == spec.blocks - 1);
}

// ---------------------------------------------------------------------------
// GPT headers

TEST_CASE("partition: GPT primary and backup headers of a typical disk")
{
    gptimage::Spec spec = gptimage::typical();
    std::vector<uint8_t> img = gptimage::build(spec);
    const gptimage::Layout l = gptimage::layoutOf(spec);
    GptHeader p;
    REQUIRE(parsePrimary(img, spec, &p) == Status::Success);
    CHECK(p.revision == 0x00010000u);
    CHECK(p.headerSize == 92);
    CHECK(p.myLba == 1);
    CHECK(p.alternateLba == spec.blocks - 1);
    CHECK(p.firstUsableLba == l.firstUsable);
    CHECK(p.lastUsableLba == l.lastUsable);
    CHECK(guidText(p.diskGuid) == gptimage::kDiskGuid);
    CHECK(p.entryLba == 2);
    CHECK(p.entryCount == 128);
    CHECK(p.entrySize == 128);
    CHECK(kdrv::gptEntryArrayBytes(p) == 16384);
    uint64_t blocks = 0;
    CHECK(kdrv::gptEntryArrayBlocks(p, deviceOf(spec), &blocks) == Status::Success);
    CHECK(blocks == 32);
    GptHeader b;
    REQUIRE(kdrv::gptParseHeader(gptimage::block(img, spec, p.alternateLba), spec.blockSize,
                                 p.alternateLba, deviceOf(spec), 0, &b) == Status::Success);
    CHECK(b.entryLba == l.backupArrayLba);
    CHECK(kdrv::gptCheckBackup(p, b) == Status::Success);
}

TEST_CASE("partition: GPT header signature, size and CRC")
{
    gptimage::Spec spec = gptimage::typical();
    GptHeader h;
    {
        std::vector<uint8_t> img = gptimage::build(spec);
        img[512 + 7] = 'X';
        CHECK(parsePrimary(img, spec, &h) == Status::NotFound);
    }
    {
        std::vector<uint8_t> img = gptimage::build(spec);
        img[512 + 60] ^= 1; // disk GUID bit: CRC no longer matches
        CHECK(parsePrimary(img, spec, &h) == Status::BadMedia);
    }
    for (uint32_t size : {0u, 91u, 513u, 0xFFFFFFFFu})
    {
        CAPTURE(size);
        std::vector<uint8_t> img = gptimage::build(spec);
        gptimage::put32(gptimage::block(img, spec, 1) + 12, size);
        gptimage::fixHeaderCrc(img, spec, 1);
        CHECK(parsePrimary(img, spec, &h) == Status::BadMedia);
    }
    {
        // A larger header is fine; its extra bytes are covered by the CRC.
        std::vector<uint8_t> img = gptimage::build(spec);
        gptimage::put32(gptimage::block(img, spec, 1) + 12, 512);
        gptimage::fixHeaderCrc(img, spec, 1);
        CHECK(parsePrimary(img, spec, &h) == Status::Success);
        img[512 + 400] = 1;
        CHECK(parsePrimary(img, spec, &h) == Status::BadMedia);
    }
    {
        std::vector<uint8_t> img = gptimage::build(spec);
        gptimage::put32(gptimage::block(img, spec, 1) + 8, 0x00020000);
        gptimage::fixHeaderCrc(img, spec, 1);
        CHECK(parsePrimary(img, spec, &h) == Status::Unsupported);
    }
    {
        std::vector<uint8_t> img = gptimage::build(spec);
        const BlockDevice d = deviceOf(spec);
        CHECK(kdrv::gptParseHeader(img.data() + 512, 511, 1, d, 0, &h) == Status::BadArgument);
        CHECK(kdrv::gptParseHeader(nullptr, 512, 1, d, 0, &h) == Status::BadArgument);
        CHECK(kdrv::gptParseHeader(img.data() + 512, 512, 1, kdrv::makeBlockDevice(64, 100), 0,
                                   &h) == Status::BadArgument);
        // The header read from the wrong LBA.
        CHECK(kdrv::gptParseHeader(img.data() + 512, 512, 2, d, 0, &h) == Status::BadMedia);
    }
}

namespace
{
// Edits a 64-bit header field of the primary, refreshes the CRC, parses.
Status primaryWith(size_t offset, uint64_t value, uint32_t maxEntries = 0)
{
    gptimage::Spec spec = gptimage::typical();
    std::vector<uint8_t> img = gptimage::build(spec);
    gptimage::put64(gptimage::block(img, spec, 1) + offset, value);
    gptimage::fixHeaderCrc(img, spec, 1);
    GptHeader h;
    return parsePrimary(img, spec, &h, maxEntries);
}
Status primaryWith32(size_t offset, uint32_t value, uint32_t maxEntries = 0)
{
    gptimage::Spec spec = gptimage::typical();
    std::vector<uint8_t> img = gptimage::build(spec);
    gptimage::put32(gptimage::block(img, spec, 1) + offset, value);
    gptimage::fixHeaderCrc(img, spec, 1);
    GptHeader h;
    return parsePrimary(img, spec, &h, maxEntries);
}
} // namespace

TEST_CASE("partition: GPT header LBAs must fit the disk")
{
    CHECK(primaryWith(24, 2) == Status::BadMedia);    // myLba
    CHECK(primaryWith(32, 2048) == Status::BadMedia); // alternate past the end
    CHECK(primaryWith(32, 1) == Status::BadMedia);    // alternate is itself
    CHECK(primaryWith(32, 1500) == Status::BadMedia); // alternate inside the usable range
    CHECK(primaryWith(40, 2015) == Status::BadMedia); // first usable > last usable
    CHECK(primaryWith(48, 2048) == Status::BadMedia); // last usable past the end
    CHECK(primaryWith(48, UINT64_MAX) == Status::BadMedia);
    CHECK(primaryWith(40, 1) == Status::BadMedia);          // header inside the usable range
    CHECK(primaryWith(40, 30) == Status::BadMedia);         // usable range covers the array
    CHECK(primaryWith(72, 2040) == Status::BadMedia);       // array past the end
    CHECK(primaryWith(72, UINT64_MAX) == Status::BadMedia); // array LBA wraps
    CHECK(primaryWith(72, 1) == Status::BadMedia);          // array over the header
    CHECK(primaryWith(72, 500) == Status::BadMedia);        // array inside the usable range
    CHECK(primaryWith(40, 2014) == Status::Success);        // a one-block usable range
}

TEST_CASE("partition: GPT entry size and count")
{
    CHECK(primaryWith32(84, 0) == Status::BadMedia);
    CHECK(primaryWith32(84, 100) == Status::BadMedia);
    CHECK(primaryWith32(84, 192) == Status::BadMedia);         // a multiple of 128, not 128 x 2^n
    CHECK(primaryWith32(84, 0x80000000u) == Status::BadMedia); // array past the disk
    CHECK(primaryWith32(80, 64) == Status::Success);
    CHECK(primaryWith32(80, 0) == Status::Success);
    CHECK(primaryWith32(80, 129) == Status::BadMedia);         // array reaches the usable range
    CHECK(primaryWith32(80, 128, 127) == Status::Unsupported); // the configured maximum
    CHECK(primaryWith32(80, 0xFFFFFFFFu) == Status::Unsupported);
    CHECK(primaryWith32(80, 0xFFFFFFFFu, 0xFFFFFFFFu) == Status::BadMedia);
}

// ---------------------------------------------------------------------------
// GPT entries

TEST_CASE("partition: GPT entries of a typical disk")
{
    gptimage::Spec spec = gptimage::typical();
    std::vector<uint8_t> img = gptimage::build(spec);
    GptHeader h;
    REQUIRE(parsePrimary(img, spec, &h) == Status::Success);
    Partition out[8];
    PartitionScan scan;
    REQUIRE(parseEntries(img, spec, h, out, 8, &scan) == Status::Success);
    CHECK(scan.entries == 128);
    CHECK(scan.unused == 126);
    CHECK(scan.invalid == 0);
    CHECK(scan.valid == 2);
    CHECK(scan.stored == 2);
    CHECK(scan.overlaps == 0);
    CHECK(out[0].index == 0);
    CHECK(guidText(out[0].typeGuid) == gptimage::kBookGuid);
    CHECK(guidText(out[0].uniqueGuid) == "00000000-0000-0000-0000-000000000001");
    CHECK(out[0].startBlock == 34);
    CHECK(out[0].blockCount == 1000);
    CHECK(out[0].byteOffset == 34u * 512u);
    CHECK(out[0].byteLength == 1000u * 512u);
    CHECK(out[0].nameUnits == 6);
    CHECK(out[0].name[0] == 'S');
    CHECK(out[0].name[5] == 'e');
    CHECK(out[0].name[6] == 0);
    CHECK(out[0].flags == 0);
    CHECK(out[0].mbrType == 0);
    CHECK(out[1].attributes == 1);
    CHECK(out[1].blockCount == 2014u - 1034u + 1u);
}

TEST_CASE("partition: GPT entry array CRC and buffer length")
{
    gptimage::Spec spec = gptimage::typical();
    std::vector<uint8_t> img = gptimage::build(spec);
    GptHeader h;
    REQUIRE(parsePrimary(img, spec, &h) == Status::Success);
    Partition out[8];
    PartitionScan scan;
    const BlockDevice d = deviceOf(spec);
    // The exact array is enough; one byte less is refused before any read.
    std::vector<uint8_t> exact(img.begin() + 1024, img.begin() + 1024 + 16384);
    CHECK(kdrv::gptParseEntries(h, exact.data(), exact.size(), d, out, 8, &scan) ==
          Status::Success);
    std::unique_ptr<uint8_t[]> shortArray(new uint8_t[16383]);
    memcpy(shortArray.get(), exact.data(), 16383);
    CHECK(kdrv::gptParseEntries(h, shortArray.get(), 16383, d, out, 8, &scan) ==
          Status::BadArgument);
    CHECK(kdrv::gptParseEntries(h, nullptr, 0, d, out, 8, &scan) == Status::BadArgument);
    exact[100] ^= 0x40;
    CHECK(kdrv::gptParseEntries(h, exact.data(), exact.size(), d, out, 8, &scan) ==
          Status::BadMedia);
}

TEST_CASE("partition: GPT entry counts against the array buffer")
{
    // An array buffer of 4 entries; the header claims 0, 1, 4, 5, 0xFFFFFFFF.
    gptimage::Spec spec = gptimage::typical();
    std::vector<uint8_t> img = gptimage::build(spec);
    GptHeader h;
    REQUIRE(parsePrimary(img, spec, &h) == Status::Success);
    const BlockDevice d = deviceOf(spec);
    std::unique_ptr<uint8_t[]> arr(new uint8_t[4 * 128]);
    memcpy(arr.get(), img.data() + 1024, 4 * 128);
    Partition out[8];
    PartitionScan scan;
    for (uint32_t count : {0u, 1u, 4u})
    {
        CAPTURE(count);
        h.entryCount = count;
        h.entryArrayCrc = gptimage::crc32Bitwise(arr.get(), size_t(count) * 128);
        REQUIRE(kdrv::gptParseEntries(h, arr.get(), 4 * 128, d, out, 8, &scan) == Status::Success);
        CHECK(scan.entries == count);
        CHECK(scan.valid == (count >= 2 ? 2u : count));
    }
    for (uint32_t count : {5u, 0xFFFFFFFFu})
    {
        CAPTURE(count);
        h.entryCount = count;
        CHECK(kdrv::gptParseEntries(h, arr.get(), 4 * 128, d, out, 8, &scan) ==
              Status::BadArgument);
    }
}

TEST_CASE("partition: GPT invalid entries are skipped, an all-invalid table is empty")
{
    gptimage::Spec spec;
    spec.entries.push_back({gptimage::kBookGuid, "", 100, 99, 0, "backwards"});
    spec.entries.push_back({gptimage::kBookGuid, "", 33, 40, 0, "before first usable"});
    spec.entries.push_back({gptimage::kBookGuid, "", 2000, 2015, 0, "after last usable"});
    spec.entries.push_back({gptimage::kBookGuid, "", 2000, UINT64_MAX, 0, "end at max"});
    spec.entries.push_back({gptimage::kBookGuid, "", UINT64_MAX, UINT64_MAX, 0, "past the disk"});
    std::vector<uint8_t> img = gptimage::build(spec);
    GptHeader h;
    REQUIRE(parsePrimary(img, spec, &h) == Status::Success);
    Partition out[8];
    PartitionScan scan;
    CHECK(parseEntries(img, spec, h, out, 8, &scan) == Status::Success);
    CHECK(scan.invalid == 5);
    CHECK(scan.valid == 0);
    CHECK(scan.stored == 0);
    CHECK(scan.unused == 123);
}

TEST_CASE("partition: GPT start times block size overflow is invalid")
{
    // A header that describes a huge disk of 2^40-byte blocks, built by
    // hand; the entry's byte offset does not fit in 64 bits.
    const BlockDevice d = kdrv::makeBlockDevice(uint64_t(1) << 40, uint64_t(1) << 40);
    GptHeader h;
    memset(&h, 0, sizeof h);
    h.firstUsableLba = 34;
    h.lastUsableLba = (uint64_t(1) << 40) - 40;
    h.entryCount = 2;
    h.entrySize = 128;
    uint8_t arr[256];
    gptimage::Entry big = {gptimage::kBookGuid, "", uint64_t(1) << 30, uint64_t(1) << 30, 0, "x"};
    gptimage::Entry small = {gptimage::kBookGuid, "", 34, 34 + (1u << 20), 0, "y"};
    gptimage::writeEntry(arr, big);
    gptimage::writeEntry(arr + 128, small);
    h.entryArrayCrc = gptimage::crc32Bitwise(arr, sizeof arr);
    Partition out[2];
    PartitionScan scan;
    CHECK(kdrv::gptParseEntries(h, arr, sizeof arr, d, out, 2, &scan) == Status::Success);
    CHECK(scan.invalid == 1);
    REQUIRE(scan.stored == 1);
    CHECK(out[0].index == 1);
    CHECK(out[0].byteOffset == 34ull << 40);
    CHECK(out[0].byteLength == ((1ull << 20) + 1) << 40);
}

TEST_CASE("partition: GPT overlapping entries are reported")
{
    gptimage::Spec spec;
    spec.entries.push_back({gptimage::kBookGuid, "", 100, 199, 0, "a"});
    spec.entries.push_back({}); // unused slot in between
    spec.entries.push_back({gptimage::kBookGuid, "", 199, 250, 0, "b"});
    spec.entries.push_back({gptimage::kBookGuid, "", 251, 300, 0, "c"});
    spec.entries.push_back({gptimage::kBookGuid, "", 50, 400, 0, "d"});
    std::vector<uint8_t> img = gptimage::build(spec);
    GptHeader h;
    REQUIRE(parsePrimary(img, spec, &h) == Status::Success);
    Partition out[8];
    PartitionScan scan;
    REQUIRE(parseEntries(img, spec, h, out, 8, &scan) == Status::Success);
    REQUIRE(scan.stored == 4);
    CHECK(scan.overlaps == 4); // a-b, a-d, b-d, c-d
    for (uint32_t i = 0; i < 4; ++i)
        CHECK((out[i].flags & kdrv::kPartitionOverlaps) != 0);
    CHECK(out[1].index == 2);
    CHECK(parseEntries(img, spec, h, out, 3, &scan) == Status::NoSpace);
    CHECK(scan.valid == 4);
    CHECK(scan.stored == 3);
    CHECK(scan.overlaps == 1); // a-b among the stored three
    CHECK((out[2].flags & kdrv::kPartitionOverlaps) == 0);
}

TEST_CASE("partition: GPT primary and backup must agree")
{
    gptimage::Spec spec = gptimage::typical();
    std::vector<uint8_t> img = gptimage::build(spec);
    GptHeader p;
    GptHeader b;
    REQUIRE(parsePrimary(img, spec, &p) == Status::Success);
    REQUIRE(kdrv::gptParseHeader(gptimage::block(img, spec, p.alternateLba), spec.blockSize,
                                 p.alternateLba, deviceOf(spec), 0, &b) == Status::Success);
    REQUIRE(kdrv::gptCheckBackup(p, b) == Status::Success);
    CHECK(kdrv::gptCheckBackup(p, p) == Status::BadMedia); // not each other's alternate
    GptHeader x = b;
    x.entryCount = 64;
    CHECK(kdrv::gptCheckBackup(p, x) == Status::BadMedia);
    x = b;
    x.entryArrayCrc ^= 1;
    CHECK(kdrv::gptCheckBackup(p, x) == Status::BadMedia);
    x = b;
    x.diskGuid.data4[3] ^= 1;
    CHECK(kdrv::gptCheckBackup(p, x) == Status::BadMedia);
    x = b;
    x.lastUsableLba -= 1;
    CHECK(kdrv::gptCheckBackup(p, x) == Status::BadMedia);
    x = b;
    x.entrySize = 256;
    CHECK(kdrv::gptCheckBackup(p, x) == Status::BadMedia);
    x = b;
    x.entryLba = 7; // the array's own LBA may differ
    CHECK(kdrv::gptCheckBackup(p, x) == Status::Success);
}

TEST_CASE("partition: GPT with 4096-byte blocks")
{
    gptimage::Spec spec = gptimage::typical();
    spec.blockSize = 4096;
    spec.blocks = 512;
    spec.entries.clear();
    spec.entries.push_back({gptimage::kBasicDataGuid, "", 6, 505, 0, "Data"});
    std::vector<uint8_t> img = gptimage::build(spec);
    GptHeader h;
    REQUIRE(parsePrimary(img, spec, &h) == Status::Success);
    CHECK(h.firstUsableLba == 6);
    Partition out[2];
    PartitionScan scan;
    REQUIRE(parseEntries(img, spec, h, out, 2, &scan) == Status::Success);
    REQUIRE(scan.stored == 1);
    CHECK(out[0].byteOffset == 6u * 4096u);
    CHECK(out[0].byteLength == 500u * 4096u);
}
