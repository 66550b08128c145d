// SPDX-License-Identifier: MIT
//
// Clock measurement: see clock_probe.hpp.
#include "clock_probe.hpp"

#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

#if defined(__linux__)
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace kdrvbench
{
namespace
{
constexpr int kChainLength = 1000; // instructions per block (.rept below)
constexpr int kCyclesPerTrial = 64000;
constexpr int kRounds = 9; // interleaved trials of each method

int64_t monotonicNs()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// One block of each chain. `step` is a register operand whose value the
// compiler does not know, so nothing is folded at compile time, and no
// instruction has an immediate operand, so nothing is folded at rename.
#if defined(__x86_64__)
#define KDRV_BENCH_HAVE_CHAINS 1
constexpr double kPrimaryLatency = 3.0; // imul r64, r64
const char* const kPrimaryName = "imul r64,r64 dependent chain (latency 3)";
const char* const kCheckName = "add r64,r64 dependent chain (latency 1)";
constexpr double kCheckLatency = 1.0;
inline void primaryBlock(uint64_t& x, uint64_t step)
{
    __asm__ __volatile__(".rept 1000\n\timulq %1, %0\n\t.endr" : "+r"(x) : "r"(step));
}
inline void checkBlock(uint64_t& x, uint64_t step)
{
    __asm__ __volatile__(".rept 1000\n\taddq %1, %0\n\t.endr" : "+r"(x) : "r"(step));
}
#elif defined(__aarch64__)
#define KDRV_BENCH_HAVE_CHAINS 1
constexpr double kPrimaryLatency = 1.0; // add xd, xn, xm
const char* const kPrimaryName = "add x,x,x dependent chain (latency 1)";
const char* const kCheckName = "eor x,x,x dependent chain (latency 1)";
constexpr double kCheckLatency = 1.0;
inline void primaryBlock(uint64_t& x, uint64_t step)
{
    __asm__ __volatile__(".rept 1000\n\tadd %0, %0, %1\n\t.endr" : "+r"(x) : "r"(step));
}
inline void checkBlock(uint64_t& x, uint64_t step)
{
    __asm__ __volatile__(".rept 1000\n\teor %0, %0, %1\n\t.endr" : "+r"(x) : "r"(step));
}
#else
#define KDRV_BENCH_HAVE_CHAINS 0
#endif

#if KDRV_BENCH_HAVE_CHAINS
// Keeps the multiplier (1) and the addend opaque to the compiler.
volatile uint64_t g_step = 1;

// Chain rate in instructions per ns, from the fastest of `trials` trials
// (preemption and interrupts only ever make a trial slower).
template <class Block> double chainTrial(Block block, double latency)
{
    const int blocks = std::max(1, int(kCyclesPerTrial / (latency * kChainLength)));
    uint64_t x = 3;
    const uint64_t step = g_step;
    const int64_t start = monotonicNs();
    for (int b = 0; b < blocks; ++b)
        block(x, step);
    const int64_t elapsed = monotonicNs() - start;
    if (elapsed <= 0)
        return 0.0;
    return double(blocks) * kChainLength * latency / double(elapsed);
}
#endif

#if defined(__linux__) && KDRV_BENCH_HAVE_CHAINS
// A user-mode cycle counter for this thread, or -1 with the reason.
struct CycleCounter
{
    int fd = -1;
    std::string error;

    CycleCounter()
    {
        perf_event_attr attr;
        std::memset(&attr, 0, sizeof attr);
        attr.size = sizeof attr;
        attr.type = PERF_TYPE_HARDWARE;
        attr.config = PERF_COUNT_HW_CPU_CYCLES;
        attr.disabled = 1;
        attr.exclude_kernel = 1;
        attr.exclude_hv = 1;
        attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
        fd = int(syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0));
        if (fd < 0)
            error = std::string("perf_event_open(PERF_COUNT_HW_CPU_CYCLES) failed: ") +
                    std::strerror(errno);
    }
    ~CycleCounter()
    {
        if (fd >= 0)
            close(fd);
    }
    CycleCounter(const CycleCounter&) = delete;
    CycleCounter& operator=(const CycleCounter&) = delete;

    // Cycles per ns over one primary-chain trial; 0 if the counter was not
    // running the whole time (multiplexed) or could not be read.
    double trial()
    {
        struct
        {
            uint64_t value, enabled, running;
        } r = {0, 0, 0};
        uint64_t x = 3;
        const uint64_t step = g_step;
        const int blocks = std::max(1, int(kCyclesPerTrial / (kPrimaryLatency * kChainLength)));
        ioctl(fd, PERF_EVENT_IOC_RESET, 0);
        const int64_t start = monotonicNs();
        ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
        for (int b = 0; b < blocks; ++b)
            primaryBlock(x, step);
        ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
        const int64_t elapsed = monotonicNs() - start;
        if (read(fd, &r, sizeof r) != ssize_t(sizeof r) || r.value == 0 || r.running != r.enabled ||
            elapsed <= 0)
            return 0.0;
        return double(r.value) / double(elapsed);
    }
};
#endif

std::string format(const char* fmt, double a, double b)
{
    char buffer[160];
    std::snprintf(buffer, sizeof buffer, fmt, a, b);
    return buffer;
}
} // namespace

