// SPDX-License-Identifier: MIT
//
/// \file
/// ByteRing: a circular byte buffer over caller-supplied storage, for the data
/// path of serial, USB-CDC and streaming drivers.
///
/// Layout. The storage size is a power of two; the two indices `in` (bytes
/// ever written) and `out` (bytes ever read) are free-running uint32_t
/// counters, reduced with `& (storageSize - 1)` on use, so `in - out` is the
/// fill level even after the counters wrap past 2^32, and a full ring is told
/// from an empty one without wasting a slot. The usable capacity may be any
/// value from 1 to the storage size (a serial port's PD_E_TXQ_SIZE can ask for
/// 3 or 4095 bytes): capacity 4095 over 4096 bytes of storage behaves exactly
/// like a 4095-byte queue. Nothing is allocated.
///
/// Concurrency (the kfifo contract). With one producer and one consumer no
/// lock is needed:
///   - producer side: put, write, reserve, commit, ByteRingPutBatch, space;
///   - consumer side: get, read, peek, consume, ByteRingGetBatch, used, flush.
/// The producer stores the data, then publishes `in` with release ordering;
/// the consumer loads `in` with acquire ordering before it reads the data. The
/// reverse holds for `out`, so the producer never overwrites bytes the
/// consumer is still reading. Each side keeps a private copy of the other
/// side's index on its own cache line and reloads the shared index only when
/// its copy says the ring is full (producer) or empty (consumer); in a stream
/// the line holding an index moves between CPUs about once per refill, not
/// once per byte. Several producers or several consumers need a lock around
/// their side (LockedByteRing, or the driver's gate); init, resize and
/// destroy need both sides quiescent. flush() is a consumer operation and may
/// run concurrently with the producer.
///
/// Invariants and ordering (SPSC).
///   - `in` is written only by the producer (put, write, commit, PutBatch),
///     `out` only by the consumer (get, read, consume, flush, GetBatch); each
///     side reads its own index relaxed, since nobody else writes it.
///   - `out <= in <= out + capacity` (mod 2^32) at every instant: the
///     producer's cached limit is an old `out` + capacity and `out` only
///     grows, so writing below the limit never reaches unread bytes; the
///     consumer's cached limit is an old `in`, so reading below it reads only
///     published bytes.
///   - Pair 1, data: the producer's release store of `in` is read by the
///     consumer's acquire load (refreshConsumerLimit, flush, used), so the
///     bytes below `in` are visible before they are read.
///   - Pair 2, space: the consumer's release store of `out` is read by the
///     producer's acquire load (refreshProducerLimit), so the consumer's
///     reads of freed bytes happen before the producer overwrites them.
///   - No operation reads one index and then acts on the other side's index
///     without going through these pairs; resize() compares the two relaxed
///     and is correct only because both sides must be quiescent.
///
/// Zero-copy and batches: misuse is refused, never a corrupted ring. A
/// reservation (reserve) is anchored at the producer index it was made at:
/// commit() publishes only while no other producer operation has moved that
/// index since (put, write, a batch, or commits of another reservation) and
/// only what the reservation still covers. A stale, doubled or oversized
/// commit returns BadArgument and publishes nothing; a new reserve() replaces
/// the old reservation. A batch publishes only if no other operation of its
/// side moved the index since the batch began (or last published): otherwise
/// its staged bytes are dropped (PutBatch) or its gets are not returned to the
/// producer (GetBatch) and publish() returns Busy. consume() drops at most
/// the bytes held, so it is safe after get/read or without a peek (it skips
/// data); to drop exactly what a peek showed, consume the peek's total less
/// whatever was taken since. After destroy() every operation sees an empty,
/// zero-capacity ring (puts fail, reads return 0, resize is BadArgument).
///
/// Calling context: every operation is bounded, never blocks and never
/// allocates, so all of them may be called from interrupt/filter context.
#ifndef KDRV_BYTE_RING_HPP
#define KDRV_BYTE_RING_HPP

#include "kdrv/atomic.hpp"            // for AtomicU32, MemoryOrder
#include "kdrv/base.hpp"              // for KDRV_CACHE_ALIGNED, min32
#include "kdrv/contract.hpp"          // for KDRV_EXPECTS
#include "kdrv/copy.hpp"              // for copyBulk
#include "kdrv/platform/platform.hpp" // for KDRV_MODEL_WRITE_BYTES (no-op outside the model build)
#include "kdrv/status.hpp"            // for Status

