// SPDX-License-Identifier: MIT
// Negative test input: throw and try/catch.
#ifndef KDRV_GATE_BAD_THROW
#define KDRV_GATE_BAD_THROW

#include "kdrv/base.hpp"

namespace kdrv_bad
{
inline int checked(int x)
{
    try
    {
        if (x < 0)
            throw x;
    }
    catch (int)
    {
        return 0;
    }
    return x;
}
} // namespace kdrv_bad
#endif
