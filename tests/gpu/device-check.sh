#!/bin/bash
# The GPU device check (issue 15): one command, run on a lent GPU machine from
# the repository root with .gpucarry/ carried (tests/gpu/prepare-carry.sh):
#   run(command="bash tests/gpu/device-check.sh", carry=[".gpucarry"], timeout_s=500)
# Steps in the order they run, each under its own time limit, each logged to a file under $OUT:
#   0 env      the machine: GPU, driver, kernel, glibc, compilers, torch
#   1 runtime  unpack the carried Qt runtime to /tmp (never into /); then the LibTorch build of
#              steps 7 and 10 and llama.cpp's of step 11 start in the background, side by side
#              (nice 19, half of the cores but two each; paused while steps 5, 9 and 7 measure)
#   2 build    only when the carried binaries do not start there: build the
#              Qt-free tests with the machine's nvcc/CMake (tests/gpu standalone)
#   3 kernels  tst_gpu_kernels: the module on the device against the CPU reference
#   6 backend  tst_gpu_backend: greedy ids and logits through the whole engine
#   5 bench    bench_gpu_matvec: 7B-shaped passes vs measured copy bandwidth
#   9 generation bench_gpu_generation: pp512/tg128 tokens/s of a 7B-shape model synthesized
#              there (Q4_K_M, Q8_0), as a fraction of the copy bandwidth (output in backend.log)
#   4 sanitizer (only if a minute is left) compute-sanitizer memcheck, initcheck, synccheck,
#              racecheck of tst_gpu_kernels --small
#   7 torch    against the machine's PyTorch LibTorch (only if time is left): torch_probe, then
#              torch_engines_check — the viral encoders and HENAW built from the plugins' sources
#              with the carried Qt headers and libbioforge_core, on cuda:0 against the CPU;
#              HENAW training samples/s on each
#  10 viral    (only if time is left) bench_viral, from the same build, on cuda:0: ESM-2 3B-shape
#              and DNABERT-S frames/s against the official fair-esm and DNABERT-S code on the
#              machine's PyTorch in the same run (their sources carried), and the whole predict
#              job's contigs/s (DNABERT-S + ESM-2 3B shapes)
#  11 llamacpp (only if a minute is left; where 7 or 10 was asked, only if its background build
#              has ended: it is not waited for) llama.cpp's llama-bench, built from the carried snapshot with its CUDA
#              back-end, on the two files step 9 timed ours on: pp512 and tg128 side by side
#              (table in backend.log and the summary)
#   8 summary  summary.md: each step's result and time, the bench table
# STEPS=3,5 runs only some; DEADLINE_S (default 420) skips steps that would start
# after it; a second call with STEPS=0,1,7,10 (or 0,1,9,11, or 4) runs what the first had no time for.
# Files under $OUT: summary.md env.txt (with the build step's log) kernels.log
# sanitizer.log bench.tsv backend.log torch.log viral.log (8, the limit).
# Without a device (a dry run here) every step still runs and says so.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
OUT=${OUT:-/tmp/device-check-out}
mkdir -p "$OUT"
carry="$root/.gpucarry"
steps=${STEPS:-0,1,2,3,4,5,6,7,9,10,11}
deadline=${DEADLINE_S:-420}
start=$(date +%s)
export PATH="$PATH:/usr/local/cuda/bin:/opt/torch/.venv/bin"
declare -A result seconds

want() { [[ ",$steps," == *",$1,"* ]]; }
elapsed() { echo $(( $(date +%s) - start )); }
# step N NAME LIMIT COMMAND...: runs it under `timeout`, records status and time.
step() {
    local n=$1 name=$2 limit=$3
    shift 3
    if ! want "$n"; then
        result[$name]="not asked"
        return 0
    fi
    if [ "$(elapsed)" -ge "$deadline" ]; then
        result[$name]="skipped: past the deadline"
        return 0
    fi
    local t0 rc left
    t0=$(date +%s)
    # Never past the deadline plus the summary's margin.
    left=$(( deadline + 30 - $(elapsed) ))
    [ "$limit" -gt "$left" ] && limit=$left
    timeout --kill-after=10 "$limit" bash -c "$*"
    rc=$?
    # The build step may point the later ones at what it built.
    [ -f /tmp/bf-paths ] && . /tmp/bf-paths
    seconds[$name]=$(( $(date +%s) - t0 ))
    case $rc in
        0) result[$name]="passed" ;;
        77) result[$name]="skipped (no device)" ;;
        78) result[$name]="unavailable here (see its log)" ;;
        124|137) result[$name]="TIMED OUT after ${limit}s" ;;
        *) result[$name]="FAILED (exit $rc)" ;;
    esac
    return 0
}

