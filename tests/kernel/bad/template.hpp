// SPDX-License-Identifier: MIT
// Negative test input: a class template (Embedded C++ has no templates).
#ifndef KDRV_GATE_BAD_TEMPLATE
#define KDRV_GATE_BAD_TEMPLATE

#include "kdrv/base.hpp"

namespace kdrv_bad
{
template <class T> struct Box
{
    T value;
};
inline int unbox(const Box<int>& b) { return b.value; }
} // namespace kdrv_bad
#endif
