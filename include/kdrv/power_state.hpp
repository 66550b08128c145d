// SPDX-License-Identifier: MIT
//
/// \file
/// Power-state tables: the row layout I/O Kit's registerPowerDriver() takes, a
/// validator that rejects broken tables before they reach the kernel, the
/// lookups power management makes on a table, and transition planning.
///
/// A power-managed driver describes its device in a constant array of rows,
/// ordered from off (index 0) to fully on (index count - 1). States are named
/// by their index ("ordinal") everywhere. Every row has exactly twelve fields,
/// all as wide as unsigned long (4 bytes on ILP32, 8 on LP64):
///
///   static const kdrv::PowerState gPowerStates[kNumPowerStates] = {
///       {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},                          // off
///       {1, kdrv::kPMPowerOn | kdrv::kPMDeviceUsable, kdrv::kPMPowerOn,
///        kdrv::kPMPowerOn, 0, 0, 0, 0, 0, 0, 0, 0},                    // on
///   };
///   static_assert(KDRV_COUNTOF(gPowerStates) == kNumPowerStates, "table size");
///
/// In a build for the xnu platform, kdrv/platform/power_layout.hpp (opt-in,
/// like platform/xnu_dispatch.hpp, since it pulls the SDK's IOPM headers)
/// proves at compile time that PowerState has IOPMPowerState's size, field
/// offsets and field types, so the same array can be handed to
/// registerPowerDriver().
///
/// Everything here is pure: no locks, no allocation, no platform services. A
/// table is read only; concurrent readers need no synchronization.
#ifndef KDRV_POWER_STATE_HPP
#define KDRV_POWER_STATE_HPP

#include "kdrv/base.hpp"     // for KDRV_NODISCARD, min64, addSaturating64
#include "kdrv/contract.hpp" // for KDRV_EXPECTS
#include "kdrv/status.hpp"   // for Status

