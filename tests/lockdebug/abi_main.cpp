// SPDX-License-Identifier: MIT
// The other half: builds the device and calls the reader. Linked with a
// reader built with the same lock-debug setting it runs and prints 42; with a
// different setting the link must fail.
#include "abi_device.hpp"

#include <stdio.h>

int main()
{
    static AbiDevice device;
    if (device.lock.init() != kdrv::Status::Success)
        return 2;
    device.value = 42;
    printf("abi-device-value=%d\n", abiDeviceRead(&device));
    device.lock.destroy();
    return 0;
}
