#!/usr/bin/env bash
# Our AMX tile products (bench_amx_tiles: int8 and bf16, 2 × 2 tile blocks, weights packed
# once) against what a torch user runs at the same shapes (oneDNN's bf16 products, fbgemm's
# dynamic int8), interleaved rounds, one line per product and round; docs/performance.md.
#   tests/bench/amx_tiles_vs_onednn.sh [ROUNDS] [THREADS]
# Needs build/tests/bench/bench_amx_tiles (ninja -C build bench_amx_tiles) and Debian's
# python3-torch (/usr/bin/python3). Run on an otherwise idle machine: the figures are the
# cores', and a neighbour on the same core's other hyperthread shares its tile unit.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
rounds="${1:-3}"; threads="${2:-2}"
bench="$root/build/tests/bench/bench_amx_tiles"
[ -x "$bench" ] || { echo "amx_tiles_vs_onednn: build it first: ninja -C build bench_amx_tiles" >&2; exit 2; }
# DNABERT-S (hidden 768, FFN 3072; q, k, v as one product) and ESM-2 150M (640, 2560) over ~2,048 tokens.
shapes=(2048 2304 768 2048 3072 768 2048 768 3072 2048 1920 640 2048 2560 640 2048 640 2560)
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'); $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
  echo "# round $r"
  "$bench" --threads "$threads" --reps 5 "${shapes[@]}"
  /usr/bin/python3 "$root/tests/bench/onednn_products_anchor.py" "$threads" 5 "${shapes[@]}"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
