// SPDX-License-Identifier: MIT
//
// Fuzz target for the power block.
//
// 1. Table validation against a reference model: an arbitrary table (raw or
//    built from meaningful flags) must give exactly the reference's errors
//    and warnings, in state order, and never crash.
// 2. The policy: the table is repaired into a valid one, then a sequence of
//    requests, tickles, parent and child changes, sleep/wake, ticks of time
//    and acknowledgements (including late, duplicate and bogus ones) runs
//    against PowerPolicy with a scripted driver. After every operation:
//      - the state and every request are valid ordinals;
//      - the desired state is the spec's formula over the requests;
//      - the device never needs more power than the parent supplies (the
//        parent here waits for the device, as a power domain does);
//      - the idle timer lowers the device one state at a time (passing over
//        states the parent cannot power);
//      - a change in flight always ends within the 30 s watchdog;
//      - callbacks are never nested and always come will, set, did, done.
//
// Public operations reached: validatePowerTable (with and without an issues
// list, a null table), powerRuleName, highestUsableState, initialDeviceState,
// lowestStateWithCapability (part 1, any table); PowerPolicy init, advance,
// stop, changePowerStateTo, changePowerStateToPriv, makeUsable,
// activityTickle, setIdleTimerPeriod, parentPowerWillChange/DidChange,
// setChildPowerFlags, systemWillSleep/systemDidWake,
// acknowledgeSetPowerState (late, duplicate, bogus) and the accessors checked
// after each (part 2, in any order the input picks).
#include "kdrv/power.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <algorithm>
#include <vector>

#include "fuzz_check.hpp" // for FUZZ_CHECK

