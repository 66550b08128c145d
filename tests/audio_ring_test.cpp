// SPDX-License-Identifier: MIT
//
// Audio ring geometry, wrap clock, deadlines and erase head
// (spec/audio-ring.md section 9, items 1-7, 13 and 14).
#include "kdrv/audio_ring.hpp"

#include <doctest/doctest.h>

#include <stdint.h>
#include <string.h>

#include <vector>

using kdrv::AudioAlignment;
using kdrv::AudioByteOrder;
using kdrv::AudioDeadline;
using kdrv::AudioRingClock;
using kdrv::AudioRingGeometry;
using kdrv::AudioSpan;
using kdrv::AudioWraps;
using kdrv::EraseHead;
using kdrv::Status;

namespace
{
// The book's example: 48 kHz, stereo, 16-bit, 24000-frame buffer, 10 ms
// periods of 480 frames, 50 periods per buffer.
const uint32_t kRate = 48000;
const uint32_t kPeriod = 480;
const uint32_t kPeriods = 50;
const uint32_t kFrames = 24000;
const uint64_t kPeriodNs = 10000000;  // 10 ms
const uint64_t kBufferNs = 500000000; // 500 ms

AudioRingClock bookClock()
{
    AudioRingClock c;
    REQUIRE(c.init(kPeriod, kPeriods, kRate) == Status::Success);
    return c;
}
} // namespace

// --- 1. Geometry -----------------------------------------------------------

TEST_CASE("audio geometry: the book's 16-bit stereo ring")
{
    AudioRingGeometry g;
    CHECK_FALSE(g.isValid());
    REQUIRE(g.init(kFrames, 2, 16, 16, AudioAlignment::High, AudioByteOrder::Big) ==
            Status::Success);
    CHECK(g.isValid());
    CHECK(g.containerBytes() == 2);
    CHECK(g.widthBits() == 16);
    CHECK(g.frameBytes() == 4);
    CHECK(g.bufferBytes() == 96000);
    uint32_t off = 0;
    CHECK(g.byteOffset(0, &off) == Status::Success);
    CHECK(off == 0);
    CHECK(g.byteOffset(480, &off) == Status::Success);
    CHECK(off == 1920); // bytes per interrupt in the book
    CHECK(g.byteOffset(kFrames - 1, &off) == Status::Success);
    CHECK(off == 96000 - 4);
    CHECK(g.byteOffset(kFrames, &off) == Status::BadArgument);
    uint32_t idx = 0;
    CHECK(g.sampleIndex(10, 1, &idx) == Status::Success);
    CHECK(idx == 21);
    CHECK(g.sampleIndex(10, 2, &idx) == Status::BadArgument);
    CHECK(g.sampleIndex(kFrames, 0, &idx) == Status::BadArgument);
    CHECK(g.byteOffset(0, nullptr) == Status::BadArgument);
}

TEST_CASE("audio geometry: invalid shapes get BadArgument and leave it empty")
{
    AudioRingGeometry g;
    REQUIRE(g.init(8, 2, 16, 16, AudioAlignment::High, AudioByteOrder::Little) == Status::Success);
    SUBCASE("frames = 0")
    {
        CHECK(g.init(0, 2, 16, 16, AudioAlignment::High, AudioByteOrder::Little) ==
              Status::BadArgument);
    }
    SUBCASE("channels = 0")
    {
        CHECK(g.init(8, 0, 16, 16, AudioAlignment::High, AudioByteOrder::Little) ==
              Status::BadArgument);
    }
    SUBCASE("width < depth")
    {
        CHECK(g.init(8, 2, 16, 24, AudioAlignment::High, AudioByteOrder::Little) ==
              Status::BadArgument);
    }
    SUBCASE("width not a multiple of 8")
    {
        CHECK(g.init(8, 2, 20, 20, AudioAlignment::High, AudioByteOrder::Little) ==
              Status::BadArgument);
    }
    SUBCASE("width 0, width 40, depth 0")
    {
        CHECK(g.init(8, 2, 0, 0, AudioAlignment::High, AudioByteOrder::Little) ==
              Status::BadArgument);
        CHECK(g.init(8, 2, 40, 32, AudioAlignment::High, AudioByteOrder::Little) ==
              Status::BadArgument);
        CHECK(g.init(8, 2, 16, 0, AudioAlignment::High, AudioByteOrder::Little) ==
              Status::BadArgument);
    }
    SUBCASE("enum values from outside")
    {
        CHECK(g.init(8, 2, 16, 16, static_cast<AudioAlignment>(2), AudioByteOrder::Little) ==
              Status::BadArgument);
        CHECK(g.init(8, 2, 16, 16, AudioAlignment::High, static_cast<AudioByteOrder>(7)) ==
              Status::BadArgument);
    }
    SUBCASE("byte size overflowing 32 bits")
    {
        // 2^30 frames x 2 channels x 2 bytes = 2^32.
        CHECK(g.init(1u << 30, 2, 16, 16, AudioAlignment::High, AudioByteOrder::Little) ==
              Status::BadArgument);
        // Frame size alone overflowing.
        CHECK(g.init(1, 0x40000000u, 32, 32, AudioAlignment::High, AudioByteOrder::Little) ==
              Status::BadArgument);
    }
    CHECK_FALSE(g.isValid());
    CHECK(g.frames() == 0);
    CHECK(g.bufferBytes() == 0);
    uint32_t off = 0;
    CHECK(g.byteOffset(0, &off) == Status::BadArgument);
}

