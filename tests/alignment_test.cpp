// SPDX-License-Identifier: MIT
//
// No kdrv type is over-aligned (kMaxTypeAlignment, base.hpp), so a driver
// class that holds any of them can be created with plain new: at C++17 an
// over-aligned class would need the aligned operator new, which a kext
// cannot link, and an OSObject subclass would get under-aligned memory.
// The kernel-side proof is the gate's probe (tests/kernel/probes/).
#include "kdrv/kdrv.hpp"

#include <doctest/doctest.h>

#include <stdint.h>

#include <memory>

#define KDRV_CHECK_NOT_OVER_ALIGNED(T)                                                             \
    static_assert(alignof(kdrv::T) <= kdrv::kMaxTypeAlignment, #T " is over-aligned")

// Every kdrv class and struct a driver can hold, rings and queues first.
KDRV_CHECK_NOT_OVER_ALIGNED(ByteRing);
KDRV_CHECK_NOT_OVER_ALIGNED(LockedByteRing);
KDRV_CHECK_NOT_OVER_ALIGNED(EventRing);
KDRV_CHECK_NOT_OVER_ALIGNED(SerialPortCore);
KDRV_CHECK_NOT_OVER_ALIGNED(PacketQueue);
KDRV_CHECK_NOT_OVER_ALIGNED(AudioRingGeometry);
KDRV_CHECK_NOT_OVER_ALIGNED(AudioRingClock);
KDRV_CHECK_NOT_OVER_ALIGNED(EraseHead);
KDRV_CHECK_NOT_OVER_ALIGNED(CachePad);
KDRV_CHECK_NOT_OVER_ALIGNED(AtomicU32);
KDRV_CHECK_NOT_OVER_ALIGNED(AtomicU64);
KDRV_CHECK_NOT_OVER_ALIGNED(AtomicFlag);
KDRV_CHECK_NOT_OVER_ALIGNED(SpinLock);
KDRV_CHECK_NOT_OVER_ALIGNED(Mutex);
KDRV_CHECK_NOT_OVER_ALIGNED(RecursiveMutex);
KDRV_CHECK_NOT_OVER_ALIGNED(RWLock);
KDRV_CHECK_NOT_OVER_ALIGNED(RefCount);
KDRV_CHECK_NOT_OVER_ALIGNED(Rundown);
KDRV_CHECK_NOT_OVER_ALIGNED(Completion);
KDRV_CHECK_NOT_OVER_ALIGNED(DmaCommand);
KDRV_CHECK_NOT_OVER_ALIGNED(DmaSpecification);
KDRV_CHECK_NOT_OVER_ALIGNED(SegChain);
KDRV_CHECK_NOT_OVER_ALIGNED(PowerPolicy);
KDRV_CHECK_NOT_OVER_ALIGNED(NotifyPort);
KDRV_CHECK_NOT_OVER_ALIGNED(AsyncRef);
KDRV_CHECK_NOT_OVER_ALIGNED(PartitionScan);
KDRV_CHECK_NOT_OVER_ALIGNED(UsbIsocWalker);

namespace
{
// What a driver does: its state, rings included, as one object from new.
struct DriverState
{
    uint8_t flags;
    kdrv::ByteRing tx;
    kdrv::ByteRing rx;
    kdrv::EventRing events;
    kdrv::LockedByteRing log;
    kdrv::SerialPortCore port;
};
static_assert(alignof(DriverState) <= kdrv::kMaxTypeAlignment, "DriverState is over-aligned");

// The two sides of a ring are apart by padding: a ring is at least three
// cache lines of padding larger than its fields.
static_assert(sizeof(kdrv::ByteRing) >= 3 * KDRV_CONFIG_CACHE_LINE, "ByteRing padding");
static_assert(sizeof(kdrv::EventRing) >= 3 * KDRV_CONFIG_CACHE_LINE, "EventRing padding");
} // namespace

TEST_CASE("alignment: kdrv types are at most 16-byte aligned, whatever the cache line")
{
    CHECK(alignof(kdrv::ByteRing) <= 16u);
    CHECK(alignof(kdrv::SerialPortCore) <= 16u);
    CHECK(alignof(DriverState) <= 16u);
    CHECK(alignof(kdrv::CachePad) == 1u);
    CHECK(sizeof(kdrv::CachePad) == static_cast<size_t>(KDRV_CONFIG_CACHE_LINE));
}

TEST_CASE("alignment: a driver object holding rings from plain new works at any address")
{
    // Several objects, so they land at different offsets within cache lines.
    for (int i = 0; i < 8; ++i)
    {
        CAPTURE(i);
        std::unique_ptr<uint8_t[]> skew(new uint8_t[static_cast<size_t>(i) * 24 + 1]);
        std::unique_ptr<DriverState> state(new DriverState());
        CHECK(reinterpret_cast<uintptr_t>(state.get()) % alignof(DriverState) == 0u);
        uint8_t storage[64] = {};
        REQUIRE(state->tx.init(storage, sizeof storage) == kdrv::Status::Success);
        for (uint32_t n = 0; n < 64; ++n)
            REQUIRE(state->tx.put(static_cast<uint8_t>(n + static_cast<uint32_t>(i))));
        CHECK(state->tx.full());
        uint8_t out[64] = {};
        CHECK(state->tx.read(out, sizeof out) == 64u);
        CHECK(out[0] == static_cast<uint8_t>(i));
        CHECK(out[63] == static_cast<uint8_t>(63 + i));
        CHECK(state->tx.empty());
        state->tx.destroy();
    }
}
