/* kdrv stand-in for <kern/thread.h>: the calling thread. */
#ifndef KDRV_SDK_KERN_THREAD_H
#define KDRV_SDK_KERN_THREAD_H
#include <kern/kern_types.h>
#ifdef __cplusplus
extern "C"
{
#endif
    thread_t current_thread(void);
#ifdef __cplusplus
}
#endif
#endif
