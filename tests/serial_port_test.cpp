// SPDX-License-Identifier: MIT
#include "kdrv/serial_port.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <stdlib.h>
#include <string.h>
#include <thread>
#include <vector>

using namespace kdrv;

namespace
{
// std::mt19937 yields unsigned long with libstdc++; tests want uint32_t.
struct TestRng
{
    explicit TestRng(uint32_t seed) : engine(seed) {}
    uint32_t operator()() { return static_cast<uint32_t>(engine()); }
    std::mt19937 engine;
};

// Gives a blocked thread time to go to sleep. Correctness never depends on
// it: every test passes whether the other thread slept or not.
void settle() { std::this_thread::sleep_for(std::chrono::milliseconds(20)); }

struct HardwareLog
{
    std::atomic<int> starts{0};
    std::atomic<uint32_t> flowActions{0};
    std::atomic<int> flowCalls{0};
    std::atomic<uint32_t> lastEvent{0};
    std::atomic<uint32_t> lastData{0};
    std::atomic<int> events{0};
};

void onStart(void* ctx) { static_cast<HardwareLog*>(ctx)->starts++; }
void onFlow(void* ctx, uint32_t actions)
{
    HardwareLog* log = static_cast<HardwareLog*>(ctx);
    log->flowActions |= actions;
    log->flowCalls++;
}
Status onExecute(void* ctx, uint32_t event, uint32_t data)
{
    HardwareLog* log = static_cast<HardwareLog*>(ctx);
    if (event == kSerialEventDataRate || event == kSerialEventActive ||
        event == kSerialEventFlowControl)
    {
        log->lastEvent = event;
        log->lastData = data;
        log->events++;
        return event == kSerialEventDataRate ? Status::Success : Status::BadArgument;
    }
    return Status::BadArgument;
}
Status onRequest(void*, uint32_t event, uint32_t* data)
{
    if (event == kSerialEventDataRate)
    {
        *data = 19200;
        return Status::Success;
    }
    return Status::BadArgument;
}

struct Port
{
    explicit Port(uint32_t txCap = 16, uint32_t rxCap = 16, bool events = true)
    {
        uint32_t txs = 1, rxs = 1;
        while (txs < txCap)
            txs <<= 1;
        while (rxs < rxCap)
            rxs <<= 1;
        tx.resize(txs);
        rx.resize(rxs);
        SerialPortConfig c = {};
        c.txStorage = tx.data();
        c.txStorageSize = txs;
        c.txCapacity = txCap;
        c.rxStorage = rx.data();
        c.rxStorageSize = rxs;
        c.rxCapacity = rxCap;
        if (events)
        {
            c.txEvents = txEvents;
            c.txEventCount = 4;
            c.rxEvents = rxEvents;
            c.rxEventCount = 4;
            c.queueOverrunEvents = true;
        }
        SerialPortHooks h = {&log, onStart, onFlow, onExecute, onRequest};
        REQUIRE(port.init(c, h) == Status::Success);
    }
    ~Port() { port.destroy(); }

    void open()
    {
        REQUIRE(port.acquirePort(false) == Status::Success);
        REQUIRE(port.executeEvent(kSerialEventActive, 1) == Status::Success);
    }
    uint32_t state() { return port.getState(); }

    std::vector<uint8_t> tx, rx;
    SerialEventRecord txEvents[4];
    SerialEventRecord rxEvents[4];
    HardwareLog log;
    SerialPortCore port;
};
} // namespace

TEST_CASE("serial port: init validates its configuration")
{
    SerialPortCore port;
    uint8_t tx[8], rx[8];
    SerialPortConfig c = {};
    SerialPortHooks h = {};
    CHECK(port.init(c, h) == Status::BadArgument);
    c.txStorage = tx;
    c.txStorageSize = 8;
    c.rxStorage = rx;
    c.rxStorageSize = 6; // not a power of two
    CHECK(port.init(c, h) == Status::BadArgument);
    c.rxStorageSize = 8;
    c.queueOverrunEvents = true; // without an RX event ring
    CHECK(port.init(c, h) == Status::BadArgument);
    c.queueOverrunEvents = false;
    REQUIRE(port.init(c, h) == Status::Success);
    CHECK(port.getState() == 0u);
    port.destroy();
}

TEST_CASE("serial port: acquire and release")
{
    Port p;
    CHECK(p.port.releasePort() == Status::NotOpen);
    CHECK(p.port.acquirePort(false) == Status::Success);
    CHECK(p.state() == (kSerialStateAcquired | kSerialStateTxEnable | kSerialStateRxEnable |
                        kSerialStateTxqEmpty | kSerialStateTxqLowWater | kSerialStateRxqEmpty |
                        kSerialStateRxqLowWater));
    CHECK(p.port.acquirePort(false) == Status::ExclusiveAccess);

    std::atomic<int> result{-1};
    std::thread second([&] { result = static_cast<int>(p.port.acquirePort(true)); });
    settle();
    CHECK(result.load() == -1);
    CHECK(p.port.releasePort() == Status::Success);
    second.join();
    CHECK(result.load() == static_cast<int>(Status::Success));
    CHECK((p.state() & kSerialStateAcquired) != 0u);
    CHECK(p.port.releasePort() == Status::Success);
    CHECK(p.state() == 0u);
    CHECK(p.port.releasePort() == Status::NotOpen);
}

