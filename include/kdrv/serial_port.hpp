// SPDX-License-Identifier: MIT
//
/// \file
/// SerialPortCore: the queue and state-word logic of an I/O Kit serial driver
/// (IOSerialDriverSync: acquirePort ... dequeueData), with the semantics and
/// return codes of the book's serial chapter and Apple's drivers, so that a
/// driver only adds its hardware.
///
/// State word. 32 bits, PD_S_* in the high half (serial_queue.hpp), RS-232
/// signals in the low half. setState(state, mask) stores
/// (cur & ~mask) | (state & mask); if any changed bit is in the union of the
/// bits watchers wait for, the union is reset and every watcher wakes, checks
/// its own condition and goes back to sleep (re-adding its bits) if it does
/// not hold. No change, no wakeup. watchState returns as soon as ANY masked
/// bit equals the requested value. A watch whose mask names neither ACQUIRED
/// nor ACTIVE also watches ACTIVE == 0 and returns IOError when that fires,
/// so closing the port wakes every blocked caller.
///
/// Queues. TX and RX are ByteRings over caller storage; their capacity may be
/// any value up to the storage size (PD_E_TXQ_SIZE). After every queue
/// operation the four queue bits of each direction are recomputed
/// (computeQueueBits) and applied with the changed bits as the mask. RX
/// overrun keeps the oldest data: the newest bytes are dropped and counted,
/// and optionally one PD_E_SW_OVERRUN_ERROR event is queued per episode.
/// Optional event rings (EventRing) give a faithful enqueueEvent (the event
/// takes effect when the hardware has taken the bytes queued before it) and
/// in-band RX errors (nextEvent / dequeueEvent). Without a TX event ring,
/// enqueueEvent executes at once, as Apple's CDC driver does.
///
/// Locking and context. Every method takes the port's Mutex, which plays the
/// role of the driver's IOCommandGate: blocking calls sleep on it with
/// Mutex::sleep (commandSleep) and are woken with wakeupAll (commandWakeup).
/// So no method may be called from interrupt context or with a spin lock
/// held, and the hooks (SerialPortHooks) run with the mutex held and must not
/// call back into the port. Client calls (acquirePort ... dequeueData) may
/// block only where documented: acquirePort(sleep), watchState,
/// enqueueData(sleep), dequeueData(min > 0), enqueueEvent(sleep) and
/// dequeueEvent(sleep). The hardware side (transmitTake, transmitPeek,
/// transmitConsume, transmitIdle, receivePut, receiveEvent) never blocks.
///
/// Invariants (all under the mutex, so no decision spans an unlocked gap):
///   - every field but hooks_ and queueOverrunEvents_ (set by init) is
///     guarded by the mutex (KDRV_GUARDED_BY); the byte and event rings are
///     used from both sides under it, so their lock-free SPSC protocol is not
///     relied on here;
///   - a sleeper adds its bits to watchMask_ (or names its ring as the event)
///     before Mutex::sleep releases the mutex atomically, and every change of
///     a watched bit, or of a ring a sleeper waits on, wakes with the mutex
///     held: no wakeup falls between a check and the sleep;
///   - woken sleepers re-check their own condition (the wakeup is a hint),
///     and releasePort/ACTIVE = 0 wakes everyone, so no caller sleeps on a
///     closed port;
///   - txTaken_ <= txWritten_ and every queued TX event's position lies in
///     [txTaken_, txWritten_]; a transmitPeek view is valid only while
///     txPeekGeneration_ == txFlushGeneration_ (a flush cancels it).
/// The spans of transmitPeek are read by the hardware after the mutex is
/// dropped: only transmitConsume, a flush or a release can free them, and
/// the driver stops its DMA before the last two.
///
/// Deadlines. Every blocking call takes a last argument deadlineNanos, an
/// absolute time on platform::monotonicNanos()'s clock, 0 for none; when it
/// passes the call returns Timeout with whatever it did so far (counts set).
/// deadlineAfter(timeout) turns a relative timeout into one, saturating
/// instead of wrapping.
///
/// Reading in a loop. dequeueData stops before an in-band RX event and then
/// returns Success even below min (IOSerialFamily's contract: the client
/// takes the event with dequeueEvent). A loop that waits for min bytes and
/// never takes events would spin on such an event (the automatic overrun
/// event included). dequeueDataOrEvent is the loop-safe form: with min >= 1
/// each Success either copied at least min bytes or removed one event and
/// handed it back, so every call makes progress.
///
/// Untrusted input (everything a client passes) gets a Status, never a
/// contract failure.
#ifndef KDRV_SERIAL_PORT_HPP
#define KDRV_SERIAL_PORT_HPP

#include "kdrv/base.hpp"         // for KDRV_REQUIRES, KDRV_GUARDED_BY, addOverflow64
#include "kdrv/byte_ring.hpp"    // for ByteRing
#include "kdrv/event_ring.hpp"   // for EventRing, SerialEventRecord
#include "kdrv/mutex.hpp"        // for Mutex, MutexGuard
#include "kdrv/serial_queue.hpp" // for kSerialState*, kSerialEvent*, SerialQueueLevels
#include "kdrv/status.hpp"       // for Status

