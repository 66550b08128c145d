// SPDX-License-Identifier: MIT
//
// Network header readers, MAC classifier, Internet checksum and filter
// tables against their contract (net_headers.hpp) and RFC 1071 / RFC 1624.
#include "kdrv/net_headers.hpp"

#include <doctest/doctest.h>

#include <stdint.h>
#include <string.h>
#include <vector>

using kdrv::EthernetHeader;
using kdrv::FilterVerdict;
using kdrv::Ipv4Header;
using kdrv::Ipv6Header;
using kdrv::MacClass;
using kdrv::SegChain;
using kdrv::SegChainNode;
using kdrv::Status;

namespace
{
// The reference sum: 16-bit big-endian words, the odd byte as the high half,
// end-around carry after every addition (RFC 1071 section 1).
uint16_t referenceSum(const uint8_t* p, size_t n)
{
    uint32_t sum = 0;
    for (size_t i = 0; i < n; i += 2)
    {
        uint32_t w = static_cast<uint32_t>(p[i]) << 8;
        if (i + 1 < n)
            w |= p[i + 1];
        sum += w;
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    return static_cast<uint16_t>(sum);
}

// A 20-byte IPv4 header (RFC 1071-style example values) with a correct checksum.
std::vector<uint8_t> ipv4Header()
{
    std::vector<uint8_t> h = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                              0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
    const uint16_t c = static_cast<uint16_t>(~referenceSum(h.data(), h.size()));
    h[10] = static_cast<uint8_t>(c >> 8);
    h[11] = static_cast<uint8_t>(c);
    return h;
}

std::vector<uint8_t> datagram(uint32_t totalLength)
{
    std::vector<uint8_t> d = ipv4Header();
    d[2] = static_cast<uint8_t>(totalLength >> 8);
    d[3] = static_cast<uint8_t>(totalLength);
    d.resize(totalLength, 0x5A);
    return d;
}

uint32_t rng(uint32_t* s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}
} // namespace

TEST_CASE("net headers: Ethernet frames shorter than 14 bytes are Underrun")
{
    uint8_t frame[18] = {1, 2, 3, 4, 5, 6, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 0x08, 0x00, 0x45};
    EthernetHeader h;
    memset(&h, 0x99, sizeof h);
    for (uint32_t n = 0; n < 14; ++n)
        CHECK(kdrv::parseEthernet(frame, n, &h) == Status::Underrun);
    CHECK(h.etherType == 0x9999); // untouched on failure
    REQUIRE(kdrv::parseEthernet(frame, 14, &h) == Status::Success);
    CHECK(h.etherType == kdrv::kEtherTypeIPv4);
    CHECK(h.headerLength == 14);
    CHECK_FALSE(h.tagged);
    CHECK(memcmp(h.destination, frame, 6) == 0);
    CHECK(memcmp(h.source, frame + 6, 6) == 0);
    CHECK(kdrv::parseEthernet(frame, 14, nullptr) == Status::BadArgument);
    CHECK(kdrv::parseEthernet(nullptr, 14, &h) == Status::BadArgument);
    CHECK(kdrv::parseEthernet(nullptr, 0, &h) == Status::Underrun);
}

TEST_CASE("net headers: an 802.1Q tag needs 18 bytes and yields the inner type")
{
    uint8_t frame[18] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x81, 0x00, 0x20, 0x05, 0x86, 0xdd};
    EthernetHeader h;
    for (uint32_t n = 14; n < 18; ++n)
        CHECK(kdrv::parseEthernet(frame, n, &h) == Status::Underrun);
    REQUIRE(kdrv::parseEthernet(frame, 18, &h) == Status::Success);
    CHECK(h.tagged);
    CHECK(h.vlanTci == 0x2005);
    CHECK(h.etherType == kdrv::kEtherTypeIPv6);
    CHECK(h.headerLength == 18);
}

