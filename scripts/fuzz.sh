#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for a bounded time and reports, per target,
# the executions and whether anything was found. Not part of scripts/test.sh: a
# fuzzing run is open-ended by nature; its findings become ordinary regression tests.
#
#   scripts/fuzz.sh                  each target for FUZZ_SECONDS (default 60)
#   FUZZ_SECONDS=600 scripts/fuzz.sh response registration
#
# The committed seeds (fuzz/corpus/TARGET) are copied to a scratch corpus first, so a
# run does not grow the repository. Crashes land in fuzz/artifacts/TARGET/.
# Needs the nightly toolchain (on these machines) and cargo-fuzz, installed here when
# missing. Fuzzes the project's own code only; no network.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT/fuzz"

SECONDS_EACH=${FUZZ_SECONDS:-60}
[[ "$SECONDS_EACH" =~ ^[0-9]+$ ]] && [ "$SECONDS_EACH" -ge 1 ] || { echo "fuzz.sh: FUZZ_SECONDS must be a whole number >= 1" >&2; exit 2; }
rustup toolchain list | grep -q '^nightly' || { echo "fuzz.sh: the nightly toolchain is needed (rustup toolchain install nightly)" >&2; exit 2; }
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked

TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || mapfile -t TARGETS < <(cargo +nightly fuzz list)
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/sipreg-fuzz.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT

status=0
printf '%-16s %12s %8s  %s\n' target executions seconds result
for t in "${TARGETS[@]}"; do
    mkdir -p "$SCRATCH/$t"
    cp -r "corpus/$t/." "$SCRATCH/$t/" 2>/dev/null || true
    log="$SCRATCH/$t.log"
    if cargo +nightly fuzz run "$t" "$SCRATCH/$t" -- -max_total_time="$SECONDS_EACH" \
        -print_final_stats=1 -rss_limit_mb=2048 -timeout=10 >"$log" 2>&1; then
        result="nothing found"
    else
        result="FOUND: see fuzz/artifacts/$t/ and $log"
        cp "$log" "$ROOT/fuzz/artifacts/$t.log" 2>/dev/null || true
        status=1
    fi
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    printf '%-16s %12s %8s  %s\n' "$t" "${runs:-?}" "$SECONDS_EACH" "$result"
done
exit $status
