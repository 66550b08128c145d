// SPDX-License-Identifier: MIT
//
// Links kdrv::xnu_sim: kdrv's xnu backend, over the stand-in SDK and its
// user-space simulation, must work from an installed or embedded kdrv.
#include <kdrv/platform/platform.hpp>
#include <kdrv/sim/xnu_sim.hpp>

#include <stdio.h>
#include <string.h>

#if KDRV_CONFIG_PLATFORM != KDRV_PLATFORM_XNU
#error "linking kdrv::xnu_sim must select the xnu backend"
#endif

namespace
{
char g_line[256];

void captureLog(const char* line) { strncpy(g_line, line, sizeof g_line - 1); }
} // namespace

int main()
{
    kdrv::sim::setLogHook(captureLog);
    kdrv::platform::logMessage("xnu sim says %d\n", 42);
    const bool ok = strstr(g_line, "xnu sim says 42") != nullptr;
    printf("kdrv xnu_sim consumer: %s (IOLog captured \"%s\")\n", ok ? "ok" : "FAILED", g_line);
    return ok ? 0 : 1;
}
