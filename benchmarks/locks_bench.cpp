// SPDX-License-Identifier: MIT
//
// Locks: lock + tiny critical section + unlock, uncontended and with two
// pinned threads on one lock, kdrv next to its peers.
//   spinlock.*   kdrv SpinLock (TTAS), a plain TAS reference, pthread_spin,
//                tbb::spin_mutex, absl SpinLock, rte_spinlock, ck_spinlock_fas;
//                try_lock success and failure
//   mutex.*      kdrv Mutex, std::mutex, pthread_mutex (adaptive),
//                tbb::mutex, absl::Mutex (deadlock detection off)
//   rwlock.*     read-only, write-only and a 90/10 mix: kdrv RWLock,
//                pthread_rwlock, std::shared_mutex, tbb::spin_rw_mutex,
//                ck_rwlock; liburcu's read side as the reader floor
// Fair (ticket/MCS) locks are left out: with two vCPUs shared by other work
// they collapse whenever a holder is descheduled (performance.md).
#include "bench_support.hpp"

#include "kdrv/mutex.hpp"
#include "kdrv/rwlock.hpp"
#include "kdrv/spinlock.hpp"

#include <pthread.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <shared_mutex>

#if KDRV_BENCH_HAVE_TBB
#include <oneapi/tbb/mutex.h>
#include <oneapi/tbb/spin_mutex.h>
#include <oneapi/tbb/spin_rw_mutex.h>
#endif
#if KDRV_BENCH_HAVE_ABSL
#include <absl/base/internal/spinlock.h>
#include <absl/synchronization/mutex.h>
#endif
#if KDRV_BENCH_HAVE_DPDK
#include <rte_spinlock.h>
#endif
#if KDRV_BENCH_HAVE_CK
#include <ck_rwlock.h>
#include <ck_spinlock.h>
#endif
#if KDRV_BENCH_HAVE_URCU
#define _LGPL_SOURCE 1 // inline read side, as liburcu intends for speed
#include <urcu.h>
#endif

