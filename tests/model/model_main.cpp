// SPDX-License-Identifier: MIT
//
// kdrv_model_tests [prefix...]          run the checks whose names start with
//                                       a prefix (all without one)
// kdrv_model_tests --list               print the table of checks
// kdrv_model_tests --replay NAME SEED   re-run check NAME from SEED (the
//                                       string a report prints) and print its
//                                       schedule
// One line per check: name, scheduler, bound, executions explored, wall
// time, result and what was expected. Exit status 0 iff every check ran
// gave what it expects.
#include "model_check.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>

#include <unistd.h> // alarm, write, _exit

namespace
{
// Progress watchdog: a check that runs longer than this is reported (its
// name) and ends the process with exit code 86, like tests/support's
// ProgressWatchdog, long before CTest's timeout. Time only detects a hang.
const unsigned kCheckSeconds = 120;
const char* volatile gRunning = "";

void onHang(int)
{
    const char prefix[] = "kdrv_model_tests: watchdog: no progress in check ";
    ssize_t ignored = write(2, prefix, sizeof prefix - 1);
    ignored = write(2, gRunning, std::strlen(gRunning));
    ignored = write(2, "\n", 1);
    (void)ignored;
    _exit(86);
}

const char* schedulerName(rl::scheduler_type_e s)
{
    switch (s)
    {
    case rl::random_scheduler_type:
        return "random";
    case rl::fair_context_bound_scheduler_type:
        return "context-bound";
    case rl::fair_full_search_scheduler_type:
        return "full-search";
    default:
        return "?";
    }
}

std::string boundText(const kdrvmodel::Check& c)
{
    char text[32];
    if (c.scheduler == rl::random_scheduler_type)
        std::snprintf(text, sizeof text, "%u runs", c.iterations);
    else if (c.scheduler == rl::fair_context_bound_scheduler_type)
        std::snprintf(text, sizeof text, "%u preempt", c.bound);
    else
        std::snprintf(text, sizeof text, "exhaustive");
    return text;
}

bool runCheck(const kdrvmodel::Check& c, const char* replaySeed)
{
    rl::test_params p;
    std::ostringstream out;
    std::ostringstream progress;
    p.output_stream = &out;
    p.progress_stream = &progress;
    p.search_type = c.scheduler;
    p.iteration_count = c.iterations;
    p.context_bound = c.bound;
    if (replaySeed != nullptr)
        p.initial_state = replaySeed;

    gRunning = c.name;
    alarm(kCheckSeconds);
    const auto start = std::chrono::steady_clock::now();
    (void)c.simulate(p);
    alarm(0);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();

    const bool reported = p.test_result != rl::test_result_success;
    const bool wanted = c.expect == kdrvmodel::Expect::Report;
    const bool ok = replaySeed != nullptr || reported == wanted;
    // Executions explored: the whole search when clean; up to and including
    // the failing one when reported.
    const unsigned long long executions =
        static_cast<unsigned long long>(p.stop_iteration) + (reported ? 1 : 0);
    std::printf("%-44s %-13s %-12s %9llu execs %9.1f ms  %-26s expect %-6s %s\n", c.name,
                schedulerName(c.scheduler), boundText(c).c_str(), executions, ms,
                reported ? rl::test_result_str(p.test_result) : "clean",
                wanted ? "Report" : "Clean", ok ? "ok" : "FAILED");
    if (reported)
    {
        std::printf("  found at execution %llu; replay: kdrv_model_tests --replay %s '%s'\n",
                    static_cast<unsigned long long>(p.stop_iteration), c.name,
                    p.final_state.c_str());
        // The interleaved history; the per-thread listings after it repeat it.
        std::string history = out.str();
        const size_t perThread = history.find("\nthread 0:");
        if (perThread != std::string::npos)
            history.resize(perThread + 1);
        std::printf("  ---- failing schedule (%s) ----\n%s  ---- end of schedule ----\n", c.name,
                    history.c_str());
    }
    std::fflush(stdout);
    return ok;
}

bool matches(const char* name, int argc, char** argv)
{
    if (argc <= 1)
        return true;
    for (int i = 1; i < argc; ++i)
        if (std::strncmp(name, argv[i], std::strlen(argv[i])) == 0)
            return true;
    return false;
}
} // namespace

int main(int argc, char** argv)
{
    std::signal(SIGALRM, onHang);
    if (argc > 1 && std::strcmp(argv[1], "--list") == 0)
    {
        for (kdrvmodel::Check* c = kdrvmodel::checkList(); c != nullptr; c = c->next)
            std::printf("%-44s %-13s %-12s expect %s\n", c->name, schedulerName(c->scheduler),
                        boundText(*c).c_str(),
                        c->expect == kdrvmodel::Expect::Report ? "Report" : "Clean");
        return 0;
    }
    if (argc > 1 && std::strcmp(argv[1], "--replay") == 0)
    {
        if (argc != 4)
        {
            std::fprintf(stderr, "usage: %s --replay NAME SEED\n", argv[0]);
            return 2;
        }
        for (kdrvmodel::Check* c = kdrvmodel::checkList(); c != nullptr; c = c->next)
            if (std::strcmp(c->name, argv[2]) == 0)
                return runCheck(*c, argv[3]) ? 0 : 1;
        std::fprintf(stderr, "no check named %s\n", argv[2]);
        return 2;
    }
    int ran = 0;
    int failed = 0;
    const auto start = std::chrono::steady_clock::now();
    for (kdrvmodel::Check* c = kdrvmodel::checkList(); c != nullptr; c = c->next)
    {
        if (!matches(c->name, argc, argv))
            continue;
        ++ran;
        if (!runCheck(*c, nullptr))
            ++failed;
    }
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%d checks, %d failed, %.2f s\n", ran, failed, s);
    if (ran == 0)
    {
        std::fprintf(stderr, "no check matches\n");
        return 2;
    }
    return failed == 0 ? 0 : 1;
}
