#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The whole test suite (README command b; .ci/run calls it). On a fresh
# Debian 12 machine, as root, it first installs whatever Debian packages are
# missing. Then, for each preset in turn (CMakePresets.json), it configures,
# builds and runs ctest:
#   default  clang Debug: unit tests over both backends with exceptions on and
#            off, contract binaries, kernel-build gates, packaging tests, and
#            a smoke run of kdrv_bench and its reporter
#   gcc-release  g++ Release (-O3): unit tests and benchmarks build with
#            -Werror at full optimisation; the unit tests run
#   asan     AddressSanitizer + UndefinedBehaviorSanitizer, exceptions-on cells
#   tsan     ThreadSanitizer, exceptions-on cells (stress tests included)
#   fuzz     libFuzzer targets, KDRV_FUZZ_RUNS executions each
#   model    the concurrent blocks model-checked under Relacy (tests/model)
# and prints the time each took. Exits non-zero if any step failed.
#
# Environment:
#   KDRV_PRESETS="default asan"  run only these presets (also: gcc)
#   KDRV_FUZZ_RUNS=N             executions per fuzz target
#   KDRV_FAIL_FAST=1             stop at the first failing step
#   KDRV_JOBS=N, KDRV_NO_INSTALL=1   see tools/common.sh
set -euo pipefail
# shellcheck source=tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$KDRV_ROOT"

kdrv_ensure_packages required "${KDRV_BUILD_PACKAGES[@]}" "${KDRV_TEST_PACKAGES[@]}"
kdrv_ensure_packages optional "${KDRV_PEER_PACKAGES[@]}"

read -r -a presets <<< "${KDRV_PRESETS:-default gcc-release asan tsan fuzz model}"
jobs=$(kdrv_jobs)
configure_extra=()
if [[ -n ${KDRV_FUZZ_RUNS:-} ]]; then
    configure_extra+=("-DKDRV_FUZZ_RUNS=${KDRV_FUZZ_RUNS}")
fi

failed=0
run_preset() {
    local p=$1
    kdrv_step "$p: configure" cmake --preset "$p" "${configure_extra[@]}" || return 1
    kdrv_step "$p: build" cmake --build --preset "$p" -j "$jobs" || return 1
    kdrv_step "$p: test" ctest --preset "$p" -j "$jobs" || return 1
}

start=$SECONDS
for p in "${presets[@]}"; do
    if ! run_preset "$p"; then
        failed=1
        if [[ ${KDRV_FAIL_FAST:-0} == 1 ]]; then
            break
        fi
    fi
done

kdrv_summary
kdrv_log "wall time $(kdrv_format_seconds $((SECONDS - start))) on $jobs jobs"
if [[ $failed -ne 0 ]]; then
    kdrv_die "the test suite failed"
fi
kdrv_log "all presets passed: ${presets[*]}"
