// SPDX-License-Identifier: MIT
//
/// \file
/// Kernel-control socket options: a constant table of getsockopt/setsockopt
/// handlers with per-option length limits, and a small model of a kernel
/// control's client lifetime (connect, disconnect, stop).
///
/// In xnu, ctl_ctloutput() calls a control's getopt/setopt callbacks with a
/// kernel copy of the caller's buffer. It trusts the length a getopt
/// callback returns, and panics if it exceeds the buffer. kdrv's table sits
/// between the two and trusts nothing:
///
///   optionGet(table, n, level, opt, unitinfo, data, len)
///     level != kSysprotoControl                      EINVAL
///     opt not in the table, or get == NULL           ENOTSUP
///     data == NULL or *len == 0: a size query; the handler gets data == NULL
///       and the length it reports is returned as is (nothing is copied)
///     otherwise the handler gets data (untouched: it may read a key the
///       caller left there) and *len = min(capacity, maxLen), never 0;
///       capacity < minLen, or maxLen == 0              EINVAL (handler not called)
///       handler sets *len above what it was given     *len clamped, EINVAL
///     else the handler's errno and *len
///
///   optionSet(table, n, level, opt, unitinfo, data, len)
///     level != kSysprotoControl                      EINVAL
///     opt not in the table, or set == NULL           ENOTSUP
///     len outside [minLen, maxLen]                    EINVAL
///     len != 0 with data == NULL                      EINVAL
///     len == 0: the handler gets data == NULL (as xnu passes it)
///     else the handler's errno
///
/// `data` is valid only during the call; a handler that keeps a string copies
/// it with copyOptionString(), which always terminates.
///
/// All functions here are reentrant and never write the table. Results are
/// errno values (0 = success), numbered for the system kdrv runs on
/// (KDRV_CONFIG_ERRNO_BSD): compare with kErrno* or <errno.h> names, never
/// with literal numbers.
#ifndef KDRV_OPTION_TABLE_HPP
#define KDRV_OPTION_TABLE_HPP

#include "kdrv/atomic.hpp" // for AtomicU32, MemoryOrder
#include "kdrv/base.hpp"   // for KDRV_NODISCARD, copyBytes
#include "kdrv/status.hpp" // for Status

