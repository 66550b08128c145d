// SPDX-License-Identifier: MIT
//
/// \file
/// The atomics of atomic.hpp for the model-checking build
/// (KDRV_CONFIG_MODEL_CHECK=1, see config.hpp): the same classes and
/// signatures, each operation a step of the Relacy Race Detector, so the
/// unchanged algorithms (detail/, the blocks) run under its schedulers and
/// its memory model. Included by atomic.hpp only; never part of a kext or of
/// a normal build.
///
/// Every operation takes a hidden last argument, the caller's source
/// location (clang's __builtin_FILE/__builtin_LINE), so a reported history
/// names the algorithm's line, not this header's. The objects are not
/// constant-initializable (Relacy registers each one when it is built), so
/// the model build compiles with clang and -Wno-invalid-constexpr, and every
/// object must be built inside a simulation (as a member of a test).
#ifndef KDRV_PLATFORM_MODEL_ATOMIC_HPP
#define KDRV_PLATFORM_MODEL_ATOMIC_HPP

#if !KDRV_CONFIG_MODEL_CHECK
#error "kdrv/platform/model_atomic.hpp is for the model-checking build only"
#endif
#if defined(KERNEL)
#error "the model-checking build is user space only"
#endif

#include "kdrv/platform/model_relacy.hpp" // for rl::atomic, rl::debug_info

namespace kdrv
{
namespace model
{
#define KDRV_MODEL_SITE_                                                                           \
    const ::rl::debug_info& site_ =                                                                \
        ::rl::debug_info(__builtin_FUNCTION(), __builtin_FILE(), __builtin_LINE())

inline ::rl::memory_order order(MemoryOrder o)
{
    switch (o)
    {
    case MemoryOrder::Relaxed:
        return ::rl::mo_relaxed;
    case MemoryOrder::Acquire:
        return ::rl::mo_acquire;
    case MemoryOrder::Release:
        return ::rl::mo_release;
    case MemoryOrder::AcqRel:
        return ::rl::mo_acq_rel;
    case MemoryOrder::SeqCst:
        break;
    }
    return ::rl::mo_seq_cst;
}

/// A CAS failure order may not be stronger than its success order in C++11;
/// Relacy checks that too, and kdrv's call sites obey it.
} // namespace model

#define KDRV_MODEL_ATOMIC_INTEGER_(Name, T)                                                        \
    class Name                                                                                     \
    {                                                                                              \
      public:                                                                                      \
        Name() { value_.store(0, ::rl::mo_relaxed, KDRV_MODEL_HERE_); }                            \
        explicit Name(T v) { value_.store(v, ::rl::mo_relaxed, KDRV_MODEL_HERE_); }                \
        KDRV_NONCOPYABLE(Name);                                                                    \
        T load(MemoryOrder o, KDRV_MODEL_SITE_) const                                              \
        {                                                                                          \
            return value_.load(model::order(o), site_);                                            \
        }                                                                                          \
        void store(T v, MemoryOrder o, KDRV_MODEL_SITE_)                                           \
        {                                                                                          \
            value_.store(v, model::order(o), site_);                                               \
        }                                                                                          \
        T exchange(T v, MemoryOrder o, KDRV_MODEL_SITE_)                                           \
        {                                                                                          \
            return value_.exchange(v, model::order(o), site_);                                     \
        }                                                                                          \
        T fetchAdd(T v, MemoryOrder o, KDRV_MODEL_SITE_)                                           \
        {                                                                                          \
            return value_.fetch_add(v, model::order(o), site_);                                    \
        }                                                                                          \
        T fetchSub(T v, MemoryOrder o, KDRV_MODEL_SITE_)                                           \
        {                                                                                          \
            return value_.fetch_sub(v, model::order(o), site_);                                    \
        }                                                                                          \
        T fetchAnd(T v, MemoryOrder o, KDRV_MODEL_SITE_)                                           \
        {                                                                                          \
            return value_.fetch_and(v, model::order(o), site_);                                    \
        }                                                                                          \
        T fetchOr(T v, MemoryOrder o, KDRV_MODEL_SITE_)                                            \
        {                                                                                          \
            return value_.fetch_or(v, model::order(o), site_);                                     \
        }                                                                                          \
        T fetchXor(T v, MemoryOrder o, KDRV_MODEL_SITE_)                                           \
        {                                                                                          \
            return value_.fetch_xor(v, model::order(o), site_);                                    \
        }                                                                                          \
        T addFetch(T v, MemoryOrder o, KDRV_MODEL_SITE_)                                           \
        {                                                                                          \
            return T(value_.fetch_add(v, model::order(o), site_) + v);                             \
        }                                                                                          \
        T subFetch(T v, MemoryOrder o, KDRV_MODEL_SITE_)                                           \
        {                                                                                          \
            return T(value_.fetch_sub(v, model::order(o), site_) - v);                             \
        }                                                                                          \
        bool compareExchange(T* expected, T desired, MemoryOrder success, MemoryOrder failure,     \
                             KDRV_MODEL_SITE_)                                                     \
        {                                                                                          \
            return value_.compare_exchange_strong(*expected, desired, model::order(success),       \
                                                  site_, model::order(failure), site_);            \
        }                                                                                          \
        bool compareExchangeWeak(T* expected, T desired, MemoryOrder success, MemoryOrder failure, \
                                 KDRV_MODEL_SITE_)                                                 \
        {                                                                                          \
            return value_.compare_exchange_weak(*expected, desired, model::order(success), site_,  \
                                                model::order(failure), site_);                     \
        }                                                                                          \
        /* Single-owner phases: relaxed steps, so a racing use is still seen. */                   \
        T loadPlain(KDRV_MODEL_SITE_) const { return value_.load(::rl::mo_relaxed, site_); }       \
        void storePlain(T v, KDRV_MODEL_SITE_) { value_.store(v, ::rl::mo_relaxed, site_); }       \
                                                                                                   \
      private:                                                                                     \
        ::rl::atomic<T> value_;                                                                    \
    }

#define KDRV_MODEL_HERE_ ::rl::debug_info(__builtin_FUNCTION(), __builtin_FILE(), __builtin_LINE())

KDRV_MODEL_ATOMIC_INTEGER_(AtomicU32, uint32_t);
KDRV_MODEL_ATOMIC_INTEGER_(AtomicI32, int32_t);
KDRV_MODEL_ATOMIC_INTEGER_(AtomicU64, uint64_t);
KDRV_MODEL_ATOMIC_INTEGER_(AtomicI64, int64_t);

#undef KDRV_MODEL_ATOMIC_INTEGER_

class AtomicPtr
{
  public:
    AtomicPtr() { value_.store(nullptr, ::rl::mo_relaxed, KDRV_MODEL_HERE_); }
    explicit AtomicPtr(void* v) { value_.store(v, ::rl::mo_relaxed, KDRV_MODEL_HERE_); }
    KDRV_NONCOPYABLE(AtomicPtr);
    void* load(MemoryOrder o, KDRV_MODEL_SITE_) const
    {
        return value_.load(model::order(o), site_);
    }
    void store(void* v, MemoryOrder o, KDRV_MODEL_SITE_)
    {
        value_.store(v, model::order(o), site_);
    }
    void* exchange(void* v, MemoryOrder o, KDRV_MODEL_SITE_)
    {
        return value_.exchange(v, model::order(o), site_);
    }
    bool compareExchange(void** expected, void* desired, MemoryOrder success, MemoryOrder failure,
                         KDRV_MODEL_SITE_)
    {
        return value_.compare_exchange_strong(*expected, desired, model::order(success), site_,
                                              model::order(failure), site_);
    }

