// SPDX-License-Identifier: MIT
//
/// \file
/// User-only: makes Google Test print a kdrv::Status as its name and value.
/// Include it in a test source (with or after <gtest/gtest.h>); a failing
///
///     EXPECT_EQ(ring.init(storage, 100), kdrv::Status::Success);
///
/// then reports `BadArgument (0xE00002C2)` and `Success (0x00000000)` instead
/// of `-536870206` and `0`. Google Test finds kdrv::PrintTo() by
/// argument-dependent lookup; the text is kdrv::test::statusString().
/// Refuses kernel builds.
#ifndef KDRV_TESTING_GTEST_STATUS_HPP
#define KDRV_TESTING_GTEST_STATUS_HPP

#include "kdrv/platform/platform.hpp" // for KDRV_IN_KERNEL

#if KDRV_IN_KERNEL
#error "kdrv/testing/gtest_status.hpp is user-space only (it uses Google Test)"
#endif

#include <ostream> // for std::ostream

#include "kdrv/testing/status_string.hpp" // for statusString

namespace kdrv
{
/// Google Test's printer hook for Status (found by argument-dependent lookup).
inline void PrintTo(Status s, std::ostream* os) { *os << test::statusString(s); }
} // namespace kdrv

#endif // KDRV_TESTING_GTEST_STATUS_HPP
