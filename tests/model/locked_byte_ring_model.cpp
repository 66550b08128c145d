// SPDX-License-Identifier: MIT
//
// LockedByteRing: two producers (put, writeAll) and one consumer. The
// producer lock makes the producers one side of the ring; records written
// with writeAll stay whole. The storage is a checked image (data races on
// payload bytes are reported) and the consumer checks every byte arrives
// exactly once with each producer's bytes in order.
#include "model_check.hpp"

#include "kdrv/locked_byte_ring.hpp"

namespace
{
struct TwoProducers : kdrvmodel::Test<TwoProducers, 3>
{
    uint8_t storage[4] = {};
    kdrv::model::SharedBytes image{storage, sizeof storage};
    kdrv::LockedByteRing ring;

    void setUp() { MODEL_ASSERT(ring.init(storage, sizeof storage) == kdrv::Status::Success); }
    void thread(unsigned index)
    {
        if (index == 0) // bytes 0x10, 0x11, 0x12 one at a time
        {
            for (uint8_t b = 0x10; b < 0x13; ++b)
                while (!ring.put(b))
                    rl::yield(1, $);
        }
        else if (index == 1) // one whole record 0x20 0x21
        {
            const uint8_t record[2] = {0x20, 0x21};
            while (!ring.writeAll(record, 2))
                rl::yield(1, $);
        }
        else
        {
            uint8_t next[2] = {0x10, 0x20};
            int got = 0;
            bool inRecord = false;
            while (got < 5)
            {
                uint8_t b = 0;
                if (!ring.get(&b))
                {
                    rl::yield(1, $);
                    continue;
                }
                const int who = b >= 0x20 ? 1 : 0;
                MODEL_ASSERT(b == next[who]);
                MODEL_ASSERT(!inRecord || who == 1); // a record is never split
                inRecord = b == 0x20;
                ++next[who];
                ++got;
            }
        }
    }
    void after()
    {
        MODEL_ASSERT(ring.used() == 0);
        ring.destroy();
    }
};
KDRV_MODEL_CHECK(TwoProducers, "locked_byte_ring.two_producers", Bound, 0, 2, Clean);
KDRV_MODEL_CHECK(TwoProducers, "locked_byte_ring.two_producers_random", Random, 20000, 0, Clean);
} // namespace
