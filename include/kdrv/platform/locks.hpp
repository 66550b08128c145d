// SPDX-License-Identifier: MIT
//
/// \file
/// Threads and locks of the platform seam (the second table in
/// platform/platform.hpp): thread ids, the Raw* locks and sleep/wakeup.
/// Included only by the lock headers (spinlock, mutex, rwlock, lockdebug).
#ifndef KDRV_PLATFORM_LOCKS_HPP
#define KDRV_PLATFORM_LOCKS_HPP

#include "kdrv/platform/platform.hpp" // for KDRV_CONFIG_PLATFORM, the services

#if KDRV_CONFIG_MODEL_CHECK
#include "kdrv/platform/model_locks.hpp" // for the model-checker lock backend
#elif KDRV_CONFIG_PLATFORM == KDRV_PLATFORM_XNU
#include "kdrv/platform/xnu_locks.hpp" // for the kernel lock backend
#else
#include "kdrv/platform/posix_locks.hpp" // for the user-space lock backend
#endif

#endif // KDRV_PLATFORM_LOCKS_HPP
