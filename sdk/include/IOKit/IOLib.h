/* kdrv stand-in for <IOKit/IOLib.h>: logging and allocation. */
#ifndef KDRV_SDK_IOKIT_IOLIB_H
#define KDRV_SDK_IOKIT_IOLIB_H
#include <stdarg.h>
#include <IOKit/IOTypes.h>
#include <IOKit/IOLocks.h>
#include <kern/debug.h>
#ifdef __cplusplus
extern "C"
{
#endif
    void IOLog(const char* format, ...) __attribute__((format(printf, 1, 2)));
    void IOLogv(const char* format, va_list ap) __attribute__((format(printf, 1, 0)));
    void* IOMalloc(vm_size_t size);
    void IOFree(void* address, vm_size_t size);
    void IOSleep(unsigned milliseconds);
#ifdef __cplusplus
}
#endif
#endif
