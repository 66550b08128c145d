// SPDX-License-Identifier: MIT
//
// User-space backend over pthreads and the C library. Never part of a kext.
//
// Locks (used by spinlock.hpp, mutex.hpp, rwlock.hpp; nobody else should):
//   RawSpinLock        test-and-test-and-set with pause, release-store unlock
//   RawMutex           pthread mutex; sleep/wakeup via posix_waitqueue.hpp
//   RawRecursiveMutex  pthread mutex plus owner and depth
//   RawRWLock          two-word reader/writer lock with xnu's upgrade rules
// All are constant-initialized and usable without init(); init() exists so
// that the same code runs over the xnu backend, which must allocate.
#ifndef KDRV_PLATFORM_POSIX_HPP
#define KDRV_PLATFORM_POSIX_HPP

#include "kdrv/atomic.hpp"
#include "kdrv/base.hpp"
#include "kdrv/platform/posix_waitqueue.hpp"
#include "kdrv/status.hpp"

#if KDRV_IN_KERNEL
#error "kdrv/platform/posix.hpp is for user space; kernel builds use platform/xnu.hpp"
#endif

#include <pthread.h>
#include <sched.h> // sched_yield
#include <stdarg.h>
#include <stdio.h>  // vfprintf for logMessage
#include <stdlib.h> // abort, malloc
#include <time.h>   // clock_gettime

namespace kdrv
{
// What a contract handler receives.
struct ContractViolation
{
    ContractKind kind;
    const char* expression;
    const char* file;
    int line;
};

// A contract handler must not return; if it does, the process aborts.
typedef void (*ContractHandler)(const ContractViolation& violation);
// Receives every platform warning (refcount saturation and the like).
typedef void (*WarningHandler)(const char* message, const void* object);

namespace platform
{
inline void defaultContractHandler(const ContractViolation& v)
{
    static const char* const kinds[] = {"?", "precondition", "postcondition", "assertion"};
    fprintf(stderr, "kdrv: %s failed: %s @%s:%d\n", kinds[static_cast<int>(v.kind) & 3],
            v.expression, v.file, v.line);
    fflush(stderr);
    abort();
}

inline void defaultWarningHandler(const char* message, const void* object)
{
    fprintf(stderr, "kdrv: warning: %s (object %p)\n", message, object);
}

// Constant-initialized function-local statics: one slot per program, no guard.
inline ContractHandler& contractHandlerSlot()
{
    static ContractHandler handler = defaultContractHandler;
    return handler;
}
inline WarningHandler& warningHandlerSlot()
{
    static WarningHandler handler = defaultWarningHandler;
    return handler;
}

__attribute__((format(printf, 1, 2))) inline void logMessage(const char* format, ...)
{
    va_list args;
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
}

inline void warn(const char* message, const void* object)
{
    WarningHandler h = __atomic_load_n(&warningHandlerSlot(), __ATOMIC_ACQUIRE);
    h(message, object);
}

[[noreturn]] KDRV_COLD inline void contractFailed(ContractKind kind, const char* expression,
                                                  const char* file, int line)
{
    ContractViolation v = {kind, expression, file, line};
    ContractHandler h = __atomic_load_n(&contractHandlerSlot(), __ATOMIC_ACQUIRE);
    h(v);
    abort();
}

inline uint64_t monotonicNanos()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

inline void* allocate(size_t size) { return malloc(size); }
inline void deallocate(void* p, size_t) { free(p); }

// ---------------------------------------------------------------------------
// Threads

// Identifies a thread for lock-owner tracking; 0 is "no thread".
typedef uint64_t ThreadId;

inline ThreadId currentThreadId()
{
    // pthread_t is an integer on Linux and a pointer elsewhere: copy its bytes.
    pthread_t self = pthread_self();
    static_assert(sizeof(self) <= sizeof(ThreadId), "pthread_t wider than ThreadId");
    ThreadId id = 0;
    copyBytes(&id, &self, sizeof(self));
    return id;
}

inline void yieldThread() { sched_yield(); }

// Busy-wait step for the user-space spinning paths: exponential backoff
// (1, 2, 4, 8, 16 pauses), then give the CPU away on every call. Backing off
// quickly leaves the cache line to the holder, which is what maximizes
// throughput of an unfair lock, and yielding lets a preempted holder run
// (user threads, unlike kernel spin-lock holders, can be preempted).
inline void spinWait(uint32_t* step)
{
    if (*step < 5)
    {
        for (uint32_t i = 0, n = 1u << *step; i < n; ++i)
            cpuRelax();
        ++*step;
    }
    else
    {
        yieldThread();
    }
}

// Test hook: makes `thread`'s interruptible sleep (Mutex::sleep with
// SleepType::Interruptible) return WaitResult::Interrupted, as thread_abort
// does in the kernel. Returns false, changing nothing, if that thread is not
// in an interruptible sleep right now (there is no pending-abort state).
inline bool interruptSleepingThread(ThreadId thread)
{
    return posix_wait::interrupt(static_cast<uintptr_t>(thread));
}

// ---------------------------------------------------------------------------
// Spin lock

// The saved interrupt state. User space cannot mask interrupts: a no-op token.
typedef int InterruptState;

class RawSpinLock
{
public:
    constexpr RawSpinLock() : word_(0) {}
    KDRV_NONCOPYABLE(RawSpinLock);

