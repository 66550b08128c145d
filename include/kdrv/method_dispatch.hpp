// SPDX-License-Identifier: MIT
//
/// \file
/// External-method dispatch: turn an untrusted selector and argument block
/// from user space into a call to a handler, after proving that the block has
/// the shape the handler was promised. The model is I/O Kit's
/// IOExternalMethodDispatch table and IOUserClient::externalMethod(); kdrv
/// checks more than I/O Kit does, because everything in the block may come
/// from a compromised process.
///
/// A table is a `static const` array of MethodDispatch rows, one per
/// selector, in selector order, with no bound written between the brackets,
/// tied to its selector enum at compile time:
///
///     enum TimerSelector { kStartTimer, kStopTimer, kGetElapsed, kTimerMethodCount };
///     static const kdrv::MethodDispatch sTimerMethods[] = {
///         {sStartTimer, 0, 0, 0, 0, 0},
///         {sStopTimer, 0, 0, 0, 0, 0},
///         {sGetElapsed, 0, 0, 1, 0, 0}, // one scalar out
///     };
///     KDRV_STATIC_ASSERT_METHOD_TABLE(sTimerMethods, kTimerMethodCount);
///
/// and the user client forwards every call:
///
///     return kdrv::dispatchMethod(sTimerMethods, kTimerMethodCount, selector, &args,
///                                 this, nullptr);
///
/// A table cannot be short. Without a bound, KDRV_STATIC_ASSERT_METHOD_TABLE
/// fails when the rows and the enum disagree. With a bound
/// (`sTimerMethods[kTimerMethodCount]`) and a row missing, the declaration
/// itself does not compile: MethodDispatch has no default constructor, so
/// the compiler cannot fill the missing row with zeros. A row whose function
/// is NULL can only be written on purpose (a reserved selector); reaching it
/// returns NoCompletion (step 9 below), never a crash.
///
/// Contract of dispatchMethod():
/// - Pure and reentrant: any number of threads may dispatch through one table
///   at once. It never writes the table, never dereferences `target` or
///   `reference`, allocates nothing, takes no lock and does not recurse.
/// - It never asserts on the argument block: every defect is a Status.
/// - Calling context: whatever the handlers allow; the dispatcher itself
///   neither blocks nor sleeps, so it may run with preemption disabled.
/// - Checks run in the fixed order below and the first failure is returned.
///   A rejected call leaves the in/out counts exactly as the caller passed
///   them. Steps 1-2 leave every buffer untouched; from step 3 on the inline
///   outputs are zero.
///
///       1. args == NULL                                         BadArgument
///       2. inconsistent block: a non-zero count or size with a NULL pointer
///          (descriptor lengths included), more than kScalarMax scalars in
///          either direction, an inline structure over kInlineStructMax
///          bytes, inline structure and descriptor for the same direction
///                                                                BadArgument
///       3. zero scalarOutput[0..scalarOutputCount) and the inline
///          structureOutput (as xnu's IPC layer does), so neither a rejection
///          nor a short write can leak stale kernel bytes
///       4. table == NULL                                        Error
///       5. selector >= count       Unsupported (book) or BadArgument (xnu),
///                                  chosen by SelectorPolicy
///       6. the row's four checks, in xnu's order (scalar in, structure in,
///          scalar out, structure out); each must match exactly unless it
///          holds kVariableSize. A structure's size is its descriptor length
///          when a descriptor is given, else the inline size, compared in 64
///          bits so a descriptor of 2^32 + N bytes never passes a check of N
///                                                                BadArgument
///       7. asynchronous call (asyncWakePort != 0) to a row without
///          kMethodAllowAsync, or without an async reference      BadArgument
///       8. kMethodRequireAdmin and !args->clientPrivileged       NotPrivileged
///       9. function == NULL (a reserved row)                     NoCompletion
///      10. function(target, reference, args); its status is returned unchanged
///      11. if the handler raised scalarOutputCount, structureOutputSize or
///          structureOutputDescriptorSize above the capacity the caller
///          passed, the count is clamped back to that capacity and the result
///          is Overrun, whatever the handler returned. Lowering a count is
///          how a handler reports a short (variable-length) write and is
///          allowed.
///
/// What a handler may rely on: every count and size it sees has been checked
/// against its row; a non-zero count comes with a non-NULL pointer valid for
/// that many elements (as far as the caller of dispatchMethod built the block
/// honestly); outputs start zeroed. It still validates *values* and *state*
/// (for example "timer not started"): the dispatcher checks shapes only.
///
/// Asynchronous methods and the retain/release rule for the target are in
/// kdrv/async_ref.hpp, notification ports in kdrv/notify_port.hpp (both
/// included by kdrv/dispatch.hpp). Kernel-control options are in
/// option_table.hpp; the bridge to the real IOExternalMethodArguments is in
/// platform/xnu_dispatch.hpp.
#ifndef KDRV_METHOD_DISPATCH_HPP
#define KDRV_METHOD_DISPATCH_HPP

