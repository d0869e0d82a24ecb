# Shared by the Slurm tests (sourced): failing with a message, bad input checks, the
# one-machine cluster of scripts/slurm_local.sh, waiting for a job. Needs $src and $dir.
fail() { echo "FAIL: $*" >&2; exit 1; }

# Bad input, with or without Slurm: one line, exit 2.
expect_input_error() {
  local what=$1 pattern=$2
  shift 2
  set +e
  "$@" >out.txt 2>err.txt
  local rc=$?
  set -e
  [ "$rc" = 2 ] || fail "$what: exit $rc, expected 2 ($(cat err.txt))"
  [ "$(wc -l <err.txt)" = 1 ] || fail "$what: expected one error line, got: $(cat err.txt)"
  grep -q -- "$pattern" err.txt || fail "$what: '$pattern' not in: $(cat err.txt)"
}

# Exits 77 (skipped) unless the Slurm commands are installed; else starts a cluster under
# $dir/cluster on a port of its own (a cluster someone else started here is left alone),
# stopped when the test exits. PORT_SALT keeps two tests' ports apart.
start_cluster() {
  export PATH="$PATH:/usr/sbin"
  for b in sbatch squeue scancel srun slurmctld slurmd munged; do
    command -v "$b" >/dev/null ||
      { echo "SKIP: $b not installed (apt-get install slurm-wlm munge)"; exit 77; }
  done
  export SKIPSIM_SLURM_DIR="$dir/cluster"
  export SKIPSIM_SLURM_PORT=$((20000 + ($$ + ${1:-0}) % 20000))
  trap '"$src/scripts/slurm_local.sh" stop' EXIT
  eval "$("$src/scripts/slurm_local.sh" start)"
}

# Waits until the job has left the queue (MinJobAge keeps finished jobs listed for a while).
wait_job() {
  for _ in $(seq 900); do
    squeue -h -j "$1" -o '%T' 2>/dev/null |
      grep -qE 'PENDING|CONFIGURING|RUNNING|COMPLETING|SUSPENDED|REQUEUE|RESIZING' || return 0
    sleep 0.2
  done
  fail "job $1 still queued after 180 s: $(squeue 2>&1); logs under $dir"
}
