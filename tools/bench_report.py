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
  bench_report.py bench.json [--markdown bench.md] [--svg bench.svg]
                  [--headline-svg headline.svg] [--filter REGEX]
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
    out.append("")
    out.append(LIMIT_NOTE)
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
    out += ["", LIMIT_NOTE]
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
# SVG charts. Two of them:
#   headline chart  one bar per headline hot path: kdrv / best peer;
#   full chart      every hot path with a kdrv result, headline rows first,
#                   one bar per implementation: its cost / the best peer's.
# Both on one log-scale ratio axis with no cap: a bar starts at 1x (the best
# peer) and ends at the implementation's ratio, left when it is faster,
# right when slower, and is labelled with its value. kdrv's own variants
# (kdrv_*) are drawn apart from the peers, and limits are marked as such.


LIMIT_NOTE = (
    "(limit) marks a bound, not a competing design: two_memcpy is the two bare memcpy calls "
    "a ring round trip cannot beat, naive_per_page copies a page list without merging or "
    "limits. A limit is never chosen as the best peer."
)

COLORS = {
    "kdrv": "#1f5fa8",
    "variant": "#8fb8e0",
    "best": "#3a3a3a",
    "peer": "#b0b0b0",
    "limit": "#ffffff",
    "one": "#c0392b",
    "grid": "#e4e4e4",
    "grid_major": "#c8c8c8",
    "sep": "#d0d0d0",
    "text": "#202020",
    "muted": "#606060",
}
SVG_STYLE = (
    "<style>text{fill:%s}.title{font-size:15px;font-weight:bold}.sub{font-size:11px;fill:%s}"
    ".sec{font-size:13px;font-weight:bold}.hot{font-size:11px;font-weight:bold}"
    ".impl{font-size:11px;text-anchor:end}.var{font-size:11px;text-anchor:end;font-style:italic}"
    ".val{font-size:10.5px}.tick{font-size:10px;text-anchor:middle;fill:%s}"
    ".leg{font-size:11px}.note{font-size:10.5px;fill:%s}</style>"
    % (COLORS["text"], COLORS["muted"], COLORS["muted"], COLORS["muted"])
)


def effective_flags(flags):
    """The compiler flags in effect: the last -O level wins, repeats dropped.

    '-O3 -DNDEBUG -march=native -O2' -> '-DNDEBUG -march=native -O2'."""
    words = (flags or "").split()
    opt = [w for w in words if re.match(r"^-O[0-9sgz]?$", w)]
    out = []
    for w in words:
        if w in opt or w in out:
            continue
        out.append(w)
    if opt:
        out.append(opt[-1])
    return " ".join(out)


class LogAxis:
    """x position of a ratio on a log scale; the ends are 1-2-5 values just
    outside the data (and 1x always inside)."""

    STOPS = (1, 2, 5)

    def __init__(self, ratios, x0, width):
        ratios = [r for r in ratios if r and r > 0] + [1.0]
        self.lo = self._stop(min(ratios) / 1.15, down=True)
        self.hi = self._stop(max(ratios) * 1.15, down=False)
        self.x0 = x0
        self.width = width

    @classmethod
    def _stop(cls, value, down):
        decade = 10.0 ** math.floor(math.log10(value))
        candidates = [decade * m for m in cls.STOPS] + [decade * 10]
        if down:
            return max(c for c in candidates if c <= value * 1.0001)
        return min(c for c in candidates if c >= value * 0.9999)

    def x(self, ratio):
        span = math.log10(self.hi) - math.log10(self.lo)
        return self.x0 + self.width * (math.log10(ratio) - math.log10(self.lo)) / span

    def ticks(self):
        """(ratio, label or None, major?) for the 1-2-5 gridlines; the 2 and 5
        lines are labelled only when a decade is wide enough."""
        per_decade = self.width / (math.log10(self.hi) - math.log10(self.lo))
        out = []
        decade = 10.0 ** math.floor(math.log10(self.lo) + 1e-9)
        while decade <= self.hi * 1.0001:
            for m in self.STOPS:
                ratio = decade * m
                if self.lo * 0.9999 <= ratio <= self.hi * 1.0001:
                    major = m == 1
                    label = fmt_x(ratio) if major or per_decade >= 110 else None
                    out.append((ratio, label, major))
            decade *= 10
        return out


