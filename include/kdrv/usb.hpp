// SPDX-License-Identifier: MIT
//
/// \file
/// USB pieces that drivers rebuild: setup packets (bmRequestType and the
/// 8-byte wire format), a descriptor walker that cannot be made to loop or
/// read out of bounds, configuration/interface/endpoint parsing with
/// IOUSBFindInterfaceRequest/IOUSBFindEndpointRequest-style wildcard
/// matchers, string descriptor decoding, and isochronous frame lists.
///
/// Everything a device sends is hostile: bLength 0 (the classic infinite
/// loop), bLength 1 (a header that does not fit), bLength past the bytes
/// received, a configuration whose wTotalLength exceeds the transfer, string
/// descriptors of odd length. Every field is read with endian.hpp's
/// little-endian loads (USB is little-endian), never through a struct cast.
///
///   usbMakeRequestType(dir, type, recipient)   ((dir&1)<<7)|((type&3)<<5)|(recipient&0x1F)
///   usbPackSetup(setup, out[8]), usbParseSetup(in, n, &setup)
///   usbCheckSetup(setup, bufferBytes, dataIn)  wLength fits, direction right
///   usbGetDescriptorRequest / usbGetStringRequest
///   usbNextDescriptor(buf, n, &offset, &desc)  one step of any walk
///   usbParseConfig(buf, n, &config)            header, wTotalLength vs received
///   usbFindNextInterface(buf, n, &cursor, request, &info)
///   usbFindNextEndpoint(buf, n, &cursor, &request, &info)
///   usbParseStringDescriptor(buf, n, &utf16le, &units), usbStringToAscii
///   UsbIsocWalker                              frames of an isochronous transfer
///
/// Walk status values. usbNextDescriptor returns Success with the next
/// descriptor, NotFound at the clean end (offset == size), BadArgument for
/// bLength 0 or 1 (offset not advanced, so a caller's loop that stops on any
/// non-Success ends), Underrun for a descriptor (or a lone header byte) cut
/// off by the end of the buffer. Descriptors of unknown type are returned
/// like any other; the finders skip them.
///
/// Isochronous frames (IOUSBIsocFrame {frStatus, frReqCount, frActCount}).
/// With the layout macOS's isochronous API uses, each frame owns a slot of
/// frReqCount bytes in the buffer, and the frActCount bytes received are at
/// the start of the slot: the data of frame i starts at the sum of the
/// earlier frames' frReqCount, not of their frActCount (UsbIsocLayout::
/// Slotted). A host controller that packs the received bytes end to end
/// gives offsets from the sum of frActCount (UsbIsocLayout::Packed). The
/// walker makes the layout an explicit argument, rejects frActCount >
/// frReqCount (Overrun) and a list whose bytes do not fit the buffer.
///
/// All functions are pure, allocation-free and callable in any context;
/// every loop is bounded by the buffer size or the frame count.
#ifndef KDRV_USB_HPP
#define KDRV_USB_HPP

#include "kdrv/base.hpp"   // for KDRV_NODISCARD, KDRV_INLINE
#include "kdrv/endian.hpp" // for loadLE16, storeLE16
#include "kdrv/status.hpp" // for Status, fromIOReturn

