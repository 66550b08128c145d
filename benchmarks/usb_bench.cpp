// SPDX-License-Identifier: MIT
//
// Descriptor walk over a typical 100-byte configuration descriptor: a
// configuration, an interface association, two interfaces (one with a
// class-specific descriptor), five endpoints, unknown types: 14 descriptors. Contenders:
//   kdrv              usbNextDescriptor over the whole configuration
//                     (every step checked), counting endpoint descriptors
//   unchecked         the book-style loop `p += p[0]` with no checks at all
//                     (the floor; it loops forever on bLength 0)
// "usb.find_endpoints_100B/kdrv" finds every interface and its endpoints
// with usbFindNextInterface/usbFindNextEndpoint and the wildcard matchers.
// Items are descriptors visited.
#include "bench_support.hpp"

#include "kdrv/usb.hpp"

#include <cstdint>
#include <vector>

namespace
{
std::vector<uint8_t> makeConfig()
{
    std::vector<uint8_t> c = {
        9,  2,    100,  0,    2,    1,    0,    0x80, 250,    // configuration, wTotalLength 100
        8,  11,   0,    2,    0xFF, 0,    0,    0,            // interface association
        9,  4,    0,    0,    3,    0xFF, 0,    0,    0,      // interface 0: 3 endpoints
        7,  5,    0x81, 2,    0x00, 0x02, 0,                  // bulk IN 512
        7,  5,    0x02, 2,    0x00, 0x02, 0,                  // bulk OUT 512
        7,  5,    0x83, 3,    0x40, 0x00, 4,                  // interrupt IN 64
        9,  4,    1,    0,    2,    0x0A, 0,    0,    0,      // interface 1: 2 endpoints
        5,  0x24, 0x00, 0x10, 0x01,                           // class-specific header
        7,  5,    0x84, 2,    0x00, 0x02, 0,                  // bulk IN 512
        7,  0x25, 0x01, 0,    0,    0,    0,                  // class-specific endpoint
        7,  5,    0x05, 2,    0x00, 0x02, 0,                  // bulk OUT 512
        10, 0x21, 0x11, 0x01, 0,    1,    0x22, 0x40, 0,   0, // HID-style descriptor (unknown type)
        4,  0x30, 0,    0,                                    // short unknown descriptors
        4,  0x31, 0,    0,
    };
    return c;
}

unsigned walkUnchecked(const uint8_t* p, size_t n)
{
    unsigned endpoints = 0;
    const uint8_t* end = p + n;
    while (p < end)
    {
        if (p[1] == kdrv::kUsbDescEndpoint)
            ++endpoints;
        p += p[0];
    }
    return endpoints;
}

unsigned walkKdrv(const uint8_t* p, size_t n)
{
    unsigned endpoints = 0;
    size_t offset = 0;
    kdrv::UsbDescriptor d;
    while (kdrv::usbNextDescriptor(p, n, &offset, &d) == kdrv::Status::Success)
        endpoints += d.type == kdrv::kUsbDescEndpoint;
    return endpoints;
}

const int64_t kDescriptors = 14;

void walkKdrvBench(benchmark::State& state)
{
    const std::vector<uint8_t> c = makeConfig();
    if (c.size() != 100 || walkKdrv(c.data(), c.size()) != 5)
        state.SkipWithError("configuration is not the expected one");
    for (auto _ : state)
    {
        benchmark::DoNotOptimize(c.data());
        benchmark::DoNotOptimize(walkKdrv(c.data(), c.size()));
    }
    state.SetItemsProcessed(state.iterations() * kDescriptors);
    kdrvbench::setClockCounters(state);
}

void walkUncheckedBench(benchmark::State& state)
{
    const std::vector<uint8_t> c = makeConfig();
    for (auto _ : state)
    {
        benchmark::DoNotOptimize(c.data());
        benchmark::DoNotOptimize(walkUnchecked(c.data(), c.size()));
    }
    state.SetItemsProcessed(state.iterations() * kDescriptors);
    kdrvbench::setClockCounters(state);
}

void findEndpointsKdrv(benchmark::State& state)
{
    const std::vector<uint8_t> c = makeConfig();
    const kdrv::UsbFindInterfaceRequest any = {kdrv::kUsbFindDontCare, kdrv::kUsbFindDontCare,
                                               kdrv::kUsbFindDontCare, kdrv::kUsbFindDontCare};
    unsigned found = 0;
    for (auto _ : state)
    {
        benchmark::DoNotOptimize(c.data());
        found = 0;
        size_t cursor = 0;
        kdrv::UsbInterfaceInfo intf;
        while (kdrv::usbFindNextInterface(c.data(), c.size(), &cursor, any, &intf) ==
               kdrv::Status::Success)
        {
            kdrv::UsbFindEndpointRequest req = {kdrv::kUsbAnyType, kdrv::kUsbAnyDirection, 0, 0};
            kdrv::UsbEndpointInfo ep;
            size_t at = cursor;
            while (kdrv::usbFindNextEndpoint(c.data(), c.size(), &at, &req, &ep) ==
                   kdrv::Status::Success)
                ++found;
        }
        benchmark::DoNotOptimize(found);
    }
    if (found != 5)
        state.SkipWithError("wrong endpoint count");
    state.SetItemsProcessed(state.iterations() * kDescriptors);
    kdrvbench::setClockCounters(state);
}
} // namespace

BENCHMARK(walkKdrvBench)->Name("usb.walk_config_100B/kdrv");
BENCHMARK(walkUncheckedBench)->Name("usb.walk_config_100B/unchecked");
BENCHMARK(findEndpointsKdrv)->Name("usb.find_endpoints_100B/kdrv");
