// SPDX-License-Identifier: MIT
#include "kdrv/usb.hpp"

#include <doctest/doctest.h>

#include <string.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

using kdrv::Status;
using kdrv::UsbDescriptor;
using kdrv::UsbDirection;
using kdrv::UsbRecipient;
using kdrv::UsbRequestKind;

namespace
{
// A copy on the heap, exactly sized, so that any read past the end is an
// AddressSanitizer error in sanitized builds.
struct Exact
{
    explicit Exact(const std::vector<uint8_t>& v) : size(v.size()), data(new uint8_t[v.size() + 1])
    {
        if (!v.empty())
            memcpy(data.get(), v.data(), v.size());
    }
    size_t size;
    std::unique_ptr<uint8_t[]> data;
};

// Walks every descriptor; returns the final status and the (offset, type)
// pairs seen.
Status walk(const std::vector<uint8_t>& bytes, std::vector<std::pair<size_t, uint8_t>>* seen,
            size_t* endOffset = nullptr)
{
    Exact e(bytes);
    size_t offset = 0;
    UsbDescriptor d;
    Status s;
    int guard = 0;
    while ((s = kdrv::usbNextDescriptor(e.data.get(), e.size, &offset, &d)) == Status::Success)
    {
        seen->push_back({d.offset, d.type});
        REQUIRE(d.length >= 2);
        REQUIRE(d.offset + d.length <= e.size);
        REQUIRE(++guard < 1000);
    }
    if (endOffset != nullptr)
        *endOffset = offset;
    return s;
}

// A typical configuration: config, interface 0 (vendor, 2 bulk endpoints),
// a class-specific descriptor, interface 1 alt 0 and alt 1 (isochronous IN).
std::vector<uint8_t> typicalConfig()
{
    std::vector<uint8_t> c = {
        9, 2,    0,    0,    2,    1,    0,    0x80, 50, // configuration (total patched below)
        9, 4,    0,    0,    2,    0xFF, 0x01, 0x02, 0,  // interface 0 alt 0, vendor
        7, 5,    0x81, 0x02, 0x00, 0x02, 0,              // EP1 IN bulk 512
        5, 0x24, 0x01, 0x02, 0x03,                       // class-specific (unknown type)
        7, 5,    0x02, 0x02, 0x00, 0x02, 0,              // EP2 OUT bulk 512
        9, 4,    1,    0,    0,    0x01, 0x02, 0x00, 0,  // interface 1 alt 0, audio streaming
        9, 4,    1,    1,    1,    0x01, 0x02, 0x00, 0,  // interface 1 alt 1
        7, 5,    0x83, 0x05, 0x00, 0x14, 1,              // EP3 IN isoc 1024 x 3 (0x1400)
        7, 5,    0x84, 0x03, 0x08, 0x00, 4,              // EP4 IN interrupt 8
    };
    c[2] = uint8_t(c.size());
    c[3] = uint8_t(c.size() >> 8);
    return c;
}

const kdrv::UsbFindInterfaceRequest kAnyInterface = {
    kdrv::kUsbFindDontCare, kdrv::kUsbFindDontCare, kdrv::kUsbFindDontCare, kdrv::kUsbFindDontCare};
} // namespace

// ---------------------------------------------------------------------------
// Setup packets

