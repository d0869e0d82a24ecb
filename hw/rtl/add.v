// Residual add with requant and ReLU, cycle-equivalent to the SystemC Add
// (hw/stream/add.hpp): per lane y = clamp((main*mult_main + skip*mult_skip +
// (1 << (shift-1))) >>> shift, 0, 127) in 64-bit arithmetic. One main and one skip beat are
// consumed together; each input has a 2-entry skid queue, the output is a register.
module add #(
    parameter integer LANES = 16
) (
    input  wire                   clk,
    input  wire                   rst_n,
    input  wire signed [31:0]     mult_main,
    input  wire signed [31:0]     mult_skip,
    input  wire [5:0]             shift,      // 1..62
    input  wire                   main_valid,
    output reg                    main_ready,
    input  wire [LANES*8-1:0]     main_data,
    input  wire                   main_last,
    input  wire                   skip_valid,
    output reg                    skip_ready,
    input  wire [LANES*8-1:0]     skip_data,
    input  wire                   skip_last,
    output reg                    out_valid,
    input  wire                   out_ready,
    output reg  [LANES*8-1:0]     out_data,
    output reg                    out_last
);
  localparam integer W = LANES * 8;
  reg [W:0] m0, m1, s0, s1;  // {last, data}; 0 is the head
  reg [1:0] msize, ssize;

  wire fired = out_valid && out_ready;
  wire out_free = !out_valid || fired;
  wire compute = out_free && msize != 0 && ssize != 0;
  wire mpush = main_valid && main_ready;
  wire spush = skip_valid && skip_ready;

  wire [1:0] m_after = msize - {1'b0, compute};
  wire [1:0] s_after = ssize - {1'b0, compute};
  wire [W:0] m0_pop = compute ? m1 : m0;
  wire [W:0] s0_pop = compute ? s1 : s0;
  wire [1:0] msize_n = m_after + {1'b0, mpush};
  wire [1:0] ssize_n = s_after + {1'b0, spush};

  wire [63:0] round = 64'd1 << (shift - 6'd1);
  wire [W-1:0] y;
  genvar l;
  generate
    for (l = 0; l < LANES; l = l + 1) begin : lane
      wire signed [7:0] a = m0[l*8+:8];
      wire signed [7:0] b = s0[l*8+:8];
      wire signed [63:0] sum = a * mult_main + b * mult_skip + $signed(round);
      wire signed [63:0] v = sum >>> shift;
      assign y[l*8+:8] = (v < 0) ? 8'd0 : (v > 127) ? 8'd127 : v[7:0];
    end
  endgenerate

  always @(posedge clk) begin
    if (!rst_n) begin
      msize <= 0;
      ssize <= 0;
      m0 <= 0;
      m1 <= 0;
      s0 <= 0;
      s1 <= 0;
      main_ready <= 1'b0;
      skip_ready <= 1'b0;
      out_valid <= 1'b0;
      out_data <= 0;
      out_last <= 1'b0;
    end else begin
      if (compute) begin
        out_data <= y;
        out_last <= m0[W];
        out_valid <= 1'b1;
      end else if (fired) begin
        out_valid <= 1'b0;
      end
      m0 <= (mpush && m_after == 0) ? {main_last, main_data} : m0_pop;
      m1 <= (mpush && m_after == 1) ? {main_last, main_data} : m1;
      s0 <= (spush && s_after == 0) ? {skip_last, skip_data} : s0_pop;
      s1 <= (spush && s_after == 1) ? {skip_last, skip_data} : s1;
      msize <= msize_n;
      ssize <= ssize_n;
      main_ready <= msize_n != 2;
      skip_ready <= ssize_n != 2;
    end
  end
endmodule
