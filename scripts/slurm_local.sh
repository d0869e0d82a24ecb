#!/usr/bin/env bash
# A one-machine Slurm cluster for trying and testing `skipsim sweep --slurm`: Debian's munged,
# slurmctld and slurmd for this host, run as the current user, with every file (key, state,
# spool, logs, sockets) under a scratch folder and a configuration that needs no cgroups.
#   scripts/slurm_local.sh start    # prints `export SLURM_CONF=...` for the client commands
#   scripts/slurm_local.sh status
#   scripts/slurm_local.sh stop
# Scratch folder: $SKIPSIM_SLURM_DIR, default /tmp/skipsim-slurm-$USER.
# Needs: apt-get install slurm-wlm munge (scripts/setup.sh installs them).
set -euo pipefail
cmd="${1:-}"
user="$(id -un)"
dir="${SKIPSIM_SLURM_DIR:-/tmp/skipsim-slurm-$user}"
conf="$dir/slurm.conf"
node="$(hostname -s)"
sock="$dir/munge/munge.socket"

die() { echo "slurm_local: $*" >&2; exit 1; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

status() {
  local ok=0
  for d in munged slurmctld slurmd; do
    if pid_alive "$dir/$d.pid"; then
      echo "$d: running (pid $(cat "$dir/$d.pid"))"
    else
      echo "$d: stopped"
      ok=1
    fi
  done
  return $ok
}

stop() {
  for d in slurmd slurmctld munged; do
    if pid_alive "$dir/$d.pid"; then
      local pid
      pid="$(cat "$dir/$d.pid")"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/$d.pid"
  done
}

write_conf() {
  local cpus mem
  cpus="$(nproc)"
  mem="$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)"
  cat >"$conf" <<EOF
# Written by scripts/slurm_local.sh: a one-node cluster run as $user, no cgroups.
ClusterName=skipsim-local
SlurmctldHost=$node
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
AuthInfo=socket=$sock
CredType=cred/munge
SlurmctldPort=${SKIPSIM_SLURM_PORT:-16817}
SlurmdPort=$(( ${SKIPSIM_SLURM_PORT:-16817} + 1 ))
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1
MinJobAge=30
KillWait=5
InactiveLimit=0
NodeName=$node CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
  for b in munged slurmctld slurmd sinfo; do
    command -v "$b" >/dev/null || [ -x "/usr/sbin/$b" ] ||
      die "$b not found; install Debian's slurm-wlm and munge (scripts/setup.sh does)"
  done
  export PATH="$PATH:/usr/sbin"
  if status >/dev/null 2>&1; then
    echo "export SLURM_CONF=$conf"
    return 0
  fi
  stop
  mkdir -p "$dir/munge" "$dir/state" "$dir/spool"
  chmod 700 "$dir" "$dir/munge"
  if [ ! -s "$dir/munge/munge.key" ]; then
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
  fi
  chmod 400 "$dir/munge/munge.key"
  munged --force --socket="$sock" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" \
    --seed-file="$dir/munge/munged.seed" ||
    die "munged did not start; $dir/munged.log: $(tail -n 3 "$dir/munged.log" 2>/dev/null)"
  write_conf
  export SLURM_CONF="$conf"
  # -i: start from a clean state rather than jobs of a previous run of this folder.
  slurmctld -f "$conf" -i ||
    die "slurmctld did not start; $dir/slurmctld.log: $(tail -n 5 "$dir/slurmctld.log" 2>/dev/null)"
  slurmd -f "$conf" -N "$node" ||
    die "slurmd did not start; $dir/slurmd.log: $(tail -n 5 "$dir/slurmd.log" 2>/dev/null)"
  # Ready when the node accepts work.
  for _ in $(seq 150); do
    if sinfo -h -N -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
      echo "export SLURM_CONF=$conf"
      return 0
    fi
    sleep 0.2
  done
  die "the node did not come up: $(sinfo -h -N -o '%N %T %E' 2>&1 | head -n 2);" \
      "logs: $dir/slurmctld.log $dir/slurmd.log"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: $0 start|stop|status (state under \$SKIPSIM_SLURM_DIR, default $dir)" ;;
esac
