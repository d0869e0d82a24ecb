#!/usr/bin/env bash
# The default blocks' figures the README quotes: cycles of conv2_x and conv3_1 with the
# DDR4-3200 controller and with the simple DRAM model, wall time of the default run with and
# without the golden check, and
# find-depth's depths (in beats and bytes) with the conv2_x block run at its deadlock-free
# depth. Writes the reports under out/bench_blocks/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# $SKIPSIM names a binary to use as it is; else setup.sh brings build/ up to date first.
[ -n "${SKIPSIM:-}" ] || "$root/scripts/setup.sh" >/dev/null
bin=${SKIPSIM:-$root/build/skipsim}
dir=$root/out/bench_blocks
mkdir -p "$dir"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1

summary() {  # summary REPORT LABEL
  /usr/bin/python3 - "$@" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
st = "deadlock" if j["deadlock"] else ("golden ok" if j["output"]["matches_golden"] else "MISMATCH")
print(f"bench_blocks: {sys.argv[2]:<44} {j['cycles']:>9,} cycles, {st}, "
      f"simulation {j['sim_seconds']:.2f} s, peak RSS {j['peak_rss_mib']:.0f} MiB")
PY
}

for blk in conv2x conv3_1; do
  cfg=$root/configs/resnet18_$blk.yaml
  for model in ddr simple; do
    "$bin" run -q --config "$cfg" --set hardware.dram.model=$model --report "$dir/$blk.$model.json"
    summary "$dir/$blk.$model.json" "$blk, dram.model=$model"
  done
done

# The golden check's share of a run (what `sweep --check` adds per point): process wall time
# with and without it, the fastest of 3.
for check in "" --no-check; do
  best=
  for _ in 1 2 3; do
    /usr/bin/time -f "%e" -o "$dir/time" "$bin" run -q $check \
      --config "$root/configs/resnet18_conv2x.yaml" --report "$dir/check.json"
    t=$(cat "$dir/time")
    best=$(awk -v a="$best" -v b="$t" 'BEGIN { print (a == "" || b < a) ? b : a }')
  done
  echo "bench_blocks: conv2x run ${check:-with the golden check}: ${best} s process wall (best of 3)"
done

for blk in conv2x conv3_1; do
  cfg=$root/configs/resnet18_$blk.yaml
  start=$(date +%s.%N)
  "$bin" find-depth --config "$cfg" --json >"$dir/$blk.depth.json"
  end=$(date +%s.%N)
  /usr/bin/python3 - "$dir/$blk.depth.json" "$blk" "$start" "$end" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
keys = ["unbounded_max_occupancy", "min_deadlock_free_depth", "min_full_speed_depth",
        "analytic_depth"]
print(f"bench_blocks: {sys.argv[2]} find-depth: "
      + ", ".join(f"{k} {j[k]}" for k in keys)
      + f"; {j['simulations']} simulations ({j['simulations_saved']} fewer than plain "
      f"bisections), {float(sys.argv[4]) - float(sys.argv[3]):.2f} s")
PY
done

d=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['min_deadlock_free_depth'])" \
  "$dir/conv2x.depth.json")
for depth in $((d - 1)) "$d"; do
  rc=0
  "$bin" run -q --config "$root/configs/resnet18_conv2x.yaml" \
    --set hardware.skip_fifo.depth="$depth" --report "$dir/conv2x.depth$depth.json" 2>/dev/null ||
    rc=$?
  [[ $rc == 0 || $rc == 3 ]] || exit "$rc"
  summary "$dir/conv2x.depth$depth.json" "conv2x, skip_fifo.depth=$depth"
done
