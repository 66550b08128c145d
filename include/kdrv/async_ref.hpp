// SPDX-License-Identifier: MIT
//
/// \file
/// Asynchronous external methods: what a handler keeps after its call
/// returns, how it delivers the completion, and who holds the target alive in
/// between. Method dispatch itself is in kdrv/method_dispatch.hpp.
///
/// An async call (isAsync(args): a non-zero asyncWakePort, on a row with
/// kMethodAllowAsync) returns its outputs as soon as the handler returns; the
/// completion comes later through the wake port. The argument block is gone
/// once the handler returns, so the handler copies everything it needs, the
/// async reference above all, with AsyncRef::capture().
///
/// Lifetime rule for the target: a handler that starts asynchronous work
/// takes one reference on the target before returning Success, and that
/// reference is dropped exactly once: when the completion has been sent, or
/// on any failure while starting the work (allocation, thread start), in
/// which case the handler returns the failure and sends no completion. A
/// completion that arrives after clientClose() still drops it. TargetRef
/// holds that one reference and makes an early return drop it.
///
/// Everything here is a value type or a plain function-pointer table: no
/// allocation, no lock, callable in any context the supplied functions allow.
/// The limits (kAsyncRefCount, kAsyncArgsMax, the word indices) are xnu's;
/// platform/xnu_dispatch.hpp proves them against the SDK.
#ifndef KDRV_ASYNC_REF_HPP
#define KDRV_ASYNC_REF_HPP

#include "kdrv/base.hpp"            // for min32, copyBytes, zeroBytes
#include "kdrv/contract.hpp"        // for KDRV_EXPECTS
#include "kdrv/method_dispatch.hpp" // for MethodArgs
#include "kdrv/status.hpp"          // for Status

namespace kdrv
{
/// Words of an async reference (kOSAsyncRef64Count).
constexpr uint32_t kAsyncRefCount = 8;
/// Result words in one async completion (kMaxAsyncArgs).
constexpr uint32_t kAsyncArgsMax = 16;
/// Async reference word indices (kIOAsyncReservedIndex, kIOAsyncCalloutFuncIndex,
/// kIOAsyncCalloutRefconIndex, kIOAsyncCalloutCount).
constexpr uint32_t kAsyncReservedIndex = 0;
constexpr uint32_t kAsyncCalloutFuncIndex = 1;
constexpr uint32_t kAsyncCalloutRefconIndex = 2;
constexpr uint32_t kAsyncCalloutCount = 3;
/// The reserved word holds the wake port; xnu keeps flag bits in its low two bits.
constexpr uint64_t kAsyncReservedFlagsMask = 3u;

/// A copy of the caller's async reference words.
struct AsyncRef
{
    uint64_t words[kAsyncRefCount];

    /// Copies min(asyncReferenceCount, kAsyncRefCount) words and zero-fills
    /// the rest (the book always copies 64 bytes, whatever the count says).
    /// Word kAsyncReservedIndex is copied as given: the framework wrote the
    /// wake port there. Returns the number of words copied; 0 (all zero) for
    /// a NULL block or reference.
    uint32_t capture(const MethodArgs* args)
    {
        uint32_t n = 0;
        if (args != nullptr && args->asyncReference != nullptr)
        {
            n = min32(args->asyncReferenceCount, kAsyncRefCount);
            copyBytes(words, args->asyncReference, n * sizeof(uint64_t));
        }
        zeroBytes(words + n, (kAsyncRefCount - n) * sizeof(uint64_t));
        return n;
    }

    /// The wake port recorded in the reserved word, flag bits removed.
    KDRV_NODISCARD constexpr uint64_t wakePort() const
    {
        return words[kAsyncReservedIndex] & ~kAsyncReservedFlagsMask;
    }
};

/// Delivers one completion to the port recorded in `ref` (in a kext:
/// IOUserClient::sendAsyncResult64). Returns its status.
typedef Status (*AsyncSendFn)(void* context, const AsyncRef* ref, Status result,
                              const uint64_t* words, uint32_t count);

/// Where async completions go: a send function and its context. POD, so it
/// may be a constant-initialized global.
struct AsyncResultSink
{
    AsyncSendFn send;
    void* context;

