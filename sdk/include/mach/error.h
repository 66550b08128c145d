/* kdrv stand-in for <mach/error.h>: the fields of a Mach error value
 * (system, subsystem, code). Written for kdrv; not Apple's file. */
#ifndef KDRV_SDK_MACH_ERROR_H
#define KDRV_SDK_MACH_ERROR_H
#include <mach/kern_return.h>
#define err_system(x) (((x)&0x3f) << 26)
#define err_sub(x) (((x)&0xfff) << 14)
#define err_get_system(err) (((err) >> 26) & 0x3f)
#define err_get_sub(err) (((err) >> 14) & 0xfff)
#define err_get_code(err) ((err)&0x3fff)
#endif
