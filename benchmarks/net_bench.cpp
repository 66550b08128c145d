// SPDX-License-Identifier: MIT
//
// Packet data paths: the Internet checksum and copying out of a segment
// chain.
//
// net.checksum/<impl>/<bytes>: the ones' complement sum (not complemented)
// of 64 B, 1500 B and 64 KiB at an odd address (packet payloads are rarely
// aligned). Contenders, all giving the same value (checked before timing):
//   kdrv            kdrv::onesComplementSum
//   dpdk_raw_cksum  DPDK's rte_raw_cksum (rte_ip.h, header-inline), swapped
//                   to the same byte order
//   loop16          a straightforward loop over big-endian 16-bit words with
//                   a 32-bit accumulator, folded at the end
// Items are checksums; bytes per second are reported too.
//
// seg.copy_out/<impl>/<segments>: 1500 bytes spread evenly over 1, 4 or 16
// segments (each in its own buffer), copied to one flat buffer:
//   kdrv           kdrv::SegChain::copyOut(0, 1500, dst)
//   byte_walk      a walk that copies one byte at a time, advancing through
//                  the chain (the naive mbuf_copydata)
//   memcpy_limit   one memcpy of 1500 contiguous bytes: the floor, not a
//                  chain walker
#include "bench_support.hpp"

#include "kdrv/net_headers.hpp"
#include "kdrv/seg_chain.hpp"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#if KDRV_BENCH_HAVE_DPDK
#include <rte_byteorder.h>
#include <rte_ip.h>
#endif

namespace
{
std::vector<uint8_t> randomBytes(size_t n)
{
    std::vector<uint8_t> v(n);
    uint32_t s = 0x12345678u;
    for (auto& b : v)
    {
        s = s * 1664525u + 1013904223u;
        b = static_cast<uint8_t>(s >> 24);
    }
    return v;
}

uint16_t loop16(const uint8_t* p, size_t n)
{
    uint32_t sum = 0;
    size_t i = 0;
    for (; i + 1 < n; i += 2)
        sum += static_cast<uint32_t>(p[i]) << 8 | p[i + 1];
    if (i < n)
        sum += static_cast<uint32_t>(p[i]) << 8;
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<uint16_t>(sum);
}

#if KDRV_BENCH_HAVE_DPDK
uint16_t dpdkSum(const uint8_t* p, size_t n) { return rte_be_to_cpu_16(rte_raw_cksum(p, n)); }
#endif

typedef uint16_t (*SumFn)(const uint8_t*, size_t);

uint16_t kdrvSum(const uint8_t* p, size_t n) { return kdrv::onesComplementSum(p, n); }

void checksumBench(benchmark::State& state, SumFn fn)
{
    const size_t n = static_cast<size_t>(state.range(0));
    std::vector<uint8_t> buf = randomBytes(n + 1);
    const uint8_t* p = buf.data() + 1; // odd address
    if (fn(p, n) != loop16(p, n))
    {
        state.SkipWithError("checksum differs from the 16-bit reference");
        return;
    }
    for (auto _ : state)
    {
        benchmark::DoNotOptimize(p);
        benchmark::DoNotOptimize(fn(p, n));
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n));
    kdrvbench::finishPerOperation(state);
}

const uint32_t kCopyBytes = 1500;

struct Chain
{
    std::vector<std::vector<uint8_t>> bufs;
    std::vector<kdrv::SegChainNode> nodes;
    std::vector<uint8_t> flat;
    explicit Chain(uint32_t segments) : bufs(segments), nodes(segments)
    {
        flat = randomBytes(kCopyBytes);
        uint32_t pos = 0;
        for (uint32_t i = 0; i < segments; ++i)
        {
            const uint32_t len = (kCopyBytes - pos) / (segments - i);
            bufs[i].assign(flat.begin() + pos, flat.begin() + pos + len);
            nodes[i].data = bufs[i].data();
            nodes[i].len = len;
            pos += len;
        }
        (void)kdrv::segChainLink(nodes.data(), segments);
    }
};

void copyKdrv(benchmark::State& state)
{
    Chain c(static_cast<uint32_t>(state.range(0)));
    std::vector<uint8_t> dst(kCopyBytes);
    const kdrv::SegChain chain(&c.nodes[0]);
    if (chain.copyOut(0, kCopyBytes, dst.data()) != kdrv::Status::Success || dst != c.flat)
    {
        state.SkipWithError("copyOut mismatch");
        return;
    }
    for (auto _ : state)
    {
        benchmark::DoNotOptimize(chain.copyOut(0, kCopyBytes, dst.data()));
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kCopyBytes));
    kdrvbench::finishPerOperation(state);
}

// The naive walk: one byte per step, moving to the next node at each end.
KDRV_NOINLINE void byteWalk(const kdrv::SegChainNode* n, uint32_t len, uint8_t* dst)
{
    uint32_t at = 0;
    for (uint32_t i = 0; i < len; ++i)
    {
        while (at == n->len)
        {
            n = n->next;
            at = 0;
        }
        dst[i] = n->data[at++];
    }
}

void copyByteWalk(benchmark::State& state)
{
    Chain c(static_cast<uint32_t>(state.range(0)));
    std::vector<uint8_t> dst(kCopyBytes);
    byteWalk(&c.nodes[0], kCopyBytes, dst.data());
    if (dst != c.flat)
    {
        state.SkipWithError("byte walk mismatch");
        return;
    }
    for (auto _ : state)
    {
        byteWalk(&c.nodes[0], kCopyBytes, dst.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kCopyBytes));
    kdrvbench::finishPerOperation(state);
}

void copyMemcpy(benchmark::State& state)
{
    Chain c(1);
    std::vector<uint8_t> dst(kCopyBytes);
    const uint8_t* src = c.flat.data();
    uint8_t* out = dst.data();
    for (auto _ : state)
    {
        benchmark::DoNotOptimize(src);
        benchmark::DoNotOptimize(out);
        std::memcpy(out, src, kCopyBytes);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kCopyBytes));
    kdrvbench::finishPerOperation(state);
}

int registerAll()
{
    const int64_t sizes[] = {64, 1500, 65536};
    for (int64_t n : sizes)
    {
        benchmark::RegisterBenchmark("net.checksum/kdrv", checksumBench, kdrvSum)->Arg(n);
#if KDRV_BENCH_HAVE_DPDK
        benchmark::RegisterBenchmark("net.checksum/dpdk_raw_cksum", checksumBench, dpdkSum)->Arg(n);
#endif
        benchmark::RegisterBenchmark("net.checksum/loop16", checksumBench, loop16)->Arg(n);
    }
    const int64_t segments[] = {1, 4, 16};
    for (int64_t s : segments)
    {
        benchmark::RegisterBenchmark("seg.copy_out/kdrv", copyKdrv)->Arg(s);
        benchmark::RegisterBenchmark("seg.copy_out/byte_walk", copyByteWalk)->Arg(s);
        benchmark::RegisterBenchmark("seg.copy_out/memcpy_limit", copyMemcpy)->Arg(s);
    }
    return 0;
}
const int g_registered = registerAll();
} // namespace
