// SPDX-License-Identifier: MIT
//
// kdrv/testing/gtest_status.hpp: Google Test prints a Status as its name and
// IOReturn value, in PrintToString and in a failing assertion's message.
#include "kdrv/testing/gtest_status.hpp"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include "kdrv/status.hpp"

TEST(StatusPrinter, PrintsNameAndHexValue)
{
    EXPECT_EQ(::testing::PrintToString(kdrv::Status::BadArgument), "BadArgument (0xE00002C2)");
    EXPECT_EQ(::testing::PrintToString(kdrv::Status::Success), "Success (0x00000000)");
    EXPECT_EQ(::testing::PrintToString(kdrv::fromIOReturn(7)), "Unknown (0x00000007)");
}

TEST(StatusPrinter, FailingAssertionNamesBothValues)
{
    EXPECT_NONFATAL_FAILURE(EXPECT_EQ(kdrv::Status::NotPrivileged, kdrv::Status::Success),
                            "NotPrivileged (0xE00002C1)");
    EXPECT_NONFATAL_FAILURE(EXPECT_EQ(kdrv::Status::NotPrivileged, kdrv::Status::Success),
                            "Success (0x00000000)");
}
