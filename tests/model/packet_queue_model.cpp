// SPDX-License-Identifier: MIT
//
// PacketQueue: a producer enqueues three packets into a queue of capacity 2
// while an output context runs service() and another context dequeues and
// flushes. Checked: every accepted packet is handed out exactly once or is
// still queued, refused packets are never handed out, the payload the
// producer wrote before enqueue is what the receiver reads (a checked
// variable: the spin lock must order them), and a second concurrent
// service() is refused with Busy, never run beside the first.
#include "model_check.hpp"

#include "kdrv/packet_queue.hpp"

namespace
{
struct Packet
{
    kdrv::PacketQueueEntry entry; // first member: the entry is the packet
    rl::var<int> payload;
    int handedOut = 0; // fibers share one OS thread
};

kdrv::OutputResult send(void* context, kdrv::PacketQueueEntry* e);

struct ServiceVsEnqueue : kdrvmodel::Test<ServiceVsEnqueue, 3>
{
    kdrv::PacketQueue queue;
    Packet packets[3];
    bool accepted[3] = {false, false, false};
    rl::atomic<int> inService;

    void setUp()
    {
        MODEL_ASSERT(queue.init(2) == kdrv::Status::Success);
        for (int i = 0; i < 3; ++i)
            packets[i].payload($) = 0;
        inService.store(0, rl::mo_relaxed, $);
    }
    void take(kdrv::PacketQueueEntry* e)
    {
        Packet* p = reinterpret_cast<Packet*>(e);
        MODEL_ASSERT(p->payload($) == 1); // written before enqueue
        ++p->handedOut;
    }
    void thread(unsigned index)
    {
        if (index == 0) // the producer
        {
            for (int i = 0; i < 3; ++i)
            {
                packets[i].payload($) = 1;
                const kdrv::Status s = queue.enqueue(&packets[i].entry);
                MODEL_ASSERT(s == kdrv::Status::Success || s == kdrv::Status::NoSpace);
                accepted[i] = s == kdrv::Status::Success;
            }
        }
        else if (index == 1) // the output context
        {
            for (int round = 0; round < 2; ++round)
            {
                kdrv::PacketServiceResult r;
                const kdrv::Status s = queue.service(send, this, 0, &r);
                MODEL_ASSERT(s == kdrv::Status::Success || s == kdrv::Status::Busy);
            }
        }
        else // another context: one dequeue, then a flush
        {
            if (kdrv::PacketQueueEntry* e = queue.dequeue())
                take(e);
            kdrv::PacketList list = queue.flush();
            while (kdrv::PacketQueueEntry* e = list.popFront())
                take(e);
        }
    }
    void after()
    {
        uint32_t stillQueued = 0;
        while (kdrv::PacketQueueEntry* e = queue.dequeue())
        {
            ++stillQueued;
            take(e);
        }
        for (int i = 0; i < 3; ++i)
            MODEL_ASSERT(packets[i].handedOut == (accepted[i] ? 1 : 0));
        (void)stillQueued;
        queue.destroy();
    }
};

kdrv::OutputResult send(void* context, kdrv::PacketQueueEntry* e)
{
    ServiceVsEnqueue* t = static_cast<ServiceVsEnqueue*>(context);
    MODEL_ASSERT(t->inService.fetch_add(1, rl::mo_relaxed, $) == 0); // one service at a time
    t->take(e);
    t->inService.fetch_sub(1, rl::mo_relaxed, $);
    return kdrv::OutputResult::Sent;
}
KDRV_MODEL_CHECK(ServiceVsEnqueue, "packet_queue.service_vs_enqueue_dequeue_flush", Bound, 0, 2,
                 Clean);
} // namespace
