// SPDX-License-Identifier: MIT
#include "kdrv/completion.hpp"

#include "lock_test_support.hpp"
#include "watchdog.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

using kdrv::Completion;
using kdrv::CompletionChain;
using kdrv::CompletionRecord;
using kdrv::Status;

namespace
{
KDRV_CONST_INIT CompletionRecord g_record;
KDRV_CONST_INIT CompletionChain g_chain;

// What one action saw.
struct Calls
{
    int count = 0;
    void* target = nullptr;
    void* parameter = nullptr;
    Status status = Status::Success;
    uint64_t bytes = 0;
};

void record(void* target, void* parameter, Status status, uint64_t count)
{
    Calls* c = static_cast<Calls*>(target);
    ++c->count;
    c->target = target;
    c->parameter = parameter;
    c->status = status;
    c->bytes = count;
}

Completion completionFor(Calls* calls, void* parameter = nullptr)
{
    return Completion{calls, record, parameter};
}

// A chain step that doubles the count and, with *fail set, fails.
struct StepContext
{
    int runs = 0;
    bool fail = false;
};
void step(void* context, Status* status, uint64_t* count)
{
    StepContext* s = static_cast<StepContext*>(context);
    ++s->runs;
    *count *= 2;
    if (s->fail)
        *status = Status::IOError;
}
} // namespace

TEST_CASE("completion: a record is constant-initialized and idle")
{
    CHECK(g_record.state() == CompletionRecord::kIdle);
    CHECK_FALSE(g_record.isArmed());
    CHECK(g_record.duplicates() == 0);
    CHECK_FALSE(g_chain.inFlight());
}

TEST_CASE("completion: invokeCompletion calls a non-null action once")
{
    Calls calls;
    int p = 0;
    CHECK(kdrv::invokeCompletion(completionFor(&calls, &p), Status::Aborted, 7));
    CHECK(calls.count == 1);
    CHECK(calls.parameter == &p);
    CHECK(calls.status == Status::Aborted);
    CHECK(calls.bytes == 7);
    CHECK_FALSE(kdrv::invokeCompletion(Completion{&calls, nullptr, nullptr}, Status::Success, 1));
    CHECK(calls.count == 1);
}

TEST_CASE("completion: success runs the callback exactly once")
{
    CompletionRecord r;
    Calls calls;
    int p = 0;
    REQUIRE(r.arm(completionFor(&calls, &p)) == Status::Success);
    CHECK(r.isArmed());
    CHECK(r.submitted(Status::Success) == Status::Success);
    CHECK(r.isArmed());
    CHECK(r.complete(Status::Success, 4096) == Status::Success);
    CHECK(calls.count == 1);
    CHECK(calls.target == &calls);
    CHECK(calls.parameter == &p);
    CHECK(calls.status == Status::Success);
    CHECK(calls.bytes == 4096);
    CHECK(r.state() == CompletionRecord::kFired);
}

TEST_CASE("completion: a second completion is detected and never run")
{
    CompletionRecord r;
    Calls calls;
    REQUIRE(r.arm(completionFor(&calls)) == Status::Success);
    CHECK(r.complete(Status::Success, 1) == Status::Success);
    CHECK(r.complete(Status::IOError, 2) == Status::NotPermitted);
    CHECK(r.complete(Status::Success, 3) == Status::NotPermitted);
    CHECK(calls.count == 1);
    CHECK(calls.bytes == 1);
    CHECK(r.duplicates() == 2);
    // A failed-submit report after the completion is detected too: the
    // callback owns the cleanup.
    CHECK(r.submitFailed() == Status::NotPermitted);
    CHECK(r.duplicates() == 3);
}

TEST_CASE("completion: submission failure never runs the callback")
{
    CompletionRecord r;
    Calls calls;
    REQUIRE(r.arm(completionFor(&calls)) == Status::Success);
    // The submit call failed: the submitter owns the cleanup.
    CHECK(r.submitted(Status::NoResources) == Status::NoResources);
    CHECK_FALSE(r.isArmed());
    CHECK(r.state() == CompletionRecord::kIdle);
    // A lower layer that completes anyway is detected, and nothing runs.
    CHECK(r.complete(Status::Success, 512) == Status::NotPermitted);
    CHECK(calls.count == 0);
    CHECK(r.duplicates() == 1);
}

TEST_CASE("completion: completion before the submit call returns an error")
{
    // The lower layer ran the completion and then also returned an error:
    // the submitter must not clean up as well.
    CompletionRecord r;
    Calls calls;
    REQUIRE(r.arm(completionFor(&calls)) == Status::Success);
    CHECK(r.complete(Status::IOError, 0) == Status::Success);
    CHECK(r.submitted(Status::IOError) == Status::NotPermitted);
    CHECK(calls.count == 1);
}

