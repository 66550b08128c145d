// SPDX-License-Identifier: MIT
//
/// \file
/// The one include of the Relacy Race Detector (Debian: relacy-dev) for the
/// model-checking build. Relacy is header-only and pulls in the C++ standard
/// library, so only the model build (KDRV_CONFIG_MODEL_CHECK=1) may see it.
#ifndef KDRV_PLATFORM_MODEL_RELACY_HPP
#define KDRV_PLATFORM_MODEL_RELACY_HPP

#if !KDRV_CONFIG_MODEL_CHECK
#error "kdrv/platform/model_relacy.hpp is for the model-checking build only"
#endif

// libstdc++ 12's <bits/shared_ptr_atomic.h> (reached through <memory>)
// declares std::atomic specializations that clash with the names Relacy
// brings in; kdrv uses no atomic shared_ptr, so keep that header out.
#ifndef _SHARED_PTR_ATOMIC_H
#define _SHARED_PTR_ATOMIC_H 1
#endif

#include <relacy/relacy.hpp>

// Relacy redefines new, delete, malloc, free, assert and errno as macros to
// track them; that breaks "= delete", member functions named free() and
// placement new in kdrv's headers. Model tests check lifetimes with checked
// variables instead (tests/model).
#undef new
#undef delete
#undef malloc
#undef calloc
#undef realloc
#undef free
#undef assert
#undef errno
#include <errno.h>

#endif // KDRV_PLATFORM_MODEL_RELACY_HPP
