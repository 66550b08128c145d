// SPDX-License-Identifier: MIT
//
/// \file
/// RefCount: a saturating 32-bit reference count, and RefCounted, an
/// intrusive base class with OSObject's lifetime rules.
///
/// Saturation. The count never wraps. An increment from 0 (a use after the
/// last release), an increment past INT32_MAX, or a decrement from 0 (one
/// release too many) sets the count to kSaturated (0xC0000000) and reports the
/// event once per counter through kdrv::platform::warn() (however many threads
/// race into it: only the call that saturates the count warns). Once
/// saturated the count stays
/// there: retain() and release() keep it in the saturated range and release()
/// never again returns true, so the object is leaked instead of being freed
/// twice or while still in use. A leak is recoverable; a use-after-free is not.
///
/// Memory order.
///   retain()     relaxed: taking a new reference needs an existing one, which
///                already orders access to the object.
///   release()    release on every decrement, so the writes a thread made
///                through its reference happen before the object is freed;
///                acquire on the last one, so the freeing thread sees them all.
///   tryRetain()  acquire on success.
/// Invariants: the count moves only by single RMWs, so exactly one release()
/// observes the 1 -> 0 step and returns true; a count outside 1..kMax is
/// never repaired, only pinned at kSaturated (racing RMWs on a saturated
/// count stay far from both 0 and kMax, 2^30 steps away).
/// Both retain() and release() are one locked RMW (fetch-add/fetch-sub); the
/// saturation check tests the returned value and stays off the fast path.
/// All operations are safe from any context, interrupts included.
#ifndef KDRV_REFCOUNT_HPP
#define KDRV_REFCOUNT_HPP

#include "kdrv/atomic.hpp"            // for AtomicU32, MemoryOrder, atomicFence
#include "kdrv/base.hpp"              // for KDRV_INLINE, KDRV_COLD
#include "kdrv/platform/platform.hpp" // for platform::warn

namespace kdrv
{
class RefCount
{
  public:
    enum : uint32_t
    {
        /// The value a count sticks at after overflow or underflow: the middle
        /// of the range of "negative" values, so racing increments and
        /// decrements on a saturated count cannot move it back into the valid
        /// range.
        kSaturated = 0xC0000000u,
        /// The largest valid count.
        kMax = 0x7FFFFFFFu,
    };

    /// Starts at 1: the creator holds the first reference.
    constexpr RefCount() : count_(1) {}
    constexpr explicit RefCount(uint32_t initial) : count_(initial) {}
    KDRV_NONCOPYABLE(RefCount);

    /// Takes another reference. The caller must already hold one.
    KDRV_INLINE void retain()
    {
        uint32_t old = count_.fetchAdd(1, MemoryOrder::Relaxed);
        // One compare catches old == 0 (use after free), old == kMax
        // (overflow) and old >= 0x80000000 (already saturated).
        if (KDRV_UNLIKELY(old - 1u >= kMax - 1u))
            retainSlow(old);
    }

    /// Drops a reference. Returns true exactly once: for the caller that
    /// dropped the last reference, which must then free the object. Returns
    /// false for every other call, and always once saturated.
    KDRV_NODISCARD KDRV_INLINE bool release()
    {
        uint32_t old = count_.fetchSub(1, MemoryOrder::Release);
        if (old == 1)
        {
            atomicFence(MemoryOrder::Acquire);
            return true;
        }
        if (KDRV_UNLIKELY(static_cast<int32_t>(old) <= 0))
            releaseSlow(old);
        return false;
    }

    /// Takes a reference only if the count is not zero, for lookups that race
    /// with the last release (the object memory must stay valid meanwhile,
    /// e.g. because the lookup table's lock is held). Returns true if the
    /// caller now holds a reference. A compare-and-swap loop, bounded by
    /// contention.
    KDRV_NODISCARD bool tryRetain()
    {
        uint32_t old = count_.load(MemoryOrder::Relaxed);
        for (;;)
        {
            if (old == 0)
                return false;
            // At kMax the increment would overflow and a saturated count stays
            // saturated: both move to kSaturated, but only by a compare-and-swap
            // from the value just seen. A blind store here would act on a stale
            // load and could pin (or resurrect) a count that has since dropped,
            // even to zero.
            const uint32_t next = KDRV_UNLIKELY(old >= kMax) ? kSaturated : old + 1;
            if (count_.compareExchangeWeak(&old, next, MemoryOrder::Acquire, MemoryOrder::Relaxed))
            {
                if (KDRV_UNLIKELY(next == kSaturated))
                    warnIfNewlySaturated(old, "kdrv::RefCount: count overflow; count "
                                              "saturated, object leaked");
                return true;
            }
        }
    }

