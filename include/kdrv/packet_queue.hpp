// SPDX-License-Identifier: MIT
//
/// \file
/// PacketQueue: a FIFO of packets behind a SpinLock, with a capacity, drop
/// counting, a flush that hands back the detached list, and an output service
/// loop with IOOutputQueue's stall semantics; plus bounded drain loops for
/// receive paths.
///
/// Packets are intrusive: the driver embeds a PacketQueueEntry in its packet
/// record (first member, or recovered with offsetof) and the queue links the
/// entries; nothing is allocated. An entry is in at most one queue or list at
/// a time; the queue owns it from a successful enqueue until it is handed
/// back by dequeue, flush or the service function.
///
/// Capacity and drops. enqueue() at capacity refuses the packet with NoSpace
/// and counts one drop; the caller still owns (and frees) it. The packet
/// being serviced (below) keeps its slot until the service function has
/// decided, so `count() + inService <= capacity` always holds and a stalled
/// packet can always be put back.
///
/// Stall (IOOutputQueue). service(fn, ...) dequeues packets one at a time and
/// calls fn outside the lock; fn returns Sent (the driver took the packet),
/// Dropped (the driver refused and freed it: counted as a drop) or Stall (no
/// transmit resources: the queue puts the packet back at the head, becomes
/// stalled and the loop stops). While stalled, enqueue() still accepts
/// packets up to the capacity, dequeue() and flush() still work, and
/// service() returns at once: servicing is paused until unstall(), which the
/// driver calls when resources are free (its "transmit done" interrupt) and
/// which says whether packets wait, so the driver can run service() again.
/// service() is for one thread at a time (the driver's output context); a
/// concurrent second call is refused with Busy.
///
/// Drain (receive paths). drainQueue() and drainSource() hand at most
/// `budget` packets to a callback, then call the flush callback once (the
/// book's `inputPacket` loop followed by `flushInputQueue`), so one interrupt
/// cannot starve the system; they report whether work remains.
///
/// Locking and context: every queue operation takes the SpinLock with
/// interrupts disabled (as IOPacketQueue's lock* calls do) for a bounded,
/// short section, so all of them may be called from any context that may
/// take a spin lock, primary interrupt handlers included. Callbacks (service,
/// drain) run without the lock; they must not block if the caller cannot.
/// init() and destroy() are thread context, with the queue quiescent.
///
/// Invariants (under the lock): count() + inService_ <= capacity, with
/// inService_ 1 exactly while service() has a packet out, so a stalled packet
/// always fits back; servicing_ is set by exactly one service() call at a
/// time, and the check that ends the loop (stalled, empty or budget) and the
/// clearing of servicing_ happen in one locked section, so a packet enqueued
/// after that check finds servicing_ clear and its producer's service() runs.
/// unstall() counts itself (unstalls_); service() stalls on a Stall result
/// only if no unstall() ran while the packet was out, so a transmit-done
/// interrupt that lands in that window is not lost. The counters and the
/// list change only under the lock; the lock's acquire/release is all the
/// ordering there is.
#ifndef KDRV_PACKET_QUEUE_HPP
#define KDRV_PACKET_QUEUE_HPP

#include "kdrv/base.hpp"     // for KDRV_NODISCARD, KDRV_NONCOPYABLE
#include "kdrv/spinlock.hpp" // for SpinLock, SpinLockIrqGuard
#include "kdrv/status.hpp"   // for Status

namespace kdrv
{
/// The link a queued packet carries.
struct PacketQueueEntry
{
    PacketQueueEntry* nextPacket;
};

/// A detached FIFO of entries (what flush() returns); a plain value with no
/// lock. Its count is kept exact by its own operations.
struct PacketList
{
    PacketQueueEntry* head;
    PacketQueueEntry* tail;
    uint32_t count;

    constexpr PacketList() : head(nullptr), tail(nullptr), count(0) {}

    bool empty() const { return head == nullptr; }

    /// Appends e (non-null, not in any list); false if e is null or the
    /// count would overflow.
    KDRV_NODISCARD bool pushBack(PacketQueueEntry* e)
    {
        if (e == nullptr || count == 0xFFFFFFFFu)
            return false;
        e->nextPacket = nullptr;
        if (tail != nullptr)
            tail->nextPacket = e;
        else
            head = e;
        tail = e;
        ++count;
        return true;
    }

