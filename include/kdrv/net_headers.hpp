// SPDX-License-Identifier: MIT
//
/// \file
/// Network headers: bounds-checked Ethernet, IPv4 and IPv6 (fixed header)
/// readers over a byte span or a segment chain, the destination-MAC
/// classifier, the RFC 1071 Internet checksum (odd lengths, multi-part sums,
/// RFC 1624 incremental update) and packet-filter tables with a three-way
/// verdict.
///
/// The readers never cast a struct over the bytes: every field is read with
/// endian.hpp's byte-order loads at any alignment, after the length needed for
/// it was checked, and copied into a host-order record. Results:
///   Success      *out is filled
///   BadArgument  a null out (or null data with size > 0); a field that makes
///                the header invalid: IPv4 version != 4, IHL < 5, total
///                length < header length; IPv6 version != 6
///   Underrun     fewer bytes than the header needs: a frame under 14 bytes
///                (18 with an 802.1Q tag), an IPv4 span under 20 bytes or
///                under IHL x 4, an IPv4 total length or 40 + IPv6 payload
///                length beyond the bytes available
/// The checks run in that order for each header (size for the fixed part,
/// then field validity, then the declared lengths), and *out is written only
/// on Success. Options and extension headers are not interpreted.
///
/// Chain forms (…Chain) read the header at `offset` of a SegChain: the
/// bytes available are the chain's length minus offset, the header is copied
/// into a local buffer (at most 60 bytes), and chain errors (Overrun for a
/// cycle, BadArgument for a bad node) come first. To edit a header in place,
/// ask SegChain::isContiguous() for a pointer.
///
/// Checksum. All sums here are ones' complement sums of 16-bit big-endian
/// words, returned as host integers (store them with storeBE16). An odd
/// final byte is padded with a zero low byte. The sum is computed in the
/// host's order over 32-bit words and swapped once at the end, which gives
/// the same result (RFC 1071 section 2, byte-order independence). A buffer
/// that contains its own correct checksum sums to 0xFFFF, so
/// internetChecksum() of it is 0. InternetChecksum adds parts of any length
/// (an odd-length part shifts the next part's bytes within the 16-bit
/// words, handled by a byte swap), as a chain's segments need.
///
/// Everything is pure and bounded: any context, interrupts included.
#ifndef KDRV_NET_HEADERS_HPP
#define KDRV_NET_HEADERS_HPP

#include "kdrv/base.hpp"      // for copyBytes, compareBytes, min32
#include "kdrv/endian.hpp"    // for loadBE16, loadBE32, swap16
#include "kdrv/seg_chain.hpp" // for SegChain
#include "kdrv/status.hpp"    // for Status

