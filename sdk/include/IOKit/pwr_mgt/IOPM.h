/* kdrv stand-in for <IOKit/pwr_mgt/IOPM.h>: the power flags, return codes and
 * activity-tickle policies a power-managed driver uses (public values). */
#ifndef KDRV_SDK_IOKIT_PWR_MGT_IOPM_H
#define KDRV_SDK_IOKIT_PWR_MGT_IOPM_H
#include <IOKit/IOTypes.h>

/* Bits of IOPMPowerState.capabilityFlags, outputPowerCharacter and
 * inputPowerRequirement. unsigned long: 4 bytes on ILP32, 8 on LP64. */
typedef unsigned long IOPMPowerFlags;
enum
{
    kIOPMPowerOn = 0x00000002,
    kIOPMDeviceUsable = 0x00008000,
    kIOPMLowPower = 0x00010000,
    kIOPMPreventIdleSleep = 0x00000040,
    kIOPMSleepCapability = 0x00000004,
    kIOPMRestartCapability = 0x00000080,
    kIOPMSleep = 0x00000001,
    kIOPMRestart = 0x00000080,
    kIOPMInitialDeviceState = 0x00000100,
    kIOPMRootDomainState = 0x00000200
};

/* Results of setPowerState() and the interested-driver callbacks. */
enum
{
    kIOPMNoErr = 0,
    kIOPMAckImplied = 0,
    kIOPMWillAckLater = 1, /* deprecated */
    kIOPMNotYetInitialized = 8
};

#ifdef __cplusplus
/* activityTickle() types. */
enum
{
    kIOPMSubclassPolicy = 0,
    kIOPMSuperclassPolicy1 = 1
};
#endif

#endif
