// SPDX-License-Identifier: MIT
//
// Audio ring: geometry validation, span splitting, clock advance sequences,
// deadlines and the erase head, each checked against a plain reference
// model computed in wider arithmetic (128-bit where 64 bits could wrap).
// Any mismatch or sanitizer report aborts.
//
// Public operations and where they are reached:
//   AudioRingGeometry: init (valid and invalid), isValid, frames, channels,
//     containerBytes, widthBits, depthBits, alignment, byteOrder,
//     isForeignByteOrder, frameBytes, bufferBytes, byteOffset, sampleIndex,
//     spanBytes, split, zeroSpan (fuzzGeometry);
//   audioSplitFrames (fuzzSplit);
//   AudioRingClock: init, initFromBuffer, periodFramesFor, start, stop,
//     advance (started or not, 0 to 2^64 periods), wrapTimestampNs, split and
//     every accessor, in any order (fuzzClock);
//   AudioDeadline: init, start, expire, timeoutNs, nextNs, lastExpiredNs,
//     periodsDone, deadlineNs (fuzzDeadline);
//   EraseHead: init, setEnabled, isEnabled, erase (in and out of range),
//     eraseFrame, reset (fuzzEraseHead).
#include "kdrv/audio_ring.hpp"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <vector>

#include "fuzz_check.hpp" // for FUZZ_CHECK

namespace
{
class Input
{
  public:
    Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
    bool empty() const { return pos_ >= size_; }
    uint8_t u8() { return pos_ < size_ ? data_[pos_++] : 0; }
    uint32_t u32()
    {
        uint32_t v = 0;
        for (int i = 0; i < 4; ++i)
        {
            v = (v << 8) | u8();
        }
        return v;
    }
    uint64_t u64() { return (uint64_t(u32()) << 32) | u32(); }
    // A value biased toward interesting small numbers and limits.
    uint32_t interesting32()
    {
        switch (u8() % 6)
        {
        case 0:
            return u8();
        case 1:
            return u32() % 50000;
        case 2:
            return 0xFFFFFFFFu - u8();
        case 3:
            return (1u << (u8() % 32)) + (u8() % 3) - 1;
        default:
            return u32();
        }
    }

