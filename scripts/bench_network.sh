#!/usr/bin/env bash
# Benchmark of `skipsim network` (the issue's targets: ResNet-50 at 224x224 under 60 s on 2
# cores, ResNet-18 with --find-depth on every block under 60 s, every process under 500 MB).
# Then ResNet-18 with its residual blocks fused. Prints, per run, the simulated cycles, the skip FIFO totals, the wall time, the peak memory
# of the parent and of the largest block's process (blocks[].peak_rss_mib).
# Usage: scripts/bench_network.sh [MODEL:HxW[:find-depth] ...]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ -n "${SKIPSIM:-}" ] || "$root/scripts/setup.sh" >/dev/null
bin=${SKIPSIM:-$root/build/skipsim}
runs=("$@")
((${#runs[@]})) || runs=(resnet18:224x224 resnet50:224x224 resnet50:448x448 resnet18:224x224:find-depth)
log=$(mktemp -d)
for r in "${runs[@]}"; do
  IFS=: read -r model size fd <<<"$r"
  extra=()
  [[ ${fd:-} == find-depth ]] && extra=(--find-depth)
  name="$model.$size${fd:+.fd}"
  /usr/bin/time -f "%e %M" -o "$log/$name.time" \
    "$bin" network --model "$model" --input "$size" -q --report "$log/$name.json" "${extra[@]}"
  read -r wall kb <"$log/$name.time"
  /usr/bin/python3 - "$log/$name.json" "$r" "$wall" "$kb" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
peak = max(b.get("peak_rss_mib", 0) for b in j["blocks"])
print(f"bench_network: {sys.argv[2]:<28} {j['cycles']:>11,} cycles  skip FIFO "
      f"{j['skip_fifo_bytes_sum'] / 1024:8.1f} KiB summed, {j['skip_fifo_bytes_max'] / 1024:6.1f} KiB "
      f"largest  {float(sys.argv[3]):6.1f} s wall  parent {int(sys.argv[4]) / 1024:.0f} MiB, "
      f"largest block process {peak:.0f} MiB  bit-exact {j['bit_exact']}")
PY
done
# ResNet-18's eight residual blocks fused into one streaming pipeline (README, Fused
# pipelines): its cycles against the blocks one after another, and its simulation time.
/usr/bin/time -f "%e %M" -o "$log/fused.time" "$bin" network --model resnet18 --input 224x224 \
  --fused layer1.0:layer4.1 -q --report "$log/fused.json"
read -r wall kb <"$log/fused.time"
/usr/bin/python3 - "$log/fused.json" "$wall" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))["fused"]
print(f"bench_network: resnet18:224x224 fused {f['range']}: {f['cycles']:,} cycles against "
      f"{f['cycles_alone_sum']:,} alone ({f['cycles_alone_sum'] / f['cycles']:.2f}x), bit-exact "
      f"{f['matches_golden']}, {f['sim_seconds']:.2f} s of simulation, {float(sys.argv[2]):.1f} s wall")
PY
echo "bench_network: reports in $log"
