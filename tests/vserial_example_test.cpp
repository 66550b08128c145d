// SPDX-License-Identifier: MIT
//
// Tests of the vserial example's driver core (examples/vserial/core), over
// both backends: the same core the kext skeleton and the user-space program
// are built from. Most tests step the DMA engine by hand, one doorbell at a
// time, so every transfer and every segment is exact; the threaded ones
// check outcomes that do not depend on timing.
#include "kdrv/platform/power_layout.hpp" // opt-in: the IOPMPowerState layout proof
#include "vserial/core/vserial_core.hpp"
#include "vserial/core/vserial_engine.hpp"
#include "vserial/core/vserial_methods.hpp"
#include "vserial/core/vserial_power_model.hpp"

#include "kdrv/dispatch.hpp"
#include "kdrv/platform/platform.hpp"
#if KDRV_CONFIG_PLATFORM == KDRV_PLATFORM_XNU
#include "kdrv/platform/xnu_dispatch.hpp"
#endif

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using kdrv::Status;

namespace
{
// Gives a blocked thread time to go to sleep. Correctness never depends on
// it: every test passes whether the other thread slept or not.
void settle() { std::this_thread::sleep_for(std::chrono::milliseconds(20)); }

uint32_t stressScale()
{
    const char* s = std::getenv("KDRV_STRESS_SCALE");
    const long v = s != nullptr ? std::strtol(s, nullptr, 10) : 1;
    return v > 0 ? static_cast<uint32_t>(v) : 1u;
}

typedef std::pair<uint64_t, uint64_t> Segment; // ring offset, length

// A core with the user-space power model and a hand-stepped engine. The
// doorbell only counts; tests call engine.service() to play the device.
struct Bench
{
    vserial::Core core;
    vserial::PowerManagerModel power;
    vserial::LoopbackEngine engine;
    std::atomic<int> doorbells{0};
    std::mutex segmentMutex;
    std::vector<Segment> segments;
    uint64_t now = 0;

    explicit Bench(unsigned long idleSeconds = 1)
    {
        vserial::Hooks hooks = {};
        hooks.deviceContext = this;
        hooks.ringDoorbell = [](void* self) { static_cast<Bench*>(self)->doorbells++; };
        power.fillHooks(&hooks);
        REQUIRE(core.init(hooks) == Status::Success);
        kdrv::PowerTableIssues issues;
        REQUIRE(power.init(&core, idleSeconds, &issues) == Status::Success);
        vserial::EngineTrace trace = {this, recordSegment};
        engine.init(&core, &trace);
    }
    ~Bench()
    {
        power.destroy();
        core.destroy();
    }

    static void recordSegment(void* self, uint32_t, uint64_t address, uint64_t length)
    {
        Bench* const b = static_cast<Bench*>(self);
        std::lock_guard<std::mutex> lock(b->segmentMutex);
        b->segments.push_back(Segment(address - b->core.transmitBusBase(), length));
    }

    std::vector<Segment> takeSegments()
    {
        std::lock_guard<std::mutex> lock(segmentMutex);
        std::vector<Segment> out;
        out.swap(segments);
        return out;
    }

    vserial::Stats stats()
    {
        vserial::Stats s;
        core.getStats(&s);
        return s;
    }

    void idlePeriod()
    {
        now += 1000000;
        power.advanceTo(now);
    }

