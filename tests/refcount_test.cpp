// SPDX-License-Identifier: MIT
#include "kdrv/refcount.hpp"

#include "lock_test_support.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

using kdrv::RefCount;
using kdrv::RefCounted;

namespace
{
KDRV_CONST_INIT RefCount g_globalCount;

struct Tracked : RefCounted
{
    // Counts free() calls instead of deleting, so tests can look afterwards.
    std::atomic<int> freed{0};
    void free() override { freed.fetch_add(1); }
};

std::atomic<int> g_deleted{0};
struct Deleted : RefCounted
{
    ~Deleted() override { g_deleted.fetch_add(1); }
};
} // namespace

TEST_CASE("refcount: starts at one, constant-initialized")
{
    CHECK(g_globalCount.count() == 1u);
    RefCount r;
    CHECK(r.count() == 1u);
    RefCount r5(5);
    CHECK(r5.count() == 5u);
    CHECK_FALSE(r.isSaturated());
}

TEST_CASE("refcount: release returns true exactly once, for the last reference")
{
    RefCount r;
    r.retain();
    r.retain();
    CHECK(r.count() == 3u);
    CHECK_FALSE(r.release());
    CHECK_FALSE(r.release());
    CHECK(r.count() == 1u);
    CHECK(r.release());
    CHECK(r.count() == 0u);
}

TEST_CASE("refcount: increments up to the maximum are ordinary")
{
    kdrvtest::WarningCapture warnings;
    RefCount r(RefCount::kMax - 1u);
    r.retain();
    CHECK(r.count() == static_cast<uint32_t>(RefCount::kMax));
    CHECK_FALSE(r.isSaturated());
    CHECK(warnings.warnings() == 0);
    CHECK_FALSE(r.release());
    CHECK(r.count() == RefCount::kMax - 1u);
}

TEST_CASE("refcount: overflow saturates, warns once and never frees")
{
    kdrvtest::WarningCapture warnings;
    RefCount r(RefCount::kMax);
    r.retain();
    CHECK(r.count() == static_cast<uint32_t>(RefCount::kSaturated));
    CHECK(r.isSaturated());
    CHECK(warnings.warnings() == 1);
    CHECK(warnings.lastObject() == static_cast<const void*>(&r));
    // Stuck: more traffic moves it neither out of the band nor to "free".
    for (int i = 0; i < 1000; ++i)
    {
        r.retain();
        CHECK_FALSE(r.release());
        CHECK_FALSE(r.release());
    }
    CHECK(r.isSaturated());
    CHECK(warnings.warnings() == 1);
}

TEST_CASE("refcount: release of a released count saturates and warns (no double free)")
{
    kdrvtest::WarningCapture warnings;
    RefCount r;
    CHECK(r.release());
    CHECK_FALSE(r.release());
    CHECK(r.isSaturated());
    CHECK(warnings.warnings() == 1);
    CHECK_FALSE(r.release());
    r.retain();
    CHECK(warnings.warnings() == 1);
    CHECK(r.isSaturated());
}

TEST_CASE("refcount: retain from zero (use after free) saturates and warns")
{
    kdrvtest::WarningCapture warnings;
    RefCount r(0);
    r.retain();
    CHECK(r.isSaturated());
    CHECK(warnings.warnings() == 1);
    CHECK_FALSE(r.release());
}

TEST_CASE("refcount: tryRetain")
{
    kdrvtest::WarningCapture warnings;
    RefCount zero(0);
    CHECK_FALSE(zero.tryRetain());
    CHECK(zero.count() == 0u);

    RefCount one;
    CHECK(one.tryRetain());
    CHECK(one.count() == 2u);

    RefCount top(RefCount::kMax);
    CHECK(top.tryRetain());
    CHECK(top.isSaturated());
    CHECK(warnings.warnings() == 1);

    RefCount stuck(RefCount::kSaturated);
    CHECK(stuck.tryRetain());
    CHECK(stuck.count() == static_cast<uint32_t>(RefCount::kSaturated));
    CHECK(warnings.warnings() == 1);
}

TEST_CASE("refcounted: last release calls free() once")
{
    Tracked t;
    CHECK(t.retainCount() == 1u);
    t.retain();
    t.release();
    CHECK(t.freed.load() == 0);
    CHECK(t.tryRetain());
    t.release();
    t.release();
    CHECK(t.freed.load() == 1);
    CHECK(t.retainCount() == 0u);
    CHECK_FALSE(t.tryRetain());
}

TEST_CASE("refcounted: default free() deletes the object")
{
    g_deleted.store(0);
    Deleted* d = new Deleted;
    d->retain();
    d->release();
    CHECK(g_deleted.load() == 0);
    d->release();
    CHECK(g_deleted.load() == 1);
}

// Many rounds of: workers retain/release a live object, lookups tryRetain it
// until it dies, the owner drops its reference somewhere in the middle. free()
// must run exactly once per object, and no holder of a reference may ever see
// the object freed.
TEST_CASE("stress: concurrent retain/release/tryRetain frees exactly once, never early")
{
    const unsigned rounds = 40 * kdrvtest::stressScale();
    const int workers = 3;
    const int itersPerWorker = 20000;
    std::atomic<long> early{0};
    std::atomic<long> ops{0};
    std::vector<Tracked> objects(rounds);

    for (unsigned round = 0; round < rounds; ++round)
    {
        Tracked& obj = objects[round];
        for (int w = 0; w < workers; ++w)
            obj.retain(); // one reference per worker, handed over
        std::vector<std::thread> threads;
        for (int w = 0; w < workers; ++w)
        {
            threads.emplace_back(
                [&obj, &early, &ops]
                {
                    long local = 0;
                    for (int i = 0; i < itersPerWorker; ++i)
                    {
                        obj.retain();
                        if (obj.freed.load(std::memory_order_relaxed) != 0)
                            early.fetch_add(1);
                        obj.release();
                        local += 2;
                    }
                    obj.release(); // the handed-over reference
                    ops.fetch_add(local + 1);
                });
        }
        threads.emplace_back(
            [&obj, &early, &ops]
            {
                long local = 0;
                while (obj.tryRetain())
                {
                    if (obj.freed.load(std::memory_order_relaxed) != 0)
                        early.fetch_add(1);
                    obj.release();
                    local += 2;
                }
                ops.fetch_add(local + 1);
            });
        obj.release(); // the owner's reference, while everyone is busy
        for (auto& t : threads)
            t.join();
        REQUIRE(obj.freed.load() == 1);
        REQUIRE(obj.retainCount() == 0u);
    }
    CHECK(early.load() == 0);
    MESSAGE("refcount stress operations: " << ops.load());
}

TEST_CASE("refcount: racing releases of a released count warn once per counter")
{
    kdrvtest::WarningCapture warnings;
    for (int round = 0; round < 20; ++round)
    {
        RefCount r(0);
        std::atomic<bool> go{false};
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back(
                [&]
                {
                    while (!go.load())
                    {
                    }
                    for (int i = 0; i < 50; ++i)
                    {
                        CHECK_FALSE(r.release());
                        r.retain();
                    }
                });
        go = true;
        for (std::thread& t : threads)
            t.join();
        CHECK(r.isSaturated());
    }
    CHECK(warnings.warnings() == 20);
}
