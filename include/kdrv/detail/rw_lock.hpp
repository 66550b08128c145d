// SPDX-License-Identifier: MIT
//
/// \file
/// RwLockWord: the portable reader/writer lock behind the user-space RWLock,
/// with xnu's upgrade rules (lck_rw_lock_shared_to_exclusive). Written once
/// over atomic.hpp, so the same code is unit-tested, stress-tested and
/// model-checked.
///
/// State: ONE 32-bit word, so every decision reads all of it at once:
///   bit 0  kWriter   a writer holds the lock, or owns the right to take it
///                    once the readers have drained
///   bit 1  kUpgrade  a reader is upgrading, or holds the lock after upgrading
///   bits 2..31       the number of shared holders (kReader each)
///
/// Who may change the word:
///   - a reader enters only by a CAS from a word with kWriter and kUpgrade
///     clear, and leaves by subtracting its own kReader;
///   - a writer sets kWriter only by a CAS from a word with kWriter clear;
///   - an upgrader, holding kReader, swaps its kReader for kUpgrade in one CAS,
///     and only from a word without kUpgrade (one upgrade at a time);
///   - kWriter is cleared only by the writer that set it, kUpgrade only by the
///     upgrader that set it.
///
/// Invariants (mutual exclusion):
///   - a writer is admitted only when ONE load shows exactly kWriter: its own
///     bit, no pending upgrade and no reader, all in the same value. No reader
///     can then enter (kWriter is set) and no upgrade can start (that needs a
///     shared hold), so the word stays exactly kWriter until writeUnlock();
///   - an upgrader is admitted only when one load shows kUpgrade (its own) and
///     no reader; kWriter may be set by a writer that waits, but that writer
///     cannot be admitted while kUpgrade is set;
///   - hence at most one exclusive holder, and never one beside a reader.
/// The unlock paths decide what they hold from kUpgrade, a bit that only the
/// caller can have set or clear while it holds the lock: a plain writer sees
/// it clear (nobody can set it), an upgrader sees its own bit.
///
/// Policy: writers are preferred (readers wait while either flag is set); a
/// pending upgrade beats writers already waiting; a second upgrader fails and
/// its shared hold is RELEASED, as xnu does. Neither mode is recursive.
///
/// Ordering: every admission is an acquire that reads (through the word's
/// release sequence) the releasing RMW or store of the previous holder, so a
/// holder sees the writes of every holder before it; readUnlock() releases.
///
/// Waiting: SpinWait (pauses, then yields). A holder that blocks for long
/// makes waiters yield repeatedly rather than sleep.
#ifndef KDRV_DETAIL_RW_LOCK_HPP
#define KDRV_DETAIL_RW_LOCK_HPP

#include "kdrv/atomic.hpp"           // for AtomicU32
#include "kdrv/base.hpp"             // for KDRV_INLINE, KDRV_LIKELY
#include "kdrv/detail/spin_wait.hpp" // for SpinWait

namespace kdrv
{
namespace detail
{
class RwLockWord
{
  public:
    constexpr RwLockWord() : word_(0) {}
    KDRV_NONCOPYABLE(RwLockWord);

    KDRV_INLINE void readLock()
    {
        uint32_t w = word_.load(MemoryOrder::Relaxed);
        if (KDRV_LIKELY((w & kFlags) == 0) &&
            KDRV_LIKELY(word_.compareExchangeWeak(&w, w + kReader, MemoryOrder::Acquire,
                                                  MemoryOrder::Relaxed)))
            return;
        readLockSlow();
    }

    /// Fails only while a writer or an upgrade holds or waits for the lock.
    KDRV_INLINE bool tryReadLock()
    {
        uint32_t w = word_.load(MemoryOrder::Relaxed);
        while ((w & kFlags) == 0)
        {
            if (word_.compareExchangeWeak(&w, w + kReader, MemoryOrder::Acquire,
                                          MemoryOrder::Relaxed))
                return true;
        }
        return false;
    }

    KDRV_INLINE void readUnlock() { word_.fetchSub(kReader, MemoryOrder::Release); }