TEST_CASE("serial port: release clears every bit and wakes all waiters")
{
    Port p;
    p.open();
    std::atomic<int> done{0};
    std::atomic<int> r1{0}, r2{0};
    std::thread a(
        [&]
        {
            uint32_t st = kSerialStateTxEvent;
            r1 = static_cast<int>(p.port.watchState(&st, kSerialStateTxEvent));
            done++;
        });
    std::thread b(
        [&]
        {
            uint8_t buf[4];
            uint32_t n = 0;
            r2 = static_cast<int>(p.port.dequeueData(buf, 4, &n, 1));
            done++;
        });
    settle();
    CHECK(done.load() == 0);
    CHECK(p.port.releasePort() == Status::Success);
    a.join();
    b.join();
    CHECK(r1.load() == static_cast<int>(Status::IOError));
    CHECK(r2.load() == static_cast<int>(Status::IOError));
    CHECK(p.state() == 0u);
}

TEST_CASE("serial port: setState forms and wakeups")
{
    Port p;
    CHECK(p.port.setState(kSerialStateTxEvent, kSerialStateTxEvent) == Status::NotOpen);
    CHECK(p.port.changeState(kSerialStateTxEvent, kSerialStateTxEvent) == Status::NotOpen);
    // The driver's form may acquire.
    CHECK(p.port.changeState(kSerialStateAcquired, kSerialStateAcquired) == Status::Success);
    CHECK(p.port.changeState(0, kSerialStateAcquired) == Status::Success);
    p.open();
    CHECK(p.port.setState(0, kSerialStateAcquired) == Status::BadArgument);
    CHECK(p.port.setState(0, kSerialStateActive) == Status::BadArgument);
    CHECK(p.port.setState(kSerialStateRxEvent | 0x1, kSerialStateRxEvent | 0x1) == Status::Success);
    CHECK((p.state() & (kSerialStateRxEvent | 0x1)) == (kSerialStateRxEvent | 0x1));

    std::atomic<int> result{-1};
    std::atomic<uint32_t> seen{0};
    std::thread w(
        [&]
        {
            uint32_t st = kSerialStateTxEvent;
            Status s = p.port.watchState(&st, kSerialStateTxEvent);
            seen = st;
            result = static_cast<int>(s);
        });
    // Wait until the watcher is registered.
    while ((p.port.watchedBits() & kSerialStateTxEvent) == 0)
        std::this_thread::yield();
    // No change: no wakeup, the watch mask stays.
    CHECK(p.port.setState(kSerialStateRxEvent, kSerialStateRxEvent) == Status::Success);
    // A change of an unwatched bit: no wakeup either.
    CHECK(p.port.setState(0x2, 0x2) == Status::Success);
    CHECK((p.port.watchedBits() & kSerialStateTxEvent) != 0u);
    CHECK(result.load() == -1);
    // The watched bit: wakes, and the mask resets.
    CHECK(p.port.setState(kSerialStateTxEvent, kSerialStateTxEvent) == Status::Success);
    w.join();
    CHECK(result.load() == static_cast<int>(Status::Success));
    CHECK((seen.load() & kSerialStateTxEvent) != 0u);
    CHECK(p.port.watchedBits() == 0u);
}

TEST_CASE("serial port: watchState edge cases")
{
    Port p;
    uint32_t st = 0;
    CHECK(p.port.watchState(&st, kSerialStateTxqEmpty) == Status::NotOpen);
    p.open();
    CHECK(p.port.watchState(nullptr, kSerialStateTxqEmpty) == Status::BadArgument);
    st = 0x12345678u;
    CHECK(p.port.watchState(&st, 0) == Status::Success); // empty watch: no-op
    CHECK(st == 0x12345678u);
    // Already true: returns at once with the state.
    st = kSerialStateTxqEmpty;
    CHECK(p.port.watchState(&st, kSerialStateTxqEmpty) == Status::Success);
    CHECK(st == p.state());
    // Watching for 0: TX_BUSY is clear.
    st = 0;
    CHECK(p.port.watchState(&st, kSerialStateTxBusy) == Status::Success);
    // OR semantics: one of two bits matching is enough.
    st = kSerialStateTxEvent | kSerialStateTxqEmpty;
    CHECK(p.port.watchState(&st, kSerialStateTxEvent | kSerialStateTxqEmpty) == Status::Success);
    // Timeout.
    st = kSerialStateTxEvent;
    CHECK(p.port.watchState(&st, kSerialStateTxEvent,
                            kdrv::platform::monotonicNanos() + 5000000u) == Status::Timeout);
    // Interrupted sleep.
    std::atomic<int> result{-1};
    std::thread w(
        [&]
        {
            uint32_t s2 = kSerialStateTxEvent;
            result = static_cast<int>(p.port.watchState(&s2, kSerialStateTxEvent));
        });
    // Interrupt until the watcher has gone to sleep and come back.
    while (result.load() == -1)
    {
        p.port.interruptWatchers();
        std::this_thread::yield();
    }
    w.join();
    CHECK(result.load() == static_cast<int>(Status::Aborted));
    // The automatic ACTIVE watch: deactivation wakes with IOError.
    std::thread w2(
        [&]
        {
            uint32_t s2 = kSerialStateTxEvent;
            result = static_cast<int>(p.port.watchState(&s2, kSerialStateTxEvent));
        });
    while ((p.port.watchedBits() & kSerialStateTxEvent) == 0)
        std::this_thread::yield();
    CHECK(p.port.executeEvent(kSerialEventActive, 0) == Status::Success);
    w2.join();
    CHECK(result.load() == static_cast<int>(Status::IOError));
    // Inactive port: a watch without ACTIVE in the mask fails at once.
    st = kSerialStateTxEvent;
    CHECK(p.port.watchState(&st, kSerialStateTxEvent) == Status::IOError);
    // Watching ACTIVE itself does not add the automatic watch.
    st = 0;
    CHECK(p.port.watchState(&st, kSerialStateActive) == Status::Success);
}

