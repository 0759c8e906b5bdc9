#!/usr/bin/env bash
# Side-by-side benchmark of our ESM-2 (bench_viral esm) and the official
# fair-esm code on the same shape (ESM-2 150M: 30 layers, 640 wide, 20 heads),
# batch 8 x 166 residues, 2 threads, interleaved rounds, medians and the ratio.
# usage: tests/bench/viral_vs_fair_esm.sh <fair-esm checkout> [rounds]
# Needs Debian's python3-torch (apt-get install python3-torch); the checkout is
# github.com/facebookresearch/esm (docs/performance.md has the commands).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
esm_checkout="$1"
rounds="${2:-5}"
python="${PYTHON:-/usr/bin/python3}"
bench="$root/build/tests/bench/bench_viral"
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ours=(); theirs=()
for r in $(seq "$rounds"); do
  o=$("$bench" esm --reps 3 --threads 2 | awk '/s\/batch/ {for (i = 1; i <= NF; ++i) if ($(i+1) == "s/batch,") print $i}')
  t=$("$python" "$root/tests/bench/fair_esm_anchor.py" "$esm_checkout" 2 3 | awk '{for (i = 1; i <= NF; ++i) if ($(i+1) == "s/batch,") print $i}')
  echo "round $r: bioforge $o s, fair-esm $t s"
  ours+=("$o"); theirs+=("$t")
done
mo=$(printf "%s\n" "${ours[@]}" | median); mt=$(printf "%s\n" "${theirs[@]}" | median)
awk -v o="$mo" -v t="$mt" 'BEGIN { printf "median of %d rounds: bioforge %.3f s/batch (%.0f tokens/s), fair-esm %.3f s/batch (%.0f tokens/s): %.2fx\n", '"$rounds"', o, 1344 / o, t, 1344 / t, t / o }'
