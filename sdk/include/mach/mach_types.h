/* kdrv stand-in for <mach/mach_types.h>: the thread and task handles. */
#ifndef KDRV_SDK_MACH_MACH_TYPES_H
#define KDRV_SDK_MACH_MACH_TYPES_H
#include <stddef.h>
#include <mach/boolean.h>
#include <mach/kern_return.h>
typedef struct thread* thread_t;
#define THREAD_NULL ((thread_t)NULL)
typedef struct task* task_t;
#define TASK_NULL ((task_t)NULL)
#endif
