// SPDX-License-Identifier: MIT
//
/// \file
/// Audio sample ring: the integer parts of an audio engine's circular buffer.
///
///   AudioRingGeometry  frames x channels x container bytes, validated once,
///                      with overflow-checked offsets and spans.
///   AudioRingClock     period and wrap bookkeeping: a 64-bit period counter,
///                      a 32-bit loop count and the timestamp of the latest
///                      wrap to frame 0 (what IOAudioEngine::takeTimeStamp
///                      publishes).
///   AudioDeadline      absolute timer deadlines for a timer-driven engine; a
///                      late timer gives a zero timeout and a count of the
///                      periods it missed, never a huge unsigned timeout.
///   EraseHead          which frames to zero behind the play head.
///
/// The device DMAs through the ring without stopping; the driver only reports
/// each wrap to frame 0 with its time, and the audio system predicts the
/// position from those reports. Two classic mistakes are fixed here:
///
///   - A wrap is counted when the period that ends at frame N (the buffer
///     size) completes, i.e. "advance, then test for position 0". Testing the
///     counter before incrementing it timestamps every wrap one period late
///     and counts a wrap 1 period after start.
///   - The position comes from a period index kept in [0, P), not from a
///     32-bit free-running interrupt counter taken modulo P: 2^32 mod 50 is
///     46, so such a position jumps when the counter wraps.
///
/// Integer only: no floating point (the converters live in audio_convert.hpp).
/// None of these objects locks; the engine serialises calls (its work loop or
/// interrupt context), and every method is O(1) and safe in interrupt context.
#ifndef KDRV_AUDIO_RING_HPP
#define KDRV_AUDIO_RING_HPP

#include "kdrv/base.hpp"   // for KDRV_COUNTOF, mulOverflow64, zeroBytes
#include "kdrv/endian.hpp" // hostIsLittleEndian
#include "kdrv/status.hpp" // for Status