TEST_CASE("net headers: MAC classification: to us, broadcast, multicast, other")
{
    const uint8_t own[6] = {0x00, 0x1b, 0x63, 0x01, 0x02, 0x03};
    const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    const uint8_t mcast[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb};
    const uint8_t mcast6[6] = {0x33, 0x33, 0x00, 0x00, 0x00, 0x01};
    const uint8_t other[6] = {0x00, 0x1b, 0x63, 0x01, 0x02, 0x04};
    const uint8_t almostBcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xfe};
    CHECK(kdrv::classifyMac(own, own) == MacClass::ToUs);
    CHECK(kdrv::classifyMac(bcast, own) == MacClass::Broadcast);
    CHECK(kdrv::classifyMac(bcast, bcast) == MacClass::Broadcast);
    CHECK(kdrv::classifyMac(mcast, own) == MacClass::Multicast);
    CHECK(kdrv::classifyMac(mcast6, own) == MacClass::Multicast);
    CHECK(kdrv::classifyMac(almostBcast, own) == MacClass::Multicast);
    CHECK(kdrv::classifyMac(other, own) == MacClass::OtherHost);
    CHECK(kdrv::classifyMac(own, nullptr) == MacClass::OtherHost);
    CHECK(kdrv::classifyMac(nullptr, own) == MacClass::Invalid);
}

TEST_CASE("net headers: IPv4 header fields are read in network order")
{
    std::vector<uint8_t> d = datagram(0x73);
    d[4] = 0x12;
    d[5] = 0x34;
    d[6] = 0x20 | 0x01; // MF, offset 0x1ab
    d[7] = 0xab;
    Ipv4Header h;
    REQUIRE(kdrv::parseIpv4(d.data(), static_cast<uint32_t>(d.size()), &h) == Status::Success);
    CHECK(h.headerLength == 20);
    CHECK(h.totalLength == 0x73);
    CHECK(h.identification == 0x1234);
    CHECK(h.flags == kdrv::kIpv4FlagMoreFragments);
    CHECK(h.fragmentOffset == 0x1ab);
    CHECK(h.ttl == 0x40);
    CHECK(h.protocol == kdrv::kIpProtoUdp);
    CHECK(h.source == 0xc0a80001u);
    CHECK(h.destination == 0xc0a800c7u);
}

TEST_CASE("net headers: IPv4 short spans, bad version, IHL below 5, IHL beyond the span")
{
    std::vector<uint8_t> d = datagram(40);
    Ipv4Header h;
    memset(&h, 0x99, sizeof h);
    for (uint32_t n = 0; n < 20; ++n)
        CHECK(kdrv::parseIpv4(d.data(), n, &h) == Status::Underrun);
    for (uint8_t ihl = 0; ihl < 5; ++ihl)
    {
        d[0] = static_cast<uint8_t>(0x40 | ihl);
        CHECK(kdrv::parseIpv4(d.data(), 40, &h) == Status::BadArgument);
    }
    d[0] = 0x65; // version 6
    CHECK(kdrv::parseIpv4(d.data(), 40, &h) == Status::BadArgument);
    d[0] = 0x4f;                                                  // 60-byte header
    CHECK(kdrv::parseIpv4(d.data(), 40, &h) == Status::Underrun); // ihl x 4 > span
    CHECK(kdrv::parseIpv4(d.data(), 59, &h) == Status::Underrun);
    d[0] = 0x46; // 24 bytes: options
    REQUIRE(kdrv::parseIpv4(d.data(), 40, &h) == Status::Success);
    CHECK(h.headerLength == 24);
    CHECK(kdrv::parseIpv4(d.data(), 40, nullptr) == Status::BadArgument);
}

TEST_CASE("net headers: IPv4 total length beyond the span or below the header")
{
    std::vector<uint8_t> d = datagram(100);
    Ipv4Header h;
    CHECK(kdrv::parseIpv4(d.data(), 100, &h) == Status::Success);
    CHECK(kdrv::parseIpv4(d.data(), 99, &h) == Status::Underrun);
    d[2] = 0;
    d[3] = 19; // shorter than its own header
    CHECK(kdrv::parseIpv4(d.data(), 100, &h) == Status::BadArgument);
    d[3] = 20; // header only
    CHECK(kdrv::parseIpv4(d.data(), 100, &h) == Status::Success);
    d[2] = 0xff;
    d[3] = 0xff;
    CHECK(kdrv::parseIpv4(d.data(), 100, &h) == Status::Underrun);
}

