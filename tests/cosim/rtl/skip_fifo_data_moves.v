// Test model: the shipped skip FIFO (hw/rtl/skip_fifo.v) whose out_data toggles every
// edge it is empty (valid low): functionally right, but the data pins do not hold, which
// the run reports as a warning with the first cycle.
module skip_fifo #(
    parameter integer WIDTH     = 128,  // lanes * 8
    parameter integer ADDR_BITS = 14
) (
    input  wire                 clk,
    input  wire                 rst_n,      // synchronous, active low
    input  wire [ADDR_BITS:0]   depth,
    input  wire                 in_valid,
    output reg                  in_ready,
    input  wire [WIDTH-1:0]     in_data,
    input  wire                 in_last,
    output reg                  out_valid,
    input  wire                 out_ready,
    output reg  [WIDTH-1:0]     out_data,
    output reg                  out_last,
    output reg  [ADDR_BITS:0]   occupancy
);
  reg [WIDTH:0] mem[0:(1 << ADDR_BITS) - 1];  // {last, data}
  reg [ADDR_BITS-1:0] head, tail;
  reg [ADDR_BITS:0] count;

  wire popped = out_valid && out_ready;
  wire pushed = in_valid && in_ready;
  wire [ADDR_BITS:0] after_pop = count - {{ADDR_BITS{1'b0}}, popped};
  wire [ADDR_BITS:0] count_n = after_pop + {{ADDR_BITS{1'b0}}, pushed};
  wire [ADDR_BITS:0] head_inc = {1'b0, head} + 1'b1;
  wire [ADDR_BITS:0] tail_inc = {1'b0, tail} + 1'b1;
  wire [ADDR_BITS-1:0] head_n = popped ? (head_inc == depth ? 0 : head_inc[ADDR_BITS-1:0]) : head;
  // The entry offered next: the beat arriving now when the FIFO would otherwise be empty.
  wire [WIDTH:0] next_head = (after_pop == 0) ? {in_last, in_data} : mem[head_n];

  always @(posedge clk) begin
    if (!rst_n) begin
      head <= 0;
      tail <= 0;
      count <= 0;
      in_ready <= 1'b0;
      out_valid <= 1'b0;
      out_data <= {WIDTH{1'b0}};
      out_last <= 1'b0;
      occupancy <= 0;
    end else begin
      if (pushed) begin
        mem[tail] <= {in_last, in_data};
        tail <= (tail_inc == depth) ? 0 : tail_inc[ADDR_BITS-1:0];
      end
      head <= head_n;
      count <= count_n;
      in_ready <= count_n < depth;
      out_valid <= count_n != 0;
      if (count_n != 0 && (popped || !out_valid)) begin
        out_data <= next_head[WIDTH-1:0];
        out_last <= next_head[WIDTH];
      end else if (count_n == 0) begin
        out_data <= ~out_data;  // the alteration: data toggles while valid is low
      end
      occupancy <= count_n;
    end
  end
endmodule
