#pragma once
// ResidualBlock: elaborates one residual block from its description (block_description.hpp)
// and a Config (DESIGN.md section 2):
//
//   DRAM <=TLM=> dma_read -input-> fork -fork_main-> conv1 -conv1_out-> conv2 -conv2_out-+
//                dma_write <-output------------------------------------------------- add
//                            fork -fork_skip-> [skip_conv -skip_proj->] skip_fifo -skip_out-+
//
// The main path has as many engines as the description has stages, each driving the stream
// its stage names. The DRAM holds the input, each engine's packed parameters and the output
// (and the spill ring with policy spill); dma_read loads the parameters, then streams the
// input; the run ends when dma_write has written it all. Blocks that exist as SystemC and
// RTL come from block_factory.hpp.
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
#include "hw/skip_fifo/skip_codec.hpp"
#include "hw/skip_fifo/skip_fifo.hpp"
#include "hw/skip_fifo/spill_skip_fifo.hpp"
#include "hw/sram/sram_banks.hpp"
#include "hw/stream/add.hpp"
#include "hw/stream/fork.hpp"
#include "tb/config/config.hpp"
#include "tb/observe/lockstep.hpp"
#include "tb/observe/monitor.hpp"
#include "tb/ref/golden.hpp"
#include "tb/top/block_description.hpp"
#include "tb/top/cosim_twin.hpp"

namespace skipsim {

struct DramLayout {
  uint64_t input = 0, output = 0, size = 0;
  uint64_t spill_ring = 0, spill_ring_bytes = 0;  // policy spill only
  std::vector<uint64_t> params;                   // one per engine, in engines() order
};

class ResidualBlock : public sc_core::sc_module {
 public:
  ResidualBlock(sc_core::sc_module_name name, const Config& cfg, const BlockDescription& block,
                const Tensor8& input, const CosimOptions& cosim = {});
  // A basic or downsampling block from its tensors (describe_block).
  ResidualBlock(sc_core::sc_module_name name, const Config& cfg, const BlockParams& params,
                const CosimOptions& cosim = {});
  ~ResidualBlock() override;

  Monitor& monitor() { return *m_monitor; }
  ClockSignal& clock() { return m_clk.signal(); }
  Lockstep* lockstep() { return m_cosim ? &m_cosim->lockstep() : nullptr; }
  // The --cosim twin's own RTL checks (nullptr without one or when it has none).
  const RtlChecked* cosim_twin_checks() const { return m_cosim ? m_cosim->twin_checks() : nullptr; }
  std::string cosim_module() const { return m_cosim ? m_cosim->module() : std::string(); }
  SkipFifoBase& skip_fifo() { return *m_skip_fifo; }
  // The skip path's compressor, or nullptr without compression.
  const SkipCompressor* compressor() const { return m_compressor.get(); }
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
  std::vector<ConvEngine*> engines() const;  // the main path in order, then the projection
  std::vector<HwBlock*> blocks() const;      // pipeline order
  const std::vector<std::unique_ptr<Stream>>& streams() const { return m_streams; }
  uint64_t deadlock_window() const { return m_deadlock_window; }
  double clock_period_ns() const { return m_period_ns; }

  // The output tensor as the DRAM holds it now.
  Tensor8 read_output() const;
  int out_h() const { return m_out_h; }
  int out_w() const { return m_out_w; }
  int out_c() const { return m_out_c; }

 private:
  void build_engines(const Config& cfg, const BlockDescription& block);
  // Places the input, each engine's packed parameters (returned), the output and the spill
  // ring in DRAM.
  std::vector<std::vector<uint8_t>> plan_dram(const Config& cfg, const BlockDescription& block,
                                              const Tensor8& input);
  void build_skip_fifo(const Config& cfg, const CosimOptions& cosim);
  void build_dram(const Config& cfg, const Tensor8& input,
                  const std::vector<std::vector<uint8_t>>& blobs);
  void build_dma(const Config& cfg, const Tensor8& input);
  void wire_streams(const BlockDescription& block);
  // Streams from `out` (of block `from`, named `name`) through `stages`, each driving the
  // stream its stage names; returns the last stream, for the consumer `to`.`to_port`.
  Stream& wire_chain(StreamOut& out, const std::string& from, const std::string& from_port,
                     std::string name,
                     const std::vector<std::pair<ConvEngine*, std::string>>& stages,
                     const std::string& to, const std::string& to_port);
  void build_monitor(const Config& cfg);
  void bind_clocks();
  Stream& stream(const std::string& name, const std::string& producer, const std::string& pport,
                 const std::string& consumer, const std::string& cport);
  Stream& stream_named(const std::string& name);