    /// The current count, for diagnostics only: it may change at once.
    KDRV_NODISCARD uint32_t count() const { return count_.load(MemoryOrder::Relaxed); }

    /// True once the count has saturated (the object will never be freed).
    KDRV_NODISCARD bool isSaturated() const { return count() > kMax; }

  private:
    KDRV_COLD void retainSlow(uint32_t old)
    {
        if (old == 0)
            saturate("kdrv::RefCount: retain of a released object (use after free); "
                     "count saturated, object leaked");
        else
            saturate("kdrv::RefCount: count overflow; count saturated, object leaked");
    }

    KDRV_COLD void releaseSlow(uint32_t old)
    {
        if (old == 0)
            saturate("kdrv::RefCount: release of a released object (underflow); "
                     "count saturated, object leaked");
        else
            saturate("kdrv::RefCount: count overflow; count saturated, object leaked");
    }

    // Moves the count to kSaturated and warns only if this call took it
    // there: the count was not yet in the band around kSaturated that racing
    // increments and decrements of a saturated count stay in. So a counter
    // warns once however many threads race through the slow path (one
    // warning per counter, never one per event).
    KDRV_COLD void saturate(const char* message)
    {
        warnIfNewlySaturated(count_.exchange(kSaturated, MemoryOrder::Relaxed), message);
    }

    KDRV_COLD void warnIfNewlySaturated(uint32_t previous, const char* message)
    {
        if (previous - kSaturatedBandLow >= kSaturatedBandSize)
            platform::warn(message, this);
    }

    static constexpr uint32_t kSaturatedBandLow = 0x90000000u;
    static constexpr uint32_t kSaturatedBandSize = 0x60000000u; // up to 0xF0000000

    AtomicU32 count_;
};

/// An intrusive reference-counted base class with OSObject's lifetime rules:
///   - two-phase: the constructor does nothing that can fail; the derived
///     class provides `Status init(...)` (or bool), called right after new;
///   - the count starts at 1, owned by the creator;
///   - the last release() calls the virtual free(), whose default does
///     `delete this` (OSObject::free does the same). Override free() to
///     undo init() and then call RefCounted::free(), or to return the object
///     to a pool or static storage instead of deleting it;
///   - single inheritance only, no RTTI.
///
/// Relation to OSObject: in a kext, objects the I/O Kit sees (services, user
/// clients, anything stored in an OSDictionary or passed across kexts) must be
/// OSObjects with OSMetaClass registration. Use RefCounted for driver-private
/// objects that never leave the driver (requests, buffers, per-client state):
/// no metaclass, no registry, one word of count, the same code in user-space
/// tests. That is the split the book recommends for private helper classes.
///
/// There is no smart pointer (no templates): pair every retain() with exactly
/// one release(), as with OSObject. A function that returns an object passes
/// its reference to the caller; one that stores a pointer retains it first.
class RefCounted
{
  public:
    KDRV_NONCOPYABLE(RefCounted);

    /// Takes another reference; the caller must already hold one.
    void retain() { refs_.retain(); }

    /// Drops a reference; the last one calls free(). The object may be gone
    /// when this returns.
    void release()
    {
        if (refs_.release())
            free();
    }

    /// Takes a reference only if the object is not already being freed.
    KDRV_NODISCARD bool tryRetain() { return refs_.tryRetain(); }

    /// The count, for diagnostics (OSObject::getRetainCount).
    KDRV_NODISCARD uint32_t retainCount() const { return refs_.count(); }

  protected:
    constexpr RefCounted() : refs_() {}
    virtual ~RefCounted() {}

    /// Called once, by the last release(). The default deletes the object.
    virtual void free() { delete this; }

  private:
    RefCount refs_;
};
} // namespace kdrv

#endif // KDRV_REFCOUNT_HPP
