#!/usr/bin/env bash
# Overhead of a cluster run against the same run on this machine
# (docs/performance.md, "Cluster runs"), on the one-node test cluster
# (tests/cluster/slurm_cluster.sh; root and Debian's slurm packages):
# interleaved rounds of a local `viral predict` and the same run with
# `--cluster slurm --shards N`, wall seconds of each, outputs compared byte
# for byte, and the split's balance (largest shard over mean, in bases) for
# the demo's contigs and for a synthetic assembly with log-normal lengths.
#   tests/bench/cluster_overhead.sh [ROUNDS=3] [SHARDS=4]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
rounds="${1:-3}"
shards="${2:-4}"
bin="$root/build/bin/bioforge"
[ -x "$bin" ] || { echo "cluster_overhead: build first (installer/build.sh)" >&2; exit 2; }
work=$(mktemp -d /tmp/bioforge-cluster-bench.XXXXXX)
state="$work/slurm.state"
trap '"$root/tests/cluster/slurm_cluster.sh" down "$state"; rm -rf "$work"' EXIT
BIOFORGE_REQUIRE_SLURM=1 "$root/tests/cluster/slurm_cluster.sh" up "$state" >/dev/null
export SLURM_CONF; SLURM_CONF=$(sed -n 's/^SLURM_CONF=//p' "$state")
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share" BIOFORGE_CLUSTER_POLL_MS=500
project="$work/project"
"$bin" --quiet --project "$project" demo >/dev/null 2>&1
demo_fasta=$(find "$work/home" -name viral-demo-contigs.fa | head -1)
# A synthetic assembly: 600 contigs, log-normal lengths (median ~1.2 kb, a few of 20+ kb), random bases.
python3 - "$work/assembly.fa" <<'PY'
import random, sys, math
random.seed(7)
with open(sys.argv[1], "w") as f:
    for i in range(600):
        n = max(300, min(60000, int(math.exp(random.gauss(7.1, 0.9)))))
        f.write(">contig_%d\n%s\n" % (i + 1, "".join(random.choice("ACGT") for _ in range(n))))
PY
models=(--dnabert viral-test-dnabert-s --esm viral-test-esm2 --classifier viral-test-classifier --shard_frames 64 --no-reuse_results)
runid() { sed -n 's/^run \([0-9a-f-]*\) started.*/\1/p' "$1" | head -1; }
echo "cluster_overhead: $(nproc) cores, Slurm $(sinfo -V | awk '{print $2}'), $rounds rounds, $shards shards"
printf '%-10s %5s %10s %10s %10s %8s %s\n' input round local_s cluster_s overhead_s balance identical
for input in "$demo_fasta" "$work/assembly.fa"; do
  name=$(basename "$input" .fa)
  for r in $(seq 1 "$rounds"); do
    t0=$(date +%s.%N); "$bin" --quiet --project "$project" run viral predict "$input" "${models[@]}" 2>"$work/l.err" >/dev/null; t1=$(date +%s.%N)
    "$bin" --quiet --project "$project" run viral predict "$input" "${models[@]}" --cluster slurm --shards "$shards" 2>"$work/c.err" >/dev/null; t2=$(date +%s.%N)
    l=$(runid "$work/l.err"); c=$(runid "$work/c.err")
    same=yes
    for f in prediction_results.txt frames.tsv chunks.tsv contigs.tsv summary.json; do
      cmp -s "$project/runs/$l/$f" "$project/runs/$c/$f" || same=no
    done
    balance=$(python3 -c "import json,sys; p=json.load(open(sys.argv[1]))['cluster']['plan']; print('%.3f (%d)' % (p['largest_over_mean'], p['shards']))" "$project/runs/$c/provenance.json")
    printf '%-10.10s %5d %10.2f %10.2f %10.2f %8s %s\n' "$name" "$r" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$(echo "($t2 - $t1) - ($t1 - $t0)" | bc)" "${balance%% *}" "$same"
  done
done
