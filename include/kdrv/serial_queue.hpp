// SPDX-License-Identifier: MIT
//
/// \file
/// Serial queue state: the I/O Kit serial state-word bits and event codes,
/// the fill-level bits of a TX or RX queue computed from its watermarks, and
/// receive flow control driven by changes of those bits.
///
/// The numeric values are those of IOSerialStreamSync.h and
/// IORS232SerialStreamSync.h, so a driver can pass them to and from
/// IOSerialBSDClient unchanged. kdrv uses its own names (kSerialState*,
/// kSerialEvent*, kSerialFlow*) so that this header can be included next to
/// Apple's, whose names are macros.
///
/// Everything here is pure computation on integers: no locks, no sleeping,
/// callable from any context. The caller serializes (the port's gate).
#ifndef KDRV_SERIAL_QUEUE_HPP
#define KDRV_SERIAL_QUEUE_HPP

#include "kdrv/base.hpp"   // for KDRV_NODISCARD, KDRV_CONSTEXPR14
#include "kdrv/status.hpp" // for Status

namespace kdrv
{
// ---- state word (PD_S_*) ------------------------------------------------
// The generic bits live in the high 16 bits; each RX bit is its TX
// counterpart shifted right by kSerialStateRxOffset. The low 16 bits hold
// RS-232 signal and flow-control state.
constexpr uint32_t kSerialStateAcquired = 0x80000000u;     // PD_S_ACQUIRED
constexpr uint32_t kSerialStateActive = 0x40000000u;       // PD_S_ACTIVE
constexpr uint32_t kSerialStateTxEnable = 0x20000000u;     // PD_S_TX_ENABLE
constexpr uint32_t kSerialStateTxBusy = 0x10000000u;       // PD_S_TX_BUSY
constexpr uint32_t kSerialStateTxEvent = 0x08000000u;      // PD_S_TX_EVENT
constexpr uint32_t kSerialStateTxqEmpty = 0x04000000u;     // PD_S_TXQ_EMPTY
constexpr uint32_t kSerialStateTxqLowWater = 0x02000000u;  // PD_S_TXQ_LOW_WATER
constexpr uint32_t kSerialStateTxqHighWater = 0x01000000u; // PD_S_TXQ_HIGH_WATER
constexpr uint32_t kSerialStateTxqFull = 0x00800000u;      // PD_S_TXQ_FULL
constexpr uint32_t kSerialStateRxEnable = 0x00400000u;     // PD_S_RX_ENABLE
constexpr uint32_t kSerialStateRxBusy = 0x00200000u;       // PD_S_RX_BUSY
constexpr uint32_t kSerialStateRxEvent = 0x00100000u;      // PD_S_RX_EVENT
constexpr uint32_t kSerialStateRxqEmpty = 0x00080000u;     // PD_S_RXQ_EMPTY
constexpr uint32_t kSerialStateRxqLowWater = 0x00040000u;  // PD_S_RXQ_LOW_WATER
constexpr uint32_t kSerialStateRxqHighWater = 0x00020000u; // PD_S_RXQ_HIGH_WATER
constexpr uint32_t kSerialStateRxqFull = 0x00010000u;      // PD_S_RXQ_FULL
constexpr uint32_t kSerialStateMask = 0xFFFF0000u;         // PD_S_MASK
constexpr uint32_t kSerialStateRxOffset = 7;               // PD_S_RX_OFFSET
constexpr uint32_t kSerialStateTxqMask = 0x07800000u;      // PD_S_TXQ_MASK
constexpr uint32_t kSerialStateRxqMask = 0x000F0000u;      // PD_S_RXQ_MASK
constexpr uint32_t kSerialStateQueueMask = kSerialStateTxqMask | kSerialStateRxqMask;

static_assert((kSerialStateTxqMask >> kSerialStateRxOffset) == kSerialStateRxqMask,
              "RX queue bits are the TX bits shifted by PD_S_RX_OFFSET");

// ---- RS-232 flow-control configuration (PD_RS232_A_*, data of
// kSerialEventFlowControl). The values equal termios' TIOCM_* bits.
constexpr uint32_t kSerialFlowDtr = 0x00000002u;  // PD_RS232_A_DTR: DTR input flow control
constexpr uint32_t kSerialFlowRfr = 0x00000004u;  // PD_RS232_A_RFR: RTS input flow control
constexpr uint32_t kSerialFlowTxo = 0x00000008u;  // PD_RS232_A_TXO: obey XON/XOFF (IXON)
constexpr uint32_t kSerialFlowRxo = 0x00000010u;  // PD_RS232_A_RXO: send XON/XOFF (IXOFF)
constexpr uint32_t kSerialFlowCts = 0x00000020u;  // PD_RS232_A_CTS: CTS output flow control
constexpr uint32_t kSerialFlowXany = 0x00000400u; // PD_RS232_A_XANY (IXANY)
constexpr uint32_t kSerialFlowAll = kSerialFlowDtr | kSerialFlowRfr | kSerialFlowTxo |
                                    kSerialFlowRxo | kSerialFlowCts | kSerialFlowXany;
constexpr uint8_t kSerialDefaultXon = 0x11;
constexpr uint8_t kSerialDefaultXoff = 0x13;

// ---- events (PD_E_*) ------------------------------------------------------
// event = (operation << 2) | data size; the low two bits give the size of
// the data argument.
constexpr uint32_t kSerialEventDataMask = 0x3u;           // PD_DATA_MASK
constexpr uint32_t kSerialEventDataVoid = 0x0u;           // PD_DATA_VOID
constexpr uint32_t kSerialEventDataByte = 0x1u;           // PD_DATA_BYTE
constexpr uint32_t kSerialEventDataWord = 0x2u;           // PD_DATA_WORD
constexpr uint32_t kSerialEventDataLong = 0x3u;           // PD_DATA_LONG
constexpr uint32_t kSerialEventEoq = 0x00u;               // PD_E_EOQ: no event
constexpr uint32_t kSerialEventActive = 0x05u;            // PD_E_ACTIVE
constexpr uint32_t kSerialEventTxqSize = 0x0Bu;           // PD_E_TXQ_SIZE
constexpr uint32_t kSerialEventRxqSize = 0x0Fu;           // PD_E_RXQ_SIZE
constexpr uint32_t kSerialEventTxqLowWater = 0x13u;       // PD_E_TXQ_LOW_WATER
constexpr uint32_t kSerialEventRxqLowWater = 0x17u;       // PD_E_RXQ_LOW_WATER
constexpr uint32_t kSerialEventTxqHighWater = 0x1Bu;      // PD_E_TXQ_HIGH_WATER
constexpr uint32_t kSerialEventRxqHighWater = 0x1Fu;      // PD_E_RXQ_HIGH_WATER
constexpr uint32_t kSerialEventTxqAvailable = 0x23u;      // PD_E_TXQ_AVAILABLE
constexpr uint32_t kSerialEventRxqAvailable = 0x27u;      // PD_E_RXQ_AVAILABLE
constexpr uint32_t kSerialEventTxqFlush = 0x28u;          // PD_E_TXQ_FLUSH
constexpr uint32_t kSerialEventRxqFlush = 0x2Fu;          // PD_E_RXQ_FLUSH
constexpr uint32_t kSerialEventDataRate = 0x33u;          // PD_E_DATA_RATE (half-bits/s)
constexpr uint32_t kSerialEventRxDataRate = 0x37u;        // PD_E_RX_DATA_RATE
constexpr uint32_t kSerialEventDataSize = 0x3Bu;          // PD_E_DATA_SIZE (half-bits)
constexpr uint32_t kSerialEventRxDataSize = 0x3Fu;        // PD_E_RX_DATA_SIZE
constexpr uint32_t kSerialEventDataIntegrity = 0x43u;     // PD_E_DATA_INTEGRITY
constexpr uint32_t kSerialEventRxDataIntegrity = 0x47u;   // PD_E_RX_DATA_INTEGRITY
constexpr uint32_t kSerialEventDelay = 0x4Bu;             // PD_E_DELAY
constexpr uint32_t kSerialEventDataLatency = 0x4Fu;       // PD_E_DATA_LATENCY
constexpr uint32_t kSerialEventFlowControl = 0x53u;       // PD_E_FLOW_CONTROL
constexpr uint32_t kSerialEventValidData = 0x54u;         // PD_E_VALID_DATA
constexpr uint32_t kSerialEventValidDataByte = 0x55u;     // PD_E_VALID_DATA_BYTE
constexpr uint32_t kSerialEventSpecial = 0x58u;           // PD_E_SPECIAL
constexpr uint32_t kSerialEventFramingError = 0x5Cu;      // PD_E_FRAMING_ERROR
constexpr uint32_t kSerialEventIntegrityError = 0x60u;    // PD_E_INTEGRITY_ERROR
constexpr uint32_t kSerialEventIntegrityWarning = 0x64u;  // PD_E_INTEGRITY_WARNING
constexpr uint32_t kSerialEventHwOverrunError = 0x68u;    // PD_E_HW_OVERRUN_ERROR
constexpr uint32_t kSerialEventSwOverrunError = 0x6Cu;    // PD_E_SW_OVERRUN_ERROR
constexpr uint32_t kSerialEventExternalClockMode = 0x73u; // PD_E_EXTERNAL_CLOCK_MODE

/// The event's operation without its data-size bits.
constexpr uint32_t serialEventOperation(uint32_t event) { return event & ~kSerialEventDataMask; }

/// True for the in-band receive errors that nextEvent() reports.
constexpr bool isSerialErrorEvent(uint32_t event)
{
    return serialEventOperation(event) == kSerialEventFramingError ||
           serialEventOperation(event) == kSerialEventIntegrityError ||
           serialEventOperation(event) == kSerialEventIntegrityWarning ||
           serialEventOperation(event) == kSerialEventHwOverrunError ||
           serialEventOperation(event) == kSerialEventSwOverrunError;
}

// ---- watermarks -----------------------------------------------------------
struct SerialWatermarks
{
    uint32_t low;
    uint32_t high;
};

/// Apple's marks: high = 2 * capacity / 3, low = high / 2 (the book's one and
/// two thirds give the same integers). For capacities 1 and 2 that makes
/// low 0, so LOW_WATER (used < low) could never be set and a writer waiting
/// for it would sleep until close; kdrv clamps low to at least 1 (and high
/// to at least low). Capacity 0 gives {0, 0}.
KDRV_CONSTEXPR14 SerialWatermarks defaultSerialWatermarks(uint32_t capacity)
{
    uint32_t high = static_cast<uint32_t>((uint64_t(capacity) << 1) / 3);
    uint32_t low = high >> 1;
    if (capacity != 0 && low == 0)
        low = 1;
    if (high < low)
        high = low;
    SerialWatermarks marks = {low, high};
    return marks;
}

/// Marks a client may set: 1 <= low <= high <= capacity, else BadArgument.
/// low == 0 is refused for the reason above; low == high is allowed.
KDRV_NODISCARD constexpr Status validateSerialWatermarks(uint32_t low, uint32_t high,
                                                         uint32_t capacity)
{
    return (low >= 1 && low <= high && high <= capacity) ? Status::Success : Status::BadArgument;
}

/// The four queue bits (EMPTY, LOW_WATER, HIGH_WATER, FULL) of one queue, in
/// TX position or, with rx, in RX position. Strict comparisons, no
/// hysteresis: FULL iff free == 0; else EMPTY iff used == 0; LOW_WATER iff
/// used < low; HIGH_WATER iff used > high. used == low and used == high leave
/// their bits clear. used must not exceed capacity.
KDRV_CONSTEXPR14 uint32_t computeQueueBits(uint32_t used, uint32_t capacity, uint32_t low,
                                           uint32_t high, bool rx)
{
    uint32_t bits = 0;
    if (used >= capacity)
        bits |= kSerialStateTxqFull;
    else if (used == 0)
        bits |= kSerialStateTxqEmpty;
    if (used < low)
        bits |= kSerialStateTxqLowWater;
    if (used > high)
        bits |= kSerialStateTxqHighWater;
    return rx ? bits >> kSerialStateRxOffset : bits;
}

/// One queue's size and marks, kept consistent.
class SerialQueueLevels
{
  public:
    constexpr SerialQueueLevels() : capacity_(0), low_(0), high_(0) {}

