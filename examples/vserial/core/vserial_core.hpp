// SPDX-License-Identifier: MIT
//
// vserial::Core: the driver logic of a virtual serial port whose transmitter
// is a DMA engine. Written once, it runs unchanged in a kext (inside an
// IOService, examples/vserial/kext) and in user space (examples/vserial/user
// and tests/vserial_example_test.cpp, over kdrv's posix backend or its xnu
// simulation). Only the Hooks differ between the two worlds.
//
// Data path: a kdrv::SerialPortCore (port_) holds both queues and the serial
// state word, and does every blocking wait.
//   write()  queues the client's bytes in the port's TX queue. When the DMA
//            engine is idle and the device is powered, the driver takes the
//            queued bytes *in place* (SerialPortCore::transmitPeek describes
//            them as one span, or two when the ring wraps), turns them into
//            the device's segment list with kdrv::DmaCommand, and rings the
//            doorbell.
//   device   reads the bytes through the segment list, reports completion
//            (deviceTransmitComplete: transmitConsume, the bytes leave the
//            queue, and transmitIdle) and, being a loopback, hands them back
//            as received data (deviceReceive: receivePut).
//   read()   is the port's dequeueData, with a deadline.
//   Power gates the transmitter, and the state word says so: PD_S_TX_ENABLE
//   (kSerialStateTxEnable) is set exactly while the engine is powered, so a
//   writer waits with one watchState for room (TXQ_LOW_WATER), for power
//   (TX_ENABLE), for power going away (TX_ENABLE cleared) or for close.
//
// Locks
//   lock_      a kdrv::Mutex: the driver's gate for what the port does not
//              know (power, the transfer in flight, statistics). Taken
//              before the port's own mutex, never while blocking in the
//              port, so no method may be called from primary interrupt
//              context. The port has no hooks: it never calls back.
//   regsLock_  a kdrv::SpinLock around the device's "registers" (the request
//              handed over with the doorbell): the one thing the device side
//              touches without the gate.
//   Order: power management may call setPowerState() while it holds its own
//   lock, so the core never calls a power hook with lock_ held.
//
// Power
//   A three-state table (off, doze, on; vserial::kPowerStates). Opening the
//   port sets a floor of doze (changePowerStateTo), every write tells power
//   management it needs kPowerOn (activityTickle), and the idle timer steps
//   the device down one state per quiet period. setPowerState() gates the
//   DMA engine: data moves only in kPowerOn.
//
// Kernel-visible: Embedded C++, kdrv headers only.
#ifndef VSERIAL_CORE_HPP
#define VSERIAL_CORE_HPP

#include "kdrv/base.hpp"
#include "kdrv/byte_ring.hpp"
#include "kdrv/dma_sg.hpp"
#include "kdrv/mutex.hpp"
#include "kdrv/platform/platform.hpp"
#include "kdrv/power.hpp"
#include "kdrv/serial_port.hpp"
#include "kdrv/serial_queue.hpp"
#include "kdrv/spinlock.hpp"
#include "kdrv/status.hpp"

#include "vserial/core/vserial_protocol.hpp"
#include "vserial/core/vserial_request.hpp"

namespace vserial
{
using kdrv::Status;

// The power-state table, handed to registerPowerDriver() in the kext and to
// kdrv::PowerPolicy in user space. Doze is low power and not usable: the DMA
// engine is clock gated. Times are in microseconds.
static const kdrv::PowerState kPowerStates[kPowerStateCount] = {
    // version, capability, output, input, mW, -, -, attain, settle up, lower, settle down, -
    {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},                                    // off
    {1, kdrv::kPMLowPower, 0, kdrv::kPMPowerOn, 2, 0, 0, 500, 0, 100, 0, 0}, // doze
    {1, kdrv::kPMPowerOn | kdrv::kPMDeviceUsable, kdrv::kPMPowerOn, kdrv::kPMPowerOn, 40, 0, 0, 200,
     0, 100, 0, 0}, // on
};
static_assert(KDRV_COUNTOF(kPowerStates) == kPowerStateCount, "one row per PowerOrdinal");

// Ring sizes and the device's DMA limits.
constexpr uint32_t kRingSize = 128;       // transmit and receive storage, bytes
constexpr uint32_t kMaxSegmentBytes = 32; // the engine's longest segment
constexpr uint64_t kSegmentBoundary = 64; // no segment crosses a multiple of 64
constexpr uint32_t kMaxTransferBytes = kRingSize;

// Baud rates the (virtual) line supports.
static const uint32_t kBaudRates[] = {9600, 19200, 38400, 57600, 115200, 230400};

// What the world around the core provides. Every function must be set.
struct Hooks
{
    // The device. ringDoorbell() tells it a request is waiting
    // (deviceFetchRequest). It is called with the gate held, so it must
    // only schedule the work (a thread call in the kext, a signal to the
    // device thread in user space), never call back into the core.
    void* deviceContext;
    void (*ringDoorbell)(void* deviceContext);

