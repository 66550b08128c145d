// SPDX-License-Identifier: MIT
//
/// \file
/// SegChain: a bounded view of a packet held in a chain of buffer segments
/// (the mbuf pattern: a packet's bytes scattered over small buffers linked by
/// a next pointer), with copies across segments that either complete or do
/// nothing.
///
/// The chain is the caller's: a linked list of SegChainNode records (build
/// them from mbuf_data/mbuf_len/mbuf_next, from a DMA ring's buffers, or from
/// an array with segChainLink()). The view never changes the chain's shape:
/// it does not allocate, never appends or splits a segment (unlike
/// mbuf_copyback, copyIn() only overwrites bytes that already exist) and
/// never writes a node.
///
/// Positions are byte offsets from the start of the packet (uint32_t: a
/// packet, even a segmentation-offload one, is far below 4 GiB). Zero-length
/// segments are legal anywhere and simply hold no byte.
///
/// Walk limit. Every walk stops after `maxNodes` nodes, so a corrupt chain
/// whose next pointers form a cycle (or that is simply longer than the driver
/// allows) ends with Status::Overrun instead of looping. A walk visits only
/// the nodes it needs: copyOut(0, 10, ...) on a chain whose tenth byte is in
/// its first node succeeds even if a later node is corrupt.
///
/// Status of every operation, first failure wins, checked before any byte is
/// written (all or nothing):
///   BadArgument  a null destination/source/out-pointer for a non-empty
///                request; offset + len above UINT32_MAX; the range ends past
///                the end of the chain; a visited node with len > 0 and a null
///                data pointer
///   Overrun      the walk needed more than maxNodes nodes (a cycle, or a
///                chain longer than allowed); totalLength() of a chain of
///                more than UINT32_MAX bytes
/// A failed call has copied nothing: the destination (copyOut) or the chain
/// (copyIn) is unchanged.
///
/// Calling context: pure logic over caller memory; bounded, never blocks, so
/// any context, interrupts included. Concurrent readers are fine; copyIn()
/// needs the same exclusion as any other writer of the packet's bytes.
#ifndef KDRV_SEG_CHAIN_HPP
#define KDRV_SEG_CHAIN_HPP

#include "kdrv/base.hpp"   // for min32, addOverflow32
#include "kdrv/copy.hpp"   // for copyBulk
#include "kdrv/status.hpp" // for Status

namespace kdrv
{
/// One segment: `len` bytes at `data`, then the segment at `next` (null ends
/// the chain). data may be null only when len is 0.
struct SegChainNode
{
    uint8_t* data;
    uint32_t len;
    const SegChainNode* next;
};

/// A contiguous piece of a chain, as handed to a SegChainSpanFn.
typedef void (*SegChainSpanFn)(void* context, const uint8_t* data, uint32_t len);

/// Default walk limit: a 64 KiB packet in 256-byte buffers needs 256 nodes;
/// four times that leaves room for zero-length segments.
constexpr uint32_t kSegChainDefaultMaxNodes = 1024;

/// Links nodes[0..count) in array order (the last node's next becomes null).
/// BadArgument for a null array with count > 0; count 0 does nothing.
KDRV_NODISCARD inline Status segChainLink(SegChainNode* nodes, uint32_t count)
{
    if (nodes == nullptr)
        return count == 0 ? Status::Success : Status::BadArgument;
    for (uint32_t i = 0; i < count; ++i)
        nodes[i].next = (i + 1 < count) ? &nodes[i + 1] : nullptr;
    return Status::Success;
}

class SegChain
{
  public:
    /// The empty chain.
    constexpr SegChain() : head_(nullptr), maxNodes_(kSegChainDefaultMaxNodes) {}
    /// The chain starting at head (null: empty), walked at most maxNodes
    /// nodes deep. maxNodes 0 makes every walk of a non-empty chain fail.
    constexpr explicit SegChain(const SegChainNode* head,
                                uint32_t maxNodes = kSegChainDefaultMaxNodes)
        : head_(head), maxNodes_(maxNodes)
    {
    }

