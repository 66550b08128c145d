// SPDX-License-Identifier: MIT
//
// Random operation sequences on ByteRing (byte, bulk, zero-copy, batches,
// flush, resize) and on the serial queue bits (watermark changes), checked
// against a simple reference model: a deque of bytes and a direct
// restatement of the spec's comparisons.
#include "kdrv/byte_ring.hpp"
#include "kdrv/serial_queue.hpp"

#include <deque>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <vector>

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

void check(bool ok)
{
    if (!ok)
        abort();
}

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
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    Input in = {data, size, 0};
    // Storage 2^k (k 0..12), capacity 1..storage.
    const uint32_t storageSize = 1u << (in.byte() % 13);
    uint32_t capacity = 1 + in.u16() % storageSize;
    std::vector<uint8_t> storage(storageSize);
    kdrv::ByteRing ring;
    if (ring.init(storage.data(), storageSize, capacity) != kdrv::Status::Success)
        abort();
    // Start the counters at an arbitrary offset by streaming through with
    // zero-copy calls. (Wrapping past 2^32 is covered by the unit tests; it
    // takes too many steps per input here.)
    uint32_t remaining = in.u16() % (4 * storageSize + 1);
    while (remaining != 0)
    {
        kdrv::ByteRingSpan s[2];
        uint32_t n = ring.reserve(s, remaining);
        if (n == 0 || ring.commit(n) != kdrv::Status::Success ||
            ring.consume(n) != kdrv::Status::Success)
            abort();
        remaining -= n;
    }
    std::deque<uint8_t> model;
    std::vector<uint8_t> buf(storageSize * 2 + 2);
    uint8_t next = 0;
    uint32_t low = 1, high = capacity;
    while (!in.done())
    {
        const uint8_t op = in.byte();
        const uint32_t n = in.u16() % (capacity * 2 + 2);
        const uint32_t held = static_cast<uint32_t>(model.size());
        switch (op % 11)
        {
        case 0:
        {
            bool ok = ring.put(next);
            check(ok == (held < capacity));
            if (ok)
                model.push_back(next++);
            break;
        }
        case 1:
        {
            uint8_t b = 0;
            bool ok = ring.get(&b);
            check(ok == (held > 0));
            if (ok)
            {
                check(b == model.front());
                model.pop_front();
            }
            break;
        }
        case 2:
        {
            for (uint32_t i = 0; i < n; ++i)
                buf[i] = static_cast<uint8_t>(next + i);
            uint32_t expect = n < capacity - held ? n : capacity - held;
            check(ring.write(buf.data(), n) == expect);
            for (uint32_t i = 0; i < expect; ++i)
                model.push_back(next++);
            break;
        }
        case 3:
        {
            uint32_t expect = n < held ? n : held;
            check(ring.read(buf.data(), n) == expect);
            for (uint32_t i = 0; i < expect; ++i)
            {
                check(buf[i] == model.front());
                model.pop_front();
            }
            break;
        }
        case 4:
        {
            kdrv::ByteRingSpan s[2];
            uint32_t total = ring.reserve(s, n);
            check(total == (n < capacity - held ? n : capacity - held));
            check(s[0].size + s[1].size == total);
            check(s[0].data >= storage.data() && s[0].data + s[0].size <= storage.data() + storageSize);
            check(s[1].size == 0 || s[1].data == storage.data());
            uint32_t k = in.u16() % (total + 2); // may exceed: must be rejected
            if (k > total)
            {
                check(ring.commit(k) == kdrv::Status::BadArgument);
                k = total;
            }
            for (uint32_t i = 0; i < k; ++i)
            {
                uint8_t* p = i < s[0].size ? s[0].data + i : s[1].data + (i - s[0].size);
                *p = next;
                model.push_back(next++);
            }
            check(ring.commit(k) == kdrv::Status::Success);
            break;
        }
        case 5:
        {
            kdrv::ByteRingConstSpan s[2];
            uint32_t total = ring.peek(s, n);
            check(total == (n < held ? n : held));
            check(s[0].size + s[1].size == total);
            for (uint32_t i = 0; i < total; ++i)
            {
                const uint8_t* p = i < s[0].size ? s[0].data + i : s[1].data + (i - s[0].size);
                check(*p == model[i]);
            }
            uint32_t k = in.u16() % (held + 2);
            if (k > held)
            {
                check(ring.consume(k) == kdrv::Status::BadArgument);
                k = held;
            }
            check(ring.consume(k) == kdrv::Status::Success);
            for (uint32_t i = 0; i < k; ++i)
                model.pop_front();
            break;
        }
        case 6:
            check(ring.flush() == held);
            model.clear();
            break;
        case 7:
        {
            kdrv::ByteRingPutBatch batch(ring);
            for (uint32_t i = 0; i < n % 40; ++i)
            {
                bool ok = batch.put(next);
                check(ok == (model.size() < capacity));
                if (ok)
                    model.push_back(next++);
            }
            break;
        }
        case 8:
        {
            kdrv::ByteRingGetBatch batch(ring);
            for (uint32_t i = 0; i < n % 40; ++i)
            {
                uint8_t b = 0;
                bool ok = batch.get(&b);
                check(ok == !model.empty());
                if (!ok)
                    break;
                check(b == model.front());
                model.pop_front();
            }
            break;
        }
        case 9:
        {
            // Resize: only when empty and within the storage.
            uint32_t c = n % (storageSize + 1);
            kdrv::Status s = ring.resize(c);
            if (c == 0)
                check(s == kdrv::Status::BadArgument);
            else if (held != 0)
                check(s == kdrv::Status::Busy);
            else
            {
                check(s == kdrv::Status::Success);
                capacity = c;
                low = 1;
                high = c;
            }
            break;
        }
        default:
        {
            // Watermark change, validated as the spec says.
            uint32_t l = in.u16() % (capacity + 2), h = in.u16() % (capacity + 2);
            kdrv::Status s = kdrv::validateSerialWatermarks(l, h, capacity);
            check((s == kdrv::Status::Success) == (l >= 1 && l <= h && h <= capacity));
            if (s == kdrv::Status::Success)
            {
                low = l;
                high = h;
            }
            break;
        }
        }
        const uint32_t used = static_cast<uint32_t>(model.size());
        check(ring.used() == used);
        check(ring.space() == capacity - used);
        const uint32_t tx = kdrv::computeQueueBits(used, capacity, low, high, false);
        check(tx == modelBits(used, capacity, low, high));
        check(kdrv::computeQueueBits(used, capacity, low, high, true) ==
              tx >> kdrv::kSerialStateRxOffset);
    }
    return 0;
}
