// SPDX-License-Identifier: MIT
//
// User-space simulation of xnu's lock KPIs: IOSimpleLock, IOLock (with
// IOLockSleep*/IOLockWakeup), IORecursiveLock, IORWLock and the lck_rw_*
// calls, current_thread and the interrupt-enable flag.
//
// Beyond behaving like the kernel, the simulation checks what the kernel
// would punish, and panics (through the simulated panic) on:
//   - a blocking lock call while a simple lock is held (preemption disabled)
//     or with interrupts disabled;
//   - unlocking a mutex, recursive lock or exclusive rw lock that the caller
//     does not own; sleeping on a mutex the caller does not own;
//   - freeing a lock that is held.
// Sleep/wakeup uses the same wait queues as kdrv's posix backend
// (kdrv/platform/posix_waitqueue.hpp): a sleeper is registered on the event
// before the lock is released, so no wakeup is lost.
#ifdef KERNEL
#error "the xnu simulation is user-space code"
#endif

#include "kdrv/platform/posix_waitqueue.hpp"
#include "kdrv/sim/xnu_sim.hpp"

#include <IOKit/IOLocks.h>
#include <kern/debug.h>
#include <kern/locks.h>
#include <kern/thread.h>
#include <machine/machine_routines.h>

#include <atomic>
#include <new>

#include <pthread.h>
#include <sched.h>

// The simulated thread: one per pthread; current_thread() is its address.
struct thread
{
    int preemptionLevel = 0;
    bool interruptsEnabled = true;
};

namespace
{
thread_local thread t_self;

thread_t self() { return &t_self; }

void requireMayBlock(const char* call)
{
    if (t_self.preemptionLevel > 0)
        panic("%s: blocking call with preemption disabled (a simple lock is held)", call);
    if (!t_self.interruptsEnabled)
        panic("%s: blocking call with interrupts disabled", call);
}

uintptr_t selfKey() { return reinterpret_cast<uintptr_t>(self()); }
} // namespace

// ---------------------------------------------------------------------------
// Simulated lock objects. Each IO* lock is also its own lck_*_t.

struct _IOSimpleLock
{
    std::atomic<int> word{0};
    std::atomic<thread_t> owner{nullptr};
};

struct _IOLock
{
    pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
    std::atomic<thread_t> owner{nullptr};
};

struct _IORecursiveLock
{
    pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
    std::atomic<thread_t> owner{nullptr};
    unsigned depth = 0; // guarded by mutex
};

// A monitor with xnu's rules: writers waiting block new readers; one pending
// upgrade at a time, ahead of waiting writers.
struct _IORWLock
{
    pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
    unsigned readers = 0;
    unsigned writersWaiting = 0;
    bool writer = false;
    bool wantUpgrade = false;
    thread_t owner = nullptr;
};

namespace
{
_IORWLock* rwOf(lck_rw_t* lck) { return reinterpret_cast<_IORWLock*>(lck); }

struct MonitorLock
{
    explicit MonitorLock(_IORWLock* l) : lock(l) { pthread_mutex_lock(&lock->mutex); }
    ~MonitorLock() { pthread_mutex_unlock(&lock->mutex); }
    MonitorLock(const MonitorLock&) = delete;
    MonitorLock& operator=(const MonitorLock&) = delete;
    _IORWLock* lock;
};

int sleepOnMutex(pthread_mutex_t* mutex, std::atomic<thread_t>* owner, void* event,
                 bool hasDeadline, uint64_t deadline, UInt32 interType)
{
    kdrv::detail::Waiter waiter;
    kdrv::detail::prepareWait(&waiter, event, selfKey(), interType != THREAD_UNINT);
    owner->store(nullptr, std::memory_order_relaxed);
    pthread_mutex_unlock(mutex);
    int result = kdrv::detail::finishWait(&waiter, hasDeadline, deadline);
    pthread_mutex_lock(mutex);
    owner->store(self(), std::memory_order_relaxed);
    return result;
}
} // namespace

namespace kdrv
{
namespace sim
{
bool interruptThread(uint64_t thread)
{
    return kdrv::detail::interrupt(static_cast<uintptr_t>(thread));
}
int preemptionLevel() { return t_self.preemptionLevel; }
bool interruptsEnabled() { return t_self.interruptsEnabled; }
} // namespace sim
} // namespace kdrv

