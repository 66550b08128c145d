// SPDX-License-Identifier: MIT
//
/// \file
/// Audio sample converters: the system's 32-bit float mix samples to and from
/// a device's integer (or float) container format, with defined clipping.
///
/// FLOATING POINT. This is the only kdrv header that uses floating point, on
/// purpose. Kernel code must not use the FPU/SIMD registers implicitly: the
/// kernel does not save a thread's FP state on every entry, and clang's
/// -mkernel implies -no-implicit-float so that the compiler never introduces
/// such instructions on its own (vectorised copies, for example). Explicit
/// float code still compiles, and the audio family calls clipOutputSamples /
/// convertInputSamples with the FP state saved for it (the macOS kernel
/// switches FP context lazily), which is where these functions belong. Call
/// them from nowhere else in a kernel. With -fapple-kext -mkernel the code
/// references no symbol at -O2 (memcpy at -O0). A profile that forbids FP
/// registers (-mgeneral-regs-only) would turn every float operation into a
/// soft-float libcall (__mulsf3 ...) that the kernel does not export, so
/// kernel-profile gates compile exactly this header with FP allowed.
///
/// Performance: one switch per call selects a tight per-format loop over
/// branch-free sample functions (NaN test by x == x, clamping by compare and
/// select, rounding by a biased truncation), which clang vectorises in user
/// space. GCC 12 keeps them scalar: under -ftrapping-math it will not
/// if-convert a select whose arm it has folded a multiply into. In a kext
/// the same loops compile to scalar SSE/NEON code (no implicit SIMD).
///
/// Rules (x is the float sample, every format):
///   - NaN becomes 0; -0.0 and denormals become 0; +-Inf clamp like any
///     value beyond full scale. No out-of-range float ever reaches an integer
///     cast (that is undefined behaviour): values are saturated in float first.
///   - S16TruncatingClip (alias S16Book, the name in the book)
///                  clamp x to [-1, 1]; x >= 0 ? trunc(x * 32767)
///                  : trunc(x * 32768), of the exact (unrounded) product.
///                  The classic clip routine: +1.0 gives
///                  32767 and -1.0 gives -32768, but positive values lose up
///                  to one step, so s16 -> float -> s16 turns every s > 0
///                  into s - 1 (32767 -> 0.99997 -> 32766); 0 and negative
///                  values survive.
///   - S16Symmetric x * 32768, rounded to nearest (ties away from zero),
///                  saturated to [-32768, 32767]. s16 -> float -> s16 is exact.
///   - S24High32 / S24Low32
///                  x * 2^23 rounded, saturated to [-2^23, 2^23 - 1]. High:
///                  stored << 8 (low byte 0). Low: stored in the low 24 bits
///                  with the top byte a copy of the sign (a sign-extended
///                  int32); input ignores the padding byte either way.
///   - S32          x >= 1.0 -> INT32_MAX, x <= -1.0 -> INT32_MIN, else x * 2^31
///                  rounded (ties away from zero).
///   - F32          float containers: NaN -> 0 and clamp to [-1, 1], both
///                  directions (a float device must not get a NaN either);
///                  -0.0 and denormals pass unchanged (they are silence).
///   - To float:    s16 / 32768 and s24 / 2^23 are exact; s32 / 2^31 rounds
///                  to float's 24-bit significand. S16TruncatingClip reads
///                  like S16Symmetric (s / 32768).
///   - Byte order:  when the stream's order is not the host's, each container
///                  is swapped after conversion (output) or before it (input).
///
/// Rounding adds the largest float below one half (with the sign of y) and
/// truncates, so 0.49999997 never rounds up; the classic (int)(y + 0.5f)
/// does, because the float sum rounds to 1.0.
#ifndef KDRV_AUDIO_CONVERT_HPP
#define KDRV_AUDIO_CONVERT_HPP

