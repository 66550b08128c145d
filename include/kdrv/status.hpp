// SPDX-License-Identifier: MIT
//
/// \file
/// Status: the result of every kdrv operation that can fail on bad input or
/// state. The values are IOReturn's (iokit/IOKit/IOReturn.h), so a Status can
/// be returned from an I/O Kit method unchanged; kernel builds prove it.
#ifndef KDRV_STATUS_HPP
#define KDRV_STATUS_HPP

#include "kdrv/base.hpp" // for int32_t, KDRV_NODISCARD_TYPE

namespace kdrv
{
/// sys_iokit | sub_iokit_common, i.e. 0xE0000000 as a 32-bit signed value.
#define KDRV_IORETURN_COMMON(code) (static_cast<int32_t>(-0x20000000) + (code))

/// The status table, one row per code: X(name, IOReturn subcode of
/// sys_iokit | sub_iokit_common). Success (0) is not in the table. The enum,
/// statusName() and the kernel build's checks against <IOKit/IOReturn.h> are
/// all generated from it, so a code is added in one place.
#define KDRV_STATUS_CODES(X)                                                                       \
    X(Error, 0x2bc)                                                                                \
    X(NoMemory, 0x2bd)                                                                             \
    X(NoResources, 0x2be)                                                                          \
    X(IPCError, 0x2bf)                                                                             \
    X(NoDevice, 0x2c0)                                                                             \
    X(NotPrivileged, 0x2c1)                                                                        \
    X(BadArgument, 0x2c2)                                                                          \
    X(LockedRead, 0x2c3)                                                                           \
    X(LockedWrite, 0x2c4)                                                                          \
    X(ExclusiveAccess, 0x2c5)                                                                      \
    X(BadMessageID, 0x2c6)                                                                         \
    X(Unsupported, 0x2c7)                                                                          \
    X(VMError, 0x2c8)                                                                              \
    X(InternalError, 0x2c9)                                                                        \
    X(IOError, 0x2ca)                                                                              \
    X(CannotLock, 0x2cc)                                                                           \
    X(NotOpen, 0x2cd)                                                                              \
    X(NotReadable, 0x2ce)                                                                          \
    X(NotWritable, 0x2cf)                                                                          \
    X(NotAligned, 0x2d0)                                                                           \
    X(BadMedia, 0x2d1)                                                                             \
    X(StillOpen, 0x2d2)                                                                            \
    X(RLDError, 0x2d3)                                                                             \
    X(DMAError, 0x2d4)                                                                             \
    X(Busy, 0x2d5)                                                                                 \
    X(Timeout, 0x2d6)                                                                              \
    X(Offline, 0x2d7)                                                                              \
    X(NotReady, 0x2d8)                                                                             \
    X(NotAttached, 0x2d9)                                                                          \
    X(NoChannels, 0x2da)                                                                           \
    X(NoSpace, 0x2db)                                                                              \
    X(PortExists, 0x2dd)                                                                           \
    X(CannotWire, 0x2de)                                                                           \
    X(NoInterrupt, 0x2df)                                                                          \
    X(NoFrames, 0x2e0)                                                                             \
    X(MessageTooLarge, 0x2e1)                                                                      \
    X(NotPermitted, 0x2e2)                                                                         \
    X(NoPower, 0x2e3)                                                                              \
    X(NoMedia, 0x2e4)                                                                              \
    X(UnformattedMedia, 0x2e5)                                                                     \
    X(UnsupportedMode, 0x2e6)                                                                      \
    X(Underrun, 0x2e7)                                                                             \
    X(Overrun, 0x2e8)                                                                              \
    X(DeviceError, 0x2e9)                                                                          \
    X(NoCompletion, 0x2ea)                                                                         \
    X(Aborted, 0x2eb)                                                                              \
    X(NoBandwidth, 0x2ec)                                                                          \
    X(NotResponding, 0x2ed)                                                                        \
    X(IsoTooOld, 0x2ee)                                                                            \
    X(IsoTooNew, 0x2ef)                                                                            \
    X(NotFound, 0x2f0)                                                                             \
    X(Invalid, 0x1)

enum class KDRV_NODISCARD_TYPE Status : int32_t
{
    Success = 0,
#define KDRV_STATUS_ENUMERATOR_(name, code) name = KDRV_IORETURN_COMMON(code),
    KDRV_STATUS_CODES(KDRV_STATUS_ENUMERATOR_)
#undef KDRV_STATUS_ENUMERATOR_
};

/// The number of named codes, Success included.
#define KDRV_STATUS_COUNT_ONE_(name, code) +1
constexpr uint32_t kStatusCodeCount = 1u KDRV_STATUS_CODES(KDRV_STATUS_COUNT_ONE_);
#undef KDRV_STATUS_COUNT_ONE_

constexpr bool isSuccess(Status s) { return s == Status::Success; }
constexpr bool isError(Status s) { return s != Status::Success; }

/// The IOReturn (kern_return_t) value, for returning from I/O Kit methods.
constexpr int32_t toIOReturn(Status s) { return static_cast<int32_t>(s); }
/// Any IOReturn, including codes kdrv does not name, round-trips unchanged.
KDRV_NODISCARD constexpr Status fromIOReturn(int32_t r) { return static_cast<Status>(r); }

/// The kIOReturn* name without the prefix, or "Unknown".
inline const char* statusName(Status s)
{
    switch (s)
    {
    case Status::Success:
        return "Success";
#define KDRV_STATUS_NAME_(name, code)                                                              \
    case Status::name:                                                                             \
        return #name;
        KDRV_STATUS_CODES(KDRV_STATUS_NAME_)
#undef KDRV_STATUS_NAME_
    }
    return "Unknown";
}
} // namespace kdrv

#endif // KDRV_STATUS_HPP
