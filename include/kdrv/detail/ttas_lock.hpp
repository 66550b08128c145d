// SPDX-License-Identifier: MIT
//
/// \file
/// TtasLock: the portable test-and-test-and-set spin lock behind the
/// user-space SpinLock. Written once over atomic.hpp, so the same code is
/// unit-tested, stress-tested and model-checked.
///
/// State: one word, 0 = free, 1 = held.
/// Invariants:
///   - only lock()/tryLock() move the word 0 -> 1, with an exchange, so at most
///     one caller observes the 0 and enters;
///   - only the holder moves it 1 -> 0 (unlock), so unlock() needs no check.
/// Ordering: the entering exchange is an acquire that reads the releasing
/// store of the previous holder's unlock(), so each holder sees every write
/// of the one before it.
/// Waiting: waiters read (relaxed) until the word looks free, then retry the
/// exchange; a tryLock() that sees the lock held fails without writing the
/// line, so it does not steal it from the holder (one that sees it free and
/// then loses the race has written it once, by its exchange). Not fair; not
/// recursive.
#ifndef KDRV_DETAIL_TTAS_LOCK_HPP
#define KDRV_DETAIL_TTAS_LOCK_HPP

#include "kdrv/atomic.hpp"           // for AtomicU32
#include "kdrv/base.hpp"             // for KDRV_INLINE, KDRV_LIKELY
#include "kdrv/detail/spin_wait.hpp" // for SpinWait

namespace kdrv
{
namespace detail
{
class TtasLock
{
  public:
    constexpr TtasLock() : word_(0) {}
    KDRV_NONCOPYABLE(TtasLock);

    KDRV_INLINE void lock()
    {
        if (KDRV_LIKELY(word_.exchange(1, MemoryOrder::Acquire) == 0))
            return;
        lockSlow();
    }
    KDRV_INLINE bool tryLock()
    {
        return word_.load(MemoryOrder::Relaxed) == 0 &&
               word_.exchange(1, MemoryOrder::Acquire) == 0;
    }
    KDRV_INLINE void unlock() { word_.store(0, MemoryOrder::Release); }

    /// A snapshot for diagnostics (watchdogs, debuggers); never for decisions.
    uint32_t debugState() const { return word_.load(MemoryOrder::Relaxed); }

  private:
    KDRV_NOINLINE void lockSlow()
    {
        SpinWait wait;
        do
        {
            while (word_.load(MemoryOrder::Relaxed) != 0)
                wait.pause();
        } while (word_.exchange(1, MemoryOrder::Acquire) != 0);
    }

    AtomicU32 word_;
};
} // namespace detail
} // namespace kdrv

#endif // KDRV_DETAIL_TTAS_LOCK_HPP
