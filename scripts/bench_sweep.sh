#!/usr/bin/env bash
# Benchmark: 16 skip FIFO depths over the default basic block in parallel; prints the wall
# time and points per second (target: all 16 within 30 s on 2 cores). Writes
# out/bench_sweep.csv and its plot out/bench_sweep.png.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# $SKIPSIM names a binary to use as it is; else setup.sh brings build/ up to date first.
[ -n "${SKIPSIM:-}" ] || "$root/scripts/setup.sh" >/dev/null
bin=${SKIPSIM:-$root/build/skipsim}
mkdir -p "$root/out"
out=$root/out/bench_sweep.csv
rm -f "$out"  # a sweep resumes from an existing CSV; a benchmark starts afresh
start=$(date +%s.%N)
cfg=$root/configs/resnet18_conv2x.yaml
"$bin" sweep --config "$cfg" \
  --param hardware.skip_fifo.depth=32:16384:x1.5 --jobs "$(nproc)" --out "$out" 2>/dev/null
end=$(date +%s.%N)
points=$(($(wc -l <"$out") - 1))
awk -v s="$start" -v e="$end" -v p="$points" \
  'BEGIN { printf "bench_sweep: %d points in %.1f s wall, %.2f points/s\n", p, e - s, p / (e - s) }'
SKIPSIM=$bin /usr/bin/python3 "$root/scripts/plot_sweep.py" "$out" --config "$cfg"
