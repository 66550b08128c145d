#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Regenerates the kernel export data of the symbol gate from an xnu checkout.

    regenerate.py --xnu <xnu checkout or bare git dir> --tag <tag or commit>

For each architecture (x86_64, arm64) and each kext symbol set, composes the
set's list as xnu's config/Makefile does: <Set>.exports, then
<Set>.<arch>.exports, then <Set>.<arch>.MacOSX.exports (the last two only if
present). It writes <arch>/<Set>.txt next to this script: one exported symbol
name per line (Mach-O spelling, with the leading underscore), sorted. An
alias entry "name:target" exports "name"; a trailing "*" is kept and matches
by prefix. SOURCE.txt records the tag and commit the data came from.

Only names are stored: they are facts about the kernel's ABI.
"""

import argparse
import os
import subprocess
import sys

SETS = ["BSDKernel", "IOKit", "Libkern", "Mach", "MACFramework", "Unsupported", "Private"]
ARCHS = ["x86_64", "arm64"]
PLATFORM = "MacOSX"


def reader(xnu, rev):
    """Returns read(path) -> text or None, over a work tree or a git dir."""
    git_dir = xnu if os.path.exists(os.path.join(xnu, "HEAD")) and not os.path.isdir(
        os.path.join(xnu, "config")) else None
    if git_dir is None and os.path.isdir(os.path.join(xnu, ".git")) and rev:
        git_dir = os.path.join(xnu, ".git")
    if git_dir:
        def read(path):
            p = subprocess.run(["git", "--git-dir", git_dir, "show", "%s:%s" % (rev, path)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            return p.stdout.decode("utf-8", "replace") if p.returncode == 0 else None
        commit = subprocess.run(["git", "--git-dir", git_dir, "rev-parse", rev + "^{commit}"],
                                stdout=subprocess.PIPE, check=True).stdout.decode().strip()
        return read, commit

    def read_tree(path):
        try:
            with open(os.path.join(xnu, path)) as f:
                return f.read()
        except OSError:
            return None
    return read_tree, "unknown (work tree)"


def names(text):
    out = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        out.add(line.split(":", 1)[0].strip())
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--xnu", required=True, help="xnu work tree or bare git directory")
    ap.add_argument("--tag", required=True, help="tag (or commit) to read; recorded in SOURCE.txt")
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    args = ap.parse_args()
    read, commit = reader(args.xnu, args.tag)
    for arch in ARCHS:
        os.makedirs(os.path.join(args.out, arch), exist_ok=True)
        for s in SETS:
            parts = ["config/%s.exports" % s, "config/%s.%s.exports" % (s, arch),
                     "config/%s.%s.%s.exports" % (s, arch, PLATFORM)]
            found = set()
            used = []
            for p in parts:
                text = read(p)
                if text is not None:
                    found |= names(text)
                    used.append(os.path.basename(p))
            if not used:
                sys.exit("regenerate.py: no %s exports for %s in %s" % (s, arch, args.xnu))
            with open(os.path.join(args.out, arch, s + ".txt"), "w") as f:
                f.write("# %s, %s: %s\n" % (s, arch, " + ".join(used)))
                for n in sorted(found):
                    f.write(n + "\n")
            print("%s/%s: %d names" % (arch, s, len(found)))
    with open(os.path.join(args.out, "SOURCE.txt"), "w") as f:
        f.write("xnu tag %s\ncommit %s\nsets %s\narchitectures %s\nplatform %s\n"
                % (args.tag, commit, " ".join(SETS), " ".join(ARCHS), PLATFORM))
    return 0


if __name__ == "__main__":
    sys.exit(main())
