// SPDX-License-Identifier: MIT
//
// GPT entry-array CRC-32: the 16 KiB array of 128 entries of 128 bytes that
// gptParseEntries verifies before it reads an entry. Contenders, all giving
// the same CRC:
//   kdrv            kdrv::crc32 (slicing by eight, tables built by the compiler)
//   zlib            zlib's crc32() (Debian zlib1g-dev, if found)
//   bytewise_table  the classic one-table loop, one byte per step
// "gpt.parse_entries_128" adds the entry walk (CRC + 128 entries, two used)
// to show what the CRC costs of a whole parse.
// Items are bytes of the array: cycles/byte = GHz / (items per second).
#include "bench_support.hpp"

#include "kdrv/partition.hpp"

#include <cstdint>
#include <cstring>
#include <vector>

#if KDRV_BENCH_HAVE_ZLIB
#include <zlib.h>
#endif

namespace
{
const size_t kEntries = 128;
const size_t kEntryBytes = 128;
const size_t kArrayBytes = kEntries * kEntryBytes;

// An entry array with two used entries and names, like a real disk.
std::vector<uint8_t> makeArray()
{
    std::vector<uint8_t> a(kArrayBytes, 0);
    for (size_t i = 0; i < 2; ++i)
    {
        uint8_t* e = a.data() + i * kEntryBytes;
        for (size_t k = 0; k < 32; ++k)
            e[k] = static_cast<uint8_t>(0x11 * (k + 1) + i);
        kdrv::storeLE64(e + 32, 34 + i * 1000);
        kdrv::storeLE64(e + 40, 34 + i * 1000 + 999);
        e[56] = 'P';
        e[58] = static_cast<uint8_t>('0' + i);
    }
    return a;
}

struct Table
{
    uint32_t t[256];
    Table()
    {
        for (uint32_t i = 0; i < 256; ++i)
        {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
            t[i] = c;
        }
    }
};
const Table g_table;

uint32_t crcBytewise(const uint8_t* p, size_t n)
{
    uint32_t c = ~0u;
    for (size_t i = 0; i < n; ++i)
        c = g_table.t[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return ~c;
}

void finishBytes(benchmark::State& state, size_t bytes)
{
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * bytes));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
    kdrvbench::setClockCounters(state);
}

void crcKdrv(benchmark::State& state)
{
    const std::vector<uint8_t> a = makeArray();
    for (auto _ : state)
    {
        benchmark::DoNotOptimize(a.data());
        benchmark::DoNotOptimize(kdrv::crc32(0, a.data(), a.size()));
    }
    finishBytes(state, a.size());
}

void crcBytewiseTable(benchmark::State& state)
{
    const std::vector<uint8_t> a = makeArray();
    if (crcBytewise(a.data(), a.size()) != kdrv::crc32(0, a.data(), a.size()))
        state.SkipWithError("bytewise CRC disagrees with kdrv");
    for (auto _ : state)
    {
        benchmark::DoNotOptimize(a.data());
        benchmark::DoNotOptimize(crcBytewise(a.data(), a.size()));
    }
    finishBytes(state, a.size());
}

#if KDRV_BENCH_HAVE_ZLIB
void crcZlib(benchmark::State& state)
{
    const std::vector<uint8_t> a = makeArray();
    if (::crc32(0L, a.data(), static_cast<uInt>(a.size())) != kdrv::crc32(0, a.data(), a.size()))
        state.SkipWithError("zlib CRC disagrees with kdrv");
    for (auto _ : state)
    {
        benchmark::DoNotOptimize(a.data());
        benchmark::DoNotOptimize(::crc32(0L, a.data(), static_cast<uInt>(a.size())));
    }
    finishBytes(state, a.size());
}
#endif

void parseEntriesKdrv(benchmark::State& state)
{
    const std::vector<uint8_t> a = makeArray();
    kdrv::GptHeader h;
    std::memset(&h, 0, sizeof h);
    h.firstUsableLba = 34;
    h.lastUsableLba = 4000;
    h.entryCount = kEntries;
    h.entrySize = kEntryBytes;
    h.entryArrayCrc = kdrv::crc32(0, a.data(), a.size());
    const kdrv::BlockDevice disk = kdrv::makeBlockDevice(512, 4096);
    kdrv::Partition out[4];
    kdrv::PartitionScan scan;
    for (auto _ : state)
    {
        benchmark::DoNotOptimize(a.data());
        const kdrv::Status s = kdrv::gptParseEntries(h, a.data(), a.size(), disk, out, 4, &scan);
        benchmark::DoNotOptimize(s);
        benchmark::DoNotOptimize(out);
    }
    if (scan.stored != 2)
        state.SkipWithError("parse found the wrong entries");
    finishBytes(state, a.size());
}
} // namespace

BENCHMARK(crcKdrv)->Name("gpt.entry_crc32_128/kdrv");
#if KDRV_BENCH_HAVE_ZLIB
BENCHMARK(crcZlib)->Name("gpt.entry_crc32_128/zlib");
#endif
BENCHMARK(crcBytewiseTable)->Name("gpt.entry_crc32_128/bytewise_table");
BENCHMARK(parseEntriesKdrv)->Name("gpt.parse_entries_128/kdrv");
