#!/usr/bin/env bash
# Side-by-side benchmark of `bioforge llm bench` and llama.cpp's llama-bench on
# the same synthesized models, interleaved, reporting medians and the ratio.
# usage: [P=128 N=32] tests/bench/llm_vs_llamacpp.sh <llama-bench binary> [rounds]
# The llama.cpp build (2025-02-20 snapshot, CPU, GGML_NATIVE) is made outside
# this tree; docs/performance.md has the commands.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
llama_bench="$1"
rounds="${2:-5}"
p="${P:-128}"
n="${N:-32}"
bioforge="$root/build/bin/bioforge"
work="${BENCH_DIR:-/tmp/bioforge-llm-bench}"
mkdir -p "$work"
for type in Q4_K_M Q8_0; do
  model="$work/bench-$type.gguf"
  [ -f "$model" ] || "$bioforge" llm synth-model "$model" --embd 1024 --layers 12 --heads 16 --kv-heads 4 \
      --ff 2816 --vocab 32000 --ctx 2048 --type "$type" --seed 1 >/dev/null
done
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
printf "| model | test | bioforge t/s | llama.cpp t/s | ratio |\n| --- | --- | ---: | ---: | ---: |\n"
for type in Q4_K_M Q8_0; do
  model="$work/bench-$type.gguf"
  : > "$work/ours.txt"; : > "$work/theirs.txt"
  for r in $(seq "$rounds"); do
    "$bioforge" llm bench "$model" --p "$p" --n "$n" --r 3 --threads 2 | awk -F'|' -v pp="pp$p" -v tg="tg$n" '$7 ~ " "pp" " || $7 ~ " "tg" "{gsub(/ /,"",$7); gsub(/ /,"",$8); split($8,v,"±"); print $7, v[1]}' >> "$work/ours.txt"
    "$llama_bench" -m "$model" -t 2 -p "$p" -n "$n" -r 3 2>/dev/null | awk -F'|' -v pp="pp$p" -v tg="tg$n" '$7 ~ " "pp" " || $7 ~ " "tg" "{gsub(/ /,"",$7); gsub(/ /,"",$8); split($8,v,"±"); print $7, v[1]}' >> "$work/theirs.txt"
  done
  for test in "pp$p" "tg$n"; do
    ours=$(awk -v t=$test '$1==t{print $2}' "$work/ours.txt" | median)
    theirs=$(awk -v t=$test '$1==t{print $2}' "$work/theirs.txt" | median)
    printf "| %s | %s | %.1f | %.1f | %.2f |\n" "$type" "$test" "$ours" "$theirs" "$(echo "$ours / $theirs" | bc -l)"
  done
done
