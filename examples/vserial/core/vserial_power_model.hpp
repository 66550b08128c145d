// SPDX-License-Identifier: MIT
//
// vserial::PowerManagerModel: I/O Kit power management for the user-space
// worlds (the program and the tests), played by kdrv::PowerPolicy over the
// same table the kext hands to registerPowerDriver(). In the kext the real
// power manager does this job and this class is not used.
//
// It provides the core's power hooks (activityTickle, changePowerStateTo)
// and calls the core's setPowerState(). Time is injected: advanceTo() moves
// the model's clock, so idle periods end exactly when a test or the
// program's script says, never by wall-clock accident.
//
// kdrv::PowerPolicy is not thread-safe; the model serializes it with its
// own Mutex, which is held while the policy calls setPowerState(). The core
// never calls a power hook with its gate held, so the order is always
// model lock, then core gate.
//
// Kernel-visible (Embedded C++, kdrv only), although only user space needs it.
#ifndef VSERIAL_POWER_MODEL_HPP
#define VSERIAL_POWER_MODEL_HPP

#include "kdrv/base.hpp"
#include "kdrv/mutex.hpp"
#include "kdrv/power.hpp"
#include "kdrv/status.hpp"

#include "vserial/core/vserial_core.hpp"

namespace vserial
{
class PowerManagerModel
{
  public:
    constexpr PowerManagerModel() : lock_(), policy_() {}
    KDRV_NONCOPYABLE(PowerManagerModel);

    // registerPowerDriver + setIdleTimerPeriod. The table is validated;
    // `issues` (may be null) receives the findings.
    KDRV_NODISCARD Status init(Core* core, unsigned long idleSeconds,
                               kdrv::PowerTableIssues* issues = nullptr)
    {
        Status s = lock_.init();
        if (s != Status::Success)
            return s;
        kdrv::MutexGuard guard(lock_);
        s = policy_.init(kPowerStates, kPowerStateCount, core, kdrv::kPMPowerOn, issues);
        if (s == Status::Success)
            s = policy_.setIdleTimerPeriod(idleSeconds);
        return s;
    }

    // PMstop.
    void destroy()
    {
        {
            kdrv::MutexGuard guard(lock_);
            policy_.stop();
        }
        lock_.destroy();
    }

    // The core's Hooks entries: this model as power management.
    void fillHooks(Hooks* hooks)
    {
        hooks->powerContext = this;
        hooks->activityTickle = activityTickleHook;
        hooks->changePowerStateTo = changePowerStateToHook;
    }

    // Moves the clock to nowMicros: idle periods that end by then are
    // handled, in order.
    void advanceTo(uint64_t nowMicros)
    {
        kdrv::MutexGuard guard(lock_);
        policy_.advance(nowMicros);
    }

    unsigned long currentState()
    {
        kdrv::MutexGuard guard(lock_);
        return policy_.getPowerState();
    }

    kdrv::PowerPolicyStats stats()
    {
        kdrv::MutexGuard guard(lock_);
        return policy_.stats();
    }

  private:
    static bool activityTickleHook(void* context, unsigned long state)
    {
        PowerManagerModel* const self = static_cast<PowerManagerModel*>(context);
        kdrv::MutexGuard guard(self->lock_);
        return self->policy_.activityTickle(kdrv::kPMSuperclassPolicy1, state);
    }

    static Status changePowerStateToHook(void* context, unsigned long state)
    {
        PowerManagerModel* const self = static_cast<PowerManagerModel*>(context);
        kdrv::MutexGuard guard(self->lock_);
        return self->policy_.changePowerStateTo(state);
    }

    kdrv::Mutex lock_;
    kdrv::PowerPolicy policy_ KDRV_GUARDED_BY(lock_);
};
} // namespace vserial

#endif // VSERIAL_POWER_MODEL_HPP
