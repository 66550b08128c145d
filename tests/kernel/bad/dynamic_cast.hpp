// SPDX-License-Identifier: MIT
// Negative test input: dynamic_cast (RTTI).
#ifndef KDRV_GATE_BAD_DYNAMIC_CAST
#define KDRV_GATE_BAD_DYNAMIC_CAST

#include "kdrv/base.hpp"

namespace kdrv_bad
{
struct Base
{
    virtual ~Base() {}
};
struct Derived : Base
{
    int extra;
};
inline Derived* asDerived(Base* b) { return dynamic_cast<Derived*>(b); }
} // namespace kdrv_bad
#endif