namespace kdrv
{
/// errno values the kernel-control path returns. Only ENOTSUP and ENOTCONN
/// differ between Darwin/BSD and Linux.
constexpr int kErrnoEPERM = 1;
constexpr int kErrnoENOENT = 2;
constexpr int kErrnoENOMEM = 12;
constexpr int kErrnoEBUSY = 16;
constexpr int kErrnoEINVAL = 22;
constexpr int kErrnoENOTSUP = KDRV_CONFIG_ERRNO_BSD ? 45 : 95;
constexpr int kErrnoENOTCONN = KDRV_CONFIG_ERRNO_BSD ? 57 : 107;

/// The socket level of kernel-control options (SYSPROTO_CONTROL).
constexpr int kSysprotoControl = 2;
/// Size of a string option's buffer, terminator included.
constexpr uint32_t kOptionStringBufferSize = 256;
/// The book's name for kOptionStringBufferSize (MAX_STRING_LEN in its example).
constexpr uint32_t kMaxStringLen = kOptionStringBufferSize;

/// Handlers return an errno. get: on entry *len is the room in data (0 and
/// data == NULL for a size query); on return, the bytes written (or needed).
typedef int (*OptionGetFn)(void* unitinfo, int opt, void* data, size_t* len);
typedef int (*OptionSetFn)(void* unitinfo, int opt, const void* data, size_t len);

/// One option. A get-only or set-only option leaves the other handler NULL.
struct OptionEntry
{
    int opt;
    uint32_t minLen; // set: smallest accepted length; get: smallest useful buffer
    uint32_t maxLen; // set: largest accepted length; get: the handler sees at most this
    OptionGetFn get;
    OptionSetFn set;
};

namespace detail
{
/// Linear and bounded by `count`: option numbers are sparse, tables short.
KDRV_INLINE const OptionEntry* findOption(const OptionEntry* table, uint32_t count, int opt)
{
    if (table == nullptr)
    {
        return nullptr;
    }
    for (uint32_t i = 0; i < count; ++i)
    {
        if (table[i].opt == opt)
        {
            return &table[i];
        }
    }
    return nullptr;
}
} // namespace detail

/// getsockopt through the table; see the contract at the top of this file.
/// `len` must be non-NULL (EINVAL otherwise).
KDRV_NODISCARD inline int optionGet(const OptionEntry* table, uint32_t count, int level, int opt,
                                    void* unitinfo, void* data, size_t* len)
{
    if (level != kSysprotoControl || len == nullptr)
    {
        return kErrnoEINVAL;
    }
    const OptionEntry* const e = detail::findOption(table, count, opt);
    if (e == nullptr || e->get == nullptr)
    {
        return kErrnoENOTSUP;
    }
    if (data == nullptr || *len == 0)
    {
        size_t needed = 0;
        const int err = e->get(unitinfo, opt, nullptr, &needed);
        if (err == 0)
        {
            *len = needed;
        }
        return err;
    }
    const size_t given = *len < e->maxLen ? *len : static_cast<size_t>(e->maxLen);
    if (*len < e->minLen || given == 0)
    {
        return kErrnoEINVAL;
    }
    size_t reported = given;
    const int err = e->get(unitinfo, opt, data, &reported);
    if (reported > given)
    {
        // xnu panics here; the caller gets what fits and an error.
        *len = given;
        return kErrnoEINVAL;
    }
    *len = reported;
    return err;
}

/// setsockopt through the table; see the contract at the top of this file.
KDRV_NODISCARD inline int optionSet(const OptionEntry* table, uint32_t count, int level, int opt,
                                    void* unitinfo, const void* data, size_t len)
{
    if (level != kSysprotoControl)
    {
        return kErrnoEINVAL;
    }
    const OptionEntry* const e = detail::findOption(table, count, opt);
    if (e == nullptr || e->set == nullptr)
    {
        return kErrnoENOTSUP;
    }
    if (len < e->minLen || len > e->maxLen || (len != 0 && data == nullptr))
    {
        return kErrnoEINVAL;
    }
    return e->set(unitinfo, opt, len != 0 ? data : nullptr, len);
}

/// Copies an option's bytes into a string buffer of `capacity` bytes:
/// min(len, capacity - 1) bytes, then a terminator, whatever `data` holds (a
/// caller need not terminate). Returns the string length, 0 when there is no
/// room at all (capacity == 0 writes nothing).
inline size_t copyOptionString(char* dst, size_t capacity, const void* data, size_t len)
{
    if (dst == nullptr || capacity == 0)
    {
        return 0;
    }
    const size_t n = data == nullptr ? 0 : (len < capacity - 1 ? len : capacity - 1);
    if (n != 0)
    {
        copyBytes(dst, data, n);
    }
    dst[n] = '\0';
    return n;
}

/// The get side of a string option: writes `str` (strLength bytes, no
/// terminator needed in the source) plus a terminator into data, truncating
/// to *len bytes, terminator included, and sets *len to the bytes written.
/// For a size query (data == NULL) sets *len to strLength + 1.
inline void putOptionString(const char* str, size_t strLength, void* data, size_t* len)
{
    if (data == nullptr)
    {
        *len = strLength + 1;
        return;
    }
    if (*len == 0)
    {
        return;
    }
    const size_t n = str == nullptr ? 0 : (strLength < *len - 1 ? strLength : *len - 1);
    char* const out = static_cast<char*>(data);
    if (n != 0)
    {
        copyBytes(out, str, n);
    }
    out[n] = '\0';
    *len = n + 1;
}

// ---------------------------------------------------------------------------
// A kernel control's clients

/// Control flags (ctl_reg.ctl_flags).
constexpr uint32_t kControlFlagPrivileged = 1u; // CTL_FLAG_PRIVILEGED: root clients only

/// connect: allocate per-client state into *unitinfo and return 0, or refuse
/// with an errno (EBUSY, EPERM ...) having allocated nothing. disconnect:
/// free it. Both get the descriptor's context.
typedef int (*ControlConnectFn)(void* context, uint32_t unit, void** unitinfo);
typedef int (*ControlDisconnectFn)(void* context, uint32_t unit, void* unitinfo);

/// Everything constant about a control. POD; may be a static const global.
struct ControlDescriptor
{
    uint32_t flags;
    ControlConnectFn connect;       // may be NULL: clients get unitinfo == NULL
    ControlDisconnectFn disconnect; // may be NULL
    const OptionEntry* options;
    uint32_t optionCount;
    void* context;
};

/// Storage for one client; the control's owner supplies an array of them.
struct ControlSlot
{
    constexpr ControlSlot() : state(), unitinfo(nullptr) {}
    KDRV_NONCOPYABLE(ControlSlot);
    AtomicU32 state; // private to KernelControl
    void* unitinfo;
};

/// The client side of a kernel control: units 1..slotCount, one per
/// connected client, each with the unitinfo its connect callback allocated.
///
/// Concurrency: connect(), stop() and calls for different units may run on
/// any threads at once (slots are claimed with atomics, never a lock). Calls
/// for one unit (getOption, setOption, disconnect) must not overlap: xnu
/// serializes them with the socket's lock, and a disconnect frees the
/// unitinfo the others use.
class KernelControl
{
  public:
    constexpr KernelControl() : desc_(nullptr), slots_(nullptr), slotCount_(0), clients_() {}
    KDRV_NONCOPYABLE(KernelControl);

