#!/usr/bin/env bash
# Side-by-side benchmark of our ESM-2 (bench_viral esm) and the official
# fair-esm code on the same shape (ESM-2 150M: 30 layers, 640 wide, 20 heads),
# batch 8 x 166 residues, 2 cores, interleaved rounds, medians.
#
# fair-esm runs at every thread setting a user could pick on Debian's torch
# (its default: one OpenMP thread, OpenBLAS on every core; set_num_threads(1)
# and (2); OPENBLAS_NUM_THREADS=1 with set_num_threads(2)), in float32 and in
# bfloat16 (model.bfloat16()); each precision is compared with fair-esm's
# best setting in that precision, and with its best overall.
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
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
seconds() { awk '{for (i = 1; i <= NF; ++i) if ($(i+1) == "s/batch," || $(i+1) == "s/batch") print $i}'; }
# name|environment|threads argument|dtype
settings=(
  "default fp32||default|fp32"
  "set_num_threads(1) fp32||1|fp32"
  "set_num_threads(2) fp32||2|fp32"
  "set_num_threads(2), OpenBLAS 1, fp32|OPENBLAS_NUM_THREADS=1|2|fp32"
  "default bf16||default|bf16"
  "set_num_threads(2) bf16||2|bf16"
)
# The OpenBLAS kernels: bench_viral runs the ones bioforge chooses from the CPU's
# instruction sets (core/compute/blas_core.h) and names them; fair-esm runs what its
# OpenBLAS detects by itself, and also with the same OPENBLAS_CORETYPE as ours (a setting
# its user could pick too), so its best float32 setting is like for like.
"$bench" esm --reps 1 --threads 2 --precision fp32 2>"$work/blas" >/dev/null || true
kernels=$(sed -n 's/^BLAS: OpenBLAS, \(.*\) kernels$/\1/p' "$work/blas" | head -1)
detected=$(OPENBLAS_VERBOSE=2 "$python" -c 'import torch; torch.ones(64, 64) @ torch.ones(64, 64)' 2>&1 | sed -n 's/^Core: //p' | head -1)
echo "OpenBLAS kernels: bioforge ${kernels:-(none)}, fair-esm's torch by itself ${detected:-(unknown)}" >&2
if [ -n "$kernels" ]; then
  settings+=("default, OPENBLAS_CORETYPE=$kernels, fp32|OPENBLAS_CORETYPE=$kernels|default|fp32"
             "set_num_threads(1), OPENBLAS_CORETYPE=$kernels, fp32|OPENBLAS_CORETYPE=$kernels|1|fp32")
fi
for r in $(seq "$rounds"); do
  for p in fp32 bf16; do
    "$bench" esm --reps 3 --threads 2 --precision "$p" 2>/dev/null | grep "s/batch" | seconds >> "$work/ours-$p"
  done
  for i in "${!settings[@]}"; do
    IFS='|' read -r name envs threads dtype <<< "${settings[$i]}"
    env $envs "$python" "$root/tests/bench/fair_esm_anchor.py" "$esm_checkout" "$threads" 3 "$dtype" | seconds >> "$work/theirs-$i"
  done
  echo "round $r done" >&2
done
printf "| | s / batch (median of %d rounds) | tokens/s |\n| --- | ---: | ---: |\n" "$rounds"
for p in fp32 bf16; do
  m=$(median < "$work/ours-$p")
  printf "| BioForge %s | %.3f | %.0f |\n" "$p" "$m" "$(echo "1344 / $m" | bc -l)"
  echo "$m" > "$work/ours-median-$p"
done
for i in "${!settings[@]}"; do
  IFS='|' read -r name envs threads dtype <<< "${settings[$i]}"
  m=$(median < "$work/theirs-$i")
  printf "| fair-esm, %s | %.3f | %.0f |\n" "$name" "$m" "$(echo "1344 / $m" | bc -l)"
  echo "$m $name" >> "$work/theirs-$dtype"
done
echo
for p in fp32 bf16; do
  o=$(cat "$work/ours-median-$p")
  read -r b bname < <(sort -g "$work/theirs-$p" | head -1)
  read -r a aname < <(cat "$work/theirs-fp32" "$work/theirs-bf16" | sort -g | head -1)
  printf "BioForge %s against fair-esm's best %s setting (%s): %.2fx; against its best of all (%s): %.2fx\n" \
    "$p" "$p" "$bname" "$(echo "$b / $o" | bc -l)" "$aname" "$(echo "$a / $o" | bc -l)"
done
