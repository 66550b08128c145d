// SPDX-License-Identifier: MIT
//
// The user-only test helpers in include/kdrv/testing/: Status text for test
// frameworks (status_string.hpp, doctest_status.hpp) and the MethodArgs
// builder (method_call.hpp). Written from those headers' contracts.
#include "kdrv/testing/doctest_status.hpp"
#include "kdrv/testing/method_call.hpp"
#include "kdrv/testing/status_string.hpp"

#include <doctest/doctest.h>
#include <stdint.h>
#include <string.h>

#include <string>
#include <vector>

using kdrv::MethodArgs;
using kdrv::MethodDispatch;
using kdrv::Status;
using kdrv::test::MethodCall;

TEST_CASE("status text names the code and shows its IOReturn value in hex")
{
    CHECK(kdrv::test::statusString(Status::Success) == "Success (0x00000000)");
    CHECK(kdrv::test::statusString(Status::BadArgument) == "BadArgument (0xE00002C2)");
    CHECK(kdrv::test::statusString(Status::NotPrivileged) == "NotPrivileged (0xE00002C1)");
    CHECK(kdrv::test::statusString(Status::NoCompletion) == "NoCompletion (0xE00002EA)");
    // A code kdrv does not name keeps its value.
    CHECK(kdrv::test::statusString(kdrv::fromIOReturn(7)) == "Unknown (0x00000007)");
    CHECK(kdrv::test::statusString(kdrv::fromIOReturn(-1)) == "Unknown (0xFFFFFFFF)");
}

TEST_CASE("doctest prints a Status as its name and value")
{
    CHECK(std::string(doctest::toString(Status::BadArgument).c_str()) ==
          "BadArgument (0xE00002C2)");
    CHECK(std::string(doctest::toString(kdrv::fromIOReturn(0x1234)).c_str()) ==
          "Unknown (0x00001234)");
    // What a failing CHECK(a == b) prints: doctest's own decomposition.
    CHECK(std::string(
              doctest::detail::stringifyBinaryExpr(Status::BadArgument, " == ", Status::Success)
                  .c_str()) == "BadArgument (0xE00002C2) == Success (0x00000000)");
    CHECK(std::string(doctest::StringMaker<Status>::convert(Status::Timeout).c_str()) ==
          "Timeout (0xE00002D6)");
}

namespace
{
struct Seen
{
    int calls = 0;
    MethodArgs args{};
};

// Echoes scalars and the structure, after recording the block it saw.
Status echo(void* target, void*, MethodArgs* a)
{
    Seen* seen = static_cast<Seen*>(target);
    ++seen->calls;
    seen->args = *a;
    for (uint32_t i = 0; i < a->scalarInputCount && i < a->scalarOutputCount; ++i)
    {
        a->scalarOutput[i] = a->scalarInput[i] + 1;
    }
    if (a->structureInputSize != 0 && a->structureOutputSize >= a->structureInputSize)
    {
        memcpy(a->structureOutput, a->structureInput, a->structureInputSize);
        a->structureOutputSize = a->structureInputSize; // a short write
    }
    return Status::Success;
}

// Reports one scalar fewer than it was given room for.
Status shortScalars(void*, void*, MethodArgs* a)
{
    for (uint32_t i = 0; i < a->scalarOutputCount; ++i)
    {
        a->scalarOutput[i] = 100 + i;
    }
    a->scalarOutputCount -= 1;
    return Status::Success;
}

enum Selector
{
    kNothing,
    kTwoScalars,
    kStruct,
    kShort,
    kAsync,
    kAdmin,
    kSelectorCount
};
const MethodDispatch sMethods[] = {
    {echo, 0, 0, 0, 0, 0},
    {echo, 2, 0, 2, 0, 0},
    {echo, 0, 8, 0, kdrv::kVariableSize, 0},
    {shortScalars, 0, 0, 3, 0, 0},
    {echo, 0, 0, 0, 0, kdrv::kMethodAllowAsync},
    {echo, 0, 0, 0, 0, kdrv::kMethodRequireAdmin},
};
KDRV_STATIC_ASSERT_METHOD_TABLE(sMethods, kSelectorCount);
} // namespace

