// SPDX-License-Identifier: MIT
//
// Kernel-control options and client lifetime: dispatch.md section 6, cases
// 28-32 (each test case is named after its number).
#include "kdrv/option_table.hpp"

#include <doctest/doctest.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <atomic>
#include <thread>
#include <vector>

using kdrv::kMaxStringLen;
using kdrv::kSysprotoControl;

namespace
{
// The book's example control: a per-client name string and a counter.
struct ClientState
{
    char name[kMaxStringLen];
    uint32_t counter;
    uint8_t keySeen; // the first byte of the buffer a get handler found
};

enum : int
{
    kOptName = 1,    // string, get and set
    kOptCounter = 2, // uint32_t, get only
    kOptReset = 3,   // uint32_t, set only
    kOptNoHandlers = 4,
    kOptLiar = 5, // get handler that claims more than it was given
    kOptEcho = 6, // get handler that reads a key from the buffer
};

int getName(void* unitinfo, int, void* data, size_t* len)
{
    ClientState* s = static_cast<ClientState*>(unitinfo);
    kdrv::putOptionString(s->name, strlen(s->name), data, len);
    return 0;
}
int setName(void* unitinfo, int, const void* data, size_t len)
{
    ClientState* s = static_cast<ClientState*>(unitinfo);
    kdrv::copyOptionString(s->name, sizeof s->name, data, len);
    return 0;
}
int getCounter(void* unitinfo, int, void* data, size_t* len)
{
    ClientState* s = static_cast<ClientState*>(unitinfo);
    if (data == nullptr)
    {
        *len = sizeof s->counter;
        return 0;
    }
    memcpy(data, &s->counter, sizeof s->counter);
    *len = sizeof s->counter;
    return 0;
}
int setReset(void* unitinfo, int, const void* data, size_t len)
{
    ClientState* s = static_cast<ClientState*>(unitinfo);
    uint32_t v = 0;
    memcpy(&v, data, len);
    s->counter = v;
    return 0;
}
int getLiar(void*, int, void* data, size_t* len)
{
    if (data != nullptr && *len != 0)
    {
        memset(data, 'x', *len);
    }
    *len += 100;
    return 0;
}
int getEcho(void* unitinfo, int, void* data, size_t* len)
{
    ClientState* s = static_cast<ClientState*>(unitinfo);
    if (data == nullptr)
    {
        *len = 1;
        return 0;
    }
    s->keySeen = *static_cast<uint8_t*>(data);
    static_cast<uint8_t*>(data)[0] = static_cast<uint8_t>(s->keySeen + 1);
    *len = 1;
    return 0;
}

const kdrv::OptionEntry sOptions[] = {
    {kOptName, 0, kMaxStringLen, getName, setName},
    {kOptCounter, 4, 4, getCounter, nullptr},
    {kOptReset, 4, 4, nullptr, setReset},
    {kOptNoHandlers, 0, 16, nullptr, nullptr},
    {kOptLiar, 0, 64, getLiar, nullptr},
    {kOptEcho, 1, 1, getEcho, nullptr},
};
const uint32_t kOptionCount = static_cast<uint32_t>(KDRV_COUNTOF(sOptions));

int optGet(ClientState* s, int opt, void* data, size_t* len)
{
    return kdrv::optionGet(sOptions, kOptionCount, kSysprotoControl, opt, s, data, len);
}
int optSet(ClientState* s, int opt, const void* data, size_t len)
{
    return kdrv::optionSet(sOptions, kOptionCount, kSysprotoControl, opt, s, data, len);
}

ClientState freshState(const char* name)
{
    ClientState s;
    memset(&s, 0, sizeof s);
    strncpy(s.name, name, sizeof s.name - 1);
    return s;
}
} // namespace