TEST_CASE("audio geometry: largest ring that fits, and one frame more")
{
    AudioRingGeometry g;
    // 0xFFFFFFFF bytes = 3 x 5 x 17 x 257 x 65537: 1 channel of 3-byte samples.
    CHECK(g.init(0x55555555u, 1, 24, 24, AudioAlignment::High, AudioByteOrder::Little) ==
          Status::Success);
    CHECK(g.bufferBytes() == 0xFFFFFFFFu);
    uint32_t off = 0;
    CHECK(g.byteOffset(0x55555554u, &off) == Status::Success);
    CHECK(off == 0xFFFFFFFCu);
    CHECK(g.init(0x55555556u, 1, 24, 24, AudioAlignment::High, AudioByteOrder::Little) ==
          Status::BadArgument);
}

TEST_CASE("audio geometry: 24-in-32 uses the container width, alignment is kept")
{
    AudioRingGeometry high;
    AudioRingGeometry low;
    REQUIRE(high.init(kFrames, 2, 32, 24, AudioAlignment::High, AudioByteOrder::Little) ==
            Status::Success);
    REQUIRE(low.init(kFrames, 2, 32, 24, AudioAlignment::Low, AudioByteOrder::Little) ==
            Status::Success);
    // The book's formula (depth) would give 144000; the container gives 192000.
    CHECK(high.bufferBytes() == 192000);
    CHECK(high.containerBytes() == 4);
    CHECK(high.depthBits() == 24);
    CHECK(high.alignment() == AudioAlignment::High);
    CHECK(low.alignment() == AudioAlignment::Low);
    CHECK(static_cast<uint32_t>(AudioAlignment::Low) == 0);  // kIOAudioStreamAlignmentLowByte
    CHECK(static_cast<uint32_t>(AudioAlignment::High) == 1); // kIOAudioStreamAlignmentHighByte
    CHECK(static_cast<uint32_t>(AudioByteOrder::Big) == 0);  // kIOAudioStreamByteOrderBigEndian
    CHECK(static_cast<uint32_t>(AudioByteOrder::Little) == 1);
    // Packed 24-bit (3-byte containers) is a valid geometry too.
    AudioRingGeometry packed;
    CHECK(packed.init(10, 2, 24, 24, AudioAlignment::High, AudioByteOrder::Little) ==
          Status::Success);
    CHECK(packed.frameBytes() == 6);
}

TEST_CASE("audio geometry: 8 channels, 8-bit containers, byte-order flag")
{
    AudioRingGeometry g;
    REQUIRE(g.init(1024, 8, 32, 32, AudioAlignment::High, AudioByteOrder::Big) == Status::Success);
    CHECK(g.frameBytes() == 32);
    CHECK(g.bufferBytes() == 32768);
    uint32_t idx = 0;
    CHECK(g.sampleIndex(1023, 7, &idx) == Status::Success);
    CHECK(idx == 1023u * 8 + 7);
    CHECK(g.isForeignByteOrder() == (kdrv::hostAudioByteOrder() == AudioByteOrder::Little));
    AudioRingGeometry g8;
    REQUIRE(g8.init(3, 1, 8, 8, AudioAlignment::Low, AudioByteOrder::Little) == Status::Success);
    CHECK(g8.bufferBytes() == 3);
    CHECK(g8.isForeignByteOrder() == (kdrv::hostAudioByteOrder() == AudioByteOrder::Big));
}

// --- 2. Periods and 13. rate change -----------------------------------------

TEST_CASE("audio clock: period must divide the buffer")
{
    AudioRingClock c;
    CHECK(c.initFromBuffer(24000, 480, 48000) == Status::Success);
    CHECK(c.periodsPerBuffer() == 50);
    CHECK(c.bufferFrames() == 24000);
    CHECK(c.initFromBuffer(1000, 480, 48000) == Status::BadArgument);
    CHECK(c.bufferFrames() == 0);
    CHECK(c.initFromBuffer(1000, 0, 48000) == Status::BadArgument);
    CHECK(c.initFromBuffer(0, 480, 48000) == Status::BadArgument);
    CHECK(c.init(0, 50, 48000) == Status::BadArgument);
    CHECK(c.init(480, 0, 48000) == Status::BadArgument);
    CHECK(c.init(0x10000, 0x10000, 48000) == Status::BadArgument); // F x P overflows
}