TEST_CASE("serial port: enqueueData")
{
    Port p(8, 8);
    uint8_t data[32];
    for (int i = 0; i < 32; ++i)
        data[i] = static_cast<uint8_t>(i);
    uint32_t count = 99;
    CHECK(p.port.acquirePort(false) == Status::Success);
    CHECK(p.port.enqueueData(data, 4, &count, false) == Status::NotOpen);
    CHECK(count == 0u);
    CHECK(p.port.executeEvent(kSerialEventActive, 1) == Status::Success);
    CHECK(p.port.enqueueData(data, 4, nullptr, false) == Status::BadArgument);
    CHECK(p.port.enqueueData(nullptr, 4, &count, false) == Status::BadArgument);
    CHECK(p.port.enqueueData(nullptr, 0, &count, false) == Status::Success);
    CHECK(count == 0u);
    // Non-sleeping: partial count, Success, FULL set, EMPTY clear.
    CHECK(p.port.enqueueData(data, 12, &count, false) == Status::Success);
    CHECK(count == 8u);
    uint32_t st = p.state();
    CHECK((st & kSerialStateTxqFull) != 0u);
    CHECK((st & kSerialStateTxqEmpty) == 0u);
    CHECK((st & kSerialStateTxBusy) != 0u);
    CHECK(p.log.starts.load() == 1);
    // TX_BUSY set: no second start.
    uint8_t out[16];
    CHECK(p.port.transmitTake(out, 3) == 3u);
    CHECK(p.port.enqueueData(data, 2, &count, false) == Status::Success);
    CHECK(count == 2u);
    CHECK(p.log.starts.load() == 1);
    CHECK(p.port.enqueueData(data, 4, &count, false) == Status::Success);
    CHECK(count == 1u); // 8 - 3 + 2 = 7 held: one byte free
    CHECK(p.log.starts.load() == 1);
}

TEST_CASE("serial port: enqueueData with sleep completes against a draining transmitter")
{
    Port p(8, 8);
    p.open();
    std::vector<uint8_t> src(300), sent;
    for (size_t i = 0; i < src.size(); ++i)
        src[i] = static_cast<uint8_t>(i * 7);
    std::atomic<bool> stop{false};
    std::thread hw(
        [&]
        {
            uint8_t buf[5];
            while (!stop)
            {
                uint32_t n = p.port.transmitTake(buf, 5);
                sent.insert(sent.end(), buf, buf + n);
                if (n == 0)
                {
                    p.port.transmitIdle();
                    std::this_thread::yield();
                }
            }
        });
    uint32_t count = 0;
    CHECK(p.port.enqueueData(src.data(), 300, &count, true) == Status::Success);
    CHECK(count == 300u);
    // Wait for the transmitter to drain everything.
    uint32_t st = kSerialStateTxqEmpty;
    CHECK(p.port.watchState(&st, kSerialStateTxqEmpty) == Status::Success);
    stop = true;
    hw.join();
    CHECK(sent == src);
}

TEST_CASE("serial port: close during a sleeping enqueue returns IOError and the count")
{
    Port p(8, 8);
    p.open();
    uint8_t data[20] = {0};
    std::atomic<int> result{-1};
    std::atomic<uint32_t> accepted{999};
    std::thread w(
        [&]
        {
            uint32_t count = 0;
            Status s = p.port.enqueueData(data, 20, &count, true);
            accepted = count;
            result = static_cast<int>(s);
        });
    while ((p.port.watchedBits() & kSerialStateTxqLowWater) == 0)
        std::this_thread::yield();
    CHECK(p.port.releasePort() == Status::Success);
    w.join();
    CHECK(result.load() == static_cast<int>(Status::IOError));
    CHECK(accepted.load() == 8u);
}

TEST_CASE("serial port: flush wakes writers waiting for LOW_WATER")
{
    Port p(8, 8);
    p.open();
    uint8_t data[12] = {0};
    std::atomic<int> result{-1};
    std::thread w(
        [&]
        {
            uint32_t count = 0;
            result = static_cast<int>(p.port.enqueueData(data, 12, &count, true));
        });
    while ((p.port.watchedBits() & kSerialStateTxqLowWater) == 0)
        std::this_thread::yield();
    CHECK(p.port.executeEvent(kSerialEventTxqFlush, 0) == Status::Success);
    w.join();
    CHECK(result.load() == static_cast<int>(Status::Success));
    uint32_t held = 0;
    CHECK(p.port.requestEvent(kSerialEventTxqAvailable, &held) == Status::Success);
    CHECK(held == 8u - 4u);
    // Flush with data present sets EMPTY and LOW_WATER.
    CHECK(p.port.executeEvent(kSerialEventTxqFlush, 0) == Status::Success);
    CHECK((p.state() & (kSerialStateTxqEmpty | kSerialStateTxqLowWater)) ==
          (kSerialStateTxqEmpty | kSerialStateTxqLowWater));
}

