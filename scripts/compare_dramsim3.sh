#!/usr/bin/env bash
# Side-by-side comparison of `skipsim dram` with DRAMSim3 (umd-memsys/DRAMSim3) on eight traces.
# usage: scripts/compare_dramsim3.sh DRAMSIM3_DIR [--skipsim BIN] [--preset P] [--out DIR] [--quick]
#   DRAMSIM3_DIR  a DRAMSim3 checkout (git clone https://github.com/umd-memsys/DRAMSim3); it is
#                 built (cmake, Release) in OUT/dramsim3-build, incrementally when present;
#                 the checkout itself is not written to.
#   --skipsim     the skipsim binary (default build/skipsim)
#   --preset      skipsim's DRAM preset (default configs/dram/ddr4_3200_dramsim3.yaml when present,
#                 else OUT/ddr4_3200_dramsim3_map.yaml: ddr4_3200.yaml with DRAMSim3's mapping)
#   --out         where traces, runs, the build and compare.csv go (default /tmp/compare_dramsim3)
#   --quick       traces a tenth the size
# DRAMSim3 runs its configs/DDR4_8Gb_x8_3200.ini (address_mapping rochrababgco = skipsim's
# ro-ch-ra-ba-bg-co); the copy each run uses differs only in epoch_period.
#
# What the columns mean (the same definition for both simulators, DRAM clock cycles):
#   read latency  mean over reads of (data returned - accepted into the controller's queue);
#                 the wait of a trace request for a free queue slot is not counted (DRAMSim3:
#                 read_latency, skipsim: read_latency.avg). No reads in the trace: '-'.
#   total cycles  cycle 0 to the last completion (skipsim: last data burst; DRAMSim3 runs a fixed
#                 cycle count, so: the middle of the last epoch with a RD/WR command or a read
#                 return, epochs of at most 1/2000 of the run, i.e. within 0.05%).
#   bandwidth     trace requests x 64 B / (total cycles x tCK), tCK the preset's (0.625 ns) for
#                 both (DRAMSim3's own figure divides by its -c cycles and its tCK 0.63 ns).
#   row-hit rate  RD/WR commands to an already open row / all RD/WR commands (no ratio when
#                 DRAMSim3's rate is below 0.05).
#   wall          seconds of the whole process (DRAMSim3: including the idle cycles after the end).
# DRAMSim3's trace reader replays the last line once more as a read, and posted writes count as
# done when accepted; at these trace sizes both change the figures by under 0.01%.
# A skipsim run longer than 60 s + 0.1 ms per request is taken for a hang (exit 1).
# Output: the table on stdout, the last line whether all traces are within 5% on bandwidth and
# read latency; OUT/compare.csv the same with ACT counts. Progress goes to stderr.
# Exit: 0 (the table printed, whatever the ratios), 2 bad arguments, 1 a run failed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
py=/usr/bin/python3
helper=$root/scripts/compare_dramsim3.py
usage="usage: compare_dramsim3.sh DRAMSIM3_DIR [--skipsim BIN] [--preset P] [--out DIR] [--quick]"
die() { echo "compare_dramsim3: $*" >&2; exit 2; }

ds3='' bin=$root/build/skipsim preset='' out=/tmp/compare_dramsim3 scale=1
while [ $# -gt 0 ]; do
  case $1 in
    --skipsim | --preset | --out) [ $# -ge 2 ] || die "$1 needs a value; $usage"
      case $1 in --skipsim) bin=$2 ;; --preset) preset=$2 ;; --out) out=$2 ;; esac; shift 2 ;;
    --quick) scale=0.1; shift ;;
    -h | --help) echo "$usage"; exit 0 ;;
    -*) die "unknown option '$1'; $usage" ;;
    *) [ -z "$ds3" ] || die "more than one DRAMSIM3_DIR ('$ds3', '$1'); $usage"; ds3=$1; shift ;;
  esac
done
[ -n "$ds3" ] || die "missing DRAMSIM3_DIR; $usage"
[ -d "$ds3" ] || die "DRAMSim3 checkout '$ds3': no such directory" \
  "(get one with: git clone https://github.com/umd-memsys/DRAMSim3)"
ds3=$(cd "$ds3" && pwd)
ini=$ds3/configs/DDR4_8Gb_x8_3200.ini
need="CMakeLists.txt src/main.cc src/cpu.cc src/controller.cc configs/DDR4_8Gb_x8_3200.ini"
for f in $need; do
  [ -f "$ds3/$f" ] || die "'$ds3' is not a DRAMSim3 checkout: it has no $f (expected: $need)"
done
bin=$(command -v "$bin") ||
  die "skipsim binary '$bin' not found or not executable (build it, or pass --skipsim BIN)"
mkdir -p "$out" && out=$(cd "$out" && pwd)

# skipsim's preset with DRAMSim3's address mapping.
if [ -z "$preset" ]; then
  preset=$root/configs/dram/ddr4_3200_dramsim3.yaml
  if [ ! -f "$preset" ]; then
    preset=$out/ddr4_3200_dramsim3_map.yaml
    "$py" "$helper" preset "$root/configs/dram/ddr4_3200.yaml" "$preset" || exit 1
  fi
