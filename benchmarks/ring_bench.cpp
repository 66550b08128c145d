// SPDX-License-Identifier: MIT
//
// Byte rings: kdrv::ByteRing next to boost::lockfree::spsc_queue,
// boost::circular_buffer, moodycamel::ReaderWriterQueue, atomic_queue,
// ck_ring, DPDK rte_ring (rte_ring_init needs no EAL), a spin-locked and a
// std::mutex-locked ring, and two bare memcpy calls as the limit of the bulk
// paths. Then the copy primitive next to memcpy, rte_memcpy and rep movsb.
//
// Names: "ring.<path>/<implementation>", kdrv's own "kdrv".
//   put_get          one byte in, one byte out (items = bytes)
//   burst64          64 single-byte puts, then 64 gets
//   bulk_<n>         write n bytes, read n bytes (one round trip per iteration)
//   bulk_4096_cap4095  kdrv with a non-power-of-two capacity over 4 KiB storage
//                    (kdrv needs power-of-two storage; peers that take any
//                    size are not slower for it either, so only kdrv is shown)
//   wrap_3000        3000-byte round trips in a 4 KiB ring: nearly every
//                    operation straddles the end
//   stream_byte      two pinned threads, single-byte producer and consumer
//   stream_4k        two pinned threads, 4 KiB chunks
//   copy_<n>[_misaligned]  the copy primitives alone
#include "bench_support.hpp"

#include "kdrv/byte_ring.hpp"
#include "kdrv/locked_byte_ring.hpp"

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#if KDRV_BENCH_HAVE_BOOST
#include <boost/circular_buffer.hpp>
#include <boost/lockfree/spsc_queue.hpp>
#endif
#if KDRV_BENCH_HAVE_MOODYCAMEL
#include <readerwriterqueue.h>
#endif
#if KDRV_BENCH_HAVE_ATOMIC_QUEUE
#include <atomic_queue/atomic_queue.h>
#endif
#if KDRV_BENCH_HAVE_DPDK
#include <rte_memcpy.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#endif

