// SPDX-License-Identifier: MIT
//
/// \file
/// Completion records that fire exactly once, and completion chaining, after
/// IOStorageCompletion and IOUSBCompletion ({target, action, parameter}).
///
/// The ownership rule. For every asynchronous request exactly one of these
/// happens:
///   (a) submission fails: the callback never runs and the submitter cleans
///       up (frees the request, releases the buffer);
///   (b) submission succeeds: the callback runs exactly once, and it cleans
///       up.
/// A request that is completed twice frees twice; one that is completed
/// after a failed submission is freed by both sides. CompletionRecord makes
/// both detectable instead of fatal.
///
///   Completion                 {target, action, parameter}: a plain triple
///   invokeCompletion(c, s, n)  call it once, no bookkeeping (null action: no-op)
///   CompletionRecord           the armed/fired state of one request
///     arm(c)                   before submitting (BadArgument: no action;
///                              Busy: already armed)
///     complete(status, count)  from the lower layer; runs the action exactly
///                              once. A second call (or one after
///                              submitFailed) runs nothing, returns
///                              NotPermitted and is counted (duplicates())
///     submitFailed()           the submit call returned an error: disarm
///                              without running the action. Success means
///                              "you own the cleanup"; NotPermitted means the
///                              lower layer completed anyway: the callback
///                              owns it, do not free
///     submitted(status)        submitFailed() when status is an error
///   CompletionChain            a layer between caller and device (the
///                              book's encryption filter): begin() saves the
///                              parent completion in caller-provided storage
///                              and yields the child completion to submit;
///                              the child's completion runs an optional step
///                              (decrypt) on success and completes the parent
///                              exactly once, with the count forced to 0
///                              whenever the status is an error.
///
/// Concurrency. complete() and submitFailed() may race with each other and
/// with themselves from any threads or interrupt context: one atomic
/// compare-and-swap on the record's state decides, so the action runs at
/// most once, and exactly once if any complete() was called on an armed
/// record. The record's fields are published by arm() with release order and
/// read by the winning complete() after an acquire, so the action sees what
/// the submitter wrote before arming. The action runs on the completing
/// thread, after the state has left Armed: it may re-arm the same record for
/// the next request. A duplicate complete() that arrives after such a re-arm
/// cannot be told from a real one (no generation count); arm() and a
/// record's reuse belong to its one owner.
///
/// Invariants. The state moves only by RMWs: Idle/Fired -> Arming (arm's
/// CAS, so one arm() at a time), Arming -> Armed (arm's release store, after
/// the fields), Armed -> Fired (complete's CAS) or Armed -> Idle
/// (submitFailed's CAS). Exactly one of the last two wins for an armed
/// record, and the fields are written only in Arming, which neither of them
/// can start from. Fired means the action may still be running or about to
/// copy the fields: re-arm from the action, or after the action has told
/// the owner, never because state() read kFired (an arm() then could write
/// the fields while complete() copies them). CompletionChain: the parent
/// record stays Armed until the child's winner (claimChild's CAS) has run
/// the step and completed it, so begin() on the same link cannot overwrite
/// step_ or context_ while they are in use.
///
/// Memory: all storage is the caller's (the records live in the request,
/// never on the submitter's stack). No allocation, no locks, no waiting.
#ifndef KDRV_COMPLETION_HPP
#define KDRV_COMPLETION_HPP

#include "kdrv/atomic.hpp" // for MemoryOrder, fetchAdd, compareExchange
#include "kdrv/base.hpp"   // for KDRV_NODISCARD, KDRV_NONCOPYABLE
#include "kdrv/status.hpp" // for Status

