/* kdrv stand-in for <kern/thread_call.h>: run a function on a kernel
 * worker thread (the calls com.apple.kpi.mach exports, public signatures). */
#ifndef KDRV_SDK_KERN_THREAD_CALL_H
#define KDRV_SDK_KERN_THREAD_CALL_H
#include <mach/boolean.h>

typedef struct thread_call* thread_call_t;
typedef void* thread_call_param_t;
typedef void (*thread_call_func_t)(thread_call_param_t param0, thread_call_param_t param1);

#ifdef __cplusplus
extern "C"
{
#endif
    thread_call_t thread_call_allocate(thread_call_func_t func, thread_call_param_t param0);
    /* TRUE if the call was already pending. */
    boolean_t thread_call_enter(thread_call_t call);
    /* TRUE if a pending invocation was cancelled; FALSE if none was pending (one
     * may be about to run, running, or done). */
    boolean_t thread_call_cancel(thread_call_t call);
    boolean_t thread_call_free(thread_call_t call);
#ifdef __cplusplus
}
#endif
#endif
