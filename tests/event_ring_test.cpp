// SPDX-License-Identifier: MIT
#include "kdrv/event_ring.hpp"
#include "kdrv/serial_queue.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

using namespace kdrv;

TEST_CASE("event ring: init, push, front, pop, flush")
{
    SerialEventRecord storage[4];
    EventRing ring;
    CHECK_FALSE(ring.isInitialized());
    CHECK_FALSE(ring.push(1, 2, 3)); // not initialized
    CHECK(ring.init(nullptr, 4) == Status::BadArgument);
    CHECK(ring.init(storage, 3) == Status::BadArgument);
    CHECK(ring.init(storage, 0) == Status::BadArgument);
    REQUIRE(ring.init(storage, 4) == Status::Success);
    CHECK(ring.capacity() == 4u);
    CHECK(ring.empty());
    CHECK(ring.front() == nullptr);
    CHECK_FALSE(ring.pop(nullptr));
    for (uint32_t i = 0; i < 4; ++i)
        CHECK(ring.push(kSerialEventFramingError, i, i * 10));
    CHECK(ring.full());
    CHECK_FALSE(ring.push(kSerialEventFramingError, 9, 9));
    const SerialEventRecord* f = ring.front();
    REQUIRE(f != nullptr);
    CHECK(f->data == 0u);
    SerialEventRecord r = {};
    CHECK(ring.pop(&r));
    CHECK(r.event == kSerialEventFramingError);
    CHECK(r.position == 0u);
    CHECK(ring.pop(nullptr));
    CHECK(ring.push(kSerialEventSwOverrunError, 7, 70)); // wraps
    CHECK(ring.used() == 3u);
    CHECK(ring.pop(&r));
    CHECK(r.data == 2u);
    CHECK(ring.flush() == 2u);
    CHECK(ring.empty());
    ring.destroy();
    CHECK(ring.capacity() == 0u);
}

TEST_CASE("stress: event ring SPSC keeps records in order")
{
    SerialEventRecord storage[8];
    EventRing ring;
    REQUIRE(ring.init(storage, 8) == Status::Success);
    const uint32_t total = 200000;
    std::thread producer(
        [&]
        {
            for (uint32_t i = 0; i < total; ++i)
            {
                while (!ring.push(kSerialEventValidDataByte, i, i * 3))
                    std::this_thread::yield();
            }
        });
    uint32_t expect = 0;
    bool ok = true;
    while (expect < total)
    {
        SerialEventRecord r;
        if (!ring.pop(&r))
        {
            std::this_thread::yield();
            continue;
        }
        ok = ok && r.data == expect && r.position == expect * 3 &&
             r.event == kSerialEventValidDataByte;
        ++expect;
    }
    producer.join();
    CHECK(ok);
    CHECK(ring.empty());
}

TEST_CASE("event ring: operations after destroy find an empty ring")
{
    kdrv::SerialEventRecord storage[4];
    kdrv::EventRing ring;
    CHECK(ring.front() == nullptr);
    CHECK_FALSE(ring.pop(nullptr));
    REQUIRE(ring.init(storage, 4) == kdrv::Status::Success);
    REQUIRE(ring.push(1, 2, 3));
    REQUIRE(ring.push(4, 5, 6));
    ring.destroy();
    CHECK(ring.capacity() == 0u);
    CHECK(ring.used() == 0u);
    CHECK(ring.front() == nullptr);
    kdrv::SerialEventRecord r = {};
    CHECK_FALSE(ring.pop(&r));
    CHECK_FALSE(ring.push(1, 2, 3));
    CHECK(ring.flush() == 0u);
}