TEST_CASE("audio clock: rate change 44100 <-> 48000 recomputes period and buffer")
{
    uint32_t f = 0;
    REQUIRE(AudioRingClock::periodFramesFor(48000, 100, &f) == Status::Success);
    CHECK(f == 480);
    AudioRingClock c;
    REQUIRE(c.init(f, 50, 48000) == Status::Success);
    CHECK(c.bufferFrames() == 24000);
    CHECK(c.periodNs() == kPeriodNs);
    CHECK(c.bufferNs() == kBufferNs);

    REQUIRE(AudioRingClock::periodFramesFor(44100, 100, &f) == Status::Success);
    CHECK(f == 441);
    REQUIRE(c.init(f, 50, 44100) == Status::Success);
    CHECK(c.bufferFrames() == 22050);
    CHECK(c.periodNs() == kPeriodNs);
    CHECK(c.bufferNs() == kBufferNs);
    CHECK_FALSE(c.isStarted()); // a rate change stops the clock

    REQUIRE(AudioRingClock::periodFramesFor(48000, 100, &f) == Status::Success);
    REQUIRE(c.init(f, 50, 48000) == Status::Success);
    CHECK(c.bufferFrames() == 24000);

    // Unknown rates are rejected, and so are fractional periods.
    CHECK(c.init(480, 50, 47999) == Status::BadArgument);
    CHECK(c.init(480, 50, 0) == Status::BadArgument);
    CHECK(AudioRingClock::periodFramesFor(12345, 100, &f) == Status::BadArgument);
    CHECK(AudioRingClock::periodFramesFor(44100, 0, &f) == Status::BadArgument);
    CHECK(AudioRingClock::periodFramesFor(44100, 1000, &f) == Status::BadArgument); // 44.1
    CHECK(AudioRingClock::periodFramesFor(44100, 100, nullptr) == Status::BadArgument);
    CHECK(kdrv::isSupportedAudioRate(44100));
    CHECK(kdrv::isSupportedAudioRate(192000));
    CHECK_FALSE(kdrv::isSupportedAudioRate(44101));
}

TEST_CASE("audio clock: P = 1, every period is a wrap")
{
    AudioRingClock c;
    REQUIRE(c.init(480, 1, kRate) == Status::Success);
    c.start(0);
    for (uint32_t k = 1; k <= 5; ++k)
    {
        AudioWraps w = c.advance(1, k * kPeriodNs);
        CHECK(w.count == 1);
        CHECK(c.currentFrame() == 0);
        CHECK(c.loopCount() == k);
        CHECK(c.lastWrapNs() == k * kPeriodNs);
    }
}

// --- 3. Start and first wrap -------------------------------------------------

TEST_CASE("audio clock: start takes a timestamp without counting a wrap")
{
    AudioRingClock c = bookClock();
    CHECK_FALSE(c.isStarted());
    c.start(1000);
    CHECK(c.isStarted());
    CHECK(c.loopCount() == 0);
    CHECK(c.currentFrame() == 0);
    CHECK(c.lastWrapNs() == 1000);
    CHECK(c.periodCount() == 0);
}

TEST_CASE("audio clock: first wrap exactly when the position goes from N - F to 0")
{
    // The book counts a wrap at interrupt 1 (10 ms, nothing has wrapped) and
    // then one period late forever. Here: none until period 50, at 500 ms.
    const uint64_t t0 = 7000;
    AudioRingClock c = bookClock();
    c.start(t0);
    for (uint32_t k = 1; k < kPeriods; ++k)
    {
        AudioWraps w = c.advance(1, t0 + k * kPeriodNs);
        CHECK(w.count == 0);
        CHECK(c.loopCount() == 0);
        CHECK(c.lastWrapNs() == t0);
        CHECK(c.currentFrame() == k * kPeriod);
    }
    CHECK(c.currentFrame() == kFrames - kPeriod);
    AudioWraps w = c.advance(1, t0 + kBufferNs);
    CHECK(w.count == 1);
    CHECK(c.loopCount() == 1);
    CHECK(c.currentFrame() == 0);
    CHECK(c.lastWrapNs() == t0 + kBufferNs);
    CHECK(w.latestNs == t0 + kBufferNs);
    CHECK(c.wrapTimestampNs(w, 0) == t0 + kBufferNs);
    // One period later: no wrap, position 480, timestamp unchanged.
    w = c.advance(1, t0 + kBufferNs + kPeriodNs);
    CHECK(w.count == 0);
    CHECK(c.currentFrame() == kPeriod);
    CHECK(c.lastWrapNs() == t0 + kBufferNs);
}

TEST_CASE("audio clock: advance before start or by zero periods changes nothing")
{
    AudioRingClock c = bookClock();
    AudioWraps w = c.advance(60, 123);
    CHECK(w.count == 0);
    CHECK(c.periodCount() == 0);
    CHECK(c.currentFrame() == 0);
    c.start(0);
    c.advance(3, 30000000);
    w = c.advance(0, 40000000);
    CHECK(w.count == 0);
    CHECK(c.currentFrame() == 3 * kPeriod);
    CHECK(c.periodCount() == 3);
    AudioRingClock unconfigured;
    unconfigured.start(5);
    CHECK_FALSE(unconfigured.isStarted());
}

// --- 4. Position --------------------------------------------------------------

TEST_CASE("audio clock: position is (k mod P) x F, always in 0..N-1")
{
    AudioRingClock c = bookClock();
    c.start(0);
    uint64_t k = 0;
    uint32_t wraps = 0;
    // Mixed step sizes, including whole buffers and more.
    const uint64_t steps[] = {1, 2, 3, 49, 50, 51, 99, 100, 101, 7, 1, 1, 250, 13};
    for (size_t i = 0; i < KDRV_COUNTOF(steps); ++i)
    {
        const uint64_t before = k;
        k += steps[i];
        AudioWraps w = c.advance(steps[i], k * kPeriodNs);
        wraps += static_cast<uint32_t>(w.count);
        CHECK(w.count == k / kPeriods - before / kPeriods);
        CHECK(c.currentFrame() == (k % kPeriods) * kPeriod);
        CHECK(c.currentFrame() < kFrames);
        CHECK(c.periodIndex() == k % kPeriods);
        CHECK(c.periodCount() == k);
        CHECK(c.loopCount() == k / kPeriods);
    }
    CHECK(wraps == c.loopCount());
}

