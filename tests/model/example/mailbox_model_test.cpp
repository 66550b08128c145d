// Model checks of a driver's own code (docs/testing-your-driver.md): the
// Mailbox, built unchanged with -DKDRV_CONFIG_MODEL_CHECK=1, under the Relacy
// Race Detector's exhaustive scheduler.
#include "mailbox.hpp"

#include "kdrv/platform/model.hpp" // kdrv::model::resetIteration, exploreInterrupts

#include <cstdio>

// Every execution builds a fresh test object, so the Mailbox (and the Relacy
// objects inside its Mutex) lives inside the simulation, as it must.
struct PostWakesTaker : rl::test_suite<PostWakesTaker, 2>
{
    Mailbox box;

    void before()
    {
        kdrv::model::resetIteration();
        kdrv::model::exploreInterrupts(false); // a lost wakeup is then a deadlock
        RL_ASSERT(box.init() == kdrv::Status::Success);
    }
    void thread(unsigned index)
    {
        if (index == 0)
        {
            box.post(7);
        }
        else
        {
            uint32_t value = 0;
            RL_ASSERT(box.take(&value) == kdrv::Status::Success);
            RL_ASSERT(value == 7);
        }
    }
    void after() { box.destroy(); }
};

// The checker may interrupt the taker's sleep wherever it waits: take()
// then backs out with Aborted, and never returns Success without the value.
struct InterruptedTakeBacksOut : rl::test_suite<InterruptedTakeBacksOut, 2>
{
    Mailbox box;

    void before()
    {
        kdrv::model::resetIteration();
        RL_ASSERT(box.init() == kdrv::Status::Success);
    }
    void thread(unsigned index)
    {
        if (index == 0)
        {
            box.post(7);
        }
        else
        {
            uint32_t value = 0;
            const kdrv::Status s = box.take(&value);
            RL_ASSERT(s == kdrv::Status::Aborted || (s == kdrv::Status::Success && value == 7));
        }
    }
    void after() { box.destroy(); }
};

template <typename Test> bool check(const char* name)
{
    rl::test_params params;
    params.search_type = rl::fair_full_search_scheduler_type;
    const bool clean = rl::simulate<Test>(params); // prints the schedule if not
    std::printf("%s: %s after %llu executions\n", name, clean ? "clean" : "REPORTED",
                static_cast<unsigned long long>(params.stop_iteration));
    return clean;
}

int main()
{
    const bool a = check<PostWakesTaker>("mailbox: a posted value wakes the taker");
    const bool b = check<InterruptedTakeBacksOut>("mailbox: an interrupted take backs out");
    return a && b ? 0 : 1;
}
