#!/usr/bin/env bash
# A single-node SLURM cluster on this machine, for tests and CI (tests/test_slurm_cluster.py):
#   .ci/slurm-local.sh install         install Debian's slurmctld, slurmd, slurm-client and munge when missing
#   .ci/slurm-local.sh start DIR       munged + slurmctld + slurmd on localhost, everything under DIR
#   .ci/slurm-local.sh stop DIR        stop the three daemons started by `start DIR` (by their pid files)
# Nothing system-wide is configured or started: munge uses its own key and socket in DIR, slurm.conf
# lives in DIR (export SLURM_CONF=DIR/slurm.conf for sbatch, squeue, scancel), the ports are free ones
# picked at start. No cgroups: ProctrackType=proctrack/linuxproc, TaskPlugin=task/none,
# JobAcctGatherType=jobacct_gather/none, so it runs in a container without systemd. Needs root (slurmd
# starts jobs as their submitting user). Exit codes: 0 ok, 1 failed (the daemons' logs are in DIR),
# 77 cannot run here (not root and packages missing).
set -uo pipefail
cmd=${1:-}
dir=${2:-}

install() {
  if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null \
     && command -v munged >/dev/null; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "slurm packages missing and not root: cannot install slurmctld slurmd slurm-client munge" >&2
    return 77
  fi
  export DEBIAN_FRONTEND=noninteractive
  { apt-get install -y -q slurmctld slurmd slurm-client munge \
    || { apt-get update -q && apt-get install -y -q slurmctld slurmd slurm-client munge; }; } >/tmp/ci-slurm-install.log 2>&1 \
    || { echo "apt-get install of slurm failed (see /tmp/ci-slurm-install.log)" >&2; return 1; }
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  [ -n "$dir" ] || { echo "usage: $0 start DIR" >&2; return 1; }
  [ "$(id -u)" -eq 0 ] || { echo "slurmd needs root to start jobs" >&2; return 77; }
  install || return $?
  mkdir -p "$dir"/munge "$dir"/state "$dir"/spool
  chmod 755 "$dir" "$dir"/munge
  dd if=/dev/urandom of="$dir"/munge/munge.key bs=1 count=1024 2>/dev/null
  chmod 400 "$dir"/munge/munge.key
  munged --force --socket="$dir"/munge/munge.sock --key-file="$dir"/munge/munge.key \
    --log-file="$dir"/munge/munged.log --pid-file="$dir"/munge/munged.pid --seed-file="$dir"/munge/munged.seed \
    || { echo "munged did not start (see $dir/munge/munged.log)" >&2; return 1; }
  local host cpus mem_mb ctld_port d_port
  host=$(hostname -s)
  cpus=$(getconf _NPROCESSORS_ONLN)  # not nproc: it follows OMP_NUM_THREADS
  mem_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 2 ))
  ctld_port=$(free_port)
  d_port=$(free_port)
  cat >"$dir"/slurm.conf <<CONF
# written by .ci/slurm-local.sh: a one-node cluster for tests
ClusterName=ruralsim-ci
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.sock
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MpiDefault=none
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
MinJobAge=30
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF="$dir"/slurm.conf
  slurmctld -f "$dir"/slurm.conf -i || { echo "slurmctld did not start (see $dir/slurmctld.log)" >&2; return 1; }
  slurmd -f "$dir"/slurm.conf || { echo "slurmd did not start (see $dir/slurmd.log)" >&2; return 1; }
  for _ in $(seq 1 60); do  # the node reports idle when controller and node daemon talk
    if sinfo -h -o %t 2>/dev/null | grep -q '^idle'; then
      echo "slurm up: SLURM_CONF=$dir/slurm.conf (node $host, $cpus CPUs, ${mem_mb} MB)"
      return 0
    fi
    sleep 1
  done
  echo "slurm node did not become idle in 60 s: $(sinfo 2>&1 | tail -1) (logs in $dir)" >&2
  return 1
}

stop() {
  [ -n "$dir" ] || { echo "usage: $0 stop DIR" >&2; return 1; }
  for pidfile in "$dir"/slurmd.pid "$dir"/slurmctld.pid "$dir"/munge/munged.pid; do
    if [ -s "$pidfile" ]; then
      pid=$(cat "$pidfile")
      kill "$pid" 2>/dev/null
      for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -9 "$pid" 2>/dev/null
    fi
  done
  return 0
}

case "$cmd" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 install | start DIR | stop DIR" >&2; exit 1 ;;
esac
