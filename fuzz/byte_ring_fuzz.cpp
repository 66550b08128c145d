// SPDX-License-Identifier: MIT
//
// Random operation sequences on ByteRing and the serial queue bits, checked
// against a reference model written from byte_ring.hpp's contract: a deque of
// bytes, the open reservation (bytes left, stale or not), the open batches
// and the destroyed state.
//
// Public operations, every one reachable after any other (one opcode each):
//   ByteRing: init (re-init over the same storage), destroy, resize, put,
//     write, reserve, fill-and-commit (commit of a current reservation),
//     commit of any size at any time (stale, doubled, oversized, without a
//     reserve), get, read, peek, consume (any size, after get or without a
//     peek), flush, used/space/empty/full/capacity/isInitialized (after
//     every operation);
//   ByteRingPutBatch: construct, put, publish (also after another producer
//     operation published meanwhile: Busy), destruction;
//   ByteRingGetBatch: construct, get, publish (also after get/read/consume/
//     flush meanwhile: Busy), destruction;
//   serial queue bits: validateSerialWatermarks, computeQueueBits.
// Model rules (the header's): a reservation is cancelled by any producer
// operation that publishes and by init/resize/destroy; commit(0) is Success;
// a commit beyond what is left or of a cancelled reservation is BadArgument
// and publishes nothing; a batch overtaken by its own side publishes nothing
// (Busy); a destroyed ring behaves as empty with capacity 0.
#include "kdrv/byte_ring.hpp"
#include "kdrv/serial_queue.hpp"

#include <deque>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
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
    uint32_t u16() { return static_cast<uint32_t>(byte()) | static_cast<uint32_t>(byte()) << 8; }
    bool done() const { return pos >= size; }
};

uint32_t modelBits(uint32_t used, uint32_t cap, uint32_t low, uint32_t high)
{
    uint32_t b = 0;
    if (cap - used == 0)
        b |= kdrv::kSerialStateTxqFull;
    else if (used == 0)
        b |= kdrv::kSerialStateTxqEmpty;
    if (used < low)
        b |= kdrv::kSerialStateTxqLowWater;
    if (used > high)
        b |= kdrv::kSerialStateTxqHighWater;
    return b;
}

uint32_t min32(uint32_t a, uint32_t b) { return a < b ? a : b; }

