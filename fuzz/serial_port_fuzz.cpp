// SPDX-License-Identifier: MIT
//
// SerialPortCore from one thread: any sequence of client, driver and hardware
// calls against a reference model written from serial_port.hpp's contract:
// the state word, both queues as byte deques, the TX and RX event rings with
// their stream positions, the overrun episodes, the hooks' calls and the
// zero-copy transmit view.
//
// Public operations, each reachable after any other (one opcode each):
//   client: acquirePort(no sleep), releasePort, setState, getState,
//     watchState (mask 0, already true, or with a deadline in the past),
//     nextEvent, executeEvent (ACTIVE, queue sizes, watermarks, flushes, a
//     hook event, an unknown one), requestEvent, enqueueEvent (no sleep),
//     dequeueEvent (no sleep), enqueueData (no sleep), dequeueData (min 0),
//     dequeueDataOrEvent (min 0, or 1 when data or an event is next);
//   driver and hardware: changeState, transmitTake, transmitPeek,
//     transmitConsume (any size: beyond the view, after a flush or take,
//     on a closed port), transmitIdle, receivePut, receiveEvent,
//     interruptWatchers, receiveOverrunBytes/Episodes, watchedBits,
//     receiveThrottled, deadlineAfter.
// Every call is made open and closed, active and inactive: a closed port must
// stay at state 0 whatever the hardware does. Not reached: the sleeping
// paths (tests/serial_port_test.cpp covers them with threads) and RX flow
// control (serial_queue's own tests); queue bits are left out of setState
// masks so that the model's word is exact between getState calls.
#include "kdrv/serial_port.hpp"

#include <deque>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vector>

#include "fuzz_check.hpp" // for FUZZ_CHECK

namespace
{
using kdrv::Status;

struct Input
{
    const uint8_t* data;
    size_t size;
    size_t pos;
    uint8_t byte() { return pos < size ? data[pos++] : 0; }
    uint32_t u16() { return static_cast<uint32_t>(byte()) | static_cast<uint32_t>(byte()) << 8; }
    uint32_t u32() { return u16() | u16() << 16; }
    bool done() const { return pos >= size; }
};

uint32_t min32(uint32_t a, uint32_t b) { return a < b ? a : b; }

constexpr uint32_t kUnknownEvent = 0x99u; // the hook refuses it

struct Hooks
{
    int starts = 0;
    std::vector<uint64_t> executed; // event << 32 | data, every executeEvent hook call
};

void onStart(void* ctx) { static_cast<Hooks*>(ctx)->starts++; }
void onFlow(void*, uint32_t) {}
Status onExecute(void* ctx, uint32_t event, uint32_t data)
{
    static_cast<Hooks*>(ctx)->executed.push_back(uint64_t(event) << 32 | data);
    return event == kdrv::kSerialEventDataRate ? Status::Success : Status::BadArgument;
}
Status onRequest(void*, uint32_t event, uint32_t* data)
{
    if (event != kdrv::kSerialEventDataRate)
        return Status::BadArgument;
    *data = 115200;
    return Status::Success;
}

struct Event
{
    uint32_t event;
    uint32_t data;
    uint32_t position;
};

struct Levels
{
    uint32_t capacity, low, high;
    void set(uint32_t c)
    {
        const kdrv::SerialWatermarks m = kdrv::defaultSerialWatermarks(c);
        capacity = c;
        low = m.low;
        high = m.high;
    }
    // The four bits of one direction, TX positions (serial_queue.hpp).
    uint32_t bits(uint32_t used) const
    {
        uint32_t b = 0;
        if (used == capacity)
            b |= kdrv::kSerialStateTxqFull;
        else if (used == 0)
            b |= kdrv::kSerialStateTxqEmpty;
        if (used < low)
            b |= kdrv::kSerialStateTxqLowWater;
        if (used > high)
            b |= kdrv::kSerialStateTxqHighWater;
        return b;
    }
};

struct Model
{
    uint32_t word = 0; // without the queue bits
    std::deque<uint8_t> tx, rx;
    std::deque<Event> txEvents, rxEvents;
    uint32_t txEventCap = 0, rxEventCap = 0; // 0: no ring
    bool overrunEvents = false;
    uint32_t txStorage = 0, rxStorage = 0;
    Levels txLevels = {}, rxLevels = {};
    uint32_t txWritten = 0, txTaken = 0, rxWritten = 0, rxTaken = 0;
    uint64_t overrunBytes = 0;
    uint32_t overrunEpisodes = 0;
    bool inOverrun = false;
    uint32_t peeked = 0;
    int starts = 0;
    std::vector<uint64_t> executed;
    uint8_t next = 0;