TEST_CASE("serial port: dequeueData")
{
    Port p(8, 8);
    uint8_t buf[16];
    uint32_t count = 5;
    CHECK(p.port.dequeueData(buf, 4, &count, 0) == Status::NotOpen);
    CHECK(count == 0u);
    p.open();
    CHECK(p.port.dequeueData(buf, 4, nullptr, 0) == Status::BadArgument);
    CHECK(p.port.dequeueData(nullptr, 4, &count, 0) == Status::BadArgument);
    CHECK(p.port.dequeueData(buf, 4, &count, 5) == Status::BadArgument); // min > size: no hang
    CHECK(p.port.dequeueData(buf, 0, &count, 0) == Status::Success);
    CHECK(count == 0u);
    // min 0 never blocks, and an empty read changes nothing.
    uint32_t before = p.state();
    CHECK(p.port.dequeueData(buf, 4, &count, 0) == Status::Success);
    CHECK(count == 0u);
    CHECK(p.state() == before);

    const uint8_t in[6] = {1, 2, 3, 4, 5, 6};
    CHECK(p.port.receivePut(in, 6) == 6u);
    CHECK((p.state() & kSerialStateRxqEmpty) == 0u);
    uint32_t avail = 0;
    CHECK(p.port.requestEvent(kSerialEventRxqAvailable, &avail) == Status::Success);
    CHECK(avail == 6u);
    CHECK(p.port.dequeueData(buf, 4, &count, 4) == Status::Success); // min == size
    CHECK(count == 4u);
    CHECK(buf[0] == 1);
    CHECK(buf[3] == 4);

    // min = 1 blocks until a byte arrives; data in several chunks for min 5.
    CHECK(p.port.dequeueData(buf, 2, &count, 0) == Status::Success);
    CHECK(count == 2u);
    std::atomic<int> result{-1};
    std::atomic<uint32_t> got{0};
    std::thread r(
        [&]
        {
            uint32_t c = 0;
            Status s = p.port.dequeueData(buf, 10, &c, 5);
            got = c;
            result = static_cast<int>(s);
        });
    for (uint8_t i = 0; i < 5; ++i)
    {
        settle();
        uint8_t b = static_cast<uint8_t>(10 + i);
        CHECK(p.port.receivePut(&b, 1) == 1u);
    }
    r.join();
    CHECK(result.load() == static_cast<int>(Status::Success));
    CHECK(got.load() >= 5u);
    CHECK(buf[0] == 10);

    // Close during the wait.
    std::thread r2(
        [&]
        {
            uint32_t c = 0;
            result = static_cast<int>(p.port.dequeueData(buf, 4, &c, 1));
        });
    while ((p.port.watchedBits() & kSerialStateRxqEmpty) == 0)
        std::this_thread::yield();
    CHECK(p.port.releasePort() == Status::Success);
    r2.join();
    CHECK(result.load() == static_cast<int>(Status::IOError));
}

TEST_CASE("serial port: RX overrun drops the newest bytes and queues one event per episode")
{
    Port p(8, 8);
    p.open();
    uint8_t in[20];
    for (int i = 0; i < 20; ++i)
        in[i] = static_cast<uint8_t>(i);
    CHECK(p.port.receivePut(in, 6) == 6u);
    CHECK(p.port.receivePut(in + 6, 5) == 2u);
    CHECK(p.port.receivePut(in + 11, 3) == 0u);
    CHECK(p.port.receiveOverrunBytes() == 6u);
    CHECK(p.port.receiveOverrunEpisodes() == 1u);
    CHECK((p.state() & kSerialStateRxqFull) != 0u);
    // The old data survives, the event follows it.
    CHECK(p.port.nextEvent() == kSerialEventEoq);
    uint8_t buf[16];
    uint32_t count = 0;
    CHECK(p.port.dequeueData(buf, 16, &count, 1) == Status::Success);
    CHECK(count == 8u);
    for (int i = 0; i < 8; ++i)
        CHECK(buf[i] == i);
    CHECK(p.port.nextEvent() == kSerialEventSwOverrunError);
    uint32_t ev = 0, data = 0;
    CHECK(p.port.dequeueEvent(&ev, &data, false) == Status::Success);
    CHECK(ev == kSerialEventSwOverrunError);
    CHECK(p.port.dequeueEvent(&ev, &data, false) == Status::Success);
    CHECK(ev == kSerialEventEoq);
    // A delivery that fits ends the episode; the next overrun is a new one.
    CHECK(p.port.receivePut(in, 4) == 4u);
    CHECK(p.port.receivePut(in, 8) == 4u);
    CHECK(p.port.receiveOverrunEpisodes() == 2u);
    CHECK(p.port.receiveOverrunBytes() == 10u);
}