    // Writes text, plays the device once, reads the loopback back.
    std::string roundTrip(const std::string& text)
    {
        uint32_t accepted = 0;
        CHECK(core.write(reinterpret_cast<const uint8_t*>(text.data()),
                         static_cast<uint32_t>(text.size()), &accepted) == Status::Success);
        CHECK(accepted == text.size());
        CHECK(engine.service());
        CHECK_FALSE(engine.service()); // one doorbell, one transfer
        std::string back(text.size(), '\0');
        uint32_t got = 0;
        CHECK(core.read(reinterpret_cast<uint8_t*>(&back[0]), static_cast<uint32_t>(back.size()),
                        static_cast<uint32_t>(back.size()), 1000, &got) == Status::Success);
        back.resize(got);
        return back;
    }
};

// Hooks whose power management never changes anything: the core alone
// decides, and tests drive setPowerState() by hand.
struct ManualPower
{
    std::atomic<int> tickles{0};
    std::atomic<unsigned long> floor{99};
    static bool tickle(void* self, unsigned long)
    {
        static_cast<ManualPower*>(self)->tickles++;
        return false;
    }
    static Status request(void* self, unsigned long state)
    {
        static_cast<ManualPower*>(self)->floor = state;
        return Status::Success;
    }
};

// One external-method call through kdrv's dispatcher, as the user client
// makes it.
struct MethodCall
{
    std::vector<uint64_t> in;
    std::string structIn;
    uint64_t out[16] = {};
    uint32_t outCount = 0;
    std::vector<uint8_t> structOut;
    uint32_t structOutSize = 0;
    void* inDescriptor = nullptr;
    uint64_t inDescriptorLength = 0;

    Status call(vserial::Core* core, uint32_t selector, bool admin)
    {
        structOut.resize(structOutSize);
        kdrv::MethodArgs a;
        std::memset(&a, 0, sizeof(a));
        a.version = kdrv::kMethodArgsVersion;
        a.selector = selector;
        a.scalarInput = in.data();
        a.scalarInputCount = static_cast<uint32_t>(in.size());
        a.structureInput = structIn.empty() ? nullptr : structIn.data();
        a.structureInputSize = static_cast<uint32_t>(structIn.size());
        a.structureInputDescriptor = inDescriptor;
        a.structureInputDescriptorLength = inDescriptorLength;
        a.scalarOutput = out;
        a.scalarOutputCount = outCount;
        a.structureOutput = structOutSize != 0 ? structOut.data() : nullptr;
        a.structureOutputSize = structOutSize;
        a.clientPrivileged = admin;
        const Status s = kdrv::dispatchMethod(vserial::kMethods, vserial::kSelectorCount, selector,
                                              &a, core, nullptr);
        outCount = a.scalarOutputCount;
        structOutSize = a.structureOutputSize;
        return s;
    }
};
} // namespace

TEST_CASE("vserial: the power table passes kdrv's validation without findings")
{
    kdrv::PowerTableIssues issues;
    CHECK(kdrv::validatePowerTable(vserial::kPowerStates, vserial::kPowerStateCount, &issues) ==
          Status::Success);
    CHECK(issues.errorCount == 0);
    CHECK(issues.warningCount == 0);
    CHECK(kdrv::highestUsableState(vserial::kPowerStates, vserial::kPowerStateCount) ==
          vserial::kPowerOn);
    CHECK((vserial::kPowerStates[vserial::kPowerDoze].capabilityFlags & kdrv::kPMDeviceUsable) ==
          0);
#if KDRV_HAVE_IOPM_POWER_STATE
    // The kext hands the same array to registerPowerDriver().
    const IOPMPowerState* asIOKit = kdrv::asIOPMPowerStates(vserial::kPowerStates);
    CHECK(static_cast<const void*>(asIOKit) == static_cast<const void*>(vserial::kPowerStates));
    CHECK(asIOKit[vserial::kPowerOn].capabilityFlags == (kIOPMPowerOn | kIOPMDeviceUsable));
#endif
}

TEST_CASE("vserial: the method table has one row per selector, with the documented shapes")
{
    CHECK(KDRV_COUNTOF(vserial::kMethods) == vserial::kSelectorCount);
    for (uint32_t i = 0; i < vserial::kSelectorCount; ++i)
    {
        CAPTURE(i);
        const bool hasHandler = vserial::kMethods[i].function != nullptr;
        CHECK(hasHandler);
        CHECK(((vserial::kMethods[i].flags & kdrv::kMethodRequireAdmin) != 0) ==
              (i == vserial::kSelectorSetPowerFloor));
        CHECK((vserial::kMethods[i].flags & kdrv::kMethodAllowAsync) == 0);
    }
    CHECK(vserial::kMethods[vserial::kSelectorWrite].checkStructureInputSize ==
          kdrv::kVariableSize);
    CHECK(vserial::kMethods[vserial::kSelectorRead].checkStructureOutputSize ==
          kdrv::kVariableSize);
    CHECK(vserial::kMethods[vserial::kSelectorGetStats].checkStructureOutputSize ==
          sizeof(vserial::Stats));
}

