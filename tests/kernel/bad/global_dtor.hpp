// SPDX-License-Identifier: MIT
// Negative test input: a namespace-scope object with a destructor (static destructor).
#ifndef KDRV_GATE_BAD_GLOBAL_DTOR
#define KDRV_GATE_BAD_GLOBAL_DTOR

#include "kdrv/base.hpp"

namespace kdrv_bad
{
struct Logger
{
    constexpr Logger() : lines(0) {}
    ~Logger();
    int lines;
};
static Logger logger;
inline int loggedLines() { return logger.lines; }
} // namespace kdrv_bad
#endif
