// SPDX-License-Identifier: MIT
//
// libFuzzer target for usb.hpp. The input is split into a control part and
// a descriptor blob (an exact-size heap copy, so that any read past it is an
// AddressSanitizer error); the blob is used raw or patched into a plausible
// configuration (a real header, wTotalLength near the blob length, bLength
// 0/1/oversize planted at chosen offsets). Operations, in the input's order:
//   0  usbNextDescriptor over the whole blob from a chosen start offset
//   1  usbParseConfig(blob, received)
//   2  usbFindNextInterface repeatedly with a request of wildcards/values
//   3  usbFindNextEndpoint repeatedly after each interface found
//   4  usbParseStringDescriptor(blob, received) and usbStringToAscii
//   5  usbMakeRequestType, usbPackSetup/usbParseSetup, usbCheckSetup
//   6  UsbIsocWalker.init/next over a frame list from the input
// Each result is compared with a reference model written from the header's
// contract (its own walk, field offsets and sums); the walk must end within
// blob-length steps. Any disagreement aborts.
#include "kdrv/usb.hpp"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <vector>

#include "fuzz_check.hpp" // for FUZZ_CHECK

namespace
{
using kdrv::Status;

struct Input
{
    const uint8_t* data;
    size_t size;
    size_t pos;
    uint8_t byte() { return pos < size ? data[pos++] : 0; }
    uint16_t u16() { return uint16_t(byte() | byte() << 8); }
    bool done() const { return pos >= size; }
};

uint16_t le16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }

// The model walker: one step from `at`.
Status modelStep(const uint8_t* b, size_t n, size_t at, size_t* next)
{
    if (at > n)
        return Status::BadArgument;
    if (at == n)
        return Status::NotFound;
    if (b[at] < 2)
        return Status::BadArgument;
    if (n - at < 2 || b[at] > n - at)
        return Status::Underrun;
    *next = at + b[at];
    return Status::Success;
}

void opWalk(const uint8_t* b, size_t n, size_t start)
{
    size_t at = start;
    size_t model = start;
    kdrv::UsbDescriptor d;
    for (size_t steps = 0;; ++steps)
    {
        FUZZ_CHECK(steps <= n + 1);
        size_t next = 0;
        const Status want = modelStep(b, n, model, &next);
        const size_t before = at;
        const Status got = kdrv::usbNextDescriptor(b, n, &at, &d);
        FUZZ_CHECK(got == want);
        if (got != Status::Success)
        {
            FUZZ_CHECK(at == before);
            return;
        }
        FUZZ_CHECK(d.offset == model && d.data == b + model && d.length == b[model] &&
                   d.type == b[model + 1] && at == next);
        model = next;
    }
}

void opConfig(const uint8_t* b, size_t n)
{
    kdrv::UsbConfigInfo c;
    const Status s = kdrv::usbParseConfig(n ? b : nullptr, n, &c);
    if (n < 9 || b[0] < 9 || b[0] > n || b[1] != 2 || le16(b + 2) < b[0])
    {
        FUZZ_CHECK(s == Status::BadArgument);
        return;
    }
    FUZZ_CHECK(s == Status::Success);
    const uint16_t total = le16(b + 2);
    FUZZ_CHECK(c.totalLength == total && c.numInterfaces == b[4] && c.configurationValue == b[5] &&
               c.configurationString == b[6] && c.attributes == b[7] && c.maxPower == b[8]);
    FUZZ_CHECK(c.truncated == (total > n));
    FUZZ_CHECK(c.walkBytes == (total < n ? total : n));
}

bool fieldMatch(uint16_t want, uint8_t have) { return want == 0xFFFF || want == have; }

