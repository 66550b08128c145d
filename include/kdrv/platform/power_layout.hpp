// SPDX-License-Identifier: MIT
//
/// \file
/// Where there is an SDK (the xnu platform: a kext, or the stand-in SDK in
/// user-space tests), prove that kdrv::PowerState is IOPMPowerState: same
/// size, same field offsets, same field types, same flag values. Then a kdrv
/// table can be passed to IOService::registerPowerDriver() unchanged:
///
///   registerPowerDriver(this, kdrv::asIOPMPowerStates(gPowerStates), kNumPowerStates);
///
/// On other platforms this header adds nothing. Opt-in: include it where the
/// table is registered (it pulls the SDK's IOPM headers); it includes
/// power_state.hpp itself.
#ifndef KDRV_PLATFORM_POWER_LAYOUT_HPP
#define KDRV_PLATFORM_POWER_LAYOUT_HPP

#include "kdrv/config.hpp"      // for KDRV_CONFIG_PLATFORM
#include "kdrv/power_state.hpp" // for PowerState, kPM* flags

#if KDRV_CONFIG_PLATFORM == KDRV_PLATFORM_XNU

#include <stddef.h> // offsetof

#include <IOKit/pwr_mgt/IOPM.h>           // kIOPM* flags
#include <IOKit/pwr_mgt/IOPMpowerState.h> // struct IOPMPowerState

#define KDRV_HAVE_IOPM_POWER_STATE 1

namespace kdrv
{
namespace detail
{
static_assert(sizeof(PowerState) == sizeof(::IOPMPowerState), "PowerState size != IOPMPowerState");
static_assert(alignof(PowerState) == alignof(::IOPMPowerState),
              "PowerState alignment != IOPMPowerState");

// Same offset, and the same type: a pointer to member converts only from a
// member of exactly that type, so a field of any other width or signedness
// does not compile.
constexpr bool isUnsignedLongField(unsigned long ::IOPMPowerState::*) { return true; }
constexpr bool isUnsignedLongField(unsigned long PowerState::*) { return true; }
#define KDRV_CHECK_POWER_FIELD_(field)                                                             \
    static_assert(offsetof(PowerState, field) == offsetof(::IOPMPowerState, field),                \
                  "PowerState::" #field " offset != IOPMPowerState::" #field);                     \
    static_assert(isUnsignedLongField(&::IOPMPowerState::field) &&                                 \
                      isUnsignedLongField(&PowerState::field),                                     \
                  #field " is not unsigned long on both sides")
KDRV_CHECK_POWER_FIELD_(version);
KDRV_CHECK_POWER_FIELD_(capabilityFlags);
KDRV_CHECK_POWER_FIELD_(outputPowerCharacter);
KDRV_CHECK_POWER_FIELD_(inputPowerRequirement);
KDRV_CHECK_POWER_FIELD_(staticPower);
KDRV_CHECK_POWER_FIELD_(powerToAttain);
KDRV_CHECK_POWER_FIELD_(timeToAttain);
KDRV_CHECK_POWER_FIELD_(settleUpTime);
KDRV_CHECK_POWER_FIELD_(timeToLower);
KDRV_CHECK_POWER_FIELD_(settleDownTime);
KDRV_CHECK_POWER_FIELD_(powerDomainBudget);
#undef KDRV_CHECK_POWER_FIELD_

// The sixth field is stateOrder in newer SDKs and unbudgetedPower in older
// ones; pin its slot through its neighbours so either SDK passes.
static_assert(offsetof(::IOPMPowerState, powerToAttain) - offsetof(::IOPMPowerState, staticPower) ==
                  2 * sizeof(unsigned long),
              "IOPMPowerState field 6 is not one unsigned long between staticPower and "
              "powerToAttain");
static_assert(offsetof(PowerState, unbudgetedPower) ==
                  offsetof(::IOPMPowerState, staticPower) + sizeof(unsigned long),
              "PowerState::unbudgetedPower is not IOPMPowerState's field 6");
static_assert(isUnsignedLongField(&PowerState::unbudgetedPower), "unbudgetedPower type");

static_assert(kPMPowerOn == kIOPMPowerOn, "kPMPowerOn");
static_assert(kPMDeviceUsable == kIOPMDeviceUsable, "kPMDeviceUsable");
static_assert(kPMLowPower == kIOPMLowPower, "kPMLowPower");
static_assert(kPMPreventIdleSleep == kIOPMPreventIdleSleep, "kPMPreventIdleSleep");
static_assert(kPMSleepCapability == kIOPMSleepCapability, "kPMSleepCapability");
static_assert(kPMRestartCapability == kIOPMRestartCapability, "kPMRestartCapability");
static_assert(kPMSleep == kIOPMSleep, "kPMSleep");
static_assert(kPMInitialDeviceState == kIOPMInitialDeviceState, "kPMInitialDeviceState");
static_assert(kPMRootDomainState == kIOPMRootDomainState, "kPMRootDomainState");
static_assert(kPMAckImplied == kIOPMAckImplied, "kPMAckImplied");
static_assert(kPowerStateVersion1 == kIOPMPowerStateVersion1, "kPowerStateVersion1");
static_assert(kPowerStateVersion2 == kIOPMPowerStateVersion2, "kPowerStateVersion2");
static_assert(kPMSubclassPolicy == kIOPMSubclassPolicy, "kPMSubclassPolicy");
static_assert(kPMSuperclassPolicy1 == kIOPMSuperclassPolicy1, "kPMSuperclassPolicy1");
} // namespace detail

// The same array, typed for registerPowerDriver(). Power management copies
// the rows at registration and only reads them; the layouts are proved equal
// above.
KDRV_INLINE ::IOPMPowerState* asIOPMPowerStates(PowerState* states)
{
    return reinterpret_cast<::IOPMPowerState*>(states);
}
KDRV_INLINE const ::IOPMPowerState* asIOPMPowerStates(const PowerState* states)
{
    return reinterpret_cast<const ::IOPMPowerState*>(states);
}
} // namespace kdrv

#else

#define KDRV_HAVE_IOPM_POWER_STATE 0

#endif // KDRV_CONFIG_PLATFORM == KDRV_PLATFORM_XNU

#endif // KDRV_PLATFORM_POWER_LAYOUT_HPP