    // Power management: IOService::activityTickle(kIOPMSuperclassPolicy1,
    // state) and IOService::changePowerStateTo(state) in the kext. Called
    // without the gate held; either may call setPowerState() before it
    // returns.
    void* powerContext;
    bool (*activityTickle)(void* powerContext, unsigned long state);
    Status (*changePowerStateTo)(void* powerContext, unsigned long state);
};

// The simulated device masters the bus with the CPU's addresses, so a
// pointer into the ring *is* the bus address of those bytes. A kext for real
// hardware would allocate the rings with IOBufferMemoryDescriptor and get
// physical runs from IODMACommand (or DmaCommand::setSource).
inline uint64_t busAddressOf(const void* p)
{
    return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(p));
}

class Core final : public kdrv::PowerDriver
{
  public:
    // Constant-initialized: a Core may be a global (the kext's is), and
    // then costs no constructor at load time.
    constexpr Core()
        : lock_(), regsLock_(), port_(), dma_(), pool_(), hooks_(), handedOver_(nullptr),
          inFlight_(nullptr), baudRate_(9600), powerState_(kPowerOff), nextRequestId_(0),
          open_(false), stats_(), txStorage_(), rxStorage_()
    {
    }
    KDRV_NONCOPYABLE(Core);

    // BadArgument if a hook is missing; NoMemory if a lock cannot be made.
    KDRV_NODISCARD Status init(const Hooks& hooks) KDRV_NO_THREAD_SAFETY_ANALYSIS
    {
        if (hooks.ringDoorbell == nullptr || hooks.activityTickle == nullptr ||
            hooks.changePowerStateTo == nullptr)
        {
            return Status::BadArgument;
        }
        kdrv::DmaSpecification spec = {};
        spec.format = kdrv::DmaFormat::Little64; // the engine's descriptor format
        spec.pageSize = 4096;
        spec.maxSegmentSize = kMaxSegmentBytes;
        spec.boundary = kSegmentBoundary;
        spec.maxSegments = Request::kMaxSegments;
        spec.maxTransferSize = kMaxTransferBytes;
        kdrv::SerialPortConfig config = {};
        config.txStorage = txStorage_;
        config.txStorageSize = kRingSize;
        config.rxStorage = rxStorage_;
        config.rxStorageSize = kRingSize;
        const kdrv::SerialPortHooks none = {};
        Status s = dma_.init(spec);
        if (s == Status::Success)
            s = port_.init(config, none);
        if (s == Status::Success)
            s = pool_.init();
        if (s == Status::Success)
            s = regsLock_.init();
        if (s == Status::Success)
            s = lock_.init();
        if (s != Status::Success)
            return s;
        hooks_ = hooks;
        return Status::Success;
    }

    // The port must be closed and the device idle.
    void destroy() KDRV_NO_THREAD_SAFETY_ANALYSIS
    {
        lock_.destroy();
        regsLock_.destroy();
        pool_.destroy();
        port_.destroy();
    }

    // ---- client side (the user client's methods) ---------------------------

    // Opens the port for one client and asks for at least doze.
    KDRV_NODISCARD Status open()
    {
        {
            kdrv::MutexGuard gate(lock_);
            if (open_)
                return Status::ExclusiveAccess;
            // Acquiring empties both queues; the port is then active, and
            // TX_ENABLE follows the power state.
            Status s = port_.acquirePort(false);
            if (s == Status::Success)
                s = port_.executeEvent(kdrv::kSerialEventActive, 1);
            if (s != Status::Success)
                return s;
            open_ = true;
            syncTransmitEnableLocked();
        }
        (void)hooks_.changePowerStateTo(hooks_.powerContext, kPowerDoze);
        return Status::Success;
    }

