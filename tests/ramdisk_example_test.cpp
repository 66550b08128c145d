// SPDX-License-Identifier: MIT
//
// Tests of the RAM-disk example's driver core (examples/ramdisk/core), over
// both backends: the same core the kext skeleton is built from. The
// "hardware" is stepped by hand (Disk::serviceOne), so every completion is
// exact.
#include "ramdisk/core/ramdisk_core.hpp"

#include <doctest/doctest.h>

#include <stdint.h>
#include <string.h>

#include <memory>
#include <string>
#include <vector>

using kdrv::Status;

namespace
{
const uint32_t kBlock = 512;
const uint64_t kBlocks = 4096; // 2 MiB

kdrv::Guid guid(const char* text)
{
    kdrv::Guid g;
    REQUIRE(kdrv::guidParse(text, strlen(text), &g) == Status::Success);
    return g;
}

// What a completion saw.
struct Seen
{
    int calls = 0;
    Status status = Status::Success;
    uint64_t count = 0;
};
void onDone(void* target, void*, Status status, uint64_t count)
{
    Seen* s = static_cast<Seen*>(target);
    ++s->calls;
    s->status = status;
    s->count = count;
}
kdrv::Completion completionFor(Seen* s) { return kdrv::Completion{s, onDone, nullptr}; }

struct Fixture
{
    std::vector<uint8_t> image = std::vector<uint8_t>(kBlocks * kBlock, 0);
    std::unique_ptr<ramdisk::Disk> disk{new ramdisk::Disk()};

    explicit Fixture(bool format = true)
    {
        if (format)
        {
            const ramdisk::PartitionSpec parts[2] = {
                {guid("8D7FD0BB-39A8-43C0-9432-F4E1A269F070"),
                 guid("00000000-0000-0000-0000-0000000000A1"), 34, 1000, "Sample"},
                {guid("EBD0A0A2-B9E5-4433-87C0-68B6B72699C7"),
                 guid("00000000-0000-0000-0000-0000000000A2"), 2048, 1024, "Data"}};
            REQUIRE(ramdisk::formatGpt(image.data(), image.size(), kBlock,
                                       guid("12345678-9ABC-DEF0-1122-334455667788"), parts,
                                       2) == Status::Success);
        }
        REQUIRE(disk->init(image.data(), image.size(), kBlock) == Status::Success);
    }
    ~Fixture() { disk->destroy(); }
    Fixture(const Fixture&) = delete;
    Fixture& operator=(const Fixture&) = delete;
};

std::string name(const kdrv::Partition& p)
{
    std::string s;
    for (uint32_t i = 0; i < p.nameUnits; ++i)
        s += char(p.name[i]);
    return s;
}
} // namespace

TEST_CASE("ramdisk example: the GPT written into the image is read back")
{
    Fixture f;
    REQUIRE(f.disk->scan() == Status::Success);
    CHECK_FALSE(f.disk->usedBackup());
    REQUIRE(f.disk->partitionCount() == 2);
    const kdrv::Partition* p = f.disk->partition(0);
    REQUIRE(p != nullptr);
    CHECK(p->startBlock == 34);
    CHECK(p->blockCount == 1000);
    CHECK(p->byteOffset == 34u * kBlock);
    CHECK(name(*p) == "Sample");
    char text[kdrv::kGuidTextLength + 1];
    kdrv::guidFormat(p->typeGuid, text);
    CHECK(std::string(text) == "8D7FD0BB-39A8-43C0-9432-F4E1A269F070");
    CHECK(name(*f.disk->partition(1)) == "Data");
    CHECK(f.disk->partition(2) == nullptr);
    uint64_t last = 0;
    CHECK(f.disk->maxValidBlock(&last) == Status::Success);
    CHECK(last == kBlocks - 1);
    // The protective MBR says GPT.
    kdrv::Partition mbr[4];
    kdrv::PartitionScan scan;
    CHECK(kdrv::mbrParse(f.image.data(), kBlock, f.disk->device(), mbr, 4, &scan) ==
          Status::Success);
    CHECK(scan.protectiveMbr);
}