    KDRV_INLINE void writeLock()
    {
        uint32_t expected = 0;
        if (KDRV_LIKELY(word_.compareExchange(&expected, kWriter, MemoryOrder::Acquire,
                                              MemoryOrder::Relaxed)))
            return;
        writeLockSlow();
    }

    /// Succeeds only on a free lock: never waits, never leaves a bit behind.
    KDRV_INLINE bool tryWriteLock()
    {
        uint32_t expected = 0;
        return word_.compareExchange(&expected, kWriter, MemoryOrder::Acquire,
                                     MemoryOrder::Relaxed);
    }

    /// Releases the exclusive hold, taken by writeLock() or by upgrade().
    KDRV_INLINE void writeUnlock()
    {
        if (KDRV_LIKELY((word_.load(MemoryOrder::Relaxed) & kUpgrade) == 0))
            word_.store(0, MemoryOrder::Release); // exactly kWriter: see the invariants
        else
            word_.fetchAnd(~kUpgrade, MemoryOrder::Release); // a writer may be waiting
    }

    /// Shared -> exclusive. True: held exclusively. False: another upgrade was
    /// pending and the caller's shared hold has been RELEASED.
    bool upgrade()
    {
        uint32_t w = word_.load(MemoryOrder::Relaxed);
        for (;;)
        {
            if ((w & kUpgrade) != 0)
            {
                readUnlock();
                return false;
            }
            if (word_.compareExchangeWeak(&w, (w - kReader) | kUpgrade, MemoryOrder::Acquire,
                                          MemoryOrder::Relaxed))
                break;
        }
        // No reader can enter now; wait for the others to leave.
        SpinWait wait;
        while ((word_.load(MemoryOrder::Acquire) & ~kWriter) != kUpgrade)
            wait.pause();
        return true;
    }

    /// Exclusive -> shared; never blocks, never fails. Waiting readers enter
    /// unless a writer already waits.
    void downgrade()
    {
        if ((word_.load(MemoryOrder::Relaxed) & kUpgrade) == 0)
        {
            word_.store(kReader, MemoryOrder::Release); // was exactly kWriter
        }
        else
        {
            // kUpgrade -> one kReader in a single RMW; kWriter, if a writer
            // waits, stays set.
            word_.fetchAdd(kReader - kUpgrade, MemoryOrder::Release);
        }
    }

    /// A snapshot for diagnostics (watchdogs, debuggers); never for decisions.
    uint32_t debugState() const { return word_.load(MemoryOrder::Relaxed); }

    enum : uint32_t
    {
        kWriter = 1u,
        kUpgrade = 2u,
        kFlags = kWriter | kUpgrade,
        kReader = 4u,
    };

  private:
    KDRV_NOINLINE void readLockSlow()
    {
        SpinWait wait;
        uint32_t w = word_.load(MemoryOrder::Relaxed);
        for (;;)
        {
            if ((w & kFlags) == 0)
            {
                if (word_.compareExchangeWeak(&w, w + kReader, MemoryOrder::Acquire,
                                              MemoryOrder::Relaxed))
                    return;
                continue;
            }
            wait.pause();
            w = word_.load(MemoryOrder::Relaxed);
        }
    }

    KDRV_NOINLINE void writeLockSlow()
    {
        SpinWait wait;
        uint32_t w = word_.load(MemoryOrder::Relaxed);
        for (;;) // claim kWriter; new readers now wait
        {
            if ((w & kWriter) == 0)
            {
                if (word_.compareExchangeWeak(&w, w | kWriter, MemoryOrder::Acquire,
                                              MemoryOrder::Relaxed))
                    break;
                continue;
            }
            wait.pause();
            w = word_.load(MemoryOrder::Relaxed);
        }
        // Admitted when one load shows our bit alone: no upgrade, no reader.
        while (word_.load(MemoryOrder::Acquire) != kWriter)
            wait.pause();
    }

    AtomicU32 word_;
};
} // namespace detail
} // namespace kdrv

#endif // KDRV_DETAIL_RW_LOCK_HPP
