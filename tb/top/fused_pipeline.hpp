#pragma once
// FusedPipeline: consecutive residual blocks as one streaming pipeline (FINN-style dataflow).
// Each block keeps its own fork, engines, skip FIFO and add (a FusedStage, its module and
// stream names prefixed with the block's, e.g. layer1_0.conv1); block i's add drives block
// i+1's fork directly:
//
//   DRAM <=TLM=> dma_read -input-> [stage 0] -layer1_0_out-> [stage 1] ... -output-> dma_write
//
// The DRAM holds the first block's input, every engine's packed parameters (loaded by
// dma_read first, in stage order) and the last block's output; nothing in between. One
// SramBanks holds every engine's weights and line buffers and every skip FIFO. The skip
// FIFOs are policy block (on chip).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "hw/common/core_clock.hpp"

#include "tb/top/residual_block.hpp"

namespace skipsim {

struct FusedBlock {
  std::string name;  // network name, e.g. "layer1.0"
  BlockDescription desc;
  uint64_t skip_depth = 0;  // beats; 0 = hardware.skip_fifo.depth
};

// One block of the pipeline: fork, engines, skip FIFO, add and the streams between them.
class FusedStage : public sc_core::sc_module {
 public:
  FusedStage(sc_core::sc_module_name name, const Config& cfg, const FusedBlock& block,
             SramBanks& sram);
  ~FusedStage() override;

  ForkBase& fork() { return *m_fork; }
  AddBase& add() { return *m_add; }
  SkipFifoBase& skip_fifo() { return *m_skip_fifo; }
  std::vector<ConvEngine*> engines() const;  // main path in order, then the projection
  std::vector<HwBlock*> blocks() const;      // fork, engines, skip FIFO, add
  const std::vector<std::unique_ptr<Stream>>& streams() const { return m_streams; }
  // The prefix of this stage's module and stream names (the block name, '.' -> '_').
  const std::string& prefix() const { return m_prefix; }
  void bind_clock(ClockSignal& clk);

 private:
  std::string m_prefix;
  std::unique_ptr<ForkBase> m_fork;
  std::vector<std::unique_ptr<ConvEngine>> m_main;
  std::unique_ptr<ConvEngine> m_skip_conv;
  std::unique_ptr<SkipFifoBase> m_skip_fifo;
  std::unique_ptr<AddBase> m_add;
  std::vector<std::unique_ptr<Stream>> m_streams;
};

class FusedPipeline : public sc_core::sc_module {
 public:
  FusedPipeline(sc_core::sc_module_name name, const Config& cfg,
                const std::vector<FusedBlock>& blocks, const Tensor8& input);
  ~FusedPipeline() override;

  Monitor& monitor() { return *m_monitor; }
  SramBanks& sram() { return *m_sram; }
  DramTarget& dram() { return *m_dram; }
  const std::vector<std::unique_ptr<FusedStage>>& stages() const { return m_stages; }
  std::vector<ConvEngine*> engines() const;  // every stage's, in stage order
  std::vector<HwBlock*> blocks() const;      // pipeline order
  uint64_t deadlock_window() const { return m_deadlock_window; }
  // The last block's output as the DRAM holds it now.
  Tensor8 read_output() const;

 private:
  void build_dram(const Config& cfg, const std::vector<FusedBlock>& blocks, const Tensor8& input);
  void build_dma(const Config& cfg, const Tensor8& input);
  void build_monitor(const Config& cfg);
  Stream& top_stream(const std::string& name, const std::string& producer,
                     const std::string& consumer);

  CoreClock m_clk;
  std::unique_ptr<SramBanks> m_sram;
  std::unique_ptr<DramTarget> m_dram;
  DramController* m_ddr = nullptr;
  std::unique_ptr<DmaRead> m_dma_read;
  std::unique_ptr<DmaWrite> m_dma_write;
  std::vector<std::unique_ptr<FusedStage>> m_stages;
  std::unique_ptr<Monitor> m_monitor;
  std::vector<std::unique_ptr<Stream>> m_streams;  // between stages (and input, output)
  DramLayout m_layout;
  uint64_t m_deadlock_window = 0;
  int m_out_h = 0, m_out_w = 0, m_out_c = 0;
};

// The SystemC module name of a block: its name with '.' as '_' (layer1.0 -> layer1_0).
std::string fused_prefix(const std::string& block_name);

}  // namespace skipsim
