/* kdrv stand-in for <kern/locks.h>: the lck_* types and the read/write lock
 * calls a kext may make (opaque lock types, as Kernel.framework has them). */
#ifndef KDRV_SDK_KERN_LOCKS_H
#define KDRV_SDK_KERN_LOCKS_H
#include <stdint.h>
#include <mach/boolean.h>
#include <kern/kern_types.h>

typedef struct _lck_grp_ lck_grp_t;
typedef struct __lck_attr__ lck_attr_t;
typedef struct __lck_spin_t__ lck_spin_t;
typedef struct __lck_mtx_t__ lck_mtx_t;
typedef struct __lck_rw_t__ lck_rw_t;

typedef unsigned int lck_rw_type_t;
#define LCK_RW_TYPE_SHARED 0x01
#define LCK_RW_TYPE_EXCLUSIVE 0x02

/* A distinct options enum type in C++ (fixed underlying type), as in
 * Kernel.framework; a plain unsigned int with enumerators in C. */
#ifdef __cplusplus
typedef enum : unsigned int
{
    LCK_SLEEP_DEFAULT = 0x00,
    LCK_SLEEP_UNLOCK = 0x01,
    LCK_SLEEP_SHARED = 0x02,
    LCK_SLEEP_EXCLUSIVE = 0x04,
    LCK_SLEEP_SPIN = 0x08,
    LCK_SLEEP_PROMOTED_PRI = 0x10,
    LCK_SLEEP_SPIN_ALWAYS = 0x20
} lck_sleep_action_t;
#else
typedef unsigned int lck_sleep_action_t;
enum
{
    LCK_SLEEP_DEFAULT = 0x00,
    LCK_SLEEP_UNLOCK = 0x01,
    LCK_SLEEP_SHARED = 0x02,
    LCK_SLEEP_EXCLUSIVE = 0x04,
    LCK_SLEEP_SPIN = 0x08,
    LCK_SLEEP_PROMOTED_PRI = 0x10,
    LCK_SLEEP_SPIN_ALWAYS = 0x20
};
#endif

#ifdef __cplusplus
extern "C"
{
#endif
    void lck_rw_lock(lck_rw_t* lck, lck_rw_type_t lck_rw_type);
    boolean_t lck_rw_try_lock(lck_rw_t* lck, lck_rw_type_t lck_rw_type);
    void lck_rw_unlock(lck_rw_t* lck, lck_rw_type_t lck_rw_type);
    void lck_rw_lock_shared(lck_rw_t* lck);
    void lck_rw_unlock_shared(lck_rw_t* lck);
    void lck_rw_lock_exclusive(lck_rw_t* lck);
    void lck_rw_unlock_exclusive(lck_rw_t* lck);
    /* Returns FALSE if another upgrade is pending; the shared hold is then DROPPED. */
    boolean_t lck_rw_lock_shared_to_exclusive(lck_rw_t* lck);
    void lck_rw_lock_exclusive_to_shared(lck_rw_t* lck);
#ifdef __cplusplus
}
#endif
#endif