namespace kdrv
{
/// Sample placement when the depth is smaller than the container width. The
/// values are IOAudioTypes.h's kIOAudioStreamAlignmentLowByte/HighByte.
enum class AudioAlignment : uint32_t
{
    Low = 0,  // the valid bits are the container's least significant bits
    High = 1, // the valid bits are the most significant bits (low bits zero)
};

/// Byte order of the samples in the ring. The values are IOAudioTypes.h's
/// kIOAudioStreamByteOrderBigEndian/LittleEndian (kdrv::ByteOrder numbers
/// them the other way round, so this is a separate enum).
enum class AudioByteOrder : uint32_t
{
    Big = 0,
    Little = 1,
};

/// The byte order of the machine the code runs on.
constexpr AudioByteOrder hostAudioByteOrder()
{
    return hostIsLittleEndian() ? AudioByteOrder::Little : AudioByteOrder::Big;
}

/// A run of whole frames inside the ring: [firstFrame, firstFrame + frameCount).
struct AudioSpan
{
    uint32_t firstFrame;
    uint32_t frameCount;
};

/// Nanoseconds per second: the unit of every timestamp here.
constexpr uint64_t kAudioNsPerSecond = 1000000000u;

/// Sample rates an AudioRingClock accepts (Hz). Anything else is BadArgument:
/// a rate comes from a format request, and an odd rate usually means a
/// corrupted or hostile request rather than real hardware.
static const uint32_t kAudioSupportedRates[] = {
    8000,  11025, 16000, 22050,  24000,  32000,  44100,
    48000, 88200, 96000, 176400, 192000, 352800, 384000,
};
static_assert(KDRV_COUNTOF(kAudioSupportedRates) == 14, "rate table count");

inline bool isSupportedAudioRate(uint32_t rateHz)
{
    for (size_t i = 0; i < KDRV_COUNTOF(kAudioSupportedRates); ++i)
    {
        if (kAudioSupportedRates[i] == rateHz)
        {
            return true;
        }
    }
    return false;
}

namespace detail
{
// value * multiplier / divisor (divisor != 0), rounded down and saturated at
// UINT64_MAX. Split into whole divisors and a remainder so that no
// intermediate product overflows: (value % divisor) * multiplier <
// divisor * multiplier, which fits for the rates and 1e9 used here.
inline uint64_t audioScaleSaturating(uint64_t value, uint64_t multiplier, uint64_t divisor)
{
    const uint64_t whole = value / divisor;
    const uint64_t rest = value % divisor;
    uint64_t scaled = 0;
    uint64_t total = 0;
    if (mulOverflow64(whole, multiplier, &scaled) ||
        addOverflow64(scaled, rest * multiplier / divisor, &total))
    {
        return ~uint64_t(0);
    }
    return total;
}
} // namespace detail

/// frames / rateHz seconds in nanoseconds, rounded down; saturates at
/// UINT64_MAX (584 years). Exact: whole seconds plus the remainder's share.
/// A zero rate gives UINT64_MAX (never a division by zero).
inline uint64_t audioFramesToNs(uint64_t frames, uint32_t rateHz)
{
    return rateHz == 0 ? ~uint64_t(0)
                       : detail::audioScaleSaturating(frames, kAudioNsPerSecond, rateHz);
}

/// The number of whole frames played in ns nanoseconds, rounded down (exact:
/// whole seconds times the rate plus the remainder's share). Saturates at
/// UINT64_MAX. A zero rate gives 0.
inline uint64_t audioNsToFrames(uint64_t ns, uint32_t rateHz)
{
    return detail::audioScaleSaturating(ns, rateHz, kAudioNsPerSecond);
}

/// Splits the frame range [first, first + num) of a ring of bufferFrames frames
/// into at most two spans: [first, N) and [0, first + num - N) when it crosses
/// the end. Writes *spanCount (0, 1 or 2) and spans[0 .. *spanCount).
///
/// Returns:
///   Success      num == 0 gives no span; num == N covers the whole buffer.
///   BadArgument  bufferFrames == 0, first >= bufferFrames, num > bufferFrames,
///                or a null pointer. Nothing is written.
KDRV_NODISCARD inline Status audioSplitFrames(uint32_t bufferFrames, uint32_t first, uint32_t num,
                                              AudioSpan spans[2], uint32_t* spanCount)
{
    if (spans == nullptr || spanCount == nullptr || bufferFrames == 0 || first >= bufferFrames ||
        num > bufferFrames)
    {
        return Status::BadArgument;
    }
    const uint32_t untilEnd = bufferFrames - first;
    if (num == 0)
    {
        *spanCount = 0;
    }
    else if (num <= untilEnd)
    {
        spans[0].firstFrame = first;
        spans[0].frameCount = num;
        *spanCount = 1;
    }
    else
    {
        spans[0].firstFrame = first;
        spans[0].frameCount = untilEnd;
        spans[1].firstFrame = 0;
        spans[1].frameCount = num - untilEnd;
        *spanCount = 2;
    }
    return Status::Success;
}

// ---------------------------------------------------------------------------
/// AudioRingGeometry: the shape of an interleaved PCM ring, validated once.
///
///   container bytes = widthBits / 8, in {1, 2, 3, 4}; 1 <= depthBits <= widthBits
///   frame bytes     = channels * containerBytes        (channels >= 1)
///   buffer bytes    = frames * frameBytes              (frames >= 1, fits uint32_t)
///
/// Sizes come from the container width, never the depth: 24-bit samples in
/// 32-bit containers take 4 bytes each. IOAudio buffer sizes are 32-bit, so a
/// ring whose byte size does not fit in uint32_t is rejected. Once init has
/// succeeded every frame offset and sample index below is free of overflow.
class AudioRingGeometry
{
  public:
    constexpr AudioRingGeometry()
        : frames_(0), channels_(0), containerBytes_(0), depthBits_(0),
          alignment_(AudioAlignment::High), byteOrder_(AudioByteOrder::Little), frameBytes_(0),
          bufferBytes_(0)
    {
    }

