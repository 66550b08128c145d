/* kdrv stand-in for <IOKit/IOUserClient.h>: the external-method types, with
 * the public field names, types and order; in kernel compiles also the
 * IOUserClient class's declaration. */
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

#ifdef KERNEL
/* The IOUserClient class, for kexts (the user-space simulation has no I/O Kit
 * objects): the members a user client overrides or calls. Declarations only,
 * public signatures. */
#include <IOKit/IOService.h>
#include <mach/mach_types.h>

class IOUserClient : public IOService
{
    OSDeclareAbstractStructors(IOUserClient);

  public:
    virtual bool initWithTask(task_t owningTask, void* securityToken, UInt32 type,
                              OSDictionary* properties);
    virtual bool initWithTask(task_t owningTask, void* securityToken, UInt32 type);
    virtual IOReturn clientClose(void);
    virtual IOReturn externalMethod(uint32_t selector, IOExternalMethodArguments* arguments,
                                    IOExternalMethodDispatch* dispatch = NULL,
                                    OSObject* target = NULL, void* reference = NULL);
    /* kIOReturnSuccess if the task behind securityToken has the privilege
     * (kIOClientPrivilegeAdministrator ...). */
    static IOReturn clientHasPrivilege(void* securityToken, const char* privilegeName);
};
#endif /* KERNEL */
#endif
