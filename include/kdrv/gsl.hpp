// SPDX-License-Identifier: MIT
//
// User-only interop with the Guidelines Support Library: gsl::span views of
// kdrv's buffers and arguments. GSL needs the C++ standard library and
// templates, so this header refuses kernel builds.
#ifndef KDRV_GSL_HPP
#define KDRV_GSL_HPP

#include "kdrv/config.hpp"

#if KDRV_IN_KERNEL
#error "kdrv/gsl.hpp is user-space only (GSL cannot be compiled into a kernel extension)"
#endif

#include <gsl/span> // for gsl::span

// Each block adds its views in its own section below.

// [byte ring]

// [dispatch]

#endif // KDRV_GSL_HPP
