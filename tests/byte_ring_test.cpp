// SPDX-License-Identifier: MIT
#include "kdrv/byte_ring.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <deque>
#include <random>
#include <stdlib.h>
#include <string.h>
#include <thread>
#include <vector>

namespace
{
// std::mt19937 yields unsigned long with libstdc++; tests want uint32_t.
struct TestRng
{
    explicit TestRng(uint32_t seed) : engine(seed) {}
    uint32_t operator()() { return static_cast<uint32_t>(engine()); }
    std::mt19937 engine;
};

uint32_t storageFor(uint32_t capacity)
{
    uint32_t s = 1;
    while (s < capacity)
        s <<= 1;
    return s;
}

int stressScale()
{
    const char* s = getenv("KDRV_STRESS_SCALE");
    int v = s != nullptr ? atoi(s) : 1;
    return v > 0 ? v : 1;
}

// A ring with its own storage, for any capacity.
struct TestRing
{
    explicit TestRing(uint32_t capacity) : storage(storageFor(capacity), 0xEE)
    {
        REQUIRE(ring.init(storage.data(), static_cast<uint32_t>(storage.size()), capacity) ==
                kdrv::Status::Success);
    }
    std::vector<uint8_t> storage;
    kdrv::ByteRing ring;
};
} // namespace

TEST_CASE("byte ring: init validates storage and capacity")
{
    kdrv::ByteRing ring;
    uint8_t buf[16];
    CHECK_FALSE(ring.isInitialized());
    CHECK(ring.init(nullptr, 16) == kdrv::Status::BadArgument);
    CHECK(ring.init(buf, 0) == kdrv::Status::BadArgument);
    CHECK(ring.init(buf, 12) == kdrv::Status::BadArgument);
    CHECK(ring.init(buf, 16, 0) == kdrv::Status::BadArgument);
    CHECK(ring.init(buf, 16, 17) == kdrv::Status::BadArgument);
    CHECK(ring.init(buf, 8, 5) == kdrv::Status::Success);
    CHECK(ring.isInitialized());
    CHECK(ring.capacity() == 5u);
    CHECK(ring.storageSize() == 8u);
    CHECK(ring.used() == 0u);
    CHECK(ring.space() == 5u);
    CHECK(ring.empty());
    ring.destroy();
    CHECK_FALSE(ring.isInitialized());
}

TEST_CASE("byte ring: a global ring is constant-initialized")
{
    KDRV_CONST_INIT static kdrv::ByteRing globalRing;
    CHECK_FALSE(globalRing.isInitialized());
    CHECK(alignof(kdrv::ByteRing) <= kdrv::kMaxTypeAlignment);
}

TEST_CASE("byte ring: capacities 1, 2, 3, 4095, 4096 fill and drain exactly")
{
    const uint32_t capacities[] = {1, 2, 3, 4095, 4096};
    for (uint32_t cap : capacities)
    {
        CAPTURE(cap);
        TestRing t(cap);
        for (uint32_t i = 0; i < cap; ++i)
            REQUIRE(t.ring.put(static_cast<uint8_t>(i * 7)));
        CHECK(t.ring.full());
        CHECK(t.ring.space() == 0u);
        CHECK_FALSE(t.ring.put(0xAA));
        uint8_t extra = 1;
        CHECK(t.ring.write(&extra, 1) == 0u);
        CHECK(t.ring.used() == cap);
        for (uint32_t i = 0; i < cap; ++i)
        {
            uint8_t b = 0;
            REQUIRE(t.ring.get(&b));
            CHECK(b == static_cast<uint8_t>(i * 7));
        }
        uint8_t b = 0x5A;
        CHECK_FALSE(t.ring.get(&b));
        CHECK(b == 0x5A);
        CHECK(t.ring.empty());
        // Storage beyond the capacity is never touched when capacity < storage.
        if (cap < t.storage.size())
        {
            for (size_t i = cap; i < t.storage.size(); ++i)
                CHECK(t.storage[i] == 0xEE);
        }
    }
}

TEST_CASE("byte ring: zero-size bulk operations")
{
    TestRing t(8);
    CHECK(t.ring.write(nullptr, 0) == 0u);
    CHECK(t.ring.read(nullptr, 0) == 0u);
    uint8_t x[4] = {1, 2, 3, 4};
    CHECK(t.ring.write(x, 0) == 0u);
    CHECK(t.ring.used() == 0u);
    CHECK(t.ring.consume(0) == kdrv::Status::Success);
    kdrv::ByteRingSpan spans[2];
    CHECK(t.ring.reserve(spans, 0) == 0u);
    CHECK(t.ring.commit(0) == kdrv::Status::Success);
}

