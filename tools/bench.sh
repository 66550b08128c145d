#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The main job (README command a): build kdrv_bench in Release and print the
# side-by-side table of kdrv against its peers. On a fresh Debian 12 machine,
# as root, it first installs whatever Debian packages are missing, the
# optional peers included.
#
#   tools/bench.sh                                  every benchmark
#   tools/bench.sh --benchmark_filter='^spinlock\.'  extra arguments go to kdrv_bench
#
# Writes build/release/bench.json (Google Benchmark JSON), bench.md (Markdown
# table), bench.svg (every hot path) and headline.svg (the headline rows) and
# prints the table. Environment: see
# tools/common.sh.
set -euo pipefail
# shellcheck source=tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$KDRV_ROOT"

kdrv_ensure_packages required "${KDRV_BUILD_PACKAGES[@]}"
kdrv_ensure_packages optional "${KDRV_PEER_PACKAGES[@]}"

jobs=$(kdrv_jobs)
out=build/release
kdrv_step "configure" cmake --preset release
kdrv_step "build" cmake --build --preset release -j "$jobs"

# Three repetitions, medians, random interleaving so slow drifts of this
# machine's clock hit every contender alike (docs/performance.md).
kdrv_step "run" "$out/benchmarks/kdrv_bench" \
    --benchmark_repetitions=3 \
    --benchmark_enable_random_interleaving=true \
    --benchmark_report_aggregates_only=true \
    --benchmark_out="$out/bench.json" \
    --benchmark_out_format=json \
    "$@"

echo
python3 tools/bench_report.py "$out/bench.json" --markdown "$out/bench.md" --svg "$out/bench.svg" \
    --headline-svg "$out/headline.svg"
echo
kdrv_log "wrote $out/bench.json, $out/bench.md, $out/bench.svg and $out/headline.svg"
