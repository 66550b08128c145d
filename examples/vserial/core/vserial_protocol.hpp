// SPDX-License-Identifier: MIT
//
// vserial: a virtual serial port with a DMA engine, written once and built
// both as a kext (examples/vserial/kext) and as a user-space program
// (examples/vserial/user). This header is the contract between the driver and
// its clients: the method selectors and their argument shapes, the
// statistics block, and the power states. A client built against it calls the
// driver with IOConnectCallMethod() in macOS, or through kdrv::dispatchMethod()
// in the user-space program and the tests.
//
// Kernel-visible: Embedded C++, kdrv headers only.
#ifndef VSERIAL_PROTOCOL_HPP
#define VSERIAL_PROTOCOL_HPP

#include "kdrv/base.hpp"

namespace vserial
{
// External-method selectors. The method table (vserial_methods.hpp) has one
// row per selector, in this order; a static_assert ties the two together.
enum Selector : uint32_t
{
    kSelectorOpen = 0,          // no arguments; ExclusiveAccess if already open
    kSelectorClose = 1,         // no arguments; NotOpen if not open
    kSelectorConfigure = 2,     // scalar in: baud rate
    kSelectorWrite = 3,         // structure in: the bytes; scalar out: bytes accepted
    kSelectorRead = 4,          // scalars in: minimum bytes, timeout in ms (0: none);
                                // structure out: the bytes (its size says how many)
    kSelectorGetStats = 5,      // structure out: Stats
    kSelectorSetPowerFloor = 6, // scalar in: power ordinal; administrators only
    kSelectorCount = 7
};

// Longest read timeout a client may ask for.
constexpr uint32_t kMaxReadTimeoutMs = 60000;

// Power states, from off to fully on (the table is in vserial_core.hpp).
// Doze keeps the port open with the DMA engine's clock gated; data moves
// only in kPowerOn.
enum PowerOrdinal : unsigned long
{
    kPowerOff = 0,
    kPowerDoze = 1,
    kPowerOn = 2,
    kPowerStateCount = 3
};

constexpr uint32_t kStatsVersion = 1;

// What kSelectorGetStats returns. Fixed-width fields and explicit padding,
// so a 32-bit or 64-bit client sees the same layout as the driver.
struct Stats
{
    uint32_t version;     // kStatsVersion
    uint32_t serialState; // kdrv::kSerialState* bits (ACQUIRED, TX_BUSY, queue levels ...)
    uint32_t baudRate;
    uint32_t powerState;       // a PowerOrdinal
    uint64_t bytesWritten;     // accepted into the transmit ring
    uint64_t bytesTransmitted; // taken by the DMA engine
    uint64_t bytesReceived;    // stored in the receive ring
    uint64_t bytesRead;        // handed to the client
    uint64_t receiveDropped;   // arrived while the receive ring was full
    uint64_t dmaTransfers;
    uint64_t dmaSegments;
    uint32_t dmaErrors;
    uint32_t lastTransferBytes;
    uint32_t lastTransferSegments;
    uint32_t requestsInUse; // DMA requests not yet returned to their pool
    uint32_t powerChanges;  // setPowerState() calls
    uint32_t reserved;
};
static_assert(sizeof(Stats) == 96, "Stats is part of the user-client ABI: keep its layout");
} // namespace vserial

#endif // VSERIAL_PROTOCOL_HPP