TEST_CASE("byte ring: write exactly capacity, then capacity + 1 gives a partial count")
{
    TestRing t(4096);
    std::vector<uint8_t> src(4097);
    for (size_t i = 0; i < src.size(); ++i)
        src[i] = static_cast<uint8_t>(i ^ (i >> 8));
    CHECK(t.ring.write(src.data(), 4096) == 4096u);
    CHECK(t.ring.write(src.data(), 1) == 0u);
    std::vector<uint8_t> dst(4097);
    CHECK(t.ring.read(dst.data(), 4097) == 4096u);
    CHECK(memcmp(src.data(), dst.data(), 4096) == 0);
    CHECK(t.ring.read(dst.data(), 1) == 0u);
    CHECK(t.ring.write(src.data(), 4097) == 4096u);
    CHECK(t.ring.full());
}

TEST_CASE("byte ring: bulk operations straddling the end use two spans")
{
    TestRing t(16);
    uint8_t src[16];
    for (int i = 0; i < 16; ++i)
        src[i] = static_cast<uint8_t>(100 + i);
    uint8_t dst[16] = {0};
    REQUIRE(t.ring.write(src, 12) == 12u);
    REQUIRE(t.ring.read(dst, 12) == 12u);
    // in == out == 12: a 10-byte write wraps (4 at the end, 6 at the start).
    REQUIRE(t.ring.write(src, 10) == 10u);
    CHECK(memcmp(t.storage.data() + 12, src, 4) == 0);
    CHECK(memcmp(t.storage.data(), src + 4, 6) == 0);
    kdrv::ByteRingConstSpan spans[2];
    CHECK(t.ring.peek(spans) == 10u);
    CHECK(spans[0].data == t.storage.data() + 12);
    CHECK(spans[0].size == 4u);
    CHECK(spans[1].data == t.storage.data());
    CHECK(spans[1].size == 6u);
    CHECK(t.ring.peek(spans, 3) == 3u);
    CHECK(spans[0].size == 3u);
    CHECK(spans[1].size == 0u);
    CHECK(t.ring.read(dst, 16) == 10u);
    CHECK(memcmp(dst, src, 10) == 0);
}

TEST_CASE("byte ring: reserve/commit and peek/consume across the wrap")
{
    TestRing t(8);
    uint8_t scratch[8];
    REQUIRE(t.ring.write(scratch, 6) == 6u);
    REQUIRE(t.ring.read(scratch, 6) == 6u);
    kdrv::ByteRingSpan w[2];
    CHECK(t.ring.reserve(w) == 8u);
    CHECK(w[0].data == t.storage.data() + 6);
    CHECK(w[0].size == 2u);
    CHECK(w[1].data == t.storage.data());
    CHECK(w[1].size == 6u);
    for (uint32_t i = 0; i < w[0].size; ++i)
        w[0].data[i] = static_cast<uint8_t>(i + 1);
    for (uint32_t i = 0; i < 3; ++i)
        w[1].data[i] = static_cast<uint8_t>(i + 3);
    CHECK(t.ring.commit(9) == kdrv::Status::BadArgument);
    CHECK(t.ring.used() == 0u);
    CHECK(t.ring.commit(5) == kdrv::Status::Success);
    CHECK(t.ring.used() == 5u);
    // Only the remaining 3 reserved bytes may still be committed.
    CHECK(t.ring.commit(4) == kdrv::Status::BadArgument);
    CHECK(t.ring.commit(0) == kdrv::Status::Success);

    kdrv::ByteRingConstSpan r[2];
    CHECK(t.ring.peek(r) == 5u);
    CHECK(r[0].size == 2u);
    CHECK(r[1].size == 3u);
    CHECK(r[0].data[0] == 1);
    CHECK(r[0].data[1] == 2);
    CHECK(r[1].data[2] == 5);
    CHECK(t.ring.consume(6) == kdrv::Status::BadArgument);
    CHECK(t.ring.used() == 5u);
    CHECK(t.ring.consume(2) == kdrv::Status::Success);
    uint8_t b = 0;
    CHECK(t.ring.get(&b));
    CHECK(b == 3);
    CHECK(t.ring.consume(2) == kdrv::Status::Success);
    CHECK(t.ring.empty());
    CHECK(t.ring.consume(1) == kdrv::Status::BadArgument);
}

