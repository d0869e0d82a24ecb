// Test copy of hw/rtl/zvc_compressor.v, altered on purpose: it forgets to hold off beats while a
// frame's tail leaves. The lock-step check must catch it (tests/cosim/test_codec_rtl.cpp).
// Zero-value compressor, cycle-equivalent to the SystemC ZvcCompressor
// (hw/skip_fifo/zvc_codec.hpp): each beat becomes ceil(lanes/8) mask bytes (bit i: lane i
// non-zero) and the non-zero lanes' bytes in lane order, packed into words of word_bytes;
// a frame's last word is zero-padded and carries last. One beat in and one word out per
// cycle at most. ready: the bytes waiting after the edge leave room for a beat of all lanes
// non-zero (at most 2 * word_bytes wait) and no frame tail is pending. A word loads into the
// output register once word_bytes wait, or the frame's tail. lanes and word_bytes are
// run-time inputs (at most LANES and WORD_BYTES), so one build serves any configuration.
module zvc_compressor #(
    parameter integer LANES      = 16,  // widest beat
    parameter integer WORD_BYTES = 64   // widest word
) (
    input  wire                    clk,
    input  wire                    rst_n,       // synchronous, active low
    input  wire [7:0]              lanes,       // 1..LANES
    input  wire [7:0]              word_bytes,  // 1..WORD_BYTES
    input  wire                    in_valid,
    output reg                     in_ready,
    input  wire [LANES*8-1:0]      in_data,
    input  wire                    in_last,
    output reg                     out_valid,
    input  wire                    out_ready,
    output reg  [WORD_BYTES*8-1:0] out_data,
    output reg                     out_last
);
  localparam integer MB = (LANES + 7) / 8;
  localparam integer PACK = MB + LANES;  // bytes of a beat, all lanes non-zero
  localparam integer BUF = 2 * WORD_BYTES + PACK;

  reg [BUF*8-1:0] bq;  // bytes waiting, the front in byte 0; bytes from `avail` on are zero
  reg [15:0] avail;
  reg flush;  // the frame's last beat is in: its tail leaves padded

  wire [15:0] word = {8'd0, word_bytes};
  wire [15:0] mask_bytes = ({8'd0, lanes} + 16'd7) >> 3;

  // Output side: the edge's word, taken from the front.
  wire busy = out_valid && !out_ready;
  wire load = !busy && (avail >= word || (flush && avail != 0));
  wire [15:0] n = (avail < word) ? avail : word;
  wire [15:0] popped = load ? n : 16'd0;
  wire tail_last = flush && n == avail;
  wire [15:0] avail1 = avail - popped;
  wire [BUF*8-1:0] bq1 = bq >> {popped, 3'b000};
  reg [WORD_BYTES*8-1:0] word_out;
  integer b;
  always @* begin
    for (b = 0; b < WORD_BYTES; b = b + 1)
      word_out[b*8+:8] = (b < {16'd0, n}) ? bq[b*8+:8] : 8'd0;
  end

  // Input side: the beat compressed, appended behind what remains.
  reg [LANES-1:0] nz_mask;
  reg [PACK*8-1:0] pk;
  reg [15:0] pos;  // after the loop: the beat's bytes
  integer i, at;
  always @* begin
    for (i = 0; i < LANES; i = i + 1)
      nz_mask[i] = (i < {24'd0, lanes}) && in_data[i*8+:8] != 8'd0;
    pk = {PACK*8{1'b0}};
    pk[LANES-1:0] = nz_mask;
    at = {16'd0, mask_bytes};
    for (i = 0; i < LANES; i = i + 1) begin
      if (nz_mask[i]) begin
        pk[at*8+:8] = in_data[i*8+:8];
        at = at + 1;
      end
    end
    pos = at[15:0];
  end
  wire fired_in = in_valid && in_ready;
  wire [BUF*8-1:0] pk_wide = {{(BUF - PACK) * 8{1'b0}}, pk};
  wire [BUF*8-1:0] bq2 = fired_in ? (bq1 | (pk_wide << {avail1, 3'b000})) : bq1;
  wire [15:0] avail2 = avail1 + (fired_in ? pos : 16'd0);
  wire flush2 = (flush && !(load && tail_last)) || (fired_in && in_last);

  always @(posedge clk) begin
    if (!rst_n) begin
      bq <= {BUF*8{1'b0}};
      avail <= 16'd0;
      flush <= 1'b0;
      in_ready <= 1'b0;
      out_valid <= 1'b0;
      out_data <= {WORD_BYTES*8{1'b0}};
      out_last <= 1'b0;
    end else begin
      bq <= bq2;
      avail <= avail2;
      flush <= flush2;
      in_ready <= avail2 <= {word[14:0], 1'b0};
      if (load) begin
        out_data <= word_out;
        out_last <= tail_last;
        out_valid <= 1'b1;
      end else if (!busy) begin
        out_valid <= 1'b0;
      end
    end
  end
endmodule