namespace kdrv
{
// --- Setup packets -------------------------------------------------------------

/// Data-stage direction (bit 7 of bmRequestType): kUSBOut / kUSBIn.
enum class UsbDirection : uint8_t
{
    Out = 0,
    In = 1,
};

/// Request type (bits 6..5): kUSBStandard, kUSBClass, kUSBVendor; 3 is reserved.
enum class UsbRequestKind : uint8_t
{
    Standard = 0,
    Class = 1,
    Vendor = 2,
};

/// Recipient (bits 4..0): kUSBDevice, kUSBInterface, kUSBEndpoint, kUSBOther;
/// 4 to 31 are reserved.
enum class UsbRecipient : uint8_t
{
    Device = 0,
    Interface = 1,
    Endpoint = 2,
    Other = 3,
};

/// USBmakebmRequestType as a function (the macro lacks outer parentheses in
/// older headers).
constexpr uint8_t usbMakeRequestType(UsbDirection direction, UsbRequestKind kind,
                                     UsbRecipient recipient)
{
    return static_cast<uint8_t>(((static_cast<uint32_t>(direction) & 1u) << 7) |
                                ((static_cast<uint32_t>(kind) & 3u) << 5) |
                                (static_cast<uint32_t>(recipient) & 0x1Fu));
}
constexpr UsbDirection usbRequestDirection(uint8_t bmRequestType)
{
    return (bmRequestType & 0x80u) != 0 ? UsbDirection::In : UsbDirection::Out;
}
/// The type bits (0..3; 3 is reserved).
constexpr uint8_t usbRequestKindBits(uint8_t bmRequestType)
{
    return static_cast<uint8_t>((bmRequestType >> 5) & 3u);
}
/// The recipient bits (0..31; above 3 reserved).
constexpr uint8_t usbRequestRecipientBits(uint8_t bmRequestType)
{
    return static_cast<uint8_t>(bmRequestType & 0x1Fu);
}

enum : uint8_t
{
    // Standard requests (USB 2.0 table 9-4).
    kUsbRequestGetStatus = 0,
    kUsbRequestClearFeature = 1,
    kUsbRequestSetFeature = 3,
    kUsbRequestSetAddress = 5,
    kUsbRequestGetDescriptor = 6,
    kUsbRequestSetDescriptor = 7,
    kUsbRequestGetConfiguration = 8,
    kUsbRequestSetConfiguration = 9,
    kUsbRequestGetInterface = 10,
    kUsbRequestSetInterface = 11,
    kUsbRequestSynchFrame = 12,
    // Descriptor types (table 9-5 and later).
    kUsbDescDevice = 1,
    kUsbDescConfiguration = 2,
    kUsbDescString = 3,
    kUsbDescInterface = 4,
    kUsbDescEndpoint = 5,
    kUsbDescDeviceQualifier = 6,
    kUsbDescOtherSpeedConfiguration = 7,
    kUsbDescInterfaceAssociation = 11,
    // Minimum lengths of the standard descriptors.
    kUsbConfigDescLength = 9,
    kUsbInterfaceDescLength = 9,
    kUsbEndpointDescLength = 7,
    kUsbSetupLength = 8,
};

enum : uint16_t
{
    /// LANGID of US English, the usual string language.
    kUsbLangEnglishUS = 0x0409,
};

/// A setup packet in host order (IOUSBDevRequest without its data pointer).
struct UsbSetup
{
    uint8_t bmRequestType;
    uint8_t bRequest;
    uint16_t wValue;
    uint16_t wIndex;
    uint16_t wLength;
};

/// The 8 wire bytes of s: bmRequestType, bRequest, then wValue, wIndex and
/// wLength little-endian.
KDRV_INLINE void usbPackSetup(const UsbSetup& s, uint8_t* out)
{
    out[0] = s.bmRequestType;
    out[1] = s.bRequest;
    storeLE16(out + 2, s.wValue);
    storeLE16(out + 4, s.wIndex);
    storeLE16(out + 6, s.wLength);
}

/// Reads a setup packet from `size` bytes. BadArgument if fewer than 8 or a
/// null pointer; Unsupported (with *out filled) for the reserved type 3 or
/// a reserved recipient.
KDRV_NODISCARD KDRV_INLINE Status usbParseSetup(const uint8_t* in, size_t size, UsbSetup* out)
{
    if (in == nullptr || out == nullptr || size < kUsbSetupLength)
        return Status::BadArgument;
    out->bmRequestType = in[0];
    out->bRequest = in[1];
    out->wValue = loadLE16(in + 2);
    out->wIndex = loadLE16(in + 4);
    out->wLength = loadLE16(in + 6);
    if (usbRequestKindBits(in[0]) == 3 || usbRequestRecipientBits(in[0]) > 3)
        return Status::Unsupported;
    return Status::Success;
}

/// A request about to be sent with a data buffer of bufferBytes, whose data
/// stage should flow device-to-host when dataIn: BadArgument if wLength
/// exceeds the buffer, or if there is a data stage (wLength > 0) and the
/// direction bit disagrees with dataIn (the book's statistics request reads
/// data with kUSBOut).
KDRV_NODISCARD KDRV_INLINE Status usbCheckSetup(const UsbSetup& s, size_t bufferBytes, bool dataIn)
{
    if (s.wLength > bufferBytes)
        return Status::BadArgument;
    if (s.wLength != 0 && (usbRequestDirection(s.bmRequestType) == UsbDirection::In) != dataIn)
        return Status::BadArgument;
    return Status::Success;
}

/// GET_DESCRIPTOR of `type` and `index` (wValue = type << 8 | index) to the
/// device; langId goes to wIndex (0 except for strings).
constexpr UsbSetup usbGetDescriptorRequest(uint8_t type, uint8_t index, uint16_t langId,
                                           uint16_t length)
{
    return UsbSetup{
        usbMakeRequestType(UsbDirection::In, UsbRequestKind::Standard, UsbRecipient::Device),
        kUsbRequestGetDescriptor, static_cast<uint16_t>((static_cast<uint32_t>(type) << 8) | index),
        langId, length};
}

/// GET_DESCRIPTOR(String, index) in language langId (kUsbLangEnglishUS).
constexpr UsbSetup usbGetStringRequest(uint8_t index, uint16_t langId, uint16_t length)
{
    return usbGetDescriptorRequest(kUsbDescString, index, langId, length);
}

// --- Descriptor walking ----------------------------------------------------------

/// One descriptor inside a caller's buffer.
struct UsbDescriptor
{
    const uint8_t* data; ///< the descriptor's first byte (bLength)
    size_t offset;       ///< its offset in the buffer
    uint8_t length;      ///< bLength (>= 2, and all bytes within the buffer)
    uint8_t type;        ///< bDescriptorType
};

/// The descriptor at *offset in buf[0..size), advancing *offset past it.
/// See the file comment for the status values; on any non-Success *offset
/// is unchanged.
KDRV_NODISCARD KDRV_INLINE Status usbNextDescriptor(const uint8_t* buf, size_t size, size_t* offset,
                                                    UsbDescriptor* out)
{
    if (offset == nullptr || out == nullptr || (buf == nullptr && size != 0) || *offset > size)
        return Status::BadArgument;
    const size_t at = *offset;
    const size_t remaining = size - at;
    if (remaining == 0)
        return Status::NotFound;
    const uint8_t length = buf[at];
    if (length < 2)
        return Status::BadArgument;
    if (remaining < 2 || length > remaining)
        return Status::Underrun;
    out->data = buf + at;
    out->offset = at;
    out->length = length;
    out->type = buf[at + 1];
    *offset = at + length;
    return Status::Success;
}

/// A configuration descriptor's header fields.
struct UsbConfigInfo
{
    uint16_t totalLength; ///< wTotalLength as the device claims it
    uint8_t numInterfaces;
    uint8_t configurationValue;
    uint8_t configurationString;
    uint8_t attributes;
    uint8_t maxPower; ///< in units of 2 mA (high speed and below)
    bool truncated;   ///< wTotalLength > bytes received: re-read with totalLength
    /// Bytes to walk: min(wTotalLength, received).
    size_t walkBytes;
};

/// The configuration descriptor at the start of buf (received bytes):
/// BadArgument if it is not one (type 2, bLength 9 or more, within the
/// bytes received, wTotalLength at least bLength). A wTotalLength beyond
/// the bytes received is not an error: truncated is set and walkBytes
/// covers only what arrived.
KDRV_NODISCARD KDRV_INLINE Status usbParseConfig(const uint8_t* buf, size_t received,
                                                 UsbConfigInfo* out)
{
    if (buf == nullptr || out == nullptr || received < kUsbConfigDescLength)
        return Status::BadArgument;
    const uint8_t length = buf[0];
    if (length < kUsbConfigDescLength || length > received || buf[1] != kUsbDescConfiguration)
        return Status::BadArgument;
    const uint16_t total = loadLE16(buf + 2);
    if (total < length)
        return Status::BadArgument;
    out->totalLength = total;
    out->numInterfaces = buf[4];
    out->configurationValue = buf[5];
    out->configurationString = buf[6];
    out->attributes = buf[7];
    out->maxPower = buf[8];
    out->truncated = total > received;
    out->walkBytes = total < received ? total : received;
    return Status::Success;
}

/// An interface descriptor's fields.
struct UsbInterfaceInfo
{
    size_t offset; ///< of the interface descriptor
    uint8_t number;
    uint8_t alternateSetting;
    uint8_t numEndpoints;
    uint8_t interfaceClass;
    uint8_t interfaceSubClass;
    uint8_t interfaceProtocol;
    uint8_t interfaceString;
};

/// Transfer types (bmAttributes bits 1..0): kUSBControl .. kUSBInterrupt.
enum : uint8_t
{
    kUsbControl = 0,
    kUsbIsochronous = 1,
    kUsbBulk = 2,
    kUsbInterrupt = 3,
    /// IOUSBFindEndpointRequest wildcards: kUSBAnyType, kUSBAnyDirn.
    kUsbAnyType = 0xFF,
    kUsbAnyDirection = 3,
};

/// An endpoint descriptor's fields.
struct UsbEndpointInfo
{
    size_t offset;          ///< of the endpoint descriptor
    uint8_t address;        ///< bEndpointAddress
    uint8_t attributes;     ///< bmAttributes
    uint16_t maxPacketSize; ///< wMaxPacketSize as sent (bits 12..11: extra transactions)
    uint8_t interval;       ///< bInterval

