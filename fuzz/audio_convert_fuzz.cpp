// SPDX-License-Identifier: MIT
//
// Sample converters: arbitrary float bit patterns (NaNs, infinities,
// denormals, huge values) through every format and byte order, compared
// with a reference computed in double precision; arbitrary integer
// containers back to float. UBSan's float-cast-overflow check proves that
// no out-of-range float reaches an integer conversion.
//
// Public operations reached: audioContainerBytes, convertFromFloat and
// convertToFloat (every format, both byte orders, any frame offset and
// channel count, and every documented refusal: unknown format, no channels,
// null buffers, an overflowing range, a misaligned buffer, zero frames),
// and the scalar converters audioFloatToS16Book / S16Symmetric / S24 / S32,
// all against the double-precision reference.
#include "kdrv/audio_convert.hpp"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vector>

#include "fuzz_check.hpp" // for FUZZ_CHECK

namespace
{
using kdrv::AudioByteOrder;
using kdrv::AudioSampleFormat;
using kdrv::Status;

// Round half away from zero in double (exact for the magnitudes involved).
double roundAway(double y) { return y >= 0 ? floor(y + 0.5) : -floor(-y + 0.5); }

double clampD(double v, double lo, double hi) { return v < lo ? lo : (v > hi ? hi : v); }

// Reference value of one float in a format, as the stored integer (host order).
uint32_t reference(AudioSampleFormat format, float x)
{
    if (isnan(x))
    {
        x = 0.0f;
    }
    const double d = static_cast<double>(x);
    switch (format)
    {
    case AudioSampleFormat::S16Book:
    {
        // trunc of the exact product (audio-ring.md section 5): in double, a
        // float times 32767 or 32768 is exact. (A float product here once
        // shared the converter's rounding error and hid it.)
        const double c = clampD(d, -1.0, 1.0);
        return static_cast<uint16_t>(
            static_cast<int16_t>(trunc(c >= 0 ? c * 32767.0 : c * 32768.0)));
    }
    case AudioSampleFormat::S16Symmetric:
        return static_cast<uint16_t>(
            static_cast<int16_t>(clampD(roundAway(d * 32768.0), -32768.0, 32767.0)));
    case AudioSampleFormat::S24High32:
        return static_cast<uint32_t>(
                   static_cast<int32_t>(clampD(roundAway(d * 8388608.0), -8388608.0, 8388607.0)))
               << 8;
    case AudioSampleFormat::S24Low32:
        return static_cast<uint32_t>(
            static_cast<int32_t>(clampD(roundAway(d * 8388608.0), -8388608.0, 8388607.0)));
    case AudioSampleFormat::S32:
        return static_cast<uint32_t>(
            static_cast<int32_t>(clampD(roundAway(d * 2147483648.0), -2147483648.0, 2147483647.0)));
    case AudioSampleFormat::F32:
    {
        const float c = x > 1.0f ? 1.0f : (x < -1.0f ? -1.0f : x);
        uint32_t u;
        memcpy(&u, &c, sizeof u);
        return u;
    }
    }
    return 0;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 2)
    {
        return 0;
    }
    const uint32_t channels = 1 + data[0] % 8;
    const uint32_t first = data[1] % 5;
    data += 2;
    size -= 2;
    // Up to 256 samples: longer inputs find nothing new and slow the run.
    size = size > 1024 ? 1024 : size;
    const uint32_t frames = static_cast<uint32_t>(size / 4 / channels);
    if (frames == 0)
    {
        return 0;
    }
    const uint32_t samples = frames * channels;
    const uint32_t total = (first + frames) * channels;
    std::vector<float> mix(total, 0.0f);
    memcpy(mix.data() + first * channels, data, size_t(samples) * 4);
    const AudioByteOrder host = kdrv::hostAudioByteOrder();
    const AudioByteOrder orders[2] = {AudioByteOrder::Little, AudioByteOrder::Big};