#include "kdrv/base.hpp"   // for KDRV_INLINE, KDRV_COUNTOF, zeroBytes, min32
#include "kdrv/status.hpp" // for Status

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
/// kIOExternalMethodArgumentsCurrentVersion.
constexpr uint32_t kMethodArgsVersion = 2;

/// Row flag: the method may be called asynchronously (with a wake port).
constexpr uint32_t kMethodAllowAsync = 1u;
/// Row flag: only for clients opened by an administrator (MethodArgs::clientPrivileged).
constexpr uint32_t kMethodRequireAdmin = 2u;

// ---------------------------------------------------------------------------
// The argument block

/// Mirrors IOExternalMethodArguments field by field, with types that exist in
/// user space too. "in/out" counts hold the caller's capacity on entry and
/// what was written on return. Descriptors are opaque handles (an
/// IOMemoryDescriptor* in a kext) whose length the caller of dispatchMethod
/// reads once, before dispatch, so handlers and checks agree on it.
///
/// Who fills it: in a kext, platform/xnu_dispatch.hpp copies the kernel's
/// block; in a test, zero it and set the fields a call uses (or use
/// kdrv/testing/method_call.hpp). Every field not used must be zero or NULL,
/// or step 2 of dispatchMethod() rejects the block.
struct MethodArgs
{
    uint32_t version;  ///< in: kMethodArgsVersion; not checked
    uint32_t selector; ///< in: informational; dispatchMethod() routes on its own argument

    uint64_t asyncWakePort;       ///< in: opaque wake port; non-zero makes the call asynchronous
    uint64_t* asyncReference;     ///< in: the caller's async reference words (see AsyncRef)
    uint32_t asyncReferenceCount; ///< in: how many words asyncReference holds

    const uint64_t* scalarInput; ///< in: scalarInputCount 64-bit values; NULL when the count is 0
    uint32_t scalarInputCount;   ///< in: at most kScalarMax; checked against the row

    const void* structureInput;  ///< in: inline input bytes; NULL when the size is 0
    uint32_t structureInputSize; ///< in: at most kInlineStructMax; 0 with a descriptor

    void* structureInputDescriptor;          ///< in: out-of-line input handle, or NULL
    uint64_t structureInputDescriptorLength; ///< in: its length (the checked size); 0 without one

    uint64_t* scalarOutput;     ///< out: room for scalarOutputCount values, zeroed before the call
    uint32_t scalarOutputCount; ///< in/out: capacity (checked against the row), then values written

    void* structureOutput; ///< out: inline output buffer, zeroed before the call
    uint32_t
        structureOutputSize; ///< in/out: capacity (at most kInlineStructMax), then bytes written

    void* structureOutputDescriptor;          ///< out: out-of-line output handle, or NULL
    uint64_t structureOutputDescriptorLength; ///< in: its length (the checked size); 0 without one
    uint32_t structureOutputDescriptorSize; ///< in/out: capacity, then bytes written; 0 without one