  private:
    const uint8_t* data_;
    size_t size_;
    size_t pos_ = 0;
};

using kdrv::Status;
typedef unsigned __int128 u128;

void fuzzGeometry(Input& in)
{
    const uint32_t frames = in.interesting32();
    const uint32_t channels = in.interesting32() % 4 == 0 ? in.interesting32() : in.u8() % 10;
    const uint32_t width = in.u8() % 41;
    const uint32_t depth = in.u8() % 41;
    const uint32_t align = in.u8() % 3;
    const uint32_t order = in.u8() % 3;
    kdrv::AudioRingGeometry g;
    const Status s =
        g.init(frames, channels, width, depth, static_cast<kdrv::AudioAlignment>(align),
               static_cast<kdrv::AudioByteOrder>(order));
    const uint64_t bytes64 = uint64_t(frames) * channels * (width / 8);
    const bool valid = frames != 0 && channels != 0 && width != 0 && width % 8 == 0 &&
                       width <= 32 && depth != 0 && depth <= width && align <= 1 && order <= 1 &&
                       uint64_t(channels) * (width / 8) <= 0xFFFFFFFFu && bytes64 <= 0xFFFFFFFFu;
    FUZZ_CHECK((s == Status::Success) == valid);
    FUZZ_CHECK(g.isValid() == valid);
    if (!valid)
    {
        FUZZ_CHECK(g.bufferBytes() == 0);
        return;
    }
    FUZZ_CHECK(g.bufferBytes() == bytes64);
    FUZZ_CHECK(g.frameBytes() == channels * (width / 8));
    FUZZ_CHECK(g.frames() == frames && g.channels() == channels);
    FUZZ_CHECK(g.containerBytes() == width / 8 && g.widthBits() == width);
    FUZZ_CHECK(g.depthBits() == depth);
    FUZZ_CHECK(static_cast<uint32_t>(g.alignment()) == align);
    FUZZ_CHECK(static_cast<uint32_t>(g.byteOrder()) == order);
    FUZZ_CHECK(g.isForeignByteOrder() ==
               (static_cast<kdrv::AudioByteOrder>(order) != kdrv::hostAudioByteOrder()));
    // split and zeroSpan over small rings, against a byte model.
    if (g.bufferBytes() <= 4096)
    {
        const uint32_t first = in.u32() % (frames + 1);
        const uint32_t num = in.u32() % (frames + 2);
        kdrv::AudioSpan sp[2];
        uint32_t count = 0;
        const Status ss = g.split(first, num, sp, &count);
        FUZZ_CHECK((ss == Status::Success) == (first < frames && num <= frames));
        std::vector<uint8_t> buf(g.bufferBytes(), 0x5A);
        kdrv::AudioSpan span = {in.u32() % (frames + 1), in.u32() % (frames + 2)};
        const bool inside =
            span.firstFrame < frames && uint64_t(span.firstFrame) + span.frameCount <= frames;
        FUZZ_CHECK(g.zeroSpan(nullptr, buf.size(), span) == Status::BadArgument);
        if (!buf.empty())
        {
            FUZZ_CHECK(g.zeroSpan(buf.data(), buf.size() - 1, span) == Status::BadArgument);
        }
        const Status sz = g.zeroSpan(buf.data(), buf.size(), span);
        FUZZ_CHECK((sz == Status::Success) == inside);
        for (size_t b = 0; b < buf.size(); ++b)
        {
            const size_t fr = b / g.frameBytes();
            const bool zeroed =
                inside && fr >= span.firstFrame && fr < uint64_t(span.firstFrame) + span.frameCount;
            FUZZ_CHECK(buf[b] == (zeroed ? 0 : 0x5A));
        }
    }
    for (int i = 0; i < 4; ++i)
    {
        const uint32_t f = in.interesting32();
        const uint32_t c = in.interesting32();
        uint32_t off = 0;
        const Status so = g.byteOffset(f, &off);
        FUZZ_CHECK((so == Status::Success) == (f < frames));
        if (so == Status::Success)
        {
            FUZZ_CHECK(off == uint64_t(f) * g.frameBytes());
            FUZZ_CHECK(uint64_t(off) + g.frameBytes() <= g.bufferBytes());
        }
        uint32_t idx = 0;
        const Status si = g.sampleIndex(f, c, &idx);
        FUZZ_CHECK((si == Status::Success) == (f < frames && c < channels));
        if (si == Status::Success)
        {
            FUZZ_CHECK(idx == uint64_t(f) * channels + c);
        }
        kdrv::AudioSpan span = {f, c};
        uint32_t bytes = 0;
        const Status sb = g.spanBytes(span, &off, &bytes);
        FUZZ_CHECK((sb == Status::Success) == (f < frames && uint64_t(f) + c <= frames));
        if (sb == Status::Success)
        {
            FUZZ_CHECK(uint64_t(off) + bytes <= g.bufferBytes());
        }
    }
}

void fuzzSplit(Input& in)
{
    const uint32_t n = in.u8() % 2 ? in.u8() % 70 : in.interesting32();
    const uint32_t first = in.u8() % 2 && n != 0 ? in.interesting32() % n : in.interesting32();
    const uint32_t num = in.u8() % 2 && n != 0
                             ? static_cast<uint32_t>(in.interesting32() % (uint64_t(n) + 1))
                             : in.interesting32();
    kdrv::AudioSpan s[2] = {{7, 7}, {7, 7}};
    uint32_t count = 99;
    const Status st = kdrv::audioSplitFrames(n, first, num, s, &count);
    const bool valid = n != 0 && first < n && num <= n;
    FUZZ_CHECK((st == Status::Success) == valid);
    if (!valid)
    {
        FUZZ_CHECK(count == 99);
        return;
    }
    FUZZ_CHECK(count <= 2);
    FUZZ_CHECK(count == (num == 0 ? 0u : (uint64_t(first) + num <= n ? 1u : 2u)));
    uint64_t total = 0;
    for (uint32_t i = 0; i < count; ++i)
    {
        FUZZ_CHECK(s[i].frameCount > 0);
        FUZZ_CHECK(s[i].firstFrame < n);
        FUZZ_CHECK(uint64_t(s[i].firstFrame) + s[i].frameCount <= n);
        total += s[i].frameCount;
    }
    FUZZ_CHECK(total == num);
    if (count >= 1)
    {
        FUZZ_CHECK(s[0].firstFrame == first);
    }
    if (count == 2)
    {
        FUZZ_CHECK(uint64_t(s[0].firstFrame) + s[0].frameCount == n);
        FUZZ_CHECK(s[1].firstFrame == 0);
    }
    // Small rings: frame-by-frame against the definition.
    if (n <= 70)
    {
        bool covered[70] = {false};
        for (uint32_t i = 0; i < count; ++i)
        {
            for (uint32_t f = 0; f < s[i].frameCount; ++f)
            {
                FUZZ_CHECK(!covered[s[i].firstFrame + f]);
                covered[s[i].firstFrame + f] = true;
            }
        }
        for (uint32_t k = 0; k < num; ++k)
        {
            FUZZ_CHECK(covered[(first + k) % n]);
        }
    }
}

const uint32_t kRates[] = {8000, 44100, 48000, 96000, 192000};

bool supportedRate(uint32_t r)
{
    for (size_t i = 0; i < KDRV_COUNTOF(kdrv::kAudioSupportedRates); ++i)
    {
        if (kdrv::kAudioSupportedRates[i] == r)
        {
            return true;
        }
    }
    return false;
}

// Clock operations in any order: advance (four flavours), stop, start,
// init / initFromBuffer (valid or not: a failed one leaves the clock
// unconfigured), split, periodFramesFor, and every accessor after each.
void fuzzClock(Input& in)
{
    uint32_t f = 1 + in.u32() % 2000;
    uint32_t p = 1 + in.u8() % 100;
    uint32_t rate = kRates[in.u8() % KDRV_COUNTOF(kRates)];
    kdrv::AudioRingClock c;
    FUZZ_CHECK(!c.isStarted());
    FUZZ_CHECK(c.init(f, p, rate) == Status::Success);
    bool configured = true;
    bool started = false;
    // Reference: total periods k in 128 bits, loop count, last wrap.
    u128 k = 0;
    uint64_t lastWrap = 0;
    uint64_t now = 0;
    if (in.u8() % 4 != 0)
    {
        now = in.u64() >> (in.u8() % 64);
        c.start(now);
        started = true;
        lastWrap = now;
    }
    int steps = 0;
    while (!in.empty() && steps++ < 64)
    {
        const uint8_t op = in.u8() % 10;
        if (op == 4)
        {
            c.stop();
            started = false;
        }
        else if (op == 5)
        {
            now += in.u32() % 2 ? in.u32() : 0;
            c.start(now);
            if (configured)
            {
                started = true;
                k = 0;
                lastWrap = now;
            }
        }
        else if (op == 6)
        {
            // Reconfigure: sometimes invalid, through either entry point.
            const uint32_t nf = in.u8() % 8 == 0 ? 0 : 1 + in.u32() % 2000;
            uint32_t np = in.u8() % 8 == 0 ? 0 : 1 + in.u8() % 100;
            const uint32_t nr =
                in.u8() % 8 == 0 ? in.u32() : kRates[in.u8() % KDRV_COUNTOF(kRates)];
            Status st;
            bool valid;
            if (in.u8() % 2)
            {
                st = c.init(nf, np, nr);
                valid = nf != 0 && np != 0 && uint64_t(nf) * np <= 0xFFFFFFFFu && supportedRate(nr);
            }
            else
            {
                const uint32_t buffer = in.u8() % 4 == 0 ? in.u32() : nf * np;
                st = c.initFromBuffer(buffer, nf, nr);
                valid = nf != 0 && buffer != 0 && buffer % nf == 0 && supportedRate(nr);
                np = valid ? buffer / nf : np;
            }
            FUZZ_CHECK((st == Status::Success) == valid);
            configured = valid;
            started = false;
            k = 0;
            lastWrap = 0;
            if (valid)
            {
                f = nf;
                p = np;
                rate = nr;
            }
        }
        else if (op == 7)
        {
            uint32_t period = 0;
            const uint32_t r = in.u8() % 4 == 0 ? in.u32() : kRates[in.u8() % KDRV_COUNTOF(kRates)];
            const uint32_t hz = in.u8() % 8 == 0 ? 0 : 1 + in.u8() % 200;
            const Status st = kdrv::AudioRingClock::periodFramesFor(r, hz, &period);
            const bool valid = hz != 0 && supportedRate(r) && r % hz == 0;
            FUZZ_CHECK((st == Status::Success) == valid);
            if (valid)
            {
                FUZZ_CHECK(period == r / hz);
            }
            FUZZ_CHECK(kdrv::AudioRingClock::periodFramesFor(r, hz, nullptr) ==
                       Status::BadArgument);
            kdrv::AudioSpan sp[2];
            uint32_t count = 0;
            const uint32_t first = in.u32() % (configured ? f * p + 2 : 3);
            const uint32_t num = in.u32() % (configured ? f * p + 2 : 3);
            const Status ss = c.split(first, num, sp, &count);
            FUZZ_CHECK((ss == Status::Success) == (configured && first < f * p && num <= f * p));
        }
        else
        {
            uint64_t n = 0;
            switch (op % 4)
            {
            case 0:
                n = in.u8() % 4;
                break;
            case 1:
                n = in.u32() % (3 * p + 1);
                break;
            case 2:
                n = in.u64();
                break;
            default:
                // Land on, or just past, the next wrap.
                n = uint64_t(p) - static_cast<uint64_t>(k % p) + in.u8() % 2;
                break;
            }
            now += in.u32() % 2 ? in.u32() : 0; // sometimes no time passes
            const uint64_t prevWrap = lastWrap;
            const u128 before = k;
            uint64_t wraps = 0;
            if (started && n != 0)
            {
                k += n;
                wraps = static_cast<uint64_t>(k / p - before / p);
                const uint32_t idx = static_cast<uint32_t>(k % p);
                if (wraps != 0)
                {
                    const u128 backNs = u128(idx) * f * 1000000000u / rate;
                    const uint64_t t = u128(now) > backNs ? static_cast<uint64_t>(now - backNs) : 0;
                    lastWrap = t > lastWrap ? t : lastWrap;
                }
            }
            const kdrv::AudioWraps w = c.advance(n, now);
            FUZZ_CHECK(w.count == wraps);
            FUZZ_CHECK(c.lastWrapNs() >= prevWrap);
            // Per-wrap stamps: monotonic, within [previous, latest].
            uint64_t prev = w.previousNs;
            const uint64_t shown = w.count < 4 ? w.count : 4;
            for (uint64_t i = 0; i < shown; ++i)
            {
                const uint64_t j = w.count - shown + i;
                const uint64_t ts = c.wrapTimestampNs(w, j);
                FUZZ_CHECK(ts >= prev);
                FUZZ_CHECK(ts <= w.latestNs);
                prev = ts;
            }
            if (w.count != 0)
            {
                FUZZ_CHECK(c.wrapTimestampNs(w, w.count - 1) == w.latestNs);
            }
        }
        // Every accessor against the model.
        FUZZ_CHECK(c.isStarted() == started);
        if (!configured)
        {
            FUZZ_CHECK(c.bufferFrames() == 0 && c.rateHz() == 0 && c.periodNs() == 0 &&
                       c.bufferNs() == 0 && c.currentFrame() == 0);
            continue;
        }
        FUZZ_CHECK(c.periodFrames() == f && c.periodsPerBuffer() == p && c.rateHz() == rate);
        FUZZ_CHECK(c.bufferFrames() == f * p);
        FUZZ_CHECK(c.periodNs() == static_cast<uint64_t>(u128(f) * 1000000000u / rate));
        FUZZ_CHECK(c.bufferNs() == static_cast<uint64_t>(u128(f) * p * 1000000000u / rate));
        const uint32_t idx = static_cast<uint32_t>(k % p);
        FUZZ_CHECK(c.periodIndex() == idx);
        FUZZ_CHECK(c.currentFrame() == idx * f);
        FUZZ_CHECK(c.currentFrame() < c.bufferFrames());
        FUZZ_CHECK(c.loopCount() == static_cast<uint32_t>(k / p));
        FUZZ_CHECK(c.periodCount() == static_cast<uint64_t>(k));
        FUZZ_CHECK(c.lastWrapNs() == lastWrap);
    }
}

void fuzzDeadline(Input& in)
{
    const uint32_t f = 1 + in.u32() % 5000;
    const uint32_t rate = kRates[in.u8() % KDRV_COUNTOF(kRates)];
    kdrv::AudioDeadline d;
    FUZZ_CHECK(d.init(f, rate) == Status::Success);
    const uint64_t t0 = in.u64() >> (8 + in.u8() % 56);
    d.start(t0);
    uint64_t now = t0;
    uint64_t done = 0;
    int steps = 0;
    while (!in.empty() && steps++ < 64)
    {
        now += in.u8() % 2 ? in.u32() % 100000000u : in.u32() >> (in.u8() % 32);
        const uint64_t before = d.periodsDone();
        const uint64_t n = d.expire(now);
        // Reference: the largest K with start + floor(K F 1e9 / R) <= now.
        const u128 elapsed = now - t0;
        u128 kMax = (elapsed + 1) * rate / (u128(f) * 1000000000u) + 1;
        while (kMax > 0 && u128(kMax) * f * 1000000000u / rate > elapsed)
        {
            --kMax;
        }
        const uint64_t expect =
            static_cast<uint64_t>(kMax) > before ? static_cast<uint64_t>(kMax) - before : 0;
        FUZZ_CHECK(n == expect);
        done += n;
        FUZZ_CHECK(d.periodsDone() == done);
        FUZZ_CHECK(d.nextNs() > now);
        FUZZ_CHECK(d.timeoutNs(now) == d.nextNs() - now);
        FUZZ_CHECK(d.lastExpiredNs() <= now);
        FUZZ_CHECK(d.deadlineNs(done + 1) == d.nextNs());
    }
}

void fuzzEraseHead(Input& in)
{
    const uint32_t n = 1 + in.u8() % 64;
    const uint32_t channels = 1 + in.u8() % 3;
    const uint32_t width = 8 * (1 + in.u8() % 4);
    kdrv::AudioRingGeometry g;
    FUZZ_CHECK(g.init(n, channels, width, width, kdrv::AudioAlignment::High,
                      kdrv::AudioByteOrder::Little) == Status::Success);
    std::vector<uint8_t> ring(g.bufferBytes(), 0xA5);
    std::vector<uint8_t> model(n, 1); // 1: still marked, 0: erased
    kdrv::EraseHead e;
    FUZZ_CHECK(e.init(n, in.u8() % 2) == Status::Success);
    uint32_t eraseAt = 0;
    int steps = 0;
    while (!in.empty() && steps++ < 100)
    {
        const uint8_t op = in.u8();
        if (op % 8 == 0)
        {
            e.setEnabled(!e.isEnabled());
            continue;
        }
        if (op % 16 == 3)
        {
            e.reset();
            eraseAt = 0;
            FUZZ_CHECK(e.eraseFrame() == 0);
            continue;
        }
        if (op % 8 == 1)
        {
            // The client refills some frames.
            const uint32_t at = in.u8() % n;
            const uint32_t len = in.u8() % (n + 1);
            for (uint32_t k = 0; k < len; ++k)
            {
                const uint32_t fr = (at + k) % n;
                memset(&ring[size_t(fr) * g.frameBytes()], 0xA5, g.frameBytes());
                model[fr] = 1;
            }
            continue;
        }
        const uint32_t play = op % 8 == 2 ? in.u8() : in.u8() % n; // sometimes out of range
        std::vector<uint8_t> atPlay;
        if (play < n)
        {
            atPlay.assign(ring.begin() + long(play) * g.frameBytes(),
                          ring.begin() + long(play + 1) * g.frameBytes());
        }
        const Status s = e.erase(g, ring.data(), ring.size(), play);
        FUZZ_CHECK((s == Status::Success) == (play < n));
        if (s != Status::Success)
        {
            FUZZ_CHECK(e.eraseFrame() == eraseAt);
            continue;
        }
        if (e.isEnabled())
        {
            for (uint32_t fr = eraseAt; fr != play; fr = (fr + 1) % n)
            {
                model[fr] = 0;
            }
        }
        eraseAt = play;
        FUZZ_CHECK(e.eraseFrame() == eraseAt);
        for (uint32_t fr = 0; fr < n; ++fr)
        {
            for (uint32_t b = 0; b < g.frameBytes(); ++b)
            {
                FUZZ_CHECK(ring[size_t(fr) * g.frameBytes() + b] == (model[fr] ? 0xA5 : 0));
            }
        }
        // Never at the play head: its frame is untouched by this call.
        FUZZ_CHECK(memcmp(atPlay.data(), &ring[size_t(play) * g.frameBytes()], atPlay.size()) == 0);
    }
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    Input in(data, size);
    switch (in.u8() % 5)
    {
    case 0:
        fuzzGeometry(in);
        break;
    case 1:
        fuzzSplit(in);
        break;
    case 2:
        fuzzClock(in);
        break;
    case 3:
        fuzzDeadline(in);
        break;
    default:
        fuzzEraseHead(in);
        break;
    }
    return 0;
}