    /// Validates and stores the geometry. On failure the object is left empty
    /// (isValid() false) whatever it held before.
    ///
    /// Returns Success, or BadArgument for frames == 0, channels == 0, a width
    /// that is not 8, 16, 24 or 32, depth 0 or depth > width, an alignment or
    /// byte order outside the enums, or a byte size that overflows uint32_t.
    KDRV_NODISCARD Status init(uint32_t frames, uint32_t channels, uint32_t widthBits,
                               uint32_t depthBits, AudioAlignment alignment,
                               AudioByteOrder byteOrder)
    {
        *this = AudioRingGeometry();
        const uint32_t alignValue = static_cast<uint32_t>(alignment);
        const uint32_t orderValue = static_cast<uint32_t>(byteOrder);
        if (frames == 0 || channels == 0 || widthBits == 0 || widthBits > 32 ||
            widthBits % 8 != 0 || depthBits == 0 || depthBits > widthBits || alignValue > 1 ||
            orderValue > 1)
        {
            return Status::BadArgument;
        }
        const uint32_t container = widthBits / 8;
        uint32_t frameBytes = 0;
        uint32_t bufferBytes = 0;
        if (mulOverflow32(channels, container, &frameBytes) ||
            mulOverflow32(frames, frameBytes, &bufferBytes))
        {
            return Status::BadArgument;
        }
        frames_ = frames;
        channels_ = channels;
        containerBytes_ = container;
        depthBits_ = depthBits;
        alignment_ = alignment;
        byteOrder_ = byteOrder;
        frameBytes_ = frameBytes;
        bufferBytes_ = bufferBytes;
        return Status::Success;
    }

    bool isValid() const { return frames_ != 0; }
    uint32_t frames() const { return frames_; }
    uint32_t channels() const { return channels_; }
    uint32_t containerBytes() const { return containerBytes_; }
    uint32_t widthBits() const { return containerBytes_ * 8; }
    uint32_t depthBits() const { return depthBits_; }
    AudioAlignment alignment() const { return alignment_; }
    AudioByteOrder byteOrder() const { return byteOrder_; }
    /// True when the samples must be byte-swapped on this host.
    bool isForeignByteOrder() const { return byteOrder_ != hostAudioByteOrder(); }
    uint32_t frameBytes() const { return frameBytes_; }
    uint32_t bufferBytes() const { return bufferBytes_; }

    /// Byte offset of frame `frame`. BadArgument if frame >= frames() (or the
    /// geometry is not initialised, which has no frames).
    KDRV_NODISCARD Status byteOffset(uint32_t frame, uint32_t* offset) const
    {
        if (offset == nullptr || frame >= frames_)
        {
            return Status::BadArgument;
        }
        *offset = frame * frameBytes_; // < bufferBytes_, checked at init
        return Status::Success;
    }

    /// Index of the sample (frame, channel) in the interleaved buffer:
    /// frame * channels + channel. BadArgument if either is out of range.
    KDRV_NODISCARD Status sampleIndex(uint32_t frame, uint32_t channel, uint32_t* index) const
    {
        if (index == nullptr || frame >= frames_ || channel >= channels_)
        {
            return Status::BadArgument;
        }
        *index = frame * channels_ + channel; // < frames * channels <= bufferBytes_
        return Status::Success;
    }

    /// audioSplitFrames over this ring.
    KDRV_NODISCARD Status split(uint32_t first, uint32_t num, AudioSpan spans[2],
                                uint32_t* spanCount) const
    {
        return audioSplitFrames(frames_, first, num, spans, spanCount);
    }

