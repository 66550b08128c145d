/* kdrv stand-in for <IOKit/IOLocks.h>: I/O Kit's mutex, recursive lock,
 * read/write lock and simple (spin) lock, with sleep/wakeup on an event. */
#ifndef KDRV_SDK_IOKIT_IOLOCKS_H
#define KDRV_SDK_IOKIT_IOLOCKS_H
#include <stdbool.h>
#include <IOKit/IOTypes.h>
#include <kern/locks.h>
#include <machine/machine_routines.h>

#ifdef __cplusplus
extern "C"
{
#endif

    extern lck_grp_t* IOLockGroup;

    /* Mutex. May block: never from interrupt level or with a simple lock held. */
    typedef struct _IOLock IOLock;
    IOLock* IOLockAlloc(void);
    void IOLockFree(IOLock* lock);
    lck_mtx_t* IOLockGetMachLock(IOLock* lock);
    void IOLockLock(IOLock* lock);
    boolean_t IOLockTryLock(IOLock* lock);
    void IOLockUnlock(IOLock* lock);
/* Called with the lock held; returns a THREAD_* wait result with it held again. */
/* In a kernel build for x86_64, Kernel.framework binds these three to the
 * symbols IOLockSleep_darwin14, IOLockSleepDeadline_darwin14 and
 * IOLockWakeup_darwin14 (asm labels); the stand-in does the same so that a
 * symbol check sees what a real kext links. */
#if defined(KERNEL) && defined(__x86_64__)
#define KDRV_SDK_STR2_(x) #x
#define KDRV_SDK_STR_(x) KDRV_SDK_STR2_(x)
#define KDRV_SDK_DARWIN14_(sym) __asm(KDRV_SDK_STR_(__USER_LABEL_PREFIX__) #sym "_darwin14")
#else
#define KDRV_SDK_DARWIN14_(sym)
#endif
    int IOLockSleep(IOLock* lock, void* event, UInt32 interType) KDRV_SDK_DARWIN14_(IOLockSleep);
    int IOLockSleepDeadline(IOLock* lock, void* event, AbsoluteTime deadline, UInt32 interType)
        KDRV_SDK_DARWIN14_(IOLockSleepDeadline);
    void IOLockWakeup(IOLock* lock, void* event, bool oneThread) KDRV_SDK_DARWIN14_(IOLockWakeup);

    /* Recursive mutex. */
    typedef struct _IORecursiveLock IORecursiveLock;
    IORecursiveLock* IORecursiveLockAlloc(void);
    void IORecursiveLockFree(IORecursiveLock* lock);
    lck_mtx_t* IORecursiveLockGetMachLock(IORecursiveLock* lock);
    void IORecursiveLockLock(IORecursiveLock* lock);
    boolean_t IORecursiveLockTryLock(IORecursiveLock* lock);
    void IORecursiveLockUnlock(IORecursiveLock* lock);
    boolean_t IORecursiveLockHaveLock(const IORecursiveLock* lock);
    extern int IORecursiveLockSleep(IORecursiveLock* _lock, void* event, UInt32 interType);
    extern int IORecursiveLockSleepDeadline(IORecursiveLock* _lock, void* event,
                                            AbsoluteTime deadline, UInt32 interType);
    extern void IORecursiveLockWakeup(IORecursiveLock* _lock, void* event, bool oneThread);

    /* Read/write lock. The try variants are declared returning void in Apple's
     * header, so kdrv uses lck_rw_try_lock on IORWLockGetMachLock instead. */
    typedef struct _IORWLock IORWLock;
    IORWLock* IORWLockAlloc(void);
    void IORWLockFree(IORWLock* lock);
    lck_rw_t* IORWLockGetMachLock(IORWLock* lock);
    void IORWLockRead(IORWLock* lock);
    void IORWLockTryRead(IORWLock* lock);
    void IORWLockWrite(IORWLock* lock);
    void IORWLockTryWrite(IORWLock* lock);
    void IORWLockUnlock(IORWLock* lock);

    /* Simple (spin) lock: disables preemption while held; never block under it. */
    typedef struct _IOSimpleLock IOSimpleLock;
    IOSimpleLock* IOSimpleLockAlloc(void);
    void IOSimpleLockFree(IOSimpleLock* lock);
    lck_spin_t* IOSimpleLockGetMachLock(IOSimpleLock* lock);
    void IOSimpleLockInit(IOSimpleLock* lock);
    void IOSimpleLockDestroy(IOSimpleLock* lock);
    void IOSimpleLockLock(IOSimpleLock* lock);
    boolean_t IOSimpleLockTryLock(IOSimpleLock* lock);
    void IOSimpleLockUnlock(IOSimpleLock* lock);

    typedef boolean_t IOInterruptState;

    /* Inline in the SDK too: interrupts off, then the lock. */
    static __inline__ IOInterruptState IOSimpleLockLockDisableInterrupt(IOSimpleLock* lock)
    {
        IOInterruptState state = ml_set_interrupts_enabled(false);
        IOSimpleLockLock(lock);
        return state;
    }

    static __inline__ void IOSimpleLockUnlockEnableInterrupt(IOSimpleLock* lock,
                                                             IOInterruptState state)
    {
        IOSimpleLockUnlock(lock);
        ml_set_interrupts_enabled(state);
    }

#ifdef __cplusplus
}
#endif
#endif
