#!/usr/bin/env bash
# Skip-path compression (README "Compressing the skip path"): every residual block of a
# network run with and without hardware.skip_fifo.compression=zvc, per block the skip
# tensor's zero fraction, the compression ratio, the FIFO peak in bytes and the cycles.
# usage: scripts/bench_compression.sh [SKIPSIM] [MODEL] [HxW]   (build/skipsim resnet18 224x224)
set -euo pipefail
bin=${1:-build/skipsim} model=${2:-resnet18} input=${3:-224x224}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" network -q --model "$model" --input "$input" --report "$tmp/none.json"
"$bin" network -q --model "$model" --input "$input" --set hardware.skip_fifo.compression=zvc \
  --report "$tmp/zvc.json"
/usr/bin/python3 - "$tmp/none.json" "$tmp/zvc.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
print(f"{a['model']} {a['input'][0]}x{a['input'][1]}: skip FIFO without and with ZVC "
      f"(bit-exact: {a['bit_exact']} / {b['bit_exact']})")
print(f"{'block':<10} {'zeros':>6} {'ratio':>6} {'peak none':>10} {'peak zvc':>10} "
      f"{'cycles none':>12} {'cycles zvc':>12}")
for x, y in zip(a["blocks"], b["blocks"]):
    f = y.get("fifos", {}).get("skip")
    if not f:
        continue
    print(f"{x['name']:<10} {f['zero_lane_fraction']:6.0%} {f['compression_ratio']:5.2f}x "
          f"{x['fifos']['skip']['max_occupancy_bytes'] / 1024:8.1f} K {f['max_occupancy_bytes'] / 1024:8.1f} K "
          f"{x['cycles']:12,} {y['cycles']:12,}")
print(f"network cycles {a['cycles']:,} -> {b['cycles']:,}; largest FIFO peak "
      f"{a['skip_fifo_bytes_max'] / 1024:.1f} K -> {b['skip_fifo_bytes_max'] / 1024:.1f} K")
PY