TEST_CASE("completion: arming rules")
{
    CompletionRecord r;
    Calls calls;
    CHECK(r.arm(Completion{&calls, nullptr, nullptr}) == Status::BadArgument);
    CHECK(r.complete(Status::Success, 0) == Status::NotPermitted); // never armed
    CHECK(calls.count == 0);
    REQUIRE(r.arm(completionFor(&calls)) == Status::Success);
    CHECK(r.arm(completionFor(&calls)) == Status::Busy);
    CHECK(r.complete(Status::Success, 0) == Status::Success);
    CHECK(r.arm(completionFor(&calls)) == Status::Success); // reuse after firing
    CHECK(r.submitFailed() == Status::Success);
    CHECK(r.arm(completionFor(&calls)) == Status::Success); // reuse after a failed submit
    CHECK(r.complete(Status::Success, 0) == Status::Success);
    CHECK(calls.count == 2);
}

namespace
{
struct Rearm
{
    CompletionRecord* record;
    int runs;
};
void rearmAction(void* target, void*, Status, uint64_t)
{
    Rearm* r = static_cast<Rearm*>(target);
    ++r->runs;
    if (r->runs < 3)
        CHECK(r->record->arm(Completion{r, rearmAction, nullptr}) == Status::Success);
}
} // namespace

TEST_CASE("completion: the action may re-arm its own record")
{
    CompletionRecord r;
    Rearm state = {&r, 0};
    REQUIRE(r.arm(Completion{&state, rearmAction, nullptr}) == Status::Success);
    CHECK(r.complete(Status::Success, 0) == Status::Success);
    CHECK(r.complete(Status::Success, 0) == Status::Success);
    CHECK(r.complete(Status::Success, 0) == Status::Success);
    CHECK(r.complete(Status::Success, 0) == Status::NotPermitted);
    CHECK(state.runs == 3);
}

// ---------------------------------------------------------------------------
// Chaining

TEST_CASE("completion: a chain forwards status and count after its step")
{
    CompletionChain link;
    Calls parent;
    StepContext ctx;
    Completion child = {nullptr, nullptr, nullptr};
    int p = 0;
    REQUIRE(CompletionChain::begin(&link, completionFor(&parent, &p), step, &ctx, &child) ==
            Status::Success);
    CHECK(link.inFlight());
    CHECK(child.target == &link);
    CHECK((child.action == &CompletionChain::onChildComplete));
    CHECK(link.childSubmitted(Status::Success) == Status::Success);
    CHECK(parent.count == 0);
    CHECK(kdrv::invokeCompletion(child, Status::Success, 100));
    CHECK(ctx.runs == 1);
    CHECK(parent.count == 1);
    CHECK(parent.parameter == &p);
    CHECK(parent.status == Status::Success);
    CHECK(parent.bytes == 200);
    CHECK_FALSE(link.inFlight());
}

TEST_CASE("completion: a chain forces the count to zero on error")
{
    CompletionChain link;
    Calls parent;
    StepContext ctx;
    Completion child;
    REQUIRE(CompletionChain::begin(&link, completionFor(&parent), step, &ctx, &child) ==
            Status::Success);
    kdrv::invokeCompletion(child, Status::IOError, 4096); // a partial count from below
    CHECK(ctx.runs == 0);                                 // no decryption of failed data
    CHECK(parent.count == 1);
    CHECK(parent.status == Status::IOError);
    CHECK(parent.bytes == 0);
    // A step that fails turns a success into an error with count 0.
    ctx.fail = true;
    REQUIRE(CompletionChain::begin(&link, completionFor(&parent), step, &ctx, &child) ==
            Status::Success);
    kdrv::invokeCompletion(child, Status::Success, 4096);
    CHECK(ctx.runs == 1);
    CHECK(parent.count == 2);
    CHECK(parent.status == Status::IOError);
    CHECK(parent.bytes == 0);
    // No step: the child's result goes through unchanged.
    REQUIRE(CompletionChain::begin(&link, completionFor(&parent), nullptr, nullptr, &child) ==
            Status::Success);
    kdrv::invokeCompletion(child, Status::Success, 4096);
    CHECK(parent.count == 3);
    CHECK(parent.bytes == 4096);
}

