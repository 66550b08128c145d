// SPDX-License-Identifier: MIT
// A driver team's own header: a counter over kdrv's atomics.
#ifndef ACME_COUNTER_HPP
#define ACME_COUNTER_HPP

#include <stdint.h>

#include <kdrv/atomic.hpp>

namespace acme
{
class Counter
{
  public:
    constexpr Counter() : value_() {}
    uint32_t bump() { return value_.fetchAdd(1, kdrv::MemoryOrder::Relaxed) + 1; }

  private:
    kdrv::AtomicU32 value_;
};
} // namespace acme
#endif
