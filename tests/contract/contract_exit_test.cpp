// SPDX-License-Identifier: MIT
//
// Proves that each contract macro reaches the platform's failure path with
// the right kind, expression, file and line. A contract failure must not
// return, so the handler prints what it saw and exits 0; CTest matches the
// output. Runs over both backends: posix (setContractHandler) and xnu (the
// simulated panic).
#include "kdrv/contract.hpp"
#include "kdrv/testing.hpp"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if KDRV_CONFIG_PLATFORM == KDRV_PLATFORM_XNU
#include "kdrv/sim/xnu_sim.hpp"
#endif

namespace
{
const char* g_expected = "none";

#if KDRV_CONFIG_PLATFORM == KDRV_PLATFORM_XNU
void onPanic(const char* message)
{
    // The xnu backend formats "kdrv: <kind> failed: <expr> @<file>:<line>".
    const char* kind = strstr(message, "precondition")    ? "expects"
                       : strstr(message, "postcondition") ? "ensures"
                       : strstr(message, "assertion")     ? "assert"
                                                          : "?";
    const char* at = strstr(message, " @");
    printf("contract-fired kind=%s expr=%s at=%s\n", kind,
           strstr(message, "value == 42") ? "value == 42" : "?", at ? at + 2 : "?");
    fflush(stdout);
    exit(strcmp(kind, g_expected) == 0 ? 0 : 3);
}
#else
void onViolation(const kdrv::ContractViolation& v)
{
    const char* kind = v.kind == kdrv::ContractKind::Precondition    ? "expects"
                       : v.kind == kdrv::ContractKind::Postcondition ? "ensures"
                                                                     : "assert";
    printf("contract-fired kind=%s expr=%s at=%s:%d\n", kind, v.expression, v.file, v.line);
    fflush(stdout);
    exit(strcmp(kind, g_expected) == 0 && strcmp(v.expression, "value == 42") == 0 ? 0 : 3);
}
#endif

int check(const char* which, int value)
{
    if (strcmp(which, "expects") == 0)
        KDRV_EXPECTS(value == 42);
    else if (strcmp(which, "ensures") == 0)
        KDRV_ENSURES(value == 42);
    else if (strcmp(which, "assert") == 0)
        KDRV_ASSERT(value == 42);
    return value;
}
} // namespace

int main(int argc, char** argv)
{
    if (argc != 2)
        return 2;
    g_expected = argv[1];
#if KDRV_CONFIG_PLATFORM == KDRV_PLATFORM_XNU
    kdrv::sim::setPanicHook(onPanic);
#else
    kdrv::setContractHandler(onViolation);
#endif
    // 42 satisfies every check: nothing may fire.
    check(argv[1], 42);
    if (strcmp(argv[1], "none") == 0)
    {
        printf("no-contract-fired\n");
        return 0;
    }
    check(argv[1], 7);
    printf("contract did not fire\n");
    return 1;
}
