// SPDX-License-Identifier: MIT
// Negative test input: a 16-byte atomic (libatomic call in the kernel).
#ifndef KDRV_GATE_BAD_ATOMIC16
#define KDRV_GATE_BAD_ATOMIC16

#include "kdrv/base.hpp"

namespace kdrv_bad
{
struct Pair
{
    uint64_t low;
    uint64_t high;
};
inline Pair loadPair(Pair* p)
{
    Pair out;
    __atomic_load(p, &out, __ATOMIC_ACQUIRE);
    return out;
}
} // namespace kdrv_bad
#endif
