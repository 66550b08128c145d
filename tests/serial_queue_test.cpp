// SPDX-License-Identifier: MIT
#include "kdrv/serial_queue.hpp"

#include <doctest/doctest.h>

using namespace kdrv;

TEST_CASE("serial queue: state-bit values are IOSerialStreamSync's")
{
    CHECK(kSerialStateAcquired == 0x80000000u);
    CHECK(kSerialStateActive == 0x40000000u);
    CHECK(kSerialStateTxEnable == 0x20000000u);
    CHECK(kSerialStateRxEnable == 0x00400000u);
    CHECK(kSerialStateTxBusy == 0x10000000u);
    CHECK(kSerialStateRxBusy == 0x00200000u);
    CHECK(kSerialStateTxEvent == 0x08000000u);
    CHECK(kSerialStateRxEvent == 0x00100000u);
    CHECK(kSerialStateTxqEmpty == 0x04000000u);
    CHECK(kSerialStateRxqEmpty == 0x00080000u);
    CHECK(kSerialStateTxqLowWater == 0x02000000u);
    CHECK(kSerialStateRxqLowWater == 0x00040000u);
    CHECK(kSerialStateTxqHighWater == 0x01000000u);
    CHECK(kSerialStateRxqHighWater == 0x00020000u);
    CHECK(kSerialStateTxqFull == 0x00800000u);
    CHECK(kSerialStateRxqFull == 0x00010000u);
    CHECK(kSerialStateMask == 0xFFFF0000u);
    CHECK(kSerialStateTxqMask == 0x07800000u);
    CHECK(kSerialStateRxqMask == 0x000F0000u);
    // Every RX bit is its TX bit >> 7.
    CHECK((kSerialStateTxEnable >> kSerialStateRxOffset) == kSerialStateRxEnable);
    CHECK((kSerialStateTxBusy >> kSerialStateRxOffset) == kSerialStateRxBusy);
    CHECK((kSerialStateTxEvent >> kSerialStateRxOffset) == kSerialStateRxEvent);
    CHECK((kSerialStateTxqFull >> kSerialStateRxOffset) == kSerialStateRxqFull);
}

TEST_CASE("serial queue: event codes")
{
    CHECK(kSerialEventActive == 0x05u);
    CHECK(kSerialEventTxqAvailable == 0x23u);
    CHECK(kSerialEventRxqAvailable == 0x27u);
    CHECK(kSerialEventFlowControl == 0x53u);
    CHECK(kSerialEventSwOverrunError == 0x6Cu);
    CHECK(serialEventOperation(kSerialEventValidDataByte) == kSerialEventValidData);
    CHECK((kSerialEventDataRate & kSerialEventDataMask) == kSerialEventDataLong);
    CHECK(isSerialErrorEvent(kSerialEventFramingError));
    CHECK(isSerialErrorEvent(kSerialEventSwOverrunError));
    CHECK_FALSE(isSerialErrorEvent(kSerialEventValidDataByte));
    CHECK_FALSE(isSerialErrorEvent(kSerialEventEoq));
}

TEST_CASE("serial queue: default marks for capacities 1, 2, 3, 4, 4095, 4096")
{
    // Apple's formula, with low clamped to 1 where it would be 0.
    struct Row
    {
        uint32_t capacity, low, high;
    };
    const Row rows[] = {
        {1, 1, 1},          {2, 1, 1},          {3, 1, 2}, {4, 1, 2},
        {4095, 1365, 2730}, {4096, 1365, 2730}, {0, 0, 0}, {0xFFFFFFFFu, 0x55555555u, 0xAAAAAAAAu}};
    for (const Row& r : rows)
    {
        CAPTURE(r.capacity);
        SerialWatermarks m = defaultSerialWatermarks(r.capacity);
        CHECK(m.low == r.low);
        CHECK(m.high == r.high);
        if (r.capacity != 0)
            CHECK(validateSerialWatermarks(m.low, m.high, r.capacity) == Status::Success);
    }
    // Unclamped, capacities 1 and 2 would give low 0: LOW_WATER unreachable.
    CHECK(computeQueueBits(0, 1, 0, 0, false) == kSerialStateTxqEmpty);
    // Clamped: an empty 1- or 2-byte queue is below the low mark.
    SerialWatermarks m1 = defaultSerialWatermarks(1);
    CHECK(computeQueueBits(0, 1, m1.low, m1.high, false) ==
          (kSerialStateTxqEmpty | kSerialStateTxqLowWater));
    SerialWatermarks m2 = defaultSerialWatermarks(2);
    CHECK(computeQueueBits(0, 2, m2.low, m2.high, false) ==
          (kSerialStateTxqEmpty | kSerialStateTxqLowWater));
    CHECK(computeQueueBits(2, 2, m2.low, m2.high, false) ==
          (kSerialStateTxqFull | kSerialStateTxqHighWater));
}