    /// Two-phase: binds the descriptor and the client slots (all must be
    /// free). BadArgument for NULL pointers or no slots.
    KDRV_NODISCARD Status init(const ControlDescriptor* desc, ControlSlot* slots,
                               uint32_t slotCount)
    {
        if (desc == nullptr || slots == nullptr || slotCount == 0 || slotCount > kMaxUnits)
        {
            return Status::BadArgument;
        }
        desc_ = desc;
        slots_ = slots;
        slotCount_ = slotCount;
        clients_.storePlain(0);
        return Status::Success;
    }

    /// A client connects. EPERM: privileged control and the client is not
    /// root. ENOENT: the control is stopped. EBUSY: every slot is taken.
    /// Else the connect callback's result; on 0, *unit names the client.
    KDRV_NODISCARD int connect(bool clientIsRoot, uint32_t* unit)
    {
        if (unit == nullptr || desc_ == nullptr)
        {
            return kErrnoEINVAL;
        }
        if ((desc_->flags & kControlFlagPrivileged) != 0 && !clientIsRoot)
        {
            return kErrnoEPERM;
        }
        // Count the client first, so stop() cannot succeed under it.
        uint32_t cur = clients_.load(MemoryOrder::Relaxed);
        do
        {
            if ((cur & kStopped) != 0)
            {
                return kErrnoENOENT;
            }
        } while (!clients_.compareExchangeWeak(&cur, cur + 1, MemoryOrder::Acquire,
                                               MemoryOrder::Relaxed));
        ControlSlot* slot = nullptr;
        uint32_t index = 0;
        for (; index < slotCount_; ++index)
        {
            uint32_t expected = kSlotFree;
            if (slots_[index].state.compareExchange(&expected, kSlotBusy, MemoryOrder::Acquire,
                                                    MemoryOrder::Relaxed))
            {
                slot = &slots_[index];
                break;
            }
        }
        if (slot == nullptr)
        {
            clients_.fetchSub(1, MemoryOrder::Release);
            return kErrnoEBUSY;
        }
        void* info = nullptr;
        const int err =
            desc_->connect != nullptr ? desc_->connect(desc_->context, index + 1, &info) : 0;
        if (err != 0)
        {
            slot->state.store(kSlotFree, MemoryOrder::Release);
            clients_.fetchSub(1, MemoryOrder::Release);
            return err;
        }
        slot->unitinfo = info;
        slot->state.store(kSlotConnected, MemoryOrder::Release);
        *unit = index + 1;
        return 0;
    }

