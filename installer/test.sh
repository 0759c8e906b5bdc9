#!/usr/bin/env bash
# The README's second command: installs what is missing, builds everything and
# runs the whole test suite.
#   installer/test.sh             the normal build (build/) and all its tests
#   installer/test.sh --sanitize  core and plugin engines built by clang with ASan + UBSan and
#                                 the fuzz targets as libFuzzer binaries (build-clang/): their
#                                 tests, then every fuzz target replays its corpus and fuzzes
#                                 for BIOFORGE_FUZZ_SECONDS (docs/reliability.md)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/installer/install-deps.sh" --test-cluster
# As root (CI) the cluster tests must run: a test cluster that cannot start fails them instead of skipping.
[ "$(id -u)" != 0 ] || export BIOFORGE_REQUIRE_SLURM=1
start=$(date +%s)
if [ "${1:-}" = "--sanitize" ]; then
  dir="$root/build-clang"
  "$root/installer/build.sh" "$dir" -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
    -DBIOFORGE_GUI=OFF -DBIOFORGE_BUILD_BENCH=OFF -DBIOFORGE_CUDA=OFF -DBIOFORGE_HIP=OFF \
    -DBIOFORGE_SANITIZE=address,undefined -DBIOFORGE_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
  export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:detect_stack_use_after_return=0"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
else
  dir="$root/build"
  "$root/installer/build.sh" "$dir"
fi
built=$(date +%s)
echo "test: build took $((built - start)) s"
cd "$dir"
QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j "${BIOFORGE_TEST_JOBS:-2}"
echo "test: tests took $(( $(date +%s) - built )) s"
