/* kdrv stand-in for <IOKit/IORegistryEntry.h>: the I/O Registry node that
 * every IOService is (declarations only). Written for kdrv; not Apple's
 * file. */
#ifndef KDRV_SDK_IOKIT_IOREGISTRYENTRY_H
#define KDRV_SDK_IOKIT_IOREGISTRYENTRY_H
#include <IOKit/IOTypes.h>
#include <libkern/c++/OSObject.h>

class OSDictionary;

class IORegistryEntry : public OSObject
{
    OSDeclareDefaultStructors(IORegistryEntry);
};

#endif