    /// in: whether the client may call kMethodRequireAdmin rows. The user
    /// client decides once, when it is opened (initWithTask with
    /// clientHasPrivilege(securityToken, kIOClientPrivilegeAdministrator)),
    /// and copies the answer into every block: a per-call callback would let
    /// the answer change under a running client and would cost an indirect
    /// call on every dispatch.
    bool clientPrivileged;

    /// in: the platform's own block (IOExternalMethodArguments* in a kext),
    /// for the rare handler that needs a field kdrv does not mirror; else NULL.
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
/// order and at its offsets (platform/xnu_dispatch.hpp proves it), so a row
/// written the book's way ({function, 4 checks}) still compiles, with
/// flags = 0.
///
/// The constexpr constructor is the only way to make a row, and there is no
/// default constructor: an array declared with a bound and fewer rows than
/// the bound does not compile, because the compiler cannot zero-fill the
/// missing rows. Tables stay constant-initialized (no code runs at load).
struct MethodDispatch
{
    MethodAction function;             ///< the handler; NULL marks a reserved selector
    uint32_t checkScalarInputCount;    ///< exact scalarInputCount, or kVariableSize
    uint32_t checkStructureInputSize;  ///< exact input structure size, or kVariableSize
    uint32_t checkScalarOutputCount;   ///< exact scalarOutputCount capacity, or kVariableSize
    uint32_t checkStructureOutputSize; ///< exact output structure capacity, or kVariableSize
    uint32_t flags;                    ///< kMethodAllowAsync | kMethodRequireAdmin