    /// Byte range of a span: [*offset, *offset + *bytes). BadArgument unless the
    /// span lies inside the ring.
    KDRV_NODISCARD Status spanBytes(const AudioSpan& span, uint32_t* offset, uint32_t* bytes) const
    {
        if (offset == nullptr || bytes == nullptr || span.firstFrame >= frames_ ||
            span.frameCount > frames_ - span.firstFrame)
        {
            return Status::BadArgument;
        }
        *offset = span.firstFrame * frameBytes_;
        *bytes = span.frameCount * frameBytes_;
        return Status::Success;
    }

    /// Zeroes the frames of `span` in `buffer` (bufferBytes long): silence for
    /// signed integer and float samples in either byte order.
    /// BadArgument if the buffer is null or shorter than the ring, or the span
    /// lies outside the ring; nothing is written then.
    KDRV_NODISCARD Status zeroSpan(void* buffer, size_t bufferBytes, const AudioSpan& span) const
    {
        uint32_t offset = 0;
        uint32_t bytes = 0;
        if (buffer == nullptr || bufferBytes < bufferBytes_)
        {
            return Status::BadArgument;
        }
        const Status s = spanBytes(span, &offset, &bytes);
        if (s != Status::Success)
        {
            return s;
        }
        zeroBytes(static_cast<uint8_t*>(buffer) + offset, bytes);
        return Status::Success;
    }

  private:
    uint32_t frames_;
    uint32_t channels_;
    uint32_t containerBytes_;
    uint32_t depthBits_;
    AudioAlignment alignment_;
    AudioByteOrder byteOrder_;
    uint32_t frameBytes_;
    uint32_t bufferBytes_;
};

// ---------------------------------------------------------------------------
/// The wraps crossed by one AudioRingClock::advance.
struct AudioWraps
{
    uint64_t count;             // wraps to frame 0 crossed by this advance; 0 if none
    uint64_t latestNs;          // timestamp of the latest of them (if count > 0)
    uint64_t nowNs;             // the time passed to advance
    uint64_t previousNs;        // the clock's wrap timestamp before this advance
    uint32_t framesSinceLatest; // position at nowNs = frames played since the latest wrap
};

/// AudioRingClock: period and wrap bookkeeping for a ring of
/// N = periodFrames * periodsPerBuffer frames at rateHz.
///
/// Model: the hardware (or a timer) completes periods of F frames. After k
/// completed periods the conservative play position is (k mod P) * F: the
/// start of the period being played, never ahead of the hardware. A wrap is
/// the completion of the period that brings the position back to frame 0, so
/// the first wrap comes after P periods (not after 1) and is stamped with the
/// time at which frame 0 was reached.
///
/// Concurrency: none; call from one context (the engine's interrupt or timer
/// handler), as IOAudioEngine does with takeTimeStamp.
class AudioRingClock
{
  public:
    constexpr AudioRingClock()
        : periodFrames_(0), periodsPerBuffer_(0), bufferFrames_(0), rateHz_(0), periodIndex_(0),
          loopCount_(0), periodCount_(0), lastWrapNs_(0), started_(false)
    {
    }

    /// Configures F frames per period and P periods per buffer at rateHz and
    /// stops the clock (call start() next). Used for a rate change too: 44100
    /// and 48000 Hz at 100 interrupts/s give F = 441 and 480.
    ///
    /// Returns Success, or BadArgument for F == 0, P == 0, F * P overflowing
    /// uint32_t, or a rate not in kAudioSupportedRates. On failure the clock
    /// is left unconfigured.
    KDRV_NODISCARD Status init(uint32_t periodFrames, uint32_t periodsPerBuffer, uint32_t rateHz)
    {
        *this = AudioRingClock();
        uint32_t bufferFrames = 0;
        if (periodFrames == 0 || periodsPerBuffer == 0 ||
            mulOverflow32(periodFrames, periodsPerBuffer, &bufferFrames) ||
            !isSupportedAudioRate(rateHz))
        {
            return Status::BadArgument;
        }
        periodFrames_ = periodFrames;
        periodsPerBuffer_ = periodsPerBuffer;
        bufferFrames_ = bufferFrames;
        rateHz_ = rateHz;
        return Status::Success;
    }

