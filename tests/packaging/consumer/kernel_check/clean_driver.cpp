// SPDX-License-Identifier: MIT
// A clean driver core: constant-initialized globals, kdrv blocks, KPIs from
// the public export lists only.
#include <IOKit/IOLib.h>

#include <kdrv/byte_ring.hpp>
#include <kdrv/mutex.hpp>

#include <acme/counter.hpp>

namespace
{
KDRV_CONST_INIT acme::Counter gRequests;
KDRV_CONST_INIT kdrv::Mutex gLock;
} // namespace

bool acmeStart();
bool acmeStart() { return gLock.init() == kdrv::Status::Success; }

uint32_t acmeRequest();
uint32_t acmeRequest()
{
    gLock.lock();
    uint32_t n = gRequests.bump();
    gLock.unlock();
    IOLog("acme: request %u\n", n);
    return n;
}