    const SegChainNode* head() const { return head_; }
    uint32_t maxNodes() const { return maxNodes_; }

    /// The packet's length in bytes: every node is visited (so a cycle or an
    /// over-long chain is always found here). BadArgument for a null out or a
    /// node with len > 0 and null data; Overrun past maxNodes nodes or above
    /// UINT32_MAX bytes.
    KDRV_NODISCARD Status totalLength(uint32_t* out) const
    {
        if (out == nullptr)
            return Status::BadArgument;
        uint32_t total = 0;
        uint32_t visited = 0;
        for (const SegChainNode* n = head_; n != nullptr; n = n->next)
        {
            if (++visited > maxNodes_)
                return Status::Overrun;
            if (n->len != 0 && n->data == nullptr)
                return Status::BadArgument;
            if (addOverflow32(total, n->len, &total))
                return Status::Overrun;
        }
        *out = total;
        return Status::Success;
    }

    /// Copies bytes [offset, offset + len) of the packet to dst
    /// (mbuf_copydata). len 0 succeeds when offset <= the packet length (dst
    /// may then be null). All or nothing: on failure dst is untouched.
    KDRV_NODISCARD Status copyOut(uint32_t offset, uint32_t len, void* dst) const
    {
        const SegChainNode* node = nullptr;
        uint32_t at = 0;
        Piece pieces[kPieces];
        uint32_t count = 0;
        Status s = locate(offset, len, dst != nullptr, &node, &at, pieces, &count);
        if (s != Status::Success)
            return s;
        uint8_t* out = static_cast<uint8_t*>(dst);
        if (count <= kPieces)
        {
            for (uint32_t i = 0; i < count; ++i)
            {
                copyBulk(out, pieces[i].data, pieces[i].len);
                out += pieces[i].len;
            }
            return Status::Success;
        }
        while (len != 0)
        {
            const uint32_t n = min32(node->len - at, len);
            copyBulk(out, node->data + at, n);
            out += n;
            len -= n;
            node = node->next;
            at = 0;
        }
        return Status::Success;
    }

    /// Overwrites bytes [offset, offset + len) of the packet with src. The
    /// chain never grows: a range past its end is BadArgument and nothing is
    /// written. src may be null when len is 0.
    KDRV_NODISCARD Status copyIn(uint32_t offset, uint32_t len, const void* src) const
    {
        const SegChainNode* node = nullptr;
        uint32_t at = 0;
        Piece pieces[kPieces];
        uint32_t count = 0;
        Status s = locate(offset, len, src != nullptr, &node, &at, pieces, &count);
        if (s != Status::Success)
            return s;
        const uint8_t* in = static_cast<const uint8_t*>(src);
        if (count <= kPieces)
        {
            for (uint32_t i = 0; i < count; ++i)
            {
                copyBulk(pieces[i].data, in, pieces[i].len);
                in += pieces[i].len;
            }
            return Status::Success;
        }
        while (len != 0)
        {
            const uint32_t n = min32(node->len - at, len);
            copyBulk(node->data + at, in, n);
            in += n;
            len -= n;
            node = node->next;
            at = 0;
        }
        return Status::Success;
    }

    /// True only if the whole range [offset, offset + len), len >= 1, lies in
    /// one segment; then *ptr points at its first byte, so a header can be
    /// read (or edited) in place without a copy. False for len 0, for a range
    /// that straddles segments or ends past the chain, for a bad chain, and
    /// for a null ptr (which is left alone). On false *ptr is unchanged.
    KDRV_NODISCARD bool isContiguous(uint32_t offset, uint32_t len, uint8_t** ptr) const
    {
        if (ptr == nullptr || len == 0)
            return false;
        const SegChainNode* node = nullptr;
        uint32_t at = 0;
        if (locate(offset, len, true, &node, &at, nullptr, nullptr) != Status::Success)
            return false;
        if (node->len - at < len)
            return false;
        *ptr = node->data + at;
        return true;
    }