    /// The same from a buffer size: BadArgument unless periodFrames divides
    /// bufferFrames (24000 / 480 = 50 is accepted; 1000 / 480 is rejected).
    KDRV_NODISCARD Status initFromBuffer(uint32_t bufferFrames, uint32_t periodFrames,
                                         uint32_t rateHz)
    {
        if (periodFrames == 0 || bufferFrames == 0 || bufferFrames % periodFrames != 0)
        {
            *this = AudioRingClock();
            return Status::BadArgument;
        }
        return init(periodFrames, bufferFrames / periodFrames, rateHz);
    }

    /// The period for a rate and an interrupt frequency: rateHz / interruptHz
    /// frames, which must be a whole number (48000 / 100 = 480). BadArgument
    /// for an unsupported rate, interruptHz == 0 or a fractional period.
    KDRV_NODISCARD static Status periodFramesFor(uint32_t rateHz, uint32_t interruptHz,
                                                 uint32_t* periodFrames)
    {
        if (periodFrames == nullptr || interruptHz == 0 || !isSupportedAudioRate(rateHz) ||
            rateHz % interruptHz != 0)
        {
            return Status::BadArgument;
        }
        *periodFrames = rateHz / interruptHz;
        return Status::Success;
    }

    /// Starts at frame 0 with loop count 0 and takes the first timestamp
    /// without counting a wrap (IOAudioEngine's takeTimeStamp(false)).
    /// No effect on an unconfigured clock.
    void start(uint64_t nowNs)
    {
        if (bufferFrames_ == 0)
        {
            return;
        }
        periodIndex_ = 0;
        loopCount_ = 0;
        periodCount_ = 0;
        lastWrapNs_ = nowNs;
        started_ = true;
    }

    void stop() { started_ = false; }

    /// Records that `periods` (>= 1) more periods have completed by nowNs,
    /// which may be several after a late interrupt or timer.
    ///
    ///   wraps       = (periodIndex + periods) / P
    ///   periodIndex = (periodIndex + periods) % P
    ///   loopCount  += wraps (uint32_t, wraps around like IOAudioEngine's)
    ///   if wraps > 0: lastWrapNs = nowNs - periodIndex * F / rate
    ///
    /// The latest wrap is back-computed from nowNs: nowNs itself when the call
    /// comes exactly at the wrap. Wrap timestamps never go backwards: a result
    /// earlier than the previous wrap (a caller's clock stepping back) is
    /// raised to it. The 64-bit period counter wraps modulo 2^64 (after 5.8e9
    /// years at 100 Hz) without disturbing the position.
    ///
    /// Returns the wraps crossed (count 0: none, or periods == 0, or the clock
    /// is not started; nothing changes then). Use wrapTimestampNs() to stamp
    /// each of several wraps.
    AudioWraps advance(uint64_t periods, uint64_t nowNs)
    {
        AudioWraps w;
        w.count = 0;
        w.latestNs = lastWrapNs_;
        w.nowNs = nowNs;
        w.previousNs = lastWrapNs_;
        w.framesSinceLatest = 0;
        if (!started_ || periods == 0)
        {
            w.framesSinceLatest = periodIndex_ * periodFrames_;
            return w;
        }
        // (periodIndex + periods) without overflowing 64 bits: periodIndex < P.
        const uint64_t p = periodsPerBuffer_;
        const uint64_t carry = periodIndex_ + periods % p; // < 2P
        w.count = periods / p + carry / p;
        periodIndex_ = static_cast<uint32_t>(carry % p);
        loopCount_ += static_cast<uint32_t>(w.count); // modulo 2^32 by design
        periodCount_ += periods;                      // modulo 2^64 by design
        w.framesSinceLatest = periodIndex_ * periodFrames_;
        if (w.count != 0)
        {
            const uint64_t back = audioFramesToNs(w.framesSinceLatest, rateHz_);
            uint64_t wrapNs = nowNs > back ? nowNs - back : 0;
            wrapNs = max64(wrapNs, lastWrapNs_);
            lastWrapNs_ = wrapNs;
            w.latestNs = wrapNs;
        }
        return w;
    }

