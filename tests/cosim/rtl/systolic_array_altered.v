// Test copy of hw/rtl/systolic_array.v, altered on purpose: the ws partial-sum register drops its
// top bit, the os accumulator never restarts at a fold's first element. The lock-step check must
// catch both (tests/cosim/test_mac_array.cpp).
// R x C systolic array of int8 x int8 -> int32 PEs: the datapath of skipsim's SystolicArray
// (hw/mac_array/systolic_array.hpp), register for register. Which element enters which pin
// in which cycle is the feeders' business, outside this module: the ports are the array's
// boundary pins (SystolicArray::in_pins and out_pins).
//
// OUTPUT_STATIONARY = 0: ws and is (the same hardware, fed with different operands).
//   Every PE holds two stationary registers (banks 0 and 1). While w_shift, bank w_bank of
//   every column shifts down one PE, row 0 taking col_in. An activation entering row r's left
//   edge moves right one PE per cycle with its bank and valid bits; PE (r, c) adds its
//   product with the weight of that bank to the partial sum from PE (r-1, c) and registers
//   it, valid when its activation and the partial sum from above are. out_value/out_valid
//   are the bottom row's partial-sum registers.
// OUTPUT_STATIONARY = 1: os.
//   Activations move right (with first/last flags), col_in moves down the columns; PE
//   (r, c) accumulates their products, restarting at a first element. With a last element
//   its sum (that product included) loads drain register r+1 of its column; the drain chain
//   (registers 0..ROWS per column) moves up one register per cycle and register 0 is
//   out_value/out_valid.
//
// PE (r, 0) multiplies the activation on its pin in the same cycle; every register loads at
// the rising edge of clk when en is high and holds when en is low (a stall); rst_n is
// synchronous, active low. Lane k of a packed port is bits [W*k+W-1:W*k].
module systolic_array #(
    parameter ROWS = 4,
    parameter COLS = 4,
    parameter OUTPUT_STATIONARY = 0
) (
    input  wire               clk,
    input  wire               rst_n,
    input  wire               en,
    input  wire [ ROWS*8-1:0] act_in,     // int8 per row
    input  wire [   ROWS-1:0] act_bank,   // ws/is
    input  wire [   ROWS-1:0] act_valid,  // ws/is
    input  wire [   ROWS-1:0] act_first,  // os
    input  wire [   ROWS-1:0] act_last,   // os
    input  wire [ COLS*8-1:0] col_in,     // int8 per column: ws/is preload, os operand
    input  wire               w_shift,    // ws/is
    input  wire               w_bank,     // ws/is
    output wire [COLS*32-1:0] out_value,  // int32 per column
    output wire [   COLS-1:0] out_valid
);
  localparam N = ROWS * COLS;  // PE p = r * COLS + c
  // The nets between PEs are arrays indexed by PE, not slices of one wide vector: Verilator
  // then moves words instead of masking a vector thousands of bits wide (7x faster at 16x16).

  genvar r, c;
  generate
    if (OUTPUT_STATIONARY == 0) begin : g_ws
      wire _unused_ok = &{1'b0, act_first, act_last};
      // What arrives at each PE's left and top inputs.
      wire [ 7:0] a_l     [0:N-1];
      wire        bank_l  [0:N-1];
      wire        valid_l [0:N-1];
      wire [31:0] psum_t  [0:N-1];
      wire        pvalid_t[0:N-1];
      wire [ 7:0] w0_t    [0:N-1];
      wire [ 7:0] w1_t    [0:N-1];
      for (r = 0; r < ROWS; r = r + 1) begin : g_row
        for (c = 0; c < COLS; c = c + 1) begin : g_col
          localparam P = r * COLS + c;
          reg  [ 7:0] w0_q;
          reg  [ 7:0] w1_q;
          reg  [31:0] psum_q;
          reg         pvalid_q;
          wire [ 7:0] a = a_l[P];
          wire [ 7:0] w = bank_l[P] ? w1_q : w0_q;
          wire signed [15:0] prod = $signed({{8{a[7]}}, a}) * $signed({{8{w[7]}}, w});
          if (c == 0) begin : g_edge
            assign a_l[P] = act_in[r*8+:8];
            assign bank_l[P]   = act_bank[r];
            assign valid_l[P]  = act_valid[r];
          end
          if (c < COLS - 1) begin : g_right
            reg [7:0] a_q;
            reg bank_q, valid_q;
            always @(posedge clk)
              if (!rst_n) begin
                a_q <= 8'd0;
                bank_q <= 1'b0;
                valid_q <= 1'b0;
              end else if (en) begin
                a_q <= a;
                bank_q <= bank_l[P];
                valid_q <= valid_l[P];
              end
            assign a_l[P+1] = a_q;
            assign bank_l[P+1]     = bank_q;
            assign valid_l[P+1]    = valid_q;
          end
          if (r == 0) begin : g_top
            assign psum_t[P] = 32'd0;
            assign pvalid_t[P]      = 1'b1;
            assign w0_t[P]     = col_in[c*8+:8];
            assign w1_t[P]     = col_in[c*8+:8];
          end
          if (r < ROWS - 1) begin : g_down
            assign psum_t[P+COLS] = psum_q;
            assign pvalid_t[P+COLS]        = pvalid_q;
            assign w0_t[P+COLS]     = w0_q;
            assign w1_t[P+COLS]     = w1_q;
          end else begin : g_out
            assign out_value[c*32+:32] = psum_q;
            assign out_valid[c]        = pvalid_q;
          end
          always @(posedge clk)
            if (!rst_n) begin
              w0_q <= 8'd0;
              w1_q <= 8'd0;
              psum_q <= 32'd0;
              pvalid_q <= 1'b0;
            end else if (en) begin
              if (w_shift && !w_bank) w0_q <= w0_t[P];
              if (w_shift && w_bank) w1_q <= w1_t[P];
              psum_q <= (psum_t[P] + {{16{prod[15]}}, prod}) & 32'h7fffffff;
              pvalid_q <= valid_l[P] && pvalid_t[P];
            end
        end
      end
    end else begin : g_os
      wire _unused_ok = &{1'b0, act_bank, act_valid, w_shift, w_bank};
      wire [ 7:0] a_l     [0:N-1];
      wire        first_l [0:N-1];
      wire        last_l  [0:N-1];
      wire [ 7:0] b_t     [0:N-1];
      // What PE (r, c)'s drain register (register r+1 of its column) takes from below.
      wire [31:0] drain_b [0:N-1];
      wire        dvalid_b[0:N-1];
      wire [31:0] drain_top [0:COLS-1];
      wire        dvalid_top[0:COLS-1];
      for (r = 0; r < ROWS; r = r + 1) begin : g_row
        for (c = 0; c < COLS; c = c + 1) begin : g_col
          localparam P = r * COLS + c;
          reg  [31:0] acc_q;
          reg  [31:0] drain_q;
          reg         dvalid_q;
          wire [ 7:0] a = a_l[P];
          wire [ 7:0] b = b_t[P];
          wire signed [15:0] prod = $signed({{8{a[7]}}, a}) * $signed({{8{b[7]}}, b});
          wire [31:0] acc_d = acc_q + {{16{prod[15]}}, prod};
          if (c == 0) begin : g_edge
            assign a_l[P] = act_in[r*8+:8];
            assign first_l[P]  = act_first[r];
            assign last_l[P]   = act_last[r];
          end
          if (c < COLS - 1) begin : g_right
            reg [7:0] a_q;
            reg first_q, last_q;
            always @(posedge clk)
              if (!rst_n) begin
                a_q <= 8'd0;
                first_q <= 1'b0;
                last_q <= 1'b0;
              end else if (en) begin
                a_q <= a;
                first_q <= first_l[P];
                last_q <= last_l[P];
              end
            assign a_l[P+1] = a_q;
            assign first_l[P+1]    = first_q;
            assign last_l[P+1]     = last_q;
          end
          if (r == 0) begin : g_top
            assign b_t[P] = col_in[c*8+:8];
            assign drain_top[c] = drain_q;
            assign dvalid_top[c] = dvalid_q;
          end else begin : g_up
            assign drain_b[P-COLS] = drain_q;
            assign dvalid_b[P-COLS] = dvalid_q;
          end
          if (r < ROWS - 1) begin : g_down
            reg [7:0] b_q;
            always @(posedge clk)
              if (!rst_n) b_q <= 8'd0;
              else if (en) b_q <= b;
            assign b_t[P+COLS] = b_q;
          end else begin : g_bottom
            assign drain_b[P] = 32'd0;
            assign dvalid_b[P] = 1'b0;
          end
          always @(posedge clk)
            if (!rst_n) begin
              acc_q <= 32'd0;
              drain_q <= 32'd0;
              dvalid_q <= 1'b0;
            end else if (en) begin
              acc_q <= acc_d;
              drain_q <= last_l[P] ? acc_d : drain_b[P];
              dvalid_q <= last_l[P] || dvalid_b[P];
            end
        end
      end
      // Drain register 0: the output pins.
      for (c = 0; c < COLS; c = c + 1) begin : g_out
        reg [31:0] value_q;
        reg        valid_q;
        always @(posedge clk)
          if (!rst_n) begin
            value_q <= 32'd0;
            valid_q <= 1'b0;
          end else if (en) begin
            value_q <= drain_top[c];
            valid_q <= dvalid_top[c];
          end
        assign out_value[c*32+:32] = value_q;
        assign out_valid[c] = valid_q;
      end
    end
  endgenerate
endmodule
