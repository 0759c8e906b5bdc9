#!/usr/bin/env bash
# Configures and builds BioForge into a build folder (default: build/).
# usage: installer/build.sh [build-dir] [extra cmake arguments…] [-- targets…]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-$root/build}"
shift || true
# The options both README commands configure build/ with: the demo and the
# tests share one configuration, so switching between them never reconfigures
# or rebuilds (the demo just builds fewer targets). Later arguments win.
cmake_args=(-DBIOFORGE_BUILD_TESTS=ON -DBIOFORGE_BUILD_BENCH=ON)
targets=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--" ]; then shift; targets=("$@"); break; fi
  cmake_args+=("$1"); shift
done
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
# One cache for every checkout: paths under the checkout are hashed relative to
# it and the build folder is not hashed, so a fresh clone (CI's check, a second
# worktree) reuses what another checkout compiled. Objects whose flags name the
# checkout (the tests' source-folder defines) still compile on their own.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
jobs="${BIOFORGE_BUILD_JOBS:-$(nproc)}"
cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${cmake_args[@]}" >/dev/null
if [ ${#targets[@]} -gt 0 ]; then
  cmake --build "$dir" -j "$jobs" --target "${targets[@]}"
else
  cmake --build "$dir" -j "$jobs"
fi
