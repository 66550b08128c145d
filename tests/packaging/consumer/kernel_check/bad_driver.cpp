// SPDX-License-Identifier: MIT
// A driver core that breaks a kernel rule: the function-local static below
// has a constructor that is not constexpr, so it needs a guard variable,
// which the kernel does not support.
#include <acme/counter.hpp>

namespace
{
class Registry
{
  public:
    Registry() : first_(0) { first_ = 1; }
    uint32_t first() const { return first_; }

  private:
    uint32_t first_;
};

uint32_t firstEntry()
{
    static Registry registry;
    return registry.first();
}
} // namespace

uint32_t acmeFirst();
uint32_t acmeFirst() { return firstEntry(); }