TEST_CASE("byte ring: a commit without reserve is rejected")
{
    TestRing t(8);
    CHECK(t.ring.commit(1) == kdrv::Status::BadArgument);
    CHECK(t.ring.used() == 0u);
}

TEST_CASE("byte ring: flush discards held bytes and returns their count")
{
    TestRing t(8);
    uint8_t x[5] = {1, 2, 3, 4, 5};
    REQUIRE(t.ring.write(x, 5) == 5u);
    CHECK(t.ring.flush() == 5u);
    CHECK(t.ring.empty());
    CHECK(t.ring.space() == 8u);
    CHECK(t.ring.flush() == 0u);
    REQUIRE(t.ring.write(x, 5) == 5u);
    uint8_t b = 0;
    CHECK(t.ring.get(&b));
    CHECK(b == 1);
}

TEST_CASE("byte ring: resize only when empty, within the storage")
{
    TestRing t(4096);
    CHECK(t.ring.resize(0) == kdrv::Status::BadArgument);
    CHECK(t.ring.resize(4097) == kdrv::Status::BadArgument);
    CHECK(t.ring.resize(3) == kdrv::Status::Success);
    CHECK(t.ring.capacity() == 3u);
    CHECK(t.ring.put(1));
    CHECK(t.ring.resize(4095) == kdrv::Status::Busy);
    CHECK(t.ring.capacity() == 3u);
    uint8_t b;
    CHECK(t.ring.get(&b));
    CHECK(t.ring.resize(4095) == kdrv::Status::Success);
    CHECK(t.ring.space() == 4095u);
}

TEST_CASE("byte ring: batches publish once and respect full and empty")
{
    TestRing t(4);
    {
        kdrv::ByteRingPutBatch batch(t.ring);
        CHECK(batch.put(10));
        CHECK(batch.put(11));
        // Not yet visible.
        CHECK(t.ring.used() == 0u);
        CHECK(batch.put(12));
        CHECK(batch.put(13));
        CHECK_FALSE(batch.put(14));
        CHECK(batch.publish() == kdrv::Status::Success);
        CHECK(t.ring.used() == 4u);
    }
    {
        kdrv::ByteRingGetBatch batch(t.ring);
        uint8_t b = 0;
        CHECK(batch.get(&b));
        CHECK(b == 10);
        CHECK(batch.get(&b));
        CHECK(b == 11);
        CHECK(t.ring.space() == 0u);
    }
    CHECK(t.ring.space() == 2u);
    {
        kdrv::ByteRingPutBatch batch(t.ring);
        CHECK(batch.put(20));
        CHECK(batch.put(21));
        CHECK_FALSE(batch.put(22));
    }
    uint8_t out[8];
    CHECK(t.ring.read(out, 8) == 4u);
    CHECK(out[0] == 12);
    CHECK(out[1] == 13);
    CHECK(out[2] == 20);
    CHECK(out[3] == 21);
    kdrv::ByteRingGetBatch empty(t.ring);
    uint8_t b = 0x77;
    CHECK_FALSE(empty.get(&b));
    CHECK(b == 0x77);
}

TEST_CASE("byte ring: free-running counters wrap past 2^32")
{
    TestRing t(4096);
    // Move 2^32 - 100 bytes through with zero-copy calls, which are cheap.
    const uint64_t target = (uint64_t(1) << 32) - 100;
    uint64_t moved = 0;
    kdrv::ByteRingSpan w[2];
    bool ok = true;
    while (moved < target && ok)
    {
        uint32_t chunk = static_cast<uint32_t>(target - moved < 4096 ? target - moved : 4096);
        ok = t.ring.reserve(w, chunk) == chunk && t.ring.commit(chunk) == kdrv::Status::Success &&
             t.ring.consume(chunk) == kdrv::Status::Success;
        moved += chunk;
    }
    REQUIRE(ok);
    // Now straddle the 2^32 counter wrap with real data.
    std::vector<uint8_t> src(4096), dst(4096);
    for (size_t i = 0; i < src.size(); ++i)
        src[i] = static_cast<uint8_t>(i * 13 + 1);
    for (int round = 0; round < 3; ++round)
    {
        CHECK(t.ring.write(src.data(), 3000) == 3000u);
        CHECK(t.ring.used() == 3000u);
        CHECK(t.ring.space() == 1096u);
        CHECK(t.ring.read(dst.data(), 4096) == 3000u);
        CHECK(memcmp(src.data(), dst.data(), 3000) == 0);
    }
    CHECK(t.ring.write(src.data(), 4096) == 4096u);
    CHECK(t.ring.full());
}