namespace kdrv
{
/// IOPMPowerFlags: bits of capabilityFlags, outputPowerCharacter and
/// inputPowerRequirement.
typedef unsigned long PowerFlags;

/// Row versions. kdrv validates version-1 tables; version 2 gives the sixth
/// field a meaning (stateOrder) that kdrv does not model.
constexpr unsigned long kPowerStateVersion1 = 1;
constexpr unsigned long kPowerStateVersion2 = 2;

/// Flags, with IOPM.h's values.
/// Needs power from the parent (input) / can power children (output).
constexpr PowerFlags kPMPowerOn = 0x00000002UL;
/// The device can be used in this state.
constexpr PowerFlags kPMDeviceUsable = 0x00008000UL;
/// Reduced power compared with the kPMPowerOn state; may be combined with
/// kPMDeviceUsable; may or may not power children.
constexpr PowerFlags kPMLowPower = 0x00010000UL;
/// Blocks idle (automatic) system sleep while in this state; not user sleep.
constexpr PowerFlags kPMPreventIdleSleep = 0x00000040UL;
constexpr PowerFlags kPMSleepCapability = 0x00000004UL;
constexpr PowerFlags kPMRestartCapability = 0x00000080UL;
constexpr PowerFlags kPMSleep = 0x00000001UL;
/// The device starts in this state, so no initial power request is needed.
constexpr PowerFlags kPMInitialDeviceState = 0x00000100UL;
/// Passed by the root domain; never valid in a table row.
constexpr PowerFlags kPMRootDomainState = 0x00000200UL;

/// The public, non-deprecated capability bits. Anything else in a row's
/// capabilityFlags draws a warning (the SDK documents the rest as private,
/// deprecated or undefined in a table).
constexpr PowerFlags kPMKnownCapabilityFlags =
    kPMPowerOn | kPMDeviceUsable | kPMLowPower | kPMPreventIdleSleep | kPMSleepCapability |
    kPMRestartCapability | kPMSleep | kPMInitialDeviceState;

/// What the last state must offer: power and usability.
constexpr PowerFlags kPMFullyOn = kPMPowerOn | kPMDeviceUsable;

/// setPowerState() result meaning "done on return" (kIOPMAckImplied).
constexpr int32_t kPMAckImplied = 0;

/// activityTickle() types. Only kPMSuperclassPolicy1 is handled by the power
/// manager; kPMSubclassPolicy is for drivers that judge idleness themselves.
constexpr unsigned long kPMSubclassPolicy = 0;
constexpr unsigned long kPMSuperclassPolicy1 = 1;

/// "No such state", returned by lookups that can fail.
constexpr unsigned long kNoPowerState = ~0UL;

/// One row of a power-state table: IOPMPowerState, field for field. Aggregate
/// (POD), so tables are constant-initialized and live in read-only data.
struct PowerState
{
    unsigned long version;            // kPowerStateVersion1
    PowerFlags capabilityFlags;       // what the device can do in this state
    PowerFlags outputPowerCharacter;  // power supplied to children: kPMPowerOn or 0
    PowerFlags inputPowerRequirement; // power needed from the parent: kPMPowerOn or 0
    unsigned long staticPower;        // mW, average consumption; 0 if unknown
    unsigned long unbudgetedPower;    // unused, 0 (stateOrder in newer SDKs, version 2 only)
    unsigned long powerToAttain;      // mW, unused, 0
    unsigned long timeToAttain;       // us to enter this state from the one below
    unsigned long settleUpTime;       // us to settle after entering it from below
    unsigned long timeToLower;        // us to leave this state for the one below
    unsigned long settleDownTime;     // us to settle after leaving it downwards
    unsigned long powerDomainBudget;  // mW, unused, 0
};

static_assert(sizeof(PowerState) == 12 * sizeof(unsigned long),
              "PowerState must be exactly twelve unsigned longs, like IOPMPowerState");

// ---------------------------------------------------------------------------
// Validation
//
// validatePowerTable() checks a table against the rules power management and
// the book state, and reports each finding with the rule and the state it is
// about. Errors reject the table; warnings are listed and the table is
// accepted. Identical rows are legal (the book's own four-state example has
// two), and so is a table with no kPMInitialDeviceState row.
//
//   Errors                                    Warnings
//   E1 NULL table or fewer than two states    W1 capability bits outside
//   E2 a row's version is not 1                  kPMKnownCapabilityFlags, or an
//   E3 state 0 is not off: kPMPowerOn,           input/output character other
//      kPMDeviceUsable or kPMLowPower in its     than 0 or kPMPowerOn
//      capabilities, or it needs input power  W2 more than one initial state
//   E4 the last state lacks kPMPowerOn or     W3 non-zero staticPower decreases
//      kPMDeviceUsable (so a table with no       as the index rises
//      usable state is rejected)              W4 a middle state is more capable
//                                                than the last one

enum class PowerRule : uint8_t
{
    TooFewStates = 1,          // E1
    UnsupportedVersion,        // E2
    OffStateNotOff,            // E3
    LastStateNotUsable,        // E4
    UnknownCapabilityBits,     // W1
    NonStandardPowerCharacter, // W1
    MultipleInitialStates,     // W2
    StaticPowerDecreases,      // W3
    MiddleStateMoreCapable,    // W4
};

constexpr bool isPowerRuleError(PowerRule rule)
{
    return rule >= PowerRule::TooFewStates && rule <= PowerRule::LastStateNotUsable;
}

/// "E1 fewer than two states" ..., for logs. Never NULL.
inline const char* powerRuleName(PowerRule rule)
{
    switch (rule)
    {
    case PowerRule::TooFewStates:
        return "E1 table missing or fewer than two states";
    case PowerRule::UnsupportedVersion:
        return "E2 version is not 1";
    case PowerRule::OffStateNotOff:
        return "E3 state 0 is not off";
    case PowerRule::LastStateNotUsable:
        return "E4 last state is not on and usable";
    case PowerRule::UnknownCapabilityBits:
        return "W1 unknown capability bits";
    case PowerRule::NonStandardPowerCharacter:
        return "W1 input or output character is neither 0 nor kIOPMPowerOn";
    case PowerRule::MultipleInitialStates:
        return "W2 more than one initial state";
    case PowerRule::StaticPowerDecreases:
        return "W3 staticPower decreases with the index";
    case PowerRule::MiddleStateMoreCapable:
        return "W4 a middle state is more capable than the last";
    }
    return "unknown rule";
}

/// One finding: which rule, about which state (kNoPowerState for E1, which is
/// about the table as a whole).
struct PowerFinding
{
    PowerRule rule;
    unsigned long state;
};

/// How many findings of each kind a PowerTableIssues keeps; more are counted.
constexpr unsigned long kPowerIssueCapacity = 16;

/// Errors and warnings, apart, in state order. errorCount and warningCount
/// count every finding; errors[] and warnings[] keep the first
/// kPowerIssueCapacity of each.
struct PowerTableIssues
{
    PowerFinding errors[kPowerIssueCapacity];
    PowerFinding warnings[kPowerIssueCapacity];
    unsigned long errorCount;
    unsigned long warningCount;

