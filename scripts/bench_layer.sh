#!/usr/bin/env bash
# Benchmark: every conv layer of ResNet-18 (configs/topologies/resnet18.csv, SCALE-Sim's
# format with true output sizes) in layer mode on a 32x32 array, for each dataflow, in
# SCALE-Sim compat mode and in skipsim's default mode; real data, checked against a direct
# convolution. Prints the total cycles, wall time and peak memory of each run
# (target: under 10 s and 200 MB per dataflow); first AlexNet conv1 (ws, 32x32, compat), whose
# cycles and utilization SCALE-Sim publishes (112,283 cycles, 91.68%, 94.53% mapping).
# The topology's IFMAP sizes already include the padding; neither mode adds any, so both
# run the same layers.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# $SKIPSIM names a binary to use as it is; else setup.sh brings build/ up to date first.
[ -n "${SKIPSIM:-}" ] || "$root/scripts/setup.sh" >/dev/null
bin=${SKIPSIM:-$root/build/skipsim}
log=$(mktemp -d)
"$bin" layer --config "$root/configs/resnet18_conv2x.yaml" \
  --topology "$root/configs/topologies/alexnet_conv1.csv" --scalesim-compat --json \
  --set hardware.mac_array.rows=32 --set hardware.mac_array.cols=32 >"$log/alexnet.json"
/usr/bin/python3 - "$log/alexnet.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
j = j[0] if isinstance(j, list) else j
print(f"bench_layer: AlexNet conv1 ws 32x32 compat: {j['cycles']:,} cycles "
      f"(closed form {j['closed_form_cycles']:,}), {j['overall_utilization_pct']:.2f}% "
      f"utilization, {j['mapping_efficiency_pct']:.2f}% mapping efficiency")
PY
for mode in compat default; do
  for df in ws os is; do
    extra=()
    [[ $mode == compat ]] && extra=(--scalesim-compat)
    /usr/bin/time -f "%e s %M KB" -o "$log/time" \
      "$bin" layer --config "$root/configs/resnet18_conv2x.yaml" \
      --topology "$root/configs/topologies/resnet18.csv" \
      --set hardware.mac_array.rows=32 --set hardware.mac_array.cols=32 \
      --dataflow "$df" "${extra[@]}" >"$log/$mode.$df.txt"
    cycles=$(awk '$1 == "total" { print $2 }' "$log/$mode.$df.txt")
    printf 'bench_layer: %-7s %s  %10s cycles  %s\n' "$mode" "$df" "$cycles" "$(cat "$log/time")"
  done
done
echo "bench_layer: tables in $log"
