// SPDX-License-Identifier: MIT
//
// Audio sample conversion: kdrv's converters against the straightforward
// scalar loop a driver writes by hand (the classic clip routine: if/else
// clamps, a scale chosen by sign, a truncating or "+0.5" cast), for 48 kHz
// stereo blocks of 512 frames (one mix callback) and a whole 24000-frame
// ring. A memcpy of the same float block is the bandwidth yardstick in the
// same run: compare bytes_per_second (bytes read + written) with
// "audio.copy_block/memcpy".
//
// Items are samples (frames x channels), so items_per_second is samples/s.
// The hand loops are kept out of line so each call converts a whole block,
// as the audio family calls clipOutputSamples.
#include "bench_support.hpp"

#include "kdrv/audio_convert.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace
{
const uint32_t kChannels = 2;
const double kPi = 3.14159265358979323846;

// A music-like test signal: three partials, peaking at about 1.15 so that
// some runs of samples clip, as a hot mix does.
std::vector<float> makeMix(uint32_t frames)
{
    std::vector<float> mix(size_t(frames) * kChannels);
    for (size_t i = 0; i < mix.size(); ++i)
    {
        const double t = static_cast<double>(i / kChannels) / 48000.0;
        const double v = 0.6 * std::sin(2 * kPi * 440.0 * t) +
                         0.35 * std::sin(2 * kPi * 1250.0 * t + (i % 2)) +
                         0.2 * std::sin(2 * kPi * 97.0 * t);
        mix[i] = static_cast<float>(v);
    }
    return mix;
}

// --- Hand-written scalar loops (the peers) ------------------------------------

// The classic clip routine: clamp with if/else, asymmetric scale, truncate.
__attribute__((noinline)) void scalarClipS16(const float* src, int16_t* dst, size_t n)
{
    for (size_t i = 0; i < n; ++i)
    {
        float x = src[i];
        if (x > 1.0f)
        {
            x = 1.0f;
        }
        else if (x < -1.0f)
        {
            x = -1.0f;
        }
        dst[i] = x >= 0 ? static_cast<int16_t>(x * 32767.0f) : static_cast<int16_t>(x * 32768.0f);
    }
}

// Symmetric scale with the usual "+/-0.5 then cast" rounding.
__attribute__((noinline)) void scalarClipS16Sym(const float* src, int16_t* dst, size_t n)
{
    for (size_t i = 0; i < n; ++i)
    {
        float y = src[i] * 32768.0f;
        if (y > 32767.0f)
        {
            y = 32767.0f;
        }
        else if (y < -32768.0f)
        {
            y = -32768.0f;
        }
        dst[i] = static_cast<int16_t>(y >= 0 ? y + 0.5f : y - 0.5f);
    }
}

// The same, stored big-endian (the byte order the book's format declares).
__attribute__((noinline)) void scalarClipS16SymSwap(const float* src, uint16_t* dst, size_t n)
{
    for (size_t i = 0; i < n; ++i)
    {
        float y = src[i] * 32768.0f;
        if (y > 32767.0f)
        {
            y = 32767.0f;
        }
        else if (y < -32768.0f)
        {
            y = -32768.0f;
        }
        const int16_t v = static_cast<int16_t>(y >= 0 ? y + 0.5f : y - 0.5f);
        dst[i] = __builtin_bswap16(static_cast<uint16_t>(v));
    }
}

__attribute__((noinline)) void scalarClipS24High(const float* src, uint32_t* dst, size_t n)
{
    for (size_t i = 0; i < n; ++i)
    {
        float y = src[i] * 8388608.0f;
        if (y > 8388607.0f)
        {
            y = 8388607.0f;
        }
        else if (y < -8388608.0f)
        {
            y = -8388608.0f;
        }
        const int32_t v = static_cast<int32_t>(y >= 0 ? y + 0.5f : y - 0.5f);
        dst[i] = static_cast<uint32_t>(v) << 8;
    }
}

__attribute__((noinline)) void scalarClipS32(const float* src, int32_t* dst, size_t n)
{
    for (size_t i = 0; i < n; ++i)
    {
        const float x = src[i];
        if (x >= 1.0f)
        {
            dst[i] = INT32_MAX;
        }
        else if (x <= -1.0f)
        {
            dst[i] = INT32_MIN;
        }
        else
        {
            const float y = x * 2147483648.0f;
            dst[i] = static_cast<int32_t>(y >= 0 ? y + 0.5f : y - 0.5f);
        }
    }
}

__attribute__((noinline)) void scalarS16ToFloat(const int16_t* src, float* dst, size_t n)
{
    for (size_t i = 0; i < n; ++i)
    {
        dst[i] = src[i] / 32768.0f;
    }
}

__attribute__((noinline)) void scalarS24HighToFloat(const uint32_t* src, float* dst, size_t n)
{
    for (size_t i = 0; i < n; ++i)
    {
        const int32_t v = static_cast<int32_t>(src[i]) >> 8;
        dst[i] = v / 8388608.0f;
    }
}

__attribute__((noinline)) void scalarS32ToFloat(const int32_t* src, float* dst, size_t n)
{
    for (size_t i = 0; i < n; ++i)
    {
        dst[i] = src[i] / 2147483648.0f;
    }
}

// --- Benchmarks -------------------------------------------------------------------

// Every sample buffer, kdrv's and the peers', is a vector of 32-bit words of
// exactly the block's size, so both sides see the same allocation layout.
size_t words(size_t samples, size_t bytesPerSample) { return (samples * bytesPerSample + 3) / 4; }

template <typename T> T* as(std::vector<uint32_t>& v) { return reinterpret_cast<T*>(v.data()); }

void finish(benchmark::State& state, size_t samples, size_t bytesPerSample)
{
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * samples));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * samples * bytesPerSample));
    kdrvbench::setClockCounters(state);
}