TEST_CASE("completion: a duplicate child completion is not forwarded")
{
    CompletionChain link;
    Calls parent;
    StepContext ctx;
    Completion child;
    REQUIRE(CompletionChain::begin(&link, completionFor(&parent), step, &ctx, &child) ==
            Status::Success);
    kdrv::invokeCompletion(child, Status::Success, 8);
    kdrv::invokeCompletion(child, Status::Success, 8);
    CHECK(parent.count == 1);
    CHECK(ctx.runs == 1);
    CHECK(link.duplicates() == 1);
    CHECK(link.childSubmitted(Status::IOError) == Status::NotPermitted);
    CHECK(parent.count == 1);
}

TEST_CASE("completion: a failed child submission completes the parent with count 0")
{
    CompletionChain link;
    Calls parent;
    StepContext ctx;
    Completion child;
    REQUIRE(CompletionChain::begin(&link, completionFor(&parent), step, &ctx, &child) ==
            Status::Success);
    CHECK(link.childSubmitted(Status::NoResources) == Status::Success);
    CHECK(parent.count == 1);
    CHECK(parent.status == Status::NoResources);
    CHECK(parent.bytes == 0);
    CHECK(ctx.runs == 0);
    // The lower layer completes anyway: detected, not forwarded.
    kdrv::invokeCompletion(child, Status::Success, 8);
    CHECK(parent.count == 1);
    CHECK(link.duplicates() == 1);
}

TEST_CASE("completion: allocation failure in the chain completes at once with NoMemory")
{
    Calls parent;
    Completion child = {nullptr, nullptr, nullptr};
    CHECK(CompletionChain::begin(nullptr, completionFor(&parent), step, nullptr, &child) ==
          Status::NoMemory);
    CHECK(parent.count == 1);
    CHECK(parent.status == Status::NoMemory);
    CHECK(parent.bytes == 0);
    CHECK(child.target == nullptr); // nothing to submit
}

TEST_CASE("completion: chain argument and reuse rules")
{
    CompletionChain link;
    Calls parent;
    Calls second;
    Completion child;
    CHECK(CompletionChain::begin(&link, Completion{&parent, nullptr, nullptr}, nullptr, nullptr,
                                 &child) == Status::BadArgument);
    CHECK(CompletionChain::begin(&link, completionFor(&parent), nullptr, nullptr, nullptr) ==
          Status::BadArgument);
    CHECK(parent.count == 0);
    REQUIRE(CompletionChain::begin(&link, completionFor(&parent), nullptr, nullptr, &child) ==
            Status::Success);
    Completion other;
    // The link is in flight: the second request is completed with Busy.
    CHECK(CompletionChain::begin(&link, completionFor(&second), nullptr, nullptr, &other) ==
          Status::Busy);
    CHECK(second.count == 1);
    CHECK(second.status == Status::Busy);
    CHECK(parent.count == 0);
    kdrv::invokeCompletion(child, Status::Success, 1);
    CHECK(parent.count == 1);
    CHECK(CompletionChain::begin(&link, completionFor(&second), nullptr, nullptr, &other) ==
          Status::Success);
}

// ---------------------------------------------------------------------------
// Concurrency

namespace
{
// Racers spin briefly before yielding so that they reach the record at the
// same moment; on a loaded machine they fall back to yielding.
struct RaceState
{
    std::atomic<int> fired{0};
    std::atomic<uint64_t> lastParameter{0};
};
void raceAction(void* target, void* parameter, Status, uint64_t)
{
    RaceState* s = static_cast<RaceState*>(target);
    s->fired.fetch_add(1, std::memory_order_relaxed);
    s->lastParameter.store(reinterpret_cast<uintptr_t>(parameter), std::memory_order_relaxed);
}

} // namespace