TEST_CASE("serial port: in-band RX events keep their place in the stream")
{
    Port p(16, 16);
    p.open();
    const uint8_t a[3] = {1, 2, 3}, b[2] = {4, 5};
    CHECK(p.port.receivePut(a, 3) == 3u);
    CHECK(p.port.receiveEvent(kSerialEventFramingError, 0x7E) == Status::Success);
    CHECK(p.port.receivePut(b, 2) == 2u);
    CHECK(p.port.nextEvent() == kSerialEventEoq); // data is next
    uint32_t ev = 1, data = 1;
    CHECK(p.port.dequeueEvent(&ev, &data, false) == Status::Success);
    CHECK(ev == kSerialEventEoq);
    uint8_t buf[8];
    uint32_t count = 0;
    // Reading stops before the event.
    CHECK(p.port.dequeueData(buf, 8, &count, 0) == Status::Success);
    CHECK(count == 3u);
    // Even with min > available bytes, it returns instead of blocking.
    CHECK(p.port.dequeueData(buf, 8, &count, 2) == Status::Success);
    CHECK(count == 0u);
    CHECK(p.port.nextEvent() == kSerialEventFramingError);
    CHECK(p.port.dequeueEvent(&ev, &data, false) == Status::Success);
    CHECK(ev == kSerialEventFramingError);
    CHECK(data == 0x7Eu);
    CHECK(p.port.nextEvent() == kSerialEventEoq); // exactly once
    CHECK(p.port.dequeueData(buf, 8, &count, 0) == Status::Success);
    CHECK(count == 2u);
    CHECK(buf[0] == 4);
    CHECK(p.port.dequeueEvent(nullptr, &data, false) == Status::BadArgument);
    // A sleeping dequeueEvent wakes when an event arrives.
    std::atomic<uint32_t> got{0};
    std::thread w(
        [&]
        {
            uint32_t e = 0, d = 0;
            if (p.port.dequeueEvent(&e, &d, true) == Status::Success)
                got = e;
        });
    settle();
    CHECK(p.port.receiveEvent(kSerialEventIntegrityError, 0) == Status::Success);
    w.join();
    CHECK(got.load() == kSerialEventIntegrityError);
}

TEST_CASE("serial port: enqueueEvent takes effect after the bytes queued before it")
{
    Port p(16, 16);
    p.open();
    // Nothing queued: executes at once.
    CHECK(p.port.enqueueEvent(kSerialEventDataRate, 9600, false) == Status::Success);
    CHECK(p.log.lastData.load() == 9600u);
    uint8_t data[6] = {1, 2, 3, 4, 5, 6};
    uint32_t count = 0;
    CHECK(p.port.enqueueData(data, 4, &count, false) == Status::Success);
    CHECK(p.port.enqueueEvent(kSerialEventDataRate, 115200, false) == Status::Success);
    CHECK(p.port.enqueueData(data + 4, 2, &count, false) == Status::Success);
    CHECK(p.log.lastData.load() == 9600u);
    uint8_t out[8];
    CHECK(p.port.transmitTake(out, 2) == 2u);
    CHECK(p.log.lastData.load() == 9600u);
    // Taking the rest passes the event's position: it runs in between.
    CHECK(p.port.transmitTake(out, 8) == 4u);
    CHECK(p.log.lastData.load() == 115200u);
    CHECK(out[0] == 3);
    CHECK(out[3] == 6);
    // Event ring full without sleep: NoResources.
    CHECK(p.port.enqueueData(data, 1, &count, false) == Status::Success);
    for (int i = 0; i < 4; ++i)
        CHECK(p.port.enqueueEvent(kSerialEventDataRate, 1, false) == Status::Success);
    CHECK(p.port.enqueueEvent(kSerialEventDataRate, 1, false) == Status::NoResources);
}

