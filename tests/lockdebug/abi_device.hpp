// SPDX-License-Identifier: MIT
//
// A driver-side struct that embeds a lock. Its own mangled names never
// mention the lock, so only kdrv's link-time ABI guard can stop two
// translation units built with different KDRV_CONFIG_LOCK_DEBUG settings from
// disagreeing about its layout.
#ifndef KDRV_TESTS_LOCKDEBUG_ABI_DEVICE_HPP
#define KDRV_TESTS_LOCKDEBUG_ABI_DEVICE_HPP

#include "kdrv/mutex.hpp"

struct AbiDevice
{
    kdrv::Mutex lock;
    int value;
};

int abiDeviceRead(AbiDevice* device);

#endif
