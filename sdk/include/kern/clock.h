/* kdrv stand-in for <kern/clock.h>: the absolute-time clock. */
#ifndef KDRV_SDK_KERN_CLOCK_H
#define KDRV_SDK_KERN_CLOCK_H
#include <stdint.h>
#ifdef __cplusplus
extern "C"
{
#endif
    uint64_t mach_absolute_time(void);
    void absolutetime_to_nanoseconds(uint64_t abstime, uint64_t* result);
    void nanoseconds_to_absolutetime(uint64_t nanoseconds, uint64_t* result);
    void clock_interval_to_deadline(uint32_t interval, uint32_t scale_factor, uint64_t* result);
#ifdef __cplusplus
}
#endif
#endif
