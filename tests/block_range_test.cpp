// SPDX-License-Identifier: MIT
#include "kdrv/block_range.hpp"

#include <doctest/doctest.h>

#include <stdint.h>

#include <initializer_list>

using kdrv::BlockDevice;
using kdrv::BlockExtent;
using kdrv::ByteExtent;
using kdrv::Status;

namespace
{
const uint64_t kMax = UINT64_MAX;
// The book's RAM disk: 16 MiB of 512-byte blocks.
const uint64_t kBookBlocks = 16u * 1024u * 1024u / 512u;

KDRV_CONST_INIT const BlockDevice g_constDisk = kdrv::makeBlockDevice(512, kBookBlocks);

BlockDevice disk(uint64_t blockSize = 512, uint64_t count = kBookBlocks)
{
    return kdrv::makeBlockDevice(blockSize, count);
}

// The book's check, for contrast: it wraps.
bool bookCheckAccepts(uint64_t b, uint64_t n, uint64_t count) { return !((b + n) > count); }
} // namespace

TEST_CASE("block range: the edges of the device")
{
    const uint64_t count = 1000;
    CHECK(kdrv::blockRangeOk(count, 0, count)); // empty range at the end
    CHECK_FALSE(kdrv::blockRangeOk(count + 1, 0, count));
    CHECK(kdrv::blockRangeOk(0, count, count));     // the whole device
    CHECK(kdrv::blockRangeOk(count - 1, 1, count)); // the last block
    CHECK_FALSE(kdrv::blockRangeOk(count - 1, 2, count));
    CHECK_FALSE(kdrv::blockRangeOk(count, 1, count));
    CHECK_FALSE(kdrv::blockRangeOk(0, count + 1, count)); // n > count
    CHECK_FALSE(kdrv::blockRangeOk(1, count, count));
    CHECK(kdrv::blockRangeOk(0, 0, 0));
    CHECK_FALSE(kdrv::blockRangeOk(0, 1, 0));
}

TEST_CASE("block range: the wrapping request the book accepts is rejected")
{
    const uint64_t count = kBookBlocks;
    REQUIRE(bookCheckAccepts(kMax, 2, count)); // UINT64_MAX + 2 wraps to 1
    CHECK_FALSE(kdrv::blockRangeOk(kMax, 2, count));
    CHECK_FALSE(kdrv::blockRangeOk(kMax, 1, kMax)); // ends one past the last addressable block
    CHECK(kdrv::blockRangeOk(kMax - 1, 1, kMax));
    CHECK(kdrv::blockRangeOk(0, kMax, kMax));
    CHECK_FALSE(kdrv::blockRangeOk(2, kMax - 1, kMax));
    ByteExtent e = {7, 7};
    CHECK(disk().checkIo(kdrv::kBlockDirectionIn, kMax, 2, kMax, &e) == Status::BadArgument);
    CHECK(e.offset == 7); // untouched on failure
    CHECK(e.length == 7);
}

TEST_CASE("block range: checked add and multiply")
{
    uint64_t out = 42;
    CHECK(kdrv::checkedMul(kMax / 512, 512, &out));
    CHECK(out == (kMax / 512) * 512);
    out = 42;
    CHECK_FALSE(kdrv::checkedMul(kMax / 512 + 1, 512, &out));
    CHECK(out == 42);
    CHECK(kdrv::checkedMul(0, kMax, &out));
    CHECK(out == 0);
    CHECK(kdrv::checkedMul(1, kMax, &out));
    CHECK(out == kMax);
    CHECK_FALSE(kdrv::checkedMul(uint64_t(1) << 32, uint64_t(1) << 32, &out));
    CHECK(kdrv::checkedAdd(kMax - 1, 1, &out));
    CHECK(out == kMax);
    out = 5;
    CHECK_FALSE(kdrv::checkedAdd(kMax, 1, &out));
    CHECK(out == 5);
}