TEST_CASE("vserial: init refuses missing hooks")
{
    vserial::Core core;
    vserial::Hooks hooks = {};
    CHECK(core.init(hooks) == Status::BadArgument);
}

TEST_CASE("vserial: open is exclusive, close needs an open port, and both move the power floor")
{
    Bench b;
    CHECK(b.core.powerState() == vserial::kPowerOff);
    CHECK(b.core.open() == Status::Success);
    CHECK(b.core.powerState() == vserial::kPowerDoze); // the floor while open
    CHECK(b.core.open() == Status::ExclusiveAccess);
    const vserial::Stats s = b.stats();
    CHECK((s.serialState & kdrv::kSerialStateAcquired) != 0);
    CHECK((s.serialState & kdrv::kSerialStateTxqEmpty) != 0);
    CHECK((s.serialState & kdrv::kSerialStateRxqEmpty) != 0);
    CHECK(b.core.close() == Status::Success);
    CHECK(b.core.powerState() == vserial::kPowerOff); // no floor, no activity
    CHECK(b.stats().serialState == 0);
    CHECK(b.core.close() == Status::NotOpen);
    CHECK(b.core.open() == Status::Success); // reopen after close
    CHECK(b.core.close() == Status::Success);
}

TEST_CASE("vserial: configure accepts the line's rates only, on an open port")
{
    Bench b;
    CHECK(b.core.configure(115200) == Status::NotOpen);
    CHECK(b.core.open() == Status::Success);
    CHECK(b.core.configure(115200) == Status::Success);
    CHECK(b.core.configure(12345) == Status::BadArgument);
    CHECK(b.core.configure(0) == Status::BadArgument);
    CHECK(b.stats().baudRate == 115200);
    CHECK(b.core.close() == Status::Success);
}

TEST_CASE("vserial: a write is one DMA transfer that reads the ring's bytes in place")
{
    Bench b;
    REQUIRE(b.core.open() == Status::Success);
    const std::string text = "The quick brown fox jumps over the lazy dog";
    uint32_t accepted = 0;
    REQUIRE(b.core.write(reinterpret_cast<const uint8_t*>(text.data()),
                         static_cast<uint32_t>(text.size()), &accepted) == Status::Success);
    CHECK(accepted == 43);
    CHECK(b.doorbells == 1);
    CHECK(b.core.powerState() == vserial::kPowerOn); // the write's tickle
    vserial::Stats s = b.stats();
    CHECK((s.serialState & kdrv::kSerialStateTxBusy) != 0);
    CHECK(s.requestsInUse == 1);

    REQUIRE(b.engine.service());
    // 32-byte segments, from the ring's storage itself (offset 0: a fresh ring).
    CHECK(b.takeSegments() == std::vector<Segment>{Segment(0, 32), Segment(32, 11)});
    s = b.stats();
    CHECK((s.serialState & kdrv::kSerialStateTxBusy) == 0);
    CHECK(s.bytesWritten == 43);
    CHECK(s.bytesTransmitted == 43);
    CHECK(s.bytesReceived == 43);
    CHECK(s.dmaTransfers == 1);
    CHECK(s.dmaSegments == 2);
    CHECK(s.lastTransferBytes == 43);
    CHECK(s.lastTransferSegments == 2);
    CHECK(s.requestsInUse == 0);

    std::string back(43, '\0');
    uint32_t got = 0;
    CHECK(b.core.read(reinterpret_cast<uint8_t*>(&back[0]), 43, 43, 0, &got) == Status::Success);
    CHECK(got == 43);
    CHECK(back == text);
    CHECK(b.stats().bytesRead == 43);
    CHECK(b.core.close() == Status::Success);
}

