// SPDX-License-Identifier: MIT
//
/// \file
/// Core services of the model-checking backend (the first table in
/// platform/platform.hpp), chosen by KDRV_CONFIG_MODEL_CHECK=1 (config.hpp):
/// the same names as the posix backend, each a step of, or a report to, the
/// Relacy Race Detector. Threads and locks are in platform/model_locks.hpp.
///
/// What differs from posix, on purpose:
///   - contractFailed() fails the current execution (the checker prints the
///     schedule that led there) instead of calling the contract handler;
///   - monotonicNanos() is a model clock: each call advances it by 1 us, and
///     model::resetIteration() puts it back to 0, so an execution is
///     reproducible from its seed;
///   - yieldThread() is a checker yield (a scheduling point, and the mark of
///     a waiting thread for livelock detection);
///   - plain shared data can be checked: KDRV_MODEL_WRITE_BYTES and
///     KDRV_MODEL_READ_BYTES (no-ops in other builds) record the accesses on
///     a model::SharedBytes image of the buffer, so an access not ordered by
///     happens-before is reported as a data race.
/// Every Relacy object must be built inside a simulation: build kdrv objects
/// as members of the test (or in its before()), never as globals.
#ifndef KDRV_PLATFORM_MODEL_HPP
#define KDRV_PLATFORM_MODEL_HPP

#include "kdrv/base.hpp"                  // for ContractKind
#include "kdrv/platform/model_relacy.hpp" // for rl::
#include "kdrv/platform/platform.hpp"     // for ContractViolation (this file is its backend)

#if !KDRV_CONFIG_MODEL_CHECK
#error "kdrv/platform/model.hpp is for the model-checking build only"
#endif

/// The model backend is never a kernel build.
#define KDRV_IN_KERNEL 0

#include <stdarg.h> // for va_list
#include <stdio.h>  // for vfprintf

#ifndef KDRV_MODEL_HERE_
#define KDRV_MODEL_HERE_ ::rl::debug_info(__builtin_FUNCTION(), __builtin_FILE(), __builtin_LINE())
#endif

namespace kdrv
{
namespace platform
{
inline void defaultContractHandler(const ContractViolation& v)
{
    static const char* const kinds[] = {"?", "precondition", "postcondition", "assertion"};
    fprintf(stderr, "kdrv: %s failed: %s @%s:%d\n", kinds[static_cast<int>(v.kind) & 3],
            v.expression, v.file, v.line);
    __builtin_abort();
}

inline void defaultWarningHandler(const char* message, const void* object)
{
    fprintf(stderr, "kdrv: warning: %s (object %p)\n", message, object);
}

/// As in the posix backend; kdrv/testing.hpp installs handlers. A model test
/// counts warnings with its own handler (and resets its count per execution).
inline ContractHandler& contractHandlerSlot()
{
    static ContractHandler handler = defaultContractHandler;
    return handler;
}
inline WarningHandler& warningHandlerSlot()
{
    static WarningHandler handler = defaultWarningHandler;
    return handler;
}

__attribute__((format(printf, 1, 2))) inline void logMessage(const char* format, ...)
{
    va_list args;
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
}

inline void warn(const char* message, const void* object) { warningHandlerSlot()(message, object); }

/// A contract failure inside an execution is a finding: the checker stops
/// and prints the schedule (the expression is the report's description).
[[noreturn]] KDRV_COLD inline void contractFailed(ContractKind kind, const char* expression,
                                                  const char* file, int line)
{
    (void)kind;
    ::rl::ctx().fail_test(expression, ::rl::test_result_user_assert_failed,
                          ::rl::debug_info("contract", file, static_cast<unsigned>(line)));
    __builtin_abort();
}

inline uint64_t& modelClockSlot()
{
    static uint64_t now = 0;
    return now;
}

/// The model clock: advances 1 us per reading, so a deadline loop ends.
inline uint64_t monotonicNanos()
{
    modelClockSlot() += 1000u;
    return modelClockSlot();
}

inline void yieldThread() { ::rl::yield(1, KDRV_MODEL_HERE_); }
} // namespace platform

namespace model
{
/// A checked image of a plain buffer shared between threads (ring storage):
/// while it lives, the KDRV_MODEL_*_BYTES hooks on bytes of [base, base+size)
/// become checked accesses. At most kMaxBytes bytes and kMaxImages images.
class SharedBytes
{
  public:
    enum : uint32_t
    {
        kMaxBytes = 64,
        kMaxImages = 4,
    };

    SharedBytes(const void* base, uint32_t size)
        : base_(static_cast<const uint8_t*>(base)), size_(size < kMaxBytes ? size : kMaxBytes)
    {
        for (uint32_t i = 0; i < kMaxImages; ++i)
        {
            if (slots()[i] == nullptr)
            {
                slots()[i] = this;
                break;
            }
        }
        for (uint32_t i = 0; i < size_; ++i)
            bytes_[i](KDRV_MODEL_HERE_).store(base_[i]); // initialized, by this thread
    }
    ~SharedBytes()
    {
        for (uint32_t i = 0; i < kMaxImages; ++i)
            if (slots()[i] == this)
                slots()[i] = nullptr;
    }
    KDRV_NONCOPYABLE(SharedBytes);

    static void note(const void* p, size_t n, bool write, const ::rl::debug_info& site)
    {
        const uint8_t* b = static_cast<const uint8_t*>(p);
        for (uint32_t i = 0; i < kMaxImages; ++i)
        {
            SharedBytes* image = slots()[i];
            if (image == nullptr)
                continue;
            for (size_t k = 0; k < n; ++k)
            {
                if (b + k < image->base_ || b + k >= image->base_ + image->size_)
                    continue;
                ::rl::var<uint8_t>& v = image->bytes_[b + k - image->base_];
                if (write)
                    v(site).store(b[k]);
                else
                    (void)v(site).load();
            }
        }
    }

  private:
    static SharedBytes** slots()
    {
        static SharedBytes* table[kMaxImages] = {};
        return table;
    }

    const uint8_t* base_;
    uint32_t size_;
    ::rl::var<uint8_t> bytes_[kMaxBytes];
};

inline bool& interruptsSlot()
{
    static bool on = true;
    return on;
}

/// Whether an interruptible sleep without a deadline may end Interrupted at
/// the checker's choice (default: yes). A check for lost wakeups turns this
/// off, so that a sleeper nobody wakes is a reported deadlock rather than a
/// sleep the checker may end.
inline void exploreInterrupts(bool on) { interruptsSlot() = on; }
inline bool interruptsExplored() { return interruptsSlot(); }

/// Call at the start of every execution (the test's before()).
inline void resetIteration()
{
    platform::modelClockSlot() = 0;
    interruptsSlot() = true;
}
} // namespace model
} // namespace kdrv

/// The plain-data hooks of the seam (platform.hpp): checked accesses here.
#undef KDRV_MODEL_WRITE_BYTES
#undef KDRV_MODEL_READ_BYTES
#define KDRV_MODEL_WRITE_BYTES(p, n)                                                               \
    ::kdrv::model::SharedBytes::note((p), (n), true, KDRV_MODEL_HERE_)
#define KDRV_MODEL_READ_BYTES(p, n)                                                                \
    ::kdrv::model::SharedBytes::note((p), (n), false, KDRV_MODEL_HERE_)

#endif // KDRV_PLATFORM_MODEL_HPP