TEST_CASE("audio clock: no position jump at 2^32 periods (book: 32-bit counter mod 50)")
{
    AudioRingClock c = bookClock();
    c.start(0);
    const uint64_t nearLimit = (uint64_t(1) << 32) - 5;
    c.advance(nearLimit, 0);
    uint64_t k = nearLimit;
    uint32_t previous = c.currentFrame();
    CHECK(previous == (k % kPeriods) * kPeriod);
    for (int i = 0; i < 10; ++i)
    {
        c.advance(1, 0);
        ++k;
        const uint32_t now = c.currentFrame();
        CHECK(now == (k % kPeriods) * kPeriod);
        // One period further, or back to 0 at a wrap; never a jump.
        CHECK((now == previous + kPeriod || (now == 0 && previous == kFrames - kPeriod)));
        // The book's model: (uint32_t)k % 50 would differ after the wrap.
        if (k > 0xFFFFFFFFull)
        {
            CHECK(static_cast<uint32_t>(k) % kPeriods * kPeriod != now);
        }
        previous = now;
    }
    CHECK(c.periodCount() == k);
    CHECK(c.periodCount() > 0xFFFFFFFFull);
}

TEST_CASE("audio clock: 64-bit period counter and 32-bit loop count roll over cleanly")
{
    AudioRingClock c = bookClock();
    c.start(0);
    // Loop count: 2^32 wraps is 2^32 x 50 periods; land 2 wraps short.
    c.advance((uint64_t(1) << 32) * kPeriods - 2 * kPeriods, 0);
    CHECK(c.loopCount() == 0xFFFFFFFEu);
    CHECK(c.currentFrame() == 0);
    c.advance(kPeriods, 1);
    CHECK(c.loopCount() == 0xFFFFFFFFu);
    AudioWraps w = c.advance(kPeriods + 3, 2);
    CHECK(w.count == 1);
    CHECK(c.loopCount() == 0); // modulo 2^32, like IOAudioEngine's UInt32
    CHECK(c.currentFrame() == 3 * kPeriod);

    // The 64-bit period counter: wrap it; the position follows the index.
    AudioRingClock d = bookClock();
    d.start(0);
    const uint64_t huge = ~uint64_t(0) - 4; // 2^64 - 5 periods
    d.advance(huge, 0);
    uint64_t index = huge % kPeriods;
    CHECK(d.currentFrame() == index * kPeriod);
    for (int i = 0; i < 10; ++i)
    {
        d.advance(1, 0);
        index = (index + 1) % kPeriods;
        CHECK(d.currentFrame() == index * kPeriod);
    }
    CHECK(d.periodCount() == 5); // 2^64 - 5 + 10, modulo 2^64
}

// --- 5. Late interrupts --------------------------------------------------------

TEST_CASE("audio clock: several periods in one advance")
{
    AudioRingClock c = bookClock();
    c.start(0);
    AudioWraps w = c.advance(7, 7 * kPeriodNs);
    CHECK(w.count == 0);
    CHECK(c.currentFrame() == 7 * kPeriod);
    // Late across the wrap: from period 7 to 53, one wrap 3 periods ago.
    w = c.advance(46, 53 * kPeriodNs);
    CHECK(w.count == 1);
    CHECK(c.currentFrame() == 3 * kPeriod);
    CHECK(c.loopCount() == 1);
    CHECK(c.lastWrapNs() == 50 * kPeriodNs);
    CHECK(w.framesSinceLatest == 3 * kPeriod);
}

TEST_CASE("audio clock: two wraps in one callback, timestamps back-computed")
{
    AudioRingClock c = bookClock();
    const uint64_t t0 = 1000000;
    c.start(t0);
    c.advance(48, t0 + 48 * kPeriodNs);
    // 60 periods late: through 50 and 100, ending at 108.
    AudioWraps w = c.advance(60, t0 + 108 * kPeriodNs);
    CHECK(w.count == 2);
    CHECK(c.loopCount() == 2);
    CHECK(c.currentFrame() == 8 * kPeriod);
    CHECK(c.lastWrapNs() == t0 + 100 * kPeriodNs);
    CHECK(c.wrapTimestampNs(w, 0) == t0 + 50 * kPeriodNs);
    CHECK(c.wrapTimestampNs(w, 1) == t0 + 100 * kPeriodNs);
    CHECK(c.wrapTimestampNs(w, 2) == w.latestNs); // past the end: latest
    CHECK(c.wrapTimestampNs(w, 1) - c.wrapTimestampNs(w, 0) == kBufferNs);
}

