// SPDX-License-Identifier: MIT
//
/// \file
/// Bridge between kdrv's dispatch table (dispatch.hpp) and I/O Kit's
/// external-method types, for a kext's IOUserClient::externalMethod()
/// override:
///
///     IOReturn MyUserClient::externalMethod(uint32_t selector,
///                                           IOExternalMethodArguments* args,
///                                           IOExternalMethodDispatch*, OSObject*, void*)
///     {
///         return kdrv::dispatchExternalMethod(sMethods, kMyMethodCount, selector, args,
///                                             this, nullptr, fClientIsAdmin);
///     }
///
/// Only the xnu platform has these types: a kext, or kdrv's user-space tests
/// over the stand-in SDK. With any other platform this header provides
/// nothing beyond dispatch.hpp.
///
/// What converts without copying, and what cannot:
/// - Scalar arrays, inline structures and the async reference words are
///   passed by pointer: MethodArgs points into the kernel's own buffers (the
///   static_asserts and pointer assignments below prove the types agree).
/// - The argument block itself is rebuilt (about twenty word stores):
///   IOExternalMethodArguments carries a mach_port_t (a pointer in the
///   kernel) and descriptors whose length is a virtual call, while MethodArgs
///   must be usable in user space and carries both lengths read once up front.
///   The three output counts are copied back after the call.
/// - A MethodDispatch row holds the four checks at the same offsets as an
///   IOExternalMethodDispatch row (proved below), but the function types
///   differ (MethodArgs* vs IOExternalMethodArguments*), so a kdrv table is
///   never reinterpreted as an I/O Kit table; sameChecks() compares rows of
///   the two kinds, in a constant expression if both are constant.
#ifndef KDRV_PLATFORM_XNU_DISPATCH_HPP
#define KDRV_PLATFORM_XNU_DISPATCH_HPP

#include "kdrv/config.hpp"   // for KDRV_CONFIG_PLATFORM
#include "kdrv/dispatch.hpp" // for MethodDispatch, MethodArgs, dispatchMethod

#if KDRV_CONFIG_PLATFORM == KDRV_PLATFORM_XNU

#include <IOKit/IOUserClient.h> // for IOExternalMethodArguments

