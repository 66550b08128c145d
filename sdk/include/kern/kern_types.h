/* kdrv stand-in for <kern/kern_types.h>: events, wait results and wait kinds. */
#ifndef KDRV_SDK_KERN_KERN_TYPES_H
#define KDRV_SDK_KERN_KERN_TYPES_H
#include <mach/mach_types.h>

typedef void* event_t;

typedef int wait_result_t;
#define THREAD_WAITING -1
#define THREAD_AWAKENED 0
#define THREAD_TIMED_OUT 1
#define THREAD_INTERRUPTED 2
#define THREAD_RESTART 3

typedef int wait_interrupt_t;
#define THREAD_UNINT 0
#define THREAD_INTERRUPTIBLE 1
#define THREAD_ABORTSAFE 2
#endif