  double m_period_ns;
  CoreClock m_clk;
  std::unique_ptr<SramBanks> m_sram;
  std::unique_ptr<DramTarget> m_dram;
  DramController* m_ddr = nullptr;
  std::unique_ptr<DmaSkip> m_dma_skip;
  SpillSkipFifo* m_spill_fifo = nullptr;
  std::unique_ptr<DmaRead> m_dma_read;
  std::unique_ptr<DmaWrite> m_dma_write;
  std::unique_ptr<ForkBase> m_fork;
  std::vector<std::unique_ptr<ConvEngine>> m_main;  // main path, in order
  std::unique_ptr<ConvEngine> m_skip_conv;          // projection, or none
  std::unique_ptr<SkipFifoBase> m_skip_fifo;
  // With hardware.skip_fifo.compression: the codec around the FIFO (which then holds words).
  std::unique_ptr<SkipCompressor> m_compressor;
  std::unique_ptr<SkipDecompressor> m_decompressor;
  // The codec's beat streams: into the compressor, out of the decompressor.
  std::pair<const Stream*, const Stream*> m_codec_streams{nullptr, nullptr};
  std::unique_ptr<AddBase> m_add;
  std::unique_ptr<Monitor> m_monitor;
  std::unique_ptr<CosimTwin> m_cosim;
  std::vector<std::unique_ptr<Stream>> m_streams;
  DramLayout m_layout;
  uint64_t m_deadlock_window = 0;
  int m_out_h = 0, m_out_w = 0, m_out_c = 0;
};

// The deadlock window derived from the configuration (README "Deadlock"): four times the
// longest stretch in which a healthy pipeline can show no transfer at all.
uint64_t derived_deadlock_window(const Config& cfg, uint64_t max_tile_cycles);
// That longest stretch: a sim.deadlock_window at or below it is refused.
uint64_t longest_healthy_gap(const Config& cfg, uint64_t max_tile_cycles);
// A conv stage's engine as the configuration's array, stream and workload set it.
ConvEngineConfig conv_engine_config(const Config& cfg, const ConvStage& s);
// The add's configuration from the block's add parameters.
AddConfig add_config(const AddParams& a, int lanes);
// The configured DRAM model (hardware.dram.model) of `size` bytes; *ddr is the DDR model or
// nullptr.
std::unique_ptr<DramTarget> make_dram(const Config& cfg, uint64_t size, DramController** ddr);
// A new stream in `streams` with who drives and who takes it (names for the reports).
Stream& add_stream(std::vector<std::unique_ptr<Stream>>& streams, const std::string& name,
                   const std::string& producer, const std::string& pport,
                   const std::string& consumer, const std::string& cport);
// Makes and records a stream: name, producer, its port, consumer, its port.
using StreamMaker =
    std::function<Stream&(const std::string&, const std::string&, const std::string&,
                          const std::string&, const std::string&)>;
// Streams from `out` (of block `from`) named `name` through `stages`, each driving the stream
// its stage names; returns the last stream, for the consumer `to`.`to_port`.
Stream& wire_stage_chain(StreamOut& out, const std::string& from, const std::string& from_port,
                         std::string name,
                         const std::vector<std::pair<ConvEngine*, std::string>>& stages,
                         const std::string& to, const std::string& to_port,
                         const StreamMaker& stream);
// Bytes of the DRAM ring of the spilling skip FIFO (the configured size, or the default).
uint64_t spill_ring_bytes(const Config& cfg);

}  // namespace skipsim
