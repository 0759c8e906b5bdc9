#!/usr/bin/env bash
# Runs every fuzz target of the sanitizer build (build-clang/, installer/test.sh
# --sanitize) the way its CTest test does — seed BIOFORGE_FUZZ_SEED (1), the
# seeds and regression corpus, an emptied scratch corpus, leak detection on —
# but for SECONDS (default 60, four times CI's 15 s): the same input sequence
# CI tries, further along, so a change does not pass here and fail in CI.
#   tests/bench/fuzz_seed_check.sh [SECONDS] [TARGET…]   (two targets at a time)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seconds="${1:-60}"
shift || true
build="${BIOFORGE_CLANG_BUILD:-$root/build-clang}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in "$root"/tests/fuzz/fuzz_*.cpp; do
    n=$(basename "$f" .cpp); [ "$n" = fuzz_support ] || targets+=("${n#fuzz_}")
  done
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
one() {
  local t="$1" d=()
  [ -f "$root/tests/fuzz/dict/$t.dict" ] && d=(-dict="$root/tests/fuzz/dict/$t.dict")
  mkdir -p "$work/$t" "$work/artifacts-$t"
  if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     "$build/tests/fuzz/fuzz_$t" "$work/$t" "$root/tests/fuzz/corpus/$t" "${d[@]}" -seed="${BIOFORGE_FUZZ_SEED:-1}" -keep_seed=1 \
     -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
     -artifact_prefix="$work/artifacts-$t/" >"$work/$t.log" 2>&1; then
    echo "$t ok $(grep -o 'number_of_executed_units: *[0-9]*' "$work/$t.log" | grep -o '[0-9]*$') executions"
  else
    cp "$work/$t.log" "$build/fuzz-seed-check-$t.log"
    cp -r "$work/artifacts-$t" "$build/fuzz-seed-check-artifacts-$t"
    echo "$t FAILED: log and input in $build/fuzz-seed-check-$t.log, $build/fuzz-seed-check-artifacts-$t/"
    return 1
  fi
}
export -f one
export root build seconds work
printf '%s\n' "${targets[@]}" | xargs -P 2 -I{} bash -c 'one {}'