// Randomized interleaving over many times the capacity, against a deque.
static void runAgainstModel(uint32_t capacity, uint32_t seed, uint32_t steps)
{
    TestRing t(capacity);
    std::deque<uint8_t> model;
    TestRng rng(seed);
    uint8_t next = 0;
    std::vector<uint8_t> buf(capacity * 2 + 8);
    uint64_t throughput = 0;
    bool agree = true;
#define MODEL_CHECK(cond) agree = agree && (cond)
    for (uint32_t step = 0; step < steps; ++step)
    {
        const uint32_t op = rng() % 8;
        const uint32_t n = rng() % (capacity + 3);
        switch (op)
        {
        case 0:
        {
            bool ok = t.ring.put(next);
            MODEL_CHECK(ok == (model.size() < capacity));
            if (ok)
                model.push_back(next++);
            break;
        }
        case 1:
        {
            uint8_t b = 0;
            bool ok = t.ring.get(&b);
            MODEL_CHECK(ok == !model.empty());
            if (ok)
            {
                MODEL_CHECK(b == model.front());
                model.pop_front();
                ++throughput;
            }
            break;
        }
        case 2:
        {
            for (uint32_t i = 0; i < n; ++i)
                buf[i] = static_cast<uint8_t>(next + i);
            uint32_t expect = std::min<uint32_t>(n, capacity - static_cast<uint32_t>(model.size()));
            MODEL_CHECK(t.ring.write(buf.data(), n) == expect);
            for (uint32_t i = 0; i < expect; ++i)
                model.push_back(next++);
            break;
        }
        case 3:
        {
            uint32_t expect = std::min<uint32_t>(n, static_cast<uint32_t>(model.size()));
            MODEL_CHECK(t.ring.read(buf.data(), n) == expect);
            for (uint32_t i = 0; i < expect; ++i)
            {
                MODEL_CHECK(buf[i] == model.front());
                model.pop_front();
            }
            throughput += expect;
            break;
        }
        case 4:
        {
            kdrv::ByteRingSpan s[2];
            uint32_t total = t.ring.reserve(s, n);
            MODEL_CHECK(total ==
                        std::min<uint32_t>(n, capacity - static_cast<uint32_t>(model.size())));
            MODEL_CHECK(s[0].size + s[1].size == total);
            uint32_t k = total == 0 ? 0 : rng() % (total + 1);
            for (uint32_t i = 0; i < k; ++i)
            {
                uint8_t* p = i < s[0].size ? s[0].data + i : s[1].data + (i - s[0].size);
                *p = next;
                model.push_back(next++);
            }
            MODEL_CHECK(t.ring.commit(total + 1) == kdrv::Status::BadArgument);
            MODEL_CHECK(t.ring.commit(k) == kdrv::Status::Success);
            break;
        }
        case 5:
        {
            kdrv::ByteRingConstSpan s[2];
            uint32_t total = t.ring.peek(s, n);
            MODEL_CHECK(total == std::min<uint32_t>(n, static_cast<uint32_t>(model.size())));
            MODEL_CHECK(s[0].size + s[1].size == total);
            for (uint32_t i = 0; i < total; ++i)
            {
                const uint8_t* p = i < s[0].size ? s[0].data + i : s[1].data + (i - s[0].size);
                MODEL_CHECK(*p == model[i]);
            }
            uint32_t k = total == 0 ? 0 : rng() % (total + 1);
            MODEL_CHECK(t.ring.consume(static_cast<uint32_t>(model.size()) + 1) ==
                        kdrv::Status::BadArgument);
            MODEL_CHECK(t.ring.consume(k) == kdrv::Status::Success);
            for (uint32_t i = 0; i < k; ++i)
                model.pop_front();
            throughput += k;
            break;
        }
        case 6:
        {
            if (rng() % 16 == 0)
            {
                MODEL_CHECK(t.ring.flush() == model.size());
                model.clear();
            }
            break;
        }
        default:
        {
            kdrv::ByteRingPutBatch batch(t.ring);
            for (uint32_t i = 0; i < n % 9; ++i)
            {
                bool ok = batch.put(next);
                MODEL_CHECK(ok == (model.size() < capacity));
                if (ok)
                    model.push_back(next++);
            }
            break;
        }
        }
        MODEL_CHECK(t.ring.used() == model.size());
        MODEL_CHECK(t.ring.space() == capacity - model.size());
        if (!agree)
        {
            CAPTURE(step);
            CAPTURE(op);
            FAIL("ring and model disagree");
        }
    }
#undef MODEL_CHECK
    // Many trips around the ring happened.
    CHECK(throughput >= 3u * capacity);
}

