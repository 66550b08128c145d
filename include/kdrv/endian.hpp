// SPDX-License-Identifier: MIT
//
/// \file
/// Byte order: swaps, conversions and unaligned loads/stores of 16-, 32- and
/// 64-bit values in big- and little-endian order. No libkern dependency.
///
/// Devices and wire formats fix their byte order (USB and PCI descriptors are
/// little-endian, network headers big-endian, DMA descriptors either), while
/// the host's order is whatever the CPU is. Code that reads or writes such
/// data should never cast a byte pointer to a wider type: the pointer may be
/// misaligned (undefined behaviour, a fault on some CPUs) and the result
/// depends on the host. The functions here take a plain byte pointer at any
/// alignment and give the same bytes on every host: the value is put in the
/// requested order (a swap when the host's order differs) and copied
/// bytewise, which compilers lower to one load or store (plus bswap/movbe).
///
///   loadLE16/32/64(p), loadBE16/32/64(p)           value from bytes at p
///   storeLE16/32/64(p, v), storeBE16/32/64(p, v)   bytes of v to p
///   loadHost*/storeHost*                           native order, any alignment
///   swap16/32/64(v)                                reverse the bytes (constexpr)
///   hostByteOrder(), hostIsLittleEndian()          compile-time constants
///   convert16/32/64(v, from, to)                   swap when the orders differ
///   littleToHost*/hostToLittle*/bigToHost*/hostToBig*
///
/// All functions are pure and callable in any context (interrupt, preemption
/// disabled). `convert*` takes the host order as an argument so that tests can
/// run the big-endian-host paths on a little-endian machine.
#ifndef KDRV_ENDIAN_HPP
#define KDRV_ENDIAN_HPP

#include "kdrv/base.hpp" // for KDRV_INLINE, copyBytes

#if !defined(__BYTE_ORDER__) || !defined(__ORDER_LITTLE_ENDIAN__) || !defined(__ORDER_BIG_ENDIAN__)
#error "kdrv/endian.hpp needs the compiler's __BYTE_ORDER__ macros (GCC or clang)"
#endif

