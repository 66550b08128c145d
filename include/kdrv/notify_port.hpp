// SPDX-License-Identifier: MIT
//
/// \file
/// Notifications from the driver: the port a client registered with
/// registerNotificationPort(), and sending a message to it (in a kext,
/// mach_msg_send_from_kernel). The port is an opaque pointer and the
/// transport a function pointer, so the same driver code runs, and is tested,
/// in user space.
///
/// Contract: sending without a registered port is Error (the book's guard),
/// never a crash; registering again replaces the port; registering NULL
/// clears it. The message header comes first and NotifyPort::send() sets its
/// size and remote port. NotifyPort holds no lock: its owner serializes
/// registerPort(), clear() and send() (the user client's gate or lock).
/// No allocation; a constant-initialized NotifyPort is valid and unregistered.
#ifndef KDRV_NOTIFY_PORT_HPP
#define KDRV_NOTIFY_PORT_HPP

#include "kdrv/base.hpp"   // for KDRV_NODISCARD, KDRV_NONCOPYABLE
#include "kdrv/status.hpp" // for Status

namespace kdrv
{
/// A message begins with this header; the layout follows mach_msg_header_t
/// (bits, size, remote port, local port, voucher, id).
struct NotifyHeader
{
    uint32_t bits;
    uint32_t size;    // set by NotifyPort::send to the whole message size
    void* remotePort; // set by NotifyPort::send to the registered port
    void* localPort;
    uint32_t voucherPort;
    int32_t id;
};

/// Sends a complete message to `port` (in a kext: mach_msg_send_from_kernel).
typedef Status (*NotifySendFn)(void* context, void* port, NotifyHeader* message, uint32_t size);

/// The port a client registered for notifications, modelled as an opaque
/// pointer plus a send function so the same code runs in user space.
///
/// Not synchronized: registerPort(), clear() and send() must be serialized by
/// the owner (the user client's gate or lock), since a replaced port may be
/// released by the caller as soon as registerPort() returns.
class NotifyPort
{
  public:
    constexpr NotifyPort() : send_(nullptr), context_(nullptr), port_(nullptr), type_(0), refCon_(0)
    {
    }
    KDRV_NONCOPYABLE(NotifyPort);

    /// Sets the transport. Two-phase: a constant-initialized NotifyPort has none.
    void init(NotifySendFn sendFn, void* sendContext)
    {
        send_ = sendFn;
        context_ = sendContext;
    }

    /// registerNotificationPort(port, type, refCon): stores the port,
    /// replacing any earlier one; port == NULL clears. Always Success.
    KDRV_NODISCARD Status registerPort(void* port, uint32_t type, uint64_t refCon)
    {
        port_ = port;
        type_ = port != nullptr ? type : 0;
        refCon_ = port != nullptr ? refCon : 0;
        return Status::Success;
    }

    void clear() { static_cast<void>(registerPort(nullptr, 0, 0)); }

    KDRV_NODISCARD bool isRegistered() const { return port_ != nullptr; }
    KDRV_NODISCARD void* port() const { return port_; }
    KDRV_NODISCARD uint32_t type() const { return type_; }
    KDRV_NODISCARD uint64_t refCon() const { return refCon_; }

    /// Fills message->remotePort and message->size (= size) and sends.
    ///   no registered port                          Error (the book's guard)
    ///   message == NULL or size < sizeof(NotifyHeader)  BadArgument
    ///   no send function                            Error
    ///   otherwise                                   the send function's status
    KDRV_NODISCARD Status send(NotifyHeader* message, uint32_t size) const
    {
        if (port_ == nullptr)
        {
            return Status::Error;
        }
        if (message == nullptr || size < sizeof(NotifyHeader))
        {
            return Status::BadArgument;
        }
        if (send_ == nullptr)
        {
            return Status::Error;
        }
        message->remotePort = port_;
        message->size = size;
        return send_(context_, port_, message, size);
    }

  private:
    NotifySendFn send_;
    void* context_;
    void* port_;
    uint32_t type_;
    uint64_t refCon_;
};
} // namespace kdrv

#endif // KDRV_NOTIFY_PORT_HPP
