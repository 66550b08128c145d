#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Side-by-side report of a kdrv_bench run (Google Benchmark JSON).

Benchmarks are named "<hot path>/<implementation>[/<args>...]"; kdrv's own
implementation is named exactly "kdrv". The report has one row per hot path
(arguments such as /4096 or /threads:2 are part of the hot path, so
"ring.bulk_roundtrip/kdrv/4096" belongs to "ring.bulk_roundtrip [4096]"):
kdrv's time, every peer's time, the best peer, the ratio kdrv / best peer and
kdrv's cycles per operation.

The ratio kdrv / best peer is a ratio of same-run times (ns/op): both
contenders ran in the same binary and the same run, interleaved, so a clock
probe adds nothing to the comparison but its own error. Cycles/op is shown
for kdrv only as a scale: GHz * ns/op, with the GHz counter each benchmark
records (a fixed-latency instruction chain, benchmarks/support/clock_probe.hpp).
When the run's clock check declined (its two methods disagreed; the JSON
context has clock_declined), no cycles are shown and the report says why.

Time per operation: 1e9 / items_per_second when the benchmark sets items,
else the real time (multi-threaded or UseRealTime) or CPU time per iteration.
With repetitions the median is used (the median aggregate when present).

Usage:
  bench_report.py bench.json [--markdown bench.md] [--svg bench.svg] [--filter REGEX]
                  [--context KEY=VALUE ...] [--readme README.md]

--context adds a line to the run's context (tools/bench.sh records the load
average after the run this way). --readme rewrites the part of README.md
between the "bench:begin" and "bench:end" markers: the context, the headline
rows (HEADLINE below) and every row.