double probePrimaryGHz()
{
#if KDRV_BENCH_HAVE_CHAINS
    double best = 0.0;
    for (int i = 0; i < 5; ++i)
        best = std::max(best, chainTrial(primaryBlock, kPrimaryLatency));
    return best;
#else
    return 0.0;
#endif
}

ClockReading measureClock()
{
    ClockReading r;
#if KDRV_BENCH_HAVE_CHAINS
    r.primaryMethod = kPrimaryName;
#if defined(__linux__)
    CycleCounter counter;
    bool useCounter = counter.fd >= 0;
#else
    bool useCounter = false;
#endif
    std::string counterNote;
#if defined(__linux__)
    counterNote = counter.error;
#else
    counterNote = "no perf_event_open on this system";
#endif
    for (int round = 0; round < kRounds; ++round)
    {
        r.primaryGHz = std::max(r.primaryGHz, chainTrial(primaryBlock, kPrimaryLatency));
#if defined(__linux__)
        if (useCounter)
        {
            const double c = counter.trial();
            if (c == 0.0 && round == 0 && r.checkGHz == 0.0)
            {
                // Opened but counts nothing (a VM may accept the event and
                // never schedule it): fall back to the second chain.
                useCounter = false;
                counterNote = "perf_event_open cycle counter opened but did not count";
            }
            r.checkGHz = std::max(r.checkGHz, c);
        }
#endif
        if (!useCounter)
            r.checkGHz = std::max(r.checkGHz, chainTrial(checkBlock, kCheckLatency));
    }
    r.checkMethod = useCounter ? "perf_event_open PERF_COUNT_HW_CPU_CYCLES (user mode)"
                               : std::string(kCheckName) + " (" + counterNote + ")";
    if (r.primaryGHz <= 0.0 || r.checkGHz <= 0.0)
    {
        r.declined = "a probe measured nothing (clock_gettime did not advance)";
        return r;
    }
    const double spread = std::fabs(r.primaryGHz - r.checkGHz) / std::min(r.primaryGHz, r.checkGHz);
    if (spread > kClockAgreement)
    {
        r.declined = format("the two methods disagree by more than 10 %% (%.3f vs %.3f GHz): "
                            "at least one chain does not run at its nominal latency on this core",
                            r.primaryGHz, r.checkGHz);
        return r;
    }
    r.ghz = r.primaryGHz;
#else
    r.declined = "no fixed-latency chain for this architecture (x86_64 and arm64 only)";
#endif
    return r;
}
} // namespace kdrvbench
