// SPDX-License-Identifier: MIT
//
// Network header readers and checksums against a reference model written
// from net_headers.hpp's contract and RFC 1071 / RFC 1624.
//
// The input is split into a control prefix and a packet. The packet is
// placed in an exactly sized heap buffer (ASan catches a read one byte past
// it) at a chosen offset, and also cut into a segment chain of 1..8 pieces
// (zero-length pieces allowed), each in its own heap buffer.
//
// Operations (each input runs every one, on the same bytes):
//   parseEthernet / parseEthernetChain     parseIpv4 / parseIpv4Chain
//   parseIpv6 / parseIpv6Chain             classifyMac on the destination
//   onesComplementSum, internetChecksum    InternetChecksum over the pieces
//   onesComplementSumChain on a sub-range  ipv4HeaderChecksumOk
//   checksumAdjust16 / checksumAdjust32 after editing a word of the header
//   runPacketFilters over a table chosen by the input
//
// The model reads every field bytewise (big-endian by shifts), applies the
// contract's checks in the documented order and expects the same status and
// the same record; a failed parse must leave the output record untouched.
// The chain forms must agree with the span forms on the same bytes. The
// checksum model adds 16-bit big-endian words one at a time with an
// end-around carry.
#include "kdrv/net_headers.hpp"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vector>

#include "fuzz_check.hpp" // for FUZZ_CHECK

