// SPDX-License-Identifier: MIT
//
// External-method dispatch: turn an untrusted selector and argument block
// from user space into a call to a handler, after proving that the block has
// the shape the handler was promised. The model is I/O Kit's
// IOExternalMethodDispatch table and IOUserClient::externalMethod(); kdrv
// checks more than I/O Kit does, because everything in the block may come
// from a compromised process.
//
// A table is a `static const` array of MethodDispatch rows, one per selector,
// in selector order, tied to its selector enum at compile time:
//
//     enum TimerSelector { kStartTimer, kStopTimer, kGetElapsed, kTimerMethodCount };
//     static const kdrv::MethodDispatch sTimerMethods[] = {
//         {sStartTimer, 0, 0, 0, 0, 0},
//         {sStopTimer, 0, 0, 0, 0, 0},
//         {sGetElapsed, 0, 0, 1, 0, 0}, // one scalar out
//     };
//     KDRV_STATIC_ASSERT_METHOD_TABLE(sTimerMethods, kTimerMethodCount);
//
// and the user client forwards every call:
//
//     return kdrv::dispatchMethod(sTimerMethods, kTimerMethodCount, selector, &args,
//                                 this, nullptr);
//
// Contract of dispatchMethod():
// - Pure and reentrant: any number of threads may dispatch through one table
//   at once. It never writes the table, never dereferences `target` or
//   `reference`, allocates nothing, takes no lock and does not recurse.
// - It never asserts on the argument block: every defect is a Status.
// - Calling context: whatever the handlers allow; the dispatcher itself
//   neither blocks nor sleeps, so it may run with preemption disabled.
// - Checks run in the fixed order below and the first failure is returned.
//   A rejected call leaves the in/out counts exactly as the caller passed
//   them. Steps 1-2 leave every buffer untouched; from step 3 on the inline
//   outputs are zero.
//
//   1. args == NULL                                            BadArgument
//   2. inconsistent block: a non-zero count or size with a NULL pointer
//      (descriptor lengths included), more than kScalarMax scalars in either
//      direction, an inline structure over kInlineStructMax bytes, inline
//      structure and descriptor for the same direction             BadArgument
//   3. zero scalarOutput[0..scalarOutputCount) and the inline
//      structureOutput (as xnu's IPC layer does), so neither a rejection nor
//      a short write can leak stale kernel bytes
//   4. table == NULL                                          Error
//   5. selector >= count            Unsupported (book) or BadArgument (xnu),
//                                   chosen by SelectorPolicy
//   6. the row's four checks, in xnu's order (scalar in, structure in,
//      scalar out, structure out); each must match exactly unless it holds
//      kVariableSize. A structure's size is its descriptor length when a
//      descriptor is given, else the inline size, compared in 64 bits so a
//      descriptor of 2^32 + N bytes never passes a check of N     BadArgument
//   7. asynchronous call (asyncWakePort != 0) to a row without
//      kMethodAllowAsync, or without an async reference           BadArgument
//   8. kMethodRequireAdmin and !args->clientPrivileged             NotPrivileged
//   9. function == NULL                                       NoCompletion
//  10. function(target, reference, args); its status is returned unchanged
//  11. if the handler raised scalarOutputCount, structureOutputSize or
//      structureOutputDescriptorSize above the capacity the caller passed,
//      the count is clamped back to that capacity and the result is
//      Overrun, whatever the handler returned. Lowering a count is how a
//      handler reports a short (variable-length) write and is allowed.
//
// What a handler may rely on: every count and size it sees has been checked
// against its row; a non-zero count comes with a non-NULL pointer valid for
// that many elements (as far as the caller of dispatchMethod built the block
// honestly); outputs start zeroed. It still validates *values* and *state*
// (for example "timer not started"): the dispatcher checks shapes only.
//
// Asynchronous methods, the retain/release rule for the target and the
// notification-port helper are further down. Kernel-control options are in
// option_table.hpp; the bridge to the real IOExternalMethodArguments is in
// platform/xnu_dispatch.hpp.
#ifndef KDRV_DISPATCH_HPP
#define KDRV_DISPATCH_HPP

