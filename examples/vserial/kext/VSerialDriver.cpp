// SPDX-License-Identifier: MIT
//
// The vserial kext (see VSerialDriver.hpp). Built on a Mac by the Makefile
// next to this file; compiled in CI, on Linux, against kdrv's stand-in SDK
// (README.md says what that does and does not prove).
#include "VSerialDriver.hpp"

#include <IOKit/IOLib.h> // IOSleep

#include "kdrv/platform/power_layout.hpp"
#include "kdrv/platform/xnu_dispatch.hpp"

#include "vserial/core/vserial_methods.hpp"

OSDefineMetaClassAndStructors(org_kdrv_VSerialDriver, IOService);

namespace
{
// The core is over-aligned (its DMA storage is aligned to its size; kdrv's
// own types never exceed 16 bytes), and an OSObject's operator new only
// promises 16 bytes, so the core is not a member of the driver object. The device is virtual and
// matched once, on IOResources, so there is one core: a global. Its constructor is constexpr, so
// the global is constant-initialized: no static constructor, no static destructor, nothing run at
// kext load.
KDRV_CONST_INIT vserial::Core gCore;
KDRV_CONST_INIT kdrv::AtomicFlag gCoreClaimed;

constexpr unsigned long kIdleSeconds = 5;
} // namespace

bool org_kdrv_VSerialDriver::start(IOService* provider)
{
    if (!IOService::start(provider))
        return false;
    if (gCoreClaimed.testAndSet(kdrv::MemoryOrder::Acquire))
        return false; // one virtual port per kext
    fCore = &gCore;
    fPowerManaged = false;
    fEngine.init(fCore, nullptr);
    fEngineWork.store(0, kdrv::MemoryOrder::Relaxed);
    fEngineCall = thread_call_allocate(engineThreadCall, this);
    if (fEngineCall == nullptr)
    {
        gCoreClaimed.clear(kdrv::MemoryOrder::Release);
        return false;
    }

    vserial::Hooks hooks = {};
    hooks.deviceContext = this;
    hooks.ringDoorbell = ringDoorbell;
    hooks.powerContext = this;
    hooks.activityTickle = activityTickleHook;
    hooks.changePowerStateTo = changePowerStateToHook;
    if (fCore->init(hooks) != kdrv::Status::Success)
    {
        thread_call_free(fEngineCall);
        gCoreClaimed.clear(kdrv::MemoryOrder::Release);
        return false;
    }

    // Power management with the core's table, unchanged: power_layout.hpp
    // proves at compile time that kdrv::PowerState is IOPMPowerState.
    PMinit();
    provider->joinPMtree(this);
    const IOReturn r = registerPowerDriver(
        this, const_cast<IOPMPowerState*>(kdrv::asIOPMPowerStates(vserial::kPowerStates)),
        vserial::kPowerStateCount);
    if (r != kIOReturnSuccess)
    {
        PMstop();
        fCore->destroy();
        thread_call_free(fEngineCall);
        gCoreClaimed.clear(kdrv::MemoryOrder::Release);
        return false;
    }
    fPowerManaged = true;
    // No floor until a client opens the port; the idle timer lowers the
    // device one state per quiet period after the last write.
    changePowerStateTo(vserial::kPowerOff);
    setIdleTimerPeriod(kIdleSeconds);

    registerService(); // clients can find us (IOServiceGetMatchingService)
    return true;
}

void org_kdrv_VSerialDriver::stop(IOService* provider)
{
    // Our user clients are gone by now (they are our clients in the
    // registry, terminated before us), so the port is closed.
    if (fPowerManaged)
        PMstop();
    // No doorbell rings once the port is closed. Cancel an invocation that
    // has not started and wait for one that has: the engine still touches
    // the core after the last completion (the loopback delivery).
    if (thread_call_cancel(fEngineCall))
        fEngineWork.fetchSub(1, kdrv::MemoryOrder::Release);
    while (fEngineWork.load(kdrv::MemoryOrder::Acquire) != 0)
        IOSleep(1);
    thread_call_free(fEngineCall);
    fCore->destroy();
    gCoreClaimed.clear(kdrv::MemoryOrder::Release);
    IOService::stop(provider);
}

