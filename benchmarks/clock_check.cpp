// SPDX-License-Identifier: MIT
//
// kdrv_clock_check: the sanity test of the benchmarks' clock probe
// (support/clock_probe.hpp). Prints both methods. Passes when the probe
// reports a clock between 0.5 and 6 GHz, or declines and gives a reason;
// fails when it reports an implausible clock or declines without a reason.
#include "clock_probe.hpp"

#include <cstdio>

int main()
{
    const kdrvbench::ClockReading r = kdrvbench::measureClock();
    std::printf("primary: %s: %.3f GHz\n", r.primaryMethod.c_str(), r.primaryGHz);
    std::printf("check:   %s: %.3f GHz\n", r.checkMethod.c_str(), r.checkGHz);
    if (r.ghz == 0.0)
    {
        if (r.declined.empty())
        {
            std::printf("FAIL: no clock and no reason\n");
            return 1;
        }
        std::printf("declined: %s\n", r.declined.c_str());
        return 0;
    }
    if (!r.declined.empty())
    {
        std::printf("FAIL: a clock (%.3f GHz) together with a refusal: %s\n", r.ghz,
                    r.declined.c_str());
        return 1;
    }
    if (r.ghz < kdrvbench::kClockMinGHz || r.ghz > kdrvbench::kClockMaxGHz)
    {
        std::printf("FAIL: %.3f GHz is outside %.1f..%.1f GHz\n", r.ghz, kdrvbench::kClockMinGHz,
                    kdrvbench::kClockMaxGHz);
        return 1;
    }
    std::printf("clock: %.3f GHz\n", r.ghz);
    return 0;
}