namespace kdrv
{
/// A contiguous piece of ring storage for zero-copy access. size may be 0,
/// data is then still a valid (non-null) pointer into the storage.
struct ByteRingSpan
{
    uint8_t* data;
    uint32_t size;
};

struct ByteRingConstSpan
{
    const uint8_t* data;
    uint32_t size;
};

class ByteRingPutBatch;
class ByteRingGetBatch;

class ByteRing
{
  public:
    /// Largest storage: counters are uint32_t, so fill levels up to 2^31 are
    /// unambiguous.
    static constexpr uint32_t kMaxStorageSize = 0x80000000u;

    constexpr ByteRing() : producer_(), consumer_() {}
    KDRV_NONCOPYABLE(ByteRing);

    /// Uses storage[0, storageSize) as the buffer; capacity == storageSize.
    /// Returns BadArgument for a null storage or a size that is zero, not a
    /// power of two or above kMaxStorageSize. The ring starts empty.
    KDRV_NODISCARD Status init(void* storage, uint32_t storageSize)
    {
        return init(storage, storageSize, storageSize);
    }

    /// As above, with a usable capacity in [1, storageSize] (BadArgument
    /// otherwise). A capacity below the storage size costs nothing on the
    /// fast paths.
    KDRV_NODISCARD Status init(void* storage, uint32_t storageSize, uint32_t capacity)
    {
        if (storage == nullptr || !isPowerOfTwo32(storageSize) || storageSize > kMaxStorageSize ||
            capacity == 0 || capacity > storageSize)
        {
            return Status::BadArgument;
        }
        uint8_t* buffer = static_cast<uint8_t*>(storage);
        producer_.buffer = buffer;
        producer_.mask = storageSize - 1;
        producer_.capacity = capacity;
        consumer_.buffer = buffer;
        consumer_.mask = storageSize - 1;
        consumer_.capacity = capacity;
        resetIndices();
        return Status::Success;
    }

    /// Forgets the storage. Both sides must be quiescent.
    void destroy()
    {
        producer_ = ProducerSide();
        consumer_ = ConsumerSide();
    }

    /// False until init() succeeds, after a failed init() and after destroy().
    /// Such a ring has capacity 0: it accepts nothing and holds nothing, so to
    /// a producer it looks full (full() is true, put() false, write() 0) and to
    /// a consumer empty. Check init()'s Status, or this, to tell the two apart.
    KDRV_NODISCARD bool isInitialized() const { return producer_.buffer != nullptr; }

    /// Changes the usable capacity, keeping the storage. Both sides must be
    /// quiescent. BadArgument if the ring is not initialized, or capacity is
    /// 0 or above the storage size;
    /// Busy if the ring holds data (resizing never drops or moves bytes).
    KDRV_NODISCARD Status resize(uint32_t capacity)
    {
        if (!isInitialized() || capacity == 0 || capacity > storageSize())
            return Status::BadArgument;
        if (producer_.in.load(MemoryOrder::Relaxed) != consumer_.out.load(MemoryOrder::Relaxed))
            return Status::Busy;
        producer_.capacity = capacity;
        consumer_.capacity = capacity;
        resetIndices();
        return Status::Success;
    }

    uint32_t capacity() const { return producer_.capacity; }
    uint32_t storageSize() const { return producer_.mask + 1; }

    /// Bytes held. Exact for the consumer; for anyone else a snapshot that
    /// was true at some instant during the call (never above capacity).
    uint32_t used() const
    {
        const uint32_t out = consumer_.out.load(MemoryOrder::Acquire);
        const uint32_t in = producer_.in.load(MemoryOrder::Acquire);
        return min32(in - out, producer_.capacity);
    }

    /// Free bytes. Exact for the producer (a lower bound while the consumer
    /// runs); a snapshot for anyone else.
    uint32_t space() const { return producer_.capacity - used(); }

    bool empty() const { return used() == 0; }
    bool full() const { return used() == producer_.capacity; }

    // ---- producer -------------------------------------------------------