TEST_CASE("byte ring: random operations match a reference model")
{
    const uint32_t capacities[] = {1, 2, 3, 5, 8, 64, 100, 4095, 4096};
    uint32_t seed = 1;
    for (uint32_t cap : capacities)
    {
        CAPTURE(cap);
        runAgainstModel(cap, seed++, cap < 64 ? 4000u : 20000u);
    }
}

// One producer, one consumer, all paths, a running sequence that catches a
// lost, duplicated or reordered byte.
TEST_CASE("stress: byte ring SPSC stream keeps every byte in order")
{
    const uint64_t totalBytes = uint64_t(8) << 20 << (stressScale() > 1 ? 5 : 0);
    std::vector<uint8_t> storage(1024);
    kdrv::ByteRing ring;
    REQUIRE(ring.init(storage.data(), 1024, 1000) == kdrv::Status::Success);
    std::atomic<bool> failed(false);
    std::atomic<bool> producerDone(false);

    std::thread producer(
        [&]
        {
            TestRng rng(7);
            uint64_t seq = 0;
            uint8_t chunk[700];
            while (seq < totalBytes)
            {
                const uint32_t mode = rng() % 4;
                const uint32_t want =
                    static_cast<uint32_t>(std::min<uint64_t>(1 + rng() % 700, totalBytes - seq));
                if (mode == 0)
                {
                    for (uint32_t i = 0; i < want; ++i)
                    {
                        while (!ring.put(static_cast<uint8_t>(seq * 131 >> 3)))
                            std::this_thread::yield();
                        ++seq;
                    }
                }
                else if (mode == 1)
                {
                    for (uint32_t i = 0; i < want; ++i)
                        chunk[i] = static_cast<uint8_t>((seq + i) * 131 >> 3);
                    uint32_t done = 0;
                    while (done < want)
                    {
                        uint32_t k = ring.write(chunk + done, want - done);
                        if (k == 0)
                            std::this_thread::yield();
                        done += k;
                    }
                    seq += want;
                }
                else if (mode == 2)
                {
                    kdrv::ByteRingSpan s[2];
                    uint32_t total = ring.reserve(s, want);
                    for (uint32_t i = 0; i < total; ++i)
                    {
                        uint8_t* p = i < s[0].size ? s[0].data + i : s[1].data + (i - s[0].size);
                        *p = static_cast<uint8_t>((seq + i) * 131 >> 3);
                    }
                    if (ring.commit(total) != kdrv::Status::Success)
                        failed = true;
                    seq += total;
                    if (total == 0)
                        std::this_thread::yield();
                }
                else
                {
                    kdrv::ByteRingPutBatch batch(ring);
                    for (uint32_t i = 0; i < want; ++i)
                    {
                        if (!batch.put(static_cast<uint8_t>(seq * 131 >> 3)))
                            break;
                        ++seq;
                    }
                }
            }
            producerDone = true;
        });

    TestRng rng(9);
    uint64_t seq = 0;
    uint8_t chunk[700];
    bool ok = true;
    while (seq < totalBytes && ok && !failed)
    {
        const uint32_t mode = rng() % 4;
        const uint32_t want = 1 + rng() % 700;
        uint32_t got = 0;
        if (mode == 0)
        {
            uint8_t b;
            while (got < want && ring.get(&b))
            {
                ok = ok && b == static_cast<uint8_t>((seq + got) * 131 >> 3);
                ++got;
            }
        }
        else if (mode == 1)
        {
            got = ring.read(chunk, want);
            for (uint32_t i = 0; i < got; ++i)
                ok = ok && chunk[i] == static_cast<uint8_t>((seq + i) * 131 >> 3);
        }
        else if (mode == 2)
        {
            kdrv::ByteRingConstSpan s[2];
            got = ring.peek(s, want);
            for (uint32_t i = 0; i < got; ++i)
            {
                const uint8_t* p = i < s[0].size ? s[0].data + i : s[1].data + (i - s[0].size);
                ok = ok && *p == static_cast<uint8_t>((seq + i) * 131 >> 3);
            }
            ok = ok && ring.consume(got) == kdrv::Status::Success;
        }
        else
        {
            kdrv::ByteRingGetBatch batch(ring);
            uint8_t b;
            while (got < want && batch.get(&b))
            {
                ok = ok && b == static_cast<uint8_t>((seq + got) * 131 >> 3);
                ++got;
            }
        }
        seq += got;
        if (got == 0)
            std::this_thread::yield();
    }
    if (!ok)
        failed = true;
    // After a failure keep draining (as the consumer) so the producer ends.
    while (failed && !producerDone)
    {
        ring.flush();
        std::this_thread::yield();
    }
    producer.join();
    CHECK_FALSE(failed.load());
    CHECK(seq == totalBytes);
    CHECK(ring.empty());
}