TEST_CASE("usb: bmRequestType for every direction, type and recipient")
{
    const UsbDirection dirs[] = {UsbDirection::Out, UsbDirection::In};
    const UsbRequestKind kinds[] = {UsbRequestKind::Standard, UsbRequestKind::Class,
                                    UsbRequestKind::Vendor};
    const UsbRecipient recipients[] = {UsbRecipient::Device, UsbRecipient::Interface,
                                       UsbRecipient::Endpoint, UsbRecipient::Other};
    int combinations = 0;
    for (int d = 0; d < 2; ++d)
    {
        for (int k = 0; k < 3; ++k)
        {
            for (int r = 0; r < 4; ++r)
            {
                const uint8_t expected = uint8_t(d << 7 | k << 5 | r);
                const uint8_t bm = kdrv::usbMakeRequestType(dirs[d], kinds[k], recipients[r]);
                CAPTURE(d);
                CAPTURE(k);
                CAPTURE(r);
                CHECK(bm == expected);
                CHECK(kdrv::usbRequestDirection(bm) == dirs[d]);
                CHECK(kdrv::usbRequestKindBits(bm) == k);
                CHECK(kdrv::usbRequestRecipientBits(bm) == r);
                ++combinations;
            }
        }
    }
    CHECK(combinations == 24);
    // Well-known values.
    CHECK(kdrv::usbMakeRequestType(UsbDirection::In, UsbRequestKind::Standard,
                                   UsbRecipient::Device) == 0x80);
    CHECK(kdrv::usbMakeRequestType(UsbDirection::Out, UsbRequestKind::Class,
                                   UsbRecipient::Interface) == 0x21);
    CHECK(kdrv::usbMakeRequestType(UsbDirection::In, UsbRequestKind::Vendor, UsbRecipient::Other) ==
          0xC3);
    // Out-of-range values are masked like the macro does, never spill over.
    CHECK(kdrv::usbMakeRequestType(static_cast<UsbDirection>(3), static_cast<UsbRequestKind>(7),
                                   static_cast<UsbRecipient>(0x3F)) == 0xFF);
    // Usable in constant expressions.
    static_assert(kdrv::usbMakeRequestType(UsbDirection::In, UsbRequestKind::Class,
                                           UsbRecipient::Endpoint) == 0xA2,
                  "constexpr");
}

TEST_CASE("usb: setup packet byte order")
{
    const kdrv::UsbSetup s = {0x80, 6, 0x0302, 0x0409, 255};
    uint8_t wire[8];
    kdrv::usbPackSetup(s, wire);
    const uint8_t expected[8] = {0x80, 0x06, 0x02, 0x03, 0x09, 0x04, 0xFF, 0x00};
    CHECK(memcmp(wire, expected, 8) == 0);
    kdrv::UsbSetup back;
    REQUIRE(kdrv::usbParseSetup(wire, 8, &back) == Status::Success);
    CHECK(back.bmRequestType == 0x80);
    CHECK(back.bRequest == 6);
    CHECK(back.wValue == 0x0302);
    CHECK(back.wIndex == 0x0409);
    CHECK(back.wLength == 255);
    // The string request of the book: string 2 in US English.
    const kdrv::UsbSetup str = kdrv::usbGetStringRequest(2, kdrv::kUsbLangEnglishUS, 255);
    CHECK(str.bmRequestType == 0x80);
    CHECK(str.bRequest == kdrv::kUsbRequestGetDescriptor);
    CHECK(str.wValue == 0x0302);
    CHECK(str.wIndex == 0x0409);
    CHECK(str.wLength == 255);
}

TEST_CASE("usb: setup packet parse errors")
{
    uint8_t wire[8] = {0x80, 6, 0, 1, 0, 0, 18, 0};
    kdrv::UsbSetup s;
    CHECK(kdrv::usbParseSetup(wire, 7, &s) == Status::BadArgument);
    CHECK(kdrv::usbParseSetup(nullptr, 8, &s) == Status::BadArgument);
    wire[0] = 0xE0; // type 3: reserved
    CHECK(kdrv::usbParseSetup(wire, 8, &s) == Status::Unsupported);
    CHECK(s.bmRequestType == 0xE0); // still filled in
    wire[0] = 0x84;                 // recipient 4: reserved
    CHECK(kdrv::usbParseSetup(wire, 8, &s) == Status::Unsupported);
}

