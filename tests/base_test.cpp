// SPDX-License-Identifier: MIT
#include "kdrv/atomic.hpp"
#include "kdrv/base.hpp"
#include "kdrv/status.hpp"
#include "kdrv/platform/platform.hpp"

#include <doctest/doctest.h>
#include <string.h>

TEST_CASE("status values equal IOReturn's")
{
    CHECK(kdrv::toIOReturn(kdrv::Status::Success) == 0);
    CHECK(static_cast<uint32_t>(kdrv::toIOReturn(kdrv::Status::Error)) == 0xE00002BCu);
    CHECK(static_cast<uint32_t>(kdrv::toIOReturn(kdrv::Status::BadArgument)) == 0xE00002C2u);
    CHECK(static_cast<uint32_t>(kdrv::toIOReturn(kdrv::Status::Unsupported)) == 0xE00002C7u);
    CHECK(static_cast<uint32_t>(kdrv::toIOReturn(kdrv::Status::NoCompletion)) == 0xE00002EAu);
    CHECK(static_cast<uint32_t>(kdrv::toIOReturn(kdrv::Status::NotFound)) == 0xE00002F0u);
    CHECK(kdrv::toIOReturn(kdrv::Status::BadArgument) == -536870206);
    CHECK(static_cast<uint32_t>(kdrv::toIOReturn(kdrv::Status::Invalid)) == 0xE0000001u);
    CHECK(strcmp(kdrv::statusName(kdrv::Status::Overrun), "Overrun") == 0);
    CHECK(strcmp(kdrv::statusName(kdrv::fromIOReturn(12345)), "Unknown") == 0);
    CHECK(kdrv::fromIOReturn(kdrv::toIOReturn(kdrv::Status::Busy)) == kdrv::Status::Busy);
    CHECK(kdrv::isSuccess(kdrv::Status::Success));
    CHECK(kdrv::isError(kdrv::Status::Timeout));
}

TEST_CASE("countof and power-of-two helpers")
{
    static const int table[7] = {0};
    static_assert(KDRV_COUNTOF(table) == 7, "countof");
    CHECK(KDRV_COUNTOF(table) == 7u);
    CHECK(kdrv::isPowerOfTwo32(1));
    CHECK(kdrv::isPowerOfTwo32(0x80000000u));
    CHECK_FALSE(kdrv::isPowerOfTwo32(0));
    CHECK_FALSE(kdrv::isPowerOfTwo32(4095));
    CHECK(kdrv::isPowerOfTwo64(uint64_t(1) << 63));
}

TEST_CASE("overflow-checked arithmetic reports overflow")
{
    uint32_t r32 = 0;
    CHECK_FALSE(kdrv::addOverflow32(1, 2, &r32));
    CHECK(r32 == 3);
    CHECK(kdrv::addOverflow32(0xFFFFFFFFu, 1, &r32));
    CHECK(kdrv::mulOverflow32(0x10000u, 0x10000u, &r32));
    uint64_t r64 = 0;
    CHECK_FALSE(kdrv::mulOverflow64(0x100000000ull, 0xFFFFFFFFull, &r64));
    CHECK(kdrv::addOverflow64(~0ull, 1, &r64));
}

TEST_CASE("atomics: every operation returns the documented value")
{
    using kdrv::MemoryOrder;
    kdrv::AtomicU32 a(5);
    CHECK(a.fetchAdd(3, MemoryOrder::Relaxed) == 5);
    CHECK(a.load(MemoryOrder::Acquire) == 8);
    CHECK(a.fetchSub(10, MemoryOrder::Release) == 8);
    CHECK(a.load(MemoryOrder::Relaxed) == 0xFFFFFFFEu); // unsigned wrap is defined
    CHECK(a.exchange(0xF0, MemoryOrder::AcqRel) == 0xFFFFFFFEu);
    CHECK(a.fetchAnd(0x3C, MemoryOrder::SeqCst) == 0xF0);
    CHECK(a.fetchOr(0x01, MemoryOrder::SeqCst) == 0x30);
    CHECK(a.fetchXor(0x31, MemoryOrder::SeqCst) == 0x31);
    CHECK(a.load(MemoryOrder::SeqCst) == 0);
    CHECK(a.addFetch(4, MemoryOrder::Relaxed) == 4);
    CHECK(a.subFetch(1, MemoryOrder::Relaxed) == 3);
    uint32_t expected = 7;
    CHECK_FALSE(a.compareExchange(&expected, 9, MemoryOrder::AcqRel, MemoryOrder::Acquire));
    CHECK(expected == 3);
    CHECK(a.compareExchange(&expected, 9, MemoryOrder::AcqRel, MemoryOrder::Acquire));
    CHECK(a.load(MemoryOrder::Relaxed) == 9);

    kdrv::AtomicI64 b(-1);
    CHECK(b.fetchAdd(2, MemoryOrder::Relaxed) == -1);
    CHECK(b.load(MemoryOrder::Relaxed) == 1);
    int64_t e = 1;
    while (!b.compareExchangeWeak(&e, INT64_MIN, MemoryOrder::SeqCst, MemoryOrder::Relaxed))
    {
    }
    CHECK(b.load(MemoryOrder::Relaxed) == INT64_MIN);

    int x = 0, y = 0;
    kdrv::AtomicPtr p(&x);
    CHECK(p.exchange(&y, MemoryOrder::AcqRel) == &x);
    void* ex = &x;
    CHECK_FALSE(p.compareExchange(&ex, nullptr, MemoryOrder::AcqRel, MemoryOrder::Acquire));
    CHECK(ex == &y);

    kdrv::AtomicFlag f;
    CHECK_FALSE(f.testAndSet(MemoryOrder::Acquire));
    CHECK(f.testAndSet(MemoryOrder::Acquire));
    f.clear(MemoryOrder::Release);
    CHECK_FALSE(f.test(MemoryOrder::Relaxed));
    kdrv::atomicFence(MemoryOrder::SeqCst);
    kdrv::cpuRelax();
}

TEST_CASE("platform clock is monotonic")
{
    uint64_t a = kdrv::platform::monotonicNanos();
    uint64_t b = kdrv::platform::monotonicNanos();
    CHECK(b >= a);
}
