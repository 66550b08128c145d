// SPDX-License-Identifier: MIT
//
// Test fixture: the user-space reader/writer algorithm of kdrv 0.1, kept ONLY
// to prove that the regression tests (tests/rwlock_test.cpp) and the model
// checker (tests/model/) catch its bug. Never use it.
//
// Its bug: a writer holding kWriter waits in writeLockSlow's second loop. It
// loads flags_ (no kUpgrade yet) and then readers_. Between the two loads a
// reader holding the lock shared upgrades: it sets kUpgrade and drops its
// reader count to 0. The writer then reads readers_ == 0 and returns holding
// the lock, while the upgrader also sees readers_ == 0: two exclusive
// holders. Both unlock with flags_ == kWriter | kUpgrade and both clear only
// kUpgrade, so kWriter stays set and every later locker waits forever.
//
// `betweenLoads`, when set, is called by a waiting writer between the two
// loads (after seeing no pending upgrade): the regression test parks the
// writer there to force the interleaving.
#ifndef KDRV_TESTS_LEGACY_RWLOCK_HPP
#define KDRV_TESTS_LEGACY_RWLOCK_HPP

#include "kdrv/atomic.hpp"
#include "kdrv/detail/spin_wait.hpp"

namespace kdrvtest
{
class LegacyRWLock
{
  public:
    typedef void (*Hook)(void* context);

    LegacyRWLock() : flags_(0), readers_(0), betweenLoads_(nullptr), hookContext_(nullptr) {}
    LegacyRWLock(const LegacyRWLock&) = delete;
    LegacyRWLock& operator=(const LegacyRWLock&) = delete;

    void setBetweenLoadsHook(Hook hook, void* context)
    {
        hookContext_ = context;
        betweenLoads_ = hook;
    }

    void readLock()
    {
        readers_.fetchAdd(1, kdrv::MemoryOrder::SeqCst);
        if (flags_.load(kdrv::MemoryOrder::SeqCst) == 0)
            return;
        kdrv::detail::SpinWait wait;
        for (;;)
        {
            readers_.fetchSub(1, kdrv::MemoryOrder::Release);
            while (flags_.load(kdrv::MemoryOrder::Relaxed) != 0)
                wait.pause();
            readers_.fetchAdd(1, kdrv::MemoryOrder::SeqCst);
            if (flags_.load(kdrv::MemoryOrder::SeqCst) == 0)
                return;
        }
    }
    void readUnlock() { readers_.fetchSub(1, kdrv::MemoryOrder::Release); }

    void writeLock()
    {
        uint32_t expected = 0;
        bool haveWriterBit = flags_.compareExchange(&expected, kWriter, kdrv::MemoryOrder::SeqCst,
                                                    kdrv::MemoryOrder::Relaxed);
        if (haveWriterBit && readers_.load(kdrv::MemoryOrder::SeqCst) == 0)
            return;
        kdrv::detail::SpinWait wait;
        if (!haveWriterBit)
        {
            for (;;)
            {
                uint32_t f = flags_.load(kdrv::MemoryOrder::Relaxed);
                if ((f & kWriter) == 0 &&
                    flags_.compareExchangeWeak(&f, f | kWriter, kdrv::MemoryOrder::SeqCst,
                                               kdrv::MemoryOrder::Relaxed))
                    break;
                wait.pause();
            }
        }
        for (;;)
        {
            if ((flags_.load(kdrv::MemoryOrder::SeqCst) & kUpgrade) == 0)
            {
                Hook hook = betweenLoads_;
                if (hook != nullptr)
                    hook(hookContext_);
                if (readers_.load(kdrv::MemoryOrder::SeqCst) == 0)
                    return;
            }
            wait.pause();
        }
    }
    void writeUnlock()
    {
        if (flags_.load(kdrv::MemoryOrder::Relaxed) == kWriter)
            flags_.store(0, kdrv::MemoryOrder::Release);
        else
            flags_.fetchAnd(~kUpgrade, kdrv::MemoryOrder::Release);
    }

    bool upgrade()
    {
        uint32_t f = flags_.load(kdrv::MemoryOrder::Relaxed);
        for (;;)
        {
            if ((f & kUpgrade) != 0)
            {
                readers_.fetchSub(1, kdrv::MemoryOrder::Release);
                return false;
            }
            if (flags_.compareExchangeWeak(&f, f | kUpgrade, kdrv::MemoryOrder::SeqCst,
                                           kdrv::MemoryOrder::Relaxed))
                break;
        }
        readers_.fetchSub(1, kdrv::MemoryOrder::SeqCst);
        kdrv::detail::SpinWait wait;
        while (readers_.load(kdrv::MemoryOrder::SeqCst) != 0)
            wait.pause();
        return true;
    }

    uint32_t flags() const { return flags_.load(kdrv::MemoryOrder::Relaxed); }
    uint32_t readers() const { return readers_.load(kdrv::MemoryOrder::Relaxed); }

    enum : uint32_t
    {
        kWriter = 1u,
        kUpgrade = 2u,
    };

  private:
    kdrv::AtomicU32 flags_;
    kdrv::AtomicU32 readers_;
    Hook volatile betweenLoads_;
    void* volatile hookContext_;
};
} // namespace kdrvtest

#endif // KDRV_TESTS_LEGACY_RWLOCK_HPP
