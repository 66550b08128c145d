// SPDX-License-Identifier: MIT
//
// SerialPortCore: its blocking calls sleep on the port mutex (Mutex::sleep)
// and are woken by state changes (wakeupAll). Checked: a watchState racing
// setState (with an unrelated change that wakes the watcher for nothing);
// a writer blocked in enqueueData on a full TX queue and a reader blocked in
// dequeueData, both served by the hardware side (transmitTake, receivePut);
// releasePort while a reader and a watcher sleep; and an interrupt
// (thread_abort) at any point of a watch. Lost wakeups are reported as
// deadlocks: the checks turn the checker's own interrupts off
// (model::exploreInterrupts) except the one about interrupts. The queue
// storage is checked plain data (model::SharedBytes).
#include "model_check.hpp"

#include "kdrv/serial_port.hpp"

namespace
{
const uint32_t kDtr = 0x0002u; // a low-half (RS-232) bit a client may set
const uint32_t kRts = 0x0004u;

struct PortTest
{
    uint8_t txStorage[4] = {};
    uint8_t rxStorage[4] = {};
    kdrv::model::SharedBytes txImage{txStorage, sizeof txStorage};
    kdrv::model::SharedBytes rxImage{rxStorage, sizeof rxStorage};
    kdrv::SerialPortCore port;

    void open(bool interrupts)
    {
        kdrv::model::exploreInterrupts(interrupts);
        kdrv::SerialPortConfig config = {};
        config.txStorage = txStorage;
        config.txStorageSize = sizeof txStorage;
        config.rxStorage = rxStorage;
        config.rxStorageSize = sizeof rxStorage;
        kdrv::SerialPortHooks hooks = {};
        MODEL_ASSERT(port.init(config, hooks) == kdrv::Status::Success);
        MODEL_ASSERT(port.acquirePort(false) == kdrv::Status::Success);
        MODEL_ASSERT(port.executeEvent(kdrv::kSerialEventActive, 1) == kdrv::Status::Success);
    }
    void close() { port.destroy(); }
};

// watchState(DTR == 1) against setState(DTR) and an unrelated setState(RTS).
struct WatchVsSetState : kdrvmodel::Test<WatchVsSetState, 3>, PortTest
{
    void setUp() { open(false); }
    void thread(unsigned index)
    {
        if (index == 0)
        {
            uint32_t state = kDtr;
            MODEL_ASSERT(port.watchState(&state, kDtr) == kdrv::Status::Success);
            MODEL_ASSERT((state & kDtr) != 0);
        }
        else if (index == 1)
        {
            MODEL_ASSERT(port.setState(kDtr, kDtr) == kdrv::Status::Success);
        }
        else
        {
            MODEL_ASSERT(port.setState(kRts, kRts) == kdrv::Status::Success);
        }
    }
    void after() { close(); }
};
KDRV_MODEL_CHECK(WatchVsSetState, "serial_port.watch_vs_setstate", Bound, 0, 2, Clean);

// A writer queues 6 bytes through a 4-byte TX queue (it sleeps until the
// queue drains to low water); the hardware takes them and delivers 2 RX
// bytes, which a reader blocked in dequeueData(min 2) receives.
struct EnqueueDequeueSleepers : kdrvmodel::Test<EnqueueDequeueSleepers, 3>, PortTest
{
    void setUp() { open(false); }
    void thread(unsigned index)
    {
        if (index == 0)
        {
            const uint8_t bytes[6] = {1, 2, 3, 4, 5, 6};
            uint32_t count = 0;
            MODEL_ASSERT(port.enqueueData(bytes, 6, &count, true) == kdrv::Status::Success);
            MODEL_ASSERT(count == 6);
        }
        else if (index == 1)
        {
            const uint8_t rx[2] = {0x41, 0x42};
            MODEL_ASSERT(port.receivePut(rx, 2) == 2);
            uint8_t expected = 1;
            while (expected <= 6)
            {
                uint8_t out[4];
                const uint32_t n = port.transmitTake(out, 4);
                for (uint32_t i = 0; i < n; ++i)
                    MODEL_ASSERT(out[i] == expected++);
                if (n == 0)
                    rl::yield(1, $);
            }
        }
        else
        {
            uint8_t in[2] = {};
            uint32_t count = 0;
            MODEL_ASSERT(port.dequeueData(in, 2, &count, 2) == kdrv::Status::Success);
            MODEL_ASSERT(count == 2 && in[0] == 0x41 && in[1] == 0x42);
        }
    }
    void after() { close(); }
};
KDRV_MODEL_CHECK(EnqueueDequeueSleepers, "serial_port.enqueue_dequeue_sleepers", Bound, 0, 2,
                 Clean);
KDRV_MODEL_CHECK(EnqueueDequeueSleepers, "serial_port.enqueue_dequeue_sleepers_random", Random,
                 20000, 0, Clean);

// releasePort while a reader waits for data and a client watches DTR: both
// wake and fail (the port went inactive), whichever runs first.
struct ReleaseWhileWaiting : kdrvmodel::Test<ReleaseWhileWaiting, 3>, PortTest
{
    void setUp() { open(false); }
    void thread(unsigned index)
    {
        if (index == 0)
        {
            uint8_t in[1];
            uint32_t count = 0;
            const kdrv::Status s = port.dequeueData(in, 1, &count, 1);
            MODEL_ASSERT(s == kdrv::Status::IOError || s == kdrv::Status::NotOpen);
            MODEL_ASSERT(count == 0);
        }
        else if (index == 1)
        {
            uint32_t state = kDtr;
            const kdrv::Status s = port.watchState(&state, kDtr);
            MODEL_ASSERT(s == kdrv::Status::IOError || s == kdrv::Status::NotOpen);
        }
        else
        {
            MODEL_ASSERT(port.releasePort() == kdrv::Status::Success);
        }
    }
    void after()
    {
        MODEL_ASSERT(port.getState() == 0);
        close();
    }
};
KDRV_MODEL_CHECK(ReleaseWhileWaiting, "serial_port.release_while_waiting", Bound, 0, 2, Clean);

// The checker may abort the watcher's sleep anywhere (interruptible sleep):
// the watch then returns Aborted, never a wrong Success; interruptWatchers
// makes it Aborted too.
struct WatchInterrupted : kdrvmodel::Test<WatchInterrupted, 2>, PortTest
{
    void setUp() { open(true); }
    void thread(unsigned index)
    {
        if (index == 0)
        {
            uint32_t state = kDtr;
            const kdrv::Status s = port.watchState(&state, kDtr);
            MODEL_ASSERT(s == kdrv::Status::Success || s == kdrv::Status::Aborted);
            MODEL_ASSERT(s != kdrv::Status::Success || (state & kDtr) != 0);
        }
        else
        {
            port.interruptWatchers();
            MODEL_ASSERT(port.setState(kDtr, kDtr) == kdrv::Status::Success);
        }
    }
    void after() { close(); }
};
KDRV_MODEL_CHECK(WatchInterrupted, "serial_port.watch_interrupted", Bound, 0, 2, Clean);
} // namespace
