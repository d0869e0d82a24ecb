#pragma once
// ConvEngine: one conv layer of the streaming pipeline = LineBuffer + SystolicArray +
// requant/ReLU, on the core clock.
//
// Input beats fill the line buffer. Output pixels are computed in raster order in tiles of
// up to `tile_pixels` consecutive pixels of one output row: once every window of a tile is
// in the line buffer and the output queue has a slot for each of its pixels, the tile's
// windows (im2col rows) and the weights form a GEMM (M = tile pixels, K = k*k*C_in, N =
// out_c) that the systolic array runs cycle by cycle, one step per core cycle. When its last
// result leaves the array the tile's pixels are requantized into their slots and the line
// buffer frees what no later window needs; the next tile starts on the following cycle.
// The output queue (2 tiles of pixel slots) drains one beat per cycle through the registered
// output.
//
// Parameters live in an SRAM region, loaded by the read DMA before the first fold, in the
// engine's order: weight[o][e] (e = (ky*k + kx)*C_in + ci, int8), then bias, mult and shift
// (int32 little-endian, out_c each).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "hw/common/edge_sleep.hpp"
#include "hw/common/hw_block.hpp"
#include "hw/common/occupancy_probe.hpp"
#include "hw/conv/line_buffer.hpp"
#include "hw/dma/param_sink.hpp"
#include "hw/mac_array/systolic_array.hpp"
#include "hw/sram/sram_banks.hpp"
#include "hw/stream/stream.hpp"

namespace skipsim {

struct ConvEngineConfig {
  ConvGeometry geom;
  int out_c = 0;
  bool relu = false;
  int lanes = 16;
  int mac_rows = 16, mac_cols = 16;
  Dataflow dataflow = Dataflow::kWs;
  ArrayModel model = ArrayModel::kTile;  // kPe while a datapath (RTL) is attached
  int tile_pixels = 0;                   // 0: the dataflow's default (default_tile_pixels)
  int frames = 1;
  // No requant: each output channel leaves as its int32 accumulator, 4 bytes little-endian,
  // so a pixel is 4*out_c bytes in ceil(4*out_c/lanes) beats; the parameters are weights and
  // bias only. The fully connected layer runs so (hw/fc/fc_engine.hpp).
  bool raw_int32 = false;
};

// ws: 4R pixels (T >= 2R + C - 2 for a square array, so folds stream back to back);
// os: R (one pixel per array row); is: C (one pixel per array column).
int default_tile_pixels(Dataflow d, int rows, int cols);
// The engine's largest tile: tile_pixels (0: the dataflow's default), at most one output row.
int max_tile_pixels(const ConvEngineConfig& cfg);
// Pixels of the tile starting at output (oy, ox): at most tile_max, cut at the row end and to
// what a k-row line buffer (k * W pixels) holds at once.
int tile_pixels_at(const ConvGeometry& g, int tile_max, int oy, int ox);

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
    return m_params_loaded && m_last_kind != WaitState::Kind::kBusy && !m_array.busy();
  }
  std::vector<std::string> input_ports() const override { return {"in"}; }
  std::vector<std::string> output_ports() const override { return {"out"}; }
  // Adds the array's figures (tiles, folds, MACs, dataflow, datapath) to the stall stats.
  void report(StatsNode& node) const override;
  bool allow_sleep() override {
    m_sleep.want();
    return true;
  }
  void settle() override { replay(m_sleep.settle()); }
  // ParamSink
  std::string sink_name() const override { return name(); }
  uint64_t param_bytes() const override { return m_param_bytes; }
  void write_params(uint64_t offset, const uint8_t* src, size_t n) override;
  void params_loaded() override;

  // Pixels held by the line buffer, and output pixels reserved or waiting in the queue.
  OccupancyProbe line_buffer_probe{"line_buffer_pixels"}, out_queue_probe{"out_queue_pixels"};
  const SystolicArray& mac_array() const { return m_array; }
  const LineBuffer& line_buffer() const { return m_lb; }
  const ConvEngineConfig& config() const { return m_cfg; }
  int tile_pixels() const { return m_tile_max; }
  // Array cycles of a tile of `pixels` pixels (the array's own closed form) plus the cycle
  // between tiles.
  uint64_t tile_cycles(int pixels) const;
  // Cycles per output pixel in full tiles.
  double cycles_per_pixel() const {
    return static_cast<double>(tile_cycles(m_tile_max)) / m_tile_max;
  }
  uint64_t pixels_out() const { return m_pixels_out; }
  uint64_t tiles() const { return m_tiles; }
  uint64_t folds() const { return m_folds; }
  uint64_t useful_macs() const { return m_useful_macs; }
  // Computes on another datapath (the RTL array), sequenced by the model; the results come
  // from it (hardware.mac_array.impl: rtl).
  // Needs the PE model (config.model == kPe): the datapath follows its pins.
  void set_datapath(std::unique_ptr<ArrayDatapath> d);
  const ArrayDatapath* datapath() const { return m_datapath.get(); }
  double mac_utilization(uint64_t cycles) const;

 private:
  void on_clock();
  void setup_sleep();
  // Edges slept through: each repeated the last awake one.
  void replay(uint64_t edges);
  // Pixels of the tile starting at (m_oy, m_ox): the tile size, cut at the row end and to
  // what the line buffer can hold at once.
  int next_tile_pixels() const;
  void start_tile(int pixels);
  void finish_tile();
  // True when the output register changed (a beat left, loaded or the valid dropped).
  bool load_out_register(bool fired);

  ConvEngineConfig m_cfg;
  SramBanks& m_sram;
  LineBuffer m_lb;
  SystolicArray m_array;
  std::unique_ptr<ArrayDatapath> m_datapath;
  int m_K, m_out_bytes, m_beats_out, m_tile_max, m_queue_pixels;
  int m_oh, m_ow;

  int m_param_region;
  uint64_t m_param_bytes;
  bool m_params_loaded = false;
  std::vector<int32_t> m_bias, m_mult, m_shift;

  // First output pixel of the next tile; the running tile.
  int m_frame = 0, m_oy = 0, m_ox = 0;
  int m_tile_n = 0, m_tile_slot = 0;
  std::vector<int8_t> m_a;     // tile x K activations (im2col rows)
  std::vector<int32_t> m_acc;  // tile x out_c results
  uint64_t m_tiles = 0, m_folds = 0, m_useful_macs = 0;
  uint64_t m_read_b = 0;  // weight reads of the running tile counted so far

  // Output queue: ring of pixel slots, reserved when a pixel starts.
  std::vector<std::vector<int8_t>> m_slots;
  std::vector<bool> m_slot_last;       // final pixel of a frame
  int m_reserved = 0, m_complete = 0;  // slots reserved / complete, counted from the head
  int m_head = 0;                      // slot being sent
  int m_out_beat = 0;                  // beat of the head slot in the output register
  bool m_out_busy = false;             // the output register holds a beat
  uint64_t m_pixels_out = 0;

  StallStats m_stats;
  WaitState::Kind m_last_kind = WaitState::Kind::kIdle;
  EdgeSleep m_sleep;
  StallStats m_edge_counts;  // what the last awake edge counted
};

}  // namespace skipsim
