/* kdrv stand-in for <machine/machine_routines.h>: the interrupt-enable flag. */
#ifndef KDRV_SDK_MACHINE_MACHINE_ROUTINES_H
#define KDRV_SDK_MACHINE_MACHINE_ROUTINES_H
#include <mach/boolean.h>
#ifdef __cplusplus
extern "C"
{
#endif
    /* Sets the calling CPU's interrupt-enable state; returns the previous one. */
    boolean_t ml_set_interrupts_enabled(boolean_t enable);
    boolean_t ml_get_interrupts_enabled(void);
#ifdef __cplusplus
}
#endif
#endif