namespace
{
void requireSuccess(kdrv::Status s)
{
    if (s != kdrv::Status::Success)
        std::abort();
}

// The data every critical section touches: on its own line, away from locks
// that are not padded by their authors.
struct alignas(64) Shared
{
    uint64_t value = 0;
};

// ---------------------------------------------------------------------------
// Adapters: one object per lock kind, shared by the benchmark's threads.

struct KdrvSpin
{
    KdrvSpin() { requireSuccess(lock_.init()); }
    void lock() { lock_.lock(); }
    void unlock() { lock_.unlock(); }
    bool tryLock() { return lock_.tryLock(); }
    alignas(64) kdrv::SpinLock lock_;
};

// A plain test-and-set reference (exchange loop, store release).
struct TasSpin
{
    void lock()
    {
        while (flag_.exchange(1, std::memory_order_acquire) != 0)
        {
        }
    }
    void unlock() { flag_.store(0, std::memory_order_release); }
    bool tryLock() { return flag_.exchange(1, std::memory_order_acquire) == 0; }
    alignas(64) std::atomic<int> flag_{0};
};

struct PthreadSpin
{
    PthreadSpin() { pthread_spin_init(&lock_, PTHREAD_PROCESS_PRIVATE); }
    void lock() { pthread_spin_lock(&lock_); }
    void unlock() { pthread_spin_unlock(&lock_); }
    bool tryLock() { return pthread_spin_trylock(&lock_) == 0; }
    alignas(64) pthread_spinlock_t lock_;
};

#if KDRV_BENCH_HAVE_TBB
struct TbbSpin
{
    void lock() { lock_.lock(); }
    void unlock() { lock_.unlock(); }
    bool tryLock() { return lock_.try_lock(); }
    alignas(64) tbb::spin_mutex lock_;
};
#endif

#if KDRV_BENCH_HAVE_ABSL
struct AbslSpin
{
    void lock() { lock_.Lock(); }
    void unlock() { lock_.Unlock(); }
    bool tryLock() { return lock_.TryLock(); }
    alignas(64) absl::base_internal::SpinLock lock_;
};
#endif

#if KDRV_BENCH_HAVE_DPDK
struct RteSpin
{
    RteSpin() { rte_spinlock_init(&lock_); }
    void lock() { rte_spinlock_lock(&lock_); }
    void unlock() { rte_spinlock_unlock(&lock_); }
    bool tryLock() { return rte_spinlock_trylock(&lock_) != 0; }
    alignas(64) rte_spinlock_t lock_;
};
#endif

#if KDRV_BENCH_HAVE_CK
struct CkFasSpin
{
    CkFasSpin() { ck_spinlock_fas_init(&lock_); }
    void lock() { ck_spinlock_fas_lock(&lock_); }
    void unlock() { ck_spinlock_fas_unlock(&lock_); }
    bool tryLock() { return ck_spinlock_fas_trylock(&lock_); }
    alignas(64) ck_spinlock_fas_t lock_;
};
#endif

struct KdrvMutex
{
    KdrvMutex() { requireSuccess(lock_.init()); }
    void lock() { lock_.lock(); }
    void unlock() { lock_.unlock(); }
    alignas(64) kdrv::Mutex lock_;
};

struct StdMutex
{
    void lock() { lock_.lock(); }
    void unlock() { lock_.unlock(); }
    alignas(64) std::mutex lock_;
};

struct PthreadAdaptiveMutex
{
    PthreadAdaptiveMutex()
    {
        pthread_mutexattr_t attr;
        pthread_mutexattr_init(&attr);
        pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
        pthread_mutex_init(&lock_, &attr);
        pthread_mutexattr_destroy(&attr);
    }
    void lock() { pthread_mutex_lock(&lock_); }
    void unlock() { pthread_mutex_unlock(&lock_); }
    alignas(64) pthread_mutex_t lock_;
};

#if KDRV_BENCH_HAVE_TBB
struct TbbMutex
{
    void lock() { lock_.lock(); }
    void unlock() { lock_.unlock(); }
    alignas(64) tbb::mutex lock_;
};
#endif

#if KDRV_BENCH_HAVE_ABSL
struct AbslMutex
{
    AbslMutex()
    {
        // performance.md: Debian's abseil checks for deadlocks by default.
        absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
    }
    void lock() { lock_.Lock(); }
    void unlock() { lock_.Unlock(); }
    alignas(64) absl::Mutex lock_;
};
#endif

struct KdrvRW
{
    KdrvRW() { requireSuccess(lock_.init()); }
    void readLock() { lock_.readLock(); }
    void readUnlock() { lock_.readUnlock(); }
    void writeLock() { lock_.writeLock(); }
    void writeUnlock() { lock_.writeUnlock(); }
    alignas(64) kdrv::RWLock lock_;
};

struct PthreadRW
{
    void readLock() { pthread_rwlock_rdlock(&lock_); }
    void readUnlock() { pthread_rwlock_unlock(&lock_); }
    void writeLock() { pthread_rwlock_wrlock(&lock_); }
    void writeUnlock() { pthread_rwlock_unlock(&lock_); }
    alignas(64) pthread_rwlock_t lock_ = PTHREAD_RWLOCK_INITIALIZER;
};

struct StdSharedMutex
{
    void readLock() { lock_.lock_shared(); }
    void readUnlock() { lock_.unlock_shared(); }
    void writeLock() { lock_.lock(); }
    void writeUnlock() { lock_.unlock(); }
    alignas(64) std::shared_mutex lock_;
};

#if KDRV_BENCH_HAVE_TBB
struct TbbSpinRW
{
    void readLock() { lock_.lock_shared(); }
    void readUnlock() { lock_.unlock_shared(); }
    void writeLock() { lock_.lock(); }
    void writeUnlock() { lock_.unlock(); }
    alignas(64) tbb::spin_rw_mutex lock_;
};
#endif

#if KDRV_BENCH_HAVE_CK
struct CkRW
{
    CkRW() { ck_rwlock_init(&lock_); }
    void readLock() { ck_rwlock_read_lock(&lock_); }
    void readUnlock() { ck_rwlock_read_unlock(&lock_); }
    void writeLock() { ck_rwlock_write_lock(&lock_); }
    void writeUnlock() { ck_rwlock_write_unlock(&lock_); }
    alignas(64) ck_rwlock_t lock_;
};
#endif

// One instance per adapter type, shared by all threads of a benchmark.
template <class Lock> Lock& instance()
{
    static Lock lock;
    return lock;
}
template <class Lock> Shared& sharedData()
{
    static Shared data;
    return data;
}

// ---------------------------------------------------------------------------
// Benchmark bodies

template <class Lock> void lockUnlock(benchmark::State& state)
{
    Lock& lock = instance<Lock>();
    Shared& data = sharedData<Lock>();
    kdrvbench::pinIfThreaded(state);
    for (auto _ : state)
    {
        lock.lock();
        ++data.value;
        benchmark::ClobberMemory();
        lock.unlock();
    }
    kdrvbench::finishPerOperation(state);
}

template <class Lock> void tryLockSuccess(benchmark::State& state)
{
    Lock& lock = instance<Lock>();
    Shared& data = sharedData<Lock>();
    for (auto _ : state)
    {
        if (lock.tryLock())
        {
            ++data.value;
            benchmark::ClobberMemory();
            lock.unlock();
        }
    }
    kdrvbench::finishPerOperation(state);
}

// The lock is held by the benchmark itself: every try fails.
template <class Lock> void tryLockFailure(benchmark::State& state)
{
    Lock& lock = instance<Lock>();
    lock.lock();
    for (auto _ : state)
        benchmark::DoNotOptimize(lock.tryLock());
    lock.unlock();
    kdrvbench::finishPerOperation(state);
}

template <class Lock> void readLockUnlock(benchmark::State& state)
{
    Lock& lock = instance<Lock>();
    Shared& data = sharedData<Lock>();
    kdrvbench::pinIfThreaded(state);
    for (auto _ : state)
    {
        lock.readLock();
        benchmark::DoNotOptimize(data.value);
        lock.readUnlock();
    }
    kdrvbench::finishPerOperation(state);
}

template <class Lock> void writeLockUnlock(benchmark::State& state)
{
    Lock& lock = instance<Lock>();
    Shared& data = sharedData<Lock>();
    kdrvbench::pinIfThreaded(state);
    for (auto _ : state)
    {
        lock.writeLock();
        ++data.value;
        benchmark::ClobberMemory();
        lock.writeUnlock();
    }
    kdrvbench::finishPerOperation(state);
}

// Nine reads, then one write.
template <class Lock> void mixedReadWrite(benchmark::State& state)
{
    Lock& lock = instance<Lock>();
    Shared& data = sharedData<Lock>();
    kdrvbench::pinIfThreaded(state);
    unsigned i = 0;
    for (auto _ : state)
    {
        if (++i == 10)
        {
            i = 0;
            lock.writeLock();
            ++data.value;
            benchmark::ClobberMemory();
            lock.writeUnlock();
        }
        else
        {
            lock.readLock();
            benchmark::DoNotOptimize(data.value);
            lock.readUnlock();
        }
    }
    kdrvbench::finishPerOperation(state);
}

#if KDRV_BENCH_HAVE_URCU
// The RCU read side: what a reader costs when it never writes shared state.
void rcuRead(benchmark::State& state)
{
    Shared& data = sharedData<Shared>();
    kdrvbench::pinIfThreaded(state);
    rcu_register_thread();
    for (auto _ : state)
    {
        rcu_read_lock();
        benchmark::DoNotOptimize(data.value);
        rcu_read_unlock();
    }
    rcu_unregister_thread();
    kdrvbench::finishPerOperation(state);
}
#endif
} // namespace