    /// Timestamp of wrap i (0 = the earliest, w.count - 1 = the latest) of an
    /// advance that crossed several wraps: each lies one buffer duration
    /// (N / rate) before the next. Clamped to [w.previousNs, w.latestNs] so
    /// the sequence stays monotonic. Returns w.latestNs for i >= w.count.
    uint64_t wrapTimestampNs(const AudioWraps& w, uint64_t i) const
    {
        if (i >= w.count)
        {
            return w.latestNs;
        }
        uint64_t buffersBack = w.count - 1 - i;
        uint64_t framesBack = 0;
        if (mulOverflow64(buffersBack, bufferFrames_, &framesBack) ||
            addOverflow64(framesBack, w.framesSinceLatest, &framesBack))
        {
            return w.previousNs;
        }
        const uint64_t back = audioFramesToNs(framesBack, rateHz_);
        uint64_t t = w.nowNs > back ? w.nowNs - back : 0;
        t = max64(t, w.previousNs);
        return min64(t, w.latestNs);
    }

    /// Conservative play position: periodIndex * F, always in [0, N).
    uint32_t currentFrame() const { return periodIndex_ * periodFrames_; }
    uint32_t periodIndex() const { return periodIndex_; }
    /// Completed periods since start(), modulo 2^64.
    uint64_t periodCount() const { return periodCount_; }
    /// Wraps since start(), modulo 2^32 (IOAudioEngine's loop count).
    uint32_t loopCount() const { return loopCount_; }
    /// Time of the latest wrap, or of start() before the first wrap.
    uint64_t lastWrapNs() const { return lastWrapNs_; }
    bool isStarted() const { return started_; }

    uint32_t periodFrames() const { return periodFrames_; }
    uint32_t periodsPerBuffer() const { return periodsPerBuffer_; }
    uint32_t bufferFrames() const { return bufferFrames_; }
    uint32_t rateHz() const { return rateHz_; }
    /// Durations, rounded down to whole nanoseconds (0 if unconfigured).
    uint64_t periodNs() const { return rateHz_ ? audioFramesToNs(periodFrames_, rateHz_) : 0; }
    uint64_t bufferNs() const { return rateHz_ ? audioFramesToNs(bufferFrames_, rateHz_) : 0; }

    /// audioSplitFrames over this ring.
    KDRV_NODISCARD Status split(uint32_t first, uint32_t num, AudioSpan spans[2],
                                uint32_t* spanCount) const
    {
        return audioSplitFrames(bufferFrames_, first, num, spans, spanCount);
    }

  private:
    uint32_t periodFrames_;
    uint32_t periodsPerBuffer_;
    uint32_t bufferFrames_;
    uint32_t rateHz_;
    uint32_t periodIndex_;
    uint32_t loopCount_;
    uint64_t periodCount_;
    uint64_t lastWrapNs_;
    bool started_;
};

// ---------------------------------------------------------------------------
/// AudioDeadline: absolute deadlines for a timer that stands in for a period
/// interrupt. Deadline k lies at start + k * F / rate (computed from frames,
/// so a period that is not a whole number of nanoseconds does not drift).
///
/// Timer handler:
///   uint64_t n = deadline.expire(now);          // periods completed by now
///   if (n != 0) { AudioWraps w = clock.advance(n, now); ... stamp each wrap }
///   arm(deadline.timeoutNs(now));               // 0 < timeout <= one period
///
/// timeoutNs() is next - now when positive and 0 otherwise: a late timer
/// never produces the ~4.29 s timeout that casting a negative correction to an
/// unsigned 32-bit value gives.
class AudioDeadline
{
  public:
    constexpr AudioDeadline()
        : periodFrames_(0), rateHz_(0), startNs_(0), periodsDone_(0), nextNs_(0)
    {
    }