#include "kdrv/locked_byte_ring.hpp"

TEST_CASE("locked byte ring: basic operations and whole records")
{
    std::vector<uint8_t> storage(8);
    kdrv::LockedByteRing ring;
    CHECK(ring.init(storage.data(), 6) == kdrv::Status::BadArgument);
    REQUIRE(ring.init(storage.data(), 8, 6) == kdrv::Status::Success);
    CHECK(ring.capacity() == 6u);
    CHECK(ring.put(1));
    uint8_t rec[4] = {2, 3, 4, 5};
    CHECK(ring.writeAll(rec, 4));
    CHECK_FALSE(ring.writeAll(rec, 4)); // 1 free: nothing written
    CHECK(ring.used() == 5u);
    CHECK(ring.write(rec, 4) == 1u);
    CHECK(ring.space() == 0u);
    uint8_t b = 0;
    CHECK(ring.get(&b));
    CHECK(b == 1);
    uint8_t out[8];
    CHECK(ring.read(out, 2) == 2u);
    CHECK(out[1] == 3);
    {
        kdrv::SpinLockGuard guard(ring.consumerLock());
        kdrv::ByteRingConstSpan spans[2];
        CHECK(ring.ring().peek(spans) == 3u);
        CHECK(ring.ring().consume(1) == kdrv::Status::Success);
    }
    CHECK(ring.flush() == 2u);
    CHECK(ring.used() == 0u);
    ring.destroy();
}

// Several producers append 8-byte records {producer, sequence, checksum};
// one consumer checks that each producer's records arrive whole, once, in
// order.
TEST_CASE("stress: locked byte ring with several producers keeps records whole and ordered")
{
    const int producers = 3;
    const uint32_t perProducer = 20000u * static_cast<uint32_t>(stressScale());
    std::vector<uint8_t> storage(512);
    kdrv::LockedByteRing ring;
    REQUIRE(ring.init(storage.data(), 512) == kdrv::Status::Success);
    std::vector<std::thread> threads;
    for (int id = 0; id < producers; ++id)
    {
        threads.emplace_back(
            [&ring, id, perProducer]
            {
                for (uint32_t seq = 0; seq < perProducer; ++seq)
                {
                    uint8_t rec[8];
                    rec[0] = static_cast<uint8_t>(id);
                    memcpy(rec + 1, &seq, 4);
                    rec[5] = static_cast<uint8_t>(seq * 31 + static_cast<uint32_t>(id));
                    rec[6] = static_cast<uint8_t>(~rec[5]);
                    rec[7] = static_cast<uint8_t>(rec[0] ^ rec[1] ^ rec[2] ^ rec[3] ^ rec[4]);
                    while (!ring.writeAll(rec, 8))
                        std::this_thread::yield();
                }
            });
    }
    uint32_t next[producers] = {0, 0, 0};
    uint64_t records = 0;
    bool ok = true;
    while (records < uint64_t(producers) * perProducer && ok)
    {
        uint8_t rec[8];
        if (ring.used() < 8)
        {
            std::this_thread::yield();
            continue;
        }
        // One consumer: whole records are available once 8 bytes are held.
        REQUIRE(ring.read(rec, 8) == 8u);
        const int id = rec[0];
        uint32_t seq;
        memcpy(&seq, rec + 1, 4);
        ok = id < producers && seq == next[id] &&
             rec[5] == static_cast<uint8_t>(seq * 31 + static_cast<uint32_t>(id)) &&
             rec[6] == static_cast<uint8_t>(~rec[5]) &&
             rec[7] == static_cast<uint8_t>(rec[0] ^ rec[1] ^ rec[2] ^ rec[3] ^ rec[4]);
        if (ok)
            ++next[id];
        ++records;
    }
    // After a failure keep draining so that the producers can finish.
    std::atomic<bool> joined(false);
    std::thread drain(
        [&]
        {
            while (!ok && !joined)
            {
                ring.flush();
                std::this_thread::yield();
            }
        });
    for (auto& t : threads)
        t.join();
    joined = true;
    drain.join();
    CHECK(ok);
    for (int id = 0; id < producers; ++id)
        CHECK(next[id] == perProducer);
    ring.destroy();
}

