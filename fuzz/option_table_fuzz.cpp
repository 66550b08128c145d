// SPDX-License-Identifier: MIT
//
// Kernel-control sequences against KernelControl and the option table: the
// input decodes into connects, disconnects, option gets and sets (levels,
// option numbers, capacities, NULL or exact-size buffers, handlers that lie
// about lengths and fail) and stops. A reference model written from
// option_table.hpp's contract predicts every errno, unit number and length.
//
// Invariants: no crash or out-of-bounds access (ASan/UBSan); every result
// equals the model's; handlers only see lengths inside the option's bounds
// and non-NULL data exactly when there are bytes; a returned get length
// never exceeds what the handler was given; unitinfo is allocated once per
// connect and freed once per disconnect.
//
// Public operations reached, in any order: KernelControl init (also refused:
// null descriptor or slots, no slots), connect, disconnect, getOption,
// setOption, stop, clientCount, each also before init; optionGet and
// optionSet through getOption/setOption (every option kind of the table, both
// directions).
#include "kdrv/option_table.hpp"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vector>

#include "fuzz_check.hpp" // for FUZZ_CHECK

namespace
{
constexpr uint32_t kSlots = 3;
constexpr uint32_t kMagic = 0x6B647276u;
constexpr uint8_t kCallerByte = 0x5C;

struct ClientInfo
{
    uint32_t magic;
    uint32_t unit;
};

// What the next handler call does; set by the driver loop, read by handlers.
struct World
{
    int connectRefusal = 0;
    size_t getClaim = 0;
    int handlerErr = 0;
    int allocations = 0;
    int frees = 0;
    int handlerCalls = 0;
    // What the last get handler was given.
    bool lastGetHadData = false;
    size_t lastGetGiven = 0;
};
World g;

const kdrv::OptionEntry* entryFor(int opt);

void checkInfo(void* unitinfo)
{
    FUZZ_CHECK(unitinfo != nullptr);
    const ClientInfo* info = static_cast<const ClientInfo*>(unitinfo);
    FUZZ_CHECK(info->magic == kMagic);
}

int fuzzGet(void* unitinfo, int opt, void* data, size_t* len)
{
    checkInfo(unitinfo);
    ++g.handlerCalls;
    const kdrv::OptionEntry* e = entryFor(opt);
    FUZZ_CHECK(e != nullptr && len != nullptr);
    g.lastGetHadData = data != nullptr;
    g.lastGetGiven = *len;
    if (data != nullptr)
    {
        FUZZ_CHECK(*len >= e->minLen && *len <= e->maxLen && *len > 0);
        uint8_t* bytes = static_cast<uint8_t*>(data);
        FUZZ_CHECK(bytes[0] == kCallerByte); // the caller's bytes are visible
        memset(bytes, 0x77, *len);           // the whole promised room is writable
    }
    else
    {
        FUZZ_CHECK(*len == 0);
    }
    *len = g.getClaim;
    return g.handlerErr;
}

int fuzzSet(void* unitinfo, int opt, const void* data, size_t len)
{
    checkInfo(unitinfo);
    ++g.handlerCalls;
    const kdrv::OptionEntry* e = entryFor(opt);
    FUZZ_CHECK(e != nullptr);
    FUZZ_CHECK(len >= e->minLen && len <= e->maxLen);
    FUZZ_CHECK((data != nullptr) == (len != 0));
    const uint8_t* bytes = static_cast<const uint8_t*>(data);
    unsigned sum = 0;
    for (size_t i = 0; i < len; ++i)
    {
        sum += bytes[i];
    }
    char copy[16];
    const size_t n = kdrv::copyOptionString(copy, sizeof copy, data, len);
    FUZZ_CHECK(n < sizeof copy && copy[n] == '\0');
    return g.handlerErr + static_cast<int>(sum & 0);
}

int fuzzConnect(void*, uint32_t unit, void** unitinfo)
{
    if (g.connectRefusal != 0)
    {
        return g.connectRefusal;
    }
    ClientInfo* info = new ClientInfo{kMagic, unit};
    *unitinfo = info;
    ++g.allocations;
    return 0;
}

int fuzzDisconnect(void*, uint32_t unit, void* unitinfo)
{
    checkInfo(unitinfo);
    ClientInfo* info = static_cast<ClientInfo*>(unitinfo);
    FUZZ_CHECK(info->unit == unit);
    info->magic = 0;
    delete info;
    ++g.frees;
    return 0;
}

const kdrv::OptionEntry sOptions[] = {
    {1, 0, kdrv::kMaxStringLen, fuzzGet, fuzzSet},
    {2, 4, 4, fuzzGet, nullptr},
    {3, 4, 4, nullptr, fuzzSet},
    {4, 0, 16, nullptr, nullptr},
    {5, 1, 64, fuzzGet, fuzzSet},
    {7, 0, 0, fuzzGet, fuzzSet},
};

const kdrv::OptionEntry* entryFor(int opt)
{
    for (const kdrv::OptionEntry& e : sOptions)
    {
        if (e.opt == opt)
        {
            return &e;
        }
    }
    return nullptr;
}

class Reader
{
  public:
    Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
    bool done() const { return pos_ >= size_; }
    uint8_t u8() { return pos_ < size_ ? data_[pos_++] : 0; }
    uint32_t u16() { return (static_cast<uint32_t>(u8()) << 8) | u8(); }
    size_t length()
    {
        static const size_t kEdges[] = {0, 1, 3, 4, 5, 15, 16, 17, 63, 64, 65, 255, 256, 257, 600};
        const uint8_t k = u8();
        return k < 200 ? kEdges[k % KDRV_COUNTOF(kEdges)] : u16() % 1200;
    }