    /// BadArgument for periodFrames == 0 or an unsupported rate.
    KDRV_NODISCARD Status init(uint32_t periodFrames, uint32_t rateHz)
    {
        *this = AudioDeadline();
        if (periodFrames == 0 || !isSupportedAudioRate(rateHz))
        {
            return Status::BadArgument;
        }
        periodFrames_ = periodFrames;
        rateHz_ = rateHz;
        nextNs_ = ~uint64_t(0); // nothing expires before start()
        return Status::Success;
    }

    /// Deadline 0 is startNs; the first timer fires one period later.
    void start(uint64_t startNs)
    {
        startNs_ = startNs;
        periodsDone_ = 0;
        nextNs_ = deadlineNs(1);
    }

    /// Counts the deadlines passed by nowNs (deadline <= now) since the last
    /// call and moves the next deadline to the first one after nowNs.
    /// Returns 0 for an early call (nothing changes), else the periods to pass
    /// to AudioRingClock::advance. Unconfigured: always 0.
    uint64_t expire(uint64_t nowNs)
    {
        if (periodFrames_ == 0 || nowNs < nextNs_)
        {
            return 0;
        }
        // Frames elapsed, rounded down, then periods; the floors in both
        // conversions can make the estimate one short, never long.
        uint64_t passed = audioNsToFrames(nowNs - startNs_, rateHz_) / periodFrames_;
        for (int i = 0; i < 2 && deadlineNs(passed + 1) <= nowNs; ++i)
        {
            ++passed;
        }
        const uint64_t periods = passed > periodsDone_ ? passed - periodsDone_ : 0;
        periodsDone_ = max64(passed, periodsDone_);
        nextNs_ = deadlineNs(periodsDone_ + 1);
        return periods;
    }

    /// Time until the next deadline, or 0 if it has passed.
    uint64_t timeoutNs(uint64_t nowNs) const { return nextNs_ > nowNs ? nextNs_ - nowNs : 0; }
    uint64_t nextNs() const { return nextNs_; }
    /// Deadline of the latest expired period (startNs before any).
    uint64_t lastExpiredNs() const { return deadlineNs(periodsDone_); }
    uint64_t periodsDone() const { return periodsDone_; }

    /// Deadline k (saturating at UINT64_MAX).
    uint64_t deadlineNs(uint64_t k) const
    {
        uint64_t frames = 0;
        uint64_t t = 0;
        if (rateHz_ == 0 || mulOverflow64(k, periodFrames_, &frames) ||
            addOverflow64(startNs_, audioFramesToNs(frames, rateHz_), &t))
        {
            return ~uint64_t(0);
        }
        return t;
    }

  private:
    uint32_t periodFrames_;
    uint32_t rateHz_;
    uint64_t startNs_;
    uint64_t periodsDone_;
    uint64_t nextNs_;
};

// ---------------------------------------------------------------------------
/// EraseHead: zeroes played frames behind the play head so that a wrap with
/// no fresh data plays silence, not the previous loop.
///
/// The erased region is [eraseFrame, playFrame) modulo N: one or two spans,
/// ending just before the play head and never at or past it. playFrame must be
/// the conservative position (AudioRingClock::currentFrame()), never a
/// prediction ahead of the hardware. eraseFrame == playFrame means nothing to
/// do (not "a whole buffer behind").
///
/// While disabled (setRunEraseHead(false) on an input-only engine) nothing is
/// erased but eraseFrame still follows the play head, so re-enabling never
/// erases stale ground that the client has since refilled.
class EraseHead
{
  public:
    constexpr EraseHead() : bufferFrames_(0), eraseFrame_(0), enabled_(false) {}