TEST_CASE("serial queue: explicit marks are validated")
{
    CHECK(validateSerialWatermarks(2, 1, 10) == Status::BadArgument);  // low > high
    CHECK(validateSerialWatermarks(1, 11, 10) == Status::BadArgument); // high > capacity
    CHECK(validateSerialWatermarks(0, 5, 10) == Status::BadArgument);  // low 0 refused
    CHECK(validateSerialWatermarks(5, 5, 10) == Status::Success);      // low == high
    CHECK(validateSerialWatermarks(10, 10, 10) == Status::Success);
    CHECK(validateSerialWatermarks(1, 1, 1) == Status::Success);

    SerialQueueLevels q;
    q.setCapacity(4096);
    CHECK(q.lowWater() == 1365u);
    CHECK(q.highWater() == 2730u);
    CHECK(q.setWatermarks(3000, 2000) == Status::BadArgument);
    CHECK(q.lowWater() == 1365u); // unchanged on error
    CHECK(q.highWater() == 2730u);
    CHECK(q.setHighWater(5000) == Status::BadArgument);
    CHECK(q.setLowWater(2730) == Status::Success);
    CHECK(q.setLowWater(2731) == Status::BadArgument);
    CHECK(q.setWatermarks(100, 200) == Status::Success);
    CHECK(q.bits(150, false) == 0u);
    CHECK(q.bits(99, false) == kSerialStateTxqLowWater);
    CHECK(q.bits(201, true) == kSerialStateRxqHighWater);
}

TEST_CASE("serial queue: exact marks use strict comparisons")
{
    const uint32_t cap = 4096, low = 1365, high = 2730;
    CHECK(computeQueueBits(0, cap, low, high, false) ==
          (kSerialStateTxqEmpty | kSerialStateTxqLowWater));
    CHECK(computeQueueBits(1, cap, low, high, false) == kSerialStateTxqLowWater);
    CHECK(computeQueueBits(low - 1, cap, low, high, false) == kSerialStateTxqLowWater);
    CHECK(computeQueueBits(low, cap, low, high, false) == 0u); // used == low: clear
    CHECK(computeQueueBits(low + 1, cap, low, high, false) == 0u);
    CHECK(computeQueueBits(high, cap, low, high, false) == 0u); // used == high: clear
    CHECK(computeQueueBits(high + 1, cap, low, high, false) == kSerialStateTxqHighWater);
    CHECK(computeQueueBits(cap - 1, cap, low, high, false) == kSerialStateTxqHighWater);
    CHECK(computeQueueBits(cap, cap, low, high, false) ==
          (kSerialStateTxqFull | kSerialStateTxqHighWater));
    // low == high: both clear exactly at the mark.
    CHECK(computeQueueBits(5, 10, 5, 5, false) == 0u);
    CHECK(computeQueueBits(4, 10, 5, 5, false) == kSerialStateTxqLowWater);
    CHECK(computeQueueBits(6, 10, 5, 5, false) == kSerialStateTxqHighWater);
}

TEST_CASE("serial queue: RX bits are TX bits >> 7 and independent")
{
    for (uint32_t used = 0; used <= 12; ++used)
    {
        CAPTURE(used);
        uint32_t tx = computeQueueBits(used, 12, 4, 8, false);
        uint32_t rx = computeQueueBits(used, 12, 4, 8, true);
        CHECK(rx == tx >> kSerialStateRxOffset);
        CHECK((tx & ~kSerialStateTxqMask) == 0u);
        CHECK((rx & ~kSerialStateRxqMask) == 0u);
    }
    // A state word with TX full and RX empty holds both sets.
    uint32_t state = computeQueueBits(12, 12, 4, 8, false) | computeQueueBits(0, 12, 4, 8, true);
    CHECK(state == (kSerialStateTxqFull | kSerialStateTxqHighWater | kSerialStateRxqEmpty |
                    kSerialStateRxqLowWater));
}