TEST_CASE("vserial: a wrapped ring gives two runs, cut at the segment limit and the boundary")
{
    Bench b;
    REQUIRE(b.core.open() == Status::Success);
    CHECK(b.roundTrip(std::string(43, 'a')) == std::string(43, 'a'));
    (void)b.takeSegments();
    std::string text;
    for (int i = 0; i < 96; ++i)
        text += static_cast<char>('0' + i % 10);
    CHECK(b.roundTrip(text) == text);
    // From offset 43: up to the 64-byte boundary, two full segments, then the
    // wrap to the start of the ring (a second physical run).
    CHECK(b.takeSegments() ==
          std::vector<Segment>{Segment(43, 21), Segment(64, 32), Segment(96, 32), Segment(0, 11)});
    CHECK(b.stats().lastTransferSegments == 4);
    CHECK(b.core.close() == Status::Success);
}

TEST_CASE("vserial: the device's reference keeps a request alive after the driver lets go")
{
    Bench b;
    REQUIRE(b.core.open() == Status::Success);
    uint32_t accepted = 0;
    const uint8_t data[5] = {1, 2, 3, 4, 5};
    REQUIRE(b.core.write(data, 5, &accepted) == Status::Success);
    vserial::Request* request = b.core.deviceFetchRequest();
    REQUIRE(request != nullptr);
    CHECK(b.core.deviceFetchRequest() == nullptr); // handed over once
    CHECK(request->retainCount() == 2);            // driver and device
    CHECK(request->byteCount == 5);
    CHECK(request->segmentCount == 1);
    CHECK(kdrv::loadLE64(request->descriptors + 8) == 5);

    b.core.deviceTransmitComplete(request, Status::Success);
    CHECK(request->retainCount() == 1); // the driver let go; the device still reads
    CHECK(b.stats().requestsInUse == 1);
    request->release(); // the last reference: back to the pool
    CHECK(b.stats().requestsInUse == 0);
    CHECK(b.stats().bytesTransmitted == 5);
    CHECK(b.core.close() == Status::Success);
}

TEST_CASE("vserial: failed and stale completions")
{
    Bench b;
    REQUIRE(b.core.open() == Status::Success);
    uint32_t accepted = 0;
    const uint8_t data[7] = {};
    REQUIRE(b.core.write(data, 7, &accepted) == Status::Success);
    vserial::Request* request = b.core.deviceFetchRequest();
    REQUIRE(request != nullptr);
    b.core.deviceTransmitComplete(nullptr, Status::Success); // not ours: ignored
    CHECK(request->retainCount() == 2);

    SUBCASE("an error drops the bytes and is counted")
    {
        request->retain(); // keep it observable past the completion
        b.core.deviceTransmitComplete(request, Status::DMAError);
        const vserial::Stats s = b.stats();
        CHECK(s.dmaErrors == 1);
        CHECK(s.bytesTransmitted == 0);
        CHECK((s.serialState & kdrv::kSerialStateTxqEmpty) != 0);
        b.core.deviceTransmitComplete(request, Status::Success); // a duplicate: ignored
        CHECK(b.stats().dmaTransfers == 0);
        CHECK(request->retainCount() == 2);
        request->release();
    }
    SUBCASE("success")
    {
        b.core.deviceTransmitComplete(request, Status::Success);
        CHECK(b.stats().dmaTransfers == 1);
    }
    request->release(); // the device's reference
    CHECK(b.stats().requestsInUse == 0);
    CHECK(b.core.close() == Status::Success);
}