namespace kdrv
{
namespace detail
{
/// The quantity a port-handled event names.
enum class SerialPortEventOp : uint8_t
{
    Active,      // the ACTIVE state bit
    Size,        // queue capacity (changes only while the queue is empty)
    LowWater,    // low watermark
    HighWater,   // high watermark
    Available,   // RX: bytes queued; TX: room left
    Flush,       // empties the queue (and its event ring)
    FlowControl, // the PD_E_FLOW_CONTROL configuration word
};

/// One event the port handles itself: which quantity, which queue, and
/// whether requestEvent reads it and executeEvent/enqueueEvent apply it.
/// Every event, and every direction, not listed goes to the driver's
/// requestEvent/executeEvent hooks (BadArgument without one).
struct SerialPortEventRow
{
    uint32_t event;
    SerialPortEventOp op;
    bool rx; // the RX queue (else TX); unused for Active and FlowControl
    bool readable;
    bool executable;
};

// clang-format off
static const SerialPortEventRow kSerialPortEvents[] = {
    // event                   op                              rx     read   execute
    {kSerialEventActive,        SerialPortEventOp::Active,      false, true,  true},
    {kSerialEventTxqSize,       SerialPortEventOp::Size,        false, true,  true},
    {kSerialEventRxqSize,       SerialPortEventOp::Size,        true,  true,  true},
    {kSerialEventTxqLowWater,   SerialPortEventOp::LowWater,    false, true,  true},
    {kSerialEventRxqLowWater,   SerialPortEventOp::LowWater,    true,  true,  true},
    {kSerialEventTxqHighWater,  SerialPortEventOp::HighWater,   false, true,  true},
    {kSerialEventRxqHighWater,  SerialPortEventOp::HighWater,   true,  true,  true},
    {kSerialEventTxqAvailable,  SerialPortEventOp::Available,   false, true,  false},
    {kSerialEventRxqAvailable,  SerialPortEventOp::Available,   true,  true,  false},
    {kSerialEventTxqFlush,      SerialPortEventOp::Flush,       false, false, true},
    {kSerialEventRxqFlush,      SerialPortEventOp::Flush,       true,  false, true},
    {kSerialEventFlowControl,   SerialPortEventOp::FlowControl, false, true,  true},
};
// clang-format on

/// The row of `event` (matched exactly, data-size bits included), or null.
inline const SerialPortEventRow* serialPortEventRow(uint32_t event)
{
    for (size_t i = 0; i < KDRV_COUNTOF(kSerialPortEvents); ++i)
    {
        if (kSerialPortEvents[i].event == event)
            return &kSerialPortEvents[i];
    }
    return nullptr;
}
} // namespace detail

/// The driver's side of the port. Every hook is optional (null) and is
/// called with the port's mutex held.
struct SerialPortHooks
{
    void* context;
    /// TX holds data and the transmitter was idle: the port has just set
    /// TX_BUSY; the driver starts the hardware, which later pulls bytes with
    /// transmitTake() and reports completion with transmitIdle().
    void (*startTransmit)(void* context);
    /// RX flow-control actions (kSerialFlowAction*): queue XON/XOFF, drop or
    /// raise DTR/RTS.
    void (*flowControl)(void* context, uint32_t actions);
    /// Events the port does not handle itself (data rate, parity ...).
    /// Return BadArgument for unknown events.
    Status (*executeEvent)(void* context, uint32_t event, uint32_t data);
    Status (*requestEvent)(void* context, uint32_t event, uint32_t* data);
};

struct SerialPortConfig
{
    uint8_t* txStorage; // power-of-two size
    uint32_t txStorageSize;
    uint32_t txCapacity; // 1..txStorageSize; 0 means txStorageSize
    uint8_t* rxStorage;
    uint32_t rxStorageSize;
    uint32_t rxCapacity;
    SerialEventRecord* txEvents; // optional (null): enqueueEvent executes at once
    uint32_t txEventCount;       // power of two
    SerialEventRecord* rxEvents; // optional (null): no in-band RX events
    uint32_t rxEventCount;
    bool queueOverrunEvents; // queue PD_E_SW_OVERRUN_ERROR (needs rxEvents)
};

class SerialPortCore
{
  public:
    constexpr SerialPortCore()
        : mutex_(), tx_(), rx_(), txEvents_(), rxEvents_(), txLevels_(), rxLevels_(), flow_(),
          hooks_(), state_(0), watchMask_(0), interruptGeneration_(0), txWritten_(0), txTaken_(0),
          rxWritten_(0), rxTaken_(0), rxOverrunBytes_(0), rxOverrunEpisodes_(0), txPeeked_(0),
          txPeekGeneration_(0), txFlushGeneration_(0), inOverrun_(false), queueOverrunEvents_(false)
    {
    }
    KDRV_NONCOPYABLE(SerialPortCore);

    /// The absolute deadline `timeoutNanos` from now, for the deadlineNanos
    /// arguments: saturates at the largest time instead of wrapping, and is
    /// never 0 (which means no deadline).
    static uint64_t deadlineAfter(uint64_t timeoutNanos)
    {
        uint64_t deadline = 0;
        if (addOverflow64(platform::monotonicNanos(), timeoutNanos, &deadline))
            deadline = ~static_cast<uint64_t>(0);
        return deadline != 0 ? deadline : 1;
    }

    /// BadArgument for invalid storage (see ByteRing::init, EventRing::init)
    /// or queueOverrunEvents without rxEvents. The port starts closed
    /// (state 0).
    KDRV_NODISCARD Status init(const SerialPortConfig& config, const SerialPortHooks& hooks)
        KDRV_NO_THREAD_SAFETY_ANALYSIS // single-owner phase
    {
        if (config.queueOverrunEvents && config.rxEvents == nullptr)
            return Status::BadArgument;
        Status s = tx_.init(config.txStorage, config.txStorageSize,
                            config.txCapacity != 0 ? config.txCapacity : config.txStorageSize);
        if (s != Status::Success)
            return s;
        s = rx_.init(config.rxStorage, config.rxStorageSize,
                     config.rxCapacity != 0 ? config.rxCapacity : config.rxStorageSize);
        if (s != Status::Success)
            return s;
        if (config.txEvents != nullptr)
        {
            s = txEvents_.init(config.txEvents, config.txEventCount);
            if (s != Status::Success)
                return s;
        }
        if (config.rxEvents != nullptr)
        {
            s = rxEvents_.init(config.rxEvents, config.rxEventCount);
            if (s != Status::Success)
                return s;
        }
        s = mutex_.init();
        if (s != Status::Success)
            return s;
        hooks_ = hooks;
        queueOverrunEvents_ = config.queueOverrunEvents;
        txLevels_.setCapacity(tx_.capacity());
        rxLevels_.setCapacity(rx_.capacity());
        state_ = 0;
        watchMask_ = 0;
        return Status::Success;
    }