TEST_CASE("audio clock: wrap timestamps never go backwards")
{
    AudioRingClock c = bookClock();
    c.start(kBufferNs);
    // A caller clock that is behind (ns smaller than the computed wrap).
    AudioWraps w = c.advance(kPeriods + 10, kBufferNs + 5);
    CHECK(w.count == 1);
    CHECK(c.lastWrapNs() == kBufferNs); // clamped to the previous stamp
    CHECK(c.wrapTimestampNs(w, 0) == kBufferNs);
    // Time near zero never underflows.
    AudioRingClock d = bookClock();
    d.start(0);
    w = d.advance(kPeriods + 10, 3);
    CHECK(d.lastWrapNs() == 0);
    // Absurd wrap counts saturate to the previous stamp.
    w = d.advance(~uint64_t(0), 0);
    CHECK(w.count > 1);
    CHECK(d.wrapTimestampNs(w, 0) == w.previousNs);
}

TEST_CASE("audio deadline: late timer gets a clamped timeout and a period count")
{
    AudioDeadline d;
    REQUIRE(d.init(kPeriod, kRate) == Status::Success);
    CHECK(d.expire(123456789) == 0); // nothing before start
    const uint64_t t0 = 5000;
    d.start(t0);
    CHECK(d.nextNs() == t0 + kPeriodNs);
    CHECK(d.timeoutNs(t0) == kPeriodNs);
    // Early: nothing expires, the timeout is what remains.
    CHECK(d.expire(t0 + kPeriodNs - 1) == 0);
    CHECK(d.timeoutNs(t0 + kPeriodNs - 1) == 1);
    // On time.
    CHECK(d.expire(t0 + kPeriodNs) == 1);
    CHECK(d.nextNs() == t0 + 2 * kPeriodNs);
    CHECK(d.timeoutNs(t0 + kPeriodNs) == kPeriodNs);
    // Late by more than one period: the book computes (UInt32)(interval +
    // next - now), about 4.29 s after the division; here the correction is
    // clamped to 0 and the missed periods are counted.
    const uint64_t late = t0 + 4 * kPeriodNs + 3000000; // 2.3 periods late
    CHECK(d.timeoutNs(late) == 0);
    CHECK(d.timeoutNs(late) < kPeriodNs);
    CHECK(d.expire(late) == 3);
    CHECK(d.periodsDone() == 4);
    CHECK(d.lastExpiredNs() == t0 + 4 * kPeriodNs);
    CHECK(d.nextNs() == t0 + 5 * kPeriodNs);
    CHECK(d.timeoutNs(late) == 7000000);
    // Exactly on a later deadline.
    CHECK(d.expire(t0 + 9 * kPeriodNs) == 5);
    CHECK(d.timeoutNs(t0 + 9 * kPeriodNs) == kPeriodNs);
    CHECK(d.init(0, kRate) == Status::BadArgument);
    CHECK(d.init(kPeriod, 1234) == Status::BadArgument);
    CHECK(d.expire(~uint64_t(0)) == 0);
}

TEST_CASE("audio deadline: a non-integral period does not drift")
{
    // 480 frames at 44100 Hz = 10.884353... ms.
    AudioDeadline d;
    REQUIRE(d.init(480, 44100) == Status::Success);
    d.start(0);
    uint64_t total = 0;
    uint64_t now = 0;
    for (int i = 0; i < 44100; ++i) // 44100 periods = exactly 480 s
    {
        now = d.nextNs();
        total += d.expire(now);
        CHECK(d.timeoutNs(now) > 0);
    }
    CHECK(total == 44100);
    CHECK(now == 480ull * kdrv::kAudioNsPerSecond);
    // A very late timer many periods on: counted exactly.
    CHECK(d.expire(now + 1000 * kdrv::kAudioNsPerSecond) == 91875); // 1000 s x 44100 / 480
}

TEST_CASE("audio deadline drives the clock through a simulated late timer")
{
    AudioRingClock c = bookClock();
    AudioDeadline d;
    REQUIRE(d.init(kPeriod, kRate) == Status::Success);
    const uint64_t t0 = 10000;
    c.start(t0);
    d.start(t0);
    uint64_t now = t0;
    uint32_t wraps = 0;
    // Timer fires with an occasional big delay.
    for (int i = 0; i < 400; ++i)
    {
        const uint64_t timeout = d.timeoutNs(now);
        CHECK(timeout <= kPeriodNs);
        now += timeout + ((i % 37 == 0) ? 3 * kPeriodNs + 1234 : 0);
        const uint64_t n = d.expire(now);
        CHECK(n >= 1);
        AudioWraps w = c.advance(n, d.lastExpiredNs());
        wraps += static_cast<uint32_t>(w.count);
        for (uint64_t j = 0; j < w.count; ++j)
        {
            // Every wrap lands on t0 + m x 500 ms exactly.
            CHECK((c.wrapTimestampNs(w, j) - t0) % kBufferNs == 0);
        }
    }
    CHECK(c.periodCount() == d.periodsDone());
    CHECK(wraps == c.loopCount());
    CHECK(c.lastWrapNs() == t0 + uint64_t(c.loopCount()) * kBufferNs);
}

// --- 14. Timestamps --------------------------------------------------------------