    bool acquired() const { return (word & kdrv::kSerialStateAcquired) != 0; }
    bool active() const { return (word & kdrv::kSerialStateActive) != 0; }
    uint32_t fullWord() const
    {
        if (!acquired())
            return word;
        return word | txLevels.bits(static_cast<uint32_t>(tx.size())) |
               rxLevels.bits(static_cast<uint32_t>(rx.size())) >> kdrv::kSerialStateRxOffset;
    }
    void flushTx()
    {
        txTaken += static_cast<uint32_t>(tx.size());
        tx.clear();
        txEvents.clear();
        peeked = 0;
    }
    void flushRx()
    {
        rxTaken += static_cast<uint32_t>(rx.size());
        rx.clear();
        rxEvents.clear();
        inOverrun = false;
    }
    void startIfIdle()
    {
        if ((word & kdrv::kSerialStateTxBusy) != 0 || !acquired())
            return;
        if (tx.empty() && txEvents.empty())
            return;
        word |= kdrv::kSerialStateTxBusy;
        ++starts;
    }
    Status resize(Levels* levels, const std::deque<uint8_t>& q, uint32_t storage, uint32_t c)
    {
        if (c == 0 || c > storage)
            return Status::BadArgument;
        if (!q.empty())
            return Status::Busy;
        levels->set(c);
        return Status::Success;
    }
    Status marks(Levels* levels, uint32_t low, uint32_t high)
    {
        if (low < 1 || low > high || high > levels->capacity)
            return Status::BadArgument;
        levels->low = low;
        levels->high = high;
        return Status::Success;
    }
    // executeEventLocked.
    Status execute(uint32_t event, uint32_t data)
    {
        if (!acquired())
            return Status::NotOpen;
        switch (event)
        {
        case kdrv::kSerialEventActive:
            executed.push_back(uint64_t(event) << 32 | data);
            word = data != 0 ? word | kdrv::kSerialStateActive : word & ~kdrv::kSerialStateActive;
            return Status::Success;
        case kdrv::kSerialEventTxqSize:
            return resize(&txLevels, tx, txStorage, data);
        case kdrv::kSerialEventRxqSize:
            return resize(&rxLevels, rx, rxStorage, data);
        case kdrv::kSerialEventTxqLowWater:
            return marks(&txLevels, data, txLevels.high);
        case kdrv::kSerialEventRxqLowWater:
            return marks(&rxLevels, data, rxLevels.high);
        case kdrv::kSerialEventTxqHighWater:
            return marks(&txLevels, txLevels.low, data);
        case kdrv::kSerialEventRxqHighWater:
            return marks(&rxLevels, rxLevels.low, data);
        case kdrv::kSerialEventTxqFlush:
            flushTx();
            return Status::Success;
        case kdrv::kSerialEventRxqFlush:
            flushRx();
            return Status::Success;
        default:
            executed.push_back(uint64_t(event) << 32 | data);
            return event == kdrv::kSerialEventDataRate ? Status::Success : Status::BadArgument;
        }
    }
    void runDueTx()
    {
        while (!txEvents.empty() && txEvents.front().position == txTaken)
        {
            const Event e = txEvents.front();
            txEvents.pop_front();
            (void)execute(e.event, e.data);
        }
    }
    // Bytes TX may hand out before the next TX event.
    uint32_t txLimit(uint32_t max) const
    {
        return txEvents.empty() ? max : min32(max, txEvents.front().position - txTaken);
    }
    uint32_t rxLimit(uint32_t max) const
    {
        return rxEvents.empty() ? max : min32(max, rxEvents.front().position - rxTaken);
    }
    bool rxEventAtHead() const { return !rxEvents.empty() && rxEvents.front().position == rxTaken; }
    // receiveReadLocked: up to the next event.
    uint32_t readRx(uint8_t* out, uint32_t n)
    {
        const uint32_t got = min32(rxLimit(n), static_cast<uint32_t>(rx.size()));
        for (uint32_t i = 0; i < got; ++i)
        {
            out[i] = rx.front();
            rx.pop_front();
        }
        rxTaken += got;
        return got;
    }
};

const uint32_t kExecEvents[] = {
    kdrv::kSerialEventActive,
    kdrv::kSerialEventTxqSize,
    kdrv::kSerialEventRxqSize,
    kdrv::kSerialEventTxqLowWater,
    kdrv::kSerialEventRxqLowWater,
    kdrv::kSerialEventTxqHighWater,
    kdrv::kSerialEventRxqHighWater,
    kdrv::kSerialEventTxqFlush,
    kdrv::kSerialEventRxqFlush,
    kdrv::kSerialEventDataRate,
    kUnknownEvent,
    kdrv::kSerialEventActive,
};
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    Input in = {data, size, 0};
    Model m;
    m.txStorage = 1u << (in.byte() % 6);
    m.rxStorage = 1u << (in.byte() % 6);
    const uint32_t txCap = 1 + in.byte() % m.txStorage;
    const uint32_t rxCap = 1 + in.byte() % m.rxStorage;
    const uint8_t config = in.byte();
    m.txEventCap = (config & 1) != 0 ? 1u << (config >> 1 & 3) : 0;
    m.rxEventCap = (config & 8) != 0 ? 1u << (config >> 4 & 3) : 0;
    m.overrunEvents = m.rxEventCap != 0 && (config & 0x40) != 0;
    m.txLevels.set(txCap);
    m.rxLevels.set(rxCap);