namespace kdrv
{
// ---------------------------------------------------------------------------
// Constants

constexpr uint32_t kEtherAddrLen = 6;
constexpr uint32_t kEtherHeaderLen = 14;     // ETHER_HDR_LEN
constexpr uint32_t kEtherVlanHeaderLen = 18; // with one 802.1Q tag
constexpr uint16_t kEtherTypeIPv4 = 0x0800;  // ETHERTYPE_IP
constexpr uint16_t kEtherTypeArp = 0x0806;
constexpr uint16_t kEtherTypeVlan = 0x8100;
constexpr uint16_t kEtherTypeIPv6 = 0x86DD;
/// EtherType values up to 1500 are IEEE 802.3 length fields, not types.
constexpr uint16_t kEtherMaxLengthField = 1500;
constexpr uint32_t kIpv4MinHeaderLen = 20;
constexpr uint32_t kIpv4MaxHeaderLen = 60;
constexpr uint32_t kIpv6HeaderLen = 40;
constexpr uint8_t kIpProtoIcmp = 1;
constexpr uint8_t kIpProtoTcp = 6;
constexpr uint8_t kIpProtoUdp = 17;
constexpr uint8_t kIpProtoIcmpv6 = 58;

// ---------------------------------------------------------------------------
// Ethernet

struct EthernetHeader
{
    uint8_t destination[6];
    uint8_t source[6];
    uint16_t etherType;    // host order; the inner type when tagged
    uint16_t vlanTci;      // 802.1Q tag control information; 0 if untagged
    bool tagged;           // an 802.1Q tag (TPID 0x8100) was present
    uint32_t headerLength; // 14, or 18 when tagged: where the payload starts
};

/// Reads an Ethernet II header (one 802.1Q tag understood). See the file
/// comment for the results.
KDRV_NODISCARD inline Status parseEthernet(const uint8_t* data, uint32_t size, EthernetHeader* out)
{
    if (out == nullptr || (data == nullptr && size != 0))
        return Status::BadArgument;
    if (size < kEtherHeaderLen)
        return Status::Underrun;
    EthernetHeader h;
    copyBytes(h.destination, data, 6);
    copyBytes(h.source, data + 6, 6);
    h.etherType = loadBE16(data + 12);
    h.vlanTci = 0;
    h.tagged = false;
    h.headerLength = kEtherHeaderLen;
    if (h.etherType == kEtherTypeVlan)
    {
        if (size < kEtherVlanHeaderLen)
            return Status::Underrun;
        h.vlanTci = loadBE16(data + 14);
        h.etherType = loadBE16(data + 16);
        h.tagged = true;
        h.headerLength = kEtherVlanHeaderLen;
    }
    *out = h;
    return Status::Success;
}

/// Where a frame's destination address points.
enum class MacClass : uint8_t
{
    Invalid = 0,   // null destination
    ToUs = 1,      // unicast to the given own address
    Broadcast = 2, // ff:ff:ff:ff:ff:ff
    Multicast = 3, // group bit (bit 0 of the first byte) set, not broadcast
    OtherHost = 4, // unicast to someone else (or own is null)
};

/// Classifies a 6-byte destination address against the interface's own
/// address (may be null). Broadcast is tested before multicast, since the
/// broadcast address has the group bit set too.
inline MacClass classifyMac(const uint8_t* destination, const uint8_t* own)
{
    if (destination == nullptr)
        return MacClass::Invalid;
    uint8_t all = 0xFF;
    for (uint32_t i = 0; i < kEtherAddrLen; ++i)
        all = static_cast<uint8_t>(all & destination[i]);
    if (all == 0xFF)
        return MacClass::Broadcast;
    if ((destination[0] & 0x01) != 0)
        return MacClass::Multicast;
    if (own != nullptr && compareBytes(destination, own, kEtherAddrLen) == 0)
        return MacClass::ToUs;
    return MacClass::OtherHost;
}

// ---------------------------------------------------------------------------
// IPv4 and IPv6

struct Ipv4Header
{
    uint8_t headerLength; // IHL x 4, 20..60
    uint8_t tos;          // DSCP << 2 | ECN
    uint16_t totalLength; // header + payload, as declared
    uint16_t identification;
    uint8_t flags;           // 3 bits: reserved, DF (2), MF (1)
    uint16_t fragmentOffset; // in 8-byte units
    uint8_t ttl;
    uint8_t protocol;
    uint16_t checksum; // as stored
    uint32_t source;   // host order
    uint32_t destination;
};

constexpr uint8_t kIpv4FlagDontFragment = 2;
constexpr uint8_t kIpv4FlagMoreFragments = 1;

namespace detail
{
KDRV_NODISCARD inline Status parseIpv4Bytes(const uint8_t* data, uint32_t size, uint32_t available,
                                            Ipv4Header* out)
{
    if (out == nullptr || (data == nullptr && size != 0))
        return Status::BadArgument;
    if (size < kIpv4MinHeaderLen)
        return Status::Underrun;
    const uint8_t versionIhl = data[0];
    if ((versionIhl >> 4) != 4)
        return Status::BadArgument;
    const uint32_t headerLength = (versionIhl & 0x0Fu) * 4u;
    if (headerLength < kIpv4MinHeaderLen)
        return Status::BadArgument;
    if (headerLength > size)
        return Status::Underrun;
    const uint16_t totalLength = loadBE16(data + 2);
    if (totalLength < headerLength)
        return Status::BadArgument;
    if (totalLength > available)
        return Status::Underrun;
    Ipv4Header h;
    h.headerLength = static_cast<uint8_t>(headerLength);
    h.tos = data[1];
    h.totalLength = totalLength;
    h.identification = loadBE16(data + 4);
    const uint16_t fragment = loadBE16(data + 6);
    h.flags = static_cast<uint8_t>(fragment >> 13);
    h.fragmentOffset = static_cast<uint16_t>(fragment & 0x1FFFu);
    h.ttl = data[8];
    h.protocol = data[9];
    h.checksum = loadBE16(data + 10);
    h.source = loadBE32(data + 12);
    h.destination = loadBE32(data + 16);
    *out = h;
    return Status::Success;
}
} // namespace detail

/// Reads an IPv4 header; the span must hold the whole datagram (total
/// length <= size). See the file comment for the results.
KDRV_NODISCARD inline Status parseIpv4(const uint8_t* data, uint32_t size, Ipv4Header* out)
{
    return detail::parseIpv4Bytes(data, size, size, out);
}

struct Ipv6Header
{
    uint8_t trafficClass;
    uint32_t flowLabel;     // 20 bits
    uint16_t payloadLength; // after the fixed header; 0 for a jumbogram
    uint8_t nextHeader;
    uint8_t hopLimit;
    uint8_t source[16];
    uint8_t destination[16];
};

namespace detail
{
KDRV_NODISCARD inline Status parseIpv6Bytes(const uint8_t* data, uint32_t size, uint32_t available,
                                            Ipv6Header* out)
{
    if (out == nullptr || (data == nullptr && size != 0))
        return Status::BadArgument;
    if (size < kIpv6HeaderLen)
        return Status::Underrun;
    const uint32_t word = loadBE32(data);
    if ((word >> 28) != 6)
        return Status::BadArgument;
    const uint16_t payloadLength = loadBE16(data + 4);
    if (static_cast<uint64_t>(payloadLength) + kIpv6HeaderLen > available)
        return Status::Underrun;
    Ipv6Header h;
    h.trafficClass = static_cast<uint8_t>(word >> 20);
    h.flowLabel = word & 0xFFFFFu;
    h.payloadLength = payloadLength;
    h.nextHeader = data[6];
    h.hopLimit = data[7];
    copyBytes(h.source, data + 8, 16);
    copyBytes(h.destination, data + 24, 16);
    *out = h;
    return Status::Success;
}
} // namespace detail

/// Reads the fixed IPv6 header; 40 + payload length must fit in size.
KDRV_NODISCARD inline Status parseIpv6(const uint8_t* data, uint32_t size, Ipv6Header* out)
{
    return detail::parseIpv6Bytes(data, size, size, out);
}

// ---------------------------------------------------------------------------
// Chain forms

namespace detail
{
/// Copies up to `want` bytes at `offset` of the chain into buf; *got is how
/// many, *available the bytes from offset to the chain's end.
KDRV_NODISCARD inline Status chainHeaderBytes(const SegChain& chain, uint32_t offset, uint32_t want,
                                              uint8_t* buf, uint32_t* got, uint32_t* available)
{
    uint32_t total = 0;
    Status s = chain.totalLength(&total);
    if (s != Status::Success)
        return s;
    if (offset > total)
        return Status::Underrun;
    *available = total - offset;
    *got = min32(want, *available);
    return chain.copyOut(offset, *got, buf);
}
} // namespace detail

KDRV_NODISCARD inline Status parseEthernetChain(const SegChain& chain, uint32_t offset,
                                                EthernetHeader* out)
{
    if (out == nullptr)
        return Status::BadArgument;
    uint8_t buf[kEtherVlanHeaderLen];
    uint32_t got = 0, available = 0;
    Status s = detail::chainHeaderBytes(chain, offset, sizeof buf, buf, &got, &available);
    if (s != Status::Success)
        return s;
    return parseEthernet(buf, got, out);
}

KDRV_NODISCARD inline Status parseIpv4Chain(const SegChain& chain, uint32_t offset, Ipv4Header* out)
{
    if (out == nullptr)
        return Status::BadArgument;
    uint8_t buf[kIpv4MaxHeaderLen];
    uint32_t got = 0, available = 0;
    Status s = detail::chainHeaderBytes(chain, offset, sizeof buf, buf, &got, &available);
    if (s != Status::Success)
        return s;
    return detail::parseIpv4Bytes(buf, got, available, out);
}

KDRV_NODISCARD inline Status parseIpv6Chain(const SegChain& chain, uint32_t offset, Ipv6Header* out)
{
    if (out == nullptr)
        return Status::BadArgument;
    uint8_t buf[kIpv6HeaderLen];
    uint32_t got = 0, available = 0;
    Status s = detail::chainHeaderBytes(chain, offset, sizeof buf, buf, &got, &available);
    if (s != Status::Success)
        return s;
    return detail::parseIpv6Bytes(buf, got, available, out);
}

// ---------------------------------------------------------------------------
// Internet checksum (RFC 1071, RFC 1624)

namespace detail
{
/// Adds n bytes at p to a host-order accumulator of 32-bit words (an odd
/// tail byte is the first byte of a zero-padded 16-bit word). At most 2^32
/// words fit before the 64-bit accumulator could wrap, so the caller folds
/// at least every 16 GiB; onesSumRaw does it per GiB.
///
/// From 128 bytes on: one 32-bit load per add, which compilers vectorize in
/// user space (zero-extend and add). Below that (short packets would end up
/// in the vectorized loop's scalar remainder): one 64-bit load per step,
/// its halves added, which is also what a scalar build (a kext) runs best.
KDRV_INLINE uint64_t onesSumWords(const uint8_t* p, size_t n, uint64_t acc)
{
    size_t i = 0;
    if (n >= 128)
    {
        for (; i + 4 <= n; i += 4)
            acc += loadHost32(p + i);
    }
    else
    {
        for (; i + 8 <= n; i += 8)
        {
            const uint64_t w = loadHost64(p + i);
            acc += (w & 0xFFFFFFFFu) + (w >> 32);
        }
        if (n - i >= 4)
        {
            acc += loadHost32(p + i);
            i += 4;
        }
    }
    if (n - i >= 2)
    {
        acc += loadHost16(p + i);
        i += 2;
    }
    if (n - i == 1)
    {
        uint16_t last = 0;
        copyBytes(&last, p + i, 1);
        acc += last;
    }
    return acc;
}

/// Where vector registers may be used implicitly (user space; copy.hpp's
/// KDRV_CONFIG_VECTOR_COPY), short inputs take a loop over little-endian
/// byte pairs instead: written without any load wider than a byte, it
/// vectorizes whole for 32 to 127 bytes, which the 64-bit loop does not.
constexpr bool kOnesSumShortVectorLoop = KDRV_CONFIG_VECTOR_COPY != 0;

/// Folded sum of n < 128 bytes as big-endian 16-bit words (the odd byte
/// high), returned in host order. Written without any load wider than a
/// byte, so it is the same on every host; converting to host order here and
/// back in onesComplementSum() folds away.
KDRV_INLINE uint16_t onesSumShortPairs(const uint8_t* p, size_t n)
{
    uint32_t s = 0; // at most 64 words of 0xFFFF: no overflow
    size_t i = 0;
    for (; i + 1 < n; i += 2)
        s += static_cast<uint32_t>(p[i]) << 8 | static_cast<uint32_t>(p[i + 1]);
    if (i < n)
        s += static_cast<uint32_t>(p[i]) << 8;
    s = (s & 0xFFFFu) + (s >> 16);
    s = (s & 0xFFFFu) + (s >> 16);
    return bigToHost16(static_cast<uint16_t>(s));
}

/// Folds a host-order accumulator to 16 bits with end-around carries.
KDRV_INLINE uint16_t onesFold(uint64_t acc)
{
    acc = (acc & 0xFFFFFFFFu) + (acc >> 32);
    acc = (acc & 0xFFFFFFFFu) + (acc >> 32);
    acc = (acc & 0xFFFFu) + (acc >> 16);
    acc = (acc & 0xFFFFu) + (acc >> 16);
    acc = (acc & 0xFFFFu) + (acc >> 16);
    return static_cast<uint16_t>(acc);
}

/// Folded host-order sum of n bytes.
inline uint16_t onesSumRaw(const uint8_t* p, size_t n)
{
    if (kOnesSumShortVectorLoop && n < 128)
        return onesSumShortPairs(p, n);
    const size_t kChunk = size_t(1) << 30;
    uint64_t acc = 0;
    while (n > kChunk)
    {
        acc = onesFold(onesSumWords(p, kChunk, acc));
        p += kChunk;
        n -= kChunk;
    }
    return onesFold(onesSumWords(p, n, acc));
}

/// Host-order 16-bit sum to the big-endian-word sum (a swap on
/// little-endian hosts).
constexpr uint16_t onesToBig(uint16_t hostSum) { return bigToHost16(hostSum); }

constexpr uint16_t onesAdd(uint16_t a, uint16_t b)
{
    return static_cast<uint16_t>(((static_cast<uint32_t>(a) + b) & 0xFFFFu) +
                                 ((static_cast<uint32_t>(a) + b) >> 16));
}
} // namespace detail

/// The ones' complement sum of len bytes (not complemented), as the value of
/// a big-endian 16-bit field. Null data counts as no bytes.
inline uint16_t onesComplementSum(const void* data, size_t len)
{
    if (data == nullptr)
        return 0;
    const uint8_t* p = static_cast<const uint8_t*>(data);
    // The short path inline: its host-order conversion and this one cancel.
    if (detail::kOnesSumShortVectorLoop && len < 128)
        return detail::onesToBig(detail::onesSumShortPairs(p, len));
    return detail::onesToBig(detail::onesSumRaw(p, len));
}

/// The Internet checksum of len bytes: the complement of their sum. Over
/// bytes that hold their own correct checksum it is 0.
inline uint16_t internetChecksum(const void* data, size_t len)
{
    return static_cast<uint16_t>(~onesComplementSum(data, len));
}

/// Adds two ones' complement sums (e.g. a pseudo-header's and a payload's).
constexpr uint16_t onesComplementAdd(uint16_t a, uint16_t b) { return detail::onesAdd(a, b); }

/// RFC 1624 equation 3: the checksum field after one 16-bit word of the
/// covered data changes from oldWord to newWord: ~(~checksum + ~old + new).
constexpr uint16_t checksumAdjust16(uint16_t checksum, uint16_t oldWord, uint16_t newWord)
{
    return static_cast<uint16_t>(~detail::onesAdd(
        detail::onesAdd(static_cast<uint16_t>(~checksum), static_cast<uint16_t>(~oldWord)),
        newWord));
}

/// The same for an aligned 32-bit field (an IPv4 address), as two words.
constexpr uint16_t checksumAdjust32(uint16_t checksum, uint32_t oldValue, uint32_t newValue)
{
    return checksumAdjust16(checksumAdjust16(checksum, static_cast<uint16_t>(oldValue >> 16),
                                             static_cast<uint16_t>(newValue >> 16)),
                            static_cast<uint16_t>(oldValue), static_cast<uint16_t>(newValue));
}

/// A running sum over parts of any length, in order (the segments of a
/// chain, a pseudo-header then a payload).
class InternetChecksum
{
  public:
    constexpr InternetChecksum() : sum_(0), odd_(false) {}

