#!/usr/bin/env bash
# `skipsim find-depth --slurm` and `skipsim network --find-depth --slurm` on a one-machine
# Slurm cluster (scripts/slurm_local.sh):
# - find-depth as one job whose probes are job steps gives the local result; a probe killed
#   mid-search fails the job, and re-running the command finishes the search from the probes
#   saved so far;
# - a network find-depth as one array task per block gives the local CSV and report (timing
#   aside); a task cancelled before it ran leaves its block missing, the merge says so, and
#   re-running the command submits that block alone and completes the report.
# Exit 77 (skipped) when Slurm or munge is not installed.
# usage: slurm_network_test.sh SKIPSIM SOURCE_DIR WORK_DIR
set -euo pipefail
bin=$1 src=$2 dir=$3
cfg=$src/configs/workloads/tiny_basic.yaml
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
. "$src/tests/system/slurm_test_lib.sh"

net=("$bin" network -m resnet18 --input 64x64 --find-depth)
expect_input_error "find-depth --slurm without --out" "needs -o/--out" \
  "$bin" find-depth -c "$cfg" --slurm
expect_input_error "find-depth --partition alone" "needs --slurm" \
  "$bin" find-depth -c "$cfg" --partition debug
expect_input_error "network --slurm without --report" "needs --report" "${net[@]}" --slurm
expect_input_error "network --slurm --fused" "run locally only" \
  "${net[@]}" --slurm --report r.json --fused layer1.0:layer1.1
expect_input_error "network --array-max alone" "needs --slurm" "${net[@]}" --array-max 2
expect_input_error "network --report a folder" "is a directory" "${net[@]}" --slurm --report "$dir"
expect_input_error "no sbatch" "scripts/slurm_local.sh" \
  env PATH=/nonexistent "${net[@]}" --slurm --report r.json

start_cluster 7

job_of() { sed -n "s/^$1=//p" submit.txt; }
no_timing() {
  /usr/bin/python3 - "$1" <<'PY'
import json, sys
drop = {"wall_seconds", "sim_seconds", "peak_rss_mib", "resumed_results"}
def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if k not in drop}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v
print(json.dumps(strip(json.load(open(sys.argv[1]))), indent=1, sort_keys=True))
PY
}

# --- find-depth: probes as job steps -------------------------------------------------------
fd=("$bin" find-depth -c "$cfg" -j 2)
"${fd[@]}" -v -o local-fd.json 2>local-fd.log >/dev/null
no_timing local-fd.json >local-fd.txt
last=$(sed -n 's/^find-depth: depth \([0-9]*\):.*/\1/p' local-fd.log | tail -1)
[ -n "$last" ] || fail "no probe in the local find-depth log"
# The last probe is killed: the job fails, the earlier probes stay saved.
SKIPSIM_TEST_SIGKILL_SET="hardware.skip_fifo.depth=$last" \
  "${fd[@]}" -o fd.json --slurm >submit.txt 2>submit.err || fail "submit: $(cat submit.err)"
wait_job "$(job_of job)"
[ ! -f fd.json ] || fail "find-depth wrote a result though its probe at depth $last was killed"
grep -q "depth $last failed" fd.json.slurm/logs/*.log || fail "killed probe not reported: $(cat fd.json.slurm/logs/*.log)"
[ -s fd.json.probes ] || fail "no probes saved by the killed search"
expect_input_error "find-depth other options, same --out" "other options" \
  "${fd[@]}" -o fd.json --slurm --tolerance 0.5
"${fd[@]}" -o fd.json --slurm >submit.txt 2>submit.err || fail "re-submit: $(cat submit.err)"
job=$(job_of job)
wait_job "$job"
[ -f fd.json ] || fail "re-run wrote no result: $(cat fd.json.slurm/logs/find-depth-"$job".log)"
grep -q "saved by an earlier run" fd.json.slurm/logs/find-depth-"$job".log ||
  fail "the re-run simulated every probe again"
grep -q "launch task StepId=$job\.[0-9]" "$SKIPSIM_SLURM_DIR"/slurmd.log ||
  fail "no probe ran as a job step of $job"
no_timing fd.json | diff local-fd.txt - || fail "find-depth through Slurm differs from the local run"
"${fd[@]}" -o fd.json --slurm >submit.txt 2>submit.err || fail "$(cat submit.err)"
grep -q "nothing to submit" submit.err || fail "third find-depth run: $(cat submit.err)"

# --- network --find-depth: blocks as array tasks -------------------------------------------
"${net[@]}" -q --report local.json --csv local.csv
no_timing local.json >local.txt
"${net[@]}" --slurm --array-max 1 --report r.json --csv r.csv >submit.txt 2>submit.err ||
  fail "network submit: $(cat submit.err)"
array=$(job_of array_job) merge=$(job_of merge_job)
[ -n "$array" ] && [ -n "$merge" ] || fail "network submit printed no job ids: $(cat submit.txt)"
grep -q "submitted 10 of 10 blocks" submit.err || fail "network submit: $(cat submit.err)"
# One task at a time: task 4 (layer2.1) is still pending, cancelled before it ran.
scancel "${array}_4"
wait_job "$array"
wait_job "$merge"
[ ! -f r.json ] || fail "merged a report with a block missing"
grep -q "1 blocks have no result yet (layer2.1)" r.json.slurm/logs/merge-"$merge".log ||
  fail "merge did not name the missing block: $(cat r.json.slurm/logs/merge-"$merge".log)"
"${net[@]}" --slurm --report r.json --csv r.csv >submit.txt 2>submit.err ||
  fail "network re-submit: $(cat submit.err)"
grep -q "submitted 1 of 10 blocks" submit.err || fail "re-submit should send layer2.1 alone: $(cat submit.err)"
array=$(job_of array_job) merge=$(job_of merge_job)
wait_job "$array"
wait_job "$merge"
[ "$(cd r.json.slurm/logs && ls task-"$array"_*.log)" = "task-${array}_4.log" ] ||
  fail "re-submit ran tasks other than 4"
[ -f r.json ] || fail "no merged report: $(cat r.json.slurm/logs/merge-"$merge".log)"
diff local.csv r.csv || fail "the network CSV through Slurm differs from the local one"
no_timing r.json | diff local.txt - || fail "the network report through Slurm differs"
"${net[@]}" --slurm --report r.json --csv r.csv >submit.txt 2>submit.err || fail "$(cat submit.err)"
grep -q "nothing to submit" submit.err || fail "third network run: $(cat submit.err)"
echo "slurm find-depth and network: ok"
