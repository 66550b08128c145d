// SPDX-License-Identifier: MIT
//
/// \file
/// DMA segment output formats: what a device's segment list looks like in
/// memory, after IODMACommand's output functions (kIODMACommandOutput*).
///
/// Each format is one row of KDRV_DMA_FORMATS: its value (the byte a
/// DmaSpecification carries), the width of its address and length fields and
/// the fixed-order format it means on a big-endian and on a little-endian
/// host. The enum, the format count, the descriptor (dmaFormatInfo) and every
/// query below are generated from that table, and one encoder
/// (dmaStoreSegment) writes every format, so a format is added in one place.
///
/// Segment i is written at byte offset i * elementSize of the output array,
/// which need not be aligned:
///   *32: 8 bytes, address at +0, length at +4 (uint32_t each);
///   *64: 16 bytes, address at +0, length at +8 (uint64_t each).
/// Big and Little are written in that byte order, independent of the host;
/// Host is the CPU's native order (equal to Little on x86_64 and arm64).
///
/// Pure functions over caller memory: any context, no locking, no allocation.
#ifndef KDRV_DMA_FORMAT_HPP
#define KDRV_DMA_FORMAT_HPP

#include "kdrv/base.hpp"   // for uint8_t, size_t, KDRV_INLINE
#include "kdrv/endian.hpp" // for ByteOrder, store32, store64
#include "kdrv/status.hpp" // for Status

