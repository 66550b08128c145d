// SPDX-License-Identifier: MIT
// Negative test input: new of an over-aligned type (aligned operator new is not exported).
#ifndef KDRV_GATE_BAD_ALIGNED_NEW
#define KDRV_GATE_BAD_ALIGNED_NEW

#include "kdrv/base.hpp"

namespace kdrv_bad
{
struct alignas(64) CacheLine
{
    uint8_t bytes[64];
};
inline CacheLine* makeLine() { return new CacheLine(); }
} // namespace kdrv_bad
#endif
