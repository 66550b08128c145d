// SPDX-License-Identifier: MIT
//
// Sample converters (spec/audio-ring.md section 9, items 8-12): clipping,
// NaN and infinity rules, both rounding modes, 24-bit placement, round trips
// over every s16 value, write positions and byte order.
#include "kdrv/audio_convert.hpp"

#include <doctest/doctest.h>

#include <math.h>
#include <stdint.h>
#include <string.h>

#include <limits>
#include <vector>

using kdrv::AudioByteOrder;
using kdrv::AudioSampleFormat;
using kdrv::Status;

namespace
{
const float kInf = std::numeric_limits<float>::infinity();
const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kDenorm = std::numeric_limits<float>::denorm_min();
const AudioByteOrder kHost = kdrv::hostAudioByteOrder();
const AudioByteOrder kForeign =
    kHost == AudioByteOrder::Little ? AudioByteOrder::Big : AudioByteOrder::Little;

int32_t toS24(float x) { return kdrv::audioFloatToS24(x); }
int32_t toS32(float x) { return kdrv::audioFloatToS32(x); }
int16_t toBook(float x) { return kdrv::audioFloatToS16Book(x); }
int16_t toSym(float x) { return kdrv::audioFloatToS16Symmetric(x); }

float negativeNaN() { return -kNaN; }
float signallingNaNPayload()
{
    const uint32_t bits = 0x7FA00001u; // a NaN with a payload (quiet or not)
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}
} // namespace

// --- 8. float -> s16 --------------------------------------------------------------

TEST_CASE("float -> s16: full scale, beyond, infinities, NaN, zeros")
{
    // Both modes agree on these.
    const float in[] = {
        1.0f,  -1.0f, 1.5f,    kInf,     -1.5f, -kInf,  kNaN,
        -0.0f, 0.0f,  kDenorm, -kDenorm, 1e30f, -1e30f, std::numeric_limits<float>::max()};
    const int16_t want[] = {32767, -32768, 32767, 32767, -32768, -32768, 0,
                            0,     0,      0,     0,     32767,  -32768, 32767};
    static_assert(KDRV_COUNTOF(in) == KDRV_COUNTOF(want), "table");
    for (size_t i = 0; i < KDRV_COUNTOF(in); ++i)
    {
        CAPTURE(i);
        CHECK(toBook(in[i]) == want[i]);
        CHECK(toSym(in[i]) == want[i]);
    }
    CHECK(toBook(negativeNaN()) == 0);
    CHECK(toSym(negativeNaN()) == 0);
    CHECK(toBook(signallingNaNPayload()) == 0);
    CHECK(toSym(signallingNaNPayload()) == 0);
}

TEST_CASE("float -> s16: book truncation vs symmetric rounding, by documented mode")
{
    // 0.99999 x 32767 = 32766.67 truncated; x 32768 = 32767.67 rounds to
    // 32768 and saturates.
    CHECK(toBook(0.99999f) == 32766);
    CHECK(toSym(0.99999f) == 32767);
    // Book: asymmetric scale, truncation toward zero on both sides.
    CHECK(toBook(0.5f) == 16383);        // 16383.5
    CHECK(toBook(-0.5f) == -16384);      // exact
    CHECK(toBook(-0.99999f) == -32767);  // -32767.67 truncated
    CHECK(toBook(1.0f / 32768.0f) == 0); // 0.99997 truncated
    // Symmetric: nearest, ties away from zero.
    CHECK(toSym(0.5f) == 16384);
    CHECK(toSym(1.5f / 32768.0f) == 2);   // 1.5
    CHECK(toSym(-1.5f / 32768.0f) == -2); // -1.5
    CHECK(toSym(2.5f / 32768.0f) == 3);
    CHECK(toSym(1.4f / 32768.0f) == 1);
    CHECK(toSym(-1.4f / 32768.0f) == -1);
    CHECK(toSym(32766.5f / 32768.0f) == 32767);
    CHECK(toSym(-32767.5f / 32768.0f) == -32768);
    // 0.49999997 (the float just below 0.5) must not round up: the classic
    // (int)(y + 0.5f) gets 1 because the float sum rounds to 1.0.
    const float justBelowHalf = 0.49999997f;
    REQUIRE(justBelowHalf < 0.5f);
    REQUIRE(static_cast<int>(justBelowHalf + 0.5f) == 1); // the pitfall is real
    CHECK(toSym(justBelowHalf / 32768.0f) == 0);
    CHECK(toSym(-justBelowHalf / 32768.0f) == 0);
    CHECK(toSym(nextafterf(1.5f, 0.0f) / 32768.0f) == 1);
    CHECK(toSym(nextafterf(-2.5f, 0.0f) / 32768.0f) == -2);
}

