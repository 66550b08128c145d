// SPDX-License-Identifier: MIT
//
// kdrv_bench's main: BENCHMARK_MAIN plus the run's context and the fairness
// settings of performance.md (absl::Mutex without deadlock detection, which
// Debian's build enables by default and which triples its cost).
#include "bench_support.hpp"

#if KDRV_BENCH_HAVE_ABSL
#include <absl/synchronization/mutex.h>
#endif

namespace kdrvbench
{
namespace detail
{
void startRun();
} // namespace detail
} // namespace kdrvbench

int main(int argc, char** argv)
{
    char defaultName[] = "kdrv_bench";
    char* defaultArgv = defaultName;
    if (argv == nullptr)
    {
        argc = 1;
        argv = &defaultArgv;
    }
#if KDRV_BENCH_HAVE_ABSL
    absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
    {
        return 1;
    }
    kdrvbench::detail::startRun();
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