void opFind(Input& in, const uint8_t* b, size_t n)
{
    kdrv::UsbFindInterfaceRequest r;
    uint16_t* fields[4] = {&r.interfaceClass, &r.interfaceSubClass, &r.interfaceProtocol,
                           &r.alternateSetting};
    const uint8_t mask = in.byte();
    for (int i = 0; i < 4; ++i)
        *fields[i] = (mask >> i) & 1 ? uint16_t(0xFFFF) : uint16_t(in.byte() & 3);
    kdrv::UsbFindEndpointRequest er;
    const uint8_t em = in.byte();
    const uint8_t endpointType = (em & 1) ? uint8_t(0xFF) : uint8_t((em >> 1) & 3);
    const uint8_t endpointDir = (em & 8) ? uint8_t(3) : uint8_t((em >> 4) & 1);

    // Model: walk all descriptors in order; list matching interfaces, each
    // with its endpoints up to the next interface descriptor.
    size_t cursor = 0;
    size_t model = 0;
    for (int found = 0; found < 64; ++found)
    {
        // Model search for the next interface.
        Status want = Status::NotFound;
        size_t wantOffset = 0;
        size_t next = 0;
        for (;;)
        {
            const Status st = modelStep(b, n, model, &next);
            if (st != Status::Success)
            {
                want = st;
                break;
            }
            const size_t at = model;
            model = next;
            if (b[at + 1] != 4)
                continue;
            if (b[at] < 9)
            {
                want = Status::BadArgument;
                break;
            }
            if (fieldMatch(r.interfaceClass, b[at + 5]) &&
                fieldMatch(r.interfaceSubClass, b[at + 6]) &&
                fieldMatch(r.interfaceProtocol, b[at + 7]) &&
                fieldMatch(r.alternateSetting, b[at + 3]))
            {
                want = Status::Success;
                wantOffset = at;
                break;
            }
        }
        kdrv::UsbInterfaceInfo info;
        const size_t before = cursor;
        const Status got = kdrv::usbFindNextInterface(b, n, &cursor, r, &info);
        FUZZ_CHECK(got == want);
        if (got != Status::Success)
        {
            FUZZ_CHECK(cursor == before);
            return;
        }
        FUZZ_CHECK(
            info.offset == wantOffset && cursor == model && info.number == b[wantOffset + 2] &&
            info.alternateSetting == b[wantOffset + 3] && info.numEndpoints == b[wantOffset + 4] &&
            info.interfaceClass == b[wantOffset + 5] && info.interfaceString == b[wantOffset + 8]);
        // Its endpoints.
        size_t ec = cursor;
        size_t em2 = cursor;
        for (int e = 0; e < 64; ++e)
        {
            Status ew = Status::NotFound;
            size_t ewOffset = 0;
            for (;;)
            {
                const Status st = modelStep(b, n, em2, &next);
                if (st != Status::Success)
                {
                    ew = st;
                    break;
                }
                const size_t at = em2;
                if (b[at + 1] == 4)
                {
                    ew = Status::NotFound;
                    break;
                }
                em2 = next;
                if (b[at + 1] != 5)
                    continue;
                if (b[at] < 7)
                {
                    ew = Status::BadArgument;
                    break;
                }
                const uint8_t type = b[at + 3] & 3;
                const uint8_t dir = (b[at + 2] & 0x80) ? 1 : 0;
                if ((endpointType == 0xFF || endpointType == type) &&
                    (endpointDir == 3 || type == 0 || endpointDir == dir))
                {
                    ew = Status::Success;
                    ewOffset = at;
                    break;
                }
            }
            er.type = endpointType;
            er.direction = endpointDir;
            er.maxPacketSize = 0x1234;
            er.interval = 0x56;
            kdrv::UsbEndpointInfo ep;
            const size_t ebefore = ec;
            const Status eg = kdrv::usbFindNextEndpoint(b, n, &ec, &er, &ep);
            FUZZ_CHECK(eg == ew);
            if (eg != Status::Success)
            {
                FUZZ_CHECK(ec == ebefore && er.maxPacketSize == 0x1234 && er.interval == 0x56);
                break;
            }
            FUZZ_CHECK(ep.offset == ewOffset && ec == em2 && ep.address == b[ewOffset + 2] &&
                       ep.attributes == b[ewOffset + 3] &&
                       ep.maxPacketSize == le16(b + ewOffset + 4) &&
                       ep.interval == b[ewOffset + 6] && er.maxPacketSize == ep.maxPacketSize &&
                       er.interval == ep.interval);
            FUZZ_CHECK(ep.packetBytes() == (ep.maxPacketSize & 0x7FF) &&
                       ep.number() == (ep.address & 15) &&
                       ep.transactionsPerMicroframe() == ((ep.maxPacketSize >> 11) & 3) + 1);
        }
    }
}