TEST_CASE("float -> s16 symmetric matches a double-precision reference")
{
    // A sweep through [-1.25, 1.25] with awkward steps.
    for (int i = -1250000; i <= 1250000; i += 37)
    {
        const float x = static_cast<float>(i) * 1e-6f;
        double y = static_cast<double>(x) * 32768.0;
        double r = y >= 0 ? floor(y + 0.5) : -floor(-y + 0.5); // exact in double
        r = r > 32767.0 ? 32767.0 : (r < -32768.0 ? -32768.0 : r);
        REQUIRE(toSym(x) == static_cast<int16_t>(r));
    }
}

namespace
{
// The book mode's definition with the exact product: a float times 32767
// has at most 24 + 15 significant bits, so a double holds it exactly.
int16_t bookReference(float x)
{
    if (x != x)
        return 0;
    const double c = x > 1.0f ? 1.0 : (x < -1.0f ? -1.0 : static_cast<double>(x));
    return static_cast<int16_t>(c >= 0 ? static_cast<int32_t>(c * 32767.0)
                                       : static_cast<int32_t>(c * 32768.0));
}
float floatFromBits(uint32_t u)
{
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}
} // namespace

TEST_CASE("float -> s16 book is trunc of the exact product x times 32767")
{
    // Two inputs whose float product rounds up across a step.
    CHECK(toBook(floatFromBits(0x3F7B85F7u)) == 32193); // 32193.99991 exactly
    CHECK(bookReference(floatFromBits(0x3F7B85F7u)) == 32193);
    CHECK(toBook(floatFromBits(0x38000100u)) == 0);
    // Every step k / 32767 (k in [-32768, 32767]) and 64 floats either side of
    // it, both signs: the inputs where a rounded product can cross a step.
    long mismatches = 0;
    for (int32_t k = -32768; k <= 32767; ++k)
    {
        const double step = k >= 0 ? k / 32767.0 : k / 32768.0;
        float f = static_cast<float>(step);
        for (int i = 0; i < 64; ++i)
            f = nextafterf(f, -2.0f);
        for (int i = 0; i < 129; ++i, f = nextafterf(f, 2.0f))
        {
            if (toBook(f) != bookReference(f))
                ++mismatches;
        }
    }
    CHECK(mismatches == 0);
    // A sweep of ordinary inputs too, and the block converter agrees.
    for (int i = -1250000; i <= 1250000; i += 37)
    {
        const float x = static_cast<float>(i) * 1e-6f;
        REQUIRE(toBook(x) == bookReference(x));
    }
    float in[3] = {floatFromBits(0x3F7B85F7u), floatFromBits(0x38000100u), 1.0f};
    int16_t out[3] = {};
    REQUIRE(kdrv::convertFromFloat(AudioSampleFormat::S16Book, kHost, in, out, 0, 3, 1) ==
            Status::Success);
    CHECK(out[0] == 32193);
    CHECK(out[1] == 0);
    CHECK(out[2] == 32767);
}

// --- 10. s -> float, round trips -------------------------------------------------

TEST_CASE("s16 -> float -> s16 over all 65536 values")
{
    CHECK(kdrv::audioS16ToFloat(-32768) == -1.0f);
    CHECK(kdrv::audioS16ToFloat(0) == 0.0f);
    CHECK(kdrv::audioS16ToFloat(32767) == 32767.0f / 32768.0f);
    uint32_t bookLosses = 0;
    for (int32_t v = -32768; v <= 32767; ++v)
    {
        const int16_t s = static_cast<int16_t>(v);
        const float f = kdrv::audioS16ToFloat(s);
        REQUIRE(f == static_cast<float>(v) / 32768.0f); // exact
        // Symmetric: exact for every value.
        REQUIRE(toSym(f) == s);
        // Book: 0 and negatives survive; every positive value loses one step
        // (s x 32767/32768 lies strictly between s - 1 and s).
        const int16_t back = toBook(f);
        if (v <= 0)
        {
            REQUIRE(back == s);
        }
        else
        {
            REQUIRE(back == v - 1);
            ++bookLosses;
        }
    }
    CHECK(bookLosses == 32767);
    CHECK(toBook(kdrv::audioS16ToFloat(32767)) == 32766);
}

