#!/usr/bin/env bash
# The spill trade-off on the default basic block: the on-chip skip FIFO depth swept from 4
# to 1024 beats under both policies (block deadlocks below 458 beats, spill never does),
# then plotted (on-chip depth vs DRAM spill traffic and cycles). Prints the table and the
# PNG path; extra arguments go to skipsim sweep (e.g. --set hardware.dram.model=simple).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh" >/dev/null
dir=$(mktemp -d)
out=$dir/bench_spill.csv
start=$(date +%s.%N)
"$root/build/skipsim" sweep --config "$root/configs/resnet18_conv2x.yaml" \
  --param hardware.skip_fifo.policy=block,spill \
  --param hardware.skip_fifo.depth=4,16,64,256,458,466,512,682,1024 \
  --jobs "$(nproc)" --out "$out" "$@" 2>/dev/null
end=$(date +%s.%N)
/usr/bin/python3 - "$out" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
rows.sort(key=lambda r: (r["hardware.skip_fifo.policy"], int(r["hardware.skip_fifo.depth"])))
print(f"{'policy':<7}{'depth':>7}{'status':>10}{'cycles':>10}{'SRAM B':>9}"
      f"{'spill B':>10}{'fill B':>10}{'stall':>8}")
for r in rows:
    print(f"{r['hardware.skip_fifo.policy']:<7}{r['hardware.skip_fifo.depth']:>7}"
          f"{r['status']:>10}{r['cycles']:>10}{r['fifos.skip.sram_bytes']:>9}"
          f"{r['fifos.skip.spill.spill_bytes'] or '-':>10}{r['fifos.skip.spill.fill_bytes'] or '-':>10}"
          f"{r['fifos.skip.spill.stall_cycles'] or '-':>8}")
PY
awk -v s="$start" -v e="$end" 'BEGIN { printf "bench_spill: sweep %.1f s wall\n", e - s }'
/usr/bin/python3 "$root/scripts/plot_spill.py" "$out"
