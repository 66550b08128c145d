/* kdrv stand-in for <IOKit/IOService.h>: the IOService members a driver
 * overrides or calls for its life cycle (start/stop, registration,
 * termination) and for power management (PMinit ... setPowerState), with
 * their public signatures. Declarations only. Written for kdrv; not Apple's
 * file. */
#ifndef KDRV_SDK_IOKIT_IOSERVICE_H
#define KDRV_SDK_IOKIT_IOSERVICE_H
#include <IOKit/IOReturn.h>
#include <IOKit/IOTypes.h>
#include <IOKit/IORegistryEntry.h>
#include <IOKit/pwr_mgt/IOPM.h>
#include <IOKit/pwr_mgt/IOPMpowerState.h>
#include <kern/thread_call.h>

class IOService : public IORegistryEntry
{
    OSDeclareDefaultStructors(IOService);

  public:
    /* Life cycle. */
    virtual bool start(IOService* provider);
    virtual void stop(IOService* provider);
    virtual void registerService(IOOptionBits options = 0);
    virtual bool terminate(IOOptionBits options = 0);
    virtual IOService* getProvider(void) const;

    /* Power management. */
    virtual void PMinit(void);
    virtual void PMstop(void);
    virtual void joinPMtree(IOService* driver);
    virtual IOReturn registerPowerDriver(IOService* controllingDriver, IOPMPowerState* powerStates,
                                         unsigned long numberOfStates);
    IOReturn changePowerStateTo(unsigned long ordinal); /* not virtual on LP64 */
    IOReturn changePowerStateToPriv(unsigned long ordinal);
    virtual bool activityTickle(unsigned long type, unsigned long stateNumber = 0);
    virtual IOReturn setIdleTimerPeriod(unsigned long period);
    virtual IOReturn setPowerState(unsigned long powerStateOrdinal, IOService* whatDevice);
};

#endif