TEST_CASE("s16 round trip through the block converters, channel counts 1, 2, 8")
{
    const uint32_t channelCounts[] = {1, 2, 8};
    for (size_t c = 0; c < KDRV_COUNTOF(channelCounts); ++c)
    {
        const uint32_t ch = channelCounts[c];
        CAPTURE(ch);
        const uint32_t frames = 65536 / ch;
        std::vector<int16_t> samples(65536);
        for (uint32_t i = 0; i < 65536; ++i)
        {
            samples[i] = static_cast<int16_t>(static_cast<int32_t>(i) - 32768);
        }
        std::vector<float> mix(65536, 99.0f);
        const AudioByteOrder orders[] = {kHost, kForeign};
        for (size_t o = 0; o < 2; ++o)
        {
            std::vector<int16_t> raw(samples);
            if (orders[o] != kHost)
            {
                for (size_t i = 0; i < raw.size(); ++i)
                {
                    raw[i] = static_cast<int16_t>(__builtin_bswap16(static_cast<uint16_t>(raw[i])));
                }
            }
            REQUIRE(kdrv::convertToFloat(AudioSampleFormat::S16Symmetric, orders[o], raw.data(),
                                         mix.data(), 0, frames, ch) == Status::Success);
            std::vector<int16_t> back(65536, 0x1234);
            REQUIRE(kdrv::convertFromFloat(AudioSampleFormat::S16Symmetric, orders[o], mix.data(),
                                           back.data(), 0, frames, ch) == Status::Success);
            CHECK(back == raw);
            // Book input reads the same way; book output loses a step above 0.
            std::vector<float> mix2(65536);
            REQUIRE(kdrv::convertToFloat(AudioSampleFormat::S16Book, orders[o], raw.data(),
                                         mix2.data(), 0, frames, ch) == Status::Success);
            CHECK(mix2 == mix);
        }
    }
}

// --- 9. Other formats --------------------------------------------------------------

TEST_CASE("float -> s32: full scale, infinities and NaN without UB")
{
    CHECK(toS32(1.0f) == INT32_MAX);
    CHECK(toS32(-1.0f) == INT32_MIN);
    CHECK(toS32(1.5f) == INT32_MAX);
    CHECK(toS32(-1.5f) == INT32_MIN);
    CHECK(toS32(kInf) == INT32_MAX);
    CHECK(toS32(-kInf) == INT32_MIN);
    CHECK(toS32(kNaN) == 0);
    CHECK(toS32(negativeNaN()) == 0);
    CHECK(toS32(-0.0f) == 0);
    CHECK(toS32(kDenorm) == 0);
    CHECK(toS32(std::numeric_limits<float>::max()) == INT32_MAX);
    CHECK(toS32(-std::numeric_limits<float>::max()) == INT32_MIN);
    // The largest float below 1.0 is 1 - 2^-24: x 2^31 = 2^31 - 128, exact.
    const float belowOne = nextafterf(1.0f, 0.0f);
    CHECK(toS32(belowOne) == INT32_MAX - 127);
    CHECK(toS32(-belowOne) == INT32_MIN + 128);
    CHECK(toS32(0.5f) == 0x40000000);
    // Small values round to nearest (ties away): 2^-32 x 2^31 = 0.5.
    CHECK(toS32(ldexpf(1.0f, -32)) == 1);
    CHECK(toS32(-ldexpf(1.0f, -32)) == -1);
    CHECK(toS32(ldexpf(1.0f, -33)) == 0);
    // s32 -> float rounds to 24 bits.
    CHECK(kdrv::audioS32ToFloat(INT32_MIN) == -1.0f);
    CHECK(kdrv::audioS32ToFloat(0x40000000) == 0.5f);
    CHECK(kdrv::audioS32ToFloat(INT32_MAX) == 1.0f); // rounded up to 2^31
    CHECK(toS32(kdrv::audioS32ToFloat(INT32_MAX)) == INT32_MAX);
    // Exact for values with at most 24 significant bits.
    for (int32_t v = -(1 << 23); v < (1 << 23); v += 4099)
    {
        const int32_t s = v * 256;
        REQUIRE(toS32(kdrv::audioS32ToFloat(s)) == s);
    }
}

