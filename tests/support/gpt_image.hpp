// SPDX-License-Identifier: MIT
//
// Builds disk images with a protective MBR and primary and backup GPTs, as
// the UEFI layout describes them, for the partition tests, the partition
// fuzzer and the RAM-disk example's tests. Independent of partition.hpp: its
// own byte writers and a bitwise CRC-32 written from the polynomial.
#ifndef KDRV_TESTS_GPT_IMAGE_HPP
#define KDRV_TESTS_GPT_IMAGE_HPP

#include <initializer_list>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <string>
#include <vector>

namespace gptimage
{
inline void put16(uint8_t* p, uint16_t v)
{
    p[0] = uint8_t(v);
    p[1] = uint8_t(v >> 8);
}
inline void put32(uint8_t* p, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        p[i] = uint8_t(v >> (8 * i));
}
inline void put64(uint8_t* p, uint64_t v)
{
    for (int i = 0; i < 8; ++i)
        p[i] = uint8_t(v >> (8 * i));
}
inline uint32_t get32(const uint8_t* p)
{
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

// Bit by bit, reflected, polynomial 0xEDB88320.
inline uint32_t crc32Bitwise(const uint8_t* p, size_t n, uint32_t seed = 0)
{
    uint32_t c = ~seed;
    for (size_t i = 0; i < n; ++i)
    {
        c ^= p[i];
        for (int k = 0; k < 8; ++k)
            c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
    }
    return ~c;
}

// "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX" to the 16 mixed-endian disk bytes.
inline void guidBytes(const char* text, uint8_t* out)
{
    uint8_t b[16];
    int n = 0;
    for (const char* c = text; *c && n < 32; ++c)
    {
        if (*c == '-')
            continue;
        int d = (*c >= '0' && *c <= '9') ? *c - '0' : ((*c | 0x20) - 'a' + 10);
        if (n % 2 == 0)
            b[n / 2] = uint8_t(d << 4);
        else
            b[n / 2] = uint8_t(b[n / 2] | d);
        ++n;
    }
    const uint8_t order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    for (int i = 0; i < 16; ++i)
        out[i] = b[order[i]];
}

const char* const kBookGuid = "8D7FD0BB-39A8-43C0-9432-F4E1A269F070";
const char* const kBasicDataGuid = "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7";
const char* const kDiskGuid = "12345678-9ABC-DEF0-1122-334455667788";

struct Entry
{
    std::string type; // GUID text; empty: unused slot
    std::string unique;
    uint64_t start;
    uint64_t end; // inclusive
    uint64_t attributes;
    std::string name; // ASCII, stored as UTF-16LE
};

struct Spec
{
    uint32_t blockSize = 512;
    uint64_t blocks = 2048;
    uint32_t entryCount = 128;
    uint32_t entrySize = 128;
    std::vector<Entry> entries;
};

struct Layout
{
    uint64_t arrayBlocks;
    uint64_t primaryArrayLba;
    uint64_t backupArrayLba;
    uint64_t backupHeaderLba;
    uint64_t firstUsable;
    uint64_t lastUsable;
};

inline Layout layoutOf(const Spec& s)
{
    Layout l;
    const uint64_t bytes = uint64_t(s.entryCount) * s.entrySize;
    l.arrayBlocks = (bytes + s.blockSize - 1) / s.blockSize;
    l.primaryArrayLba = 2;
    l.backupHeaderLba = s.blocks - 1;
    l.backupArrayLba = l.backupHeaderLba - l.arrayBlocks;
    l.firstUsable = 2 + l.arrayBlocks;
    l.lastUsable = l.backupArrayLba - 1;
    return l;
}

inline uint8_t* block(std::vector<uint8_t>& img, const Spec& s, uint64_t lba)
{
    return img.data() + lba * s.blockSize;
}

// Recomputes the header CRC of the header at lba (after a test edits it).
inline void fixHeaderCrc(std::vector<uint8_t>& img, const Spec& s, uint64_t lba)
{
    uint8_t* h = block(img, s, lba);
    const uint32_t size = get32(h + 12);
    put32(h + 16, 0);
    put32(h + 16, crc32Bitwise(h, size <= s.blockSize ? size : s.blockSize));
}

// Recomputes both entry-array CRCs and then both header CRCs.
inline void fixArrayCrcs(std::vector<uint8_t>& img, const Spec& s)
{
    const Layout l = layoutOf(s);
    const size_t bytes = size_t(s.entryCount) * s.entrySize;
    for (uint64_t lba : {uint64_t(1), l.backupHeaderLba})
    {
        uint8_t* h = block(img, s, lba);
        const uint64_t arrayLba = lba == 1 ? l.primaryArrayLba : l.backupArrayLba;
        put32(h + 88, crc32Bitwise(block(img, s, arrayLba), bytes));
        fixHeaderCrc(img, s, lba);
    }
}

inline void writeEntry(uint8_t* e, const Entry& x)
{
    memset(e, 0, 128);
    if (x.type.empty())
        return;
    guidBytes(x.type.c_str(), e);
    guidBytes(x.unique.empty() ? kDiskGuid : x.unique.c_str(), e + 16);
    put64(e + 32, x.start);
    put64(e + 40, x.end);
    put64(e + 48, x.attributes);
    for (size_t i = 0; i < x.name.size() && i < 36; ++i)
        put16(e + 56 + 2 * i, uint16_t(uint8_t(x.name[i])));
}

// The entry at `index` of the primary array (for tests that edit it).
inline uint8_t* primaryEntry(std::vector<uint8_t>& img, const Spec& s, uint32_t index)
{
    return block(img, s, 2) + size_t(index) * s.entrySize;
}

inline std::vector<uint8_t> build(const Spec& s)
{
    std::vector<uint8_t> img(size_t(s.blocks) * s.blockSize, 0);
    const Layout l = layoutOf(s);
    // Protective MBR.
    uint8_t* mbr = img.data();
    mbr[446 + 4] = 0xEE;
    put32(mbr + 446 + 8, 1);
    put32(mbr + 446 + 12, uint32_t(s.blocks - 1 > 0xFFFFFFFFu ? 0xFFFFFFFFu : s.blocks - 1));
    mbr[510] = 0x55;
    mbr[511] = 0xAA;
    // Entry arrays.
    for (uint64_t arrayLba : {l.primaryArrayLba, l.backupArrayLba})
    {
        uint8_t* a = block(img, s, arrayLba);
        for (size_t i = 0; i < s.entries.size() && i < s.entryCount; ++i)
            writeEntry(a + i * s.entrySize, s.entries[i]);
    }
    const uint32_t arrayCrc =
        crc32Bitwise(block(img, s, l.primaryArrayLba), size_t(s.entryCount) * s.entrySize);
    // Headers.
    for (int backup = 0; backup < 2; ++backup)
    {
        const uint64_t my = backup ? l.backupHeaderLba : 1;
        const uint64_t other = backup ? 1 : l.backupHeaderLba;
        uint8_t* h = block(img, s, my);
        memcpy(h, "EFI PART", 8);
        put32(h + 8, 0x00010000);
        put32(h + 12, 92);
        put64(h + 24, my);
        put64(h + 32, other);
        put64(h + 40, l.firstUsable);
        put64(h + 48, l.lastUsable);
        guidBytes(kDiskGuid, h + 56);
        put64(h + 72, backup ? l.backupArrayLba : l.primaryArrayLba);
        put32(h + 80, s.entryCount);
        put32(h + 84, s.entrySize);
        put32(h + 88, arrayCrc);
        fixHeaderCrc(img, s, my);
    }
    return img;
}

// A typical disk: two partitions, the book's GUID and a basic-data one.
inline Spec typical()
{
    Spec s;
    s.entries.push_back({kBookGuid, "00000000-0000-0000-0000-000000000001", 34, 1033, 0, "Sample"});
    s.entries.push_back(
        {kBasicDataGuid, "00000000-0000-0000-0000-000000000002", 1034, 2014, 1, "Data"});
    return s;
}
} // namespace gptimage

#endif // KDRV_TESTS_GPT_IMAGE_HPP
