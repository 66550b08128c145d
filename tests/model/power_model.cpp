// SPDX-License-Identifier: MIT
//
// PowerPolicy's activityTickle fast path against power changes. The policy
// is serialized by a Mutex (as its header requires); the check is that,
// whatever the interleaving of a data path that tickles, an idle timer that
// lowers the device one state per quiet period and a driver request that
// drops its floor to off, a tickle that answers "no change needed" (true)
// is only ever given while the device really is in a state at or above the
// one asked for: the cached tickle level never outlives the power it
// promised.
#include "model_check.hpp"

#include "kdrv/mutex.hpp"
#include "kdrv/power.hpp"

namespace
{
const kdrv::PowerState kStates[3] = {
    {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {1, kdrv::kPMLowPower, 0, kdrv::kPMPowerOn, 2, 0, 0, 500, 0, 100, 0, 0},
    {1, kdrv::kPMPowerOn | kdrv::kPMDeviceUsable, kdrv::kPMPowerOn, kdrv::kPMPowerOn, 40, 0, 0, 200,
     0, 100, 0, 0},
};

// The hardware: its state is a checked variable written by setPowerState
// (with the policy's mutex held, like every read below).
class Device final : public kdrv::PowerDriver
{
  public:
    rl::var<unsigned long> state;
    int32_t setPowerState(unsigned long s, kdrv::PowerChangeId) override
    {
        state($) = s;
        return kdrv::kPMAckImplied;
    }
};

struct TickleVsPowerChange : kdrvmodel::Test<TickleVsPowerChange, 3>
{
    kdrv::Mutex mutex;
    Device device;
    kdrv::PowerPolicy policy;
    uint64_t now = 0; // idle thread only

    void setUp()
    {
        device.state($) = 0;
        MODEL_ASSERT(mutex.init() == kdrv::Status::Success);
        kdrv::MutexGuard guard(mutex);
        MODEL_ASSERT(policy.init(kStates, 3, &device) == kdrv::Status::Success);
        MODEL_ASSERT(policy.setIdleTimerPeriod(1) == kdrv::Status::Success);
        MODEL_ASSERT(policy.changePowerStateToPriv(2) == kdrv::Status::Success); // on
        MODEL_ASSERT(device.state($) == 2);
    }
    void thread(unsigned index)
    {
        if (index == 0) // the data path
        {
            for (int i = 0; i < 2; ++i)
            {
                kdrv::MutexGuard guard(mutex);
                kdrv::Status s = kdrv::Status::IOError;
                if (policy.activityTickle(kdrv::kPMSuperclassPolicy1, 2, &s))
                    MODEL_ASSERT(device.state($) == 2); // may touch the hardware now
                MODEL_ASSERT(s == kdrv::Status::Success);
            }
        }
        else if (index == 1) // the idle timer: two quiet periods
        {
            for (int i = 0; i < 2; ++i)
            {
                now += 1000001;
                kdrv::MutexGuard guard(mutex);
                policy.advance(now);
            }
        }
        else // the driver drops its own floor
        {
            kdrv::MutexGuard guard(mutex);
            MODEL_ASSERT(policy.changePowerStateToPriv(0) == kdrv::Status::Success);
        }
    }
    void after()
    {
        kdrv::MutexGuard guard(mutex);
        MODEL_ASSERT(policy.getPowerState() == device.state($));
        MODEL_ASSERT(policy.invariantsHold());
    }
};
KDRV_MODEL_CHECK(TickleVsPowerChange, "power.tickle_vs_power_change", Full, 0, 0, Clean);
} // namespace
