#!/usr/bin/env bash
# The layer-by-layer NPU scripts on synthetic `skipsim npu` reports (written here, in the
# report format of `skipsim npu --report`) and real streaming reports: each PNG is written,
# compare_modes prints its table, the SRAM sweep runs through a stub binary and resumes;
# malformed inputs give exit 2 and one line.
# usage: npu_scripts_test.sh SKIPSIM SOURCE_DIR WORK_DIR
set -euo pipefail
bin=$1 src=$2 dir=$3
py=/usr/bin/python3
s=$src/scripts
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
is_png() {
  [ -s "$1" ] && [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
    fail "$1 is not a PNG"
}

# Synthetic npu reports: a stem conv, one residual block (two convs, the add), a pool, an fc.
cat >gen_npu.py <<'PY'
import json, sys

def op(name, typ, block, first, cycles, ops, dram, sram):
    ai = ops / dram if dram else None
    si = ops / sram if sram else None
    roof = min(512.0, ai * 25.6 if ai else 1e30, si * 512.0 if si else 1e30)
    return dict(name=name, type=typ, block=block, cycles=cycles, first_cycle=first,
                last_cycle=first + cycles, ops=ops, dram_bytes=dram, sram_bytes=sram,
                arithmetic_intensity=ai, sram_intensity=si, attained_ops_per_cycle=ops / cycles,
                roof_ops_per_cycle=roof, bound="compute" if roof >= 512 else "memory",
                bound_level="compute" if roof >= 512 else "dram", mac_busy_cycles=0, passes=1)

def report(fuse_add, act_bytes, spill=0):
    ops, t = [], 0
    for name, typ, cyc, n, dram, sram in [
            ("conv1", "conv", 40000, 18000000, 9408, 300000),
            ("layer1.0.conv1", "conv", 80000, 37748736, 36864, 600000),
            ("layer1.0.conv2", "conv", 80000, 37748736, 36864 + spill, 600000),
            ("layer1.0.add", "add", 3000 + spill // 16, 16384, 2 * spill, 49152),
            ("maxpool", "pool", 2000, 147456, 0, 200000),
            ("fc", "fc", 3000, 1024000, 512000, 514000)]:
        if typ == "add" and fuse_add:
            continue
        ops.append(op(name, typ, "layer1.0" if "layer" in name else "stem", t, cyc, n, dram, sram))
        t += cyc
    dram = {"weights": 595136, "input": 3072, "output": 1000, "spill": spill, "fill": spill}
    dram["total"] = sum(dram.values())
    return {"model": "resnet18", "input": {"h": 32, "w": 32},
            "hardware": {"mac_rows": 16, "mac_cols": 16, "dataflow": "ws", "lanes": 16,
                         "sram_bytes": 8388608, "clock_ghz": 1.0, "peak_ops_per_cycle": 512.0,
                         "dram_bytes_per_cycle": 25.6, "sram_bytes_per_cycle": 512.0},
            "npu": {"allocator": "greedy", "spill": "farthest", "fuse_add": fuse_add,
                    "activation_bytes": act_bytes, "weight_buffer_bytes": 1048576},
            "cycles": t, "mac_busy_cycles": 200000, "mac_idle_cycles": t - 200000,
            "add_cycles": 3000, "mac_idle_cycles_in_adds": 3000,
            "sram_peak_live_bytes": min(act_bytes, 49152), "max_live_activation_tensors": 3,
            "spill_bytes": spill, "fill_bytes": spill, "dram": dram, "ops": ops,
            "tensors": [{"name": "layer1.0.x", "bytes": 16384, "first_cycle": 40000,
                         "last_cycle": 203000, "sram_offset": 0, "dram": False,
                         "spilled_bytes": 0, "filled_bytes": 0, "skip": True}],
            "golden": {"checked": True, "match": True}}

if __name__ == "__main__":
    if sys.argv[1:2] == ["stub"]:  # the stub binary: skipsim npu ... --set npu.activation_bytes=N
        a = sys.argv[2:]
        act = int(next(x for x in a if x.startswith("npu.activation_bytes=")).split("=")[1])
        rep = report(False, act, spill=max(0, 49152 - act))
        rep["model"] = a[a.index("--model") + 1]
        h, w = a[a.index("--input") + 1].split("x")
        rep["input"] = {"h": int(h), "w": int(w)}
        open("stub_calls.txt", "a").write(f"{rep['model']} {act}\n")
        json.dump(rep, open(a[a.index("--report") + 1], "w"))
    else:
        json.dump(report(False, 65536), open("npu.json", "w"))
        json.dump(report(True, 65536), open("npu_fused.json", "w"))
        json.dump(report(False, 16384, spill=32768), open("npu_small.json", "w"))
PY
$py gen_npu.py
"$bin" run -q --config "$src/configs/workloads/tiny_basic.yaml" --report run.json
"$bin" network --model resnet18 --input 32x32 --blocks layer1.0 -q --report net.json

# The roofline: three npu reports, a run and a network report as streaming stars.
$py "$s/plot_roofline.py" npu.json npu_fused.json npu_small.json --streaming run.json \
  --streaming net.json -o roofline.png >/dev/null
is_png roofline.png
# Adds and pools run on the vector unit: its peak (hardware.lanes ops/cycle) is a line too.
$py - "$s" >/dev/null <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import matplotlib.figure, plot_roofline
seen = []
matplotlib.figure.Figure.savefig = lambda fig, *a, **k: seen.append(fig)
assert plot_roofline.main(["npu.json", "-o", "unused.png"]) == 0
lines = [l for ax in seen[0].axes for l in ax.get_lines()
         if l.get_label() == "vector unit: 16 adds/cycle (one per lane)"]
assert len(lines) == 1 and list(lines[0].get_ydata()) == [16, 16], "no vector unit line"
PY

# Side by side, from existing reports (no `skipsim npu` run).
$py "$s/compare_modes.py" --reports npu.json net.json --json cmp.json >table.txt
for row in "cycles" "DRAM bytes total" "  spill" "peak SRAM bytes" "skip storage bytes" \
  "MAC utilization"; do
  grep -q "^$row " table.txt || fail "compare_modes printed no '$row' row"
done
grep -q "^skip storage bytes (largest) *16,384 (16.0 KiB)" table.txt ||
  fail "compare_modes: the npu skip tensor's bytes are not in the table"
$py -c "import json; d = json.load(open('cmp.json')); assert d['npu']['skip_lifetime'] == 163000" ||
  fail "compare_modes --json: wrong skip lifetime"
$py "$s/compare_modes.py" --reports npu.json run.json >table_run.txt
grep -q "^  line buffers  *-  *[1-9][0-9,]*$" table_run.txt ||
  fail "compare_modes: a run report's line buffers are not in the table"

# The SRAM sweep through a stub binary: six runs, then a resumed sweep runs nothing new.
printf '#!/bin/sh\nexec %s %s/gen_npu.py stub "$@"\n' "$py" "$dir" >stub && chmod +x stub
$py "$s/npu_sram_sweep.py" --model vgg16 --model resnet18 --sram-kib 16,32,64 --jobs 2 \
  --skipsim ./stub --reports-dir reps -o sram.png --csv sram.csv >/dev/null
is_png sram.png
[ "$(wc -l <stub_calls.txt)" -eq 6 ] || fail "the sweep ran $(wc -l <stub_calls.txt) points, not 6"
grep -q "^resnet18,16,.*,32768,32768,16384,3$" sram.csv || fail "sram.csv: wrong resnet18 16 KiB row"
rm reps/vgg16_32.json
$py "$s/npu_sram_sweep.py" --model vgg16 --model resnet18 --sram-kib 16,32,64 \
  --skipsim ./stub --reports-dir reps -o sram2.png >/dev/null
[ "$(wc -l <stub_calls.txt)" -eq 7 ] || fail "the resumed sweep did not reuse its reports"
$py "$s/npu_sram_sweep.py" --from-csv sram.csv -o sram_csv.png >/dev/null
is_png sram_csv.png

# Malformed inputs: exit 2, one line saying what and where, no PNG.
expect_error() { # expect_error PATTERN COMMAND...
  local pat=$1 rc=0
  shift
  "$@" 2>err.txt >/dev/null || rc=$?
  if [ "$rc" -ne 2 ] || ! grep -q -- "$pat" err.txt || [ "$(wc -l <err.txt)" -ne 1 ] ||
    [ -e bad.png ]; then
    echo "FAIL: '$*' gave exit $rc and:" >&2
    cat err.txt >&2
    exit 1
  fi
}
head -c 300 npu.json >torn.json
expect_error "torn.json: line 1: not JSON" $py "$s/plot_roofline.py" torn.json -o bad.png
expect_error "torn.json: line 1: not JSON" $py "$s/compare_modes.py" --reports torn.json net.json
expect_error "nothere.json: cannot read" $py "$s/plot_roofline.py" nothere.json -o bad.png
$py -c "
import json; r = json.load(open('npu.json')); del r['ops'][1]['attained_ops_per_cycle']
json.dump(r, open('nokey.json', 'w'))"
expect_error "nokey.json: ops\[1\] (layer1.0.conv1): missing key 'attained_ops_per_cycle'" \
  $py "$s/plot_roofline.py" nokey.json -o bad.png
expect_error "net.json: a report of \`skipsim network\`" $py "$s/plot_roofline.py" net.json -o bad.png
expect_error "npu.json: expected a report of \`skipsim run\`" \
  $py "$s/plot_roofline.py" npu.json --streaming npu.json -o bad.png
expect_error "npu.json: expected a report of \`skipsim run\`" \
  $py "$s/compare_modes.py" --reports npu.json npu.json
sed 's/^vgg16,32,[0-9]*/vgg16,32,many/' sram.csv >word.csv
expect_error "word.csv: line 3: column 'cycles': expected an integer, got 'many'" \
  $py "$s/npu_sram_sweep.py" --from-csv word.csv -o bad.png
expect_error "reps/vgg16_16.json: a report of vgg16 224x224 with activation_bytes 16384, expected vgg16 64x64" \
  $py "$s/npu_sram_sweep.py" --model vgg16 --input 64x64 --sram-kib 16 --skipsim ./stub \
  --reports-dir reps -o bad.png
expect_error "\`skipsim npu\` failed" $py "$s/compare_modes.py" --model resnet18 --blocks layer1.0 \
  --skipsim "$(command -v false)"
# Real runs: skipsim npu draws its own roofline; the two organizations compared on a block;
# a two-point SRAM sweep of a small ResNet-18 (spills at 16 KiB, none at 1 MiB).
"$bin" npu -q --model resnet18 --input 64x64 --blocks layer1.0:layer1.1 -j 2 \
  --report real.json --roofline real.png
is_png real.png
$py "$s/compare_modes.py" --model resnet18 --blocks layer1.0 --input 64x64 --skipsim "$bin" \
  >cmp_real.txt
grep -q "cycles" cmp_real.txt || { echo "FAIL: compare_modes printed no cycles" >&2; exit 1; }
$py "$s/npu_sram_sweep.py" --model resnet18 --input 64x64 --sram-kib 16,1024 --skipsim "$bin" \
  --set "hardware.mac_array.rows=16" --jobs 1 --csv sweep_real.csv -o sweep_real.png
is_png sweep_real.png
$py - sweep_real.csv <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
by = {int(r["sram_kib"]): r for r in rows}
assert int(by[16]["spill_bytes"]) > 0 and int(by[1024]["spill_bytes"]) == 0, rows
assert int(by[16]["dram_bytes"]) > int(by[1024]["dram_bytes"]), rows
PY
# The SRAM plan over time on a real short-SRAM run (spills and fills), and malformed plans.
"$bin" npu -q --model resnet18 --input 64x64 --blocks stem:layer2.0 \
  --set npu.activation_bytes=20000 --report life.json
$py "$s/plot_lifetimes.py" life.json -o life.png --title "short SRAM" >/dev/null
is_png life.png
$py -c "
import json; r = json.load(open('life.json'))
assert any(t['skip'] for t in r['tensors']) and r['spill_bytes'] > 0, 'no skip tensor or spill'"
[ "$($py "$s/plot_lifetimes.py" life.json)" = life.png ] || fail "plot_lifetimes: default output"
$py -c "
import json; r = json.load(open('life.json')); del r['tensors'][2]['last_cycle']
json.dump(r, open('nolast.json', 'w'))"
expect_error "nolast.json: tensors\[2\] ([a-z0-9.]*): missing key 'last_cycle'" \
  $py "$s/plot_lifetimes.py" nolast.json -o bad.png
$py -c "
import json; r = json.load(open('life.json')); r['tensors'][0]['skip'] = 'yes'
json.dump(r, open('skipword.json', 'w'))"
expect_error "skipword.json: tensors\[0\] (input): key 'skip': expected true or false" \
  $py "$s/plot_lifetimes.py" skipword.json -o bad.png
expect_error "torn.json: line 1: not JSON" $py "$s/plot_lifetimes.py" torn.json -o bad.png
expect_error "net.json: a report of \`skipsim network\`" $py "$s/plot_lifetimes.py" net.json -o bad.png
echo "npu scripts: PNGs written, table printed, sweep resumed, malformed inputs rejected"