// Bandwidth yardstick: copy the float block (read 4 + write 4 bytes/sample).
void copyBlockMemcpy(benchmark::State& state)
{
    const uint32_t frames = static_cast<uint32_t>(state.range(0));
    const std::vector<float> mix = makeMix(frames);
    std::vector<float> out(mix.size());
    for (auto _ : state)
    {
        std::memcpy(out.data(), mix.data(), mix.size() * sizeof(float));
        benchmark::ClobberMemory();
    }
    finish(state, mix.size(), 8);
}

// kdrv: one benchmark function for every output format.
void clipKdrv(benchmark::State& state, kdrv::AudioSampleFormat format, kdrv::AudioByteOrder order)
{
    const uint32_t frames = static_cast<uint32_t>(state.range(0));
    const std::vector<float> mix = makeMix(frames);
    std::vector<uint32_t> ring(words(mix.size(), kdrv::audioContainerBytes(format)));
    for (auto _ : state)
    {
        const kdrv::Status s =
            kdrv::convertFromFloat(format, order, mix.data(), ring.data(), 0, frames, kChannels);
        benchmark::DoNotOptimize(s);
        benchmark::ClobberMemory();
    }
    finish(state, mix.size(), 4 + kdrv::audioContainerBytes(format));
}

void inKdrv(benchmark::State& state, kdrv::AudioSampleFormat format)
{
    const uint32_t frames = static_cast<uint32_t>(state.range(0));
    const std::vector<float> mix = makeMix(frames);
    std::vector<uint32_t> ring(words(mix.size(), kdrv::audioContainerBytes(format)));
    if (kdrv::convertFromFloat(format, kdrv::hostAudioByteOrder(), mix.data(), ring.data(), 0,
                               frames, kChannels) != kdrv::Status::Success)
    {
        state.SkipWithError("setup failed");
        return;
    }
    std::vector<float> out(mix.size());
    for (auto _ : state)
    {
        const kdrv::Status s = kdrv::convertToFloat(format, kdrv::hostAudioByteOrder(), ring.data(),
                                                    out.data(), 0, frames, kChannels);
        benchmark::DoNotOptimize(s);
        benchmark::ClobberMemory();
    }
    finish(state, mix.size(), 4 + kdrv::audioContainerBytes(format));
}

