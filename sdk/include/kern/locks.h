/* kdrv stand-in for <kern/locks.h>: the lck_* types and the read/write lock
 * calls a kext may make (opaque lock types, as Kernel.framework has them). */
#ifndef KDRV_SDK_KERN_LOCKS_H
#define KDRV_SDK_KERN_LOCKS_H
#include <stdint.h>
#include <mach/boolean.h>
#include <kern/kern_types.h>

typedef struct __lck_grp__ lck_grp_t;
typedef struct __lck_attr__ lck_attr_t;
typedef struct __lck_spin_t__ lck_spin_t;
typedef struct __lck_mtx_t__ lck_mtx_t;
typedef struct __lck_rw_t__ lck_rw_t;

typedef unsigned int lck_rw_type_t;
#define LCK_RW_TYPE_SHARED 0x01
#define LCK_RW_TYPE_EXCLUSIVE 0x02

typedef unsigned int lck_sleep_action_t;
#define LCK_SLEEP_DEFAULT 0x00
#define LCK_SLEEP_UNLOCK 0x01
#define LCK_SLEEP_SHARED 0x02
#define LCK_SLEEP_EXCLUSIVE 0x04

#ifdef __cplusplus
extern "C" {
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
