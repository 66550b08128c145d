// SPDX-License-Identifier: MIT
//
// The vserial kext: the I/O Kit shell around vserial::Core.
//
//   org_kdrv_VSerialDriver      an IOService matched on IOResources (the
//                               device is virtual). It owns the core, runs the
//                               loopback DMA engine on a thread call, and
//                               joins power management with the core's power
//                               table.
//   org_kdrv_VSerialUserClient  an IOUserClient whose externalMethod() hands
//                               every call to kdrv's dispatcher with the
//                               core's method table.
//
// Everything that is driver logic is in examples/vserial/core and shared,
// unchanged, with the user-space program and the tests; this file only
// connects it to I/O Kit.
#ifndef ORG_KDRV_VSERIAL_DRIVER_HPP
#define ORG_KDRV_VSERIAL_DRIVER_HPP

#include <IOKit/IOService.h>
#include <IOKit/IOUserClient.h>
#include <kern/thread_call.h>

#include "kdrv/atomic.hpp"
#include "kdrv/status.hpp"

#include "vserial/core/vserial_core.hpp"
#include "vserial/core/vserial_engine.hpp"

class org_kdrv_VSerialDriver : public IOService
{
    OSDeclareDefaultStructors(org_kdrv_VSerialDriver);

  public:
    bool start(IOService* provider) override;
    void stop(IOService* provider) override;

    // Power management moves the device between the rows of
    // vserial::kPowerStates; the core does the work.
    IOReturn setPowerState(unsigned long powerStateOrdinal, IOService* whatDevice) override;

    vserial::Core* core() const { return fCore; }

  private:
    // vserial::Hooks, bound to this driver.
    static void ringDoorbell(void* context);
    static bool activityTickleHook(void* context, unsigned long state);
    static kdrv::Status changePowerStateToHook(void* context, unsigned long state);

    // The "hardware": one thread call services the doorbell.
    static void engineThreadCall(thread_call_param_t driver, thread_call_param_t unused);

    vserial::Core* fCore;
    vserial::LoopbackEngine fEngine;
    thread_call_t fEngineCall;
    // Engine invocations scheduled or running, so that stop() can wait for
    // the last one (thread_call_cancel_wait is not exported to third-party
    // kexts).
    kdrv::AtomicU32 fEngineWork;
    bool fPowerManaged;
};

class org_kdrv_VSerialUserClient : public IOUserClient
{
    OSDeclareDefaultStructors(org_kdrv_VSerialUserClient);

  public:
    using IOUserClient::initWithTask; // keep the three-argument overload visible
    bool initWithTask(task_t owningTask, void* securityToken, UInt32 type,
                      OSDictionary* properties) override;
    bool start(IOService* provider) override;
    IOReturn clientClose(void) override;
    IOReturn externalMethod(uint32_t selector, IOExternalMethodArguments* arguments,
                            IOExternalMethodDispatch* dispatch, OSObject* target,
                            void* reference) override;

  private:
    org_kdrv_VSerialDriver* fDriver;
    bool fClientIsAdmin;       // decided once, when the client opens the connection
    kdrv::AtomicU32 fOwnsPort; // this client opened the port and has not closed it
};

#endif // ORG_KDRV_VSERIAL_DRIVER_HPP