TEST_CASE("usb: setup checks against the buffer and the data direction")
{
    // The book's statistics request reads data but says kUSBOut.
    kdrv::UsbSetup stats = {
        kdrv::usbMakeRequestType(UsbDirection::Out, UsbRequestKind::Vendor, UsbRecipient::Device),
        0x10, 0, 0, 16};
    CHECK(kdrv::usbCheckSetup(stats, 16, true) == Status::BadArgument);
    stats.bmRequestType =
        kdrv::usbMakeRequestType(UsbDirection::In, UsbRequestKind::Vendor, UsbRecipient::Device);
    CHECK(kdrv::usbCheckSetup(stats, 16, true) == Status::Success);
    CHECK(kdrv::usbCheckSetup(stats, 15, true) == Status::BadArgument);
    stats.wLength = 0; // no data stage: the direction bit does not matter
    CHECK(kdrv::usbCheckSetup(stats, 0, false) == Status::Success);
}

// ---------------------------------------------------------------------------
// Descriptor walking

TEST_CASE("usb: a walk visits every descriptor and unknown types")
{
    std::vector<std::pair<size_t, uint8_t>> seen;
    size_t end = 0;
    const std::vector<uint8_t> c = typicalConfig();
    CHECK(walk(c, &seen, &end) == Status::NotFound);
    CHECK(end == c.size());
    REQUIRE(seen.size() == 9);
    CHECK(seen[0] == std::make_pair(size_t(0), uint8_t(2)));
    CHECK(seen[3] == std::make_pair(size_t(25), uint8_t(0x24)));
    CHECK(seen[8].first == c.size() - 7);
}

TEST_CASE("usb: bLength 0 and 1 stop the walk")
{
    for (uint8_t bad : {uint8_t(0), uint8_t(1)})
    {
        CAPTURE(int(bad));
        std::vector<uint8_t> c = {9, 2, 9, 0, 0, 1, 0, 0x80, 50, bad, 4, 0, 0, 0, 0, 0, 0, 0};
        std::vector<std::pair<size_t, uint8_t>> seen;
        size_t end = 0;
        CHECK(walk(c, &seen, &end) == Status::BadArgument);
        CHECK(seen.size() == 1);
        CHECK(end == 9); // not advanced
    }
    // A buffer that starts with bLength 0.
    std::vector<std::pair<size_t, uint8_t>> seen;
    CHECK(walk({0, 0, 0, 0}, &seen) == Status::BadArgument);
    CHECK(seen.empty());
}

TEST_CASE("usb: oversize and truncated descriptors")
{
    std::vector<std::pair<size_t, uint8_t>> seen;
    size_t end = 0;
    // bLength larger than what is left.
    CHECK(walk({9, 2, 9, 0, 0, 1, 0, 0x80, 50, 9, 4, 0, 0, 0}, &seen, &end) == Status::Underrun);
    CHECK(seen.size() == 1);
    CHECK(end == 9);
    // bLength 255 in a short buffer.
    seen.clear();
    CHECK(walk({255, 2, 0}, &seen) == Status::Underrun);
    CHECK(seen.empty());
    // A lone trailing length byte.
    seen.clear();
    CHECK(walk({2, 0x30, 7}, &seen, &end) == Status::Underrun);
    CHECK(seen.size() == 1);
    CHECK(end == 2);
    // The typical configuration cut at every length: never out of bounds,
    // never a loop, and the walk ends with Underrun or a clean end.
    const std::vector<uint8_t> c = typicalConfig();
    for (size_t n = 0; n <= c.size(); ++n)
    {
        CAPTURE(n);
        seen.clear();
        const Status s = walk(std::vector<uint8_t>(c.begin(), c.begin() + long(n)), &seen);
        CHECK((s == Status::NotFound || s == Status::Underrun));
    }
    // An empty buffer is an empty walk; bad arguments are refused.
    size_t offset = 0;
    UsbDescriptor d;
    CHECK(kdrv::usbNextDescriptor(nullptr, 0, &offset, &d) == Status::NotFound);
    CHECK(kdrv::usbNextDescriptor(nullptr, 4, &offset, &d) == Status::BadArgument);
    offset = 5;
    const uint8_t two[2] = {2, 1};
    CHECK(kdrv::usbNextDescriptor(two, 2, &offset, &d) == Status::BadArgument);
}

