// SPDX-License-Identifier: MIT
//
/// \file
/// Umbrella header: every kernel-safe kdrv header. Not included here:
///   kdrv/audio_convert.hpp  floating point; include it only where the audio
///                           family has saved FP state (see that header)
///   kdrv/gsl.hpp            user-space only
/// Each include here is there for the whole header, so the list carries no
/// per-include "// for" notes (every other header annotates its includes).
#ifndef KDRV_KDRV_HPP
#define KDRV_KDRV_HPP

#include "kdrv/async_ref.hpp"
#include "kdrv/atomic.hpp"
#include "kdrv/audio_ring.hpp"
#include "kdrv/base.hpp"
#include "kdrv/block_range.hpp"
#include "kdrv/byte_ring.hpp"
#include "kdrv/completion.hpp"
#include "kdrv/config.hpp"
#include "kdrv/contract.hpp"
#include "kdrv/copy.hpp"
#include "kdrv/dispatch.hpp"
#include "kdrv/dma_format.hpp"
#include "kdrv/dma_sg.hpp"
#include "kdrv/dma_spec.hpp"
#include "kdrv/endian.hpp"
#include "kdrv/event_ring.hpp"
#include "kdrv/lockdebug.hpp"
#include "kdrv/locked_byte_ring.hpp"
#include "kdrv/method_dispatch.hpp"
#include "kdrv/mutex.hpp"
#include "kdrv/net_headers.hpp"
#include "kdrv/notify_port.hpp"
#include "kdrv/option_table.hpp"
#include "kdrv/packet_queue.hpp"
#include "kdrv/partition.hpp"
#include "kdrv/power_policy.hpp"
#include "kdrv/power_state.hpp"
#include "kdrv/refcount.hpp"
#include "kdrv/rundown.hpp"
#include "kdrv/rwlock.hpp"
#include "kdrv/seg_chain.hpp"
#include "kdrv/serial_port.hpp"
#include "kdrv/serial_queue.hpp"
#include "kdrv/spinlock.hpp"
#include "kdrv/status.hpp"
#include "kdrv/usb.hpp"
#include "kdrv/version.hpp"

#endif // KDRV_KDRV_HPP
