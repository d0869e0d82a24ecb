#pragma once
// ConvEngine: one conv layer of the streaming pipeline = LineBuffer + MacArray +
// requant/ReLU, on the core clock.
//
// Input beats fill the line buffer. Output pixels are computed in raster order, each as
// ceil(K/R) x ceil(N/C) folds (K = k*k*C_in window elements, N = output channels), n-chunk
// outer, k-chunk inner, one fold per cycle once the pixel's window is present. Finished
// n-chunks are requantized into a pixel slot of a 2-pixel output queue (a slot is reserved
// when a pixel starts, so a full queue stalls the array), and the queue drains one beat per
// cycle through the registered output.
//
// Parameters live in an SRAM region, loaded by the read DMA before the first fold, in the
// engine's order: weight[o][e] (e = (ky*k + kx)*C_in + ci, int8), then bias, mult and shift
// (int32 little-endian, out_c each).
#include <cstdint>
#include <string>
#include <vector>

#include <systemc>

#include "hw/common/hw_block.hpp"
#include "hw/common/occupancy_probe.hpp"
#include "hw/conv/line_buffer.hpp"
#include "hw/dma/param_sink.hpp"
#include "hw/mac_array/mac_array.hpp"
#include "hw/sram/sram_banks.hpp"
#include "hw/stream/stream.hpp"

namespace skipsim {

struct ConvEngineConfig {
  ConvGeometry geom;
  int out_c = 0;
  bool relu = false;
  int lanes = 16;
  int mac_rows = 16, mac_cols = 16;
  int frames = 1;
  int out_queue_pixels = 2;
};

// Packs a conv's weights (O x I x k x k, PyTorch order) and requant parameters into the
// engine's parameter layout (see above).
std::vector<uint8_t> pack_conv_params(int out_c, int in_c, int k, const std::vector<int8_t>& weight,
                                      const std::vector<int32_t>& bias,
                                      const std::vector<int32_t>& mult,
                                      const std::vector<int32_t>& shift);

class ConvEngine : public sc_core::sc_module, public HwBlock, public ParamSink {
 public:
  SC_HAS_PROCESS(ConvEngine);
  sc_core::sc_in<bool> clk;
  StreamIn in;
  StreamOut out;

  ConvEngine(sc_core::sc_module_name name, const ConvEngineConfig& cfg, SramBanks& sram);

  // HwBlock
  std::string block_name() const override { return basename(); }
  const StallStats& stall_stats() const override { return m_stats; }
  WaitState wait_state() const override;
  bool quiescent() const override {
    return m_params_loaded && m_last_kind != WaitState::Kind::kBusy && m_array.empty();
  }
  std::vector<std::string> input_ports() const override { return {"in"}; }
  std::vector<std::string> output_ports() const override { return {"out"}; }
  // ParamSink
  std::string sink_name() const override { return name(); }
  uint64_t param_bytes() const override { return m_param_bytes; }
  void write_params(uint64_t offset, const uint8_t* src, size_t n) override;
  void params_loaded() override;

  // Pixels held by the line buffer, and output pixels reserved or waiting in the queue.
  OccupancyProbe line_buffer_probe{"line_buffer_pixels"}, out_queue_probe{"out_queue_pixels"};
  const MacArray& mac_array() const { return m_array; }
  const LineBuffer& line_buffer() const { return m_lb; }
  const ConvEngineConfig& config() const { return m_cfg; }
  uint64_t cycles_per_pixel() const { return static_cast<uint64_t>(m_k_folds) * m_n_folds; }
  uint64_t pixels_out() const { return m_pixels_out; }
  double mac_utilization(uint64_t cycles) const;

 private:
  void on_clock();
  void issue_fold(MacArray::Fold& f);
  void retire_result();
  void load_out_register(bool fired);

  ConvEngineConfig m_cfg;
  SramBanks& m_sram;
  LineBuffer m_lb;
  MacArray m_array;
  int m_K, m_k_folds, m_n_folds, m_beats_out;
  int m_oh, m_ow;

  int m_param_region;
  uint64_t m_param_bytes;
  bool m_params_loaded = false;
  std::vector<int32_t> m_bias, m_mult, m_shift;

  // Current output pixel and fold step within it.
  int m_frame = 0, m_oy = 0, m_ox = 0, m_step = 0;
  std::vector<int8_t> m_act;

  // Output queue: ring of pixel slots, reserved when a pixel starts.
  std::vector<std::vector<int8_t>> m_slots;
  std::vector<bool> m_slot_last;       // final pixel of a frame
  int m_reserved = 0, m_complete = 0;  // slots reserved / complete, counted from the head
  int m_head = 0;                      // slot being sent
  int m_out_beat = 0;                  // beat of the head slot in the output register
  bool m_out_busy = false;             // the output register holds a beat
  int m_issue_slot = 0;
  uint64_t m_pixels_out = 0;

  StallStats m_stats;
  WaitState::Kind m_last_kind = WaitState::Kind::kIdle;
};

}  // namespace skipsim
