// SPDX-License-Identifier: MIT
#include "kdrv/endian.hpp"

#include <doctest/doctest.h>
#include <string.h>

namespace
{
const uint8_t kBig8[8] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
const uint8_t kLittle8[8] = {0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01};

// Compile-time checks: the swaps and conversions are constant expressions.
static_assert(kdrv::swap16(0x0102) == 0x0201, "swap16");
static_assert(kdrv::swap32(0x01020304u) == 0x04030201u, "swap32");
static_assert(kdrv::swap64(0x0102030405060708ull) == 0x0807060504030201ull, "swap64");
static_assert(kdrv::convert32(0x11223344u, kdrv::ByteOrder::Big, kdrv::ByteOrder::Big) ==
                  0x11223344u,
              "same order is identity");
static_assert(kdrv::convert16(0xA0B0, kdrv::ByteOrder::Little, kdrv::ByteOrder::Big) == 0xB0A0,
              "different orders swap");
static_assert(kdrv::hostToBig32(kdrv::bigToHost32(0xDEADBEEFu)) == 0xDEADBEEFu, "round trip");
} // namespace

TEST_CASE("endian: host byte order matches the compiler's")
{
    const uint32_t probe = 0x01020304u;
    uint8_t bytes[4];
    memcpy(bytes, &probe, sizeof probe);
    const bool little = bytes[0] == 0x04;
    CHECK(kdrv::hostIsLittleEndian() == little);
    CHECK((kdrv::hostByteOrder() == kdrv::ByteOrder::Little) == little);
}

TEST_CASE("endian: loads at all 8 alignments against fixed vectors")
{
    for (unsigned shift = 0; shift < 8; ++shift)
    {
        CAPTURE(shift);
        uint8_t buf[32] = {0};
        memcpy(buf + shift, kBig8, 8);
        CHECK(kdrv::loadBE64(buf + shift) == 0x0102030405060708ull);
        CHECK(kdrv::loadBE32(buf + shift) == 0x01020304u);
        CHECK(kdrv::loadBE16(buf + shift) == 0x0102u);
        CHECK(kdrv::load64(buf + shift, kdrv::ByteOrder::Big) == 0x0102030405060708ull);
        CHECK(kdrv::load32(buf + shift + 4, kdrv::ByteOrder::Big) == 0x05060708u);
        CHECK(kdrv::load16(buf + shift + 6, kdrv::ByteOrder::Big) == 0x0708u);

        memcpy(buf + shift, kLittle8, 8);
        CHECK(kdrv::loadLE64(buf + shift) == 0x0102030405060708ull);
        CHECK(kdrv::loadLE32(buf + shift + 4) == 0x01020304u);
        CHECK(kdrv::loadLE16(buf + shift + 6) == 0x0102u);
        CHECK(kdrv::loadLE32(buf + shift) == 0x05060708u);
        CHECK(kdrv::load64(buf + shift, kdrv::ByteOrder::Little) == 0x0102030405060708ull);
        CHECK(kdrv::load16(buf + shift, kdrv::ByteOrder::Little) == 0x0708u);
    }
}

TEST_CASE("endian: stores at all 8 alignments write exactly the value's bytes")
{
    for (unsigned shift = 0; shift < 8; ++shift)
    {
        CAPTURE(shift);
        uint8_t buf[24];
        uint8_t expect[24];

        memset(buf, 0xEE, sizeof buf);
        memset(expect, 0xEE, sizeof expect);
        kdrv::storeBE64(buf + shift, 0x0102030405060708ull);
        memcpy(expect + shift, kBig8, 8);
        CHECK(memcmp(buf, expect, sizeof buf) == 0);

        memset(buf, 0xEE, sizeof buf);
        memset(expect, 0xEE, sizeof expect);
        kdrv::storeLE64(buf + shift, 0x0102030405060708ull);
        memcpy(expect + shift, kLittle8, 8);
        CHECK(memcmp(buf, expect, sizeof buf) == 0);

        memset(buf, 0xEE, sizeof buf);
        memset(expect, 0xEE, sizeof expect);
        kdrv::storeBE32(buf + shift, 0x01020304u);
        kdrv::storeBE16(buf + shift + 4, 0x0506u);
        kdrv::store16(buf + shift + 6, 0x0708u, kdrv::ByteOrder::Big);
        memcpy(expect + shift, kBig8, 8);
        CHECK(memcmp(buf, expect, sizeof buf) == 0);

        memset(buf, 0xEE, sizeof buf);
        memset(expect, 0xEE, sizeof expect);
        kdrv::storeLE16(buf + shift, 0x0708u);
        kdrv::storeLE16(buf + shift + 2, 0x0506u);
        kdrv::store32(buf + shift + 4, 0x01020304u, kdrv::ByteOrder::Little);
        memcpy(expect + shift, kLittle8, 8);
        CHECK(memcmp(buf, expect, sizeof buf) == 0);

        memset(buf, 0xEE, sizeof buf);
        kdrv::store64(buf + shift, 0x0102030405060708ull, kdrv::ByteOrder::Big);
        CHECK(memcmp(buf + shift, kBig8, 8) == 0);
        kdrv::store64(buf + shift, 0x0102030405060708ull, kdrv::ByteOrder::Little);
        CHECK(memcmp(buf + shift, kLittle8, 8) == 0);
        kdrv::store32(buf + shift, 0x05060708u, kdrv::ByteOrder::Big);
        CHECK(memcmp(buf + shift, kBig8 + 4, 4) == 0);
        kdrv::store16(buf + shift, 0x0102u, kdrv::ByteOrder::Little);
        CHECK(buf[shift] == 0x02);
        CHECK(buf[shift + 1] == 0x01);
        CHECK(buf[shift + 8] == 0xEE); // nothing past the value
        if (shift > 0)
        {
            CHECK(buf[shift - 1] == 0xEE);
        }
    }
}