    /// Appends one byte; false if the ring is full. Publishes at once; a
    /// producer of many single bytes should use ByteRingPutBatch, which
    /// publishes once per batch.
    KDRV_INLINE bool put(uint8_t byte)
    {
        const uint32_t in = producer_.in.load(MemoryOrder::Relaxed);
        if (KDRV_UNLIKELY(in == producer_.limit) && !refreshProducerLimit(in))
            return false;
        producer_.buffer[in & producer_.mask] = byte;
        KDRV_MODEL_WRITE_BYTES(&producer_.buffer[in & producer_.mask], 1);
        producer_.in.store(in + 1, MemoryOrder::Release);
        return true;
    }

    /// Copies up to n bytes from src (at most two copies, one per span).
    /// Returns the bytes accepted: n if they fit, else the free space; 0 when
    /// full. src may be null only when n is 0.
    KDRV_INLINE uint32_t write(const void* src, uint32_t n)
    {
        KDRV_EXPECTS(src != nullptr || n == 0);
        const uint32_t in = producer_.in.load(MemoryOrder::Relaxed);
        uint32_t free = producer_.limit - in;
        if (free < n)
            free = refreshProducerLimit(in);
        // Inline: all n bytes fit and lie before the end of the storage.
        // (n == 0 takes this path too: nothing is copied, `in` is stored
        // unchanged.)
        const uint32_t offset = in & producer_.mask;
        if (KDRV_LIKELY(n <= free && n <= producer_.mask + 1 - offset))
        {
            copyBulk(producer_.buffer + offset, src, n);
            KDRV_MODEL_WRITE_BYTES(producer_.buffer + offset, n);
            producer_.in.store(in + n, MemoryOrder::Release);
            return n;
        }
        return writeSlow(src, n < free ? n : free, in);
    }

    /// Zero-copy producer access: describes the free space as at most two
    /// spans (the second non-empty only across the wrap), limited to
    /// maxBytes. Returns the total. The producer fills a prefix of the spans
    /// and publishes it with commit(). Any other producer operation that
    /// publishes (put, write, a batch) cancels the reservation: its commit
    /// then returns BadArgument. A new reserve() replaces the reservation.
    uint32_t reserve(ByteRingSpan spans[2], uint32_t maxBytes = 0xFFFFFFFFu)
    {
        KDRV_EXPECTS(spans != nullptr);
        const uint32_t in = producer_.in.load(MemoryOrder::Relaxed);
        const uint32_t total = min32(refreshProducerLimit(in), maxBytes);
        const uint32_t offset = in & producer_.mask;
        const uint32_t first = min32(total, producer_.mask + 1 - offset);
        spans[0].data = producer_.buffer + offset;
        spans[0].size = first;
        spans[1].data = producer_.buffer;
        spans[1].size = total - first;
        producer_.reserved = total;
        producer_.reservedAt = in;
        return total;
    }

    /// Publishes the first n reserved bytes (the next n after earlier
    /// commits of the same reservation). BadArgument, publishing nothing, if
    /// n exceeds what the last reserve() returned less what was committed
    /// since, or if the reservation is stale (another producer operation
    /// published after it). Several commits may follow one reserve; commit(0)
    /// is always Success and does nothing.
    KDRV_NODISCARD Status commit(uint32_t n)
    {
        if (n == 0)
            return Status::Success; // publishes nothing, whatever the reservation
        const uint32_t in = producer_.in.load(MemoryOrder::Relaxed);
        if (in != producer_.reservedAt || n > producer_.reserved)
            return Status::BadArgument;
        // Never more than the free space, whatever happened since reserve.
        if (n > producer_.limit - in && n > refreshProducerLimit(in))
            return Status::BadArgument;
        producer_.reserved -= n;
        producer_.reservedAt = in + n;
        producer_.in.store(in + n, MemoryOrder::Release);
        return Status::Success;
    }

    // ---- consumer -------------------------------------------------------

    /// Removes one byte into *byte; false (and *byte untouched) if empty.
    KDRV_INLINE bool get(uint8_t* byte)
    {
        const uint32_t out = consumer_.out.load(MemoryOrder::Relaxed);
        if (out == consumer_.limit && refreshConsumerLimit(out) == 0)
            return false;
        KDRV_MODEL_READ_BYTES(&consumer_.buffer[out & consumer_.mask], 1);
        *byte = consumer_.buffer[out & consumer_.mask];
        consumer_.out.store(out + 1, MemoryOrder::Release);
        return true;
    }

