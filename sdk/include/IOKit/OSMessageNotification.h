/* kdrv stand-in for <IOKit/OSMessageNotification.h>: async reference layout
 * and limits (public values). */
#ifndef KDRV_SDK_IOKIT_OSMESSAGENOTIFICATION_H
#define KDRV_SDK_IOKIT_OSMESSAGENOTIFICATION_H
#include <stdint.h>
#include <device/device_types.h>
#include <IOKit/IOReturn.h>
enum
{
    kOSAsyncRef64Count = 8,
    kOSAsyncRef64Size = kOSAsyncRef64Count * ((int)sizeof(io_user_reference_t))
};
typedef io_user_reference_t OSAsyncReference64[kOSAsyncRef64Count];
enum
{
    kIOAsyncReservedIndex = 0,
    kIOAsyncReservedCount,
    kIOAsyncCalloutFuncIndex = kIOAsyncReservedCount,
    kIOAsyncCalloutRefconIndex,
    kIOAsyncCalloutCount
};
enum
{
    kMaxAsyncArgs = 16
};
#endif