namespace
{
uint32_t be16(const uint8_t* p) { return (uint32_t(p[0]) << 8) | p[1]; }
uint32_t be32(const uint8_t* p) { return (be16(p) << 16) | be16(p + 2); }

uint16_t modelSum(const uint8_t* p, size_t n)
{
    uint32_t sum = 0;
    for (size_t i = 0; i < n; i += 2)
    {
        sum += (uint32_t(p[i]) << 8) | (i + 1 < n ? p[i + 1] : 0);
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    return static_cast<uint16_t>(sum);
}

kdrv::Status modelEthernet(const uint8_t* p, uint32_t n, kdrv::EthernetHeader* h)
{
    if (n < 14)
        return kdrv::Status::Underrun;
    memcpy(h->destination, p, 6);
    memcpy(h->source, p + 6, 6);
    h->etherType = static_cast<uint16_t>(be16(p + 12));
    h->vlanTci = 0;
    h->tagged = false;
    h->headerLength = 14;
    if (h->etherType == 0x8100)
    {
        if (n < 18)
            return kdrv::Status::Underrun;
        h->vlanTci = static_cast<uint16_t>(be16(p + 14));
        h->etherType = static_cast<uint16_t>(be16(p + 16));
        h->tagged = true;
        h->headerLength = 18;
    }
    return kdrv::Status::Success;
}

kdrv::Status modelIpv4(const uint8_t* p, uint32_t n, kdrv::Ipv4Header* h)
{
    if (n < 20)
        return kdrv::Status::Underrun;
    if ((p[0] >> 4) != 4)
        return kdrv::Status::BadArgument;
    const uint32_t hl = (p[0] & 15u) * 4u;
    if (hl < 20)
        return kdrv::Status::BadArgument;
    if (hl > n)
        return kdrv::Status::Underrun;
    const uint32_t total = be16(p + 2);
    if (total < hl)
        return kdrv::Status::BadArgument;
    if (total > n)
        return kdrv::Status::Underrun;
    h->headerLength = static_cast<uint8_t>(hl);
    h->tos = p[1];
    h->totalLength = static_cast<uint16_t>(total);
    h->identification = static_cast<uint16_t>(be16(p + 4));
    h->flags = static_cast<uint8_t>(p[6] >> 5);
    h->fragmentOffset = static_cast<uint16_t>(be16(p + 6) & 0x1FFF);
    h->ttl = p[8];
    h->protocol = p[9];
    h->checksum = static_cast<uint16_t>(be16(p + 10));
    h->source = be32(p + 12);
    h->destination = be32(p + 16);
    return kdrv::Status::Success;
}

kdrv::Status modelIpv6(const uint8_t* p, uint32_t n, kdrv::Ipv6Header* h)
{
    if (n < 40)
        return kdrv::Status::Underrun;
    if ((p[0] >> 4) != 6)
        return kdrv::Status::BadArgument;
    const uint32_t payload = be16(p + 4);
    if (40 + payload > n)
        return kdrv::Status::Underrun;
    h->trafficClass = static_cast<uint8_t>(((p[0] & 15) << 4) | (p[1] >> 4));
    h->flowLabel = ((uint32_t(p[1]) & 15) << 16) | be16(p + 2);
    h->payloadLength = static_cast<uint16_t>(payload);
    h->nextHeader = p[6];
    h->hopLimit = p[7];
    memcpy(h->source, p + 8, 16);
    memcpy(h->destination, p + 24, 16);
    return kdrv::Status::Success;
}

bool sameEth(const kdrv::EthernetHeader& a, const kdrv::EthernetHeader& b)
{
    return memcmp(a.destination, b.destination, 6) == 0 && memcmp(a.source, b.source, 6) == 0 &&
           a.etherType == b.etherType && a.vlanTci == b.vlanTci && a.tagged == b.tagged &&
           a.headerLength == b.headerLength;
}
bool sameIp4(const kdrv::Ipv4Header& a, const kdrv::Ipv4Header& b)
{
    return a.headerLength == b.headerLength && a.tos == b.tos && a.totalLength == b.totalLength &&
           a.identification == b.identification && a.flags == b.flags &&
           a.fragmentOffset == b.fragmentOffset && a.ttl == b.ttl && a.protocol == b.protocol &&
           a.checksum == b.checksum && a.source == b.source && a.destination == b.destination;
}
bool sameIp6(const kdrv::Ipv6Header& a, const kdrv::Ipv6Header& b)
{
    return a.trafficClass == b.trafficClass && a.flowLabel == b.flowLabel &&
           a.payloadLength == b.payloadLength && a.nextHeader == b.nextHeader &&
           a.hopLimit == b.hopLimit && memcmp(a.source, b.source, 16) == 0 &&
           memcmp(a.destination, b.destination, 16) == 0;
}

// Filters whose verdict comes from the input.
struct FilterCtx
{
    uint8_t verdict;
    int calls;
};
kdrv::FilterVerdict filterFn(void* c, void*)
{
    FilterCtx* f = static_cast<FilterCtx*>(c);
    ++f->calls;
    return static_cast<kdrv::FilterVerdict>(f->verdict % 4); // 3 is outside the enum
}

template <typename T> T poisoned()
{
    T t;
    memset(&t, 0x5C, sizeof t);
    return t;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 12)
        return 0;
    const uint8_t* ctl = data;
    const uint8_t* pkt = data + 12;
    const uint32_t n = static_cast<uint32_t>(size - 12);

    // Exact-size copy (ASan: no slack after the last byte).
    uint8_t* span = static_cast<uint8_t*>(malloc(n ? n : 1));
    memcpy(span, pkt, n);

    // The same bytes as a chain of up to 8 pieces.
    const uint32_t pieces = 1 + ctl[0] % 8;
    std::vector<uint8_t*> bufs;
    std::vector<kdrv::SegChainNode> nodes(pieces);
    uint32_t pos = 0;
    for (uint32_t i = 0; i < pieces; ++i)
    {
        uint32_t len = (i + 1 == pieces) ? n - pos : ctl[1 + i] % (n - pos + 1);
        if (i + 1 != pieces && ctl[1 + i] >= 0xF0)
            len = 0;
        uint8_t* b = static_cast<uint8_t*>(malloc(len ? len : 1));
        memcpy(b, pkt + pos, len);
        bufs.push_back(b);
        nodes[i].data = b;
        nodes[i].len = len;
        nodes[i].next = i + 1 < pieces ? &nodes[i + 1] : nullptr;
        pos += len;
    }
    const kdrv::SegChain chain(&nodes[0]);
    const uint32_t l3 = ctl[9] % (n + 2); // where the IP header starts (may be past the end)

    // Ethernet.
    {
        kdrv::EthernetHeader got = poisoned<kdrv::EthernetHeader>();
        kdrv::EthernetHeader want = poisoned<kdrv::EthernetHeader>();
        const kdrv::Status s = kdrv::parseEthernet(span, n, &got);
        const kdrv::Status m = modelEthernet(span, n, &want);
        FUZZ_CHECK(s == m);
        if (s == kdrv::Status::Success)
            FUZZ_CHECK(sameEth(got, want));
        else
        {
            const kdrv::EthernetHeader untouched = poisoned<kdrv::EthernetHeader>();
            FUZZ_CHECK(memcmp(&got, &untouched, sizeof got) == 0);
        }
        kdrv::EthernetHeader viaChain = poisoned<kdrv::EthernetHeader>();
        FUZZ_CHECK(kdrv::parseEthernetChain(chain, 0, &viaChain) == s);
        if (s == kdrv::Status::Success)
        {
            FUZZ_CHECK(sameEth(viaChain, got));
            const kdrv::MacClass c =
                kdrv::classifyMac(got.destination, ctl[10] & 1 ? pkt : nullptr);
            const uint8_t* d = got.destination;
            kdrv::MacClass expect = kdrv::MacClass::OtherHost;
            if (d[0] == 0xFF && d[1] == 0xFF && d[2] == 0xFF && d[3] == 0xFF && d[4] == 0xFF &&
                d[5] == 0xFF)
                expect = kdrv::MacClass::Broadcast;
            else if (d[0] & 1)
                expect = kdrv::MacClass::Multicast;
            else if (ctl[10] & 1)
                expect = kdrv::MacClass::ToUs; // own == the frame's first 6 bytes == destination
            FUZZ_CHECK(c == expect);
        }
        FUZZ_CHECK(kdrv::parseEthernet(span, n, nullptr) == kdrv::Status::BadArgument);
    }

    // IPv4 and IPv6 at l3 (span form over the tail, chain form at the offset).
    {
        const uint32_t rest = l3 <= n ? n - l3 : 0;
        const uint8_t* p = l3 <= n ? span + l3 : nullptr;
        kdrv::Ipv4Header got4 = poisoned<kdrv::Ipv4Header>();
        kdrv::Ipv4Header want4 = poisoned<kdrv::Ipv4Header>();
        kdrv::Status s = l3 <= n ? kdrv::parseIpv4(p, rest, &got4) : kdrv::Status::Underrun;
        kdrv::Status m = l3 <= n ? modelIpv4(p, rest, &want4) : kdrv::Status::Underrun;
        FUZZ_CHECK(s == m);
        if (s == kdrv::Status::Success)
            FUZZ_CHECK(sameIp4(got4, want4));
        else
            FUZZ_CHECK(memcmp(&got4, &want4, sizeof got4) == 0); // both still poisoned
        kdrv::Ipv4Header chain4 = poisoned<kdrv::Ipv4Header>();
        FUZZ_CHECK(kdrv::parseIpv4Chain(chain, l3, &chain4) == s);
        if (s == kdrv::Status::Success)
            FUZZ_CHECK(sameIp4(chain4, got4));

        kdrv::Ipv6Header got6 = poisoned<kdrv::Ipv6Header>();
        kdrv::Ipv6Header want6 = poisoned<kdrv::Ipv6Header>();
        s = l3 <= n ? kdrv::parseIpv6(p, rest, &got6) : kdrv::Status::Underrun;
        m = l3 <= n ? modelIpv6(p, rest, &want6) : kdrv::Status::Underrun;
        FUZZ_CHECK(s == m);
        if (s == kdrv::Status::Success)
            FUZZ_CHECK(sameIp6(got6, want6));
        kdrv::Ipv6Header chain6 = poisoned<kdrv::Ipv6Header>();
        FUZZ_CHECK(kdrv::parseIpv6Chain(chain, l3, &chain6) == s);
        if (s == kdrv::Status::Success)
            FUZZ_CHECK(sameIp6(chain6, got6));

        // Header checksum verification and incremental update.
        if (l3 <= n)
        {
            bool expectOk = false;
            if (rest >= 20 && (p[0] >> 4) == 4)
            {
                const uint32_t hl = (p[0] & 15u) * 4u;
                expectOk = hl >= 20 && hl <= rest && modelSum(p, hl) == 0xFFFF;
            }
            FUZZ_CHECK(kdrv::ipv4HeaderChecksumOk(p, rest) == expectOk);
            if (rest >= 20)
            {
                std::vector<uint8_t> h(p, p + 20);
                h[10] = h[11] = 0;
                uint16_t c = kdrv::internetChecksum(h.data(), 20);
                h[10] = static_cast<uint8_t>(c >> 8);
                h[11] = static_cast<uint8_t>(c);
                const uint32_t word = (ctl[11] % 10) * 2;
                if (word != 10)
                {
                    const uint16_t oldW = static_cast<uint16_t>(be16(&h[word]));
                    const uint16_t newW = static_cast<uint16_t>(ctl[10] * 257u + ctl[11]);
                    h[word] = static_cast<uint8_t>(newW >> 8);
                    h[word + 1] = static_cast<uint8_t>(newW);
                    c = kdrv::checksumAdjust16(c, oldW, newW);
                    h[10] = static_cast<uint8_t>(c >> 8);
                    h[11] = static_cast<uint8_t>(c);
                    // RFC 1624: the result verifies, unless the covered data
                    // became all zero (then 0xFFFF and 0x0000 are both "zero").
                    bool allZero = true;
                    for (int i = 0; i < 20; ++i)
                        allZero = allZero && (i == 10 || i == 11 || h[static_cast<size_t>(i)] == 0);
                    if (!allZero)
                        FUZZ_CHECK(modelSum(h.data(), 20) == 0xFFFF);
                }
                // An address replaced as one 32-bit value.
                const uint32_t oldA = be32(&h[12]);
                const uint32_t newA = be32(ctl + 2);
                h[12] = ctl[2];
                h[13] = ctl[3];
                h[14] = ctl[4];
                h[15] = ctl[5];
                c = kdrv::checksumAdjust32(static_cast<uint16_t>(be16(&h[10])), oldA, newA);
                h[10] = static_cast<uint8_t>(c >> 8);
                h[11] = static_cast<uint8_t>(c);
                bool allZero = true;
                for (int i = 0; i < 20; ++i)
                    allZero = allZero && (i == 10 || i == 11 || h[static_cast<size_t>(i)] == 0);
                if (!allZero)
                    FUZZ_CHECK(modelSum(h.data(), 20) == 0xFFFF);
            }
        }
    }

    // Checksums: whole span, running over the pieces, chain sub-range.
    {
        const uint16_t want = modelSum(span, n);
        FUZZ_CHECK(kdrv::onesComplementSum(span, n) == want);
        FUZZ_CHECK(kdrv::internetChecksum(span, n) == static_cast<uint16_t>(~want));
        kdrv::InternetChecksum running;
        for (uint32_t i = 0; i < pieces; ++i)
            running.add(nodes[i].data, nodes[i].len);
        FUZZ_CHECK(running.sum() == want);
        const uint32_t off = ctl[9] % (n + 1);
        const uint32_t len = ctl[10] % (n - off + 2); // may be one past the end
        uint16_t got = 0x7777;
        const kdrv::Status s = kdrv::onesComplementSumChain(chain, off, len, &got);
        if (off + len <= n)
        {
            FUZZ_CHECK(s == kdrv::Status::Success);
            FUZZ_CHECK(got == modelSum(span + off, len));
        }
        else
        {
            FUZZ_CHECK(s == kdrv::Status::BadArgument && got == 0x7777);
        }
    }

    // Filters: up to 6 rows, each direction present or not, verdicts from ctl.
    {
        FilterCtx ctx[6];
        kdrv::PacketFilter table[6];
        const uint32_t count = ctl[11] % 7;
        for (uint32_t i = 0; i < 6; ++i)
        {
            const uint8_t b = i < n ? pkt[i] : static_cast<uint8_t>(i * 37);
            ctx[i].verdict = static_cast<uint8_t>(b >> 2);
            ctx[i].calls = 0;
            table[i].name = "f";
            table[i].input = (b & 1) ? filterFn : nullptr;
            table[i].output = (b & 2) ? filterFn : nullptr;
            table[i].context = &ctx[i];
        }
        const kdrv::FilterDirection dir =
            (ctl[10] & 2) ? kdrv::FilterDirection::Output : kdrv::FilterDirection::Input;
        kdrv::FilterRunResult r;
        FUZZ_CHECK(kdrv::runPacketFilters(table, count, dir, span, &r) == kdrv::Status::Success);
        // Model: first present filter whose verdict is not Continue stops.
        kdrv::FilterVerdict v = kdrv::FilterVerdict::Continue;
        uint32_t index = count, called = 0;
        bool bad = false;
        for (uint32_t i = 0; i < count; ++i)
        {
            const bool present = dir == kdrv::FilterDirection::Input ? table[i].input != nullptr
                                                                     : table[i].output != nullptr;
            if (!present)
                continue;
            ++called;
            const uint8_t raw = ctx[i].verdict % 4;
            if (raw == 0)
                continue;
            v = raw == 1 ? kdrv::FilterVerdict::Consumed : kdrv::FilterVerdict::Drop;
            bad = raw == 3;
            index = i;
            break;
        }
        FUZZ_CHECK(r.verdict == v && r.index == index && r.called == called && r.badVerdict == bad);
        int calls = 0;
        for (uint32_t i = 0; i < 6; ++i)
            calls += ctx[i].calls;
        FUZZ_CHECK(static_cast<uint32_t>(calls) == called);
    }

    for (uint8_t* b : bufs)
        free(b);
    free(span);
    return 0;
}