// Rounds of: the owner arms a record, then three threads race on it: two
// call complete(), the third calls submitFailed() (every fourth round) or
// complete(). Exactly one call may win; the action runs exactly once when a
// complete() won and never when submitFailed() won; every loser is counted.
TEST_CASE("stress: racing completions run the callback exactly once")
{
    const unsigned rounds = 3000 * kdrvtest::stressScale();
    const int racers = 3;
    CompletionRecord r;
    RaceState state;
    std::atomic<unsigned> round{0};
    std::atomic<int> arrived{0};
    std::atomic<int> completeWins{0};
    std::atomic<int> cancelWins{0};
    std::atomic<bool> stop{false};
    kdrvtest::ProgressWatchdog dog("completion race",
                                   [&]
                                   {
                                       return "round " + std::to_string(round.load()) +
                                              ", racers arrived " + std::to_string(arrived.load()) +
                                              ", record state " + std::to_string(r.state());
                                   });

    std::vector<std::thread> threads;
    for (int t = 0; t < racers; ++t)
    {
        threads.emplace_back(
            [&, t]
            {
                unsigned seen = 0;
                for (;;)
                {
                    unsigned now;
                    while ((now = round.load(std::memory_order_acquire)) == seen)
                    {
                        if (stop.load(std::memory_order_relaxed))
                            return;
                        std::this_thread::yield();
                    }
                    seen = now;
                    if (now % 4 == 0 && unsigned(t) == (now / 4) % 3)
                    {
                        if (r.submitFailed() == Status::Success)
                            cancelWins.fetch_add(1, std::memory_order_relaxed);
                    }
                    else if (r.complete(Status::Success, now) == Status::Success)
                    {
                        completeWins.fetch_add(1, std::memory_order_relaxed);
                    }
                    arrived.fetch_add(1, std::memory_order_acq_rel);
                    dog.tick();
                }
            });
    }
    int wrong = 0;
    for (unsigned i = 1; i <= rounds; ++i)
    {
        const int firedBefore = state.fired.load();
        const int winsBefore = completeWins.load() + cancelWins.load();
        const int completeBefore = completeWins.load();
        REQUIRE(r.arm(Completion{&state, raceAction, reinterpret_cast<void*>(uintptr_t(i))}) ==
                Status::Success);
        arrived.store(0, std::memory_order_relaxed);
        round.store(i, std::memory_order_release);
        while (arrived.load(std::memory_order_acquire) != racers)
            std::this_thread::yield();
        const int wins = completeWins.load() + cancelWins.load() - winsBefore;
        const int fired = state.fired.load() - firedBefore;
        const int completed = completeWins.load() - completeBefore;
        if (wins != 1 || fired != completed || (fired == 1 && state.lastParameter.load() != i))
            ++wrong;
        dog.tick();
    }
    stop.store(true);
    for (auto& th : threads)
        th.join();
    CHECK(wrong == 0);
    CHECK(state.fired.load() == completeWins.load());
    CHECK(completeWins.load() + cancelWins.load() == int(rounds));
    CHECK(r.duplicates() == uint32_t(rounds) * uint32_t(racers - 1));
    MESSAGE("completion race: " << rounds << " rounds, " << completeWins.load() << " completions, "
                                << cancelWins.load() << " cancels");
}

// The same race through a chain: two child completions and a failed-submit
// report; the parent must hear exactly once.
TEST_CASE("stress: racing child completions complete the parent exactly once")
{
    const unsigned rounds = 2000 * kdrvtest::stressScale();
    CompletionChain link;
    RaceState state;
    std::atomic<unsigned> round{0};
    std::atomic<int> arrived{0};
    std::atomic<bool> stop{false};
    kdrvtest::ProgressWatchdog dog("chain race",
                                   [&]
                                   {
                                       return "round " + std::to_string(round.load()) +
                                              ", racers arrived " + std::to_string(arrived.load()) +
                                              ", parent in flight " +
                                              std::to_string(int(link.inFlight()));
                                   });
    Completion child = {nullptr, nullptr, nullptr};
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t)
    {
        threads.emplace_back(
            [&, t]
            {
                unsigned seen = 0;
                for (;;)
                {
                    unsigned now;
                    while ((now = round.load(std::memory_order_acquire)) == seen)
                    {
                        if (stop.load(std::memory_order_relaxed))
                            return;
                        std::this_thread::yield();
                    }
                    seen = now;
                    if (t == 2)
                        (void)link.childSubmitted(Status::NoResources);
                    else
                        kdrv::invokeCompletion(child, Status::Success, 64);
                    arrived.fetch_add(1, std::memory_order_acq_rel);
                    dog.tick();
                }
            });
    }
    int wrong = 0;
    for (unsigned i = 1; i <= rounds; ++i)
    {
        const int before = state.fired.load();
        REQUIRE(CompletionChain::begin(
                    &link, Completion{&state, raceAction, reinterpret_cast<void*>(uintptr_t(i))},
                    nullptr, nullptr, &child) == Status::Success);
        arrived.store(0, std::memory_order_relaxed);
        round.store(i, std::memory_order_release);
        while (arrived.load(std::memory_order_acquire) != 3)
            std::this_thread::yield();
        if (state.fired.load() - before != 1 || state.lastParameter.load() != i)
            ++wrong;
        dog.tick();
    }
    stop.store(true);
    for (auto& th : threads)
        th.join();
    CHECK(wrong == 0);
    CHECK(state.fired.load() == int(rounds));
    CHECK(link.duplicates() == uint32_t(rounds) * 2u);
}
