// SPDX-License-Identifier: MIT
//
// libFuzzer target for partition.hpp. The input builds, from edges and raw
// bytes, a device (block size 92..4096 or raw, block count), a GPT header
// block (plausible fields, each optionally replaced, the CRC right or
// wrong, random byte flips), an entry array (entries near the usable
// range's edges, unused slots, a CRC right or wrong, any buffer length) and
// an MBR sector, and runs, in an order the input picks:
//   0  gptParseHeader(sector, sectorBytes, lba, device, maxEntries)
//   1  gptParseEntries(header, array, arrayBytes, device, out, capacity)
//      over the parsed header or a raw header the input supplies
//   2  gptCheckBackup(a, b) over two headers the input derives
//   3  mbrParse(sector, bytes, device, out, capacity)
//   4  crc32 over input bytes, in one call and split in two
//   5  guidFromDisk/guidToDisk/guidFormat/guidParse round trips
//   6  signatureMatches, tableEntryCount, partitionExtent
// Each result (status, every output field, the scan counters) is compared
// with a reference model written from the header's contract: 128-bit
// arithmetic, its own little-endian readers and a table CRC built from
// the bitwise definition. Buffers are heap copies of exact size, so any
// read past them is an AddressSanitizer error. Any disagreement aborts.
#include "kdrv/partition.hpp"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <vector>

#include "fuzz_check.hpp" // for FUZZ_CHECK

namespace
{
typedef unsigned __int128 u128;
using kdrv::Status;

struct Input
{
    const uint8_t* data;
    size_t size;
    size_t pos;
    uint8_t byte() { return pos < size ? data[pos++] : 0; }
    uint64_t raw(unsigned n)
    {
        uint64_t v = 0;
        for (unsigned i = 0; i < n; ++i)
            v |= static_cast<uint64_t>(byte()) << (8 * i);
        return v;
    }
    bool done() const { return pos >= size; }
    // Mostly `ref`, sometimes near it, at an edge or raw.
    uint64_t near(uint64_t ref)
    {
        const uint8_t sel = byte();
        switch (sel & 7)
        {
        case 0:
        case 1:
        case 2:
            return ref;
        case 3:
            return ref + 1 + (sel >> 5);
        case 4:
            return ref - 1 - (sel >> 5);
        case 5:
            return UINT64_MAX - (sel >> 4);
        case 6:
            return sel >> 3;
        default:
            return raw(1 + (sel >> 5));
        }
    }
};

// --- Model -------------------------------------------------------------------

uint32_t g_table[256];
void modelInit()
{
    for (uint32_t i = 0; i < 256; ++i)
    {
        uint32_t c = i;
        for (int k = 0; k < 8; ++k)
            c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        g_table[i] = c;
    }
}
uint32_t modelCrc(const uint8_t* p, size_t n, uint32_t seed = 0)
{
    uint32_t c = ~seed;
    for (size_t i = 0; i < n; ++i)
        c = g_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return ~c;
}
uint64_t le(const uint8_t* p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i)
        v = v << 8 | p[i];
    return v;
}
void put(uint8_t* p, uint64_t v, int n)
{
    for (int i = 0; i < n; ++i)
        p[i] = uint8_t(v >> (8 * i));
}

bool intervalsOverlap(u128 a, u128 n, u128 b, u128 m) { return n && m && a < b + m && b < a + n; }

