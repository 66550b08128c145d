/* kdrv stand-in for <IOKit/pwr_mgt/IOPMpowerState.h> (lower-case p, as in the
 * SDK): one row of a driver's power-state table. Twelve fields, all
 * unsigned long wide; newer SDKs call the sixth field stateOrder (read only
 * when version >= 2), older ones unbudgetedPower. */
#ifndef KDRV_SDK_IOKIT_PWR_MGT_IOPMPOWERSTATE_H
#define KDRV_SDK_IOKIT_PWR_MGT_IOPMPOWERSTATE_H
#include <IOKit/pwr_mgt/IOPM.h>

struct IOPMPowerState
{
    unsigned long version;
    IOPMPowerFlags capabilityFlags;
    IOPMPowerFlags outputPowerCharacter;
    IOPMPowerFlags inputPowerRequirement;
    unsigned long staticPower;       /* mW */
    unsigned long stateOrder;        /* version 2 only */
    unsigned long powerToAttain;     /* mW */
    unsigned long timeToAttain;      /* us */
    unsigned long settleUpTime;      /* us */
    unsigned long timeToLower;       /* us */
    unsigned long settleDownTime;    /* us */
    unsigned long powerDomainBudget; /* mW */
};
typedef struct IOPMPowerState IOPMPowerState;

enum
{
    kIOPMPowerStateVersion1 = 1,
    kIOPMPowerStateVersion2 = 2
};

#endif
