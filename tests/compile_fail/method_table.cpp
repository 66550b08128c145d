// SPDX-License-Identifier: MIT
//
// Method tables that must not compile (tests/compile_fail/CMakeLists.txt
// compiles this file once per case and expects the compiler to refuse it),
// plus a control build without a case that must compile, so a refusal is
// known to come from the case and not from the setup.
#include "kdrv/method_dispatch.hpp"

namespace
{
kdrv::Status sOpen(void*, void*, kdrv::MethodArgs*) { return kdrv::Status::Success; }
kdrv::Status sClose(void*, void*, kdrv::MethodArgs*) { return kdrv::Status::Success; }
kdrv::Status sRead(void*, void*, kdrv::MethodArgs*) { return kdrv::Status::Success; }

enum Selector
{
    kOpen,
    kClose,
    kRead,
    kSelectorCount
};

#if defined(KDRV_CASE_SHORT_WITH_BOUND)
// A bound written between the brackets and a row missing: before 0.2 the
// missing row was zero-filled and answered NoCompletion at run time.
const kdrv::MethodDispatch sMethods[kSelectorCount] = {
    {sOpen, 0, 0, 0, 0, 0},
    {sClose, 0, 0, 0, 0, 0},
};
#elif defined(KDRV_CASE_SHORT_WITHOUT_BOUND)
const kdrv::MethodDispatch sMethods[] = {
    {sOpen, 0, 0, 0, 0, 0},
    {sClose, 0, 0, 0, 0, 0},
};
KDRV_STATIC_ASSERT_METHOD_TABLE(sMethods, kSelectorCount);
#elif defined(KDRV_CASE_LONG_WITHOUT_BOUND)
const kdrv::MethodDispatch sMethods[] = {
    {sOpen, 0, 0, 0, 0, 0},
    {sClose, 0, 0, 0, 0, 0},
    {sRead, 0, 0, 1, 0, 0},
    {sRead, 0, 0, 1, 0, 0},
};
KDRV_STATIC_ASSERT_METHOD_TABLE(sMethods, kSelectorCount);
#else
// The control: complete, with and without a bound.
const kdrv::MethodDispatch sMethods[kSelectorCount] = {
    {sOpen, 0, 0, 0, 0, 0},
    {sClose, 0, 0, 0, 0, 0},
    {sRead, 0, 0, 1, 0, 0},
};
const kdrv::MethodDispatch sUnbounded[] = {
    {sOpen, 0, 0, 0, 0, 0},
    {sClose, 0, 0, 0, 0, 0},
    {sRead, 0, 0, 1, 0},
};
KDRV_STATIC_ASSERT_METHOD_TABLE(sMethods, kSelectorCount);
KDRV_STATIC_ASSERT_METHOD_TABLE(sUnbounded, kSelectorCount);
#endif
} // namespace

#if !defined(KDRV_CASE_SHORT_WITH_BOUND) && !defined(KDRV_CASE_SHORT_WITHOUT_BOUND) &&             \
    !defined(KDRV_CASE_LONG_WITHOUT_BOUND)
const kdrv::MethodDispatch* unboundedTable() { return sUnbounded; }
#endif

const kdrv::MethodDispatch* methodTable() { return sMethods; }
