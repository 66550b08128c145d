// SPDX-License-Identifier: MIT
//
/// \file
/// User-only interop with the Guidelines Support Library: gsl::span views of
/// kdrv's buffers and arguments. GSL needs the C++ standard library and
/// templates, so this header refuses kernel builds.
#ifndef KDRV_GSL_HPP
#define KDRV_GSL_HPP

#include "kdrv/platform/platform.hpp" // for KDRV_IN_KERNEL

#if KDRV_IN_KERNEL
#error "kdrv/gsl.hpp is user-space only (GSL cannot be compiled into a kernel extension)"
#endif

#include <gsl/span> // for gsl::span

// Each block adds its views in its own section below.

// [byte ring]
// Zero-copy access to a ByteRing as gsl::span pairs (first span, then the
// part across the wrap, possibly empty). The same contract as
// ByteRing::reserve/commit and peek/consume: the producer fills a prefix of
// reserveSpans() and commits it; the consumer reads a prefix of peekSpans()
// and consumes it. The spans stay valid until that commit or consume.
#include <array> // for std::array

#include "kdrv/byte_ring.hpp" // for ByteRing

namespace kdrv
{
inline std::array<gsl::span<uint8_t>, 2> reserveSpans(ByteRing& ring,
                                                      uint32_t maxBytes = 0xFFFFFFFFu)
{
    ByteRingSpan s[2];
    (void)ring.reserve(s, maxBytes);
    return {{gsl::span<uint8_t>(s[0].data, s[0].size), gsl::span<uint8_t>(s[1].data, s[1].size)}};
}
inline std::array<gsl::span<const uint8_t>, 2> peekSpans(ByteRing& ring,
                                                         uint32_t maxBytes = 0xFFFFFFFFu)
{
    ByteRingConstSpan s[2];
    (void)ring.peek(s, maxBytes);
    return {{gsl::span<const uint8_t>(s[0].data, s[0].size),
             gsl::span<const uint8_t>(s[1].data, s[1].size)}};
}
} // namespace kdrv

// [dispatch]
// Views of a MethodArgs block for handlers in user-space drivers and tests.
// Call them inside a handler (after dispatchMethod() validated the block):
// a span over a non-zero count with a NULL pointer violates GSL's contract.
#include "kdrv/dispatch.hpp" // for MethodArgs

namespace kdrv
{
inline gsl::span<const uint64_t> scalarInputSpan(const MethodArgs& args)
{
    return {args.scalarInput, args.scalarInputCount};
}
inline gsl::span<uint64_t> scalarOutputSpan(const MethodArgs& args)
{
    return {args.scalarOutput, args.scalarOutputCount};
}
inline gsl::span<const gsl::byte> structureInputSpan(const MethodArgs& args)
{
    return {static_cast<const gsl::byte*>(args.structureInput), args.structureInputSize};
}
inline gsl::span<gsl::byte> structureOutputSpan(const MethodArgs& args)
{
    return {static_cast<gsl::byte*>(args.structureOutput), args.structureOutputSize};
}
} // namespace kdrv

#endif // KDRV_GSL_HPP
