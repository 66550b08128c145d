// SPDX-License-Identifier: MIT
//
/// \file
/// The power block: power-state tables (power_state.hpp: the IOPMPowerState
/// row, validation, lookups, transition planning) and the power policy
/// (power_policy.hpp: selection, acknowledgement, idle timer).
#ifndef KDRV_POWER_HPP
#define KDRV_POWER_HPP

#include "kdrv/power_policy.hpp" // for PowerPolicy, PowerDriver
#include "kdrv/power_state.hpp"  // for PowerState, validatePowerTable

#endif // KDRV_POWER_HPP
