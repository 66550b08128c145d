// SPDX-License-Identifier: MIT
//
/// \file
/// Lock debugging, shared by spinlock.hpp, mutex.hpp and rwlock.hpp.
///
/// With KDRV_CONFIG_LOCK_DEBUG=1 every lock records its owner (the platform's
/// thread id) and turns misuse into a contract failure whose message names the
/// lock and the mistake:
///   - locking a non-recursive lock the caller already holds (self-deadlock);
///   - unlocking a lock the caller does not hold;
///   - destroying a lock that is held;
///   - using a lock before init() (on every backend, although only xnu needs
///     init(): a debug build catches in user space what a kext would hit);
///   - in user-space builds, a lock whose storage is destroyed while it is
///     still initialized (init() without destroy()) is reported through
///     platform::warn when its storage goes away: this covers every
///     two-phase object holding a lock (SpinLock, Mutex, LockedByteRing,
///     SerialPortCore ...).
/// assertOwned()/assertNotOwned() check ownership in debug builds and compile
/// to nothing otherwise.
///
/// ABI: the option adds fields, so the lock classes live in an inline
/// namespace named after it (kdrv::lock_debug or kdrv::lock_nodebug). Any
/// symbol whose signature mentions a lock then differs between the two
/// settings. That does not cover a user struct that merely contains a lock, so
/// on ELF user-space builds each translation unit also defines the symbol
/// kdrv_lock_abi_guard in a COMDAT group named after the setting: copies with
/// the same setting merge, copies with different settings are two definitions
/// of one symbol, and the link fails ("multiple definition of
/// kdrv_lock_abi_guard") instead of corrupting memory.
#ifndef KDRV_LOCKDEBUG_HPP
#define KDRV_LOCKDEBUG_HPP

#include "kdrv/atomic.hpp"         // for AtomicU32, AtomicU64, MemoryOrder
#include "kdrv/base.hpp"           // for KDRV_NONCOPYABLE, KDRV_COLD, ContractKind
#include "kdrv/platform/locks.hpp" // for ThreadId, currentThreadId

#if KDRV_CONFIG_LOCK_DEBUG
#define KDRV_LOCK_ABI_BEGIN                                                                        \
    inline namespace lock_debug                                                                    \
    {
#define KDRV_LOCK_ABI_NAME "lock_debug"
#else
#define KDRV_LOCK_ABI_BEGIN                                                                        \
    inline namespace lock_nodebug                                                                  \
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

/// A lock-misuse message as LockDebugState's checks take it.
#define KDRV_LOCK_MSG_(text) "lock misuse: " text

// Statements that exist only in lock-debug builds.
#if KDRV_CONFIG_LOCK_DEBUG
#define KDRV_LOCK_DEBUG_ONLY_(...) __VA_ARGS__
#else
#define KDRV_LOCK_DEBUG_ONLY_(...)
#endif

// Lock-debug builds give each lock call a hidden last parameter, the caller's
// file and line (filled in at the call site by the default argument), so a
// misuse report names the caller, not this header. Release builds: nothing.
//   KDRV_LOCK_SITE_PARAM_       the parameter, for a function without others
//   KDRV_LOCK_SITE_MORE_PARAM_  the same after other parameters
//   KDRV_LOCK_SITE_             the argument, to pass it on
#if KDRV_CONFIG_LOCK_DEBUG
#define KDRV_LOCK_SITE_PARAM_                                                                      \
    ::kdrv::LockSite kdrvLockSite = ::kdrv::LockSite(__builtin_FILE(), __builtin_LINE())
#define KDRV_LOCK_SITE_MORE_PARAM_ , KDRV_LOCK_SITE_PARAM_
#define KDRV_LOCK_SITE_ kdrvLockSite
#define KDRV_LOCK_SITE_ARG_ kdrvLockSite
#define KDRV_LOCK_SITE_MORE_ARG_ , kdrvLockSite
#else
#define KDRV_LOCK_SITE_PARAM_
#define KDRV_LOCK_SITE_MORE_PARAM_
#define KDRV_LOCK_SITE_ARG_
#define KDRV_LOCK_SITE_MORE_ARG_
#endif

namespace kdrv
{
KDRV_LOCK_ABI_BEGIN

#if KDRV_CONFIG_LOCK_DEBUG
/// Where a lock call was made: what a misuse report names.
struct LockSite
{
    constexpr LockSite(const char* f, int l) : file(f), line(l) {}
    const char* file;
    int line;
};

/// Owner and state of one lock. Only the debug build has one.
/// Memory order: the owner field is written by the holder only and read to
/// compare with the caller's own id, so relaxed accesses suffice; the lock
/// itself orders everything else.
class LockDebugState
{
  public:
    constexpr LockDebugState() : owner_(0), holds_(0), initialized_(0) {}
    KDRV_NONCOPYABLE(LockDebugState);
#if !KDRV_IN_KERNEL
    /// A lock whose storage goes away while it is still initialized was
    /// never destroy()ed: in a kext its kernel lock (and lock group
    /// reference) would leak. Reported as a warning, not a failure, so that
    /// a process may still exit with global locks alive.
    ~LockDebugState()
    {
        if (KDRV_UNLIKELY(initialized()))
            platform::warn(KDRV_LOCK_MSG_("a lock was init()ed and its storage destroyed without "
                                          "destroy(); a kernel lock would leak"),
                           this);
    }
#endif

    void setInitialized(bool on) { initialized_.store(on ? 1u : 0u, MemoryOrder::Relaxed); }
    bool initialized() const { return initialized_.load(MemoryOrder::Relaxed) != 0; }

    platform::ThreadId owner() const { return owner_.load(MemoryOrder::Relaxed); }
    bool ownedByCaller() const { return owner() == platform::currentThreadId(); }
    void setOwner(platform::ThreadId id) { owner_.store(id, MemoryOrder::Relaxed); }

    /// The checks every exclusive lock makes, with the lock's own messages.
    void noteInit(bool succeeded) { setInitialized(succeeded); }
    void checkLock(const char* notInitialized, const char* selfDeadlock, LockSite site) const
    {
        if (KDRV_UNLIKELY(!initialized()))
            fail(notInitialized, site);
        if (KDRV_UNLIKELY(ownedByCaller()))
            fail(selfDeadlock, site);
    }
    void noteLocked() { setOwner(platform::currentThreadId()); }
    void checkOwnedAndRelease(const char* notOwner, LockSite site)
    {
        if (KDRV_UNLIKELY(!ownedByCaller()))
            fail(notOwner, site);
        setOwner(0);
    }
    void checkOwned(const char* notOwner, LockSite site) const
    {
        if (KDRV_UNLIKELY(!ownedByCaller()))
            fail(notOwner, site);
    }
    void checkNotOwned(const char* owner, LockSite site) const
    {
        if (KDRV_UNLIKELY(ownedByCaller()))
            fail(owner, site);
    }
    void checkDestroy(const char* held, LockSite site)
    {
        if (KDRV_UNLIKELY(owner() != 0 || holds() != 0))
            fail(held, site);
        setInitialized(false);
    }

    /// Shared holders (RWLock readers) or recursion depth (RecursiveMutex).
    uint32_t holds() const { return holds_.load(MemoryOrder::Relaxed); }
    void addHold() { holds_.fetchAdd(1, MemoryOrder::Relaxed); }
    /// Returns false if there was no hold to drop.
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

    /// `message` starts with "lock misuse: " and names the call and the mistake.
    [[noreturn]] KDRV_COLD static void fail(const char* message, LockSite site)
    {
        platform::contractFailed(ContractKind::Precondition, message, site.file, site.line);
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
