#!/usr/bin/env bash
# RTL in the loop on the default blocks (build with SKIPSIM_RTL=ON, the default): the
# conv2_x block in SystemC, with the Verilated skip FIFO + fork + add, and with the Verilated
# MAC array in every conv engine (cycles must not change; wall time of the simulation, the
# fastest and slowest of N runs, default 3); then the lock-step check (--cosim) of each
# block on conv2_x and conv3_1, printing its line. Writes reports under out/bench_rtl/.
# Usage: scripts/bench_rtl.sh [N]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
n=${1:-3}
# $SKIPSIM names a binary to use as it is; else setup.sh brings build/ up to date first.
[ -n "${SKIPSIM:-}" ] || "$root/scripts/setup.sh" >/dev/null
bin=${SKIPSIM:-$root/build/skipsim}
dir=$root/out/bench_rtl
mkdir -p "$dir"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
c2=$root/configs/resnet18_conv2x.yaml
c3=$root/configs/resnet18_conv3_1.yaml

variant() {  # variant NAME --set ... : cycles and sim_seconds over n runs
  local name=$1
  shift
  for ((i = 0; i < n; ++i)); do
    "$bin" run -q --config "$c2" "$@" --report "$dir/$name.$i.json"
  done
  /usr/bin/python3 - "$name" "$dir" "$n" <<'PY'
import json, sys
name, d, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
js = [json.load(open(f"{d}/{name}.{i}.json")) for i in range(n)]
cyc = {j["cycles"] for j in js}
ok = all(j["output"]["matches_golden"] for j in js)
s = sorted(j["sim_seconds"] for j in js)
print(f"bench_rtl: conv2_x {name:<22} {'/'.join(f'{c:,}' for c in cyc)} cycles, "
      f"golden {'ok' if ok else 'MISMATCH'}, {s[0]:.2f}-{s[-1]:.2f} s ({n} runs)")
PY
}

variant systemc
variant rtl_fifo_fork_add --set hardware.skip_fifo.impl=rtl --set hardware.fork.impl=rtl \
  --set hardware.add.impl=rtl
variant rtl_mac_array --set hardware.mac_array.impl=rtl

for cfg in "$c2" "$c3"; do
  for block in skip_fifo fork add; do
    /usr/bin/time -f "%e" -o "$dir/time" \
      "$bin" run --config "$cfg" --cosim "$block" --report "$dir/cosim.json" 2>&1 >/dev/null |
      sed "s|^|bench_rtl: $(basename "$cfg" .yaml): |"
    echo "bench_rtl: $(basename "$cfg" .yaml): --cosim $block took $(cat "$dir/time") s"
  done
done

# One conv-sized GEMM on the 16x16 array, the C++ model against the Verilated RTL replaying
# its pins (a cosim test; built by `cmake --build build --target skipsim_cosim_tests`).
tests=$(dirname "$bin")/tests/skipsim_cosim_tests
if [ -x "$tests" ]; then
  "$tests" --gtest_filter='MacArrayRtl.SpeedAgainstTheModel' | grep 'M=256' | sed 's|^|bench_rtl: |'
else
  echo "bench_rtl: $tests not built: no GEMM speed figures"
fi
