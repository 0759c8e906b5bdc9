#!/usr/bin/env bash
# A fuzz target's short CTest run (tests/fuzz/CMakeLists.txt): empties the scratch corpus, runs
# the libFuzzer binary, and when it fails ends its output with what a CI log's tail needs to
# reproduce the failure without the CI machine: the crashing input in base64 (up to 4 KiB;
# `base64 -d > input`, then `fuzz_<target> input`), then the lines that say what broke.
#   run_short.sh SCRATCH_CORPUS BINARY [libFuzzer arguments…]
set -uo pipefail
scratch="$1" binary="$2"
shift 2
rm -rf "$scratch" && mkdir -p "$scratch" || exit 2
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
"$binary" "$scratch" "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then
  echo "---- fuzz failure (exit $rc) ----"
  input="$(grep -o 'Test unit written to [^ ]*' "$log" | tail -n 1 | cut -d' ' -f5)"
  if [ -n "$input" ] && [ -f "$input" ]; then
    size=$(stat -c %s "$input")
    if [ "$size" -le 4096 ]; then
      echo "failing input, $size bytes, base64:"
      base64 -w 100 "$input"
    else
      echo "failing input: $input ($size bytes, too large to print)"
    fi
  fi
  grep -E 'fuzz invariant broken|ERROR: |runtime error|SUMMARY: |Test unit written' "$log" | head -n 20
fi
exit "$rc"