TEST_CASE("float -> s24: saturation, rounding, high vs low placement, sign extension")
{
    CHECK(toS24(1.0f) == 8388607);
    CHECK(toS24(-1.0f) == -8388608);
    CHECK(toS24(kInf) == 8388607);
    CHECK(toS24(-kInf) == -8388608);
    CHECK(toS24(kNaN) == 0);
    CHECK(toS24(-0.0f) == 0);
    CHECK(toS24(kDenorm) == 0);
    CHECK(toS24(0.5f) == 4194304);
    CHECK(toS24(1.5f / 8388608.0f) == 2);
    CHECK(toS24(0.49999997f / 8388608.0f) == 0);
    // Every 24-bit value survives s24 -> float -> s24.
    for (int32_t v = -8388608; v <= 8388607; v += 997)
    {
        REQUIRE(toS24(kdrv::audioS24ToFloat(v)) == v);
    }
    CHECK(toS24(kdrv::audioS24ToFloat(8388607)) == 8388607);
    CHECK(kdrv::audioS24ToFloat(-8388608) == -1.0f);

    // Placement.
    CHECK(kdrv::audioPackS24High(-1) == 0xFFFFFF00u);
    CHECK(kdrv::audioPackS24High(0x123456) == 0x12345600u);
    CHECK(kdrv::audioPackS24High(-8388608) == 0x80000000u);
    CHECK(kdrv::audioPackS24Low(-1) == 0xFFFFFFFFu); // top byte: sign extension
    CHECK(kdrv::audioPackS24Low(-8388608) == 0xFF800000u);
    CHECK(kdrv::audioPackS24Low(0x123456) == 0x00123456u);
    CHECK(kdrv::audioPackS24Low(8388607) == 0x007FFFFFu);
    // Unpacking ignores the padding byte and sign-extends bit 23.
    CHECK(kdrv::audioUnpackS24High(0xFFFFFF00u) == -1);
    CHECK(kdrv::audioUnpackS24High(0xFFFFFFFFu) == -1);
    CHECK(kdrv::audioUnpackS24High(0x800000ABu) == -8388608);
    CHECK(kdrv::audioUnpackS24High(0x7FFFFF00u) == 8388607);
    CHECK(kdrv::audioUnpackS24Low(0x00FFFFFFu) == -1); // top byte 0, still negative
    CHECK(kdrv::audioUnpackS24Low(0xAB800000u) == -8388608);
    CHECK(kdrv::audioUnpackS24Low(0xFF7FFFFFu) == 8388607);
    CHECK(kdrv::audioUnpackS24Low(0x00000001u) == 1);

    // Through the block converters.
    const float in[] = {1.0f, -1.0f, 0.5f, -0.5f, kNaN, -kInf};
    uint32_t high[6];
    uint32_t low[6];
    REQUIRE(kdrv::convertFromFloat(AudioSampleFormat::S24High32, kHost, in, high, 0, 3, 2) ==
            Status::Success);
    REQUIRE(kdrv::convertFromFloat(AudioSampleFormat::S24Low32, kHost, in, low, 0, 3, 2) ==
            Status::Success);
    const uint32_t wantHigh[] = {0x7FFFFF00u, 0x80000000u, 0x40000000u,
                                 0xC0000000u, 0,           0x80000000u};
    const uint32_t wantLow[] = {0x007FFFFFu, 0xFF800000u, 0x00400000u, 0xFFC00000u, 0, 0xFF800000u};
    for (int i = 0; i < 6; ++i)
    {
        CAPTURE(i);
        CHECK(high[i] == wantHigh[i]);
        CHECK(low[i] == wantLow[i]);
    }
    float outHigh[6];
    float outLow[6];
    REQUIRE(kdrv::convertToFloat(AudioSampleFormat::S24High32, kHost, high, outHigh, 0, 3, 2) ==
            Status::Success);
    REQUIRE(kdrv::convertToFloat(AudioSampleFormat::S24Low32, kHost, low, outLow, 0, 3, 2) ==
            Status::Success);
    const float wantBack[] = {8388607.0f / 8388608.0f, -1.0f, 0.5f, -0.5f, 0.0f, -1.0f};
    for (int i = 0; i < 6; ++i)
    {
        CAPTURE(i);
        CHECK(outHigh[i] == wantBack[i]);
        CHECK(outLow[i] == wantBack[i]);
    }
}

