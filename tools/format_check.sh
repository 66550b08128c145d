#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Fails, naming each file, when a tracked C++ source differs from what
# clang-format (.clang-format at the top) makes of it. `--fix` rewrites them.
# Run from anywhere; the test suite runs it as the CTest test "format".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
CLANG_FORMAT=${CLANG_FORMAT:-clang-format}
mapfile -t files < <(git ls-files '*.hpp' '*.cpp' '*.h' 2>/dev/null || true)
if [[ ${#files[@]} -eq 0 ]]; then
    # Not a git checkout (an unpacked archive): check what is there.
    mapfile -t files < <(find include sdk tests fuzz benchmarks examples \
        \( -name '*.hpp' -o -name '*.cpp' -o -name '*.h' \) -type f | sort)
fi
if [[ ${1:-} == --fix ]]; then
    "$CLANG_FORMAT" -i "${files[@]}"
    exit 0
fi
bad=0
for f in "${files[@]}"; do
    if ! "$CLANG_FORMAT" --dry-run --Werror "$f" > /dev/null 2>&1; then
        echo "format: $f differs from clang-format (fix: bash tools/format_check.sh --fix)"
        bad=$((bad + 1))
    fi
done
long=$(awk 'length > 100 { print FILENAME ":" FNR }' "${files[@]}" | head -20)
if [[ -n $long ]]; then
    echo "format: lines over 100 columns:"
    echo "$long"
    bad=$((bad + 1))
fi
if [[ $bad -ne 0 ]]; then
    exit 1
fi
echo "format: ${#files[@]} files match clang-format, none over 100 columns"