#include "kdrv/base.hpp"
#include "kdrv/contract.hpp"
#include "kdrv/status.hpp"

namespace kdrv
{
// ---------------------------------------------------------------------------
// Limits (values from xnu; the kernel bridge proves them against the SDK)

/// In a check field: "do not check this count or size" (kIOUCVariableStructureSize).
constexpr uint32_t kVariableSize = 0xFFFFFFFFu;
/// Scalars per direction (kIOExternalMethodScalarInputCountMax / OutputCountMax).
constexpr uint32_t kScalarMax = 16;
/// Largest inline structure (io_struct_inband_t); larger ones come as descriptors.
constexpr uint32_t kInlineStructMax = 4096;
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
/// kIOExternalMethodArgumentsCurrentVersion.
constexpr uint32_t kMethodArgsVersion = 2;

/// Row flags.
constexpr uint32_t kMethodAllowAsync = 1u;   // may be called with a wake port
constexpr uint32_t kMethodRequireAdmin = 2u; // only for clients opened by an administrator

// ---------------------------------------------------------------------------
// The argument block

/// Mirrors IOExternalMethodArguments field by field, with types that exist in
/// user space too. "in/out" counts hold the caller's capacity on entry and
/// what was written on return. Descriptors are opaque handles (an
/// IOMemoryDescriptor* in a kext) whose length the caller of dispatchMethod
/// reads once, before dispatch, so handlers and checks agree on it.
struct MethodArgs
{
    uint32_t version;  // kMethodArgsVersion
    uint32_t selector; // informational; dispatchMethod takes the selector it routes on

    uint64_t asyncWakePort;       // opaque; non-zero means an asynchronous call
    uint64_t* asyncReference;     // the caller's async reference words
    uint32_t asyncReferenceCount; // how many of them are valid

    const uint64_t* scalarInput;
    uint32_t scalarInputCount;

    const void* structureInput; // inline input, at most kInlineStructMax bytes
    uint32_t structureInputSize;

    void* structureInputDescriptor;          // out-of-line input, or NULL
    uint64_t structureInputDescriptorLength; // its length; 0 without a descriptor

    uint64_t* scalarOutput;
    uint32_t scalarOutputCount; // in/out

    void* structureOutput;        // inline output, at most kInlineStructMax bytes
    uint32_t structureOutputSize; // in/out

    void* structureOutputDescriptor;          // out-of-line output, or NULL
    uint64_t structureOutputDescriptorLength; // its length; 0 without a descriptor
    uint32_t structureOutputDescriptorSize;   // in/out

    /// Whether the client may call kMethodRequireAdmin rows. The user client
    /// decides once, when it is opened (initWithTask with
    /// clientHasPrivilege(securityToken, kIOClientPrivilegeAdministrator)),
    /// and copies the answer into every block: a per-call callback would let
    /// the answer change under a running client and would cost an indirect
    /// call on every dispatch.
    bool clientPrivileged;

