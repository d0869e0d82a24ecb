#!/usr/bin/env bash
# The configure-time port check (cmake/rtl_port_check.cmake): the shipped skip FIFO passes; a
# copy without `occupancy`, one with a narrower in_data, a multi-file wrapper missing a port
# and one without the WIDTH parameter each stop with one line naming what is wrong.
# usage: rtl_port_check_test.sh CMAKE SOURCE_DIR WORK_DIR
set -euo pipefail
cmake=$1 src=$2 dir=$3
shipped=$src/hw/rtl/skip_fifo.v
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"

check() {  # check SOURCES -> exit status, messages in check.log
  "$cmake" -DVAR=SKIPSIM_RTL_SKIP_FIFO -DTOP=skip_fifo -DSHIPPED="$shipped" -DSOURCES="$1" \
    -DPARAMS=-GWIDTH=128 -DWORK_DIR="$dir/work" -P "$src/cmake/rtl_port_check.cmake" \
    >check.log 2>&1
}
fails_with() {  # fails_with SOURCES LINE...: check fails, each LINE is a whole line of its output
  local sources=$1
  shift
  if check "$sources"; then
    echo "FAIL: $sources passed the port check" >&2
    exit 1
  fi
  for line in "$@"; do
    sed "s/^ *//" check.log | grep -qxF "$line" || {
      echo "FAIL: no line '$line' in:" >&2
      cat check.log >&2
      exit 1
    }
  done
  local n
  n=$(grep -c "^ *SKIPSIM_RTL_SKIP_FIFO" check.log)
  [ "$n" -eq $# ] || { echo "FAIL: $n lines for $# problems" >&2; cat check.log >&2; exit 1; }
}

check "$shipped" || { echo "FAIL: the shipped skip FIFO fails its own check" >&2; cat check.log >&2; exit 1; }

grep -v occupancy "$shipped" | sed 's/output reg  *out_last,/output reg out_last/' >no_occ.v
fails_with "$dir/no_occ.v" \
  "SKIPSIM_RTL_SKIP_FIFO (no_occ.v): port occupancy missing (expected output [14:0])"

sed 's/input  *wire \[WIDTH-1:0\] *in_data/input wire [63:0] in_data/' "$shipped" >narrow.v
fails_with "$dir/narrow.v" \
  "SKIPSIM_RTL_SKIP_FIFO (narrow.v): port in_data is input [63:0], expected input [127:0]"

# Two files: a wrapper with a 1-bit occupancy and no out_last around a core of its own.
cat >core.v <<'V'
module core #(parameter integer W = 8) (input wire clk, input wire [W-1:0] d, output wire [W-1:0] q);
  assign q = d;
endmodule
V
cat >wrap.v <<'V'
module skip_fifo #(parameter integer WIDTH = 128, parameter integer ADDR_BITS = 14) (
    input wire clk, input wire rst_n, input wire [ADDR_BITS:0] depth,
    input wire in_valid, output wire in_ready, input wire [WIDTH-1:0] in_data, input wire in_last,
    output wire out_valid, input wire out_ready, output wire [WIDTH-1:0] out_data,
    output wire occupancy);
  core #(.W(WIDTH)) c (.clk(clk), .d(in_data), .q(out_data));
  assign in_ready = out_ready;
  assign out_valid = in_valid;
  assign occupancy = 1'b0;
endmodule
V
fails_with "$dir/wrap.v;$dir/core.v" \
  "SKIPSIM_RTL_SKIP_FIFO (wrap.v, core.v): port out_last missing (expected output)" \
  "SKIPSIM_RTL_SKIP_FIFO (wrap.v, core.v): port occupancy is output, expected output [14:0]"

sed 's/\bWIDTH\b/BITS/g' "$shipped" >no_width.v
fails_with "$dir/no_width.v" \
  "SKIPSIM_RTL_SKIP_FIFO (no_width.v): verilator: Parameters from the command line were not found in the design: WIDTH (the build passes -GWIDTH=128)"
echo "rtl port check: ok"