TEST_CASE("block range: a request whose bytes overflow is rejected")
{
    // A device so large that the last blocks have no 64-bit byte offset.
    const BlockDevice huge = disk(512, kMax);
    ByteExtent e = {0, 0};
    CHECK(huge.checkIo(kdrv::kBlockDirectionIn, kMax / 512 + 1, 1, 512, &e) == Status::BadArgument);
    CHECK(huge.checkIo(kdrv::kBlockDirectionIn, 0, kMax / 512 + 1, kMax, &e) ==
          Status::BadArgument);
    // Offset and length each fit but their sum does not.
    CHECK(huge.checkIo(kdrv::kBlockDirectionIn, kMax / 512, 1, 512, &e) == Status::BadArgument);
    CHECK(huge.checkIo(kdrv::kBlockDirectionIn, kMax / 512 - 1, 1, 512, &e) == Status::Success);
    CHECK(e.offset == (kMax / 512 - 1) * 512);
    CHECK(e.length == 512);
    uint64_t cap = 0;
    CHECK(huge.capacityBytes(&cap) == Status::BadArgument);
    CHECK(disk().capacityBytes(&cap) == Status::Success);
    CHECK(cap == 16u * 1024u * 1024u);
}

TEST_CASE("block range: maxValidBlock is the last block, not the count")
{
    uint64_t last = 0;
    CHECK(kdrv::maxValidBlock(kBookBlocks, &last) == Status::Success);
    CHECK(last == kBookBlocks - 1);
    CHECK(g_constDisk.maxValidBlock(&last) == Status::Success);
    CHECK(last == 32767);
    CHECK(kdrv::maxValidBlock(1, &last) == Status::Success);
    CHECK(last == 0);
    last = 9;
    CHECK(kdrv::maxValidBlock(0, &last) == Status::NoMedia);
    CHECK(last == 9);
}

TEST_CASE("block range: only In and Out are directions")
{
    ByteExtent e;
    const BlockDevice d = disk();
    CHECK(d.checkIo(kdrv::kBlockDirectionIn, 0, 1, 512, &e) == Status::Success);
    CHECK(d.checkIo(kdrv::kBlockDirectionOut, 0, 1, 512, &e) == Status::Success);
    for (uint32_t dir : {0u, 3u, 4u, 0x80000001u, 0xFFFFFFFFu})
    {
        CAPTURE(dir);
        CHECK(d.checkIo(dir, 0, 1, 512, &e) == Status::BadArgument);
    }
    CHECK(kdrv::isBlockDirection(1));
    CHECK(kdrv::isBlockDirection(2));
    CHECK_FALSE(kdrv::isBlockDirection(3));
}

TEST_CASE("block range: checkIo converts to bytes and checks the buffer")
{
    const BlockDevice d = disk();
    ByteExtent e = {0, 0};
    CHECK(d.checkIo(kdrv::kBlockDirectionOut, 10, 4, 2048, &e) == Status::Success);
    CHECK(e.offset == 5120);
    CHECK(e.length == 2048);
    CHECK(d.checkIo(kdrv::kBlockDirectionOut, 10, 4, 2047, &e) == Status::BadArgument);
    CHECK(d.checkIo(kdrv::kBlockDirectionIn, kBookBlocks - 1, 1, 512, &e) == Status::Success);
    CHECK(e.offset == (kBookBlocks - 1) * 512);
    CHECK(d.checkIo(kdrv::kBlockDirectionIn, kBookBlocks, 1, 512, &e) == Status::BadArgument);
    // A non-power-of-two block size works the same way.
    const BlockDevice odd = disk(520, 100);
    CHECK(odd.checkIo(kdrv::kBlockDirectionIn, 99, 1, 520, &e) == Status::Success);
    CHECK(e.offset == 99u * 520u);
    // Block size zero is a broken description, not a crash.
    CHECK(disk(0, 100).checkIo(kdrv::kBlockDirectionIn, 0, 1, 512, &e) == Status::BadArgument);
}