    /// Copies up to n bytes into dst (at most two copies). Returns the bytes
    /// moved: n if that many are held, else all held; 0 when empty. dst may
    /// be null only when n is 0.
    KDRV_INLINE uint32_t read(void* dst, uint32_t n)
    {
        KDRV_EXPECTS(dst != nullptr || n == 0);
        const uint32_t out = consumer_.out.load(MemoryOrder::Relaxed);
        uint32_t held = consumer_.limit - out;
        if (held < n)
            held = refreshConsumerLimit(out);
        // Inline: n bytes are held and lie before the end of the storage.
        const uint32_t offset = out & consumer_.mask;
        if (KDRV_LIKELY(n <= held && n <= consumer_.mask + 1 - offset))
        {
            KDRV_MODEL_READ_BYTES(consumer_.buffer + offset, n);
            copyBulk(dst, consumer_.buffer + offset, n);
            consumer_.out.store(out + n, MemoryOrder::Release);
            return n;
        }
        return readSlow(dst, n < held ? n : held, out);
    }

    /// Zero-copy consumer access: the held bytes as at most two spans,
    /// oldest first, limited to maxBytes. Returns the total. The bytes stay
    /// in the ring until consume().
    uint32_t peek(ByteRingConstSpan spans[2], uint32_t maxBytes = 0xFFFFFFFFu)
    {
        KDRV_EXPECTS(spans != nullptr);
        const uint32_t out = consumer_.out.load(MemoryOrder::Relaxed);
        const uint32_t total = min32(refreshConsumerLimit(out), maxBytes);
        const uint32_t offset = out & consumer_.mask;
        const uint32_t first = min32(total, consumer_.mask + 1 - offset);
        spans[0].data = consumer_.buffer + offset;
        spans[0].size = first;
        spans[1].data = consumer_.buffer;
        spans[1].size = total - first;
        return total;
    }

    /// Drops the n oldest bytes (after peek, or to skip data). BadArgument if
    /// fewer than n bytes are held; nothing is dropped then.
    KDRV_NODISCARD Status consume(uint32_t n)
    {
        const uint32_t out = consumer_.out.load(MemoryOrder::Relaxed);
        if (n > consumer_.limit - out && n > refreshConsumerLimit(out))
            return Status::BadArgument;
        consumer_.out.store(out + n, MemoryOrder::Release);
        return Status::Success;
    }

    /// Discards everything held. A consumer operation: safe while the
    /// producer runs (bytes published after the snapshot of `in` survive).
    /// Returns the bytes discarded.
    uint32_t flush()
    {
        const uint32_t out = consumer_.out.load(MemoryOrder::Relaxed);
        const uint32_t in = producer_.in.load(MemoryOrder::Acquire);
        consumer_.limit = in;
        consumer_.out.store(in, MemoryOrder::Release);
        return in - out;
    }

  private:
    friend class ByteRingPutBatch;
    friend class ByteRingGetBatch;

    // write() and read() when fewer than the n bytes asked for fit (n is
    // already clamped to what fits) or the bytes wrap past the end of the
    // storage: at most two copies, then publish.
    KDRV_NOINLINE uint32_t writeSlow(const void* src, uint32_t n, uint32_t in)
    {
        if (n == 0)
            return 0;
        const uint32_t offset = in & producer_.mask;
        const uint32_t first = min32(n, producer_.mask + 1 - offset);
        const uint8_t* from = static_cast<const uint8_t*>(src);
        copyBulk(producer_.buffer + offset, from, first);
        KDRV_MODEL_WRITE_BYTES(producer_.buffer + offset, first);
        if (n != first)
            copyBulk(producer_.buffer, from + first, n - first);
        KDRV_MODEL_WRITE_BYTES(producer_.buffer, n - first);
        producer_.in.store(in + n, MemoryOrder::Release);
        return n;
    }

