// SPDX-License-Identifier: MIT
//
// vserial_demo: the vserial driver core in user space. One thread plays the
// device (the loopback DMA engine behind the doorbell); the main thread is a
// client that runs a scripted session and prints what happens:
//
//   open, configure, write, read back, idle to low power, wake, close.
//
// Built twice from the same source: over kdrv's posix backend and over its
// xnu backend (the stand-in SDK's user-space simulation of IOLock & co).
// On the xnu build the client's calls travel through
// kdrv::dispatchExternalMethod() with an IOExternalMethodArguments block,
// exactly as they would in the kext's user client. Both builds must print
// the same session, byte for byte (CTest compares it with expected.txt).
// Nothing printed depends on time or addresses: the idle timer runs on a
// simulated clock, and segments are shown as offsets into the ring.
#include "kdrv/dispatch.hpp"
#include "kdrv/platform/platform.hpp"
#include "kdrv/status.hpp"
#if KDRV_CONFIG_PLATFORM == KDRV_PLATFORM_XNU
#include "kdrv/platform/xnu_dispatch.hpp"
#endif

#include "vserial/core/vserial_core.hpp"
#include "vserial/core/vserial_engine.hpp"
#include "vserial/core/vserial_methods.hpp"
#include "vserial/core/vserial_power_model.hpp"