namespace kdrv
{
/// The format table: X(name, value, field bytes, byte order, meaning on a
/// big-endian host, meaning on a little-endian host). Values run from 0 to
/// kDmaFormatCount - 1 in table order.
#define KDRV_DMA_FORMATS(X)                                                                        \
    X(Host32, 0, 4, hostByteOrder(), Big32, Little32)                                              \
    X(Big32, 1, 4, ByteOrder::Big, Big32, Big32)                                                   \
    X(Little32, 2, 4, ByteOrder::Little, Little32, Little32)                                       \
    X(Host64, 3, 8, hostByteOrder(), Big64, Little64)                                              \
    X(Big64, 4, 8, ByteOrder::Big, Big64, Big64)                                                   \
    X(Little64, 5, 8, ByteOrder::Little, Little64, Little64)

/// Output formats, as IODMACommand's output functions.
enum class DmaFormat : uint8_t
{
#define KDRV_DMA_FORMAT_ENUMERATOR_(name, value, field, order, onBig, onLittle) name = value,
    KDRV_DMA_FORMATS(KDRV_DMA_FORMAT_ENUMERATOR_)
#undef KDRV_DMA_FORMAT_ENUMERATOR_
};

/// The number of formats (the rows of KDRV_DMA_FORMATS).
#define KDRV_DMA_FORMAT_COUNT_ONE_(name, value, field, order, onBig, onLittle) +1
constexpr uint32_t kDmaFormatCount = 0u KDRV_DMA_FORMATS(KDRV_DMA_FORMAT_COUNT_ONE_);
#undef KDRV_DMA_FORMAT_COUNT_ONE_

#define KDRV_DMA_FORMAT_CHECK_(name, value, field, order, onBig, onLittle)                         \
    static_assert(value < kDmaFormatCount && (field == 4 || field == 8) &&                         \
                      static_cast<uint32_t>(DmaFormat::onBig) < kDmaFormatCount &&                 \
                      static_cast<uint32_t>(DmaFormat::onLittle) < kDmaFormatCount,                \
                  "KDRV_DMA_FORMATS row " #name);
KDRV_DMA_FORMATS(KDRV_DMA_FORMAT_CHECK_)
#undef KDRV_DMA_FORMAT_CHECK_

/// One format's descriptor. fieldBytes is 0 for a value that names no format.
struct DmaFormatInfo
{
    uint8_t fieldBytes;     // 4 or 8: the width of the address and length fields
    ByteOrder order;        // the byte order of both fields (Host: this CPU's)
    DmaFormat onBigHost;    // the fixed-order format it means on a big-endian host
    DmaFormat onLittleHost; // ... and on a little-endian one
};

/// The descriptor of `f` (fieldBytes 0 and `f` itself for an invalid value).
constexpr DmaFormatInfo dmaFormatInfo(DmaFormat f)
{
#define KDRV_DMA_FORMAT_INFO_(name, value, field, order, onBig, onLittle)                          \
    f == DmaFormat::name ? DmaFormatInfo{field, order, DmaFormat::onBig, DmaFormat::onLittle}:
    return KDRV_DMA_FORMATS(KDRV_DMA_FORMAT_INFO_) DmaFormatInfo{0, ByteOrder::Little, f, f};
#undef KDRV_DMA_FORMAT_INFO_
}

/// The format in row `index` of the table (index < kDmaFormatCount).
constexpr DmaFormat dmaFormatAt(uint32_t index) { return static_cast<DmaFormat>(index); }

constexpr bool dmaFormatIsValid(DmaFormat f) { return dmaFormatInfo(f).fieldBytes != 0; }
constexpr bool dmaFormatIs64Bit(DmaFormat f) { return dmaFormatInfo(f).fieldBytes == 8; }
/// Bytes per segment: an address field and a length field.
constexpr uint32_t dmaFormatElementSize(DmaFormat f) { return 2u * dmaFormatInfo(f).fieldBytes; }

/// The fixed-order format a Host format means on a host of order `host`
/// (Big and Little formats, and invalid values, are returned unchanged).
constexpr DmaFormat dmaResolveFormat(DmaFormat f, ByteOrder host)
{
    return host == ByteOrder::Big ? dmaFormatInfo(f).onBigHost : dmaFormatInfo(f).onLittleHost;
}

/// The byte order `f` writes its fields in (Host formats: this CPU's).
constexpr ByteOrder dmaFormatOrder(DmaFormat f) { return dmaFormatInfo(f).order; }

/// A physical (bus) range: an input run or an output segment. Same layout as
/// the Host64 element, and as IODMACommand::Segment64.
struct DmaRange
{
    uint64_t address;
    uint64_t length;
};
static_assert(sizeof(DmaRange) == 16, "DmaRange is the Host64 element");

/// Host32 and Host64 elements as structs (IODMACommand::Segment32/Segment64
/// have the same layout: fIOVMAddr, fLength).
struct DmaSegment32
{
    uint32_t address;
    uint32_t length;
};
struct DmaSegment64
{
    uint64_t address;
    uint64_t length;
};
static_assert(sizeof(DmaSegment32) == 8, "Host32 element");
static_assert(sizeof(DmaSegment64) == 16, "Host64 element");

/// The encoder: writes one element at `element` in the valid format `f` (a
/// constant after inlining at the hot call sites). The caller has checked
/// that the values fit the format's fields.
KDRV_INLINE void dmaStoreSegment(DmaFormat f, uint8_t* element, uint64_t address, uint64_t length)
{
    const ByteOrder order = dmaFormatOrder(f);
    if (dmaFormatIs64Bit(f))
    {
        store64(element, address, order);
        store64(element + 8, length, order);
    }
    else
    {
        store32(element, static_cast<uint32_t>(address), order);
        store32(element + 4, static_cast<uint32_t>(length), order);
    }
}

/// True when the address and length fit the fields of format `f`.
KDRV_INLINE bool dmaSegmentFits(DmaFormat f, uint64_t address, uint64_t length)
{
    return dmaFormatIs64Bit(f) || ((address | length) >> 32) == 0;
}

/// Writes one segment at index `index` of `array` in format `f` (byte-exact,
/// any alignment). BadArgument for an invalid format. A 32-bit format refuses
/// an address or length above 0xFFFFFFFF with MessageTooLarge and writes
/// nothing; unlike IODMACommand's 32-bit output functions it never truncates.
KDRV_NODISCARD KDRV_INLINE Status dmaEncodeSegment(DmaFormat f, void* array, uint32_t index,
                                                   uint64_t address, uint64_t length)
{
    if (!dmaFormatIsValid(f))
    {
        return Status::BadArgument;
    }
    if (!dmaSegmentFits(f, address, length))
    {
        return Status::MessageTooLarge;
    }
    uint8_t* const element =
        static_cast<uint8_t*>(array) + static_cast<size_t>(index) * dmaFormatElementSize(f);
    dmaStoreSegment(f, element, address, length);
    return Status::Success;
}
} // namespace kdrv

#endif // KDRV_DMA_FORMAT_HPP