TEST_CASE("endian: host loads and stores equal a native memcpy at any alignment")
{
    for (unsigned shift = 0; shift < 8; ++shift)
    {
        CAPTURE(shift);
        uint8_t buf[24] = {0};
        const uint64_t v64 = 0x1122334455667788ull;
        const uint32_t v32 = 0x99AABBCCu;
        const uint16_t v16 = 0xDDEEu;
        kdrv::storeHost64(buf + shift, v64);
        uint64_t r64 = 0;
        memcpy(&r64, buf + shift, 8);
        CHECK(r64 == v64);
        CHECK(kdrv::loadHost64(buf + shift) == v64);
        kdrv::storeHost32(buf + shift, v32);
        uint32_t r32 = 0;
        memcpy(&r32, buf + shift, 4);
        CHECK(r32 == v32);
        CHECK(kdrv::loadHost32(buf + shift) == v32);
        kdrv::storeHost16(buf + shift, v16);
        uint16_t r16 = 0;
        memcpy(&r16, buf + shift, 2);
        CHECK(r16 == v16);
        CHECK(kdrv::loadHost16(buf + shift) == v16);
        // On this host, the host order equals one of the fixed orders.
        CHECK(kdrv::loadHost16(buf + shift) == kdrv::load16(buf + shift, kdrv::hostByteOrder()));
    }
}

TEST_CASE("endian: conversions on a little- and a simulated big-endian host")
{
    using kdrv::ByteOrder;
    // A value that arrived little-endian (e.g. a USB field) read as a native
    // integer on a little-endian host is already right; on a big-endian host
    // it must be swapped.
    CHECK(kdrv::convert64(0x0102030405060708ull, ByteOrder::Little, ByteOrder::Little) ==
          0x0102030405060708ull);
    CHECK(kdrv::convert64(0x0102030405060708ull, ByteOrder::Little, ByteOrder::Big) ==
          0x0807060504030201ull);
    CHECK(kdrv::convert32(0x01020304u, ByteOrder::Big, ByteOrder::Little) == 0x04030201u);
    CHECK(kdrv::convert16(0x0102u, ByteOrder::Big, ByteOrder::Big) == 0x0102u);

    // Simulated host H: the bytes of a little-endian (or big-endian) field,
    // read natively by H, give load(bytes, H); littleToHost on H is
    // convert(.., Little, H) and must recover the field's value.
    const ByteOrder hosts[2] = {ByteOrder::Little, ByteOrder::Big};
    for (unsigned h = 0; h < 2; ++h)
    {
        CAPTURE(h);
        const uint64_t nativeLittle = kdrv::load64(kLittle8, hosts[h]);
        const uint64_t nativeBig = kdrv::load64(kBig8, hosts[h]);
        CHECK(kdrv::convert64(nativeLittle, ByteOrder::Little, hosts[h]) == 0x0102030405060708ull);
        CHECK(kdrv::convert64(nativeBig, ByteOrder::Big, hosts[h]) == 0x0102030405060708ull);
        CHECK(kdrv::convert32(kdrv::load32(kLittle8 + 4, hosts[h]), ByteOrder::Little, hosts[h]) ==
              0x01020304u);
        CHECK(kdrv::convert16(kdrv::load16(kBig8 + 2, hosts[h]), ByteOrder::Big, hosts[h]) ==
              0x0304u);
        // And back: hostToBig on H, stored natively, gives the big-endian bytes.
        uint8_t out[8];
        kdrv::store64(out, kdrv::convert64(0x0102030405060708ull, hosts[h], ByteOrder::Big),
                      hosts[h]);
        CHECK(memcmp(out, kBig8, 8) == 0);
        kdrv::store64(out, kdrv::convert64(0x0102030405060708ull, hosts[h], ByteOrder::Little),
                      hosts[h]);
        CHECK(memcmp(out, kLittle8, 8) == 0);
    }

    // The host shorthands agree with the explicit form on the real host.
    CHECK(kdrv::littleToHost32(0x01020304u) ==
          kdrv::convert32(0x01020304u, ByteOrder::Little, kdrv::hostByteOrder()));
    CHECK(kdrv::bigToHost16(0x0102u) ==
          kdrv::convert16(0x0102u, ByteOrder::Big, kdrv::hostByteOrder()));
    CHECK(kdrv::hostToBig64(0x0102030405060708ull) ==
          kdrv::convert64(0x0102030405060708ull, kdrv::hostByteOrder(), ByteOrder::Big));
    uint8_t wire[4];
    kdrv::storeHost32(wire, kdrv::hostToBig32(0xC0A80001u)); // 192.168.0.1 in network order
    CHECK(wire[0] == 0xC0);
    CHECK(wire[1] == 0xA8);
    CHECK(wire[2] == 0x00);
    CHECK(wire[3] == 0x01);
    kdrv::storeHost16(wire, kdrv::hostToLittle16(0x0409u));
    CHECK(wire[0] == 0x09);
    CHECK(wire[1] == 0x04);
    CHECK(kdrv::littleToHost16(kdrv::loadHost16(wire)) == 0x0409u);
}