    /// The platform's own block (IOExternalMethodArguments* in a kext), for
    /// the rare handler that needs a field kdrv does not mirror; else NULL.
    void* nativeArguments;
};

/// An asynchronous call carries a wake port.
KDRV_NODISCARD constexpr bool isAsync(const MethodArgs* args) { return args->asyncWakePort != 0; }

// ---------------------------------------------------------------------------
// The table

/// Handlers are static thunks, as in the book: cast target to the object,
/// unpack args, call a member function. `target` is void* because user space
/// has no OSObject.
typedef Status (*MethodAction)(void* target, void* reference, MethodArgs* args);

/// One row. The first five members are IOExternalMethodDispatch's, in its
/// order, so a row written the book's way ({function, 4 checks}) still
/// compiles with flags = 0 (kdrv's own tables write all six values, since
/// -Wextra warns about the missing initializer).
struct MethodDispatch
{
    MethodAction function;
    uint32_t checkScalarInputCount;
    uint32_t checkStructureInputSize;
    uint32_t checkScalarOutputCount;
    uint32_t checkStructureOutputSize;
    uint32_t flags; // kMethodAllowAsync | kMethodRequireAdmin
};

/// True when `table` (a true array) has exactly `count` rows.
#define KDRV_METHOD_TABLE_MATCHES(table, count) (KDRV_COUNTOF(table) == static_cast<size_t>(count))

/// Makes a table/enum length mismatch a compile error. Rows must be written in
/// selector order: the selector is the index.
#define KDRV_STATIC_ASSERT_METHOD_TABLE(table, count)                                        \
    static_assert(KDRV_METHOD_TABLE_MATCHES(table, count),                                   \
                  "method table " #table " must have exactly " #count " rows, in selector " \
                  "order")

/// What an out-of-range selector returns. The book's user client answers
/// kIOReturnUnsupported; xnu's IOUserClient2022::dispatchExternalMethod
/// answers kIOReturnBadArgument.
enum class SelectorPolicy : uint32_t
{
    Unsupported = 0, // book, the default
    BadArgument = 1, // xnu 2022
};

namespace detail
{
/// Step 2. Written as short-circuit tests: the shape of a client's calls
/// rarely changes, so every branch is predicted, and the common case (no
/// descriptors) costs one test per field. (A branch-free reduction of the
/// same tests measured slower.)
KDRV_INLINE bool methodArgsInconsistent(const MethodArgs& a)
{
    if (a.scalarInputCount > kScalarMax || a.scalarOutputCount > kScalarMax ||
        a.structureInputSize > kInlineStructMax || a.structureOutputSize > kInlineStructMax)
    {
        return true;
    }
    if ((a.scalarInputCount != 0 && a.scalarInput == nullptr) ||
        (a.scalarOutputCount != 0 && a.scalarOutput == nullptr) ||
        (a.structureInputSize != 0 && a.structureInput == nullptr) ||
        (a.structureOutputSize != 0 && a.structureOutput == nullptr) ||
        (a.asyncReferenceCount != 0 && a.asyncReference == nullptr))
    {
        return true;
    }
    const uint64_t descriptorBits =
        reinterpret_cast<uintptr_t>(a.structureInputDescriptor) |
        reinterpret_cast<uintptr_t>(a.structureOutputDescriptor) |
        a.structureInputDescriptorLength | a.structureOutputDescriptorLength |
        a.structureOutputDescriptorSize;
    if (KDRV_LIKELY(descriptorBits == 0))
    {
        return false;
    }
    // Inline and out-of-line data for one direction are exclusive, and a
    // descriptor length or size needs a descriptor.
    if (a.structureInputDescriptor != nullptr ? a.structureInputSize != 0
                                              : a.structureInputDescriptorLength != 0)
    {
        return true;
    }
    return a.structureOutputDescriptor != nullptr
               ? a.structureOutputSize != 0
               : (a.structureOutputDescriptorLength | a.structureOutputDescriptorSize) != 0;
}

/// One exact check. `actual` is 64-bit so no size aliases modulo 2^32. The
/// exact match is tested first and expected: it is the common row, and
/// testing kVariableSize first put two extra instructions (a 64-bit constant
/// and its compare) on the path of every exact check.
KDRV_INLINE bool checkHolds(uint32_t check, uint64_t actual)
{
    return KDRV_LIKELY(static_cast<uint64_t>(check) == actual) || check == kVariableSize;
}

/// Step 6. After step 2 at most one of inline size and descriptor length is
/// non-zero per direction, so their sum is the effective size (and cannot
/// overflow: the inline part is 0 whenever a descriptor length is present).
KDRV_INLINE bool rowAccepts(const MethodDispatch& row, const MethodArgs& a)
{
    return checkHolds(row.checkScalarInputCount, a.scalarInputCount) &&
           checkHolds(row.checkStructureInputSize,
                      a.structureInputSize + a.structureInputDescriptorLength) &&
           checkHolds(row.checkScalarOutputCount, a.scalarOutputCount) &&
           checkHolds(row.checkStructureOutputSize,
                      a.structureOutputSize + a.structureOutputDescriptorLength);
}

/// Step 3 for scalars: at most kScalarMax words. The first two are stored
/// directly (the common case is one or two), the rest through zeroBytes.
KDRV_INLINE void zeroScalars(uint64_t* out, uint32_t count)
{
    if (count != 0)
    {
        out[0] = 0;
        if (count > 1)
        {
            out[1] = 0;
            if (count > 2)
            {
                zeroBytes(out + 2, (count - 2) * sizeof(uint64_t));
            }
        }
    }
}

/// The selector indexes a table with an untrusted value right after a bounds
/// check: the classic speculative out-of-bounds gadget (Spectre v1). Clamp
/// the index with a mask the CPU cannot predict: all ones when
/// index < count, else zero. The empty asm hides the value from the optimizer,
/// which would otherwise fold the mask away after the bounds check.
KDRV_INLINE uint32_t indexNoSpeculation(uint32_t index, uint32_t count)
{
    uint64_t diff = static_cast<uint64_t>(index) - static_cast<uint64_t>(count);
    __asm__("" : "+r"(diff));
    // diff's top bit is set exactly when index < count.
    const uint32_t mask = static_cast<uint32_t>(0u - static_cast<uint32_t>(diff >> 63));
    return index & mask;
}
} // namespace detail

/// Validates `args` against row `selector` of `table` and calls its handler;
/// see the contract at the top of this file. `table` holds `count` rows and
/// is never written; `target` and `reference` reach the handler
/// bit-identical and are never dereferenced here. Always inlined: a user
/// client has one call site, and the checks fold into it.
///
/// Returns the handler's status, or BadArgument, Error, Unsupported,
/// NotPrivileged, NoCompletion or Overrun as listed above.
KDRV_NODISCARD KDRV_INLINE Status dispatchMethod(const MethodDispatch* table, uint32_t count,
                                                 uint32_t selector, MethodArgs* args,
                                                 void* target, void* reference,
                                                 SelectorPolicy policy = SelectorPolicy::Unsupported)
{
    if (KDRV_UNLIKELY(args == nullptr))
    {
        return Status::BadArgument;
    }
    MethodArgs& a = *args;
    if (KDRV_UNLIKELY(detail::methodArgsInconsistent(a)))
    {
        return Status::BadArgument;
    }

    // Capacities as the caller passed them: zeroing and the overrun check
    // use these, never a value a handler wrote.
    const uint32_t scalarOutCap = a.scalarOutputCount;
    const uint32_t structOutCap = a.structureOutputSize;
    const uint32_t descOutCap = a.structureOutputDescriptorSize;
    detail::zeroScalars(a.scalarOutput, scalarOutCap);
    if (structOutCap != 0)
    {
        zeroBytes(a.structureOutput, structOutCap);
    }

    if (KDRV_UNLIKELY(table == nullptr))
    {
        return Status::Error;
    }
    if (KDRV_UNLIKELY(selector >= count))
    {
        return policy == SelectorPolicy::BadArgument ? Status::BadArgument : Status::Unsupported;
    }
    const MethodDispatch& row = table[detail::indexNoSpeculation(selector, count)];
    if (KDRV_UNLIKELY(!detail::rowAccepts(row, a)))
    {
        return Status::BadArgument;
    }
    const uint32_t flags = row.flags;
    if (KDRV_UNLIKELY(a.asyncWakePort != 0) &&
        ((flags & kMethodAllowAsync) == 0 || a.asyncReference == nullptr ||
         a.asyncReferenceCount == 0))
    {
        return Status::BadArgument;
    }
    if (KDRV_UNLIKELY((flags & kMethodRequireAdmin) != 0) && !a.clientPrivileged)
    {
        return Status::NotPrivileged;
    }
    const MethodAction function = row.function;
    if (KDRV_UNLIKELY(function == nullptr))
    {
        return Status::NoCompletion;
    }

    const Status result = function(target, reference, args);

    // A handler that claims more output than fits must not be believed: the
    // counts go back to user space, which would read past what was written.
    if (KDRV_UNLIKELY(a.scalarOutputCount > scalarOutCap ||
                      a.structureOutputSize > structOutCap ||
                      a.structureOutputDescriptorSize > descOutCap))
    {
        a.scalarOutputCount = min32(a.scalarOutputCount, scalarOutCap);
        a.structureOutputSize = min32(a.structureOutputSize, structOutCap);
        a.structureOutputDescriptorSize = min32(a.structureOutputDescriptorSize, descOutCap);
        return Status::Overrun;
    }
    return result;
}

// ---------------------------------------------------------------------------
// Asynchronous methods
//
// An async call (isAsync(args)) returns its outputs as soon as the handler
// returns; the completion comes later through the wake port. The argument
// block is gone once the handler returns, so the handler copies everything
// it needs, the async reference above all, with AsyncRef::capture().
//
// Lifetime rule for the target: a handler that starts asynchronous work
// takes one reference on the target before returning Success, and that
// reference is dropped exactly once: when the completion has been sent, or
// on any failure while starting the work (allocation, thread start), in
// which case the handler returns the failure and sends no completion. A
// completion that arrives after clientClose() still drops it. TargetRef
// below holds that one reference and makes an early return drop it.

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

// ---------------------------------------------------------------------------
// Notifications from the driver (registerNotificationPort / mach_msg_send_from_kernel)

/// A message begins with this header; the layout follows mach_msg_header_t
/// (bits, size, remote port, local port, voucher, id).
struct NotifyHeader
{
    uint32_t bits;
    uint32_t size; // set by NotifyPort::send to the whole message size
    void* remotePort; // set by NotifyPort::send to the registered port
    void* localPort;
    uint32_t voucherPort;
    int32_t id;
};

/// Sends a complete message to `port` (in a kext: mach_msg_send_from_kernel).
typedef Status (*NotifySendFn)(void* context, void* port, NotifyHeader* message, uint32_t size);

/// The port a client registered for notifications, modelled as an opaque
/// pointer plus a send function so the same code runs in user space.
///
/// Not synchronized: registerPort(), clear() and send() must be serialized by
/// the owner (the user client's gate or lock), since a replaced port may be
/// released by the caller as soon as registerPort() returns.
class NotifyPort
{
public:
    constexpr NotifyPort() : send_(nullptr), context_(nullptr), port_(nullptr), type_(0), refCon_(0)
    {
    }
    KDRV_NONCOPYABLE(NotifyPort);