Status modelHeader(const uint8_t* s, size_t sectorBytes, uint64_t lba, const kdrv::BlockDevice& d,
                   uint32_t maxEntries, kdrv::GptHeader* h)
{
    if (d.blockSize < 92 || sectorBytes < d.blockSize)
        return Status::BadArgument;
    if (memcmp(s, "EFI PART", 8) != 0)
        return Status::NotFound;
    const uint64_t headerSize = le(s + 12, 4);
    if (headerSize < 92 || headerSize > d.blockSize)
        return Status::BadMedia;
    std::vector<uint8_t> copy(s, s + headerSize);
    put(copy.data() + 16, 0, 4);
    if (modelCrc(copy.data(), copy.size()) != le(s + 16, 4))
        return Status::BadMedia;
    if ((le(s + 8, 4) >> 16) != 1)
        return Status::Unsupported;
    const uint64_t my = le(s + 24, 8), alt = le(s + 32, 8), first = le(s + 40, 8),
                   last = le(s + 48, 8), arrayLba = le(s + 72, 8);
    const uint64_t count = le(s + 80, 4), esize = le(s + 84, 4);
    if (my != lba || lba >= d.blockCount || alt >= d.blockCount || alt == lba)
        return Status::BadMedia;
    if (first > last || last >= d.blockCount)
        return Status::BadMedia;
    if ((lba >= first && lba <= last) || (alt >= first && alt <= last))
        return Status::BadMedia;
    bool sizeOk = false;
    for (uint64_t e = 128; e <= 0x80000000u; e *= 2)
        sizeOk = sizeOk || esize == e;
    if (!sizeOk)
        return Status::BadMedia;
    if (count > (maxEntries ? maxEntries : 4096u))
        return Status::Unsupported;
    const u128 bytes = u128(count) * esize;
    const u128 blocks = (bytes + d.blockSize - 1) / d.blockSize;
    if (blocks != 0 && (u128(arrayLba) + blocks > d.blockCount ||
                        intervalsOverlap(arrayLba, blocks, first, u128(last) - first + 1) ||
                        intervalsOverlap(arrayLba, blocks, lba, 1)))
        return Status::BadMedia;
    h->revision = uint32_t(le(s + 8, 4));
    h->headerSize = uint32_t(headerSize);
    h->headerCrc = uint32_t(le(s + 16, 4));
    h->myLba = my;
    h->alternateLba = alt;
    h->firstUsableLba = first;
    h->lastUsableLba = last;
    h->diskGuid = kdrv::guidFromDisk(s + 56);
    h->entryLba = arrayLba;
    h->entryCount = uint32_t(count);
    h->entrySize = uint32_t(esize);
    h->entryArrayCrc = uint32_t(le(s + 88, 4));
    return Status::Success;
}

bool sameGuid(const kdrv::Guid& g, const uint8_t* disk)
{
    uint8_t b[16];
    kdrv::guidToDisk(g, b);
    return memcmp(b, disk, 16) == 0;
}

// Checks the parser's output array and scan against the model's view of
// the entries (valid ones as (index, start, end) from the disk bytes).
struct ModelEntry
{
    uint32_t index;
    uint64_t start;
    uint64_t count;
};
void checkOutput(const std::vector<ModelEntry>& valid, uint32_t capacity, uint64_t blockSize,
                 const kdrv::Partition* out, const kdrv::PartitionScan& scan, Status s)
{
    FUZZ_CHECK(scan.valid == valid.size());
    const uint32_t stored = valid.size() < capacity ? uint32_t(valid.size()) : capacity;
    FUZZ_CHECK(scan.stored == stored);
    FUZZ_CHECK(s == (valid.size() > capacity ? Status::NoSpace : Status::Success));
    uint32_t pairs = 0;
    for (uint32_t i = 0; i < stored; ++i)
    {
        FUZZ_CHECK(out[i].index == valid[i].index);
        FUZZ_CHECK(out[i].startBlock == valid[i].start);
        FUZZ_CHECK(out[i].blockCount == valid[i].count);
        FUZZ_CHECK(out[i].byteOffset == valid[i].start * blockSize);
        FUZZ_CHECK(out[i].byteLength == valid[i].count * blockSize);
        bool overlaps = false;
        for (uint32_t j = 0; j < stored; ++j)
        {
            if (j != i &&
                intervalsOverlap(valid[i].start, valid[i].count, valid[j].start, valid[j].count))
            {
                overlaps = true;
                pairs += j > i;
            }
        }
        FUZZ_CHECK(((out[i].flags & kdrv::kPartitionOverlaps) != 0) == overlaps);
    }
    FUZZ_CHECK(scan.overlaps == pairs);
}

bool extentOk(uint64_t start, uint64_t count, const kdrv::BlockDevice& d)
{
    return count != 0 && u128(start) + count <= d.blockCount &&
           u128(start) * d.blockSize + u128(count) * d.blockSize <= UINT64_MAX;
}

