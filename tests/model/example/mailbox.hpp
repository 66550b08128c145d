// Driver logic: kdrv headers only, so it compiles unchanged in a kext.
#ifndef MAILBOX_HPP
#define MAILBOX_HPP

#include "kdrv/mutex.hpp"

class Mailbox
{
  public:
    kdrv::Status init() { return mutex_.init(); }
    void destroy() { mutex_.destroy(); }

    void post(uint32_t value)
    {
        kdrv::MutexGuard guard(mutex_);
        value_ = value;
        full_ = true;
        mutex_.wakeupOne(&full_);
    }

    // Sleeps until a value is posted. Aborted if the sleep is interrupted.
    kdrv::Status take(uint32_t* value)
    {
        kdrv::MutexGuard guard(mutex_);
        while (!full_)
        {
            if (mutex_.sleep(&full_, kdrv::SleepType::Interruptible) != kdrv::WaitResult::Awakened)
                return kdrv::Status::Aborted;
        }
        full_ = false;
        *value = value_;
        return kdrv::Status::Success;
    }

  private:
    kdrv::Mutex mutex_;
    bool full_ KDRV_GUARDED_BY(mutex_) = false;
    uint32_t value_ KDRV_GUARDED_BY(mutex_) = 0;
};

#endif
