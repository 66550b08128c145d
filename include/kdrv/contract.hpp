// SPDX-License-Identifier: MIT
//
/// \file
/// Contract macros, for programmer errors only. Input from outside (user
/// space, hardware, files) must get a Status instead: a contract failure
/// panics a kernel.
///
///   KDRV_EXPECTS(cond)  precondition
///   KDRV_ENSURES(cond)  postcondition
///   KDRV_ASSERT(cond)   invariant
///
/// Kernel: panic("kdrv: <kind> failed: <cond> @file:line").
/// User space: the handler installed with kdrv::setContractHandler(), which
/// by default prints the same line and aborts. A handler must not return.
/// KDRV_CONFIG_CONTRACTS=0 compiles the checks out (the condition is not
/// evaluated, so it must have no side effects).
#ifndef KDRV_CONTRACT_HPP
#define KDRV_CONTRACT_HPP

#include "kdrv/base.hpp"              // for KDRV_LIKELY, ContractKind
#include "kdrv/platform/platform.hpp" // for platform::contractFailed

#if KDRV_CONFIG_CONTRACTS
#define KDRV_CONTRACT_CHECK_(kind, cond)                                                           \
    (KDRV_LIKELY(cond) ? static_cast<void>(0)                                                      \
                       : ::kdrv::platform::contractFailed(::kdrv::ContractKind::kind, #cond,       \
                                                          __FILE__, __LINE__))
#else
#define KDRV_CONTRACT_CHECK_(kind, cond) static_cast<void>(sizeof((cond) ? 1 : 0))
#endif

#define KDRV_EXPECTS(cond) KDRV_CONTRACT_CHECK_(Precondition, cond)
#define KDRV_ENSURES(cond) KDRV_CONTRACT_CHECK_(Postcondition, cond)
#define KDRV_ASSERT(cond) KDRV_CONTRACT_CHECK_(Assertion, cond)

#endif // KDRV_CONTRACT_HPP