TEST_CASE("vserial: bytes written while unpowered wait for setPowerState(on)")
{
    vserial::Core core;
    ManualPower pm;
    std::atomic<int> doorbells{0};
    vserial::Hooks hooks = {};
    hooks.deviceContext = &doorbells;
    hooks.ringDoorbell = [](void* d) { (*static_cast<std::atomic<int>*>(d))++; };
    hooks.powerContext = &pm;
    hooks.activityTickle = ManualPower::tickle;
    hooks.changePowerStateTo = ManualPower::request;
    REQUIRE(core.init(hooks) == Status::Success);
    REQUIRE(core.open() == Status::Success);
    CHECK(pm.floor == vserial::kPowerDoze);
    (void)core.setPowerState(vserial::kPowerDoze, 1);

    // The writer queues its bytes, then sleeps until power arrives.
    std::atomic<int> result{-1};
    std::atomic<uint32_t> accepted{0};
    std::thread writer(
        [&]
        {
            const uint8_t data[10] = {};
            uint32_t n = 0;
            result = static_cast<int>(core.write(data, 10, &n));
            accepted = n;
        });
    settle();
    CHECK(doorbells == 0);                          // no transfer while the engine is clock gated
    (void)core.setPowerState(vserial::kPowerOn, 2); // what power management does
    writer.join();
    CHECK(result == static_cast<int>(Status::Success));
    CHECK(accepted == 10);
    CHECK(pm.tickles >= 1);
    CHECK(doorbells == 1);
    vserial::Stats s;
    core.getStats(&s);
    CHECK(s.powerChanges == 2);
    CHECK(s.bytesWritten == 10);

    vserial::LoopbackEngine engine;
    engine.init(&core, nullptr);
    CHECK(engine.service());
    CHECK(core.close() == Status::Success);
    CHECK(pm.floor == vserial::kPowerOff);
    core.destroy();
}

TEST_CASE("vserial: the idle timer steps down one state per quiet period, to the floor")
{
    Bench b;
    REQUIRE(b.core.open() == Status::Success);
    CHECK(b.roundTrip("ping") == "ping");
    CHECK(b.core.powerState() == vserial::kPowerOn);
    b.idlePeriod(); // the write was activity: forgiven
    CHECK(b.core.powerState() == vserial::kPowerOn);
    b.idlePeriod();
    CHECK(b.core.powerState() == vserial::kPowerDoze);
    b.idlePeriod(); // the open port's floor
    CHECK(b.core.powerState() == vserial::kPowerDoze);
    CHECK(b.roundTrip("wake") == "wake"); // activity wakes the device at once
    CHECK(b.core.powerState() == vserial::kPowerOn);
    CHECK(b.core.close() == Status::Success);
    CHECK(b.core.powerState() == vserial::kPowerOn); // the idle timer lowers it
    b.idlePeriod();
    b.idlePeriod();
    CHECK(b.core.powerState() == vserial::kPowerDoze);
    b.idlePeriod();
    CHECK(b.core.powerState() == vserial::kPowerOff);
    CHECK(b.power.stats().idleDrops >= 3);
}

TEST_CASE("vserial: reads time out, and closed ports refuse reads and writes")
{
    Bench b;
    uint8_t buffer[4] = {};
    uint32_t n = 99;
    CHECK(b.core.read(buffer, 4, 1, 1, &n) == Status::NotOpen);
    CHECK(b.core.write(buffer, 4, &n) == Status::NotOpen);
    CHECK(n == 0);
    CHECK(b.core.powerState() == vserial::kPowerOff); // no tickle for a closed port
    REQUIRE(b.core.open() == Status::Success);
    CHECK(b.core.read(buffer, 4, 1, 1, &n) == Status::Timeout);
    CHECK(n == 0);
    CHECK(b.core.read(buffer, 4, 0, 0, &n) == Status::Success); // nothing needed
    CHECK(b.core.read(buffer, 4, 5, 0, &n) == Status::BadArgument);
    CHECK(b.core.read(nullptr, 4, 0, 0, &n) == Status::BadArgument);
    CHECK(b.core.write(nullptr, 4, &n) == Status::BadArgument);
    CHECK(b.core.write(buffer, 4, nullptr) == Status::BadArgument);
    CHECK(b.core.close() == Status::Success);
}