namespace
{
constexpr uint32_t kRingBytes = 64 * 1024; // fits the 32 KiB round trip

// ---- adapters: bool push(uint8_t), bool pop(uint8_t&), size_t write/read --

struct KdrvRing
{
    static const char* name() { return "kdrv"; }
    KdrvRing(uint32_t capacity = kRingBytes) : storage(capacity)
    {
        if (ring.init(storage.data(), capacity) != kdrv::Status::Success)
            std::abort();
    }
    bool push(uint8_t b) { return ring.put(b); }
    bool pop(uint8_t& b) { return ring.get(&b); }
    size_t write(const uint8_t* p, size_t n) { return ring.write(p, static_cast<uint32_t>(n)); }
    size_t read(uint8_t* p, size_t n) { return ring.read(p, static_cast<uint32_t>(n)); }
    template <class F> void burst(int n, F&& value)
    {
        kdrv::ByteRingPutBatch batch(ring);
        for (int i = 0; i < n; ++i)
            benchmark::DoNotOptimize(batch.put(value(i)));
    }
    template <class F> void drain(int n, F&& sink)
    {
        kdrv::ByteRingGetBatch batch(ring);
        uint8_t b;
        for (int i = 0; i < n; ++i)
            if (batch.get(&b))
                sink(b);
    }
    std::vector<uint8_t> storage;
    kdrv::ByteRing ring;
};

// kdrv's zero-copy calls filled with plain memcpy: the ring with the C
// library's copy, to separate the ring from the copy primitive.
struct KdrvRingMemcpy : KdrvRing
{
    static const char* name() { return "kdrv_zero_copy_memcpy"; }
    using KdrvRing::KdrvRing;
    size_t write(const uint8_t* p, size_t n)
    {
        kdrv::ByteRingSpan s[2];
        uint32_t total = ring.reserve(s, static_cast<uint32_t>(n));
        std::memcpy(s[0].data, p, s[0].size);
        std::memcpy(s[1].data, p + s[0].size, s[1].size);
        (void)ring.commit(total);
        return total;
    }
    size_t read(uint8_t* p, size_t n)
    {
        kdrv::ByteRingConstSpan s[2];
        uint32_t total = ring.peek(s, static_cast<uint32_t>(n));
        std::memcpy(p, s[0].data, s[0].size);
        std::memcpy(p + s[0].size, s[1].data, s[1].size);
        (void)ring.consume(total);
        return total;
    }
};

struct KdrvLocked
{
    static const char* name() { return "kdrv_locked"; }
    KdrvLocked(uint32_t capacity = kRingBytes) : storage(capacity)
    {
        if (ring.init(storage.data(), capacity) != kdrv::Status::Success)
            std::abort();
    }
    bool push(uint8_t b) { return ring.put(b); }
    bool pop(uint8_t& b) { return ring.get(&b); }
    size_t write(const uint8_t* p, size_t n) { return ring.write(p, static_cast<uint32_t>(n)); }
    size_t read(uint8_t* p, size_t n) { return ring.read(p, static_cast<uint32_t>(n)); }
    std::vector<uint8_t> storage;
    kdrv::LockedByteRing ring;
};

// A std::mutex around kdrv's ring: the cost of a sleeping lock per call.
struct StdMutexRing
{
    static const char* name() { return "std_mutex"; }
    StdMutexRing(uint32_t capacity = kRingBytes) : inner(capacity) {}
    bool push(uint8_t b)
    {
        std::lock_guard<std::mutex> g(m);
        return inner.push(b);
    }
    bool pop(uint8_t& b)
    {
        std::lock_guard<std::mutex> g(m);
        return inner.pop(b);
    }
    size_t write(const uint8_t* p, size_t n)
    {
        std::lock_guard<std::mutex> g(m);
        return inner.write(p, n);
    }
    size_t read(uint8_t* p, size_t n)
    {
        std::lock_guard<std::mutex> g(m);
        return inner.read(p, n);
    }
    std::mutex m;
    KdrvRing inner;
};

#if KDRV_BENCH_HAVE_BOOST
struct BoostSpsc
{
    static const char* name() { return "boost_spsc"; }
    explicit BoostSpsc(uint32_t capacity = kRingBytes) : q(capacity) {}
    bool push(uint8_t b) { return q.push(b); }
    bool pop(uint8_t& b) { return q.pop(b); }
    size_t write(const uint8_t* p, size_t n) { return q.push(p, n); }
    size_t read(uint8_t* p, size_t n) { return q.pop(p, n); }
    boost::lockfree::spsc_queue<uint8_t> q;
};

// boost::circular_buffer is not thread-safe: single-thread paths only.
struct BoostCircular
{
    static const char* name() { return "boost_circular_buffer"; }
    explicit BoostCircular(uint32_t capacity = kRingBytes) : q(capacity) {}
    bool push(uint8_t b)
    {
        if (q.full())
            return false;
        q.push_back(b);
        return true;
    }
    bool pop(uint8_t& b)
    {
        if (q.empty())
            return false;
        b = q.front();
        q.pop_front();
        return true;
    }
    size_t write(const uint8_t* p, size_t n)
    {
        n = std::min(n, q.capacity() - q.size());
        q.insert(q.end(), p, p + n);
        return n;
    }
    size_t read(uint8_t* p, size_t n)
    {
        n = std::min(n, q.size());
        std::copy(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(n), p);
        q.erase_begin(n);
        return n;
    }
    boost::circular_buffer<uint8_t> q;
};
#endif

#if KDRV_BENCH_HAVE_MOODYCAMEL
struct Moodycamel
{
    static const char* name() { return "moodycamel_rwq"; }
    explicit Moodycamel(uint32_t capacity = kRingBytes) : q(capacity) {}
    bool push(uint8_t b) { return q.try_enqueue(b); }
    bool pop(uint8_t& b) { return q.try_dequeue(b); }
    moodycamel::ReaderWriterQueue<uint8_t> q;
};
#endif

#if KDRV_BENCH_HAVE_ATOMIC_QUEUE
struct AtomicQueueSpsc
{
    static const char* name() { return "atomic_queue"; }
    explicit AtomicQueueSpsc(uint32_t = kRingBytes) {}
    bool push(uint8_t b) { return q.try_push(b); }
    bool pop(uint8_t& b) { return q.try_pop(b); }
    // SPSC, maximize throughput, no total order; minimize contention on.
    atomic_queue::AtomicQueue2<uint8_t, 4096, true, true, false, true> q;
};
#endif

#if KDRV_BENCH_HAVE_CK
struct CkRing
{
    static const char* name() { return "ck_ring"; }
    explicit CkRing(uint32_t capacity = 4096) : buffer(capacity) { ck_ring_init(&ring, capacity); }
    bool push(uint8_t b)
    {
        return ck_ring_enqueue_spsc(&ring, buffer.data(),
                                    reinterpret_cast<void*>(static_cast<uintptr_t>(b)));
    }
    bool pop(uint8_t& b)
    {
        void* v;
        if (!ck_ring_dequeue_spsc(&ring, buffer.data(), &v))
            return false;
        b = static_cast<uint8_t>(reinterpret_cast<uintptr_t>(v));
        return true;
    }
    alignas(128) ck_ring_t ring;
    std::vector<ck_ring_buffer_t> buffer;
};
#endif

#if KDRV_BENCH_HAVE_DPDK
// rte_ring over plain memory (rte_ring_init, no EAL). Bytes travel as
// 4-byte elements (rte_ring's smallest); bulk chunks as 16-byte elements.
struct RteRing
{
    static const char* name() { return "rte_ring"; }
    explicit RteRing(uint32_t count = 4096, unsigned esize = 4) : esize_(esize)
    {
        ssize_t size = rte_ring_get_memsize_elem(esize, count);
        if (size < 0)
            std::abort();
        mem = static_cast<uint8_t*>(
            std::aligned_alloc(128, (static_cast<size_t>(size) + 127) & ~size_t(127)));
        r = reinterpret_cast<struct rte_ring*>(mem);
        // rte_ring_init only fills in the header; the element size is given
        // to each _elem call, and the memory is sized for it above.
        if (rte_ring_init(r, "kdrvbench", count, RING_F_SP_ENQ | RING_F_SC_DEQ) != 0)
            std::abort();
    }
    ~RteRing() { std::free(mem); }
    bool push(uint8_t b)
    {
        uint32_t v = b;
        return rte_ring_sp_enqueue_elem(r, &v, 4) == 0;
    }
    bool pop(uint8_t& b)
    {
        uint32_t v;
        if (rte_ring_sc_dequeue_elem(r, &v, 4) != 0)
            return false;
        b = static_cast<uint8_t>(v);
        return true;
    }
    // n must be a multiple of 16 (16-byte elements).
    size_t write(const uint8_t* p, size_t n)
    {
        return 16u *
               rte_ring_sp_enqueue_burst_elem(r, p, 16, static_cast<unsigned>(n / 16), nullptr);
    }
    size_t read(uint8_t* p, size_t n)
    {
        return 16u *
               rte_ring_sc_dequeue_burst_elem(r, p, 16, static_cast<unsigned>(n / 16), nullptr);
    }
    unsigned esize_;
    uint8_t* mem;
    struct rte_ring* r;
};
#endif

// Makes the buffers and the ring reachable from outside, so that
// ClobberMemory() keeps every copy into them (heap memory that never escapes
// may otherwise be optimized away).
template <class T> void escape(const uint8_t* src, uint8_t* dst, T& object)
{
    const void* a = src;
    void* b = dst;
    void* c = &object;
    benchmark::DoNotOptimize(a);
    benchmark::DoNotOptimize(b);
    benchmark::DoNotOptimize(c);
}

void finish(benchmark::State& state, int64_t bytesPerIteration)
{
    state.SetItemsProcessed(state.iterations() * bytesPerIteration);
    state.SetBytesProcessed(state.iterations() * bytesPerIteration);
    kdrvbench::setClockCounters(state);
}

// ---- single thread ---------------------------------------------------------

template <class Ring> void putGet(benchmark::State& state)
{
    Ring ring(4096);
    uint8_t b = 0, v = 1;
    unsigned sum = 0;
    for (auto _ : state)
    {
        benchmark::DoNotOptimize(ring.push(v++));
        benchmark::DoNotOptimize(ring.pop(b));
        sum += b;
    }
    benchmark::DoNotOptimize(sum);
    finish(state, 1);
}

template <class Ring> void burst64(benchmark::State& state)
{
    Ring ring(4096);
    unsigned sum = 0;
    for (auto _ : state)
    {
        for (int i = 0; i < 64; ++i)
            benchmark::DoNotOptimize(ring.push(static_cast<uint8_t>(i)));
        uint8_t b;
        for (int i = 0; i < 64; ++i)
        {
            if (ring.pop(b))
                sum += b;
        }
        benchmark::ClobberMemory();
    }
    benchmark::DoNotOptimize(sum);
    finish(state, 64);
}

// kdrv's burst path is its batch API.
template <> void burst64<KdrvRing>(benchmark::State& state)
{
    KdrvRing ring(4096);
    unsigned sum = 0;
    for (auto _ : state)
    {
        ring.burst(64, [](int i) { return static_cast<uint8_t>(i); });
        ring.drain(64, [&sum](uint8_t b) { sum += b; });
        benchmark::ClobberMemory();
    }
    benchmark::DoNotOptimize(sum);
    finish(state, 64);
}

template <class Ring> void bulk(benchmark::State& state, size_t n)
{
    Ring ring(kRingBytes);
    std::vector<uint8_t> src(n, 0x5A), dst(n);
    escape(src.data(), dst.data(), ring);
    for (auto _ : state)
    {
        size_t w = ring.write(src.data(), n);
        size_t r = ring.read(dst.data(), n);
        if (w != n || r != n)
        {
            state.SkipWithError("short transfer");
            break;
        }
        benchmark::ClobberMemory();
    }
    finish(state, static_cast<int64_t>(n));
}

// The limit: the same bytes copied twice with nothing else.
void bulkTwoMemcpy(benchmark::State& state, size_t n)
{
    std::vector<uint8_t> src(n, 0x5A), mid(kRingBytes), dst(n);
    escape(src.data(), dst.data(), mid);
    for (auto _ : state)
    {
        std::memcpy(mid.data(), src.data(), n);
        benchmark::ClobberMemory();
        std::memcpy(dst.data(), mid.data(), n);
        benchmark::ClobberMemory();
    }
    finish(state, static_cast<int64_t>(n));
}

void bulkCap4095(benchmark::State& state)
{
    std::vector<uint8_t> storage(4096), src(4095, 1), dst(4095);
    kdrv::ByteRing ring;
    if (ring.init(storage.data(), 4096, 4095) != kdrv::Status::Success)
        std::abort();
    escape(src.data(), dst.data(), storage);
    for (auto _ : state)
    {
        benchmark::DoNotOptimize(ring.write(src.data(), 4095));
        benchmark::DoNotOptimize(ring.read(dst.data(), 4095));
        benchmark::ClobberMemory();
    }
    finish(state, 4095);
}

template <class Ring> void wrapHeavy(benchmark::State& state)
{
    Ring ring(4096);
    std::vector<uint8_t> src(3008, 0x33), dst(3008);
    escape(src.data(), dst.data(), ring);
    for (auto _ : state)
    {
        size_t w = ring.write(src.data(), 3008);
        size_t r = ring.read(dst.data(), 3008);
        if (w != 3008 || r != 3008)
        {
            state.SkipWithError("short transfer");
            break;
        }
        benchmark::ClobberMemory();
    }
    finish(state, 3008);
}

// ---- two threads -----------------------------------------------------------

// One ring shared by the two threads of a ->Threads(2) benchmark: thread 0
// produces, thread 1 consumes. Each iteration moves kChunk bytes per thread.
template <class Ring> struct Shared
{
    static Ring* ring;
};
template <class Ring> Ring* Shared<Ring>::ring = nullptr;

constexpr size_t kStreamChunk = 4096;
// The two-thread bulk stream is the noisiest row (threads may be time-sliced
// on a busy 2-vCPU machine): its median is over five repetitions, whatever
// --benchmark_repetitions says.
constexpr int kStreamRepetitions = 5;

template <class Ring> void streamByte(benchmark::State& state)
{
    if (state.thread_index() == 0)
        Shared<Ring>::ring = new Ring(4096);
    kdrvbench::pinThreadToCpu(state.thread_index());
    uint64_t errors = 0;
    size_t seq = 0;
    for (auto _ : state)
    {
        Ring* ring = Shared<Ring>::ring;
        if (state.thread_index() == 0)
        {
            for (size_t i = 0; i < kStreamChunk; ++i, ++seq)
                while (!ring->push(static_cast<uint8_t>(seq)))
                    kdrv::cpuRelax();
        }
        else
        {
            uint8_t b;
            for (size_t i = 0; i < kStreamChunk; ++i, ++seq)
            {
                while (!ring->pop(b))
                    kdrv::cpuRelax();
                errors += b != static_cast<uint8_t>(seq);
            }
        }
    }
    if (errors != 0)
        state.SkipWithError("byte stream out of order");
    finish(state, static_cast<int64_t>(kStreamChunk));
    if (state.thread_index() == 0)
    {
        // Both threads have left the timed loop (Google Benchmark stops them
        // together) and moved the same number of bytes: the ring is empty.
        delete Shared<Ring>::ring;
        Shared<Ring>::ring = nullptr;
    }
}

// kdrv's byte producer publishes once per batch of 64 (its batch API).
template <> void streamByte<KdrvRing>(benchmark::State& state)
{
    if (state.thread_index() == 0)
        Shared<KdrvRing>::ring = new KdrvRing(4096);
    kdrvbench::pinThreadToCpu(state.thread_index());
    uint64_t errors = 0;
    size_t seq = 0;
    for (auto _ : state)
    {
        kdrv::ByteRing& ring = Shared<KdrvRing>::ring->ring;
        if (state.thread_index() == 0)
        {
            size_t i = 0;
            while (i < kStreamChunk)
            {
                kdrv::ByteRingPutBatch batch(ring);
                for (size_t k = 0; k < 64 && i < kStreamChunk; ++k)
                {
                    if (!batch.put(static_cast<uint8_t>(seq)))
                    {
                        kdrv::cpuRelax();
                        break;
                    }
                    ++i;
                    ++seq;
                }
            }
        }
        else
        {
            size_t i = 0;
            while (i < kStreamChunk)
            {
                kdrv::ByteRingGetBatch batch(ring);
                uint8_t b;
                for (size_t k = 0; k < 64 && i < kStreamChunk; ++k)
                {
                    if (!batch.get(&b))
                    {
                        kdrv::cpuRelax();
                        break;
                    }
                    errors += b != static_cast<uint8_t>(seq);
                    ++i;
                    ++seq;
                }
            }
        }
    }
    if (errors != 0)
        state.SkipWithError("byte stream out of order");
    finish(state, static_cast<int64_t>(kStreamChunk));
    if (state.thread_index() == 0)
    {
        delete Shared<KdrvRing>::ring;
        Shared<KdrvRing>::ring = nullptr;
    }
}

template <class Ring> void stream4k(benchmark::State& state)
{
    if (state.thread_index() == 0)
        Shared<Ring>::ring = new Ring(16384);
    kdrvbench::pinThreadToCpu(state.thread_index());
    std::vector<uint8_t> buf(kStreamChunk, 0x11);
    for (auto _ : state)
    {
        Ring* ring = Shared<Ring>::ring;
        size_t done = 0;
        if (state.thread_index() == 0)
        {
            while (done < kStreamChunk)
            {
                size_t k = ring->write(buf.data() + done, kStreamChunk - done);
                if (k == 0)
                    kdrv::cpuRelax();
                done += k;
            }
        }
        else
        {
            while (done < kStreamChunk)
            {
                size_t k = ring->read(buf.data() + done, kStreamChunk - done);
                if (k == 0)
                    kdrv::cpuRelax();
                done += k;
            }
        }
        benchmark::ClobberMemory();
    }
    finish(state, static_cast<int64_t>(kStreamChunk));
    if (state.thread_index() == 0)
    {
        delete Shared<Ring>::ring;
        Shared<Ring>::ring = nullptr;
    }
}

// ---- copy primitives -------------------------------------------------------

enum class CopyKind
{
    Kdrv,
    Memcpy,
    RteMemcpy,
    RepMovsb
};

template <CopyKind kind> void copyPrimitive(benchmark::State& state, size_t n, size_t offset)
{
    std::vector<uint8_t> src(n + 64, 0x42), dst(n + 64);
    uint8_t* d = dst.data() + offset;
    const uint8_t* s = src.data() + offset;
    escape(src.data(), dst.data(), src);
    for (auto _ : state)
    {
        if (kind == CopyKind::Kdrv)
            kdrv::copyBulk(d, s, n);
        else if (kind == CopyKind::Memcpy)
            std::memcpy(d, s, n);
#if KDRV_BENCH_HAVE_DPDK
        else if (kind == CopyKind::RteMemcpy)
            rte_memcpy(d, s, n);
#endif
#if defined(__x86_64__)
        else if (kind == CopyKind::RepMovsb)
        {
            void* dd = d;
            const void* ss = s;
            size_t nn = n;
            __asm__ __volatile__("rep movsb" : "+D"(dd), "+S"(ss), "+c"(nn) : : "memory");
        }
#endif
        benchmark::ClobberMemory();
    }
    finish(state, static_cast<int64_t>(n));
}

template <CopyKind kind> void registerCopy(const char* impl)
{
    for (size_t n : {size_t(16), size_t(64), size_t(256), size_t(4096), size_t(8192), size_t(16384),
                     size_t(32768), size_t(1) << 20})
    {
        for (size_t offset : {size_t(0), size_t(1)})
        {
            std::string name =
                "ring.copy_" + std::to_string(n) + (offset ? "_misaligned/" : "/") + impl;
            benchmark::RegisterBenchmark(name.c_str(), copyPrimitive<kind>, n, offset);
        }
    }
}

// ---- registration ------------------------------------------------------------

template <class Ring> void registerSingleByte()
{
    std::string n = Ring::name();
    benchmark::RegisterBenchmark(("ring.put_get/" + n).c_str(), putGet<Ring>);
    benchmark::RegisterBenchmark(("ring.burst64/" + n).c_str(), burst64<Ring>);
    benchmark::RegisterBenchmark(("ring.stream_byte/" + n).c_str(), streamByte<Ring>)
        ->Threads(2)
        ->UseRealTime();
}

template <class Ring> void registerBulk(bool stream = true)
{
    std::string n = Ring::name();
    for (int64_t size : {16, 256, 4096, 32768})
    {
        benchmark::RegisterBenchmark(("ring.bulk_" + std::to_string(size) + "/" + n).c_str(),
                                     bulk<Ring>, static_cast<size_t>(size));
    }
    benchmark::RegisterBenchmark(("ring.wrap_3008/" + n).c_str(), wrapHeavy<Ring>);
    if (stream)
        benchmark::RegisterBenchmark(("ring.stream_4k/" + n).c_str(), stream4k<Ring>)
            ->Threads(2)
            ->UseRealTime()
            ->Repetitions(kStreamRepetitions);
}

int registerAll()
{
    registerSingleByte<KdrvRing>();
    registerBulk<KdrvRing>();
    registerBulk<KdrvRingMemcpy>(false);
    registerSingleByte<KdrvLocked>();
    registerBulk<KdrvLocked>();
    registerSingleByte<StdMutexRing>();
    registerBulk<StdMutexRing>();
#if KDRV_BENCH_HAVE_BOOST
    registerSingleByte<BoostSpsc>();
    registerBulk<BoostSpsc>();
    {
        std::string n = BoostCircular::name();
        benchmark::RegisterBenchmark(("ring.put_get/" + n).c_str(), putGet<BoostCircular>);
        benchmark::RegisterBenchmark(("ring.burst64/" + n).c_str(), burst64<BoostCircular>);
        registerBulk<BoostCircular>(false);
    }
#endif
#if KDRV_BENCH_HAVE_MOODYCAMEL
    registerSingleByte<Moodycamel>();
#endif
#if KDRV_BENCH_HAVE_ATOMIC_QUEUE
    registerSingleByte<AtomicQueueSpsc>();
#endif
#if KDRV_BENCH_HAVE_CK
    registerSingleByte<CkRing>();
#endif
#if KDRV_BENCH_HAVE_DPDK
    registerSingleByte<RteRing>();
    for (int64_t size : {16, 256, 4096, 32768})
        benchmark::RegisterBenchmark(("ring.bulk_" + std::to_string(size) + "/rte_ring16").c_str(),
                                     [](benchmark::State& st, size_t n)
                                     {
                                         RteRing ring(4096, 16);
                                         std::vector<uint8_t> src(n, 1), dst(n);
                                         escape(src.data(), dst.data(), ring);
                                         for (auto _ : st)
                                         {
                                             benchmark::DoNotOptimize(ring.write(src.data(), n));
                                             benchmark::DoNotOptimize(ring.read(dst.data(), n));
                                             benchmark::ClobberMemory();
                                         }
                                         finish(st, static_cast<int64_t>(n));
                                     },
                                     static_cast<size_t>(size));
    benchmark::RegisterBenchmark(
        "ring.stream_4k/rte_ring16",
        [](benchmark::State& st)
        {
            static RteRing* shared = nullptr;
            if (st.thread_index() == 0)
            {
                delete shared;
                shared = new RteRing(1024, 16);
            }
            kdrvbench::pinThreadToCpu(st.thread_index());
            std::vector<uint8_t> buf(kStreamChunk, 0x11);
            for (auto _ : st)
            {
                size_t done = 0;
                while (done < kStreamChunk)
                {
                    size_t k = st.thread_index() == 0
                                   ? shared->write(buf.data() + done, kStreamChunk - done)
                                   : shared->read(buf.data() + done, kStreamChunk - done);
                    if (k == 0)
                        kdrv::cpuRelax();
                    done += k;
                }
            }
            finish(st, static_cast<int64_t>(kStreamChunk));
        })
        ->Threads(2)
        ->UseRealTime()
        ->Repetitions(kStreamRepetitions);
#endif
    for (int64_t size : {16, 256, 4096, 32768})
        benchmark::RegisterBenchmark(("ring.bulk_" + std::to_string(size) + "/two_memcpy").c_str(),
                                     bulkTwoMemcpy, static_cast<size_t>(size));
    benchmark::RegisterBenchmark("ring.bulk_4096_cap4095/kdrv", bulkCap4095);
    registerCopy<CopyKind::Kdrv>("kdrv");
    registerCopy<CopyKind::Memcpy>("memcpy");
#if KDRV_BENCH_HAVE_DPDK
    registerCopy<CopyKind::RteMemcpy>("rte_memcpy");
#endif
#if defined(__x86_64__)
    registerCopy<CopyKind::RepMovsb>("rep_movsb");
#endif
    return 0;
}

const int registered = registerAll();
} // namespace