    /// Adds len more bytes. Null data counts as no bytes.
    void add(const void* data, size_t len)
    {
        if (data == nullptr || len == 0)
            return;
        uint16_t part = detail::onesSumRaw(static_cast<const uint8_t*>(data), len);
        // A part that starts at an odd position has each byte in the other
        // half of its 16-bit word: its sum is the byte-swapped one.
        if (odd_)
            part = swap16(part);
        sum_ = detail::onesAdd(sum_, part);
        odd_ = odd_ != ((len & 1u) != 0);
    }

    /// Adds an already folded sum (big-endian-word value) at an even position.
    void addSum(uint16_t sum)
    {
        sum_ =
            detail::onesAdd(sum_, odd_ ? swap16(detail::onesToBig(sum)) : detail::onesToBig(sum));
    }

    /// The ones' complement sum so far (big-endian-word value).
    uint16_t sum() const { return detail::onesToBig(sum_); }
    /// The checksum: the complement of sum().
    uint16_t checksum() const { return static_cast<uint16_t>(~sum()); }

  private:
    uint16_t sum_; // host order
    bool odd_;     // an odd number of bytes so far
};

namespace detail
{
inline void checksumSpan(void* context, const uint8_t* data, uint32_t len)
{
    static_cast<InternetChecksum*>(context)->add(data, len);
}
} // namespace detail

/// The ones' complement sum (not complemented) of [offset, offset + len) of
/// a chain, across segments of any (odd) length. Errors as SegChain::copyOut;
/// *sum is written only on Success.
KDRV_NODISCARD inline Status onesComplementSumChain(const SegChain& chain, uint32_t offset,
                                                    uint32_t len, uint16_t* sum)
{
    if (sum == nullptr)
        return Status::BadArgument;
    InternetChecksum c;
    Status s = chain.forEachSpan(offset, len, detail::checksumSpan, &c);
    if (s != Status::Success)
        return s;
    *sum = c.sum();
    return Status::Success;
}

/// True if data holds a whole IPv4 header (by its IHL, at least 20 bytes)
/// whose header checksum is correct.
inline bool ipv4HeaderChecksumOk(const uint8_t* data, uint32_t size)
{
    if (data == nullptr || size < kIpv4MinHeaderLen || (data[0] >> 4) != 4)
        return false;
    const uint32_t headerLength = (data[0] & 0x0Fu) * 4u;
    if (headerLength < kIpv4MinHeaderLen || headerLength > size)
        return false;
    return onesComplementSum(data, headerLength) == 0xFFFF;
}

// ---------------------------------------------------------------------------
// Filter tables

/// What a filter decided (the book's 0 / EJUSTRETURN / other errno, as an
/// enum).
enum class FilterVerdict : int32_t
{
    Continue = 0, // pass the packet to the next filter
    Consumed = 1, // stop: the filter took ownership (EJUSTRETURN); do not free
    Drop = 2,     // stop: the caller frees the packet
};

/// Darwin's EJUSTRETURN (xnu sys/errno.h).
constexpr int32_t kEJustReturn = -2;

/// The book's return convention to a verdict: 0 continues, EJUSTRETURN
/// consumes, anything else drops.
constexpr FilterVerdict filterVerdictFromErrno(int32_t e)
{
    return e == 0 ? FilterVerdict::Continue
                  : (e == kEJustReturn ? FilterVerdict::Consumed : FilterVerdict::Drop);
}

/// A verdict to the errno a filter KPI expects; dropErrno (non-zero, not
/// EJUSTRETURN) is what a drop returns.
constexpr int32_t filterVerdictToErrno(FilterVerdict v, int32_t dropErrno)
{
    return v == FilterVerdict::Continue ? 0
                                        : (v == FilterVerdict::Consumed ? kEJustReturn : dropErrno);
}

enum class FilterDirection : uint8_t
{
    Input = 0,
    Output = 1,
};

typedef FilterVerdict (*PacketFilterFn)(void* context, void* packet);

/// One row of a filter table: a null function means "not interested" in
/// that direction (the row is skipped).
struct PacketFilter
{
    const char* name;
    PacketFilterFn input;
    PacketFilterFn output;
    void* context;
};

struct FilterRunResult
{
    FilterVerdict verdict; // Continue when every filter passed the packet
    uint32_t index;        // the row that stopped it, or the table's count
    uint32_t called;       // filters actually called
    bool badVerdict;       // a filter returned a value outside the enum (treated as Drop)
};

/// Runs the direction's filters of table[0..count) in order until one stops
/// the packet. BadArgument for a null table with count > 0, a null result
/// or an unknown direction (nothing is called). The packet pointer is
/// passed through untouched.
KDRV_NODISCARD inline Status runPacketFilters(const PacketFilter* table, uint32_t count,
                                              FilterDirection direction, void* packet,
                                              FilterRunResult* result)
{
    if (result == nullptr || (table == nullptr && count != 0) ||
        (direction != FilterDirection::Input && direction != FilterDirection::Output))
        return Status::BadArgument;
    result->verdict = FilterVerdict::Continue;
    result->index = count;
    result->called = 0;
    result->badVerdict = false;
    for (uint32_t i = 0; i < count; ++i)
    {
        PacketFilterFn fn = direction == FilterDirection::Input ? table[i].input : table[i].output;
        if (fn == nullptr)
            continue;
        ++result->called;
        FilterVerdict v = fn(table[i].context, packet);
        if (v == FilterVerdict::Continue)
            continue;
        if (v != FilterVerdict::Consumed && v != FilterVerdict::Drop)
        {
            result->badVerdict = true;
            v = FilterVerdict::Drop;
        }
        result->verdict = v;
        result->index = i;
        return Status::Success;
    }
    return Status::Success;
}
} // namespace kdrv

#endif // KDRV_NET_HEADERS_HPP
