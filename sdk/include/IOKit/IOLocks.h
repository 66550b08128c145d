/* kdrv stand-in for <IOKit/IOLocks.h>. The locks issue fills in the lock KPIs. */
#ifndef KDRV_SDK_IOKIT_IOLOCKS_H
#define KDRV_SDK_IOKIT_IOLOCKS_H
#include <IOKit/IOTypes.h>
#endif
