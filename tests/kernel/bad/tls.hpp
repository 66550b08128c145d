// SPDX-License-Identifier: MIT
// Negative test input: thread-local storage.
#ifndef KDRV_GATE_BAD_TLS
#define KDRV_GATE_BAD_TLS

#include "kdrv/base.hpp"

namespace kdrv_bad
{
inline int nextTicket()
{
    static thread_local int ticket = 0;
    return ++ticket;
}
} // namespace kdrv_bad
#endif
