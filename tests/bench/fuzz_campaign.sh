#!/usr/bin/env bash
# The long fuzz campaign (docs/reliability.md): builds tests/fuzz as
# libFuzzer binaries with clang-14 under ASan + UBSan (build-fuzz/), then
# runs each target for SECONDS (default 600) from its seeds and regression
# corpus, with its dictionary where there is one. A crash, leak or timeout
# leaves its input in build-fuzz/artifacts/<target>/: copy it into
# tests/fuzz/corpus/<target>/ with the fix, so the normal suite replays it.
#   tests/bench/fuzz_campaign.sh [SECONDS] [TARGET…]
# FUZZ_RUNS=N stops a target after N executions (10000000 is the issue's aim;
# SECONDS stays the cap). FUZZ_SKIP_BUILD=1 runs what build-fuzz/ holds, so two
# campaigns can share the machine (one per core) without two builds.
# FUZZ_MAX_LEN=N caps an input's size (default 65536): text formats whose real
# files are a few KB (provenance records, squeue output, vocabularies) keep their
# rate when libFuzzer is not let to grow inputs to 64 KB.
# The targets write their inputs (and checkpoints, databases) under TMPDIR:
# it is a folder on /dev/shm when there is one, so fsync costs nothing and the
# disk is not worn.
# Each finished target appends a line to build-fuzz/campaigns.tsv.
# Never pause a running target (SIGSTOP, a suspended VM): -timeout counts wall
# time, and the input it was on is reported as a timeout when it resumes. Stop
# it with SIGINT instead (libFuzzer prints its final stats; the corpus is kept).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fasta csv safetensors run_record gguf llm_tokenizer chat_template hf_tokenizer esm_alphabet cluster_files bpe_tokenizer model_config checkpoint project_db age_table annotation_import)
dir="$root/build-fuzz"
command -v clang++-14 >/dev/null || { echo "fuzz_campaign: needs clang-14 and libclang-rt-14-dev (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 2; }
[ "${FUZZ_SKIP_BUILD:-0}" = 1 ] || cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DBIOFORGE_FUZZ=ON -DBIOFORGE_SANITIZE=address,undefined -DBIOFORGE_GUI=OFF -DBIOFORGE_TORCH=OFF -DBIOFORGE_BUILD_BENCH=OFF \
  -DBIOFORGE_CUDA=OFF -DBIOFORGE_HIP=OFF >/dev/null
[ "${FUZZ_SKIP_BUILD:-0}" = 1 ] || ninja -C "$dir" $(printf 'fuzz_%s ' "${targets[@]}")
runs=(); [ -z "${FUZZ_RUNS:-}" ] || runs=(-runs="$FUZZ_RUNS")
# Started with `nice` so that builds and tests go first: under autogroup scheduling (Linux's
# default) nice only orders the processes of one session, and a campaign started with setsid
# took ~80 % of the cores beside a test run in another session. Its session gets the same nice.
niceness=$(nice)
if [ "$niceness" -gt 0 ] && [ -w /proc/self/autogroup ]; then echo "$niceness" >/proc/self/autogroup 2>/dev/null || true; fi
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  TMPDIR="$(mktemp -d /dev/shm/bioforge-fuzz.XXXXXX)"; export TMPDIR
  trap 'rm -rf "$TMPDIR"' EXIT
fi
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
printf '%-12s %12s %10s %8s %8s %s\n' target executions exec/s edges corpus result
for t in "${targets[@]}"; do
  corpus="$dir/corpus/$t"; artifacts="$dir/artifacts/$t/"
  mkdir -p "$corpus" "$artifacts"
  dict=(); [ -f "$root/tests/fuzz/dict/$t.dict" ] && dict=(-dict="$root/tests/fuzz/dict/$t.dict")
  log="$dir/fuzz-$t.log"
  set +e
  began=$(date +%s)
  "$dir/tests/fuzz/fuzz_$t" "$corpus" "$root/tests/fuzz/corpus/$t" "${dict[@]}" -keep_seed=1 -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len="${FUZZ_MAX_LEN:-65536}" -print_final_stats=1 -artifact_prefix="$artifacts" "${runs[@]}" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || echo 0)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || echo 0)
  edges=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
  files=$(find "$corpus" -type f | wc -l)
  # 72: libFuzzer's exit code for a run stopped by SIGINT (-interrupted_exitcode), not a finding.
  result=ok; [ $rc -eq 0 ] || result="FAILED (rc $rc, input in $artifacts, log $log)"
  [ $rc -ne 72 ] || result="interrupted (SIGINT)"
  printf '%-12s %12s %10s %8s %8s %s\n' "$t" "$execs" "$rate" "$edges" "$files" "$result"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\tmax_len %s\n' "$(date -u +%FT%TZ)" "$t" "$execs" "$(( $(date +%s) - began ))" "$rate" "$edges" "$files" "$result" \
    "${FUZZ_MAX_LEN:-65536}" >>"$dir/campaigns.tsv"
done