#define KDRV_LOCK_BENCH_(body, path, Lock, name)                                                   \
    BENCHMARK_TEMPLATE(body, Lock)->Name(path "/" name);                                           \
    BENCHMARK_TEMPLATE(body, Lock)->Name(path "_2t/" name)->Threads(2)->UseRealTime()

#define KDRV_SPIN_BENCH_(Lock, name)                                                               \
    KDRV_LOCK_BENCH_(lockUnlock, "spinlock.lock_unlock", Lock, name);                              \
    BENCHMARK_TEMPLATE(tryLockSuccess, Lock)->Name("spinlock.try_lock_success/" name);             \
    BENCHMARK_TEMPLATE(tryLockFailure, Lock)->Name("spinlock.try_lock_failure/" name)

KDRV_SPIN_BENCH_(KdrvSpin, "kdrv");
KDRV_SPIN_BENCH_(TasSpin, "tas_reference");
KDRV_SPIN_BENCH_(PthreadSpin, "pthread_spin");
#if KDRV_BENCH_HAVE_TBB
KDRV_SPIN_BENCH_(TbbSpin, "tbb_spin_mutex");
#endif
#if KDRV_BENCH_HAVE_ABSL
KDRV_SPIN_BENCH_(AbslSpin, "absl_spinlock");
#endif
#if KDRV_BENCH_HAVE_DPDK
KDRV_SPIN_BENCH_(RteSpin, "rte_spinlock");
#endif
#if KDRV_BENCH_HAVE_CK
KDRV_SPIN_BENCH_(CkFasSpin, "ck_spinlock_fas");
#endif

