#pragma once
// GlobalPool: the head's global average pool as the hardware does it (DESIGN.md section 4):
// a per-channel int32 sum over the H x W map (wrapping modulo 2^32, as the conv
// accumulators), then requantized with [mult, shift] (no ReLU) to int8; one 1 x 1 x C pixel
// per frame.
//
// Datapath: C int32 accumulator registers (4*C bytes of flops, no SRAM); each input beat adds
// its lanes to the accumulators of its channel group, one beat per cycle (ready is high
// while summing). After a frame's last beat the engine drains: `lanes` requant units turn one
// channel group into one output beat per cycle into the registered output; meanwhile the
// input waits (ready low), and the accumulators clear as the last group leaves.
//
// Timing, with input beats transferring at edges e0, e0+1, ... and the output always ready:
// the frame's last beat (H*W*bpp - 1) is summed at edge E = e0 + H*W*bpp - 1, output beat b
// loads at E + 1 + b and transfers at E + 2 + b; the last transfers at
//     e0 + (H*W + 1) * bpp.
// Frame f + 1's first beat can transfer at edge E + bpp + 1 at the earliest (ready rises at
// the edge the last group loads).
#include <cstdint>
#include <string>
#include <vector>

#include <systemc>

#include "hw/common/edge_sleep.hpp"
#include "hw/common/hw_block.hpp"
#include "hw/stream/stream.hpp"

namespace skipsim {

struct GlobalPoolConfig {
  int h = 0, w = 0, c = 0;  // input
  int32_t mult = 1, shift = 1;
  int lanes = 16;
  int frames = 1;
};

// Throws InputError on a non-positive shape or lanes out of range, mult outside
// [0, 2^31-1] or shift outside [1, 62].
void check_global_pool_config(const GlobalPoolConfig& cfg);

class GlobalPool : public sc_core::sc_module, public HwBlock {
 public:
  SC_HAS_PROCESS(GlobalPool);
  sc_core::sc_in<bool> clk;
  StreamIn in;
  StreamOut out;

  GlobalPool(sc_core::sc_module_name name, const GlobalPoolConfig& cfg);

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
  // Adds pixels_out and the accumulator bytes.
  void report(StatsNode& node) const override;

  const GlobalPoolConfig& config() const { return m_cfg; }
  uint64_t accumulator_bytes() const { return 4ull * m_cfg.c; }
  uint64_t pixels_out() const { return m_pixels_out; }
  // The last edge-by-edge closed form of the header: e0 + (H*W + 1) * bpp.
  uint64_t unstalled_last_edge(uint64_t e0) const;

 private:
  void on_clock();

  GlobalPoolConfig m_cfg;
  int m_bpp;
  uint64_t m_frame_beats;
  std::vector<int32_t> m_acc;
  uint64_t m_rx = 0;  // beats summed in the current frame
  int m_frame = 0;
  bool m_draining = false;
  int m_out_beat = 0;  // next group to requantize
  bool m_out_busy = false, m_out_last_of_pixel = false;
  bool m_moved = true;
  uint64_t m_pixels_out = 0;
  StallStats m_stats, m_edge_counts;  // all edges; the last awake one's
  EdgeSleep m_sleep;
  WaitState::Kind m_last_kind = WaitState::Kind::kIdle;
};

}  // namespace skipsim