void opString(const uint8_t* b, size_t n, size_t outSize)
{
    const uint8_t* text = nullptr;
    uint32_t units = 77;
    const Status s = kdrv::usbParseStringDescriptor(n ? b : nullptr, n, &text, &units);
    if (n < 2 || b[0] < 2 || (b[0] & 1) || b[0] > n || b[1] != 3)
    {
        FUZZ_CHECK(s == Status::BadArgument && units == 77);
        return;
    }
    FUZZ_CHECK(s == Status::Success && text == b + 2 && units == (b[0] - 2u) / 2u);
    std::vector<char> out(outSize + 1, 'x');
    const size_t written =
        kdrv::usbStringToAscii(text, units, outSize ? out.data() : nullptr, outSize);
    if (outSize == 0)
    {
        FUZZ_CHECK(written == 0);
        return;
    }
    const size_t expect = units < outSize - 1 ? units : outSize - 1;
    FUZZ_CHECK(written == expect && out[expect] == '\0' && out[outSize] == 'x');
    for (size_t i = 0; i < expect; ++i)
    {
        const uint16_t u = le16(text + 2 * i);
        FUZZ_CHECK(out[i] == ((u >= 0x20 && u <= 0x7E) ? char(u) : '?'));
    }
}

void opSetup(Input& in)
{
    const uint8_t d = in.byte(), k = in.byte(), r = in.byte();
    const uint8_t bm = kdrv::usbMakeRequestType(static_cast<kdrv::UsbDirection>(d),
                                                static_cast<kdrv::UsbRequestKind>(k),
                                                static_cast<kdrv::UsbRecipient>(r));
    FUZZ_CHECK(bm == uint8_t(((d & 1) << 7) | ((k & 3) << 5) | (r & 0x1F)));
    uint8_t wire[9];
    for (uint8_t& x : wire)
        x = in.byte();
    kdrv::UsbSetup s;
    const size_t len = in.byte() % 10;
    std::vector<uint8_t> exact(wire, wire + len);
    const Status st = kdrv::usbParseSetup(len ? exact.data() : nullptr, len, &s);
    if (len < 8)
    {
        FUZZ_CHECK(st == Status::BadArgument);
        return;
    }
    const bool reserved = ((wire[0] >> 5) & 3) == 3 || (wire[0] & 0x1F) > 3;
    FUZZ_CHECK(st == (reserved ? Status::Unsupported : Status::Success));
    FUZZ_CHECK(s.bmRequestType == wire[0] && s.bRequest == wire[1] && s.wValue == le16(wire + 2) &&
               s.wIndex == le16(wire + 4) && s.wLength == le16(wire + 6));
    uint8_t back[8];
    kdrv::usbPackSetup(s, back);
    FUZZ_CHECK(memcmp(back, wire, 8) == 0);
    const size_t buffer = in.u16();
    const bool dataIn = (in.byte() & 1) != 0;
    const bool ok = s.wLength <= buffer && (s.wLength == 0 || ((wire[0] & 0x80) != 0) == dataIn);
    FUZZ_CHECK((kdrv::usbCheckSetup(s, buffer, dataIn) == Status::Success) == ok);
}

