// SPDX-License-Identifier: MIT
//
// Lock debugging, shared by spinlock.hpp, mutex.hpp and rwlock.hpp.
//
// With KDRV_CONFIG_LOCK_DEBUG=1 every lock records its owner (the platform's
// thread id) and turns misuse into a contract failure whose message names the
// lock and the mistake:
//   - locking a non-recursive lock the caller already holds (self-deadlock);
//   - unlocking a lock the caller does not hold;
//   - destroying a lock that is held;
//   - using a lock before init() (on every backend, although only xnu needs
//     init(): a debug build catches in user space what a kext would hit).
// assertOwned()/assertNotOwned() check ownership in debug builds and compile
// to nothing otherwise.
//
// ABI: the option adds fields, so the lock classes live in an inline
// namespace named after it (kdrv::lock_debug or kdrv::lock_nodebug). Any
// symbol whose signature mentions a lock then differs between the two
// settings. That does not cover a user struct that merely contains a lock, so
// on ELF user-space builds each translation unit also defines the symbol
// kdrv_lock_abi_guard in a COMDAT group named after the setting: copies with
// the same setting merge, copies with different settings are two definitions
// of one symbol, and the link fails ("multiple definition of
// kdrv_lock_abi_guard") instead of corrupting memory.
#ifndef KDRV_LOCKDEBUG_HPP
#define KDRV_LOCKDEBUG_HPP

#include "kdrv/atomic.hpp"
#include "kdrv/base.hpp"
#include "kdrv/platform/platform.hpp"

#if KDRV_CONFIG_LOCK_DEBUG
#define KDRV_LOCK_ABI_BEGIN \
    inline namespace lock_debug \
    {
#define KDRV_LOCK_ABI_NAME "lock_debug"
#else
#define KDRV_LOCK_ABI_BEGIN \
    inline namespace lock_nodebug \
    {
#define KDRV_LOCK_ABI_NAME "lock_nodebug"
#endif
#define KDRV_LOCK_ABI_END }

#if !KDRV_IN_KERNEL && defined(__ELF__)
// One hidden byte per setting; see the comment at the top of this file.
__asm__(".pushsection .rodata.kdrv_lock_abi_guard,\"aG\",%progbits,kdrv_" KDRV_LOCK_ABI_NAME
        ",comdat\n"
        ".globl kdrv_lock_abi_guard\n"
        ".hidden kdrv_lock_abi_guard\n"
        "kdrv_lock_abi_guard:\n"
        ".byte 0\n"
        ".popsection\n");
#endif

// A lock-misuse check: a contract failure whose text says what went wrong.
#define KDRV_LOCK_CHECK_(cond, message)                                                        \
    (KDRV_LIKELY(cond) ? static_cast<void>(0)                                                  \
                       : ::kdrv::platform::contractFailed(::kdrv::ContractKind::Precondition, \
                                                          "lock misuse: " message, __FILE__,   \
                                                          __LINE__))

namespace kdrv
{
KDRV_LOCK_ABI_BEGIN

#if KDRV_CONFIG_LOCK_DEBUG
// Owner and state of one lock. Only the debug build has one.
// Memory order: the owner field is written by the holder only and read to
// compare with the caller's own id, so relaxed accesses suffice; the lock
// itself orders everything else.
class LockDebugState
{
public:
    constexpr LockDebugState() : owner_(0), holds_(0), initialized_(0) {}
    KDRV_NONCOPYABLE(LockDebugState);

    void setInitialized(bool on) { initialized_.store(on ? 1u : 0u, MemoryOrder::Relaxed); }
    bool initialized() const { return initialized_.load(MemoryOrder::Relaxed) != 0; }

    platform::ThreadId owner() const { return owner_.load(MemoryOrder::Relaxed); }
    bool ownedByCaller() const { return owner() == platform::currentThreadId(); }
    void setOwner(platform::ThreadId id) { owner_.store(id, MemoryOrder::Relaxed); }

    // Shared holders (RWLock readers) or recursion depth (RecursiveMutex).
    uint32_t holds() const { return holds_.load(MemoryOrder::Relaxed); }
    void addHold() { holds_.fetchAdd(1, MemoryOrder::Relaxed); }
    // Returns false if there was no hold to drop.
    bool dropHold()
    {
        uint32_t h = holds_.load(MemoryOrder::Relaxed);
        while (h != 0)
        {
            if (holds_.compareExchangeWeak(&h, h - 1, MemoryOrder::Relaxed, MemoryOrder::Relaxed))
                return true;
        }
        return false;
    }

private:
    AtomicU64 owner_;
    AtomicU32 holds_;
    AtomicU32 initialized_;
};
#endif

KDRV_LOCK_ABI_END
} // namespace kdrv

#endif // KDRV_LOCKDEBUG_HPP
