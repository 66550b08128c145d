// SPDX-License-Identifier: MIT
//
/// \file
/// User-only: builds a MethodArgs block for a test, owns its buffers and
/// reads back what the handler wrote, so a test does not zero the twenty
/// fields by hand:
///
///     kdrv::test::MethodCall call;
///     call.scalarInput({250}).scalarOutputCapacity(1);
///     CHECK(call.dispatch(sTimerMethods, kTimerMethodCount, kDelay, &timer) ==
///           kdrv::Status::Success);
///     CHECK(call.scalarOutput() == std::vector<uint64_t>{250});
///
/// Every field starts zero or NULL, as dispatchMethod() wants unused fields.
/// Each setter fills the field pair it names and keeps the block's pointers
/// on the call's own storage; args() gives the block itself, for a test that
/// wants to break a rule on purpose (a NULL pointer with a count, say).
/// Not copyable (the block points into the object). Refuses kernel builds.
#ifndef KDRV_TESTING_METHOD_CALL_HPP
#define KDRV_TESTING_METHOD_CALL_HPP

#include "kdrv/platform/platform.hpp" // for KDRV_IN_KERNEL

#if KDRV_IN_KERNEL
#error "kdrv/testing/method_call.hpp is user-space only (it uses the C++ standard library)"
#endif

#include <stdint.h> // for uint8_t, uint32_t, uint64_t
#include <string.h> // for memcpy

#include <cstddef>          // for std::ptrdiff_t
#include <initializer_list> // for std::initializer_list
#include <vector>           // for std::vector

#include "kdrv/method_dispatch.hpp" // for MethodArgs, MethodDispatch, dispatchMethod

namespace kdrv
{
namespace test
{
class MethodCall
{
  public:
    MethodCall() : args_() { args_.version = kMethodArgsVersion; }
    MethodCall(const MethodCall&) = delete;
    MethodCall& operator=(const MethodCall&) = delete;

    /// scalarInput / scalarInputCount.
    MethodCall& scalarInput(std::initializer_list<uint64_t> values)
    {
        scalarIn_.assign(values.begin(), values.end());
        args_.scalarInput = scalarIn_.empty() ? nullptr : scalarIn_.data();
        args_.scalarInputCount = static_cast<uint32_t>(scalarIn_.size());
        return *this;
    }

    /// structureInput / structureInputSize: a copy of `size` bytes.
    MethodCall& structureInput(const void* data, uint32_t size)
    {
        const uint8_t* bytes = static_cast<const uint8_t*>(data);
        structIn_.assign(bytes, bytes + size);
        args_.structureInput = structIn_.empty() ? nullptr : structIn_.data();
        args_.structureInputSize = size;
        return *this;
    }

    /// structureInput from one trivially copyable value (a shared struct).
    template <typename T> MethodCall& structureInputValue(const T& value)
    {
        return structureInput(&value, static_cast<uint32_t>(sizeof value));
    }

    /// scalarOutput / scalarOutputCount: room for `capacity` values.
    MethodCall& scalarOutputCapacity(uint32_t capacity)
    {
        scalarOut_.assign(capacity, 0);
        args_.scalarOutput = scalarOut_.empty() ? nullptr : scalarOut_.data();
        args_.scalarOutputCount = capacity;
        return *this;
    }

    /// structureOutput / structureOutputSize: a buffer of `capacity` bytes.
    MethodCall& structureOutputCapacity(uint32_t capacity)
    {
        structOut_.assign(capacity, 0);
        args_.structureOutput = structOut_.empty() ? nullptr : structOut_.data();
        args_.structureOutputSize = capacity;
        return *this;
    }

    /// An out-of-line input: an opaque handle and its length.
    MethodCall& structureInputDescriptor(void* handle, uint64_t length)
    {
        args_.structureInputDescriptor = handle;
        args_.structureInputDescriptorLength = length;
        return *this;
    }

    /// An out-of-line output: an opaque handle, its length and the in/out size.
    MethodCall& structureOutputDescriptor(void* handle, uint64_t length, uint32_t size)
    {
        args_.structureOutputDescriptor = handle;
        args_.structureOutputDescriptorLength = length;
        args_.structureOutputDescriptorSize = size;
        return *this;
    }

    /// An asynchronous call: a non-zero wake port and the reference words.
    MethodCall& async(uint64_t wakePort, std::initializer_list<uint64_t> reference)
    {
        asyncRef_.assign(reference.begin(), reference.end());
        args_.asyncWakePort = wakePort;
        args_.asyncReference = asyncRef_.empty() ? nullptr : asyncRef_.data();
        args_.asyncReferenceCount = static_cast<uint32_t>(asyncRef_.size());
        return *this;
    }

    /// clientPrivileged (kMethodRequireAdmin rows).
    MethodCall& privileged(bool isPrivileged = true)
    {
        args_.clientPrivileged = isPrivileged;
        return *this;
    }

    /// The block as built (and, after dispatch(), as the handler left it).
    MethodArgs& args() { return args_; }
    const MethodArgs& args() const { return args_; }

    /// dispatchMethod() over this block; args().selector is set to `selector`.
    KDRV_NODISCARD Status dispatch(const MethodDispatch* table, uint32_t count, uint32_t selector,
                                   void* target = nullptr, void* reference = nullptr,
                                   SelectorPolicy policy = SelectorPolicy::Unsupported)
    {
        args_.selector = selector;
        return dispatchMethod(table, count, selector, &args_, target, reference, policy);
    }

    /// The scalars written: the first scalarOutputCount values (never more
    /// than the capacity set).
    std::vector<uint64_t> scalarOutput() const
    {
        const size_t n = args_.scalarOutputCount < scalarOut_.size() ? args_.scalarOutputCount
                                                                     : scalarOut_.size();
        return std::vector<uint64_t>(scalarOut_.begin(),
                                     scalarOut_.begin() + static_cast<std::ptrdiff_t>(n));
    }

    /// The inline structure bytes written: the first structureOutputSize bytes.
    std::vector<uint8_t> structureOutput() const
    {
        const size_t n = args_.structureOutputSize < structOut_.size() ? args_.structureOutputSize
                                                                       : structOut_.size();
        return std::vector<uint8_t>(structOut_.begin(),
                                    structOut_.begin() + static_cast<std::ptrdiff_t>(n));
    }

    /// The inline output read as one value; false if fewer bytes were written.
    template <typename T> bool structureOutputValue(T* value) const
    {
        if (args_.structureOutputSize < sizeof(T) || structOut_.size() < sizeof(T))
        {
            return false;
        }
        memcpy(value, structOut_.data(), sizeof(T));
        return true;
    }

  private:
    MethodArgs args_;
    std::vector<uint64_t> scalarIn_;
    std::vector<uint8_t> structIn_;
    std::vector<uint64_t> scalarOut_;
    std::vector<uint8_t> structOut_;
    std::vector<uint64_t> asyncRef_;
};
} // namespace test
} // namespace kdrv

#endif // KDRV_TESTING_METHOD_CALL_HPP
