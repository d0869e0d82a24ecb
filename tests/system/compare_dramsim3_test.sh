#!/usr/bin/env bash
# scripts/compare_dramsim3.sh without DRAMSim3: the eight traces (counts, format, skipsim reads
# them), the parser of DRAMSim3's statistics on a checked-in sample of its output
# (tests/data/dramsim3), the table from one synthetic run, and exit 2 with one line when the
# DRAMSim3 folder is missing or not a checkout.
# usage: compare_dramsim3_test.sh SKIPSIM SOURCE_DIR WORK_DIR
set -euo pipefail
bin=$1 src=$2 dir=$3
py=/usr/bin/python3
helper=$src/scripts/compare_dramsim3.py
data=$src/tests/data/dramsim3
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# Traces: eight, in DRAMSim3's format, the sizes listed, replayed in full by skipsim.
"$py" "$helper" gen traces --scale 0.001
[ "$(cut -d' ' -f1 traces/list | tr '\n' ' ')" = \
  "seq random mixed_add paced_idle paced_load random70_1m seq_1m writes " ] ||
  fail "trace names: $(cat traces/list)"
"$py" "$helper" preset "$src/configs/dram/ddr4_3200.yaml" preset.yaml
grep -q '^  address_map: ro-ch-ra-ba-bg-co$' preset.yaml || fail "preset mapping"
while read -r name n; do
  "$py" - "traces/$name.trace" "$name" "$n" <<'PY' || fail "trace $name"
import re, sys
path, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = open(path).read().split("\n")
assert lines[-1] == "" and len(lines) == n + 1, (len(lines), n)
prev, writes = 0, 0
for line in lines[:-1]:
    m = re.fullmatch(r"0x([0-9a-f]+) (READ|WRITE) (\d+)", line)
    assert m, line
    addr, cyc = int(m[1], 16), int(m[3])
    assert addr % 64 == 0 and addr < 1 << 34 and cyc >= prev, line
    prev, writes = cyc, writes + (m[2] == "WRITE")
expect = {"writes": n, "mixed_add": n // 3, "seq": 0, "random": 0, "seq_1m": 0}
if name in expect:
    assert writes == expect[name], (name, writes)
else:  # 30% writes
    assert 0.1 * n < writes < 0.5 * n, (name, writes)
if name == "paced_idle":
    assert prev == 200 * (n - 1), prev
PY
  got=$("$bin" dram --config preset.yaml --trace "traces/$name.trace" --json |
    "$py" -c "import json, sys; print(json.load(sys.stdin)['requests'])")
  [ "$got" = "$n" ] || fail "skipsim replayed $got of $n requests of $name"
done <traces/list

# Parser: the checked-in DRAMSim3 output (20 trace lines, -c 750, epoch_period 250).
"$py" "$helper" ds3 "$data" 20 750 250 >ds3.json || fail "ds3 parse exit $?"
"$py" - ds3.json <<'PY' || fail "ds3 figures: $(cat ds3.json)"
import json, sys
j = json.load(open(sys.argv[1]))
want = {"finished": True, "reads": 16, "writes": 5, "avg_read_latency": 63.25,
        "row_hit_rate": 0.6, "end_cycle": 375.0, "act": 6}
assert all(j[k] == v for k, v in want.items()), j
PY
rc=0
"$py" "$helper" ds3 "$data" 22 750 250 >/dev/null || rc=$?
[ $rc -eq 3 ] || fail "unfinished run (22 requests of 21 done) gave exit $rc, expected 3"

# Table: one run of the sample through skipsim and the parsed DRAMSim3 output.
mkdir -p out/traces out/runs/sample
echo "sample 20" >out/traces/list
"$bin" dram --config preset.yaml --trace "$data/sample.trace" --json >out/runs/sample/skipsim.json
cp ds3.json out/runs/sample/dramsim3.json
echo "0.01 0.02" >out/runs/sample/wall
"$py" "$helper" table out out/compare.csv >table.txt || fail "table exit $?"
grep -q '^sample  *20 |' table.txt || fail "table row: $(cat table.txt)"
tail -n 1 table.txt | grep -q '^within 5% of DRAMSim3 on bandwidth and avg read latency on all 1 traces: ' ||
  fail "verdict line: $(tail -n 1 table.txt)"
"$py" - out/compare.csv <<'PY' || fail "csv: $(cat out/compare.csv)"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 1 and rows[0]["trace"] == "sample" and rows[0]["cycles_dramsim3"] == "375"
r = rows[0]
assert abs(float(r["bw_dramsim3"]) - 20 * 64 / (375 * 0.625)) < 1e-9, r["bw_dramsim3"]
assert abs(float(r["lat_ratio"]) - float(r["lat_skipsim"]) / 63.25) < 1e-9
PY

# Errors: one line, exit 2.
expect_error() {  # expect_error PATTERN ARGS...
  local pattern=$1 rc=0
  shift
  "$src/scripts/compare_dramsim3.sh" "$@" --skipsim "$bin" --out "$dir/err" >err.out 2>err.txt ||
    rc=$?
  [ $rc -eq 2 ] || fail "'$*' gave exit $rc, expected 2: $(cat err.txt)"
  [ "$(wc -l <err.txt)" -eq 1 ] || fail "'$*' printed more than one line: $(cat err.txt)"
  grep -q "$pattern" err.txt || fail "'$*': expected '$pattern' in: $(cat err.txt)"
  [ ! -s err.out ] || fail "'$*' printed to stdout"
}
expect_error "no such directory" "$dir/nowhere"
mkdir -p empty
expect_error "is not a DRAMSim3 checkout: it has no CMakeLists.txt" empty
expect_error "is not a DRAMSim3 checkout: it has no src/main.cc" "$src"
expect_error "missing DRAMSIM3_DIR"
expect_error "unknown option '--fast'" empty --fast
echo "compare_dramsim3 test: ok"