TEST_CASE("ramdisk example: a damaged primary GPT falls back to the backup")
{
    {
        Fixture f;
        f.image[kBlock + 20] ^= 1; // primary header: CRC fails
        REQUIRE(f.disk->scan() == Status::Success);
        CHECK(f.disk->usedBackup());
        CHECK(f.disk->partitionCount() == 2);
    }
    {
        Fixture f;
        f.image[2 * kBlock + 60] ^= 1; // primary entry array: CRC fails
        REQUIRE(f.disk->scan() == Status::Success);
        CHECK(f.disk->usedBackup());
        CHECK(f.disk->partitionCount() == 2);
    }
    {
        Fixture f;
        f.image[kBlock + 20] ^= 1;
        f.image[(kBlocks - 1) * kBlock + 20] ^= 1; // both headers
        CHECK(f.disk->scan() == Status::BadMedia);
        CHECK(f.disk->partitionCount() == 0);
    }
    {
        Fixture blank(false);
        CHECK(blank.disk->scan() == Status::NotFound);
    }
}

TEST_CASE("ramdisk example: overlapping partitions are refused")
{
    Fixture f(false);
    const ramdisk::PartitionSpec parts[2] = {
        {guid("EBD0A0A2-B9E5-4433-87C0-68B6B72699C7"), guid("00000000-0000-0000-0000-000000000001"),
         100, 200, "A"},
        {guid("EBD0A0A2-B9E5-4433-87C0-68B6B72699C7"), guid("00000000-0000-0000-0000-000000000002"),
         250, 100, "B"}};
    REQUIRE(ramdisk::formatGpt(f.image.data(), f.image.size(), kBlock,
                               guid("12345678-9ABC-DEF0-1122-334455667788"), parts,
                               2) == Status::Success);
    CHECK(f.disk->scan() == Status::BadMedia);
    // A partition outside the usable range cannot even be written.
    const ramdisk::PartitionSpec outside = {parts[0].type, parts[0].unique, 4090, 10, "X"};
    CHECK(ramdisk::formatGpt(f.image.data(), f.image.size(), kBlock, parts[0].type, &outside, 1) ==
          Status::BadArgument);
}

TEST_CASE("ramdisk example: writes and reads complete exactly once with the byte count")
{
    Fixture f;
    std::vector<uint8_t> out(4 * kBlock);
    for (size_t i = 0; i < out.size(); ++i)
        out[i] = uint8_t(i * 7 + 3);
    ramdisk::Request w;
    w.direction = kdrv::kBlockDirectionOut;
    w.block = 100;
    w.nblks = 4;
    w.buffer = out.data();
    w.bufferBytes = out.size();
    Seen ws;
    REQUIRE(f.disk->submit(&w, completionFor(&ws)) == Status::Success);
    CHECK(f.disk->pending() == 1);
    CHECK(ws.calls == 0);
    CHECK(f.disk->submit(&w, completionFor(&ws)) == Status::Busy); // still in flight
    CHECK(f.disk->serviceOne());
    CHECK_FALSE(f.disk->serviceOne());
    CHECK(ws.calls == 1);
    CHECK(ws.status == Status::Success);
    CHECK(ws.count == 4 * kBlock);
    CHECK(memcmp(f.image.data() + 100 * kBlock, out.data(), out.size()) == 0);

    std::vector<uint8_t> in(2 * kBlock, 0);
    ramdisk::Request r;
    r.direction = kdrv::kBlockDirectionIn;
    r.block = 101;
    r.nblks = 2;
    r.buffer = in.data();
    r.bufferBytes = in.size();
    Seen rs;
    REQUIRE(f.disk->submit(&r, completionFor(&rs)) == Status::Success);
    CHECK(f.disk->serviceOne());
    CHECK(rs.calls == 1);
    CHECK(rs.count == 2 * kBlock);
    CHECK(memcmp(in.data(), out.data() + kBlock, in.size()) == 0);
    // A second completion of a finished request is detected, never run.
    CHECK(r.done.complete(Status::Success, 1) == Status::NotPermitted);
    CHECK(rs.calls == 1);
    CHECK(f.disk->completed() == 2);
}