def fmt_x(ratio):
    text = ("%g" % ratio) if ratio < 1 else ("{:,.0f}".format(ratio))
    return text + "x"


def fmt_rel(ratio):
    return fmt_num(ratio) + "x"


def svg_bar(axis, rel, y, h, fill, stroke=None):
    """A bar from 1x to rel; the best peer (rel == 1) is a short tick."""
    x1, x2 = axis.x(1.0), axis.x(rel)
    left, width = min(x1, x2), abs(x2 - x1)
    if width < 2.0:
        left, width = x1 - 1.0, 2.0
    extra = ' stroke="%s" stroke-width="1"' % stroke if stroke else ""
    return '<rect x="%.1f" y="%.1f" width="%.1f" height="%d" fill="%s"%s/>' % (left, y, width, h, fill, extra)


def svg_axis(axis, top, bottom, label_y):
    out = []
    for ratio, label, major in axis.ticks():
        x = axis.x(ratio)
        out.append(
            '<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s"/>'
            % (x, top, x, bottom, COLORS["grid_major"] if major else COLORS["grid"])
        )
        if label:
            for ly in label_y:
                out.append('<text x="%.1f" y="%d" class="tick">%s</text>' % (x, ly, escape(label)))
    one = axis.x(1.0)
    out.append(
        '<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-width="1.5"/>'
        % (one, top, one, bottom, COLORS["one"])
    )
    return out


def svg_context(data):
    ctx = data.get("context", {})
    parts = [
        ctx.get("date", "?")[:10],
        "%s, %s CPUs" % (ctx.get("cpu_model", "?"), ctx.get("num_cpus", "?")),
        ctx.get("compiler", "?"),
        "flags: " + (effective_flags(ctx.get("compiler_flags")) or "?"),
        ctx.get("build_type", "?"),
    ]
    return " | ".join(parts)


def svg_legend(x, y, items):
    """items: (label, fill, stroke or None). Returns (elements, end x)."""
    out = []
    for label, fill, stroke in items:
        extra = ' stroke="%s"' % stroke if stroke else ""
        out.append('<rect x="%d" y="%d" width="14" height="10" fill="%s"%s/>' % (x, y - 9, fill, extra))
        out.append('<text x="%d" y="%d" class="leg">%s</text>' % (x + 19, y, escape(label)))
        x += 19 + int(6.3 * len(label)) + 16
    return out, x


def svg_document(width, height, elements):
    head = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
        'font-family="DejaVu Sans, Verdana, sans-serif">' % (width, height, width, height),
        SVG_STYLE,
        '<rect width="100%" height="100%" fill="white"/>',
    ]
    return "\n".join(head + elements + ["</svg>", ""])


def wrap(text, chars):
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > chars:
            lines.append(line)
            line = w
        else:
            line = (line + " " + w).strip()
    if line:
        lines.append(line)
    return lines


def chart_rows(rows):
    """Rows with a kdrv result and a peer to compare it with: headline rows
    first, then the rest; and how many rows were left out."""
    usable = [r for r in rows if r.kdrv is not None and r.kdrv.ns is not None and r.best is not None]
    by_key = {r.key: r for r in usable}
    head = [by_key[k] for k in HEADLINE if k in by_key]
    rest = [r for r in usable if r.key not in HEADLINE]
    return head, rest, len(rows) - len(usable)


def group_bars(row):
    """(result, kind) in drawing order: kdrv, its variants, then the peers
    (best first, fastest to slowest), then limits."""
    bars = [(row.kdrv, "kdrv")] + [(r, "variant") for r in row.variants if r.ns is not None]
    peers = [r for r in row.peers if r.impl not in BASELINES]
    limits = [r for r in row.peers if r.impl in BASELINES]
    bars += [(r, "best" if r is row.best else "peer") for r in peers]
    bars += [(r, "limit") for r in limits]
    return [(r, k) for r, k in bars if row.relative(r) is not None]


