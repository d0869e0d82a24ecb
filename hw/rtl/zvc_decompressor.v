// Zero-value decompressor, cycle-equivalent to the SystemC ZvcDecompressor
// (hw/skip_fifo/zvc_codec.hpp): restores the beats of zvc_compressor.v's words. One word in
// and one beat out per cycle at most; a beat loads into the output register once its mask
// and bytes are buffered. The frame has beats_per_frame beats: the last one carries last and
// drops the rest of the frame's last word (its padding). ready: room for one more word
// (at most word_bytes + mask + lanes bytes wait after the edge) and no frame end is pending.
// lanes, word_bytes and beats_per_frame are run-time inputs.
module zvc_decompressor #(
    parameter integer LANES      = 16,  // widest beat
    parameter integer WORD_BYTES = 64   // widest word
) (
    input  wire                    clk,
    input  wire                    rst_n,            // synchronous, active low
    input  wire [7:0]              lanes,            // 1..LANES
    input  wire [7:0]              word_bytes,       // 1..WORD_BYTES
    input  wire [31:0]             beats_per_frame,  // >= 1
    input  wire                    in_valid,
    output reg                     in_ready,
    input  wire [WORD_BYTES*8-1:0] in_data,
    input  wire                    in_last,
    output reg                     out_valid,
    input  wire                    out_ready,
    output reg  [LANES*8-1:0]      out_data,
    output reg                     out_last
);
  localparam integer MB = (LANES + 7) / 8;
  localparam integer BUF = 2 * WORD_BYTES + MB + LANES;

  reg [BUF*8-1:0] bq;  // bytes waiting, the front in byte 0; bytes from `avail` on are zero
  reg [15:0] avail;
  reg [15:0] pad;      // with last_in: bytes up to the end of the frame's last word
  reg last_in;         // the frame's last word is in
  reg [31:0] beat;     // beats of the frame sent

  wire [15:0] word = {8'd0, word_bytes};
  wire [15:0] mask_bytes = ({8'd0, lanes} + 16'd7) >> 3;

  // The beat at the front: its mask, its size and its lanes.
  reg [15:0] nz;
  reg [LANES*8-1:0] beat_out;
  integer i, at;
  always @* begin
    nz = 16'd0;
    for (i = 0; i < MB * 8; i = i + 1)
      if (i < {13'd0, mask_bytes, 3'b000} && bq[i]) nz = nz + 16'd1;
    beat_out = {LANES*8{1'b0}};
    at = {16'd0, mask_bytes};
    for (i = 0; i < LANES; i = i + 1) begin
      if (i < {24'd0, lanes} && bq[i]) begin
        beat_out[i*8+:8] = bq[at*8+:8];
        at = at + 1;
      end
    end
  end
  wire [15:0] n = mask_bytes + nz;
  wire busy = out_valid && !out_ready;
  wire load = !busy && avail >= mask_bytes && n <= avail;
  wire [31:0] beat_inc = beat + 32'd1;
  wire is_last = beat_inc == beats_per_frame;
  wire [15:0] popped = !load ? 16'd0 : (is_last && pad > n) ? pad : n;
  wire [15:0] avail1 = avail - popped;
  wire [15:0] pad1 = (pad > popped) ? pad - popped : 16'd0;
  wire [BUF*8-1:0] bq1 = bq >> {popped, 3'b000};

  // The word taken, its bytes beyond word_bytes ignored, appended behind what remains.
  reg [WORD_BYTES*8-1:0] in_word;
  integer b;
  always @* begin
    for (b = 0; b < WORD_BYTES; b = b + 1)
      in_word[b*8+:8] = (b < {16'd0, word}) ? in_data[b*8+:8] : 8'd0;
  end
  wire fired_in = in_valid && in_ready;
  wire [BUF*8-1:0] in_wide = {{(BUF - WORD_BYTES) * 8{1'b0}}, in_word};
  wire [BUF*8-1:0] bq2 = fired_in ? (bq1 | (in_wide << {avail1, 3'b000})) : bq1;
  wire [15:0] avail2 = avail1 + (fired_in ? word : 16'd0);
  wire frame_end_in = fired_in && in_last;
  wire last_in2 = (last_in && !(load && is_last)) || frame_end_in;

  always @(posedge clk) begin
    if (!rst_n) begin
      bq <= {BUF*8{1'b0}};
      avail <= 16'd0;
      pad <= 16'd0;
      last_in <= 1'b0;
      beat <= 32'd0;
      in_ready <= 1'b0;
      out_valid <= 1'b0;
      out_data <= {LANES*8{1'b0}};
      out_last <= 1'b0;
    end else begin
      bq <= bq2;
      avail <= avail2;
      pad <= frame_end_in ? avail2 : pad1;
      last_in <= last_in2;
      in_ready <= !last_in2 && avail2 <= word + mask_bytes + {8'd0, lanes};
      if (load) begin
        beat <= is_last ? 32'd0 : beat_inc;
        out_data <= beat_out;
        out_last <= is_last;
        out_valid <= 1'b1;
      end else if (!busy) begin
        out_valid <= 1'b0;
      end
    end
  end
endmodule
