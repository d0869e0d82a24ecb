#pragma once
// Stream adapters of the banked SRAM for the layer-by-layer NPU: SramReader turns an HWC int8
// tensor held in an SRAM region into a stream, SramWriter takes a stream into a region.
//
// Layout: pixel p's bytes start at offset + p * pixel_stride; the stream carries `channels`
// bytes of each pixel starting at byte channel_offset (a channel slice, when an op computes
// its output channels in passes), ceil(channels/lanes) beats per pixel, lanes past the end
// zero, `last` on the final beat of the tensor.
//
// Timing: one beat per cycle at most. Each beat claims the bank rows it touches for its
// cycle (read port for the reader, write port for the writer, SramBanks::claim); a claim
// that finds a port taken costs the beat a cycle (counted as a conflict of the region). The
// reader's output is a register loaded at the edge a beat leaves or the register is empty;
// the writer's ready is registered and promises room for one beat (it writes at once, so
// ready drops only for the cycle after a failed claim).
#include <cstdint>
#include <string>
#include <vector>

#include <systemc>

#include "hw/common/edge_sleep.hpp"
#include "hw/common/hw_block.hpp"
#include "hw/sram/sram_banks.hpp"
#include "hw/stream/stream.hpp"

namespace skipsim {

struct SramTensorView {
  int region = 0;
  uint64_t offset = 0;  // first pixel's first byte in the region
  uint64_t pixels = 0;
  int pixel_stride = 0;    // bytes between pixels (the tensor's channels)
  int channel_offset = 0;  // first byte of the slice within a pixel
  int channels = 0;        // bytes of the slice
  uint64_t bytes() const { return pixels * static_cast<uint64_t>(channels); }
};

class SramReader : public sc_core::sc_module, public HwBlock {
 public:
  SC_HAS_PROCESS(SramReader);
  sc_core::sc_in<bool> clk;
  // High once the reader may start (the tensor's fill has landed); tie high otherwise.
  sc_core::sc_in<bool> enable;
  StreamOut out;

  SramReader(sc_core::sc_module_name name, SramBanks& sram, const SramTensorView& view, int lanes);

  std::string block_name() const override { return basename(); }
  const StallStats& stall_stats() const override { return m_stats; }
  WaitState wait_state() const override { return m_wait; }
  bool quiescent() const override { return m_wait.kind != WaitState::Kind::kBusy; }
  std::vector<std::string> output_ports() const override { return {"out"}; }
  bool allow_sleep() override {
    m_sleep.want();
    return true;
  }
  void settle() override { m_stats.add_times(m_edge_counts, m_sleep.settle()); }
  void report(StatsNode& node) const override;
  bool done() const { return m_sent == m_total && !m_loaded; }
  uint64_t conflicts() const { return m_conflicts; }
  // Edge (1-based) of the first beat handed on and of the last.
  uint64_t first_beat_cycle() const { return m_first_cycle; }
  uint64_t last_beat_cycle() const { return m_last_cycle; }

 private:
  void on_clock();
  SramBanks& m_sram;
  SramTensorView m_view;
  int m_lanes, m_bpp;
  uint64_t m_total, m_next = 0, m_sent = 0;  // beats: all, loaded so far, handed on
  bool m_loaded = false;
  uint64_t m_cycle = 0, m_conflicts = 0, m_first_cycle = 0, m_last_cycle = 0;
  StallStats m_stats, m_edge_counts;
  WaitState m_wait;
  EdgeSleep m_sleep;
};

class SramWriter : public sc_core::sc_module, public HwBlock {
 public:
  SC_HAS_PROCESS(SramWriter);
  sc_core::sc_in<bool> clk;
  StreamIn in;

  SramWriter(sc_core::sc_module_name name, SramBanks& sram, const SramTensorView& view, int lanes);

  std::string block_name() const override { return basename(); }
  const StallStats& stall_stats() const override { return m_stats; }
  WaitState wait_state() const override { return m_wait; }
  bool quiescent() const override { return m_wait.kind != WaitState::Kind::kBusy; }
  std::vector<std::string> input_ports() const override { return {"in"}; }
  bool allow_sleep() override {
    m_sleep.want();
    return true;
  }
  void settle() override { m_stats.add_times(m_edge_counts, m_sleep.settle()); }
  void report(StatsNode& node) const override;
  bool done() const { return m_taken == m_total; }
  uint64_t conflicts() const { return m_conflicts; }
  uint64_t first_beat_cycle() const { return m_first_cycle; }
  uint64_t last_beat_cycle() const { return m_last_cycle; }

 private:
  void on_clock();
  // Writes beat `index` of the tensor; false when a bank port was taken.
  bool write_beat(uint64_t index, const Beat& b);
  SramBanks& m_sram;
  SramTensorView m_view;
  int m_lanes, m_bpp;
  uint64_t m_total, m_taken = 0;
  bool m_held = false;  // a beat taken at a failed claim, written at the next edge
  Beat m_held_beat;
  uint64_t m_cycle = 0, m_conflicts = 0, m_first_cycle = 0, m_last_cycle = 0;
  StallStats m_stats, m_edge_counts;
  WaitState m_wait;
  EdgeSleep m_sleep;
};

}  // namespace skipsim
