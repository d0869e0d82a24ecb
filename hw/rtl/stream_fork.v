// Fork, cycle-equivalent to the SystemC Fork (hw/stream/fork.hpp): each input beat goes to
// the main and the skip branch in lockstep. The valids are the stream convention's one
// combinational exception: main_valid = has_beat && skip_ready, skip_valid = has_beat &&
// main_ready. Input side: a 2-entry skid queue whose head is the beat on offer.
module stream_fork #(
    parameter integer WIDTH = 128
) (
    input  wire             clk,
    input  wire             rst_n,
    input  wire             in_valid,
    output reg              in_ready,
    input  wire [WIDTH-1:0] in_data,
    input  wire             in_last,
    output wire             main_valid,
    input  wire             main_ready,
    output wire [WIDTH-1:0] main_data,
    output wire             main_last,
    output wire             skip_valid,
    input  wire             skip_ready,
    output wire [WIDTH-1:0] skip_data,
    output wire             skip_last
);
  reg [WIDTH:0] q0, q1;  // {last, data}; q0 is the head
  reg [1:0] size;
  reg [WIDTH:0] out_reg;

  wire has_beat = size != 0;
  wire fired = has_beat && main_ready && skip_ready;
  wire pushed = in_valid && in_ready;
  wire [1:0] after_pop = size - {1'b0, fired};
  wire [1:0] size_n = after_pop + {1'b0, pushed};
  wire [WIDTH:0] q0_pop = fired ? q1 : q0;
  wire [WIDTH:0] q0_n = (pushed && after_pop == 0) ? {in_last, in_data} : q0_pop;
  wire [WIDTH:0] q1_n = (pushed && after_pop == 1) ? {in_last, in_data} : q1;

  assign main_valid = has_beat && skip_ready;
  assign skip_valid = has_beat && main_ready;
  assign main_data = out_reg[WIDTH-1:0];
  assign skip_data = out_reg[WIDTH-1:0];
  assign main_last = out_reg[WIDTH];
  assign skip_last = out_reg[WIDTH];

  always @(posedge clk) begin
    if (!rst_n) begin
      size <= 0;
      q0 <= 0;
      q1 <= 0;
      out_reg <= 0;
      in_ready <= 1'b0;
    end else begin
      size <= size_n;
      q0 <= q0_n;
      q1 <= q1_n;
      in_ready <= size_n < 2;
      if (size_n != 0) out_reg <= q0_n;
    end
  end
endmodule