    KDRV_NOINLINE uint32_t readSlow(void* dst, uint32_t n, uint32_t out)
    {
        if (n == 0)
            return 0;
        const uint32_t offset = out & consumer_.mask;
        const uint32_t first = min32(n, consumer_.mask + 1 - offset);
        uint8_t* to = static_cast<uint8_t*>(dst);
        KDRV_MODEL_READ_BYTES(consumer_.buffer + offset, first);
        copyBulk(to, consumer_.buffer + offset, first);
        KDRV_MODEL_READ_BYTES(consumer_.buffer, n - first);
        if (n != first)
            copyBulk(to + first, consumer_.buffer, n - first);
        consumer_.out.store(out + n, MemoryOrder::Release);
        return n;
    }

    // Written by the producer, read by the consumer only to refresh its
    // limit. limit = last seen out + capacity: the producer may write while
    // in != limit, one compare on the fast path.
    struct ProducerSide
    {
        constexpr ProducerSide()
            : in(0), limit(0), reserved(0), reservedAt(0), mask(0), capacity(0), buffer(nullptr)
        {
        }
        ProducerSide& operator=(const ProducerSide& other)
        {
            in.storePlain(other.in.loadPlain());
            limit = other.limit;
            reserved = other.reserved;
            reservedAt = other.reservedAt;
            mask = other.mask;
            capacity = other.capacity;
            buffer = other.buffer;
            return *this;
        }
        AtomicU32 in;
        uint32_t limit;
        uint32_t reserved;   // bytes the current reservation still covers
        uint32_t reservedAt; // the value of `in` at which it is current
        uint32_t mask;
        uint32_t capacity;
        uint8_t* buffer;
    };

    // The mirror image: limit = last seen in; the consumer may read while
    // out != limit.
    struct ConsumerSide
    {
        constexpr ConsumerSide() : out(0), limit(0), mask(0), capacity(0), buffer(nullptr) {}
        ConsumerSide& operator=(const ConsumerSide& other)
        {
            out.storePlain(other.out.loadPlain());
            limit = other.limit;
            mask = other.mask;
            capacity = other.capacity;
            buffer = other.buffer;
            return *this;
        }
        AtomicU32 out;
        uint32_t limit;
        uint32_t mask;
        uint32_t capacity;
        uint8_t* buffer;
    };

    void resetIndices()
    {
        producer_.in.store(0, MemoryOrder::Relaxed);
        producer_.limit = producer_.capacity;
        producer_.reserved = 0;
        producer_.reservedAt = 0;
        consumer_.out.store(0, MemoryOrder::Relaxed);
        consumer_.limit = 0;
    }

    // Reloads out; returns the free space seen from `in`. The acquire pairs
    // with the consumer's release of out: its reads of the freed bytes are
    // done before the producer overwrites them.
    uint32_t refreshProducerLimit(uint32_t in)
    {
        const uint32_t out = consumer_.out.load(MemoryOrder::Acquire);
        producer_.limit = out + producer_.capacity;
        return producer_.limit - in;
    }

    // Reloads in; returns the bytes held from `out`. The acquire pairs with
    // the producer's release of in: the bytes are visible before we read.
    uint32_t refreshConsumerLimit(uint32_t out)
    {
        consumer_.limit = producer_.in.load(MemoryOrder::Acquire);
        return consumer_.limit - out;
    }

    // Each side on lines of its own, kept apart by padding, not alignment
    // (CachePad, base.hpp): a class that holds a ByteRing stays 8-byte aligned,
    // so `new` of it needs no aligned operator new, which a kext cannot link.
    CachePad padBefore_;
    ProducerSide producer_;
    CachePad padBetween_;
    ConsumerSide consumer_;
    CachePad padAfter_;
};
static_assert(alignof(ByteRing) <= kMaxTypeAlignment, "over-aligned");

/// A producer's batch of single-byte puts, published once. The cursor lives
/// in the batch (a local, usually registers), so each put is a compare, a
/// store and an increment. The bytes become visible to the consumer at
/// publish() or when the batch is destroyed. Only one batch (or other
/// producer operation) at a time per ring: if another producer operation
/// publishes while the batch is open, the batch's staged bytes are dropped
/// and publish() returns Busy: the indices stay consistent, but bytes both
/// wrote to the same place hold either's value.
class ByteRingPutBatch
{
  public:
    explicit ByteRingPutBatch(ByteRing& ring)
        : ring_(ring), buffer_(ring.producer_.buffer), mask_(ring.producer_.mask),
          base_(ring.producer_.in.load(MemoryOrder::Relaxed)), head_(base_),
          limit_(ring.producer_.limit)
    {
    }
    ~ByteRingPutBatch() { (void)publish(); }
    KDRV_NONCOPYABLE(ByteRingPutBatch);