  private:
    const uint8_t* data_;
    size_t size_;
    size_t pos_ = 0;
};

// The model's view of the control.
struct Model
{
    bool connected[kSlots] = {};
    bool stopped = false;
    bool privileged = false;

    bool isConnected(uint32_t unit) const
    {
        return unit >= 1 && unit <= kSlots && connected[unit - 1];
    }
};

int modelGet(const Model& m, uint32_t unit, int level, int opt, bool haveData, bool haveLen,
             size_t* len, bool* called)
{
    *called = false;
    if (level != kdrv::kSysprotoControl)
    {
        return kdrv::kErrnoEINVAL;
    }
    if (!m.isConnected(unit))
    {
        return kdrv::kErrnoENOTCONN;
    }
    if (!haveLen)
    {
        return kdrv::kErrnoEINVAL;
    }
    const kdrv::OptionEntry* e = entryFor(opt);
    if (e == nullptr || e->get == nullptr)
    {
        return kdrv::kErrnoENOTSUP;
    }
    if (!haveData || *len == 0)
    {
        *called = true;
        if (g.handlerErr == 0)
        {
            *len = g.getClaim;
        }
        return g.handlerErr;
    }
    const size_t given = *len < e->maxLen ? *len : e->maxLen;
    if (*len < e->minLen || given == 0)
    {
        return kdrv::kErrnoEINVAL;
    }
    *called = true;
    if (g.getClaim > given)
    {
        *len = given;
        return kdrv::kErrnoEINVAL;
    }
    *len = g.getClaim;
    return g.handlerErr;
}

int modelSet(const Model& m, uint32_t unit, int level, int opt, bool haveData, size_t len,
             bool* called)
{
    *called = false;
    if (level != kdrv::kSysprotoControl)
    {
        return kdrv::kErrnoEINVAL;
    }
    if (!m.isConnected(unit))
    {
        return kdrv::kErrnoENOTCONN;
    }
    const kdrv::OptionEntry* e = entryFor(opt);
    if (e == nullptr || e->set == nullptr)
    {
        return kdrv::kErrnoENOTSUP;
    }
    if (len < e->minLen || len > e->maxLen || (len != 0 && !haveData))
    {
        return kdrv::kErrnoEINVAL;
    }
    *called = true;
    return g.handlerErr;
}

const int kOptChoices[] = {1, 2, 3, 4, 5, 6, 7, 0, -1, 0x7FFFFFFF};
const int kErrChoices[] = {0, 0, 0, kdrv::kErrnoEINVAL, kdrv::kErrnoENOMEM, kdrv::kErrnoEBUSY};
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    Reader r(data, size);
    g = World();
    Model m;
    m.privileged = (r.u8() & 1) != 0;
    const kdrv::ControlDescriptor desc = {
        m.privileged ? kdrv::kControlFlagPrivileged : 0u, fuzzConnect, fuzzDisconnect, sOptions,
        static_cast<uint32_t>(KDRV_COUNTOF(sOptions)),    nullptr};
    kdrv::ControlSlot slots[kSlots];
    kdrv::KernelControl ctl;
    // Before init, and after a refused init: every call is refused with the
    // header's errno and nothing is allocated.
    {
        // The first byte's upper bits (its bit 0 chose the privilege), so
        // the seed corpus keeps its meaning.
        const uint8_t pre = static_cast<uint8_t>((size != 0 ? data[0] : 0) >> 1);
        if ((pre & 1) != 0)
        {
            FUZZ_CHECK(ctl.init(nullptr, slots, kSlots) == kdrv::Status::BadArgument);
            FUZZ_CHECK(ctl.init(&desc, nullptr, kSlots) == kdrv::Status::BadArgument);
            FUZZ_CHECK(ctl.init(&desc, slots, 0) == kdrv::Status::BadArgument);
        }
        if ((pre & 2) != 0)
        {
            uint32_t unit = 0xDEAD;
            FUZZ_CHECK(ctl.connect(true, &unit) == kdrv::kErrnoEINVAL);
            FUZZ_CHECK(ctl.connect(true, nullptr) == kdrv::kErrnoEINVAL);
            FUZZ_CHECK(ctl.disconnect(1) == kdrv::kErrnoENOTCONN);
            uint8_t byte = 0;
            size_t len = 1;
            FUZZ_CHECK(ctl.getOption(1, kdrv::kSysprotoControl, 1, &byte, &len) ==
                       kdrv::kErrnoENOTCONN);
            FUZZ_CHECK(ctl.setOption(1, kdrv::kSysprotoControl, 1, &byte, 1) ==
                       kdrv::kErrnoENOTCONN);
            FUZZ_CHECK(ctl.clientCount() == 0);
            FUZZ_CHECK(g.allocations == 0);
        }
    }
    FUZZ_CHECK(ctl.init(&desc, slots, kSlots) == kdrv::Status::Success);