struct Model
{
    std::deque<uint8_t> bytes;
    uint32_t capacity = 0; // 0 while destroyed
    // The open reservation: its spans, bytes left, and whether it is current.
    bool reservation = false;
    kdrv::ByteRingSpan spans[2] = {};
    uint32_t reservedTotal = 0;
    uint32_t reservedUsed = 0;
    uint8_t next = 0;
    uint32_t held() const { return static_cast<uint32_t>(bytes.size()); }
    uint32_t space() const { return capacity - held(); }
    void published() { reservation = false; } // a producer operation published
};
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    Input in = {data, size, 0};
    // Storage 2^k (k 0..12), capacity 1..storage.
    const uint32_t storageSize = 1u << (in.byte() % 13);
    std::vector<uint8_t> storage(storageSize);
    kdrv::ByteRing ring;
    Model m;
    m.capacity = 1 + in.u16() % storageSize;
    FUZZ_CHECK(ring.init(storage.data(), storageSize, m.capacity) == kdrv::Status::Success);
    // Start the counters at an arbitrary offset by streaming through.
    uint32_t remaining = in.u16() % (4 * storageSize + 1);
    while (remaining != 0)
    {
        kdrv::ByteRingSpan s[2];
        uint32_t n = ring.reserve(s, remaining);
        FUZZ_CHECK(n != 0 && ring.commit(n) == kdrv::Status::Success &&
                   ring.consume(n) == kdrv::Status::Success);
        remaining -= n;
    }
    std::vector<uint8_t> buf(storageSize * 2 + 2);
    uint32_t low = 1, high = m.capacity;
    while (!in.done())
    {
        const uint8_t op = in.byte();
        const uint32_t n = in.u16() % (m.capacity * 2 + 2);
        const uint32_t held = m.held();
        switch (op % 18)
        {
        case 0:
        {
            const bool ok = ring.put(m.next);
            FUZZ_CHECK(ok == (held < m.capacity));
            if (ok)
            {
                m.bytes.push_back(m.next++);
                m.published();
            }
            break;
        }
        case 1:
        {
            uint8_t b = 0xA5;
            const bool ok = ring.get(&b);
            FUZZ_CHECK(ok == (held > 0));
            if (ok)
            {
                FUZZ_CHECK(b == m.bytes.front());
                m.bytes.pop_front();
            }
            else
                FUZZ_CHECK(b == 0xA5);
            break;
        }
        case 2:
        {
            for (uint32_t i = 0; i < n; ++i)
                buf[i] = static_cast<uint8_t>(m.next + i);
            const uint32_t expect = min32(n, m.space());
            FUZZ_CHECK(ring.write(buf.data(), n) == expect);
            for (uint32_t i = 0; i < expect; ++i)
                m.bytes.push_back(m.next++);
            if (expect != 0)
                m.published();
            break;
        }
        case 3:
        {
            const uint32_t expect = min32(n, held);
            FUZZ_CHECK(ring.read(buf.data(), n) == expect);
            for (uint32_t i = 0; i < expect; ++i)
            {
                FUZZ_CHECK(buf[i] == m.bytes.front());
                m.bytes.pop_front();
            }
            break;
        }
        case 4: // reserve: a new reservation replaces the old one
        {
            kdrv::ByteRingSpan s[2];
            const uint32_t total = ring.reserve(s, n);
            FUZZ_CHECK(total == min32(n, m.space()));
            FUZZ_CHECK(s[0].size + s[1].size == total);
            if (total != 0)
            {
                FUZZ_CHECK(s[0].data >= storage.data() &&
                           s[0].data + s[0].size <= storage.data() + storageSize);
                FUZZ_CHECK(s[1].size == 0 || s[1].data == storage.data());
            }
            m.reservation = true;
            m.spans[0] = s[0];
            m.spans[1] = s[1];
            m.reservedTotal = total;
            m.reservedUsed = 0;
            break;
        }
        case 5: // fill the next k reserved bytes and commit them (current only)
        {
            if (!m.reservation)
                break;
            const uint32_t k = n % (m.reservedTotal - m.reservedUsed + 1);
            for (uint32_t i = m.reservedUsed; i < m.reservedUsed + k; ++i)
            {
                uint8_t* p = i < m.spans[0].size ? m.spans[0].data + i
                                                 : m.spans[1].data + (i - m.spans[0].size);
                *p = m.next;
                m.bytes.push_back(m.next++);
            }
            FUZZ_CHECK(ring.commit(k) == kdrv::Status::Success);
            m.reservedUsed += k;
            break;
        }
        case 6: // commit of any size, without writing: misuse must be refused
        {
            const uint32_t k = n % (storageSize + 3);
            const kdrv::Status s = ring.commit(k);
            const bool ok = k == 0 || (m.reservation && k <= m.reservedTotal - m.reservedUsed);
            FUZZ_CHECK((s == kdrv::Status::Success) == ok);
            FUZZ_CHECK(s == kdrv::Status::Success || s == kdrv::Status::BadArgument);
            if (ok && k != 0)
            {
                // The bytes are whatever the storage held: take them from it.
                for (uint32_t i = m.reservedUsed; i < m.reservedUsed + k; ++i)
                {
                    const uint8_t* p = i < m.spans[0].size
                                           ? m.spans[0].data + i
                                           : m.spans[1].data + (i - m.spans[0].size);
                    m.bytes.push_back(*p);
                }
                m.reservedUsed += k;
            }
            break;
        }
        case 7:
        {
            kdrv::ByteRingConstSpan s[2];
            const uint32_t total = ring.peek(s, n);
            FUZZ_CHECK(total == min32(n, held));
            FUZZ_CHECK(s[0].size + s[1].size == total);
            for (uint32_t i = 0; i < total; ++i)
            {
                const uint8_t* p = i < s[0].size ? s[0].data + i : s[1].data + (i - s[0].size);
                FUZZ_CHECK(*p == m.bytes[i]);
            }
            break;
        }
        case 8: // consume any size, peeked or not
        {
            const uint32_t k = n % (held + 3);
            const kdrv::Status s = ring.consume(k);
            FUZZ_CHECK((s == kdrv::Status::Success) == (k <= held));
            FUZZ_CHECK(s == kdrv::Status::Success || s == kdrv::Status::BadArgument);
            if (s == kdrv::Status::Success)
                for (uint32_t i = 0; i < k; ++i)
                    m.bytes.pop_front();
            break;
        }
        case 9:
            FUZZ_CHECK(ring.flush() == held);
            m.bytes.clear();
            break;
        case 10: // a put batch, optionally overtaken by put/write before publish
        {
            kdrv::ByteRingPutBatch batch(ring);
            uint32_t staged = 0;
            for (uint32_t i = 0; i < n % 40; ++i)
            {
                const bool ok = batch.put(static_cast<uint8_t>(m.next + staged));
                FUZZ_CHECK(ok == (held + staged < m.capacity));
                if (ok)
                    ++staged;
            }
            const uint8_t how = in.byte() % 4;
            bool overtaken = false;
            if (how == 1 && held < m.capacity)
            {
                // The batch's staged bytes are invisible: the put lands at the
                // published index, which is where the batch staged its first.
                FUZZ_CHECK(ring.put(0x5A));
                m.bytes.push_back(0x5A);
                overtaken = true;
                m.published();
            }
            if (how == 2)
            {
                // An overtaking write of 0 bytes publishes nothing.
                FUZZ_CHECK(ring.write(buf.data(), 0) == 0);
            }
            if (how == 3)
            {
                for (uint32_t i = 0; i < staged; ++i)
                    m.bytes.push_back(m.next++);
                if (staged != 0)
                    m.published();
                break; // destruction publishes
            }
            const kdrv::Status s = batch.publish();
            FUZZ_CHECK(s == (overtaken ? kdrv::Status::Busy : kdrv::Status::Success));
            if (!overtaken)
            {
                for (uint32_t i = 0; i < staged; ++i)
                    m.bytes.push_back(m.next++);
                if (staged != 0)
                    m.published();
            }
            // Publishing again, and the destruction, publish nothing more.
            FUZZ_CHECK(batch.publish() == kdrv::Status::Success);
            break;
        }
        case 11: // a get batch, optionally overtaken by a consumer operation
        {
            kdrv::ByteRingGetBatch batch(ring);
            uint32_t taken = 0;
            for (uint32_t i = 0; i < n % 40; ++i)
            {
                uint8_t b = 0;
                const bool ok = batch.get(&b);
                FUZZ_CHECK(ok == (taken < held));
                if (!ok)
                    break;
                FUZZ_CHECK(b == m.bytes[taken]);
                ++taken;
            }
            const uint8_t how = in.byte() % 4;
            bool overtaken = false;
            if (how == 1 && held != 0)
            {
                uint8_t b = 0;
                FUZZ_CHECK(ring.get(&b));
                FUZZ_CHECK(b == m.bytes.front());
                m.bytes.pop_front();
                overtaken = true;
            }
            if (how == 2 && held != 0)
            {
                FUZZ_CHECK(ring.flush() == held);
                m.bytes.clear();
                overtaken = true;
            }
            if (how == 3)
            {
                for (uint32_t i = 0; i < taken; ++i)
                    m.bytes.pop_front();
                break; // destruction publishes
            }
            const kdrv::Status s = batch.publish();
            FUZZ_CHECK(s == (overtaken ? kdrv::Status::Busy : kdrv::Status::Success));
            if (!overtaken)
                for (uint32_t i = 0; i < taken; ++i)
                    m.bytes.pop_front();
            FUZZ_CHECK(batch.publish() == kdrv::Status::Success);
            break;
        }
        case 12: // resize
        {
            const uint32_t c = n % (storageSize + 1);
            const kdrv::Status s = ring.resize(c);
            if (m.capacity == 0 || c == 0)
                FUZZ_CHECK(s == kdrv::Status::BadArgument);
            else if (held != 0)
                FUZZ_CHECK(s == kdrv::Status::Busy);
            else
            {
                FUZZ_CHECK(s == kdrv::Status::Success);
                m.capacity = c;
                m.reservation = false;
                low = 1;
                high = c;
            }
            break;
        }
        case 13: // destroy: everything after sees an empty zero-capacity ring
            ring.destroy();
            m.bytes.clear();
            m.capacity = 0;
            m.reservation = false;
            low = 0;
            high = 0;
            break;
        case 14: // init again over the same storage
        {
            const uint32_t c = 1 + n % storageSize;
            FUZZ_CHECK(ring.init(storage.data(), storageSize, c) == kdrv::Status::Success);
            m.bytes.clear();
            m.capacity = c;
            m.reservation = false;
            low = 1;
            high = c;
            break;
        }
        case 15: // init with bad arguments changes nothing it validated
        {
            FUZZ_CHECK(ring.init(nullptr, storageSize) == kdrv::Status::BadArgument);
            FUZZ_CHECK(ring.init(storage.data(), storageSize, storageSize + 1) ==
                       kdrv::Status::BadArgument);
            break;
        }
        default:
        {
            if (m.capacity == 0)
                break;
            // Watermark change, validated as the spec says.
            const uint32_t l = in.u16() % (m.capacity + 2), h = in.u16() % (m.capacity + 2);
            const kdrv::Status s = kdrv::validateSerialWatermarks(l, h, m.capacity);
            FUZZ_CHECK((s == kdrv::Status::Success) == (l >= 1 && l <= h && h <= m.capacity));
            if (s == kdrv::Status::Success)
            {
                low = l;
                high = h;
            }
            break;
        }
        }
        const uint32_t used = m.held();
        FUZZ_CHECK(ring.used() == used);
        FUZZ_CHECK(ring.space() == m.capacity - used);
        FUZZ_CHECK(ring.capacity() == m.capacity);
        FUZZ_CHECK(ring.isInitialized() == (m.capacity != 0));
        FUZZ_CHECK(ring.empty() == (used == 0));
        FUZZ_CHECK(ring.full() == (used == m.capacity));
        if (m.capacity != 0)
        {
            const uint32_t tx = kdrv::computeQueueBits(used, m.capacity, low, high, false);
            FUZZ_CHECK(tx == modelBits(used, m.capacity, low, high));
            FUZZ_CHECK(kdrv::computeQueueBits(used, m.capacity, low, high, true) ==
                       tx >> kdrv::kSerialStateRxOffset);
        }
    }
    return 0;
}
