/* kdrv stand-in for <mach/boolean.h>: boolean_t as kernel code sees it. */
#ifndef KDRV_SDK_MACH_BOOLEAN_H
#define KDRV_SDK_MACH_BOOLEAN_H
typedef int boolean_t;
#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif
#endif
