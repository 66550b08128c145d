// SPDX-License-Identifier: MIT
//
/// \file
/// Fixed-width types and portable attribute macros. Kernel-visible: includes
/// only the C headers the kernel ships (stddef.h, stdint.h).
#ifndef KDRV_BASE_HPP
#define KDRV_BASE_HPP

#include <stddef.h> // size_t, ptrdiff_t
#include <stdint.h> // uint32_t ...

#include "kdrv/config.hpp" // for KDRV_CPLUSPLUS, KDRV_CONFIG_CACHE_LINE

#ifdef __has_attribute
#define KDRV_HAS_ATTRIBUTE(x) __has_attribute(x)
#else
#define KDRV_HAS_ATTRIBUTE(x) 0
#endif

/// Always inlined: hot paths must not depend on the inliner's mood at -O0/-Os.
#define KDRV_INLINE inline __attribute__((always_inline))
#define KDRV_NOINLINE __attribute__((noinline))
#define KDRV_COLD __attribute__((cold, noinline))

#define KDRV_LIKELY(x) __builtin_expect(!!(x), 1)
#define KDRV_UNLIKELY(x) __builtin_expect(!!(x), 0)

// [[nodiscard]] on functions; the GNU attribute before C++17 so that C++11
// builds warn too.
#if KDRV_CPLUSPLUS >= 201703L
#define KDRV_NODISCARD [[nodiscard]]
#define KDRV_NODISCARD_TYPE [[nodiscard]]
#else
#define KDRV_NODISCARD __attribute__((warn_unused_result))
#define KDRV_NODISCARD_TYPE
#endif

#if KDRV_CPLUSPLUS >= 201402L
#define KDRV_CONSTEXPR14 constexpr
#else
#define KDRV_CONSTEXPR14 inline
#endif

// Constant initialization of globals and statics (no static-init section, no
// guard variable). On GCC before C++20 this expands to nothing: a constexpr
// constructor with constant arguments still gives constant initialization.
// Write it first: `KDRV_CONST_INIT static kdrv::Mutex lock;` (after `static`,
// clang's attribute would apply to the type and fail to compile).
#if KDRV_CPLUSPLUS >= 202002L && defined(__cpp_constinit)
#define KDRV_CONST_INIT constinit
#elif defined(__clang__)
#define KDRV_CONST_INIT [[clang::require_constant_initialization]]
#else
#define KDRV_CONST_INIT
#endif

/// Element count of a true array. Division by zero (a compile error in a
/// constant expression) catches the commonest misuse, a pointer to a type
/// whose size does not divide the pointer size.
#define KDRV_COUNTOF(a)                                                                            \
    (sizeof(a) / sizeof((a)[0]) / static_cast<size_t>(!(sizeof(a) % sizeof((a)[0]))))

// Clang thread-safety analysis (-Wthread-safety). No effect elsewhere.
#if defined(__clang__) && KDRV_HAS_ATTRIBUTE(capability)
#define KDRV_TSA(x) __attribute__((x))
#else
#define KDRV_TSA(x)
#endif
#define KDRV_CAPABILITY(name) KDRV_TSA(capability(name))
#define KDRV_SCOPED_CAPABILITY KDRV_TSA(scoped_lockable)
#define KDRV_GUARDED_BY(x) KDRV_TSA(guarded_by(x))
#define KDRV_PT_GUARDED_BY(x) KDRV_TSA(pt_guarded_by(x))
#define KDRV_ACQUIRE(...) KDRV_TSA(acquire_capability(__VA_ARGS__))
#define KDRV_ACQUIRE_SHARED(...) KDRV_TSA(acquire_shared_capability(__VA_ARGS__))
#define KDRV_RELEASE(...) KDRV_TSA(release_capability(__VA_ARGS__))
#define KDRV_RELEASE_SHARED(...) KDRV_TSA(release_shared_capability(__VA_ARGS__))
#define KDRV_RELEASE_GENERIC(...) KDRV_TSA(release_generic_capability(__VA_ARGS__))
#define KDRV_TRY_ACQUIRE(...) KDRV_TSA(try_acquire_capability(__VA_ARGS__))
#define KDRV_TRY_ACQUIRE_SHARED(...) KDRV_TSA(try_acquire_shared_capability(__VA_ARGS__))
#define KDRV_REQUIRES(...) KDRV_TSA(requires_capability(__VA_ARGS__))
#define KDRV_REQUIRES_SHARED(...) KDRV_TSA(requires_shared_capability(__VA_ARGS__))
#define KDRV_EXCLUDES(...) KDRV_TSA(locks_excluded(__VA_ARGS__))
#define KDRV_ASSERT_CAPABILITY(x) KDRV_TSA(assert_capability(x))
#define KDRV_NO_THREAD_SAFETY_ANALYSIS KDRV_TSA(no_thread_safety_analysis)