namespace
{
using kdrv::PowerFlags;
using kdrv::PowerRule;
using kdrv::PowerState;
using kdrv::Status;

const PowerFlags kFlagMenu[] = {0,
                                kdrv::kPMPowerOn,
                                kdrv::kPMDeviceUsable,
                                kdrv::kPMLowPower,
                                kdrv::kPMPreventIdleSleep,
                                kdrv::kPMInitialDeviceState,
                                kdrv::kPMRootDomainState,
                                0x4000,
                                0x20,
                                0x4};

PowerFlags menuFlags(FuzzedDataProvider& in)
{
    PowerFlags f = 0;
    const uint8_t bits = in.ConsumeIntegral<uint8_t>();
    for (unsigned i = 0; i < 8; ++i)
    {
        if ((bits >> i) & 1u)
        {
            f |= kFlagMenu[i + 1];
        }
    }
    return f;
}

PowerState makeRow(FuzzedDataProvider& in)
{
    PowerState r = {};
    if (in.ConsumeBool())
    {
        r.version = in.ConsumeIntegral<unsigned long>();
        r.capabilityFlags = in.ConsumeIntegral<unsigned long>();
        r.outputPowerCharacter = in.ConsumeIntegral<unsigned long>();
        r.inputPowerRequirement = in.ConsumeIntegral<unsigned long>();
        r.staticPower = in.ConsumeIntegral<unsigned long>();
    }
    else
    {
        r.version = in.ConsumeIntegralInRange<unsigned long>(0, 3) == 0 ? 2 : 1;
        r.capabilityFlags = menuFlags(in);
        r.outputPowerCharacter = in.ConsumeBool() ? kdrv::kPMPowerOn : 0;
        r.inputPowerRequirement = in.ConsumeBool() ? kdrv::kPMPowerOn : 0;
        r.staticPower = in.ConsumeIntegralInRange<unsigned long>(0, 5) * 100;
    }
    r.timeToAttain = in.ConsumeIntegralInRange<unsigned long>(0, 1000);
    r.settleUpTime = in.ConsumeIntegralInRange<unsigned long>(0, 1000);
    r.timeToLower = in.ConsumeIntegralInRange<unsigned long>(0, 1000);
    r.settleDownTime = in.ConsumeIntegralInRange<unsigned long>(0, 1000);
    return r;
}

// --- Reference validator: each rule on its own, then merged in state order.
struct Finding
{
    unsigned long state;
    PowerRule rule;
};

bool findingLess(const Finding& a, const Finding& b)
{
    return a.state != b.state ? a.state < b.state : a.rule < b.rule;
}

void referenceValidate(const std::vector<PowerState>& t, std::vector<Finding>* errors,
                       std::vector<Finding>* warnings)
{
    const unsigned long n = t.size();
    if (n < 2)
    {
        errors->push_back(Finding{kdrv::kNoPowerState, PowerRule::TooFewStates});
        return;
    }
    for (unsigned long i = 0; i < n; ++i)
    {
        if (t[i].version != 1)
        {
            errors->push_back(Finding{i, PowerRule::UnsupportedVersion});
        }
    }
    const PowerFlags offBits = kdrv::kPMPowerOn | kdrv::kPMDeviceUsable | kdrv::kPMLowPower;
    if ((t[0].capabilityFlags & offBits) || t[0].inputPowerRequirement)
    {
        errors->push_back(Finding{0, PowerRule::OffStateNotOff});
    }
    const PowerState& last = t[n - 1];
    if (!(last.capabilityFlags & kdrv::kPMPowerOn) ||
        !(last.capabilityFlags & kdrv::kPMDeviceUsable))
    {
        errors->push_back(Finding{n - 1, PowerRule::LastStateNotUsable});
    }
    unsigned long initials = 0;
    unsigned long prevPower = 0;
    for (unsigned long i = 0; i < n; ++i)
    {
        const PowerState& r = t[i];
        const PowerFlags known = kdrv::kPMPowerOn | kdrv::kPMDeviceUsable | kdrv::kPMLowPower |
                                 kdrv::kPMPreventIdleSleep | kdrv::kPMSleepCapability |
                                 kdrv::kPMRestartCapability | kdrv::kPMSleep |
                                 kdrv::kPMInitialDeviceState;
        if (r.capabilityFlags & ~known)
        {
            warnings->push_back(Finding{i, PowerRule::UnknownCapabilityBits});
        }
        const bool inOk =
            r.inputPowerRequirement == 0 || r.inputPowerRequirement == kdrv::kPMPowerOn;
        const bool outOk =
            r.outputPowerCharacter == 0 || r.outputPowerCharacter == kdrv::kPMPowerOn;
        if (!inOk || !outOk)
        {
            warnings->push_back(Finding{i, PowerRule::NonStandardPowerCharacter});
        }
        if (r.capabilityFlags & kdrv::kPMInitialDeviceState)
        {
            if (++initials > 1)
            {
                warnings->push_back(Finding{i, PowerRule::MultipleInitialStates});
            }
        }
        if (r.staticPower)
        {
            if (prevPower && r.staticPower < prevPower)
            {
                warnings->push_back(Finding{i, PowerRule::StaticPowerDecreases});
            }
            prevPower = r.staticPower;
        }
        if (i > 0 && i + 1 < n)
        {
            const bool midOut = r.outputPowerCharacter & kdrv::kPMPowerOn;
            const bool lastOut = last.outputPowerCharacter & kdrv::kPMPowerOn;
            const bool midUsable = r.capabilityFlags & kdrv::kPMDeviceUsable;
            const bool lastUsable = last.capabilityFlags & kdrv::kPMDeviceUsable;
            const bool midLow = r.capabilityFlags & kdrv::kPMLowPower;
            const bool lastLow = last.capabilityFlags & kdrv::kPMLowPower;
            if ((midOut && !lastOut) || (midUsable && !lastUsable) ||
                (midUsable && !midLow && lastLow))
            {
                warnings->push_back(Finding{i, PowerRule::MiddleStateMoreCapable});
            }
        }
    }
    std::stable_sort(errors->begin(), errors->end(), findingLess);
    std::stable_sort(warnings->begin(), warnings->end(), findingLess);
}

void checkValidation(const std::vector<PowerState>& t, bool nullTable)
{
    kdrv::PowerTableIssues issues;
    const Status s = kdrv::validatePowerTable(nullTable ? nullptr : t.data(),
                                              static_cast<unsigned long>(t.size()), &issues);
    std::vector<Finding> errors;
    std::vector<Finding> warnings;
    if (nullTable)
    {
        errors.push_back(Finding{kdrv::kNoPowerState, PowerRule::TooFewStates});
    }
    else
    {
        referenceValidate(t, &errors, &warnings);
    }
    FUZZ_CHECK((s == Status::Success) == errors.empty());
    FUZZ_CHECK(s == Status::Success || s == Status::BadArgument);
    FUZZ_CHECK(issues.errorCount == errors.size());
    FUZZ_CHECK(issues.warningCount == warnings.size());
    for (unsigned long i = 0; i < issues.storedErrors(); ++i)
    {
        FUZZ_CHECK(issues.errors[i].state == errors[i].state);
        FUZZ_CHECK(issues.errors[i].rule == errors[i].rule);
        FUZZ_CHECK(kdrv::isPowerRuleError(issues.errors[i].rule));
    }
    for (unsigned long i = 0; i < issues.storedWarnings(); ++i)
    {
        FUZZ_CHECK(issues.warnings[i].state == warnings[i].state);
        FUZZ_CHECK(issues.warnings[i].rule == warnings[i].rule);
        FUZZ_CHECK(!kdrv::isPowerRuleError(issues.warnings[i].rule));
    }
    // Without an issues list the verdict is the same.
    FUZZ_CHECK(kdrv::validatePowerTable(nullTable ? nullptr : t.data(),
                                        static_cast<unsigned long>(t.size()), nullptr) == s);
    // Every finding has a name.
    for (unsigned long i = 0; i < issues.storedErrors(); ++i)
    {
        FUZZ_CHECK(kdrv::powerRuleName(issues.errors[i].rule) != nullptr);
    }
    // The table lookups, on any table, against their one-line definitions.
    if (!nullTable)
    {
        const unsigned long n = static_cast<unsigned long>(t.size());
        unsigned long usable = kdrv::kNoPowerState;
        unsigned long initial = kdrv::kNoPowerState;
        unsigned long lowPower = kdrv::kNoPowerState;
        for (unsigned long i = 0; i < n; ++i)
        {
            if ((t[i].capabilityFlags & kdrv::kPMDeviceUsable) != 0)
            {
                usable = i;
            }
            if (initial == kdrv::kNoPowerState &&
                (t[i].capabilityFlags & kdrv::kPMInitialDeviceState) != 0)
            {
                initial = i;
            }
            if (lowPower == kdrv::kNoPowerState &&
                (t[i].capabilityFlags & kdrv::kPMLowPower) == kdrv::kPMLowPower)
            {
                lowPower = i;
            }
        }
        FUZZ_CHECK(kdrv::highestUsableState(t.data(), n) == usable);
        FUZZ_CHECK(kdrv::initialDeviceState(t.data(), n) == initial);
        FUZZ_CHECK(kdrv::lowestStateWithCapability(t.data(), n, kdrv::kPMLowPower) == lowPower);
    }
}

// --- The policy run.
struct Scripted final : kdrv::PowerDriver
{
    FuzzedDataProvider* in = nullptr;
    kdrv::PowerPolicy* policy = nullptr;
    std::vector<PowerState>* table = nullptr;
    int depth = 0;     // will .. done nesting
    char expect = 'W'; // next callback kind
    unsigned long from = 0;
    unsigned long to = 0;
    std::vector<unsigned long> changeFrom; // per change, in order
    std::vector<unsigned long> changeTo;
    std::vector<kdrv::PowerChangeId> ids;
    unsigned long requestsFromCallbacks = 0;