    for (int step = 0; step < 64 && !r.done(); ++step)
    {
        const uint8_t op = r.u8();
        g.handlerErr = kErrChoices[r.u8() % KDRV_COUNTOF(kErrChoices)];
        switch (op % 5)
        {
        case 0:
        {
            const bool root = (op & 0x10) != 0;
            g.connectRefusal = (op & 0x60) == 0x60 ? kdrv::kErrnoEBUSY : 0;
            int expected = 0;
            uint32_t expectedUnit = 0;
            if (m.privileged && !root)
            {
                expected = kdrv::kErrnoEPERM;
            }
            else if (m.stopped)
            {
                expected = kdrv::kErrnoENOENT;
            }
            else
            {
                for (uint32_t i = 0; i < kSlots && expectedUnit == 0; ++i)
                {
                    if (!m.connected[i])
                    {
                        expectedUnit = i + 1;
                    }
                }
                if (expectedUnit == 0)
                {
                    expected = kdrv::kErrnoEBUSY;
                }
                else if (g.connectRefusal != 0)
                {
                    expected = g.connectRefusal;
                }
            }
            uint32_t unit = 0xDEAD;
            const int got = ctl.connect(root, &unit);
            FUZZ_CHECK(got == expected);
            if (got == 0)
            {
                FUZZ_CHECK(unit == expectedUnit);
                m.connected[unit - 1] = true;
            }
            else
            {
                FUZZ_CHECK(unit == 0xDEAD);
            }
            break;
        }
        case 1:
        {
            const uint32_t unit = r.u8() % (kSlots + 2);
            const int expected = m.isConnected(unit) ? 0 : kdrv::kErrnoENOTCONN;
            FUZZ_CHECK(ctl.disconnect(unit) == expected);
            if (expected == 0)
            {
                m.connected[unit - 1] = false;
            }
            break;
        }
        case 2:
        {
            const uint32_t unit = r.u8() % (kSlots + 2);
            const int level = (op & 0x20) != 0 ? static_cast<int>(r.u8()) : kdrv::kSysprotoControl;
            const int opt = kOptChoices[r.u8() % KDRV_COUNTOF(kOptChoices)];
            const size_t capacity = r.length();
            const uint8_t flags = r.u8();
            const bool haveData = (flags & 1) != 0;
            const bool haveLen = (flags & 6) != 6;
            g.getClaim = r.length();
            std::vector<uint8_t> buffer(capacity == 0 ? 1 : capacity, kCallerByte);
            size_t len = capacity;
            size_t modelLen = capacity;
            bool modelCalled = false;
            const int expected =
                modelGet(m, unit, level, opt, haveData, haveLen, &modelLen, &modelCalled);
            const int calls = g.handlerCalls;
            const int got = ctl.getOption(unit, level, opt, haveData ? buffer.data() : nullptr,
                                          haveLen ? &len : nullptr);
            FUZZ_CHECK(got == expected);
            FUZZ_CHECK(g.handlerCalls - calls == (modelCalled ? 1 : 0));
            FUZZ_CHECK(len == modelLen);
            if (modelCalled && g.lastGetHadData)
            {
                // Never more than the room the handler was given.
                FUZZ_CHECK(len <= g.lastGetGiven && g.lastGetGiven <= capacity);
            }
            break;
        }
        case 3:
        {
            const uint32_t unit = r.u8() % (kSlots + 2);
            const int level = (op & 0x20) != 0 ? static_cast<int>(r.u8()) : kdrv::kSysprotoControl;
            const int opt = kOptChoices[r.u8() % KDRV_COUNTOF(kOptChoices)];
            const size_t len = r.length();
            const bool haveData = (r.u8() & 1) != 0;
            std::vector<uint8_t> buffer(len == 0 ? 1 : len);
            for (size_t i = 0; i < len; ++i)
            {
                buffer[i] = r.u8();
            }
            bool modelCalled = false;
            const int expected = modelSet(m, unit, level, opt, haveData, len, &modelCalled);
            const int calls = g.handlerCalls;
            const int got =
                ctl.setOption(unit, level, opt, haveData ? buffer.data() : nullptr, len);
            FUZZ_CHECK(got == expected);
            FUZZ_CHECK(g.handlerCalls - calls == (modelCalled ? 1 : 0));
            break;
        }
        default:
        {
            bool any = false;
            for (bool c : m.connected)
            {
                any = any || c;
            }
            const int expected = any ? kdrv::kErrnoEBUSY : 0;
            FUZZ_CHECK(ctl.stop() == expected);
            m.stopped = m.stopped || !any;
            break;
        }
        }
        uint32_t clients = 0;
        for (bool c : m.connected)
        {
            clients += c ? 1u : 0u;
        }
        FUZZ_CHECK(ctl.clientCount() == clients);
        FUZZ_CHECK(g.allocations - g.frees == static_cast<int>(clients));
    }
    for (uint32_t unit = 1; unit <= kSlots; ++unit)
    {
        FUZZ_CHECK(ctl.disconnect(unit) == (m.connected[unit - 1] ? 0 : kdrv::kErrnoENOTCONN));
    }
    FUZZ_CHECK(g.allocations == g.frees);
    return 0;
}
