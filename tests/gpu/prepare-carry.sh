#!/bin/bash
# Prepares .gpucarry/ on the CPU machine for tests/gpu/device-check.sh on a
# GPU machine (which has nvcc, CMake and PyTorch, but no Qt and no package
# registry): the GPU tests and benchmark built here, stripped; the GPU modules;
# the Qt/ICU/spdlog runtime tst_gpu_backend needs, as rt.tar.xz (glibc and
# libstdc++ are the device's own, which are newer); one shared fixture model.
# Then `run(command="bash tests/gpu/device-check.sh", carry=[".gpucarry"])`.
# Fails when the tree plus .gpucarry would exceed 56 MiB (the limit is 64).
# Usage: tests/gpu/prepare-carry.sh [BUILD_DIR]   (default build/)
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
build=${1:-build}
carry=.gpucarry
shared_models="$root/../shared/fixtures/llm/models"

mkdir -p .git/info
grep -qx "/$carry/" .git/info/exclude 2>/dev/null || echo "/$carry/" >> .git/info/exclude

targets="tst_gpu_math tst_gpu_kernels bench_gpu_matvec tst_gpu_backend bench_gpu_generation bioforge_llm_cuda bioforge_llm_hostsim bioforge_gpu_cuda"
ninja -C "$build" $targets

rm -rf "$carry"
mkdir -p "$carry/bin" "$carry/lib" "$carry/models"
for t in tst_gpu_math tst_gpu_kernels bench_gpu_matvec tst_gpu_backend bench_gpu_generation; do
    strip --strip-debug -o "$carry/bin/$t" "$build/tests/bin/$t"
done
strip --strip-debug -o "$carry/lib/libbioforge_core.so.0" "$build/lib/bioforge/libbioforge_core.so.0"
for m in libbioforge_llm_cuda.so libbioforge_gpu_cuda.so; do
    strip --strip-debug -o "$carry/lib/$m" "$build/lib/bioforge/$m"
done
strip --strip-debug -o "$carry/lib/libbioforge_llm_hostsim.so" "$build/tests/lib/libbioforge_llm_hostsim.so"

# The runtime closure of tst_gpu_backend without the C library family and the
# compiler's runtime (the device has its own, newer ones).
rt=$(mktemp -d)
ldd "$build/tests/bin/tst_gpu_backend" | awk '$3 ~ /^\// {print $3}' | while read -r lib; do
    case "$(basename "$lib")" in
        libc.so.*|libm.so.*|libresolv.so.*|libpthread.so.*|libdl.so.*|librt.so.*|libstdc++.so.*|libgcc_s.so.*|ld-linux*) ;;
        libbioforge_*) ;;
        *) cp -L "$lib" "$rt/" ;;
    esac
done
tar -C "$rt" -cJf "$carry/rt.tar.xz" .
rm -rf "$rt"

if [ -f "$shared_models/tiny-llama-e256-q4_k_m.gguf" ]; then
    cp "$shared_models/tiny-llama-e256-q4_k_m.gguf" "$shared_models/references.tsv" "$carry/models/"
else
    echo "prepare-carry: $shared_models is missing: the greedy-id check will be skipped there" >&2
fi

# For torch_engines_check (built there against the device's LibTorch): Qt's headers and the
# viral fixtures' tiny encoders.
tar -C /usr/include/x86_64-linux-gnu/qt6 -cJf "$carry/qt-include.tar.xz" QtCore
for m in dnabert_s_tiny esm2_tiny; do
    if [ -d "$root/../shared/fixtures/viral/$m" ]; then
        mkdir -p "$carry/models/viral" && cp -r "$root/../shared/fixtures/viral/$m" "$carry/models/viral/"
    else
        echo "prepare-carry: ../shared/fixtures/viral/$m is missing: torch_engines_check will not be built there" >&2
    fi
done

tree_bytes=$(git ls-files -z | xargs -0 stat -c %s 2>/dev/null | awk '{s+=$1} END {print s+0}')
untracked_bytes=$(git ls-files -z --others --exclude-standard | xargs -0 -r stat -c %s 2>/dev/null | awk '{s+=$1} END {print s+0}')
carry_bytes=$(du -sb "$carry" | cut -f1)
total=$((tree_bytes + untracked_bytes + carry_bytes))
printf 'prepare-carry: tree %.1f MiB + untracked %.1f MiB + %s %.1f MiB = %.1f MiB (limit 64, ours 56)\n' \
    "$(echo "$tree_bytes/1048576" | bc -l)" "$(echo "$untracked_bytes/1048576" | bc -l)" "$carry" \
    "$(echo "$carry_bytes/1048576" | bc -l)" "$(echo "$total/1048576" | bc -l)"
du -h "$carry"/* "$carry"/*/* | sort -h | tail -8
if [ "$total" -gt $((56 * 1048576)) ]; then
    echo "prepare-carry: too large to travel" >&2
    exit 1
fi