  private:
    ::rl::atomic<void*> value_;
};

class AtomicFlag
{
  public:
    AtomicFlag() { value_.store(0, ::rl::mo_relaxed, KDRV_MODEL_HERE_); }
    KDRV_NONCOPYABLE(AtomicFlag);
    bool testAndSet(MemoryOrder o, KDRV_MODEL_SITE_)
    {
        return value_.exchange(1, model::order(o), site_) != 0;
    }
    bool test(MemoryOrder o, KDRV_MODEL_SITE_) const
    {
        return value_.load(model::order(o), site_) != 0;
    }
    void clear(MemoryOrder o, KDRV_MODEL_SITE_) { value_.store(0, model::order(o), site_); }

  private:
    ::rl::atomic<uint32_t> value_;
};

inline void atomicFence(MemoryOrder o, KDRV_MODEL_SITE_)
{
    ::rl::atomic_thread_fence(model::order(o), site_);
}
inline void compilerFence(MemoryOrder o, KDRV_MODEL_SITE_)
{
    ::rl::atomic_signal_fence(model::order(o), site_);
}

/// A spin-wait step is a scheduling point the checker knows is a wait, so a
/// loop that never ends is reported as a livelock.
inline void cpuRelax(KDRV_MODEL_SITE_) { ::rl::yield(1, site_); }

#undef KDRV_MODEL_SITE_
} // namespace kdrv

#endif // KDRV_PLATFORM_MODEL_ATOMIC_HPP