    /// Sets the transport. Two-phase: a constant-initialized NotifyPort has none.
    void init(NotifySendFn sendFn, void* sendContext)
    {
        send_ = sendFn;
        context_ = sendContext;
    }

    /// registerNotificationPort(port, type, refCon): stores the port,
    /// replacing any earlier one; port == NULL clears. Always Success.
    Status registerPort(void* port, uint32_t type, uint64_t refCon)
    {
        port_ = port;
        type_ = port != nullptr ? type : 0;
        refCon_ = port != nullptr ? refCon : 0;
        return Status::Success;
    }

    void clear() { static_cast<void>(registerPort(nullptr, 0, 0)); }

    KDRV_NODISCARD bool isRegistered() const { return port_ != nullptr; }
    KDRV_NODISCARD void* port() const { return port_; }
    KDRV_NODISCARD uint32_t type() const { return type_; }
    KDRV_NODISCARD uint64_t refCon() const { return refCon_; }

    /// Fills message->remotePort and message->size (= size) and sends.
    ///   no registered port                          Error (the book's guard)
    ///   message == NULL or size < sizeof(NotifyHeader)  BadArgument
    ///   no send function                            Error
    ///   otherwise                                   the send function's status
    KDRV_NODISCARD Status send(NotifyHeader* message, uint32_t size) const
    {
        if (port_ == nullptr)
        {
            return Status::Error;
        }
        if (message == nullptr || size < sizeof(NotifyHeader))
        {
            return Status::BadArgument;
        }
        if (send_ == nullptr)
        {
            return Status::Error;
        }
        message->remotePort = port_;
        message->size = size;
        return send_(context_, port_, message, size);
    }

private:
    NotifySendFn send_;
    void* context_;
    void* port_;
    uint32_t type_;
    uint64_t refCon_;
};
} // namespace kdrv

#endif // KDRV_DISPATCH_HPP