TEST_CASE("float containers: NaN -> 0, clamp, values otherwise untouched")
{
    const float in[] = {0.25f, -0.75f, kNaN, kInf, -kInf, 2.0f, -0.0f, kDenorm};
    uint32_t out[8];
    REQUIRE(kdrv::convertFromFloat(AudioSampleFormat::F32, kHost, in, out, 0, 8, 1) ==
            Status::Success);
    float back[8];
    memcpy(back, out, sizeof back);
    const float want[] = {0.25f, -0.75f, 0.0f, 1.0f, -1.0f, 1.0f, -0.0f, kDenorm};
    for (int i = 0; i < 8; ++i)
    {
        CAPTURE(i);
        CHECK(back[i] == want[i]);
    }
    // Input from a float device is sanitised the same way.
    float in2[8];
    REQUIRE(kdrv::convertToFloat(AudioSampleFormat::F32, kHost, in, in2, 0, 8, 1) ==
            Status::Success);
    for (int i = 0; i < 8; ++i)
    {
        CHECK(in2[i] == want[i]);
    }
}

// --- 11. Write positions ---------------------------------------------------------

TEST_CASE("clip writes at the frame offset, input conversion at the start of dest")
{
    const uint32_t ch = 2;
    const uint32_t first = 5;
    const uint32_t frames = 3;
    std::vector<float> mix(20 * ch);
    for (size_t i = 0; i < mix.size(); ++i)
    {
        mix[i] = static_cast<float>(i) / 64.0f;
    }
    std::vector<int16_t> ring(20 * ch, 0x7777);
    REQUIRE(kdrv::convertFromFloat(AudioSampleFormat::S16Symmetric, kHost, mix.data(), ring.data(),
                                   first, frames, ch) == Status::Success);
    for (uint32_t i = 0; i < ring.size(); ++i)
    {
        const bool written = i >= first * ch && i < (first + frames) * ch;
        CAPTURE(i);
        // The mix buffer is read at the same frame offset.
        CHECK(ring[i] == (written ? static_cast<int16_t>(i * 512) : 0x7777));
    }
    std::vector<float> dest(20 * ch, -9.0f);
    REQUIRE(kdrv::convertToFloat(AudioSampleFormat::S16Symmetric, kHost, ring.data(), dest.data(),
                                 first, frames, ch) == Status::Success);
    for (uint32_t i = 0; i < dest.size(); ++i)
    {
        CAPTURE(i);
        if (i < frames * ch)
        {
            CHECK(dest[i] == mix[first * ch + i]);
        }
        else
        {
            CHECK(dest[i] == -9.0f);
        }
    }
}

TEST_CASE("block converters reject bad requests with a Status")
{
    float mix[8] = {0};
    int16_t s16[8] = {0};
    uint32_t s32[8] = {0};
    const AudioSampleFormat bad = static_cast<AudioSampleFormat>(6);
    CHECK(kdrv::convertFromFloat(bad, kHost, mix, s16, 0, 1, 1) == Status::BadArgument);
    CHECK(kdrv::convertToFloat(bad, kHost, s16, mix, 0, 1, 1) == Status::BadArgument);
    CHECK(kdrv::convertFromFloat(AudioSampleFormat::S16Book, kHost, mix, s16, 0, 1, 0) ==
          Status::BadArgument);
    CHECK(kdrv::convertFromFloat(AudioSampleFormat::S16Book, kHost, nullptr, s16, 0, 1, 1) ==
          Status::BadArgument);
    CHECK(kdrv::convertToFloat(AudioSampleFormat::S16Book, kHost, s16, nullptr, 0, 1, 1) ==
          Status::BadArgument);
    // (first + num) x channels overflowing 32 bits, and first + num itself.
    CHECK(kdrv::convertFromFloat(AudioSampleFormat::S32, kHost, mix, s32, 0x80000000u, 0, 2) ==
          Status::BadArgument);
    CHECK(kdrv::convertFromFloat(AudioSampleFormat::S32, kHost, mix, s32, 0x7FFFFFFFu, 1, 2) ==
          Status::BadArgument);
    CHECK(kdrv::convertToFloat(AudioSampleFormat::S32, kHost, s32, mix, 0xFFFFFFFFu, 1, 1) ==
          Status::BadArgument);
    CHECK(kdrv::convertToFloat(AudioSampleFormat::S32, kHost, s32, mix, 0x20000000u, 0, 8) ==
          Status::BadArgument);
    // Misaligned buffers.
    CHECK(kdrv::convertFromFloat(AudioSampleFormat::S32, kHost, mix,
                                 reinterpret_cast<uint8_t*>(s32) + 2, 0, 1,
                                 1) == Status::NotAligned);
    CHECK(kdrv::convertFromFloat(AudioSampleFormat::S16Book, kHost, mix,
                                 reinterpret_cast<uint8_t*>(s16) + 1, 0, 1,
                                 1) == Status::NotAligned);
    CHECK(kdrv::convertToFloat(
              AudioSampleFormat::S16Book, kHost, s16,
              static_cast<float*>(static_cast<void*>(reinterpret_cast<uint8_t*>(mix) + 2)), 0, 1,
              1) == Status::NotAligned);
    // Zero frames is a no-op.
    s16[0] = 42;
    CHECK(kdrv::convertFromFloat(AudioSampleFormat::S16Book, kHost, mix, s16, 3, 0, 2) ==
          Status::Success);
    CHECK(s16[0] == 42);
    for (int i = 0; i < 8; ++i)
    {
        CHECK(mix[i] == 0.0f);
    }
}