TEST_CASE("audio clock: wrap timestamps are monotonic and N / R apart (simulated clock)")
{
    const uint32_t rates[] = {48000, 44100};
    for (size_t r = 0; r < KDRV_COUNTOF(rates); ++r)
    {
        CAPTURE(rates[r]);
        uint32_t f = 0;
        REQUIRE(AudioRingClock::periodFramesFor(rates[r], 100, &f) == Status::Success);
        AudioRingClock c;
        REQUIRE(c.init(f, 50, rates[r]) == Status::Success);
        const uint64_t t0 = 123456789;
        c.start(t0);
        std::vector<uint64_t> stamps;
        for (uint64_t k = 1; k <= 50 * 20; ++k)
        {
            // Interrupt time with +-200 us of jitter.
            const uint64_t jitter = (k * 7919) % 400000;
            const uint64_t now = t0 + k * kPeriodNs + jitter - 200000;
            AudioWraps w = c.advance(1, now);
            for (uint64_t j = 0; j < w.count; ++j)
            {
                stamps.push_back(c.wrapTimestampNs(w, j));
            }
        }
        REQUIRE(stamps.size() == 20);
        for (size_t i = 0; i < stamps.size(); ++i)
        {
            const uint64_t ideal = t0 + (i + 1) * kBufferNs;
            CHECK(stamps[i] + 200000 >= ideal);
            CHECK(stamps[i] <= ideal + 200000);
            if (i > 0)
            {
                CHECK(stamps[i] >= stamps[i - 1]);
                const uint64_t gap = stamps[i] - stamps[i - 1];
                CHECK(gap + 400000 >= kBufferNs);
                CHECK(gap <= kBufferNs + 400000);
            }
        }
    }
}

TEST_CASE("audio time conversions are exact and saturate")
{
    CHECK(kdrv::audioFramesToNs(480, 48000) == 10000000);
    CHECK(kdrv::audioFramesToNs(1, 44100) == 22675); // 22675.73 rounded down
    CHECK(kdrv::audioFramesToNs(44100ull * 3600, 44100) == 3600ull * kdrv::kAudioNsPerSecond);
    CHECK(kdrv::audioFramesToNs(~uint64_t(0), 8000) == ~uint64_t(0));
    CHECK(kdrv::audioFramesToNs(5, 0) == ~uint64_t(0)); // no division by zero
    CHECK(kdrv::audioNsToFrames(5, 0) == 0);
    CHECK(kdrv::audioNsToFrames(10000000, 48000) == 480);
    CHECK(kdrv::audioNsToFrames(9999999, 48000) == 479);
    CHECK(kdrv::audioNsToFrames(~uint64_t(0), 48000) ==
          885443715538058ull); // floor(1.8e19 x 48000 / 1e9)
}

// --- 6. Span split ------------------------------------------------------------

TEST_CASE("audio split: ranges across the end and the limits")
{
    AudioSpan s[2];
    uint32_t n = 99;
    const uint32_t N = kFrames;
    SUBCASE("inside")
    {
        CHECK(kdrv::audioSplitFrames(N, 100, 200, s, &n) == Status::Success);
        CHECK(n == 1);
        CHECK(s[0].firstFrame == 100);
        CHECK(s[0].frameCount == 200);
    }
    SUBCASE("ending exactly at N")
    {
        CHECK(kdrv::audioSplitFrames(N, N - 480, 480, s, &n) == Status::Success);
        CHECK(n == 1);
        CHECK(s[0].frameCount == 480);
    }
    SUBCASE("crossing the end")
    {
        CHECK(kdrv::audioSplitFrames(N, N - 100, 300, s, &n) == Status::Success);
        CHECK(n == 2);
        CHECK(s[0].firstFrame == N - 100);
        CHECK(s[0].frameCount == 100);
        CHECK(s[1].firstFrame == 0);
        CHECK(s[1].frameCount == 200);
    }
    SUBCASE("num == N from 0 and from the middle")
    {
        CHECK(kdrv::audioSplitFrames(N, 0, N, s, &n) == Status::Success);
        CHECK(n == 1);
        CHECK(s[0].frameCount == N);
        CHECK(kdrv::audioSplitFrames(N, 5, N, s, &n) == Status::Success);
        CHECK(n == 2);
        CHECK(s[0].frameCount + s[1].frameCount == N);
        CHECK(s[1].frameCount == 5);
    }
    SUBCASE("num == 0")
    {
        CHECK(kdrv::audioSplitFrames(N, 17, 0, s, &n) == Status::Success);
        CHECK(n == 0);
    }
    SUBCASE("first == N - 1")
    {
        CHECK(kdrv::audioSplitFrames(N, N - 1, 1, s, &n) == Status::Success);
        CHECK(n == 1);
        CHECK(kdrv::audioSplitFrames(N, N - 1, 2, s, &n) == Status::Success);
        CHECK(n == 2);
        CHECK(s[0].frameCount == 1);
        CHECK(s[1].firstFrame == 0);
        CHECK(s[1].frameCount == 1);
    }
    SUBCASE("rejected")
    {
        CHECK(kdrv::audioSplitFrames(N, 0, N + 1, s, &n) == Status::BadArgument);
        CHECK(kdrv::audioSplitFrames(N, N, 1, s, &n) == Status::BadArgument);
        CHECK(kdrv::audioSplitFrames(N, N, 0, s, &n) == Status::BadArgument);
        CHECK(kdrv::audioSplitFrames(N, 0xFFFFFFFFu, 0xFFFFFFFFu, s, &n) == Status::BadArgument);
        CHECK(kdrv::audioSplitFrames(0, 0, 0, s, &n) == Status::BadArgument);
        CHECK(kdrv::audioSplitFrames(N, 0, 1, nullptr, &n) == Status::BadArgument);
        CHECK(kdrv::audioSplitFrames(N, 0, 1, s, nullptr) == Status::BadArgument);
        CHECK(n == 99); // untouched
    }
    SUBCASE("largest ring: no 32-bit overflow in first + num")
    {
        CHECK(kdrv::audioSplitFrames(0xFFFFFFFFu, 0xFFFFFFFEu, 0xFFFFFFFFu, s, &n) ==
              Status::Success);
        CHECK(n == 2);
        CHECK(s[0].frameCount == 1);
        CHECK(s[1].frameCount == 0xFFFFFFFEu);
    }
}