    Status init() { return Status::Success; }
    void destroy() {}

    KDRV_INLINE void lock()
    {
        if (KDRV_LIKELY(word_.exchange(1, MemoryOrder::Acquire) == 0))
            return;
        lockSlow();
    }
    KDRV_INLINE bool tryLock()
    {
        // Test first: a failing try must not steal the line from the holder.
        return word_.load(MemoryOrder::Relaxed) == 0 &&
               word_.exchange(1, MemoryOrder::Acquire) == 0;
    }
    KDRV_INLINE void unlock() { word_.store(0, MemoryOrder::Release); }

    KDRV_INLINE InterruptState lockDisableInterrupts()
    {
        lock();
        return 1;
    }
    KDRV_INLINE void unlockRestoreInterrupts(InterruptState) { unlock(); }

private:
    KDRV_NOINLINE void lockSlow()
    {
        uint32_t spins = 0;
        do
        {
            while (word_.load(MemoryOrder::Relaxed) != 0)
                spinWait(&spins);
        } while (word_.exchange(1, MemoryOrder::Acquire) != 0);
    }

    AtomicU32 word_;
};

// ---------------------------------------------------------------------------
// Mutex with sleep/wakeup on an event address

class RawMutex
{
public:
    constexpr RawMutex() {}
    KDRV_NONCOPYABLE(RawMutex);

    Status init() { return Status::Success; }
    void destroy() {}

    KDRV_INLINE void lock() { pthread_mutex_lock(&mutex_); }
    KDRV_INLINE bool tryLock() { return pthread_mutex_trylock(&mutex_) == 0; }
    KDRV_INLINE void unlock() { pthread_mutex_unlock(&mutex_); }

    // Called with the mutex held. Registers on `event` before releasing the
    // mutex, so no wakeup issued after the release is lost. Returns the
    // THREAD_* wait result with the mutex held again.
    int sleep(const void* event, bool hasDeadline, uint64_t deadlineNanos, bool interruptible)
    {
        posix_wait::Waiter waiter;
        posix_wait::prepareWait(&waiter, event, static_cast<uintptr_t>(currentThreadId()),
                                interruptible);
        pthread_mutex_unlock(&mutex_);
        int result = posix_wait::finishWait(&waiter, hasDeadline, deadlineNanos);
        pthread_mutex_lock(&mutex_);
        return result;
    }
    void wakeup(const void* event, bool oneThread) { posix_wait::wake(event, oneThread); }

private:
    pthread_mutex_t mutex_ = PTHREAD_MUTEX_INITIALIZER;
};

// ---------------------------------------------------------------------------
// Recursive mutex

class RawRecursiveMutex
{
public:
    constexpr RawRecursiveMutex() : owner_(0), depth_(0) {}
    KDRV_NONCOPYABLE(RawRecursiveMutex);