#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace
{
using kdrv::Status;

constexpr unsigned long kIdleSeconds = 1;

// The core is a constant-initialized global, as in the kext. (The power
// model is not marked: g++ in C++20 and later does not accept
// kdrv::PowerPolicy's constructor as a constant initializer.)
KDRV_CONST_INIT vserial::Core gCore;
vserial::PowerManagerModel gPower;

const char* powerName(unsigned long state)
{
    static const char* const kNames[] = {"off", "doze", "on"};
    return state < vserial::kPowerStateCount ? kNames[state] : "?";
}

// ---- the device ---------------------------------------------------------------

// The hardware side: a thread that sleeps until the doorbell rings, then
// lets the engine handle every waiting request. It also records the
// segments the engine reads, for the session log.
class DeviceThread
{
  public:
    void start(vserial::Core* core)
    {
        vserial::EngineTrace trace = {this, recordSegment};
        engine_.init(core, &trace);
        base_ = core->transmitBusBase();
        thread_ = std::thread([this] { run(); });
    }

    void stop()
    {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_one();
        thread_.join();
    }

    // Hooks::ringDoorbell: called with the core's gate held, so it only
    // signals the thread.
    static void ringDoorbell(void* context)
    {
        DeviceThread* const self = static_cast<DeviceThread*>(context);
        {
            std::lock_guard<std::mutex> lock(self->mutex_);
            self->doorbell_ = true;
        }
        self->wake_.notify_one();
    }

    // The segments of the transfers done so far, then forgotten. Called by
    // the client after its read returned, which happens after the transfer.
    std::string takeSegmentLog()
    {
        std::lock_guard<std::mutex> lock(mutex_);
        std::string log;
        log.swap(segmentLog_);
        return log;
    }

  private:
    void run()
    {
        for (;;)
        {
            {
                std::unique_lock<std::mutex> lock(mutex_);
                wake_.wait(lock, [this] { return doorbell_ || stopping_; });
                if (!doorbell_ && stopping_)
                    return;
                doorbell_ = false;
            }
            while (engine_.service())
            {
            }
        }
    }

    static void recordSegment(void* context, uint32_t, uint64_t address, uint64_t length)
    {
        DeviceThread* const self = static_cast<DeviceThread*>(context);
        const uint64_t offset = address - self->base_;
        char text[48];
        std::snprintf(text, sizeof(text), " [%llu,%llu)", static_cast<unsigned long long>(offset),
                      static_cast<unsigned long long>(offset + length));
        std::lock_guard<std::mutex> lock(self->mutex_);
        self->segmentLog_ += text;
    }

    vserial::LoopbackEngine engine_;
    uint64_t base_ = 0;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool doorbell_ = false;
    bool stopping_ = false;
    std::string segmentLog_;
};

// ---- the client -----------------------------------------------------------------

// One external-method call, as IOConnectCallMethod() describes it.
struct Call
{
    std::vector<uint64_t> scalarsIn;
    std::string structIn;
    uint32_t scalarsOut = 0;    // capacity in, count out
    uint32_t structOutSize = 0; // capacity in, size out
    uint64_t scalarOut[16] = {};
    std::vector<uint8_t> structOut;
};

class Client
{
  public:
    Client(vserial::Core* core, bool administrator) : core_(core), admin_(administrator) {}

    Status call(uint32_t selector, Call& c)
    {
        c.structOut.resize(c.structOutSize);
#if KDRV_CONFIG_PLATFORM == KDRV_PLATFORM_XNU
        // The kext's path: an IOExternalMethodArguments block, bridged.
        IOExternalMethodArguments args;
        std::memset(&args, 0, sizeof(args));
        args.version = kIOExternalMethodArgumentsCurrentVersion;
        args.selector = selector;
        args.scalarInput = c.scalarsIn.data();
        args.scalarInputCount = static_cast<uint32_t>(c.scalarsIn.size());
        args.structureInput = c.structIn.data();
        args.structureInputSize = static_cast<uint32_t>(c.structIn.size());
        args.scalarOutput = c.scalarOut;
        args.scalarOutputCount = c.scalarsOut;
        args.structureOutput = c.structOut.data();
        args.structureOutputSize = c.structOutSize;
        const IOReturn r = kdrv::dispatchExternalMethod(vserial::kMethods, vserial::kSelectorCount,
                                                        selector, &args, core_, nullptr, admin_);
        c.scalarsOut = args.scalarOutputCount;
        c.structOutSize = args.structureOutputSize;
        return kdrv::fromIOReturn(r);
#else
        kdrv::MethodArgs args;
        std::memset(&args, 0, sizeof(args));
        args.version = kdrv::kMethodArgsVersion;
        args.selector = selector;
        args.scalarInput = c.scalarsIn.data();
        args.scalarInputCount = static_cast<uint32_t>(c.scalarsIn.size());
        args.structureInput = c.structIn.data();
        args.structureInputSize = static_cast<uint32_t>(c.structIn.size());
        args.scalarOutput = c.scalarOut;
        args.scalarOutputCount = c.scalarsOut;
        args.structureOutput = c.structOut.data();
        args.structureOutputSize = c.structOutSize;
        args.clientPrivileged = admin_;
        const Status s = kdrv::dispatchMethod(vserial::kMethods, vserial::kSelectorCount, selector,
                                              &args, core_, nullptr);
        c.scalarsOut = args.scalarOutputCount;
        c.structOutSize = args.structureOutputSize;
        return s;
#endif
    }

  private:
    vserial::Core* core_;
    bool admin_;
};

// ---- the session ----------------------------------------------------------------

class Session
{
  public:
    Session(DeviceThread* device) : device_(device), user_(&gCore, true), guest_(&gCore, false) {}

    void run()
    {
        std::printf("vserial: one driver core, a virtual serial port with a loopback DMA "
                    "engine\n");
        std::printf("dma: segments of at most %u bytes, none crossing a %llu-byte boundary, "
                    "at most %u per transfer\n",
                    vserial::kMaxSegmentBytes,
                    static_cast<unsigned long long>(vserial::kSegmentBoundary),
                    vserial::Request::kMaxSegments);
        std::printf("power: off -> doze -> on; idle timer %lu s per period (simulated clock)\n",
                    kIdleSeconds);

        simple("open", vserial::kSelectorOpen, {});
        simple("configure 115200 baud", vserial::kSelectorConfigure, {115200});
        simple("configure 12345 baud", vserial::kSelectorConfigure, {12345});

        writeAndReadBack("The quick brown fox jumps over the lazy dog");
        idle();
        idle();
        writeAndReadBack("Pack my box with five dozen liquor jugs; the ring wraps around here "
                         "and the DMA list follows it.");

        simple("set power floor 2 (as a guest)", vserial::kSelectorSetPowerFloor, {2}, &guest_);
        simple("selector 42", 42, {});
        {
            Call c;
            c.scalarsIn = {1, 0};
            (void)step("read 1 byte into 0 bytes", vserial::kSelectorRead, c);
        }
        stats();
        simple("close", vserial::kSelectorClose, {});
        std::printf("           the floor is off again; the idle timer lowers the power, one "
                    "state per quiet period\n");
        idle();
        idle();
        idle();
        {
            Call c;
            c.structIn = "late";
            c.scalarsOut = 1;
            (void)step("write after close", vserial::kSelectorWrite, c);
        }
        simple("close again", vserial::kSelectorClose, {});
    }

  private:
    // Runs one call and prints "[t] what -> status", plus any power change.
    Status step(const char* what, uint32_t selector, Call& c, Client* client = nullptr)
    {
        const unsigned long before = gCore.powerState();
        const Status s = (client != nullptr ? client : &user_)->call(selector, c);
        const unsigned long after = gCore.powerState();
        std::printf("[t=%llus] %-32s -> %s", static_cast<unsigned long long>(nowMicros_ / 1000000),
                    what, kdrv::statusName(s));
        if (before != after)
            std::printf("   (power %s -> %s)", powerName(before), powerName(after));
        std::printf("\n");
        return s;
    }

    void simple(const char* what, uint32_t selector, std::vector<uint64_t> scalars,
                Client* client = nullptr)
    {
        Call c;
        c.scalarsIn = std::move(scalars);
        (void)step(what, selector, c, client);
    }

    void writeAndReadBack(const std::string& text)
    {
        Call w;
        w.structIn = text;
        w.scalarsOut = 1;
        std::string what = "write " + std::to_string(text.size()) + " bytes";
        if (step(what.c_str(), vserial::kSelectorWrite, w) == Status::Success)
            std::printf("           accepted %llu\n",
                        static_cast<unsigned long long>(w.scalarOut[0]));

        Call r;
        r.scalarsIn = {text.size(), 5000}; // all of it, or time out after 5 s
        r.structOutSize = static_cast<uint32_t>(text.size());
        what = "read " + std::to_string(text.size()) + " bytes";
        if (step(what.c_str(), vserial::kSelectorRead, r) == Status::Success)
        {
            const std::string back(r.structOut.begin(), r.structOut.begin() + r.structOutSize);
            std::printf("           \"%s\"%s\n", back.c_str(), back == text ? "" : "   (MISMATCH)");
        }
        // The read returned after the loopback, so the transfer is complete.
        std::printf("           dma segments (ring offsets):%s\n",
                    device_->takeSegmentLog().c_str());
    }

    // One idle period passes on the simulated clock.
    void idle()
    {
        const unsigned long before = gCore.powerState();
        nowMicros_ += kIdleSeconds * 1000000u;
        gPower.advanceTo(nowMicros_);
        const unsigned long after = gCore.powerState();
        std::printf("[t=%llus] %-32s -> ", static_cast<unsigned long long>(nowMicros_ / 1000000),
                    "idle period ends");
        if (before != after)
            std::printf("power %s -> %s\n", powerName(before), powerName(after));
        else
            std::printf("power stays %s\n", powerName(after));
    }

    // The state word's bits by their IOSerialFamily names.
    static std::string stateNames(uint32_t state)
    {
        static const struct
        {
            uint32_t bit;
            const char* name;
        } kBits[] = {
            {kdrv::kSerialStateAcquired, "ACQUIRED"},
            {kdrv::kSerialStateActive, "ACTIVE"},
            {kdrv::kSerialStateTxEnable, "TX_ENABLE"},
            {kdrv::kSerialStateTxBusy, "TX_BUSY"},
            {kdrv::kSerialStateTxqEmpty, "TXQ_EMPTY"},
            {kdrv::kSerialStateTxqLowWater, "TXQ_LOW_WATER"},
            {kdrv::kSerialStateTxqHighWater, "TXQ_HIGH_WATER"},
            {kdrv::kSerialStateTxqFull, "TXQ_FULL"},
            {kdrv::kSerialStateRxEnable, "RX_ENABLE"},
            {kdrv::kSerialStateRxqEmpty, "RXQ_EMPTY"},
            {kdrv::kSerialStateRxqLowWater, "RXQ_LOW_WATER"},
            {kdrv::kSerialStateRxqHighWater, "RXQ_HIGH_WATER"},
            {kdrv::kSerialStateRxqFull, "RXQ_FULL"},
        };
        std::string names;
        for (const auto& b : kBits)
        {
            if ((state & b.bit) != 0)
                names += std::string(" ") + b.name;
        }
        return names.empty() ? " (none)" : names;
    }

    void stats()
    {
        Call c;
        c.structOutSize = sizeof(vserial::Stats);
        if (step("get stats", vserial::kSelectorGetStats, c) != Status::Success)
            return;
        vserial::Stats s;
        std::memcpy(&s, c.structOut.data(), sizeof(s));
        std::printf("           baud %u, power %s, written %llu, transmitted %llu, received "
                    "%llu, read %llu, dropped %llu\n",
                    s.baudRate, powerName(s.powerState),
                    static_cast<unsigned long long>(s.bytesWritten),
                    static_cast<unsigned long long>(s.bytesTransmitted),
                    static_cast<unsigned long long>(s.bytesReceived),
                    static_cast<unsigned long long>(s.bytesRead),
                    static_cast<unsigned long long>(s.receiveDropped));
        std::printf("           dma transfers %llu, segments %llu, errors %u, requests in use "
                    "%u, power changes %u\n",
                    static_cast<unsigned long long>(s.dmaTransfers),
                    static_cast<unsigned long long>(s.dmaSegments), s.dmaErrors, s.requestsInUse,
                    s.powerChanges);
        std::printf("           serial state%s\n", stateNames(s.serialState).c_str());
    }

    DeviceThread* device_;
    Client user_;  // an administrator's client
    Client guest_; // an unprivileged one
    uint64_t nowMicros_ = 0;
};
} // namespace

int main()
{
    std::fprintf(stderr, "vserial_demo: kdrv backend %s\n",
                 KDRV_CONFIG_PLATFORM == KDRV_PLATFORM_XNU ? "xnu (user-space simulation)"
                                                           : "posix");
    DeviceThread device;
    vserial::Hooks hooks = {};
    hooks.deviceContext = &device;
    hooks.ringDoorbell = DeviceThread::ringDoorbell;
    gPower.fillHooks(&hooks);

    Status s = gCore.init(hooks);
    if (s != Status::Success)
    {
        std::fprintf(stderr, "vserial_demo: core init failed: %s\n", kdrv::statusName(s));
        return 1;
    }
    kdrv::PowerTableIssues issues;
    s = gPower.init(&gCore, kIdleSeconds, &issues);
    if (s != Status::Success || issues.warningCount != 0)
    {
        std::fprintf(stderr, "vserial_demo: power table rejected: %s\n", kdrv::statusName(s));
        return 1;
    }
    device.start(&gCore);

    Session session(&device);
    session.run();

    device.stop();
    gPower.destroy();
    gCore.destroy();
    return 0;
}