    std::vector<uint8_t> txStorage(m.txStorage), rxStorage(m.rxStorage);
    kdrv::SerialEventRecord txEvents[8], rxEvents[8];
    kdrv::SerialPortConfig c = {};
    c.txStorage = txStorage.data();
    c.txStorageSize = m.txStorage;
    c.txCapacity = txCap;
    c.rxStorage = rxStorage.data();
    c.rxStorageSize = m.rxStorage;
    c.rxCapacity = rxCap;
    c.txEvents = m.txEventCap != 0 ? txEvents : nullptr;
    c.txEventCount = m.txEventCap;
    c.rxEvents = m.rxEventCap != 0 ? rxEvents : nullptr;
    c.rxEventCount = m.rxEventCap;
    c.queueOverrunEvents = m.overrunEvents;
    Hooks hooks;
    const kdrv::SerialPortHooks h = {&hooks, onStart, onFlow, onExecute, onRequest};
    kdrv::SerialPortCore port;
    FUZZ_CHECK(port.init(c, h) == Status::Success);

    uint8_t buf[80];
    uint8_t out[80];
    while (!in.done())
    {
        const uint8_t op = in.byte();
        const uint32_t n = in.byte() % 70;
        switch (op % 22)
        {
        case 0:
        {
            const Status s = port.acquirePort(false);
            if (m.acquired())
                FUZZ_CHECK(s == Status::ExclusiveAccess);
            else
            {
                FUZZ_CHECK(s == Status::Success);
                m.flushTx();
                m.flushRx();
                m.word = kdrv::kSerialStateAcquired | kdrv::kSerialStateTxEnable |
                         kdrv::kSerialStateRxEnable;
            }
            break;
        }
        case 1:
        {
            const Status s = port.releasePort();
            FUZZ_CHECK(s == (m.acquired() ? Status::Success : Status::NotOpen));
            if (s == Status::Success)
            {
                m.flushTx();
                m.flushRx();
                m.word = 0;
            }
            break;
        }
        case 2: // executeEvent
        {
            const uint32_t event = kExecEvents[in.byte() % (sizeof kExecEvents / 4)];
            const uint32_t value = event == kdrv::kSerialEventActive
                                       ? static_cast<uint32_t>(in.byte() % 4 != 0 ? 1 : 0)
                                       : in.byte() % 70u;
            FUZZ_CHECK(port.executeEvent(event, value) == m.execute(event, value));
            break;
        }
        case 3: // requestEvent
        {
            static const uint32_t kReq[] = {kdrv::kSerialEventActive,
                                            kdrv::kSerialEventTxqSize,
                                            kdrv::kSerialEventRxqSize,
                                            kdrv::kSerialEventTxqLowWater,
                                            kdrv::kSerialEventRxqLowWater,
                                            kdrv::kSerialEventTxqHighWater,
                                            kdrv::kSerialEventRxqHighWater,
                                            kdrv::kSerialEventTxqAvailable,
                                            kdrv::kSerialEventRxqAvailable,
                                            kdrv::kSerialEventDataRate,
                                            kUnknownEvent};
            const uint32_t event = kReq[in.byte() % (sizeof kReq / 4)];
            uint32_t value = 0xDEAD;
            const Status s = port.requestEvent(event, &value);
            FUZZ_CHECK(port.requestEvent(event, nullptr) == Status::BadArgument);
            if (!m.acquired())
            {
                FUZZ_CHECK(s == Status::NotOpen);
                break;
            }
            uint32_t expect = 0;
            Status es = Status::Success;
            switch (event)
            {
            case kdrv::kSerialEventActive:
                expect = m.active() ? 1 : 0;
                break;
            case kdrv::kSerialEventTxqSize:
                expect = m.txLevels.capacity;
                break;
            case kdrv::kSerialEventRxqSize:
                expect = m.rxLevels.capacity;
                break;
            case kdrv::kSerialEventTxqLowWater:
                expect = m.txLevels.low;
                break;
            case kdrv::kSerialEventRxqLowWater:
                expect = m.rxLevels.low;
                break;
            case kdrv::kSerialEventTxqHighWater:
                expect = m.txLevels.high;
                break;
            case kdrv::kSerialEventRxqHighWater:
                expect = m.rxLevels.high;
                break;
            case kdrv::kSerialEventTxqAvailable:
                expect = m.txLevels.capacity - static_cast<uint32_t>(m.tx.size());
                break;
            case kdrv::kSerialEventRxqAvailable:
                expect = static_cast<uint32_t>(m.rx.size());
                break;
            case kdrv::kSerialEventDataRate:
                expect = 115200;
                break;
            default:
                es = Status::BadArgument;
                break;
            }
            FUZZ_CHECK(s == es);
            if (es == Status::Success)
                FUZZ_CHECK(value == expect);
            break;
        }
        case 4: // enqueueData, no sleep
        {
            for (uint32_t i = 0; i < n; ++i)
                buf[i] = static_cast<uint8_t>(m.next + i);
            uint32_t count = 99;
            const Status s = port.enqueueData(buf, n, &count, false);
            uint32_t scratch = 0;
            FUZZ_CHECK(port.enqueueData(nullptr, 1, &scratch, false) == Status::BadArgument);
            FUZZ_CHECK(port.enqueueData(buf, n, nullptr, false) == Status::BadArgument);
            if (!m.active())
            {
                FUZZ_CHECK(s == Status::NotOpen && count == 0);
                break;
            }
            const uint32_t accepted =
                min32(n, m.txLevels.capacity - static_cast<uint32_t>(m.tx.size()));
            FUZZ_CHECK(s == Status::Success && count == accepted);
            for (uint32_t i = 0; i < accepted; ++i)
                m.tx.push_back(m.next++);
            m.txWritten += accepted;
            m.startIfIdle();
            break;
        }
        case 5: // dequeueData, min 0
        {
            uint32_t count = 99;
            const Status s = port.dequeueData(out, n, &count, 0);
            uint32_t scratch = 0;
            FUZZ_CHECK(port.dequeueData(out, 1, &scratch, 2) == Status::BadArgument); // min > size
            if (!m.active())
            {
                FUZZ_CHECK(s == Status::NotOpen && count == 0);
                break;
            }
            FUZZ_CHECK(s == Status::Success);
            uint8_t expect[80];
            FUZZ_CHECK(count == m.readRx(expect, n));
            FUZZ_CHECK(memcmp(out, expect, count) == 0);
            break;
        }
        case 6: // dequeueDataOrEvent: min 1 only when it cannot block
        {
            const bool dataNext = !m.rx.empty() && m.rxLimit(1) != 0;
            const uint32_t min = (m.active() && n != 0 && (dataNext || m.rxEventAtHead())) ? 1 : 0;
            uint32_t count = 99, event = 99, value = 99;
            const Status s = port.dequeueDataOrEvent(out, n, &count, min, &event, &value);
            if (!m.active())
            {
                FUZZ_CHECK(s == Status::NotOpen && count == 0 && event == kdrv::kSerialEventEoq);
                break;
            }
            FUZZ_CHECK(s == Status::Success);
            uint8_t expect[80];
            FUZZ_CHECK(count == m.readRx(expect, n));
            FUZZ_CHECK(memcmp(out, expect, count) == 0);
            if (count < min)
            {
                FUZZ_CHECK(m.rxEventAtHead());
                FUZZ_CHECK(event == m.rxEvents.front().event && value == m.rxEvents.front().data);
                m.rxEvents.pop_front();
            }
            else
                FUZZ_CHECK(event == kdrv::kSerialEventEoq && value == 0);
            break;
        }
        case 7: // enqueueEvent, no sleep
        {
            const uint32_t event = in.byte() % 2 ? kdrv::kSerialEventDataRate : kUnknownEvent;
            const uint32_t value = in.u16();
            const Status s = port.enqueueEvent(event, value, false);
            if (!m.acquired())
                FUZZ_CHECK(s == Status::NotOpen);
            else if (m.txEventCap == 0 || (m.tx.empty() && m.txEvents.empty()))
                FUZZ_CHECK(s == m.execute(event, value));
            else if (m.txEvents.size() == m.txEventCap)
                FUZZ_CHECK(s == Status::NoResources);
            else
            {
                FUZZ_CHECK(s == Status::Success);
                m.txEvents.push_back(Event{event, value, m.txWritten});
                m.startIfIdle();
            }
            break;
        }
        case 8: // dequeueEvent, no sleep
        {
            uint32_t event = 99, value = 99;
            const Status s = port.dequeueEvent(&event, &value, false);
            FUZZ_CHECK(port.dequeueEvent(nullptr, &value, false) == Status::BadArgument);
            if (!m.acquired())
            {
                FUZZ_CHECK(s == Status::NotOpen && event == kdrv::kSerialEventEoq && value == 0);
                break;
            }
            FUZZ_CHECK(s == Status::Success);
            if (m.rxEventAtHead())
            {
                FUZZ_CHECK(event == m.rxEvents.front().event && value == m.rxEvents.front().data);
                m.rxEvents.pop_front();
            }
            else
                FUZZ_CHECK(event == kdrv::kSerialEventEoq && value == 0);
            break;
        }
        case 9:
            FUZZ_CHECK(port.nextEvent() ==
                       (m.rxEventAtHead() ? m.rxEvents.front().event : kdrv::kSerialEventEoq));
            break;
        case 10: // setState / changeState, queue bits left out of the mask
        {
            const uint32_t state = in.u32();
            uint32_t mask = in.u32() & ~kdrv::kSerialStateQueueMask;
            const bool driver = (op & 0x80) != 0;
            if (driver)
                mask &= ~kdrv::kSerialStateAcquired;
            const Status s = driver ? port.changeState(state, mask) : port.setState(state, mask);
            if (!driver && (mask & (kdrv::kSerialStateAcquired | kdrv::kSerialStateActive)) != 0)
                FUZZ_CHECK(s == Status::BadArgument);
            else if (!m.acquired())
                FUZZ_CHECK(s == Status::NotOpen);
            else
            {
                FUZZ_CHECK(s == Status::Success);
                m.word = (m.word & ~mask) | (state & mask & ~kdrv::kSerialStateQueueMask);
            }
            break;
        }
        case 11: // transmitTake
        {
            const uint32_t got = port.transmitTake(out, n);
            m.peeked = 0;
            if (!m.acquired())
            {
                FUZZ_CHECK(got == 0);
                break;
            }
            uint32_t taken = 0;
            for (;;)
            {
                m.runDueTx();
                const uint32_t k = min32(m.txLimit(n - taken), static_cast<uint32_t>(m.tx.size()));
                for (uint32_t i = 0; i < k; ++i)
                {
                    FUZZ_CHECK(out[taken + i] == m.tx.front());
                    m.tx.pop_front();
                }
                m.txTaken += k;
                taken += k;
                if (k == 0 || taken == n)
                    break;
            }
            m.runDueTx();
            FUZZ_CHECK(got == taken);
            break;
        }
        case 12: // transmitPeek
        {
            kdrv::ByteRingConstSpan spans[2];
            const uint32_t got = port.transmitPeek(spans, n);
            FUZZ_CHECK(port.transmitPeek(nullptr, n) == 0);
            m.peeked = 0;
            if (!m.acquired())
            {
                FUZZ_CHECK(got == 0);
                break;
            }
            m.runDueTx();
            const uint32_t expect = min32(m.txLimit(n), static_cast<uint32_t>(m.tx.size()));
            FUZZ_CHECK(got == expect && spans[0].size + spans[1].size == got);
            for (uint32_t i = 0; i < got; ++i)
            {
                const uint8_t* p =
                    i < spans[0].size ? spans[0].data + i : spans[1].data + (i - spans[0].size);
                FUZZ_CHECK(p >= txStorage.data() && p < txStorage.data() + txStorage.size());
                FUZZ_CHECK(*p == m.tx[i]);
            }
            m.peeked = got;
            break;
        }
        case 13: // transmitConsume of any size
        {
            const uint32_t k = in.byte() % (m.peeked + 3);
            const Status s = port.transmitConsume(k);
            if (!m.acquired())
                FUZZ_CHECK(s == Status::NotOpen);
            else if (k > m.peeked)
                FUZZ_CHECK(s == Status::BadArgument);
            else
            {
                FUZZ_CHECK(s == Status::Success);
                if (k != 0)
                {
                    for (uint32_t i = 0; i < k; ++i)
                        m.tx.pop_front();
                    m.peeked -= k;
                    m.txTaken += k;
                    m.runDueTx();
                }
            }
            break;
        }
        case 14:
            port.transmitIdle();
            m.word &= ~kdrv::kSerialStateTxBusy;
            m.startIfIdle();
            break;
        case 15: // receivePut
        {
            for (uint32_t i = 0; i < n; ++i)
                buf[i] = static_cast<uint8_t>(m.next + i);
            const uint32_t stored = port.receivePut(buf, n);
            if (!m.acquired())
            {
                FUZZ_CHECK(stored == 0);
                break;
            }
            const uint32_t expect =
                min32(n, m.rxLevels.capacity - static_cast<uint32_t>(m.rx.size()));
            FUZZ_CHECK(stored == expect);
            for (uint32_t i = 0; i < expect; ++i)
                m.rx.push_back(m.next++);
            m.rxWritten += expect;
            if (expect < n)
            {
                m.overrunBytes += n - expect;
                if (!m.inOverrun)
                {
                    m.inOverrun = true;
                    ++m.overrunEpisodes;
                    if (m.overrunEvents && m.rxEvents.size() < m.rxEventCap)
                        m.rxEvents.push_back(
                            Event{kdrv::kSerialEventSwOverrunError, 0, m.rxWritten});
                }
            }
            else if (n != 0)
                m.inOverrun = false;
            break;
        }
        case 16: // receiveEvent
        {
            const uint32_t value = in.u16();
            const Status s = port.receiveEvent(kdrv::kSerialEventFramingError, value);
            if (!m.acquired())
                FUZZ_CHECK(s == Status::NotOpen);
            else if (m.rxEventCap == 0 || m.rxEvents.size() == m.rxEventCap)
                FUZZ_CHECK(s == Status::NoResources);
            else
            {
                FUZZ_CHECK(s == Status::Success);
                m.rxEvents.push_back(Event{kdrv::kSerialEventFramingError, value, m.rxWritten});
            }
            break;
        }
        case 17: // watchState: mask 0, or a deadline already past
        {
            const uint32_t want = in.u32();
            const uint32_t mask = in.byte() % 4 == 0 ? 0 : in.u32();
            uint32_t state = want;
            const Status s = port.watchState(&state, mask, 1);
            FUZZ_CHECK(port.watchState(nullptr, mask, 1) == Status::BadArgument);
            if (!m.acquired())
            {
                FUZZ_CHECK(s == Status::NotOpen && state == want);
                break;
            }
            if (mask == 0)
            {
                FUZZ_CHECK(s == Status::Success && state == want);
                break;
            }
            // The header's rule: any masked bit equal to the wanted one; a
            // mask naming neither ACQUIRED nor ACTIVE also watches ACTIVE == 0.
            const uint32_t cur = m.fullWord();
            uint32_t watch = mask;
            uint32_t w = want;
            if ((mask & (kdrv::kSerialStateAcquired | kdrv::kSerialStateActive)) == 0)
            {
                watch |= kdrv::kSerialStateActive;
                w &= ~kdrv::kSerialStateActive;
            }
            const uint32_t matched = (w ^ ~cur) & watch;
            if (matched == 0)
                FUZZ_CHECK(s == Status::Timeout && state == want);
            else
            {
                FUZZ_CHECK(s == ((matched & mask) != 0 ? Status::Success : Status::IOError));
                FUZZ_CHECK(state == cur);
            }
            break;
        }
        case 18:
        {
            uint32_t word = port.getState();
            FUZZ_CHECK(word == m.fullWord());
            break;
        }
        case 19:
            port.interruptWatchers(); // nobody waits: no effect
            FUZZ_CHECK(port.watchedBits() == 0);
            FUZZ_CHECK(!port.receiveThrottled());
            break;
        case 20:
            FUZZ_CHECK(port.receiveOverrunBytes() == m.overrunBytes);
            FUZZ_CHECK(port.receiveOverrunEpisodes() == m.overrunEpisodes);
            FUZZ_CHECK(kdrv::SerialPortCore::deadlineAfter(in.u32()) != 0);
            break;
        default:
            // dequeueData with min > 0 blocks unless enough data is next:
            // call it only then.
            if (m.active() && n != 0 && !m.rx.empty() &&
                min32(m.rxLimit(n), static_cast<uint32_t>(m.rx.size())) == n)
            {
                uint32_t count = 0;
                FUZZ_CHECK(port.dequeueData(out, n, &count, n) == Status::Success);
                uint8_t expect[80];
                FUZZ_CHECK(count == m.readRx(expect, n) && count == n);
                FUZZ_CHECK(memcmp(out, expect, n) == 0);
            }
            break;
        }
        FUZZ_CHECK(hooks.starts == m.starts);
        FUZZ_CHECK(hooks.executed == m.executed);
        FUZZ_CHECK(port.getState() == m.fullWord());
    }
    port.destroy();
    return 0;
}
