// SPDX-License-Identifier: MIT
//
// vserial::LoopbackEngine: the virtual device's DMA engine. It is the
// "hardware" of the example, so it lives on the other side of the doorbell:
//
//   user space  a thread plays the device and calls service() whenever the
//               doorbell rings (examples/vserial/user);
//   kext        a thread call runs service() (examples/vserial/kext);
//   tests       call service() directly, one step at a time.
//
// One service() call handles one doorbell: fetch the request, walk its
// segment list as a bus master would (decoding the little-endian
// descriptors, reading each segment's bytes), report completion, drop the
// device's reference, and loop the bytes back as received data.
//
// Kernel-visible: Embedded C++, kdrv headers only.
#ifndef VSERIAL_ENGINE_HPP
#define VSERIAL_ENGINE_HPP

#include "kdrv/base.hpp"
#include "kdrv/endian.hpp"
#include "kdrv/status.hpp"

#include "vserial/core/vserial_core.hpp"

namespace vserial
{
// Optional observer of every segment the engine reads (traces, tests).
struct EngineTrace
{
    void* context;
    void (*segment)(void* context, uint32_t requestId, uint64_t busAddress, uint64_t length);
};

class LoopbackEngine
{
  public:
    constexpr LoopbackEngine() : core_(nullptr), trace_() {}
    KDRV_NONCOPYABLE(LoopbackEngine);

    void init(Core* core, const EngineTrace* trace)
    {
        core_ = core;
        if (trace != nullptr)
            trace_ = *trace;
    }

    // Handles one doorbell. Returns false if no request was waiting.
    // Thread context (it takes the core's gate).
    bool service()
    {
        Request* const request = core_->deviceFetchRequest();
        if (request == nullptr)
            return false;
        // The line: what the engine reads from memory, in order. A segment
        // list that does not fit (a driver bug, or a hostile one) is refused
        // as a DMA error instead of overrunning the buffer.
        uint8_t line[kMaxTransferBytes];
        uint32_t length = 0;
        Status status = Status::Success;
        if (request->segmentCount > Request::kMaxSegments)
            status = Status::DMAError;
        for (uint32_t i = 0; status == Status::Success && i < request->segmentCount; ++i)
        {
            const uint8_t* const descriptor = request->descriptors + i * Request::kDescriptorSize;
            const uint64_t address = kdrv::loadLE64(descriptor);
            const uint64_t bytes = kdrv::loadLE64(descriptor + 8);
            if (bytes > sizeof(line) - length)
            {
                status = Status::DMAError;
                break;
            }
            if (trace_.segment != nullptr)
                trace_.segment(trace_.context, request->id(), address, bytes);
            // Bus-master read. In this simulation bus addresses are CPU
            // addresses (see busAddressOf).
            kdrv::copyBytes(line + length,
                            reinterpret_cast<const void*>(static_cast<uintptr_t>(address)),
                            static_cast<size_t>(bytes));
            length += static_cast<uint32_t>(bytes);
        }
        core_->deviceTransmitComplete(request, status);
        request->release(); // the device's reference: it no longer reads the list
        if (status == Status::Success)
            (void)core_->deviceReceive(line, length); // loopback
        return true;
    }

  private:
    Core* core_;
    EngineTrace trace_;
};
} // namespace vserial

#endif // VSERIAL_ENGINE_HPP