// --- 12. Byte order ------------------------------------------------------------------

TEST_CASE("byte order: a foreign declared order swaps each container")
{
    const float in[] = {0.5f, -0.25f, 1.0f, kNaN};
    const AudioSampleFormat formats[] = {
        AudioSampleFormat::S16Book,  AudioSampleFormat::S16Symmetric, AudioSampleFormat::S24High32,
        AudioSampleFormat::S24Low32, AudioSampleFormat::S32,          AudioSampleFormat::F32};
    for (size_t f = 0; f < KDRV_COUNTOF(formats); ++f)
    {
        CAPTURE(f);
        const uint32_t bytes = kdrv::audioContainerBytes(formats[f]);
        REQUIRE((bytes == 2 || bytes == 4));
        uint32_t native[4] = {0};
        uint32_t foreign[4] = {0};
        REQUIRE(kdrv::convertFromFloat(formats[f], kHost, in, native, 0, 4, 1) == Status::Success);
        REQUIRE(kdrv::convertFromFloat(formats[f], kForeign, in, foreign, 0, 4, 1) ==
                Status::Success);
        const uint8_t* a = reinterpret_cast<const uint8_t*>(native);
        const uint8_t* b = reinterpret_cast<const uint8_t*>(foreign);
        for (uint32_t s = 0; s < 4; ++s)
        {
            for (uint32_t k = 0; k < bytes; ++k)
            {
                CHECK(a[s * bytes + k] == b[s * bytes + bytes - 1 - k]);
            }
        }
        // And back: the foreign bytes read as foreign give the native result.
        float fromNative[4];
        float fromForeign[4];
        REQUIRE(kdrv::convertToFloat(formats[f], kHost, native, fromNative, 0, 4, 1) ==
                Status::Success);
        REQUIRE(kdrv::convertToFloat(formats[f], kForeign, foreign, fromForeign, 0, 4, 1) ==
                Status::Success);
        CHECK(memcmp(fromNative, fromForeign, sizeof fromNative) == 0);
    }
    // Concrete bytes: 0.5 as big-endian s16 is 40 00, as little-endian 00 40.
    alignas(4) uint8_t be[2];
    alignas(4) uint8_t le[2];
    REQUIRE(kdrv::convertFromFloat(AudioSampleFormat::S16Symmetric, AudioByteOrder::Big, in, be, 0,
                                   1, 1) == Status::Success);
    REQUIRE(kdrv::convertFromFloat(AudioSampleFormat::S16Symmetric, AudioByteOrder::Little, in, le,
                                   0, 1, 1) == Status::Success);
    CHECK(be[0] == 0x40);
    CHECK(be[1] == 0x00);
    CHECK(le[0] == 0x00);
    CHECK(le[1] == 0x40);
    // 24-in-32 high-aligned big-endian: -0.25 = 0xE00000 << 8 -> E0 00 00 00.
    alignas(4) uint8_t be32[4];
    REQUIRE(kdrv::convertFromFloat(AudioSampleFormat::S24High32, AudioByteOrder::Big, in + 1, be32,
                                   0, 1, 1) == Status::Success);
    CHECK(be32[0] == 0xE0);
    CHECK(be32[1] == 0x00);
    CHECK(be32[3] == 0x00);
}

