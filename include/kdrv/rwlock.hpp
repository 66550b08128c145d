// SPDX-License-Identifier: MIT
//
/// \file
/// RWLock: many readers or one writer, with try variants, upgrade and
/// downgrade.
///
/// Kernel: an IORWLock (lck_rw). It may block, so never from interrupt
/// context or under a SpinLock. User space: detail/rw_lock.hpp, one word
/// holding the writer and upgrade flags and the reader count (its invariants
/// are written there); a reader pays one compare-and-swap to lock and one RMW
/// to unlock, a writer one compare-and-swap to lock and a store to unlock.
/// Waiters spin, then yield. Writers are preferred: once a writer waits, new
/// readers wait too. Neither mode is recursive: a thread holding the lock in
/// either mode must not lock it again (a reader re-locking can deadlock behind
/// a waiting writer).
///
/// Memory order: every lock operation acquires, every unlock releases; a
/// downgrade releases the writer's stores to the readers it lets in.
///
/// Upgrade (shared -> exclusive) follows xnu's lck_rw_lock_shared_to_exclusive
/// on every backend:
///   - it waits for the other readers to leave, ahead of waiting writers;
///   - only one upgrade can be pending: if another reader is already upgrading,
///     the upgrade FAILS and the caller's shared hold has been RELEASED. The
///     caller then holds nothing; anything it read under the lock may be stale
///     and must be looked up again after re-locking.
/// upgradeToWrite() therefore returns a [[nodiscard]] UpgradeResult whose
/// failure value says that the lock was released, and RWLockGuard tracks the
/// mode so its destructor never unlocks a lock it lost.
///
/// Lifetime: constant-initialized; init() must succeed before first use
/// (kernel: allocates the IORWLock), destroy() with no holder.
#ifndef KDRV_RWLOCK_HPP
#define KDRV_RWLOCK_HPP

#include "kdrv/base.hpp"           // for KDRV_ACQUIRE_SHARED, KDRV_RELEASE, KDRV_NONCOPYABLE
#include "kdrv/contract.hpp"       // for KDRV_EXPECTS
#include "kdrv/lockdebug.hpp"      // for LockDebugState, KDRV_LOCK_SITE_PARAM_
#include "kdrv/platform/locks.hpp" // for platform::RawRWLock
#include "kdrv/status.hpp"         // for Status, isSuccess

namespace kdrv
{
/// The outcome of RWLock::upgradeToWrite().
enum class KDRV_NODISCARD_TYPE UpgradeResult : int
{
    /// The caller now holds the lock exclusively; release with writeUnlock().
    Upgraded = 0,
    /// Another upgrade was pending. The caller's shared hold was RELEASED and
    /// it holds nothing: re-lock and re-validate everything it had read.
    ReleasedLock = 1,
};

#define KDRV_RWLOCK_NOT_INITIALIZED_ KDRV_LOCK_MSG_("RWLock used before a successful init()")

KDRV_LOCK_ABI_BEGIN

class KDRV_CAPABILITY("rwlock") RWLock
{
  public:
    constexpr RWLock() {}
    KDRV_NONCOPYABLE(RWLock);

    /// Prepares the lock. Thread context; may allocate (kernel). Returns
    /// Success or NoMemory. Calling it again on an initialized lock does
    /// nothing and succeeds.
    KDRV_NODISCARD Status init()
    {
        Status s = raw_.init();
        KDRV_LOCK_DEBUG_ONLY_(debug_.noteInit(isSuccess(s));)
        return s;
    }

    /// Releases what init() acquired. Nobody may hold the lock.
    void destroy(KDRV_LOCK_SITE_PARAM_)
    {
        KDRV_LOCK_DEBUG_ONLY_(debug_.checkDestroy(
            KDRV_LOCK_MSG_("RWLock::destroy: the lock is held"), KDRV_LOCK_SITE_);)
        raw_.destroy();
    }

    /// Blocks until the lock is held shared.
    KDRV_INLINE void readLock(KDRV_LOCK_SITE_PARAM_) KDRV_ACQUIRE_SHARED()
    {
        KDRV_LOCK_DEBUG_ONLY_(
            debug_.checkLock(KDRV_RWLOCK_NOT_INITIALIZED_,
                             KDRV_LOCK_MSG_("RWLock::readLock: the calling thread holds the "
                                            "write lock (self-deadlock)"),
                             KDRV_LOCK_SITE_);)
        raw_.readLock();
        KDRV_LOCK_DEBUG_ONLY_(debug_.addHold();)
    }

