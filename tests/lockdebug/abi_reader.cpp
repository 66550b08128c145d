// SPDX-License-Identifier: MIT
// Half of the lock-debug ABI check: reads the device under its lock.
#include "abi_device.hpp"

int abiDeviceRead(AbiDevice* device)
{
    kdrv::MutexGuard guard(device->lock);
    return device->value;
}