    /// No thread may be inside or waiting in the port.
    void destroy() KDRV_NO_THREAD_SAFETY_ANALYSIS
    {
        mutex_.destroy();
        tx_.destroy();
        rx_.destroy();
        txEvents_.destroy();
        rxEvents_.destroy();
    }

    // ---- client interface (IOSerialDriverSync) ------------------------------

    /// Opens the port for one client. Held by another: ExclusiveAccess
    /// without sleep, else waits for the release (errors of the wait are
    /// returned). On success the state is ACQUIRED | TX_ENABLE | RX_ENABLE
    /// plus the queue bits of the (flushed) queues; every other bit clear.
    KDRV_NODISCARD Status acquirePort(bool sleep, uint64_t deadlineNanos = 0)
    {
        MutexGuard guard(mutex_);
        while ((state_ & kSerialStateAcquired) != 0)
        {
            if (!sleep)
                return Status::ExclusiveAccess;
            const Status s = watchLocked(0, kSerialStateAcquired, nullptr, deadlineNanos);
            if (s != Status::Success)
                return s;
        }
        applyState(kSerialStateAcquired, 0xFFFFFFFFu);
        flushTransmitLocked();
        flushReceiveLocked();
        flow_.reset();
        inOverrun_ = false;
        applyState(kSerialStateAcquired | kSerialStateTxEnable | kSerialStateRxEnable |
                       queueBitsLocked(),
                   0xFFFFFFFFu);
        return Status::Success;
    }

    /// Closes the port: NotOpen if not acquired; else discards both queues
    /// and the queued TX events, clears the whole state word and wakes every
    /// waiter (they return IOError or NotOpen). Queued TX bytes do not
    /// survive release: as in Apple's serial drivers (the USB CDC driver
    /// frees its queues in releasePort and allocates them in acquirePort),
    /// draining belongs to the client, which waits for TXQ_EMPTY before it
    /// releases (IOSerialBSDClient drains the tty's output on close). From
    /// then on the hardware calls change nothing: transmitTake returns 0,
    /// transmitIdle neither sets TX_BUSY nor calls startTransmit, receivePut
    /// stores nothing and receiveEvent returns NotOpen.
    KDRV_NODISCARD Status releasePort()
    {
        MutexGuard guard(mutex_);
        if ((state_ & kSerialStateAcquired) == 0)
            return Status::NotOpen;
        flushTransmitLocked();
        flushReceiveLocked();
        applyState(0, 0xFFFFFFFFu);
        wakeEveryone();
        return Status::Success;
    }

    /// The client's setState: a mask naming ACQUIRED or ACTIVE is
    /// BadArgument (they change only through acquire/release and
    /// PD_E_ACTIVE); NotOpen if not acquired.
    KDRV_NODISCARD Status setState(uint32_t state, uint32_t mask)
    {
        if ((mask & (kSerialStateAcquired | kSerialStateActive)) != 0)
            return Status::BadArgument;
        MutexGuard guard(mutex_);
        return changeStateLocked(state, mask);
    }

    /// The current state word after recomputing the queue bits.
    uint32_t getState()
    {
        MutexGuard guard(mutex_);
        if ((state_ & kSerialStateAcquired) != 0)
            checkQueuesLocked();
        return state_;
    }

    /// Waits until any bit of mask in the state word equals the same bit of
    /// *state; then stores the state word in *state and returns Success.
    /// NotOpen if not acquired; BadArgument if state is null; Success at once
    /// for mask 0. IOError if the port went inactive (the automatic ACTIVE
    /// watch), Aborted if interrupted (interruptWatchers), Timeout after
    /// deadlineNanos (platform::monotonicNanos base; 0 = none).
    KDRV_NODISCARD Status watchState(uint32_t* state, uint32_t mask, uint64_t deadlineNanos = 0)
    {
        if (state == nullptr)
            return Status::BadArgument;
        MutexGuard guard(mutex_);
        if ((state_ & kSerialStateAcquired) == 0)
            return Status::NotOpen;
        if (mask == 0)
            return Status::Success;
        return watchLocked(*state, mask, state, deadlineNanos);
    }

    /// The next RX element's event type if it is an event, else PD_E_EOQ.
    uint32_t nextEvent()
    {
        MutexGuard guard(mutex_);
        const SerialEventRecord* r = rxEventAtHeadLocked();
        return r != nullptr ? r->event : kSerialEventEoq;
    }

    /// Applies an event now. NotOpen if not acquired; BadArgument for an
    /// unknown event or a bad value; Busy for a queue size change while the
    /// queue holds data (sizes change only when empty, nothing is dropped).
    /// Watermark changes recompute the queue bits at once.
    KDRV_NODISCARD Status executeEvent(uint32_t event, uint32_t data)
    {
        MutexGuard guard(mutex_);
        return executeEventLocked(event, data);
    }