    /// Sets the capacity and the default marks for it.
    void setCapacity(uint32_t capacity)
    {
        const SerialWatermarks marks = defaultSerialWatermarks(capacity);
        capacity_ = capacity;
        low_ = marks.low;
        high_ = marks.high;
    }

    /// Validated marks (see validateSerialWatermarks); unchanged on error.
    KDRV_NODISCARD Status setWatermarks(uint32_t low, uint32_t high)
    {
        const Status s = validateSerialWatermarks(low, high, capacity_);
        if (s == Status::Success)
        {
            low_ = low;
            high_ = high;
        }
        return s;
    }
    KDRV_NODISCARD Status setLowWater(uint32_t low) { return setWatermarks(low, high_); }
    KDRV_NODISCARD Status setHighWater(uint32_t high) { return setWatermarks(low_, high); }

    uint32_t capacity() const { return capacity_; }
    uint32_t lowWater() const { return low_; }
    uint32_t highWater() const { return high_; }

    uint32_t bits(uint32_t used, bool rx) const
    {
        return computeQueueBits(used, capacity_, low_, high_, rx);
    }

  private:
    uint32_t capacity_;
    uint32_t low_;
    uint32_t high_;
};

/// The queue bits that differ between two state words: what a CheckQueues
/// step passes as the mask of setState, so only real changes wake anyone.
constexpr uint32_t serialQueueChangeMask(uint32_t oldState, uint32_t newState)
{
    return (oldState ^ newState) & kSerialStateQueueMask;
}

// ---- receive flow control ---------------------------------------------------
// Actions the driver carries out on the line (returned as a bit set).
constexpr uint32_t kSerialFlowActionNone = 0;
constexpr uint32_t kSerialFlowActionSendXoff = 1u << 0; // queue the XOFF character
constexpr uint32_t kSerialFlowActionSendXon = 1u << 1;  // queue the XON character
constexpr uint32_t kSerialFlowActionDropDtr = 1u << 2;
constexpr uint32_t kSerialFlowActionRaiseDtr = 1u << 3;
constexpr uint32_t kSerialFlowActionDropRts = 1u << 4;
constexpr uint32_t kSerialFlowActionRaiseRts = 1u << 5;

/// Throttles the sender when RX rises above its high mark and releases it when
/// RX falls below its low mark: once per crossing. Bouncing around one mark
/// without reaching the other does nothing more, because the state remembers
/// whether the sender is throttled. Which line actions follow depends on the
/// configuration (PD_E_FLOW_CONTROL data): RXO sends XOFF/XON, DTR drops and
/// raises DTR, RFR drops and raises RTS.
class SerialFlowControl
{
  public:
    constexpr SerialFlowControl()
        : config_(0), xon_(kSerialDefaultXon), xoff_(kSerialDefaultXoff), throttled_(false)
    {
    }