TEST_CASE("usb: configuration header and wTotalLength")
{
    std::vector<uint8_t> c = typicalConfig();
    kdrv::UsbConfigInfo info;
    REQUIRE(kdrv::usbParseConfig(c.data(), c.size(), &info) == Status::Success);
    CHECK(info.totalLength == c.size());
    CHECK(info.numInterfaces == 2);
    CHECK(info.configurationValue == 1);
    CHECK(info.attributes == 0x80);
    CHECK(info.maxPower == 50);
    CHECK_FALSE(info.truncated);
    CHECK(info.walkBytes == c.size());
    // Only the first 9 bytes arrived (the usual first read).
    REQUIRE(kdrv::usbParseConfig(c.data(), 9, &info) == Status::Success);
    CHECK(info.truncated);
    CHECK(info.walkBytes == 9);
    // More bytes than wTotalLength: the walk stops at wTotalLength.
    c.push_back(0xAA);
    REQUIRE(kdrv::usbParseConfig(c.data(), c.size(), &info) == Status::Success);
    CHECK(info.walkBytes == c.size() - 1);
    c.pop_back();
    std::vector<uint8_t> bad = c;
    bad[1] = 4;
    CHECK(kdrv::usbParseConfig(bad.data(), bad.size(), &info) == Status::BadArgument);
    bad = c;
    bad[0] = 8;
    CHECK(kdrv::usbParseConfig(bad.data(), bad.size(), &info) == Status::BadArgument);
    bad = c;
    bad[2] = 5; // wTotalLength < bLength
    bad[3] = 0;
    CHECK(kdrv::usbParseConfig(bad.data(), bad.size(), &info) == Status::BadArgument);
    CHECK(kdrv::usbParseConfig(c.data(), 8, &info) == Status::BadArgument);
    bad = c;
    bad[0] = 200; // bLength beyond the bytes received
    CHECK(kdrv::usbParseConfig(bad.data(), 100, &info) == Status::BadArgument);
}

TEST_CASE("usb: interface and endpoint matchers")
{
    const std::vector<uint8_t> c = typicalConfig();
    size_t cursor = 0;
    kdrv::UsbInterfaceInfo intf;
    // Every interface descriptor, in order.
    int found = 0;
    while (kdrv::usbFindNextInterface(c.data(), c.size(), &cursor, kAnyInterface, &intf) ==
           Status::Success)
        ++found;
    CHECK(found == 3);
    // A specific one: audio class, alternate setting 1.
    cursor = 0;
    const kdrv::UsbFindInterfaceRequest audioAlt1 = {0x01, kdrv::kUsbFindDontCare,
                                                     kdrv::kUsbFindDontCare, 1};
    REQUIRE(kdrv::usbFindNextInterface(c.data(), c.size(), &cursor, audioAlt1, &intf) ==
            Status::Success);
    CHECK(intf.number == 1);
    CHECK(intf.alternateSetting == 1);
    CHECK(intf.numEndpoints == 1);
    CHECK(intf.interfaceSubClass == 2);
    kdrv::UsbFindEndpointRequest isoIn = {kdrv::kUsbIsochronous, 1, 0, 0};
    kdrv::UsbEndpointInfo ep;
    size_t epCursor = cursor;
    REQUIRE(kdrv::usbFindNextEndpoint(c.data(), c.size(), &epCursor, &isoIn, &ep) ==
            Status::Success);
    CHECK(ep.address == 0x83);
    CHECK(ep.number() == 3);
    CHECK(ep.direction() == UsbDirection::In);
    CHECK(ep.transferType() == kdrv::kUsbIsochronous);
    CHECK(ep.packetBytes() == 1024);
    CHECK(ep.transactionsPerMicroframe() == 3);
    CHECK(isoIn.maxPacketSize == 0x1400);
    CHECK(isoIn.interval == 1);
    // The interrupt endpoint follows; no more isochronous ones.
    CHECK(kdrv::usbFindNextEndpoint(c.data(), c.size(), &epCursor, &isoIn, &ep) ==
          Status::NotFound);
    // No match for the vendor class under this cursor.
    const kdrv::UsbFindInterfaceRequest vendor = {0xFF, kdrv::kUsbFindDontCare,
                                                  kdrv::kUsbFindDontCare, kdrv::kUsbFindDontCare};
    CHECK(kdrv::usbFindNextInterface(c.data(), c.size(), &cursor, vendor, &intf) ==
          Status::NotFound);
}

