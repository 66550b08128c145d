/* kdrv stand-in for <kern/debug.h>: panic. */
#ifndef KDRV_SDK_KERN_DEBUG_H
#define KDRV_SDK_KERN_DEBUG_H
#ifdef __cplusplus
extern "C"
{
#endif
    void panic(const char* string, ...) __attribute__((noreturn, format(printf, 1, 2)));
#ifdef __cplusplus
}
#endif
#endif
