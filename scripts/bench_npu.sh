#!/usr/bin/env bash
# Speed of skipsim npu (README "Layer by layer"): ResNet-50 and VGG-16 at 224x224, every op
# simulated and checked bit-exact, on all cores; wall time, peak memory and simulated cycles.
# usage: scripts/bench_npu.sh [SKIPSIM]   (default build/skipsim)
set -euo pipefail
bin=${1:-build/skipsim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for args in "--model resnet50" "--model resnet18" "--model vgg16" "--model resnet50 --set npu.fuse_add=true"; do
  # shellcheck disable=SC2086
  /usr/bin/time -f "%e %M" -o "$tmp/t" "$bin" npu -q $args --report "$tmp/r.json"
  read -r wall rss <"$tmp/t"
  /usr/bin/python3 - "$tmp/r.json" "$wall" "$rss" "$args" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"{sys.argv[4]:<40} {float(sys.argv[2]):6.1f} s  {int(sys.argv[3]) / 1024:7.0f} MiB  "
      f"{r['cycles']:>12,} cycles  {r['simulations']:3} simulations  "
      f"bit-exact {'yes' if r['golden']['match'] else 'NO'}")
PY
done