fi
[ -f "$preset" ] || [ ! -f "$root/configs/dram/$preset.yaml" ] || preset=$root/configs/dram/$preset.yaml
[ -f "$preset" ] || die "preset '$preset': no such file (nor configs/dram/$preset.yaml)"
ds3_map=$(sed -n 's/^ *address_mapping *= *\([a-z]*\).*/\1/p' "$ini" | sed 's/../&-/g; s/-$//')
ss_map=$(sed -n 's/^ *address_map: *\([a-z-]*\).*/\1/p' "$preset")
[ "$ds3_map" = "$ss_map" ] || echo "compare_dramsim3: warning: address mappings differ:" \
  "DRAMSim3 $ds3_map, skipsim $ss_map ($preset)" >&2

# DRAMSim3, built outside its checkout: its CMakeLists writes the library into the source tree,
# so a wrapper project redirects it. Configured every time (quick; follows a new checkout),
# built incrementally. The policy minimum lets CMake 4 accept its cmake_minimum_required(3.0).
build=$out/dramsim3-build
ds3main=$build/dramsim3/dramsim3main
mkdir -p "$build/wrapper"
cat >"$build/wrapper/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.10)
project(dramsim3_outside CXX)
add_subdirectory(${DRAMSIM3_DIR} dramsim3)
set_target_properties(dramsim3 PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
EOF
# A build folder copied from elsewhere (its cache names another place) starts afresh.
if [ -f "$build/CMakeCache.txt" ] &&
   ! grep -qxF "CMAKE_CACHEFILE_DIR:INTERNAL=$build" "$build/CMakeCache.txt"; then
  rm -rf "$build/CMakeCache.txt" "$build/CMakeFiles" "$build/dramsim3"
fi
echo "compare_dramsim3: building DRAMSim3 in $build" >&2
if ! cmake -S "$build/wrapper" -B "$build" -DDRAMSIM3_DIR="$ds3" -DCMAKE_BUILD_TYPE=Release \
       -DCMAKE_POLICY_VERSION_MINIMUM=3.5 >"$out/dramsim3-build.log" 2>&1 ||
   ! cmake --build "$build" -j2 --target dramsim3main >>"$out/dramsim3-build.log" 2>&1; then
  echo "compare_dramsim3: building DRAMSim3 failed; see $out/dramsim3-build.log" >&2
  exit 1
fi

now() { date +%s.%N; }
echo "compare_dramsim3: writing traces to $out/traces" >&2
"$py" "$helper" gen "$out/traces" --scale "$scale"
rm -rf "$out/runs"
while read -r name requests; do
  run=$out/runs/$name
  mkdir -p "$run/ds3"
  trace=$out/traces/$name.trace
  echo "compare_dramsim3: $name ($requests requests)" >&2
  t0=$(now)
  # A limit far above the normal second per million requests, so that a hang ends with a message.
  limit=$((60 + requests / 10000))
  rc=0
  timeout "$limit" "$bin" dram --config "$preset" --trace "$trace" --json >"$run/skipsim.json" || rc=$?
  [ "$rc" -ne 124 ] || { echo "compare_dramsim3: skipsim did not finish $trace in $limit s" >&2; exit 1; }
  [ "$rc" -eq 0 ] || { echo "compare_dramsim3: skipsim failed on $trace (exit $rc)" >&2; exit 1; }
  t1=$(now)
  # DRAMSim3 runs a fixed cycle count: skipsim's span plus a margin, doubled until every
  # request has finished.
  cycles=$("$py" -c "import json, sys; print(int(json.load(sys.stdin)['total_cycles'] * 1.25) + 20000)" \
    <"$run/skipsim.json")
  for _ in 1 2 3 4; do
    epoch=$(( cycles / 2000 > 100 ? cycles / 2000 : 100 ))
    sed "s/^ *epoch_period *=.*/epoch_period = $epoch/" "$ini" >"$run/ds3/config.ini"
    rm -f "$run/ds3/dramsim3"*
    t2=$(now)
    "$ds3main" "$run/ds3/config.ini" -t "$trace" -c "$cycles" -o "$run/ds3" \
      >"$run/ds3/stdout" 2>&1 || { echo "compare_dramsim3: dramsim3main failed on $trace;" \
      "see $run/ds3/stdout" >&2; exit 1; }
    t3=$(now)
    rc=0
    "$py" "$helper" ds3 "$run/ds3" "$requests" "$cycles" "$epoch" >"$run/dramsim3.json" || rc=$?
    [ $rc -eq 3 ] || break
    cycles=$((cycles * 2))
  done
  [ "$rc" -eq 0 ] ||
    { echo "compare_dramsim3: DRAMSim3 did not finish $trace in $cycles cycles" >&2; exit 1; }
  awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN { printf "%.3f %.3f\n", b - a, d - c }' \
    >"$run/wall"
done <"$out/traces/list"
"$py" "$helper" table "$out" "$out/compare.csv"
echo "compare_dramsim3: CSV in $out/compare.csv" >&2