env_probe() {
    {
        echo "date: $(date -u +%FT%TZ)"
        echo "kernel: $(uname -r)"
        command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv,noheader
        ldd --version 2>&1 | head -1
        echo "GLIBCXX max: $(strings "$(g++ -print-file-name=libstdc++.so.6 2>/dev/null)" 2>/dev/null | grep -o 'GLIBCXX_[0-9.]*' | sort -V | tail -1)"
        for tool in g++ nvcc cmake ninja compute-sanitizer python3 xz; do
            printf '%s: %s\n' "$tool" "$(command -v $tool >/dev/null && $tool --version 2>&1 | grep -m1 -iE 'version|release|[0-9]+\.[0-9]+' || echo missing)"
        done
        echo "cpus: $(nproc)"
        python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.utils.cmake_prefix_path)' 2>&1 | tail -1
    } > "$OUT/env.txt" 2>&1
}

# untar_xz ARCHIVE FOLDER: tar's -J needs the xz program, which a minimal image may lack; Python's
# tarfile (lzma) unpacks it then.
untar_xz() {
    if command -v xz >/dev/null; then tar -C "$2" -xJf "$1"; return; fi
    python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$1" "$2"
}

unpack_runtime() {
    rm -rf /tmp/bf-rt && mkdir -p /tmp/bf-rt
    [ -f "$carry/rt.tar.xz" ] || { echo "no $carry/rt.tar.xz: run tests/gpu/prepare-carry.sh before"; return 1; }
    untar_xz "$carry/rt.tar.xz" /tmp/bf-rt
}

