// SPDX-License-Identifier: MIT
//
/// \file
/// copyBulk: the copy primitive of the rings' bulk paths.
///
/// Why not plain memcpy: up to 32 bytes a call to memcpy costs more than the
/// copy, so those sizes are copied inline with general-purpose registers (in
/// every build). From 33 B to 256 B up to eight vector moves from both ends
/// (no loop) replace the call, and up to 64 KiB a loop of vector moves with aligned
/// stores beats the C library, which switches to `rep movsb` from a few KiB
/// on (32 KiB: 0.96 of memcpy's time, and the ring's 32 KiB round trip 0.98
/// of rte_ring's); above that memcpy (non-temporal stores for large copies)
/// is used.
///
/// Why a selection here: a kernel extension must not use FP/SIMD registers
/// implicitly (-mkernel implies -mno-implicit-float and, on x86_64,
/// -msoft-float), and the x86_64 kext target still defines __SSE2__, so the
/// instruction set alone cannot decide. The vector loop is therefore used only
/// in user space (KDRV_IN_KERNEL == 0, from the platform) and only when the
/// target has vector registers at all (not under -mgeneral-regs-only or
/// -mno-sse). Everywhere else copyBulk is exactly __builtin_memcpy, which the
/// kernel exports as memcpy. Like atomic.hpp's cpuRelax, this is an
/// instruction-set primitive, so block headers stay free of conditionals.
///
/// Override: KDRV_CONFIG_VECTOR_COPY (defined and documented in config.hpp)
/// 0 always uses memcpy; 1 in a kernel build is refused.
#ifndef KDRV_COPY_HPP
#define KDRV_COPY_HPP

#include "kdrv/base.hpp"              // for KDRV_INLINE
#include "kdrv/endian.hpp"            // for loadHost32/64, storeHost32/64
#include "kdrv/platform/platform.hpp" // for KDRV_IN_KERNEL

// config.hpp refuses the vector loop with KERNEL; a backend may also say so.
#if KDRV_CONFIG_VECTOR_COPY && KDRV_IN_KERNEL
#error "KDRV_CONFIG_VECTOR_COPY=1 is not allowed in a kernel build (no implicit FP/SIMD)"
#endif