#include "kdrv/audio_ring.hpp" // for AudioRingGeometry, AudioByteOrder
#include "kdrv/base.hpp"       // for KDRV_INLINE, addOverflow32, copyBytes
#include "kdrv/endian.hpp"     // swap16, swap32
#include "kdrv/status.hpp"     // for Status

namespace kdrv
{
/// Device sample formats. The container width is 2 bytes for S16*, 4 for the
/// others.
enum class AudioSampleFormat : uint32_t
{
    S16TruncatingClip = 0, // 16-bit, asymmetric scale, truncated (the book's clip)
    S16Symmetric = 1,      // 16-bit, symmetric scale, rounded
    S24High32 = 2,         // 24 valid bits in a 32-bit container, high-aligned
    S24Low32 = 3,          // 24 valid bits in a 32-bit container, low-aligned
    S32 = 4,               // 32-bit signed
    F32 = 5,               // 32-bit IEEE float
    /// The name of S16TruncatingClip in the book whose clip routine it is.
    S16Book = S16TruncatingClip,
};

constexpr uint32_t kAudioSampleFormatCount = 6;

/// Container bytes of a format (2 or 4), 0 for a value outside the enum.
constexpr uint32_t audioContainerBytes(AudioSampleFormat format)
{
    return static_cast<uint32_t>(format) > static_cast<uint32_t>(AudioSampleFormat::F32) ? 0
           : static_cast<uint32_t>(format) <= static_cast<uint32_t>(AudioSampleFormat::S16Symmetric)
               ? 2
               : 4;
}

/// True when a ring's geometry matches a format's container and placement
/// (width, depth, alignment for 24-in-32). Byte order is handled by the
/// converter and is not part of the match.
inline bool audioFormatMatches(AudioSampleFormat format, const AudioRingGeometry& geometry)
{
    if (!geometry.isValid() || geometry.containerBytes() != audioContainerBytes(format))
    {
        return false;
    }
    switch (format)
    {
    case AudioSampleFormat::S16TruncatingClip:
    case AudioSampleFormat::S16Symmetric:
        return geometry.depthBits() == 16;
    case AudioSampleFormat::S24High32:
        return geometry.depthBits() == 24 && geometry.alignment() == AudioAlignment::High;
    case AudioSampleFormat::S24Low32:
        return geometry.depthBits() == 24 && geometry.alignment() == AudioAlignment::Low;
    case AudioSampleFormat::S32:
    case AudioSampleFormat::F32:
        return geometry.depthBits() == 32;
    }
    return false;
}

// ---------------------------------------------------------------------------
// Per-sample conversions. Branch-free (selects, not jumps) so the loops
// below vectorise.
namespace detail
{
/// NaN -> 0 (NaN is the only value not equal to itself).
KDRV_INLINE float audioNanToZero(float x) { return x == x ? x : 0.0f; }

/// Clamp a non-NaN value to [lo, hi].
KDRV_INLINE float audioClamp(float x, float lo, float hi)
{
    const float a = x < lo ? lo : x;
    return a > hi ? hi : a;
}

/// Round to nearest, ties away from zero, for |y| < 2^31: truncate
/// y + copysign(h, y) with h = 0.5 - 2^-25, the largest float below 0.5.
/// Adding exactly 0.5 is the classic bug (0.49999997 + 0.5 rounds to 1.0);
/// with h, a fraction below one half can never reach the next integer, while
/// a fraction of one half or more always does (for |y| < 1 the tie at
/// 1 - 2^-25 rounds to the even 1.0). Needs the default round-to-nearest FP
/// mode, which both user space and the kernel run in.
constexpr float kAudioBelowHalf = 0.5f - 1.0f / 33554432.0f;
KDRV_INLINE int32_t audioRoundToInt(float y)
{
    const float bias = y < 0.0f ? -kAudioBelowHalf : kAudioBelowHalf;
    return static_cast<int32_t>(y + bias);
}

/// Integer bits of a float and back, without aliasing tricks (lowered to a
/// register move).
KDRV_INLINE uint32_t audioFloatBits(float x)
{
    uint32_t u;
    copyBytes(&u, &x, sizeof u);
    return u;
}
KDRV_INLINE float audioBitsFloat(uint32_t u)
{
    float x;
    copyBytes(&x, &u, sizeof x);
    return x;
}

constexpr float kAudioTwoPow15 = 32768.0f;
constexpr float kAudioTwoPow23 = 8388608.0f;
constexpr float kAudioTwoPow31 = 2147483648.0f;
/// The largest float below 1.0 (1 - 2^-24); times 2^31 it is 2^31 - 128.
constexpr float kAudioBelowOne = 1.0f - 1.0f / 16777216.0f;
} // namespace detail

KDRV_INLINE int16_t audioFloatToS16TruncatingClip(float x)
{
    const float c = detail::audioClamp(detail::audioNanToZero(x), -1.0f, 1.0f);
    // trunc of the exact product, not of a rounded float product (which
    // crosses a step upwards for about 7% of the inputs next to one). c * 2^15
    // is exact, and so is its fractional part; c * 32767 = c * 2^15 - c, so
    // for c > 0 the exact product lies below the integer part t exactly when
    // the fractional part is below c, and then trunc gives t - 1 (c <= 1).
    const float p = c * detail::kAudioTwoPow15;
    const int32_t t = static_cast<int32_t>(p);
    const float fraction = p - static_cast<float>(t);
    const int32_t below = (c > 0.0f && fraction < c) ? 1 : 0;
    return static_cast<int16_t>(t - below);
}

/// The book's name for audioFloatToS16TruncatingClip.
KDRV_INLINE int16_t audioFloatToS16Book(float x) { return audioFloatToS16TruncatingClip(x); }

KDRV_INLINE int16_t audioFloatToS16Symmetric(float x)
{
    const float y =
        detail::audioClamp(detail::audioNanToZero(x) * detail::kAudioTwoPow15, -32768.0f, 32767.0f);
    return static_cast<int16_t>(detail::audioRoundToInt(y));
}

/// The 24-bit value in [-2^23, 2^23 - 1] (as an int32_t).
KDRV_INLINE int32_t audioFloatToS24(float x)
{
    const float y = detail::audioClamp(detail::audioNanToZero(x) * detail::kAudioTwoPow23,
                                       -8388608.0f, 8388607.0f);
    return detail::audioRoundToInt(y);
}

KDRV_INLINE int32_t audioFloatToS32(float x)
{
    const float m = detail::audioNanToZero(x);
    // Saturate before converting: 2^31 itself does not fit in int32_t.
    const float c = detail::audioClamp(m, -1.0f, detail::kAudioBelowOne);
    const int32_t t = detail::audioRoundToInt(c * detail::kAudioTwoPow31);
    return m >= 1.0f ? 2147483647 : t;
}

KDRV_INLINE float audioFloatToF32(float x)
{
    return detail::audioClamp(detail::audioNanToZero(x), -1.0f, 1.0f);
}

/// 24-bit value <-> container.
KDRV_INLINE uint32_t audioPackS24High(int32_t s24) { return static_cast<uint32_t>(s24) << 8; }
KDRV_INLINE uint32_t audioPackS24Low(int32_t s24) { return static_cast<uint32_t>(s24); }
KDRV_INLINE int32_t audioUnpackS24High(uint32_t container)
{
    // The top 24 bits read as int32_t are s24 * 256; the division is exact
    // and, unlike a right shift of a negative value, defined in every dialect.
    return static_cast<int32_t>(container & 0xFFFFFF00u) / 256;
}
KDRV_INLINE int32_t audioUnpackS24Low(uint32_t container)
{
    // Sign-extend bit 23, ignoring the top byte.
    return static_cast<int32_t>((container & 0x00FFFFFFu) ^ 0x00800000u) - 0x00800000;
}

KDRV_INLINE float audioS16ToFloat(int16_t s)
{
    return static_cast<float>(s) * (1.0f / detail::kAudioTwoPow15);
}
KDRV_INLINE float audioS24ToFloat(int32_t s24)
{
    return static_cast<float>(s24) * (1.0f / detail::kAudioTwoPow23);
}
KDRV_INLINE float audioS32ToFloat(int32_t s)
{
    return static_cast<float>(s) * (1.0f / detail::kAudioTwoPow31);
}

// ---------------------------------------------------------------------------
// Block loops: one per format and direction, with and without a byte swap.
// __restrict__: the mix buffer and the sample buffer never overlap.
namespace detail
{
#define KDRV_AUDIO_OUT_LOOP_(Name, DstType, Expr)                                                  \
    inline void Name(const float* __restrict__ src, DstType* __restrict__ dst, size_t n)           \
    {                                                                                              \
        for (size_t i = 0; i < n; ++i)                                                             \
        {                                                                                          \
            const float x = src[i];                                                                \
            dst[i] = (Expr);                                                                       \
        }                                                                                          \
    }

#define KDRV_AUDIO_IN_LOOP_(Name, SrcType, Expr)                                                   \
    inline void Name(const SrcType* __restrict__ src, float* __restrict__ dst, size_t n)           \
    {                                                                                              \
        for (size_t i = 0; i < n; ++i)                                                             \
        {                                                                                          \
            const SrcType v = src[i];                                                              \
            dst[i] = (Expr);                                                                       \
        }                                                                                          \
    }

KDRV_AUDIO_OUT_LOOP_(audioOutS16TruncatingClip, uint16_t,
                     static_cast<uint16_t>(audioFloatToS16TruncatingClip(x)))
KDRV_AUDIO_OUT_LOOP_(audioOutS16TruncatingClipSwap, uint16_t,
                     swap16(static_cast<uint16_t>(audioFloatToS16TruncatingClip(x))))
KDRV_AUDIO_OUT_LOOP_(audioOutS16Sym, uint16_t, static_cast<uint16_t>(audioFloatToS16Symmetric(x)))
KDRV_AUDIO_OUT_LOOP_(audioOutS16SymSwap, uint16_t,
                     swap16(static_cast<uint16_t>(audioFloatToS16Symmetric(x))))
KDRV_AUDIO_OUT_LOOP_(audioOutS24High, uint32_t, audioPackS24High(audioFloatToS24(x)))
KDRV_AUDIO_OUT_LOOP_(audioOutS24HighSwap, uint32_t, swap32(audioPackS24High(audioFloatToS24(x))))
KDRV_AUDIO_OUT_LOOP_(audioOutS24Low, uint32_t, audioPackS24Low(audioFloatToS24(x)))
KDRV_AUDIO_OUT_LOOP_(audioOutS24LowSwap, uint32_t, swap32(audioPackS24Low(audioFloatToS24(x))))
KDRV_AUDIO_OUT_LOOP_(audioOutS32, uint32_t, static_cast<uint32_t>(audioFloatToS32(x)))
KDRV_AUDIO_OUT_LOOP_(audioOutS32Swap, uint32_t, swap32(static_cast<uint32_t>(audioFloatToS32(x))))
KDRV_AUDIO_OUT_LOOP_(audioOutF32, uint32_t, audioFloatBits(audioFloatToF32(x)))
KDRV_AUDIO_OUT_LOOP_(audioOutF32Swap, uint32_t, swap32(audioFloatBits(audioFloatToF32(x))))

KDRV_AUDIO_IN_LOOP_(audioInS16, uint16_t, audioS16ToFloat(static_cast<int16_t>(v)))
KDRV_AUDIO_IN_LOOP_(audioInS16Swap, uint16_t, audioS16ToFloat(static_cast<int16_t>(swap16(v))))
KDRV_AUDIO_IN_LOOP_(audioInS24High, uint32_t, audioS24ToFloat(audioUnpackS24High(v)))
KDRV_AUDIO_IN_LOOP_(audioInS24HighSwap, uint32_t, audioS24ToFloat(audioUnpackS24High(swap32(v))))
KDRV_AUDIO_IN_LOOP_(audioInS24Low, uint32_t, audioS24ToFloat(audioUnpackS24Low(v)))
KDRV_AUDIO_IN_LOOP_(audioInS24LowSwap, uint32_t, audioS24ToFloat(audioUnpackS24Low(swap32(v))))
KDRV_AUDIO_IN_LOOP_(audioInS32, uint32_t, audioS32ToFloat(static_cast<int32_t>(v)))
KDRV_AUDIO_IN_LOOP_(audioInS32Swap, uint32_t, audioS32ToFloat(static_cast<int32_t>(swap32(v))))
KDRV_AUDIO_IN_LOOP_(audioInF32, uint32_t, audioFloatToF32(audioBitsFloat(v)))
KDRV_AUDIO_IN_LOOP_(audioInF32Swap, uint32_t, audioFloatToF32(audioBitsFloat(swap32(v))))

#undef KDRV_AUDIO_OUT_LOOP_
#undef KDRV_AUDIO_IN_LOOP_

/// Validates a block request: the first sample (firstFrame * channels) and
/// the sample count, with every product and sum checked in 32 bits.
KDRV_NODISCARD KDRV_INLINE Status audioSampleRange(uint32_t firstFrame, uint32_t frames,
                                                   uint32_t channels, uint32_t* firstSample,
                                                   uint32_t* samples)
{
    uint32_t endFrame = 0;
    uint32_t endSample = 0;
    if (channels == 0 || addOverflow32(firstFrame, frames, &endFrame) ||
        mulOverflow32(endFrame, channels, &endSample))
    {
        return Status::BadArgument;
    }
    *firstSample = firstFrame * channels; // <= endSample
    *samples = frames * channels;         // <= endSample
    return Status::Success;
}

KDRV_INLINE bool audioAligned(const void* p, size_t alignment)
{
    return (reinterpret_cast<uintptr_t>(p) & (alignment - 1)) == 0;
}

/// The checks both conversions make, in their documented order: format,
/// buffers and range (BadArgument), then alignment (NotAligned).
KDRV_NODISCARD KDRV_INLINE Status audioCheckBlock(AudioSampleFormat format, const float* floats,
                                                  const void* samples, uint32_t firstFrame,
                                                  uint32_t frames, uint32_t channels,
                                                  uint32_t* first, uint32_t* count)
{
    const uint32_t container = audioContainerBytes(format);
    if (container == 0 || floats == nullptr || samples == nullptr ||
        audioSampleRange(firstFrame, frames, channels, first, count) != Status::Success)
    {
        return Status::BadArgument;
    }
    if (!audioAligned(floats, sizeof(float)) || !audioAligned(samples, container))
    {
        return Status::NotAligned;
    }
    return Status::Success;
}
} // namespace detail

/// Converts `frames` frames of `channels` interleaved float samples into the
/// device format (the audio family's clipOutputSamples). Both buffers are
/// indexed from sample firstFrame * channels: the mix buffer and the sample
/// buffer share the ring's frame numbering.
///
/// byteOrder is the stream's declared order; samples are swapped when it is
/// not the host's. Nothing is allocated; runs in O(frames * channels).
/// Calling context: where the audio family has saved the FP state (see top).
///
/// Returns:
///   Success      frames == 0 writes nothing.
///   BadArgument  unknown format, channels == 0, null buffer, or
///                (firstFrame + frames) * channels overflowing uint32_t.
///   NotAligned   a buffer not aligned to its element size.
/// The caller guarantees both buffers hold (firstFrame + frames) * channels
/// samples (the ring geometry does: see audioFormatMatches).
KDRV_NODISCARD inline Status convertFromFloat(AudioSampleFormat format, AudioByteOrder byteOrder,
                                              const float* mix, void* samples, uint32_t firstFrame,
                                              uint32_t frames, uint32_t channels)
{
    uint32_t first = 0;
    uint32_t count = 0;
    const Status s =
        detail::audioCheckBlock(format, mix, samples, firstFrame, frames, channels, &first, &count);
    if (s != Status::Success)
    {
        return s;
    }
    const bool swap = byteOrder != hostAudioByteOrder();
    const float* src = mix + first;
    uint16_t* dst16 = static_cast<uint16_t*>(samples) + first;
    uint32_t* dst32 = static_cast<uint32_t*>(samples) + first;
    switch (format)
    {
    case AudioSampleFormat::S16TruncatingClip:
        swap ? detail::audioOutS16TruncatingClipSwap(src, dst16, count)
             : detail::audioOutS16TruncatingClip(src, dst16, count);
        break;
    case AudioSampleFormat::S16Symmetric:
        swap ? detail::audioOutS16SymSwap(src, dst16, count)
             : detail::audioOutS16Sym(src, dst16, count);
        break;
    case AudioSampleFormat::S24High32:
        swap ? detail::audioOutS24HighSwap(src, dst32, count)
             : detail::audioOutS24High(src, dst32, count);
        break;
    case AudioSampleFormat::S24Low32:
        swap ? detail::audioOutS24LowSwap(src, dst32, count)
             : detail::audioOutS24Low(src, dst32, count);
        break;
    case AudioSampleFormat::S32:
        swap ? detail::audioOutS32Swap(src, dst32, count) : detail::audioOutS32(src, dst32, count);
        break;
    case AudioSampleFormat::F32:
        swap ? detail::audioOutF32Swap(src, dst32, count) : detail::audioOutF32(src, dst32, count);
        break;
    }
    return Status::Success;
}

/// Converts `frames` frames of device samples, read from sample
/// firstFrame * channels of `samples`, into floats written at the START of
/// `dest` (the audio family's convertInputSamples hands a destination that
/// begins at the first requested frame). Swaps before converting when
/// byteOrder is not the host's. Same returns and context as
/// convertFromFloat; the caller guarantees `dest` holds frames * channels
/// floats.
KDRV_NODISCARD inline Status convertToFloat(AudioSampleFormat format, AudioByteOrder byteOrder,
                                            const void* samples, float* dest, uint32_t firstFrame,
                                            uint32_t frames, uint32_t channels)
{
    uint32_t first = 0;
    uint32_t count = 0;
    const Status s = detail::audioCheckBlock(format, dest, samples, firstFrame, frames, channels,
                                             &first, &count);
    if (s != Status::Success)
    {
        return s;
    }
    const bool swap = byteOrder != hostAudioByteOrder();
    const uint16_t* src16 = static_cast<const uint16_t*>(samples) + first;
    const uint32_t* src32 = static_cast<const uint32_t*>(samples) + first;
    switch (format)
    {
    case AudioSampleFormat::S16TruncatingClip:
    case AudioSampleFormat::S16Symmetric:
        swap ? detail::audioInS16Swap(src16, dest, count) : detail::audioInS16(src16, dest, count);
        break;
    case AudioSampleFormat::S24High32:
        swap ? detail::audioInS24HighSwap(src32, dest, count)
             : detail::audioInS24High(src32, dest, count);
        break;
    case AudioSampleFormat::S24Low32:
        swap ? detail::audioInS24LowSwap(src32, dest, count)
             : detail::audioInS24Low(src32, dest, count);
        break;
    case AudioSampleFormat::S32:
        swap ? detail::audioInS32Swap(src32, dest, count) : detail::audioInS32(src32, dest, count);
        break;
    case AudioSampleFormat::F32:
        swap ? detail::audioInF32Swap(src32, dest, count) : detail::audioInF32(src32, dest, count);
        break;
    }
    return Status::Success;
}
} // namespace kdrv

#endif // KDRV_AUDIO_CONVERT_HPP