const kdrv::AudioByteOrder kHost = kdrv::hostAudioByteOrder();
const kdrv::AudioByteOrder kForeign = kHost == kdrv::AudioByteOrder::Little
                                          ? kdrv::AudioByteOrder::Big
                                          : kdrv::AudioByteOrder::Little;

void clipS16Kdrv(benchmark::State& s) { clipKdrv(s, kdrv::AudioSampleFormat::S16Book, kHost); }
void clipS16SymKdrv(benchmark::State& s)
{
    clipKdrv(s, kdrv::AudioSampleFormat::S16Symmetric, kHost);
}
void clipS16SymSwapKdrv(benchmark::State& s)
{
    clipKdrv(s, kdrv::AudioSampleFormat::S16Symmetric, kForeign);
}
void clipS24Kdrv(benchmark::State& s) { clipKdrv(s, kdrv::AudioSampleFormat::S24High32, kHost); }
void clipS32Kdrv(benchmark::State& s) { clipKdrv(s, kdrv::AudioSampleFormat::S32, kHost); }
void inS16Kdrv(benchmark::State& s) { inKdrv(s, kdrv::AudioSampleFormat::S16Symmetric); }
void inS24Kdrv(benchmark::State& s) { inKdrv(s, kdrv::AudioSampleFormat::S24High32); }
void inS32Kdrv(benchmark::State& s) { inKdrv(s, kdrv::AudioSampleFormat::S32); }

// Scalar peers, same buffers and byte counts.
void clipS16Scalar(benchmark::State& state)
{
    const uint32_t frames = static_cast<uint32_t>(state.range(0));
    const std::vector<float> mix = makeMix(frames);
    std::vector<uint32_t> ring(words(mix.size(), 2));
    for (auto _ : state)
    {
        scalarClipS16(mix.data(), as<int16_t>(ring), mix.size());
        benchmark::ClobberMemory();
    }
    finish(state, mix.size(), 6);
}

void clipS16SymScalar(benchmark::State& state)
{
    const uint32_t frames = static_cast<uint32_t>(state.range(0));
    const std::vector<float> mix = makeMix(frames);
    std::vector<uint32_t> ring(words(mix.size(), 2));
    for (auto _ : state)
    {
        scalarClipS16Sym(mix.data(), as<int16_t>(ring), mix.size());
        benchmark::ClobberMemory();
    }
    finish(state, mix.size(), 6);
}

void clipS16SymSwapScalar(benchmark::State& state)
{
    const uint32_t frames = static_cast<uint32_t>(state.range(0));
    const std::vector<float> mix = makeMix(frames);
    std::vector<uint32_t> ring(words(mix.size(), 2));
    for (auto _ : state)
    {
        scalarClipS16SymSwap(mix.data(), as<uint16_t>(ring), mix.size());
        benchmark::ClobberMemory();
    }
    finish(state, mix.size(), 6);
}

void clipS24Scalar(benchmark::State& state)
{
    const uint32_t frames = static_cast<uint32_t>(state.range(0));
    const std::vector<float> mix = makeMix(frames);
    std::vector<uint32_t> ring(mix.size());
    for (auto _ : state)
    {
        scalarClipS24High(mix.data(), ring.data(), mix.size());
        benchmark::ClobberMemory();
    }
    finish(state, mix.size(), 8);
}

void clipS32Scalar(benchmark::State& state)
{
    const uint32_t frames = static_cast<uint32_t>(state.range(0));
    const std::vector<float> mix = makeMix(frames);
    std::vector<uint32_t> ring(words(mix.size(), 4));
    for (auto _ : state)
    {
        scalarClipS32(mix.data(), as<int32_t>(ring), mix.size());
        benchmark::ClobberMemory();
    }
    finish(state, mix.size(), 8);
}

