#pragma once
// NpuOpTop: one op of the layer-by-layer NPU (tb/modes/npu_mode.hpp) on the hardware, cycle by
// cycle: the op's engine (a ConvEngine, FcEngine, MaxPool, GlobalPool, or the vector unit's
// Add), its operands streamed from the banked SRAM (SramReader) or from DRAM (DmaRead), its
// output into the SRAM (SramWriter) or DRAM (DmaWrite), its weights streamed from DRAM by the
// weight DMA into the engine's weight buffer, and the allocator's spills and fills of this op
// on the SRAM DMA (SramDma), all on one DDR model:
//
//   DRAM <=TLM=> dma_weights -params-> engine
//   SRAM arena -> reader_i -in_i-> engine -out-> writer -> SRAM arena   (or dma_in_i / dma_out)
//   SRAM arena <-> dma_transfer <=TLM=> DRAM                           (spills and fills)
//   next weight buffer <- dma_transfer <=TLM=> DRAM              (the next layer's weights)
//
// With weight prefetch (npu.weight_prefetch) the weight buffer is doubled: while an op runs,
// the transfer DMA loads the next op's weights into the other half, and that op starts with
// its weights in place (weights_preloaded: no weight DMA of its own).
//
// A fill that the op reads is blocking: the readers start once it has landed. The run ends
// when the output is written and every transfer has landed.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <systemc>

#include "hw/conv/conv_engine.hpp"
#include "hw/dma/dma_read.hpp"
#include "hw/dma/dma_write.hpp"
#include "hw/dma/sram_dma.hpp"
#include "hw/dram/dram_controller.hpp"
#include "hw/skip_fifo/skip_codec.hpp"
#include "hw/sram/sram_banks.hpp"
#include "hw/sram/sram_stream.hpp"
#include "hw/stream/add.hpp"
#include "tb/config/config.hpp"
#include "tb/observe/monitor.hpp"
#include "tb/top/chain_description.hpp"

namespace skipsim {

// The vector unit's element-wise add of two equal-shaped tensors (main + skip, then ReLU).
struct AddStage {
  std::string name;
  int h = 0, w = 0, c = 0;
  AddParams params;
};

using NpuCompute = std::variant<ConvStage, MaxPoolStage, GlobalPoolStage, FcStage, AddStage>;

// One operand: its bytes (H x W x C int8) and where the op reads it from.
struct NpuOperandJob {
  const std::vector<int8_t>* data = nullptr;
  int h = 0, w = 0, c = 0;  // c: the channels read
  // In SRAM, a channel slice of a wider tensor: its bytes per pixel (0: c) and first channel.
  int pixel_stride = 0, channel_offset = 0;
  bool in_sram = true;
  uint64_t sram_offset = 0;  // in the activation arena
  // In SRAM but not there yet: a blocking fill of this op brings it (not preloaded).
  bool filled_here = false;
  DmaPurpose purpose = DmaPurpose::kInput;  // read from DRAM: input (the image) or fill
  // Stored compressed (npu.skip_compression): `data` is `words` words of
  // hardware.sram.width_bytes, read through a decompressor that restores the h x w x c beats.
  uint64_t words = 0;
  int tensor = -1;  // the program's tensor id (for the report)
};

// Where the output (or, in a pass, its channel slice) goes.
struct NpuOutputJob {
  int h = 0, w = 0;
  int pixel_stride = 0;    // bytes per pixel of the whole tensor
  int channel_offset = 0;  // the slice this pass writes
  int channels = 0;
  bool in_sram = true;
  uint64_t sram_offset = 0;
  // Stored compressed: the output stream passes a compressor and `words` words are written.
  uint64_t words = 0;
};

// A spill (to_dram) or a fill / load of this op's window: `data` is the tensor's bytes (a
// spill's SRAM source, a fill's DRAM source).
struct NpuTransferJob {
  const std::vector<int8_t>* data = nullptr;
  bool to_dram = true;
  uint64_t sram_offset = 0, bytes = 0;
  DmaPurpose purpose = DmaPurpose::kSpill;
  bool blocking = false;
  bool next_weights = false;  // into the other weight buffer (offset 0), not the arena
  int tensor = -1;            // the program's tensor id (-1: weights)
};

struct NpuOpJob {
  std::string name;
  NpuCompute compute;
  // A conv whose output stage adds X (npu.fuse_add): inputs are the conv's input, then X.
  std::optional<AddStage> fused_add;
  std::vector<NpuOperandJob> inputs;  // add: main, skip
  NpuOutputJob output;
  std::vector<NpuTransferJob> transfers;  // blocking ones first
  uint64_t arena_bytes = 0;               // the activation arena in the SRAM
  // The other half of a double weight buffer (0: none), which next_weights transfers fill.
  uint64_t next_weight_buffer_bytes = 0;
  // The engine's weights were loaded while the previous op ran: in place at the start.
  bool weights_preloaded = false;
};

class NpuOpTop : public sc_core::sc_module {
 public:
  NpuOpTop(sc_core::sc_module_name name, const Config& cfg, const NpuOpJob& job);
  ~NpuOpTop() override;

