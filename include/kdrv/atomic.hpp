// SPDX-License-Identifier: MIT
//
/// \file
/// Template-free atomics over the compiler's __atomic builtins, which exist in
/// both worlds and compile to single instructions for naturally aligned 4- and
/// 8-byte objects (never to libatomic calls, which the kernel does not export).
///
/// Every operation names its memory order; there is no default, so each call
/// site says which ordering it relies on.
#ifndef KDRV_ATOMIC_HPP
#define KDRV_ATOMIC_HPP

#include "kdrv/base.hpp" // for KDRV_INLINE, KDRV_NONCOPYABLE

namespace kdrv
{
enum class MemoryOrder : int
{
    Relaxed = __ATOMIC_RELAXED,
    Acquire = __ATOMIC_ACQUIRE,
    Release = __ATOMIC_RELEASE,
    AcqRel = __ATOMIC_ACQ_REL,
    SeqCst = __ATOMIC_SEQ_CST,
};
} // namespace kdrv

#if KDRV_CONFIG_MODEL_CHECK
// The same classes as steps of the model checker (config.hpp).
#include "kdrv/platform/model_atomic.hpp"
#else
namespace kdrv
{
#define KDRV_MO_(o) static_cast<int>(o)

/// One class per width, stamped out by a macro (Embedded C++ has no templates).
/// compareExchange updates *expected with the observed value on failure.
#define KDRV_DEFINE_ATOMIC_INTEGER_(Name, T)                                                       \
    class Name                                                                                     \
    {                                                                                              \
      public:                                                                                      \
        constexpr Name() : value_(0) {}                                                            \
        constexpr explicit Name(T v) : value_(v) {}                                                \
        KDRV_NONCOPYABLE(Name);                                                                    \
        KDRV_INLINE T load(MemoryOrder o) const { return __atomic_load_n(&value_, KDRV_MO_(o)); }  \
        KDRV_INLINE void store(T v, MemoryOrder o) { __atomic_store_n(&value_, v, KDRV_MO_(o)); }  \
        KDRV_INLINE T exchange(T v, MemoryOrder o)                                                 \
        {                                                                                          \
            return __atomic_exchange_n(&value_, v, KDRV_MO_(o));                                   \
        }                                                                                          \
        KDRV_INLINE T fetchAdd(T v, MemoryOrder o)                                                 \
        {                                                                                          \
            return __atomic_fetch_add(&value_, v, KDRV_MO_(o));                                    \
        }                                                                                          \
        KDRV_INLINE T fetchSub(T v, MemoryOrder o)                                                 \
        {                                                                                          \
            return __atomic_fetch_sub(&value_, v, KDRV_MO_(o));                                    \
        }                                                                                          \
        KDRV_INLINE T fetchAnd(T v, MemoryOrder o)                                                 \
        {                                                                                          \
            return __atomic_fetch_and(&value_, v, KDRV_MO_(o));                                    \
        }                                                                                          \
        KDRV_INLINE T fetchOr(T v, MemoryOrder o)                                                  \
        {                                                                                          \
            return __atomic_fetch_or(&value_, v, KDRV_MO_(o));                                     \
        }                                                                                          \
        KDRV_INLINE T fetchXor(T v, MemoryOrder o)                                                 \
        {                                                                                          \
            return __atomic_fetch_xor(&value_, v, KDRV_MO_(o));                                    \
        }                                                                                          \
        KDRV_INLINE T addFetch(T v, MemoryOrder o)                                                 \
        {                                                                                          \
            return __atomic_add_fetch(&value_, v, KDRV_MO_(o));                                    \
        }                                                                                          \
        KDRV_INLINE T subFetch(T v, MemoryOrder o)                                                 \
        {                                                                                          \
            return __atomic_sub_fetch(&value_, v, KDRV_MO_(o));                                    \
        }                                                                                          \
        KDRV_INLINE bool compareExchange(T* expected, T desired, MemoryOrder success,              \
                                         MemoryOrder failure)                                      \
        {                                                                                          \
            return __atomic_compare_exchange_n(&value_, expected, desired, false,                  \
                                               KDRV_MO_(success), KDRV_MO_(failure));              \
        }                                                                                          \
        KDRV_INLINE bool compareExchangeWeak(T* expected, T desired, MemoryOrder success,          \
                                             MemoryOrder failure)                                  \
        {                                                                                          \
            return __atomic_compare_exchange_n(&value_, expected, desired, true,                   \
                                               KDRV_MO_(success), KDRV_MO_(failure));              \
        }                                                                                          \
        /* Non-atomic access for single-owner phases (init, teardown). */                          \
        KDRV_INLINE T loadPlain() const { return value_; }                                         \
        KDRV_INLINE void storePlain(T v) { value_ = v; }                                           \
                                                                                                   \
      private:                                                                                     \
        T value_;                                                                                  \
    };                                                                                             \
    static_assert(sizeof(Name) == sizeof(T), #Name " must be exactly one " #T);                    \
    static_assert(alignof(Name) == sizeof(T), #Name " must be naturally aligned")

KDRV_DEFINE_ATOMIC_INTEGER_(AtomicU32, uint32_t);
KDRV_DEFINE_ATOMIC_INTEGER_(AtomicI32, int32_t);
KDRV_DEFINE_ATOMIC_INTEGER_(AtomicU64, uint64_t);
KDRV_DEFINE_ATOMIC_INTEGER_(AtomicI64, int64_t);

#undef KDRV_DEFINE_ATOMIC_INTEGER_

/// An atomic void*. Callers cast; there is no typed variant without templates.
class AtomicPtr
{
  public:
    constexpr AtomicPtr() : value_(nullptr) {}
    constexpr explicit AtomicPtr(void* v) : value_(v) {}
    KDRV_NONCOPYABLE(AtomicPtr);
    KDRV_INLINE void* load(MemoryOrder o) const { return __atomic_load_n(&value_, KDRV_MO_(o)); }
    KDRV_INLINE void store(void* v, MemoryOrder o) { __atomic_store_n(&value_, v, KDRV_MO_(o)); }
    KDRV_INLINE void* exchange(void* v, MemoryOrder o)
    {
        return __atomic_exchange_n(&value_, v, KDRV_MO_(o));
    }
    KDRV_INLINE bool compareExchange(void** expected, void* desired, MemoryOrder success,
                                     MemoryOrder failure)
    {
        return __atomic_compare_exchange_n(&value_, expected, desired, false, KDRV_MO_(success),
                                           KDRV_MO_(failure));
    }

  private:
    void* value_;
};
static_assert(sizeof(AtomicPtr) == sizeof(void*), "AtomicPtr must be exactly one pointer");

/// An atomic flag for test-and-set locks; one byte so it can share a word.
class AtomicFlag
{
  public:
    constexpr AtomicFlag() : value_(0) {}
    KDRV_NONCOPYABLE(AtomicFlag);
    /// Returns the previous state.
    KDRV_INLINE bool testAndSet(MemoryOrder o)
    {
        return __atomic_exchange_n(&value_, uint8_t(1), KDRV_MO_(o)) != 0;
    }
    KDRV_INLINE bool test(MemoryOrder o) const
    {
        return __atomic_load_n(&value_, KDRV_MO_(o)) != 0;
    }
    KDRV_INLINE void clear(MemoryOrder o) { __atomic_store_n(&value_, uint8_t(0), KDRV_MO_(o)); }

  private:
    uint8_t value_;
};

KDRV_INLINE void atomicFence(MemoryOrder o) { __atomic_thread_fence(KDRV_MO_(o)); }
/// Orders against a signal or interrupt handler on the same CPU; emits no instruction.
KDRV_INLINE void compilerFence(MemoryOrder o) { __atomic_signal_fence(KDRV_MO_(o)); }

/// Spin-wait hint: lets the sibling hyperthread run and saves power.
KDRV_INLINE void cpuRelax()
{
#if defined(__x86_64__) || defined(__i386__)
    __asm__ __volatile__("pause" ::: "memory");
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield" ::: "memory");
#else
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
#endif
}

#undef KDRV_MO_
} // namespace kdrv
#endif // KDRV_CONFIG_MODEL_CHECK

#endif // KDRV_ATOMIC_HPP
