#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Renders kdrv's benchmark charts with a real SVG renderer and checks them.

1. tools/bench_report.py turns a small fixture run (bench_fixture.json) into
   the full chart, the headline chart and the Markdown table; the checks
   read what a person would read: headline rows first, a legend, a log
   axis, every bar labelled with its value and no cap (31x is printed as
   such), kdrv's variants apart from the peers, "(limit)" explained, the
   flags in effect (one -O level).
2. Each fixture SVG and each committed chart (--svg) is rendered to PNG by
   rsvg-convert (Debian: librsvg2-bin); the PNG must have the SVG's
   dimensions, sane bounds, and enough bytes to hold more than a blank page.

Prints "chart-check: FAIL ..." for each problem; exit status 1 if any.
"""

import argparse
import os
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

SVG_NS = "{http://www.w3.org/2000/svg}"
problems = []


def fail(message):
    problems.append(message)
    print("chart-check: FAIL " + message)


def svg_size(path):
    root = ET.parse(path).getroot()
    return int(float(root.get("width"))), int(float(root.get("height")))


def svg_texts(path, cls=None):
    """The text of every <text> element (of one class, if given), in order."""
    return texts_of(path, None if cls is None else (cls,))


def texts_of(path, classes):
    root = ET.parse(path).getroot()
    return ["".join(t.itertext()) for t in root.iter(SVG_NS + "text")
            if classes is None or t.get("class") in classes]


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


def render(rsvg, svg, png, max_height):
    name = os.path.basename(svg)
    try:
        width, height = svg_size(svg)
    except (ET.ParseError, TypeError, ValueError) as e:
        fail("%s: not a well-formed SVG with width and height: %s" % (name, e))
        return
    p = subprocess.run([rsvg, "--format=png", "-o", png, svg], capture_output=True, text=True)
    if p.returncode != 0:
        fail("%s: rsvg-convert failed: %s" % (name, p.stderr.strip()))
        return
    size = png_size(png)
    if size is None:
        fail("%s: rsvg-convert wrote no PNG" % name)
        return
    if size != (width, height):
        fail("%s: PNG is %dx%d, the SVG says %dx%d" % (name, size[0], size[1], width, height))
    if not (400 <= size[0] <= 1600):
        fail("%s: width %d outside 400..1600" % (name, size[0]))
    if not (150 <= size[1] <= max_height):
        fail("%s: height %d outside 150..%d" % (name, size[1], max_height))
    # A blank white page of this size compresses to well under a kilobyte;
    # text and bars need far more.
    nbytes = os.path.getsize(png)
    if nbytes < 8000:
        fail("%s: PNG of only %d bytes: nothing drawn?" % (name, nbytes))
    print("chart-check: ok %s rendered %dx%d, %d bytes" % (name, size[0], size[1], nbytes))


def check_fixture(report, fixture, work):
    full = os.path.join(work, "fixture.svg")
    head = os.path.join(work, "fixture-headline.svg")
    md = os.path.join(work, "fixture.md")
    p = subprocess.run([sys.executable, report, fixture, "--svg", full, "--headline-svg", head,
                        "--markdown", md], capture_output=True, text=True)
    if p.returncode != 0:
        fail("bench_report.py failed on the fixture: %s" % p.stderr.strip())
        return []
    texts = svg_texts(full)
    joined = "\n".join(texts)

    # Headline rows first (in HEADLINE order), the rest after.
    hot = svg_texts(full, "hot")
    want = ["ring.put_get", "ring.bulk_4096", "ring.stream_4k [threads:2]", "sg.build_256_contig",
            "atomic.fetch_add"]
    if hot != want:
        fail("fixture.svg: hot paths in order %s, expected %s" % (hot, want))
    for needed in ("kdrv variant", "best peer", "other peer", "(limit)"):
        if not any(needed in t for t in texts):
            fail("fixture.svg: legend entry %r missing" % needed)
    if "log scale" not in joined:
        fail("fixture.svg: the axis is not said to be logarithmic")
    # No cap: the slowest bar is labelled with its own value (31.6 / 1.01).
    if "31.3x" not in texts:
        fail("fixture.svg: std_mutex's 31.3x is not labelled as such")
    if "12.6x" not in texts:
        fail("fixture.svg: kdrv's 12.6x on ring.stream_4k is not labelled")
    ratios = [t for t in texts if re.match(r"^[0-9.]+x$", t)]
    if len(ratios) < 16:
        fail("fixture.svg: %d bar value labels, expected one per bar (16)" % len(ratios))
    for tick in ("0.1x", "1x", "10x"):
        if tick not in texts:
            fail("fixture.svg: axis tick %s missing" % tick)
    # kdrv's variants right after kdrv, before any peer.
    names = texts_of(full, ("impl", "var"))
    if names[:4] != ["kdrv", "kdrv_locked", "boost_spsc", "std_mutex"]:
        fail("fixture.svg: ring.put_get bars in order %s, expected kdrv, its variant, then peers" % names[:4])
    if not any("two_memcpy (limit)" == t for t in texts):
        fail("fixture.svg: the limit bar is not marked (limit)")
    if not any(t.startswith("(limit) marks a bound") for t in texts):
        fail("fixture.svg: (limit) is not explained on the chart")
    flags = [t for t in texts if "flags:" in t]
    if not flags or "flags: -DNDEBUG -march=native -O2 |" not in flags[0] or "-O3" in flags[0]:
        fail("fixture.svg: flags line %r is not the flags in effect" % (flags[:1],))
    if any(t.startswith("core.pingpong") for t in texts):
        fail("fixture.svg: a row without kdrv is drawn")
    if any(t.startswith("sg.build_256_runs4") for t in texts):
        fail("fixture.svg: a row without a peer is drawn")

    htexts = svg_texts(head)
    hhot = svg_texts(head, "hot")
    if hhot != want[:4]:
        fail("fixture-headline.svg: rows %s, expected the headline rows %s" % (hhot, want[:4]))
    if not any(t.startswith("12.6x  vs rte_ring16") or t.startswith("12.6x vs rte_ring16") for t in htexts):
        fail("fixture-headline.svg: ring.stream_4k is not labelled 12.6x vs rte_ring16")

    with open(md, encoding="utf-8") as f:
        text = f.read()
    if "(limit) marks a bound" not in text:
        fail("fixture.md: (limit) is not explained next to the table")
    return [(full, 8000), (head, 1200)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rsvg", default="", help="rsvg-convert (Debian: librsvg2-bin)")
    ap.add_argument("--report", required=True, help="tools/bench_report.py")
    ap.add_argument("--fixture", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--svg", action="append", default=[], help="a committed chart to render too")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    charts = check_fixture(args.report, args.fixture, args.work)
    for svg in args.svg:
        charts.append((svg, 1200 if "headline" in os.path.basename(svg) else 8000))
    if not args.rsvg or not os.path.exists(args.rsvg):
        fail("rsvg-convert not found (Debian package librsvg2-bin): the charts cannot be rendered")
    else:
        for svg, max_height in charts:
            png = os.path.join(args.work, os.path.basename(svg)[:-4] + ".png")
            render(args.rsvg, svg, png, max_height)
    print("chart-check: %d charts, %d problems" % (len(charts), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