    /// Empties both lists. The stored findings are zeroed too (512 bytes,
    /// once per validation): an optimizer that cannot tie the counts to the
    /// entries written then still sees every entry contains() reads as set.
    void clear()
    {
        for (unsigned long i = 0; i < kPowerIssueCapacity; ++i)
        {
            errors[i] = PowerFinding();
            warnings[i] = PowerFinding();
        }
        errorCount = 0;
        warningCount = 0;
    }
    unsigned long storedErrors() const
    {
        return errorCount < kPowerIssueCapacity ? errorCount : kPowerIssueCapacity;
    }
    unsigned long storedWarnings() const
    {
        return warningCount < kPowerIssueCapacity ? warningCount : kPowerIssueCapacity;
    }
    /// True if a stored finding matches rule and state.
    bool contains(PowerRule rule, unsigned long state) const
    {
        const PowerFinding* list = isPowerRuleError(rule) ? errors : warnings;
        const unsigned long n = isPowerRuleError(rule) ? storedErrors() : storedWarnings();
        for (unsigned long i = 0; i < n; ++i)
        {
            if (list[i].rule == rule && list[i].state == state)
            {
                return true;
            }
        }
        return false;
    }
    void add(PowerRule rule, unsigned long state)
    {
        PowerFinding* list = isPowerRuleError(rule) ? errors : warnings;
        unsigned long& count = isPowerRuleError(rule) ? errorCount : warningCount;
        if (count < kPowerIssueCapacity)
        {
            list[count].rule = rule;
            list[count].state = state;
        }
        ++count;
    }
};

namespace detail
{
constexpr bool hasAll(PowerFlags flags, PowerFlags wanted) { return (flags & wanted) == wanted; }

/// W4: would a middle row serve better than the last one?
constexpr bool moreCapableThanLast(const PowerState& middle, const PowerState& last)
{
    return (hasAll(middle.outputPowerCharacter, kPMPowerOn) &&
            !hasAll(last.outputPowerCharacter, kPMPowerOn)) ||
           (hasAll(middle.capabilityFlags, kPMDeviceUsable) &&
            !hasAll(last.capabilityFlags, kPMDeviceUsable)) ||
           (hasAll(middle.capabilityFlags, kPMDeviceUsable) &&
            !hasAll(middle.capabilityFlags, kPMLowPower) &&
            hasAll(last.capabilityFlags, kPMLowPower));
}

inline void note(PowerTableIssues* out, PowerRule rule, unsigned long state)
{
    if (out != nullptr)
    {
        out->add(rule, state);
    }
}

/// The error rules of row `i` of `count` (E2-E4), noted in order; true if any.
inline bool rowHasErrors(const PowerState& row, unsigned long i, unsigned long count,
                         PowerTableIssues* issues)
{
    bool failed = false;
    if (row.version != kPowerStateVersion1)
    {
        note(issues, PowerRule::UnsupportedVersion, i);
        failed = true;
    }
    if (i == 0 && ((row.capabilityFlags & (kPMPowerOn | kPMDeviceUsable | kPMLowPower)) != 0 ||
                   row.inputPowerRequirement != 0))
    {
        note(issues, PowerRule::OffStateNotOff, i);
        failed = true;
    }
    if (i == count - 1 && !hasAll(row.capabilityFlags, kPMFullyOn))
    {
        note(issues, PowerRule::LastStateNotUsable, i);
        failed = true;
    }
    return failed;
}
} // namespace detail

/// Validate table[0..count). Safe on any input: a NULL table or a short count
/// is an E1 finding, not a crash; the loop reads each row once.
///
/// issues may be NULL. When given, it is cleared and filled.
/// Returns Status::Success if there is no error (warnings or not), else
/// Status::BadArgument, the code registerPowerDriver() returns for the tables
/// it refuses.
KDRV_NODISCARD inline Status validatePowerTable(const PowerState* table, unsigned long count,
                                                PowerTableIssues* issues)
{
    using detail::hasAll;
    using detail::note;
    if (issues != nullptr)
    {
        issues->clear();
    }
    if (table == nullptr || count < 2)
    {
        note(issues, PowerRule::TooFewStates, kNoPowerState);
        return Status::BadArgument;
    }
    bool failed = false;
    bool sawInitial = false;
    unsigned long lastPower = 0;
    const PowerState& last = table[count - 1];
    for (unsigned long i = 0; i < count; ++i)
    {
        const PowerState& row = table[i];
        if (detail::rowHasErrors(row, i, count, issues))
        {
            failed = true;
        }
        if ((row.capabilityFlags & ~kPMKnownCapabilityFlags) != 0)
        {
            note(issues, PowerRule::UnknownCapabilityBits, i);
        }
        if (((row.inputPowerRequirement | row.outputPowerCharacter) & ~kPMPowerOn) != 0)
        {
            note(issues, PowerRule::NonStandardPowerCharacter, i);
        }
        if ((row.capabilityFlags & kPMInitialDeviceState) != 0)
        {
            if (sawInitial)
            {
                note(issues, PowerRule::MultipleInitialStates, i);
            }
            sawInitial = true;
        }
        if (row.staticPower != 0)
        {
            if (row.staticPower < lastPower)
            {
                note(issues, PowerRule::StaticPowerDecreases, i);
            }
            lastPower = row.staticPower;
        }
        if (i != 0 && i != count - 1 && detail::moreCapableThanLast(row, last))
        {
            note(issues, PowerRule::MiddleStateMoreCapable, i);
        }
    }
    return failed ? Status::BadArgument : Status::Success;
}

// ---------------------------------------------------------------------------
// Lookups on a validated table. A NULL table with a non-zero count is a
// programmer error (contract); count 0 returns the "none" answer. Each is a
// short scan of at most count rows.

/// The parent's cap (xnu's maxCapabilityForDomainState): the highest state
/// whose inputPowerRequirement the parent's flags satisfy, or 0 if none.
KDRV_NODISCARD inline unsigned long
highestStateForParentFlags(const PowerState* table, unsigned long count, PowerFlags parentFlags)
{
    KDRV_EXPECTS(table != nullptr || count == 0);
    for (unsigned long i = count; i > 0; --i)
    {
        const PowerFlags need = table[i - 1].inputPowerRequirement;
        if ((parentFlags & need) == need)
        {
            return i - 1;
        }
    }
    return 0;
}

namespace detail
{
/// The lowest row whose `field` has every bit of `wanted`, or `none`.
KDRV_INLINE unsigned long lowestStateWithAll(const PowerState* table, unsigned long count,
                                             PowerFlags PowerState::*field, PowerFlags wanted,
                                             unsigned long none)
{
    KDRV_EXPECTS(table != nullptr || count == 0);
    for (unsigned long i = 0; i < count; ++i)
    {
        if ((table[i].*field & wanted) == wanted)
        {
            return i;
        }
    }
    return none;
}
} // namespace detail

/// A child's need: the lowest state whose outputPowerCharacter has every bit
/// of childFlags, or 0 if none does (as xnu maps a child's request).
KDRV_NODISCARD inline unsigned long
lowestStateWithOutputCharacter(const PowerState* table, unsigned long count, PowerFlags childFlags)
{
    return detail::lowestStateWithAll(table, count, &PowerState::outputPowerCharacter, childFlags,
                                      0);
}

/// The lowest state whose capabilityFlags have every bit of capabilities, or
/// kNoPowerState.
KDRV_NODISCARD inline unsigned long
lowestStateWithCapability(const PowerState* table, unsigned long count, PowerFlags capabilities)
{
    return detail::lowestStateWithAll(table, count, &PowerState::capabilityFlags, capabilities,
                                      kNoPowerState);
}

/// The highest state with kPMDeviceUsable, or kNoPowerState.
KDRV_NODISCARD inline unsigned long highestUsableState(const PowerState* table, unsigned long count)
{
    KDRV_EXPECTS(table != nullptr || count == 0);
    for (unsigned long i = count; i > 0; --i)
    {
        if ((table[i - 1].capabilityFlags & kPMDeviceUsable) != 0)
        {
            return i - 1;
        }
    }
    return kNoPowerState;
}

/// The index of the first row with kPMInitialDeviceState, or kNoPowerState.
KDRV_NODISCARD inline unsigned long initialDeviceState(const PowerState* table, unsigned long count)
{
    return lowestStateWithCapability(table, count, kPMInitialDeviceState);
}

/// Precomputed lookups: the answers for every flag value below
/// kPowerIndexFlagValues (the values power management passes: 0 and
/// kPMPowerOn), one compare and one load each; other flag values take the
/// scan. `cached` tells whether the table's characters use only those low
/// bits (every sensible table), so that no answer depends on a higher bit.
/// build() once per table (the table must outlive the index); the index is
/// then read-only.
constexpr unsigned long kPowerIndexFlagValues = 4;
static_assert(kPMPowerOn < kPowerIndexFlagValues, "kPMPowerOn must be a cached flag value");

struct PowerTableIndex
{
    const PowerState* table;
    unsigned long count;
    PowerFlags inputBits;                           // OR of every inputPowerRequirement
    PowerFlags outputBits;                          // OR of every outputPowerCharacter
    bool cached;                                    // both below kPowerIndexFlagValues
    unsigned long parentCap[kPowerIndexFlagValues]; // by parent flags
    unsigned long childNeed[kPowerIndexFlagValues]; // by child flags
    unsigned long highestUsable;                    // kNoPowerState if none