FULL_W = 920
HOT_X = 8
IMPL_X = 372  # right edge of the implementation names
PLOT_X = 384
PLOT_W = 330
VAL_X = PLOT_X + PLOT_W + 8
VAL_COLUMNS = (0, 52, 120)  # ratio, time/op, cycles/op
ROW_H = 13
BAR_H = 9
GROUP_GAP = 7


def svg(data, rows, table):
    """The full chart: every hot path with a kdrv result."""
    head, rest, dropped = chart_rows(rows)
    groups = head + rest
    bars = {row.key: group_bars(row) for row in groups}
    axis = LogAxis([row.relative(r) for row in groups for r, _ in bars[row.key]], PLOT_X, PLOT_W)

    out = ['<text x="%d" y="20" class="title">kdrv vs packaged peers: cost relative to the best peer '
           "(log scale; left of 1x is faster)</text>" % HOT_X,
           '<text x="%d" y="37" class="sub">%s</text>' % (HOT_X, escape(svg_context(data)))]
    legend, _ = svg_legend(HOT_X, 58, [
        ("kdrv", COLORS["kdrv"], None),
        ("kdrv variant (kdrv_*, not a peer)", COLORS["variant"], None),
        ("best peer (1x)", COLORS["best"], None),
        ("other peer", COLORS["peer"], None),
        ("(limit)", COLORS["limit"], COLORS["muted"]),
    ])
    out += legend
    y = 76
    notes = [
        "Ratio: the implementation's ns/op / the best peer's, both from the same run, per hot "
        "path. Each bar runs from 1x to its value.",
        LIMIT_NOTE,
    ]
    if dropped:
        notes.append("%d hot paths without both a kdrv result and a peer to compare it with (peer "
                     "references such as core.pingpong, kdrv-only rows) are in the Markdown table only."
                     % dropped)
    for note in notes:
        for line in wrap(note, 158):
            out.append('<text x="%d" y="%d" class="note">%s</text>' % (HOT_X, y, escape(line)))
            y += 14
    y += 2
    axis_top = y
    body = []
    sections = [("Headline hot paths", head), ("Every other hot path", rest)]
    for title, section in sections:
        if not section:
            continue
        body.append('<rect x="0" y="%d" width="%d" height="18" fill="#f3f3f3"/>' % (y, FULL_W))
        body.append('<text x="%d" y="%d" class="sec">%s</text>' % (HOT_X, y + 14, escape(title)))
        for ratio, label, _ in axis.ticks():
            if label:
                body.append('<text x="%.1f" y="%d" class="tick">%s</text>' % (axis.x(ratio), y + 13, escape(label)))
        body.append('<text x="%d" y="%d" class="tick" style="text-anchor:start">ratio, time/op, cycles/op</text>'
                    % (VAL_X, y + 13))
        y += 18 + 5
        for row in section:
            first = True
            prev_kind = None
            for r, kind in bars[row.key]:
                if prev_kind in ("kdrv", "variant") and kind not in ("kdrv", "variant"):
                    body.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="%s" stroke-dasharray="2 2"/>'
                                % (IMPL_X - 120, y + 0.5, PLOT_X + PLOT_W, y + 0.5, COLORS["sep"]))
                if first:
                    body.append('<text x="%d" y="%d" class="hot">%s</text>' % (HOT_X, y + BAR_H, escape(row.key)))
                    first = False
                name = r.impl + (" (limit)" if kind == "limit" else "")
                body.append('<text x="%d" y="%d" class="%s">%s</text>'
                            % (IMPL_X, y + BAR_H, "var" if kind == "variant" else "impl", escape(name)))
                rel = row.relative(r)
                stroke = COLORS["muted"] if kind == "limit" else None
                body.append(svg_bar(axis, rel, y + (ROW_H - BAR_H) / 2.0 - 1, BAR_H, COLORS[kind], stroke))
                weight = ' font-weight="bold"' if kind == "kdrv" else ""
                cells = [fmt_rel(rel), fmt_time(r.ns), fmt_num(r.cycles) + " cyc" if r.cycles else ""]
                for dx, cell in zip(VAL_COLUMNS, cells):
                    if cell:
                        body.append('<text x="%d" y="%d" class="val"%s>%s</text>'
                                    % (VAL_X + dx, y + BAR_H, weight, escape(cell)))
                prev_kind = kind
                y += ROW_H
            y += GROUP_GAP
            body.append('<line x1="0" y1="%.1f" x2="%d" y2="%.1f" stroke="%s"/>'
                        % (y - GROUP_GAP / 2.0, FULL_W, y - GROUP_GAP / 2.0, COLORS["grid"]))
        y += 6
    axis_bottom = y
    out += svg_axis(axis, axis_top, axis_bottom, [axis_bottom + 12])
    out += body
    return svg_document(FULL_W, axis_bottom + 22, out)


