// SPDX-License-Identifier: MIT
//
// SegChain against its contract (seg_chain.hpp): copies across segments that
// are all or nothing, zero-length segments anywhere, offset + len overflow,
// isContiguous for in-place reads, and the walk limit that ends a cyclic
// chain with an error.
#include "kdrv/seg_chain.hpp"

#include <doctest/doctest.h>

#include <stdint.h>
#include <string.h>
#include <vector>

using kdrv::SegChain;
using kdrv::SegChainNode;
using kdrv::Status;

namespace
{
// A packet of `total` bytes (byte i == i * 7 + 1) split at the given segment
// lengths (zeros allowed), each segment in its own allocation.
struct Packet
{
    std::vector<std::vector<uint8_t>> storage;
    std::vector<SegChainNode> nodes;
    std::vector<uint8_t> flat;

    explicit Packet(const std::vector<uint32_t>& lens)
    {
        uint32_t pos = 0;
        storage.resize(lens.size());
        nodes.resize(lens.size());
        for (size_t i = 0; i < lens.size(); ++i)
        {
            storage[i].resize(lens[i] + 1); // never an empty vector: data is non-null
            for (uint32_t k = 0; k < lens[i]; ++k)
            {
                const uint8_t b = static_cast<uint8_t>((pos + k) * 7 + 1);
                storage[i][k] = b;
                flat.push_back(b);
            }
            pos += lens[i];
            nodes[i].data = storage[i].data();
            nodes[i].len = lens[i];
        }
        REQUIRE(kdrv::segChainLink(nodes.data(), static_cast<uint32_t>(nodes.size())) ==
                Status::Success);
    }
    SegChain chain(uint32_t maxNodes = kdrv::kSegChainDefaultMaxNodes) const
    {
        return SegChain(nodes.empty() ? nullptr : &nodes[0], maxNodes);
    }
    std::vector<uint8_t> bytes() const
    {
        std::vector<uint8_t> out;
        for (size_t i = 0; i < nodes.size(); ++i)
            out.insert(out.end(), storage[i].begin(), storage[i].begin() + nodes[i].len);
        return out;
    }
};

// copyOut of [offset, offset+len) must equal the flat bytes, with the bytes
// around the destination range untouched.
void checkCopyOut(const Packet& p, uint32_t offset, uint32_t len)
{
    std::vector<uint8_t> dst(len + 2, 0xEE);
    REQUIRE(p.chain().copyOut(offset, len, dst.data() + 1) == Status::Success);
    CHECK(dst[0] == 0xEE);
    CHECK(dst[len + 1] == 0xEE);
    CHECK(memcmp(dst.data() + 1, p.flat.data() + offset, len) == 0);
}
} // namespace

TEST_CASE("seg chain: total length sums every segment, zero-length ones included")
{
    Packet p({3, 0, 5, 0, 0, 7, 0});
    uint32_t total = 99;
    CHECK(p.chain().totalLength(&total) == Status::Success);
    CHECK(total == 15);
    CHECK(p.chain().totalLength(nullptr) == Status::BadArgument);
}

TEST_CASE("seg chain: the empty chain has length 0 and only empty ranges")
{
    SegChain empty;
    uint32_t total = 5;
    CHECK(empty.totalLength(&total) == Status::Success);
    CHECK(total == 0);
    uint8_t b = 0x55;
    CHECK(empty.copyOut(0, 0, nullptr) == Status::Success);
    CHECK(empty.copyOut(0, 1, &b) == Status::BadArgument);
    CHECK(empty.copyOut(1, 0, &b) == Status::BadArgument);
    CHECK(empty.copyIn(0, 1, &b) == Status::BadArgument);
    CHECK(b == 0x55);
    uint8_t* ptr = nullptr;
    CHECK_FALSE(empty.isContiguous(0, 1, &ptr));

    // A chain of only zero-length segments behaves the same.
    Packet zeros({0, 0, 0});
    CHECK(zeros.chain().totalLength(&total) == Status::Success);
    CHECK(total == 0);
    CHECK(zeros.chain().copyOut(0, 0, nullptr) == Status::Success);
    CHECK(zeros.chain().copyOut(0, 1, &b) == Status::BadArgument);
}

