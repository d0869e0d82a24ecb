#!/usr/bin/env bash
# Benchmark: 16 skip FIFO depths over the default basic block in parallel; prints the wall
# time and points per second (target: all 16 within 30 s on 2 cores).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh" >/dev/null
out=$(mktemp -d)/bench_sweep.csv
start=$(date +%s.%N)
"$root/build/skipsim" sweep --config "$root/configs/resnet18_conv2x.yaml" \
  --param hardware.skip_fifo.depth=32:16384:x1.5 --jobs "$(nproc)" --out "$out" 2>/dev/null
end=$(date +%s.%N)
points=$(($(wc -l <"$out") - 1))
awk -v s="$start" -v e="$end" -v p="$points" \
  'BEGIN { printf "bench_sweep: %d points in %.1f s wall, %.2f points/s\n", p, e - s, p / (e - s) }'
echo "bench_sweep: CSV $out"
