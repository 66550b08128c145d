// SPDX-License-Identifier: MIT
//
// User-only interop with the Guidelines Support Library: gsl::span views of
// kdrv's buffers and arguments. GSL needs the C++ standard library and
// templates, so this header refuses kernel builds.
#ifndef KDRV_GSL_HPP
#define KDRV_GSL_HPP

#include "kdrv/config.hpp"

#if KDRV_IN_KERNEL
#error "kdrv/gsl.hpp is user-space only (GSL cannot be compiled into a kernel extension)"
#endif

#include <gsl/span> // for gsl::span

// Each block adds its views in its own section below.

// [byte ring]

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
