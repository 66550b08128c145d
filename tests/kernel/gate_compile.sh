#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Build-time half of the kernel gates: runs one compile and records the
# outcome in a status file instead of failing the build, so that a header
# that breaks a rule fails a CTest test (with the file and the rule named)
# rather than the whole build.
#
#   gate_compile.sh <status> <depfile> <source-root> <compiler> <args...>
#
# The status file's first line is OK or FAIL; the compiler's output follows.
# On failure the object named by -o is deleted and the depfile lists every
# kdrv header, SDK stand-in and use snippet, so that any edit retries the
# compile (a failed compile writes no reliable dependency list).
status=$1
depfile=$2
root=$3
shift 3

out=
prev=
for arg in "$@"; do
    if [ "$prev" = "-o" ]; then out=$arg; fi
    prev=$arg
done

tmp="$status.tmp"
if "$@" -MD -MF "$depfile" -MT "$status" >"$tmp" 2>&1; then
    { echo OK; cat "$tmp"; } >"$status"
else
    rc=$?
    [ -n "$out" ] && rm -f "$out"
    { echo "FAIL $rc"; cat "$tmp"; } >"$status"
    find "$root/include" "$root/sdk/include" "$root/tests/kernel/uses" -type f 2>/dev/null |
        awk -v target="$status" 'BEGIN { printf "%s:", target }
                                 { gsub(/ /, "\\ "); printf " \\\n  %s", $0 }
                                 END { print "" }' >"$depfile"
    # Keep the build going; the CTest gates report the failure.
    cat "$tmp" >&2
fi
rm -f "$tmp"
exit 0
