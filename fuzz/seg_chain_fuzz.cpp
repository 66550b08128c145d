// SPDX-License-Identifier: MIT
//
// SegChain against a reference model written from seg_chain.hpp's contract.
//
// The input builds a chain of up to 12 nodes, each with its own heap buffer
// (so ASan sees any byte read or written outside a segment): lengths 0..40,
// some nodes with a null data pointer (length 0: legal; length > 0: a bad
// node), an optional back edge that makes the chain cyclic, and a walk
// limit 0..20. A second mode gives nodes huge lengths without buffers and
// only asks for the total length (the 32-bit overflow rule).
//
// Operations, in any order (up to 24 per input), with offsets and lengths
// near the chain's end, at 0 and near 2^32 (overflow), null buffers too:
//   0 totalLength          1 copyOut         2 copyIn
//   3 isContiguous         4 forEachSpan     5 segChainLink on a copy
//
// The model expands the chain into its walk order (repeating nodes of a
// cycle) and states the contract directly: the walk needs the nodes up to
// the one holding the range's last byte (for an empty range, up to the
// offset); the first of those past the limit is Overrun, a missing one
// (the chain ended) or a bad one is BadArgument; a null buffer for a
// non-empty range and offset + len above 2^32 - 1 are BadArgument before
// any walk. Byte results are compared exactly: copyOut must return the
// bytes of the walk order, copyIn must write exactly them (later laps of a
// cycle win), and every failed call must leave destination and chain
// untouched.
#include "kdrv/seg_chain.hpp"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vector>

#include "fuzz_check.hpp" // for FUZZ_CHECK

