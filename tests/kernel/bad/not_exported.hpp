// SPDX-License-Identifier: MIT
// Negative test input: a call to a function the kernel does not export.
#ifndef KDRV_GATE_BAD_NOT_EXPORTED
#define KDRV_GATE_BAD_NOT_EXPORTED

#include "kdrv/base.hpp"

extern "C" int printf(const char* format, ...);

namespace kdrv_bad
{
inline void report(int value) { printf("%d\n", value); }
} // namespace kdrv_bad
#endif