    // Closes the port: blocked readers and writers return NotOpen, a
    // transfer in flight is waited for (the device still reads the ring),
    // queued bytes are dropped and the power floor goes back to off.
    KDRV_NODISCARD Status close()
    {
        {
            kdrv::MutexGuard gate(lock_);
            if (!open_)
                return Status::NotOpen;
            open_ = false; // no new transfer starts
            while (inFlight_ != nullptr)
                (void)lock_.sleep(&inFlight_, kdrv::SleepType::Uninterruptible);
            // Drops the queued bytes and wakes every blocked reader and
            // writer (they return NotOpen).
            (void)port_.releasePort();
        }
        // The result of a power request can be ignored (I/O Kit says so too).
        (void)hooks_.changePowerStateTo(hooks_.powerContext, kPowerOff);
        return Status::Success;
    }

    // BadArgument for a rate the line does not support; NotOpen if closed.
    KDRV_NODISCARD Status configure(uint32_t baudRate)
    {
        bool supported = false;
        for (size_t i = 0; i < KDRV_COUNTOF(kBaudRates); ++i)
            supported = supported || kBaudRates[i] == baudRate;
        if (!supported)
            return Status::BadArgument;
        kdrv::MutexGuard gate(lock_);
        if (!open_)
            return Status::NotOpen;
        baudRate_ = baudRate;
        return Status::Success;
    }

    // Queues `size` bytes for transmission and returns once all are queued
    // and the device is powered to send them, sleeping while the ring is
    // full or the device powers up. *accepted counts the bytes queued, also
    // when an error ends the wait (NotOpen after close, Aborted if
    // interrupted). BadArgument for null pointers.
    KDRV_NODISCARD Status write(const uint8_t* data, uint32_t size, uint32_t* accepted)
    {
        if (accepted == nullptr || (data == nullptr && size != 0))
            return Status::BadArgument;
        *accepted = 0;
        // One pass per wait. Each pass first tells power management that the
        // device is needed (outside the gate: see Locks), which also restarts
        // the idle period, then queues what fits.
        for (;;)
        {
            uint32_t powerChangesSeen;
            {
                kdrv::MutexGuard gate(lock_);
                if (!open_)
                    return Status::NotOpen; // and no tickle: a closed port needs no power
                powerChangesSeen = stats_.powerChanges;
            }
            const bool powered = hooks_.activityTickle(hooks_.powerContext, kPowerOn);
            bool poweredNow;
            {
                kdrv::MutexGuard gate(lock_);
                uint32_t n = 0;
                const Status s = port_.enqueueData(data + *accepted, size - *accepted, &n, false);
                *accepted += n;
                stats_.bytesWritten += n;
                if (s != Status::Success || !open_)
                    return Status::NotOpen;
                startTransmitLocked();
                poweredNow = powerState_ == kPowerOn;
                if (poweredNow)
                {
                    if (*accepted == size)
                        return Status::Success;
                }
                else if (powered || stats_.powerChanges != powerChangesSeen)
                {
                    // The classic lost-power race: power management lowered
                    // the device after our tickle (it said "powered", or a
                    // change ran since). Nobody will raise it for bytes
                    // already queued unless we ask again, so do not wait: go
                    // round and tickle.
                    continue;
                }
            }
            // Wait in the port, without the gate: powered, for room (a
            // completion that drained the queue below its low-water mark) or
            // for the power to go (TX_ENABLE cleared); unpowered, for the
            // power change our tickle started (TX_ENABLE set). Close ends
            // the watch with IOError.
            uint32_t want = poweredNow ? kdrv::kSerialStateTxqLowWater : kdrv::kSerialStateTxEnable;
            const uint32_t mask = poweredNow
                                      ? kdrv::kSerialStateTxqLowWater | kdrv::kSerialStateTxEnable
                                      : kdrv::kSerialStateTxEnable;
            const Status s = port_.watchState(&want, mask);
            if (s == Status::Aborted)
                return s;
            if (s != Status::Success)
                return Status::NotOpen;
        }
    }

    // Copies up to `size` received bytes into `buffer`, waiting until at
    // least `minBytes` have been copied. *got counts them, also on error.
    // Timeout after timeoutMs (0: wait forever); NotOpen after close;
    // Aborted if interrupted; BadArgument for null pointers or minBytes >
    // size. The port's dequeueData does the waiting (this port has no
    // in-band events, so it never returns short of minBytes with Success).
    KDRV_NODISCARD Status read(uint8_t* buffer, uint32_t size, uint32_t minBytes,
                               uint32_t timeoutMs, uint32_t* got)
    {
        if (got == nullptr || (buffer == nullptr && size != 0) || minBytes > size)
            return Status::BadArgument;
        *got = 0;
        const uint64_t deadline =
            timeoutMs != 0 ? kdrv::SerialPortCore::deadlineAfter(uint64_t(timeoutMs) * 1000000u)
                           : 0;
        const Status s = port_.dequeueData(buffer, size, got, minBytes, deadline);
        {
            kdrv::MutexGuard gate(lock_);
            stats_.bytesRead += *got;
        }
        if (s == Status::IOError)
            return Status::NotOpen; // closed while waiting
        return s;
    }

