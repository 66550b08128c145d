// SPDX-License-Identifier: MIT
//
// ByteRing before, after a failed and after a successful init: an
// uninitialized ring must be detectable (isInitialized()), hold nothing and
// accept nothing, whatever its producer-side look (byte_ring.hpp contract).
#include "kdrv/byte_ring.hpp"

#include <doctest/doctest.h>
#include <stdint.h>

namespace
{
void checkInert(kdrv::ByteRing& ring)
{
    CHECK_FALSE(ring.isInitialized());
    CHECK(ring.capacity() == 0u);
    CHECK(ring.used() == 0u);
    CHECK(ring.space() == 0u);
    CHECK(ring.empty());
    CHECK(ring.full()); // why a producer sees a full ring: check isInitialized()
    const uint8_t src[4] = {1, 2, 3, 4};
    CHECK_FALSE(ring.put(9));
    CHECK(ring.write(src, sizeof src) == 0u);
    uint8_t byte = 0;
    uint8_t dst[4] = {};
    CHECK_FALSE(ring.get(&byte));
    CHECK(ring.read(dst, sizeof dst) == 0u);
}
} // namespace

TEST_CASE("byte ring without init is detectably uninitialized and inert")
{
    kdrv::ByteRing ring;
    checkInert(ring);
}

TEST_CASE("byte ring whose init failed stays uninitialized and inert")
{
    alignas(16) uint8_t storage[100];
    kdrv::ByteRing ring;
    CHECK(ring.init(storage, 100) == kdrv::Status::BadArgument); // not a power of two
    checkInert(ring);
    CHECK(ring.init(nullptr, 64) == kdrv::Status::BadArgument);
    checkInert(ring);
    CHECK(ring.init(storage, 64, 65) == kdrv::Status::BadArgument); // capacity above storage
    checkInert(ring);
}

TEST_CASE("byte ring after init is initialized and after destroy is not")
{
    alignas(16) uint8_t storage[64];
    kdrv::ByteRing ring;
    REQUIRE(ring.init(storage, 64) == kdrv::Status::Success);
    CHECK(ring.isInitialized());
    CHECK_FALSE(ring.full());
    CHECK(ring.put(7));
    uint8_t byte = 0;
    CHECK(ring.get(&byte));
    CHECK(byte == 7u);
    ring.destroy();
    checkInert(ring);
}