    /// Keeps only the known bits. Returns the actions needed to leave a
    /// throttled state the new configuration no longer covers (the sender
    /// must not stay stopped by a mechanism that was switched off).
    uint32_t configure(uint32_t flowBits)
    {
        const uint32_t next = flowBits & kSerialFlowAll;
        uint32_t actions = kSerialFlowActionNone;
        if (throttled_)
        {
            actions = releaseActions(config_ & ~next);
            if ((next & kReceiveMechanisms) == 0)
                throttled_ = false;
        }
        config_ = next;
        return actions;
    }
    uint32_t config() const { return config_; }

    void setXonChar(uint8_t c) { xon_ = c; }
    void setXoffChar(uint8_t c) { xoff_ = c; }
    uint8_t xonChar() const { return xon_; }
    uint8_t xoffChar() const { return xoff_; }
    bool throttled() const { return throttled_; }

    /// Feed every state transition (or only its RX queue part). Returns the
    /// actions to take now.
    uint32_t onStateChange(uint32_t oldState, uint32_t newState)
    {
        if ((config_ & kReceiveMechanisms) == 0)
            return kSerialFlowActionNone;
        const uint32_t rising = ~oldState & newState;
        if (!throttled_ && (rising & kSerialStateRxqHighWater) != 0)
        {
            throttled_ = true;
            return throttleActions(config_);
        }
        if (throttled_ && (rising & kSerialStateRxqLowWater) != 0)
        {
            throttled_ = false;
            return releaseActions(config_);
        }
        return kSerialFlowActionNone;
    }

    /// Forget the throttle (port closed or reopened).
    void reset() { throttled_ = false; }

  private:
    static constexpr uint32_t kReceiveMechanisms = kSerialFlowRxo | kSerialFlowDtr | kSerialFlowRfr;

    static uint32_t throttleActions(uint32_t config)
    {
        uint32_t a = 0;
        if (config & kSerialFlowRxo)
            a |= kSerialFlowActionSendXoff;
        if (config & kSerialFlowDtr)
            a |= kSerialFlowActionDropDtr;
        if (config & kSerialFlowRfr)
            a |= kSerialFlowActionDropRts;
        return a;
    }
    static uint32_t releaseActions(uint32_t config)
    {
        uint32_t a = 0;
        if (config & kSerialFlowRxo)
            a |= kSerialFlowActionSendXon;
        if (config & kSerialFlowDtr)
            a |= kSerialFlowActionRaiseDtr;
        if (config & kSerialFlowRfr)
            a |= kSerialFlowActionRaiseRts;
        return a;
    }

    uint32_t config_;
    uint8_t xon_;
    uint8_t xoff_;
    bool throttled_;
};
} // namespace kdrv

#endif // KDRV_SERIAL_QUEUE_HPP
