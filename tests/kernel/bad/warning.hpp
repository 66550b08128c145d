// SPDX-License-Identifier: MIT
// Negative test input: a sign conversion (the standards matrix is warning-free).
#ifndef KDRV_GATE_BAD_WARNING
#define KDRV_GATE_BAD_WARNING

#include "kdrv/base.hpp"

namespace kdrv_bad
{
inline uint32_t toUnsigned(int32_t value) { return value; }
} // namespace kdrv_bad
#endif
