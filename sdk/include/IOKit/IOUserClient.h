/* kdrv stand-in for <IOKit/IOUserClient.h>: the external-method types, with
 * the public field names, types and order; not the IOUserClient class. */
#ifndef KDRV_SDK_IOKIT_IOUSERCLIENT_H
#define KDRV_SDK_IOKIT_IOUSERCLIENT_H
#include <stdint.h>
#include <IOKit/IOTypes.h>
#include <IOKit/IOMemoryDescriptor.h>
#include <IOKit/OSMessageNotification.h>
#include <mach/port.h>

class OSObject;

enum
{
    kIOUCVariableStructureSize = 0xffffffff
};

enum
{
    kIOExternalMethodScalarInputCountMax = 16,
    kIOExternalMethodScalarOutputCountMax = 16
};

#define kIOClientPrivilegeAdministrator "root"

struct IOExternalMethodArguments
{
    uint32_t version;
    uint32_t selector;

    mach_port_t asyncWakePort;
    io_user_reference_t* asyncReference;
    uint32_t asyncReferenceCount;

    const uint64_t* scalarInput;
    uint32_t scalarInputCount;

    const void* structureInput;
    uint32_t structureInputSize;

    IOMemoryDescriptor* structureInputDescriptor;

    uint64_t* scalarOutput;
    uint32_t scalarOutputCount;

    void* structureOutput;
    uint32_t structureOutputSize;

    IOMemoryDescriptor* structureOutputDescriptor;
    uint32_t structureOutputDescriptorSize;

    uint32_t __reservedA;

    OSObject** structureVariableOutputData;

    uint32_t __reserved[30];
};

typedef IOReturn (*IOExternalMethodAction)(OSObject* target, void* reference,
                                           IOExternalMethodArguments* arguments);

struct IOExternalMethodDispatch
{
    IOExternalMethodAction function;
    uint32_t checkScalarInputCount;
    uint32_t checkStructureInputSize;
    uint32_t checkScalarOutputCount;
    uint32_t checkStructureOutputSize;
};

struct IOExternalMethodDispatch2022
{
    IOExternalMethodAction function;
    uint32_t checkScalarInputCount;
    uint32_t checkStructureInputSize;
    uint32_t checkScalarOutputCount;
    uint32_t checkStructureOutputSize;
    uint8_t allowAsync;
    const char* checkEntitlement;
};

enum
{
    kIOExternalMethodArgumentsCurrentVersion = 2
};
#endif