TEST_CASE("ramdisk example: rejected submissions never run the completion")
{
    Fixture f;
    uint8_t buf[kBlock];
    struct Case
    {
        uint32_t direction;
        uint64_t block;
        uint64_t nblks;
        uint64_t bufferBytes;
        Status expected;
    };
    const Case cases[] = {
        {kdrv::kBlockDirectionIn, kBlocks, 1, kBlock, Status::BadArgument},    // past the end
        {kdrv::kBlockDirectionIn, UINT64_MAX, 2, kBlock, Status::BadArgument}, // the book's wrap
        {kdrv::kBlockDirectionIn, 0, kBlocks + 1, kBlock, Status::BadArgument},
        {3, 0, 1, kBlock, Status::BadArgument},                       // direction
        {kdrv::kBlockDirectionIn, 0, 2, kBlock, Status::BadArgument}, // short buffer
        {kdrv::kBlockDirectionIn, 0, 0, kBlock, Status::BadArgument}, // zero blocks
    };
    for (const Case& c : cases)
    {
        ramdisk::Request r;
        r.direction = c.direction;
        r.block = c.block;
        r.nblks = c.nblks;
        r.buffer = buf;
        r.bufferBytes = c.bufferBytes;
        Seen s;
        CAPTURE(c.block);
        CHECK(f.disk->submit(&r, completionFor(&s)) == c.expected);
        CHECK(s.calls == 0);
        CHECK_FALSE(r.done.isArmed()); // the submitter owns it again
    }
    CHECK(f.disk->pending() == 0);
    // A full queue refuses the next request the same way.
    ramdisk::Request queued[ramdisk::kQueueDepth + 1];
    Seen s[ramdisk::kQueueDepth + 1];
    for (uint32_t i = 0; i <= ramdisk::kQueueDepth; ++i)
    {
        queued[i].direction = kdrv::kBlockDirectionIn;
        queued[i].block = i;
        queued[i].nblks = 1;
        queued[i].buffer = buf;
        queued[i].bufferBytes = kBlock;
        const Status st = f.disk->submit(&queued[i], completionFor(&s[i]));
        CHECK(st == (i < ramdisk::kQueueDepth ? Status::Success : Status::NoResources));
    }
    while (f.disk->serviceOne())
    {
    }
    for (uint32_t i = 0; i <= ramdisk::kQueueDepth; ++i)
        CHECK(s[i].calls == (i < ramdisk::kQueueDepth ? 1 : 0));
}

TEST_CASE("ramdisk example: terminate aborts queued I/O and refuses new I/O")
{
    Fixture f;
    uint8_t buf[kBlock];
    ramdisk::Request r;
    r.direction = kdrv::kBlockDirectionIn;
    r.block = 7;
    r.nblks = 1;
    r.buffer = buf;
    r.bufferBytes = kBlock;
    Seen s;
    REQUIRE(f.disk->submit(&r, completionFor(&s)) == Status::Success);
    f.disk->terminate();
    CHECK(s.calls == 1);
    CHECK(s.status == Status::Aborted);
    CHECK(s.count == 0);
    CHECK_FALSE(f.disk->serviceOne());
    Seen late;
    CHECK(f.disk->submit(&r, completionFor(&late)) == Status::NotAttached);
    CHECK(late.calls == 0);
}

