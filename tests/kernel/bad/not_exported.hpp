// SPDX-License-Identifier: MIT
// Negative test input: a call to a function the kernel does not export
// (the C library's malloc; a kext allocates with IOMalloc or operator new).
#ifndef KDRV_GATE_BAD_NOT_EXPORTED
#define KDRV_GATE_BAD_NOT_EXPORTED

#include <stddef.h>

#include "kdrv/base.hpp"

extern "C" void* malloc(size_t size);

namespace kdrv_bad
{
inline void* allocate(size_t size) { return malloc(size); }
} // namespace kdrv_bad
#endif
