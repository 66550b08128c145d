// SPDX-License-Identifier: MIT
//
// Rundown: two pieces of work acquire/release while a drainer closes the
// gate and waits (drain, and drainFor whose deadline the checker may let
// pass), or begins a drain with a notification. Checked: a successful drain
// sees everything the work did (the work's writes are checked variables),
// the drainer "frees" the state only when no work holds a reference, no
// work starts after the drain, and a notification runs exactly once.
#include "model_check.hpp"

#include "kdrv/rundown.hpp"

namespace
{
struct RundownTest
{
    kdrv::Rundown rundown;
    rl::var<int> work[2];
    rl::var<int> alive; // 0 once the drainer has torn the state down
    rl::atomic<int> started[2];

    void start()
    {
        MODEL_ASSERT(rundown.init() == kdrv::Status::Success);
        for (int i = 0; i < 2; ++i)
        {
            work[i]($) = 0;
            started[i].store(0, rl::mo_relaxed, $);
        }
        alive($) = 1;
    }
    void doWork(unsigned index)
    {
        if (!rundown.acquire())
            return;
        started[index].store(1, rl::mo_relaxed, $);
        MODEL_ASSERT(alive($) == 1);
        work[index]($) = 1;
        rundown.release();
    }
    void tearDown() // after a successful drain
    {
        for (int i = 0; i < 2; ++i)
            (void)work[i]($); // the work's writes are visible
        alive($) = 0;
        MODEL_ASSERT(rundown.references() == 0 && rundown.isDrained());
        MODEL_ASSERT(!rundown.acquire()); // the gate stays closed
    }
};

struct DrainVsWork : kdrvmodel::Test<DrainVsWork, 3>, RundownTest
{
    void setUp() { start(); }
    void thread(unsigned index)
    {
        if (index < 2)
            doWork(index);
        else
        {
            MODEL_ASSERT(rundown.drain() == kdrv::Status::Success);
            tearDown();
        }
    }
    void after() { rundown.destroy(); }
};
KDRV_MODEL_CHECK(DrainVsWork, "rundown.drain_vs_work", Bound, 0, 2, Clean);

// drainFor: Busy (the deadline passed with work in flight) or Success.
struct DrainForVsWork : kdrvmodel::Test<DrainForVsWork, 2>, RundownTest
{
    void setUp() { start(); }
    void thread(unsigned index)
    {
        if (index == 0)
        {
            doWork(0);
        }
        else
        {
            const kdrv::Status s = rundown.drainFor(1000);
            MODEL_ASSERT(s == kdrv::Status::Success || s == kdrv::Status::Busy);
            if (s == kdrv::Status::Success)
                tearDown();
        }
    }
    void after() { rundown.destroy(); }
};
KDRV_MODEL_CHECK(DrainForVsWork, "rundown.drainfor_vs_work", Bound, 0, 3, Clean);

int gNotified = 0; // per execution (fibers share one OS thread)
void noteDrained(void*) { ++gNotified; }

// beginDrain with a notification: it runs exactly once when Busy was
// returned (from the last release), never when Success was.
struct BeginDrainNotify : kdrvmodel::Test<BeginDrainNotify, 3>, RundownTest
{
    kdrv::RundownNotify notify = {noteDrained, nullptr};
    kdrv::Status begun = kdrv::Status::Error;

    void setUp()
    {
        gNotified = 0;
        start();
    }
    void thread(unsigned index)
    {
        if (index < 2)
            doWork(index);
        else
            begun = rundown.beginDrain(&notify);
    }
    void after()
    {
        MODEL_ASSERT(begun == kdrv::Status::Success || begun == kdrv::Status::Busy);
        MODEL_ASSERT(gNotified == (begun == kdrv::Status::Busy ? 1 : 0));
        rundown.destroy();
    }
};
KDRV_MODEL_CHECK(BeginDrainNotify, "rundown.begin_drain_notify", Bound, 0, 2, Clean);
} // namespace