TEST_CASE("seg chain: copyOut at the start, inside a segment, at a boundary, across many")
{
    Packet p({10, 6, 1, 9, 4});
    const uint32_t total = 30;
    checkCopyOut(p, 0, 4);     // offset 0
    checkCopyOut(p, 3, 5);     // in the middle of the first segment
    checkCopyOut(p, 10, 6);    // exactly one whole segment, starting at a boundary
    checkCopyOut(p, 10, 1);    // the first byte after a boundary
    checkCopyOut(p, 9, 2);     // straddling a boundary by one byte each side
    checkCopyOut(p, 5, 20);    // across 3+ segments
    checkCopyOut(p, 0, total); // the whole packet
    checkCopyOut(p, 26, 4);    // ending exactly at the chain end
    checkCopyOut(p, total, 0); // empty range at the end
    checkCopyOut(p, 16, 1);    // the one-byte segment
}

TEST_CASE("seg chain: one byte past the end is an error and copies nothing")
{
    Packet p({4, 4});
    std::vector<uint8_t> dst(9, 0xAB);
    CHECK(p.chain().copyOut(0, 9, dst.data()) == Status::BadArgument);
    CHECK(p.chain().copyOut(1, 8, dst.data()) == Status::BadArgument);
    CHECK(p.chain().copyOut(8, 1, dst.data()) == Status::BadArgument);
    CHECK(p.chain().copyOut(9, 0, dst.data()) == Status::BadArgument);
    for (uint8_t b : dst)
        CHECK(b == 0xAB);

    const std::vector<uint8_t> before = p.bytes();
    std::vector<uint8_t> src(9, 0x11);
    CHECK(p.chain().copyIn(0, 9, src.data()) == Status::BadArgument);
    CHECK(p.chain().copyIn(7, 2, src.data()) == Status::BadArgument);
    CHECK(p.bytes() == before);
}

TEST_CASE("seg chain: zero-length segments at the start, middle and end are skipped")
{
    Packet p({0, 0, 3, 0, 4, 0, 0, 2, 0});
    for (uint32_t off = 0; off <= 9; ++off)
        for (uint32_t len = 0; off + len <= 9; ++len)
            checkCopyOut(p, off, len);
    uint8_t dst[10];
    CHECK(p.chain().copyOut(0, 10, dst) == Status::BadArgument);
}

TEST_CASE("seg chain: offset plus length overflowing 32 bits is refused")
{
    Packet p({8});
    uint8_t dst[8];
    CHECK(p.chain().copyOut(0xFFFFFFFFu, 2, dst) == Status::BadArgument);
    CHECK(p.chain().copyOut(2, 0xFFFFFFFFu, dst) == Status::BadArgument);
    CHECK(p.chain().copyIn(0x80000000u, 0x80000000u, dst) == Status::BadArgument);
    uint8_t* ptr = nullptr;
    CHECK_FALSE(p.chain().isContiguous(1, 0xFFFFFFFFu, &ptr));
}

TEST_CASE("seg chain: null buffers are refused only for non-empty ranges")
{
    Packet p({4});
    CHECK(p.chain().copyOut(0, 1, nullptr) == Status::BadArgument);
    CHECK(p.chain().copyIn(0, 1, nullptr) == Status::BadArgument);
    CHECK(p.chain().copyOut(2, 0, nullptr) == Status::Success);
    CHECK(p.chain().copyIn(4, 0, nullptr) == Status::Success);
    CHECK(p.chain().forEachSpan(0, 1, nullptr, nullptr) == Status::BadArgument);
}

TEST_CASE("seg chain: a node with bytes but no data pointer is an error")
{
    Packet p({4, 4, 4});
    p.nodes[1].data = nullptr;
    uint8_t dst[12];
    uint32_t total = 0;
    CHECK(p.chain().totalLength(&total) == Status::BadArgument);
    CHECK(p.chain().copyOut(0, 8, dst) == Status::BadArgument);
    // A walk that stops before the bad node succeeds.
    CHECK(p.chain().copyOut(0, 4, dst) == Status::Success);
    // Null data with length 0 is a legal empty segment.
    p.nodes[1].len = 0;
    CHECK(p.chain().totalLength(&total) == Status::Success);
    CHECK(total == 8);
}

