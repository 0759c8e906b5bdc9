#!/bin/bash
# Prepares .gpucarry/ on the CPU machine for tests/gpu/device-check.sh on a
# GPU machine (which has nvcc, CMake and PyTorch, but no Qt and no package
# registry): the GPU tests and benchmark built here, stripped; the GPU modules;
# the Qt/ICU/spdlog runtime tst_gpu_backend needs, as rt.tar.xz (glibc and
# libstdc++ are the device's own, which are newer); one shared fixture model.
# Then `run(command="bash tests/gpu/device-check.sh", carry=[".gpucarry"])`.
# The official code the viral figures are compared with (pure Python, run there on
# the machine's PyTorch): fair-esm's esm/ package and DNABERT-S's model code, from
# checkouts at $FAIR_ESM (default /tmp/esm) and $DNABERT_S (default /tmp/DNABERT_S),
# else from the `fetch` mirrors under /work/.mirror; without them step 10 says so.
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
        libc.so.*|libm.so.*|libmvec.so.*|libresolv.so.*|libpthread.so.*|libdl.so.*|librt.so.*|libstdc++.so.*|libgcc_s.so.*|ld-linux*) ;;
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

# anchor NAME FOLDER MIRROR PATH: copies PATH (a folder) of a checkout at FOLDER, or of the git
# mirror MIRROR's newest commit, to .gpucarry/anchors/NAME/PATH.
anchor() {
    local name=$1 folder=$2 mirror=$3 path=$4
    mkdir -p "$carry/anchors/$name"
    if [ -d "$folder/$path" ]; then
        mkdir -p "$carry/anchors/$name/$(dirname "$path")" && cp -r "$folder/$path" "$carry/anchors/$name/$(dirname "$path")/"
    elif [ -d "$mirror" ]; then
        git --git-dir="$mirror" archive HEAD "$path" | tar -x -C "$carry/anchors/$name"
    else
        echo "prepare-carry: no $folder/$path and no $mirror: step 10 will run without $name's side" >&2
        rmdir "$carry/anchors/$name"
        return 0
    fi
    echo "prepare-carry: $name from $([ -d "$folder/$path" ] && echo "$folder" || echo "$mirror ($(git --git-dir="$mirror" rev-parse --short HEAD))")"
}
# llama.cpp for step 11: the snapshot the CPU comparison uses (docs/performance.md), only the
# folders its CUDA llama-bench build reads, from the `fetch` mirror (or $LLAMACPP_SRC, a checkout of
# that commit), with its commit in COMMIT.
llamacpp_commit=c392e5094deaf2d1a7c18683214f007fad3fe42b
llamacpp_mirror=/work/.mirror/ggerganov+llama.cpp/repo
llamacpp_paths="CMakeLists.txt cmake ggml/CMakeLists.txt ggml/cmake ggml/include ggml/src/ggml-cuda ggml/src/ggml-cpu src include common examples/llama-bench"
src=$(mktemp -d)
if [ -n "${LLAMACPP_SRC:-}" ] && [ -d "$LLAMACPP_SRC/ggml/src/ggml-cuda" ]; then
    for p in $llamacpp_paths; do mkdir -p "$src/$(dirname "$p")" && cp -r "$LLAMACPP_SRC/$p" "$src/$(dirname "$p")/"; done
    cp "$LLAMACPP_SRC"/ggml/src/*.[ch] "$LLAMACPP_SRC"/ggml/src/*.cpp "$LLAMACPP_SRC"/ggml/src/CMakeLists.txt "$src/ggml/src/"
    echo "$LLAMACPP_SRC" > "$src/COMMIT"
elif git --git-dir="$llamacpp_mirror" cat-file -e "$llamacpp_commit" 2>/dev/null; then
    top=$(git --git-dir="$llamacpp_mirror" ls-tree "$llamacpp_commit" ggml/src/ | awk '$2 == "blob" {print $4}')
    # (the mirror lacks a few large blobs of other folders: git archive names them on stderr)
    git --git-dir="$llamacpp_mirror" archive "$llamacpp_commit" $llamacpp_paths $top 2>/dev/null | tar -x -C "$src"
    echo "$llamacpp_commit" > "$src/COMMIT"
fi
if [ -f "$src/COMMIT" ]; then
    tar -C "$src" -cJf "$carry/llamacpp-src.tar.xz" .
    echo "prepare-carry: llama.cpp $(cat "$src/COMMIT") for step 11"
else
    echo "prepare-carry: no llama.cpp source (fetch github:ggerganov/llama.cpp, or LLAMACPP_SRC): step 11 will say so" >&2
fi
rm -rf "$src"

anchor fair-esm "${FAIR_ESM:-/tmp/esm}" /work/.mirror/facebookresearch+esm/repo esm
anchor DNABERT_S "${DNABERT_S:-/tmp/DNABERT_S}" /work/.mirror/MAGICS-LAB+DNABERT_S/repo evaluate/model_codes

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