TEST_CASE("option table 6.28: unknown options and NULL callbacks are ENOTSUP, level, ENOTCONN")
{
    ClientState s = freshState("dev");
    char buf[16] = {};
    size_t len = sizeof buf;
    CHECK(optGet(&s, 99, buf, &len) == ENOTSUP);
    CHECK(optSet(&s, 99, buf, 4) == ENOTSUP);
    CHECK(optGet(&s, kOptReset, buf, &len) == ENOTSUP); // set-only
    CHECK(optSet(&s, kOptCounter, buf, 4) == ENOTSUP);  // get-only
    CHECK(optGet(&s, kOptNoHandlers, buf, &len) == ENOTSUP);
    CHECK(optSet(&s, kOptNoHandlers, buf, 4) == ENOTSUP);
    CHECK(kdrv::optionGet(nullptr, 0, kSysprotoControl, kOptName, &s, buf, &len) == ENOTSUP);
    // A level other than SYSPROTO_CONTROL.
    CHECK(kdrv::optionGet(sOptions, kOptionCount, 1, kOptName, &s, buf, &len) == EINVAL);
    CHECK(kdrv::optionSet(sOptions, kOptionCount, 0xFFFF, kOptName, &s, buf, 3) == EINVAL);
    CHECK(kdrv::optionGet(sOptions, kOptionCount, kSysprotoControl, kOptName, &s, buf, nullptr) ==
          EINVAL);
    CHECK(len == sizeof buf);

    // No control block: a unit that is not connected.
    kdrv::ControlSlot slots[2];
    const kdrv::ControlDescriptor desc = {0, nullptr, nullptr, sOptions, kOptionCount, nullptr};
    kdrv::KernelControl ctl;
    REQUIRE(ctl.init(&desc, slots, 2) == kdrv::Status::Success);
    CHECK(ctl.getOption(1, kSysprotoControl, kOptName, buf, &len) == ENOTCONN);
    CHECK(ctl.setOption(2, kSysprotoControl, kOptName, buf, 1) == ENOTCONN);
    CHECK(ctl.getOption(0, kSysprotoControl, kOptName, buf, &len) == ENOTCONN);
    CHECK(ctl.getOption(3, kSysprotoControl, kOptName, buf, &len) == ENOTCONN);
    CHECK(ctl.getOption(1, 7, kOptName, buf, &len) == EINVAL); // level first, as in xnu
    CHECK(ctl.disconnect(1) == ENOTCONN);
}

TEST_CASE("option table 6.29: get capacities, size query, over-reporting handler, caller bytes")
{
    ClientState s = freshState("timer-device");
    const size_t nameLen = strlen("timer-device");

    SUBCASE("capacity 0 is a size query")
    {
        char buf[4] = {'q', 'q', 'q', 'q'};
        size_t len = 0;
        CHECK(optGet(&s, kOptName, buf, &len) == 0);
        CHECK(len == nameLen + 1);
        CHECK(buf[0] == 'q'); // nothing written
    }
    SUBCASE("NULL buffer is a size query; the handler's length is returned")
    {
        size_t len = 77;
        CHECK(optGet(&s, kOptName, nullptr, &len) == 0);
        CHECK(len == nameLen + 1);
        len = 0;
        CHECK(optGet(&s, kOptCounter, nullptr, &len) == 0);
        CHECK(len == 4u);
    }
    SUBCASE("capacity below the string length: truncated, terminated")
    {
        char buf[6];
        memset(buf, '#', sizeof buf);
        size_t len = 5;
        CHECK(optGet(&s, kOptName, buf, &len) == 0);
        CHECK(len == 5u);
        CHECK(strcmp(buf, "time") == 0);
        CHECK(buf[5] == '#');
    }
    SUBCASE("capacity above MAX_STRING_LEN: the handler sees at most 256")
    {
        ClientState big = freshState("");
        memset(big.name, 'n', sizeof big.name - 1);
        big.name[sizeof big.name - 1] = '\0';
        char buf[1024];
        memset(buf, '#', sizeof buf);
        size_t len = sizeof buf;
        CHECK(optGet(&big, kOptName, buf, &len) == 0);
        CHECK(len == kMaxStringLen);
        CHECK(buf[kMaxStringLen - 1] == '\0');
        CHECK(buf[kMaxStringLen] == '#');
    }
    SUBCASE("a handler claiming more than the capacity is caught")
    {
        char buf[80];
        memset(buf, '#', sizeof buf);
        size_t len = 10;
        CHECK(optGet(&s, kOptLiar, buf, &len) == EINVAL);
        CHECK(len == 10u);
        CHECK(buf[10] == '#');
        len = sizeof buf; // clamped to maxLen 64 before the call
        CHECK(optGet(&s, kOptLiar, buf, &len) == EINVAL);
        CHECK(len == 64u);
        CHECK(buf[64] == '#');
    }
    SUBCASE("the handler sees the caller's bytes on entry")
    {
        uint8_t key[1] = {41};
        size_t len = 1;
        CHECK(optGet(&s, kOptEcho, key, &len) == 0);
        CHECK(s.keySeen == 41u);
        CHECK(key[0] == 42u);
        CHECK(len == 1u);
    }
    SUBCASE("a buffer smaller than the option's minimum")
    {
        uint8_t small[2] = {0, 0};
        size_t len = 2;
        CHECK(optGet(&s, kOptCounter, small, &len) == EINVAL);
        CHECK(len == 2u);
    }
}