TEST_CASE("usb: endpoint search stays within its interface")
{
    const std::vector<uint8_t> c = typicalConfig();
    size_t cursor = 0;
    kdrv::UsbInterfaceInfo intf;
    REQUIRE(kdrv::usbFindNextInterface(c.data(), c.size(), &cursor, kAnyInterface, &intf) ==
            Status::Success);
    CHECK(intf.interfaceClass == 0xFF);
    kdrv::UsbFindEndpointRequest any = {kdrv::kUsbAnyType, kdrv::kUsbAnyDirection, 0, 0};
    kdrv::UsbEndpointInfo ep;
    size_t epCursor = cursor;
    int n = 0;
    while (kdrv::usbFindNextEndpoint(c.data(), c.size(), &epCursor, &any, &ep) == Status::Success)
        ++n;
    CHECK(n == 2); // the class-specific descriptor between them is skipped
    kdrv::UsbFindEndpointRequest bulkOut = {kdrv::kUsbBulk, 0, 0, 0};
    epCursor = cursor;
    REQUIRE(kdrv::usbFindNextEndpoint(c.data(), c.size(), &epCursor, &bulkOut, &ep) ==
            Status::Success);
    CHECK(ep.address == 0x02);
    CHECK(bulkOut.maxPacketSize == 512);
    kdrv::UsbFindEndpointRequest interruptAny = {kdrv::kUsbInterrupt, kdrv::kUsbAnyDirection, 0, 0};
    epCursor = cursor;
    CHECK(kdrv::usbFindNextEndpoint(c.data(), c.size(), &epCursor, &interruptAny, &ep) ==
          Status::NotFound);
}

TEST_CASE("usb: matcher wildcards")
{
    kdrv::UsbInterfaceInfo i = {};
    i.interfaceClass = 3;
    i.interfaceSubClass = 1;
    i.interfaceProtocol = 2;
    i.alternateSetting = 0;
    CHECK(kdrv::usbInterfaceMatches(kAnyInterface, i));
    CHECK(kdrv::usbInterfaceMatches({3, 1, 2, 0}, i));
    CHECK_FALSE(kdrv::usbInterfaceMatches({3, 1, 1, 0}, i));
    CHECK_FALSE(kdrv::usbInterfaceMatches({3, 1, 2, 1}, i));
    CHECK(kdrv::usbInterfaceMatches({3, kdrv::kUsbFindDontCare, 2, kdrv::kUsbFindDontCare}, i));
    CHECK_FALSE(kdrv::usbInterfaceMatches({0x103, 1, 2, 0}, i)); // not truncated to 8 bits
    kdrv::UsbEndpointInfo e = {};
    e.address = 0x81;
    e.attributes = kdrv::kUsbInterrupt;
    CHECK(kdrv::usbEndpointMatches({kdrv::kUsbInterrupt, 1, 0, 0}, e));
    CHECK_FALSE(kdrv::usbEndpointMatches({kdrv::kUsbInterrupt, 0, 0, 0}, e));
    CHECK_FALSE(kdrv::usbEndpointMatches({kdrv::kUsbBulk, 1, 0, 0}, e));
    CHECK(kdrv::usbEndpointMatches({kdrv::kUsbAnyType, kdrv::kUsbAnyDirection, 0, 0}, e));
}