TEST_CASE("block range: the zero-length policy")
{
    BlockDevice d = disk(512, 100);
    ByteExtent e = {1, 1};
    REQUIRE(d.zeroLength == kdrv::ZeroLength::Reject); // the default
    CHECK(d.checkIo(kdrv::kBlockDirectionIn, 5, 0, 0, &e) == Status::BadArgument);
    CHECK(d.checkByteIo(512, 0, &e) == Status::BadArgument);
    d.zeroLength = kdrv::ZeroLength::AcceptNoOp;
    CHECK(d.checkIo(kdrv::kBlockDirectionIn, 5, 0, 0, &e) == Status::Success);
    CHECK(e.offset == 2560);
    CHECK(e.length == 0);
    CHECK(d.checkIo(kdrv::kBlockDirectionIn, 100, 0, 0, &e) == Status::Success); // at the end
    CHECK(d.checkIo(kdrv::kBlockDirectionIn, 101, 0, 0, &e) == Status::BadArgument);
    CHECK(d.checkIo(kdrv::kBlockDirectionIn, kMax, 0, 0, &e) == Status::BadArgument);
    CHECK(d.checkByteIo(512, 0, &e) == Status::Success);
    CHECK(e.offset == 1);
    CHECK(e.length == 0);
}

TEST_CASE("block range: a detached device refuses everything")
{
    BlockDevice d = disk();
    d.attached = false;
    ByteExtent e;
    uint32_t bad = 0;
    const BlockExtent x = {0, 1};
    CHECK(d.checkIo(kdrv::kBlockDirectionIn, 0, 1, 512, &e) == Status::NotAttached);
    CHECK(d.checkByteIo(0, 512, &e) == Status::NotAttached);
    CHECK(d.checkUnmap(&x, 1, 0, &bad) == Status::NotAttached);
}

TEST_CASE("block range: byte I/O must be block aligned")
{
    const BlockDevice d = disk(512, 100);
    ByteExtent e = {0, 0};
    CHECK(d.checkByteIo(1024, 2048, &e) == Status::Success);
    CHECK(e.offset == 2);
    CHECK(e.length == 4);
    CHECK(d.checkByteIo(1, 512, &e) == Status::NotAligned);
    CHECK(d.checkByteIo(512, 511, &e) == Status::NotAligned);
    CHECK(d.checkByteIo(511, 513, &e) == Status::NotAligned); // sum aligned, parts not
    CHECK(d.checkByteIo(kMax, 512, &e) == Status::NotAligned);
    CHECK(d.checkByteIo(99 * 512, 512, &e) == Status::Success);
    CHECK(d.checkByteIo(99 * 512, 1024, &e) == Status::BadArgument);
    CHECK(d.checkByteIo((kMax / 512) * 512, 512, &e) == Status::BadArgument);
    CHECK(disk(0, 100).checkByteIo(0, 512, &e) == Status::BadArgument);
    const BlockDevice odd = disk(520, 100);
    CHECK(odd.checkByteIo(1040, 520, &e) == Status::Success);
    CHECK(odd.checkByteIo(1024, 520, &e) == Status::NotAligned);
}

TEST_CASE("block range: unmap extents within the device")
{
    const BlockDevice d = disk(512, 100);
    uint32_t bad = 77;
    const BlockExtent ok[] = {{0, 10}, {90, 10}, {50, 1}};
    CHECK(d.checkUnmap(ok, 3, 0, &bad) == Status::Success);
    const BlockExtent past[] = {{0, 10}, {95, 6}};
    CHECK(d.checkUnmap(past, 2, 0, &bad) == Status::BadArgument);
    CHECK(bad == 1);
    const BlockExtent wrap[] = {{kMax, 2}};
    CHECK(d.checkUnmap(wrap, 1, 0, &bad) == Status::BadArgument);
    CHECK(bad == 0);
    CHECK(d.checkUnmap(nullptr, 0, 0, &bad) == Status::Success);
    CHECK(d.checkUnmap(nullptr, 1, 0, &bad) == Status::BadArgument);
    CHECK(bad == 1);
    CHECK(d.checkUnmap(ok, 3, 1u << 7, &bad) == Status::BadArgument); // unknown flag
    CHECK(bad == 3);
    CHECK(d.checkUnmap(ok, 3, 0, nullptr) == Status::Success);
}

