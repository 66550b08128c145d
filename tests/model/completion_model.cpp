// SPDX-License-Identifier: MIT
//
// CompletionRecord: an armed request completed by the lower layer while a
// duplicate completion and the submitter's submitFailed() race it. Checked:
// the action runs at most once, exactly once unless submitFailed() won, the
// winner of submitFailed() (and only it) owns the cleanup, and the action
// sees what the submitter wrote before arming (a checked variable).
#include "model_check.hpp"

#include "kdrv/completion.hpp"

namespace
{
struct Request
{
    rl::var<int> payload; // written by the submitter before arm()
    int actions = 0;      // runs of the action (fibers share one OS thread)
};

void onComplete(void* target, void*, kdrv::Status status, uint64_t count)
{
    Request* r = static_cast<Request*>(target);
    MODEL_ASSERT(r->payload($) == 42);
    MODEL_ASSERT(status == kdrv::Status::Success && count == 5);
    ++r->actions;
}

struct CompleteRaces : kdrvmodel::Test<CompleteRaces, 3>
{
    Request request;
    kdrv::CompletionRecord record;
    rl::atomic<int> armed;
    kdrv::Status failed = kdrv::Status::Error;

    void setUp()
    {
        request.payload($) = 0;
        armed.store(0, rl::mo_relaxed, $);
    }
    void thread(unsigned index)
    {
        if (index == 0) // the submitter: arm, "submit", then the submit call fails
        {
            request.payload($) = 42;
            const kdrv::Completion c = {&request, onComplete, nullptr};
            MODEL_ASSERT(record.arm(c) == kdrv::Status::Success);
            armed.store(1, rl::mo_relaxed, $); // hands the request over (no ordering)
            failed = record.submitted(kdrv::Status::IOError);
            return;
        }
        // The lower layer, twice (a duplicated interrupt): only once armed.
        while (armed.load(rl::mo_relaxed, $) == 0)
            rl::yield(1, $);
        (void)record.complete(kdrv::Status::Success, 5);
    }
    void after()
    {
        // Either the submitter owns the cleanup (IOError: the action never
        // ran) or the action ran exactly once (NotPermitted to the submitter).
        MODEL_ASSERT((failed == kdrv::Status::IOError && request.actions == 0) ||
                     (failed == kdrv::Status::NotPermitted && request.actions == 1));
        // Whoever won, the two other calls found the record not armed.
        MODEL_ASSERT(record.duplicates() == 2u);
    }
};
KDRV_MODEL_CHECK(CompleteRaces, "completion.complete_vs_duplicate_vs_submit_failed", Bound, 0, 3,
                 Clean);
} // namespace