    /// Reads an event's current value. BadArgument for a null data or an
    /// unknown event; NotOpen if not acquired.
    KDRV_NODISCARD Status requestEvent(uint32_t event, uint32_t* data)
    {
        if (data == nullptr)
            return Status::BadArgument;
        MutexGuard guard(mutex_);
        if ((state_ & kSerialStateAcquired) == 0)
            return Status::NotOpen;
        const detail::SerialPortEventRow* row = detail::serialPortEventRow(event);
        if (row != nullptr && row->readable)
        {
            *data = readEventLocked(*row);
            return Status::Success;
        }
        if (hooks_.requestEvent != nullptr)
            return hooks_.requestEvent(hooks_.context, event, data);
        return Status::BadArgument;
    }

    /// Queues an event behind the TX bytes already queued; it is executed
    /// when the hardware has taken them (transmitTake). With nothing queued
    /// it executes at once, and without a TX event ring always. Event ring
    /// full: NoResources without sleep, else waits (IOError on close).
    KDRV_NODISCARD Status enqueueEvent(uint32_t event, uint32_t data, bool sleep,
                                       uint64_t deadlineNanos = 0)
    {
        MutexGuard guard(mutex_);
        if ((state_ & kSerialStateAcquired) == 0)
            return Status::NotOpen;
        if (!txEvents_.isInitialized() || (tx_.empty() && txEvents_.empty()))
            return executeEventLocked(event, data);
        for (;;)
        {
            if (txEvents_.push(event, data, txWritten_))
            {
                startTransmitIfIdleLocked();
                return Status::Success;
            }
            if (!sleep)
                return Status::NoResources;
            const Status s = sleepLocked(&txEvents_, deadlineNanos);
            if (s != Status::Success)
                return s;
            if ((state_ & kSerialStateActive) == 0)
                return Status::IOError;
        }
    }

    /// Removes the next RX event if it is next in the stream. Otherwise
    /// *event = PD_E_EOQ, *data = 0 and Success without sleep; with sleep,
    /// waits for one (IOError when the port goes inactive). BadArgument for
    /// null pointers; NotOpen if not acquired.
    KDRV_NODISCARD Status dequeueEvent(uint32_t* event, uint32_t* data, bool sleep,
                                       uint64_t deadlineNanos = 0)
    {
        if (event == nullptr || data == nullptr)
            return Status::BadArgument;
        *event = kSerialEventEoq;
        *data = 0;
        MutexGuard guard(mutex_);
        if ((state_ & kSerialStateAcquired) == 0)
            return Status::NotOpen;
        for (;;)
        {
            if (rxEventAtHeadLocked() != nullptr)
            {
                SerialEventRecord r =
                    SerialEventRecord(); // pop() fills it; initialized for g++ -O3
                (void)rxEvents_.pop(&r);
                *event = r.event;
                *data = r.data;
                return Status::Success;
            }
            if (!sleep)
                return Status::Success;
            if ((state_ & kSerialStateActive) == 0)
                return Status::IOError;
            const Status s = sleepLocked(&rxEvents_, deadlineNanos);
            if (s != Status::Success)
                return s;
        }
    }

    /// Copies up to size bytes into TX; *count = bytes accepted (not sent).
    /// BadArgument for a null count, or a null buffer with size > 0;
    /// NotOpen (with *count = 0) if the port is not active. Without sleep a
    /// full queue gives Success with a partial count. With sleep, waits for
    /// LOW_WATER until everything is accepted; an error of the wait (IOError
    /// on close, Aborted, Timeout) is returned with *count = bytes accepted
    /// so far. The hardware is started whenever TX_BUSY is clear.
    KDRV_NODISCARD Status enqueueData(const uint8_t* buffer, uint32_t size, uint32_t* count,
                                      bool sleep, uint64_t deadlineNanos = 0)
    {
        if (count == nullptr)
            return Status::BadArgument;
        *count = 0;
        if (buffer == nullptr && size != 0)
            return Status::BadArgument;
        MutexGuard guard(mutex_);
        if ((state_ & kSerialStateActive) == 0)
            return Status::NotOpen;
        *count = transmitWriteLocked(buffer, size);
        while (sleep && *count < size)
        {
            uint32_t want = kSerialStateTxqLowWater;
            const Status s = watchLocked(want, kSerialStateTxqLowWater, &want, deadlineNanos);
            if (s != Status::Success)
                return s;
            if ((state_ & kSerialStateActive) == 0)
                return Status::IOError; // closed while the watch matched on 0 bits
            *count += transmitWriteLocked(buffer + *count, size - *count);
        }
        return Status::Success;
    }

    /// Copies up to size bytes from RX; *count = bytes copied. Blocks until
    /// at least min bytes were copied (min 0 never blocks). BadArgument for a
    /// null count, a null buffer with size > 0, or min > size; NotOpen if not
    /// active. Close during the wait: IOError with the bytes copied so far.
    /// Reading stops before an in-band RX event: then Success is returned
    /// with what was copied, even below min; the caller takes the event with
    /// dequeueEvent (nextEvent tells).
    KDRV_NODISCARD Status dequeueData(uint8_t* buffer, uint32_t size, uint32_t* count, uint32_t min,
                                      uint64_t deadlineNanos = 0)
    {
        if (count == nullptr)
            return Status::BadArgument;
        *count = 0;
        if ((buffer == nullptr && size != 0) || min > size)
            return Status::BadArgument;
        MutexGuard guard(mutex_);
        return receiveLocked(buffer, size, count, min, deadlineNanos);
    }

