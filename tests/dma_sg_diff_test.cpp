// SPDX-License-Identifier: MIT
//
// Differential test: kdrv::DmaCommand against a slow reference model over
// random specifications, run lists, windows and call patterns. The default
// posix run checks 1,000,000 cases; KDRV_DMA_SG_DIFF_CASES overrides the
// count (sanitizer builds and the xnu-backend binaries default to fewer).
#include "dma_sg_diff.hpp"

#include <doctest/doctest.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

namespace
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
const uint64_t kDefaultCases = 100000;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
const uint64_t kDefaultCases = 100000;
#else
const uint64_t kDefaultCases = 1000000;
#endif
#else
const uint64_t kDefaultCases = 1000000;
#endif

uint64_t caseCount()
{
    const char* env = getenv("KDRV_DMA_SG_DIFF_CASES");
    if (env != nullptr && *env != '\0')
    {
        return strtoull(env, nullptr, 10);
    }
    // The builder calls no platform service, so the xnu-backend binaries
    // repeat the posix ones' work; they run a fifth as many cases.
    if (strcmp(KDRV_TEST_BACKEND_NAME, "xnu") == 0)
    {
        return kDefaultCases / 5;
    }
    return kDefaultCases;
}
} // namespace

TEST_CASE("dma_sg differential: builder equals the reference model on random cases")
{
    const uint64_t cases = caseCount();
    dmasgdiff::Rng rng(0x6B647276u);
    uint64_t checked = 0;
    uint64_t skipped = 0;
    uint64_t mismatches = 0;
    // `cases` cases are checked; the few the model declines (more segments
    // than it builds) are drawn again and counted apart.
    for (uint64_t i = 0; checked < cases && i < 2 * cases; ++i)
    {
        dmasgdiff::Case c;
        dmasgdiff::randomCase(rng, &c);
        const dmasgdiff::Result r = dmasgdiff::checkCase(c);
        if (r.skipped)
        {
            ++skipped;
            continue;
        }
        ++checked;
        if (!r.mismatch.empty())
        {
            ++mismatches;
            if (mismatches <= 3)
            {
                FAIL_CHECK("case " << i << ": " << r.mismatch << "\n"
                                   << dmasgdiff::describeCase(c));
            }
        }
    }
    printf("[dma_sg differential] %llu cases checked (%llu skipped as too large), %llu "
           "mismatches\n",
           static_cast<unsigned long long>(checked), static_cast<unsigned long long>(skipped),
           static_cast<unsigned long long>(mismatches));
    CHECK(mismatches == 0);
    CHECK(checked == cases);
    CHECK(skipped * 100 <= cases + 100); // the generator stays mostly within the model's cap
}
