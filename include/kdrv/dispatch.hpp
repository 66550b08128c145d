// SPDX-License-Identifier: MIT
//
/// \file
/// External methods of a user client, in one include: the validated method
/// dispatcher (kdrv/method_dispatch.hpp: limits, MethodArgs, MethodDispatch
/// rows, dispatchMethod()), asynchronous completions and the target's
/// lifetime (kdrv/async_ref.hpp: AsyncRef, AsyncResultSink, TargetRef) and
/// notification ports (kdrv/notify_port.hpp: NotifyPort). Each part states
/// its own contract; include a part alone when only it is needed.
/// Kernel-control options are in kdrv/option_table.hpp; the bridge to the
/// real IOExternalMethodArguments is in kdrv/platform/xnu_dispatch.hpp.
#ifndef KDRV_DISPATCH_HPP
#define KDRV_DISPATCH_HPP

#include "kdrv/async_ref.hpp"       // for AsyncRef, AsyncResultSink, TargetRef
#include "kdrv/method_dispatch.hpp" // for MethodArgs, MethodDispatch, dispatchMethod
#include "kdrv/notify_port.hpp"     // for NotifyPort

#endif // KDRV_DISPATCH_HPP
