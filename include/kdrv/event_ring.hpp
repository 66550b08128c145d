// SPDX-License-Identifier: MIT
//
/// \file
/// EventRing: a ring of serial events ({event, data} in PD_E_* encoding) over
/// caller-supplied storage, for enqueueEvent (TX) and in-band receive errors
/// (RX).
///
/// Each record also carries the stream position at which it takes effect:
/// the count of data bytes queued in the same direction before it (a
/// free-running uint32_t, like ByteRing's indices). The byte ring stays the
/// fast path for data, and the port delivers an event exactly when the
/// consumer of the bytes reaches its position, so events and bytes keep their
/// order without turning every byte into a record.
///
/// Concurrency: as ByteRing, one producer (push) and one consumer (front,
/// pop) may run concurrently without a lock; `in` is published with release
/// ordering after the record is written and loaded with acquire ordering
/// before it is read, and the reverse for `out`. Anything else needs the
/// caller's lock. Nothing blocks or allocates.
///
/// Invariants: `in_` is written only by push(), `out_` only by pop() and
/// flush(); `0 <= in_ - out_ <= capacity` (push refuses a full ring, and
/// reads `out_` with acquire so the consumer's read of the slot it freed is
/// done before the slot is rewritten). A record is
/// written only while it lies outside [out_, in_) and read only while inside,
/// so the producer and the consumer never touch the same record at once.
/// records_ and mask_ change only in init/destroy, with both sides quiescent.
/// SerialPortCore uses its event rings under its mutex, so there the ring's
/// own ordering is a second line of defence, not the one relied on.
///
/// Misuse: before init and after destroy the ring is empty with capacity 0
/// (push fails, front is null, pop and flush find nothing); destroy forgets
/// the records it held. The pointer front() returns stays valid until the
/// next pop, flush or destroy.
#ifndef KDRV_EVENT_RING_HPP
#define KDRV_EVENT_RING_HPP

#include "kdrv/atomic.hpp"            // for AtomicU32, MemoryOrder
#include "kdrv/base.hpp"              // for isPowerOfTwo32, KDRV_NONCOPYABLE
#include "kdrv/byte_ring.hpp"         // for ByteRing::kMaxStorageSize
#include "kdrv/platform/platform.hpp" // for KDRV_MODEL_WRITE_BYTES (no-ops outside the model build)
#include "kdrv/status.hpp"            // for Status

namespace kdrv
{
struct SerialEventRecord
{
    uint32_t event;    // PD_E_* code, data size in the low two bits
    uint32_t data;     // the event's argument
    uint32_t position; // data bytes queued before this event
};

class EventRing
{
  public:
    constexpr EventRing() : records_(nullptr), mask_(0), in_(0), out_(0) {}
    KDRV_NONCOPYABLE(EventRing);

    /// recordCount must be a power of two, at most ByteRing's maximum (the
    /// same free-running uint32_t indices); BadArgument otherwise, or for a
    /// null storage.
    KDRV_NODISCARD Status init(SerialEventRecord* storage, uint32_t recordCount)
    {
        if (storage == nullptr || !isPowerOfTwo32(recordCount) ||
            recordCount > ByteRing::kMaxStorageSize)
            return Status::BadArgument;
        records_ = storage;
        mask_ = recordCount - 1;
        in_.store(0, MemoryOrder::Relaxed);
        out_.store(0, MemoryOrder::Relaxed);
        return Status::Success;
    }
    /// Forgets the storage and any records held. Both sides quiescent.
    void destroy()
    {
        records_ = nullptr;
        mask_ = 0;
        in_.store(0, MemoryOrder::Relaxed);
        out_.store(0, MemoryOrder::Relaxed);
    }
    bool isInitialized() const { return records_ != nullptr; }
    uint32_t capacity() const { return records_ != nullptr ? mask_ + 1 : 0; }

    uint32_t used() const
    {
        const uint32_t out = out_.load(MemoryOrder::Acquire);
        return in_.load(MemoryOrder::Acquire) - out;
    }
    bool empty() const { return used() == 0; }
    bool full() const { return used() == capacity(); }

    /// Producer: appends a record; false if full (or not initialized).
    bool push(uint32_t event, uint32_t data, uint32_t position)
    {
        const uint32_t in = in_.load(MemoryOrder::Relaxed);
        if (records_ == nullptr || in - out_.load(MemoryOrder::Acquire) > mask_)
            return false;
        SerialEventRecord& r = records_[in & mask_];
        r.event = event;
        r.data = data;
        r.position = position;
        KDRV_MODEL_WRITE_BYTES(&r, sizeof r);
        in_.store(in + 1, MemoryOrder::Release);
        return true;
    }

    /// Consumer: the oldest record, or null when empty. Valid until pop().
    const SerialEventRecord* front() const
    {
        const uint32_t out = out_.load(MemoryOrder::Relaxed);
        if (records_ == nullptr || in_.load(MemoryOrder::Acquire) == out)
            return nullptr;
        // The caller reads the record.
        KDRV_MODEL_READ_BYTES(&records_[out & mask_], sizeof(SerialEventRecord));
        return &records_[out & mask_];
    }

    /// Consumer: removes the oldest record into *record (may be null); false
    /// when empty.
    bool pop(SerialEventRecord* record)
    {
        const uint32_t out = out_.load(MemoryOrder::Relaxed);
        if (records_ == nullptr || in_.load(MemoryOrder::Acquire) == out)
            return false;
        if (record != nullptr)
        {
            KDRV_MODEL_READ_BYTES(&records_[out & mask_], sizeof *record);
            *record = records_[out & mask_];
        }
        out_.store(out + 1, MemoryOrder::Release);
        return true;
    }

    /// Consumer: drops every record; returns how many.
    uint32_t flush()
    {
        const uint32_t out = out_.load(MemoryOrder::Relaxed);
        const uint32_t in = in_.load(MemoryOrder::Acquire);
        out_.store(in, MemoryOrder::Release);
        return in - out;
    }

  private:
    // The producer's line (the records and mask it reads, `in` it writes) and
    // the consumer's (`out`), apart by padding, not alignment (CachePad,
    // base.hpp), so a class holding an EventRing is not over-aligned.
    CachePad padBefore_;
    SerialEventRecord* records_;
    uint32_t mask_;
    AtomicU32 in_;
    CachePad padBetween_;
    AtomicU32 out_;
    CachePad padAfter_;
};
static_assert(alignof(EventRing) <= kMaxTypeAlignment, "over-aligned");
} // namespace kdrv

#endif // KDRV_EVENT_RING_HPP
