// SPDX-License-Identifier: MIT
//
// Byte order: swaps, conversions and unaligned loads/stores of 16-, 32- and
// 64-bit values in big- and little-endian order. No libkern dependency.
//
// Devices and wire formats fix their byte order (USB and PCI descriptors are
// little-endian, network headers big-endian, DMA descriptors either), while
// the host's order is whatever the CPU is. Code that reads or writes such
// data should never cast a byte pointer to a wider type: the pointer may be
// misaligned (undefined behaviour, a fault on some CPUs) and the result
// depends on the host. The functions here take a plain byte pointer at any
// alignment and compose the value with shifts, so their result is the same
// on every host; compilers turn the pattern into one load or store plus a
// byte swap where needed.
//
//   loadLE16/32/64(p), loadBE16/32/64(p)           value from bytes at p
//   storeLE16/32/64(p, v), storeBE16/32/64(p, v)   bytes of v to p
//   loadHost*/storeHost*                           native order, any alignment
//   swap16/32/64(v)                                reverse the bytes (constexpr)
//   hostByteOrder(), hostIsLittleEndian()          compile-time constants
//   convert16/32/64(v, from, to)                   swap when the orders differ
//   littleToHost*/hostToLittle*/bigToHost*/hostToBig*
//
// All functions are pure and callable in any context (interrupt, preemption
// disabled). `convert*` takes the host order as an argument so that tests can
// run the big-endian-host paths on a little-endian machine.
#ifndef KDRV_ENDIAN_HPP
#define KDRV_ENDIAN_HPP

#include "kdrv/base.hpp"

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

// The host's byte order, from the compiler (clang on Apple targets also
// defines __LITTLE_ENDIAN__; __BYTE_ORDER__ is the macro both compilers share).
constexpr ByteOrder hostByteOrder()
{
    return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? ByteOrder::Big : ByteOrder::Little;
}
constexpr bool hostIsLittleEndian() { return hostByteOrder() == ByteOrder::Little; }

constexpr uint16_t swap16(uint16_t v) { return __builtin_bswap16(v); }
constexpr uint32_t swap32(uint32_t v) { return __builtin_bswap32(v); }
constexpr uint64_t swap64(uint64_t v) { return __builtin_bswap64(v); }

// v read in order `from`, returned in order `to`.
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

constexpr uint16_t littleToHost16(uint16_t v) { return convert16(v, ByteOrder::Little, hostByteOrder()); }
constexpr uint32_t littleToHost32(uint32_t v) { return convert32(v, ByteOrder::Little, hostByteOrder()); }
constexpr uint64_t littleToHost64(uint64_t v) { return convert64(v, ByteOrder::Little, hostByteOrder()); }
constexpr uint16_t bigToHost16(uint16_t v) { return convert16(v, ByteOrder::Big, hostByteOrder()); }
constexpr uint32_t bigToHost32(uint32_t v) { return convert32(v, ByteOrder::Big, hostByteOrder()); }
constexpr uint64_t bigToHost64(uint64_t v) { return convert64(v, ByteOrder::Big, hostByteOrder()); }
// The conversions are their own inverses.
constexpr uint16_t hostToLittle16(uint16_t v) { return littleToHost16(v); }
constexpr uint32_t hostToLittle32(uint32_t v) { return littleToHost32(v); }
constexpr uint64_t hostToLittle64(uint64_t v) { return littleToHost64(v); }
constexpr uint16_t hostToBig16(uint16_t v) { return bigToHost16(v); }
constexpr uint32_t hostToBig32(uint32_t v) { return bigToHost32(v); }
constexpr uint64_t hostToBig64(uint64_t v) { return bigToHost64(v); }

// --- little-endian --------------------------------------------------------

KDRV_INLINE uint16_t loadLE16(const void* p)
{
    const uint8_t* b = static_cast<const uint8_t*>(p);
    return static_cast<uint16_t>(b[0] | (b[1] << 8));
}

KDRV_INLINE uint32_t loadLE32(const void* p)
{
    const uint8_t* b = static_cast<const uint8_t*>(p);
    return static_cast<uint32_t>(b[0]) | (static_cast<uint32_t>(b[1]) << 8) |
           (static_cast<uint32_t>(b[2]) << 16) | (static_cast<uint32_t>(b[3]) << 24);
}

KDRV_INLINE uint64_t loadLE64(const void* p)
{
    const uint8_t* b = static_cast<const uint8_t*>(p);
    return static_cast<uint64_t>(loadLE32(b)) | (static_cast<uint64_t>(loadLE32(b + 4)) << 32);
}

KDRV_INLINE void storeLE16(void* p, uint16_t v)
{
    uint8_t* b = static_cast<uint8_t*>(p);
    b[0] = static_cast<uint8_t>(v);
    b[1] = static_cast<uint8_t>(v >> 8);
}

KDRV_INLINE void storeLE32(void* p, uint32_t v)
{
    uint8_t* b = static_cast<uint8_t*>(p);
    b[0] = static_cast<uint8_t>(v);
    b[1] = static_cast<uint8_t>(v >> 8);
    b[2] = static_cast<uint8_t>(v >> 16);
    b[3] = static_cast<uint8_t>(v >> 24);
}

KDRV_INLINE void storeLE64(void* p, uint64_t v)
{
    uint8_t* b = static_cast<uint8_t*>(p);
    storeLE32(b, static_cast<uint32_t>(v));
    storeLE32(b + 4, static_cast<uint32_t>(v >> 32));
}

// --- big-endian -----------------------------------------------------------

KDRV_INLINE uint16_t loadBE16(const void* p)
{
    const uint8_t* b = static_cast<const uint8_t*>(p);
    return static_cast<uint16_t>((b[0] << 8) | b[1]);
}

KDRV_INLINE uint32_t loadBE32(const void* p)
{
    const uint8_t* b = static_cast<const uint8_t*>(p);
    return (static_cast<uint32_t>(b[0]) << 24) | (static_cast<uint32_t>(b[1]) << 16) |
           (static_cast<uint32_t>(b[2]) << 8) | static_cast<uint32_t>(b[3]);
}

KDRV_INLINE uint64_t loadBE64(const void* p)
{
    const uint8_t* b = static_cast<const uint8_t*>(p);
    return (static_cast<uint64_t>(loadBE32(b)) << 32) | static_cast<uint64_t>(loadBE32(b + 4));
}

KDRV_INLINE void storeBE16(void* p, uint16_t v)
{
    uint8_t* b = static_cast<uint8_t*>(p);
    b[0] = static_cast<uint8_t>(v >> 8);
    b[1] = static_cast<uint8_t>(v);
}

KDRV_INLINE void storeBE32(void* p, uint32_t v)
{
    uint8_t* b = static_cast<uint8_t*>(p);
    b[0] = static_cast<uint8_t>(v >> 24);
    b[1] = static_cast<uint8_t>(v >> 16);
    b[2] = static_cast<uint8_t>(v >> 8);
    b[3] = static_cast<uint8_t>(v);
}

KDRV_INLINE void storeBE64(void* p, uint64_t v)
{
    uint8_t* b = static_cast<uint8_t*>(p);
    storeBE32(b, static_cast<uint32_t>(v >> 32));
    storeBE32(b + 4, static_cast<uint32_t>(v));
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
