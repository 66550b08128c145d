// SPDX-License-Identifier: MIT
//
// ByteRing, one producer and one consumer without a lock: put/get,
// write/read across the wrap, reserve/commit against peek/consume, the two
// batches, and flush racing the producer. The storage is registered as a
// model::SharedBytes image, so every payload access the ring makes (and the
// zero-copy accesses the test makes through spans) is a checked access: a
// byte read before its publication is ordered after its write is a reported
// data race. The consumer also checks it receives exactly the bytes sent, in
// order. Planted bug: the ring's put/get with `in` published by a relaxed
// store.
#include "model_check.hpp"

#include "kdrv/byte_ring.hpp"

namespace
{
const uint8_t kCount = 6; // bytes sent per execution, through 4 bytes of storage

void waitStep() { rl::yield(1, $); } // the ring is full/empty: let the other side run

struct RingTest
{
    uint8_t storage[4] = {};
    kdrv::ByteRing ring;
    kdrv::model::SharedBytes image{storage, sizeof storage};
    uint8_t expected = 0; // consumer-private: the next byte it must see

    void start(uint32_t capacity)
    {
        MODEL_ASSERT(ring.init(storage, sizeof storage, capacity) == kdrv::Status::Success);
    }
    void receive(uint8_t byte)
    {
        MODEL_ASSERT(byte == expected);
        ++expected;
    }
};

// put() and get(), one byte at a time, capacity 3 over 4 bytes of storage.
struct PutGet : kdrvmodel::Test<PutGet, 2>, RingTest
{
    void setUp() { start(3); }
    void thread(unsigned index)
    {
        if (index == 0)
        {
            for (uint8_t b = 0; b < kCount; ++b)
                while (!ring.put(b))
                    waitStep();
        }
        else
        {
            while (expected < kCount)
            {
                uint8_t b = 0;
                if (ring.get(&b))
                    receive(b);
                else
                    waitStep();
            }
        }
    }
    void after() { MODEL_ASSERT(ring.used() == 0); }
};
KDRV_MODEL_CHECK(PutGet, "byte_ring.put_get", Bound, 0, 2, Clean);

// write() of 3-byte chunks and read() of 2-byte chunks: both cross the wrap.
struct WriteRead : kdrvmodel::Test<WriteRead, 2>, RingTest
{
    void setUp() { start(4); }
    void thread(unsigned index)
    {
        if (index == 0)
        {
            uint8_t next = 0;
            while (next < kCount)
            {
                uint8_t chunk[3] = {next, uint8_t(next + 1), uint8_t(next + 2)};
                const uint32_t n = ring.write(chunk, kdrv::min32(3, kCount - next));
                next = uint8_t(next + n);
                if (n == 0)
                    waitStep();
            }
        }
        else
        {
            while (expected < kCount)
            {
                uint8_t chunk[2];
                const uint32_t n = ring.read(chunk, 2);
                for (uint32_t i = 0; i < n; ++i)
                    receive(chunk[i]);
                if (n == 0)
                    waitStep();
            }
        }
    }
};
KDRV_MODEL_CHECK(WriteRead, "byte_ring.write_read_wrap", Bound, 0, 2, Clean);

// Zero-copy on both sides: the producer fills reserved spans and commits,
// the consumer reads peeked spans and consumes them.
struct ReservePeek : kdrvmodel::Test<ReservePeek, 2>, RingTest
{
    void setUp() { start(4); }
    void thread(unsigned index)
    {
        if (index == 0)
        {
            uint8_t next = 0;
            while (next < kCount)
            {
                kdrv::ByteRingSpan spans[2];
                const uint32_t total = ring.reserve(spans, 3);
                uint32_t filled = 0;
                for (int s = 0; s < 2; ++s)
                {
                    for (uint32_t i = 0; i < spans[s].size && next + filled < kCount; ++i)
                    {
                        spans[s].data[i] = uint8_t(next + filled);
                        KDRV_MODEL_WRITE_BYTES(&spans[s].data[i], 1);
                        ++filled;
                    }
                }
                MODEL_ASSERT(filled <= total);
                MODEL_ASSERT(ring.commit(filled) == kdrv::Status::Success);
                next = uint8_t(next + filled);
                if (filled == 0)
                    waitStep();
            }
        }
        else
        {
            while (expected < kCount)
            {
                kdrv::ByteRingConstSpan spans[2];
                const uint32_t total = ring.peek(spans, 3);
                for (int s = 0; s < 2; ++s)
                {
                    for (uint32_t i = 0; i < spans[s].size; ++i)
                    {
                        KDRV_MODEL_READ_BYTES(&spans[s].data[i], 1);
                        receive(spans[s].data[i]);
                    }
                }
                MODEL_ASSERT(ring.consume(total) == kdrv::Status::Success);
                if (total == 0)
                    waitStep();
            }
        }
    }
};
KDRV_MODEL_CHECK(ReservePeek, "byte_ring.reserve_commit_peek_consume", Bound, 0, 2, Clean);

// ByteRingPutBatch and ByteRingGetBatch: bytes become visible at publish().
struct Batches : kdrvmodel::Test<Batches, 2>, RingTest
{
    void setUp() { start(4); }
    void thread(unsigned index)
    {
        if (index == 0)
        {
            uint8_t next = 0;
            while (next < kCount)
            {
                kdrv::ByteRingPutBatch batch(ring);
                uint8_t staged = 0;
                while (staged < 2 && next + staged < kCount && batch.put(uint8_t(next + staged)))
                    ++staged;
                MODEL_ASSERT(batch.publish() == kdrv::Status::Success);
                next = uint8_t(next + staged);
                if (staged == 0)
                    waitStep();
            }
        }
        else
        {
            while (expected < kCount)
            {
                kdrv::ByteRingGetBatch batch(ring);
                uint8_t b = 0;
                int taken = 0;
                while (taken < 3 && batch.get(&b))
                {
                    receive(b);
                    ++taken;
                }
                MODEL_ASSERT(batch.publish() == kdrv::Status::Success);
                if (taken == 0)
                    waitStep();
            }
        }
    }
};
KDRV_MODEL_CHECK(Batches, "byte_ring.batches", Bound, 0, 2, Clean);

// flush() is a consumer operation that may run while the producer writes:
// what it drops plus what is read afterwards is exactly what was sent, and
// the bytes read after it are still in order.
struct FlushVsProducer : kdrvmodel::Test<FlushVsProducer, 2>, RingTest
{
    void setUp() { start(4); }
    void thread(unsigned index)
    {
        if (index == 0)
        {
            for (uint8_t b = 0; b < 4; ++b)
                MODEL_ASSERT(ring.put(b));
            return;
        }
        uint8_t b = 0;
        uint32_t seen = 0;
        if (ring.get(&b))
        {
            MODEL_ASSERT(b == 0);
            ++seen;
        }
        seen += ring.flush();
        uint8_t last = 0xFF;
        while (seen < 4)
        {
            if (ring.get(&b))
            {
                MODEL_ASSERT(last == 0xFF || b == last + 1);
                last = b;
                ++seen;
            }
            else
            {
                waitStep();
            }
        }
        MODEL_ASSERT(seen == 4 && ring.used() == 0);
    }
};
KDRV_MODEL_CHECK(FlushVsProducer, "byte_ring.flush_vs_producer", Bound, 0, 2, Clean);

// The planted bug: ByteRing's put/get (the same steps and hooks) with the
// producer's publication of `in` made relaxed, so the consumer can read a
// slot before the byte written to it is visible.
class RelaxedPublishRing
{
  public:
    explicit RelaxedPublishRing(uint8_t* storage) : buffer_(storage), in_(0), out_(0) {}
    bool put(uint8_t byte)
    {
        const uint32_t in = in_.load(kdrv::MemoryOrder::Relaxed);
        if (in - out_.load(kdrv::MemoryOrder::Acquire) == 4)
            return false;
        buffer_[in & 3] = byte;
        KDRV_MODEL_WRITE_BYTES(&buffer_[in & 3], 1);
        in_.store(in + 1, kdrv::MemoryOrder::Relaxed); // BUG: must be Release
        return true;
    }
    bool get(uint8_t* byte)
    {
        const uint32_t out = out_.load(kdrv::MemoryOrder::Relaxed);
        if (in_.load(kdrv::MemoryOrder::Acquire) == out)
            return false;
        KDRV_MODEL_READ_BYTES(&buffer_[out & 3], 1);
        *byte = buffer_[out & 3];
        out_.store(out + 1, kdrv::MemoryOrder::Release);
        return true;
    }

  private:
    uint8_t* buffer_;
    kdrv::AtomicU32 in_;
    kdrv::AtomicU32 out_;
};

struct PlantedRelaxedPublish : kdrvmodel::Test<PlantedRelaxedPublish, 2>
{
    uint8_t storage[4] = {};
    kdrv::model::SharedBytes image{storage, sizeof storage};
    RelaxedPublishRing ring{storage};

    void thread(unsigned index)
    {
        if (index == 0)
        {
            MODEL_ASSERT(ring.put(7));
        }
        else
        {
            uint8_t b = 0;
            while (!ring.get(&b))
                waitStep();
        }
    }
};
KDRV_MODEL_CHECK(PlantedRelaxedPublish, "byte_ring.planted_relaxed_publish", Full, 0, 0, Report);
} // namespace