    /// The loop-safe blocking read. As dequeueData, except when reading stops
    /// below min before an in-band RX event: that event is removed and
    /// returned in *event / *data (Success). Otherwise *event = PD_E_EOQ and
    /// *data = 0. With min >= 1 every Success copied at least min bytes or
    /// removed an event. BadArgument also for a null event or data.
    KDRV_NODISCARD Status dequeueDataOrEvent(uint8_t* buffer, uint32_t size, uint32_t* count,
                                             uint32_t min, uint32_t* event, uint32_t* data,
                                             uint64_t deadlineNanos = 0)
    {
        if (count == nullptr || event == nullptr || data == nullptr)
            return Status::BadArgument;
        *count = 0;
        *event = kSerialEventEoq;
        *data = 0;
        if ((buffer == nullptr && size != 0) || min > size)
            return Status::BadArgument;
        MutexGuard guard(mutex_);
        const Status s = receiveLocked(buffer, size, count, min, deadlineNanos);
        if (s == Status::Success && *count < min && rxEventAtHeadLocked() != nullptr)
        {
            SerialEventRecord r = SerialEventRecord(); // pop() fills it; initialized for g++ -O3
            (void)rxEvents_.pop(&r);
            *event = r.event;
            *data = r.data;
            checkQueuesLocked();
        }
        return s;
    }

    // ---- driver side --------------------------------------------------------

    /// The driver's own setState (book Listing 11-5): any bits, including
    /// ACQUIRED and ACTIVE. NotOpen unless the port is acquired or this call
    /// acquires it.
    KDRV_NODISCARD Status changeState(uint32_t state, uint32_t mask)
    {
        MutexGuard guard(mutex_);
        return changeStateLocked(state, mask);
    }

    /// Hardware pulls up to max TX bytes into dst. Queued TX events whose
    /// turn has come are executed first (in order). Returns the bytes
    /// copied; recomputes the queue bits (waking writers at LOW_WATER).
    /// 0 on a closed port. Cancels a transmitPeek.
    uint32_t transmitTake(uint8_t* dst, uint32_t max)
    {
        MutexGuard guard(mutex_);
        uint32_t taken = 0;
        txPeeked_ = 0; // a transmitPeek's view no longer starts at the head
        if ((state_ & kSerialStateAcquired) == 0 || (dst == nullptr && max != 0))
            return 0;
        for (;;)
        {
            runDueTransmitEventsLocked();
            uint32_t limit = max - taken;
            const SerialEventRecord* next = txEvents_.isInitialized() ? txEvents_.front() : nullptr;
            if (next != nullptr)
                limit = min32(limit, next->position - txTaken_);
            const uint32_t n = tx_.read(dst + taken, limit);
            txTaken_ += n;
            taken += n;
            if (n == 0 || taken == max)
                break;
        }
        runDueTransmitEventsLocked();
        checkQueuesLocked();
        return taken;
    }

    /// Zero-copy transmit: the hardware's view of the next TX bytes in place
    /// (at most two spans, up to max, never past the next queued TX event),
    /// for a DMA or a copy straight from the queue. Due TX events run first,
    /// as in transmitTake. The bytes stay queued until transmitConsume(n);
    /// a new transmitPeek replaces the previous view. The spans stay valid
    /// until transmitConsume, a TX flush (PD_E_TXQ_FLUSH) or releasePort:
    /// after those the storage may be refilled, so a driver whose hardware
    /// may still be reading stops it first. Returns 0 on a closed port.
    uint32_t transmitPeek(ByteRingConstSpan spans[2], uint32_t max)
    {
        if (spans == nullptr)
            return 0;
        MutexGuard guard(mutex_);
        spans[0].data = nullptr;
        spans[0].size = 0;
        spans[1] = spans[0];
        txPeeked_ = 0;
        if ((state_ & kSerialStateAcquired) == 0)
            return 0;
        runDueTransmitEventsLocked();
        uint32_t limit = max;
        const SerialEventRecord* next = txEvents_.isInitialized() ? txEvents_.front() : nullptr;
        if (next != nullptr)
            limit = min32(limit, next->position - txTaken_);
        txPeeked_ = tx_.peek(spans, limit);
        txPeekGeneration_ = txFlushGeneration_;
        return txPeeked_;
    }

    /// The hardware has sent the first n bytes of the last transmitPeek:
    /// removes them, runs the TX events now due and recomputes the queue
    /// bits (waking writers at LOW_WATER). BadArgument, removing nothing, if
    /// n exceeds what that peek described less what was consumed since, or
    /// if a flush or release came in between; NotOpen on a closed port.
    /// transmitConsume(0) on an open port is Success and does nothing.
    KDRV_NODISCARD Status transmitConsume(uint32_t n)
    {
        MutexGuard guard(mutex_);
        if ((state_ & kSerialStateAcquired) == 0)
            return Status::NotOpen;
        if (n == 0)
            return Status::Success; // consumes nothing, whatever the view
        if (n > txPeeked_ || txPeekGeneration_ != txFlushGeneration_)
            return Status::BadArgument;
        if (tx_.consume(n) != Status::Success)
            return Status::BadArgument; // unreachable: the peeked bytes are held
        txPeeked_ -= n;
        txTaken_ += n;
        runDueTransmitEventsLocked();
        checkQueuesLocked();
        return Status::Success;
    }

    /// Hardware finished transmitting: clears TX_BUSY, or restarts at once
    /// (startTransmit) if more bytes or events are queued.
    void transmitIdle()
    {
        MutexGuard guard(mutex_);
        applyState(0, kSerialStateTxBusy);
        startTransmitIfIdleLocked();
    }

    /// Hardware delivers received bytes. Returns the bytes stored; the rest
    /// (RX full) is dropped and counted, never written over older data, and
    /// the first drop of an overrun episode queues PD_E_SW_OVERRUN_ERROR if
    /// configured. An episode ends when a delivery fits completely. A closed
    /// port stores nothing (returns 0, counts no overrun).
    uint32_t receivePut(const uint8_t* src, uint32_t n)
    {
        MutexGuard guard(mutex_);
        if ((state_ & kSerialStateAcquired) == 0 || (src == nullptr && n != 0))
            return 0;
        const uint32_t stored = rx_.write(src, n);
        rxWritten_ += stored;
        if (stored < n)
        {
            rxOverrunBytes_ += n - stored;
            if (!inOverrun_)
            {
                inOverrun_ = true;
                ++rxOverrunEpisodes_;
                if (queueOverrunEvents_ &&
                    rxEvents_.push(kSerialEventSwOverrunError, 0, rxWritten_))
                    mutex_.wakeupAll(&rxEvents_);
            }
        }
        else if (n != 0)
        {
            inOverrun_ = false;
        }
        checkQueuesLocked();
        return stored;
    }