  Monitor& monitor() { return *m_monitor; }
  std::vector<HwBlock*> blocks() const;
  SramBanks& sram() { return *m_sram; }
  DramTarget& dram() { return *m_dram; }
  DramController* dram_controller() { return m_ddr; }
  std::vector<const DmaEngine*> dma_engines() const;
  // The engine with a MAC array (conv, FC), or nullptr.
  const ConvEngine* engine() const { return m_engine; }
  HwBlock& compute_block() const { return *m_compute; }
  int arena() const { return m_arena; }
  // The output as written (the slice of this op, pixel by pixel).
  std::vector<int8_t> read_output() const;
  // Cycle (1-based edge) of the first output byte written and of the last operand byte read.
  uint64_t first_write_cycle() const;
  uint64_t last_read_cycle() const;
  // Edge at which the output's last byte was written (the op's own work done).
  uint64_t output_done_cycle() const;
  // Edge at which the blocking transfers had landed (0: none).
  uint64_t blocking_done_cycle() const { return m_transfer->blocking_done_cycle(); }
  bool transfers_match() const;
  // Bytes each transfer moved, in job order; per operand the bytes read from DRAM (0: in
  // SRAM); the output's bytes written to DRAM.
  std::vector<uint64_t> transfer_bytes() const;
  std::vector<uint64_t> input_dram_bytes() const;
  uint64_t output_dram_bytes() const;
  uint64_t deadlock_window() const { return m_deadlock_window; }

 private:
  void build_compute(const Config& cfg);
  void build_dram(const Config& cfg);
  void build_io(const Config& cfg);
  void build_monitor(const Config& cfg);
  Stream& stream(const std::string& name, const std::string& producer, const std::string& pport,
                 const std::string& consumer, const std::string& cport);

  const NpuOpJob& m_job;
  CoreClock m_clk;
  std::unique_ptr<SramBanks> m_sram;
  int m_arena = 0, m_next_weights = -1;
  std::unique_ptr<DramTarget> m_dram;
  DramController* m_ddr = nullptr;
  std::vector<std::unique_ptr<sc_core::sc_module>> m_modules;
  sc_core::sc_module* m_compute_module = nullptr;
  HwBlock* m_compute = nullptr;
  ConvEngine* m_engine = nullptr;
  Add* m_fused_add = nullptr;
  std::vector<StreamIn*> m_compute_in;
  std::vector<std::pair<std::string, std::string>> m_in_consumer;  // block, port per input
  StreamOut* m_compute_out = nullptr;
  sc_core::sc_in<bool>* m_compute_clk = nullptr;
  std::vector<uint8_t> m_params;
  std::unique_ptr<DmaRead> m_dma_weights;
  std::unique_ptr<SramDma> m_transfer;
  std::vector<std::unique_ptr<DmaRead>> m_dma_in;
  std::vector<std::unique_ptr<SramReader>> m_readers;
  std::unique_ptr<SramWriter> m_writer;
  // The skip codec of compressed operands and of a compressed output.
  std::vector<std::unique_ptr<SkipDecompressor>> m_decompressors;
  std::unique_ptr<SkipCompressor> m_compressor;
  std::unique_ptr<DmaWrite> m_dma_out;
  sc_core::sc_signal<bool> m_ready_to_start{"ready_to_start"};
  std::vector<std::unique_ptr<Stream>> m_streams;
  std::unique_ptr<Monitor> m_monitor;
  uint64_t m_weights_addr = 0, m_output_addr = 0;
  std::vector<uint64_t> m_input_addr, m_transfer_addr;
  uint64_t m_deadlock_window = 0;
  uint64_t m_word = 0;  // hardware.sram.width_bytes: a compressed word
};

}  // namespace skipsim
