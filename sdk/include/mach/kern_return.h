/* kdrv stand-in for <mach/kern_return.h>. */
#ifndef KDRV_SDK_MACH_KERN_RETURN_H
#define KDRV_SDK_MACH_KERN_RETURN_H
typedef int kern_return_t;
#define KERN_SUCCESS 0
#define KERN_FAILURE 5
#endif