namespace
{
struct Input
{
    const uint8_t* data;
    size_t size;
    size_t pos;
    uint8_t byte() { return pos < size ? data[pos++] : 0; }
    uint32_t u32()
    {
        uint32_t v = 0;
        for (int i = 0; i < 4; ++i)
            v |= static_cast<uint32_t>(byte()) << (8 * i);
        return v;
    }
    bool done() const { return pos >= size; }
};

struct Node
{
    std::vector<uint8_t> bytes; // model copy of the segment
    uint8_t* storage;           // the real segment (null: no data pointer)
    uint32_t len;
    int next; // -1 ends the chain
};

// Walk order: node indices in the order a walk visits them, at most `cap`.
std::vector<int> walkOrder(const std::vector<Node>& nodes, size_t cap)
{
    std::vector<int> order;
    int i = nodes.empty() ? -1 : 0;
    while (i >= 0 && order.size() < cap)
    {
        order.push_back(i);
        i = nodes[static_cast<size_t>(i)].next;
    }
    return order;
}

// The contract's answer for a range; on Success, *firstNode/*firstAt give
// the position of `offset` (for len > 0).
kdrv::Status modelLocate(const std::vector<Node>& nodes, uint32_t maxNodes, uint32_t offset,
                         uint32_t len, bool haveBuffer, std::vector<int>* order)
{
    if (len != 0 && !haveBuffer)
        return kdrv::Status::BadArgument;
    const uint64_t end = uint64_t(offset) + len;
    if (end > 0xFFFFFFFFull)
        return kdrv::Status::BadArgument;
    const uint64_t target = end; // == offset when len == 0
    *order = walkOrder(nodes, static_cast<size_t>(maxNodes) + 2);
    uint64_t pos = 0;
    size_t k = 0;
    while (pos < target)
    {
        if (k == order->size())
        {
            // Either the chain ended, or the expansion stopped at the cap.
            if (k <= maxNodes)
                return kdrv::Status::BadArgument;
            return kdrv::Status::Overrun;
        }
        if (k + 1 > maxNodes)
            return kdrv::Status::Overrun;
        const Node& n = nodes[static_cast<size_t>((*order)[k])];
        if (n.len != 0 && n.storage == nullptr)
            return kdrv::Status::BadArgument;
        pos += n.len;
        ++k;
    }
    return kdrv::Status::Success;
}

// Packet byte p of the walk order -> (node, index), precomputed per input
// (the chain's shape never changes; copyIn changes bytes only).
struct ByteMap
{
    std::vector<int> node;
    std::vector<uint32_t> idx;
    ByteMap(const std::vector<Node>& nodes, const std::vector<int>& order)
    {
        for (int i : order)
            for (uint32_t k = 0; k < nodes[static_cast<size_t>(i)].len; ++k)
            {
                node.push_back(i);
                idx.push_back(k);
            }
    }
};

void modelByte(const ByteMap& map, uint32_t p, int* node, uint32_t* idx)
{
    if (p >= map.node.size())
        abort(); // the model asked for a byte outside the range it validated
    *node = map.node[p];
    *idx = map.idx[p];
}

bool realMatchesModel(const std::vector<Node>& nodes)
{
    for (const Node& n : nodes)
        if (n.storage != nullptr && n.len != 0 && memcmp(n.storage, n.bytes.data(), n.len) != 0)
            return false;
    return true;
}

struct SpanLog
{
    std::vector<uint8_t> bytes;
    bool emptyPiece;
};
void logSpan(void* c, const uint8_t* d, uint32_t n)
{
    SpanLog* s = static_cast<SpanLog*>(c);
    if (n == 0)
        s->emptyPiece = true;
    s->bytes.insert(s->bytes.end(), d, d + n);
}

void lengthsOnly(Input& in)
{
    const size_t count = in.byte() % 9;
    std::vector<kdrv::SegChainNode> nodes(count);
    uint64_t total = 0;
    for (size_t i = 0; i < count; ++i)
    {
        const uint8_t sel = in.byte();
        nodes[i].len = (sel & 1) ? in.u32() : (sel % 4 == 0 ? 0xFFFFFFFFu : sel);
        nodes[i].data = reinterpret_cast<uint8_t*>(&nodes[i]); // never read by totalLength
        nodes[i].next = i + 1 < count ? &nodes[i + 1] : nullptr;
        total += nodes[i].len;
    }
    const uint32_t maxNodes = in.byte() % 12;
    uint32_t got = 0;
    const kdrv::Status s = kdrv::SegChain(count ? &nodes[0] : nullptr, maxNodes).totalLength(&got);
    if (count > maxNodes)
        FUZZ_CHECK(s == kdrv::Status::Overrun);
    else if (total > 0xFFFFFFFFull)
        FUZZ_CHECK(s == kdrv::Status::Overrun);
    else
        FUZZ_CHECK(s == kdrv::Status::Success && got == total);
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    Input in = {data, size, 0};
    const uint8_t mode = in.byte();
    if ((mode & 7) == 7)
    {
        lengthsOnly(in);
        return 0;
    }
    const size_t count = in.byte() % 13;
    std::vector<Node> nodes(count);
    uint8_t fill = 1;
    for (size_t i = 0; i < count; ++i)
    {
        const uint8_t sel = in.byte();
        Node& n = nodes[i];
        n.len = sel % 41;
        if ((sel & 0xC0) == 0xC0)
            n.len = 0;
        n.bytes.resize(n.len);
        for (uint32_t k = 0; k < n.len; ++k)
            n.bytes[k] = fill++;
        const bool noData = (in.byte() % 16) == 0;
        n.storage = noData ? nullptr : static_cast<uint8_t*>(malloc(n.len ? n.len : 1));
        if (n.storage != nullptr && n.len != 0)
            memcpy(n.storage, n.bytes.data(), n.len);
        n.next = i + 1 < count ? static_cast<int>(i + 1) : -1;
    }
    if (count != 0 && (mode & 8) != 0)
        nodes[count - 1].next = static_cast<int>(in.byte() % count); // a cycle
    // A small limit, or the default one; a cycle under the default limit uses
    // 24 instead, so that one input stays cheap (the rule is the same).
    const bool cyclic = count != 0 && nodes[count - 1].next >= 0;
    const uint32_t maxNodes = (mode & 16) != 0 ? in.byte() % 21
                              : cyclic         ? 24
                                               : kdrv::kSegChainDefaultMaxNodes;

    std::vector<kdrv::SegChainNode> real(count);
    for (size_t i = 0; i < count; ++i)
    {
        real[i].data = nodes[i].storage;
        real[i].len = nodes[i].len;
        real[i].next = nodes[i].next < 0 ? nullptr : &real[static_cast<size_t>(nodes[i].next)];
    }
    const kdrv::SegChain chain(count ? &real[0] : nullptr, maxNodes);

    // The packet length per the model (for choosing interesting offsets).
    std::vector<int> order = walkOrder(nodes, static_cast<size_t>(maxNodes) + 2);
    const ByteMap map(nodes, order);
    uint32_t modelTotal = 0;
    for (int i : order)
        modelTotal += nodes[static_cast<size_t>(i)].len; // at most (maxNodes + 2) * 40

    int ops = 0;
    while (!in.done() && ops++ < 24)
    {
        const uint8_t op = in.byte() % 6;
        const uint8_t sel = in.byte();
        uint32_t offset = 0, len = 0;
        switch (sel & 3)
        {
        case 0:
            offset = in.byte() % (modelTotal + 3);
            len = in.byte() % (modelTotal + 3);
            break;
        case 1:
            len = in.byte() % 4;
            offset = modelTotal >= len ? modelTotal - len + (in.byte() % 3) : 0;
            break;
        case 2:
            offset = in.u32();
            len = in.u32();
            break;
        default:
            offset = 0xFFFFFFFFu - (in.byte() % 4);
            len = in.byte() % 4;
            break;
        }
        const bool nullBuffer = (sel & 0x30) == 0x30;

        if (op == 0)
        {
            uint32_t total = 0xDEAD;
            const kdrv::Status s = chain.totalLength((sel & 4) ? nullptr : &total);
            if (sel & 4)
            {
                FUZZ_CHECK(s == kdrv::Status::BadArgument);
                continue;
            }
            // Every node is visited.
            std::vector<int> all = walkOrder(nodes, static_cast<size_t>(maxNodes) + 1);
            kdrv::Status expect = kdrv::Status::Success;
            uint64_t sum = 0;
            for (size_t k = 0; k < all.size(); ++k)
            {
                if (k + 1 > maxNodes)
                {
                    expect = kdrv::Status::Overrun;
                    break;
                }
                const Node& n = nodes[static_cast<size_t>(all[k])];
                if (n.len != 0 && n.storage == nullptr)
                {
                    expect = kdrv::Status::BadArgument;
                    break;
                }
                sum += n.len;
            }
            FUZZ_CHECK(s == expect);
            if (expect == kdrv::Status::Success)
                FUZZ_CHECK(total == sum);
            else
                FUZZ_CHECK(total == 0xDEAD);
            continue;
        }
        if (len > 4096)
            len = 4096 + (len & 7); // buffer sizes stay small; overflow cases keep their offset
        if (op == 1 || op == 2)
        {
            std::vector<int> walk;
            const kdrv::Status expect =
                modelLocate(nodes, maxNodes, offset, len, !nullBuffer, &walk);
            std::vector<uint8_t> buf(len + 2, 0xA5);
            const uint8_t seed = in.byte();
            for (uint32_t k = 0; k < len; ++k)
                buf[k + 1] = static_cast<uint8_t>(seed + k * 31u);
            const std::vector<uint8_t> before = buf;
            uint8_t* p = nullBuffer ? nullptr : buf.data() + 1;
            if (op == 1)
            {
                const kdrv::Status s = chain.copyOut(offset, len, p);
                FUZZ_CHECK(s == expect);
                FUZZ_CHECK(buf[0] == 0xA5 && buf[len + 1] == 0xA5);
                if (s != kdrv::Status::Success)
                {
                    FUZZ_CHECK(buf == before);
                }
                else
                {
                    for (uint32_t k = 0; k < len; ++k)
                    {
                        int node = 0;
                        uint32_t idx = 0;
                        modelByte(map, offset + k, &node, &idx);
                        FUZZ_CHECK(buf[k + 1] == nodes[static_cast<size_t>(node)].bytes[idx]);
                    }
                }
            }
            else
            {
                const kdrv::Status s = chain.copyIn(offset, len, p);
                FUZZ_CHECK(s == expect);
                if (s == kdrv::Status::Success)
                {
                    for (uint32_t k = 0; k < len; ++k)
                    {
                        int node = 0;
                        uint32_t idx = 0;
                        modelByte(map, offset + k, &node, &idx);
                        nodes[static_cast<size_t>(node)].bytes[idx] = buf[k + 1];
                    }
                }
                FUZZ_CHECK(realMatchesModel(nodes));
            }
            continue;
        }
        if (op == 3)
        {
            std::vector<int> walk;
            const kdrv::Status loc = modelLocate(nodes, maxNodes, offset, len, true, &walk);
            bool expect = false;
            uint8_t* expectPtr = nullptr;
            if (loc == kdrv::Status::Success && len != 0 && !nullBuffer)
            {
                int node = 0;
                uint32_t idx = 0;
                modelByte(map, offset, &node, &idx);
                const Node& n = nodes[static_cast<size_t>(node)];
                expect = n.len - idx >= len;
                expectPtr = n.storage + idx;
            }
            uint8_t marker = 0;
            uint8_t* ptr = &marker;
            const bool got = chain.isContiguous(offset, len, nullBuffer ? nullptr : &ptr);
            FUZZ_CHECK(got == expect);
            FUZZ_CHECK(got ? ptr == expectPtr : ptr == &marker);
            continue;
        }
        if (op == 4)
        {
            std::vector<int> walk;
            const kdrv::Status expect =
                modelLocate(nodes, maxNodes, offset, len, !nullBuffer, &walk);
            SpanLog log = {std::vector<uint8_t>(), false};
            const kdrv::Status s =
                chain.forEachSpan(offset, len, nullBuffer ? nullptr : logSpan, &log);
            FUZZ_CHECK(s == expect);
            FUZZ_CHECK(!log.emptyPiece);
            if (s != kdrv::Status::Success)
            {
                FUZZ_CHECK(log.bytes.empty());
            }
            else
            {
                FUZZ_CHECK(log.bytes.size() == len);
                for (uint32_t k = 0; k < len; ++k)
                {
                    int node = 0;
                    uint32_t idx = 0;
                    modelByte(map, offset + k, &node, &idx);
                    FUZZ_CHECK(log.bytes[k] == nodes[static_cast<size_t>(node)].bytes[idx]);
                }
            }
            continue;
        }
        // op 5: segChainLink links a copy in array order.
        std::vector<kdrv::SegChainNode> copy = real;
        const uint32_t n = static_cast<uint32_t>(copy.size());
        const kdrv::Status s = kdrv::segChainLink(nullBuffer ? nullptr : copy.data(), n);
        if (nullBuffer)
        {
            FUZZ_CHECK(s == (n == 0 ? kdrv::Status::Success : kdrv::Status::BadArgument));
        }
        else
        {
            FUZZ_CHECK(s == kdrv::Status::Success);
            for (uint32_t i = 0; i < n; ++i)
                FUZZ_CHECK(copy[i].next == (i + 1 < n ? &copy[i + 1] : nullptr));
        }
    }
    for (Node& n : nodes)
        free(n.storage);
    return 0;
}