TEST_CASE("net headers: IPv6 fixed header, version and payload length")
{
    uint8_t d[48] = {0x6a, 0xb1, 0x23, 0x45, 0x00, 0x08, 17, 64};
    for (int i = 0; i < 16; ++i)
    {
        d[8 + i] = static_cast<uint8_t>(i);
        d[24 + i] = static_cast<uint8_t>(0xf0 + i);
    }
    Ipv6Header h;
    for (uint32_t n = 0; n < 40; ++n)
        CHECK(kdrv::parseIpv6(d, n, &h) == Status::Underrun);
    CHECK(kdrv::parseIpv6(d, 47, &h) == Status::Underrun); // payload 8 needs 48
    REQUIRE(kdrv::parseIpv6(d, 48, &h) == Status::Success);
    CHECK(h.trafficClass == 0xab);
    CHECK(h.flowLabel == 0x12345);
    CHECK(h.payloadLength == 8);
    CHECK(h.nextHeader == 17);
    CHECK(h.hopLimit == 64);
    CHECK(h.source[15] == 15);
    CHECK(h.destination[0] == 0xf0);
    d[0] = 0x4a;
    CHECK(kdrv::parseIpv6(d, 48, &h) == Status::BadArgument);
    CHECK(kdrv::parseIpv6(d, 48, nullptr) == Status::BadArgument);
}

TEST_CASE("net headers: the chain forms read headers split across segments")
{
    // Ethernet + IPv4 (total 40) split 5 | 0 | 12 | 23 bytes.
    std::vector<uint8_t> frame = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x00};
    std::vector<uint8_t> d = datagram(40);
    frame.insert(frame.end(), d.begin(), d.end());
    REQUIRE(frame.size() == 54);
    SegChainNode nodes[4] = {{frame.data(), 5, nullptr},
                             {nullptr, 0, nullptr},
                             {frame.data() + 5, 12, nullptr},
                             {frame.data() + 17, 37, nullptr}};
    REQUIRE(kdrv::segChainLink(nodes, 4) == Status::Success);
    SegChain chain(nodes);
    EthernetHeader eh;
    REQUIRE(kdrv::parseEthernetChain(chain, 0, &eh) == Status::Success);
    CHECK(eh.etherType == kdrv::kEtherTypeIPv4);
    Ipv4Header ih;
    REQUIRE(kdrv::parseIpv4Chain(chain, 14, &ih) == Status::Success);
    CHECK(ih.totalLength == 40);
    // The datagram claims more than the chain holds.
    frame[14 + 3] = 41;
    CHECK(kdrv::parseIpv4Chain(chain, 14, &ih) == Status::Underrun);
    CHECK(kdrv::parseIpv4Chain(chain, 40, &ih) == Status::Underrun);
    CHECK(kdrv::parseEthernetChain(chain, 41, &eh) == Status::Underrun);
    CHECK(kdrv::parseEthernetChain(chain, 55, &eh) == Status::Underrun);
    Ipv6Header h6;
    CHECK(kdrv::parseIpv6Chain(chain, 14, &h6) == Status::BadArgument);
    // A cyclic chain is reported as such.
    nodes[3].next = &nodes[0];
    CHECK(kdrv::parseEthernetChain(chain, 0, &eh) == Status::Overrun);
    CHECK(kdrv::parseIpv4Chain(chain, 14, nullptr) == Status::BadArgument);
}

TEST_CASE("net headers: checksum of odd-length data pads the last byte low")
{
    const uint8_t one[1] = {0xab};
    CHECK(kdrv::onesComplementSum(one, 1) == 0xab00);
    const uint8_t three[3] = {0x01, 0x02, 0x03};
    CHECK(kdrv::onesComplementSum(three, 3) == 0x0402);
    CHECK(kdrv::onesComplementSum(nullptr, 10) == 0);
    CHECK(kdrv::onesComplementSum(three, 0) == 0);
    CHECK(kdrv::internetChecksum(three, 0) == 0xFFFF);
    // The RFC 1071 section 3 example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2.
    const uint8_t rfc[8] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    CHECK(kdrv::onesComplementSum(rfc, 8) == 0xddf2);
    CHECK(kdrv::internetChecksum(rfc, 8) == 0x220d);
}

