#!/usr/bin/env bash
# The main job: install what is missing, build, run the default residual block.
# Extra arguments go to `skipsim run` (for example --set workload.input.h=28).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
mkdir -p "$root/out"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
exec "$root/build/skipsim" run --config "$root/configs/resnet18_conv2x.yaml" \
  --report "$root/out/report.json" --vcd "$root/out/block.vcd" "$@"