void runEntries(const kdrv::GptHeader& h, const uint8_t* array, size_t arrayBytes,
                const kdrv::BlockDevice& d, uint32_t capacity)
{
    std::vector<kdrv::Partition> out(capacity + 1);
    kdrv::PartitionScan scan;
    const Status s = kdrv::gptParseEntries(h, array, arrayBytes, d, out.data(), capacity, &scan);
    const u128 bytes = u128(h.entryCount) * h.entrySize;
    if (d.blockSize == 0 || h.entrySize < 128 || bytes > arrayBytes)
    {
        FUZZ_CHECK(s == Status::BadArgument);
        return;
    }
    if (modelCrc(array, size_t(bytes)) != h.entryArrayCrc)
    {
        FUZZ_CHECK(s == Status::BadMedia);
        return;
    }
    FUZZ_CHECK(scan.entries == h.entryCount);
    std::vector<ModelEntry> valid;
    uint32_t unused = 0, invalid = 0;
    for (uint32_t i = 0; i < h.entryCount; ++i)
    {
        const uint8_t* e = array + size_t(i) * h.entrySize;
        static const uint8_t zero[16] = {};
        if (memcmp(e, zero, 16) == 0)
        {
            ++unused;
            continue;
        }
        const uint64_t start = le(e + 32, 8), end = le(e + 40, 8);
        if (start > end || start < h.firstUsableLba || end > h.lastUsableLba ||
            !extentOk(start, end - start + 1, d))
        {
            ++invalid;
            continue;
        }
        valid.push_back({i, start, end - start + 1});
    }
    FUZZ_CHECK(scan.unused == unused);
    FUZZ_CHECK(scan.invalid == invalid);
    checkOutput(valid, capacity, d.blockSize, out.data(), scan, s);
    for (uint32_t i = 0; i < scan.stored; ++i)
    {
        const uint8_t* e = array + size_t(out[i].index) * h.entrySize;
        FUZZ_CHECK(sameGuid(out[i].typeGuid, e));
        FUZZ_CHECK(sameGuid(out[i].uniqueGuid, e + 16));
        FUZZ_CHECK(out[i].attributes == le(e + 48, 8));
        uint32_t units = 36;
        for (uint32_t u = 0; u < 36; ++u)
        {
            FUZZ_CHECK(out[i].name[u] == le(e + 56 + 2 * u, 2));
            if (units == 36 && out[i].name[u] == 0)
                units = u;
        }
        FUZZ_CHECK(out[i].nameUnits == units);
    }
}

void runMbr(const uint8_t* sector, size_t bytes, const kdrv::BlockDevice& d, uint32_t capacity)
{
    std::vector<kdrv::Partition> out(capacity + 1);
    kdrv::PartitionScan scan;
    const Status s = kdrv::mbrParse(sector, bytes, d, out.data(), capacity, &scan);
    if (bytes < 512 || d.blockSize == 0)
    {
        FUZZ_CHECK(s == Status::BadArgument);
        return;
    }
    if (sector[510] != 0x55 || sector[511] != 0xAA)
    {
        FUZZ_CHECK(s == Status::NotFound);
        return;
    }
    std::vector<ModelEntry> valid;
    uint32_t unused = 0, invalid = 0;
    bool protective = false;
    for (uint32_t i = 0; i < 4; ++i)
    {
        const uint8_t* e = sector + 446 + 16 * i;
        if (e[4] == 0)
        {
            ++unused;
            continue;
        }
        protective = protective || e[4] == 0xEE;
        const uint64_t start = le(e + 8, 4), count = le(e + 12, 4);
        if ((e[0] != 0 && e[0] != 0x80) || start == 0 || !extentOk(start, count, d))
        {
            ++invalid;
            continue;
        }
        valid.push_back({i, start, count});
    }
    FUZZ_CHECK(scan.entries == 4);
    FUZZ_CHECK(scan.unused == unused);
    FUZZ_CHECK(scan.invalid == invalid);
    FUZZ_CHECK(scan.protectiveMbr == protective);
    checkOutput(valid, capacity, d.blockSize, out.data(), scan, s);
    for (uint32_t i = 0; i < scan.stored; ++i)
    {
        const uint8_t* e = sector + 446 + 16 * out[i].index;
        FUZZ_CHECK(out[i].mbrType == e[4]);
        FUZZ_CHECK(((out[i].flags & kdrv::kPartitionBootable) != 0) == (e[0] == 0x80));
        FUZZ_CHECK(((out[i].flags & kdrv::kPartitionProtective) != 0) == (e[4] == 0xEE));
        FUZZ_CHECK(((out[i].flags & kdrv::kPartitionExtended) != 0) ==
                   (e[4] == 0x05 || e[4] == 0x0F || e[4] == 0x85));
        FUZZ_CHECK(kdrv::guidIsZero(out[i].typeGuid) && out[i].nameUnits == 0);
    }
}

