// SPDX-License-Identifier: MIT
//
// Concurrency Kit (libck) as C++. ck's headers are written in C and trip two
// C++ rules, so this header includes them once with two local fixes, keeping
// every ck function inline (a C wrapper would add a call to each peer
// operation and bias the comparison):
//   - the MCS/CLH/HCLH spinlocks assign ck_pr_fas_ptr()'s void* to a typed
//     pointer, which C++ does not convert implicitly;
//   - ck_ring.h returns `false` from a function returning void*, which g++
//     rejects (clang accepts it).
// Include it (bench_support.hpp does) before any <ck_*.h>; later includes of
// those headers are then no-ops.
#ifndef KDRV_BENCH_PEER_CK_HPP
#define KDRV_BENCH_PEER_CK_HPP

// The C headers ck pulls in, first and untouched by the macros below.
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ck_backoff.h>
#include <ck_cc.h>
#include <ck_elide.h>
#include <ck_limits.h>
#include <ck_md.h>
#include <ck_pr.h>
#include <ck_stdbool.h>
#include <ck_stddef.h>
#include <ck_stdint.h>
#include <ck_string.h>

namespace kdrvbench
{
namespace ckcompat
{
// The result of ck_pr_fas_ptr, convertible to any object pointer type as a
// void* is in C.
struct AnyPointer
{
    void* value;
    template <class T> operator T*() const { return static_cast<T*>(value); }
};

inline AnyPointer fasPointer(void* target, void* value)
{
    return AnyPointer{ck_pr_fas_ptr(target, value)};
}
} // namespace ckcompat
} // namespace kdrvbench

#define ck_pr_fas_ptr(target, value) ::kdrvbench::ckcompat::fasPointer((target), (value))
#if !defined(__clang__)
#define false 0 // NOLINT: scoped to the ck headers below, undefined right after
#endif

#include <ck_pflock.h>
#include <ck_ring.h>
#include <ck_rwlock.h>
#include <ck_spinlock.h>

#if !defined(__clang__)
#undef false
#endif
#undef ck_pr_fas_ptr

#endif // KDRV_BENCH_PEER_CK_HPP