namespace kdrv
{
/// target, parameter, status and the actual byte count (0 on error through
/// a chain), as IOStorageCompletionAction.
typedef void (*CompletionAction)(void* target, void* parameter, Status status, uint64_t count);

/// A completion triple, copyable like IOStorageCompletion.
struct Completion
{
    void* target;
    CompletionAction action;
    void* parameter;
};

/// Runs c's action if it has one. Returns false for a null action.
KDRV_INLINE bool invokeCompletion(const Completion& c, Status status, uint64_t count)
{
    if (c.action == nullptr)
        return false;
    c.action(c.target, c.parameter, status, count);
    return true;
}

/// The armed/fired state of one request.
class CompletionRecord
{
  public:
    enum State : uint32_t
    {
        kIdle = 0,   ///< never armed, or disarmed by submitFailed()
        kArming = 1, ///< arm() is writing the fields
        kArmed = 2,  ///< submitted; waiting for complete()
        kFired = 3,  ///< complete() ran (or is running) the action
    };

    constexpr CompletionRecord()
        : state_(kIdle), duplicates_(0), completion_{nullptr, nullptr, nullptr}
    {
    }
    KDRV_NONCOPYABLE(CompletionRecord);

    /// Saves c and arms the record; call before submitting. BadArgument for a
    /// null action, Busy if the record is armed (or being armed) already.
    KDRV_NODISCARD Status arm(const Completion& c)
    {
        if (c.action == nullptr)
            return Status::BadArgument;
        uint32_t s = state_.load(MemoryOrder::Relaxed);
        for (;;)
        {
            if (s == kArming || s == kArmed)
                return Status::Busy;
            if (state_.compareExchangeWeak(&s, kArming, MemoryOrder::Acquire, MemoryOrder::Relaxed))
                break;
        }
        completion_ = c;
        state_.store(kArmed, MemoryOrder::Release);
        return Status::Success;
    }

    /// Completes the request: runs the saved action once with (status,
    /// count) and returns Success. If the record is not armed (already
    /// completed, disarmed by submitFailed(), or never armed) nothing runs:
    /// NotPermitted, and duplicates() counts the call.
    KDRV_NODISCARD Status complete(Status status, uint64_t count)
    {
        uint32_t expected = kArmed;
        if (!state_.compareExchange(&expected, kFired, MemoryOrder::AcqRel, MemoryOrder::Relaxed))
        {
            duplicates_.fetchAdd(1, MemoryOrder::Relaxed);
            return Status::NotPermitted;
        }
        // Copy first: the action may re-arm this record.
        const Completion c = completion_;
        c.action(c.target, c.parameter, status, count);
        return Status::Success;
    }

    /// The submit call failed: disarms without running the action. Success:
    /// the caller owns the cleanup. NotPermitted: the record was not armed
    /// (the lower layer completed it anyway, so the callback owns cleanup).
    KDRV_NODISCARD Status submitFailed()
    {
        uint32_t expected = kArmed;
        if (!state_.compareExchange(&expected, kIdle, MemoryOrder::AcqRel, MemoryOrder::Relaxed))
        {
            duplicates_.fetchAdd(1, MemoryOrder::Relaxed);
            return Status::NotPermitted;
        }
        return Status::Success;
    }

    /// Forwards a submit call's result: Success stays armed (the callback
    /// will run); an error calls submitFailed() and returns the submit
    /// call's status if the caller now owns the cleanup, NotPermitted if
    /// the callback ran anyway.
    KDRV_NODISCARD Status submitted(Status submitResult)
    {
        if (submitResult == Status::Success)
            return Status::Success;
        const Status s = submitFailed();
        return s == Status::Success ? submitResult : s;
    }

    /// Armed: a complete() will run the action.
    KDRV_NODISCARD bool isArmed() const { return state_.load(MemoryOrder::Acquire) == kArmed; }
    KDRV_NODISCARD uint32_t state() const { return state_.load(MemoryOrder::Acquire); }
    /// complete() or submitFailed() calls that found the record not armed.
    KDRV_NODISCARD uint32_t duplicates() const { return duplicates_.load(MemoryOrder::Relaxed); }