KDRV_LOCK_BENCH_(lockUnlock, "mutex.lock_unlock", KdrvMutex, "kdrv");
KDRV_LOCK_BENCH_(lockUnlock, "mutex.lock_unlock", StdMutex, "std_mutex");
KDRV_LOCK_BENCH_(lockUnlock, "mutex.lock_unlock", PthreadAdaptiveMutex, "pthread_mutex_adaptive");
#if KDRV_BENCH_HAVE_TBB
KDRV_LOCK_BENCH_(lockUnlock, "mutex.lock_unlock", TbbMutex, "tbb_mutex");
#endif
#if KDRV_BENCH_HAVE_ABSL
KDRV_LOCK_BENCH_(lockUnlock, "mutex.lock_unlock", AbslMutex, "absl_mutex");
#endif

#define KDRV_RW_BENCH_(Lock, name)                                                                 \
    KDRV_LOCK_BENCH_(readLockUnlock, "rwlock.read", Lock, name);                                   \
    KDRV_LOCK_BENCH_(writeLockUnlock, "rwlock.write", Lock, name);                                 \
    KDRV_LOCK_BENCH_(mixedReadWrite, "rwlock.mix90_10", Lock, name)

KDRV_RW_BENCH_(KdrvRW, "kdrv");
KDRV_RW_BENCH_(PthreadRW, "pthread_rwlock");
KDRV_RW_BENCH_(StdSharedMutex, "std_shared_mutex");
#if KDRV_BENCH_HAVE_TBB
KDRV_RW_BENCH_(TbbSpinRW, "tbb_spin_rw_mutex");
#endif
#if KDRV_BENCH_HAVE_CK
KDRV_RW_BENCH_(CkRW, "ck_rwlock");
#endif
#if KDRV_BENCH_HAVE_URCU
BENCHMARK(rcuRead)->Name("rwlock.read_rcu_floor/liburcu");
BENCHMARK(rcuRead)->Name("rwlock.read_rcu_floor_2t/liburcu")->Threads(2)->UseRealTime();
#endif