TEST_CASE("block range: unmap empty extents are skipped or rejected")
{
    const BlockDevice d = disk(512, 100);
    uint32_t bad = 0;
    // An empty extent needs no valid start, even far past the end.
    const BlockExtent list[] = {{0, 4}, {kMax, 0}, {4, 4}};
    CHECK(d.checkUnmap(list, 3, kdrv::kUnmapSorted | kdrv::kUnmapDisjoint, &bad) ==
          Status::Success);
    CHECK(d.checkUnmap(list, 3, kdrv::kUnmapRejectEmpty, &bad) == Status::BadArgument);
    CHECK(bad == 1);
}

TEST_CASE("block range: unmap ordering rules")
{
    const BlockDevice d = disk(512, 100);
    uint32_t bad = 0;
    const BlockExtent sorted[] = {{0, 4}, {4, 4}, {20, 1}};
    const BlockExtent unsorted[] = {{20, 1}, {0, 4}, {4, 4}};
    const BlockExtent overlapping[] = {{20, 5}, {0, 4}, {24, 2}};
    const BlockExtent adjacentOverlap[] = {{0, 4}, {3, 4}};
    CHECK(d.checkUnmap(sorted, 3, kdrv::kUnmapSorted, &bad) == Status::Success);
    CHECK(d.checkUnmap(unsorted, 3, kdrv::kUnmapSorted, &bad) == Status::BadArgument);
    CHECK(bad == 1);
    CHECK(d.checkUnmap(unsorted, 3, kdrv::kUnmapDisjoint, &bad) == Status::Success);
    CHECK(d.checkUnmap(unsorted, 3, 0, &bad) == Status::Success);
    CHECK(d.checkUnmap(overlapping, 3, 0, &bad) == Status::Success);
    CHECK(d.checkUnmap(overlapping, 3, kdrv::kUnmapDisjoint, &bad) == Status::BadArgument);
    CHECK(bad == 2);
    CHECK(d.checkUnmap(adjacentOverlap, 2, kdrv::kUnmapSorted, &bad) == Status::BadArgument);
    CHECK(bad == 1);
    CHECK(d.checkUnmap(adjacentOverlap, 2, kdrv::kUnmapDisjoint, &bad) == Status::BadArgument);
    CHECK(bad == 1);
}

TEST_CASE("block range: unmap list length limit")
{
    BlockDevice d = disk(512, 100);
    d.maxUnmapExtents = 2;
    uint32_t bad = 0;
    const BlockExtent list[] = {{0, 1}, {1, 1}, {2, 1}};
    CHECK(d.checkUnmap(list, 2, 0, &bad) == Status::Success);
    CHECK(d.checkUnmap(list, 3, 0, &bad) == Status::BadArgument);
    CHECK(bad == 3);
}

TEST_CASE("block range: extent overlap without sums")
{
    const BlockExtent a = {kMax - 1, 1};
    const BlockExtent b = {kMax - 2, 2};
    const BlockExtent c = {0, kMax};
    const BlockExtent empty = {5, 0};
    const BlockExtent five = {5, 1};
    CHECK(BlockDevice::extentsOverlap(a, b));
    CHECK(BlockDevice::extentsOverlap(b, a));
    CHECK(BlockDevice::extentsOverlap(a, c)); // c's last block is kMax - 1
    const BlockExtent top = {kMax, 1};
    CHECK_FALSE(BlockDevice::extentsOverlap(top, c));
    CHECK_FALSE(BlockDevice::extentsOverlap(c, top));
    CHECK(BlockDevice::extentsOverlap(b, c));
    CHECK_FALSE(BlockDevice::extentsOverlap(empty, five));
    CHECK_FALSE(BlockDevice::extentsOverlap(five, empty));
    const BlockExtent six = {6, 1};
    CHECK_FALSE(BlockDevice::extentsOverlap(five, six));
}