    /// Takes the lock shared only if no writer holds or waits for it; never
    /// blocks. Returns true if the caller now holds it shared.
    KDRV_NODISCARD KDRV_INLINE bool tryReadLock(KDRV_LOCK_SITE_PARAM_) KDRV_TRY_ACQUIRE_SHARED(true)
    {
        KDRV_LOCK_DEBUG_ONLY_(debug_.checkLock(
            KDRV_RWLOCK_NOT_INITIALIZED_,
            KDRV_LOCK_MSG_("RWLock::tryReadLock: the calling thread holds the write lock"),
            KDRV_LOCK_SITE_);)
        if (!raw_.tryReadLock())
            return false;
        KDRV_LOCK_DEBUG_ONLY_(debug_.addHold();)
        return true;
    }

    /// Releases a shared hold.
    KDRV_INLINE void readUnlock(KDRV_LOCK_SITE_PARAM_) KDRV_RELEASE_SHARED()
    {
        KDRV_LOCK_DEBUG_ONLY_(if (KDRV_UNLIKELY(!debug_.dropHold())) LockDebugState::fail(
                                  KDRV_LOCK_MSG_("RWLock::readUnlock: the lock is not held shared"),
                                  KDRV_LOCK_SITE_);)
        raw_.readUnlock();
    }

    /// Blocks until the lock is held exclusively.
    KDRV_INLINE void writeLock(KDRV_LOCK_SITE_PARAM_) KDRV_ACQUIRE()
    {
        KDRV_LOCK_DEBUG_ONLY_(
            debug_.checkLock(KDRV_RWLOCK_NOT_INITIALIZED_,
                             KDRV_LOCK_MSG_("RWLock::writeLock: the calling thread already "
                                            "holds the write lock (self-deadlock)"),
                             KDRV_LOCK_SITE_);)
        raw_.writeLock();
        KDRV_LOCK_DEBUG_ONLY_(debug_.noteLocked();)
    }

    /// Takes the lock exclusively only if nobody holds it; never blocks.
    KDRV_NODISCARD KDRV_INLINE bool tryWriteLock(KDRV_LOCK_SITE_PARAM_) KDRV_TRY_ACQUIRE(true)
    {
        KDRV_LOCK_DEBUG_ONLY_(
            debug_.checkLock(KDRV_RWLOCK_NOT_INITIALIZED_,
                             KDRV_LOCK_MSG_("RWLock::tryWriteLock: the calling thread already "
                                            "holds the write lock"),
                             KDRV_LOCK_SITE_);)
        if (!raw_.tryWriteLock())
            return false;
        KDRV_LOCK_DEBUG_ONLY_(debug_.noteLocked();)
        return true;
    }

    /// Releases the exclusive hold (also after a successful upgrade).
    KDRV_INLINE void writeUnlock(KDRV_LOCK_SITE_PARAM_) KDRV_RELEASE()
    {
        KDRV_LOCK_DEBUG_ONLY_(debug_.checkOwnedAndRelease(
            KDRV_LOCK_MSG_("RWLock::writeUnlock: the calling thread does not hold the write lock"),
            KDRV_LOCK_SITE_);)
        raw_.writeUnlock();
    }

    /// Converts the caller's shared hold into an exclusive one. May block
    /// until the other readers leave. On ReleasedLock the caller holds
    /// NOTHING (see the top of this file). Not visible to clang's
    /// thread-safety analysis; RWLockGuard tracks the mode instead.
    KDRV_NODISCARD UpgradeResult upgradeToWrite(KDRV_LOCK_SITE_PARAM_)
        KDRV_NO_THREAD_SAFETY_ANALYSIS
    {
        KDRV_LOCK_DEBUG_ONLY_(
            if (KDRV_UNLIKELY(!debug_.dropHold())) LockDebugState::fail(
                KDRV_LOCK_MSG_("RWLock::upgradeToWrite: the lock is not held shared"),
                KDRV_LOCK_SITE_);)
        if (!raw_.upgrade())
            return UpgradeResult::ReleasedLock;
        KDRV_LOCK_DEBUG_ONLY_(debug_.noteLocked();)
        return UpgradeResult::Upgraded;
    }

    /// Converts the caller's exclusive hold into a shared one; never blocks,
    /// never fails. Waiting readers may enter.
    void downgradeToRead(KDRV_LOCK_SITE_PARAM_) KDRV_NO_THREAD_SAFETY_ANALYSIS
    {
        KDRV_LOCK_DEBUG_ONLY_(debug_.checkOwnedAndRelease(
            KDRV_LOCK_MSG_(
                "RWLock::downgradeToRead: the calling thread does not hold the write lock"),
            KDRV_LOCK_SITE_);
                              debug_.addHold();)
        raw_.downgrade();
    }

