#!/usr/bin/env bash
# Side-by-side benchmark of our DNABERT-S (bench_viral dnabert) and the official
# DNABERT-S model code (github.com/MAGICS-LAB/DNABERT_S, evaluate/model_codes,
# run by dnabert_s_anchor.py) on the same shape (12 layers, 768 wide, 12 heads,
# GLU FFN 3072) and the same token ids: one batch of 32 spans of 301 bases,
# 2 cores, interleaved rounds, medians. The anchor's settings and the report:
# anchor_common.sh.
#
# usage: tests/bench/viral_vs_dnabert_s.sh <DNABERT_S checkout> <einops checkout> [rounds]
# ANCHOR_REPS (default 2) forward passes per anchor run after its warm-up: the official
# code's slowest settings take ~25 s a pass here.
# Needs Debian's python3-torch; the checkouts are github.com/MAGICS-LAB/DNABERT_S
# and github.com/arogozhnikov/einops (docs/performance.md has the commands).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
checkout="$1"
einops_checkout="$2"
rounds="${3:-5}"
python="${PYTHON:-/usr/bin/python3}"
bench="$root/build/tests/bench/bench_viral"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
source "$root/tests/bench/anchor_common.sh"
"$bench" dnabert --reps 1 --threads 2 --precision fp32 --ids-out "$work/ids" 2>"$work/blas" >/dev/null
anchor_settings "$work/blas" "$python"
# model.bfloat16() stops in the official code on a CPU (dnabert_s_anchor.py says why): its
# bfloat16 is PyTorch's autocast.
anchor_drop_dtype bf16
tokens=$(wc -w < "$work/ids")
for r in $(seq "$rounds"); do
  for p in $precisions; do
    "$bench" dnabert --reps 3 --threads 2 --precision "$p" 2>/dev/null | grep "s/batch" | seconds >> "$work/ours-$p"
  done
  for i in "${!settings[@]}"; do
    IFS='|' read -r name envs threads dtype <<< "${settings[$i]}"
    anchor_run env $envs "$python" "$root/tests/bench/dnabert_s_anchor.py" "$checkout" "$einops_checkout" "$work/ids" "$threads" \
      "${ANCHOR_REPS:-2}" "$dtype" >> "$work/theirs-$i"
  done
  echo "round $r done" >&2
done
anchor_report "$work" "$rounds" "$tokens" "official DNABERT-S"
