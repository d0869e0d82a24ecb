#pragma once
// ChainPipeline: elaborates a chain description (chain_description.hpp) with no skip path,
// the ResNet stem (conv 7x7 s2 + max pool) and head (global pool + FC):
//
//   DRAM <=TLM=> dma_read -input-> stage 0 -out_stream 0-> ... -> stage n-1 -output-> dma_write
//
// Conv stages are ConvEngines, FC stages FcEngines (their parameters loaded by dma_read first,
// as in ResidualBlock), pool stages MaxPool / GlobalPool. The DRAM holds the input, the
// parameter blobs and the output; the run ends when dma_write has written it all. The
// output of an FC chain is the logits' bytes (int32 little-endian).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "hw/conv/conv_engine.hpp"
#include "hw/dma/dma_read.hpp"
#include "hw/dma/dma_skip.hpp"
#include "hw/dma/dma_write.hpp"
#include "hw/dram/dram_controller.hpp"
#include "hw/fc/fc_engine.hpp"
#include "hw/pool/global_pool.hpp"
#include "hw/pool/max_pool.hpp"
#include "hw/sram/sram_banks.hpp"
#include "tb/config/config.hpp"
#include "tb/observe/monitor.hpp"
#include "tb/top/chain_description.hpp"
#include "tb/top/residual_block.hpp"

namespace skipsim {

class ChainPipeline : public sc_core::sc_module {
 public:
  ChainPipeline(sc_core::sc_module_name name, const Config& cfg, const ChainDescription& chain,
                const Tensor8& input);
  ~ChainPipeline() override;

  Monitor& monitor() { return *m_monitor; }
  ClockSignal& clock() { return m_clk.signal(); }
  DramTarget& dram() { return *m_dram; }
  DramController* dram_controller() { return m_ddr; }
  DmaRead& dma_read() { return *m_dma_read; }
  DmaWrite& dma_write() { return *m_dma_write; }
  DmaSkip* dma_skip() { return nullptr; }  // no skip path (the report code asks)
  SramBanks& sram() { return *m_sram; }
  const DramLayout& layout() const { return m_layout; }
  // Engines with parameters (conv and FC), in chain order.
  std::vector<ConvEngine*> engines() const;
  std::vector<HwBlock*> blocks() const;  // pipeline order
  const std::vector<std::unique_ptr<Stream>>& streams() const { return m_streams; }
  uint64_t deadlock_window() const { return m_deadlock_window; }

  // The output as the DRAM holds it now: out_h x out_w x out_bytes (int8 channels, or the
  // logits' bytes after an FC stage).
  Tensor8 read_output() const;
  // The int32 logits of an FC chain (frame 0).
  std::vector<int32_t> read_logits() const;
  const ChainShape& out_shape() const { return m_out; }

 private:
  std::vector<std::vector<uint8_t>> build_stages(const Config& cfg, const ChainDescription& d);
  void plan_dram(const Config& cfg, const Tensor8& input,
                 const std::vector<std::vector<uint8_t>>& blobs);
  void build_dram(const Config& cfg, const Tensor8& input,
                  const std::vector<std::vector<uint8_t>>& blobs);
  void build_dma(const Config& cfg, const Tensor8& input);
  void wire_streams(const ChainDescription& d);
  void build_monitor(const Config& cfg);
  Stream& stream(const std::string& name, const std::string& producer, const std::string& pport,
                 const std::string& consumer, const std::string& cport);

  struct Stage {
    sc_core::sc_module* module = nullptr;
    HwBlock* block = nullptr;
    StreamIn* in = nullptr;
    StreamOut* out = nullptr;
    sc_core::sc_in<bool>* clk = nullptr;
    ConvEngine* engine = nullptr;  // conv or FC: has parameters
  };

  CoreClock m_clk;
  std::unique_ptr<SramBanks> m_sram;
  std::unique_ptr<DramTarget> m_dram;
  DramController* m_ddr = nullptr;
  std::unique_ptr<DmaRead> m_dma_read;
  std::unique_ptr<DmaWrite> m_dma_write;
  std::vector<std::unique_ptr<sc_core::sc_module>> m_modules;
  std::vector<Stage> m_stages;
  std::unique_ptr<Monitor> m_monitor;
  std::vector<std::unique_ptr<Stream>> m_streams;
  DramLayout m_layout;
  uint64_t m_deadlock_window = 0;
  ChainShape m_out;
};

}  // namespace skipsim