export bin="$carry/bin"
chmod +x "$carry"/bin/* 2>/dev/null # a copy that dropped the modes
export module="$carry/lib/libbioforge_llm_cuda.so"
rm -f /tmp/bf-paths
export OUT carry root steps
# The carried Qt runtime is for tst_gpu_backend only (backend()); compilers and tools keep the machine's own.
export BF_RUNTIME_PATH="$carry/lib:/tmp/bf-rt"

# The carried binaries start there, or the Qt-free ones are built there.
# A subshell, so that its log reaches env.txt on every path.
build_if_needed() {
    (
        "$bin/tst_gpu_math" > /tmp/bf-math.log 2>&1
        rc=$?
        if [ $rc -eq 0 ]; then
            echo "carried binaries start here: $(tail -1 /tmp/bf-math.log)"
            exit 0
        fi
        # Rebuild only when the binary could not start (loader, glibc, modes); a failing check is a failure.
        if [ $rc -ne 127 ] && [ $rc -ne 126 ] && ! grep -qE 'error while loading shared libraries|version .GLIBC|cannot execute' /tmp/bf-math.log; then
            echo "tst_gpu_math FAILED here (exit $rc):"; tail -20 /tmp/bf-math.log
            exit 1
        fi
        echo "carried tst_gpu_math did not start ($(tail -2 /tmp/bf-math.log)); building tests/gpu here"
        cmake -S tests/gpu -B /tmp/bf-build -G Ninja -DBIOFORGE_LLM_CUDA_ARCHS=90 -DCMAKE_BUILD_TYPE=Release \
            && ninja -C /tmp/bf-build -j "$(nproc)" || exit 1
        printf 'export bin=%s\nexport module=%s\n' /tmp/bf-build/tests/bin /tmp/bf-build/lib/bioforge/libbioforge_llm_cuda.so > /tmp/bf-paths
        /tmp/bf-build/tests/bin/tst_gpu_math | tail -1
    ) > /tmp/bf-build.log 2>&1
    local rc=$?
    { echo; echo "== build step"; cat /tmp/bf-build.log; } >> "$OUT/env.txt"
    return $rc
}

kernels() { "$bin/tst_gpu_kernels" --seed "${SEED:-20261201}" "$module" > "$OUT/kernels.log" 2>&1; }

# memcheck (out-of-bounds, misaligned), initcheck (reads of device memory never written)
# synccheck (shuffles and barriers of partial warps) and racecheck (the layer kernels' shared
# memory: RMSNorm's and attention's block reductions). On a sandbox that refuses the sanitizer: 78.
sanitizer() {
    {
        if ! command -v compute-sanitizer >/dev/null; then echo "compute-sanitizer missing"; return 78; fi
        for tool in memcheck initcheck synccheck racecheck; do
            echo "== $tool"
            compute-sanitizer --tool $tool --error-exitcode 3 "$bin/tst_gpu_kernels" --small --seed 7 "$module"
            rc=$?
            if grep -qE 'Device not supported|error 999|Unable to find injection' "$OUT/sanitizer.log" 2>/dev/null; then return 78; fi
            [ $rc -eq 0 ] || return $rc
        done
    } > "$OUT/sanitizer.log" 2>&1
}

bench() { "$bin/bench_gpu_matvec" --tsv "$OUT/bench.tsv" "$module" > /tmp/bf-bench.log 2>&1; }

backend() {
    [ -x "$carry/bin/tst_gpu_backend" ] || { echo "tst_gpu_backend was not carried" > "$OUT/backend.log"; return 1; }
    LD_LIBRARY_PATH="$BF_RUNTIME_PATH${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
        BIOFORGE_HOSTSIM_MODULE="$carry/lib/libbioforge_llm_hostsim.so" BIOFORGE_SIMT_MODULE= BIOFORGE_LLM_MODELS="$carry/models" \
        "$carry/bin/tst_gpu_backend" > "$OUT/backend.log" 2>&1
}

# Tokens/s of the whole engine on a 7B-shape model synthesized here (random block bytes: seconds),
# Q4_K_M and Q8_0, pp512 and tg128, against the copy bandwidth. Its output goes after
# tst_gpu_backend's in backend.log ($OUT holds 8 files at most), its table into the summary.
generation() {
    [ -x "$carry/bin/bench_gpu_generation" ] || { echo "bench_gpu_generation was not carried" >> "$OUT/backend.log"; return 1; }
    echo "== bench_gpu_generation" >> "$OUT/backend.log"
    LD_LIBRARY_PATH="$BF_RUNTIME_PATH${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
        "$carry/bin/bench_gpu_generation" --device "${GEN_DEVICE:-cuda:0}" --module "$module" --layers "${GEN_LAYERS:-32}" \
        --tsv /tmp/bf-generation.tsv --dir /tmp --keep "$(want 11 && echo 1 || echo 0)" >> "$OUT/backend.log" 2>&1
}

# Builds torch_probe, and with the carried Qt headers and viral models torch_engines_check and
# bench_viral, against the machine's PyTorch LibTorch in /tmp/bf-torch (step 10 finds it built).
# 78: no PyTorch here; 1: the build failed; /tmp/bf-torch/engines says whether the engines were built.
torch_build() {
    local prefix engines=OFF jobs=${BF_BUILD_JOBS:-$(nproc)}
    prefix=${TORCH_CMAKE_PREFIX:-$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')} || { echo "no PyTorch here"; return 78; }
    rm -rf /tmp/bf-qt && mkdir -p /tmp/bf-qt
    if [ -f "$carry/qt-include.tar.xz" ] && [ -d "$carry/models/viral" ]; then
        untar_xz "$carry/qt-include.tar.xz" /tmp/bf-qt && engines=ON
        # libbioforge_core and Qt's runtime side by side for the link (the carried ones).
        mkdir -p /tmp/bf-rt && ln -sf "$carry/lib/libbioforge_core.so.0" /tmp/bf-rt/libbioforge_core.so.0
    fi
    local t0=$(date +%s)
    cmake -S tests/gpu -B /tmp/bf-torch -G Ninja -DCMAKE_BUILD_TYPE=Release -DBIOFORGE_CUDA=OFF -DBIOFORGE_TORCH_PROBE=ON \
        -DBIOFORGE_TORCH_ENGINES=$engines -DBIOFORGE_QT_INCLUDE=/tmp/bf-qt -DBIOFORGE_RUNTIME_LIBS=/tmp/bf-rt -DTorch_DIR="$prefix/Torch" \
        && ninja -C /tmp/bf-torch -j "$jobs" torch_probe $([ $engines = ON ] && echo torch_engines_check bench_viral) || return 1
    echo $engines > /tmp/bf-torch/engines
    echo "built against $prefix in $(( $(date +%s) - t0 )) s"
}

# torch_libs: "PyTorch's lib folder:", to put before the carried runtime, so that LibTorch's own
# libraries (its libgomp, …) are not replaced by the carried Debian ones of the same name.
torch_libs() {
    local dir
    dir=$(python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))' 2>/dev/null) && [ -d "$dir" ] && echo "$dir:"
}

# built NAME FUNCTION: waits for the background build NAME (background(), below) and shows its log
# once; where none was started, runs FUNCTION (the build) now. Its status is the build's.
built() {
    local rc
    if grep -q . /tmp/bf-builds.pgids 2>/dev/null && [ -f "/tmp/bf-$1.log" ]; then
        while [ ! -f "/tmp/bf-$1.rc" ]; do sleep 1; done
        rc=$(cat "/tmp/bf-$1.rc")
        if [ ! -f "/tmp/bf-$1.shown" ]; then echo "== $1 (in the background)"; cat "/tmp/bf-$1.log"; touch "/tmp/bf-$1.shown"; fi
        return "$rc"
    fi
    "$2"
}

torch_probe() {
    {
        local rc engines
        built torch-build torch_build || return $?
        engines=$(cat /tmp/bf-torch/engines)
        /tmp/bf-torch/tests/bin/torch_probe
        rc=$?
        # 77 (no CUDA device): the engines' check still runs, to say so itself (or, with
        # ENGINES_ARGS=--cpu, the dry run here, to run its comparisons with the CPU as the device).
        [ $rc -eq 0 ] || [ $rc -eq 77 ] || return $rc
        [ $engines = ON ] || { echo "torch_engines_check: not built (no qt-include.tar.xz or models/viral carried)"; return $rc; }
        echo "== torch_engines_check (background builds paused)"
        builds_signal STOP
        LD_LIBRARY_PATH="$(torch_libs)/tmp/bf-rt${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" /tmp/bf-torch/tests/bin/torch_engines_check "$carry/models/viral" ${ENGINES_ARGS:-}
        rc=$?
        builds_signal CONT
        return $rc
    } > "$OUT/torch.log" 2>&1
}

# llama.cpp's llama-bench with its CUDA back-end (tests/gpu/llamacpp/CMakeLists.txt), from the
# carried snapshot (the one the CPU comparison uses), for this machine's GPU only.
llamacpp_build() {
    local jobs=${BF_BUILD_JOBS:-$(nproc)} t0=$(date +%s)
    [ -f "$carry/llamacpp-src.tar.xz" ] || { echo "no $carry/llamacpp-src.tar.xz (tests/gpu/prepare-carry.sh)"; return 78; }
    rm -rf /tmp/bf-llamacpp-src && mkdir -p /tmp/bf-llamacpp-src && untar_xz "$carry/llamacpp-src.tar.xz" /tmp/bf-llamacpp-src || return 1
    cmake -S tests/gpu/llamacpp -B /tmp/bf-llamacpp -G Ninja -DLLAMA_SRC=/tmp/bf-llamacpp-src -DCMAKE_CUDA_ARCHITECTURES=${LLAMACPP_ARCHS:-90} \
        && ninja -C /tmp/bf-llamacpp -j "$jobs" llama-bench || return 1
    echo "llama-bench built in $(( $(date +%s) - t0 )) s"
}

# Step 11: llama.cpp on the very files step 9 timed ours on (kept by it), pp512 and tg128, flash
# attention off and on, three repetitions; its table goes to backend.log and the summary.
# LLAMA_BENCH=PATH takes that llama-bench instead of building one (the dry run here).
llamacpp() {
    {
        echo "== llama.cpp llama-bench, CUDA"
        local bench=${LLAMA_BENCH:-/tmp/bf-llamacpp/bin/llama-bench} cuda_lib
        # llama.cpp's CUDA back-end links the toolkit's libcudart and libcublas: the machine's own.
        cuda_lib=$(dirname "$(dirname "$(command -v nvcc 2>/dev/null || echo /usr/local/cuda/bin/nvcc)")")
        cuda_lib="$cuda_lib/lib64:$cuda_lib/targets/x86_64-linux/lib"
        if [ -n "${LLAMA_BENCH:-}" ]; then
            echo "llama-bench given: $LLAMA_BENCH"
        else
            # Where steps 7 or 10 were asked, its build is not waited for: their time is not given to it
            # (STEPS=0,1,9,11 runs this step alone: it then waits, and the build has every core but two).
            if { want 7 || want 10; } && grep -q . /tmp/bf-builds.pgids 2>/dev/null && [ -f /tmp/bf-llamacpp-build.log ] && [ ! -f /tmp/bf-llamacpp-build.rc ]; then
                echo "llama.cpp was not built in time ($(tail -1 /tmp/bf-llamacpp-build.log)); STEPS=0,1,9,11 runs this step"
                return 78
            fi
            built llamacpp-build llamacpp_build > /tmp/bf-llamacpp-wait.log 2>&1
            local rc=$?
            tail -5 /tmp/bf-llamacpp-wait.log
            [ $rc = 0 ] || return $rc
        fi
        echo "llama.cpp $(cat /tmp/bf-llamacpp-src/COMMIT 2>/dev/null || echo '(given)')"
        local models=() m
        for m in /tmp/bench-7b-Q4_K_M-"${GEN_LAYERS:-32}".gguf /tmp/bench-7b-Q8_0-"${GEN_LAYERS:-32}".gguf; do
            [ -f "$m" ] && models+=(-m "$m")
        done
        [ ${#models[@]} -gt 0 ] || { echo "no model kept by step 9 (bench_gpu_generation --keep 1) in /tmp"; return 1; }
        LD_LIBRARY_PATH="$cuda_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$bench" "${models[@]}" -ngl 99 -p 512 -n 128 -r 3 -fa 0,1 -o md > /tmp/bf-llamacpp.md
        local rc=$?
        cat /tmp/bf-llamacpp.md
        rm -f /tmp/bench-7b-*.gguf
        return $rc
    } >> "$OUT/backend.log" 2>&1
}

# The viral figures of issue 15 on cuda:0 (VIRAL_DEVICE=cpu for the dry run here): bench_viral's
# ESM-2 3B shape (VIRAL_ESM_LAYERS of its 36 layers, default all; batches of VIRAL_ESM_BATCH frames
# of VIRAL_RESIDUES residues: a 300-base chunk's frame is ~100) and DNABERT-S (batches of 128
# 301-base spans) in fp32 and bf16 against fair-esm (fp32, bf16, fp16) and the official DNABERT-S
# code (fp32, autocast) on the same shapes and tokens, then the whole predict job on a
# VIRAL_FASTA_MB synthetic assembly with both encoders at the real shapes. The DNABERT-S code imports
# einops: the machine's (VIRAL_EINOPS names a checkout where there is none, as here).
viral() {
    {
        built torch-build torch_build || return $?
        [ -x /tmp/bf-torch/tests/bin/bench_viral ] || { echo "bench_viral was not built (no qt-include.tar.xz or models/viral carried)"; return 78; }
        local dev=${VIRAL_DEVICE:-cuda:0} layers=${VIRAL_ESM_LAYERS:-36} batch=${VIRAL_ESM_BATCH:-40} residues=${VIRAL_RESIDUES:-100}
        # The carried runtime for bench_viral alone (not for the Python anchors).
        local b="env LD_LIBRARY_PATH=$(torch_libs)/tmp/bf-rt${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} /tmp/bf-torch/tests/bin/bench_viral" threads=$(nproc) anchors="$carry/anchors" rc=0
        export BIOFORGE_FIXTURES_DIR="$carry/models" BIOFORGE_BENCH_DIR=/tmp/bf-viral-bench
        export PYTHONUNBUFFERED=1
        echo "== ESM-2 3B shape, $layers of 36 layers, batches of $batch × $residues residues"
        for p in fp32 bf16; do
            $b esm --shape 3B --layers "$layers" --batch "$batch" --residues "$residues" --device "$dev" --precision $p --threads "$threads" --reps 5 || rc=1
        done
        if [ -d "$anchors/fair-esm/esm" ]; then
            # fp16 (model.half(), how fair-esm is run on GPUs) has no CPU LayerNorm in LibTorch.
            for p in fp32 bf16 $([ "${dev%%:*}" = cpu ] || echo fp16); do
                python3 tests/bench/fair_esm_anchor.py "$anchors/fair-esm" default 5 $p --device "${dev%%:*}" --shape 3B --layers "$layers" \
                    --batch "$batch" --residues "$residues" || echo "fair-esm $p FAILED"
            done
        else echo "fair-esm: not carried ($anchors/fair-esm/esm; tests/gpu/prepare-carry.sh)"; fi
        echo "== DNABERT-S, batches of ${VIRAL_DNABERT_BATCH:-128} spans of 301 bases"
        for p in fp32 bf16; do
            $b dnabert --batch "${VIRAL_DNABERT_BATCH:-128}" --bases 301 --device "$dev" --precision $p --threads "$threads" --reps 5 --ids-out /tmp/bf-dnabert-ids.txt || rc=1
        done
        if [ -d "$anchors/DNABERT_S/evaluate/model_codes" ]; then
            for p in fp32 autocast; do
                python3 tests/bench/dnabert_s_anchor.py "$anchors/DNABERT_S" "${VIRAL_EINOPS:-$anchors/none}" /tmp/bf-dnabert-ids.txt default 5 $p "${dev%%:*}" \
                    || echo "official DNABERT-S $p FAILED"
            done
        else echo "official DNABERT-S: not carried ($anchors/DNABERT_S; tests/gpu/prepare-carry.sh)"; fi
        echo "== the predict job end to end"
        # bf16 only: fp32 products of a 3B model over ~5,000 frames would take a minute there, and the
        # encoders' fp32 rate is measured above.
        $b pipeline --fasta-mb "${VIRAL_FASTA_MB:-0.5}" --models real --esm-shape 3B --esm-layers "$layers" --device "$dev" --precision bf16 --threads "$threads" || rc=1
        return $rc
    } > "$OUT/viral.log" 2>&1
}

# builds_signal SIGNAL: to every background build's process group (STOP, CONT, KILL).
builds_signal() {
    local g
    [ -f /tmp/bf-builds.pgids ] || return 0
    while read -r g; do kill -"$1" -- -"$g" 2>/dev/null; done < /tmp/bf-builds.pgids
    return 0
}

export -f builds_signal want env_probe untar_xz torch_libs unpack_runtime build_if_needed kernels sanitizer bench backend generation built torch_build torch_probe viral \
    llamacpp_build llamacpp
step 0 env 20 env_probe
step 1 runtime 30 unpack_runtime
# The LibTorch build of steps 7 and 10 and llama.cpp's of step 11 (a few minutes of the machine's
# cores) start now, side by side, each in a session of its own with half of the cores but two, at
# the lowest priority; the steps that need them wait for them. They are paused (SIGSTOP) while
# steps 5 and 9 and step 7's checks take their figures, and stopped when this script ends.
builds_signal KILL # an earlier call's builds, where it was killed before its EXIT trap ran
rm -f /tmp/bf-torch-build.* /tmp/bf-llamacpp-build.* /tmp/bf-llamacpp-wait.log /tmp/bf-builds.pgids /tmp/bf-llamacpp.md
rm -f /tmp/bf-generation.tsv /tmp/bf-bench.log /tmp/bf-dnabert-ids.txt /tmp/bench-7b-*.gguf
export BF_BUILD_JOBS=$(( $(nproc) > 5 ? ($(nproc) - 2) / 2 : 1 ))
# One build alone (llama.cpp's, no LibTorch step asked): every core but two.
if ! want 7 && ! want 10 && [ "$(nproc)" -gt 3 ]; then BF_BUILD_JOBS=$(( $(nproc) - 2 )); fi
# background NAME FUNCTION: runs it in a new session; its exit status lands in /tmp/bf-NAME.rc
# (written whole: a waiting step never reads half of it).
background() {
    : > "/tmp/bf-$1.log" # there before built() looks for it (the build's shell opens it later)
    setsid nice -n 19 bash -c "$2 > /tmp/bf-$1.log 2>&1; echo \$? > /tmp/bf-$1.rc.tmp; mv /tmp/bf-$1.rc.tmp /tmp/bf-$1.rc" </dev/null >/dev/null 2>&1 &
    echo $! >> /tmp/bf-builds.pgids
}
trap 'builds_signal KILL; rm -f /tmp/bench-7b-*.gguf' EXIT
if want 7 || want 10; then background torch-build torch_build; fi
if want 11 && [ -z "${LLAMA_BENCH:-}" ]; then background llamacpp-build llamacpp_build; fi
step 2 build 200 build_if_needed
step 3 kernels 120 kernels
step 6 backend 90 backend
builds_signal STOP
step 5 bench 120 bench
step 9 generation 120 generation
# The sanitizers next (a minute, no build needed; the kernels' correctness was checked by step 3,
# these look for what it cannot see): before the optional steps, which may use up the time.
if [ $(( deadline - $(elapsed) )) -ge 60 ]; then step 4 sanitizer 90 sanitizer; else result[sanitizer]="skipped: not enough time left (STEPS=4 runs it)"; fi
builds_signal CONT
# Optional: only when two and a half minutes are left before the deadline.
if [ $(( deadline - $(elapsed) )) -ge 150 ]; then step 7 torch 240 torch_probe; else result[torch]="skipped: not enough time left (STEPS=0,1,7,10 runs it)"; fi
builds_signal CONT # (step 7 resumes them itself, unless its time ran out while they were paused)
if [ $(( deadline - $(elapsed) )) -ge 150 ]; then step 10 viral 300 viral; else result[viral]="skipped: not enough time left (STEPS=0,1,7,10 runs it)"; fi
# Last, and only where its background build has ended: llama.cpp on the files step 9 kept.
if [ $(( deadline - $(elapsed) )) -ge 60 ]; then step 11 llamacpp "$( { want 7 || want 10; } && echo 150 || echo 400)" llamacpp; else result[llamacpp]="skipped: not enough time left (STEPS=0,1,9,11 runs it)"; fi

{
    echo "# GPU device check, $(date -u +%FT%TZ), $(elapsed) s"
    echo
    head -3 "$OUT/env.txt" 2>/dev/null | sed 's/^/    /'
    echo
    echo "| step | result | seconds |"
    echo "|---|---|---:|"
    for name in env runtime build kernels sanitizer bench backend generation torch viral llamacpp; do
        echo "| $name | ${result[$name]:-?} | ${seconds[$name]:-} |"
    done
    echo
    [ -f "$OUT/kernels.log" ] && { echo "kernels: $(grep -c '^ok' "$OUT/kernels.log") ok, $(grep -c '^FAIL' "$OUT/kernels.log") failed; $(tail -1 "$OUT/kernels.log")"; }
    [ -f "$OUT/backend.log" ] && { echo "backend: $(grep '^Totals' "$OUT/backend.log")"; grep -E 'worst|reference sequences|captured passes' "$OUT/backend.log" | sed 's/^/    /'; }
    [ -f "$OUT/torch.log" ] && { echo "torch:"; grep -E 'LibTorch|CUDA devices|matmul|softmax| against |rows/s|samples/s|ms per batch|rows on the device|checks|error' "$OUT/torch.log" | sed 's/^/    /'; }
    [ -f "$OUT/viral.log" ] && { echo "viral:"; grep -E '^==|frames/s|contigs/s|seconds per stage|checksums|FAILED|failed|not carried|Triton|error' "$OUT/viral.log" | sed 's/^/    /'; }
    [ -f "$OUT/sanitizer.log" ] && echo "sanitizer: $(grep -E '^==|ERROR SUMMARY' "$OUT/sanitizer.log" | tr '\n' ' ')"
    [ -s /tmp/bf-generation.tsv ] && { echo; echo 'generation (bench_gpu_generation):'; echo '```'; cat /tmp/bf-generation.tsv; echo '```'; }
    [ -s /tmp/bf-llamacpp.md ] && { echo; echo 'llama.cpp on the same files (llama-bench, CUDA):'; echo; cat /tmp/bf-llamacpp.md; }
    if [ -s "$OUT/bench.tsv" ]; then echo; echo '```'; cat "$OUT/bench.tsv"; echo '```'; else echo "bench: $(tail -1 /tmp/bf-bench.log 2>/dev/null)"; fi
} > "$OUT/summary.md"
cat "$OUT/summary.md"