    /// BadArgument for bufferFrames == 0. Starts at frame 0.
    KDRV_NODISCARD Status init(uint32_t bufferFrames, bool enabled)
    {
        *this = EraseHead();
        if (bufferFrames == 0)
        {
            return Status::BadArgument;
        }
        bufferFrames_ = bufferFrames;
        enabled_ = enabled;
        return Status::Success;
    }

    void setEnabled(bool enabled) { enabled_ = enabled; }
    bool isEnabled() const { return enabled_; }
    /// Back to frame 0, for an engine (re)start.
    void reset() { eraseFrame_ = 0; }
    uint32_t eraseFrame() const { return eraseFrame_; }
    uint32_t bufferFrames() const { return bufferFrames_; }

    /// The spans to zero for play head playFrame: 0 (disabled, or nothing
    /// played since the last commit), 1 or 2 spans. BadArgument for
    /// playFrame >= N, null pointers or an uninitialised head.
    KDRV_NODISCARD Status pending(uint32_t playFrame, AudioSpan spans[2], uint32_t* spanCount) const
    {
        if (spans == nullptr || spanCount == nullptr || playFrame >= bufferFrames_)
        {
            return Status::BadArgument;
        }
        *spanCount = 0;
        if (!enabled_ || playFrame == eraseFrame_)
        {
            return Status::Success;
        }
        const uint32_t count = playFrame > eraseFrame_ ? playFrame - eraseFrame_
                                                       : bufferFrames_ - eraseFrame_ + playFrame;
        return audioSplitFrames(bufferFrames_, eraseFrame_, count, spans, spanCount);
    }

    /// Marks everything before playFrame as erased. BadArgument for
    /// playFrame >= N (nothing changes).
    KDRV_NODISCARD Status commit(uint32_t playFrame)
    {
        if (playFrame >= bufferFrames_)
        {
            return Status::BadArgument;
        }
        eraseFrame_ = playFrame;
        return Status::Success;
    }

    /// pending + zero + commit on a ring laid out by `geometry` (which must
    /// have N frames) in `buffer` of `bufferBytes`. Call it for the sample
    /// buffer and, with a float geometry, for the mix buffer before committing
    /// -- or use pending()/zeroSpan()/commit() directly for several buffers.
    /// BadArgument (nothing written or moved) for a geometry of another size,
    /// a short or null buffer, or playFrame >= N.
    KDRV_NODISCARD Status erase(const AudioRingGeometry& geometry, void* buffer, size_t bufferBytes,
                                uint32_t playFrame)
    {
        AudioSpan spans[2];
        uint32_t count = 0;
        if (geometry.frames() != bufferFrames_ || buffer == nullptr ||
            bufferBytes < geometry.bufferBytes())
        {
            return Status::BadArgument;
        }
        const Status s = pending(playFrame, spans, &count);
        if (s != Status::Success)
        {
            return s;
        }
        for (uint32_t i = 0; i < count; ++i)
        {
            const Status z = geometry.zeroSpan(buffer, bufferBytes, spans[i]);
            if (z != Status::Success)
            {
                return z;
            }
        }
        eraseFrame_ = playFrame;
        return Status::Success;
    }

  private:
    uint32_t bufferFrames_;
    uint32_t eraseFrame_;
    bool enabled_;
};
// Not over-aligned: a class holding one may be created with new in a kext
// (kMaxTypeAlignment, base.hpp).
static_assert(alignof(AudioRingGeometry) <= kMaxTypeAlignment, "over-aligned");
static_assert(alignof(AudioRingClock) <= kMaxTypeAlignment, "over-aligned");
static_assert(alignof(EraseHead) <= kMaxTypeAlignment, "over-aligned");
} // namespace kdrv

#endif // KDRV_AUDIO_RING_HPP