TEST_CASE("serial port: executeEvent and requestEvent")
{
    Port p(4096, 4096);
    uint32_t v = 0;
    CHECK(p.port.executeEvent(kSerialEventActive, 1) == Status::NotOpen);
    CHECK(p.port.requestEvent(kSerialEventActive, &v) == Status::NotOpen);
    p.open();
    CHECK(p.port.requestEvent(kSerialEventActive, nullptr) == Status::BadArgument);
    CHECK(p.port.requestEvent(kSerialEventActive, &v) == Status::Success);
    CHECK(v == 1u);
    CHECK(p.port.executeEvent(0x7Cu, 0) == Status::BadArgument); // unknown
    CHECK(p.port.requestEvent(0x7Cu, &v) == Status::BadArgument);
    CHECK(p.port.executeEvent(kSerialEventTxqAvailable, 0) == Status::BadArgument); // query only
    CHECK(p.port.requestEvent(kSerialEventDataRate, &v) == Status::Success);        // via hook
    CHECK(v == 19200u);
    CHECK(p.port.requestEvent(kSerialEventTxqHighWater, &v) == Status::Success);
    CHECK(v == 2730u);
    CHECK(p.port.requestEvent(kSerialEventTxqLowWater, &v) == Status::Success);
    CHECK(v == 1365u);
    CHECK(p.port.requestEvent(kSerialEventTxqSize, &v) == Status::Success);
    CHECK(v == 4096u);
    // Marks: validated, and the bits follow at once.
    CHECK(p.port.executeEvent(kSerialEventTxqLowWater, 3000) == Status::BadArgument);
    CHECK(p.port.executeEvent(kSerialEventTxqHighWater, 5000) == Status::BadArgument);
    CHECK(p.port.executeEvent(kSerialEventTxqLowWater, 0) == Status::BadArgument);
    std::vector<uint8_t> data(100, 0x55);
    uint32_t count = 0;
    CHECK(p.port.enqueueData(data.data(), 100, &count, false) == Status::Success);
    CHECK((p.state() & kSerialStateTxqLowWater) != 0u);
    CHECK(p.port.executeEvent(kSerialEventTxqLowWater, 50) == Status::Success);
    CHECK((p.state() & kSerialStateTxqLowWater) == 0u);
    CHECK(p.port.executeEvent(kSerialEventTxqHighWater, 99) == Status::Success);
    CHECK((p.state() & kSerialStateTxqHighWater) != 0u);
    CHECK(p.port.executeEvent(kSerialEventTxqLowWater, 100) == Status::BadArgument); // > high
    // Size changes: rejected while data is queued, within the storage otherwise.
    CHECK(p.port.executeEvent(kSerialEventTxqSize, 1000) == Status::Busy);
    CHECK(p.port.executeEvent(kSerialEventRxqSize, 5000) == Status::BadArgument);
    CHECK(p.port.executeEvent(kSerialEventRxqSize, 0) == Status::BadArgument);
    CHECK(p.port.executeEvent(kSerialEventRxqSize, 4095) == Status::Success);
    CHECK(p.port.requestEvent(kSerialEventRxqHighWater, &v) == Status::Success);
    CHECK(v == 2730u);
    CHECK(p.port.requestEvent(kSerialEventRxqAvailable, &v) == Status::Success);
    CHECK(v == 0u);
    CHECK(p.port.executeEvent(kSerialEventRxqSize, 2) == Status::Success);
    CHECK(p.port.requestEvent(kSerialEventRxqLowWater, &v) == Status::Success);
    CHECK(v == 1u); // clamped, so LOW_WATER can be reached
    CHECK((p.state() & kSerialStateRxqLowWater) != 0u);
    // Flow control configuration.
    CHECK(p.port.executeEvent(kSerialEventFlowControl, 0x80000000u) == Status::BadArgument);
    CHECK(p.port.executeEvent(kSerialEventFlowControl, kSerialFlowRxo) == Status::Success);
    CHECK(p.port.requestEvent(kSerialEventFlowControl, &v) == Status::Success);
    CHECK(v == kSerialFlowRxo);
}

TEST_CASE("serial port: RX flow control sends one XOFF and one XON per crossing")
{
    Port p(30, 30);
    p.open();
    CHECK(p.port.executeEvent(kSerialEventFlowControl, kSerialFlowRxo) == Status::Success);
    CHECK(p.port.executeEvent(kSerialEventRxqLowWater, 10) == Status::Success);
    CHECK(p.port.executeEvent(kSerialEventRxqHighWater, 20) == Status::Success);
    const int callsBefore = p.log.flowCalls.load();
    uint8_t bytes[30] = {0};
    CHECK(p.port.receivePut(bytes, 21) == 21u);
    CHECK(p.log.flowCalls.load() == callsBefore + 1);
    CHECK(p.log.flowActions.load() == kSerialFlowActionSendXoff);
    CHECK(p.port.receiveThrottled());
    uint8_t buf[30];
    uint32_t count = 0;
    // Bounce around the high mark.
    for (int i = 0; i < 3; ++i)
    {
        CHECK(p.port.dequeueData(buf, 1, &count, 1) == Status::Success);
        CHECK(p.port.receivePut(bytes, 1) == 1u);
    }
    CHECK(p.log.flowCalls.load() == callsBefore + 1);
    CHECK(p.port.dequeueData(buf, 12, &count, 12) == Status::Success); // 21 -> 9 (< 10)
    CHECK(p.log.flowCalls.load() == callsBefore + 2);
    CHECK((p.log.flowActions.load() & kSerialFlowActionSendXon) != 0u);
    CHECK_FALSE(p.port.receiveThrottled());
}

TEST_CASE("serial port: capacities 1 and 2 use the clamped low mark")
{
    for (uint32_t cap : {1u, 2u, 3u})
    {
        CAPTURE(cap);
        Port p(cap, cap);
        p.open();
        uint8_t data[4] = {1, 2, 3, 4};
        std::atomic<bool> stop{false};
        std::thread hw(
            [&]
            {
                uint8_t b[4];
                while (!stop)
                {
                    if (p.port.transmitTake(b, 4) == 0)
                    {
                        p.port.transmitIdle();
                        std::this_thread::yield();
                    }
                }
            });
        uint32_t count = 0;
        // Would never wake with Apple's low mark of 0.
        CHECK(p.port.enqueueData(data, 4, &count, true) == Status::Success);
        CHECK(count == 4u);
        stop = true;
        hw.join();
    }
}

