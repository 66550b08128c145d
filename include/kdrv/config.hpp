// SPDX-License-Identifier: MIT
//
/// \file
/// Platform selection and build options. This is the only header that looks at
/// KERNEL, __APPLE__ or __linux__; everything else asks for KDRV_PLATFORM_*.
///
/// Platforms:
///   KDRV_PLATFORM_XNU    the macOS kernel KPIs (IOLock, IOSimpleLock, IOLog ...).
///                        Chosen when KERNEL is defined, as Xcode does for kexts.
///                        Also chosen in user space to run the xnu backend over
///                        the stand-in SDK and its pthread simulation (sdk/).
///   KDRV_PLATFORM_POSIX  pthreads and the C library, for user-space code.
///
/// Override: define KDRV_CONFIG_PLATFORM to KDRV_PLATFORM_XNU or
/// KDRV_PLATFORM_POSIX before including any kdrv header (or on the command
/// line). All options are plain macros, so no build system is needed.
///
/// Options (0 or 1 unless stated):
///   KDRV_CONFIG_LOCK_DEBUG   owner tracking and misuse checks in every lock.
///                            Changes object layout; see lock_debug ABI tag below.
///   KDRV_CONFIG_CONTRACTS    0 compiles contract checks out (default 1).
///   KDRV_CONFIG_ERRNO_BSD    1 for Darwin/BSD errno numbers, 0 for Linux's
///                            (default: from the target system).
///   KDRV_CONFIG_CACHE_LINE   bytes: the padding (kdrv::CachePad) that keeps
///                            data written by different cores apart
///                            (default 128: Apple silicon's line, and x86's
///                            adjacent-line prefetch pair). Changes layout,
///                            never alignment (base.hpp, CachePad).
///   KDRV_CONFIG_VECTOR_COPY  1: copyBulk (copy.hpp) uses a vector-register
///                            loop for mid-sized copies; 0: always memcpy.
///                            Default 1 in user space on SSE2 or NEON targets,
///                            else 0; 1 in a kernel build is refused (a kext
///                            may not use FP/SIMD registers implicitly).
///   KDRV_CONFIG_MODEL_CHECK  1: the model-checking build (default 0). The
///                            atomics (atomic.hpp), the spin-wait steps and
///                            the platform services (platform/model.hpp,
///                            platform/model_locks.hpp) become steps of the
///                            Relacy Race Detector, so the unchanged
///                            algorithms run under its schedulers; see
///                            tests/model and docs/testing-your-driver.md.
///                            User space over the posix platform, clang only;
///                            a build with it off is unaffected.
#ifndef KDRV_CONFIG_HPP
#define KDRV_CONFIG_HPP

#define KDRV_PLATFORM_POSIX 1
#define KDRV_PLATFORM_XNU 2

#ifndef KDRV_CONFIG_PLATFORM
#if defined(KERNEL)
#define KDRV_CONFIG_PLATFORM KDRV_PLATFORM_XNU
#else
#define KDRV_CONFIG_PLATFORM KDRV_PLATFORM_POSIX
#endif
#endif

#if KDRV_CONFIG_PLATFORM != KDRV_PLATFORM_XNU && KDRV_CONFIG_PLATFORM != KDRV_PLATFORM_POSIX
#error "KDRV_CONFIG_PLATFORM must be KDRV_PLATFORM_XNU or KDRV_PLATFORM_POSIX"
#endif

#if defined(KERNEL) && KDRV_CONFIG_PLATFORM != KDRV_PLATFORM_XNU
#error "a kernel build (KERNEL defined) must use KDRV_PLATFORM_XNU"
#endif

#ifndef KDRV_CONFIG_MODEL_CHECK
#define KDRV_CONFIG_MODEL_CHECK 0
#endif
#if KDRV_CONFIG_MODEL_CHECK && (defined(KERNEL) || KDRV_CONFIG_PLATFORM != KDRV_PLATFORM_POSIX)
#error "KDRV_CONFIG_MODEL_CHECK=1 is a user-space build over KDRV_PLATFORM_POSIX"
#endif

// KDRV_IN_KERNEL (1 in a real kernel build) is set by the platform backend
// (platform/platform.hpp), not here.

#ifndef KDRV_CONFIG_LOCK_DEBUG
#define KDRV_CONFIG_LOCK_DEBUG 0
#endif

#ifndef KDRV_CONFIG_CONTRACTS
#define KDRV_CONFIG_CONTRACTS 1
#endif

// errno numbering of the system kdrv runs on, for kernel-control results
// (option_table.hpp): ENOTSUP and ENOTCONN are 45 and 57 on Darwin and the
// BSDs, 95 and 107 on Linux.
#ifndef KDRV_CONFIG_ERRNO_BSD
#if defined(KERNEL) || defined(__APPLE__) || defined(__FreeBSD__) || defined(__NetBSD__) ||        \
    defined(__OpenBSD__)
#define KDRV_CONFIG_ERRNO_BSD 1
#else
#define KDRV_CONFIG_ERRNO_BSD 0
#endif
#endif

// Destructive interference size. kdrv separates data by this many bytes of
// padding, never by alignment (see CachePad in base.hpp): a larger value
// costs memory only.
#ifndef KDRV_CONFIG_CACHE_LINE
#define KDRV_CONFIG_CACHE_LINE 128
#endif

// The vector copy loop needs vector registers and user space (KERNEL is what
// makes the backend's KDRV_IN_KERNEL 1).
#ifndef KDRV_CONFIG_VECTOR_COPY
#if !defined(KERNEL) && (defined(__SSE2__) || defined(__ARM_NEON))
#define KDRV_CONFIG_VECTOR_COPY 1
#else
#define KDRV_CONFIG_VECTOR_COPY 0
#endif
#endif
#if KDRV_CONFIG_VECTOR_COPY && defined(KERNEL)
#error "KDRV_CONFIG_VECTOR_COPY=1 is not allowed in a kernel build (no implicit FP/SIMD)"
#endif

// The one place that names the C++ dialect; C++11 is the floor.
#if defined(_MSVC_LANG)
#define KDRV_CPLUSPLUS _MSVC_LANG
#else
#define KDRV_CPLUSPLUS __cplusplus
#endif
#if KDRV_CPLUSPLUS < 201103L
#error "kdrv needs C++11 or later"
#endif

#endif // KDRV_CONFIG_HPP