TEST_CASE("option table 6.30: set lengths, terminators, NULL data")
{
    ClientState s = freshState("old");
    SUBCASE("len 0: the handler gets NULL data and stores an empty string")
    {
        char junk[4] = {'a', 'b', 'c', 'd'};
        CHECK(optSet(&s, kOptName, junk, 0) == 0);
        CHECK(s.name[0] == '\0');
    }
    SUBCASE("NULL data with len 0")
    {
        CHECK(optSet(&s, kOptName, nullptr, 0) == 0);
        CHECK(strcmp(s.name, "") == 0);
    }
    SUBCASE("NULL data with a length")
    {
        CHECK(optSet(&s, kOptName, nullptr, 5) == EINVAL);
        CHECK(strcmp(s.name, "old") == 0);
    }
    SUBCASE("exactly MAX_STRING_LEN: stored with a terminator")
    {
        char data[kMaxStringLen];
        memset(data, 'z', sizeof data);
        CHECK(optSet(&s, kOptName, data, sizeof data) == 0);
        CHECK(s.name[kMaxStringLen - 1] == '\0');
        CHECK(strlen(s.name) == kMaxStringLen - 1);
    }
    SUBCASE("above the maximum")
    {
        char data[kMaxStringLen + 1];
        memset(data, 'z', sizeof data);
        CHECK(optSet(&s, kOptName, data, sizeof data) == EINVAL);
        CHECK(strcmp(s.name, "old") == 0);
    }
    SUBCASE("data without a terminator")
    {
        const char data[3] = {'a', 'b', 'c'};
        CHECK(optSet(&s, kOptName, data, sizeof data) == 0);
        CHECK(strcmp(s.name, "abc") == 0);
    }
    SUBCASE("fixed-size option: below and above the range")
    {
        const uint32_t v = 9;
        CHECK(optSet(&s, kOptReset, &v, 3) == EINVAL);
        CHECK(optSet(&s, kOptReset, &v, 5) == EINVAL);
        CHECK(optSet(&s, kOptReset, nullptr, 0) == EINVAL);
        CHECK(optSet(&s, kOptReset, &v, 4) == 0);
        CHECK(s.counter == 9u);
    }
    SUBCASE("string helpers at their edges")
    {
        char out[4] = {'#', '#', '#', '#'};
        CHECK(kdrv::copyOptionString(out, 0, "abc", 3) == 0u);
        CHECK(out[0] == '#');
        CHECK(kdrv::copyOptionString(out, 1, "abc", 3) == 0u);
        CHECK(out[0] == '\0');
        CHECK(kdrv::copyOptionString(out, sizeof out, nullptr, 3) == 0u);
        CHECK(kdrv::copyOptionString(out, sizeof out, "abcdef", 6) == 3u);
        CHECK(strcmp(out, "abc") == 0);
        size_t len = 0;
        kdrv::putOptionString("abc", 3, out, &len);
        CHECK(len == 0u);
        len = 1;
        kdrv::putOptionString("abc", 3, out, &len);
        CHECK(len == 1u);
        CHECK(out[0] == '\0');
    }
}