    Status init() { return Status::Success; }
    void destroy() {}

    void lock()
    {
        ThreadId self = currentThreadId();
        // Only this thread ever stores `self` here, so a relaxed load suffices.
        if (owner_.load(MemoryOrder::Relaxed) == self)
        {
            ++depth_;
            return;
        }
        pthread_mutex_lock(&mutex_);
        owner_.store(self, MemoryOrder::Relaxed);
        depth_ = 1;
    }
    bool tryLock()
    {
        ThreadId self = currentThreadId();
        if (owner_.load(MemoryOrder::Relaxed) == self)
        {
            ++depth_;
            return true;
        }
        if (pthread_mutex_trylock(&mutex_) != 0)
            return false;
        owner_.store(self, MemoryOrder::Relaxed);
        depth_ = 1;
        return true;
    }
    void unlock()
    {
        if (--depth_ != 0)
            return;
        owner_.store(0, MemoryOrder::Relaxed);
        pthread_mutex_unlock(&mutex_);
    }
    bool heldByCaller() const { return owner_.load(MemoryOrder::Relaxed) == currentThreadId(); }

private:
    pthread_mutex_t mutex_ = PTHREAD_MUTEX_INITIALIZER;
    AtomicU64 owner_;
    uint32_t depth_; // guarded by mutex_
};

// ---------------------------------------------------------------------------
// Reader/writer lock
//
// Two words on one cache line:
//   flags_    kWriter:  a writer holds the lock or waits for readers to drain
//             kUpgrade: a reader is upgrading, or holds the lock after upgrading
//   readers_  readers holding the lock, plus readers briefly backing off
// A reader increments readers_ and then checks flags_; a writer sets kWriter
// and then checks readers_. Both sides use sequentially consistent RMWs and
// loads, so at least one sees the other (store-buffering is forbidden).
// Writers take priority: readers back off while any flag is set.
//
// Upgrade follows xnu's lck_rw_lock_shared_to_exclusive: one upgrader at a
// time. A second upgrader fails and its shared hold is DROPPED. A pending
// upgrade beats writers already waiting: they also wait for kUpgrade to clear.
//
// Waiters spin, then yield; the exclusive unlock is a plain release store,
// which is why the write path costs one RMW. A holder that blocks for long
// makes the waiters yield repeatedly rather than sleep.
class RawRWLock
{
public:
    constexpr RawRWLock() : flags_(0), readers_(0) {}
    KDRV_NONCOPYABLE(RawRWLock);

    Status init() { return Status::Success; }
    void destroy() {}

    KDRV_INLINE void readLock()
    {
        readers_.fetchAdd(1, MemoryOrder::SeqCst);
        if (KDRV_LIKELY(flags_.load(MemoryOrder::SeqCst) == 0))
            return;
        readLockSlow();
    }
    KDRV_INLINE bool tryReadLock()
    {
        if (flags_.load(MemoryOrder::Relaxed) != 0)
            return false;
        readers_.fetchAdd(1, MemoryOrder::SeqCst);
        if (KDRV_LIKELY(flags_.load(MemoryOrder::SeqCst) == 0))
            return true;
        readers_.fetchSub(1, MemoryOrder::Release);
        return false;
    }
    KDRV_INLINE void readUnlock() { readers_.fetchSub(1, MemoryOrder::Release); }

