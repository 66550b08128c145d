# shellcheck shell=bash disable=SC2034
# SPDX-License-Identifier: MIT
#
# Shared by tools/test.sh and tools/bench.sh (source it; it is not a program).
# Knows the Debian packages kdrv needs, installs the missing ones, and times
# steps for the final summary.
#
# Environment:
#   KDRV_NO_INSTALL=1   never run apt-get; only report what is missing
#   KDRV_JOBS=N         parallel jobs for builds and ctest (default: nproc)

KDRV_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Building kdrv, its tests' framework and the benchmark harness.
KDRV_BUILD_PACKAGES=(cmake ninja-build clang lld llvm doctest-dev libmsgsl-dev libbenchmark-dev
                     python3 pkg-config)
# The test suite also needs: g++ (standards matrix, freestanding ELF profile),
# clang-query (Embedded C++ check), llvm-nm/objdump (symbol gate, in llvm) and
# clang's sanitizer and libFuzzer runtimes, doxygen (the API reference is
# built, warnings as errors, in the default preset), GoogleTest (the check
# of kdrv's Google Test Status printer), Relacy (the model preset) and
# rsvg-convert (the benchmark charts are rendered and checked, tests/chart).
KDRV_TEST_PACKAGES=(g++ clang-tools clang-format libclang-rt-14-dev doxygen libgtest-dev relacy-dev
                    librsvg2-bin)
# Optional benchmark peers: a missing one only drops its benchmarks.
KDRV_PEER_PACKAGES=(libboost-dev libboost-thread-dev libabsl-dev libtbb-dev libdpdk-dev libck-dev
                    liburcu-dev libreaderwriterqueue-dev libconcurrentqueue-dev
                    libatomic-queue-dev zlib1g-dev)

if [[ -t 1 ]]; then
    _kdrv_bold=$'\033[1m'
    _kdrv_red=$'\033[31m'
    _kdrv_reset=$'\033[0m'
else
    _kdrv_bold=""
    _kdrv_red=""
    _kdrv_reset=""
fi

kdrv_log() { printf '%s==> %s%s\n' "$_kdrv_bold" "$*" "$_kdrv_reset"; }
kdrv_warn() { printf '%swarning: %s%s\n' "$_kdrv_red" "$*" "$_kdrv_reset" >&2; }
kdrv_die() { printf '%serror: %s%s\n' "$_kdrv_red" "$*" "$_kdrv_reset" >&2; exit 1; }

kdrv_jobs() { echo "${KDRV_JOBS:-$(nproc 2>/dev/null || echo 2)}"; }

# Prints the packages among "$@" that dpkg does not list as installed.
kdrv_missing_packages() {
    local p
    for p in "$@"; do
        if ! dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed'; then
            echo "$p"
        fi
    done
}

_kdrv_apt_updated=0
_kdrv_apt() {
    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
            sudo=(sudo)
        else
            return 1
        fi
    fi
    if [[ $_kdrv_apt_updated -eq 0 ]]; then
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q || return 1
        _kdrv_apt_updated=1
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "$@"
}

# kdrv_ensure_packages required|optional <package>...
# Installs whichever of the packages is missing (as root, or through
# passwordless sudo). A required package that cannot be installed is fatal;
# an optional one is a warning.
kdrv_ensure_packages() {
    local kind=$1
    shift
    if ! command -v dpkg >/dev/null; then
        kdrv_warn "not a Debian system: make sure these are installed: $*"
        return 0
    fi
    local missing
    mapfile -t missing < <(kdrv_missing_packages "$@")
    [[ ${#missing[@]} -eq 0 ]] && return 0
    if [[ ${KDRV_NO_INSTALL:-0} == 1 ]]; then
        [[ $kind == required ]] && kdrv_die "missing Debian packages: ${missing[*]}"
        kdrv_warn "missing optional Debian packages (their benchmarks are skipped): ${missing[*]}"
        return 0
    fi
    kdrv_log "installing ${kind} Debian packages: ${missing[*]}"
    if _kdrv_apt "${missing[@]}"; then
        return 0
    fi
    if [[ $kind == required ]]; then
        kdrv_die "could not install ${missing[*]} (run as root, or install them yourself)"
    fi
    # One unavailable optional package must not cost the others.
    local p
    for p in "${missing[@]}"; do
        _kdrv_apt "$p" || kdrv_warn "could not install optional package $p; its benchmarks are skipped"
    done
}

# Step timing: kdrv_step <label> <command...> runs the command, records its
# duration and status, and returns the status.
KDRV_STEP_LABELS=()
KDRV_STEP_SECONDS=()
KDRV_STEP_STATUS=()
kdrv_step() {
    local label=$1
    shift
    kdrv_log "$label: $*"
    local start=$SECONDS status=0
    "$@" || status=$?
    KDRV_STEP_LABELS+=("$label")
    KDRV_STEP_SECONDS+=($((SECONDS - start)))
    KDRV_STEP_STATUS+=("$status")
    if [[ $status -ne 0 ]]; then
        kdrv_warn "$label failed (exit $status)"
    fi
    return "$status"
}

kdrv_format_seconds() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# Prints every recorded step with its time and result.
kdrv_summary() {
    local i total=0 result
    printf '\n%s%-28s %9s  %s%s\n' "$_kdrv_bold" "step" "time" "result" "$_kdrv_reset"
    for i in "${!KDRV_STEP_LABELS[@]}"; do
        result=ok
        [[ ${KDRV_STEP_STATUS[$i]} -ne 0 ]] && result="FAILED (exit ${KDRV_STEP_STATUS[$i]})"
        printf '%-28s %9s  %s\n' "${KDRV_STEP_LABELS[$i]}" \
            "$(kdrv_format_seconds "${KDRV_STEP_SECONDS[$i]}")" "$result"
        total=$((total + KDRV_STEP_SECONDS[i]))
    done
    printf '%-28s %9s\n' "total" "$(kdrv_format_seconds "$total")"
}