    /// Inserts e at the head; false if e is null or the count would overflow.
    KDRV_NODISCARD bool pushFront(PacketQueueEntry* e)
    {
        if (e == nullptr || count == 0xFFFFFFFFu)
            return false;
        e->nextPacket = head;
        head = e;
        if (tail == nullptr)
            tail = e;
        ++count;
        return true;
    }

    /// Removes and returns the first entry, or null when empty.
    PacketQueueEntry* popFront()
    {
        PacketQueueEntry* e = head;
        if (e == nullptr)
            return nullptr;
        head = e->nextPacket;
        if (head == nullptr)
            tail = nullptr;
        e->nextPacket = nullptr;
        --count;
        return e;
    }
};

/// What an output service function did with the packet it was given.
enum class OutputResult : uint8_t
{
    Sent = 0,    // the driver owns the packet now (kIOReturnOutputSuccess)
    Stall = 1,   // no resources: put it back, pause (kIOReturnOutputStall)
    Dropped = 2, // the driver freed it; counted as a drop (kIOReturnOutputDropped)
};

typedef OutputResult (*PacketOutputFn)(void* context, PacketQueueEntry* packet);
/// Receives one packet of a drain; it owns the packet from then on.
typedef void (*PacketDeliverFn)(void* context, PacketQueueEntry* packet);
/// Called once at the end of a drain (flushInputQueue); may be null.
typedef void (*PacketFlushFn)(void* context);
/// Returns the next received packet, or null when the source is empty.
typedef PacketQueueEntry* (*PacketPollFn)(void* context);

/// Counters, all since init(); a consistent snapshot taken under the lock.
struct PacketQueueStats
{
    uint64_t enqueued; // packets accepted (enqueue, enqueueList)
    uint64_t dequeued; // packets handed out (dequeue, flush, service, drain)
    uint64_t dropped;  // refused at capacity, plus OutputResult::Dropped
    uint64_t stalls;   // times service() saw OutputResult::Stall
    uint32_t count;    // packets queued now
    uint32_t peak;     // highest count seen
    uint32_t capacity;
    bool stalled;
};

/// How a service() call ended.
struct PacketServiceResult
{
    uint32_t sent;    // OutputResult::Sent
    uint32_t dropped; // OutputResult::Dropped
    bool stalled;     // the queue is stalled (now or it already was)
    bool more;        // packets still wait (a budget stop, or a stall)
};

class PacketQueue
{
  public:
    /// Capacity that is never reached in practice.
    static constexpr uint32_t kUnlimited = 0xFFFFFFFFu;

    constexpr PacketQueue()
        : lock_(), list_(), capacity_(0), peak_(0), stalled_(false), servicing_(false),
          inService_(0), unstalls_(0), enqueued_(0), dequeued_(0), dropped_(0), stalls_(0)
    {
    }
    KDRV_NONCOPYABLE(PacketQueue);

    /// Prepares the lock and sets the capacity (1 .. kUnlimited; 0 is
    /// BadArgument). NoMemory if the kernel lock could not be allocated.
    /// Thread context. The queue starts empty, unstalled, counters zero.
    KDRV_NODISCARD Status init(uint32_t capacity)
    {
        if (capacity == 0)
            return Status::BadArgument;
        Status s = lock_.init();
        if (s != Status::Success)
            return s;
        list_ = PacketList();
        capacity_ = capacity;
        peak_ = 0;
        stalled_ = false;
        servicing_ = false;
        inService_ = 0;
        unstalls_ = 0;
        enqueued_ = dequeued_ = dropped_ = stalls_ = 0;
        return Status::Success;
    }

    /// Releases the lock. The queue must be quiescent; queued packets are
    /// not touched, so flush() first and free them.
    void destroy() { lock_.destroy(); }

    /// Appends a packet. NoSpace at capacity (the packet stays the caller's;
    /// one drop is counted), BadArgument for null. Allowed while stalled.
    KDRV_NODISCARD Status enqueue(PacketQueueEntry* packet)
    {
        if (packet == nullptr)
            return Status::BadArgument;
        SpinLockIrqGuard guard(lock_);
        if (list_.count + inService_ >= capacity_)
        {
            ++dropped_;
            return Status::NoSpace;
        }
        (void)list_.pushBack(packet);
        noteEnqueuedLocked(1);
        return Status::Success;
    }

