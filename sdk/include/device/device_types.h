/* kdrv stand-in for <device/device_types.h>: the I/O Kit user-client
 * scalar and reference types, as a 64-bit kernel sees them. Written for
 * kdrv; not Apple's file. */
#ifndef KDRV_SDK_DEVICE_DEVICE_TYPES_H
#define KDRV_SDK_DEVICE_DEVICE_TYPES_H
#include <stdint.h>
typedef uint64_t io_user_scalar_t;
typedef uint64_t io_user_reference_t;
typedef io_user_scalar_t io_scalar_inband64_t[16];
typedef io_user_reference_t io_async_ref64_t[8];
#endif
