// The skip FIFO as a wrapper around a third-party AXI-Stream FIFO: axis_fifo from
// https://github.com/alexforencich/verilog-axis (rtl/axis_fifo.v, MIT), which you fetch
// yourself; it is not part of this repository. README "Bring your own RTL" builds it with:
//   -DSKIPSIM_RTL_SKIP_FIFO="<this dir>/skip_fifo_axis.v;<verilog-axis>/rtl/axis_fifo.v"
//   -DSKIPSIM_RTL_SKIP_FIFO_VERILATOR_ARGS=<this dir>/axis_fifo.vlt
// The module name, parameters and ports are those of hw/rtl/skip_fifo.v (the configure-time
// port check compares them). What the wrapper adds to the core:
// - the run-time `depth`: in_ready only while fewer than `depth` beats are held;
// - `occupancy`: beats pushed and not yet popped, the beat on offer included;
// - out_data held while out_valid is low (the core's output pipeline moves under bubbles).
// The core's RAM read pipeline offers a beat two edges later than hw/rtl/skip_fifo.v does:
// legal under valid/ready, so runs stay bit-exact; pin-level lock-step does not apply.
`timescale 1ns / 1ps
module skip_fifo #(
    parameter integer WIDTH     = 128,  // lanes * 8
    parameter integer ADDR_BITS = 14
) (
    input  wire                 clk,
    input  wire                 rst_n,      // synchronous, active low
    input  wire [ADDR_BITS:0]   depth,
    input  wire                 in_valid,
    output wire                 in_ready,
    input  wire [WIDTH-1:0]     in_data,
    input  wire                 in_last,
    output wire                 out_valid,
    input  wire                 out_ready,
    output wire [WIDTH-1:0]     out_data,
    output wire                 out_last,
    output reg  [ADDR_BITS:0]   occupancy
);
  wire core_ready;
  wire core_valid;
  wire [WIDTH-1:0] core_data;
  wire core_last;
  reg [WIDTH-1:0] held_data;
  reg held_last;

  // occupancy is a register, so in_ready depends on no input of this cycle.
  assign in_ready = core_ready && occupancy < depth;
  assign out_valid = core_valid;
  assign out_data = core_valid ? core_data : held_data;
  assign out_last = core_valid ? core_last : held_last;

  wire pushed = in_valid && in_ready;
  wire popped = out_valid && out_ready;
  always @(posedge clk) begin
    if (!rst_n) begin
      occupancy <= 0;
      held_data <= {WIDTH{1'b0}};
      held_last <= 1'b0;
    end else begin
      occupancy <= occupancy + {{ADDR_BITS{1'b0}}, pushed} - {{ADDR_BITS{1'b0}}, popped};
      if (core_valid) begin
        held_data <= core_data;
        held_last <= core_last;
      end
    end
  end

  axis_fifo #(
      .DEPTH(1 << ADDR_BITS),
      .DATA_WIDTH(WIDTH),
      .KEEP_ENABLE(0),
      .LAST_ENABLE(1),
      .ID_ENABLE(0),
      .DEST_ENABLE(0),
      .USER_ENABLE(0),
      .RAM_PIPELINE(1),
      .OUTPUT_FIFO_ENABLE(0),
      .FRAME_FIFO(0)
  ) core (
      .clk(clk),
      .rst(!rst_n),
      .s_axis_tdata(in_data),
      .s_axis_tkeep({(WIDTH + 7) / 8{1'b1}}),
      .s_axis_tvalid(in_valid && occupancy < depth),
      .s_axis_tready(core_ready),
      .s_axis_tlast(in_last),
      .s_axis_tid(8'd0),
      .s_axis_tdest(8'd0),
      .s_axis_tuser(1'b0),
      .m_axis_tdata(core_data),
      .m_axis_tkeep(),
      .m_axis_tvalid(core_valid),
      .m_axis_tready(out_ready),
      .m_axis_tlast(core_last),
      .m_axis_tid(),
      .m_axis_tdest(),
      .m_axis_tuser(),
      .pause_req(1'b0),
      .pause_ack(),
      .status_depth(),
      .status_depth_commit(),
      .status_overflow(),
      .status_bad_frame(),
      .status_good_frame()
  );
endmodule
