/* SPDX-License-Identifier: MIT
 *
 * The module record the kernel reads when it loads the kext. Xcode writes
 * this file itself for a kernel-extension target; a Makefile build needs its
 * own. The bundle identifier and version must match Info.plist
 * (KMOD_EXPLICIT_DECL turns the identifier's tokens into the name string).
 * _start and _stop come from libkmod; for an
 * I/O Kit kext they construct and destroy the C++ runtime state, and the
 * driver's life starts with matching (IOKitPersonalities), not here, so the
 * real entry points stay null. Built on a Mac only. */
#include <mach/mach_types.h>

extern kern_return_t _start(kmod_info_t* ki, void* data);
extern kern_return_t _stop(kmod_info_t* ki, void* data);

__attribute__((visibility("default")))
KMOD_EXPLICIT_DECL(org.kdrv.example.VSerial, "1.0.0", _start, _stop)

__private_extern__ kmod_start_func_t* _realmain = 0;
__private_extern__ kmod_stop_func_t* _antimain = 0;
__private_extern__ int _kext_apple_cc = __APPLE_CC__;