    /// Hardware reports an in-band RX event (framing or parity error ...)
    /// after the bytes delivered so far. NoResources if the RX event ring is
    /// full or absent; NotOpen on a closed port.
    KDRV_NODISCARD Status receiveEvent(uint32_t event, uint32_t data)
    {
        MutexGuard guard(mutex_);
        if ((state_ & kSerialStateAcquired) == 0)
            return Status::NotOpen;
        if (!rxEvents_.isInitialized() || !rxEvents_.push(event, data, rxWritten_))
            return Status::NoResources;
        mutex_.wakeupAll(&rxEvents_);
        return Status::Success;
    }

    /// The user-space stand-in for a signal: every thread blocked in the port
    /// right now returns Aborted.
    void interruptWatchers()
    {
        MutexGuard guard(mutex_);
        ++interruptGeneration_;
        wakeEveryone();
    }

    uint64_t receiveOverrunBytes()
    {
        MutexGuard guard(mutex_);
        return rxOverrunBytes_;
    }
    uint32_t receiveOverrunEpisodes()
    {
        MutexGuard guard(mutex_);
        return rxOverrunEpisodes_;
    }

    /// Flow-control characters (PD_RS232_E_XON_BYTE / _XOFF_BYTE), for the
    /// driver's executeEvent hook.
    void setFlowCharacters(uint8_t xon, uint8_t xoff)
    {
        MutexGuard guard(mutex_);
        flow_.setXonChar(xon);
        flow_.setXoffChar(xoff);
    }
    /// The union of the bits current watchers wait for (reset by every
    /// wakeup; diagnostics and tests).
    uint32_t watchedBits()
    {
        MutexGuard guard(mutex_);
        return watchMask_;
    }

    bool receiveThrottled()
    {
        MutexGuard guard(mutex_);
        return flow_.throttled();
    }

  private:
    static constexpr uint32_t kAlwaysWatched = kSerialStateAcquired | kSerialStateActive;

    // Returns the changed bits; wakes watchers if any changed bit is watched;
    // feeds RX flow control.
    uint32_t applyState(uint32_t state, uint32_t mask) KDRV_REQUIRES(mutex_)
    {
        const uint32_t old = state_;
        const uint32_t next = (old & ~mask) | (state & mask);
        const uint32_t delta = old ^ next;
        state_ = next;
        if ((delta & watchMask_) != 0)
        {
            watchMask_ = 0;
            mutex_.wakeupAll(&state_);
        }
        if ((delta & kSerialStateActive) != 0 && (next & kSerialStateActive) == 0)
            wakeEveryone();
        if ((delta & kSerialStateRxqMask) != 0)
        {
            const uint32_t actions = flow_.onStateChange(old, next);
            if (actions != kSerialFlowActionNone && hooks_.flowControl != nullptr)
                hooks_.flowControl(hooks_.context, actions);
        }
        return delta;
    }

    KDRV_NODISCARD Status changeStateLocked(uint32_t state, uint32_t mask) KDRV_REQUIRES(mutex_)
    {
        if ((state_ & kSerialStateAcquired) == 0 && (state & mask & kSerialStateAcquired) == 0)
            return Status::NotOpen;
        (void)applyState(state, mask);
        return Status::Success;
    }

    void wakeEveryone() KDRV_REQUIRES(mutex_)
    {
        watchMask_ = 0;
        mutex_.wakeupAll(&state_);
        mutex_.wakeupAll(&txEvents_);
        mutex_.wakeupAll(&rxEvents_);
    }

    // One sleep on event; maps the platform result to a Status.
    KDRV_NODISCARD Status sleepLocked(const void* event, uint64_t deadlineNanos)
        KDRV_REQUIRES(mutex_)
    {
        const uint32_t generation = interruptGeneration_;
        const WaitResult r =
            deadlineNanos == 0 ? mutex_.sleep(event, SleepType::Interruptible)
                               : mutex_.sleepUntil(event, deadlineNanos, SleepType::Interruptible);
        if (r == WaitResult::Interrupted || generation != interruptGeneration_)
            return Status::Aborted;
        if (r == WaitResult::TimedOut)
            return Status::Timeout;
        return Status::Success;
    }

    // The watch loop of watchState (mutex held, port acquired on entry).
    KDRV_NODISCARD Status watchLocked(uint32_t want, uint32_t mask, uint32_t* stateOut,
                                      uint64_t deadlineNanos) KDRV_REQUIRES(mutex_)
    {
        uint32_t watch = mask;
        const bool autoActive = (mask & kAlwaysWatched) == 0;
        if (autoActive)
        {
            watch |= kSerialStateActive;
            want &= ~kSerialStateActive;
        }
        for (;;)
        {
            const uint32_t cur = state_;
            const uint32_t matched = (want ^ ~cur) & watch;
            if (matched != 0)
            {
                if (stateOut != nullptr)
                    *stateOut = cur;
                if ((matched & mask) == 0)
                    return Status::IOError; // only the automatic ACTIVE == 0 watch fired
                return Status::Success;
            }
            watchMask_ |= watch;
            const Status s = sleepLocked(&state_, deadlineNanos);
            if (s != Status::Success)
                return s;
        }
    }

