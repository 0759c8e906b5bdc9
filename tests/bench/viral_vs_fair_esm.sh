#!/usr/bin/env bash
# Side-by-side benchmark of our ESM-2 (bench_viral esm) and the official
# fair-esm code on the same shape (ESM-2 150M: 30 layers, 640 wide, 20 heads),
# batch 8 x 166 residues, 2 cores, interleaved rounds, medians. The anchor's
# settings and the report: anchor_common.sh.
#
# usage: tests/bench/viral_vs_fair_esm.sh <fair-esm checkout> [rounds]
# Needs Debian's python3-torch (apt-get install python3-torch); the checkout is
# github.com/facebookresearch/esm (docs/performance.md has the commands).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
esm_checkout="$1"
rounds="${2:-5}"
python="${PYTHON:-/usr/bin/python3}"
bench="$root/build/tests/bench/bench_viral"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
source "$root/tests/bench/anchor_common.sh"
"$bench" esm --reps 1 --threads 2 --precision fp32 2>"$work/blas" >/dev/null || true
anchor_settings "$work/blas" "$python"
# torch.autocast stops in fair-esm on Debian's torch 1.13 (the LM head's LayerNorm gets a bfloat16
# input beside float32 weights: "expected scalar type BFloat16 but found Float"); its bfloat16
# is model.bfloat16().
anchor_drop_dtype autocast
for r in $(seq "$rounds"); do
  for p in $precisions; do
    "$bench" esm --reps 3 --threads 2 --precision "$p" 2>/dev/null | grep "s/batch" | seconds >> "$work/ours-$p"
  done
  for i in "${!settings[@]}"; do
    IFS='|' read -r name envs threads dtype <<< "${settings[$i]}"
    anchor_run env $envs "$python" "$root/tests/bench/fair_esm_anchor.py" "$esm_checkout" "$threads" 3 "$dtype" >> "$work/theirs-$i"
  done
  echo "round $r done" >&2
done
anchor_report "$work" "$rounds" 1344 fair-esm
