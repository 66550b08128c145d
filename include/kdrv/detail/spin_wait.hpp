// SPDX-License-Identifier: MIT
//
/// \file
/// SpinWait: the one busy-wait step of kdrv's portable spinning algorithms
/// (detail/ttas_lock.hpp, detail/rw_lock.hpp).
///
/// Exponential backoff of 1, 2, 4, 8 and 16 cpuRelax() pauses, then one
/// platform::yieldThread() per step. Backing off quickly leaves the cache
/// line to the holder, which maximizes the throughput of an unfair lock;
/// yielding lets a preempted holder run (user threads, unlike kernel
/// spin-lock holders, can be preempted). Under the model checker both calls
/// become scheduling points, so a waiting loop is a visible livelock there,
/// never a silent hang.
///
/// Calling context: any thread context. Not for interrupt context.
#ifndef KDRV_DETAIL_SPIN_WAIT_HPP
#define KDRV_DETAIL_SPIN_WAIT_HPP

#include "kdrv/atomic.hpp"            // for cpuRelax
#include "kdrv/base.hpp"              // for uint32_t, KDRV_NONCOPYABLE
#include "kdrv/platform/platform.hpp" // for platform::yieldThread

namespace kdrv
{
namespace detail
{
class SpinWait
{
  public:
    constexpr SpinWait() : step_(0) {}
    KDRV_NONCOPYABLE(SpinWait);

    /// Waits a little longer than the previous call did.
    KDRV_NOINLINE void pause()
    {
        if (step_ < kPauseSteps)
        {
            for (uint32_t i = 0, n = 1u << step_; i < n; ++i)
                cpuRelax();
            ++step_;
        }
        else
        {
            platform::yieldThread();
        }
    }

  private:
    enum : uint32_t
    {
        kPauseSteps = 5,
    };
    uint32_t step_;
};
} // namespace detail
} // namespace kdrv

#endif // KDRV_DETAIL_SPIN_WAIT_HPP