    /// Debug builds: contract failure unless the caller holds / does not hold
    /// the lock exclusively. Shared holds have no owner to check.
    void assertOwned(KDRV_LOCK_SITE_PARAM_) const KDRV_ASSERT_CAPABILITY(this)
    {
        KDRV_LOCK_DEBUG_ONLY_(debug_.checkOwned(
            KDRV_LOCK_MSG_("RWLock::assertOwned: the calling thread does not hold the write lock"),
            KDRV_LOCK_SITE_);)
    }
    void assertNotOwned(KDRV_LOCK_SITE_PARAM_) const
    {
        KDRV_LOCK_DEBUG_ONLY_(debug_.checkNotOwned(
            KDRV_LOCK_MSG_("RWLock::assertNotOwned: the calling thread holds the write lock"),
            KDRV_LOCK_SITE_);)
    }

  private:
    platform::RawRWLock raw_;
#if KDRV_CONFIG_LOCK_DEBUG
    LockDebugState debug_; // owner: the writer; holds: the shared holders
#endif
};

/// Holds an RWLock shared for the guard's scope.
class KDRV_SCOPED_CAPABILITY RWLockReadGuard
{
  public:
    explicit RWLockReadGuard(RWLock& lock KDRV_LOCK_SITE_MORE_PARAM_) KDRV_ACQUIRE_SHARED(lock)
        : lock_(lock)
    {
        lock_.readLock(KDRV_LOCK_SITE_ARG_);
    }
    ~RWLockReadGuard() KDRV_RELEASE() { lock_.readUnlock(); }
    KDRV_NONCOPYABLE(RWLockReadGuard);

  private:
    RWLock& lock_;
};

/// Holds an RWLock exclusively for the guard's scope.
class KDRV_SCOPED_CAPABILITY RWLockWriteGuard
{
  public:
    explicit RWLockWriteGuard(RWLock& lock KDRV_LOCK_SITE_MORE_PARAM_) KDRV_ACQUIRE(lock)
        : lock_(lock)
    {
        lock_.writeLock(KDRV_LOCK_SITE_ARG_);
    }
    ~RWLockWriteGuard() KDRV_RELEASE() { lock_.writeUnlock(); }
    KDRV_NONCOPYABLE(RWLockWriteGuard);

  private:
    RWLock& lock_;
};

/// Holds an RWLock in a mode that may change: starts shared, can upgrade
/// (which may lose the lock) and downgrade. The destructor releases whatever
/// is still held, and nothing if a failed upgrade released the lock.
class RWLockGuard
{
  public:
    enum class Mode : int
    {
        None = 0,
        Read = 1,
        Write = 2,
    };

    explicit RWLockGuard(RWLock& lock) KDRV_NO_THREAD_SAFETY_ANALYSIS : lock_(lock),
                                                                        mode_(Mode::Read)
    {
        lock_.readLock();
    }
    ~RWLockGuard() KDRV_NO_THREAD_SAFETY_ANALYSIS { release(); }
    KDRV_NONCOPYABLE(RWLockGuard);

    Mode mode() const { return mode_; }

    /// Read -> Write. Returns true if upgraded; false if the lock was lost
    /// (mode() is then None; call relockRead()/relockWrite() to start over).
    KDRV_NODISCARD bool upgrade()
    {
        KDRV_EXPECTS(mode_ == Mode::Read);
        if (lock_.upgradeToWrite() == UpgradeResult::Upgraded)
        {
            mode_ = Mode::Write;
            return true;
        }
        mode_ = Mode::None;
        return false;
    }

    /// Write -> Read.
    void downgrade()
    {
        KDRV_EXPECTS(mode_ == Mode::Write);
        lock_.downgradeToRead();
        mode_ = Mode::Read;
    }

    /// Releases the lock now, whatever the mode.
    void release() KDRV_NO_THREAD_SAFETY_ANALYSIS
    {
        if (mode_ == Mode::Read)
            lock_.readUnlock();
        else if (mode_ == Mode::Write)
            lock_.writeUnlock();
        mode_ = Mode::None;
    }

    /// From None: take the lock again, shared or exclusive.
    void relockRead() KDRV_NO_THREAD_SAFETY_ANALYSIS
    {
        KDRV_EXPECTS(mode_ == Mode::None);
        lock_.readLock();
        mode_ = Mode::Read;
    }
    void relockWrite() KDRV_NO_THREAD_SAFETY_ANALYSIS
    {
        KDRV_EXPECTS(mode_ == Mode::None);
        lock_.writeLock();
        mode_ = Mode::Write;
    }

  private:
    RWLock& lock_;
    Mode mode_;
};

KDRV_LOCK_ABI_END
} // namespace kdrv

#endif // KDRV_RWLOCK_HPP
