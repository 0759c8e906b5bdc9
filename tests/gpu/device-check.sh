#!/bin/bash
# The GPU device check (issue 15): one command, run on a lent GPU machine from
# the repository root with .gpucarry/ carried (tests/gpu/prepare-carry.sh):
#   run(command="bash tests/gpu/device-check.sh", carry=[".gpucarry"], timeout_s=500)
# Steps, each under its own time limit, each logged to a file under $OUT:
#   0 env      the machine: GPU, driver, kernel, glibc, compilers, torch
#   1 runtime  unpack the carried Qt runtime to /tmp (never into /)
#   2 build    only when the carried binaries do not start there: build the
#              Qt-free tests with the machine's nvcc/CMake (tests/gpu standalone)
#   3 kernels  tst_gpu_kernels: the module on the device against the CPU reference
#   4 sanitizer compute-sanitizer memcheck, initcheck, synccheck, racecheck of tst_gpu_kernels --small
#   5 bench    bench_gpu_matvec: 7B-shaped passes vs measured copy bandwidth
#   6 backend  tst_gpu_backend: greedy ids and logits through the whole engine
#   7 torch    against the machine's PyTorch LibTorch (only if time is left): torch_probe, then
#              torch_engines_check — the viral encoders and HENAW built from the plugins' sources
#              with the carried Qt headers and libbioforge_core, on cuda:0 against the CPU
#   9 generation bench_gpu_generation: pp512/tg128 tokens/s of a 7B-shape model synthesized
#              there (Q4_K_M, Q8_0), as a fraction of the copy bandwidth (output in backend.log)
#   8 summary  summary.md: each step's result and time, the bench table
# STEPS=3,5 runs only some; DEADLINE_S (default 420) skips steps that would start
# after it. Files under $OUT: summary.md env.txt build.log kernels.log
# sanitizer.log bench.tsv backend.log torch.log (8, the limit).
# Without a device (a dry run here) every step still runs and says so.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
OUT=${OUT:-/tmp/device-check-out}
mkdir -p "$OUT"
carry="$root/.gpucarry"
steps=${STEPS:-0,1,2,3,4,5,6,7,9}
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
        for tool in g++ nvcc cmake ninja compute-sanitizer python3; do
            printf '%s: %s\n' "$tool" "$(command -v $tool >/dev/null && $tool --version 2>&1 | grep -m1 -iE 'version|release|[0-9]+\.[0-9]+' || echo missing)"
        done
        echo "cpus: $(nproc)"
        python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.utils.cmake_prefix_path)' 2>&1 | tail -1
    } > "$OUT/env.txt" 2>&1
}

unpack_runtime() {
    rm -rf /tmp/bf-rt && mkdir -p /tmp/bf-rt
    [ -f "$carry/rt.tar.xz" ] || { echo "no $carry/rt.tar.xz: run tests/gpu/prepare-carry.sh before"; return 1; }
    tar -C /tmp/bf-rt -xJf "$carry/rt.tar.xz"
}

export bin="$carry/bin"
export module="$carry/lib/libbioforge_llm_cuda.so"
rm -f /tmp/bf-paths
export OUT carry root
# The carried Qt runtime is for tst_gpu_backend only (backend()); compilers and tools keep the machine's own.
export BF_RUNTIME_PATH="$carry/lib:/tmp/bf-rt"

# The carried binaries start there, or the Qt-free ones are built there.
build_if_needed() {
    {
        "$bin/tst_gpu_math" > /tmp/bf-math.log 2>&1
        local rc=$?
        if [ $rc -eq 0 ]; then
            echo "carried binaries start here: $(tail -1 /tmp/bf-math.log)"
            return 0
        fi
        # Rebuild only when the binary could not start (loader, glibc); a failing check is a failure.
        if [ $rc -ne 127 ] && ! grep -qE 'error while loading shared libraries|version .GLIBC|cannot execute' /tmp/bf-math.log; then
            echo "tst_gpu_math FAILED here (exit $rc):"; tail -20 /tmp/bf-math.log
            return 1
        fi
        echo "carried tst_gpu_math did not start ($(tail -2 /tmp/bf-math.log)); building tests/gpu here"
        cmake -S tests/gpu -B /tmp/bf-build -G Ninja -DBIOFORGE_LLM_CUDA_ARCHS=90 -DCMAKE_BUILD_TYPE=Release \
            && ninja -C /tmp/bf-build -j "$(nproc)" || return 1
        printf 'export bin=%s\nexport module=%s\n' /tmp/bf-build/tests/bin /tmp/bf-build/lib/bioforge/libbioforge_llm_cuda.so > /tmp/bf-paths
        /tmp/bf-build/tests/bin/tst_gpu_math | tail -1
    } > "$OUT/build.log" 2>&1
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
        --tsv /tmp/bf-generation.tsv --dir /tmp >> "$OUT/backend.log" 2>&1
}

