// SPDX-License-Identifier: MIT
// Negative test input: typeid (RTTI).
#ifndef KDRV_GATE_BAD_TYPEID
#define KDRV_GATE_BAD_TYPEID

#include "kdrv/base.hpp"

namespace kdrv_bad
{
struct Base
{
    virtual ~Base() {}
};
inline const void* typeOf(const Base& b) { return &typeid(b); }
} // namespace kdrv_bad
#endif
