// SPDX-License-Identifier: MIT
//
/// \file
/// User-only: makes doctest print a kdrv::Status as its name and value.
/// Include it after <doctest/doctest.h> in a test source; a failing
///
///     CHECK(ring.init(storage, 100) == kdrv::Status::Success);
///
/// then reports `CHECK( BadArgument (0xE00002C2) == Success (0x00000000) )`
/// instead of `CHECK( -536870206 == 0 )`. The text is
/// kdrv::test::statusString(). Refuses kernel builds.
///
/// Include it in *every* test source of a binary that compares Status values
/// (through a shared test header, or with the compiler's `-include`):
/// doctest's expression templates are instantiated in each source and the
/// linker keeps one copy, so a source compiled without the printer can make
/// the whole binary print integers again.
#ifndef KDRV_TESTING_DOCTEST_STATUS_HPP
#define KDRV_TESTING_DOCTEST_STATUS_HPP

#include "kdrv/platform/platform.hpp" // for KDRV_IN_KERNEL

#if KDRV_IN_KERNEL
#error                                                                                             \
    "kdrv/testing/doctest_status.hpp is user-space only (it uses doctest and the standard library)"
#endif

#include <doctest/doctest.h> // for doctest::StringMaker, doctest::String

#include "kdrv/testing/status_string.hpp" // for statusString

// doctest 2.4.9 and later print any enum as its underlying integer through a
// toString() template; a plain overload found by argument-dependent lookup
// (in namespace kdrv) wins over it in the expression decomposer, and one in
// namespace doctest serves qualified doctest::toString() calls. Earlier
// doctest versions ask StringMaker, which is specialized too.
namespace kdrv
{
/// doctest's text for a Status (found by argument-dependent lookup).
inline doctest::String toString(Status s) { return doctest::String(test::statusString(s).c_str()); }
} // namespace kdrv

namespace doctest
{
inline String toString(kdrv::Status s) { return kdrv::toString(s); }

template <> struct StringMaker<kdrv::Status>
{
    static String convert(const kdrv::Status& s) { return kdrv::toString(s); }
};
} // namespace doctest

#endif // KDRV_TESTING_DOCTEST_STATUS_HPP