namespace kdrv
{
// The limits kdrv enforces are I/O Kit's.
static_assert(kVariableSize == static_cast<uint32_t>(kIOUCVariableStructureSize),
              "kVariableSize != kIOUCVariableStructureSize");
static_assert(kScalarMax == static_cast<uint32_t>(kIOExternalMethodScalarInputCountMax) &&
                  kScalarMax == static_cast<uint32_t>(kIOExternalMethodScalarOutputCountMax),
              "kScalarMax != kIOExternalMethodScalar*CountMax");
static_assert(kAsyncRefCount == static_cast<uint32_t>(kOSAsyncRef64Count),
              "kAsyncRefCount != kOSAsyncRef64Count");
static_assert(kAsyncArgsMax == static_cast<uint32_t>(kMaxAsyncArgs),
              "kAsyncArgsMax != kMaxAsyncArgs");
static_assert(kAsyncReservedIndex == static_cast<uint32_t>(kIOAsyncReservedIndex) &&
                  kAsyncCalloutFuncIndex == static_cast<uint32_t>(kIOAsyncCalloutFuncIndex) &&
                  kAsyncCalloutRefconIndex == static_cast<uint32_t>(kIOAsyncCalloutRefconIndex) &&
                  kAsyncCalloutCount == static_cast<uint32_t>(kIOAsyncCalloutCount),
              "async reference indices differ from I/O Kit's");
static_assert(kMethodArgsVersion == static_cast<uint32_t>(kIOExternalMethodArgumentsCurrentVersion),
              "kMethodArgsVersion != kIOExternalMethodArgumentsCurrentVersion");

// Async reference words are uint64_t on both sides, so asyncReference is
// passed through and AsyncRef::words has OSAsyncReference64's layout.
static_assert(sizeof(io_user_reference_t) == sizeof(uint64_t), "io_user_reference_t is 64-bit");
static_assert(sizeof(AsyncRef) == sizeof(OSAsyncReference64),
              "AsyncRef must have OSAsyncReference64's size");

// A row's checks sit where IOExternalMethodDispatch keeps them.
static_assert(sizeof(MethodAction) == sizeof(IOExternalMethodAction), "handler pointer size");
static_assert(offsetof(MethodDispatch, function) == offsetof(IOExternalMethodDispatch, function),
              "function offset");
static_assert(offsetof(MethodDispatch, checkScalarInputCount) ==
                  offsetof(IOExternalMethodDispatch, checkScalarInputCount),
              "checkScalarInputCount offset");
static_assert(offsetof(MethodDispatch, checkStructureInputSize) ==
                  offsetof(IOExternalMethodDispatch, checkStructureInputSize),
              "checkStructureInputSize offset");
static_assert(offsetof(MethodDispatch, checkScalarOutputCount) ==
                  offsetof(IOExternalMethodDispatch, checkScalarOutputCount),
              "checkScalarOutputCount offset");
static_assert(offsetof(MethodDispatch, checkStructureOutputSize) ==
                  offsetof(IOExternalMethodDispatch, checkStructureOutputSize),
              "checkStructureOutputSize offset");
static_assert(
    sizeof(static_cast<IOExternalMethodArguments*>(nullptr)->scalarInputCount) ==
            sizeof(uint32_t) &&
        sizeof(static_cast<IOExternalMethodArguments*>(nullptr)->structureInputSize) ==
            sizeof(uint32_t) &&
        sizeof(static_cast<IOExternalMethodArguments*>(nullptr)->scalarOutputCount) ==
            sizeof(uint32_t) &&
        sizeof(static_cast<IOExternalMethodArguments*>(nullptr)->structureOutputSize) ==
            sizeof(uint32_t) &&
        sizeof(static_cast<IOExternalMethodArguments*>(nullptr)->structureOutputDescriptorSize) ==
            sizeof(uint32_t),
    "I/O Kit counts are 32-bit");

// True when both rows demand the same shape (function aside).
KDRV_NODISCARD constexpr bool sameChecks(const MethodDispatch& ours,
                                         const IOExternalMethodDispatch& theirs)
{
    return ours.checkScalarInputCount == theirs.checkScalarInputCount &&
           ours.checkStructureInputSize == theirs.checkStructureInputSize &&
           ours.checkScalarOutputCount == theirs.checkScalarOutputCount &&
           ours.checkStructureOutputSize == theirs.checkStructureOutputSize;
}

// Builds `out` from the kernel's block. Buffers are shared, not copied (the
// plain assignments below only compile because the pointer types agree);
// descriptor lengths are read here, once. `native` must be non-NULL.
inline void methodArgsFromIOKit(IOExternalMethodArguments* native, bool clientPrivileged,
                                MethodArgs* out)
{
    MethodArgs& a = *out;
    a.version = native->version;
    a.selector = native->selector;
    a.asyncWakePort = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(native->asyncWakePort));
    a.asyncReference = native->asyncReference;
    a.asyncReferenceCount = native->asyncReferenceCount;
    a.scalarInput = native->scalarInput;
    a.scalarInputCount = native->scalarInputCount;
    a.structureInput = native->structureInput;
    a.structureInputSize = native->structureInputSize;
    IOMemoryDescriptor* const inDesc = native->structureInputDescriptor;
    a.structureInputDescriptor = inDesc;
    a.structureInputDescriptorLength = inDesc != nullptr ? inDesc->getLength() : 0;
    a.scalarOutput = native->scalarOutput;
    a.scalarOutputCount = native->scalarOutputCount;
    a.structureOutput = native->structureOutput;
    a.structureOutputSize = native->structureOutputSize;
    IOMemoryDescriptor* const outDesc = native->structureOutputDescriptor;
    a.structureOutputDescriptor = outDesc;
    a.structureOutputDescriptorLength = outDesc != nullptr ? outDesc->getLength() : 0;
    a.structureOutputDescriptorSize = native->structureOutputDescriptorSize;
    a.clientPrivileged = clientPrivileged;
    a.nativeArguments = native;
}

// Copies the three in/out counts back after a call.
inline void methodArgsCountsToIOKit(const MethodArgs& a, IOExternalMethodArguments* native)
{
    native->scalarOutputCount = a.scalarOutputCount;
    native->structureOutputSize = a.structureOutputSize;
    native->structureOutputDescriptorSize = a.structureOutputDescriptorSize;
}

// dispatchMethod() over the kernel's block: same checks, same results (as
// IOReturn), counts copied back whatever the result, as xnu's IPC layer
// does. `native == NULL` is BadArgument. A handler finds the original block
// in args->nativeArguments.
KDRV_NODISCARD inline IOReturn
dispatchExternalMethod(const MethodDispatch* table, uint32_t count, uint32_t selector,
                       IOExternalMethodArguments* native, void* target, void* reference,
                       bool clientPrivileged, SelectorPolicy policy = SelectorPolicy::Unsupported)
{
    if (native == nullptr)
    {
        return toIOReturn(Status::BadArgument);
    }
    MethodArgs a;
    methodArgsFromIOKit(native, clientPrivileged, &a);
    const Status s = dispatchMethod(table, count, selector, &a, target, reference, policy);
    methodArgsCountsToIOKit(a, native);
    return toIOReturn(s);
}
} // namespace kdrv

#endif // KDRV_CONFIG_PLATFORM == KDRV_PLATFORM_XNU
#endif // KDRV_PLATFORM_XNU_DISPATCH_HPP
