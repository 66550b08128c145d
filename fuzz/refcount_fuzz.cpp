// SPDX-License-Identifier: MIT
//
// RefCount against a reference model: any start value and any sequence of
// retain/release/tryRetain must give the model's results, the model's count
// (kSaturated once saturated) and exactly the model's number of warnings
// (one per counter: only the call that saturates it warns).
//
// Public operations, each reached after any other: RefCount(), RefCount(n)
// (eight start values, the saturated one included), retain, release,
// tryRetain, count, isSaturated; RefCounted: retain, release (free() exactly
// once, at the model's last reference, never after saturation), tryRetain,
// retainCount, driven by the same input. Misuse is part of the sequences:
// release past zero (underflow), retain after the last release (use after
// free), retain past kMax (from the kMax - 2 ... kMax starts).
#include "kdrv/refcount.hpp"
#include "kdrv/testing.hpp"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_check.hpp" // for FUZZ_CHECK

namespace
{
int g_warnings = 0;
void countWarning(const char*, const void*) { ++g_warnings; }

struct Model
{
    uint64_t count;
    bool saturated;
    int warnings;

    void saturate(bool report)
    {
        if (!saturated && report)
            ++warnings;
        saturated = true;
    }
    void retain()
    {
        if (saturated)
            return;
        if (count == 0 || count == kdrv::RefCount::kMax)
            saturate(true);
        else
            ++count;
    }
    bool release()
    {
        if (saturated)
            return false;
        if (count == 0)
        {
            saturate(true);
            return false;
        }
        return --count == 0;
    }
    bool tryRetain()
    {
        if (saturated)
            return true;
        if (count == 0)
            return false;
        if (count == kdrv::RefCount::kMax)
            saturate(true);
        else
            ++count;
        return true;
    }
    uint32_t expected() const
    {
        return saturated ? static_cast<uint32_t>(kdrv::RefCount::kSaturated)
                         : static_cast<uint32_t>(count);
    }
};

// free() only counts: the object lives on the stack, so a use after the
// model's last release stays observable instead of being a real one.
struct Counted : kdrv::RefCounted
{
    int freed = 0;
    void free() override { ++freed; }
};
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1)
        return 0;
    static const uint32_t kStarts[8] = {0u,
                                        1u,
                                        2u,
                                        1000u,
                                        kdrv::RefCount::kMax - 2u,
                                        kdrv::RefCount::kMax - 1u,
                                        kdrv::RefCount::kMax,
                                        kdrv::RefCount::kSaturated};
    uint32_t start = kStarts[data[0] & 7u];
    kdrv::setWarningHandler(countWarning);
    g_warnings = 0;
    kdrv::RefCount r(start);
    Model m = {start, start > kdrv::RefCount::kMax, 0};
    for (size_t i = 1; i < size; ++i)
    {
        for (int shift = 0; shift < 8; shift += 2)
        {
            switch ((data[i] >> shift) & 3u)
            {
            case 0:
            case 3:
                r.retain();
                m.retain();
                break;
            case 1:
                FUZZ_CHECK(r.release() == m.release());
                break;
            case 2:
                FUZZ_CHECK(r.tryRetain() == m.tryRetain());
                break;
            }
            FUZZ_CHECK(r.count() == m.expected());
            FUZZ_CHECK(r.isSaturated() == m.saturated);
            FUZZ_CHECK(g_warnings == m.warnings);
        }
    }
    // RefCounted over the same input, from its default count of 1.
    g_warnings = 0;
    Counted object;
    Model om = {1, false, 0};
    int expectFreed = 0;
    FUZZ_CHECK(kdrv::RefCount().count() == 1u);
    for (size_t i = 1; i < size; ++i)
    {
        switch (data[i] & 3u)
        {
        case 0:
            object.retain();
            om.retain();
            break;
        case 1:
            object.release();
            if (om.release())
                ++expectFreed;
            break;
        case 2:
            FUZZ_CHECK(object.tryRetain() == om.tryRetain());
            break;
        default:
            break;
        }
        FUZZ_CHECK(object.freed == expectFreed);
        FUZZ_CHECK(object.retainCount() == om.expected());
        FUZZ_CHECK(g_warnings == om.warnings);
    }
    return 0;
}
