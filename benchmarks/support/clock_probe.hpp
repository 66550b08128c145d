// SPDX-License-Identifier: MIT
//
// The core clock of the CPU running the benchmarks, measured two independent
// ways so that a wrong figure is refused rather than published.
//
// Primary method: a chain of dependent instructions whose latency is fixed
// by the microarchitecture and cannot be shortened by the renamer or by
// fusion. On x86_64 that is `imul r64, r64` (3 cycles on every Intel core
// since Nehalem and every AMD core since Zen); on arm64 a register-register
// `add` (1 cycle). A chain of `add $1, reg` is not such a chain: recent Intel
// cores fold immediate adds at rename and retire several per cycle, so they
// report several times the real clock.
//
// Cross-check: the CPU's own cycle counter (perf_event_open,
// PERF_COUNT_HW_CPU_CYCLES, user mode) over a timed chain when the kernel
// offers it; where it does not (most VMs have no virtual PMU), a second chain
// of a different instruction with its own fixed latency (register-register
// `add` on x86_64, `eor` on arm64). If the two disagree by more than 10 %, no
// clock is reported and the reason says why.
#ifndef KDRV_BENCH_CLOCK_PROBE_HPP
#define KDRV_BENCH_CLOCK_PROBE_HPP

#include <string>

namespace kdrvbench
{
struct ClockReading
{
    double ghz = 0.0; // the clock to use; 0 when declined
    double primaryGHz = 0.0;
    double checkGHz = 0.0;
    std::string primaryMethod;
    std::string checkMethod;
    std::string declined; // empty when ghz is trusted; otherwise the reason
};

// Both methods, interleaved, about 2 ms in all. Thread-safe.
ClockReading measureClock();

// The primary method alone (about 0.1 ms), for a per-benchmark counter; 0 on
// targets without one.
double probePrimaryGHz();

// Plausible clock range of any current core, for sanity checks.
constexpr double kClockMinGHz = 0.5;
constexpr double kClockMaxGHz = 6.0;
// Largest relative disagreement between the two methods that is accepted.
constexpr double kClockAgreement = 0.10;
} // namespace kdrvbench

#endif // KDRV_BENCH_CLOCK_PROBE_HPP