    constexpr uint8_t number() const { return static_cast<uint8_t>(address & 0x0Fu); }
    constexpr UsbDirection direction() const
    {
        return (address & 0x80u) != 0 ? UsbDirection::In : UsbDirection::Out;
    }
    constexpr uint8_t transferType() const { return static_cast<uint8_t>(attributes & 3u); }
    /// Bytes per transaction (bits 10..0).
    constexpr uint16_t packetBytes() const { return static_cast<uint16_t>(maxPacketSize & 0x7FFu); }
    /// Transactions per microframe, 1 to 3 (high-speed isochronous/interrupt;
    /// the reserved value 3 reads as 4 and is the caller's to reject).
    constexpr uint8_t transactionsPerMicroframe() const
    {
        return static_cast<uint8_t>(((maxPacketSize >> 11) & 3u) + 1u);
    }
};

enum : uint16_t
{
    /// kIOUSBFindInterfaceDontCare: a wildcard field of an interface request.
    kUsbFindDontCare = 0xFFFF,
};

/// As IOUSBFindInterfaceRequest: each field a value or kUsbFindDontCare.
struct UsbFindInterfaceRequest
{
    uint16_t interfaceClass;
    uint16_t interfaceSubClass;
    uint16_t interfaceProtocol;
    uint16_t alternateSetting;
};

/// As IOUSBFindEndpointRequest: type (kUsbAnyType for any) and direction
/// (0 out, 1 in, kUsbAnyDirection) are matched; maxPacketSize and interval
/// are filled in from the endpoint found.
struct UsbFindEndpointRequest
{
    uint8_t type;
    uint8_t direction;
    uint16_t maxPacketSize;
    uint8_t interval;
};

constexpr bool usbFieldMatches(uint16_t want, uint8_t have)
{
    return want == kUsbFindDontCare || want == have;
}

constexpr bool usbInterfaceMatches(const UsbFindInterfaceRequest& r, const UsbInterfaceInfo& i)
{
    return usbFieldMatches(r.interfaceClass, i.interfaceClass) &&
           usbFieldMatches(r.interfaceSubClass, i.interfaceSubClass) &&
           usbFieldMatches(r.interfaceProtocol, i.interfaceProtocol) &&
           usbFieldMatches(r.alternateSetting, i.alternateSetting);
}

/// Type and direction match (control endpoints have no direction of their
/// own: a control endpoint matches any direction request).
constexpr bool usbEndpointMatches(const UsbFindEndpointRequest& r, const UsbEndpointInfo& e)
{
    return (r.type == kUsbAnyType || r.type == e.transferType()) &&
           (r.direction == kUsbAnyDirection || e.transferType() == kUsbControl ||
            r.direction == static_cast<uint8_t>(e.direction()));
}

/// The next interface descriptor at or after *cursor in buf[0..size) (the
/// walkBytes of a configuration) that matches `request`; *cursor moves past
/// it, so the endpoints that follow are found from there and the next call
/// continues the search. NotFound at the end; a malformed descriptor stops
/// the search with the walker's status (an interface descriptor shorter
/// than 9 bytes: BadArgument).
KDRV_NODISCARD inline Status usbFindNextInterface(const uint8_t* buf, size_t size, size_t* cursor,
                                                  const UsbFindInterfaceRequest& request,
                                                  UsbInterfaceInfo* out)
{
    if (cursor == nullptr || out == nullptr)
        return Status::BadArgument;
    size_t at = *cursor;
    UsbDescriptor d;
    Status s;
    while ((s = usbNextDescriptor(buf, size, &at, &d)) == Status::Success)
    {
        if (d.type != kUsbDescInterface)
            continue; // unknown, class-specific, endpoints of other interfaces
        if (d.length < kUsbInterfaceDescLength)
            return Status::BadArgument;
        UsbInterfaceInfo info;
        info.offset = d.offset;
        info.number = d.data[2];
        info.alternateSetting = d.data[3];
        info.numEndpoints = d.data[4];
        info.interfaceClass = d.data[5];
        info.interfaceSubClass = d.data[6];
        info.interfaceProtocol = d.data[7];
        info.interfaceString = d.data[8];
        if (usbInterfaceMatches(request, info))
        {
            *cursor = at;
            *out = info;
            return Status::Success;
        }
    }
    return s;
}

/// The next endpoint descriptor at or after *cursor (just past an interface
/// descriptor) and before the next interface descriptor, that matches
/// *request; fills request->maxPacketSize and ->interval from it and moves
/// *cursor past it. NotFound at the next interface or the end of the buffer;
/// an endpoint descriptor shorter than 7 bytes: BadArgument.
KDRV_NODISCARD inline Status usbFindNextEndpoint(const uint8_t* buf, size_t size, size_t* cursor,
                                                 UsbFindEndpointRequest* request,
                                                 UsbEndpointInfo* out)
{
    if (cursor == nullptr || out == nullptr || request == nullptr)
        return Status::BadArgument;
    size_t at = *cursor;
    UsbDescriptor d;
    Status s;
    while ((s = usbNextDescriptor(buf, size, &at, &d)) == Status::Success)
    {
        if (d.type == kUsbDescInterface)
            return Status::NotFound;
        if (d.type != kUsbDescEndpoint)
            continue;
        if (d.length < kUsbEndpointDescLength)
            return Status::BadArgument;
        UsbEndpointInfo e;
        e.offset = d.offset;
        e.address = d.data[2];
        e.attributes = d.data[3];
        e.maxPacketSize = loadLE16(d.data + 4);
        e.interval = d.data[6];
        if (usbEndpointMatches(*request, e))
        {
            request->maxPacketSize = e.maxPacketSize;
            request->interval = e.interval;
            *cursor = at;
            *out = e;
            return Status::Success;
        }
    }
    return s;
}

// --- String descriptors ---------------------------------------------------------

/// The text of a string descriptor (or, for index 0, its LANGID list) in
/// buf, of which `received` bytes arrived: *utf16le points at the code units
/// (little-endian, possibly unaligned; read them with loadLE16) and *units
/// is (bLength - 2) / 2. BadArgument unless received >= 2, bLength >= 2,
/// bLength even, bLength <= received, and bDescriptorType == 3. bLength == 2
/// is the empty string (0 units).
KDRV_NODISCARD KDRV_INLINE Status usbParseStringDescriptor(const uint8_t* buf, size_t received,
                                                           const uint8_t** utf16le, uint32_t* units)
{
    if (buf == nullptr || utf16le == nullptr || units == nullptr || received < 2)
        return Status::BadArgument;
    const uint8_t length = buf[0];
    if (length < 2 || (length & 1u) != 0 || length > received || buf[1] != kUsbDescString)
        return Status::BadArgument;
    *utf16le = buf + 2;
    *units = (length - 2u) / 2u;
    return Status::Success;
}

/// Copies `units` UTF-16LE code units as ASCII into out[0..outSize): code
/// units 0x20..0x7E as themselves, anything else (and each half of a
/// surrogate pair) as '?'. Always NUL-terminates when outSize > 0; returns
/// the characters written, without the NUL (at most outSize - 1).
inline size_t usbStringToAscii(const uint8_t* utf16le, uint32_t units, char* out, size_t outSize)
{
    if (out == nullptr || outSize == 0)
        return 0;
    size_t n = 0;
    for (uint32_t i = 0; i < units && n + 1 < outSize; ++i)
    {
        const uint16_t u = loadLE16(utf16le + 2 * static_cast<size_t>(i));
        out[n++] = (u >= 0x20 && u <= 0x7E) ? static_cast<char>(u) : '?';
    }
    out[n] = '\0';
    return n;
}

// --- Isochronous frames ----------------------------------------------------------

enum : uint32_t
{
    /// Full-speed frame and high-speed microframe lengths.
    kUsbFrameMicroseconds = 1000,
    kUsbMicroframeMicroseconds = 125,
    /// Largest isochronous payload per (micro)frame transaction.
    kUsbFullSpeedIsocMaxPacket = 1023,
    kUsbHighSpeedIsocMaxPacket = 1024,
};

/// As IOUSBIsocFrame: frStatus is an IOReturn.
struct UsbIsocFrame
{
    int32_t frStatus;
    uint16_t frReqCount;
    uint16_t frActCount;
};

/// Where frame data lies in the transfer buffer (see the file comment).
enum class UsbIsocLayout : uint8_t
{
    Slotted = 0, ///< frame i at the sum of the earlier frReqCount
    Packed = 1,  ///< frame i at the sum of the earlier frActCount
};

/// One frame's data.
struct UsbIsocData
{
    uint32_t frame;  ///< index in the frame list
    uint64_t offset; ///< of its first byte in the buffer
    uint32_t length; ///< frActCount
    Status status;   ///< frStatus
};

/// Walks a completed isochronous frame list over a buffer.
class UsbIsocWalker
{
  public:
    constexpr UsbIsocWalker()
        : frames_(nullptr), count_(0), next_(0), layout_(UsbIsocLayout::Slotted), offset_(0),
          received_(0)
    {
    }