    /// Appends as many packets of *list as fit, in order; the rest stay in
    /// *list (the caller frees them) and are counted as drops. Returns the
    /// number accepted. A null list accepts nothing.
    uint32_t enqueueList(PacketList* list)
    {
        if (list == nullptr || list->empty())
            return 0;
        SpinLockIrqGuard guard(lock_);
        uint32_t accepted = 0;
        while (!list->empty() && list_.count + inService_ < capacity_)
        {
            (void)list_.pushBack(list->popFront());
            ++accepted;
        }
        dropped_ += list->count;
        noteEnqueuedLocked(accepted);
        return accepted;
    }

    /// Removes and returns the head packet, or null when empty. Works while
    /// stalled (it is the plain FIFO operation, IOPacketQueue::lockDequeue).
    PacketQueueEntry* dequeue()
    {
        SpinLockIrqGuard guard(lock_);
        PacketQueueEntry* e = list_.popFront();
        if (e != nullptr)
            ++dequeued_;
        return e;
    }

    /// Detaches every queued packet and returns them in FIFO order; the
    /// queue is empty afterwards (its stall state is kept). The caller owns
    /// and frees the returned packets.
    PacketList flush()
    {
        SpinLockIrqGuard guard(lock_);
        PacketList out = list_;
        list_ = PacketList();
        dequeued_ += out.count;
        return out;
    }

    /// Changes the capacity (0 is BadArgument). Lowering it below the count
    /// drops nothing: enqueues fail until the queue has drained below it.
    KDRV_NODISCARD Status setCapacity(uint32_t capacity)
    {
        if (capacity == 0)
            return Status::BadArgument;
        SpinLockIrqGuard guard(lock_);
        capacity_ = capacity;
        return Status::Success;
    }

    /// Pauses service() (a driver that found itself out of resources outside
    /// the service function).
    void stall()
    {
        SpinLockIrqGuard guard(lock_);
        stalled_ = true;
    }

    /// Ends a stall. Returns true if packets wait, so the caller should run
    /// service() (IOOutputQueue::service after a transmit-done interrupt).
    /// An unstall() that lands while a service() call has a packet out is
    /// not lost: if that packet then comes back as Stall, the call retries it
    /// instead of stalling (the resources this call announces may be the
    /// ones the service function found missing).
    KDRV_NODISCARD bool unstall()
    {
        SpinLockIrqGuard guard(lock_);
        stalled_ = false;
        ++unstalls_;
        return !list_.empty();
    }

    /// Dequeues up to `budget` packets (0: no limit) and hands each to fn
    /// without the lock held, as described in the file comment. Returns
    /// Success with *result filled; BadArgument for a null fn or result; Busy
    /// if another service() runs (nothing is done). A stalled queue returns
    /// Success at once with result->stalled set.
    KDRV_NODISCARD Status service(PacketOutputFn fn, void* context, uint32_t budget,
                                  PacketServiceResult* result)
    {
        if (fn == nullptr || result == nullptr)
            return Status::BadArgument;
        result->sent = 0;
        result->dropped = 0;
        result->stalled = false;
        result->more = false;
        {
            SpinLockIrqGuard guard(lock_);
            if (servicing_)
                return Status::Busy;
            servicing_ = true;
        }
        uint32_t done = 0;
        for (;;)
        {
            PacketQueueEntry* e = nullptr;
            uint32_t unstallsAtPop = 0;
            {
                SpinLockIrqGuard guard(lock_);
                if (stalled_ || list_.empty() || (budget != 0 && done == budget))
                {
                    result->stalled = stalled_;
                    result->more = !list_.empty();
                    servicing_ = false;
                    return Status::Success;
                }
                e = list_.popFront();
                inService_ = 1; // keeps the slot: a stalled packet always fits back
                unstallsAtPop = unstalls_;
            }
            const OutputResult r = fn(context, e);
            ++done;
            SpinLockIrqGuard guard(lock_);
            inService_ = 0;
            if (r == OutputResult::Sent)
            {
                ++dequeued_;
                ++result->sent;
            }
            else if (r == OutputResult::Dropped)
            {
                ++dequeued_;
                ++dropped_;
                ++result->dropped;
            }
            else // Stall, or a value outside the enum: keep the packet
            {
                (void)list_.pushFront(e);
                ++stalls_;
                // Stall only if no unstall() ran while fn had the packet;
                // otherwise that wakeup is already spent, so retry.
                if (unstalls_ == unstallsAtPop)
                    stalled_ = true;
            }
        }
    }