/// Deleted copy operations for lock, guard and ring types.
#define KDRV_NONCOPYABLE(Type)                                                                     \
    Type(const Type&) = delete;                                                                    \
    Type& operator=(const Type&) = delete

// Cache-line alignment, for a driver's own globals and statics only; no kdrv
// type uses it (see CachePad below for why, and what kdrv does instead).
#define KDRV_CACHE_ALIGNED alignas(KDRV_CONFIG_CACHE_LINE)

namespace kdrv
{
/// Which contract macro fired (contract.hpp).
enum class ContractKind : int
{
    Precondition = 1,
    Postcondition = 2,
    Assertion = 3,
};

/// Memory functions through builtins: kernel code must not include <string.h>;
/// the builtins lower to the kernel's exported memcpy/memmove/memset/memcmp.
KDRV_INLINE void copyBytes(void* dst, const void* src, size_t n) { __builtin_memcpy(dst, src, n); }
KDRV_INLINE void moveBytes(void* dst, const void* src, size_t n) { __builtin_memmove(dst, src, n); }
KDRV_INLINE void fillBytes(void* dst, int value, size_t n) { __builtin_memset(dst, value, n); }
KDRV_INLINE void zeroBytes(void* dst, size_t n) { __builtin_memset(dst, 0, n); }
KDRV_INLINE int compareBytes(const void* a, const void* b, size_t n)
{
    return __builtin_memcmp(a, b, n);
}

/// The largest alignment any kdrv type has (the ring and queue headers
/// static_assert it): what OSObject's operator new and the kernel's plain
/// operator new promise. An over-aligned type is a trap in a kext, and so is
/// every class that holds one, since alignment is inherited: at C++17 `new`
/// of such a class calls the aligned operator new (`operator new(size_t,
/// std::align_val_t)`), which the kernel does not export, so the kext does
/// not load; at C++11, and for any OSObject subclass (whose class operator
/// new takes no alignment), `new` silently returns memory aligned to 16
/// bytes only. Neither is a question of cost.
constexpr size_t kMaxTypeAlignment = 16;

/// Padding that keeps data written by different cores on different cache
/// lines without over-aligning anything: two fields separated by a CachePad
/// are at least KDRV_CONFIG_CACHE_LINE bytes apart, so no line (nor x86's
/// adjacent-line pair, at the default 128) holds both, wherever the
/// enclosing object lands. A hot field group with a CachePad before and
/// after it shares its lines with nothing else. The cost is the padding's
/// size; alignment, and so `new`, is untouched. A union, so that its
/// constexpr constructor (needed for constant-initialized rings) sets an
/// empty member and writes no bytes: no memset, not even at -O0.
union CachePad
{
    struct Nothing
    {
    };
    constexpr CachePad() : nothing() {}
    Nothing nothing;
    uint8_t bytes[KDRV_CONFIG_CACHE_LINE];
};
static_assert(alignof(CachePad) == 1, "CachePad must not raise alignment");

constexpr bool isPowerOfTwo32(uint32_t x) { return x != 0 && (x & (x - 1)) == 0; }
constexpr bool isPowerOfTwo64(uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }
constexpr uint32_t min32(uint32_t a, uint32_t b) { return a < b ? a : b; }
constexpr uint32_t max32(uint32_t a, uint32_t b) { return a > b ? a : b; }
constexpr uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }
constexpr uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }

/// Overflow-checked arithmetic, as the builtins: true means it overflowed
/// (and *out holds the wrapped value). Used wherever a size comes from outside.
KDRV_INLINE bool addOverflow32(uint32_t a, uint32_t b, uint32_t* out)
{
    return __builtin_add_overflow(a, b, out);
}
KDRV_INLINE bool addOverflow64(uint64_t a, uint64_t b, uint64_t* out)
{
    return __builtin_add_overflow(a, b, out);
}
/// Saturating addition: a + b, or UINT64_MAX when that overflows (deadlines,
/// accumulated times: the one saturating helper).
KDRV_INLINE uint64_t addSaturating64(uint64_t a, uint64_t b)
{
    uint64_t sum = 0;
    return addOverflow64(a, b, &sum) ? ~uint64_t(0) : sum;
}
KDRV_INLINE bool mulOverflow32(uint32_t a, uint32_t b, uint32_t* out)
{
    return __builtin_mul_overflow(a, b, out);
}
KDRV_INLINE bool mulOverflow64(uint64_t a, uint64_t b, uint64_t* out)
{
    return __builtin_mul_overflow(a, b, out);
}
} // namespace kdrv

#endif // KDRV_BASE_HPP
