// SPDX-License-Identifier: MIT
//
// One DMA transfer, as a reference-counted request object, and the fixed
// pool the requests live in.
//
// Two parties hold a request while a transfer is under way: the driver
// (until it has seen the completion) and the device (until it has finished
// reading the request's segment list). Neither knows which of them lets go
// last, so each drops its own reference and the last release() returns the
// request to its pool. That is the OSObject lifetime rule, with
// kdrv::RefCounted standing in for OSObject: the request is private to the
// driver, so it needs no metaclass.
//
// No request is ever allocated on the heap: the class's own placement
// operator new builds one in a pool slot, and free() destroys it and marks
// the slot free again. (kdrv::RefCounted cannot be re-armed, so a recycled
// request is a fresh object with a fresh count of one.)
//
// Kernel-visible: Embedded C++, kdrv headers only.
#ifndef VSERIAL_REQUEST_HPP
#define VSERIAL_REQUEST_HPP

#include "kdrv/base.hpp"
#include "kdrv/dma_sg.hpp"
#include "kdrv/refcount.hpp"
#include "kdrv/spinlock.hpp"
#include "kdrv/status.hpp"

namespace vserial
{
class RequestPool;

class Request final : public kdrv::RefCounted
{
  public:
    // The device accepts at most this many segments per transfer, each
    // described by a 16-byte little-endian {address, length} pair
    // (kdrv::DmaFormat::Little64).
    static constexpr uint32_t kMaxSegments = 8;
    static constexpr uint32_t kDescriptorSize = 16;

    // Placement only: a request is built in a pool slot, never with a plain
    // `new` (which this declaration hides).
    static void* operator new(size_t, void* slot) { return slot; }
    static void operator delete(void*, void*) {}

    uint32_t id() const { return id_; }

    // Filled by the driver before it rings the doorbell, read by the device.
    kdrv::DmaRange ranges[2]; // the transmit bytes, as at most two physical runs
    uint32_t rangeCount;
    uint32_t byteCount;
    uint32_t segmentCount;
    uint8_t descriptors[kMaxSegments * kDescriptorSize]; // the device's segment list

  private:
    friend class RequestPool;

    Request(RequestPool* pool, uint32_t slot, uint32_t id)
        : ranges(), rangeCount(0), byteCount(0), segmentCount(0), descriptors(), pool_(pool),
          slot_(slot), id_(id)
    {
    }

    // The last release(): back to the pool instead of `delete this`.
    void free() override;

    // The virtual destructor's deallocation function. Never reached: free()
    // never deletes.
    static void operator delete(void*) {}

    RequestPool* pool_;
    uint32_t slot_;
    uint32_t id_;
};

// A handful of request slots. One transfer is in flight at a time, and the
// device may still hold the previous request while the driver starts the
// next one, so two slots are enough; acquire() returns null when all are
// taken. acquire() and the recycling done by Request::free() may run on
// different threads (driver and device); a SpinLock guards the slot map.
class RequestPool
{
  public:
    static constexpr uint32_t kSlots = 2;

    constexpr RequestPool() : slots_(), used_(0), lock_() {}
    KDRV_NONCOPYABLE(RequestPool);

    KDRV_NODISCARD kdrv::Status init() { return lock_.init(); }

    // Every request must have been released.
    void destroy() { lock_.destroy(); }

    // A new request holding one reference (the caller's), or null.
    Request* acquire(uint32_t id)
    {
        uint32_t slot = kSlots;
        {
            kdrv::SpinLockGuard guard(lock_);
            for (uint32_t i = 0; i < kSlots; ++i)
            {
                if ((used_ & (1u << i)) == 0)
                {
                    used_ |= 1u << i;
                    slot = i;
                    break;
                }
            }
        }
        if (slot == kSlots)
        {
            return nullptr;
        }
        return new (slots_[slot]) Request(this, slot, id);
    }

    // Requests not yet returned (diagnostics and tests).
    uint32_t inUse()
    {
        kdrv::SpinLockGuard guard(lock_);
        return static_cast<uint32_t>(__builtin_popcount(used_));
    }

  private:
    friend class Request;

    void recycle(uint32_t slot)
    {
        kdrv::SpinLockGuard guard(lock_);
        used_ &= ~(1u << slot);
    }

    alignas(Request) unsigned char slots_[kSlots][sizeof(Request)];
    uint32_t used_ KDRV_GUARDED_BY(lock_);
    kdrv::SpinLock lock_;
};

inline void Request::free()
{
    // Read what we need before the object ends, then give the slot back.
    RequestPool* const pool = pool_;
    const uint32_t slot = slot_;
    this->~Request();
    pool->recycle(slot);
}
} // namespace vserial

#endif // VSERIAL_REQUEST_HPP