TEST_CASE("ramdisk example: unmap zeroes validated extents only")
{
    Fixture f;
    memset(f.image.data() + 200 * kBlock, 0xAB, 20 * kBlock);
    uint32_t bad = 0;
    const kdrv::BlockExtent unsorted[2] = {{210, 2}, {200, 2}};
    CHECK(f.disk->unmap(unsorted, 2, &bad) == Status::BadArgument);
    CHECK(bad == 1);
    CHECK(f.image[200 * kBlock] == 0xAB); // nothing zeroed
    const kdrv::BlockExtent list[2] = {{200, 2}, {210, 2}};
    CHECK(f.disk->unmap(list, 2, &bad) == Status::Success);
    CHECK(f.image[200 * kBlock] == 0);
    CHECK(f.image[202 * kBlock - 1] == 0);
    CHECK(f.image[202 * kBlock] == 0xAB);
    CHECK(f.image[210 * kBlock] == 0);
    const kdrv::BlockExtent past[1] = {{kBlocks - 1, 2}};
    CHECK(f.disk->unmap(past, 1, &bad) == Status::BadArgument);
}

TEST_CASE("ramdisk example: partition I/O is relative, chained and completes once")
{
    Fixture f;
    REQUIRE(f.disk->scan() == Status::Success);
    ramdisk::PartitionIo data;
    REQUIRE(data.init(f.disk.get(), 1) == Status::Success);
    CHECK(data.init(f.disk.get(), 5) == Status::BadArgument);
    memset(f.image.data() + 2048 * kBlock, 0x5C, kBlock);
    uint8_t buf[kBlock] = {0};
    Seen s;
    data.submit(kdrv::kBlockDirectionIn, 0, 1, buf, sizeof buf, completionFor(&s));
    CHECK(s.calls == 0);
    CHECK(f.disk->serviceOne());
    CHECK(s.calls == 1);
    CHECK(s.status == Status::Success);
    CHECK(s.count == kBlock);
    CHECK(buf[0] == 0x5C);
    CHECK(buf[kBlock - 1] == 0x5C);
    // Past the partition's end (still on the disk): refused with count 0.
    Seen past;
    data.submit(kdrv::kBlockDirectionIn, 1024, 1, buf, sizeof buf, completionFor(&past));
    CHECK(past.calls == 1);
    CHECK(past.status == Status::BadArgument);
    CHECK(past.count == 0);
    CHECK(f.disk->pending() == 0);
}

TEST_CASE("ramdisk example: partition I/O without a free chain slot completes with NoMemory")
{
    Fixture f;
    REQUIRE(f.disk->scan() == Status::Success);
    ramdisk::PartitionIo io;
    REQUIRE(io.init(f.disk.get(), 0) == Status::Success);
    uint8_t buf[ramdisk::kChainSlots + 1][kBlock];
    Seen s[ramdisk::kChainSlots + 1];
    for (uint32_t i = 0; i <= ramdisk::kChainSlots; ++i)
        io.submit(kdrv::kBlockDirectionIn, i, 1, buf[i], kBlock, completionFor(&s[i]));
    CHECK(s[ramdisk::kChainSlots].calls == 1);
    CHECK(s[ramdisk::kChainSlots].status == Status::NoMemory);
    CHECK(s[ramdisk::kChainSlots].count == 0);
    for (uint32_t i = 0; i < ramdisk::kChainSlots; ++i)
        CHECK(s[i].calls == 0);
    while (f.disk->serviceOne())
    {
    }
    for (uint32_t i = 0; i < ramdisk::kChainSlots; ++i)
    {
        CHECK(s[i].calls == 1);
        CHECK(s[i].count == kBlock);
    }
    // The slots are free again.
    Seen again;
    io.submit(kdrv::kBlockDirectionIn, 0, 1, buf[0], kBlock, completionFor(&again));
    CHECK(f.disk->serviceOne());
    CHECK(again.calls == 1);
    CHECK(again.status == Status::Success);
}

TEST_CASE("ramdisk example: a failed disk submission reaches the partition caller once")
{
    Fixture f;
    REQUIRE(f.disk->scan() == Status::Success);
    ramdisk::PartitionIo io;
    REQUIRE(io.init(f.disk.get(), 0) == Status::Success);
    f.disk->terminate();
    uint8_t buf[kBlock];
    Seen s;
    io.submit(kdrv::kBlockDirectionOut, 0, 1, buf, kBlock, completionFor(&s));
    CHECK(s.calls == 1);
    CHECK(s.status == Status::NotAttached);
    CHECK(s.count == 0);
}
