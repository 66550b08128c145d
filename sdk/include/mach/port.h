/* kdrv stand-in for <mach/port.h>: port types as kernel code sees them
 * (in the kernel a mach_port_t is a pointer to the port object). */
#ifndef KDRV_SDK_MACH_PORT_H
#define KDRV_SDK_MACH_PORT_H
#include <stdint.h>
typedef uint32_t natural_t;
typedef natural_t mach_port_name_t;
struct ipc_port;
typedef struct ipc_port* ipc_port_t;
typedef ipc_port_t mach_port_t;
/* A plain 0, as in Kernel.framework (not pointer-typed). */
#define MACH_PORT_NULL 0
#endif
