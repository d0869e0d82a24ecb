#pragma once
// MaxPool: k x k max pooling, stride s, padding p, on a stream of HWC beats (a pixel of C
// channels is ceil(C/lanes) beats). Padding never wins: the max is over the window's real
// pixels (DESIGN.md section 4).
//
// Datapath: a LineBuffer of k input rows (k * W * C bytes in an SRAM region, as the conv's)
// and a comparator tree. Max pooling is per channel, so output beat b of a pixel needs only
// beat b (channels b*lanes ...) of the window's pixels: once every pixel of output (oy, ox)'s
// window is in the line buffer and the output register is free, the engine reads those
// beats (at most k*k * lanes bytes), reduces them and loads the result into the registered
// output, one beat per cycle. After its last beat the line buffer frees what no later window
// needs. Input: one beat per cycle while the line buffer has a free slot (registered ready).
//
// Timing, with input beats transferring at edges e0, e0+1, ... (never waiting) and the output
// always ready: pixel j (raster index) is complete at edge P_j = e0 + (j+1)*bpp - 1. Output
// pixel i (raster) reads up to input pixel last(i) (its window's last real pixel); its beat b
// loads at edge L(i, b) = max(P_last(i) + 1, L(previous beat) + 1) and transfers at L + 1.
// When consecutive windows complete at least bpp cycles apart (stride >= 2 without clipped
// windows sharing their last pixel, e.g. the stem's 3x3 s2 p1), this is the closed form
//     L(i, b) = P_last(i) + 1 + b,
// and when the last window ends at the last input pixel, the last output beat transfers at
//     e0 + (H*W + 1) * bpp,
// i.e. (H*W + 1) * bpp edges after the first input beat: the input time plus one pixel.
// unstalled_output_edges() evaluates the general recurrence. The input is never stalled when
// the oldest row a new input pixel overwrites has already been read, which holds once W is
// larger than a few pixels (k rows: see LineBuffer); the unit tests check it.
#include <cstdint>
#include <string>
#include <vector>

#include <systemc>

#include "hw/common/edge_sleep.hpp"
#include "hw/common/hw_block.hpp"
#include "hw/common/occupancy_probe.hpp"
#include "hw/conv/line_buffer.hpp"
#include "hw/sram/sram_banks.hpp"
#include "hw/stream/stream.hpp"

namespace skipsim {

struct MaxPoolConfig {
  int h = 0, w = 0, c = 0;  // input
  int k = 3, stride = 2, pad = 1;
  int lanes = 16;
  int frames = 1;
  ConvGeometry geometry() const { return {h, w, c, k, stride, pad}; }
  int out_h() const { return geometry().out_h(); }
  int out_w() const { return geometry().out_w(); }
};

// Throws InputError unless 1 <= k, 1 <= stride, 0 <= pad with every window holding a real
// pixel (2*pad < k, or <= k for even k, as golden_maxpool), and a positive shape.
void check_max_pool_config(const MaxPoolConfig& cfg);

// The edge at which each output beat transfers (output order), input beats transferring at
// e0, e0+1, ... and the output always ready: the recurrence in the header comment.
std::vector<uint64_t> max_pool_unstalled_output_edges(const MaxPoolConfig& cfg, uint64_t e0);

class MaxPool : public sc_core::sc_module, public HwBlock {
 public:
  SC_HAS_PROCESS(MaxPool);
  sc_core::sc_in<bool> clk;
  StreamIn in;
  StreamOut out;

  MaxPool(sc_core::sc_module_name name, const MaxPoolConfig& cfg, SramBanks& sram);

  std::string block_name() const override { return basename(); }
  const StallStats& stall_stats() const override { return m_stats; }
  WaitState wait_state() const override;
  bool quiescent() const override { return !m_moved; }
  bool allow_sleep() override {
    m_sleep.want();
    return true;
  }
  void settle() override { m_stats.add_times(m_edge_counts, m_sleep.settle()); }
  std::vector<std::string> input_ports() const override { return {"in"}; }
  std::vector<std::string> output_ports() const override { return {"out"}; }
  // Adds pixels_out and the line buffer's size (pixels, bytes).
  void report(StatsNode& node) const override;

  OccupancyProbe line_buffer_probe{"line_buffer_pixels"};
  const MaxPoolConfig& config() const { return m_cfg; }
  const LineBuffer& line_buffer() const { return m_lb; }
  uint64_t line_buffer_bytes() const { return m_lb.capacity_pixels() * m_cfg.c; }
  uint64_t pixels_out() const { return m_pixels_out; }

 private:
  void on_clock();
  // Reduces beat m_out_beat of output (m_oy, m_ox) into `b`.
  void reduce(Beat& b);

  MaxPoolConfig m_cfg;
  ConvGeometry m_g;
  LineBuffer m_lb;
  int m_bpp, m_oh, m_ow;
  int m_frame = 0, m_oy = 0, m_ox = 0, m_out_beat = 0;  // next output beat to compute
  bool m_out_busy = false;
  bool m_moved = true;
  uint64_t m_pixels_out = 0;
  std::vector<int8_t> m_tmp;
  StallStats m_stats, m_edge_counts;  // all edges; the last awake one's
  EdgeSleep m_sleep;
  WaitState::Kind m_last_kind = WaitState::Kind::kIdle;
};

}  // namespace skipsim
