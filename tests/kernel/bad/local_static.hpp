// SPDX-License-Identifier: MIT
// Negative test input: a function-local static with a non-constexpr constructor (guard variable).
#ifndef KDRV_GATE_BAD_LOCAL_STATIC
#define KDRV_GATE_BAD_LOCAL_STATIC

#include "kdrv/base.hpp"

namespace kdrv_bad
{
struct Registry
{
    Registry();
    int entries;
};
inline int registryEntries()
{
    static Registry registry;
    return registry.entries;
}
} // namespace kdrv_bad
#endif
