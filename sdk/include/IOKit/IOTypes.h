/* kdrv stand-in for <IOKit/IOTypes.h>: only the types kdrv uses. */
#ifndef KDRV_SDK_IOKIT_IOTYPES_H
#define KDRV_SDK_IOKIT_IOTYPES_H
#include <stddef.h>
#include <stdint.h>
#include <libkern/OSTypes.h>
#include <IOKit/IOReturn.h>
typedef uintptr_t vm_size_t;
typedef uintptr_t vm_address_t;
typedef UInt32 IOOptionBits;
typedef uint64_t IOPhysicalAddress64;
typedef uint64_t IOPhysicalLength64;
typedef uint64_t IOByteCount64;
typedef uint64_t IOVirtualAddress;
typedef uint64_t IOByteCount;
typedef uint64_t AbsoluteTime;
#endif
