/* kdrv stand-in for Kernel.framework's <stdbool.h>. Written for kdrv; not
 * Apple's file. */
#ifndef KDRV_SDK_STDBOOL_H
#define KDRV_SDK_STDBOOL_H
#ifndef __cplusplus
#define bool _Bool
#define true 1
#define false 0
#endif
#define __bool_true_false_are_defined 1
#endif