TEST_CASE("serial queue: crossings in both directions change exactly the crossed bit")
{
    const uint32_t cap = 30, low = 10, high = 20;
    uint32_t prev = computeQueueBits(0, cap, low, high, true);
    int lowChanges = 0, highChanges = 0, emptyChanges = 0, fullChanges = 0;
    for (uint32_t used = 1; used <= cap; ++used)
    {
        uint32_t cur = computeQueueBits(used, cap, low, high, true);
        uint32_t delta = serialQueueChangeMask(prev, cur);
        lowChanges += (delta & kSerialStateRxqLowWater) != 0;
        highChanges += (delta & kSerialStateRxqHighWater) != 0;
        emptyChanges += (delta & kSerialStateRxqEmpty) != 0;
        fullChanges += (delta & kSerialStateRxqFull) != 0;
        if (used == low)
            CHECK(delta == kSerialStateRxqLowWater);
        else if (used == high + 1)
            CHECK(delta == kSerialStateRxqHighWater);
        prev = cur;
    }
    for (uint32_t used = cap; used-- > 0;)
    {
        uint32_t cur = computeQueueBits(used, cap, low, high, true);
        uint32_t delta = serialQueueChangeMask(prev, cur);
        lowChanges += (delta & kSerialStateRxqLowWater) != 0;
        highChanges += (delta & kSerialStateRxqHighWater) != 0;
        emptyChanges += (delta & kSerialStateRxqEmpty) != 0;
        fullChanges += (delta & kSerialStateRxqFull) != 0;
        prev = cur;
    }
    CHECK(lowChanges == 2);
    CHECK(highChanges == 2);
    CHECK(emptyChanges == 2);
    CHECK(fullChanges == 2);
    // Bits outside the queue masks never appear in the change mask.
    CHECK(serialQueueChangeMask(0xFFFFFFFFu, 0u) == kSerialStateQueueMask);
}

namespace
{
uint32_t rxState(uint32_t used) { return computeQueueBits(used, 100, 33, 66, true); }
} // namespace

TEST_CASE("serial queue: flow control sends one XOFF and one XON per crossing")
{
    SerialFlowControl fc;
    CHECK(fc.configure(kSerialFlowRxo | 0x80000000u) == kSerialFlowActionNone);
    CHECK(fc.config() == kSerialFlowRxo);
    CHECK(fc.xonChar() == 0x11);
    CHECK(fc.xoffChar() == 0x13);
    int xoff = 0, xon = 0;
    uint32_t prev = rxState(0);
    auto step = [&](uint32_t used)
    {
        uint32_t cur = rxState(used);
        uint32_t a = fc.onStateChange(prev, cur);
        xoff += (a & kSerialFlowActionSendXoff) != 0;
        xon += (a & kSerialFlowActionSendXon) != 0;
        prev = cur;
    };
    for (uint32_t u = 0; u <= 70; ++u)
        step(u);
    CHECK(xoff == 1);
    CHECK(xon == 0);
    CHECK(fc.throttled());
    // Bounce around the high mark: no further XOFF.
    for (int i = 0; i < 5; ++i)
    {
        step(66);
        step(67);
    }
    CHECK(xoff == 1);
    // Fall below low: one XON.
    for (uint32_t u = 67; u-- > 0;)
        step(u);
    CHECK(xon == 1);
    CHECK_FALSE(fc.throttled());
    // Bounce around the low mark: no extra XON or XOFF.
    for (int i = 0; i < 5; ++i)
    {
        step(33);
        step(32);
    }
    CHECK(xon == 1);
    CHECK(xoff == 1);
    // And again a full crossing.
    for (uint32_t u = 32; u <= 100; ++u)
        step(u);
    CHECK(xoff == 2);
}

TEST_CASE("serial queue: DTR and RTS flow control, and switching it off releases")
{
    SerialFlowControl fc;
    CHECK(fc.configure(kSerialFlowDtr | kSerialFlowRfr) == kSerialFlowActionNone);
    uint32_t a = fc.onStateChange(rxState(66), rxState(67));
    CHECK(a == (kSerialFlowActionDropDtr | kSerialFlowActionDropRts));
    CHECK(fc.throttled());
    // Switching DTR flow control off while throttled raises DTR again.
    CHECK(fc.configure(kSerialFlowRfr) == kSerialFlowActionRaiseDtr);
    CHECK(fc.throttled());
    CHECK(fc.onStateChange(rxState(33), rxState(32)) == kSerialFlowActionRaiseRts);
    CHECK_FALSE(fc.throttled());
    // Without receive flow control nothing happens.
    SerialFlowControl off;
    CHECK(off.configure(kSerialFlowCts | kSerialFlowTxo) == kSerialFlowActionNone);
    CHECK(off.onStateChange(rxState(0), rxState(100)) == kSerialFlowActionNone);
    // Turning everything off while throttled releases and forgets.
    SerialFlowControl x;
    CHECK(x.configure(kSerialFlowRxo) == kSerialFlowActionNone);
    CHECK(x.onStateChange(rxState(0), rxState(80)) == kSerialFlowActionSendXoff);
    CHECK(x.configure(0) == kSerialFlowActionSendXon);
    CHECK_FALSE(x.throttled());
    x.setXonChar(0x21);
    x.setXoffChar(0x23);
    CHECK(x.xonChar() == 0x21);
    CHECK(x.xoffChar() == 0x23);
}