TEST_CASE("seg chain: copyIn writes across segments and never grows the chain")
{
    Packet p({3, 0, 5, 2});
    const uint8_t src[6] = {0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5};
    REQUIRE(p.chain().copyIn(2, 6, src) == Status::Success);
    std::vector<uint8_t> expect = p.flat;
    memcpy(expect.data() + 2, src, 6);
    CHECK(p.bytes() == expect);
    // The guard byte after each segment's storage is untouched.
    for (size_t i = 0; i < p.nodes.size(); ++i)
        CHECK(p.storage[i][p.nodes[i].len] == 0);
    uint32_t total = 0;
    REQUIRE(p.chain().totalLength(&total) == Status::Success);
    CHECK(total == 10);
    // Up to the exact end works; one past does not.
    CHECK(p.chain().copyIn(8, 2, src) == Status::Success);
    CHECK(p.chain().copyIn(9, 2, src) == Status::BadArgument);
}

TEST_CASE("seg chain: isContiguous is true inside one segment, false across two")
{
    Packet p({14, 20, 0, 6});
    uint8_t* ptr = nullptr;
    REQUIRE(p.chain().isContiguous(0, 14, &ptr));
    CHECK(ptr == p.storage[0].data());
    REQUIRE(p.chain().isContiguous(14, 20, &ptr));
    CHECK(ptr == p.storage[1].data());
    REQUIRE(p.chain().isContiguous(20, 4, &ptr));
    CHECK(ptr == p.storage[1].data() + 6);
    // Starting exactly at a boundary belongs to the next non-empty segment.
    REQUIRE(p.chain().isContiguous(34, 6, &ptr));
    CHECK(ptr == p.storage[3].data());

    uint8_t* keep = reinterpret_cast<uint8_t*>(&p);
    ptr = keep;
    CHECK_FALSE(p.chain().isContiguous(10, 8, &ptr)); // straddles 0|1
    CHECK_FALSE(p.chain().isContiguous(30, 5, &ptr)); // straddles 1|(empty)|3
    CHECK_FALSE(p.chain().isContiguous(38, 3, &ptr)); // past the end
    CHECK_FALSE(p.chain().isContiguous(0, 0, &ptr));  // empty range
    CHECK(ptr == keep);
    CHECK_FALSE(p.chain().isContiguous(0, 1, nullptr));
}

TEST_CASE("seg chain: a cyclic chain ends with Overrun, never a hang")
{
    Packet p({4, 4, 4});
    p.nodes[2].next = &p.nodes[0]; // 0 -> 1 -> 2 -> 0 ...
    uint32_t total = 0;
    CHECK(p.chain().totalLength(&total) == Status::Overrun);
    CHECK(p.chain(16).totalLength(&total) == Status::Overrun);
    std::vector<uint8_t> dst(64, 0x77);
    // A range longer than one lap walks round until the limit: 64 bytes need
    // 16 nodes of 4 bytes.
    CHECK(p.chain(15).copyOut(0, 64, dst.data()) == Status::Overrun);
    for (uint8_t b : dst)
        CHECK(b == 0x77);
    uint8_t* ptr = nullptr;
    CHECK_FALSE(p.chain(16).isContiguous(200, 2, &ptr));
    // A node pointing at itself.
    SegChainNode self = {p.storage[0].data(), 0, nullptr};
    self.next = &self;
    CHECK(SegChain(&self, 100).totalLength(&total) == Status::Overrun);
    CHECK(SegChain(&self, 100).copyOut(0, 1, dst.data()) == Status::Overrun);
}

TEST_CASE("seg chain: the walk limit counts nodes, not bytes")
{
    Packet p({1, 1, 1, 1});
    uint32_t total = 0;
    CHECK(p.chain(4).totalLength(&total) == Status::Success);
    CHECK(total == 4);
    CHECK(p.chain(3).totalLength(&total) == Status::Overrun);
    uint8_t dst[4];
    CHECK(p.chain(3).copyOut(0, 3, dst) == Status::Success);
    CHECK(p.chain(3).copyOut(0, 4, dst) == Status::Overrun);
    CHECK(p.chain(0).copyOut(0, 1, dst) == Status::Overrun);
    CHECK(p.chain(0).copyOut(0, 0, dst) == Status::Success);
}

TEST_CASE("seg chain: total length above 32 bits is Overrun")
{
    std::vector<uint8_t> byte(1);
    SegChainNode nodes[3] = {{byte.data(), 0x80000000u, nullptr},
                             {byte.data(), 0x7FFFFFFFu, nullptr},
                             {byte.data(), 1, nullptr}};
    REQUIRE(kdrv::segChainLink(nodes, 3) == Status::Success);
    uint32_t total = 0;
    CHECK(SegChain(nodes).totalLength(&total) == Status::Overrun);
    CHECK(SegChain(nodes, 2).totalLength(&total) == Status::Overrun); // 3 nodes
    nodes[1].next = nullptr;
    CHECK(SegChain(nodes, 2).totalLength(&total) == Status::Success);
    CHECK(total == 0xFFFFFFFFu);
}

