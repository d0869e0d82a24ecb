#!/usr/bin/env bash
# The adversarial inputs of the robustness work, run against the binary: prints one Markdown
# row per input with its exit code and the first line it printed on stderr (every one of them
# also has a test; this is the table a person can read at once).
# Usage: scripts/check_bad_inputs.sh   ($SKIPSIM names a binary; else build/skipsim)
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${SKIPSIM:-$root/build/skipsim}
tiny=$root/configs/workloads/tiny_basic.yaml
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d"
row() {  # row LABEL ARGS...
  local label=$1
  shift
  local t0 t1 rc
  t0=$(date +%s%N)
  timeout 60 "$bin" "$@" >out.txt 2>err.txt
  rc=$?
  t1=$(date +%s%N)
  printf '| %s | %s | %s | %d ms |\n' "$label" "$rc" "$(head -n1 err.txt | cut -c1-150)" \
    $(((t1 - t0) / 1000000))
}
echo "| input | exit | first line on stderr | wall |"
echo "|---|---|---|---|"
spill=(--set hardware.dram.burst_bytes=16 --set hardware.skip_fifo.policy=spill --set hardware.skip_fifo.depth=4)
row "spill, burst 16, lanes 64" run -q --config "$tiny" "${spill[@]}" --set hardware.stream.lanes=64
for c in 17 20 24; do
  row "spill, burst 16, C = lanes = $c" run -q --config "$tiny" "${spill[@]}" --set hardware.stream.lanes=$c \
    --set workload.input.c=$c --set workload.out_channels=$c
done
row "sweep depth=1:2:+1e-20" sweep --config "$tiny" --param hardware.skip_fifo.depth=1:2:+1e-20 --out s.csv
printf '0x0 READ 18446744073709551615\n' >far.trace
row "trace cycle 2^64-1" dram --config ddr4_3200 --trace far.trace
printf '0x0 READ 0\n0x40 READ 2305843009213693952\n' >gap.trace
row "trace gap of 2^61 cycles (idle skip)" dram --config ddr4_3200 --trace gap.trace
printf '0x0 READ 0\n0xFFFFFFFFFFFFFFC0 WRITE 5\n' >addr.trace
row "trace address 0xFFFFFFFFFFFFFFC0" dram --config ddr4_3200 --trace addr.trace
row "clock_ghz=1e-9" run -q --config "$tiny" --set hardware.clock_ghz=1e-9
row "clock_ghz=1e-15" run -q --config "$tiny" --set hardware.clock_ghz=1e-15
row "simple DRAM clock_ghz=1e-12" run -q --config "$tiny" --set hardware.dram.model=simple --set hardware.dram.clock_ghz=1e-12
row "block 4096x4096x4096" run -q --config "$tiny" --set workload.input.h=4096 --set workload.input.w=4096 \
  --set workload.input.c=4096 --set workload.out_channels=4096
row "block 1024x1024x4096" run -q --config "$tiny" --set workload.input.h=1024 --set workload.input.w=1024 \
  --set workload.input.c=4096 --set workload.out_channels=4096
printf 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nbig, 100000, 100000, 3, 3, 4, 4, 1,\n' >big.csv
row "topology row 100000x100000" layer -c "$tiny" --topology big.csv
row "layer h=999999999,kh=999999999,pad=499999999" layer -c "$tiny" --layer h=999999999,kh=999999999,c=9,n=9,pad=499999999
mkdir -p outdir
row "sweep --out DIR" sweep --config "$tiny" --param hardware.skip_fifo.depth=8 --out outdir
row "--cosim skip_fifo with policy spill" run -q --config "$tiny" --cosim skip_fifo --set hardware.skip_fifo.policy=spill
row "sim.deadlock_window=1" run -q --config "$tiny" --set sim.deadlock_window=1
sed '/tRCD/d' "$root/configs/dram/ddr4_3200.yaml" >no_trcd.yaml
row "DRAM preset without tRCD" dram --config no_trcd.yaml --trace gap.trace
row "find-depth --tolerance nan" find-depth --config "$tiny" --tolerance nan
row "sweep --jobs 0" sweep --config "$tiny" --param hardware.skip_fifo.depth=8 --out j.csv --jobs 0
row "sweep --jobs -3" sweep --config "$tiny" --param hardware.skip_fifo.depth=8 --out j.csv --jobs -3
row "layer --seed -1" layer -c "$tiny" --layer h=8,kh=3,c=2,n=4 --seed -1
row "--layer h=8,h=9" layer -c "$tiny" --layer h=8,h=9,kh=3,c=2,n=4
row "repeated --param" sweep --config "$tiny" --param hardware.skip_fifo.depth=8 --param hardware.skip_fifo.depth=9 --out p.csv
row "--vcd-window without --vcd" run -q --config "$tiny" --vcd-window 1:10
row "sim.max_cycles reached" run -q --config "$tiny" --set sim.max_cycles=10
printf 'base: /dev/zero\n' >zero.yaml
row "base: /dev/zero" run -q --config zero.yaml
# Two sweeps on one CSV: the second refuses while the first holds the lock.
"$bin" sweep --config "$tiny" --param hardware.skip_fifo.depth=4:4096:x2 --jobs 1 --out lock.csv \
  >/dev/null 2>&1 &
first=$!
sleep 0.5
row "a second sweep on the same CSV" sweep --config "$tiny" --param hardware.skip_fifo.depth=8 --out lock.csv
kill "$first" 2>/dev/null
wait "$first" 2>/dev/null
row "network --input 16x16" network --model resnet18 --input 16x16
row "network --onnx (not ONNX)" network --onnx zero.yaml
