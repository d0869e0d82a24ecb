#pragma once
// ResidualBlock: the top level that assembles one residual block from a Config and its
// tensors (DESIGN.md section 2):
//
//   DRAM <=TLM=> dma_read -input-> fork -fork_main-> conv1 -conv1_out-> conv2 -conv2_out-+
//                dma_write <-output------------------------------------------------- add
//                            fork -fork_skip-> [skip_conv -skip_proj->] skip_fifo -skip_out-+
//
// The DRAM holds the input, each engine's packed parameters and the output; dma_read loads
// the parameters, then streams the input; the run ends when dma_write has written it all.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "hw/conv/conv_engine.hpp"
#include "hw/dma/dma_read.hpp"
#include "hw/dma/dma_skip.hpp"
#include "hw/dma/dma_write.hpp"
#include "hw/dram/dram_controller.hpp"
#include "hw/dram/simple_dram.hpp"
#include "hw/sram/sram_banks.hpp"
#include "hw/stream/add.hpp"
#include "hw/stream/fork.hpp"
#include "hw/skip_fifo/skip_fifo.hpp"
#include "hw/skip_fifo/spill_skip_fifo.hpp"
#include "tb/config/config.hpp"
#include "tb/ref/golden.hpp"
#include "tb/observe/lockstep.hpp"
#include "tb/observe/monitor.hpp"

namespace skipsim {

struct DramLayout {
  uint64_t input = 0, output = 0, size = 0;
  uint64_t spill_ring = 0, spill_ring_bytes = 0;  // policy spill only
  std::vector<uint64_t> params;                   // one per engine, in engines() order
};

// Lock-step co-simulation of one block (README "RTL co-simulation").
struct CosimOptions {
  std::string module;  // "", "skip_fifo", "fork" or "add"
  // Builds the RTL skip FIFO to compare; empty = the build's (tests pass altered variants).
  std::function<std::unique_ptr<SkipFifoBase>(const char*, uint64_t)> skip_fifo_rtl;
};

class ResidualBlock : public sc_core::sc_module {
 public:
  ResidualBlock(sc_core::sc_module_name name, const Config& cfg, const BlockParams& params,
                const CosimOptions& cosim = {});
  ~ResidualBlock() override;

  Monitor& monitor() { return *m_monitor; }
  sc_core::sc_clock& clock() { return m_clk; }
  Lockstep* lockstep() { return m_lockstep.get(); }
  SkipFifoBase& skip_fifo() { return *m_skip_fifo; }
  DramTarget& dram() { return *m_dram; }
  // The DDR model, or nullptr with hardware.dram.model: simple.
  DramController* dram_controller() { return m_ddr; }
  // The spilling skip FIFO and its DMA, or nullptr with policy block.
  SpillSkipFifo* spill_fifo() { return m_spill_fifo; }
  DmaSkip* dma_skip() { return m_dma_skip.get(); }
  DmaRead& dma_read() { return *m_dma_read; }
  DmaWrite& dma_write() { return *m_dma_write; }
  SramBanks& sram() { return *m_sram; }
  const DramLayout& layout() const { return m_layout; }
  std::vector<ConvEngine*> engines() const;
  std::vector<HwBlock*> blocks() const;  // pipeline order
  const std::vector<std::unique_ptr<Stream>>& streams() const { return m_streams; }
  uint64_t deadlock_window() const { return m_deadlock_window; }
  double clock_period_ns() const { return m_period_ns; }

  // The output tensor as the DRAM holds it now.
  Tensor8 read_output() const;
  int out_h() const { return m_out_h; }
  int out_w() const { return m_out_w; }
  int out_c() const { return m_out_c; }

 private:
  Stream& stream(const std::string& name, const std::string& producer, const std::string& pport,
                 const std::string& consumer, const std::string& cport);

  double m_period_ns;
  sc_core::sc_clock m_clk;
  std::unique_ptr<SramBanks> m_sram;
  std::unique_ptr<DramTarget> m_dram;
  DramController* m_ddr = nullptr;
  std::unique_ptr<DmaSkip> m_dma_skip;
  SpillSkipFifo* m_spill_fifo = nullptr;
  std::unique_ptr<DmaRead> m_dma_read;
  std::unique_ptr<DmaWrite> m_dma_write;
  std::unique_ptr<ForkBase> m_fork;
  std::unique_ptr<ConvEngine> m_conv1, m_conv2, m_skip_conv;
  std::unique_ptr<SkipFifoBase> m_skip_fifo;
  std::unique_ptr<AddBase> m_add;
  std::unique_ptr<Monitor> m_monitor;
  void attach_cosim(const Config& cfg, const CosimOptions& cosim);
  Stream& stream_named(const std::string& name);
  sc_core::sc_signal<bool>& shadow_bool(const std::string& name);
  sc_core::sc_signal<Beat>& shadow_beat(const std::string& name);
  std::unique_ptr<Lockstep> m_lockstep;
  std::unique_ptr<sc_core::sc_module> m_shadow;
  std::vector<std::unique_ptr<sc_core::sc_signal<bool>>> m_shadow_bools;
  std::vector<std::unique_ptr<sc_core::sc_signal<Beat>>> m_shadow_beats;
  std::vector<std::unique_ptr<Stream>> m_streams;
  DramLayout m_layout;
  uint64_t m_deadlock_window = 0;
  int m_out_h = 0, m_out_w = 0, m_out_c = 0;
};

// The deadlock window derived from the configuration (README "Deadlock"): four times the
// longest stretch in which a healthy pipeline can show no transfer at all.
uint64_t derived_deadlock_window(const Config& cfg, uint64_t max_tile_cycles);
// Bytes of the DRAM ring of the spilling skip FIFO (the configured size, or the default).
uint64_t spill_ring_bytes(const Config& cfg);

}  // namespace skipsim
