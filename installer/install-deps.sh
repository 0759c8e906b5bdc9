#!/usr/bin/env bash
# Installs what BioForge needs on Debian 12, and nothing if it is all there.
# Idempotent: run it as often as you like.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config ccache dpkg-dev file
  clang-14 libclang-rt-14-dev
  qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite qt6-svg-dev qt6-qpa-plugins libqcustomplot-dev
  libtorch-dev libdnnl-dev libopenblas0-pthread libspdlog-dev libsqlite3-dev zlib1g-dev nlohmann-json3-dev
  r-bioc-org.hs.eg.db
  xvfb xauth x11-utils imagemagick fonts-dejavu-core poppler-utils
  hipcc libamdhip64-dev
)

# installer/test.sh adds a one-node Slurm cluster for the cluster tests (tests/cluster/slurm_cluster.sh).
if [ "${1:-}" = "--test-cluster" ]; then
  packages+=(slurmctld slurmd slurm-client munge)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: everything is installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Debian's LibTorch calls libblas.so.3: OpenBLAS must be the one it finds (14x faster than the reference BLAS).
if update-alternatives --query libblas.so.3-x86_64-linux-gnu >/dev/null 2>&1; then
  best=$(update-alternatives --query libblas.so.3-x86_64-linux-gnu | awk '/^Best:/{print $2}')
  current=$(update-alternatives --query libblas.so.3-x86_64-linux-gnu | awk '/^Value:/{print $2}')
  if [ -n "$best" ] && [ "$best" != "$current" ]; then
    $SUDO update-alternatives --set libblas.so.3-x86_64-linux-gnu "$best"
  fi
fi