    /// Stages one byte; false if the ring is full.
    KDRV_INLINE bool put(uint8_t byte)
    {
        if (KDRV_UNLIKELY(head_ == limit_) && refresh() == 0)
            return false;
        buffer_[head_ & mask_] = byte;
        KDRV_MODEL_WRITE_BYTES(&buffer_[head_ & mask_], 1);
        ++head_;
        return true;
    }

    /// Makes the staged bytes visible to the consumer. Busy (and the staged
    /// bytes dropped, the batch restarting at the ring's index) if another
    /// producer operation published since the batch began or last published.
    KDRV_NODISCARD Status publish()
    {
        const uint32_t in = ring_.producer_.in.load(MemoryOrder::Relaxed);
        if (KDRV_UNLIKELY(in != base_))
        {
            base_ = in;
            head_ = in;
            limit_ = ring_.producer_.limit;
            return Status::Busy;
        }
        if (head_ != base_)
        {
            ring_.producer_.in.store(head_, MemoryOrder::Release);
            base_ = head_;
        }
        return Status::Success;
    }

  private:
    uint32_t refresh()
    {
        const uint32_t free = ring_.refreshProducerLimit(head_);
        limit_ = ring_.producer_.limit;
        return free;
    }

    ByteRing& ring_;
    uint8_t* buffer_;
    uint32_t mask_;
    uint32_t base_; // the ring's `in` when the batch began or last published
    uint32_t head_;
    uint32_t limit_;
};

/// The consumer's counterpart: gets with one release of `out` per batch, so
/// the producer sees the space at publish() or destruction. If another
/// consumer operation (get, read, consume, flush) moved `out` while the batch
/// was open, publish() returns Busy and leaves `out` where that operation put
/// it (the batch's gets are not returned, so no byte is freed twice).
class ByteRingGetBatch
{
  public:
    explicit ByteRingGetBatch(ByteRing& ring)
        : ring_(ring), buffer_(ring.consumer_.buffer), mask_(ring.consumer_.mask),
          base_(ring.consumer_.out.load(MemoryOrder::Relaxed)), tail_(base_),
          limit_(ring.consumer_.limit)
    {
    }
    ~ByteRingGetBatch() { (void)publish(); }
    KDRV_NONCOPYABLE(ByteRingGetBatch);

    /// Takes one byte; false (and *byte untouched) if the ring is empty.
    KDRV_INLINE bool get(uint8_t* byte)
    {
        if (KDRV_UNLIKELY(tail_ == limit_) && refresh() == 0)
            return false;
        KDRV_MODEL_READ_BYTES(&buffer_[tail_ & mask_], 1);
        *byte = buffer_[tail_ & mask_];
        ++tail_;
        return true;
    }

    /// Returns the taken bytes' space to the producer. Busy (nothing
    /// returned, the batch restarting at the ring's index) if another
    /// consumer operation moved the index since the batch began or last
    /// published.
    KDRV_NODISCARD Status publish()
    {
        const uint32_t out = ring_.consumer_.out.load(MemoryOrder::Relaxed);
        if (KDRV_UNLIKELY(out != base_))
        {
            base_ = out;
            tail_ = out;
            limit_ = ring_.consumer_.limit;
            return Status::Busy;
        }
        if (tail_ != base_)
        {
            ring_.consumer_.out.store(tail_, MemoryOrder::Release);
            base_ = tail_;
        }
        return Status::Success;
    }

  private:
    uint32_t refresh()
    {
        const uint32_t held = ring_.refreshConsumerLimit(tail_);
        limit_ = ring_.consumer_.limit;
        return held;
    }

    ByteRing& ring_;
    const uint8_t* buffer_;
    uint32_t mask_;
    uint32_t base_; // the ring's `out` when the batch began or last published
    uint32_t tail_;
    uint32_t limit_;
};
} // namespace kdrv

#endif // KDRV_BYTE_RING_HPP