    void getStats(Stats* out)
    {
        const uint32_t requests = pool_.inUse();
        kdrv::MutexGuard gate(lock_);
        *out = stats_;
        out->version = kStatsVersion;
        out->serialState = port_.getState();
        out->baudRate = baudRate_;
        out->powerState = static_cast<uint32_t>(powerState_);
        out->requestsInUse = requests;
    }

    // The client's power floor (changePowerStateTo). BadArgument for an
    // ordinal beyond the table.
    KDRV_NODISCARD Status setPowerFloor(unsigned long ordinal)
    {
        if (ordinal >= kPowerStateCount)
            return Status::BadArgument;
        return hooks_.changePowerStateTo(hooks_.powerContext, ordinal);
    }

    unsigned long powerState()
    {
        kdrv::MutexGuard gate(lock_);
        return powerState_;
    }

    // Where the transmit ring's storage starts on the bus (traces, tests).
    uint64_t transmitBusBase() const { return busAddressOf(txStorage_); }

    // ---- power management side ---------------------------------------------

    // Moves the hardware to `state`. Below kPowerOn the engine is clock
    // gated, so a transfer in flight is waited for first; reaching kPowerOn
    // starts whatever was queued meanwhile. Always done on return.
    int32_t setPowerState(unsigned long state, kdrv::PowerChangeId change) override
    {
        (void)change;
        kdrv::MutexGuard gate(lock_);
        if (state < kPowerOn)
        {
            while (inFlight_ != nullptr)
                (void)lock_.sleep(&inFlight_, kdrv::SleepType::Uninterruptible);
        }
        powerState_ = state < kPowerStateCount ? state : kPowerOn;
        ++stats_.powerChanges;
        syncTransmitEnableLocked(); // writers waiting for power look again (see write())
        if (powerState_ == kPowerOn)
            startTransmitLocked();
        return kdrv::kPMAckImplied;
    }

    // ---- device side (the DMA engine, vserial_engine.hpp) --------------------

    // The doorbell's request, or null. The caller receives the device's
    // reference and must release() it when done with the segment list.
    Request* deviceFetchRequest()
    {
        kdrv::SpinLockGuard guard(regsLock_);
        Request* const request = handedOver_;
        handedOver_ = nullptr;
        return request;
    }

    // The device has read request's bytes (status Success) or failed
    // (anything else: the bytes are dropped and counted as an error).
    // Starts the next transfer if more bytes are queued.
    void deviceTransmitComplete(Request* request, Status status)
    {
        Request* done = nullptr;
        {
            kdrv::MutexGuard gate(lock_);
            if (request == nullptr || request != inFlight_)
                return; // not ours (a stale or duplicated completion): ignore
            done = inFlight_;
            inFlight_ = nullptr;
            (void)dma_.complete();
            // The bytes leave the queue (waking writers at LOW_WATER) and the
            // transmitter is idle until the next transfer.
            (void)port_.transmitConsume(done->byteCount);
            if (status == Status::Success)
            {
                stats_.bytesTransmitted += done->byteCount;
                stats_.dmaTransfers += 1;
                stats_.dmaSegments += done->segmentCount;
                stats_.lastTransferBytes = done->byteCount;
                stats_.lastTransferSegments = done->segmentCount;
            }
            else
            {
                stats_.dmaErrors += 1;
            }
            port_.transmitIdle();
            lock_.wakeupAll(&inFlight_); // close() and setPowerState() wait for this
            startTransmitLocked();
        }
        done->release(); // the driver's reference
    }

    // The device delivers received bytes. Returns how many were stored; the
    // rest (receive ring full, or port closed) are dropped and counted.
    uint32_t deviceReceive(const uint8_t* data, uint32_t size)
    {
        kdrv::MutexGuard gate(lock_);
        // A closed port stores nothing; receivePut wakes waiting readers.
        const uint32_t stored = open_ ? port_.receivePut(data, size) : 0;
        stats_.bytesReceived += stored;
        stats_.receiveDropped += size - stored;
        return stored;
    }

