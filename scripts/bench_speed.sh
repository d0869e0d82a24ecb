#!/usr/bin/env bash
# Simulator speed, each figure with the tile-level MAC array (the default) and with the PE
# model (hardware.mac_array.model=pe) in the same run, and their ratio; the default block
# also with every block run at every edge (sim.skip_idle_edges=false), the slowest way:
#   default block (conv2_x): simulated cycles/s (bit-exact, no VCD), whole process, peak RSS
#   find-depth on the default block, 16-depth sweep of the default block
#   ResNet-18's conv layers in layer mode on a 32x32 array, per dataflow, with the check
# Times are the best of $REPEAT (default 3) runs; run it on a quiet machine.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# $SKIPSIM names a binary to use as it is; else setup.sh brings build/ up to date first.
[ -n "${SKIPSIM:-}" ] || "$root/scripts/setup.sh" >/dev/null
bin=${SKIPSIM:-$root/build/skipsim}
repeat=${REPEAT:-3}
cfg=$root/configs/resnet18_conv2x.yaml
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1

# best CMD...: the fastest wall time of $repeat runs, in seconds; the last run's peak RSS
# (KB) in $dir/rss.
best() {
  local b=
  for _ in $(seq "$repeat"); do
    /usr/bin/time -f "%e %M" -o "$dir/time" "$@" >/dev/null 2>"$dir/err" || {
      cat "$dir/err" >&2
      return 1
    }
    read -r t rss <"$dir/time"
    echo "$rss" >"$dir/rss"
    b=$(awk -v a="$b" -v c="$t" 'BEGIN { print (a == "" || c < a) ? c : a }')
  done
  echo "$b"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", (b > 0 ? a / b : 0) }'; }

# Default block: cycles/s from the report's own simulation time (best of $repeat).
rate() {  # rate EXTRA...
  local b=0
  for _ in $(seq "$repeat"); do
    "$bin" run -q --config "$cfg" --report "$dir/r.json" "$@"
    b=$(/usr/bin/python3 - "$dir/r.json" "$b" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["output"]["matches_golden"] and j["cycles"] == 493042, "not the default block's result"
print(max(float(sys.argv[2]), j["sim_cycles_per_second"]))
PY
)
  done
  echo "$b"
}
tile=$(rate)
pe=$(rate --set hardware.mac_array.model=pe)
every=$(rate --set hardware.mac_array.model=pe --set sim.skip_idle_edges=false)
printf 'bench_speed: default block, simulated cycles/s: tile %.2f M, pe %.2f M (tile %s), pe at every edge %.2f M (tile %s)\n' \
  "$(awk -v x="$tile" 'BEGIN{print x/1e6}')" "$(awk -v x="$pe" 'BEGIN{print x/1e6}')" \
  "$(ratio "$tile" "$pe")" "$(awk -v x="$every" 'BEGIN{print x/1e6}')" "$(ratio "$tile" "$every")"

t_tile=$(best "$bin" run -q --config "$cfg")
rss_tile=$(cat "$dir/rss")
t_pe=$(best "$bin" run -q --config "$cfg" --set hardware.mac_array.model=pe)
rss_pe=$(cat "$dir/rss")
echo "bench_speed: default block, whole process (golden check on): tile ${t_tile} s, pe ${t_pe} s ($(ratio "$t_pe" "$t_tile") faster)"
echo "bench_speed: default block, peak RSS: tile $((rss_tile / 1024)) MiB, pe $((rss_pe / 1024)) MiB"

for m in tile pe; do
  t=$(best "$bin" find-depth --config "$cfg" --set hardware.mac_array.model=$m --json)
  eval "fd_$m=$t"
done
"$bin" find-depth --config "$cfg" --json >"$dir/fd.json"
sims=$(/usr/bin/python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print(j.get('simulations', '?'))" "$dir/fd.json")
echo "bench_speed: find-depth, default block, $(nproc) cores: tile ${fd_tile} s, pe ${fd_pe} s ($(ratio "$fd_pe" "$fd_tile") faster), $sims simulations"

for m in tile pe; do
  # A sweep skips the points already in its CSV: each run starts from none.
  t=$(best bash -c 'rm -f "$3" && exec "$1" sweep --config "$2" --set hardware.mac_array.model=$4 \
    --param hardware.skip_fifo.depth=32:16384:x1.5 --jobs "$(nproc)" --out "$3"' \
    _ "$bin" "$cfg" "$dir/sweep_$m.csv" "$m")
  eval "sw_$m=$t"
done
points=$(($(wc -l <"$dir/sweep_tile.csv") - 1))
echo "bench_speed: ${points}-depth sweep, default block: tile ${sw_tile} s, pe ${sw_pe} s ($(ratio "$sw_pe" "$sw_tile") faster)"

for df in ws os is; do
  for m in tile pe; do
    t=$(best "$bin" layer --config "$cfg" --topology "$root/configs/topologies/resnet18.csv" \
      --set hardware.mac_array.rows=32 --set hardware.mac_array.cols=32 \
      --set hardware.mac_array.model=$m --dataflow "$df")
    eval "ly_$m=$t"
  done
  echo "bench_speed: ResNet-18 layer mode 32x32 $df (checked): tile ${ly_tile} s, pe ${ly_pe} s ($(ratio "$ly_pe" "$ly_tile") faster)"
done
