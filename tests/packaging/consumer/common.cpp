// SPDX-License-Identifier: MIT
//
// A tiny program that uses kdrv the way an application would, shared by the
// packaging consumers. Exits 0 when the installed or embedded headers work.
#if defined(__has_include)
#if __has_include(<kdrv/kdrv.hpp>)
#include <kdrv/kdrv.hpp> // the umbrella, once it is installed
#endif
#endif
#include <kdrv/atomic.hpp>
#include <kdrv/base.hpp>
#include <kdrv/status.hpp>
#include <kdrv/version.hpp>

#include <stdio.h>

#if defined(KDRV_EXPECTED_VERSION_MAJOR)
static_assert(KDRV_VERSION_MAJOR == KDRV_EXPECTED_VERSION_MAJOR &&
                  KDRV_VERSION_MINOR == KDRV_EXPECTED_VERSION_MINOR &&
                  KDRV_VERSION_PATCH == KDRV_EXPECTED_VERSION_PATCH,
              "kdrv/version.hpp disagrees with the package version");
#endif

namespace
{
const int kSteps[] = {1, 2, 3, 4};
kdrv::AtomicU32 g_total;
} // namespace

int main()
{
    for (unsigned i = 0; i < KDRV_COUNTOF(kSteps); ++i)
    {
        g_total.fetchAdd(static_cast<uint32_t>(kSteps[i]), kdrv::MemoryOrder::Relaxed);
    }
    const kdrv::Status status = g_total.load(kdrv::MemoryOrder::Relaxed) == 10
                                    ? kdrv::Status::Success
                                    : kdrv::Status::Error;
    printf("kdrv %d.%d.%d consumer: %s\n", KDRV_VERSION_MAJOR, KDRV_VERSION_MINOR,
           KDRV_VERSION_PATCH, kdrv::isSuccess(status) ? "ok" : "FAILED");
    return kdrv::isSuccess(status) ? 0 : 1;
}