torch_probe() {
    {
        local prefix rc
        prefix=${TORCH_CMAKE_PREFIX:-$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')} || { echo "no PyTorch here"; return 78; }
        rm -rf /tmp/bf-qt && mkdir -p /tmp/bf-qt
        local engines=OFF
        if [ -f "$carry/qt-include.tar.xz" ] && [ -d "$carry/models/viral" ]; then
            tar -C /tmp/bf-qt -xJf "$carry/qt-include.tar.xz" && engines=ON
            # libbioforge_core and Qt's runtime side by side for the link (the carried ones).
            mkdir -p /tmp/bf-rt && ln -sf "$carry/lib/libbioforge_core.so.0" /tmp/bf-rt/libbioforge_core.so.0
        fi
        cmake -S tests/gpu -B /tmp/bf-torch -G Ninja -DCMAKE_BUILD_TYPE=Release -DBIOFORGE_CUDA=OFF -DBIOFORGE_TORCH_PROBE=ON \
            -DBIOFORGE_TORCH_ENGINES=$engines -DBIOFORGE_QT_INCLUDE=/tmp/bf-qt -DBIOFORGE_RUNTIME_LIBS=/tmp/bf-rt -DTorch_DIR="$prefix/Torch" \
            && ninja -C /tmp/bf-torch -j "$(nproc)" torch_probe $([ $engines = ON ] && echo torch_engines_check) || return 1
        /tmp/bf-torch/tests/bin/torch_probe
        rc=$?
        # 77 (no CUDA device): the engines' check still runs, to say so itself (or, with
        # ENGINES_ARGS=--cpu, the dry run here, to run its comparisons with the CPU as the device).
        [ $rc -eq 0 ] || [ $rc -eq 77 ] || return $rc
        [ $engines = ON ] || { echo "torch_engines_check: not built (no qt-include.tar.xz or models/viral carried)"; return $rc; }
        echo "== torch_engines_check"
        LD_LIBRARY_PATH="/tmp/bf-rt${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" /tmp/bf-torch/tests/bin/torch_engines_check "$carry/models/viral" ${ENGINES_ARGS:-}
    } > "$OUT/torch.log" 2>&1
}

export -f env_probe unpack_runtime build_if_needed kernels sanitizer bench backend generation torch_probe
step 0 env 20 env_probe
step 1 runtime 30 unpack_runtime
step 2 build 200 build_if_needed
step 3 kernels 120 kernels
step 4 sanitizer 90 sanitizer
step 5 bench 120 bench
step 6 backend 90 backend
step 9 generation 120 generation
# Optional: only when two minutes are left before the deadline.
if [ $(( deadline - $(elapsed) )) -ge 150 ]; then step 7 torch 240 torch_probe; else result[torch]="skipped: not enough time left"; fi

{
    echo "# GPU device check, $(date -u +%FT%TZ), $(elapsed) s"
    echo
    head -3 "$OUT/env.txt" 2>/dev/null | sed 's/^/    /'
    echo
    echo "| step | result | seconds |"
    echo "|---|---|---:|"
    for name in env runtime build kernels sanitizer bench backend generation torch; do
        echo "| $name | ${result[$name]:-?} | ${seconds[$name]:-} |"
    done
    echo
    [ -f "$OUT/kernels.log" ] && { echo "kernels: $(grep -c '^ok' "$OUT/kernels.log") ok, $(grep -c '^FAIL' "$OUT/kernels.log") failed; $(tail -1 "$OUT/kernels.log")"; }
    [ -f "$OUT/backend.log" ] && { echo "backend: $(grep '^Totals' "$OUT/backend.log")"; grep -E 'worst|reference sequences' "$OUT/backend.log" | sed 's/^/    /'; }
    [ -f "$OUT/torch.log" ] && { echo "torch:"; grep -E 'LibTorch|CUDA devices|matmul|softmax| against |rows/s|ms per batch|rows on the device|checks|error' "$OUT/torch.log" | sed 's/^/    /'; }
    [ -f "$OUT/sanitizer.log" ] && echo "sanitizer: $(grep -E '^==|ERROR SUMMARY' "$OUT/sanitizer.log" | tr '\n' ' ')"
    [ -s /tmp/bf-generation.tsv ] && { echo; echo 'generation (bench_gpu_generation):'; echo '```'; cat /tmp/bf-generation.tsv; echo '```'; }
    if [ -s "$OUT/bench.tsv" ]; then echo; echo '```'; cat "$OUT/bench.tsv"; echo '```'; else echo "bench: $(tail -1 /tmp/bf-bench.log 2>/dev/null)"; fi
} > "$OUT/summary.md"
cat "$OUT/summary.md"