    void powerStateWillChangeTo(PowerFlags caps, unsigned long state) override
    {
        FUZZ_CHECK(expect == 'W');
        FUZZ_CHECK(depth == 0);
        FUZZ_CHECK(state < table->size());
        FUZZ_CHECK(caps == (*table)[state].capabilityFlags);
        ++depth;
        expect = 'S';
        from = policy->getPowerState();
        to = state;
        FUZZ_CHECK(from != to);
    }
    int32_t setPowerState(unsigned long state, kdrv::PowerChangeId id) override
    {
        FUZZ_CHECK(expect == 'S' && depth == 1 && state == to);
        FUZZ_CHECK(ids.empty() || id > ids.back());
        ids.push_back(id);
        changeFrom.push_back(from);
        changeTo.push_back(to);
        expect = 'D';
        const uint8_t how = in->ConsumeIntegral<uint8_t>();
        if ((how & 0x30) == 0x30)
        {
            // A request from inside the callback must be queued, not nested.
            ++requestsFromCallbacks;
            (void)policy->changePowerStateToPriv(
                in->ConsumeIntegralInRange<unsigned long>(0, table->size() - 1));
        }
        if ((how & 0xc0) == 0xc0)
        {
            FUZZ_CHECK(policy->acknowledgeSetPowerState(id) == kdrv::PowerAck::Accepted);
        }
        switch (how & 7)
        {
        case 0:
        case 1:
        case 2:
            return kdrv::kPMAckImplied;
        case 3:
            return kdrv::toIOReturn(Status::Error); // negative: counts as done
        case 4:
            return 1000;
        case 5:
            return 15 * 1000000;
        case 6:
            return 0x7fffffff;
        default:
            return static_cast<int32_t>(in->ConsumeIntegralInRange<uint32_t>(1, 40000000));
        }
    }
    void powerStateDidChangeTo(PowerFlags caps, unsigned long state) override
    {
        FUZZ_CHECK(expect == 'D' && depth == 1 && state == to);
        FUZZ_CHECK(caps == (*table)[state].capabilityFlags);
        FUZZ_CHECK(policy->getPowerState() == to);
        expect = 'C';
    }
    void powerChangeDone(unsigned long previous) override
    {
        FUZZ_CHECK(expect == 'C' && depth == 1 && previous == from);
        --depth;
        expect = 'W';
    }
};

bool fits(const std::vector<PowerState>& t, unsigned long state, PowerFlags parent)
{
    const PowerFlags need = t[state].inputPowerRequirement;
    return (parent & need) == need;
}

void runPolicy(FuzzedDataProvider& in, std::vector<PowerState>& t)
{
    const unsigned long n = static_cast<unsigned long>(t.size());
    // Repair into a valid table.
    for (unsigned long i = 0; i < n; ++i)
    {
        t[i].version = 1;
    }
    t[0].capabilityFlags &= ~(kdrv::kPMPowerOn | kdrv::kPMDeviceUsable | kdrv::kPMLowPower);
    t[0].inputPowerRequirement = 0;
    t[n - 1].capabilityFlags |= kdrv::kPMPowerOn | kdrv::kPMDeviceUsable;
    FUZZ_CHECK(kdrv::validatePowerTable(t.data(), n, nullptr) == Status::Success);

    Scripted driver;
    kdrv::PowerPolicy policy;
    driver.in = &in;
    driver.policy = &policy;
    driver.table = &t;
    PowerFlags parentActual = in.ConsumeBool() ? kdrv::kPMPowerOn : 0;
    PowerFlags parentPending = parentActual; // announced with will, not yet done
    FUZZ_CHECK(policy.init(t.data(), n, &driver, parentActual) == Status::Success);
    FUZZ_CHECK(driver.ids.empty()); // init calls no driver method
    FUZZ_CHECK(fits(t, policy.getPowerState(), parentActual));
    policy.advance(0); // the first service call settles the initial state
    unsigned long pub = 0;
    PowerFlags child = 0;
    bool sleeping = false;
    bool stopped = false;
    bool dirty = true; // something other than time moved since the last quiet point
    uint64_t now = 0;

    for (unsigned step = 0; step < 200 && in.remaining_bytes() > 0; ++step)
    {
        const size_t changesBefore = driver.changeTo.size();
        const unsigned long callbackRequestsBefore = driver.requestsFromCallbacks;
        const uint8_t op = in.ConsumeIntegralInRange<uint8_t>(0, 13);
        bool timeOnly = false;
        const unsigned long ordinal = in.ConsumeBool()
                                          ? in.ConsumeIntegralInRange<unsigned long>(0, n - 1)
                                          : in.ConsumeIntegral<unsigned long>();
        switch (op)
        {
        case 0:
        {
            const Status s = policy.changePowerStateTo(ordinal);
            FUZZ_CHECK(stopped ? s == Status::Offline
                               : (ordinal < n ? s == Status::Success : s == Status::BadArgument));
            if (s == Status::Success)
            {
                pub = ordinal;
            }
            break;
        }
        case 1:
        {
            const Status s = policy.changePowerStateToPriv(ordinal);
            FUZZ_CHECK(stopped ? s == Status::Offline
                               : (ordinal < n ? s == Status::Success : s == Status::BadArgument));
            if (s == Status::Success)
            {
                FUZZ_CHECK(policy.privateRequest() == ordinal ||
                           driver.requestsFromCallbacks != callbackRequestsBefore);
            }
            break;
        }
        case 2:
        {
            const unsigned long type = in.ConsumeIntegralInRange<unsigned long>(0, 2);
            Status s = Status::Success;
            const unsigned long before = policy.tickleLevel();
            const bool noChange = policy.activityTickle(type, ordinal, &s);
            if (!stopped && type == kdrv::kPMSuperclassPolicy1 && ordinal != 0 && ordinal < n)
            {
                FUZZ_CHECK(s == Status::Success);
                FUZZ_CHECK(noChange == (before != kdrv::kNoPowerState && ordinal <= before));
                FUZZ_CHECK(policy.activitySeen());
            }
            else
            {
                FUZZ_CHECK(noChange);
            }
            break;
        }
        case 3:
        {
            const uint64_t dt =
                in.ConsumeBool() ? in.ConsumeIntegralInRange<uint64_t>(0, 400) * uint64_t(1000000)
                                 : in.ConsumeIntegral<uint32_t>();
            const kdrv::PowerChangeId waiting = policy.awaitingAck() ? policy.changeInFlight() : 0;
            now = dt > ~uint64_t(0) - now ? ~uint64_t(0) : now + dt;
            policy.advance(now);
            timeOnly = true;
            if (waiting != 0 && dt >= kdrv::kPMAckWatchdogMicros)
            {
                FUZZ_CHECK(policy.changeInFlight() != waiting); // the watchdog always ends it
            }
            break;
        }
        case 4:
        {
            const size_t k = driver.ids.size();
            kdrv::PowerChangeId id = 0;
            switch (in.ConsumeIntegralInRange<int>(0, 3))
            {
            case 0:
                id = policy.changeInFlight();
                break;
            case 1:
                id = k ? driver.ids[in.ConsumeIntegralInRange<size_t>(0, k - 1)] : 0;
                break;
            case 2:
                id = in.ConsumeIntegral<uint64_t>();
                break;
            default:
                break;
            }
            const kdrv::PowerChangeId inFlight = policy.changeInFlight();
            const kdrv::PowerAck a = id == 0 && in.ConsumeBool()
                                         ? policy.acknowledgeSetPowerState()
                                         : policy.acknowledgeSetPowerState(id);
            if (a == kdrv::PowerAck::Accepted)
            {
                FUZZ_CHECK(inFlight != 0);
            }
            if (stopped)
            {
                FUZZ_CHECK(a == kdrv::PowerAck::Unexpected);
            }
            timeOnly = true; // an ack moves no request
            break;
        }
        case 5:
        {
            const PowerFlags f = in.ConsumeBool() ? kdrv::kPMPowerOn : menuFlags(in);
            if (policy.setChildPowerFlags(f) == Status::Success)
            {
                child = f;
            }
            break;
        }
        case 6:
        {
            // The parent announces a change; it completes it when the device fits.
            parentPending = in.ConsumeBool() ? kdrv::kPMPowerOn : 0;
            const Status s = policy.parentPowerWillChange(parentPending);
            FUZZ_CHECK(stopped || s == Status::Success || s == Status::Busy);
            break;
        }
        case 7:
            if (!stopped && policy.fitsParentPower(parentPending))
            {
                FUZZ_CHECK(policy.parentPowerDidChange(parentPending) == Status::Success);
                parentActual = parentPending;
            }
            break;
        case 8:
            if (policy.systemWillSleep() == Status::Success)
            {
                sleeping = true;
            }
            break;
        case 9:
            if (policy.systemDidWake() == Status::Success)
            {
                sleeping = false;
            }
            break;
        case 10:
        {
            const unsigned long seconds = in.ConsumeBool()
                                              ? in.ConsumeIntegralInRange<unsigned long>(0, 600)
                                              : in.ConsumeIntegral<unsigned long>();
            const Status s = policy.setIdleTimerPeriod(seconds);
            if (!stopped)
            {
                FUZZ_CHECK(seconds > kdrv::kPMMaxIdlePeriodSeconds ? s == Status::BadArgument
                                                                   : s == Status::Success);
            }
            break;
        }
        case 11:
            (void)policy.makeUsable();
            break;
        case 12:
            if (in.ConsumeIntegralInRange<int>(0, 15) == 0)
            {
                policy.stop();
                stopped = true;
            }
            break;
        default:
        {
            kdrv::PowerStep steps[16];
            unsigned long count = 0;
            const unsigned long from = in.ConsumeIntegralInRange<unsigned long>(0, n);
            const Status s =
                kdrv::planPowerTransition(t.data(), n, from, ordinal, steps, 16, &count);
            if (from < n && ordinal < n)
            {
                FUZZ_CHECK(s == Status::Success);
                FUZZ_CHECK(count == (from > ordinal ? from - ordinal : ordinal - from));
                for (unsigned long i = 0; i < count; ++i)
                {
                    FUZZ_CHECK(steps[i].fromState == (i == 0 ? from : steps[i - 1].toState));
                    FUZZ_CHECK(steps[i].toState + 1 == steps[i].fromState ||
                               steps[i].toState == steps[i].fromState + 1);
                }
            }
            else
            {
                FUZZ_CHECK(s == Status::BadArgument);
            }
            break;
        }
        }

        // Requests made from inside setPowerState may chain changes up to the
        // policy's round limit; the checks below that assume a settled
        // policy skip those operations.
        const bool callbackRequests = driver.requestsFromCallbacks != callbackRequestsBefore;

        // --- Invariants after every operation.
        FUZZ_CHECK(policy.invariantsHold());
        // Callbacks close in order; only a change awaiting its ack is open.
        if (policy.changeInFlight() != 0)
        {
            FUZZ_CHECK(policy.awaitingAck());
            FUZZ_CHECK(driver.depth == 1 && driver.expect == 'D');
        }
        else
        {
            FUZZ_CHECK(stopped || (driver.depth == 0 && driver.expect == 'W'));
        }
        const unsigned long cur = policy.getPowerState();
        FUZZ_CHECK(cur < n);
        FUZZ_CHECK(policy.stats().changes == driver.ids.size());
        if (stopped)
        {
            FUZZ_CHECK(policy.changePowerStateTo(0) == Status::Offline);
            continue;
        }
        // The state never needs power the parent does not supply.
        FUZZ_CHECK(fits(t, cur, parentActual));
        if (policy.changeInFlight() != 0)
        {
            FUZZ_CHECK(fits(t, policy.changeTarget(), parentActual));
        }
        // The desired state is the spec's formula.
        const unsigned long cap =
            kdrv::highestStateForParentFlags(t.data(), n, parentActual & parentPending);
        const unsigned long need = kdrv::lowestStateWithOutputCharacter(t.data(), n, child);
        FUZZ_CHECK(policy.publicRequest() == pub);
        FUZZ_CHECK(policy.childNeedState() == need);
        FUZZ_CHECK(policy.parentCapState() == cap);
        unsigned long want = std::min(std::max(std::max(pub, policy.privateRequest()), need), cap);
        while (!fits(t, want, parentActual & parentPending))
        {
            FUZZ_CHECK(want > 0);
            --want;
        }
        FUZZ_CHECK(policy.desiredPowerState() == (sleeping ? 0 : want));
        FUZZ_CHECK(policy.isSleeping() == sleeping);
        // With no change in flight, the device is where it should be.
        if (policy.changeInFlight() == 0 && !callbackRequests)
        {
            FUZZ_CHECK(cur == policy.desiredPowerState());
        }
        // Idle never skips a state: with only time passing since a quiet
        // point, every change is one state down.
        if (timeOnly && !dirty && !callbackRequests)
        {
            for (size_t i = changesBefore; i < driver.changeTo.size(); ++i)
            {
                // One state down: the next lower state the parent can power
                // (in tables whose requirements rise with the index, from - 1).
                FUZZ_CHECK(driver.changeFrom[i] > 0);
                unsigned long expected = driver.changeFrom[i] - 1;
                while (!fits(t, expected, parentActual & parentPending))
                {
                    --expected;
                }
                FUZZ_CHECK(driver.changeTo[i] == expected);
            }
        }
        if (!timeOnly || callbackRequests)
        {
            dirty = true;
        }
        if (policy.changeInFlight() == 0 && cur == policy.desiredPowerState())
        {
            dirty = false;
        }
    }
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    FuzzedDataProvider in(data, size);
    const unsigned long n = in.ConsumeIntegralInRange<unsigned long>(0, 12);
    std::vector<PowerState> table;
    for (unsigned long i = 0; i < n; ++i)
    {
        table.push_back(makeRow(in));
    }
    const bool nullTable = n >= 2 && in.ConsumeIntegralInRange<int>(0, 31) == 0;
    checkValidation(table, nullTable);
    if (n >= 2)
    {
        runPolicy(in, table);
    }
    return 0;
}