    for (uint32_t fmt = 0; fmt < kdrv::kAudioSampleFormatCount; ++fmt)
    {
        const AudioSampleFormat format = static_cast<AudioSampleFormat>(fmt);
        const uint32_t bytes = kdrv::audioContainerBytes(format);
        for (int o = 0; o < 2; ++o)
        {
            std::vector<uint32_t> ring(total + 1, 0xDEADBEEFu);
            const std::vector<uint32_t> before(ring);
            const uint8_t* pristine = reinterpret_cast<const uint8_t*>(before.data());
            FUZZ_CHECK(kdrv::convertFromFloat(format, orders[o], mix.data(), ring.data(), first,
                                              frames, channels) == Status::Success);
            const bool swap = orders[o] != host;
            const uint8_t* raw = reinterpret_cast<const uint8_t*>(ring.data());
            std::vector<uint32_t> stored(total);
            for (uint32_t i = 0; i < total; ++i)
            {
                if (bytes == 2)
                {
                    uint16_t v;
                    memcpy(&v, raw + size_t(i) * 2, 2);
                    stored[i] = swap ? __builtin_bswap16(v) : v;
                }
                else
                {
                    memcpy(&stored[i], raw + size_t(i) * 4, 4);
                    stored[i] = swap ? __builtin_bswap32(stored[i]) : stored[i];
                }
                if (i < first * channels)
                {
                    // Before the frame offset: untouched.
                    FUZZ_CHECK(
                        memcmp(raw + size_t(i) * bytes, pristine + size_t(i) * bytes, bytes) == 0);
                    continue;
                }
                FUZZ_CHECK(stored[i] == reference(format, mix[i]));
            }
            // Back to float, written at the start of dest: in range, and it
            // quantises back to the stored value (book mode reads like
            // symmetric, s / 32768, so symmetric recovers it; s32 -> float
            // rounds to 24 bits, so within 128).
            std::vector<float> back(samples + 1, 7.0f);
            FUZZ_CHECK(kdrv::convertToFloat(format, orders[o], ring.data(), back.data(), first,
                                            frames, channels) == Status::Success);
            FUZZ_CHECK(back[samples] == 7.0f);
            const AudioSampleFormat requantise =
                format == AudioSampleFormat::S16Book ? AudioSampleFormat::S16Symmetric : format;
            for (uint32_t i = 0; i < samples; ++i)
            {
                const float b = back[i];
                FUZZ_CHECK(b == b && b >= -1.0f && b <= 1.0f);
                const uint32_t again = reference(requantise, b);
                const uint32_t was = stored[first * channels + i];
                if (format == AudioSampleFormat::S32)
                {
                    const int64_t diff = int64_t(int32_t(again)) - int64_t(int32_t(was));
                    FUZZ_CHECK(diff >= -128 && diff <= 128);
                }
                else
                {
                    FUZZ_CHECK(again == was);
                }
            }
        }
    }

    // The scalar converters agree with the reference too.
    for (uint32_t i = 0; i < samples; ++i)
    {
        const float x = mix[first * channels + i];
        FUZZ_CHECK(static_cast<uint16_t>(kdrv::audioFloatToS16Book(x)) ==
                   reference(AudioSampleFormat::S16Book, x));
        FUZZ_CHECK(static_cast<uint16_t>(kdrv::audioFloatToS16Symmetric(x)) ==
                   reference(AudioSampleFormat::S16Symmetric, x));
        FUZZ_CHECK(static_cast<uint32_t>(kdrv::audioFloatToS24(x)) ==
                   reference(AudioSampleFormat::S24Low32, x));
        FUZZ_CHECK(static_cast<uint32_t>(kdrv::audioFloatToS32(x)) ==
                   reference(AudioSampleFormat::S32, x));
    }
    // Misuse: every documented refusal, nothing written.
    {
        std::vector<uint32_t> ring(total + 2, 0xDEADBEEFu);
        const std::vector<uint32_t> before(ring);
        const AudioSampleFormat bad = static_cast<AudioSampleFormat>(kdrv::kAudioSampleFormatCount);
        FUZZ_CHECK(kdrv::convertFromFloat(bad, host, mix.data(), ring.data(), first, frames,
                                          channels) == Status::BadArgument);
        FUZZ_CHECK(kdrv::convertFromFloat(AudioSampleFormat::S32, host, mix.data(), ring.data(),
                                          first, frames, 0) == Status::BadArgument);
        FUZZ_CHECK(kdrv::convertFromFloat(AudioSampleFormat::S32, host, nullptr, ring.data(), first,
                                          frames, channels) == Status::BadArgument);
        FUZZ_CHECK(kdrv::convertFromFloat(AudioSampleFormat::S32, host, mix.data(), nullptr, first,
                                          frames, channels) == Status::BadArgument);
        FUZZ_CHECK(kdrv::convertFromFloat(AudioSampleFormat::S32, host, mix.data(), ring.data(),
                                          0xFFFFFFFFu, frames, channels) == Status::BadArgument);
        uint8_t* odd = reinterpret_cast<uint8_t*>(ring.data()) + 1;
        FUZZ_CHECK(kdrv::convertFromFloat(AudioSampleFormat::S32, host, mix.data(), odd, first,
                                          frames, channels) == Status::NotAligned);
        FUZZ_CHECK(kdrv::convertToFloat(bad, host, ring.data(), mix.data(), first, frames,
                                        channels) == Status::BadArgument);
        FUZZ_CHECK(ring == before);
        FUZZ_CHECK(kdrv::convertFromFloat(AudioSampleFormat::S32, host, mix.data(), ring.data(),
                                          first, 0, channels) == Status::Success);
        FUZZ_CHECK(ring == before);
    }

    // Arbitrary containers in: finite, in range, no UB.
    const uint32_t words = static_cast<uint32_t>(size / 4);
    std::vector<uint32_t> containers(words + 1);
    memcpy(containers.data(), data, size_t(words) * 4);
    std::vector<float> out(size_t(words) * 2 + 1);
    for (uint32_t fmt = 0; fmt < kdrv::kAudioSampleFormatCount; ++fmt)
    {
        const AudioSampleFormat format = static_cast<AudioSampleFormat>(fmt);
        const uint32_t count = kdrv::audioContainerBytes(format) == 2 ? words * 2 : words;
        FUZZ_CHECK(kdrv::convertToFloat(format, orders[fmt % 2], containers.data(), out.data(), 0,
                                        count, 1) == Status::Success);
        for (uint32_t i = 0; i < count; ++i)
        {
            FUZZ_CHECK(out[i] == out[i] && out[i] >= -1.0f && out[i] <= 1.0f);
        }
    }
    return 0;
}