TEST_CASE("net headers: a buffer holding its own correct checksum checks to 0")
{
    std::vector<uint8_t> h = ipv4Header();
    CHECK(kdrv::internetChecksum(h.data(), h.size()) == 0);
    CHECK(kdrv::onesComplementSum(h.data(), h.size()) == 0xFFFF);
    CHECK(kdrv::ipv4HeaderChecksumOk(h.data(), 20));
    h[8] ^= 1;
    CHECK_FALSE(kdrv::ipv4HeaderChecksumOk(h.data(), 20));
    CHECK_FALSE(kdrv::ipv4HeaderChecksumOk(h.data(), 19));
    CHECK_FALSE(kdrv::ipv4HeaderChecksumOk(nullptr, 20));
}

TEST_CASE("net headers: checksum agrees with the reference at every length and alignment")
{
    uint32_t seed = 12345;
    std::vector<uint8_t> buf(4096 + 16);
    for (auto& b : buf)
        b = static_cast<uint8_t>(rng(&seed));
    for (size_t align = 0; align < 8; ++align)
        for (size_t n = 0; n < 300; ++n)
            REQUIRE(kdrv::onesComplementSum(buf.data() + align, n) ==
                    referenceSum(buf.data() + align, n));
    CHECK(kdrv::onesComplementSum(buf.data() + 3, 4096) == referenceSum(buf.data() + 3, 4096));
    // All 0xFF: many carries.
    std::vector<uint8_t> ff(70001, 0xFF);
    CHECK(kdrv::onesComplementSum(ff.data(), ff.size()) == referenceSum(ff.data(), ff.size()));
}

TEST_CASE("net headers: a running checksum over parts of odd lengths equals the whole")
{
    uint32_t seed = 7;
    std::vector<uint8_t> buf(257);
    for (auto& b : buf)
        b = static_cast<uint8_t>(rng(&seed));
    for (int trial = 0; trial < 200; ++trial)
    {
        kdrv::InternetChecksum c;
        size_t pos = 0;
        while (pos < buf.size())
        {
            size_t n = rng(&seed) % 9;
            if (n > buf.size() - pos)
                n = buf.size() - pos;
            c.add(buf.data() + pos, n);
            pos += n;
        }
        REQUIRE(c.sum() == referenceSum(buf.data(), buf.size()));
        CHECK(c.checksum() == static_cast<uint16_t>(~referenceSum(buf.data(), buf.size())));
    }
    // addSum: a part summed separately, added at an even and an odd position.
    kdrv::InternetChecksum a;
    a.add(buf.data(), 10);
    a.addSum(kdrv::onesComplementSum(buf.data() + 10, 20));
    CHECK(a.sum() == referenceSum(buf.data(), 30));
    kdrv::InternetChecksum b;
    b.add(buf.data(), 11);
    b.addSum(kdrv::onesComplementSum(buf.data() + 11, 20));
    CHECK(b.sum() == referenceSum(buf.data(), 31));
    CHECK(kdrv::onesComplementAdd(0xFFFF, 0x0001) == 0x0001);
}

TEST_CASE("net headers: checksum over a chain with odd-length segments")
{
    uint32_t seed = 99;
    std::vector<uint8_t> buf(64);
    for (auto& b : buf)
        b = static_cast<uint8_t>(rng(&seed));
    SegChainNode nodes[5] = {{buf.data(), 3, nullptr},
                             {buf.data() + 3, 0, nullptr},
                             {buf.data() + 3, 7, nullptr},
                             {buf.data() + 10, 1, nullptr},
                             {buf.data() + 11, 53, nullptr}};
    REQUIRE(kdrv::segChainLink(nodes, 5) == Status::Success);
    SegChain chain(nodes);
    for (uint32_t off = 0; off <= 64; ++off)
        for (uint32_t len = 0; off + len <= 64; len += 3)
        {
            uint16_t s = 0;
            REQUIRE(kdrv::onesComplementSumChain(chain, off, len, &s) == Status::Success);
            REQUIRE(s == referenceSum(buf.data() + off, len));
        }
    uint16_t s = 0x1234;
    CHECK(kdrv::onesComplementSumChain(chain, 60, 5, &s) == Status::BadArgument);
    CHECK(s == 0x1234);
    CHECK(kdrv::onesComplementSumChain(chain, 0, 5, nullptr) == Status::BadArgument);
}

