// SPDX-License-Identifier: MIT
//
// The model-check harness: every model test is a Relacy test suite derived
// from kdrvmodel::Test and registered, with its scheduler, its bound and what
// it expects, by KDRV_MODEL_CHECK. The runner (model_main.cpp) runs the
// checks whose names start with a prefix and prints one line per check:
// scheduler, executions explored, wall time and result. A check that expects
// a report (a planted bug) passes only if the checker reports; the report
// prints the failing schedule and the seed that replays it
// (kdrv_model_tests --replay <name> '<seed>').
//
// Built only with KDRV_CONFIG_MODEL_CHECK=1 (tests/model/CMakeLists.txt).
#ifndef KDRV_TESTS_MODEL_CHECK_HPP
#define KDRV_TESTS_MODEL_CHECK_HPP

#include "kdrv/platform/model.hpp"
#include "kdrv/platform/model_relacy.hpp"

namespace kdrvmodel
{
enum class Expect
{
    Clean,  // the checker must find nothing within the bound
    Report, // a planted bug: the checker must report it
};

typedef bool (*SimulateFunction)(rl::test_params& params);

struct Check
{
    const char* name;
    rl::scheduler_type_e scheduler;
    unsigned iterations; // random scheduler: executions; others: ignored
    unsigned bound;      // context-bound scheduler: preemptions; others: ignored
    Expect expect;
    SimulateFunction simulate;
    Check* next;
};

inline Check*& checkList()
{
    static Check* head = nullptr;
    return head;
}

struct Registrar
{
    explicit Registrar(Check* check)
    {
        // Append, so checks run in the order they are written.
        Check** p = &checkList();
        while (*p != nullptr)
            p = &(*p)->next;
        *p = check;
    }
};

/// Base of every model test: resets the model clock and the per-execution
/// counters before each execution, then calls the test's setUp().
template <typename Derived, int ThreadCount> struct Test : rl::test_suite<Derived, ThreadCount>
{
    void before()
    {
        kdrv::model::resetIteration();
        static_cast<Derived*>(this)->setUp();
    }
    void setUp() {}
};

inline rl::debug_info here(const char* file = __builtin_FILE(), unsigned line = __builtin_LINE())
{
    return rl::debug_info("check", file, line);
}
} // namespace kdrvmodel

#define KDRV_MODEL_CAT2_(a, b) a##b
#define KDRV_MODEL_CAT_(a, b) KDRV_MODEL_CAT2_(a, b)

/// Registers test suite `Suite` as check `name` ("group.what").
/// scheduler: Random, Bound or Full; iterations (Random) / bound (Bound).
#define KDRV_MODEL_CHECK(Suite, name, scheduler, iterations, bound, expect)                        \
    static kdrvmodel::Check KDRV_MODEL_CAT_(kdrvModelCheck_, __LINE__) = {                         \
        name,                                                                                      \
        rl::KDRV_MODEL_CAT_(scheduler, _scheduler_type),                                           \
        iterations,                                                                                \
        bound,                                                                                     \
        kdrvmodel::Expect::expect,                                                                 \
        &rl::simulate<Suite>,                                                                      \
        nullptr};                                                                                  \
    static kdrvmodel::Registrar KDRV_MODEL_CAT_(kdrvModelRegistrar_, __LINE__)(                    \
        &KDRV_MODEL_CAT_(kdrvModelCheck_, __LINE__))

// Short names for the three schedulers in KDRV_MODEL_CHECK.
namespace rl
{
static const scheduler_type_e Random_scheduler_type = random_scheduler_type;
static const scheduler_type_e Bound_scheduler_type = fair_context_bound_scheduler_type;
static const scheduler_type_e Full_scheduler_type = fair_full_search_scheduler_type;
} // namespace rl

/// A checked assertion inside a model test: fails the execution with `what`.
#define MODEL_ASSERT(x) RL_ASSERT(x)

#endif // KDRV_TESTS_MODEL_CHECK_HPP