const uint64_t kBlockSizes[] = {512, 4096, 92, 91, 520, 1024, 0, 600};
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static bool ready = false;
    if (!ready)
    {
        modelInit();
        ready = true;
    }
    Input in = {data, size, 0};
    kdrv::BlockDevice d = kdrv::makeBlockDevice(512, 64);
    const uint8_t geo = in.byte();
    d.blockSize = kBlockSizes[geo & 7];
    d.blockCount = (geo & 8) ? in.near(64) : 16 + (geo >> 4) * 8;
    const uint64_t bs = d.blockSize;

    // A plausible header: entries right after it, usable range after them,
    // backup at the end; every field may be replaced.
    const uint32_t entryCount = (in.byte() & 7u) + 1u;
    const uint32_t entrySize = (in.byte() & 0x80) ? uint32_t(in.near(128)) : 128u;
    const uint64_t arrayBlocks =
        bs ? uint64_t((uint64_t(entryCount) * entrySize + bs - 1) / bs) : 0;
    std::vector<uint8_t> hdr(bs >= 92 ? bs : 92, 0);
    memcpy(hdr.data(), "EFI PART", 8);
    put(hdr.data() + 8, (in.byte() & 0x80) ? in.raw(4) : 0x00010000u, 4);
    put(hdr.data() + 12, in.near(92), 4);
    const uint64_t lba = in.near(1);
    put(hdr.data() + 24, in.near(lba), 8);
    put(hdr.data() + 32, in.near(d.blockCount - 1), 8);
    const uint64_t first = in.near(2 + arrayBlocks);
    const uint64_t last = in.near(d.blockCount - 2 - arrayBlocks);
    put(hdr.data() + 40, first, 8);
    put(hdr.data() + 48, last, 8);
    for (size_t i = 0; i < 16; ++i)
        hdr[56 + i] = in.byte();
    put(hdr.data() + 72, in.near(2), 8);
    put(hdr.data() + 80, (in.byte() & 0x80) ? in.raw(4) : entryCount, 4);
    put(hdr.data() + 84, entrySize, 4);

    // The entry array: entries near the usable edges.
    const size_t arrayCap = size_t(entryCount) * (entrySize <= 256 ? entrySize : 256);
    std::vector<uint8_t> arr(arrayCap, 0);
    const uint32_t stride = entrySize <= 256 ? entrySize : 256;
    for (uint32_t i = 0; i < entryCount && stride >= 128; ++i)
    {
        uint8_t* e = arr.data() + size_t(i) * stride;
        const uint8_t kind = in.byte();
        if ((kind & 3) == 0)
            continue; // unused
        e[0] = uint8_t(kind | 1);
        for (int k = 1; k < 16; k += 5)
            e[k] = in.byte();
        const uint64_t start = in.near((kind & 4) ? first : first + (kind >> 4));
        put(e + 32, start, 8);
        put(e + 40, in.near((kind & 8) ? last : start + (kind >> 5)), 8);
        put(e + 48, kind, 8);
        e[56] = uint8_t('A' + (kind & 15));
        e[58] = (kind & 0x40) ? 0 : uint8_t('a');
    }
    // Array CRC right (the usual) or raw; then the header CRC.
    put(hdr.data() + 88,
        (in.byte() & 0xC0) == 0xC0
            ? in.raw(4)
            : modelCrc(arr.data(), arr.size() < uint64_t(entryCount) * entrySize
                                       ? arr.size()
                                       : size_t(uint64_t(entryCount) * entrySize)),
        4);
    {
        const uint64_t hs = le(hdr.data() + 12, 4);
        const size_t n = hs <= hdr.size() ? size_t(hs) : hdr.size();
        put(hdr.data() + 16, 0, 4);
        put(hdr.data() + 16, modelCrc(hdr.data(), n), 4);
    }
    // Byte flips (the header CRC usually catches them).
    for (uint8_t flips = in.byte() & 3; flips > 0; --flips)
    {
        const uint8_t at = in.byte();
        hdr[at % hdr.size()] ^= in.byte();
    }

    // An MBR sector from raw bytes and entry edits.
    std::vector<uint8_t> mbr(512, 0);
    mbr[510] = 0x55;
    mbr[511] = (in.byte() & 0xF0) == 0xF0 ? 0xAB : 0xAA;
    for (int i = 0; i < 4; ++i)
    {
        uint8_t* e = mbr.data() + 446 + 16 * i;
        const uint8_t kind = in.byte();
        e[0] = (kind & 1) ? 0x80 : ((kind & 2) ? kind : 0);
        e[4] = (kind & 4) ? in.byte() : ((kind & 8) ? 0xEE : 0x07);
        put(e + 8, in.near(1 + 8 * uint64_t(i)), 4);
        put(e + 12, in.near(8), 4);
    }

    kdrv::GptHeader parsed = {};
    bool haveParsed = false;
    for (int ops = 0; ops < 8 && !in.done(); ++ops)
    {
        const uint8_t op = in.byte();
        switch (op % 7)
        {
        case 0:
        {
            const size_t sectorBytes = (op & 0x80) ? hdr.size() - (op & 1) : hdr.size();
            std::vector<uint8_t> sector(hdr.begin(), hdr.begin() + long(sectorBytes));
            const uint32_t maxEntries = (op & 0x40) ? uint32_t(in.byte()) : 0u;
            kdrv::GptHeader got, want;
            memset(&got, 0x11, sizeof got);
            const Status s =
                kdrv::gptParseHeader(sector.data(), sectorBytes, lba, d, maxEntries, &got);
            FUZZ_CHECK(s == modelHeader(sector.data(), sectorBytes, lba, d, maxEntries, &want));
            if (s == Status::Success)
            {
                FUZZ_CHECK(memcmp(&got.myLba, &want.myLba, 32) == 0);
                FUZZ_CHECK(got.revision == want.revision && got.headerSize == want.headerSize &&
                           got.headerCrc == want.headerCrc && got.entryLba == want.entryLba &&
                           got.entryCount == want.entryCount && got.entrySize == want.entrySize &&
                           got.entryArrayCrc == want.entryArrayCrc &&
                           kdrv::guidEqual(got.diskGuid, want.diskGuid));
                parsed = got;
                haveParsed = true;
            }
            break;
        }
        case 1:
        {
            kdrv::GptHeader h = parsed;
            if (!haveParsed || (op & 0x80))
            {
                memset(&h, 0, sizeof h);
                h.firstUsableLba = in.near(first);
                h.lastUsableLba = in.near(last);
                h.entryCount = (op & 0x40) ? uint32_t(in.raw(4)) : entryCount;
                h.entrySize = (op & 0x20) ? uint32_t(in.near(128)) : stride;
                h.entryArrayCrc = uint32_t(le(hdr.data() + 88, 4));
            }
            size_t bytes = arr.size();
            if (op & 0x10)
                bytes -= bytes ? (in.byte() % (bytes + 1)) : 0;
            std::vector<uint8_t> exact(arr.begin(), arr.begin() + long(bytes));
            runEntries(h, bytes ? exact.data() : nullptr, bytes, d, in.byte() % 6u);
            break;
        }
        case 2:
        {
            if (!haveParsed)
                break;
            kdrv::GptHeader b = parsed;
            b.myLba = parsed.alternateLba;
            b.alternateLba = parsed.myLba;
            const uint8_t edit = in.byte();
            if (edit & 1)
                b.entryCount ^= 1;
            if (edit & 2)
                b.entryArrayCrc ^= 1;
            if (edit & 4)
                b.diskGuid.data4[edit >> 5] ^= 1;
            if (edit & 8)
                b.lastUsableLba += 1;
            if (edit & 16)
                b.entryLba = in.raw(8); // allowed to differ
            if (edit & 0x80)
                b.myLba ^= 1;
            const bool agree = (edit & 0x8F) == 0;
            FUZZ_CHECK((kdrv::gptCheckBackup(parsed, b) == Status::Success) == agree);
            break;
        }
        case 3:
        {
            const size_t bytes = (op & 0x80) ? 511 : 512;
            std::vector<uint8_t> sector(mbr.begin(), mbr.begin() + long(bytes));
            runMbr(sector.data(), bytes, d, in.byte() % 6u);
            break;
        }
        case 4:
        {
            const size_t n = in.byte();
            const size_t avail = in.size - in.pos;
            const size_t len = n < avail ? n : avail;
            std::vector<uint8_t> bytes(in.data + in.pos, in.data + in.pos + len);
            in.pos += len;
            const uint32_t seed = (op & 0x80) ? uint32_t(in.raw(4)) : 0u;
            const uint32_t want = modelCrc(bytes.data(), len, seed);
            FUZZ_CHECK(kdrv::crc32(seed, bytes.data(), len) == want);
            const size_t cut = len ? in.byte() % (len + 1) : 0;
            FUZZ_CHECK(kdrv::crc32(kdrv::crc32(seed, bytes.data(), cut), bytes.data() + cut,
                                   len - cut) == want);
            break;
        }
        case 5:
        {
            uint8_t disk[16];
            for (uint8_t& b : disk)
                b = in.byte();
            const kdrv::Guid g = kdrv::guidFromDisk(disk);
            FUZZ_CHECK(g.data1 == le(disk, 4) && g.data2 == le(disk + 4, 2) &&
                       g.data3 == le(disk + 6, 2));
            FUZZ_CHECK(sameGuid(g, disk));
            char text[kdrv::kGuidTextLength + 1];
            kdrv::guidFormat(g, text);
            FUZZ_CHECK(text[36] == '\0' && text[8] == '-' && text[13] == '-' && text[18] == '-' &&
                       text[23] == '-');
            kdrv::Guid back;
            FUZZ_CHECK(kdrv::guidParse(text, 36, &back) == Status::Success &&
                       kdrv::guidEqual(g, back));
            // A mutated text: parse agrees with the grammar.
            text[in.byte() % 36] = char(in.byte());
            bool grammar = true;
            for (int i = 0; i < 36; ++i)
            {
                const char c = text[i];
                if (i == 8 || i == 13 || i == 18 || i == 23)
                    grammar = grammar && c == '-';
                else
                    grammar = grammar && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                                          (c >= 'A' && c <= 'F'));
            }
            FUZZ_CHECK((kdrv::guidParse(text, 36, &back) == Status::Success) == grammar);
            FUZZ_CHECK(kdrv::guidParse(text, 35, &back) == Status::BadArgument);
            break;
        }
        default:
        {
            const size_t bufBytes = in.byte() * 4u;
            std::vector<uint8_t> buf(bufBytes ? bufBytes : 1);
            for (size_t i = 0; i < 8 && i < buf.size(); ++i)
                buf[buf.size() - 1 - i] = in.byte();
            const size_t offset = in.byte() * 4u;
            const size_t sigBytes = in.byte() & 15u;
            const uint8_t* sig = buf.data() + (buf.size() > 8 ? buf.size() - 8 : 0);
            const bool want = offset <= bufBytes && sigBytes <= bufBytes - offset &&
                              sigBytes <= 8 && memcmp(buf.data() + offset, sig, sigBytes) == 0;
            if (sigBytes <= 8 && sig + sigBytes <= buf.data() + buf.size())
                FUZZ_CHECK(kdrv::signatureMatches(bufBytes ? buf.data() : nullptr, bufBytes, offset,
                                                  sig, sigBytes) == (bufBytes != 0 && want));
            const size_t headerBytes = in.byte();
            const size_t entryBytes = in.byte() & 63u;
            const uint64_t declared = in.near(bufBytes / (entryBytes ? entryBytes : 1));
            const uint32_t maxEntries = in.byte();
            uint32_t n = 12345;
            const Status s =
                kdrv::tableEntryCount(bufBytes, headerBytes, entryBytes, declared, maxEntries, &n);
            Status w;
            if (entryBytes == 0 || headerBytes > bufBytes)
                w = Status::BadArgument;
            else if (declared > (bufBytes - headerBytes) / entryBytes)
                w = Status::BadMedia;
            else if (maxEntries != 0 && declared > maxEntries)
                w = Status::Unsupported;
            else
                w = Status::Success;
            FUZZ_CHECK(s == w);
            FUZZ_CHECK(s == Status::Success ? n == declared : n == 12345);
            const uint64_t start = in.near(1), count = in.near(8);
            kdrv::ByteExtent e = {9, 9};
            const Status es = kdrv::partitionExtent(start, count, d, &e);
            if (d.blockSize == 0)
                FUZZ_CHECK(es == Status::BadArgument);
            else if (!extentOk(start, count, d))
                FUZZ_CHECK(es == Status::BadMedia && e.offset == 9 && e.length == 9);
            else
                FUZZ_CHECK(es == Status::Success && e.offset == start * bs &&
                           e.length == count * bs);
            break;
        }
        }
    }
    return 0;
}