TEST_CASE("stress: serial port producer and consumer lose no byte and no wakeup")
{
    const char* scaleEnv = getenv("KDRV_STRESS_SCALE");
    const int scale = scaleEnv != nullptr && atoi(scaleEnv) > 0 ? atoi(scaleEnv) : 1;
    const uint32_t total = 200000u * static_cast<uint32_t>(scale);
    Port p(64, 64, false);
    p.open();
    std::atomic<bool> failed{false};
    // Writer thread -> TX -> "wire" thread -> RX -> reader thread.
    std::thread writer(
        [&]
        {
            TestRng rng(3);
            uint8_t chunk[100];
            uint32_t seq = 0;
            while (seq < total)
            {
                uint32_t n = std::min<uint32_t>(1 + rng() % 100, total - seq);
                for (uint32_t i = 0; i < n; ++i)
                    chunk[i] = static_cast<uint8_t>((seq + i) * 17 + 5);
                uint32_t count = 0;
                if (p.port.enqueueData(chunk, n, &count, true) != Status::Success || count != n)
                {
                    failed = true;
                    return;
                }
                seq += n;
            }
        });
    std::atomic<bool> stop{false};
    std::thread wire(
        [&]
        {
            TestRng rng(4);
            uint8_t buf[48];
            uint32_t pending = 0, offset = 0;
            while (!stop)
            {
                if (pending == 0)
                {
                    offset = 0;
                    pending = p.port.transmitTake(buf, 1 + rng() % 48);
                    if (pending == 0)
                    {
                        p.port.transmitIdle();
                        std::this_thread::yield();
                        continue;
                    }
                }
                // Deliver only what fits, as a device with its own flow control.
                uint32_t held = 0;
                if (p.port.requestEvent(kSerialEventRxqAvailable, &held) != Status::Success)
                    break;
                uint32_t n =
                    p.port.receivePut(buf + offset, std::min<uint32_t>(pending, 64 - held));
                offset += n;
                pending -= n;
                if (n == 0)
                    std::this_thread::yield();
            }
        });
    TestRng rng(5);
    uint8_t buf[128];
    uint32_t seq = 0;
    while (seq < total && !failed)
    {
        uint32_t size = 1 + rng() % 128;
        uint32_t min = std::min<uint32_t>(rng() % (size + 1), total - seq);
        uint32_t count = 0;
        if (p.port.dequeueData(buf, size, &count, min) != Status::Success || count < min)
        {
            failed = true;
            break;
        }
        for (uint32_t i = 0; i < count; ++i)
        {
            if (buf[i] != static_cast<uint8_t>((seq + i) * 17 + 5))
                failed = true;
        }
        seq += count;
    }
    stop = true;
    if (failed)
        (void)p.port.releasePort();
    writer.join();
    wire.join();
    CHECK_FALSE(failed.load());
    CHECK(seq == total);
    CHECK(p.port.receiveOverrunBytes() == 0u);
}

TEST_CASE("serial port: a released port ignores the hardware and discards queued bytes")
{
    Port p;
    p.open();
    const uint8_t data[4] = {1, 2, 3, 4};
    uint32_t count = 0;
    REQUIRE(p.port.enqueueData(data, 4, &count, false) == Status::Success);
    REQUIRE(count == 4u);
    CHECK(p.log.starts.load() == 1);
    REQUIRE(p.port.releasePort() == Status::Success);
    CHECK(p.state() == 0u);
    // The hardware, still running, takes and finishes: nothing changes.
    uint8_t out[4] = {};
    CHECK(p.port.transmitTake(out, 2) == 0u); // the queued bytes were discarded
    p.port.transmitIdle();
    CHECK(p.state() == 0u);
    CHECK(p.log.starts.load() == 1);
    const uint8_t in[2] = {9, 9};
    CHECK(p.port.receivePut(in, 2) == 0u);
    CHECK(p.port.receiveEvent(kSerialEventFramingError, 0) != Status::Success);
    CHECK(p.state() == 0u);
    // Reopened, the port starts with empty queues.
    p.open();
    CHECK(p.port.transmitTake(out, 4) == 0u);
    CHECK((p.state() & (kSerialStateTxqEmpty | kSerialStateRxqEmpty)) ==
          (kSerialStateTxqEmpty | kSerialStateRxqEmpty));
    CHECK(p.log.starts.load() == 1);
}

TEST_CASE("serial port: deadlineAfter saturates and is never zero")
{
    CHECK(SerialPortCore::deadlineAfter(~static_cast<uint64_t>(0)) == ~static_cast<uint64_t>(0));
    CHECK(SerialPortCore::deadlineAfter(~static_cast<uint64_t>(0) - 1) >=
          platform::monotonicNanos());
    const uint64_t now = platform::monotonicNanos();
    const uint64_t d = SerialPortCore::deadlineAfter(1000);
    CHECK(d >= now + 1000);
    CHECK(SerialPortCore::deadlineAfter(0) != 0u);
}

