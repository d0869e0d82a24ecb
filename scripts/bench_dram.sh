#!/usr/bin/env bash
# Benchmark of trace mode: replays 1M random and 1M sequential requests through the DDR4-3200
# model (`skipsim dram`) and prints requests per second and peak memory (target: at least
# one million requests per second). Usage: scripts/bench_dram.sh [requests] [preset.yaml]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
n=${1:-1000000}
preset=${2:-$root/configs/dram/ddr4_3200.yaml}
bin=${SKIPSIM:-$root/build/skipsim}
[ -x "$bin" ] || "$root/scripts/setup.sh" >/dev/null
if ! "$bin" dram --help >/dev/null 2>&1; then
  echo "bench_dram: $bin has no 'dram' subcommand" >&2
  exit 1
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# Random: 64-byte aligned addresses over 16 GiB, 30% writes; sequential: consecutive reads.
# One request offered per DRAM cycle, faster than the DRAM serves them (queues back-pressure).
/usr/bin/python3 - "$n" "$dir" <<'PY'
import random, sys
n, d = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(1)
with open(f"{d}/random.trace", "w") as f:
    for i in range(n):
        op = "WRITE" if rnd.random() < 0.3 else "READ"
        f.write(f"0x{rnd.getrandbits(34) & ~63:x} {op} {i}\n")
with open(f"{d}/sequential.trace", "w") as f:
    f.writelines(f"0x{i * 64:x} READ {i}\n" for i in range(n))
PY

for kind in random sequential; do
  /usr/bin/time -f "%e %M" -o "$dir/time" \
    "$bin" dram --config "$preset" --trace "$dir/$kind.trace" --json >"$dir/$kind.json"
  read -r wall rss <"$dir/time"
  /usr/bin/python3 - "$dir/$kind.json" "$kind" "$wall" "$rss" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
kind, wall, rss = sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
print(f"bench_dram {kind:>10}: {j['requests']} requests, {j['requests'] / j['sim_seconds']:,.0f} "
      f"requests/s (replay {j['sim_seconds']:.2f} s, process {wall:.2f} s), peak RSS {rss} KB; "
      f"{j['bandwidth_gbps']:.2f} GB/s, avg read latency {j['avg_read_latency']:.1f} cycles, "
      f"row hit rate {j['row_hit_rate']:.3f}")
PY
done