#include "kdrv/gsl.hpp"

TEST_CASE("byte ring: gsl span views across the wrap")
{
    TestRing t(8);
    uint8_t scratch[8] = {0};
    REQUIRE(t.ring.write(scratch, 5) == 5u);
    REQUIRE(t.ring.read(scratch, 5) == 5u);
    auto w = kdrv::reserveSpans(t.ring, 6);
    CHECK(w[0].size() == 3u);
    CHECK(w[1].size() == 3u);
    for (size_t i = 0; i < 3; ++i)
    {
        w[0][i] = static_cast<uint8_t>(i);
        w[1][i] = static_cast<uint8_t>(3 + i);
    }
    CHECK(t.ring.commit(6) == kdrv::Status::Success);
    auto r = kdrv::peekSpans(t.ring);
    CHECK(r[0].size() + r[1].size() == 6u);
    CHECK(r[0][0] == 0);
    CHECK(r[1][2] == 5);
    CHECK(t.ring.consume(6) == kdrv::Status::Success);
}

TEST_CASE("copyBulk copies every size and alignment exactly")
{
    std::vector<uint8_t> src(70000), dst(70100);
    for (size_t i = 0; i < src.size(); ++i)
        src[i] = static_cast<uint8_t>(i * 7 + (i >> 8));
    // Every boundary of copy.hpp's size classes, on both sides.
    const size_t sizes[] = {0,    1,     2,     3,     4,     5,     7,     8,     9,     15,
                            16,   17,    31,    32,    33,    48,    63,    64,    65,    96,
                            127,  128,   129,   160,   255,   256,   257,   300,   999,   4096,
                            4097, 16383, 16384, 16385, 32768, 39000, 65535, 65536, 65537, 69000};
    for (size_t n : sizes)
    {
        for (size_t offset = 0; offset < 3; ++offset)
        {
            CAPTURE(n);
            CAPTURE(offset);
            std::fill(dst.begin(), dst.end(), 0xCC);
            kdrv::copyBulk(dst.data() + offset, src.data() + 1, n);
            bool same = memcmp(dst.data() + offset, src.data() + 1, n) == 0;
            CHECK(same);
            CHECK(dst[offset + n] == 0xCC);
            if (offset > 0)
                CHECK(dst[offset - 1] == 0xCC);
        }
    }
}

using namespace kdrv;

namespace
{
// A ring over 16 bytes of 0xEE with a reservation of all 16 bytes open.
struct Reserved16
{
    Reserved16()
    {
        memset(storage, 0xEE, sizeof storage);
        REQUIRE(ring.init(storage, 16) == Status::Success);
        REQUIRE(ring.reserve(spans) == 16u);
    }
    // The ring must still hold at most its capacity, and a new reservation
    // must describe no more than the free space inside the storage.
    void checkIntact(uint32_t expectUsed)
    {
        CHECK(ring.used() == expectUsed);
        ByteRingSpan again[2];
        const uint32_t free = ring.reserve(again);
        CHECK(free == 16u - expectUsed);
        CHECK(again[0].size + again[1].size == free);
        CHECK(again[0].data >= storage);
        CHECK(again[0].data + again[0].size <= storage + 16);
        CHECK(again[1].size <= 16u);
    }
    uint8_t storage[16];
    ByteRingSpan spans[2];
    ByteRing ring;
};
} // namespace