    /// The client goes away: the disconnect callback frees its unitinfo.
    /// ENOTCONN if `unit` is not connected. Returns 0 otherwise (as in xnu,
    /// the callback's result does not keep the client).
    KDRV_NODISCARD int disconnect(uint32_t unit)
    {
        ControlSlot* const slot = connectedSlot(unit);
        if (slot == nullptr)
        {
            return kErrnoENOTCONN;
        }
        slot->state.store(kSlotBusy, MemoryOrder::Relaxed);
        if (desc_->disconnect != nullptr)
        {
            static_cast<void>(desc_->disconnect(desc_->context, unit, slot->unitinfo));
        }
        slot->unitinfo = nullptr;
        slot->state.store(kSlotFree, MemoryOrder::Release);
        clients_.fetchSub(1, MemoryOrder::Release);
        return 0;
    }

    /// getsockopt/setsockopt for a client: EINVAL for a wrong level, ENOTCONN
    /// for a unit that is not connected, then optionGet/optionSet.
    KDRV_NODISCARD int getOption(uint32_t unit, int level, int opt, void* data, size_t* len)
    {
        ControlSlot* slot = nullptr;
        const int error = optionSlot(unit, level, &slot);
        if (error != 0)
        {
            return error;
        }
        return optionGet(desc_->options, desc_->optionCount, level, opt, slot->unitinfo, data, len);
    }
    KDRV_NODISCARD int setOption(uint32_t unit, int level, int opt, const void* data, size_t len)
    {
        ControlSlot* slot = nullptr;
        const int error = optionSlot(unit, level, &slot);
        if (error != 0)
        {
            return error;
        }
        return optionSet(desc_->options, desc_->optionCount, level, opt, slot->unitinfo, data, len);
    }

    /// The kext's stop(): EBUSY while any client is connected (the kext then
    /// returns KERN_FAILURE), else 0 and later connects get ENOENT.
    KDRV_NODISCARD int stop()
    {
        uint32_t expected = 0;
        if (clients_.compareExchange(&expected, kStopped, MemoryOrder::AcqRel,
                                     MemoryOrder::Relaxed) ||
            expected == kStopped)
        {
            return 0;
        }
        return kErrnoEBUSY;
    }

    KDRV_NODISCARD uint32_t clientCount() const
    {
        return clients_.load(MemoryOrder::Acquire) & ~kStopped;
    }

  private:
    enum : uint32_t
    {
        kStopped = 0x80000000u,
        kMaxUnits = 0x10000u,
        kSlotFree = 0,
        kSlotBusy = 1,
        kSlotConnected = 2,
    };

    ControlSlot* connectedSlot(uint32_t unit)
    {
        if (slots_ == nullptr || unit == 0 || unit > slotCount_)
        {
            return nullptr;
        }
        ControlSlot* const slot = &slots_[unit - 1];
        return slot->state.load(MemoryOrder::Acquire) == kSlotConnected ? slot : nullptr;
    }

    // getOption()/setOption()'s checks: EINVAL for another level, ENOTCONN
    // for a unit that is not connected; 0 and the unit's slot otherwise.
    int optionSlot(uint32_t unit, int level, ControlSlot** slot)
    {
        if (level != kSysprotoControl)
        {
            return kErrnoEINVAL;
        }
        *slot = connectedSlot(unit);
        return *slot == nullptr ? kErrnoENOTCONN : 0;
    }

    const ControlDescriptor* desc_;
    ControlSlot* slots_;
    uint32_t slotCount_;
    AtomicU32 clients_; // connected (or connecting) clients | kStopped
};
} // namespace kdrv

#endif // KDRV_OPTION_TABLE_HPP