namespace kdrv
{
enum class ByteOrder : uint8_t
{
    Little = 0,
    Big = 1,
};

/// The host's byte order, from the compiler (clang on Apple targets also
/// defines __LITTLE_ENDIAN__; __BYTE_ORDER__ is the macro both compilers share).
constexpr ByteOrder hostByteOrder()
{
    return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? ByteOrder::Big : ByteOrder::Little;
}
constexpr bool hostIsLittleEndian() { return hostByteOrder() == ByteOrder::Little; }

constexpr uint16_t swap16(uint16_t v) { return __builtin_bswap16(v); }
constexpr uint32_t swap32(uint32_t v) { return __builtin_bswap32(v); }
constexpr uint64_t swap64(uint64_t v) { return __builtin_bswap64(v); }

/// v read in order `from`, returned in order `to`.
constexpr uint16_t convert16(uint16_t v, ByteOrder from, ByteOrder to)
{
    return from == to ? v : swap16(v);
}
constexpr uint32_t convert32(uint32_t v, ByteOrder from, ByteOrder to)
{
    return from == to ? v : swap32(v);
}
constexpr uint64_t convert64(uint64_t v, ByteOrder from, ByteOrder to)
{
    return from == to ? v : swap64(v);
}

constexpr uint16_t littleToHost16(uint16_t v)
{
    return convert16(v, ByteOrder::Little, hostByteOrder());
}
constexpr uint32_t littleToHost32(uint32_t v)
{
    return convert32(v, ByteOrder::Little, hostByteOrder());
}
constexpr uint64_t littleToHost64(uint64_t v)
{
    return convert64(v, ByteOrder::Little, hostByteOrder());
}
constexpr uint16_t bigToHost16(uint16_t v) { return convert16(v, ByteOrder::Big, hostByteOrder()); }
constexpr uint32_t bigToHost32(uint32_t v) { return convert32(v, ByteOrder::Big, hostByteOrder()); }
constexpr uint64_t bigToHost64(uint64_t v) { return convert64(v, ByteOrder::Big, hostByteOrder()); }
/// The conversions are their own inverses.
constexpr uint16_t hostToLittle16(uint16_t v) { return littleToHost16(v); }
constexpr uint32_t hostToLittle32(uint32_t v) { return littleToHost32(v); }
constexpr uint64_t hostToLittle64(uint64_t v) { return littleToHost64(v); }
constexpr uint16_t hostToBig16(uint16_t v) { return bigToHost16(v); }
constexpr uint32_t hostToBig32(uint32_t v) { return bigToHost32(v); }
constexpr uint64_t hostToBig64(uint64_t v) { return bigToHost64(v); }

// --- little- and big-endian, any alignment --------------------------------
//
// Each is a copy of the value in the requested order: swapped when that
// order differs from the host's (a compile-time constant), then copied
// bytewise with copyBytes. Compilers emit one load or store, plus a bswap or
// movbe for the foreign order; shift-by-shift byte stores are not reliably
// merged (clang 14 vectorizes them instead).

KDRV_INLINE uint16_t loadLE16(const void* p)
{
    uint16_t v;
    copyBytes(&v, p, sizeof v);
    return littleToHost16(v);
}
KDRV_INLINE uint32_t loadLE32(const void* p)
{
    uint32_t v;
    copyBytes(&v, p, sizeof v);
    return littleToHost32(v);
}
KDRV_INLINE uint64_t loadLE64(const void* p)
{
    uint64_t v;
    copyBytes(&v, p, sizeof v);
    return littleToHost64(v);
}
KDRV_INLINE uint16_t loadBE16(const void* p)
{
    uint16_t v;
    copyBytes(&v, p, sizeof v);
    return bigToHost16(v);
}
KDRV_INLINE uint32_t loadBE32(const void* p)
{
    uint32_t v;
    copyBytes(&v, p, sizeof v);
    return bigToHost32(v);
}
KDRV_INLINE uint64_t loadBE64(const void* p)
{
    uint64_t v;
    copyBytes(&v, p, sizeof v);
    return bigToHost64(v);
}

KDRV_INLINE void storeLE16(void* p, uint16_t v)
{
    const uint16_t x = hostToLittle16(v);
    copyBytes(p, &x, sizeof x);
}
KDRV_INLINE void storeLE32(void* p, uint32_t v)
{
    const uint32_t x = hostToLittle32(v);
    copyBytes(p, &x, sizeof x);
}
KDRV_INLINE void storeLE64(void* p, uint64_t v)
{
    const uint64_t x = hostToLittle64(v);
    copyBytes(p, &x, sizeof x);
}
KDRV_INLINE void storeBE16(void* p, uint16_t v)
{
    const uint16_t x = hostToBig16(v);
    copyBytes(p, &x, sizeof x);
}
KDRV_INLINE void storeBE32(void* p, uint32_t v)
{
    const uint32_t x = hostToBig32(v);
    copyBytes(p, &x, sizeof x);
}
KDRV_INLINE void storeBE64(void* p, uint64_t v)
{
    const uint64_t x = hostToBig64(v);
    copyBytes(p, &x, sizeof x);
}

// --- explicit order -------------------------------------------------------

KDRV_INLINE uint16_t load16(const void* p, ByteOrder order)
{
    return order == ByteOrder::Big ? loadBE16(p) : loadLE16(p);
}
KDRV_INLINE uint32_t load32(const void* p, ByteOrder order)
{
    return order == ByteOrder::Big ? loadBE32(p) : loadLE32(p);
}
KDRV_INLINE uint64_t load64(const void* p, ByteOrder order)
{
    return order == ByteOrder::Big ? loadBE64(p) : loadLE64(p);
}
KDRV_INLINE void store16(void* p, uint16_t v, ByteOrder order)
{
    if (order == ByteOrder::Big)
    {
        storeBE16(p, v);
    }
    else
    {
        storeLE16(p, v);
    }
}
KDRV_INLINE void store32(void* p, uint32_t v, ByteOrder order)
{
    if (order == ByteOrder::Big)
    {
        storeBE32(p, v);
    }
    else
    {
        storeLE32(p, v);
    }
}
KDRV_INLINE void store64(void* p, uint64_t v, ByteOrder order)
{
    if (order == ByteOrder::Big)
    {
        storeBE64(p, v);
    }
    else
    {
        storeLE64(p, v);
    }
}

// --- host order, any alignment ---------------------------------------------

KDRV_INLINE uint16_t loadHost16(const void* p)
{
    uint16_t v;
    copyBytes(&v, p, sizeof v);
    return v;
}
KDRV_INLINE uint32_t loadHost32(const void* p)
{
    uint32_t v;
    copyBytes(&v, p, sizeof v);
    return v;
}
KDRV_INLINE uint64_t loadHost64(const void* p)
{
    uint64_t v;
    copyBytes(&v, p, sizeof v);
    return v;
}
KDRV_INLINE void storeHost16(void* p, uint16_t v) { copyBytes(p, &v, sizeof v); }
KDRV_INLINE void storeHost32(void* p, uint32_t v) { copyBytes(p, &v, sizeof v); }
KDRV_INLINE void storeHost64(void* p, uint64_t v) { copyBytes(p, &v, sizeof v); }
} // namespace kdrv

#endif // KDRV_ENDIAN_HPP
