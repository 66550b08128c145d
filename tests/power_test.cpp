// SPDX-License-Identifier: MIT
//
// Power-state tables and the power policy: every edge case of the power
// specification, over the backend this binary is built for.
#include "kdrv/platform/power_layout.hpp" // opt-in: the IOPMPowerState layout proof
#include "kdrv/power.hpp"

#include <doctest/doctest.h>

#include <stddef.h>
#include <string.h>

#include <type_traits>
#include <vector>

using kdrv::PowerAck;
using kdrv::PowerChangeId;
using kdrv::PowerFlags;
using kdrv::PowerPolicy;
using kdrv::PowerRule;
using kdrv::PowerState;
using kdrv::PowerTableIssues;
using kdrv::Status;

namespace
{
const PowerFlags kOn = kdrv::kPMPowerOn;
const PowerFlags kUsable = kdrv::kPMDeviceUsable;
const uint64_t kSecond = 1000000;

// The book's Listing 10-1, corrected to twelve values per row.
enum
{
    kOffPowerState,
    kOnPowerState,
    kNumPowerStates
};
const PowerState gBookTwoStates[kNumPowerStates] = {
    {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {1, kdrv::kPMPowerOn | kdrv::kPMDeviceUsable, kdrv::kPMPowerOn, kdrv::kPMPowerOn, 0, 0, 0, 0, 0,
     0, 0, 0},
};
static_assert(KDRV_COUNTOF(gBookTwoStates) == kNumPowerStates, "enum count == array length");

// Listing 10-6, corrected: Standby and Idle are identical, neither usable.
enum
{
    kBookOff,
    kBookStandby,
    kBookIdle,
    kBookOn,
    kBookNumStates
};
const PowerState gBookFourStates[kBookNumStates] = {
    {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {1, kdrv::kPMPowerOn, kdrv::kPMPowerOn, kdrv::kPMPowerOn, 0, 0, 0, 0, 0, 0, 0, 0},
    {1, kdrv::kPMPowerOn, kdrv::kPMPowerOn, kdrv::kPMPowerOn, 0, 0, 0, 0, 0, 0, 0, 0},
    {1, kdrv::kPMPowerOn | kdrv::kPMDeviceUsable, kdrv::kPMPowerOn, kdrv::kPMPowerOn, 0, 0, 0, 0, 0,
     0, 0, 0},
};
static_assert(KDRV_COUNTOF(gBookFourStates) == kBookNumStates, "enum count == array length");

PowerState row(PowerFlags caps, PowerFlags out, PowerFlags in)
{
    PowerState r = {1, caps, out, in, 0, 0, 0, 0, 0, 0, 0, 0};
    return r;
}
PowerState offRow() { return row(0, 0, 0); }
PowerState onRow() { return row(kOn | kUsable, kOn, kOn); }

// The book's "too many initializers": probe the initializer count without
// breaking the build (a substitution failure, not an error).
template <typename T>
auto acceptsSixteen(int)
    -> decltype(T{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, std::true_type());
template <typename T> std::false_type acceptsSixteen(...);
template <typename T>
auto acceptsEighteen(int)
    -> decltype(T{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, std::true_type());
template <typename T> std::false_type acceptsEighteen(...);
template <typename T>
auto acceptsTwelve(int) -> decltype(T{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, std::true_type());
template <typename T> std::false_type acceptsTwelve(...);
template <typename T>
auto acceptsThirteen(int) -> decltype(T{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, std::true_type());
template <typename T> std::false_type acceptsThirteen(...);

// A driver that records everything, in order.
struct Event
{
    char kind; // 'W' will, 'S' setPowerState, 'D' did, 'C' powerChangeDone
    unsigned long state;
    PowerFlags flags;
    PowerChangeId id;
};

struct RecordingDriver final : kdrv::PowerDriver
{
    std::vector<Event> events;
    std::vector<PowerChangeId> ids;
    int32_t result = kdrv::kPMAckImplied;
    bool ackDuringCall = false;
    bool requestDuringCall = false;
    unsigned long requestOrdinal = 0;
    PowerAck ackOutcome = PowerAck::Unexpected;
    PowerPolicy* policy = nullptr;

    int32_t setPowerState(unsigned long state, PowerChangeId change) override
    {
        events.push_back(Event{'S', state, 0, change});
        ids.push_back(change);
        if (ackDuringCall && policy != nullptr)
        {
            ackOutcome = policy->acknowledgeSetPowerState(change);
        }
        if (requestDuringCall && policy != nullptr)
        {
            requestDuringCall = false;
            CHECK(policy->changePowerStateTo(requestOrdinal) == Status::Success);
        }
        return result;
    }
    void powerStateWillChangeTo(PowerFlags capabilities, unsigned long state) override
    {
        events.push_back(Event{'W', state, capabilities, 0});
    }
    void powerStateDidChangeTo(PowerFlags capabilities, unsigned long state) override
    {
        events.push_back(Event{'D', state, capabilities, 0});
    }
    void powerChangeDone(unsigned long previousState) override
    {
        events.push_back(Event{'C', previousState, 0, 0});
    }
    size_t setCalls() const
    {
        size_t n = 0;
        for (size_t i = 0; i < events.size(); ++i)
        {
            n += events[i].kind == 'S' ? 1u : 0u;
        }
        return n;
    }
    const Event* lastOf(char kind) const
    {
        for (size_t i = events.size(); i > 0; --i)
        {
            if (events[i - 1].kind == kind)
            {
                return &events[i - 1];
            }
        }
        return nullptr;
    }
};

struct Fixture
{
    RecordingDriver driver;
    PowerPolicy policy;
    explicit Fixture(const PowerState* table = gBookFourStates,
                     unsigned long count = kBookNumStates)
    {
        driver.policy = &policy;
        REQUIRE(policy.init(table, count, &driver) == Status::Success);
    }
};
} // namespace

// ---------------------------------------------------------------------------
// Layout and build (spec 13.16)

TEST_CASE("power: PowerState is twelve unsigned longs in IOPMPowerState order")
{
    static_assert(sizeof(PowerState) == 12 * sizeof(unsigned long), "12 longs");
    static_assert(std::is_trivial<PowerState>::value && std::is_standard_layout<PowerState>::value,
                  "POD");
    const size_t w = sizeof(unsigned long);
    CHECK(offsetof(PowerState, version) == 0 * w);
    CHECK(offsetof(PowerState, capabilityFlags) == 1 * w);
    CHECK(offsetof(PowerState, outputPowerCharacter) == 2 * w);
    CHECK(offsetof(PowerState, inputPowerRequirement) == 3 * w);
    CHECK(offsetof(PowerState, staticPower) == 4 * w);
    CHECK(offsetof(PowerState, unbudgetedPower) == 5 * w);
    CHECK(offsetof(PowerState, powerToAttain) == 6 * w);
    CHECK(offsetof(PowerState, timeToAttain) == 7 * w);
    CHECK(offsetof(PowerState, settleUpTime) == 8 * w);
    CHECK(offsetof(PowerState, timeToLower) == 9 * w);
    CHECK(offsetof(PowerState, settleDownTime) == 10 * w);
    CHECK(offsetof(PowerState, powerDomainBudget) == 11 * w);
    CHECK(std::is_same<PowerFlags, unsigned long>::value);
}

TEST_CASE("power: the book's 16- and 18-value rows do not compile, 12 values do")
{
    CHECK(decltype(acceptsTwelve<PowerState>(0))::value);
    CHECK_FALSE(decltype(acceptsThirteen<PowerState>(0))::value);
    CHECK_FALSE(decltype(acceptsSixteen<PowerState>(0))::value);
    CHECK_FALSE(decltype(acceptsEighteen<PowerState>(0))::value);
}

TEST_CASE("power: flag values are IOPM.h's")
{
    CHECK(kdrv::kPMPowerOn == 0x2UL);
    CHECK(kdrv::kPMDeviceUsable == 0x8000UL);
    CHECK(kdrv::kPMLowPower == 0x10000UL);
    CHECK(kdrv::kPMPreventIdleSleep == 0x40UL);
    CHECK(kdrv::kPMInitialDeviceState == 0x100UL);
    CHECK(kdrv::kPowerStateVersion1 == 1UL);
    CHECK(kdrv::kPowerStateVersion2 == 2UL);
    CHECK(kdrv::kPMAckImplied == 0);
    CHECK(kdrv::kPMSubclassPolicy == 0UL);
    CHECK(kdrv::kPMSuperclassPolicy1 == 1UL);
}

#if KDRV_HAVE_IOPM_POWER_STATE
TEST_CASE("power: a kdrv table reads the same through IOPMPowerState")
{
    static_assert(sizeof(::IOPMPowerState) == sizeof(PowerState), "size");
    PowerState table[2] = {offRow(), onRow()};
    table[1].staticPower = 1234;
    table[1].settleUpTime = 77;
    table[1].powerDomainBudget = 9;
    const ::IOPMPowerState* sdk = kdrv::asIOPMPowerStates(table);
    CHECK(static_cast<const void*>(sdk) == static_cast<const void*>(table));
    ::IOPMPowerState copy;
    memcpy(&copy, &table[1], sizeof copy);
    CHECK(copy.version == 1UL);
    CHECK(copy.capabilityFlags == static_cast<unsigned long>(kIOPMPowerOn | kIOPMDeviceUsable));
    CHECK(copy.outputPowerCharacter == static_cast<unsigned long>(kIOPMPowerOn));
    CHECK(copy.inputPowerRequirement == static_cast<unsigned long>(kIOPMPowerOn));
    CHECK(copy.staticPower == 1234UL);
    CHECK(copy.settleUpTime == 77UL);
    CHECK(copy.powerDomainBudget == 9UL);
    CHECK(strcmp(KDRV_TEST_BACKEND_NAME, "xnu") == 0);
}
#else
TEST_CASE("power: no SDK layout check outside the xnu platform")
{
    CHECK(strcmp(KDRV_TEST_BACKEND_NAME, "posix") == 0);
}
#endif

// ---------------------------------------------------------------------------
// Validation (spec 13.1 - 13.8)

TEST_CASE("power: NULL table, zero or one state is E1")
{
    PowerTableIssues issues;
    CHECK(kdrv::validatePowerTable(nullptr, 2, &issues) == Status::BadArgument);
    CHECK(issues.errorCount == 1);
    CHECK(issues.contains(PowerRule::TooFewStates, kdrv::kNoPowerState));
    CHECK(kdrv::validatePowerTable(gBookTwoStates, 0, &issues) == Status::BadArgument);
    CHECK(issues.contains(PowerRule::TooFewStates, kdrv::kNoPowerState));
    CHECK(kdrv::validatePowerTable(gBookTwoStates, 1, &issues) == Status::BadArgument);
    CHECK(issues.errorCount == 1);
    CHECK(issues.warningCount == 0);
    CHECK(kdrv::validatePowerTable(nullptr, 0, nullptr) == Status::BadArgument);
}

TEST_CASE("power: the book's tables are accepted without findings")
{
    PowerTableIssues issues;
    CHECK(kdrv::validatePowerTable(gBookTwoStates, kNumPowerStates, &issues) == Status::Success);
    CHECK(issues.errorCount == 0);
    CHECK(issues.warningCount == 0);
    // Duplicate rows (Standby == Idle) are legal.
    CHECK(memcmp(&gBookFourStates[kBookStandby], &gBookFourStates[kBookIdle], sizeof(PowerState)) ==
          0);
    CHECK(kdrv::validatePowerTable(gBookFourStates, kBookNumStates, &issues) == Status::Success);
    CHECK(issues.errorCount == 0);
    CHECK(issues.warningCount == 0);
}

TEST_CASE("power: state 0 that is not off is E3")
{
    const PowerFlags bad[] = {kUsable, kOn, kdrv::kPMLowPower};
    for (size_t i = 0; i < KDRV_COUNTOF(bad); ++i)
    {
        CAPTURE(i);
        PowerState t[2] = {row(bad[i], 0, 0), onRow()};
        PowerTableIssues issues;
        CHECK(kdrv::validatePowerTable(t, 2, &issues) == Status::BadArgument);
        CHECK(issues.errorCount == 1);
        CHECK(issues.contains(PowerRule::OffStateNotOff, 0));
    }
    PowerState needsInput[2] = {row(0, 0, kOn), onRow()};
    PowerTableIssues issues;
    CHECK(kdrv::validatePowerTable(needsInput, 2, &issues) == Status::BadArgument);
    CHECK(issues.contains(PowerRule::OffStateNotOff, 0));
}

TEST_CASE("power: a last state that is not on and usable is E4")
{
    PowerTableIssues issues;
    PowerState notUsable[3] = {offRow(), onRow(), row(kOn, kOn, kOn)};
    CHECK(kdrv::validatePowerTable(notUsable, 3, &issues) == Status::BadArgument);
    CHECK(issues.contains(PowerRule::LastStateNotUsable, 2));
    // The middle state would serve better: W4 as well.
    CHECK(issues.contains(PowerRule::MiddleStateMoreCapable, 1));

    PowerState noneUsable[3] = {offRow(), row(kOn, kOn, kOn), row(kOn, kOn, kOn)};
    CHECK(kdrv::validatePowerTable(noneUsable, 3, &issues) == Status::BadArgument);
    CHECK(issues.errorCount == 1);
    CHECK(issues.contains(PowerRule::LastStateNotUsable, 2));

    PowerState usableNoPower[2] = {offRow(), row(kUsable, 0, 0)};
    CHECK(kdrv::validatePowerTable(usableNoPower, 2, &issues) == Status::BadArgument);
    CHECK(issues.contains(PowerRule::LastStateNotUsable, 1));
}

TEST_CASE("power: unsorted tables are rejected or flagged")
{
    PowerTableIssues issues;
    // On before off.
    PowerState reversed[2] = {onRow(), offRow()};
    CHECK(kdrv::validatePowerTable(reversed, 2, &issues) == Status::BadArgument);
    CHECK(issues.errorCount == 2);
    CHECK(issues.contains(PowerRule::OffStateNotOff, 0));
    CHECK(issues.contains(PowerRule::LastStateNotUsable, 1));
    CHECK(issues.errors[0].state == 0); // findings come in state order
    CHECK(issues.errors[1].state == 1);

    // The top state is low power, a middle one full power: W4, accepted.
    PowerState lowTop[3] = {offRow(), onRow(), row(kOn | kUsable | kdrv::kPMLowPower, kOn, kOn)};
    CHECK(kdrv::validatePowerTable(lowTop, 3, &issues) == Status::Success);
    CHECK(issues.errorCount == 0);
    CHECK(issues.warningCount == 1);
    CHECK(issues.contains(PowerRule::MiddleStateMoreCapable, 1));

    // The top state cannot power children, a middle one can: W4.
    PowerState noOutputTop[3] = {offRow(), onRow(), row(kOn | kUsable, 0, kOn)};
    CHECK(kdrv::validatePowerTable(noOutputTop, 3, &issues) == Status::Success);
    CHECK(issues.contains(PowerRule::MiddleStateMoreCapable, 1));

    // Consumption falling as the index rises: W3 on the state where it falls.
    PowerState power[4] = {offRow(), onRow(), onRow(), onRow()};
    power[1].staticPower = 500;
    power[2].staticPower = 0; // unknown: skipped
    power[3].staticPower = 200;
    CHECK(kdrv::validatePowerTable(power, 4, &issues) == Status::Success);
    CHECK(issues.warningCount == 1);
    CHECK(issues.contains(PowerRule::StaticPowerDecreases, 3));
}

TEST_CASE("power: version 0 or 2 under v1 rules is E2, per state")
{
    PowerTableIssues issues;
    PowerState t[3] = {offRow(), onRow(), onRow()};
    t[0].version = 0;
    t[2].version = kdrv::kPowerStateVersion2;
    CHECK(kdrv::validatePowerTable(t, 3, &issues) == Status::BadArgument);
    CHECK(issues.errorCount == 2);
    CHECK(issues.contains(PowerRule::UnsupportedVersion, 0));
    CHECK(issues.contains(PowerRule::UnsupportedVersion, 2));
    CHECK_FALSE(issues.contains(PowerRule::UnsupportedVersion, 1));
}

TEST_CASE("power: unknown flag bits and odd power characters are W1")
{
    PowerTableIssues issues;
    PowerState t[4] = {offRow(), onRow(), onRow(), onRow()};
    t[1].capabilityFlags |= 0x4000;                   // deprecated kIOPMMaxPerformance
    t[2].inputPowerRequirement = kOn | 0x4;           // clock bits in a character
    t[3].outputPowerCharacter = kOn | 0x20;           // aux power
    t[3].capabilityFlags |= kdrv::kPMRootDomainState; // never valid in a row
    CHECK(kdrv::validatePowerTable(t, 4, &issues) == Status::Success);
    CHECK(issues.errorCount == 0);
    CHECK(issues.warningCount == 4);
    CHECK(issues.contains(PowerRule::UnknownCapabilityBits, 1));
    CHECK(issues.contains(PowerRule::NonStandardPowerCharacter, 2));
    CHECK(issues.contains(PowerRule::NonStandardPowerCharacter, 3));
    CHECK(issues.contains(PowerRule::UnknownCapabilityBits, 3));
    // The known public bits draw nothing.
    PowerState known[2] = {offRow(), onRow()};
    known[1].capabilityFlags |= kdrv::kPMPreventIdleSleep | kdrv::kPMSleepCapability |
                                kdrv::kPMRestartCapability | kdrv::kPMLowPower;
    CHECK(kdrv::validatePowerTable(known, 2, &issues) == Status::Success);
    CHECK(issues.warningCount == 0);
}

TEST_CASE("power: kPMInitialDeviceState on none is fine, on several is W2")
{
    PowerTableIssues issues;
    PowerState t[4] = {offRow(), onRow(), onRow(), onRow()};
    CHECK(kdrv::validatePowerTable(t, 4, &issues) == Status::Success);
    CHECK(issues.warningCount == 0);
    t[1].capabilityFlags |= kdrv::kPMInitialDeviceState;
    CHECK(kdrv::validatePowerTable(t, 4, &issues) == Status::Success);
    CHECK(issues.warningCount == 0);
    t[2].capabilityFlags |= kdrv::kPMInitialDeviceState;
    t[3].capabilityFlags |= kdrv::kPMInitialDeviceState;
    CHECK(kdrv::validatePowerTable(t, 4, &issues) == Status::Success);
    CHECK(issues.warningCount == 2);
    CHECK(issues.contains(PowerRule::MultipleInitialStates, 2));
    CHECK(issues.contains(PowerRule::MultipleInitialStates, 3));
    CHECK_FALSE(issues.contains(PowerRule::MultipleInitialStates, 1));
    CHECK(kdrv::initialDeviceState(t, 4) == 1);
}

TEST_CASE("power: findings beyond the capacity are counted, not stored")
{
    std::vector<PowerState> t(40, onRow());
    t[0] = offRow();
    for (size_t i = 0; i < t.size(); ++i)
    {
        t[i].version = 7;
    }
    PowerTableIssues issues;
    CHECK(kdrv::validatePowerTable(t.data(), t.size(), &issues) == Status::BadArgument);
    CHECK(issues.errorCount == 40);
    CHECK(issues.storedErrors() == kdrv::kPowerIssueCapacity);
    CHECK(issues.errors[15].state == 15);
}

TEST_CASE("power: every rule has a name that gives its id and kind")
{
    for (int r = 1; r <= 9; ++r)
    {
        const PowerRule rule = static_cast<PowerRule>(r);
        const char* name = kdrv::powerRuleName(rule);
        REQUIRE(name != nullptr);
        CHECK(name[0] == (kdrv::isPowerRuleError(rule) ? 'E' : 'W'));
    }
    CHECK(kdrv::isPowerRuleError(PowerRule::LastStateNotUsable));
    CHECK_FALSE(kdrv::isPowerRuleError(PowerRule::UnknownCapabilityBits));
    CHECK(strcmp(kdrv::powerRuleName(static_cast<PowerRule>(200)), "unknown rule") == 0);
}

// ---------------------------------------------------------------------------
// Lookups and planning

TEST_CASE("power: lookups by parent flags, child flags and capability")
{
    const PowerState* t = gBookFourStates;
    const unsigned long n = kBookNumStates;
    CHECK(kdrv::highestStateForParentFlags(t, n, kOn) == kBookOn);
    CHECK(kdrv::highestStateForParentFlags(t, n, 0) == kBookOff);
    CHECK(kdrv::lowestStateWithOutputCharacter(t, n, kOn) == kBookStandby);
    CHECK(kdrv::lowestStateWithOutputCharacter(t, n, 0) == kBookOff);
    CHECK(kdrv::lowestStateWithOutputCharacter(t, n, 0x20) == 0); // nobody supplies it
    CHECK(kdrv::lowestStateWithCapability(t, n, kUsable) == kBookOn);
    CHECK(kdrv::lowestStateWithCapability(t, n, kOn) == kBookStandby);
    CHECK(kdrv::lowestStateWithCapability(t, n, kdrv::kPMLowPower) == kdrv::kNoPowerState);
    CHECK(kdrv::highestUsableState(t, n) == kBookOn);
    PowerState none[2] = {offRow(), row(kOn, kOn, kOn)};
    CHECK(kdrv::highestUsableState(none, 2) == kdrv::kNoPowerState);
    CHECK(kdrv::highestUsableState(nullptr, 0) == kdrv::kNoPowerState);
    CHECK(kdrv::highestStateForParentFlags(nullptr, 0, kOn) == 0);

    // A self-powered low-power state survives the parent turning off.
    PowerState selfPowered[3] = {offRow(), row(kUsable | kdrv::kPMLowPower, 0, 0), onRow()};
    CHECK(kdrv::highestStateForParentFlags(selfPowered, 3, 0) == 1);
    CHECK(kdrv::highestStateForParentFlags(selfPowered, 3, kOn) == 2);

    kdrv::PowerTableIndex index;
    index.build(selfPowered, 3);
    for (PowerFlags f = 0; f < 0x40; ++f)
    {
        CAPTURE(f);
        CHECK(index.highestStateForParentFlags(f) ==
              kdrv::highestStateForParentFlags(selfPowered, 3, f));
        CHECK(index.lowestStateWithOutputCharacter(f) ==
              kdrv::lowestStateWithOutputCharacter(selfPowered, 3, f));
    }
    CHECK(index.highestUsable == 2);
    CHECK(index.cached);

    // Characters beyond the low two bits take the scan; answers are the same.
    PowerState clocked[4] = {offRow(), row(kOn, kOn | 0x8, kOn | 0x4), row(kOn, kOn, kOn), onRow()};
    index.build(clocked, 4);
    CHECK_FALSE(index.cached);
    for (PowerFlags f = 0; f < 0x40; ++f)
    {
        CAPTURE(f);
        CHECK(index.highestStateForParentFlags(f) ==
              kdrv::highestStateForParentFlags(clocked, 4, f));
        CHECK(index.lowestStateWithOutputCharacter(f) ==
              kdrv::lowestStateWithOutputCharacter(clocked, 4, f));
    }
    CHECK(index.highestStateForParentFlags(kOn) == 3);
    CHECK(index.lowestStateWithOutputCharacter(kOn | 0x8) == 1);

    // Flags far above the cached values, on both kinds of table.
    const PowerFlags high[] = {kUsable, kUsable | kOn, kdrv::kPMLowPower | kOn | 0x4,
                               ~0UL,    ~0UL - 1,      1UL << 40};
    const PowerState* tables[] = {selfPowered, clocked};
    const unsigned long counts[] = {3, 4};
    for (int k = 0; k < 2; ++k)
    {
        index.build(tables[k], counts[k]);
        for (const PowerFlags f : high)
        {
            CAPTURE(k);
            CAPTURE(f);
            CHECK(index.highestStateForParentFlags(f) ==
                  kdrv::highestStateForParentFlags(tables[k], counts[k], f));
            CHECK(index.lowestStateWithOutputCharacter(f) ==
                  kdrv::lowestStateWithOutputCharacter(tables[k], counts[k], f));
        }
    }
}

TEST_CASE("power: transition planning gives ordered steps with settle times")
{
    PowerState t[4] = {offRow(), row(kOn, kOn, kOn), row(kOn, kOn, kOn), onRow()};
    for (unsigned long i = 0; i < 4; ++i)
    {
        t[i].timeToAttain = 100 * (i + 1);
        t[i].settleUpTime = 10 * (i + 1);
        t[i].timeToLower = 1000 * (i + 1);
        t[i].settleDownTime = 7 * (i + 1);
    }
    kdrv::PowerStep steps[4];
    unsigned long count = 99;
    REQUIRE(kdrv::planPowerTransition(t, 4, 0, 3, steps, 4, &count) == Status::Success);
    REQUIRE(count == 3);
    for (unsigned long i = 0; i < 3; ++i)
    {
        CHECK(steps[i].fromState == i);
        CHECK(steps[i].toState == i + 1);
        CHECK(steps[i].transitionMicros == t[i + 1].timeToAttain);
        CHECK(steps[i].settleMicros == t[i + 1].settleUpTime);
    }
    REQUIRE(kdrv::planPowerTransition(t, 4, 3, 1, steps, 4, &count) == Status::Success);
    REQUIRE(count == 2);
    CHECK(steps[0].fromState == 3);
    CHECK(steps[0].toState == 2);
    CHECK(steps[0].transitionMicros == 4000);
    CHECK(steps[0].settleMicros == 28);
    CHECK(steps[1].fromState == 2);
    CHECK(steps[1].toState == 1);
    CHECK(steps[1].settleMicros == 21);

    CHECK(kdrv::planPowerTransition(t, 4, 2, 2, nullptr, 0, &count) == Status::Success);
    CHECK(count == 0);
    CHECK(kdrv::planPowerTransition(t, 4, 0, 3, steps, 1, &count) == Status::NoSpace);
    CHECK(count == 3);
    CHECK(steps[0].toState == 1);
    CHECK(kdrv::planPowerTransition(t, 4, 0, 4, steps, 4, &count) == Status::BadArgument);
    CHECK(kdrv::planPowerTransition(t, 4, ~0UL, 0, steps, 4, &count) == Status::BadArgument);
    CHECK(kdrv::planPowerTransition(nullptr, 4, 0, 1, steps, 4, &count) == Status::BadArgument);
    CHECK(kdrv::planPowerTransition(t, 4, 0, 1, steps, 4, nullptr) == Status::BadArgument);
    CHECK(kdrv::planPowerTransition(t, 4, 0, 1, nullptr, 4, &count) == Status::BadArgument);

    kdrv::PowerStep total;
    REQUIRE(kdrv::powerTransitionTotals(t, 4, 0, 3, &total) == Status::Success);
    CHECK(total.transitionMicros == 200 + 300 + 400);
    CHECK(total.settleMicros == 20 + 30 + 40);
    REQUIRE(kdrv::powerTransitionTotals(t, 4, 3, 0, &total) == Status::Success);
    CHECK(total.transitionMicros == 4000 + 3000 + 2000);
    CHECK(total.settleMicros == 28 + 21 + 14);
    t[2].settleUpTime = ~0UL;
    REQUIRE(kdrv::powerTransitionTotals(t, 4, 0, 3, &total) == Status::Success);
    CHECK(total.settleMicros == ~0UL); // saturates
    CHECK(kdrv::powerTransitionTotals(t, 4, 0, 9, &total) == Status::BadArgument);
}

// ---------------------------------------------------------------------------
// Policy lifecycle and arguments (spec 13.9, 13.15)

TEST_CASE("power: init rejects bad tables and drivers, and calls no driver method")
{
    RecordingDriver driver;
    PowerPolicy policy;
    PowerTableIssues issues;
    CHECK(policy.changePowerStateTo(0) == Status::NotReady);
    CHECK(policy.init(gBookTwoStates, 1, &driver, kOn, &issues) == Status::BadArgument);
    CHECK(issues.contains(PowerRule::TooFewStates, kdrv::kNoPowerState));
    CHECK(policy.init(gBookTwoStates, 2, nullptr) == Status::BadArgument);
    CHECK_FALSE(policy.isRunning());
    REQUIRE(policy.init(gBookTwoStates, 2, &driver) == Status::Success);
    CHECK(policy.init(gBookTwoStates, 2, &driver) == Status::Busy);
    CHECK(driver.events.empty());
    CHECK(policy.getPowerState() == 0);
    CHECK(policy.invariantsHold());
}

TEST_CASE("power: the initial device state is taken from the table")
{
    PowerState t[3] = {offRow(), row(kOn, kOn, kOn), onRow()};
    t[2].capabilityFlags |= kdrv::kPMInitialDeviceState;
    RecordingDriver driver;
    PowerPolicy policy;
    REQUIRE(policy.init(t, 3, &driver) == Status::Success);
    CHECK(policy.getPowerState() == 2);
    // Already there: no setPowerState for the first request.
    CHECK(policy.makeUsable() == Status::Success);
    CHECK(driver.setCalls() == 0);
    CHECK(policy.getPowerState() == 2);
}

TEST_CASE("power: ordinals n and ULONG_MAX are refused everywhere")
{
    Fixture f;
    CHECK(f.policy.changePowerStateToPriv(kBookIdle) == Status::Success);
    const size_t calls = f.driver.setCalls();
    const unsigned long bad[] = {kBookNumStates, ~0UL, 0xffffffffUL};
    for (size_t i = 0; i < KDRV_COUNTOF(bad); ++i)
    {
        CAPTURE(bad[i]);
        CHECK(f.policy.changePowerStateTo(bad[i]) == Status::BadArgument);
        CHECK(f.policy.changePowerStateToPriv(bad[i]) == Status::BadArgument);
        Status s = Status::Success;
        CHECK(f.policy.activityTickle(kdrv::kPMSuperclassPolicy1, bad[i], &s));
        CHECK(s == Status::BadArgument);
        CHECK_FALSE(f.policy.activitySeen());
    }
    CHECK(f.policy.getPowerState() == kBookIdle);
    CHECK(f.policy.privateRequest() == kBookIdle);
    CHECK(f.policy.publicRequest() == 0);
    CHECK(f.driver.setCalls() == calls);
}

TEST_CASE("power: requests after stop are refused")
{
    Fixture f;
    CHECK(f.policy.makeUsable() == Status::Success);
    f.policy.stop();
    CHECK_FALSE(f.policy.isRunning());
    const size_t calls = f.driver.setCalls();
    CHECK(f.policy.changePowerStateTo(0) == Status::Offline);
    CHECK(f.policy.changePowerStateToPriv(0) == Status::Offline);
    CHECK(f.policy.makeUsable() == Status::Offline);
    CHECK(f.policy.setIdleTimerPeriod(1) == Status::Offline);
    CHECK(f.policy.setChildPowerFlags(kOn) == Status::Offline);
    CHECK(f.policy.systemWillSleep() == Status::Offline);
    CHECK(f.policy.parentPowerWillChange(0) == Status::Offline);
    CHECK(f.policy.parentPowerDidChange(0) == Status::Offline);
    Status s = Status::Success;
    CHECK(f.policy.activityTickle(kdrv::kPMSuperclassPolicy1, kBookOn, &s));
    CHECK(s == Status::Offline);
    CHECK(f.policy.acknowledgeSetPowerState() == PowerAck::Unexpected);
    f.policy.advance(1000 * kSecond);
    CHECK(f.driver.setCalls() == calls);
    CHECK(f.policy.getPowerState() == kBookOn);
}

// ---------------------------------------------------------------------------
// Selection (spec 13.10, 13.11)

TEST_CASE("power: the effective state is the highest request, capped by the parent")
{
    Fixture f;
    CHECK(f.policy.changePowerStateTo(0) == Status::Success);
    CHECK(f.policy.changePowerStateToPriv(3) == Status::Success);
    CHECK(f.policy.getPowerState() == 3);
    CHECK(f.policy.changePowerStateToPriv(1) == Status::Success);
    CHECK(f.policy.getPowerState() == 1);
    CHECK(f.policy.changePowerStateTo(2) == Status::Success);
    CHECK(f.policy.getPowerState() == 2);
    // The private request is a floor clients cannot lower.
    CHECK(f.policy.changePowerStateToPriv(3) == Status::Success);
    CHECK(f.policy.changePowerStateTo(0) == Status::Success);
    CHECK(f.policy.getPowerState() == 3);
    CHECK(f.policy.invariantsHold());
}

TEST_CASE("power: a public request of 3 survives an idle period")
{
    Fixture f;
    CHECK(f.policy.changePowerStateTo(3) == Status::Success);
    CHECK(f.policy.setIdleTimerPeriod(300) == Status::Success);
    f.policy.advance(300 * kSecond);
    f.policy.advance(600 * kSecond);
    CHECK(f.policy.getPowerState() == 3);
}

TEST_CASE("power: a child needing power raises the parent to its lowest powering state")
{
    Fixture f;
    CHECK(f.policy.setChildPowerFlags(kOn) == Status::Success);
    CHECK(f.policy.childNeedState() == kBookStandby);
    CHECK(f.policy.getPowerState() == kBookStandby);
    CHECK((gBookFourStates[f.policy.getPowerState()].outputPowerCharacter & kOn) != 0);
    CHECK(f.policy.setChildPowerFlags(0) == Status::Success);
    CHECK(f.policy.getPowerState() == kBookOff);
}

TEST_CASE("power: parent flags 0 cap the device at the highest state needing no input")
{
    SUBCASE("book table: only off needs no input")
    {
        Fixture f;
        CHECK(f.policy.makeUsable() == Status::Success);
        CHECK(f.policy.parentPowerWillChange(0) == Status::Success);
        CHECK(f.policy.getPowerState() == kBookOff);
        CHECK(f.policy.parentPowerDidChange(0) == Status::Success);
        CHECK(f.policy.parentCapState() == 0);
        // Raising waits for the parent to be powered.
        CHECK(f.policy.parentPowerWillChange(kOn) == Status::Success);
        CHECK(f.policy.getPowerState() == kBookOff);
        CHECK(f.policy.parentPowerDidChange(kOn) == Status::Success);
        CHECK(f.policy.getPowerState() == kBookOn);
    }
    SUBCASE("a self-powered state")
    {
        PowerState t[3] = {offRow(), row(kUsable | kdrv::kPMLowPower, 0, 0), onRow()};
        Fixture f(t, 3);
        CHECK(f.policy.makeUsable() == Status::Success);
        CHECK(f.policy.getPowerState() == 2);
        CHECK(f.policy.parentPowerWillChange(0) == Status::Success);
        CHECK(f.policy.getPowerState() == 1);
        CHECK(f.policy.parentPowerDidChange(0) == Status::Success);
        CHECK(f.policy.getPowerState() == 1);
    }
}

TEST_CASE("power: the parent waits for a pending change before removing power")
{
    Fixture f;
    CHECK(f.policy.makeUsable() == Status::Success);
    f.driver.result = 5000; // the drop will be acknowledged later
    CHECK(f.policy.parentPowerWillChange(0) == Status::Busy);
    CHECK(f.policy.awaitingAck());
    CHECK(f.policy.getPowerState() == kBookOn);
    CHECK_FALSE(f.policy.fitsParentPower(0));
    CHECK(f.policy.acknowledgeSetPowerState() == PowerAck::Accepted);
    CHECK(f.policy.fitsParentPower(0));
    CHECK(f.policy.getPowerState() == kBookOff);
    CHECK(f.policy.parentPowerDidChange(0) == Status::Success);
}

TEST_CASE("power: a parent that removes power without waiting is reported")
{
    Fixture f;
    CHECK(f.policy.makeUsable() == Status::Success);
    f.driver.result = 5000;
    CHECK(f.policy.parentPowerDidChange(0) == Status::NoPower);
    // The device is still lowered as soon as it can be.
    CHECK(f.policy.acknowledgeSetPowerState() == PowerAck::Accepted);
    CHECK(f.policy.getPowerState() == kBookOff);
}

TEST_CASE("power: system sleep forces 0 despite the private request, wake restores")
{
    Fixture f;
    CHECK(f.policy.changePowerStateToPriv(kBookIdle) == Status::Success);
    CHECK(f.policy.changePowerStateTo(kBookStandby) == Status::Success);
    CHECK(f.policy.getPowerState() == kBookIdle);
    CHECK(f.policy.systemWillSleep() == Status::Success);
    CHECK(f.policy.isSleeping());
    CHECK(f.policy.getPowerState() == 0);
    CHECK(f.policy.privateRequest() == kBookIdle); // kept for wake
    // A request during sleep is recorded, not acted on.
    CHECK(f.policy.changePowerStateToPriv(kBookOn) == Status::Success);
    CHECK(f.policy.getPowerState() == 0);
    CHECK(f.policy.systemDidWake() == Status::Success);
    CHECK(f.policy.getPowerState() == kBookOn);
}

TEST_CASE("power: wake restores the pre-sleep state")
{
    Fixture f;
    CHECK(f.policy.changePowerStateToPriv(kBookIdle) == Status::Success);
    CHECK(f.policy.setIdleTimerPeriod(300) == Status::Success);
    CHECK(f.policy.systemWillSleep() == Status::Success);
    f.policy.advance(3000 * kSecond); // no idle drops while asleep
    CHECK(f.policy.getPowerState() == 0);
    CHECK(f.policy.systemDidWake() == Status::Success);
    CHECK(f.policy.getPowerState() == kBookIdle);
    CHECK(f.policy.stats().idleDrops == 0);
}

// ---------------------------------------------------------------------------
// Idle timer (spec 13.12)

TEST_CASE("power: idle steps 3 -> 2 -> 1 -> 0, one state per 300 s period")
{
    Fixture f;
    CHECK(f.policy.makeUsable() == Status::Success);
    CHECK(f.policy.setIdleTimerPeriod(5 * 60) == Status::Success);
    CHECK(f.policy.idleDeadline() == 300 * kSecond);
    f.policy.advance(300 * kSecond - 1);
    CHECK(f.policy.getPowerState() == 3);
    f.policy.advance(300 * kSecond);
    CHECK(f.policy.getPowerState() == 2);
    f.policy.advance(599 * kSecond);
    CHECK(f.policy.getPowerState() == 2);
    f.policy.advance(600 * kSecond);
    CHECK(f.policy.getPowerState() == 1);
    f.policy.advance(900 * kSecond);
    CHECK(f.policy.getPowerState() == 0);
    f.policy.advance(90000 * kSecond); // never below 0
    CHECK(f.policy.getPowerState() == 0);
    CHECK(f.policy.stats().idleDrops == 3);
    // Each drop was one setPowerState, one state down.
    std::vector<unsigned long> targets;
    for (size_t i = 0; i < f.driver.events.size(); ++i)
    {
        if (f.driver.events[i].kind == 'S')
        {
            targets.push_back(f.driver.events[i].state);
        }
    }
    const std::vector<unsigned long> expected = {3, 2, 1, 0};
    CHECK(targets == expected);
}

TEST_CASE("power: a long jump in time still drops one state per period")
{
    Fixture f;
    CHECK(f.policy.makeUsable() == Status::Success);
    CHECK(f.policy.setIdleTimerPeriod(300) == Status::Success);
    f.policy.advance(650 * kSecond); // two periods ended
    CHECK(f.policy.getPowerState() == 1);
    CHECK(f.policy.stats().idleDrops == 2);
}

TEST_CASE("power: activity during a period blocks that period's drop")
{
    Fixture f;
    CHECK(f.policy.makeUsable() == Status::Success);
    CHECK(f.policy.setIdleTimerPeriod(300) == Status::Success);
    f.policy.advance(100 * kSecond);
    CHECK(f.policy.activityTickle(kdrv::kPMSuperclassPolicy1, kBookOn) == false); // no cache yet
    CHECK(f.policy.activityTickle(kdrv::kPMSuperclassPolicy1, kBookOn)); // cached: no change
    f.policy.advance(300 * kSecond);
    CHECK(f.policy.getPowerState() == 3); // forgiven
    CHECK_FALSE(f.policy.activitySeen());
    f.policy.advance(600 * kSecond);
    CHECK(f.policy.getPowerState() == 2); // the next quiet period drops
}

TEST_CASE("power: changePowerStateTo(2) is a floor for the idle timer")
{
    Fixture f;
    CHECK(f.policy.makeUsable() == Status::Success);
    CHECK(f.policy.changePowerStateTo(2) == Status::Success);
    CHECK(f.policy.setIdleTimerPeriod(300) == Status::Success);
    for (uint64_t t = 1; t <= 10; ++t)
    {
        f.policy.advance(t * 300 * kSecond);
        CHECK(f.policy.getPowerState() >= 2);
    }
    CHECK(f.policy.getPowerState() == 2);
    CHECK(f.policy.privateRequest() == 0);
}

TEST_CASE("power: idle period 0 disables the timer, above INT_MAX is refused")
{
    Fixture f;
    CHECK(f.policy.makeUsable() == Status::Success);
    CHECK(f.policy.setIdleTimerPeriod(0) == Status::Success);
    CHECK(f.policy.idleDeadline() == 0);
    f.policy.advance(1000000 * kSecond);
    CHECK(f.policy.getPowerState() == 3);
    CHECK(f.policy.setIdleTimerPeriod(0x80000000UL) == Status::BadArgument);
    CHECK(f.policy.setIdleTimerPeriod(~0UL) == Status::BadArgument);
    CHECK(f.policy.idlePeriodMicros() == 0);
    CHECK(f.policy.setIdleTimerPeriod(0x7fffffffUL) == Status::Success);
    CHECK(f.policy.idlePeriodMicros() == 0x7fffffffULL * kSecond);
    // Turning it off again stops a running period.
    CHECK(f.policy.setIdleTimerPeriod(300) == Status::Success);
    CHECK(f.policy.setIdleTimerPeriod(0) == Status::Success);
    f.policy.advance(2000000 * kSecond);
    CHECK(f.policy.getPowerState() == 3);
}

TEST_CASE("power: the next idle period starts after the drop is acknowledged")
{
    Fixture f;
    CHECK(f.policy.makeUsable() == Status::Success);
    CHECK(f.policy.setIdleTimerPeriod(300) == Status::Success);
    f.driver.result = 1000;
    f.policy.advance(300 * kSecond);
    CHECK(f.policy.awaitingAck());
    CHECK(f.policy.changeTarget() == 2);
    f.policy.advance(305 * kSecond); // acknowledged 5 s late, within the 10 s minimum
    CHECK(f.policy.acknowledgeSetPowerState() == PowerAck::Accepted);
    CHECK(f.policy.getPowerState() == 2);
    CHECK(f.policy.idleDeadline() == 605 * kSecond);
    f.policy.advance(604 * kSecond);
    CHECK(f.policy.getPowerState() == 2);
}

// ---------------------------------------------------------------------------
// activityTickle (spec 13.13)

TEST_CASE("power: a tickle with the wrong type or state 0 does nothing")
{
    Fixture f;
    CHECK(f.policy.setIdleTimerPeriod(300) == Status::Success);
    Status s = Status::Success;
    CHECK(f.policy.activityTickle(kdrv::kPMSubclassPolicy, kBookOn, &s));
    CHECK(s == Status::Unsupported);
    CHECK(f.policy.activityTickle(7, kBookOn));
    CHECK(f.policy.activityTickle(kdrv::kPMSuperclassPolicy1, 0, &s));
    CHECK(s == Status::Success);
    CHECK_FALSE(f.policy.activitySeen());
    CHECK(f.policy.tickleLevel() == kdrv::kNoPowerState);
    CHECK(f.driver.setCalls() == 0);
}

TEST_CASE("power: a tickle before init returns true")
{
    RecordingDriver driver;
    PowerPolicy policy;
    Status s = Status::Success;
    CHECK(policy.activityTickle(kdrv::kPMSuperclassPolicy1, 1, &s));
    CHECK(s == Status::NotReady);
}

TEST_CASE("power: a raising tickle returns false and powerChangeDone gets the old state")
{
    Fixture f;
    CHECK(f.policy.changePowerStateToPriv(kBookStandby) == Status::Success);
    f.driver.events.clear();
    CHECK_FALSE(f.policy.activityTickle(kdrv::kPMSuperclassPolicy1, kBookOn));
    CHECK(f.policy.getPowerState() == kBookOn);
    CHECK(f.policy.tickleLevel() == kBookOn);
    REQUIRE(f.driver.events.size() == 4);
    CHECK(f.driver.events[0].kind == 'W');
    CHECK(f.driver.events[0].state == kBookOn);
    CHECK(f.driver.events[0].flags == (kOn | kUsable));
    CHECK(f.driver.events[1].kind == 'S');
    CHECK(f.driver.events[1].state == kBookOn);
    CHECK(f.driver.events[2].kind == 'D');
    CHECK(f.driver.events[2].state == kBookOn);
    CHECK(f.driver.events[3].kind == 'C');
    CHECK(f.driver.events[3].state == kBookStandby); // the previous state
}

TEST_CASE("power: tickles at or below the cached level return true but count as activity")
{
    Fixture f;
    CHECK(f.policy.setIdleTimerPeriod(300) == Status::Success);
    CHECK_FALSE(f.policy.activityTickle(kdrv::kPMSuperclassPolicy1, kBookOn));
    f.policy.advance(300 * kSecond); // forgives the raise's own activity
    CHECK(f.policy.getPowerState() == kBookOn);
    const size_t calls = f.driver.setCalls();
    f.policy.advance(400 * kSecond);
    CHECK(f.policy.activityTickle(kdrv::kPMSuperclassPolicy1, kBookOn));
    CHECK(f.policy.activityTickle(kdrv::kPMSuperclassPolicy1, kBookIdle));
    CHECK(f.policy.activitySeen());
    CHECK(f.driver.setCalls() == calls);
    f.policy.advance(600 * kSecond); // blocked by the cached-level tickles
    CHECK(f.policy.getPowerState() == kBookOn);
    f.policy.advance(900 * kSecond);
    CHECK(f.policy.getPowerState() == kBookIdle);
}

TEST_CASE("power: the cached level drops with each idle drop, so an old level raises again")
{
    Fixture f;
    CHECK(f.policy.setIdleTimerPeriod(300) == Status::Success);
    CHECK_FALSE(f.policy.activityTickle(kdrv::kPMSuperclassPolicy1, kBookOn));
    f.policy.advance(300 * kSecond); // activity forgiven
    f.policy.advance(600 * kSecond); // drop to 2
    CHECK(f.policy.getPowerState() == kBookIdle);
    CHECK(f.policy.tickleLevel() == kBookIdle);
    CHECK(f.policy.activityTickle(kdrv::kPMSuperclassPolicy1, kBookIdle));
    CHECK_FALSE(f.policy.activityTickle(kdrv::kPMSuperclassPolicy1, kBookOn));
    CHECK(f.policy.getPowerState() == kBookOn);
    const Event* done = f.driver.lastOf('C');
    REQUIRE(done != nullptr);
    CHECK(done->state == kBookIdle);
}

TEST_CASE("power: a public or private request forgets the cached level")
{
    Fixture f;
    CHECK_FALSE(f.policy.activityTickle(kdrv::kPMSuperclassPolicy1, kBookOn));
    CHECK(f.policy.activityTickle(kdrv::kPMSuperclassPolicy1, kBookOn));
    CHECK(f.policy.changePowerStateTo(0) == Status::Success);
    CHECK(f.policy.tickleLevel() == kdrv::kNoPowerState);
    CHECK_FALSE(f.policy.activityTickle(kdrv::kPMSuperclassPolicy1, kBookOn));
    CHECK(f.policy.changePowerStateToPriv(kBookStandby) == Status::Success);
    CHECK(f.policy.getPowerState() == kBookStandby);
    CHECK_FALSE(f.policy.activityTickle(kdrv::kPMSuperclassPolicy1, kBookOn));
    CHECK(f.policy.getPowerState() == kBookOn);
}

TEST_CASE("power: a tickle during system sleep waits for wake")
{
    Fixture f;
    CHECK(f.policy.systemWillSleep() == Status::Success);
    CHECK_FALSE(f.policy.activityTickle(kdrv::kPMSuperclassPolicy1, kBookOn));
    CHECK(f.policy.getPowerState() == 0);
    CHECK_FALSE(f.policy.activityTickle(kdrv::kPMSuperclassPolicy1, kBookOn));
    CHECK(f.policy.systemDidWake() == Status::Success);
    CHECK(f.policy.getPowerState() == kBookOn);
}

// ---------------------------------------------------------------------------
// Acknowledgement (spec 13.14)

TEST_CASE("power: setPowerState result 0 completes the change")
{
    Fixture f;
    CHECK(f.policy.makeUsable() == Status::Success);
    CHECK(f.policy.getPowerState() == kBookOn);
    CHECK_FALSE(f.policy.awaitingAck());
    CHECK(f.policy.changeInFlight() == 0);
    // A negative result (an error) counts as done too.
    f.driver.result = kdrv::toIOReturn(Status::Error);
    CHECK(f.policy.changePowerStateToPriv(0) == Status::Success);
    CHECK(f.policy.getPowerState() == 0);
    CHECK_FALSE(f.policy.awaitingAck());
}

TEST_CASE("power: a positive result leaves the change pending until its ack")
{
    Fixture f;
    f.driver.result = 250000;
    CHECK(f.policy.makeUsable() == Status::Success);
    CHECK(f.policy.awaitingAck());
    CHECK(f.policy.getPowerState() == 0);
    CHECK(f.policy.changeTarget() == kBookOn);
    REQUIRE(f.driver.ids.size() == 1);
    const PowerChangeId id = f.driver.ids[0];
    CHECK(f.policy.changeInFlight() == id);
    CHECK(f.driver.lastOf('D') == nullptr);
    f.policy.advance(5 * kSecond);
    CHECK(f.policy.awaitingAck());
    CHECK(f.policy.acknowledgeSetPowerState(id) == PowerAck::Accepted);
    CHECK(f.policy.getPowerState() == kBookOn);
    CHECK_FALSE(f.policy.awaitingAck());
    CHECK(f.driver.lastOf('C')->state == 0);
    CHECK(f.policy.acknowledgeSetPowerState(id) == PowerAck::Duplicate);
    CHECK(f.policy.stats().duplicateAcks == 1);
    CHECK(f.policy.stats().timeouts == 0);
}

TEST_CASE("power: an ack during setPowerState is accepted")
{
    Fixture f;
    f.driver.result = 1000;
    f.driver.ackDuringCall = true;
    CHECK(f.policy.makeUsable() == Status::Success);
    CHECK(f.driver.ackOutcome == PowerAck::Accepted);
    CHECK(f.policy.getPowerState() == kBookOn);
    CHECK_FALSE(f.policy.awaitingAck());
    CHECK(f.policy.acknowledgeSetPowerState() == PowerAck::Duplicate);
}

TEST_CASE("power: unexpected acks are reported, never fatal")
{
    Fixture f;
    CHECK(f.policy.acknowledgeSetPowerState() == PowerAck::Unexpected); // nothing ever issued
    CHECK(f.policy.acknowledgeSetPowerState(0) == PowerAck::Unexpected);
    CHECK(f.policy.acknowledgeSetPowerState(12345) == PowerAck::Unexpected);
    CHECK(f.policy.makeUsable() == Status::Success);
    CHECK(f.policy.acknowledgeSetPowerState(f.driver.ids.back() + 1) == PowerAck::Unexpected);
    // Implied, then acknowledged anyway: a duplicate.
    CHECK(f.policy.acknowledgeSetPowerState(f.driver.ids.back()) == PowerAck::Duplicate);
    CHECK(f.policy.stats().unexpectedAcks == 4);
    CHECK(f.policy.getPowerState() == kBookOn);
    CHECK(f.policy.invariantsHold());
}

TEST_CASE("power: a missing ack times out after at least 10 s")
{
    Fixture f;
    f.driver.result = 100; // asks for 100 us; the minimum is 10 s
    CHECK(f.policy.makeUsable() == Status::Success);
    CHECK(f.policy.ackDeadline() == 10 * kSecond);
    f.policy.advance(10 * kSecond - 1);
    CHECK(f.policy.awaitingAck());
    f.policy.advance(10 * kSecond);
    CHECK_FALSE(f.policy.awaitingAck());
    CHECK(f.policy.getPowerState() == kBookOn); // proceeds, as xnu does
    CHECK(f.policy.stats().timeouts == 1);
    // The late ack is matched to its change, once.
    const PowerChangeId id = f.driver.ids.back();
    CHECK(f.policy.acknowledgeSetPowerState(id) == PowerAck::Late);
    CHECK(f.policy.acknowledgeSetPowerState(id) == PowerAck::Duplicate);
    CHECK(f.policy.stats().lateAcks == 1);
}

TEST_CASE("power: a late ack is not taken for the next change")
{
    Fixture f;
    f.driver.result = 1000;
    CHECK(f.policy.makeUsable() == Status::Success);
    const PowerChangeId first = f.driver.ids.back();
    f.policy.advance(10 * kSecond); // first times out
    CHECK(f.policy.changePowerStateToPriv(kBookStandby) == Status::Success);
    REQUIRE(f.policy.awaitingAck());
    const PowerChangeId second = f.driver.ids.back();
    CHECK(second != first);
    CHECK(f.policy.acknowledgeSetPowerState(first) == PowerAck::Late);
    CHECK(f.policy.awaitingAck()); // second still pending
    CHECK(f.policy.acknowledgeSetPowerState(second) == PowerAck::Accepted);
    CHECK(f.policy.getPowerState() == kBookStandby);
}

TEST_CASE("power: requested times between 10 s and 30 s are honoured, longer ones capped")
{
    Fixture f;
    f.driver.result = 20 * 1000000;
    CHECK(f.policy.makeUsable() == Status::Success);
    CHECK(f.policy.ackDeadline() == 20 * kSecond);
    f.policy.advance(20 * kSecond);
    CHECK(f.policy.stats().timeouts == 1);
    f.driver.result = 0x7fffffff; // about 36 minutes
    CHECK(f.policy.changePowerStateToPriv(0) == Status::Success);
    CHECK(f.policy.ackDeadline() == 50 * kSecond); // 30 s watchdog
}

// ---------------------------------------------------------------------------
// Serialization (spec 13.15)

TEST_CASE("power: a request during a transition is applied after it")
{
    Fixture f;
    f.driver.result = 1000;
    CHECK(f.policy.makeUsable() == Status::Success);
    CHECK(f.policy.changePowerStateToPriv(kBookStandby) == Status::Success);
    CHECK(f.driver.setCalls() == 1); // still the first change
    CHECK(f.policy.desiredPowerState() == kBookStandby);
    f.driver.result = 0;
    CHECK(f.policy.acknowledgeSetPowerState() == PowerAck::Accepted);
    CHECK(f.driver.setCalls() == 2);
    CHECK(f.policy.getPowerState() == kBookStandby);
    // Order: will 3, set 3, did 3, done 0, will 1, set 1, did 1, done 3.
    const char kinds[] = "WSDCWSDC";
    REQUIRE(f.driver.events.size() == 8);
    for (size_t i = 0; i < 8; ++i)
    {
        CHECK(f.driver.events[i].kind == kinds[i]);
    }
    CHECK(f.driver.events[3].state == 0);
    CHECK(f.driver.events[7].state == kBookOn);
}

TEST_CASE("power: a request made from inside setPowerState is not nested")
{
    Fixture f;
    f.driver.requestDuringCall = true;
    f.driver.requestOrdinal = kBookIdle;
    CHECK(f.policy.changePowerStateToPriv(kBookStandby) == Status::Success);
    // set(1) completed, then set(2) followed: never two calls at once.
    CHECK(f.driver.setCalls() == 2);
    CHECK(f.policy.getPowerState() == kBookIdle);
    int depth = 0;
    for (size_t i = 0; i < f.driver.events.size(); ++i)
    {
        depth += f.driver.events[i].kind == 'W' ? 1 : 0;
        depth -= f.driver.events[i].kind == 'C' ? 1 : 0;
        CHECK(depth >= 0);
        CHECK(depth <= 1);
    }
}

TEST_CASE("power: time never runs backwards")
{
    Fixture f;
    f.policy.advance(50 * kSecond);
    f.policy.advance(10 * kSecond);
    CHECK(f.policy.nowMicros() == 50 * kSecond);
    f.policy.advance(~uint64_t(0));
    CHECK(f.policy.nowMicros() == ~uint64_t(0));
    CHECK(f.policy.setIdleTimerPeriod(300) == Status::Success); // deadline saturates
    CHECK(f.policy.invariantsHold());
}

TEST_CASE("power: a state below the cap that the parent cannot power is passed over")
{
    // State 2 runs from its own supply; state 1 needs the parent.
    PowerState t[4] = {offRow(), row(kOn, kOn, kOn), row(kUsable | kdrv::kPMLowPower, 0, 0),
                       onRow()};
    Fixture f(t, 4);
    CHECK(f.policy.parentPowerDidChange(0) == Status::Success);
    CHECK(f.policy.parentCapState() == 2);
    CHECK(f.policy.changePowerStateTo(1) == Status::Success);
    CHECK(f.policy.desiredPowerState() == 0); // 1 needs power the parent lacks
    CHECK(f.policy.getPowerState() == 0);
    CHECK(f.policy.changePowerStateTo(2) == Status::Success);
    CHECK(f.policy.getPowerState() == 2);
    // Idle from 2 passes over 1, straight to 0.
    CHECK(f.policy.changePowerStateTo(0) == Status::Success);
    CHECK(f.policy.changePowerStateToPriv(2) == Status::Success);
    CHECK(f.policy.setIdleTimerPeriod(10) == Status::Success);
    f.policy.advance(f.policy.nowMicros() + 10 * kSecond);
    CHECK(f.policy.getPowerState() == 0);
    CHECK(f.driver.lastOf('C')->state == 2);
}

TEST_CASE("power: an initial state the parent does not power is not assumed")
{
    PowerState t[3] = {offRow(), row(kOn, kOn, kOn), onRow()};
    t[2].capabilityFlags |= kdrv::kPMInitialDeviceState;
    RecordingDriver driver;
    PowerPolicy policy;
    REQUIRE(policy.init(t, 3, &driver, 0) == Status::Success);
    CHECK(policy.getPowerState() == 0);
}
