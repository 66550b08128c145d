// SPDX-License-Identifier: MIT
//
/// \file
/// User-only: a Status as readable text, "BadArgument (0xE00002C2)", for
/// test failure messages and logs. The name is kdrv::statusName()'s (the
/// kIOReturn* name without its prefix, "Unknown" for a code kdrv does not
/// name); the hexadecimal value is the IOReturn, so an unnamed code can still
/// be looked up. The framework printers kdrv/testing/doctest_status.hpp and
/// kdrv/testing/gtest_status.hpp use it. Refuses kernel builds.
///
/// The test helpers live in namespace kdrv::test (not kdrv::testing), so a
/// `using namespace kdrv;` never makes Google Test's `testing::` ambiguous.
#ifndef KDRV_TESTING_STATUS_STRING_HPP
#define KDRV_TESTING_STATUS_STRING_HPP

#include "kdrv/platform/platform.hpp" // for KDRV_IN_KERNEL

#if KDRV_IN_KERNEL
#error "kdrv/testing/status_string.hpp is user-space only (it uses the C++ standard library)"
#endif

#include <stdint.h> // for uint32_t
#include <stdio.h>  // for snprintf

#include <string> // for std::string

#include "kdrv/status.hpp" // for Status, statusName, toIOReturn

namespace kdrv
{
namespace test
{
/// "<name> (0x<8 hex digits>)", e.g. "Success (0x00000000)",
/// "NotPrivileged (0xE00002C1)", "Unknown (0x00000007)".
inline std::string statusString(Status s)
{
    char hex[16];
    snprintf(hex, sizeof hex, "0x%08X", static_cast<uint32_t>(toIOReturn(s)));
    return std::string(statusName(s)) + " (" + hex + ")";
}
} // namespace test
} // namespace kdrv

#endif // KDRV_TESTING_STATUS_STRING_HPP
