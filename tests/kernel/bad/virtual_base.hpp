// SPDX-License-Identifier: MIT
// Negative test input: a virtual base class.
#ifndef KDRV_GATE_BAD_VIRTUAL_BASE
#define KDRV_GATE_BAD_VIRTUAL_BASE

#include "kdrv/base.hpp"

namespace kdrv_bad
{
struct Node
{
    int id;
};
struct SharedNode : virtual Node
{
    int refs;
};
} // namespace kdrv_bad
#endif
