#!/usr/bin/env bash
# A one-node Slurm cluster on localhost for the cluster tests, started
# without systemd and stopped by PID (recipe and pitfalls:
# ../shared/reference/slurm-local.md).
#   slurm_cluster.sh up   STATE_FILE   starts it; STATE_FILE gets SLURM_CONF=… and SLURM_STATE_DIR=…
#   slurm_cluster.sh down STATE_FILE   cancels every job, stops the daemons, removes the state folder
# Needs the Debian packages slurmctld slurmd slurm-client munge, and root
# (the daemons run as root). Ports: BIOFORGE_SLURM_PORT (default 16817) and the next one.
set -euo pipefail

cmd=${1:?usage: slurm_cluster.sh up|down STATE_FILE}
state_file=${2:?usage: slurm_cluster.sh up|down STATE_FILE}

down() {
  [ -s "$state_file" ] || return 0
  local dir conf p i alive
  dir=$(sed -n 's/^SLURM_STATE_DIR=//p' "$state_file")
  [ -n "$dir" ] || { rm -f "$state_file"; return 0; }
  conf=$(sed -n 's/^SLURM_CONF=//p' "$state_file")
  [ -n "$dir" ] && [ -d "$dir" ] || { rm -f "$state_file"; return 0; }
  export SLURM_CONF="$conf"
  # Jobs first: running jobs outlive their daemons otherwise.
  scancel -u "$(id -un)" 2>/dev/null || true
  for i in $(seq 1 100); do
    squeue -h -o %i 2>/dev/null | grep -q . || break
    sleep 0.1
  done
  local pids=()
  for p in "$dir/slurmd.pid" "$dir/slurmctld.pid"; do
    [ -s "$p" ] && pids+=("$(cat "$p")")
  done
  if [ ${#pids[@]} -gt 0 ]; then
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for i in $(seq 1 100); do
      alive=0
      for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
      [ $alive = 0 ] && break
      sleep 0.1
    done
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null || true; done
  fi
  # munged writes its seed file as it exits: wait for it, or the removal races
  # with that write ("Directory not empty", seen once in a full ctest run).
  if [ -s "$dir/munge/munged.pid" ]; then
    p=$(cat "$dir/munge/munged.pid")
    kill -TERM "$p" 2>/dev/null || true
    for i in $(seq 1 100); do
      kill -0 "$p" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$p" 2>/dev/null || true
  fi
  rm -rf "$dir" 2>/dev/null || { sleep 0.5; rm -rf "$dir"; }
  rm -f "$state_file"
}

up() {
  # Without the packages or root there is no cluster: the state file says why and
  # the cluster tests skip (fail where BIOFORGE_REQUIRE_SLURM is set, as in CI).
  local tool why=""
  for tool in slurmctld slurmd sbatch squeue munged mungekey; do
    command -v "$tool" >/dev/null || why="$tool is missing (apt-get install slurmctld slurmd slurm-client munge)"
  done
  [ -n "$why" ] || [ "$(id -u)" = 0 ] || why="the test cluster's daemons need root"
  if [ -n "$why" ]; then
    echo "slurm_cluster.sh: no test cluster: $why" >&2
    printf 'SKIP=%s\n' "$why" >"$state_file"
    [ -z "${BIOFORGE_REQUIRE_SLURM:-}" ] || exit 1
    return 0
  fi
  down # a cluster a killed test run left behind
  local dir host mem port
  dir=$(mktemp -d /tmp/bioforge-slurm.XXXXXX)
  chmod 755 "$dir" # munged needs every folder up to its socket world-executable
  mkdir -p -m 755 "$dir/munge"
  mkdir -p "$dir/ctld" "$dir/spool" "$dir/log"
  host=$(hostname -s)
  mem=$(awk '/MemTotal/{print int($2/1024*0.9)}' /proc/meminfo)
  port=${BIOFORGE_SLURM_PORT:-16817}
  printf 'SLURM_STATE_DIR=%s\nSLURM_CONF=%s\n' "$dir" "$dir/slurm.conf" >"$state_file"
  mungekey --create --keyfile="$dir/munge/munge.key"
  munged --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" --pid-file="$dir/munge/munged.pid" \
         --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"
  cat >"$dir/slurm.conf" <<CONF
ClusterName=bioforge-test
SlurmctldHost=${host}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=${port}
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=${dir}/munge/munge.socket
StateSaveLocation=${dir}/ctld
SlurmdSpoolDir=${dir}/spool
SlurmctldPidFile=${dir}/slurmctld.pid
SlurmdPidFile=${dir}/slurmd.pid
SlurmctldLogFile=${dir}/log/slurmctld.log
SlurmdLogFile=${dir}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
ReturnToService=2
MinJobAge=300
KillWait=10
NodeName=${host} NodeAddr=127.0.0.1 CPUs=2 Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=${mem} State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF="$dir/slurm.conf"
  slurmctld -f "$SLURM_CONF"
  slurmd -f "$SLURM_CONF"
  local i
  for i in $(seq 1 300); do # readiness is the node idle in sinfo, never the daemons' exit codes
    [ "$(sinfo -h -N -o '%t' 2>/dev/null)" = idle ] && { echo "slurm test cluster up: SLURM_CONF=$SLURM_CONF"; return 0; }
    sleep 0.1
  done
  echo "slurm_cluster.sh: the node never became idle; logs in $dir/log" >&2
  exit 1
}

case "$cmd" in
  up) up ;;
  down) down ;;
  *) echo "usage: slurm_cluster.sh up|down STATE_FILE" >&2; exit 2 ;;
esac