namespace
{
struct ControlWorld
{
    std::atomic<int> allocated{0};
    std::atomic<int> freed{0};
    std::atomic<int> refuseWith{0};
};
int worldConnect(void* context, uint32_t unit, void** unitinfo)
{
    ControlWorld* w = static_cast<ControlWorld*>(context);
    const int refuse = w->refuseWith.load();
    if (refuse != 0)
    {
        return refuse;
    }
    ClientState* s = static_cast<ClientState*>(calloc(1, sizeof(ClientState)));
    if (s == nullptr)
    {
        return ENOMEM;
    }
    s->counter = unit;
    *unitinfo = s;
    w->allocated.fetch_add(1);
    return 0;
}
int worldDisconnect(void* context, uint32_t, void* unitinfo)
{
    ControlWorld* w = static_cast<ControlWorld*>(context);
    free(unitinfo);
    w->freed.fetch_add(1);
    return 0;
}
} // namespace

TEST_CASE("option table 6.31: connect refusals, unitinfo lifetime, privileged control, stop")
{
    ControlWorld world;
    kdrv::ControlSlot slots[2];
    const kdrv::ControlDescriptor desc = {0,        worldConnect, worldDisconnect,
                                          sOptions, kOptionCount, &world};
    kdrv::KernelControl ctl;
    REQUIRE(ctl.init(&desc, slots, 2) == kdrv::Status::Success);

    // The connect callback refuses: nothing allocated, no client.
    uint32_t unit = 0;
    world.refuseWith = EBUSY;
    CHECK(ctl.connect(true, &unit) == EBUSY);
    world.refuseWith = EPERM;
    CHECK(ctl.connect(true, &unit) == EPERM);
    CHECK(ctl.clientCount() == 0u);
    CHECK(world.allocated.load() == 0);
    world.refuseWith = 0;

    uint32_t a = 0;
    uint32_t b = 0;
    CHECK(ctl.connect(false, &a) == 0);
    CHECK(ctl.connect(false, &b) == 0);
    CHECK(a != b);
    CHECK(world.allocated.load() == 2);
    uint32_t c = 0;
    CHECK(ctl.connect(false, &c) == EBUSY); // no slot left
    CHECK(world.allocated.load() == 2);

    // Each client reaches its own unitinfo.
    uint32_t counter = 0;
    size_t len = sizeof counter;
    CHECK(ctl.getOption(b, kSysprotoControl, kOptCounter, &counter, &len) == 0);
    CHECK(counter == b);
    const char name[] = "client-a";
    CHECK(ctl.setOption(a, kSysprotoControl, kOptName, name, sizeof name - 1) == 0);
    char back[32] = {};
    len = sizeof back;
    CHECK(ctl.getOption(a, kSysprotoControl, kOptName, back, &len) == 0);
    CHECK(strcmp(back, "client-a") == 0);

    // stop() is refused while clients are connected.
    CHECK(ctl.stop() == EBUSY);
    CHECK(ctl.disconnect(a) == 0);
    CHECK(world.freed.load() == 1);
    CHECK(ctl.getOption(a, kSysprotoControl, kOptName, back, &len) == ENOTCONN);
    CHECK(ctl.disconnect(a) == ENOTCONN); // only once
    CHECK(ctl.stop() == EBUSY);
    CHECK(ctl.disconnect(b) == 0);
    CHECK(world.freed.load() == 2);
    CHECK(ctl.clientCount() == 0u);
    CHECK(ctl.stop() == 0);
    CHECK(ctl.stop() == 0);
    CHECK(ctl.connect(true, &unit) == ENOENT); // stopped controls take no clients
    CHECK(world.allocated.load() == world.freed.load());

    // A privileged control rejects a non-root client before allocating.
    ControlWorld world2;
    kdrv::ControlSlot slots2[1];
    const kdrv::ControlDescriptor privileged = {kdrv::kControlFlagPrivileged,
                                                worldConnect,
                                                worldDisconnect,
                                                sOptions,
                                                kOptionCount,
                                                &world2};
    kdrv::KernelControl root;
    REQUIRE(root.init(&privileged, slots2, 1) == kdrv::Status::Success);
    CHECK(root.connect(false, &unit) == EPERM);
    CHECK(world2.allocated.load() == 0);
    CHECK(root.connect(true, &unit) == 0);
    CHECK(unit == 1u);
    CHECK(root.disconnect(unit) == 0);
    CHECK(world2.freed.load() == 1);

    kdrv::KernelControl bad;
    CHECK(bad.init(nullptr, slots2, 1) == kdrv::Status::BadArgument);
    CHECK(bad.init(&privileged, nullptr, 1) == kdrv::Status::BadArgument);
    CHECK(bad.init(&privileged, slots2, 0) == kdrv::Status::BadArgument);
    CHECK(bad.connect(true, &unit) == EINVAL); // never initialized
}