TEST_CASE("byte ring: a reservation is stale after put and its commit publishes nothing")
{
    Reserved16 r;
    REQUIRE(r.ring.put(0xAA));
    CHECK(r.ring.commit(16) != Status::Success);
    r.checkIntact(1);
    uint8_t out[16] = {};
    CHECK(r.ring.read(out, sizeof out) == 1u);
    CHECK(out[0] == 0xAA);
}

TEST_CASE("byte ring: a reservation is stale after write and after a put batch")
{
    {
        Reserved16 r;
        const uint8_t two[2] = {1, 2};
        REQUIRE(r.ring.write(two, 2) == 2u);
        CHECK(r.ring.commit(1) != Status::Success);
        CHECK(r.ring.commit(14) != Status::Success);
        r.checkIntact(2);
    }
    {
        Reserved16 r;
        {
            ByteRingPutBatch batch(r.ring);
            REQUIRE(batch.put(7));
        }
        CHECK(r.ring.commit(16) != Status::Success);
        r.checkIntact(1);
    }
}

TEST_CASE("byte ring: double commit and commit without reserve are refused")
{
    Reserved16 r;
    CHECK(r.ring.commit(16) == Status::Success);
    CHECK(r.ring.commit(16) != Status::Success);
    CHECK(r.ring.commit(1) != Status::Success);
    CHECK(r.ring.used() == 16u);
    uint8_t fresh[16];
    ByteRing other;
    REQUIRE(other.init(fresh, 16) == Status::Success);
    CHECK(other.commit(1) != Status::Success);
    CHECK(other.used() == 0u);
}

TEST_CASE("byte ring: a put batch overtaken by another producer operation publishes nothing")
{
    uint8_t storage[16];
    ByteRing ring;
    REQUIRE(ring.init(storage, 16) == Status::Success);
    {
        ByteRingPutBatch batch(ring);
        REQUIRE(batch.put(1));
        const uint8_t ten[10] = {};
        REQUIRE(ring.write(ten, 10) == 10u);
        CHECK(batch.publish() == Status::Busy);
        CHECK(ring.used() == 10u);
        // The batch restarts at the ring's index and works again.
        REQUIRE(batch.put(2));
        CHECK(batch.publish() == Status::Success);
        CHECK(ring.used() == 11u);
    }
    CHECK(ring.used() == 11u);
    CHECK(ring.space() == 5u);
}

TEST_CASE("byte ring: a get batch overtaken by another consumer operation frees nothing twice")
{
    uint8_t storage[16];
    ByteRing ring;
    REQUIRE(ring.init(storage, 16) == Status::Success);
    const uint8_t data[6] = {1, 2, 3, 4, 5, 6};
    REQUIRE(ring.write(data, 6) == 6u);
    {
        ByteRingGetBatch batch(ring);
        uint8_t b = 0;
        REQUIRE(batch.get(&b));
        CHECK(b == 1);
        uint8_t two[2];
        REQUIRE(ring.read(two, 2) == 2u); // bytes 1 and 2
        CHECK(batch.publish() == Status::Busy);
        CHECK(ring.used() == 4u);
        REQUIRE(batch.get(&b));
        CHECK(b == 3);
    }
    CHECK(ring.used() == 3u);
    CHECK(ring.flush() == 3u);
    CHECK(ring.used() == 0u);
}

TEST_CASE("byte ring: every operation after destroy sees an empty zero-capacity ring")
{
    uint8_t storage[16];
    ByteRing ring;
    REQUIRE(ring.init(storage, 16) == Status::Success);
    ring.destroy();
    CHECK_FALSE(ring.isInitialized());
    CHECK(ring.resize(1) == Status::BadArgument);
    CHECK_FALSE(ring.put(1));
    uint8_t b = 0;
    CHECK(ring.write(&b, 1) == 0u);
    ByteRingSpan spans[2];
    CHECK(ring.reserve(spans) == 0u);
    CHECK(ring.commit(1) == Status::BadArgument);
    CHECK_FALSE(ring.get(&b));
    CHECK(ring.read(&b, 1) == 0u);
    ByteRingConstSpan in[2];
    CHECK(ring.peek(in) == 0u);
    CHECK(ring.consume(1) == Status::BadArgument);
    CHECK(ring.flush() == 0u);
    {
        ByteRingPutBatch batch(ring);
        CHECK_FALSE(batch.put(1));
    }
    CHECK(ring.used() == 0u);
    CHECK(ring.capacity() == 0u);
}