void opIsoc(Input& in)
{
    const uint32_t count = in.byte() & 31u;
    std::vector<kdrv::UsbIsocFrame> frames(count);
    for (auto& f : frames)
    {
        f.frStatus = (in.byte() & 1) ? kdrv::toIOReturn(Status::Underrun) : 0;
        const uint8_t sel = in.byte();
        f.frReqCount = (sel & 0x80) ? in.u16() : uint16_t(sel * 8);
        const uint8_t act = in.byte();
        f.frActCount =
            (act & 0x80) ? uint16_t(f.frReqCount + (act & 3))
                         : uint16_t(f.frReqCount - (f.frReqCount ? act % (f.frReqCount + 1u) : 0));
    }
    const uint8_t mode = in.byte();
    const kdrv::UsbIsocLayout layout = (mode & 0x40) ? static_cast<kdrv::UsbIsocLayout>(mode)
                                                     : static_cast<kdrv::UsbIsocLayout>(mode & 1);
    const uint32_t maxPacket = (mode & 2) ? 1023u : ((mode & 4) ? 1024u : 0u);
    uint64_t need = 0, received = 0;
    Status want = Status::Success;
    const bool layoutOk =
        layout == kdrv::UsbIsocLayout::Slotted || layout == kdrv::UsbIsocLayout::Packed;
    for (const auto& f : frames)
    {
        need += layout == kdrv::UsbIsocLayout::Slotted ? f.frReqCount : f.frActCount;
        received += f.frActCount;
    }
    const uint64_t bufferBytes = (mode & 8) ? need - (mode >> 7) : need + (mode >> 4);
    if (!layoutOk)
        want = Status::BadArgument;
    else
    {
        for (const auto& f : frames)
        {
            if (f.frActCount > f.frReqCount)
            {
                want = Status::Overrun;
                break;
            }
            if (maxPacket && f.frReqCount > maxPacket)
            {
                want = Status::BadArgument;
                break;
            }
        }
        if (want == Status::Success && need > bufferBytes)
            want = Status::BadArgument;
    }
    kdrv::UsbIsocWalker w;
    const bool nullFrames = count == 0 && (mode & 0x20);
    FUZZ_CHECK(w.init(nullFrames ? nullptr : frames.data(), count, bufferBytes, layout,
                      maxPacket) == want);
    kdrv::UsbIsocData d;
    if (want != Status::Success)
    {
        FUZZ_CHECK(w.next(&d) == Status::NotFound);
        return;
    }
    FUZZ_CHECK(w.receivedBytes() == received && w.frameCount() == count);
    uint64_t offset = 0;
    for (uint32_t i = 0; i < count; ++i)
    {
        FUZZ_CHECK(w.next(&d) == Status::Success);
        FUZZ_CHECK(d.frame == i && d.offset == offset && d.length == frames[i].frActCount &&
                   kdrv::toIOReturn(d.status) == frames[i].frStatus);
        FUZZ_CHECK(d.offset + d.length <= bufferBytes);
        offset +=
            layout == kdrv::UsbIsocLayout::Slotted ? frames[i].frReqCount : frames[i].frActCount;
    }
    FUZZ_CHECK(w.next(&d) == Status::NotFound);
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 2)
        return 0;
    // First byte: how much of the input is control; the rest is the blob.
    const size_t control = (size_t(data[0]) * (size - 1)) / 255;
    Input in = {data + 1, control, 0};
    std::vector<uint8_t> blob(data + 1 + control, data + size);
    const uint8_t shape = in.byte();
    if ((shape & 3) == 1 && blob.size() >= 9)
    {
        // A plausible configuration header with a chosen wTotalLength.
        blob[0] = 9;
        blob[1] = 2;
        const size_t total = blob.size() + (shape >> 5) - 4;
        blob[2] = uint8_t(total);
        blob[3] = uint8_t(total >> 8);
    }
    for (uint8_t plants = (shape >> 2) & 3; plants > 0 && !blob.empty(); --plants)
    {
        const uint8_t at = in.byte();
        blob[at % blob.size()] = in.byte() & 0x81; // 0, 1, 0x80 or 0x81
    }
    const size_t n = blob.size();
    uint8_t* b = new uint8_t[n ? n : 1];
    if (n)
        memcpy(b, blob.data(), n);
    for (int ops = 0; ops < 8 && !in.done(); ++ops)
    {
        const uint8_t op = in.byte();
        switch (op % 7)
        {
        case 0:
            opWalk(n ? b : nullptr, n, (op & 0x80) ? in.byte() % (n + 2) : 0);
            break;
        case 1:
            opConfig(b, (op & 0x80) ? in.byte() % (n + 1) : n);
            break;
        case 2:
        case 3:
            opFind(in, b, (op & 0x80) ? in.byte() % (n + 1) : n);
            break;
        case 4:
            opString(b, (op & 0x80) ? in.byte() % (n + 1) : n, in.byte() % 40);
            break;
        case 5:
            opSetup(in);
            break;
        default:
            opIsoc(in);
            break;
        }
    }
    delete[] b;
    return 0;
}
