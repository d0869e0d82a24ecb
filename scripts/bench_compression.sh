#!/usr/bin/env bash
# Skip-path compression (README "Compressing the skip path"): every residual block of a
# network run without compression and with hardware.skip_fifo.compression=zvc and =rlc, per
# block the skip tensor's zero fraction, each codec's compression ratio and FIFO peak in bytes,
# and the cycles.
# usage: scripts/bench_compression.sh [SKIPSIM] [MODEL] [HxW]   (build/skipsim resnet18 224x224)
set -euo pipefail
bin=${1:-build/skipsim} model=${2:-resnet18} input=${3:-224x224}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" network -q --model "$model" --input "$input" --report "$tmp/none.json"
for codec in zvc rlc; do
  "$bin" network -q --model "$model" --input "$input" \
    --set hardware.skip_fifo.compression=$codec --report "$tmp/$codec.json"
done
/usr/bin/python3 - "$tmp/none.json" "$tmp/zvc.json" "$tmp/rlc.json" <<'PY'
import json, sys
a, b, c = (json.load(open(p)) for p in sys.argv[1:4])
print(f"{a['model']} {a['input'][0]}x{a['input'][1]}: skip FIFO without compression, with ZVC "
      f"and with RLC (bit-exact: {a['bit_exact']} / {b['bit_exact']} / {c['bit_exact']})")
print(f"{'block':<10} {'zeros':>6} {'raw':>8} {'zvc':>6} {'rlc':>6} {'peak none':>10} "
      f"{'peak zvc':>10} {'peak rlc':>10} {'cycles none':>12} {'cycles zvc':>12} {'cycles rlc':>12}")
for x, y, z in zip(a["blocks"], b["blocks"], c["blocks"]):
    f, g = y.get("fifos", {}).get("skip"), z.get("fifos", {}).get("skip")
    if not f or not g:
        continue
    print(f"{x['name']:<10} {f['zero_lane_fraction']:6.0%} {f['raw_bytes']:8} "
          f"{f['compression_ratio']:5.2f}x {g['compression_ratio']:5.2f}x "
          f"{x['fifos']['skip']['max_occupancy_bytes'] / 1024:8.1f} K "
          f"{f['max_occupancy_bytes'] / 1024:8.1f} K {g['max_occupancy_bytes'] / 1024:8.1f} K "
          f"{x['cycles']:12,} {y['cycles']:12,} {z['cycles']:12,}")
print(f"network cycles {a['cycles']:,} / {b['cycles']:,} / {c['cycles']:,}; largest FIFO peak "
      f"{a['skip_fifo_bytes_max'] / 1024:.1f} K / {b['skip_fifo_bytes_max'] / 1024:.1f} K / "
      f"{c['skip_fifo_bytes_max'] / 1024:.1f} K")
PY