    uint32_t queueBitsLocked() const KDRV_REQUIRES(mutex_)
    {
        return txLevels_.bits(tx_.used(), false) | rxLevels_.bits(rx_.used(), true);
    }

    // CheckQueues: recompute all eight queue bits, apply only the changes.
    // (A closed port's word stays 0: hardware calls after release change
    // no bits.)
    void checkQueuesLocked() KDRV_REQUIRES(mutex_)
    {
        if ((state_ & kSerialStateAcquired) != 0)
            (void)applyState(queueBitsLocked(), kSerialStateQueueMask);
    }

    uint32_t transmitWriteLocked(const uint8_t* src, uint32_t n) KDRV_REQUIRES(mutex_)
    {
        const uint32_t accepted = tx_.write(src, n);
        txWritten_ += accepted;
        checkQueuesLocked();
        startTransmitIfIdleLocked();
        return accepted;
    }

    void startTransmitIfIdleLocked() KDRV_REQUIRES(mutex_)
    {
        if ((state_ & kSerialStateTxBusy) != 0 || (state_ & kSerialStateAcquired) == 0)
            return;
        if (tx_.empty() && (!txEvents_.isInitialized() || txEvents_.empty()))
            return;
        (void)applyState(kSerialStateTxBusy, kSerialStateTxBusy);
        if (hooks_.startTransmit != nullptr)
            hooks_.startTransmit(hooks_.context);
    }

    void runDueTransmitEventsLocked() KDRV_REQUIRES(mutex_)
    {
        if (!txEvents_.isInitialized())
            return;
        const SerialEventRecord* r = txEvents_.front();
        bool popped = false;
        while (r != nullptr && r->position == txTaken_)
        {
            SerialEventRecord e = SerialEventRecord(); // pop() fills it; initialized for g++ -O3
            (void)txEvents_.pop(&e);
            popped = true;
            (void)executeEventLocked(e.event, e.data);
            r = txEvents_.front();
        }
        if (popped)
            mutex_.wakeupAll(&txEvents_);
    }

    const SerialEventRecord* rxEventAtHeadLocked() const KDRV_REQUIRES(mutex_)
    {
        if (!rxEvents_.isInitialized())
            return nullptr;
        const SerialEventRecord* r = rxEvents_.front();
        return (r != nullptr && r->position == rxTaken_) ? r : nullptr;
    }

    // dequeueData's loop (arguments checked, mutex held).
    KDRV_NODISCARD Status receiveLocked(uint8_t* buffer, uint32_t size, uint32_t* count,
                                        uint32_t min, uint64_t deadlineNanos) KDRV_REQUIRES(mutex_)
    {
        if ((state_ & kSerialStateActive) == 0)
            return Status::NotOpen;
        *count = receiveReadLocked(buffer, size);
        while (*count < min)
        {
            if (rxEventAtHeadLocked() != nullptr)
                return Status::Success;
            uint32_t want = 0;
            const Status s = watchLocked(0, kSerialStateRxqEmpty, &want, deadlineNanos);
            if (s != Status::Success)
                return s;
            if ((state_ & kSerialStateActive) == 0)
                return Status::IOError; // closed: the cleared word matched EMPTY == 0
            *count += receiveReadLocked(buffer + *count, size - *count);
        }
        return Status::Success;
    }

    uint32_t receiveReadLocked(uint8_t* dst, uint32_t n) KDRV_REQUIRES(mutex_)
    {
        uint32_t limit = n;
        const SerialEventRecord* next = rxEvents_.isInitialized() ? rxEvents_.front() : nullptr;
        if (next != nullptr)
            limit = min32(limit, next->position - rxTaken_);
        const uint32_t got = rx_.read(dst, limit);
        rxTaken_ += got;
        if (next != nullptr && next->position == rxTaken_)
            mutex_.wakeupAll(&rxEvents_);
        checkQueuesLocked();
        return got;
    }

    void flushTransmitLocked() KDRV_REQUIRES(mutex_)
    {
        ++txFlushGeneration_; // cancels a transmitPeek
        txPeeked_ = 0;
        txTaken_ += tx_.flush();
        if (txEvents_.isInitialized() && txEvents_.flush() != 0)
            mutex_.wakeupAll(&txEvents_);
    }

    void flushReceiveLocked() KDRV_REQUIRES(mutex_)
    {
        rxTaken_ += rx_.flush();
        if (rxEvents_.isInitialized())
            (void)rxEvents_.flush();
        inOverrun_ = false;
    }

    KDRV_NODISCARD Status resizeLocked(ByteRing& ring, SerialQueueLevels& levels, uint32_t capacity)
        KDRV_REQUIRES(mutex_)
    {
        const Status s = ring.resize(capacity);
        if (s != Status::Success)
            return s;
        levels.setCapacity(capacity);
        checkQueuesLocked();
        return Status::Success;
    }

    KDRV_NODISCARD Status marksLocked(Status s) KDRV_REQUIRES(mutex_)
    {
        if (s == Status::Success)
            checkQueuesLocked();
        return s;
    }

    ByteRing& ringLocked(bool rx) KDRV_REQUIRES(mutex_) { return rx ? rx_ : tx_; }
    SerialQueueLevels& levelsLocked(bool rx) KDRV_REQUIRES(mutex_)
    {
        return rx ? rxLevels_ : txLevels_;
    }