extern "C"
{

    lck_grp_t* IOLockGroup = nullptr;

    thread_t current_thread(void) { return self(); }

    boolean_t ml_set_interrupts_enabled(boolean_t enable)
    {
        boolean_t old = t_self.interruptsEnabled ? TRUE : FALSE;
        t_self.interruptsEnabled = enable != FALSE;
        return old;
    }

    boolean_t ml_get_interrupts_enabled(void) { return t_self.interruptsEnabled ? TRUE : FALSE; }

    // ---- IOSimpleLock ---------------------------------------------------------

    IOSimpleLock* IOSimpleLockAlloc(void) { return new (std::nothrow) _IOSimpleLock; }

    void IOSimpleLockFree(IOSimpleLock* lock)
    {
        if (lock->owner.load(std::memory_order_relaxed) != nullptr)
            panic("IOSimpleLockFree: lock %p is held", static_cast<void*>(lock));
        delete lock;
    }

    lck_spin_t* IOSimpleLockGetMachLock(IOSimpleLock* lock)
    {
        return reinterpret_cast<lck_spin_t*>(lock);
    }

    void IOSimpleLockLock(IOSimpleLock* lock)
    {
        ++t_self.preemptionLevel; // as xnu: preemption off before spinning
        if (lock->owner.load(std::memory_order_relaxed) == self())
            panic("IOSimpleLockLock: lock %p already held by this thread",
                  static_cast<void*>(lock));
        unsigned spins = 0;
        while (lock->word.exchange(1, std::memory_order_acquire) != 0)
        {
            while (lock->word.load(std::memory_order_relaxed) != 0)
            {
                // A simulated CPU can be preempted; give the holder a chance.
                if (++spins > 64)
                    sched_yield();
            }
        }
        lock->owner.store(self(), std::memory_order_relaxed);
    }

    boolean_t IOSimpleLockTryLock(IOSimpleLock* lock)
    {
        ++t_self.preemptionLevel;
        if (lock->word.load(std::memory_order_relaxed) == 0 &&
            lock->word.exchange(1, std::memory_order_acquire) == 0)
        {
            lock->owner.store(self(), std::memory_order_relaxed);
            return TRUE;
        }
        --t_self.preemptionLevel;
        return FALSE;
    }

    void IOSimpleLockUnlock(IOSimpleLock* lock)
    {
        if (lock->owner.load(std::memory_order_relaxed) != self())
            panic("IOSimpleLockUnlock: lock %p not held by this thread", static_cast<void*>(lock));
        lock->owner.store(nullptr, std::memory_order_relaxed);
        lock->word.store(0, std::memory_order_release);
        --t_self.preemptionLevel;
    }

    // ---- IOLock ---------------------------------------------------------------

    IOLock* IOLockAlloc(void) { return new (std::nothrow) _IOLock; }

    void IOLockFree(IOLock* lock)
    {
        if (lock->owner.load(std::memory_order_relaxed) != nullptr)
            panic("IOLockFree: lock %p is held", static_cast<void*>(lock));
        delete lock;
    }

    lck_mtx_t* IOLockGetMachLock(IOLock* lock) { return reinterpret_cast<lck_mtx_t*>(lock); }

    void IOLockLock(IOLock* lock)
    {
        requireMayBlock("IOLockLock");
        if (lock->owner.load(std::memory_order_relaxed) == self())
            panic("IOLockLock: lock %p already held by this thread (deadlock)",
                  static_cast<void*>(lock));
        pthread_mutex_lock(&lock->mutex);
        lock->owner.store(self(), std::memory_order_relaxed);
    }

    boolean_t IOLockTryLock(IOLock* lock)
    {
        if (pthread_mutex_trylock(&lock->mutex) != 0)
            return FALSE;
        lock->owner.store(self(), std::memory_order_relaxed);
        return TRUE;
    }

    void IOLockUnlock(IOLock* lock)
    {
        if (lock->owner.load(std::memory_order_relaxed) != self())
            panic("IOLockUnlock: lock %p not owned by this thread", static_cast<void*>(lock));
        lock->owner.store(nullptr, std::memory_order_relaxed);
        pthread_mutex_unlock(&lock->mutex);
    }

    static int lockSleep(const char* call, IOLock* lock, void* event, bool hasDeadline,
                         AbsoluteTime deadline, UInt32 interType)
    {
        requireMayBlock(call);
        if (event == nullptr)
            panic("%s: null event", call);
        if (lock->owner.load(std::memory_order_relaxed) != self())
            panic("%s: lock %p not owned by this thread", call, static_cast<void*>(lock));
        // The simulated absolute-time unit is the nanosecond.
        return sleepOnMutex(&lock->mutex, &lock->owner, event, hasDeadline, deadline, interType);
    }

    int IOLockSleep(IOLock* lock, void* event, UInt32 interType)
    {
        return lockSleep("IOLockSleep", lock, event, false, 0, interType);
    }

    int IOLockSleepDeadline(IOLock* lock, void* event, AbsoluteTime deadline, UInt32 interType)
    {
        return lockSleep("IOLockSleepDeadline", lock, event, true, deadline, interType);
    }

    void IOLockWakeup(IOLock*, void* event, bool oneThread)
    {
        kdrv::detail::wake(event, oneThread);
    }

    // ---- IORecursiveLock ------------------------------------------------------

    IORecursiveLock* IORecursiveLockAlloc(void) { return new (std::nothrow) _IORecursiveLock; }

    void IORecursiveLockFree(IORecursiveLock* lock)
    {
        if (lock->owner.load(std::memory_order_relaxed) != nullptr)
            panic("IORecursiveLockFree: lock %p is held", static_cast<void*>(lock));
        delete lock;
    }

    lck_mtx_t* IORecursiveLockGetMachLock(IORecursiveLock* lock)
    {
        return reinterpret_cast<lck_mtx_t*>(lock);
    }

    void IORecursiveLockLock(IORecursiveLock* lock)
    {
        if (lock->owner.load(std::memory_order_relaxed) == self())
        {
            ++lock->depth;
            return;
        }
        requireMayBlock("IORecursiveLockLock");
        pthread_mutex_lock(&lock->mutex);
        lock->owner.store(self(), std::memory_order_relaxed);
        lock->depth = 1;
    }

    boolean_t IORecursiveLockTryLock(IORecursiveLock* lock)
    {
        if (lock->owner.load(std::memory_order_relaxed) == self())
        {
            ++lock->depth;
            return TRUE;
        }
        if (pthread_mutex_trylock(&lock->mutex) != 0)
            return FALSE;
        lock->owner.store(self(), std::memory_order_relaxed);
        lock->depth = 1;
        return TRUE;
    }

    void IORecursiveLockUnlock(IORecursiveLock* lock)
    {
        if (lock->owner.load(std::memory_order_relaxed) != self())
            panic("IORecursiveLockUnlock: lock %p not owned by this thread",
                  static_cast<void*>(lock));
        if (--lock->depth != 0)
            return;
        lock->owner.store(nullptr, std::memory_order_relaxed);
        pthread_mutex_unlock(&lock->mutex);
    }

    boolean_t IORecursiveLockHaveLock(const IORecursiveLock* lock)
    {
        return lock->owner.load(std::memory_order_relaxed) == self() ? TRUE : FALSE;
    }

    static int recursiveSleep(const char* call, IORecursiveLock* lock, void* event,
                              bool hasDeadline, AbsoluteTime deadline, UInt32 interType)
    {
        requireMayBlock(call);
        if (lock->owner.load(std::memory_order_relaxed) != self())
            panic("%s: lock %p not owned by this thread", call, static_cast<void*>(lock));
        // Releases every level, as xnu does, and restores the depth afterwards.
        unsigned depth = lock->depth;
        int result =
            sleepOnMutex(&lock->mutex, &lock->owner, event, hasDeadline, deadline, interType);
        lock->depth = depth;
        return result;
    }

    int IORecursiveLockSleep(IORecursiveLock* lock, void* event, UInt32 interType)
    {
        return recursiveSleep("IORecursiveLockSleep", lock, event, false, 0, interType);
    }

    int IORecursiveLockSleepDeadline(IORecursiveLock* lock, void* event, AbsoluteTime deadline,
                                     UInt32 interType)
    {
        return recursiveSleep("IORecursiveLockSleepDeadline", lock, event, true, deadline,
                              interType);
    }

    void IORecursiveLockWakeup(IORecursiveLock*, void* event, bool oneThread)
    {
        kdrv::detail::wake(event, oneThread);
    }

    // ---- lck_rw / IORWLock ----------------------------------------------------

    void lck_rw_lock_shared(lck_rw_t* lck)
    {
        requireMayBlock("lck_rw_lock_shared");
        _IORWLock* l = rwOf(lck);
        MonitorLock guard(l);
        if (l->writer && l->owner == self())
            panic("lck_rw_lock_shared: %p held exclusive by this thread (deadlock)",
                  static_cast<void*>(l));
        while (l->writer || l->wantUpgrade || l->writersWaiting != 0)
            pthread_cond_wait(&l->changed, &l->mutex);
        ++l->readers;
    }

    void lck_rw_unlock_shared(lck_rw_t* lck)
    {
        _IORWLock* l = rwOf(lck);
        MonitorLock guard(l);
        if (l->readers == 0)
            panic("lck_rw_unlock_shared: %p not held shared", static_cast<void*>(l));
        if (--l->readers == 0)
            pthread_cond_broadcast(&l->changed);
    }

    void lck_rw_lock_exclusive(lck_rw_t* lck)
    {
        requireMayBlock("lck_rw_lock_exclusive");
        _IORWLock* l = rwOf(lck);
        MonitorLock guard(l);
        if (l->writer && l->owner == self())
            panic("lck_rw_lock_exclusive: %p already held exclusive by this thread (deadlock)",
                  static_cast<void*>(l));
        ++l->writersWaiting;
        while (l->writer || l->wantUpgrade || l->readers != 0)
            pthread_cond_wait(&l->changed, &l->mutex);
        --l->writersWaiting;
        l->writer = true;
        l->owner = self();
    }

    void lck_rw_unlock_exclusive(lck_rw_t* lck)
    {
        _IORWLock* l = rwOf(lck);
        MonitorLock guard(l);
        if (!l->writer || l->owner != self())
            panic("lck_rw_unlock_exclusive: %p not held exclusive by this thread",
                  static_cast<void*>(l));
        l->writer = false;
        l->owner = nullptr;
        pthread_cond_broadcast(&l->changed);
    }

    boolean_t lck_rw_try_lock(lck_rw_t* lck, lck_rw_type_t lck_rw_type)
    {
        _IORWLock* l = rwOf(lck);
        MonitorLock guard(l);
        if (lck_rw_type == LCK_RW_TYPE_SHARED)
        {
            if (l->writer || l->wantUpgrade || l->writersWaiting != 0)
                return FALSE;
            ++l->readers;
            return TRUE;
        }
        if (lck_rw_type != LCK_RW_TYPE_EXCLUSIVE)
            panic("lck_rw_try_lock: bad type %u", lck_rw_type);
        if (l->writer || l->wantUpgrade || l->readers != 0)
            return FALSE;
        l->writer = true;
        l->owner = self();
        return TRUE;
    }

    void lck_rw_lock(lck_rw_t* lck, lck_rw_type_t lck_rw_type)
    {
        if (lck_rw_type == LCK_RW_TYPE_SHARED)
            lck_rw_lock_shared(lck);
        else if (lck_rw_type == LCK_RW_TYPE_EXCLUSIVE)
            lck_rw_lock_exclusive(lck);
        else
            panic("lck_rw_lock: bad type %u", lck_rw_type);
    }

    void lck_rw_unlock(lck_rw_t* lck, lck_rw_type_t lck_rw_type)
    {
        if (lck_rw_type == LCK_RW_TYPE_SHARED)
            lck_rw_unlock_shared(lck);
        else if (lck_rw_type == LCK_RW_TYPE_EXCLUSIVE)
            lck_rw_unlock_exclusive(lck);
        else
            panic("lck_rw_unlock: bad type %u", lck_rw_type);
    }

    boolean_t lck_rw_lock_shared_to_exclusive(lck_rw_t* lck)
    {
        requireMayBlock("lck_rw_lock_shared_to_exclusive");
        _IORWLock* l = rwOf(lck);
        MonitorLock guard(l);
        if (l->readers == 0)
            panic("lck_rw_lock_shared_to_exclusive: %p not held shared", static_cast<void*>(l));
        --l->readers;
        if (l->wantUpgrade)
        {
            // Another reader is upgrading: fail, with the shared hold dropped.
            if (l->readers == 0)
                pthread_cond_broadcast(&l->changed);
            return FALSE;
        }
        l->wantUpgrade = true;
        while (l->readers != 0)
            pthread_cond_wait(&l->changed, &l->mutex);
        l->wantUpgrade = false;
        l->writer = true;
        l->owner = self();
        return TRUE;
    }

    void lck_rw_lock_exclusive_to_shared(lck_rw_t* lck)
    {
        _IORWLock* l = rwOf(lck);
        MonitorLock guard(l);
        if (!l->writer || l->owner != self())
            panic("lck_rw_lock_exclusive_to_shared: %p not held exclusive by this thread",
                  static_cast<void*>(l));
        l->writer = false;
        l->owner = nullptr;
        ++l->readers;
        pthread_cond_broadcast(&l->changed);
    }

    IORWLock* IORWLockAlloc(void) { return new (std::nothrow) _IORWLock; }

    void IORWLockFree(IORWLock* lock)
    {
        {
            MonitorLock guard(lock);
            if (lock->writer || lock->readers != 0 || lock->wantUpgrade)
                panic("IORWLockFree: lock %p is held", static_cast<void*>(lock));
        }
        delete lock;
    }

    lck_rw_t* IORWLockGetMachLock(IORWLock* lock) { return reinterpret_cast<lck_rw_t*>(lock); }

    void IORWLockRead(IORWLock* lock) { lck_rw_lock_shared(IORWLockGetMachLock(lock)); }
    void IORWLockWrite(IORWLock* lock) { lck_rw_lock_exclusive(IORWLockGetMachLock(lock)); }

    void IORWLockUnlock(IORWLock* lock)
    {
        bool exclusive;
        {
            MonitorLock guard(lock);
            exclusive = lock->writer && lock->owner == self();
        }
        if (exclusive)
            lck_rw_unlock_exclusive(IORWLockGetMachLock(lock));
        else
            lck_rw_unlock_shared(IORWLockGetMachLock(lock));
    }

} // extern "C"