    constexpr MethodDispatch(MethodAction fn, uint32_t scalarIn, uint32_t structIn,
                             uint32_t scalarOut, uint32_t structOut, uint32_t rowFlags = 0)
        : function(fn), checkScalarInputCount(scalarIn), checkStructureInputSize(structIn),
          checkScalarOutputCount(scalarOut), checkStructureOutputSize(structOut), flags(rowFlags)
    {
    }
};

/// True when `table` (a true array) has exactly `count` rows.
#define KDRV_METHOD_TABLE_MATCHES(table, count) (KDRV_COUNTOF(table) == static_cast<size_t>(count))

/// Makes a table/enum length mismatch a compile error. Declare the table
/// with empty brackets; rows must be written in selector order: the selector
/// is the index.
#define KDRV_STATIC_ASSERT_METHOD_TABLE(table, count)                                              \
    static_assert(KDRV_METHOD_TABLE_MATCHES(table, count),                                         \
                  "method table " #table " must have exactly " #count " rows, in selector "        \
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
    const uint64_t descriptorBits = reinterpret_cast<uintptr_t>(a.structureInputDescriptor) |
                                    reinterpret_cast<uintptr_t>(a.structureOutputDescriptor) |
                                    a.structureInputDescriptorLength |
                                    a.structureOutputDescriptorLength |
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
/// the index to 0 when index >= count with an operation the CPU does not
/// predict. On x86-64 that is a compare and a conditional move (the shortest
/// chain from the selector to the handler's address, which a mispredicted
/// handler call waits for); elsewhere a mask, all ones when index < count,
/// else zero, hidden from the optimizer by an empty asm, which would
/// otherwise fold it away after the bounds check.
KDRV_INLINE uint32_t indexNoSpeculation(uint32_t index, uint32_t count)
{
#if defined(__x86_64__)
    const uint32_t zero = 0;
    __asm__("cmpl %[count], %[index]\n\tcmovael %[zero], %[index]"
            : [index] "+r"(index)
            : [count] "r"(count), [zero] "r"(zero)
            : "cc");
    return index;
#else
    uint64_t diff = static_cast<uint64_t>(index) - static_cast<uint64_t>(count);
    __asm__("" : "+r"(diff));
    // diff's top bit is set exactly when index < count.
    const uint32_t mask = static_cast<uint32_t>(0u - static_cast<uint32_t>(diff >> 63));
    return index & mask;
#endif
}

/// The common block, screened: synchronous, no descriptors, no async
/// reference, every count and inline size within its limit, and every
/// pointer at or above its count (so a non-zero count has a non-NULL
/// pointer). A block that passes cannot fail step 2 or step 7, and its
/// effective structure sizes are its inline sizes. The screen is only a
/// sufficient condition: a block it turns away (a descriptor, an async call,
/// a non-NULL pointer below 4097, or a real defect) is judged by the ordered
/// checks, which give the exact status. Each test is one compare-and-branch
/// on a value loaded once; the seven fields that must be zero share one.
KDRV_INLINE bool plainBlock(const MethodArgs& a)
{
    const uint64_t unusual = reinterpret_cast<uintptr_t>(a.structureInputDescriptor) |
                             reinterpret_cast<uintptr_t>(a.structureOutputDescriptor) |
                             a.structureInputDescriptorLength | a.structureOutputDescriptorLength |
                             a.structureOutputDescriptorSize | a.asyncWakePort |
                             a.asyncReferenceCount;
    return KDRV_LIKELY(unusual == 0) && a.scalarInputCount <= kScalarMax &&
           a.scalarOutputCount <= kScalarMax && a.structureInputSize <= kInlineStructMax &&
           a.structureOutputSize <= kInlineStructMax &&
           reinterpret_cast<uintptr_t>(a.scalarInput) >= a.scalarInputCount &&
           reinterpret_cast<uintptr_t>(a.scalarOutput) >= a.scalarOutputCount &&
           reinterpret_cast<uintptr_t>(a.structureInput) >= a.structureInputSize &&
           reinterpret_cast<uintptr_t>(a.structureOutput) >= a.structureOutputSize;
}

/// Step 6 for a plain block, whose effective sizes are its inline sizes.
KDRV_INLINE bool plainRowAccepts(const MethodDispatch& row, const MethodArgs& a)
{
    return checkHolds(row.checkScalarInputCount, a.scalarInputCount) &&
           checkHolds(row.checkStructureInputSize, a.structureInputSize) &&
           checkHolds(row.checkScalarOutputCount, a.scalarOutputCount) &&
           checkHolds(row.checkStructureOutputSize, a.structureOutputSize);
}

/// Step 3: zero the inline outputs up to the capacities the caller passed.
KDRV_INLINE void zeroOutputs(const MethodArgs& a, uint32_t scalarOutCap, uint32_t structOutCap)
{
    zeroScalars(a.scalarOutput, scalarOutCap);
    if (structOutCap != 0)
    {
        zeroBytes(a.structureOutput, structOutCap);
    }
}

/// Step 11's repair, off the hot path: clamp the counts back to the
/// capacities and report the overrun.
inline KDRV_NOINLINE Status clampOverrun(MethodArgs& a, uint32_t scalarOutCap,
                                         uint32_t structOutCap, uint32_t descOutCap)
{
    a.scalarOutputCount = min32(a.scalarOutputCount, scalarOutCap);
    a.structureOutputSize = min32(a.structureOutputSize, structOutCap);
    a.structureOutputDescriptorSize = min32(a.structureOutputDescriptorSize, descOutCap);
    return Status::Overrun;
}

/// Steps 8 to 11, once steps 1 to 7 have passed for `row`. The capacities
/// are the counts as the caller passed them, read before any handler ran.
KDRV_INLINE Status callRow(const MethodDispatch& row, MethodArgs& a, void* target, void* reference,
                           uint32_t scalarOutCap, uint32_t structOutCap, uint32_t descOutCap)
{
    const uint32_t flags = row.flags;
    if (KDRV_UNLIKELY((flags & kMethodRequireAdmin) != 0) && !a.clientPrivileged) // step 8
    {
        return Status::NotPrivileged;
    }
    const MethodAction function = row.function;
    if (KDRV_UNLIKELY(function == nullptr)) // step 9
    {
        return Status::NoCompletion;
    }

    const Status result = function(target, reference, &a); // step 10

    // Step 11. A handler that claims more output than fits must not be
    // believed: the counts go back to user space, which would read past what
    // was written.
    if (KDRV_UNLIKELY(a.scalarOutputCount > scalarOutCap || a.structureOutputSize > structOutCap ||
                      a.structureOutputDescriptorSize > descOutCap))
    {
        return clampOverrun(a, scalarOutCap, structOutCap, descOutCap);
    }
    return result;
}

/// Steps 1 to 11 in the contract's order, for every block the plain screen
/// of dispatchMethod() turns away: a rejection (with its exact status), a
/// descriptor, an asynchronous call. Out of line: it keeps the inline fast
/// path short.
inline KDRV_NOINLINE Status dispatchOrdered(const MethodDispatch* table, uint32_t count,
                                            uint32_t selector, MethodArgs* args, void* target,
                                            void* reference, SelectorPolicy policy)
{
    if (args == nullptr) // step 1
    {
        return Status::BadArgument;
    }
    MethodArgs& a = *args;
    if (methodArgsInconsistent(a)) // step 2
    {
        return Status::BadArgument;
    }
    // Capacities as the caller passed them: zeroing and the overrun check
    // use these, never a value a handler wrote.
    const uint32_t scalarOutCap = a.scalarOutputCount;
    const uint32_t structOutCap = a.structureOutputSize;
    const uint32_t descOutCap = a.structureOutputDescriptorSize;
    zeroOutputs(a, scalarOutCap, structOutCap); // step 3
    if (table == nullptr)                       // step 4
    {
        return Status::Error;
    }
    if (selector >= count) // step 5
    {
        return policy == SelectorPolicy::BadArgument ? Status::BadArgument : Status::Unsupported;
    }
    const MethodDispatch& row = table[indexNoSpeculation(selector, count)];
    if (!rowAccepts(row, a)) // step 6
    {
        return Status::BadArgument;
    }
    if (a.asyncWakePort != 0 && // step 7
        ((row.flags & kMethodAllowAsync) == 0 || a.asyncReference == nullptr ||
         a.asyncReferenceCount == 0))
    {
        return Status::BadArgument;
    }
    return callRow(row, a, target, reference, scalarOutCap, structOutCap, descOutCap);
}
} // namespace detail

/// Validates `args` against row `selector` of `table` and calls its handler;
/// see the contract at the top of this file. `table` holds `count` rows and
/// is never written; `target` and `reference` reach the handler
/// bit-identical and are never dereferenced here. Always inlined: a user
/// client has one call site, and the checks fold into it.
///
/// Two paths give the same results. The inline one takes the common block
/// (detail::plainBlock: synchronous, no descriptors, within limits) with a
/// table and a selector in range; for such a block steps 1, 2, 4, 5 and 7
/// are known to pass, so it runs steps 3, 6 and 8 to 11 in order. Every
/// other call, including every step-1, 2, 4 or 5 rejection, goes to
/// detail::dispatchOrdered(), which runs all eleven steps in order. Nothing
/// is written before the path is chosen.
///
/// Returns the handler's status, or BadArgument, Error, Unsupported,
/// NotPrivileged, NoCompletion or Overrun as listed above.
KDRV_NODISCARD KDRV_INLINE Status
dispatchMethod(const MethodDispatch* table, uint32_t count, uint32_t selector, MethodArgs* args,
               void* target, void* reference, SelectorPolicy policy = SelectorPolicy::Unsupported)
{
    if (KDRV_LIKELY(args != nullptr && table != nullptr && selector < count &&
                    detail::plainBlock(*args)))
    {
        MethodArgs& a = *args;
        const uint32_t scalarOutCap = a.scalarOutputCount;
        const uint32_t structOutCap = a.structureOutputSize;
        detail::zeroOutputs(a, scalarOutCap, structOutCap); // step 3
        const MethodDispatch& row = table[detail::indexNoSpeculation(selector, count)];
        if (KDRV_UNLIKELY(!detail::plainRowAccepts(row, a))) // step 6
        {
            return Status::BadArgument;
        }
        // A plain block has no descriptor: its descriptor capacity is 0.
        return detail::callRow(row, a, target, reference, scalarOutCap, structOutCap, 0);
    }
    return detail::dispatchOrdered(table, count, selector, args, target, reference, policy);
}

} // namespace kdrv

#endif // KDRV_METHOD_DISPATCH_HPP