TEST_CASE("seg chain: forEachSpan visits the pieces in order or not at all")
{
    Packet p({5, 0, 3, 8});
    struct Acc
    {
        std::vector<uint8_t> bytes;
        int calls = 0;
        static void fn(void* c, const uint8_t* d, uint32_t n)
        {
            Acc* a = static_cast<Acc*>(c);
            ++a->calls;
            CHECK(n != 0);
            a->bytes.insert(a->bytes.end(), d, d + n);
        }
    } acc;
    REQUIRE(p.chain().forEachSpan(3, 10, Acc::fn, &acc) == Status::Success);
    CHECK(acc.calls == 3);
    CHECK(acc.bytes == std::vector<uint8_t>(p.flat.begin() + 3, p.flat.begin() + 13));
    Acc none;
    CHECK(p.chain().forEachSpan(3, 14, Acc::fn, &none) == Status::BadArgument);
    CHECK(none.calls == 0);
}

TEST_CASE("seg chain: segChainLink links an array and refuses a null one")
{
    SegChainNode nodes[2] = {};
    CHECK(kdrv::segChainLink(nodes, 2) == Status::Success);
    CHECK(nodes[0].next == &nodes[1]);
    CHECK(nodes[1].next == nullptr);
    CHECK(kdrv::segChainLink(nullptr, 0) == Status::Success);
    CHECK(kdrv::segChainLink(nullptr, 1) == Status::BadArgument);
}

TEST_CASE("seg chain: exhaustive small chains agree with the flat bytes")
{
    // Every split of 6 bytes into up to 4 segments (zero lengths included),
    // every range: copyOut matches, isContiguous matches the split.
    for (uint32_t a = 0; a <= 6; ++a)
        for (uint32_t b = 0; a + b <= 6; ++b)
            for (uint32_t c = 0; a + b + c <= 6; ++c)
            {
                const uint32_t d = 6 - a - b - c;
                Packet p({a, b, c, d});
                const uint32_t bounds[5] = {0, a, a + b, a + b + c, 6};
                for (uint32_t off = 0; off <= 7; ++off)
                    for (uint32_t len = 0; len <= 7; ++len)
                    {
                        uint8_t dst[8];
                        const Status s = p.chain().copyOut(off, len, dst);
                        if (off + len <= 6)
                        {
                            REQUIRE(s == Status::Success);
                            CHECK(memcmp(dst, p.flat.data() + off, len) == 0);
                        }
                        else
                        {
                            CHECK(s == Status::BadArgument);
                        }
                        bool inOne = false;
                        for (int k = 0; k < 4; ++k)
                            inOne = inOne ||
                                    (len != 0 && off >= bounds[k] && off + len <= bounds[k + 1]);
                        uint8_t* ptr = nullptr;
                        CHECK(p.chain().isContiguous(off, len, &ptr) == inOne);
                        if (inOne)
                            CHECK(*ptr == p.flat[off]);
                    }
            }
}

TEST_CASE("seg chain: ranges of more than 16 pieces copy out and in correctly")
{
    // 40 segments of 1..3 bytes (and empty ones): ranges of any number of
    // pieces, below and above what one checking walk records.
    std::vector<uint32_t> lens;
    for (uint32_t i = 0; i < 40; ++i)
        lens.push_back(i % 5 == 4 ? 0 : 1 + i % 3);
    Packet p(lens);
    const uint32_t total = static_cast<uint32_t>(p.flat.size());
    for (uint32_t off = 0; off < total; off += 3)
        for (uint32_t len = 0; off + len <= total; len += 5)
            checkCopyOut(p, off, len);
    std::vector<uint8_t> src(total);
    for (uint32_t i = 0; i < total; ++i)
        src[i] = static_cast<uint8_t>(0xC0 ^ i);
    REQUIRE(p.chain().copyIn(1, total - 2, src.data() + 1) == Status::Success);
    std::vector<uint8_t> expect = p.flat;
    memcpy(expect.data() + 1, src.data() + 1, total - 2);
    CHECK(p.bytes() == expect);
}