TEST_CASE("option table 6.32: errno values match the system's symbolic names")
{
    CHECK(kdrv::kErrnoEPERM == EPERM);
    CHECK(kdrv::kErrnoENOENT == ENOENT);
    CHECK(kdrv::kErrnoENOMEM == ENOMEM);
    CHECK(kdrv::kErrnoEBUSY == EBUSY);
    CHECK(kdrv::kErrnoEINVAL == EINVAL);
    CHECK(kdrv::kErrnoENOTSUP == ENOTSUP);
    CHECK(kdrv::kErrnoENOTCONN == ENOTCONN);
#if KDRV_CONFIG_ERRNO_BSD
    CHECK(kdrv::kErrnoENOTSUP == 45);
    CHECK(kdrv::kErrnoENOTCONN == 57);
#else
    CHECK(kdrv::kErrnoENOTSUP == 95);
    CHECK(kdrv::kErrnoENOTCONN == 107);
#endif
}

TEST_CASE("stress: option table: concurrent connect/disconnect/option traffic")
{
    ControlWorld world;
    kdrv::ControlSlot slots[3];
    const kdrv::ControlDescriptor desc = {0,        worldConnect, worldDisconnect,
                                          sOptions, kOptionCount, &world};
    kdrv::KernelControl ctl;
    REQUIRE(ctl.init(&desc, slots, 3) == kdrv::Status::Success);
    const char* scaleEnv = getenv("KDRV_STRESS_SCALE");
    const int scale = scaleEnv != nullptr && atoi(scaleEnv) > 0 ? atoi(scaleEnv) : 1;
    const int iterations = 5000 * scale;
    std::atomic<int> errors{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < 4; ++t)
    {
        pool.emplace_back(
            [&]
            {
                for (int i = 0; i < iterations; ++i)
                {
                    uint32_t unit = 0;
                    const int r = ctl.connect(true, &unit);
                    if (r == EBUSY)
                    {
                        continue; // all slots taken by the others
                    }
                    if (r != 0)
                    {
                        errors.fetch_add(1);
                        continue;
                    }
                    uint32_t counter = 0;
                    size_t len = sizeof counter;
                    if (ctl.getOption(unit, kSysprotoControl, kOptCounter, &counter, &len) != 0 ||
                        counter != unit)
                    {
                        errors.fetch_add(1);
                    }
                    const uint32_t v = static_cast<uint32_t>(i);
                    if (ctl.setOption(unit, kSysprotoControl, kOptReset, &v, sizeof v) != 0)
                    {
                        errors.fetch_add(1);
                    }
                    if (ctl.disconnect(unit) != 0)
                    {
                        errors.fetch_add(1);
                    }
                }
            });
    }
    for (std::thread& th : pool)
    {
        th.join();
    }
    CHECK(errors.load() == 0);
    CHECK(ctl.clientCount() == 0u);
    CHECK(world.allocated.load() == world.freed.load());
    CHECK(ctl.stop() == 0);
}