namespace kdrv
{
#if KDRV_CONFIG_VECTOR_COPY
namespace detail
{
/// 32 bytes, any alignment, may alias anything: the compiler picks the widest
/// moves the target has (two 16-byte moves without AVX).
typedef uint8_t CopyChunk32 __attribute__((vector_size(32), aligned(1), may_alias));

/// 32 < n <= 256: 2, 4 or 8 chunks, half from each end (they overlap in the
/// middle), all loaded before any store; no loop, no alignment work.
inline void copyVectorShort(uint8_t* dst, const uint8_t* src, size_t n)
{
    if (n <= 64)
    {
        const CopyChunk32 a = *reinterpret_cast<const CopyChunk32*>(src),
                          z = *reinterpret_cast<const CopyChunk32*>(src + n - 32);
        *reinterpret_cast<CopyChunk32*>(dst) = a;
        *reinterpret_cast<CopyChunk32*>(dst + n - 32) = z;
        return;
    }
    if (n <= 128)
    {
        const CopyChunk32 a = *reinterpret_cast<const CopyChunk32*>(src),
                          b = *reinterpret_cast<const CopyChunk32*>(src + 32);
        const CopyChunk32 y = *reinterpret_cast<const CopyChunk32*>(src + n - 64),
                          z = *reinterpret_cast<const CopyChunk32*>(src + n - 32);
        *reinterpret_cast<CopyChunk32*>(dst) = a;
        *reinterpret_cast<CopyChunk32*>(dst + 32) = b;
        *reinterpret_cast<CopyChunk32*>(dst + n - 64) = y;
        *reinterpret_cast<CopyChunk32*>(dst + n - 32) = z;
        return;
    }
    const CopyChunk32 a = *reinterpret_cast<const CopyChunk32*>(src),
                      b = *reinterpret_cast<const CopyChunk32*>(src + 32);
    const CopyChunk32 c = *reinterpret_cast<const CopyChunk32*>(src + 64),
                      d = *reinterpret_cast<const CopyChunk32*>(src + 96);
    const CopyChunk32 w = *reinterpret_cast<const CopyChunk32*>(src + n - 128),
                      x = *reinterpret_cast<const CopyChunk32*>(src + n - 96);
    const CopyChunk32 y = *reinterpret_cast<const CopyChunk32*>(src + n - 64),
                      z = *reinterpret_cast<const CopyChunk32*>(src + n - 32);
    *reinterpret_cast<CopyChunk32*>(dst) = a;
    *reinterpret_cast<CopyChunk32*>(dst + 32) = b;
    *reinterpret_cast<CopyChunk32*>(dst + 64) = c;
    *reinterpret_cast<CopyChunk32*>(dst + 96) = d;
    *reinterpret_cast<CopyChunk32*>(dst + n - 128) = w;
    *reinterpret_cast<CopyChunk32*>(dst + n - 96) = x;
    *reinterpret_cast<CopyChunk32*>(dst + n - 64) = y;
    *reinterpret_cast<CopyChunk32*>(dst + n - 32) = z;
}

/// n >= 128. The first 32 bytes and the last 128 bytes are loaded before
/// anything is stored; the loop then moves four chunks per iteration with
/// every store aligned to 32 bytes (a misaligned 32-byte store that crosses
/// a cache line costs about twice as much, and ring storage and callers'
/// buffers are usually only 16-byte aligned), and the last 128 bytes are
/// stored from the end, overlapping what the loop wrote (source and
/// destination do not overlap, so rewriting bytes is harmless and saves a
/// tail loop).
inline void copyVectorLoop(uint8_t* dst, const uint8_t* src, size_t n)
{
    const size_t kStep = 4 * sizeof(CopyChunk32);
    const size_t last = n - kStep;
    const CopyChunk32 head = *reinterpret_cast<const CopyChunk32*>(src);
    const CopyChunk32 t0 = *reinterpret_cast<const CopyChunk32*>(src + last);
    const CopyChunk32 t1 = *reinterpret_cast<const CopyChunk32*>(src + last + 32);
    const CopyChunk32 t2 = *reinterpret_cast<const CopyChunk32*>(src + last + 64);
    const CopyChunk32 t3 = *reinterpret_cast<const CopyChunk32*>(src + last + 96);
    *reinterpret_cast<CopyChunk32*>(dst) = head;
    // 1..32: the loop starts at the first 32-byte boundary after dst.
    for (size_t i = sizeof(CopyChunk32) - (reinterpret_cast<uintptr_t>(dst) & 31); i < last;
         i += kStep)
    {
        const CopyChunk32 a = *reinterpret_cast<const CopyChunk32*>(src + i);
        const CopyChunk32 b = *reinterpret_cast<const CopyChunk32*>(src + i + 32);
        const CopyChunk32 c = *reinterpret_cast<const CopyChunk32*>(src + i + 64);
        const CopyChunk32 d = *reinterpret_cast<const CopyChunk32*>(src + i + 96);
        *reinterpret_cast<CopyChunk32*>(dst + i) = a;
        *reinterpret_cast<CopyChunk32*>(dst + i + 32) = b;
        *reinterpret_cast<CopyChunk32*>(dst + i + 64) = c;
        *reinterpret_cast<CopyChunk32*>(dst + i + 96) = d;
    }
    *reinterpret_cast<CopyChunk32*>(dst + last) = t0;
    *reinterpret_cast<CopyChunk32*>(dst + last + 32) = t1;
    *reinterpret_cast<CopyChunk32*>(dst + last + 64) = t2;
    *reinterpret_cast<CopyChunk32*>(dst + last + 96) = t3;
}
} // namespace detail
#endif

namespace detail
{
/// n <= 32, inline, general-purpose registers only (kernel-safe): two or four
/// possibly overlapping words from each end, loaded before any store. A call
/// to memcpy costs more than the copy at these sizes. The words are host-order
/// loads/stores from endian.hpp (one unaligned move each).
KDRV_INLINE void copySmall(uint8_t* dst, const uint8_t* src, size_t n)
{
    if (n >= 16)
    {
        const uint64_t a = loadHost64(src), b = loadHost64(src + 8);
        const uint64_t c = loadHost64(src + n - 16), d = loadHost64(src + n - 8);
        storeHost64(dst, a);
        storeHost64(dst + 8, b);
        storeHost64(dst + n - 16, c);
        storeHost64(dst + n - 8, d);
    }
    else if (n >= 8)
    {
        const uint64_t a = loadHost64(src), b = loadHost64(src + n - 8);
        storeHost64(dst, a);
        storeHost64(dst + n - 8, b);
    }
    else if (n >= 4)
    {
        const uint32_t a = loadHost32(src), b = loadHost32(src + n - 4);
        storeHost32(dst, a);
        storeHost32(dst + n - 4, b);
    }
    else if (n != 0)
    {
        const uint8_t a = src[0], b = src[n >> 1], c = src[n - 1];
        dst[0] = a;
        dst[n >> 1] = b;
        dst[n - 1] = c;
    }
}
} // namespace detail

namespace detail
{
/// Returns p unchanged, and costs no instruction; the empty asm makes the
/// compiler forget which object p points into. copyBulk passes both
/// pointers through it: once copyBulk is inlined into a caller whose buffer
/// is small (8 bytes, say), g++ -O3 cannot prove the paths for larger n dead,
/// since n went through the ring's min() clamps, and -Warray-bounds and
/// -Wstringop-overflow report them as out-of-bounds accesses of the small
/// buffer. Each path only runs when n bytes exist, so hiding the object
/// removes a false report, not a real overrun.
KDRV_INLINE void* opaqueAddress(void* p)
{
    __asm__("" : "+r"(p));
    return p;
}
KDRV_INLINE const void* opaqueAddress(const void* p)
{
    __asm__("" : "+r"(p));
    return p;
}
} // namespace detail

constexpr size_t kCopySmallMax = 32;

/// Vector windows (user space): up to kCopyVectorShortMax straight-line
/// chunks from both ends, then the loop up to kCopyBulkVectorMax, then memcpy.
constexpr size_t kCopyVectorShortMax = 256;
constexpr size_t kCopyBulkVectorMax = 64 * 1024;

#if KDRV_CONFIG_VECTOR_COPY
namespace detail
{
/// n > kCopySmallMax. Out of line on purpose: a call costs a few cycles
/// against at least 33 bytes of copying (memcpy is a call anyway), and
/// keeping the loop out of copyBulk keeps the rings' write() and read()
/// small enough to inline, which saves more than the call costs.
KDRV_NOINLINE inline void copyLarge(void* dst, const void* src, size_t n)
{
    uint8_t* d = static_cast<uint8_t*>(dst);
    const uint8_t* s = static_cast<const uint8_t*>(src);
    if (n <= kCopyVectorShortMax)
    {
        copyVectorShort(d, s, n);
        return;
    }
    if (n <= kCopyBulkVectorMax)
    {
        copyVectorLoop(d, s, n);
        return;
    }
    __builtin_memcpy(dst, src, n);
}
} // namespace detail
#endif

/// Copies n bytes; the ranges must not overlap (as memcpy). Any alignment.
KDRV_INLINE void copyBulk(void* dst, const void* src, size_t n)
{
    dst = detail::opaqueAddress(dst);
    src = detail::opaqueAddress(src);
    if (n <= kCopySmallMax)
    {
        detail::copySmall(static_cast<uint8_t*>(dst), static_cast<const uint8_t*>(src), n);
        return;
    }
#if KDRV_CONFIG_VECTOR_COPY
    detail::copyLarge(dst, src, n);
#else
    __builtin_memcpy(dst, src, n);
#endif
}
} // namespace kdrv

#endif // KDRV_COPY_HPP