TEST_CASE("method call starts with every field zero but the version")
{
    MethodCall call;
    const MethodArgs& a = call.args();
    CHECK(a.version == kdrv::kMethodArgsVersion);
    MethodArgs zero{};
    zero.version = kdrv::kMethodArgsVersion;
    CHECK(memcmp(&a, &zero, sizeof a) == 0);

    Seen seen;
    CHECK(call.dispatch(sMethods, kSelectorCount, kNothing, &seen) == Status::Success);
    CHECK(seen.calls == 1);
    CHECK(call.args().selector == static_cast<uint32_t>(kNothing));
    CHECK(call.scalarOutput().empty());
    CHECK(call.structureOutput().empty());
}

TEST_CASE("method call passes scalars in and reads back the scalars written")
{
    MethodCall call;
    call.scalarInput({0, UINT64_MAX - 1}).scalarOutputCapacity(2);
    Seen seen;
    CHECK(call.dispatch(sMethods, kSelectorCount, kTwoScalars, &seen) == Status::Success);
    REQUIRE(seen.calls == 1);
    CHECK(seen.args.scalarInputCount == 2u);
    CHECK(seen.args.scalarOutputCount == 2u);
    CHECK(call.scalarOutput() == std::vector<uint64_t>{1, UINT64_MAX});

    // The same builder, one scalar short: the row's check refuses it.
    MethodCall wrong;
    wrong.scalarInput({1}).scalarOutputCapacity(2);
    Seen none;
    CHECK(wrong.dispatch(sMethods, kSelectorCount, kTwoScalars, &none) == Status::BadArgument);
    CHECK(none.calls == 0);
}

TEST_CASE("method call copies a structure in and reads the bytes written")
{
    const uint64_t value = 0x0102030405060708ull;
    MethodCall call;
    call.structureInputValue(value).structureOutputCapacity(64);
    Seen seen;
    CHECK(call.dispatch(sMethods, kSelectorCount, kStruct, &seen) == Status::Success);
    CHECK(seen.args.structureInputSize == 8u);
    CHECK(seen.args.structureOutputSize == 64u);
    CHECK(call.structureOutput().size() == 8u); // the handler reported 8 bytes
    uint64_t back = 0;
    CHECK(call.structureOutputValue(&back));
    CHECK(back == value);
    uint8_t tooBig[9];
    CHECK_FALSE(call.structureOutputValue(&tooBig));
}

TEST_CASE("method call reports only the scalars the handler says it wrote")
{
    MethodCall call;
    call.scalarOutputCapacity(3);
    CHECK(call.dispatch(sMethods, kSelectorCount, kShort, nullptr) == Status::Success);
    CHECK(call.scalarOutput() == std::vector<uint64_t>{100, 101});
}

TEST_CASE("method call builds async and privileged blocks")
{
    MethodCall sync;
    Seen seen;
    CHECK(sync.dispatch(sMethods, kSelectorCount, kAsync, &seen) == Status::Success);
    CHECK_FALSE(kdrv::isAsync(&seen.args));

    MethodCall async;
    async.async(0x1000, {0x1000, 0xCA11, 0xC0DE});
    CHECK(async.dispatch(sMethods, kSelectorCount, kAsync, &seen) == Status::Success);
    CHECK(kdrv::isAsync(&seen.args));
    CHECK(seen.args.asyncReferenceCount == 3u);
    REQUIRE(seen.args.asyncReference != nullptr);
    CHECK(seen.args.asyncReference[2] == 0xC0DEu);
    // An async call to a synchronous row is refused.
    CHECK(async.dispatch(sMethods, kSelectorCount, kNothing, &seen) == Status::BadArgument);

    MethodCall user;
    CHECK(user.dispatch(sMethods, kSelectorCount, kAdmin, &seen) == Status::NotPrivileged);
    MethodCall admin;
    admin.privileged();
    const int before = seen.calls;
    CHECK(admin.dispatch(sMethods, kSelectorCount, kAdmin, &seen) == Status::Success);
    CHECK(seen.calls == before + 1);
}

TEST_CASE("method call blocks can be broken on purpose through args")
{
    MethodCall call;
    call.scalarInput({1, 2});
    call.args().scalarInput = nullptr; // a count without a pointer
    Seen seen;
    CHECK(call.dispatch(sMethods, kSelectorCount, kTwoScalars, &seen) == Status::BadArgument);
    CHECK(seen.calls == 0);

    MethodCall desc;
    int handle = 0;
    desc.structureInputDescriptor(&handle, 8);
    CHECK(desc.dispatch(sMethods, kSelectorCount, kStruct, &seen) == Status::Success);
    CHECK(seen.args.structureInputDescriptor == &handle);
    CHECK(seen.args.structureInputDescriptorLength == 8u);
}
