#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""List the function definitions of C++ headers by length.

A definition's length is counted from the first line of its signature to the
line of its closing brace, both included; comments and preprocessor lines
inside it count, as they are in the file. The scan is lexical (comments,
strings and character literals are blanked first, then braces are matched),
which is enough for the project's clang-formatted headers.

Usage: function_lengths.py [--over N] [--top N] [--check] [--allow NAME]... FILE_OR_DIR...
Prints "length path:line name" rows, longest first, then a summary line.
Exits 0, or with --check 1 when a definition not named by --allow is
longer than N lines (the CTest check function_lengths uses that).
"""
import argparse
import os
import re
import sys

CONTROL = {"if", "for", "while", "switch", "catch", "do", "else", "return", "sizeof"}
AGGREGATE = re.compile(r"\b(class|struct|union|enum|namespace)\b")


def blank(text):
    """Replaces comments, string and character literals by spaces (newlines kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        else:
            out.append(c)
            i += 1
    # Preprocessor lines (with continuations) carry no braces we should match.
    lines = "".join(out).split("\n")
    cont = False
    for k, line in enumerate(lines):
        if cont or line.lstrip().startswith("#"):
            cont = line.rstrip().endswith("\\")
            lines[k] = ""
    return "\n".join(lines)


def head_of(prefix):
    """The declaration text in front of a '{', minus access labels."""
    cut = max(prefix.rfind(";"), prefix.rfind("{"), prefix.rfind("}"))
    start = cut + 1
    text = prefix[start:]
    m = re.match(r"\s*(?:(?:public|private|protected)\s*:(?!:)\s*)*", text)
    start += m.end()
    # Macro invocations at namespace scope end without ';': the declaration
    # starts at the last line, outside parentheses, that is indented least
    # (signature continuations and initializer lists are indented more).
    best, best_indent, depth, pos = start, None, 0, start
    for line in prefix[start:].split("\n"):
        if depth == 0 and line.strip():
            indent = len(line) - len(line.lstrip())
            if best_indent is None or indent <= best_indent:
                best, best_indent = pos + indent, indent
        depth += line.count("(") - line.count(")")
        pos += len(line) + 1
    return best, prefix[best:]


def function_name(head):
    if AGGREGATE.search(head.split("(")[0]) or "(" not in head:
        return None
    if re.search(r"=\s*$", head) or head.rstrip().endswith(("=", ",", "return")):
        return None
    m = re.search(r"([~\w:]+|operator\s*\S+?)\s*\(", head)
    if not m or m.group(1) in CONTROL or m.group(1).split("::")[-1] in CONTROL:
        return None
    if re.match(r"\s*(?:else\b|do\b)", head):
        return None
    return m.group(1)


def scan(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    code = blank(text)
    rows = []
    depth_fn = None  # brace depth at which the current function body opened
    depth = 0
    fn_start = None
    for i, c in enumerate(code):
        if c == "{":
            if depth_fn is None:
                start, head = head_of(code[:i])
                name = function_name(head)
                if name:
                    depth_fn = depth
                    fn_start = (code.count("\n", 0, start) + 1, name)
            depth += 1
        elif c == "}":
            depth -= 1
            if depth_fn is not None and depth == depth_fn:
                line_end = code.count("\n", 0, i) + 1
                rows.append((line_end - fn_start[0] + 1, path, fn_start[0], fn_start[1]))
                depth_fn = None
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--over", type=int, default=60, help="list definitions longer than N lines")
    ap.add_argument("--top", type=int, default=0, help="list the N longest instead")
    ap.add_argument("--check", action="store_true", help="exit 1 if a definition is over N")
    ap.add_argument("--allow", action="append", default=[], help="a name --check lets pass")
    args = ap.parse_args()
    files = []
    for p in args.paths:
        if os.path.isdir(p):
            for root, _, names in os.walk(p):
                files += [os.path.join(root, n) for n in names if n.endswith((".hpp", ".h"))]
        else:
            files.append(p)
    rows = []
    for f in sorted(files):
        rows += scan(f)
    rows.sort(key=lambda r: (-r[0], r[1], r[2]))
    shown = rows[: args.top] if args.top else [r for r in rows if r[0] > args.over]
    for length, path, line, name in shown:
        print("%4d %s:%d %s" % (length, path, line, name))
    over = sum(1 for r in rows if r[0] > args.over)
    print("%d definitions, %d over %d lines, longest %d" %
          (len(rows), over, args.over, rows[0][0] if rows else 0))
    bad = [r for r in rows if r[0] > args.over and r[3] not in args.allow]
    if args.check and bad:
        print("function_lengths: %d definition(s) over %d lines (split them, or name a"
              " deliberate one with --allow)" % (len(bad), args.over))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