    KDRV_INLINE void writeLock()
    {
        uint32_t expected = 0;
        if (KDRV_LIKELY(flags_.compareExchange(&expected, kWriter, MemoryOrder::SeqCst,
                                               MemoryOrder::Relaxed)) &&
            KDRV_LIKELY(readers_.load(MemoryOrder::SeqCst) == 0))
            return;
        writeLockSlow(expected == 0);
    }
    KDRV_INLINE bool tryWriteLock()
    {
        uint32_t expected = 0;
        if (!flags_.compareExchange(&expected, kWriter, MemoryOrder::SeqCst, MemoryOrder::Relaxed))
            return false;
        if (KDRV_LIKELY(readers_.load(MemoryOrder::SeqCst) == 0))
            return true;
        // An upgrader may have set kUpgrade meanwhile: clear only our bit.
        flags_.fetchAnd(~kWriter, MemoryOrder::Release);
        return false;
    }
    KDRV_INLINE void writeUnlock()
    {
        // While a plain writer holds the lock, nobody holds it shared, so no
        // one can set kUpgrade and flags_ is exactly kWriter: a store suffices.
        if (KDRV_LIKELY(flags_.load(MemoryOrder::Relaxed) == kWriter))
            flags_.store(0, MemoryOrder::Release);
        else
            flags_.fetchAnd(~kUpgrade, MemoryOrder::Release); // we upgraded
    }

    // Shared -> exclusive. True: held exclusive. False: another upgrade was
    // pending and the caller's shared hold has been released.
    bool upgrade()
    {
        uint32_t f = flags_.load(MemoryOrder::Relaxed);
        for (;;)
        {
            if ((f & kUpgrade) != 0)
            {
                readers_.fetchSub(1, MemoryOrder::Release);
                return false;
            }
            if (flags_.compareExchangeWeak(&f, f | kUpgrade, MemoryOrder::SeqCst,
                                           MemoryOrder::Relaxed))
                break;
        }
        // New readers now back off; wait for the others to leave.
        readers_.fetchSub(1, MemoryOrder::SeqCst);
        uint32_t spins = 0;
        while (readers_.load(MemoryOrder::SeqCst) != 0)
            spinWait(&spins);
        return true;
    }

    // Exclusive -> shared, letting other readers in; never fails.
    void downgrade()
    {
        readers_.fetchAdd(1, MemoryOrder::SeqCst);
        writeUnlock();
    }

private:
    enum : uint32_t
    {
        kWriter = 1u,
        kUpgrade = 2u,
    };

    KDRV_NOINLINE void readLockSlow()
    {
        uint32_t spins = 0;
        for (;;)
        {
            readers_.fetchSub(1, MemoryOrder::Release);
            while (flags_.load(MemoryOrder::Relaxed) != 0)
                spinWait(&spins);
            readers_.fetchAdd(1, MemoryOrder::SeqCst);
            if (flags_.load(MemoryOrder::SeqCst) == 0)
                return;
        }
    }

    KDRV_NOINLINE void writeLockSlow(bool haveWriterBit)
    {
        uint32_t spins = 0;
        if (!haveWriterBit)
        {
            for (;;)
            {
                uint32_t f = flags_.load(MemoryOrder::Relaxed);
                if ((f & kWriter) == 0 &&
                    flags_.compareExchangeWeak(&f, f | kWriter, MemoryOrder::SeqCst,
                                               MemoryOrder::Relaxed))
                    break;
                spinWait(&spins);
            }
        }
        // kWriter is ours: wait for a pending upgrade to finish (flag first,
        // so a downgrade's reader increment is seen), then for readers.
        for (;;)
        {
            if ((flags_.load(MemoryOrder::SeqCst) & kUpgrade) == 0 &&
                readers_.load(MemoryOrder::SeqCst) == 0)
                return;
            spinWait(&spins);
        }
    }

    AtomicU32 flags_;
    AtomicU32 readers_;
};
} // namespace platform

// Installs a contract handler; returns the previous one. Passing nullptr
// restores the default (print and abort).
inline ContractHandler setContractHandler(ContractHandler h)
{
    if (h == nullptr)
        h = platform::defaultContractHandler;
    return __atomic_exchange_n(&platform::contractHandlerSlot(), h, __ATOMIC_ACQ_REL);
}

// Installs a warning handler; returns the previous one. nullptr restores the
// default (print to stderr).
inline WarningHandler setWarningHandler(WarningHandler h)
{
    if (h == nullptr)
        h = platform::defaultWarningHandler;
    return __atomic_exchange_n(&platform::warningHandlerSlot(), h, __ATOMIC_ACQ_REL);
}
} // namespace kdrv

#endif // KDRV_PLATFORM_POSIX_HPP