  private:
    AtomicU32 state_;
    AtomicU32 duplicates_;
    Completion completion_;
};

/// A chain step, run by the chain when the child completed with Success:
/// may transform the data (decrypt) and may change the status and count
/// (a failed decryption turns Success into an error). Not run on error.
typedef void (*ChainStep)(void* context, Status* status, uint64_t* count);

/// One link between a parent completion (the caller's) and a child
/// completion (what this layer submits below). Caller-provided storage, one
/// per in-flight request, e.g. in a pool allocated at init.
class CompletionChain
{
  public:
    constexpr CompletionChain()
        : parent_(), child_(0), childDuplicates_(0), step_(nullptr), context_(nullptr)
    {
    }
    KDRV_NONCOPYABLE(CompletionChain);

    /// Saves parent, step and context and writes the child completion to
    /// submit below. Success: submit *child, then report the submit call's
    /// result with childSubmitted(). Any error means the parent has already
    /// been completed (count 0) and nothing must be submitted: NoMemory when
    /// `link` is null (no storage for the request: the parent gets
    /// NoMemory), BadArgument for a null child or a null parent action (the
    /// parent, having no action, is simply not called), Busy when the link
    /// is still in use (the parent gets Busy).
    KDRV_NODISCARD static Status begin(CompletionChain* link, const Completion& parent,
                                       ChainStep step, void* context, Completion* child)
    {
        if (parent.action == nullptr || child == nullptr)
            return Status::BadArgument;
        if (link == nullptr)
        {
            invokeCompletion(parent, Status::NoMemory, 0);
            return Status::NoMemory;
        }
        const Status s = link->parent_.arm(parent);
        if (s != Status::Success)
        {
            invokeCompletion(parent, s, 0);
            return s;
        }
        link->step_ = step;
        link->context_ = context;
        link->child_.store(kChildArmed, MemoryOrder::Release);
        child->target = link;
        child->action = onChildComplete;
        child->parameter = nullptr;
        return Status::Success;
    }

    /// Reports the child's submit result. An error completes the parent now
    /// with that status and count 0 (the storage-stack rule: the parent
    /// always hears through its completion) and returns Success, or
    /// NotPermitted if the child had already completed (nothing more runs).
    KDRV_NODISCARD Status childSubmitted(Status submitResult)
    {
        if (submitResult == Status::Success)
            return Status::Success;
        if (!claimChild())
            return Status::NotPermitted;
        return parent_.complete(submitResult, 0);
    }

    /// Child completions (or failed-submit reports) that arrived after the
    /// first: detected, counted, never forwarded.
    KDRV_NODISCARD uint32_t duplicates() const
    {
        return childDuplicates_.load(MemoryOrder::Relaxed) + parent_.duplicates();
    }
    /// begin() succeeded and the parent has not been completed yet.
    KDRV_NODISCARD bool inFlight() const { return parent_.isArmed(); }

    /// The child's completion action (public so a test can call it).
    static void onChildComplete(void* target, void*, Status status, uint64_t count)
    {
        CompletionChain* link = static_cast<CompletionChain*>(target);
        if (!link->claimChild())
            return; // a duplicate: counted, the step is not repeated
        if (status == Status::Success && link->step_ != nullptr)
            link->step_(link->context_, &status, &count);
        if (status != Status::Success)
            count = 0;
        (void)link->parent_.complete(status, count);
    }

  private:
    enum : uint32_t
    {
        kChildIdle = 0,
        kChildArmed = 1,
        kChildDone = 2,
    };

    /// The one winner of the child's completion (acquire: sees begin()'s
    /// writes); every other caller is counted.
    bool claimChild()
    {
        uint32_t expected = kChildArmed;
        if (child_.compareExchange(&expected, kChildDone, MemoryOrder::AcqRel,
                                   MemoryOrder::Relaxed))
            return true;
        childDuplicates_.fetchAdd(1, MemoryOrder::Relaxed);
        return false;
    }

    CompletionRecord parent_;
    AtomicU32 child_;
    AtomicU32 childDuplicates_;
    ChainStep step_;
    void* context_;
};
} // namespace kdrv

#endif // KDRV_COMPLETION_HPP