    /// The value requestEvent reports for a readable row.
    uint32_t readEventLocked(const detail::SerialPortEventRow& row) KDRV_REQUIRES(mutex_)
    {
        switch (row.op)
        {
        case detail::SerialPortEventOp::Active:
            return (state_ & kSerialStateActive) != 0 ? 1u : 0u;
        case detail::SerialPortEventOp::Size:
            return ringLocked(row.rx).capacity();
        case detail::SerialPortEventOp::LowWater:
            return levelsLocked(row.rx).lowWater();
        case detail::SerialPortEventOp::HighWater:
            return levelsLocked(row.rx).highWater();
        case detail::SerialPortEventOp::Available:
            return row.rx ? rx_.used() : tx_.space(); // RX: bytes to read; TX: room to write
        case detail::SerialPortEventOp::Flush:
            break; // not readable
        case detail::SerialPortEventOp::FlowControl:
            return flow_.config();
        }
        return 0;
    }

    KDRV_NODISCARD Status executeEventLocked(uint32_t event, uint32_t data) KDRV_REQUIRES(mutex_)
    {
        if ((state_ & kSerialStateAcquired) == 0)
            return Status::NotOpen;
        const detail::SerialPortEventRow* row = detail::serialPortEventRow(event);
        if (row != nullptr && row->executable)
        {
            switch (row->op)
            {
            case detail::SerialPortEventOp::Active:
                return executeActiveLocked(event, data);
            case detail::SerialPortEventOp::Size:
                return resizeLocked(ringLocked(row->rx), levelsLocked(row->rx), data);
            case detail::SerialPortEventOp::LowWater:
                return marksLocked(levelsLocked(row->rx).setLowWater(data));
            case detail::SerialPortEventOp::HighWater:
                return marksLocked(levelsLocked(row->rx).setHighWater(data));
            case detail::SerialPortEventOp::Flush:
                if (row->rx)
                    flushReceiveLocked();
                else
                    flushTransmitLocked();
                checkQueuesLocked();
                return Status::Success;
            case detail::SerialPortEventOp::FlowControl:
                return executeFlowControlLocked(event, data);
            case detail::SerialPortEventOp::Available:
                break; // not executable
            }
        }
        if (hooks_.executeEvent != nullptr)
            return hooks_.executeEvent(hooks_.context, event, data);
        return Status::BadArgument;
    }

    /// PD_E_ACTIVE: the hook may refuse (any status but BadArgument, which
    /// means it does not care); then the ACTIVE bit follows data.
    KDRV_NODISCARD Status executeActiveLocked(uint32_t event, uint32_t data) KDRV_REQUIRES(mutex_)
    {
        Status s = Status::Success;
        if (hooks_.executeEvent != nullptr)
        {
            s = hooks_.executeEvent(hooks_.context, event, data);
            if (s == Status::BadArgument)
                s = Status::Success; // the hook does not care about ACTIVE
        }
        if (s == Status::Success)
            (void)applyState(data != 0 ? kSerialStateActive : 0, kSerialStateActive);
        return s;
    }

    /// PD_E_FLOW_CONTROL: the port takes the configuration (and tells the
    /// driver the RX actions it implies), then offers it to the hook, whose
    /// BadArgument means it has nothing to add.
    KDRV_NODISCARD Status executeFlowControlLocked(uint32_t event, uint32_t data)
        KDRV_REQUIRES(mutex_)
    {
        if ((data & ~kSerialFlowAll) != 0)
            return Status::BadArgument;
        const uint32_t actions = flow_.configure(data);
        if (actions != kSerialFlowActionNone && hooks_.flowControl != nullptr)
            hooks_.flowControl(hooks_.context, actions);
        if (hooks_.executeEvent != nullptr)
        {
            const Status s = hooks_.executeEvent(hooks_.context, event, data);
            if (s != Status::BadArgument)
                return s;
        }
        return Status::Success;
    }

    Mutex mutex_;
    ByteRing tx_ KDRV_GUARDED_BY(mutex_);
    ByteRing rx_ KDRV_GUARDED_BY(mutex_);
    EventRing txEvents_ KDRV_GUARDED_BY(mutex_);
    EventRing rxEvents_ KDRV_GUARDED_BY(mutex_);
    SerialQueueLevels txLevels_ KDRV_GUARDED_BY(mutex_);
    SerialQueueLevels rxLevels_ KDRV_GUARDED_BY(mutex_);
    SerialFlowControl flow_ KDRV_GUARDED_BY(mutex_);
    SerialPortHooks hooks_;
    uint32_t state_ KDRV_GUARDED_BY(mutex_);
    uint32_t watchMask_ KDRV_GUARDED_BY(mutex_);
    uint32_t interruptGeneration_ KDRV_GUARDED_BY(mutex_);
    uint32_t txWritten_ KDRV_GUARDED_BY(mutex_); // bytes ever queued in TX (positions of TX events)
    uint32_t
        txTaken_ KDRV_GUARDED_BY(mutex_); // bytes ever taken from TX (by the hardware or a flush)
    uint32_t rxWritten_ KDRV_GUARDED_BY(mutex_);
    uint32_t rxTaken_ KDRV_GUARDED_BY(mutex_);
    uint64_t rxOverrunBytes_ KDRV_GUARDED_BY(mutex_);
    uint32_t rxOverrunEpisodes_ KDRV_GUARDED_BY(mutex_);
    uint32_t txPeeked_ KDRV_GUARDED_BY(mutex_);          // bytes of the last transmitPeek left
    uint32_t txPeekGeneration_ KDRV_GUARDED_BY(mutex_);  // txFlushGeneration_ at that peek
    uint32_t txFlushGeneration_ KDRV_GUARDED_BY(mutex_); // TX flushes ever
    bool inOverrun_ KDRV_GUARDED_BY(mutex_);
    bool queueOverrunEvents_;
};
// Not over-aligned: a class holding one may be created with new in a kext
// (kMaxTypeAlignment, base.hpp).
static_assert(alignof(SerialPortCore) <= kMaxTypeAlignment, "over-aligned");
} // namespace kdrv

#endif // KDRV_SERIAL_PORT_HPP
