// SPDX-License-Identifier: MIT
// Negative test input: a call to a function that the kernel exports only in
// its Private symbol set, which third-party kexts cannot link against.
#ifndef KDRV_GATE_BAD_PRIVATE_SYMBOL
#define KDRV_GATE_BAD_PRIVATE_SYMBOL

#include <mach/boolean.h>

#include "kdrv/base.hpp"

extern "C" boolean_t PE_reboot_on_panic(void);

namespace kdrv_bad
{
inline bool rebootsOnPanic() { return PE_reboot_on_panic() != 0; }
} // namespace kdrv_bad
#endif
