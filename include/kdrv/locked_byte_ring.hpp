// SPDX-License-Identifier: MIT
//
/// \file
/// LockedByteRing: a ByteRing for several producers and/or several consumers.
///
/// Two SpinLocks, one per side: producers serialize among themselves on the
/// producer lock, consumers on the consumer lock, and one producer and one
/// consumer still run concurrently through ByteRing's lock-free SPSC
/// protocol. (kfifo's _spinlocked helpers take one lock for both sides; two
/// keep a reader from ever waiting for a writer.) A single producer or
/// consumer may keep using the lock-free calls of ring() on its side only if
/// no other thread uses that side.
///
/// Calling context: spin locks; callable wherever a SpinLock may be taken.
/// Every operation is bounded and never sleeps. Zero-copy access
/// (reserve/commit, peek/consume) spans two calls and is therefore offered
/// only through producerLock()/consumerLock() and ring().
///
/// Interrupts: the locks are taken with SpinLockGuard, so interrupts stay
/// enabled. If a primary interrupt handler and thread code share one side
/// (both produce, say), the handler can interrupt the thread while it holds
/// that side's lock and spin on it for ever on the same CPU: such a driver
/// takes the side's lock itself with lockDisableInterrupts() around ring()'s
/// calls. A handler that is the only user of its side needs no lock at all.
///
/// Invariants: producers touch only the producer side under producerLock_,
/// consumers only the consumer side under consumerLock_, so ByteRing sees
/// exactly one producer and one consumer at a time and its SPSC ordering
/// (byte_ring.hpp) carries the data between them. writeAll() checks space()
/// and then writes, across two reads of the consumer's `out`: safe, because
/// the producer lock freezes `in` and `out` only grows, so the space seen by
/// the check can only have grown by the time write() runs.
#ifndef KDRV_LOCKED_BYTE_RING_HPP
#define KDRV_LOCKED_BYTE_RING_HPP

#include "kdrv/byte_ring.hpp" // for ByteRing
#include "kdrv/spinlock.hpp"  // for SpinLock, SpinLockGuard

namespace kdrv
{
class LockedByteRing
{
  public:
    constexpr LockedByteRing() : ring_(), producerLock_(), consumerLock_() {}
    KDRV_NONCOPYABLE(LockedByteRing);

    /// As ByteRing::init; also prepares the locks (NoMemory if they cannot
    /// be allocated in the kernel).
    KDRV_NODISCARD Status init(void* storage, uint32_t storageSize, uint32_t capacity)
    {
        Status s = ring_.init(storage, storageSize, capacity);
        if (s != Status::Success)
            return s;
        s = producerLock_.init();
        if (s != Status::Success)
            return s;
        s = consumerLock_.init();
        if (s != Status::Success)
            producerLock_.destroy();
        return s;
    }
    KDRV_NODISCARD Status init(void* storage, uint32_t storageSize)
    {
        return init(storage, storageSize, storageSize);
    }

    /// No thread may be using the ring.
    void destroy()
    {
        consumerLock_.destroy();
        producerLock_.destroy();
        ring_.destroy();
    }

    uint32_t capacity() const { return ring_.capacity(); }
    uint32_t used() const { return ring_.used(); }
    uint32_t space() const { return ring_.space(); }

    bool put(uint8_t byte)
    {
        SpinLockGuard guard(producerLock_);
        return ring_.put(byte);
    }
    uint32_t write(const void* src, uint32_t n)
    {
        SpinLockGuard guard(producerLock_);
        return ring_.write(src, n);
    }
    /// All of src or nothing: false (nothing written) if it does not fit.
    /// Lets several producers keep their records whole.
    bool writeAll(const void* src, uint32_t n)
    {
        SpinLockGuard guard(producerLock_);
        if (ring_.space() < n)
            return false;
        return ring_.write(src, n) == n;
    }

    bool get(uint8_t* byte)
    {
        SpinLockGuard guard(consumerLock_);
        return ring_.get(byte);
    }
    uint32_t read(void* dst, uint32_t n)
    {
        SpinLockGuard guard(consumerLock_);
        return ring_.read(dst, n);
    }
    /// Discards everything held; a consumer operation.
    uint32_t flush()
    {
        SpinLockGuard guard(consumerLock_);
        return ring_.flush();
    }

    /// For zero-copy or batched access by one side: hold the side's lock
    /// while using ring()'s calls for that side.
    SpinLock& producerLock() { return producerLock_; }
    SpinLock& consumerLock() { return consumerLock_; }
    ByteRing& ring() { return ring_; }

  private:
    ByteRing ring_;
    SpinLock producerLock_;
    SpinLock consumerLock_;
};
// Not over-aligned: a class holding one may be created with new in a kext
// (kMaxTypeAlignment, base.hpp).
static_assert(alignof(LockedByteRing) <= kMaxTypeAlignment, "over-aligned");
} // namespace kdrv

#endif // KDRV_LOCKED_BYTE_RING_HPP