    /// Calls fn(context, data, n) for each non-empty piece of
    /// [offset, offset + len), in order, after the whole range was checked
    /// (so fn is called either for every byte of the range or not at all).
    /// BadArgument for a null fn with len > 0, else as copyOut().
    KDRV_NODISCARD Status forEachSpan(uint32_t offset, uint32_t len, SegChainSpanFn fn,
                                      void* context) const
    {
        const SegChainNode* node = nullptr;
        uint32_t at = 0;
        Status s = locate(offset, len, fn != nullptr, &node, &at, nullptr, nullptr);
        if (s != Status::Success)
            return s;
        while (len != 0)
        {
            const uint32_t n = min32(node->len - at, len);
            if (n != 0)
                fn(context, node->data + at, n);
            len -= n;
            node = node->next;
            at = 0;
        }
        return Status::Success;
    }

  private:
    /// The non-empty pieces of a range, recorded by the checking walk so the
    /// copy need not chase the next pointers again (a chain walk is one
    /// dependent load per node). Ranges of more pieces walk twice.
    struct Piece
    {
        uint8_t* data;
        uint32_t len;
    };
    static constexpr uint32_t kPieces = 16;

    /// Checks [offset, offset + len) against the chain and finds its first
    /// byte: *node/*at is the first non-empty segment holding it (for len 0,
    /// any position is fine and *node may be null). Every node up to the one
    /// holding the range's last byte is visited, and counted against the
    /// walk limit. With a pieces array, records up to kPieces pieces and
    /// sets *count to their number, or to kPieces + 1 if there are more.
    KDRV_NODISCARD Status locate(uint32_t offset, uint32_t len, bool haveBuffer,
                                 const SegChainNode** node, uint32_t* at, Piece* pieces,
                                 uint32_t* count) const
    {
        uint32_t end = 0;
        if (len != 0 && !haveBuffer)
            return Status::BadArgument;
        if (addOverflow32(offset, len, &end))
            return Status::BadArgument;
        uint32_t pos = 0; // packet offset of n's first byte
        uint32_t visited = 0;
        uint32_t recorded = 0;
        const SegChainNode* first = nullptr;
        uint32_t firstAt = 0;
        const SegChainNode* n = head_;
        // Walk until the node that holds byte end - 1 (for len 0, end ==
        // offset: until pos reaches it).
        while (pos < end)
        {
            if (n == nullptr)
                return Status::BadArgument; // the range ends past the chain
            if (++visited > maxNodes_)
                return Status::Overrun;
            if (n->len != 0 && n->data == nullptr)
                return Status::BadArgument;
            // The packet offset cannot wrap here: pos < end <= UINT32_MAX,
            // and a node's bytes past `end` are never added.
            const uint32_t room = end - pos;
            const uint32_t step = n->len < room ? n->len : room;
            if (offset < pos + step)
            {
                const uint32_t from = offset > pos ? offset - pos : 0;
                if (first == nullptr)
                {
                    first = n;
                    firstAt = from;
                }
                if (pieces != nullptr && recorded < kPieces)
                {
                    pieces[recorded].data = n->data + from;
                    pieces[recorded].len = step - from;
                }
                ++recorded;
            }
            pos += step;
            n = n->next;
        }
        if (count != nullptr)
            *count = recorded <= kPieces ? recorded : kPieces + 1;
        if (len == 0)
        {
            *node = n;
            *at = 0;
            return Status::Success;
        }
        *node = first;
        *at = firstAt;
        return Status::Success;
    }

    const SegChainNode* head_;
    uint32_t maxNodes_;
};
} // namespace kdrv

#endif // KDRV_SEG_CHAIN_HPP
