# Shared by the side-by-side benchmarks against official Python code on Debian's
# torch (viral_vs_fair_esm.sh, viral_vs_dnabert_s.sh); sourced, not run.
#
# The anchor runs at every thread setting a user of Debian's torch could pick
# (its default: one OpenMP thread, OpenBLAS on every core; set_num_threads(1)
# and (2); OPENBLAS_NUM_THREADS=1 with set_num_threads(2)), in float32 and in
# bfloat16 (two ways a user gets it: the weights in bfloat16, model.bfloat16(),
# dtype "bf16"; PyTorch's mixed precision, torch.autocast("cpu", bfloat16), dtype
# "autocast"), in int8 (dynamic int8 linear layers, int8_dynamic.py), and in float32 (and
# int8, whose attention products stay float32) also with the OpenBLAS kernels
# bioforge runs (OPENBLAS_CORETYPE, a setting its user could pick too: Debian's
# OpenBLAS may not recognise a newer CPU and fall back to old kernels), and its
# best-placed bfloat16 settings also with LibTorch's AVX-512 kernels (PyTorch 1.13
# keeps them off unless ATEN_CPU_CAPABILITY=avx512; on a CPU without AVX-512 that
# run fails and is left out). Each of
# our precisions is compared with the anchor's best setting in that precision,
# and with its best of all.

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
seconds() { awk '{for (i = 1; i <= NF; ++i) if ($(i+1) == "s/batch," || $(i+1) == "s/batch") print $i}'; }

# anchor_settings BENCH_STDERR_FILE PYTHON: fills the array `settings` with
# "name|environment|threads argument|dtype" and reports the kernels of both sides.
# A script drops the settings its anchor cannot run (anchor_drop_dtype).
anchor_settings() {
  local kernels detected
  kernels=$(sed -n 's/^BLAS: OpenBLAS, \(.*\) kernels$/\1/p' "$1" | head -1)
  detected=$(OPENBLAS_VERBOSE=2 "$2" -c 'import torch; torch.ones(64, 64) @ torch.ones(64, 64)' 2>&1 | sed -n 's/^Core: //p' | head -1)
  echo "OpenBLAS kernels: bioforge ${kernels:-(none)}, the anchor's torch by itself ${detected:-(unknown)}" >&2
  settings=(
    "default fp32||default|fp32"
    "set_num_threads(1) fp32||1|fp32"
    "set_num_threads(2) fp32||2|fp32"
    "set_num_threads(2), OpenBLAS 1, fp32|OPENBLAS_NUM_THREADS=1|2|fp32"
    "default bf16||default|bf16"
    "set_num_threads(2) bf16||2|bf16"
    "default autocast bf16||default|autocast"
    "set_num_threads(2) autocast bf16||2|autocast"
    "set_num_threads(2) bf16, ATEN_CPU_CAPABILITY=avx512|ATEN_CPU_CAPABILITY=avx512|2|bf16"
    "set_num_threads(2) autocast bf16, ATEN_CPU_CAPABILITY=avx512|ATEN_CPU_CAPABILITY=avx512|2|autocast"
    "default int8||default|int8"
    "set_num_threads(2) int8||2|int8"
    "set_num_threads(2), OpenBLAS 1, int8|OPENBLAS_NUM_THREADS=1|2|int8"
  )
  # The idle waits bioforge sets for its own pools (compute/thread_waits.h), a setting the anchor's
  # user could pick as well: with them both pools can have every core.
  local waits="GOMP_SPINCOUNT=10000 OPENBLAS_THREAD_TIMEOUT=4"
  settings+=("default, $waits, fp32|$waits|default|fp32"
             "set_num_threads(2), $waits, fp32|$waits|2|fp32")
  if [ -n "$kernels" ]; then
    settings+=("default, OPENBLAS_CORETYPE=$kernels, fp32|OPENBLAS_CORETYPE=$kernels|default|fp32"
               "set_num_threads(1), OPENBLAS_CORETYPE=$kernels, fp32|OPENBLAS_CORETYPE=$kernels|1|fp32"
               "set_num_threads(2), OPENBLAS_CORETYPE=$kernels, $waits, int8|OPENBLAS_CORETYPE=$kernels $waits|2|int8")
  fi
  # Without AVX-512 BF16 (and oneDNN's AVX-512 bfloat16 path) Debian's torch 1.13 runs a bfloat16
  # linear layer on a scalar loop on one thread: [1344 x 640] . [640 x 1920] 2.03 s against
  # 0.035 s in float32 on a Zen 3, minutes a batch. No user would run the anchor so; ours
  # widens such products to float32 (torch_layers.h). Its bf16 settings are left out there,
  # and our bf16 is compared with its best of all.
  if ! grep -qw avx512_bf16 /proc/cpuinfo; then
    echo "This CPU has no AVX-512 BF16: the anchor's bf16 settings are not run (LibTorch's scalar bfloat16 GEMM, minutes a batch)" >&2
    anchor_drop_dtype bf16
    anchor_drop_dtype autocast
  fi
  if ! grep -qw avx512f /proc/cpuinfo; then
    local kept=() s
    for s in "${settings[@]}"; do [[ "$s" == *ATEN_CPU_CAPABILITY=avx512* ]] || kept+=("$s"); done
    settings=("${kept[@]}")
  fi
}

