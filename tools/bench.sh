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
#   tools/bench.sh --benchmark_min_time=0.2          a shorter run (about half)
#
# Then, to publish the run: tools/bench_report.py build/release/bench.json
#   --markdown docs/benchmarks/latest.md --svg docs/benchmarks/latest.svg
#   --readme README.md
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
# The load average before and after goes into the JSON context: other jobs
# on a small machine are the main source of noise.
kdrv_step "run" "$out/benchmarks/kdrv_bench" \
    --benchmark_context=load_before="$(cut -d' ' -f1-3 /proc/loadavg)" \
    --benchmark_repetitions=3 \
    --benchmark_enable_random_interleaving=true \
    --benchmark_report_aggregates_only=true \
    --benchmark_out="$out/bench.json" \
    --benchmark_out_format=json \
    "$@"

python3 - "$out/bench.json" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'EOF_PY'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    data = json.load(f)
data.setdefault("context", {})["load_after"] = sys.argv[2]
with open(sys.argv[1], "w", encoding="utf-8") as f:
    json.dump(data, f, indent=1)
EOF_PY

echo
python3 tools/bench_report.py "$out/bench.json" --markdown "$out/bench.md" --svg "$out/bench.svg" \
    --headline-svg "$out/headline.svg"
echo
kdrv_log "wrote $out/bench.json, $out/bench.md, $out/bench.svg and $out/headline.svg"
