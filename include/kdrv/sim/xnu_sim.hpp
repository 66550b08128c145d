// SPDX-License-Identifier: MIT
//
// Test hooks of the user-space xnu simulation (sdk/src/xnu_sim.cpp). Link
// kdrv::xnu_sim to run kdrv's xnu backend, and your driver code over it, in
// ordinary user-space tests.
#ifndef KDRV_SIM_XNU_SIM_HPP
#define KDRV_SIM_XNU_SIM_HPP

#if defined(KERNEL)
#error "kdrv/sim/ is user-space only: it simulates the kernel, it is not part of it"
#endif

namespace kdrv
{
namespace sim
{
// Receives each formatted IOLog line instead of stderr. Returns the old hook.
typedef void (*LogHook)(const char* line);
LogHook setLogHook(LogHook hook);

// Called with the formatted message when simulated code panics. If the hook
// returns, the process aborts, as a panic would. Returns the old hook.
typedef void (*PanicHook)(const char* message);
PanicHook setPanicHook(PanicHook hook);
} // namespace sim
} // namespace kdrv

#endif // KDRV_SIM_XNU_SIM_HPP