    /// Sends `result` plus `count` extra words (a byte count, say).
    ///   count > kAsyncArgsMax                  MessageTooLarge, nothing sent
    ///   count != 0 with words == NULL          BadArgument, nothing sent
    ///   no wake port in ref (ref.wakePort()==0) Success, nothing sent (xnu
    ///                                          behaves the same: the client is gone)
    ///   send == NULL                           Error
    ///   otherwise                              send's status
    /// Callable from any context `send` allows; it keeps no state.
    KDRV_NODISCARD Status sendResult(const AsyncRef& ref, Status result, const uint64_t* words,
                                     uint32_t count) const
    {
        if (count > kAsyncArgsMax)
        {
            return Status::MessageTooLarge;
        }
        if (count != 0 && words == nullptr)
        {
            return Status::BadArgument;
        }
        if (ref.wakePort() == 0)
        {
            return Status::Success;
        }
        if (send == nullptr)
        {
            return Status::Error;
        }
        return send(context, &ref, result, words, count);
    }
};

/// How to take and drop a reference on a target (OSObject::retain/release
/// in a kext, a refcount in user space).
typedef void (*TargetRetainFn)(void* target);
typedef void (*TargetReleaseFn)(void* target);
struct TargetOps
{
    TargetRetainFn retain;
    TargetReleaseFn release;
};

/// Holds at most one reference on an async target, and drops it exactly once.
///
///     kdrv::TargetRef ref;
///     ref.retain(target, &kOps);            // before any step that can fail
///     Work* w = allocateWork();
///     if (!w) return Status::NoMemory;      // ~TargetRef releases
///     ref.transferTo(&w->targetRef);        // the work now owns the reference
///     if (!startThread(w)) { w->targetRef.release(); freeWork(w); return Status::Error; }
///     return Status::Success;
///     ... at completion: sink.sendResult(...); w->targetRef.release(); freeWork(w);
///
/// release() on an empty TargetRef does nothing, so a second release (a
/// completion racing teardown on the same owner) cannot over-release.
/// Not synchronized: one owner at a time, hand-over by transferTo().
class TargetRef
{
  public:
    constexpr TargetRef() : target_(nullptr), ops_(nullptr) {}
    ~TargetRef() { static_cast<void>(release()); }
    KDRV_NONCOPYABLE(TargetRef);

    /// Takes one reference on `target`. Preconditions (programmer errors,
    /// checked by contract): this holds none; target, ops and both functions
    /// are non-NULL.
    void retain(void* target, const TargetOps* ops)
    {
        KDRV_EXPECTS(target_ == nullptr);
        KDRV_EXPECTS(target != nullptr && ops != nullptr);
        KDRV_EXPECTS(ops->retain != nullptr && ops->release != nullptr);
        ops->retain(target);
        target_ = target;
        ops_ = ops;
    }

    /// Drops the reference if one is held; true if it did.
    bool release()
    {
        void* const t = target_;
        if (t == nullptr)
        {
            return false;
        }
        target_ = nullptr;
        ops_->release(t);
        return true;
    }

    /// Moves the reference to `dest`, which must hold none (else dest keeps
    /// its own and this one is dropped, so nothing leaks).
    void transferTo(TargetRef* dest)
    {
        if (dest == this)
        {
            return;
        }
        if (dest == nullptr || dest->target_ != nullptr)
        {
            static_cast<void>(release());
            return;
        }
        dest->target_ = target_;
        dest->ops_ = ops_;
        target_ = nullptr;
    }

    KDRV_NODISCARD bool isHeld() const { return target_ != nullptr; }
    KDRV_NODISCARD void* target() const { return target_; }

  private:
    void* target_;
    const TargetOps* ops_;
};

} // namespace kdrv

#endif // KDRV_ASYNC_REF_HPP