    /// Checks the whole list first: frames non-null when count > 0; every
    /// frActCount <= frReqCount (Overrun), every frReqCount <= maxPacket
    /// (BadArgument; 0 means no limit); and the bytes the layout needs
    /// (slotted: the sum of frReqCount, packed: of frActCount) at most
    /// bufferBytes (BadArgument). Nothing is walked unless it all holds.
    KDRV_NODISCARD Status init(const UsbIsocFrame* frames, uint32_t count, uint64_t bufferBytes,
                               UsbIsocLayout layout, uint32_t maxPacket)
    {
        frames_ = nullptr;
        count_ = 0;
        next_ = 0;
        offset_ = 0;
        received_ = 0;
        if ((frames == nullptr && count != 0) ||
            (layout != UsbIsocLayout::Slotted && layout != UsbIsocLayout::Packed))
            return Status::BadArgument;
        uint64_t need = 0;
        uint64_t received = 0;
        for (uint32_t i = 0; i < count; ++i)
        {
            const UsbIsocFrame& f = frames[i];
            if (f.frActCount > f.frReqCount)
                return Status::Overrun;
            if (maxPacket != 0 && f.frReqCount > maxPacket)
                return Status::BadArgument;
            need += layout == UsbIsocLayout::Slotted ? f.frReqCount : f.frActCount; // < 2^48
            received += f.frActCount;
        }
        if (need > bufferBytes)
            return Status::BadArgument;
        frames_ = frames;
        count_ = count;
        layout_ = layout;
        received_ = received;
        return Status::Success;
    }

    /// The next frame's data; NotFound after the last frame.
    KDRV_NODISCARD Status next(UsbIsocData* out)
    {
        if (out == nullptr)
            return Status::BadArgument;
        if (next_ >= count_)
            return Status::NotFound;
        const UsbIsocFrame& f = frames_[next_];
        out->frame = next_;
        out->offset = offset_;
        out->length = f.frActCount;
        out->status = fromIOReturn(f.frStatus);
        offset_ += layout_ == UsbIsocLayout::Slotted ? f.frReqCount : f.frActCount;
        ++next_;
        return Status::Success;
    }

    /// Sum of frActCount over the list.
    KDRV_NODISCARD uint64_t receivedBytes() const { return received_; }
    KDRV_NODISCARD uint32_t frameCount() const { return count_; }

  private:
    const UsbIsocFrame* frames_;
    uint32_t count_;
    uint32_t next_;
    UsbIsocLayout layout_;
    uint64_t offset_;
    uint64_t received_;
};
} // namespace kdrv

#endif // KDRV_USB_HPP