TEST_CASE("audio split: geometry and clock wrappers, sample index overflow rejected")
{
    AudioRingGeometry g;
    REQUIRE(g.init(kFrames, 2, 16, 16, AudioAlignment::High, AudioByteOrder::Little) ==
            Status::Success);
    AudioSpan s[2];
    uint32_t n = 0;
    CHECK(g.split(kFrames - 10, 20, s, &n) == Status::Success);
    CHECK(n == 2);
    uint32_t off = 0;
    uint32_t bytes = 0;
    CHECK(g.spanBytes(s[0], &off, &bytes) == Status::Success);
    CHECK(off == (kFrames - 10) * 4);
    CHECK(bytes == 40);
    CHECK(g.spanBytes(AudioSpan{kFrames - 10, 11}, &off, &bytes) == Status::BadArgument);
    CHECK(g.spanBytes(AudioSpan{kFrames, 0}, &off, &bytes) == Status::BadArgument);
    AudioRingClock c = bookClock();
    CHECK(c.split(kFrames - 1, kFrames, s, &n) == Status::Success);
    CHECK(n == 2);
    // first x channels overflowing 32 bits: a frame that large cannot be in
    // a valid ring, so sampleIndex and split reject it.
    AudioRingGeometry wide;
    REQUIRE(wide.init(0x10000, 0x4000, 8, 8, AudioAlignment::Low, AudioByteOrder::Little) ==
            Status::Success); // 2^30 bytes
    uint32_t idx = 0;
    CHECK(wide.sampleIndex(0x40000, 0, &idx) == Status::BadArgument); // 2^18 x 2^14 = 2^32
    CHECK(wide.split(0x40000, 1, s, &n) == Status::BadArgument);
    CHECK(wide.sampleIndex(0xFFFF, 0x3FFF, &idx) == Status::Success);
    CHECK(idx == 0x3FFFFFFFu);
}

// --- 7. Erase head --------------------------------------------------------------

namespace
{
// Ring of 16-bit stereo frames where each sample holds a marker, for erase
// checks.
struct MarkedRing
{
    AudioRingGeometry g;
    std::vector<uint8_t> bytes;
    explicit MarkedRing(uint32_t frames, uint32_t width = 16, uint32_t channels = 2)
    {
        REQUIRE(g.init(frames, channels, width, width, AudioAlignment::High, AudioByteOrder::Big) ==
                Status::Success);
        bytes.assign(g.bufferBytes(), 0xA5);
    }
    bool frameIsZero(uint32_t f) const
    {
        for (uint32_t b = 0; b < g.frameBytes(); ++b)
        {
            if (bytes[f * g.frameBytes() + b] != 0)
            {
                return false;
            }
        }
        return true;
    }
    bool frameIsMarked(uint32_t f) const
    {
        for (uint32_t b = 0; b < g.frameBytes(); ++b)
        {
            if (bytes[f * g.frameBytes() + b] != 0xA5)
            {
                return false;
            }
        }
        return true;
    }
};
} // namespace

TEST_CASE("erase head: erases up to, never at or past, the play head")
{
    MarkedRing ring(100);
    EraseHead e;
    REQUIRE(e.init(100, true) == Status::Success);
    CHECK(e.erase(ring.g, ring.bytes.data(), ring.bytes.size(), 30) == Status::Success);
    for (uint32_t f = 0; f < 100; ++f)
    {
        CHECK(ring.frameIsZero(f) == (f < 30));
        CHECK(ring.frameIsMarked(f) == (f >= 30));
    }
    CHECK(e.eraseFrame() == 30);
    // erase == play: nothing to do.
    AudioSpan s[2];
    uint32_t n = 7;
    CHECK(e.pending(30, s, &n) == Status::Success);
    CHECK(n == 0);
    ring.bytes.assign(ring.bytes.size(), 0xA5);
    CHECK(e.erase(ring.g, ring.bytes.data(), ring.bytes.size(), 30) == Status::Success);
    for (uint32_t f = 0; f < 100; ++f)
    {
        CHECK(ring.frameIsMarked(f));
    }
}