    void build(const PowerState* states, unsigned long n)
    {
        KDRV_EXPECTS(states != nullptr || n == 0);
        table = states;
        count = n;
        inputBits = 0;
        outputBits = 0;
        for (unsigned long i = 0; i < n; ++i)
        {
            inputBits |= states[i].inputPowerRequirement;
            outputBits |= states[i].outputPowerCharacter;
        }
        cached = inputBits < kPowerIndexFlagValues && outputBits < kPowerIndexFlagValues;
        for (unsigned long f = 0; f < kPowerIndexFlagValues; ++f)
        {
            parentCap[f] = kdrv::highestStateForParentFlags(states, n, f);
            childNeed[f] = kdrv::lowestStateWithOutputCharacter(states, n, f);
        }
        highestUsable = kdrv::highestUsableState(states, n);
    }

    // Flags below kPowerIndexFlagValues (0 and kPMPowerOn among them) are
    // answered exactly by the arrays, whatever the table: each entry was
    // computed by the scan with those flags. Other flags take the scan,
    // which stays inline: an out-of-line call in a caller's loop keeps that
    // loop's escaped locals in memory and stops it being unrolled (twice
    // the cost of the cached answer).
    KDRV_NODISCARD KDRV_INLINE unsigned long highestStateForParentFlags(PowerFlags flags) const
    {
        if (KDRV_LIKELY(flags < kPowerIndexFlagValues))
        {
            return parentCap[flags];
        }
        return kdrv::highestStateForParentFlags(table, count, flags);
    }
    KDRV_NODISCARD KDRV_INLINE unsigned long lowestStateWithOutputCharacter(PowerFlags flags) const
    {
        if (KDRV_LIKELY(flags < kPowerIndexFlagValues))
        {
            return childNeed[flags];
        }
        return kdrv::lowestStateWithOutputCharacter(table, count, flags);
    }
};

// ---------------------------------------------------------------------------
// Transition planning
//
// A change between two states passes every state in between. Rising from i-1
// to i takes row i's timeToAttain and settles for row i's settleUpTime;
// dropping from i to i-1 takes row i's timeToLower and settles for row i's
// settleDownTime. (xnu sums the settle times the same way; it calls
// setPowerState() once, with the final state.)

struct PowerStep
{
    unsigned long fromState;
    unsigned long toState;
    unsigned long transitionMicros; // timeToAttain or timeToLower
    unsigned long settleMicros;     // settleUpTime or settleDownTime
};

namespace detail
{
// addSaturating64 clamped to unsigned long (4 bytes on ILP32, 8 on LP64).
inline unsigned long addSaturatingULong(unsigned long a, unsigned long b)
{
    return static_cast<unsigned long>(min64(addSaturating64(a, b), ~0UL));
}

inline PowerStep stepBetween(const PowerState* table, unsigned long from, unsigned long to)
{
    PowerStep step;
    step.fromState = from;
    step.toState = to;
    const PowerState& upper = table[to > from ? to : from];
    step.transitionMicros = to > from ? upper.timeToAttain : upper.timeToLower;
    step.settleMicros = to > from ? upper.settleUpTime : upper.settleDownTime;
    return step;
}
} // namespace detail

/// Write the steps from `from` to `to`, in order, into steps[0..capacity).
/// *stepCount receives the number of steps the change needs (|to - from|, 0
/// for no change) even when they do not fit.
/// Returns Success; BadArgument for a NULL table or stepCount, or an ordinal
/// >= count; NoSpace if capacity is smaller than *stepCount (steps holds the
/// first capacity steps). steps may be NULL when capacity is 0.
KDRV_NODISCARD inline Status planPowerTransition(const PowerState* table, unsigned long count,
                                                 unsigned long from, unsigned long to,
                                                 PowerStep* steps, unsigned long capacity,
                                                 unsigned long* stepCount)
{
    if (table == nullptr || stepCount == nullptr || from >= count || to >= count ||
        (steps == nullptr && capacity != 0))
    {
        return Status::BadArgument;
    }
    const unsigned long needed = to > from ? to - from : from - to;
    *stepCount = needed;
    const unsigned long written = needed < capacity ? needed : capacity;
    unsigned long state = from;
    for (unsigned long i = 0; i < written; ++i)
    {
        const unsigned long next = to > from ? state + 1 : state - 1;
        steps[i] = detail::stepBetween(table, state, next);
        state = next;
    }
    return written == needed ? Status::Success : Status::NoSpace;
}

/// The whole change as one step: summed transition and settle times
/// (saturating at ~0UL). Returns BadArgument as planPowerTransition().
KDRV_NODISCARD inline Status powerTransitionTotals(const PowerState* table, unsigned long count,
                                                   unsigned long from, unsigned long to,
                                                   PowerStep* total)
{
    if (table == nullptr || total == nullptr || from >= count || to >= count)
    {
        return Status::BadArgument;
    }
    total->fromState = from;
    total->toState = to;
    total->transitionMicros = 0;
    total->settleMicros = 0;
    unsigned long state = from;
    while (state != to)
    {
        const unsigned long next = to > from ? state + 1 : state - 1;
        const PowerStep step = detail::stepBetween(table, state, next);
        total->transitionMicros =
            detail::addSaturatingULong(total->transitionMicros, step.transitionMicros);
        total->settleMicros = detail::addSaturatingULong(total->settleMicros, step.settleMicros);
        state = next;
    }
    return Status::Success;
}
} // namespace kdrv

#endif // KDRV_POWER_STATE_HPP