# anchor_run COMMAND…: runs one anchor pass, its seconds appended to stdout's reader; a run
# that fails (a setting this CPU or this anchor cannot run) leaves no line, not the script.
anchor_run() { "$@" 2>/dev/null | seconds || true; }

# anchor_drop_dtype DTYPE: removes the settings of that dtype from `settings`.
anchor_drop_dtype() {
  local kept=() s
  for s in "${settings[@]}"; do [ "${s##*|}" = "$1" ] || kept+=("$s"); done
  settings=("${kept[@]}")
}

# Our precisions, each compared with the anchor's best setting of the same dtype.
precisions="fp32 bf16 int8"

# anchor_report WORK ROUNDS TOKENS_PER_BATCH ANCHOR_NAME: the table and the ratios
# from WORK/ours-{fp32,bf16,int8} and WORK/theirs-<setting index> (seconds, a line per round;
# a setting whose runs all failed is listed as failed and left out of the ratios).
anchor_report() {
  local work="$1" rounds="$2" tokens="$3" anchor="$4" i m o a b name envs threads dtype aname bname
  printf "| | s / batch (median of %d rounds) | tokens/s |\n| --- | ---: | ---: |\n" "$rounds"
  for p in $precisions; do
    m=$(median < "$work/ours-$p")
    printf "| BioForge %s | %.3f | %.0f |\n" "$p" "$m" "$(echo "$tokens / $m" | bc -l)"
    echo "$m" > "$work/ours-median-$p"
  done
  for p in $precisions; do : > "$work/theirs-$p"; done
  for i in "${!settings[@]}"; do
    IFS='|' read -r name envs threads dtype <<< "${settings[$i]}"
    if [ ! -s "$work/theirs-$i" ]; then # every run of this setting failed (a CPU without AVX-512, …)
      printf "| %s, %s | (failed) | |\n" "$anchor" "$name"
      continue
    fi
    m=$(median < "$work/theirs-$i")
    printf "| %s, %s | %.3f | %.0f |\n" "$anchor" "$name" "$m" "$(echo "$tokens / $m" | bc -l)"
    [ "$dtype" = autocast ] && dtype=bf16 # both are the anchor in bfloat16
    echo "$m $name" >> "$work/theirs-$dtype"
  done
  echo
  for p in $precisions; do
    o=$(cat "$work/ours-median-$p")
    # Best of all: over its fp32 and bf16 settings (as reported before int8 existed); for our
    # int8, over every setting, its int8 included.
    read -r a aname < <(if [ "$p" = int8 ]; then cat "$work"/theirs-{fp32,bf16,int8}; else cat "$work"/theirs-{fp32,bf16}; fi | sort -g | head -1)
    if [ -s "$work/theirs-$p" ]; then
      read -r b bname < <(sort -g "$work/theirs-$p" | head -1)
      printf "BioForge %s against %s's best %s setting (%s): %.2fx; " "$p" "$anchor" "$p" "$bname" "$(echo "$b / $o" | bc -l)"
    else
      printf "BioForge %s: no %s setting of %s ran; " "$p" "$p" "$anchor"
    fi
    printf "against its best of all (%s): %.2fx\n" "$aname" "$(echo "$a / $o" | bc -l)"
  done
}
