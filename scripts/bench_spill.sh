#!/usr/bin/env bash
# The spill trade-off on the default basic block (configs/resnet18_conv2x.yaml): the on-chip
# skip FIFO depth under both policies at the depths that matter (4, 64, 256; 669 and 670 on
# either side of find-depth's min_deadlock_free_depth; 1053, the unbounded peak): `block`
# deadlocks below 670, `spill` never does. Prints the README's table (markdown) and writes
# out/bench_spill.csv and out/bench_spill.png. Extra arguments go to skipsim sweep (e.g.
# --set hardware.dram.model=simple); with any, the title of the plot says so.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# $SKIPSIM names a binary to use as it is; else setup.sh brings build/ up to date first.
[ -n "${SKIPSIM:-}" ] || "$root/scripts/setup.sh" >/dev/null
bin=${SKIPSIM:-$root/build/skipsim}
cfg=$root/configs/resnet18_conv2x.yaml
mkdir -p "$root/out"
out=$root/out/bench_spill.csv
rm -f "$out"  # a sweep resumes from an existing CSV; a benchmark starts afresh
start=$(date +%s.%N)
"$bin" sweep --config "$cfg" \
  --param hardware.skip_fifo.policy=block,spill \
  --param hardware.skip_fifo.depth=4,64,256,669,670,1053 \
  --jobs "$(nproc)" --out "$out" "$@" 2>/dev/null
end=$(date +%s.%N)
/usr/bin/python3 - "$out" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
by = {(r["hardware.skip_fifo.policy"], int(r["hardware.skip_fifo.depth"])): r for r in rows}
n = lambda v: f"{int(v):,}" if v not in ("", None) else "-"
cyc = lambda r: n(r["cycles"]) if r["status"] == "ok" else r["status"]
print("| depth (beats) | block: cycles | spill: cycles | spilled = filled (B) "
      "| spill stall (cycles) | skip FIFO SRAM (B) |")
print("| ---: | ---: | ---: | ---: | ---: | ---: |")
for d in sorted({k[1] for k in by}):
    b, s = by[("block", d)], by[("spill", d)]
    sp, fi = s["fifos.skip.spill.spill_bytes"], s["fifos.skip.spill.fill_bytes"]
    moved = n(sp) if sp == fi else f"{n(sp)} / {n(fi)}"
    print(f"| {d} | {cyc(b)} | {cyc(s)} | {moved} | {n(s['fifos.skip.spill.stall_cycles'])} "
          f"| {n(s['fifos.skip.sram_bytes'])} |")
PY
awk -v s="$start" -v e="$end" 'BEGIN { printf "bench_spill: sweep %.1f s wall\n", e - s }'
sets=()
for ((i = 1; i <= $#; ++i)); do
  [[ ${!i} == --set ]] && { j=$((i + 1)); sets+=(--set "${!j}"); }
done
SKIPSIM=$bin /usr/bin/python3 "$root/scripts/plot_spill.py" "$out" --config "$cfg" "${sets[@]}"
