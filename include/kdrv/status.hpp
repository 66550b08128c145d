// SPDX-License-Identifier: MIT
//
/// \file
/// Status: the result of every kdrv operation that can fail on bad input or
/// state. The values are IOReturn's (iokit/IOKit/IOReturn.h), so a Status can
/// be returned from an I/O Kit method unchanged; kernel builds prove it.
#ifndef KDRV_STATUS_HPP
#define KDRV_STATUS_HPP

#include "kdrv/base.hpp"

namespace kdrv
{
/// sys_iokit | sub_iokit_common, i.e. 0xE0000000 as a 32-bit signed value.
#define KDRV_IORETURN_COMMON(code) (static_cast<int32_t>(-0x20000000) + (code))

enum class KDRV_NODISCARD_TYPE Status : int32_t
{
    Success = 0,
    Error = KDRV_IORETURN_COMMON(0x2bc),
    NoMemory = KDRV_IORETURN_COMMON(0x2bd),
    NoResources = KDRV_IORETURN_COMMON(0x2be),
    IPCError = KDRV_IORETURN_COMMON(0x2bf),
    NoDevice = KDRV_IORETURN_COMMON(0x2c0),
    NotPrivileged = KDRV_IORETURN_COMMON(0x2c1),
    BadArgument = KDRV_IORETURN_COMMON(0x2c2),
    LockedRead = KDRV_IORETURN_COMMON(0x2c3),
    LockedWrite = KDRV_IORETURN_COMMON(0x2c4),
    ExclusiveAccess = KDRV_IORETURN_COMMON(0x2c5),
    BadMessageID = KDRV_IORETURN_COMMON(0x2c6),
    Unsupported = KDRV_IORETURN_COMMON(0x2c7),
    VMError = KDRV_IORETURN_COMMON(0x2c8),
    InternalError = KDRV_IORETURN_COMMON(0x2c9),
    IOError = KDRV_IORETURN_COMMON(0x2ca),
    CannotLock = KDRV_IORETURN_COMMON(0x2cc),
    NotOpen = KDRV_IORETURN_COMMON(0x2cd),
    NotReadable = KDRV_IORETURN_COMMON(0x2ce),
    NotWritable = KDRV_IORETURN_COMMON(0x2cf),
    NotAligned = KDRV_IORETURN_COMMON(0x2d0),
    BadMedia = KDRV_IORETURN_COMMON(0x2d1),
    StillOpen = KDRV_IORETURN_COMMON(0x2d2),
    RLDError = KDRV_IORETURN_COMMON(0x2d3),
    DMAError = KDRV_IORETURN_COMMON(0x2d4),
    Busy = KDRV_IORETURN_COMMON(0x2d5),
    Timeout = KDRV_IORETURN_COMMON(0x2d6),
    Offline = KDRV_IORETURN_COMMON(0x2d7),
    NotReady = KDRV_IORETURN_COMMON(0x2d8),
    NotAttached = KDRV_IORETURN_COMMON(0x2d9),
    NoChannels = KDRV_IORETURN_COMMON(0x2da),
    NoSpace = KDRV_IORETURN_COMMON(0x2db),
    PortExists = KDRV_IORETURN_COMMON(0x2dd),
    CannotWire = KDRV_IORETURN_COMMON(0x2de),
    NoInterrupt = KDRV_IORETURN_COMMON(0x2df),
    NoFrames = KDRV_IORETURN_COMMON(0x2e0),
    MessageTooLarge = KDRV_IORETURN_COMMON(0x2e1),
    NotPermitted = KDRV_IORETURN_COMMON(0x2e2),
    NoPower = KDRV_IORETURN_COMMON(0x2e3),
    NoMedia = KDRV_IORETURN_COMMON(0x2e4),
    UnformattedMedia = KDRV_IORETURN_COMMON(0x2e5),
    UnsupportedMode = KDRV_IORETURN_COMMON(0x2e6),
    Underrun = KDRV_IORETURN_COMMON(0x2e7),
    Overrun = KDRV_IORETURN_COMMON(0x2e8),
    DeviceError = KDRV_IORETURN_COMMON(0x2e9),
    NoCompletion = KDRV_IORETURN_COMMON(0x2ea),
    Aborted = KDRV_IORETURN_COMMON(0x2eb),
    NoBandwidth = KDRV_IORETURN_COMMON(0x2ec),
    NotResponding = KDRV_IORETURN_COMMON(0x2ed),
    IsoTooOld = KDRV_IORETURN_COMMON(0x2ee),
    IsoTooNew = KDRV_IORETURN_COMMON(0x2ef),
    NotFound = KDRV_IORETURN_COMMON(0x2f0),
    Invalid = KDRV_IORETURN_COMMON(0x1),
};

constexpr bool isSuccess(Status s) { return s == Status::Success; }
constexpr bool isError(Status s) { return s != Status::Success; }

/// The IOReturn (kern_return_t) value, for returning from I/O Kit methods.
constexpr int32_t toIOReturn(Status s) { return static_cast<int32_t>(s); }
/// Any IOReturn, including codes kdrv does not name, round-trips unchanged.
constexpr Status fromIOReturn(int32_t r) { return static_cast<Status>(r); }

/// The kIOReturn* name without the prefix, or "Unknown".
inline const char* statusName(Status s)
{
    switch (s)
    {
#define KDRV_STATUS_NAME_(n) \
    case Status::n:          \
        return #n
        KDRV_STATUS_NAME_(Success);
        KDRV_STATUS_NAME_(Error);
        KDRV_STATUS_NAME_(NoMemory);
        KDRV_STATUS_NAME_(NoResources);
        KDRV_STATUS_NAME_(IPCError);
        KDRV_STATUS_NAME_(NoDevice);
        KDRV_STATUS_NAME_(NotPrivileged);
        KDRV_STATUS_NAME_(BadArgument);
        KDRV_STATUS_NAME_(LockedRead);
        KDRV_STATUS_NAME_(LockedWrite);
        KDRV_STATUS_NAME_(ExclusiveAccess);
        KDRV_STATUS_NAME_(BadMessageID);
        KDRV_STATUS_NAME_(Unsupported);
        KDRV_STATUS_NAME_(VMError);
        KDRV_STATUS_NAME_(InternalError);
        KDRV_STATUS_NAME_(IOError);
        KDRV_STATUS_NAME_(CannotLock);
        KDRV_STATUS_NAME_(NotOpen);
        KDRV_STATUS_NAME_(NotReadable);
        KDRV_STATUS_NAME_(NotWritable);
        KDRV_STATUS_NAME_(NotAligned);
        KDRV_STATUS_NAME_(BadMedia);
        KDRV_STATUS_NAME_(StillOpen);
        KDRV_STATUS_NAME_(RLDError);
        KDRV_STATUS_NAME_(DMAError);
        KDRV_STATUS_NAME_(Busy);
        KDRV_STATUS_NAME_(Timeout);
        KDRV_STATUS_NAME_(Offline);
        KDRV_STATUS_NAME_(NotReady);
        KDRV_STATUS_NAME_(NotAttached);
        KDRV_STATUS_NAME_(NoChannels);
        KDRV_STATUS_NAME_(NoSpace);
        KDRV_STATUS_NAME_(PortExists);
        KDRV_STATUS_NAME_(CannotWire);
        KDRV_STATUS_NAME_(NoInterrupt);
        KDRV_STATUS_NAME_(NoFrames);
        KDRV_STATUS_NAME_(MessageTooLarge);
        KDRV_STATUS_NAME_(NotPermitted);
        KDRV_STATUS_NAME_(NoPower);
        KDRV_STATUS_NAME_(NoMedia);
        KDRV_STATUS_NAME_(UnformattedMedia);
        KDRV_STATUS_NAME_(UnsupportedMode);
        KDRV_STATUS_NAME_(Underrun);
        KDRV_STATUS_NAME_(Overrun);
        KDRV_STATUS_NAME_(DeviceError);
        KDRV_STATUS_NAME_(NoCompletion);
        KDRV_STATUS_NAME_(Aborted);
        KDRV_STATUS_NAME_(NoBandwidth);
        KDRV_STATUS_NAME_(NotResponding);
        KDRV_STATUS_NAME_(IsoTooOld);
        KDRV_STATUS_NAME_(IsoTooNew);
        KDRV_STATUS_NAME_(NotFound);
        KDRV_STATUS_NAME_(Invalid);
#undef KDRV_STATUS_NAME_
    }
    return "Unknown";
}
} // namespace kdrv

#endif // KDRV_STATUS_HPP
