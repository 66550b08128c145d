// SPDX-License-Identifier: MIT
//
// The vserial example's core (examples/vserial/core) with its power
// manager model: a writer races the idle timer powering the device down.
// write() tickles power management outside the core's gate, then queues
// bytes under it; if the device was lowered in between it must tickle
// again rather than wait for a power-up nobody started (the lost-power
// race its comments describe). A lost race is a writer asleep forever: a
// deadlock the checker reports (the checker's own interrupts are off). The
// device thread plays the DMA engine: it takes each handed-over request and
// completes it.
#include "model_check.hpp"

#include "vserial/core/vserial_core.hpp"
#include "vserial/core/vserial_power_model.hpp"

namespace
{
void ignoreDoorbell(void*) {} // the device thread polls deviceFetchRequest()

struct WriterVsPowerDown : kdrvmodel::Test<WriterVsPowerDown, 3>
{
    vserial::Core core;
    vserial::PowerManagerModel power;
    rl::atomic<int> done; // writer and power manager finished

    void setUp()
    {
        kdrv::model::exploreInterrupts(false);
        done.store(0, rl::mo_relaxed, $);
        vserial::Hooks hooks = {};
        hooks.ringDoorbell = ignoreDoorbell;
        power.fillHooks(&hooks);
        MODEL_ASSERT(core.init(hooks) == kdrv::Status::Success);
        MODEL_ASSERT(power.init(&core, 1) == kdrv::Status::Success);
        MODEL_ASSERT(core.open() == kdrv::Status::Success); // floor: doze
    }
    void thread(unsigned index)
    {
        if (index == 0) // the client
        {
            const uint8_t bytes[3] = {'a', 'b', 'c'};
            uint32_t accepted = 0;
            MODEL_ASSERT(core.write(bytes, 3, &accepted) == kdrv::Status::Success);
            MODEL_ASSERT(accepted == 3);
            done.fetch_add(1, rl::mo_release, $);
        }
        else if (index == 1) // the idle timer: two quiet periods, on -> doze
        {
            power.advanceTo(1000001);
            power.advanceTo(2000002);
            done.fetch_add(1, rl::mo_release, $);
        }
        else // the DMA engine
        {
            for (;;)
            {
                // Read `done` first: a transfer started after a null fetch
                // was started before both finished.
                const bool finished = done.load(rl::mo_acquire, $) == 2;
                vserial::Request* request = core.deviceFetchRequest();
                if (request != nullptr)
                {
                    core.deviceTransmitComplete(request, kdrv::Status::Success);
                    request->release(); // the device's reference
                }
                else if (finished)
                {
                    break; // nothing can start a transfer any more
                }
                else
                {
                    rl::yield(1, $);
                }
            }
        }
    }
    void after()
    {
        power.destroy();
        core.destroy();
    }
};
KDRV_MODEL_CHECK(WriterVsPowerDown, "vserial.writer_vs_power_down", Bound, 0, 2, Clean);
KDRV_MODEL_CHECK(WriterVsPowerDown, "vserial.writer_vs_power_down_random", Random, 20000, 0, Clean);
} // namespace