void inS16Scalar(benchmark::State& state)
{
    const uint32_t frames = static_cast<uint32_t>(state.range(0));
    const std::vector<float> mix = makeMix(frames);
    std::vector<uint32_t> ring(words(mix.size(), 2));
    scalarClipS16Sym(mix.data(), as<int16_t>(ring), mix.size());
    std::vector<float> out(mix.size());
    for (auto _ : state)
    {
        scalarS16ToFloat(as<int16_t>(ring), out.data(), mix.size());
        benchmark::ClobberMemory();
    }
    finish(state, mix.size(), 6);
}

void inS24Scalar(benchmark::State& state)
{
    const uint32_t frames = static_cast<uint32_t>(state.range(0));
    const std::vector<float> mix = makeMix(frames);
    std::vector<uint32_t> ring(mix.size());
    scalarClipS24High(mix.data(), ring.data(), mix.size());
    std::vector<float> out(mix.size());
    for (auto _ : state)
    {
        scalarS24HighToFloat(ring.data(), out.data(), mix.size());
        benchmark::ClobberMemory();
    }
    finish(state, mix.size(), 8);
}

void inS32Scalar(benchmark::State& state)
{
    const uint32_t frames = static_cast<uint32_t>(state.range(0));
    const std::vector<float> mix = makeMix(frames);
    std::vector<uint32_t> ring(words(mix.size(), 4));
    scalarClipS32(mix.data(), as<int32_t>(ring), mix.size());
    std::vector<float> out(mix.size());
    for (auto _ : state)
    {
        scalarS32ToFloat(as<int32_t>(ring), out.data(), mix.size());
        benchmark::ClobberMemory();
    }
    finish(state, mix.size(), 8);
}
} // namespace

// 512 frames: one mix callback; 24000 frames: the book's whole ring (L2).
#define KDRV_AUDIO_BENCH_(fn, name) BENCHMARK(fn)->Name(name)->Arg(512)->Arg(24000)

KDRV_AUDIO_BENCH_(copyBlockMemcpy, "audio.copy_block/memcpy");
KDRV_AUDIO_BENCH_(clipS16Kdrv, "audio.clip_f32_s16/kdrv");
KDRV_AUDIO_BENCH_(clipS16Scalar, "audio.clip_f32_s16/scalar_loop");
KDRV_AUDIO_BENCH_(clipS16SymKdrv, "audio.clip_f32_s16sym/kdrv");
KDRV_AUDIO_BENCH_(clipS16SymScalar, "audio.clip_f32_s16sym/scalar_loop");
KDRV_AUDIO_BENCH_(clipS16SymSwapKdrv, "audio.clip_f32_s16sym_swapped/kdrv");
KDRV_AUDIO_BENCH_(clipS16SymSwapScalar, "audio.clip_f32_s16sym_swapped/scalar_loop");
KDRV_AUDIO_BENCH_(clipS24Kdrv, "audio.clip_f32_s24high/kdrv");
KDRV_AUDIO_BENCH_(clipS24Scalar, "audio.clip_f32_s24high/scalar_loop");
KDRV_AUDIO_BENCH_(clipS32Kdrv, "audio.clip_f32_s32/kdrv");
KDRV_AUDIO_BENCH_(clipS32Scalar, "audio.clip_f32_s32/scalar_loop");
KDRV_AUDIO_BENCH_(inS16Kdrv, "audio.convert_s16_f32/kdrv");
KDRV_AUDIO_BENCH_(inS16Scalar, "audio.convert_s16_f32/scalar_loop");
KDRV_AUDIO_BENCH_(inS24Kdrv, "audio.convert_s24high_f32/kdrv");
KDRV_AUDIO_BENCH_(inS24Scalar, "audio.convert_s24high_f32/scalar_loop");
KDRV_AUDIO_BENCH_(inS32Kdrv, "audio.convert_s32_f32/kdrv");
KDRV_AUDIO_BENCH_(inS32Scalar, "audio.convert_s32_f32/scalar_loop");
