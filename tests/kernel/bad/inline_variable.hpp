// SPDX-License-Identifier: MIT
// Negative test input: an inline variable whose constructor is not constexpr (C++17).
#ifndef KDRV_GATE_BAD_INLINE_VARIABLE
#define KDRV_GATE_BAD_INLINE_VARIABLE

#include "kdrv/base.hpp"

namespace kdrv_bad
{
struct Registry
{
    Registry();
    int entries;
};
inline Registry registry;
inline int registryEntries() { return registry.entries; }
} // namespace kdrv_bad
#endif
