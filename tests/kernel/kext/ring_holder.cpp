// SPDX-License-Identifier: MIT
//
// Kernel-gate probe: a kext's own classes that hold kdrv rings as members,
// created with new, as a driver writes them. Checked by
// kdrv_add_kernel_check (tests/kernel/CMakeLists.txt) with Xcode's kext
// flags at gnu++11 and gnu++17: it must compile, and its undefined symbols
// must all be kernel exports.
//
// What it proves: no kdrv type is over-aligned (kMaxTypeAlignment,
// base.hpp). If one were, then at gnu++17
//   - `new RingState` (the global operator new) would reference
//     operator new(size_t, std::align_val_t) (__ZnwmSt11align_val_t), which
//     the kernel does not export: the symbol gate fails;
//   - `new org_kdrv_gate_RingHolder` would call OSObject's class operator
//     new, which takes no alignment and returns 16-byte aligned memory: the
//     static_assert below fails.
#include <IOKit/IOService.h>
#include <libkern/c++/OSObject.h>

#include "kdrv/byte_ring.hpp"
#include "kdrv/event_ring.hpp"
#include "kdrv/locked_byte_ring.hpp"
#include "kdrv/packet_queue.hpp"
#include "kdrv/serial_port.hpp"

// An OSObject subclass with rings as members (an IOService subclass is the
// same: its operator new is OSObject's), made by its own factory, as libkern
// classes are (operator delete is protected: objects die by release()).
class org_kdrv_gate_RingHolder : public OSObject
{
    OSDeclareDefaultStructors(org_kdrv_gate_RingHolder);

  public:
    static org_kdrv_gate_RingHolder* withStorage(uint8_t* storage, uint32_t size);

    kdrv::ByteRing rx;
    kdrv::ByteRing tx;
    kdrv::EventRing events;
    kdrv::SerialPortCore port;
};

OSDefineMetaClassAndStructors(org_kdrv_gate_RingHolder, OSObject);

// OSObject's operator new promises 16 bytes; the class may ask no more.
static_assert(alignof(org_kdrv_gate_RingHolder) <= 16, "an OSObject subclass is over-aligned");

org_kdrv_gate_RingHolder* org_kdrv_gate_RingHolder::withStorage(uint8_t* storage, uint32_t size)
{
    org_kdrv_gate_RingHolder* holder = new org_kdrv_gate_RingHolder;
    if (holder == nullptr)
        return nullptr;
    if (holder->rx.init(storage, size) != kdrv::Status::Success)
    {
        holder->release();
        return nullptr;
    }
    return holder;
}

// A plain driver-state struct, created with the global operator new.
struct RingState
{
    uint32_t flags;
    kdrv::ByteRing tx;
    kdrv::LockedByteRing log;
    kdrv::EventRing events;
    kdrv::PacketQueue queue;
    kdrv::SerialPortCore port;
};
static_assert(alignof(RingState) <= kdrv::kMaxTypeAlignment, "a kdrv type is over-aligned");

RingState* kdrvGateNewRingState();
RingState* kdrvGateNewRingState() { return new RingState(); }

void kdrvGateDeleteRingState(RingState* state);
void kdrvGateDeleteRingState(RingState* state) { delete state; }