TEST_CASE("format and geometry matching")
{
    kdrv::AudioRingGeometry g;
    REQUIRE(g.init(64, 2, 32, 24, kdrv::AudioAlignment::High, AudioByteOrder::Big) ==
            Status::Success);
    CHECK(kdrv::audioFormatMatches(AudioSampleFormat::S24High32, g));
    CHECK_FALSE(kdrv::audioFormatMatches(AudioSampleFormat::S24Low32, g));
    CHECK_FALSE(kdrv::audioFormatMatches(AudioSampleFormat::S32, g));
    CHECK_FALSE(kdrv::audioFormatMatches(AudioSampleFormat::S16Book, g));
    REQUIRE(g.init(64, 2, 16, 16, kdrv::AudioAlignment::High, AudioByteOrder::Big) ==
            Status::Success);
    CHECK(kdrv::audioFormatMatches(AudioSampleFormat::S16Book, g));
    CHECK(kdrv::audioFormatMatches(AudioSampleFormat::S16Symmetric, g));
    CHECK_FALSE(kdrv::audioFormatMatches(AudioSampleFormat::F32, g));
    CHECK_FALSE(kdrv::audioFormatMatches(static_cast<AudioSampleFormat>(9), g));
    kdrv::AudioRingGeometry empty;
    CHECK_FALSE(kdrv::audioFormatMatches(AudioSampleFormat::S16Book, empty));
    CHECK(kdrv::audioContainerBytes(AudioSampleFormat::S16Book) == 2);
    CHECK(kdrv::audioContainerBytes(AudioSampleFormat::S24Low32) == 4);
    CHECK(kdrv::audioContainerBytes(AudioSampleFormat::F32) == 4);
    CHECK(kdrv::audioContainerBytes(static_cast<AudioSampleFormat>(6)) == 0);
}

TEST_CASE("block conversion equals the per-sample functions on odd lengths")
{
    // Odd lengths exercise the vector loops' remainders.
    std::vector<float> mix(1031);
    uint32_t seed = 12345;
    for (size_t i = 0; i < mix.size(); ++i)
    {
        seed = seed * 1664525u + 1013904223u;
        mix[i] = (static_cast<float>(seed >> 8) / 8388608.0f - 1.0f) * 1.3f;
    }
    mix[3] = kNaN;
    mix[100] = kInf;
    mix[101] = -kInf;
    std::vector<uint16_t> s16(mix.size());
    std::vector<uint32_t> s32(mix.size());
    REQUIRE(kdrv::convertFromFloat(AudioSampleFormat::S16Book, kHost, mix.data(), s16.data(), 0,
                                   1031, 1) == Status::Success);
    for (size_t i = 0; i < mix.size(); ++i)
    {
        REQUIRE(static_cast<int16_t>(s16[i]) == toBook(mix[i]));
    }
    REQUIRE(kdrv::convertFromFloat(AudioSampleFormat::S16Symmetric, kForeign, mix.data(),
                                   s16.data(), 0, 1031, 1) == Status::Success);
    for (size_t i = 0; i < mix.size(); ++i)
    {
        REQUIRE(static_cast<int16_t>(__builtin_bswap16(s16[i])) == toSym(mix[i]));
    }
    REQUIRE(kdrv::convertFromFloat(AudioSampleFormat::S32, kHost, mix.data(), s32.data(), 0, 1031,
                                   1) == Status::Success);
    for (size_t i = 0; i < mix.size(); ++i)
    {
        REQUIRE(static_cast<int32_t>(s32[i]) == toS32(mix[i]));
    }
    REQUIRE(kdrv::convertFromFloat(AudioSampleFormat::S24Low32, kForeign, mix.data(), s32.data(), 0,
                                   1031, 1) == Status::Success);
    for (size_t i = 0; i < mix.size(); ++i)
    {
        REQUIRE(kdrv::audioUnpackS24Low(__builtin_bswap32(s32[i])) == toS24(mix[i]));
    }
}