HEAD_W = 860
HEAD_HOT_X = 8
HEAD_PLOT_X = 262
HEAD_PLOT_W = 330
HEAD_VAL_X = HEAD_PLOT_X + HEAD_PLOT_W + 10
HEAD_ROW_H = 19
HEAD_BAR_H = 12


def headline_svg(data, rows, table):
    """The headline chart: one bar per headline hot path, kdrv / best peer."""
    head, _, _ = chart_rows(rows)
    head = [r for r in head if r.ratio is not None]
    axis = LogAxis([r.ratio for r in head], HEAD_PLOT_X, HEAD_PLOT_W)
    out = ['<text x="%d" y="20" class="title">kdrv / best packaged peer, headline hot paths</text>' % HEAD_HOT_X,
           '<text x="%d" y="37" class="sub">%s</text>' % (HEAD_HOT_X, escape(svg_context(data)))]
    legend, _ = svg_legend(HEAD_HOT_X, 57, [
        ("kdrv faster than the best peer", COLORS["kdrv"], None),
        ("kdrv slower", "#d9822b", None),
    ])
    out += legend
    y = 75
    for line in wrap("Log scale, time/op from the same run; 1x = the best peer. Each bar runs from 1x to kdrv's "
                     "ratio; the label names the best peer and its time/op.", 140):
        out.append('<text x="%d" y="%d" class="note">%s</text>' % (HEAD_HOT_X, y, escape(line)))
        y += 14
    axis_top = y + 12
    y = axis_top + 6
    body = []
    for row in head:
        body.append('<text x="%d" y="%d" class="hot">%s</text>' % (HEAD_HOT_X, y + HEAD_BAR_H - 2, escape(row.key)))
        fill = COLORS["kdrv"] if row.ratio <= 1.0 else "#d9822b"
        body.append(svg_bar(axis, row.ratio, y, HEAD_BAR_H, fill))
        label = "%s  vs %s (%s)" % (fmt_rel(row.ratio), row.best.impl, fmt_time(row.best.ns))
        body.append('<text x="%d" y="%d" class="val">%s</text>' % (HEAD_VAL_X, y + HEAD_BAR_H - 2, escape(label)))
        y += HEAD_ROW_H
    axis_bottom = y + 2
    out += svg_axis(axis, axis_top, axis_bottom, [axis_top - 3, axis_bottom + 12])
    out += body
    return svg_document(HEAD_W, axis_bottom + 22, out)


# ---------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("json", help="Google Benchmark JSON (--benchmark_out_format=json)")
    parser.add_argument("--markdown", metavar="FILE", help="also write a Markdown report")
    parser.add_argument("--svg", metavar="FILE", help="also write an SVG bar chart")
    parser.add_argument("--headline-svg", metavar="FILE", help="also write the headline rows' SVG chart")
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
    if args.headline_svg:
        with open(args.headline_svg, "w", encoding="utf-8") as f:
            f.write(headline_svg(data, rows, table))
    if args.readme:
        try:
            update_readme(args.readme, readme_section(data, rows, table))
        except (OSError, ValueError) as e:
            print("bench_report: cannot update %s: %s" % (args.readme, e), file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
