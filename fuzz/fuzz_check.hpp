// SPDX-License-Identifier: MIT
//
// The one check of every fuzz target: when the block disagrees with the
// target's model, print where and what, then abort so libFuzzer keeps the
// input as a crash file.
#ifndef KDRV_FUZZ_CHECK_HPP
#define KDRV_FUZZ_CHECK_HPP

#include <stdio.h>  // for fprintf
#include <stdlib.h> // for abort

namespace kdrv_fuzz
{
[[noreturn]] inline void checkFailed(const char* expression, const char* file, int line)
{
    fprintf(stderr, "fuzz: model mismatch at %s:%d: %s\n", file, line, expression);
    abort();
}
} // namespace kdrv_fuzz

#define FUZZ_CHECK(cond)                                                                           \
    ((cond) ? static_cast<void>(0) : ::kdrv_fuzz::checkFailed(#cond, __FILE__, __LINE__))

#endif // KDRV_FUZZ_CHECK_HPP
