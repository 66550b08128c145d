// SPDX-License-Identifier: MIT
//
// The user client's method table: one row per vserial::Selector, checked by
// kdrv::dispatchMethod() before any handler runs. A row states the exact
// shape of a call (scalar counts, structure sizes; kVariableSize where the
// size varies) and its flags, so a handler only validates *values*.
//
//   kext        org_kdrv_VSerialUserClient::externalMethod() forwards to
//               kdrv::dispatchExternalMethod(kMethods, ...) (xnu_dispatch.hpp)
//   user space  the program and the tests call kdrv::dispatchMethod(kMethods, ...)
//
// The target of every call is the vserial::Core.
//
// Kernel-visible: Embedded C++, kdrv headers only.
#ifndef VSERIAL_METHODS_HPP
#define VSERIAL_METHODS_HPP

#include "kdrv/base.hpp"
#include "kdrv/dispatch.hpp"
#include "kdrv/status.hpp"

#include "vserial/core/vserial_core.hpp"
#include "vserial/core/vserial_protocol.hpp"

namespace vserial
{
namespace methods
{
// Handlers are static thunks, the book's pattern: cast the target, unpack
// the (already shape-checked) arguments, call the core.
inline Core* coreOf(void* target) { return static_cast<Core*>(target); }

inline Status open(void* target, void*, kdrv::MethodArgs*) { return coreOf(target)->open(); }

inline Status close(void* target, void*, kdrv::MethodArgs*) { return coreOf(target)->close(); }

inline Status configure(void* target, void*, kdrv::MethodArgs* args)
{
    // Scalars are 64-bit and come from user space: range-check before narrowing.
    const uint64_t baud = args->scalarInput[0];
    if (baud > 0xFFFFFFFFu)
        return Status::BadArgument;
    return coreOf(target)->configure(static_cast<uint32_t>(baud));
}

inline Status write(void* target, void*, kdrv::MethodArgs* args)
{
    // Large structures arrive as a memory descriptor, which a kext would map
    // (IOMemoryDescriptor::prepare/readBytes). This example takes inline
    // data only, which is up to 4096 bytes.
    if (args->structureInputDescriptor != nullptr)
        return Status::Unsupported;
    uint32_t accepted = 0;
    const Status s = coreOf(target)->write(static_cast<const uint8_t*>(args->structureInput),
                                           args->structureInputSize, &accepted);
    args->scalarOutput[0] = accepted;
    return s;
}

inline Status read(void* target, void*, kdrv::MethodArgs* args)
{
    if (args->structureOutputDescriptor != nullptr)
        return Status::Unsupported;
    const uint64_t minBytes = args->scalarInput[0];
    const uint64_t timeoutMs = args->scalarInput[1];
    if (minBytes > args->structureOutputSize || timeoutMs > kMaxReadTimeoutMs)
        return Status::BadArgument;
    uint32_t got = 0;
    const Status s = coreOf(target)->read(
        static_cast<uint8_t*>(args->structureOutput), args->structureOutputSize,
        static_cast<uint32_t>(minBytes), static_cast<uint32_t>(timeoutMs), &got);
    // Lowering the size is how a variable-length output reports what it wrote.
    args->structureOutputSize = got;
    return s;
}

inline Status getStats(void* target, void*, kdrv::MethodArgs* args)
{
    Stats stats;
    coreOf(target)->getStats(&stats);
    kdrv::copyBytes(args->structureOutput, &stats, sizeof(stats));
    return Status::Success;
}

inline Status setPowerFloor(void* target, void*, kdrv::MethodArgs* args)
{
    const uint64_t ordinal = args->scalarInput[0];
    if (ordinal >= kPowerStateCount)
        return Status::BadArgument;
    return coreOf(target)->setPowerFloor(static_cast<unsigned long>(ordinal));
}
} // namespace methods

// {handler, scalars in, structure in, scalars out, structure out, flags}
static const kdrv::MethodDispatch kMethods[] = {
    {methods::open, 0, 0, 0, 0, 0},                                  // kSelectorOpen
    {methods::close, 0, 0, 0, 0, 0},                                 // kSelectorClose
    {methods::configure, 1, 0, 0, 0, 0},                             // kSelectorConfigure
    {methods::write, 0, kdrv::kVariableSize, 1, 0, 0},               // kSelectorWrite
    {methods::read, 2, 0, 0, kdrv::kVariableSize, 0},                // kSelectorRead
    {methods::getStats, 0, 0, 0, sizeof(Stats), 0},                  // kSelectorGetStats
    {methods::setPowerFloor, 1, 0, 0, 0, kdrv::kMethodRequireAdmin}, // kSelectorSetPowerFloor
};
// A selector added to the enum without a row (or a row without a selector)
// does not compile.
KDRV_STATIC_ASSERT_METHOD_TABLE(kMethods, kSelectorCount);
} // namespace vserial

#endif // VSERIAL_METHODS_HPP
