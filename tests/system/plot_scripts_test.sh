#!/usr/bin/env bash
# The plot scripts on small real runs: each writes its PNG and exits 0; a malformed CSV
# gives exit 2 and one line naming the file, the line and the column.
# usage: plot_scripts_test.sh SKIPSIM SOURCE_DIR WORK_DIR
set -euo pipefail
bin=$1 src=$2 dir=$3
cfg=$src/configs/workloads/tiny_basic.yaml
py=/usr/bin/python3
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
export SKIPSIM=$bin

is_png() {
  if [ ! -s "$1" ] || [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" != 89504e470d0a1a0a ]; then
    echo "FAIL: $1 is not a PNG" >&2
    exit 1
  fi
}

# Depths around the tiny block's deadlock boundary (3W*b - 2 = 22 beats).
"$bin" sweep --config "$cfg" --param hardware.skip_fifo.depth=4,16,24,64 --jobs 2 \
  --out sweep.csv 2>/dev/null
grep -q ',deadlock,' sweep.csv || { echo "FAIL: expected a deadlocked depth" >&2; exit 1; }
$py "$src/scripts/plot_sweep.py" sweep.csv --config "$cfg" -o sweep.png
is_png sweep.png

"$bin" sweep --config "$cfg" --param hardware.skip_fifo.policy=block,spill \
  --param hardware.skip_fifo.depth=4,16,64 --jobs 2 --out spill.csv 2>/dev/null
$py "$src/scripts/plot_spill.py" spill.csv --config "$cfg" -o spill.png
is_png spill.png

"$bin" run -q --config "$cfg" --occupancy occ.csv --report r.json
$py "$src/scripts/plot_occupancy.py" occ.csv --report r.json -o occ.png
is_png occ.png

# The network plot: two input sizes of the same blocks.
for hw in 32x32 48x48; do
  "$bin" network --model resnet18 --input $hw --blocks layer1.0:layer2.0 -q --report "net$hw.json"
done
$py "$src/scripts/plot_network.py" net32x32.json net48x48.json -o net.png
is_png net.png

# Malformed inputs: exit 2, one line saying what and where, no PNG.
expect_error() {  # expect_error PATTERN COMMAND...
  local pat=$1 rc=0
  shift
  "$@" -o bad.png 2>err.txt >/dev/null || rc=$?
  if [ "$rc" -ne 2 ] || ! grep -q -- "$pat" err.txt || [ "$(wc -l <err.txt)" -ne 1 ] ||
    [ -e bad.png ]; then
    echo "FAIL: '$*' gave exit $rc and:" >&2
    cat err.txt >&2
    exit 1
  fi
}
head -2 sweep.csv >torn.csv
sed -n 3p sweep.csv | cut -d, -f1-5 >>torn.csv
expect_error "torn.csv: line 3: 5 fields" $py "$src/scripts/plot_sweep.py" torn.csv
# A finished point's cycles spoiled (rows come in the order points finish: find one).
line=$($py - <<'PY'
import csv
rows = list(csv.reader(open("sweep.csv")))
i = max(k for k, r in enumerate(rows) if k and r[rows[0].index("status")] == "ok")
rows[i][rows[0].index("cycles")] = "many"
csv.writer(open("word.csv", "w", newline="")).writerows(rows)
print(i + 1)
PY
)
expect_error "word.csv: line $line: column 'cycles': expected an integer, got 'many'" \
  $py "$src/scripts/plot_sweep.py" word.csv
printf 'a,b\n1,2\n' >other.csv
expect_error "other.csv: line 1: missing column(s) hardware.skip_fifo.depth" \
  $py "$src/scripts/plot_spill.py" other.csv
expect_error "other.csv: line 1: missing column(s) cycle, occupancy" \
  $py "$src/scripts/plot_occupancy.py" other.csv
: >empty.csv
expect_error "empty.csv: empty file" $py "$src/scripts/plot_occupancy.py" empty.csv
expect_error "nothere.csv: No such file" $py "$src/scripts/plot_sweep.py" nothere.csv
expect_error "r.json: expected a report of \`skipsim network\`" $py "$src/scripts/plot_network.py" r.json
echo "plot scripts: PNGs written, malformed CSVs rejected"