TEST_CASE("vserial: close wakes a blocked reader")
{
    Bench b;
    REQUIRE(b.core.open() == Status::Success);
    std::atomic<int> result{-1};
    std::thread reader(
        [&]
        {
            uint8_t buffer[8];
            uint32_t n = 0;
            result = static_cast<int>(b.core.read(buffer, 8, 8, 0, &n));
        });
    settle();
    CHECK(b.core.close() == Status::Success);
    reader.join();
    CHECK(result == static_cast<int>(Status::NotOpen));
}

TEST_CASE("vserial: a writer blocked on a full ring resumes as the device drains it")
{
    Bench b;
    REQUIRE(b.core.open() == Status::Success);
    std::vector<uint8_t> data(300);
    for (size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<uint8_t>(i);
    std::atomic<bool> done{false};
    std::atomic<int> result{-1};
    std::atomic<uint32_t> accepted{0};
    std::thread writer(
        [&]
        {
            uint32_t n = 0;
            result = static_cast<int>(b.core.write(data.data(), 300, &n));
            accepted = n;
            done = true;
        });
    // Play the device until the writer is through; read what comes back so
    // that nothing is dropped.
    std::vector<uint8_t> back;
    bool readFailed = false;
    while (!readFailed && (!done || back.size() < 300))
    {
        (void)b.engine.service();
        uint8_t buffer[128];
        uint32_t n = 0;
        readFailed = b.core.read(buffer, sizeof(buffer), 0, 0, &n) != Status::Success;
        back.insert(back.end(), buffer, buffer + n);
        std::this_thread::yield();
    }
    writer.join();
    CHECK_FALSE(readFailed);
    CHECK(result == static_cast<int>(Status::Success));
    CHECK(accepted == 300);
    CHECK(back == data);
    const vserial::Stats s = b.stats();
    CHECK(s.bytesTransmitted == 300);
    CHECK(s.receiveDropped == 0);
    CHECK(s.dmaTransfers >= 3); // at most 128 bytes per transfer
    CHECK(s.requestsInUse == 0);
    CHECK(b.core.close() == Status::Success);
}

TEST_CASE("vserial: lowering the power waits for the transfer in flight")
{
    Bench b;
    REQUIRE(b.core.open() == Status::Success);
    uint32_t accepted = 0;
    const uint8_t data[20] = {};
    REQUIRE(b.core.write(data, 20, &accepted) == Status::Success);
    std::atomic<bool> lowered{false};
    std::thread pm(
        [&]
        {
            (void)b.core.setPowerState(vserial::kPowerDoze, 7);
            lowered = true;
        });
    settle();
    // Whether or not the power thread is asleep yet, the transfer completes
    // first and the device ends in doze with nothing in flight.
    CHECK(b.engine.service());
    pm.join();
    CHECK(lowered);
    const vserial::Stats s = b.stats();
    CHECK(s.powerState == vserial::kPowerDoze);
    CHECK(s.dmaTransfers == 1);
    CHECK((s.serialState & kdrv::kSerialStateTxBusy) == 0);
    CHECK(b.core.close() == Status::Success);
}

TEST_CASE("vserial: the dispatcher rejects bad calls before any handler runs")
{
    Bench b;
    MethodCall open;
    CHECK(open.call(&b.core, vserial::kSelectorOpen, false) == Status::Success);

    MethodCall c1;
    CHECK(c1.call(&b.core, vserial::kSelectorConfigure, false) == Status::BadArgument); // no scalar
    MethodCall c2;
    c2.in = {(uint64_t(1) << 32) + 115200}; // would truncate to a valid rate
    CHECK(c2.call(&b.core, vserial::kSelectorConfigure, false) == Status::BadArgument);
    MethodCall c3;
    CHECK(c3.call(&b.core, vserial::kSelectorCount, false) == Status::Unsupported);

    MethodCall floorGuest;
    floorGuest.in = {vserial::kPowerOn};
    CHECK(floorGuest.call(&b.core, vserial::kSelectorSetPowerFloor, false) ==
          Status::NotPrivileged);
    MethodCall floorBad;
    floorBad.in = {vserial::kPowerStateCount};
    CHECK(floorBad.call(&b.core, vserial::kSelectorSetPowerFloor, true) == Status::BadArgument);
    MethodCall floorAdmin;
    floorAdmin.in = {vserial::kPowerOn};
    CHECK(floorAdmin.call(&b.core, vserial::kSelectorSetPowerFloor, true) == Status::Success);
    CHECK(b.core.powerState() == vserial::kPowerOn);

    MethodCall stats;
    stats.structOutSize = sizeof(vserial::Stats) - 8;
    CHECK(stats.call(&b.core, vserial::kSelectorGetStats, false) == Status::BadArgument);
    stats.structOutSize = sizeof(vserial::Stats);
    CHECK(stats.call(&b.core, vserial::kSelectorGetStats, false) == Status::Success);
    vserial::Stats s;
    std::memcpy(&s, stats.structOut.data(), sizeof(s));
    CHECK(s.version == vserial::kStatsVersion);
    CHECK(s.powerState == vserial::kPowerOn);

    MethodCall r1;
    r1.in = {5, 0};
    r1.structOutSize = 4; // minimum beyond the buffer
    CHECK(r1.call(&b.core, vserial::kSelectorRead, false) == Status::BadArgument);
    MethodCall r2;
    r2.in = {0, vserial::kMaxReadTimeoutMs + 1};
    r2.structOutSize = 4;
    CHECK(r2.call(&b.core, vserial::kSelectorRead, false) == Status::BadArgument);

    int descriptor = 0; // any non-null handle: the dispatcher never looks inside
    MethodCall w1;
    w1.inDescriptor = &descriptor;
    w1.inDescriptorLength = 8192;
    w1.outCount = 1;
    CHECK(w1.call(&b.core, vserial::kSelectorWrite, false) == Status::Unsupported);

    MethodCall w2;
    w2.structIn = "hello";
    w2.outCount = 1;
    CHECK(w2.call(&b.core, vserial::kSelectorWrite, false) == Status::Success);
    CHECK(w2.outCount == 1);
    CHECK(w2.out[0] == 5);
    CHECK(b.engine.service());
    MethodCall r3;
    r3.in = {5, 1000};
    r3.structOutSize = 16;
    CHECK(r3.call(&b.core, vserial::kSelectorRead, false) == Status::Success);
    CHECK(r3.structOutSize == 5); // the variable-length output's real size
    CHECK(std::string(r3.structOut.begin(), r3.structOut.begin() + 5) == "hello");

    MethodCall close;
    CHECK(close.call(&b.core, vserial::kSelectorClose, false) == Status::Success);
    CHECK(close.call(&b.core, vserial::kSelectorClose, false) == Status::NotOpen);
}

#if KDRV_CONFIG_PLATFORM == KDRV_PLATFORM_XNU
TEST_CASE("vserial: the kext's path, IOExternalMethodArguments through the bridge")
{
    Bench b;
    IOExternalMethodArguments args;
    std::memset(&args, 0, sizeof(args));
    args.version = kIOExternalMethodArgumentsCurrentVersion;
    CHECK(kdrv::dispatchExternalMethod(vserial::kMethods, vserial::kSelectorCount,
                                       vserial::kSelectorOpen, &args, &b.core, nullptr,
                                       false) == kIOReturnSuccess);
    CHECK(kdrv::dispatchExternalMethod(vserial::kMethods, vserial::kSelectorCount,
                                       vserial::kSelectorOpen, &args, &b.core, nullptr,
                                       false) == kIOReturnExclusiveAccess);
    vserial::Stats stats;
    std::memset(&args, 0, sizeof(args));
    args.version = kIOExternalMethodArgumentsCurrentVersion;
    args.structureOutput = &stats;
    args.structureOutputSize = sizeof(stats);
    CHECK(kdrv::dispatchExternalMethod(vserial::kMethods, vserial::kSelectorCount,
                                       vserial::kSelectorGetStats, &args, &b.core, nullptr,
                                       false) == kIOReturnSuccess);
    CHECK(args.structureOutputSize == sizeof(stats));
    CHECK((stats.serialState & kdrv::kSerialStateAcquired) != 0);
    const uint64_t floor = vserial::kPowerOn;
    std::memset(&args, 0, sizeof(args));
    args.version = kIOExternalMethodArgumentsCurrentVersion;
    args.scalarInput = &floor;
    args.scalarInputCount = 1;
    CHECK(kdrv::dispatchExternalMethod(vserial::kMethods, vserial::kSelectorCount,
                                       vserial::kSelectorSetPowerFloor, &args, &b.core, nullptr,
                                       false) == kIOReturnNotPrivileged);
    std::memset(&args, 0, sizeof(args));
    args.version = kIOExternalMethodArgumentsCurrentVersion;
    CHECK(kdrv::dispatchExternalMethod(vserial::kMethods, vserial::kSelectorCount,
                                       vserial::kSelectorClose, &args, &b.core, nullptr,
                                       false) == kIOReturnSuccess);
}
#endif

TEST_CASE("stress: vserial: writer, reader, device and idle timer threads move every byte once, "
          "in order")
{
    Bench b;
    REQUIRE(b.core.open() == Status::Success);
    const uint64_t total = 200000ull * stressScale();
    std::atomic<uint64_t> readTotal{0};
    std::atomic<bool> writerDone{false};
    std::atomic<bool> stop{false};
    std::atomic<int> writeErrors{0};

    // The device: wakes on the doorbell (and polls, so that no doorbell can
    // be missed between the check and the wait), serves every request.
    std::mutex deviceMutex;
    std::condition_variable deviceWake;
    std::thread device(
        [&]
        {
            while (!stop)
            {
                while (b.engine.service())
                {
                }
                std::unique_lock<std::mutex> lock(deviceMutex);
                deviceWake.wait_for(lock, std::chrono::microseconds(200));
            }
        });
    // Power management's clock runs fast: idle periods end all the time, so
    // power drops under the writer and the writer's tickles raise it again.
    std::thread clock(
        [&]
        {
            while (!stop)
            {
                b.idlePeriod();
                std::this_thread::yield();
            }
        });
    // The writer keeps at most one ring's worth of bytes unread, so the
    // loopback never overflows the receive ring and every byte must arrive.
    std::thread writer(
        [&]
        {
            uint64_t written = 0;
            uint32_t chunk = 1;
            while (written < total)
            {
                const uint32_t n =
                    static_cast<uint32_t>(std::min<uint64_t>(chunk, total - written));
                while (written + n - readTotal.load() > vserial::kRingSize)
                    std::this_thread::yield();
                uint8_t data[64];
                for (uint32_t i = 0; i < n; ++i)
                    data[i] = static_cast<uint8_t>((written + i) * 7 + 3);
                uint32_t accepted = 0;
                if (b.core.write(data, n, &accepted) != Status::Success || accepted != n)
                {
                    writeErrors++;
                    break;
                }
                deviceWake.notify_one();
                written += n;
                chunk = chunk % 64 + 1;
            }
            writerDone = true;
        });
    uint64_t mismatches = 0;
    while (readTotal.load() < total && writeErrors == 0)
    {
        uint8_t buffer[128];
        uint32_t n = 0;
        const Status s = b.core.read(buffer, sizeof(buffer), 1, 50, &n);
        if (s != Status::Success && s != Status::Timeout)
            break;
        const uint64_t base = readTotal.load();
        for (uint32_t i = 0; i < n; ++i)
            mismatches += buffer[i] != static_cast<uint8_t>((base + i) * 7 + 3);
        readTotal += n;
    }
    writer.join();
    stop = true;
    deviceWake.notify_one();
    device.join();
    clock.join();

    CHECK(writeErrors == 0);
    CHECK(readTotal == total);
    CHECK(mismatches == 0);
    const vserial::Stats s = b.stats();
    CHECK(s.bytesWritten == total);
    CHECK(s.bytesTransmitted == total);
    CHECK(s.bytesReceived == total);
    CHECK(s.receiveDropped == 0);
    CHECK(s.dmaErrors == 0);
    CHECK(s.requestsInUse == 0);
    CHECK(b.core.close() == Status::Success);
}
