// SPDX-License-Identifier: MIT
// Negative test input: multiple inheritance.
#ifndef KDRV_GATE_BAD_MULTIPLE_INHERITANCE
#define KDRV_GATE_BAD_MULTIPLE_INHERITANCE

#include "kdrv/base.hpp"

namespace kdrv_bad
{
struct Readable
{
    int readCount;
};
struct Writable
{
    int writeCount;
};
struct Port : Readable, Writable
{
    int id;
};
} // namespace kdrv_bad
#endif