TEST_CASE("erase head: ranges that wrap")
{
    MarkedRing ring(100);
    EraseHead e;
    REQUIRE(e.init(100, true) == Status::Success);
    REQUIRE(e.commit(90) == Status::Success);
    AudioSpan s[2];
    uint32_t n = 0;
    CHECK(e.pending(20, s, &n) == Status::Success);
    REQUIRE(n == 2);
    CHECK(s[0].firstFrame == 90);
    CHECK(s[0].frameCount == 10);
    CHECK(s[1].firstFrame == 0);
    CHECK(s[1].frameCount == 20);
    CHECK(e.erase(ring.g, ring.bytes.data(), ring.bytes.size(), 20) == Status::Success);
    for (uint32_t f = 0; f < 100; ++f)
    {
        const bool erased = f >= 90 || f < 20;
        CHECK(ring.frameIsZero(f) == erased);
        CHECK(ring.frameIsMarked(f) == !erased);
    }
    // Wrapping to exactly frame 0: one span, up to the end.
    REQUIRE(e.commit(95) == Status::Success);
    CHECK(e.pending(0, s, &n) == Status::Success);
    REQUIRE(n == 1);
    CHECK(s[0].firstFrame == 95);
    CHECK(s[0].frameCount == 5);
    // The head one frame ahead of the eraser: all but one frame.
    REQUIRE(e.commit(50) == Status::Success);
    CHECK(e.pending(49, s, &n) == Status::Success);
    REQUIRE(n == 2);
    CHECK(s[0].frameCount + s[1].frameCount == 99);
}

TEST_CASE("erase head: disabled erases nothing but follows the play head")
{
    MarkedRing ring(100);
    EraseHead e;
    REQUIRE(e.init(100, false) == Status::Success);
    CHECK_FALSE(e.isEnabled());
    AudioSpan s[2];
    uint32_t n = 5;
    CHECK(e.pending(60, s, &n) == Status::Success);
    CHECK(n == 0);
    CHECK(e.erase(ring.g, ring.bytes.data(), ring.bytes.size(), 60) == Status::Success);
    for (uint32_t f = 0; f < 100; ++f)
    {
        CHECK(ring.frameIsMarked(f));
    }
    CHECK(e.eraseFrame() == 60);
    e.setEnabled(true);
    CHECK(e.erase(ring.g, ring.bytes.data(), ring.bytes.size(), 70) == Status::Success);
    for (uint32_t f = 0; f < 100; ++f)
    {
        CHECK(ring.frameIsZero(f) == (f >= 60 && f < 70));
    }
    e.reset();
    CHECK(e.eraseFrame() == 0);
}

TEST_CASE("erase head: bad input gets BadArgument and changes nothing")
{
    MarkedRing ring(100);
    EraseHead e;
    AudioSpan s[2];
    uint32_t n = 0;
    CHECK(e.init(0, true) == Status::BadArgument);
    CHECK(e.pending(0, s, &n) == Status::BadArgument); // uninitialised
    REQUIRE(e.init(100, true) == Status::Success);
    CHECK(e.pending(100, s, &n) == Status::BadArgument);
    CHECK(e.pending(1, nullptr, &n) == Status::BadArgument);
    CHECK(e.commit(100) == Status::BadArgument);
    CHECK(e.erase(ring.g, ring.bytes.data(), ring.bytes.size(), 100) == Status::BadArgument);
    CHECK(e.erase(ring.g, nullptr, ring.bytes.size(), 10) == Status::BadArgument);
    CHECK(e.erase(ring.g, ring.bytes.data(), ring.bytes.size() - 1, 10) == Status::BadArgument);
    MarkedRing other(99);
    CHECK(e.erase(other.g, other.bytes.data(), other.bytes.size(), 10) == Status::BadArgument);
    CHECK(e.eraseFrame() == 0);
    for (uint32_t f = 0; f < 100; ++f)
    {
        CHECK(ring.frameIsMarked(f));
    }
}

TEST_CASE("erase head: writes zero bytes for every container width")
{
    const uint32_t widths[] = {8, 16, 24, 32};
    for (size_t w = 0; w < KDRV_COUNTOF(widths); ++w)
    {
        CAPTURE(widths[w]);
        MarkedRing ring(64, widths[w], 3);
        EraseHead e;
        REQUIRE(e.init(64, true) == Status::Success);
        REQUIRE(e.commit(60) == Status::Success);
        CHECK(e.erase(ring.g, ring.bytes.data(), ring.bytes.size(), 4) == Status::Success);
        for (uint32_t f = 0; f < 64; ++f)
        {
            const bool erased = f >= 60 || f < 4;
            CHECK(ring.frameIsZero(f) == erased);
            CHECK(ring.frameIsMarked(f) == !erased);
        }
    }
}

TEST_CASE("erase head follows the clock around several loops")
{
    // The engine pattern: erase behind the conservative position each period.
    MarkedRing ring(kFrames);
    AudioRingClock c = bookClock();
    EraseHead e;
    REQUIRE(e.init(kFrames, true) == Status::Success);
    c.start(0);
    for (uint64_t k = 1; k <= 3 * kPeriods + 7; ++k)
    {
        c.advance(1, k * kPeriodNs);
        const uint32_t play = c.currentFrame();
        // The client refills the period ahead of the play head.
        memset(ring.bytes.data() + size_t(play) * 4, 0xA5, kPeriod * 4);
        REQUIRE(e.erase(ring.g, ring.bytes.data(), ring.bytes.size(), play) == Status::Success);
        CHECK(ring.frameIsMarked(play));
        CHECK(ring.frameIsMarked(play + kPeriod - 1));
        const uint32_t behind = (play + kFrames - 1) % kFrames;
        CHECK(ring.frameIsZero(behind));
    }
}
