#!/usr/bin/env bash
# `skipsim sweep --slurm` on a one-machine Slurm cluster (scripts/slurm_local.sh): a 16-point
# depth sweep as a job array gives the CSV a local run gives, row for row (timing columns
# aside); after a part file is lost, re-running the command submits only that slice and the
# merged CSV is whole again. Exit 77 (skipped) when Slurm or munge is not installed.
# usage: slurm_sweep_test.sh SKIPSIM SOURCE_DIR WORK_DIR
set -euo pipefail
bin=$1 src=$2 dir=$3
cfg=$src/configs/workloads/tiny_basic.yaml
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
. "$src/tests/system/slurm_test_lib.sh"

sweep=("$bin" sweep -c "$cfg" --param hardware.skip_fifo.depth=4:64:+4 -o "$dir/out.csv")
expect_input_error "no sbatch" "scripts/slurm_local.sh" env PATH=/nonexistent "${sweep[@]}" --slurm
expect_input_error "--partition alone" "needs --slurm" "${sweep[@]}" --partition debug
expect_input_error "bad slice" "--slice '4/4'" "${sweep[@]}" --slice 4/4
expect_input_error "merge without points" "no point list" "$bin" sweep --merge "$dir/none.csv"

start_cluster 0

# The same table without the wall-clock columns.
strip_timing() {
  /usr/bin/python3 - "$1" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
drop = {i for i, c in enumerate(rows[0]) if c in ("sim_seconds", "sim_cycles_per_second", "peak_rss_mib")}
for r in rows:
    print(",".join(v for i, v in enumerate(r) if i not in drop))
EOF
}

# A local run, one point at a time, writes its rows in point order.
"$bin" sweep -c "$cfg" --param hardware.skip_fifo.depth=4:64:+4 -j 1 -o local.csv 2>/dev/null
strip_timing local.csv >local.txt
[ "$(wc -l <local.txt)" = 17 ] || fail "local sweep: expected 16 rows"

"${sweep[@]}" --slurm --points-per-task 4 --array-max 2 >submit.txt 2>submit.err ||
  fail "submit: $(cat submit.err)"
array=$(sed -n 's/^array_job=//p' submit.txt)
merge=$(sed -n 's/^merge_job=//p' submit.txt)
[ -n "$array" ] && [ -n "$merge" ] || fail "submit printed no job ids: $(cat submit.txt)"
grep -q "submitted 4 of 4 tasks" submit.err || fail "first submit: $(cat submit.err)"
# The same command while its jobs are queued would run the slices twice: refused.
expect_input_error "re-run while queued" "still queued or running" "${sweep[@]}" --slurm \
  --points-per-task 4
wait_job "$array"
wait_job "$merge"
[ -f out.csv ] || fail "no merged CSV; merge log: $(cat out.csv.slurm/logs/merge-*.log)"
strip_timing out.csv >out.txt
diff local.txt out.txt || fail "the Slurm sweep's CSV differs from the local one"
for i in 0 1 2 3; do [ -f "out.csv.part-$i" ] || fail "no part file $i"; done

# A lost slice (its task killed, its part file gone): only it is submitted again.
rm out.csv.part-2
"${sweep[@]}" --slurm --points-per-task 4 --array-max 2 >submit.txt 2>submit.err ||
  fail "re-submit: $(cat submit.err)"
grep -q "submitted 1 of 4 tasks (4 missing of 16 points" submit.err ||
  fail "re-submit should send slice 2 alone: $(cat submit.err)"
array=$(sed -n 's/^array_job=//p' submit.txt)
merge=$(sed -n 's/^merge_job=//p' submit.txt)
wait_job "$array"
wait_job "$merge"
logs=$(cd out.csv.slurm/logs && ls task-"${array}"_*.log)
[ "$logs" = "task-${array}_2.log" ] || fail "re-submit ran tasks other than 2: $logs"
strip_timing out.csv >out.txt
diff local.txt out.txt || fail "after the re-run the merged CSV differs from the local one"

# Nothing missing: nothing submitted, the parts merged at once.
"${sweep[@]}" --slurm --points-per-task 4 >submit.txt 2>submit.err || fail "$(cat submit.err)"
grep -q "nothing to submit" submit.err || fail "third run: $(cat submit.err)"
[ ! -s submit.txt ] || fail "third run submitted jobs: $(cat submit.txt)"
# And by hand: --merge OUT alone.
rm out.csv
"$bin" sweep --merge "$dir/out.csv" 2>/dev/null
strip_timing out.csv >out.txt
diff local.txt out.txt || fail "--merge by hand differs from the local CSV"
echo "slurm sweep: ok"