    uint32_t count() const
    {
        SpinLockIrqGuard guard(lock_);
        return list_.count;
    }
    bool isStalled() const
    {
        SpinLockIrqGuard guard(lock_);
        return stalled_;
    }
    uint32_t capacity() const
    {
        SpinLockIrqGuard guard(lock_);
        return capacity_;
    }
    uint64_t drops() const
    {
        SpinLockIrqGuard guard(lock_);
        return dropped_;
    }
    PacketQueueStats stats() const
    {
        SpinLockIrqGuard guard(lock_);
        PacketQueueStats s;
        s.enqueued = enqueued_;
        s.dequeued = dequeued_;
        s.dropped = dropped_;
        s.stalls = stalls_;
        s.count = list_.count;
        s.peak = peak_;
        s.capacity = capacity_;
        s.stalled = stalled_;
        return s;
    }

  private:
    void noteEnqueuedLocked(uint32_t n)
    {
        enqueued_ += n;
        if (list_.count > peak_)
            peak_ = list_.count;
    }

    mutable SpinLock lock_;
    PacketList list_;
    uint32_t capacity_;
    uint32_t peak_;
    bool stalled_;
    bool servicing_;
    uint32_t inService_;
    uint32_t unstalls_; // unstall() calls (wraps); service() compares snapshots
    uint64_t enqueued_;
    uint64_t dequeued_;
    uint64_t dropped_;
    uint64_t stalls_;
};

/// How a drain ended.
struct DrainResult
{
    uint32_t delivered; // packets handed to deliver
    bool more;          // work remains: the budget ran out first
};

/// Hands at most `budget` packets (0 is BadArgument) from the queue to
/// deliver, one at a time and without the queue's lock, then calls flush
/// once (if non-null, even when nothing was delivered). result->more is true
/// if the queue still held packets when the drain stopped. BadArgument for a
/// null queue, deliver or result.
KDRV_NODISCARD inline Status drainQueue(PacketQueue* queue, uint32_t budget,
                                        PacketDeliverFn deliver, PacketFlushFn flush, void* context,
                                        DrainResult* result)
{
    if (queue == nullptr || deliver == nullptr || result == nullptr || budget == 0)
        return Status::BadArgument;
    result->delivered = 0;
    result->more = false;
    while (result->delivered < budget)
    {
        PacketQueueEntry* e = queue->dequeue();
        if (e == nullptr)
            break;
        deliver(context, e);
        ++result->delivered;
    }
    if (result->delivered == budget)
        result->more = queue->count() != 0;
    if (flush != nullptr)
        flush(context);
    return Status::Success;
}

/// The same loop over any source (receivePacketFromHardware): poll returns
/// the next packet or null. It stops at null or after `budget` packets (0 is
/// BadArgument); result->more is true when the budget stopped it, since the
/// source may still hold packets (it is not polled once more, which would
/// take a packet the drain could not deliver). flush runs once at the end.
KDRV_NODISCARD inline Status drainSource(PacketPollFn poll, uint32_t budget,
                                         PacketDeliverFn deliver, PacketFlushFn flush,
                                         void* context, DrainResult* result)
{
    if (poll == nullptr || deliver == nullptr || result == nullptr || budget == 0)
        return Status::BadArgument;
    result->delivered = 0;
    result->more = false;
    for (;;)
    {
        if (result->delivered == budget)
        {
            result->more = true;
            break;
        }
        PacketQueueEntry* e = poll(context);
        if (e == nullptr)
            break;
        deliver(context, e);
        ++result->delivered;
    }
    if (flush != nullptr)
        flush(context);
    return Status::Success;
}
// Not over-aligned: a class holding one may be created with new in a kext
// (kMaxTypeAlignment, base.hpp).
static_assert(alignof(PacketQueue) <= kMaxTypeAlignment, "over-aligned");
} // namespace kdrv

#endif // KDRV_PACKET_QUEUE_HPP