Standard library only.
"""

import argparse
import json
import math
import re
import statistics
import sys
from xml.sax.saxutils import escape

KDRV = "kdrv"
UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
# Name components that describe how a benchmark was measured, not what.
MODE_SUFFIXES = ("real_time", "process_time", "manual_time")
MODE_PREFIXES = ("min_time:", "min_warmup_time:", "iterations:", "repeats:")


# ---------------------------------------------------------------------------
# Parsing


def split_name(run_name):
    """'ring.bulk/kdrv/4096/real_time/threads:2' -> ('ring.bulk', 'kdrv', ['4096', 'threads:2'])."""
    parts = run_name.split("/")
    hot = parts[0]
    impl = parts[1] if len(parts) > 1 else "?"
    args = [
        p for p in parts[2:] if p not in MODE_SUFFIXES and not p.startswith(MODE_PREFIXES)
    ]
    return hot, impl, args


def hot_path_key(hot, args):
    return hot + (" [" + "/".join(args) + "]" if args else "")


def natural_key(text):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


def ns_per_op(entry):
    """Nanoseconds per operation of one JSON entry, or None."""
    ips = entry.get("items_per_second")
    if isinstance(ips, (int, float)) and ips > 0:
        return 1e9 / ips
    scale = UNIT_NS.get(entry.get("time_unit", "ns"), 1.0)
    name = entry.get("run_name", entry.get("name", ""))
    threaded = entry.get("threads", 1) > 1 or "/real_time" in name
    value = entry.get("real_time" if threaded else "cpu_time")
    if not isinstance(value, (int, float)) or value <= 0:
        return None
    return value * scale


class Result:
    """One implementation of one hot path."""

    def __init__(self, impl, ns, ghz, repetitions):
        self.impl = impl
        self.ns = ns
        self.ghz = ghz
        self.repetitions = repetitions
        self.cv = None  # spread of the repetitions (stddev / mean), when recorded

    @property
    def cycles(self):
        if self.ns is None or not self.ghz:
            return None
        return self.ns * self.ghz


def median_or_none(values):
    values = [v for v in values if isinstance(v, (int, float)) and v > 0]
    return statistics.median(values) if values else None


def load_results(data, name_filter=None):
    """Returns ({hot path key: {impl: Result}}, [(name, error)])."""
    # A declined clock check publishes no cycles, whatever counters exist.
    trusted = not data.get("context", {}).get("clock_declined")
    medians = {}  # run_name -> median aggregate entry
    spreads = {}  # run_name -> coefficient-of-variation aggregate entry
    iterations = {}  # run_name -> [iteration entries]
    errors = []
    for entry in data.get("benchmarks", []):
        run_name = entry.get("run_name") or entry.get("name", "")
        if name_filter and not name_filter.search(run_name):
            continue
        if entry.get("error_occurred"):
            errors.append((run_name, entry.get("error_message", "error")))
            continue
        if entry.get("run_type") == "aggregate":
            if entry.get("aggregate_name") == "median":
                medians[run_name] = entry
            elif entry.get("aggregate_name") == "cv":
                spreads[run_name] = entry
        else:
            iterations.setdefault(run_name, []).append(entry)

    table = {}
    for run_name in set(medians) | set(iterations):
        if run_name in medians:
            entry = medians[run_name]
            result_ns = ns_per_op(entry)
            ghz = entry.get("GHz")
            reps = entry.get("repetitions", 1)
        else:
            runs = iterations[run_name]
            result_ns = median_or_none([ns_per_op(e) for e in runs])
            ghz = median_or_none([e.get("GHz") for e in runs])
            reps = len(runs)
        hot, impl, args = split_name(run_name)
        key = hot_path_key(hot, args)
        result = Result(impl, result_ns, ghz if trusted else None, reps)
        cv = spreads.get(run_name)
        if cv is not None:
            threaded = cv.get("threads", 1) > 1 or "/real_time" in run_name
            value = cv.get("real_time" if threaded else "cpu_time")
            result.cv = value if isinstance(value, (int, float)) else None
        table.setdefault(key, {})[impl] = result
    seen = set()
    unique_errors = []
    for name, message in errors:
        if name not in seen:
            seen.add(name)
            unique_errors.append((name, message))
    return table, unique_errors


# ---------------------------------------------------------------------------
# Analysis


# Limits rather than competing designs (docs/performance.md): shown with the peers,
# never chosen as "the best peer". two_memcpy is the copy floor of a ring round
# trip; naive_per_page copies a page list without merging or any limit.
BASELINES = {"two_memcpy", "naive_per_page"}


class Row:
    def __init__(self, key, impls):
        self.key = key
        self.kdrv = impls.get(KDRV)
        # Implementations named kdrv_* are kdrv variants: shown, never "the
        # best peer".
        self.variants = sorted(
            (r for i, r in impls.items() if i != KDRV and i.startswith(KDRV)),
            key=lambda r: r.impl,
        )
        peers = [r for i, r in impls.items() if not i.startswith(KDRV) and r.ns is not None]
        # Same-run times: a per-benchmark clock probe would only add its error.
        self.metric = "ns"
        self.peers = sorted(peers, key=self.value)
        contenders = [r for r in self.peers if r.impl not in BASELINES]
        self.best = contenders[0] if contenders else None
        self.ratio = None
        if self.kdrv is not None and self.best is not None:
            k, b = self.value(self.kdrv), self.value(self.best)
            if k is not None and b:
                self.ratio = k / b

    def value(self, result):
        if result is None:
            return None
        return result.cycles if self.metric == "cycles" else result.ns

    def relative(self, result):
        """result / best peer (or / kdrv when there is no peer)."""
        base = self.best if self.best is not None else self.kdrv
        v, b = self.value(result), self.value(base)
        if v is None or not b:
            return None
        return v / b


def build_rows(table):
    return [Row(key, table[key]) for key in sorted(table, key=natural_key)]


# ---------------------------------------------------------------------------
# Formatting


def fmt_time(ns):
    if ns is None:
        return "-"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if ns >= scale:
            return "%s %s" % (fmt_num(ns / scale), unit)
    return "%s ns" % fmt_num(ns)


def fmt_num(x):
    if x is None:
        return "-"
    if x >= 100:
        return "%.0f" % x
    if x >= 10:
        return "%.1f" % x
    if x >= 0.1:
        return "%.2f" % x
    return "%.3g" % x  # per-byte ring times: three significant digits


def fmt_ratio(r):
    return "-" if r is None else "%.2f" % r


def row_cells(row):
    others = []
    for r in row.peers + row.variants:
        if r is row.best:
            continue
        limit = " (limit)" if r.impl in BASELINES else ""
        others.append("%s %s%s" % (r.impl, fmt_time(r.ns), limit))
    return [
        row.key,
        fmt_time(row.kdrv.ns) if row.kdrv else "-",
        fmt_num(row.kdrv.cycles) if row.kdrv and row.kdrv.cycles else "-",
        row.best.impl if row.best else "-",
        fmt_time(row.best.ns) if row.best else "-",
        fmt_ratio(row.ratio),
        "; ".join(others) if others else "-",
    ]


HEADERS = ["hot path", "kdrv", "kdrv cyc/op", "best peer", "best peer time", "kdrv/best", "other peers"]


def context_lines(data, rows, table):
    ctx = data.get("context", {})
    lines = []

    def add(label, value):
        if value not in (None, ""):
            lines.append((label, str(value)))

    add("date", ctx.get("date"))
    add("host", ctx.get("host_name"))
    add("cpu", "%s, %s CPUs" % (ctx.get("cpu_model", "?"), ctx.get("num_cpus", "?")))
    add("compiler", ctx.get("compiler"))
    add("flags", ctx.get("compiler_flags"))
    add("build type", ctx.get("build_type"))
    lib = ctx.get("library_build_type")
    if lib:
        add("benchmark library", lib + (" (Debian's build; timed loops are ours)" if lib == "debug" else ""))
    add("peers found", ctx.get("peers"))
    add("clock, primary method", ctx.get("clock_primary"))
    add("clock, cross-check", ctx.get("clock_check"))
    if ctx.get("clock_declined"):
        add("clock", "declined, so no cycles are shown: " + ctx["clock_declined"])
    ghz = [r.ghz for impls in table.values() for r in impls.values() if r.ghz]
    if ghz:
        add(
            "clock (GHz counter)",
            "median %.2f GHz, range %.2f-%.2f over %d benchmarks" % (statistics.median(ghz), min(ghz), max(ghz), len(ghz)),
        )
    add("load average before the run", ctx.get("load_before"))
    add("load average after the run", ctx.get("load_after"))
    spread = sorted(
        (r.cv, key) for key, impls in table.items() for r in impls.values() if r.cv is not None
    )
    if spread:
        worst = spread[-1]
        add(
            "noise (spread of repetitions, stddev/mean)",
            "median %.1f %%, 90th percentile %.1f %%, worst %.0f %% (%s) over %d benchmarks"
            % (
                100 * statistics.median(v for v, _ in spread),
                100 * spread[int(0.9 * (len(spread) - 1))][0],
                100 * worst[0],
                worst[1],
                len(spread),
            ),
        )
    for row in rows:
        if row.key.startswith("core.pingpong"):
            for r in ([row.kdrv] if row.kdrv else []) + row.peers:
                add("core-to-core round trip", "%s (%s cycles), %s" % (fmt_time(r.ns), fmt_num(r.cycles), row.key))
    add(
        "ratio",
        "kdrv / best peer in ns/op, both from this run (medians of the repetitions); < 1 means kdrv is faster",
    )
    return lines


def text_table(rows):
    cells = [HEADERS] + [row_cells(r) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADERS))]
    # The last column is free text: do not pad it.
    out = []
    for n, c in enumerate(cells):
        line = "  ".join(
            (c[i].ljust(widths[i]) if i in (0, 3, 6) else c[i].rjust(widths[i])) if i < len(c) - 1 else c[i]
            for i in range(len(c))
        )
        out.append(line.rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def markdown(data, rows, table, errors):
    out = ["# kdrv benchmark report", ""]
    for label, value in context_lines(data, rows, table):
        out.append("- **%s:** %s" % (label, md_escape(value)))
    out.append("")
    out += md_table(rows)
    if errors:
        out.append("")
        out.append("Skipped:")
        out.append("")
        for name, message in errors:
            out.append("- `%s`: %s" % (name, md_escape(message)))
    out.append("")
    return "\n".join(out)


# Rows shown first in README.md (the performance targets); every row follows
# in a collapsed table.
HEADLINE = (
    "ring.put_get",
    "ring.burst64",
    "ring.bulk_16",
    "ring.bulk_256",
    "ring.bulk_4096",
    "ring.bulk_32768",
    "ring.stream_byte [threads:2]",
    "ring.stream_4k [threads:2]",
    "spinlock.lock_unlock",
    "spinlock.lock_unlock_2t [threads:2]",
    "mutex.lock_unlock",
    "rwlock.read",
    "rwlock.write",
    "refcount.retain_release",
    "refcount.retain_release_2t [threads:2]",
    "dispatch.call_predictable [16]",
    "dispatch.call_random [16]",
    "power.lookup_parent [8]",
    "power.lookup_child [8]",
    "sg.build_256_contig",
    "sg.build_256_frag",
    "sg.build_256_random",
    "audio.clip_f32_s16 [512]",
)
README_BEGIN = "<!-- bench:begin (tools/bench_report.py --readme writes this part) -->"
README_END = "<!-- bench:end -->"


def readme_section(data, rows, table):
    out = [README_BEGIN, ""]
    for label, value in context_lines(data, rows, table):
        out.append("- **%s:** %s" % (label, md_escape(value)))
    out += ["", "Headline rows:", ""]
    by_key = {r.key: r for r in rows}
    head = [by_key[k] for k in HEADLINE if k in by_key]
    out += md_table(head)
    out += ["", "<details><summary>Every hot path</summary>", ""]
    out += md_table(rows)
    out += ["", "</details>", "", README_END]
    return "\n".join(out)


def update_readme(path, section):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    start = text.find(README_BEGIN)
    end = text.find(README_END)
    if start < 0 or end < start:
        raise ValueError("%s has no %s ... %s markers" % (path, README_BEGIN, README_END))
    text = text[:start] + section + text[end + len(README_END):]
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def md_table(rows):
    out = ["| " + " | ".join(HEADERS) + " |"]
    out.append("|" + "|".join(["---", "---:", "---:", "---", "---:", "---:", "---"]) + "|")
    for row in rows:
        out.append("| " + " | ".join(md_escape(c) for c in row_cells(row)) + " |")
    return out


def md_escape(text):
    return str(text).replace("|", "\\|")


# ---------------------------------------------------------------------------
# SVG: one group of horizontal bars per hot path, each bar the implementation's
# cost relative to the best peer (1.0 = the best peer; shorter is faster).

SVG_WIDTH = 980
LABEL_W = 190
CHART_W = 480
BAR_H = 14
BAR_GAP = 4
TITLE_H = 20
GROUP_GAP = 12
MAX_SCALE = 3.0
COLORS = {"kdrv": "#1f77b4", "variant": "#6baed6", "best": "#555555", "peer": "#a0a0a0"}


def svg(data, rows, table):
    groups = [r for r in rows if r.kdrv is not None or r.peers]
    ratios = [r.relative(x) for r in groups for x in ([r.kdrv] if r.kdrv else []) + r.variants + r.peers]
    ratios = [x for x in ratios if x is not None]
    scale_max = min(MAX_SCALE, max(ratios + [1.0]) * 1.05)
    ctx = data.get("context", {})

    y = 56
    body = []
    for row in groups:
        body.append(
            '<text x="8" y="%d" class="t">%s</text>' % (y + 14, escape(row.key + (
                "   kdrv/best = %s" % fmt_ratio(row.ratio) if row.ratio is not None else "")))
        )
        y += TITLE_H
        bars = ([row.kdrv] if row.kdrv else []) + row.variants + row.peers
        for r in bars:
            rel = row.relative(r)
            if r is row.kdrv:
                color = COLORS["kdrv"]
            elif r in row.variants:
                color = COLORS["variant"]
            elif r is row.best:
                color = COLORS["best"]
            else:
                color = COLORS["peer"]
            body.append('<text x="%d" y="%d" class="l">%s</text>' % (LABEL_W - 6, y + BAR_H - 3, escape(r.impl)))
            if rel is not None:
                w = CHART_W * min(rel, scale_max) / scale_max
                body.append(
                    '<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>' % (LABEL_W, y, max(w, 1.0), BAR_H, color)
                )
                if rel > scale_max:
                    body.append(
                        '<path d="M%.1f %d l6 %d l-6 %d z" fill="%s"/>'
                        % (LABEL_W + w, y, BAR_H // 2, BAR_H // 2, color)
                    )
                label = "%.2fx  %s" % (rel, fmt_time(r.ns))
                if r.cycles:
                    label += "  %s cyc" % fmt_num(r.cycles)
                body.append(
                    '<text x="%d" y="%d" class="v">%s</text>' % (LABEL_W + CHART_W + 10, y + BAR_H - 3, escape(label))
                )
            y += BAR_H + BAR_GAP
        y += GROUP_GAP
    height = y + 10
    one_x = LABEL_W + CHART_W * 1.0 / scale_max
    head = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
        'font-family="sans-serif">' % (SVG_WIDTH, height, SVG_WIDTH, height),
        "<style>.t{font-size:13px;font-weight:bold}.l{font-size:11px;text-anchor:end}"
        ".v{font-size:11px}.h{font-size:12px}</style>",
        '<rect width="100%" height="100%" fill="white"/>',
        '<text x="8" y="18" class="t">kdrv vs peers: cost relative to the best peer (1.0; shorter is faster)</text>',
        '<text x="8" y="36" class="h">%s</text>'
        % escape(
            "%s | %s | %s" % (ctx.get("cpu_model", "?"), ctx.get("compiler", "?"), ctx.get("compiler_flags", "?"))
        ),
        '<line x1="%.1f" y1="46" x2="%.1f" y2="%d" stroke="#d62728" stroke-dasharray="4 3"/>'
        % (one_x, one_x, height - 10),
        '<text x="%.1f" y="52" class="v" fill="#d62728">1.0</text>' % (one_x + 3),
    ]
    return "\n".join(head + body + ["</svg>", ""])


# ---------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("json", help="Google Benchmark JSON (--benchmark_out_format=json)")
    parser.add_argument("--markdown", metavar="FILE", help="also write a Markdown report")
    parser.add_argument("--svg", metavar="FILE", help="also write an SVG bar chart")
    parser.add_argument("--filter", metavar="REGEX", help="only benchmarks whose name matches")
    parser.add_argument(
        "--context", metavar="KEY=VALUE", action="append", default=[], help="add to the run's context"
    )
    parser.add_argument("--readme", metavar="FILE", help="rewrite FILE's benchmark section")
    args = parser.parse_args(argv)

    try:
        with open(args.json, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        print("bench_report: cannot read %s: %s" % (args.json, e), file=sys.stderr)
        return 1

    for item in args.context:
        key, sep, value = item.partition("=")
        if not sep or not key:
            print("bench_report: --context wants KEY=VALUE, not %r" % item, file=sys.stderr)
            return 1
        data.setdefault("context", {})[key] = value
    name_filter = re.compile(args.filter) if args.filter else None
    table, errors = load_results(data, name_filter)
    rows = build_rows(table)

    for label, value in context_lines(data, rows, table):
        print("%-24s %s" % (label + ":", value))
    print()
    if rows:
        print(text_table(rows))
    else:
        print("(no benchmark results)")
    for name, message in errors:
        print("skipped: %s: %s" % (name, message))

    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(markdown(data, rows, table, errors))
    if args.svg:
        with open(args.svg, "w", encoding="utf-8") as f:
            f.write(svg(data, rows, table))
    if args.readme:
        try:
            update_readme(args.readme, readme_section(data, rows, table))
        except (OSError, ValueError) as e:
            print("bench_report: cannot update %s: %s" % (args.readme, e), file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