TEST_CASE("net headers: incremental checksum update equals a full recompute")
{
    uint32_t seed = 4242;
    for (int trial = 0; trial < 2000; ++trial)
    {
        std::vector<uint8_t> h = ipv4Header();
        // Random header contents, checksum field recomputed.
        for (size_t i = 0; i < h.size(); ++i)
            if (i != 10 && i != 11 && i != 0)
                h[i] = static_cast<uint8_t>(rng(&seed));
        h[10] = h[11] = 0;
        uint16_t c = kdrv::internetChecksum(h.data(), 20);
        kdrv::storeBE16(h.data() + 10, c);
        // Change one 16-bit word (TTL/protocol), then a 32-bit address.
        const uint16_t oldWord = kdrv::loadBE16(h.data() + 8);
        const uint16_t newWord = static_cast<uint16_t>(rng(&seed));
        kdrv::storeBE16(h.data() + 8, newWord);
        c = kdrv::checksumAdjust16(c, oldWord, newWord);
        const uint32_t oldAddr = kdrv::loadBE32(h.data() + 12);
        const uint32_t newAddr = rng(&seed) * 2654435761u;
        kdrv::storeBE32(h.data() + 12, newAddr);
        c = kdrv::checksumAdjust32(c, oldAddr, newAddr);
        kdrv::storeBE16(h.data() + 10, c);
        REQUIRE(kdrv::internetChecksum(h.data(), 20) == 0);
    }
    // Decrementing TTL 64 -> 63 in the fixed header.
    std::vector<uint8_t> h = ipv4Header();
    const uint16_t c0 = kdrv::loadBE16(h.data() + 10);
    const uint16_t w0 = kdrv::loadBE16(h.data() + 8);
    h[8] = 63;
    const uint16_t c1 = kdrv::checksumAdjust16(c0, w0, kdrv::loadBE16(h.data() + 8));
    kdrv::storeBE16(h.data() + 10, c1);
    CHECK(kdrv::ipv4HeaderChecksumOk(h.data(), 20));
}

namespace
{
struct FilterLog
{
    int calls[4] = {};
};
FilterVerdict passFilter(void* ctx, void*)
{
    ++static_cast<FilterLog*>(ctx)->calls[0];
    return FilterVerdict::Continue;
}
FilterVerdict consumeFilter(void* ctx, void*)
{
    ++static_cast<FilterLog*>(ctx)->calls[1];
    return FilterVerdict::Consumed;
}
FilterVerdict dropFilter(void* ctx, void*)
{
    ++static_cast<FilterLog*>(ctx)->calls[2];
    return FilterVerdict::Drop;
}
FilterVerdict garbageFilter(void* ctx, void*)
{
    ++static_cast<FilterLog*>(ctx)->calls[3];
    return static_cast<FilterVerdict>(77);
}
} // namespace

