// SPDX-License-Identifier: MIT
//
// EventRing, one producer (push) and one consumer (front, pop, flush)
// without a lock. The record storage is a model::SharedBytes image, so a
// record read before its publication is ordered after its write is a
// reported data race; the consumer also checks the records arrive whole and
// in order.
#include "model_check.hpp"

#include "kdrv/event_ring.hpp"

namespace
{
struct PushPop : kdrvmodel::Test<PushPop, 2>
{
    kdrv::SerialEventRecord storage[2] = {};
    kdrv::model::SharedBytes image{storage, sizeof storage};
    kdrv::EventRing ring;

    void setUp() { MODEL_ASSERT(ring.init(storage, 2) == kdrv::Status::Success); }
    void thread(unsigned index)
    {
        const uint32_t kCount = 4;
        if (index == 0)
        {
            for (uint32_t i = 0; i < kCount; ++i)
                while (!ring.push(0x100 + i, 0x200 + i, 0x300 + i))
                    rl::yield(1, $);
            return;
        }
        uint32_t next = 0;
        while (next < kCount)
        {
            const kdrv::SerialEventRecord* r = ring.front();
            if (r == nullptr)
            {
                rl::yield(1, $);
                continue;
            }
            MODEL_ASSERT(r->event == 0x100 + next && r->data == 0x200 + next &&
                         r->position == 0x300 + next);
            kdrv::SerialEventRecord copy;
            MODEL_ASSERT(ring.pop(next % 2 == 0 ? &copy : nullptr));
            MODEL_ASSERT(next % 2 != 0 || copy.event == 0x100 + next);
            ++next;
        }
        MODEL_ASSERT(ring.empty());
    }
};
KDRV_MODEL_CHECK(PushPop, "event_ring.push_front_pop", Bound, 0, 2, Clean);

// flush() by the consumer while the producer pushes: pushed = flushed +
// popped, and a record popped after the flush is whole.
struct FlushVsPush : kdrvmodel::Test<FlushVsPush, 2>
{
    kdrv::SerialEventRecord storage[4] = {};
    kdrv::model::SharedBytes image{storage, sizeof storage};
    kdrv::EventRing ring;

    void setUp() { MODEL_ASSERT(ring.init(storage, 4) == kdrv::Status::Success); }
    void thread(unsigned index)
    {
        if (index == 0)
        {
            for (uint32_t i = 0; i < 3; ++i)
                MODEL_ASSERT(ring.push(i, i, i));
            return;
        }
        uint32_t seen = ring.flush();
        while (seen < 3)
        {
            kdrv::SerialEventRecord r;
            if (ring.pop(&r))
            {
                MODEL_ASSERT(r.event == r.data && r.data == r.position);
                ++seen;
            }
            else
            {
                rl::yield(1, $);
            }
        }
        MODEL_ASSERT(seen == 3 && ring.empty());
    }
};
KDRV_MODEL_CHECK(FlushVsPush, "event_ring.flush_vs_push", Bound, 0, 2, Clean);
} // namespace