TEST_CASE("usb: short interface and endpoint descriptors are malformed")
{
    std::vector<uint8_t> c = {9, 2, 0, 0, 1, 1, 0, 0x80, 50, 5, 4, 0, 0, 1};
    c[2] = uint8_t(c.size());
    size_t cursor = 0;
    kdrv::UsbInterfaceInfo intf;
    CHECK(kdrv::usbFindNextInterface(c.data(), c.size(), &cursor, kAnyInterface, &intf) ==
          Status::BadArgument);
    std::vector<uint8_t> e = {9, 4, 0, 0, 1, 0xFF, 0, 0, 0, 4, 5, 0x81, 2};
    cursor = 0;
    REQUIRE(kdrv::usbFindNextInterface(e.data(), e.size(), &cursor, kAnyInterface, &intf) ==
            Status::Success);
    kdrv::UsbFindEndpointRequest any = {kdrv::kUsbAnyType, kdrv::kUsbAnyDirection, 0, 0};
    kdrv::UsbEndpointInfo ep;
    CHECK(kdrv::usbFindNextEndpoint(e.data(), e.size(), &cursor, &any, &ep) == Status::BadArgument);
}

// ---------------------------------------------------------------------------
// String descriptors

TEST_CASE("usb: string descriptor decoding")
{
    const std::vector<uint8_t> s = {10, 3, 'k', 0, 'd', 0, 'r', 0, 'v', 0};
    Exact e(s);
    const uint8_t* text = nullptr;
    uint32_t units = 0;
    REQUIRE(kdrv::usbParseStringDescriptor(e.data.get(), e.size, &text, &units) == Status::Success);
    CHECK(units == 4);
    CHECK(text == e.data.get() + 2);
    char ascii[16];
    CHECK(kdrv::usbStringToAscii(text, units, ascii, sizeof ascii) == 4);
    CHECK(std::string(ascii) == "kdrv");
    // Truncation always leaves a terminated string.
    CHECK(kdrv::usbStringToAscii(text, units, ascii, 3) == 2);
    CHECK(std::string(ascii) == "kd");
    CHECK(kdrv::usbStringToAscii(text, units, ascii, 1) == 0);
    CHECK(ascii[0] == '\0');
    CHECK(kdrv::usbStringToAscii(text, units, nullptr, 0) == 0);
    // Non-ASCII code units become '?'.
    const uint8_t accented[] = {0xE9, 0x00, 0x41, 0x00, 0x3D, 0xD8, 0x00, 0xDE};
    CHECK(kdrv::usbStringToAscii(accented, 4, ascii, sizeof ascii) == 4);
    CHECK(std::string(ascii) == "?A??");
}

TEST_CASE("usb: string descriptor errors")
{
    const uint8_t* text = nullptr;
    uint32_t units = 99;
    auto parse = [&](const std::vector<uint8_t>& bytes, size_t received)
    {
        Exact e(bytes);
        return kdrv::usbParseStringDescriptor(e.data.get(), received, &text, &units);
    };
    CHECK(parse({9, 3, 'a', 0, 'b', 0, 'c', 0, 'd'}, 9) == Status::BadArgument); // odd
    CHECK(parse({1, 3}, 2) == Status::BadArgument);                              // < 2
    CHECK(parse({0, 3}, 2) == Status::BadArgument);
    CHECK(parse({8, 3, 'a', 0, 'b', 0}, 6) == Status::BadArgument); // > received
    CHECK(parse({4, 2, 'a', 0}, 4) == Status::BadArgument);         // wrong type
    CHECK(parse({2}, 1) == Status::BadArgument);                    // not even a header
    CHECK(units == 99);
    CHECK(parse({2, 3}, 2) == Status::Success); // exactly 2: the empty string
    CHECK(units == 0);
    // The language list (string 0) decodes the same way.
    const uint8_t langs[4] = {4, 3, 0x09, 0x04};
    CHECK(kdrv::usbParseStringDescriptor(langs, 4, &text, &units) == Status::Success);
    CHECK(units == 1);
    CHECK(kdrv::loadLE16(text) == kdrv::kUsbLangEnglishUS);
}

// ---------------------------------------------------------------------------
// Isochronous frames