  private:
    // PD_S_TX_ENABLE mirrors whether the engine may transmit.
    void syncTransmitEnableLocked() KDRV_REQUIRES(lock_)
    {
        if (open_)
            (void)port_.changeState(powerState_ == kPowerOn ? kdrv::kSerialStateTxEnable : 0,
                                    kdrv::kSerialStateTxEnable);
    }

    // Starts a transfer of everything queued, if the engine is idle and
    // powered: zero-copy spans -> physical ranges -> the device's segment
    // list, then the doorbell.
    void startTransmitLocked() KDRV_REQUIRES(lock_)
    {
        if (!open_ || powerState_ != kPowerOn || inFlight_ != nullptr)
            return;
        kdrv::ByteRingConstSpan spans[2];
        const uint32_t bytes = port_.transmitPeek(spans, kMaxTransferBytes);
        if (bytes == 0)
            return;
        Request* const request = pool_.acquire(++nextRequestId_);
        if (request == nullptr)
            return; // both slots busy: cannot happen with one transfer at a time
        const Status s = buildSegmentListLocked(request, spans, bytes);
        if (s != Status::Success)
        {
            // The device cannot take these bytes; drop them rather than retry
            // forever. (With this specification it does not happen.)
            (void)port_.transmitConsume(bytes);
            stats_.dmaErrors += 1;
            request->release();
            return;
        }
        inFlight_ = request; // the driver's reference
        request->retain();   // the device's reference, handed over below
        {
            kdrv::SpinLockGuard guard(regsLock_);
            handedOver_ = request;
        }
        // TX_BUSY is the port's: set since the bytes were queued.
        hooks_.ringDoorbell(hooks_.deviceContext);
    }

    // DmaCommand does the device-specific work: merging, cutting at the
    // 32-byte segment limit and the 64-byte boundary, and writing each
    // segment in the engine's little-endian format. prepare() here,
    // complete() when the transfer is done, as with IODMACommand.
    Status buildSegmentListLocked(Request* request, const kdrv::ByteRingConstSpan spans[2],
                                  uint32_t bytes) KDRV_REQUIRES(lock_)
    {
        request->rangeCount = 0;
        for (uint32_t i = 0; i < 2; ++i)
        {
            if (spans[i].size == 0)
                continue;
            request->ranges[request->rangeCount].address = busAddressOf(spans[i].data);
            request->ranges[request->rangeCount].length = spans[i].size;
            ++request->rangeCount;
        }
        Status s = dma_.setRanges(request->ranges, request->rangeCount);
        if (s == Status::Success)
            s = dma_.prepare();
        if (s != Status::Success)
            return s;
        uint64_t offset = 0;
        uint32_t count = Request::kMaxSegments;
        s = dma_.generate(&offset, request->descriptors, &count);
        if (s == Status::Success && offset != bytes)
            s = Status::NoSpace; // prepare() counted the segments, so this cannot happen
        if (s != Status::Success)
        {
            (void)dma_.complete();
            return s;
        }
        request->byteCount = bytes;
        request->segmentCount = count;
        return Status::Success;
    }

    kdrv::Mutex lock_;
    kdrv::SpinLock regsLock_;
    kdrv::SerialPortCore port_; // its own mutex, taken after lock_
    kdrv::DmaCommand dma_ KDRV_GUARDED_BY(lock_);
    RequestPool pool_;
    Hooks hooks_;
    Request* handedOver_ KDRV_GUARDED_BY(regsLock_); // the "doorbell register"
    Request* inFlight_ KDRV_GUARDED_BY(lock_);
    uint32_t baudRate_ KDRV_GUARDED_BY(lock_);
    unsigned long powerState_ KDRV_GUARDED_BY(lock_);
    uint32_t nextRequestId_ KDRV_GUARDED_BY(lock_);
    bool open_ KDRV_GUARDED_BY(lock_);
    Stats stats_ KDRV_GUARDED_BY(lock_);
    // The device reads transmit bytes in place, so the storage must outlive
    // every transfer: it lives as long as the core. Aligned to its size so
    // that segment cuts at the boundary do not depend on where the core is.
    alignas(kRingSize) uint8_t txStorage_[kRingSize];
    alignas(kRingSize) uint8_t rxStorage_[kRingSize];
};
} // namespace vserial

#endif // VSERIAL_CORE_HPP
