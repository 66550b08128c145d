// SPDX-License-Identifier: MIT
// Negative test input: floating point outside the audio converters.
#ifndef KDRV_GATE_BAD_FLOAT
#define KDRV_GATE_BAD_FLOAT

#include "kdrv/base.hpp"

namespace kdrv_bad
{
inline uint32_t scaledTimeout(uint32_t ms, float factor)
{
    return static_cast<uint32_t>(static_cast<float>(ms) * factor);
}
} // namespace kdrv_bad
#endif