TEST_CASE("usb: isochronous frames in slots advance by the requested count")
{
    // Three frames of 192-byte slots; the device sent fewer bytes in two.
    const kdrv::UsbIsocFrame frames[3] = {
        {0, 192, 188}, {kdrv::toIOReturn(Status::Underrun), 192, 100}, {0, 192, 192}};
    std::vector<uint8_t> buffer(3 * 192);
    for (size_t i = 0; i < buffer.size(); ++i)
        buffer[i] = uint8_t(i / 192 + 1); // slot number in every byte
    kdrv::UsbIsocWalker w;
    REQUIRE(w.init(frames, 3, buffer.size(), kdrv::UsbIsocLayout::Slotted, 1023) ==
            Status::Success);
    CHECK(w.frameCount() == 3);
    CHECK(w.receivedBytes() == 480);
    kdrv::UsbIsocData d;
    const uint64_t offsets[3] = {0, 192, 384};
    const uint32_t lengths[3] = {188, 100, 192};
    for (uint32_t i = 0; i < 3; ++i)
    {
        REQUIRE(w.next(&d) == Status::Success);
        CHECK(d.frame == i);
        CHECK(d.offset == offsets[i]);
        CHECK(d.length == lengths[i]);
        // The data of frame i is the content of slot i.
        CHECK(buffer[size_t(d.offset)] == uint8_t(i + 1));
        CHECK(buffer[size_t(d.offset + d.length - 1)] == uint8_t(i + 1));
    }
    CHECK(w.next(&d) == Status::NotFound);
    CHECK(w.next(&d) == Status::NotFound);
}

TEST_CASE("usb: isochronous frames packed advance by the actual count")
{
    const kdrv::UsbIsocFrame frames[3] = {{0, 192, 188}, {0, 192, 100}, {0, 192, 192}};
    kdrv::UsbIsocWalker w;
    // A packed buffer only needs the bytes received.
    REQUIRE(w.init(frames, 3, 480, kdrv::UsbIsocLayout::Packed, 0) == Status::Success);
    kdrv::UsbIsocData d;
    const uint64_t offsets[3] = {0, 188, 288};
    for (uint32_t i = 0; i < 3; ++i)
    {
        REQUIRE(w.next(&d) == Status::Success);
        CHECK(d.offset == offsets[i]);
    }
    CHECK(w.init(frames, 3, 479, kdrv::UsbIsocLayout::Packed, 0) == Status::BadArgument);
    // Slotted needs the whole slots.
    CHECK(w.init(frames, 3, 575, kdrv::UsbIsocLayout::Slotted, 0) == Status::BadArgument);
    CHECK(w.init(frames, 3, 576, kdrv::UsbIsocLayout::Slotted, 0) == Status::Success);
}

TEST_CASE("usb: isochronous frame list errors")
{
    kdrv::UsbIsocWalker w;
    kdrv::UsbIsocData d;
    const kdrv::UsbIsocFrame over[2] = {{0, 100, 100}, {0, 100, 101}};
    CHECK(w.init(over, 2, 1000, kdrv::UsbIsocLayout::Slotted, 0) == Status::Overrun);
    CHECK(w.next(&d) == Status::NotFound); // a failed init walks nothing
    const kdrv::UsbIsocFrame big[1] = {{0, 1024, 10}};
    CHECK(w.init(big, 1, 2000, kdrv::UsbIsocLayout::Slotted, kdrv::kUsbFullSpeedIsocMaxPacket) ==
          Status::BadArgument);
    CHECK(w.init(big, 1, 2000, kdrv::UsbIsocLayout::Slotted, kdrv::kUsbHighSpeedIsocMaxPacket) ==
          Status::Success);
    CHECK(w.init(nullptr, 1, 0, kdrv::UsbIsocLayout::Slotted, 0) == Status::BadArgument);
    CHECK(w.init(nullptr, 0, 0, kdrv::UsbIsocLayout::Slotted, 0) == Status::Success);
    CHECK(w.next(&d) == Status::NotFound);
    CHECK(w.init(big, 1, 2000, static_cast<kdrv::UsbIsocLayout>(7), 0) == Status::BadArgument);
    CHECK(w.next(nullptr) == Status::BadArgument);
}