IOReturn org_kdrv_VSerialDriver::setPowerState(unsigned long powerStateOrdinal, IOService*)
{
    // The core waits for a transfer in flight before it gates the engine, so
    // the change is complete on return.
    return fCore->setPowerState(powerStateOrdinal, 0);
}

void org_kdrv_VSerialDriver::ringDoorbell(void* context)
{
    // Called with the core's gate held: only schedule the engine. If an
    // invocation is pending already, this doorbell merges into it.
    org_kdrv_VSerialDriver* const self = static_cast<org_kdrv_VSerialDriver*>(context);
    self->fEngineWork.fetchAdd(1, kdrv::MemoryOrder::Relaxed);
    if (thread_call_enter(self->fEngineCall))
        self->fEngineWork.fetchSub(1, kdrv::MemoryOrder::Release);
}

bool org_kdrv_VSerialDriver::activityTickleHook(void* context, unsigned long state)
{
    return static_cast<org_kdrv_VSerialDriver*>(context)->activityTickle(kIOPMSuperclassPolicy1,
                                                                         state);
}

kdrv::Status org_kdrv_VSerialDriver::changePowerStateToHook(void* context, unsigned long state)
{
    return kdrv::fromIOReturn(
        static_cast<org_kdrv_VSerialDriver*>(context)->changePowerStateTo(state));
}

void org_kdrv_VSerialDriver::engineThreadCall(thread_call_param_t driver, thread_call_param_t)
{
    org_kdrv_VSerialDriver* const self = static_cast<org_kdrv_VSerialDriver*>(driver);
    while (self->fEngine.service())
    {
    }
    self->fEngineWork.fetchSub(1, kdrv::MemoryOrder::Release);
}

// ---------------------------------------------------------------------------

OSDefineMetaClassAndStructors(org_kdrv_VSerialUserClient, IOUserClient);

bool org_kdrv_VSerialUserClient::initWithTask(task_t owningTask, void* securityToken, UInt32 type,
                                              OSDictionary* properties)
{
    if (!IOUserClient::initWithTask(owningTask, securityToken, type, properties))
        return false;
    fDriver = nullptr;
    // Asked once and copied into every call's arguments (see dispatch.hpp).
    fClientIsAdmin =
        clientHasPrivilege(securityToken, kIOClientPrivilegeAdministrator) == kIOReturnSuccess;
    fOwnsPort.store(0, kdrv::MemoryOrder::Relaxed);
    return true;
}

bool org_kdrv_VSerialUserClient::start(IOService* provider)
{
    fDriver = OSDynamicCast(org_kdrv_VSerialDriver, provider);
    if (fDriver == nullptr)
        return false;
    return IOUserClient::start(provider);
}

IOReturn org_kdrv_VSerialUserClient::clientClose(void)
{
    // Also reached when the client process dies: do not leave the port open.
    if (fDriver != nullptr && fOwnsPort.exchange(0, kdrv::MemoryOrder::AcqRel) != 0)
        (void)fDriver->core()->close();
    terminate();
    return kIOReturnSuccess;
}

IOReturn org_kdrv_VSerialUserClient::externalMethod(uint32_t selector,
                                                    IOExternalMethodArguments* arguments,
                                                    IOExternalMethodDispatch*, OSObject*, void*)
{
    if (fDriver == nullptr)
        return kIOReturnNotAttached;
    // Every check (selector range, argument shapes, privilege) happens in
    // kdrv's dispatcher, against the core's table; the handlers call the core.
    const IOReturn r =
        kdrv::dispatchExternalMethod(vserial::kMethods, vserial::kSelectorCount, selector,
                                     arguments, fDriver->core(), nullptr, fClientIsAdmin);
    if (r == kIOReturnSuccess && selector == vserial::kSelectorOpen)
        fOwnsPort.store(1, kdrv::MemoryOrder::Release);
    if (r == kIOReturnSuccess && selector == vserial::kSelectorClose)
        fOwnsPort.store(0, kdrv::MemoryOrder::Release);
    return r;
}
