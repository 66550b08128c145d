// SPDX-License-Identifier: MIT
// Negative test input: a use probe that reads IOLockGroup. <IOKit/IOLocks.h>
// declares it, but no kext export list has it, so a kext using it does not
// load.
#ifndef KDRV_GATE_BAD_IOLOCKGROUP
#define KDRV_GATE_BAD_IOLOCKGROUP

#include <IOKit/IOLocks.h>

#include "kdrv/base.hpp"

namespace kdrv_bad
{
inline lck_grp_t* lockGroup() { return IOLockGroup; }
} // namespace kdrv_bad
#endif
