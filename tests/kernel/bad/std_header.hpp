// SPDX-License-Identifier: MIT
// Negative test input: a C++ standard library header.
#ifndef KDRV_GATE_BAD_STD_HEADER
#define KDRV_GATE_BAD_STD_HEADER

#include "kdrv/base.hpp"

#include <vector>

namespace kdrv_bad
{
inline int answer() { return 42; }
} // namespace kdrv_bad
#endif
