#!/usr/bin/env bash
# Benchmark of trace mode: replays 1M random and 1M sequential requests through the DDR4-3200
# model (`skipsim dram`) and prints requests per second and peak memory (target: at least
# one million requests per second); then the bandwidth of three 100,000-read patterns the
# README quotes (seq: consecutive lines; onebg: every burst in bank group 0; rank0: random
# rows on rank 0 only) and, with valgrind installed, the instructions a random request
# costs. Usage: scripts/bench_dram.sh [requests] [preset.yaml] (requests >= 40000)
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

/usr/bin/python3 - "$dir" <<'PY'
import random, sys
d, n, r = sys.argv[1], 100000, random.Random(1)
open(f"{d}/seq.trace", "w").writelines(f"0x{i*64:x} READ {i}\n" for i in range(n))
open(f"{d}/onebg.trace", "w").writelines(f"0x{i*256:x} READ {i}\n" for i in range(n))
open(f"{d}/rank0.trace", "w").writelines(f"0x{r.getrandbits(33) & ~63 & ~(1 << 17):x} READ {i}\n"
                                         for i in range(n))
PY
for kind in seq onebg rank0; do
  "$bin" dram --config "$preset" --trace "$dir/$kind.trace" --json >"$dir/$kind.json"
  /usr/bin/python3 - "$dir/$kind.json" "$kind" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
print(f"bench_dram {sys.argv[2]:>10}: {j['requests']} reads, {j['bandwidth_gbps']:.1f} GB/s, "
      f"{100 * j['bandwidth_fraction_of_peak']:.1f}% of peak, row hit rate {j['row_hit_rate']:.3f}")
PY
done

# Instructions per random request (valgrind's callgrind, when installed): the difference
# between 40,000 and 20,000 requests, so that start-up cancels out.
if command -v valgrind >/dev/null; then
  head -n 20000 "$dir/random.trace" >"$dir/r1.trace"
  head -n 40000 "$dir/random.trace" >"$dir/r2.trace"
  for k in 1 2; do
    valgrind --tool=callgrind --callgrind-out-file="$dir/cg.$k" "$bin" dram --config "$preset" \
      --trace "$dir/r$k.trace" --json 2>&1 >/dev/null | awk '/Collected/ { print $NF }' >"$dir/ir.$k"
  done
  awk -v a="$(cat "$dir/ir.1")" -v b="$(cat "$dir/ir.2")" \
    'BEGIN { printf "bench_dram     random: %.0f instructions per request (callgrind)\n", (b - a) / 20000 }'
fi