TEST_CASE("serial port: every blocking call gives up at its deadline with Timeout")
{
    Port p(4, 4);
    p.open();
    const uint64_t past = 1; // long gone: the wait gives up after one sleep
    uint8_t buf[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    uint32_t count = 99;
    // TX full after 4 bytes; the rest waits for LOW_WATER.
    CHECK(p.port.enqueueData(buf, 8, &count, true, past) == Status::Timeout);
    CHECK(count == 4u);
    CHECK(p.port.dequeueData(buf, 8, &count, 1, past) == Status::Timeout);
    CHECK(count == 0u);
    uint32_t ev = 0, data = 0;
    CHECK(p.port.dequeueEvent(&ev, &data, true, past) == Status::Timeout);
    CHECK(p.port.dequeueDataOrEvent(buf, 8, &count, 1, &ev, &data, past) == Status::Timeout);
    // TX events queue behind the 4 bytes; the ring of 4 fills, the fifth waits.
    for (int i = 0; i < 4; ++i)
        REQUIRE(p.port.enqueueEvent(kSerialEventDataRate, 9600, false) == Status::Success);
    CHECK(p.port.enqueueEvent(kSerialEventDataRate, 9600, true, past) == Status::Timeout);
    uint32_t st = kSerialStateRxBusy; // wait for RX_BUSY to be set: it never is
    CHECK(p.port.watchState(&st, kSerialStateRxBusy, past) == Status::Timeout);
    // A second acquirer waits for the release.
    CHECK(p.port.acquirePort(true, past) == Status::Timeout);
    // A relative deadline from the helper times out the same way.
    CHECK(p.port.dequeueData(buf, 8, &count, 1, SerialPortCore::deadlineAfter(1000000)) ==
          Status::Timeout);
}

TEST_CASE("serial port: a read loop on dequeueData spins on an RX event, dequeueDataOrEvent cannot")
{
    Port p(16, 4);
    p.open();
    const uint8_t six[6] = {1, 2, 3, 4, 5, 6};
    CHECK(p.port.receivePut(six, 6) == 4u); // overrun: the event sits after 4 bytes
    uint8_t buf[16];
    uint32_t count = 0;
    REQUIRE(p.port.dequeueData(buf, 16, &count, 4) == Status::Success);
    CHECK(count == 4u);
    // The trap: below min at an event, Success with nothing, again and again.
    for (int i = 0; i < 3; ++i)
    {
        CHECK(p.port.dequeueData(buf, 16, &count, 1) == Status::Success);
        CHECK(count == 0u);
    }
    CHECK(p.port.nextEvent() == kSerialEventSwOverrunError);
    // The loop-safe form hands the event back, so the next call waits for data.
    uint32_t ev = 0, data = 9;
    CHECK(p.port.dequeueDataOrEvent(buf, 16, &count, 1, &ev, &data) == Status::Success);
    CHECK(count == 0u);
    CHECK(ev == kSerialEventSwOverrunError);
    CHECK(data == 0u);
    CHECK(p.port.nextEvent() == kSerialEventEoq);
    const uint8_t two[2] = {7, 8};
    CHECK(p.port.receivePut(two, 2) == 2u);
    CHECK(p.port.dequeueDataOrEvent(buf, 16, &count, 2, &ev, &data) == Status::Success);
    CHECK(count == 2u);
    CHECK(ev == kSerialEventEoq);
    CHECK(buf[0] == 7);
    CHECK(p.port.dequeueDataOrEvent(buf, 16, &count, 1, nullptr, &data) == Status::BadArgument);
    // A loop of the safe form over a stream of events and bytes always ends.
    uint32_t total = 0;
    int calls = 0;
    REQUIRE(p.port.receiveEvent(kSerialEventFramingError, 0) == Status::Success);
    CHECK(p.port.receivePut(six, 3) == 3u);
    while (total < 3 && calls < 10)
    {
        ++calls;
        REQUIRE(p.port.dequeueDataOrEvent(buf, 16, &count, 3 - total, &ev, &data) ==
                Status::Success);
        total += count;
    }
    CHECK(total == 3u);
    CHECK(calls == 2);
}

TEST_CASE("serial port: zero-copy transmit peeks in place and consumes what was sent")
{
    Port p(8, 8);
    p.open();
    const uint8_t data[6] = {1, 2, 3, 4, 5, 6};
    uint32_t count = 0;
    REQUIRE(p.port.enqueueData(data, 6, &count, false) == Status::Success);
    ByteRingConstSpan spans[2];
    CHECK(p.port.transmitPeek(spans, 4) == 4u);
    CHECK(spans[0].size + spans[1].size == 4u);
    CHECK(spans[0].data[0] == 1);
    CHECK(p.port.transmitConsume(5) == Status::BadArgument); // beyond the view
    CHECK(p.port.transmitConsume(3) == Status::Success);
    CHECK(p.port.transmitConsume(2) == Status::BadArgument); // 1 left of the view
    CHECK(p.port.transmitConsume(1) == Status::Success);
    CHECK(p.port.transmitPeek(spans, 16) == 2u);
    CHECK(spans[0].data[0] == 5);
    // A TX event stops the view at its position.
    REQUIRE(p.port.enqueueEvent(kSerialEventDataRate, 19200, false) == Status::Success);
    REQUIRE(p.port.enqueueData(data, 2, &count, false) == Status::Success);
    CHECK(p.port.transmitPeek(spans, 16) == 2u);
    CHECK(p.port.transmitConsume(2) == Status::Success);
    CHECK(p.log.lastData.load() == 19200u); // executed when its bytes were sent
    CHECK(p.port.transmitPeek(spans, 16) == 2u);
    // A flush cancels the view: nothing is consumed twice.
    REQUIRE(p.port.executeEvent(kSerialEventTxqFlush, 0) == Status::Success);
    CHECK(p.port.transmitConsume(1) == Status::BadArgument);
    CHECK((p.state() & kSerialStateTxqEmpty) != 0u);
    REQUIRE(p.port.enqueueData(data, 3, &count, false) == Status::Success);
    CHECK(p.port.transmitPeek(spans, 16) == 3u);
    REQUIRE(p.port.releasePort() == Status::Success);
    CHECK(p.port.transmitConsume(1) == Status::NotOpen);
    CHECK(p.port.transmitPeek(spans, 16) == 0u);
    CHECK(p.port.transmitPeek(nullptr, 16) == 0u);
}