TEST_CASE("net headers: filter tables skip null entries and stop on consume or drop")
{
    FilterLog log;
    const kdrv::PacketFilter table[] = {
        {"pass", passFilter, nullptr, &log},
        {"none", nullptr, nullptr, &log},
        {"consume-in", consumeFilter, dropFilter, &log},
        {"pass-out", passFilter, passFilter, &log},
    };
    int packet = 0;
    kdrv::FilterRunResult r;
    REQUIRE(kdrv::runPacketFilters(table, 4, kdrv::FilterDirection::Input, &packet, &r) ==
            Status::Success);
    CHECK(r.verdict == FilterVerdict::Consumed);
    CHECK(r.index == 2);
    CHECK(r.called == 2);
    CHECK_FALSE(r.badVerdict);
    CHECK(log.calls[3] == 0);
    REQUIRE(kdrv::runPacketFilters(table, 4, kdrv::FilterDirection::Output, &packet, &r) ==
            Status::Success);
    CHECK(r.verdict == FilterVerdict::Drop);
    CHECK(r.index == 2);
    CHECK(r.called == 1);
    // Every filter passes: Continue, index == count.
    REQUIRE(kdrv::runPacketFilters(table + 3, 1, kdrv::FilterDirection::Output, &packet, &r) ==
            Status::Success);
    CHECK(r.verdict == FilterVerdict::Continue);
    CHECK(r.index == 1);
    REQUIRE(kdrv::runPacketFilters(nullptr, 0, kdrv::FilterDirection::Input, &packet, &r) ==
            Status::Success);
    CHECK(r.verdict == FilterVerdict::Continue);
    CHECK(r.called == 0);
}

TEST_CASE("net headers: filter misuse is a Status and a bad verdict drops")
{
    FilterLog log;
    const kdrv::PacketFilter table[] = {{"garbage", garbageFilter, nullptr, &log},
                                        {"pass", passFilter, nullptr, &log}};
    kdrv::FilterRunResult r;
    REQUIRE(kdrv::runPacketFilters(table, 2, kdrv::FilterDirection::Input, nullptr, &r) ==
            Status::Success);
    CHECK(r.verdict == FilterVerdict::Drop);
    CHECK(r.badVerdict);
    CHECK(log.calls[0] == 0);
    CHECK(kdrv::runPacketFilters(nullptr, 1, kdrv::FilterDirection::Input, nullptr, &r) ==
          Status::BadArgument);
    CHECK(kdrv::runPacketFilters(table, 2, kdrv::FilterDirection::Input, nullptr, nullptr) ==
          Status::BadArgument);
    CHECK(kdrv::runPacketFilters(table, 2, static_cast<kdrv::FilterDirection>(5), nullptr, &r) ==
          Status::BadArgument);
    CHECK(log.calls[3] == 1);
}

TEST_CASE("net headers: the errno convention maps to the three verdicts")
{
    CHECK(kdrv::filterVerdictFromErrno(0) == FilterVerdict::Continue);
    CHECK(kdrv::filterVerdictFromErrno(kdrv::kEJustReturn) == FilterVerdict::Consumed);
    CHECK(kdrv::filterVerdictFromErrno(-2) == FilterVerdict::Consumed);
    CHECK(kdrv::filterVerdictFromErrno(1) == FilterVerdict::Drop);
    CHECK(kdrv::filterVerdictFromErrno(-1) == FilterVerdict::Drop);
    CHECK(kdrv::filterVerdictToErrno(FilterVerdict::Continue, 13) == 0);
    CHECK(kdrv::filterVerdictToErrno(FilterVerdict::Consumed, 13) == -2);
    CHECK(kdrv::filterVerdictToErrno(FilterVerdict::Drop, 13) == 13);
}

TEST_CASE("net headers: both short-input checksum loops agree with the reference")
{
    // User-space builds take the byte-pair loop below 128 bytes; kernel
    // builds take the 64-bit loop. Both are checked here, at every length
    // and alignment, so the kernel's path is tested too.
    uint32_t seed = 31337;
    std::vector<uint8_t> buf(128 + 8);
    for (auto& b : buf)
        b = static_cast<uint8_t>(rng(&seed) | 0x80); // high bits set: carries
    for (size_t align = 0; align < 8; ++align)
        for (size_t n = 0; n < 128; ++n)
        {
            const uint8_t* p = buf.data() + align;
            const uint16_t want = referenceSum(p, n);
            REQUIRE(kdrv::detail::onesToBig(
                        kdrv::detail::onesFold(kdrv::detail::onesSumWords(p, n, 0))) == want);
            REQUIRE(kdrv::detail::onesToBig(kdrv::detail::onesSumShortPairs(p, n)) == want);
        }
}
