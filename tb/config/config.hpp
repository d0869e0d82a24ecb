#pragma once
// The run configuration: YAML parsed into plain structs with defaults, validated before
// elaboration (keys: tb/config/run_config.cpp, cross-key rules: tb/config/config_checks.cpp,
// the mechanism: tb/config/schema.hpp). Every key is documented in README.md
// ("Configuration"); unknown keys, wrong types and impossible values throw InputError with
// the key path and the allowed range.
#include <cstdint>
#include <string>
#include <vector>

#include "hw/common/enum_names.hpp"
#include "hw/dram/ddr_config.hpp"
#include "hw/mac_array/dataflow.hpp"
#include "tb/npu/allocator.hpp"
#include "tb/ref/golden.hpp"

namespace skipsim {

// Which model of a block runs: the SystemC one, or its Verilated RTL (hw/rtl/).
enum class Impl { kSystemC, kRtl };

inline constexpr EnumName<Impl> kImplNames[] = {{Impl::kSystemC, "systemc"}, {Impl::kRtl, "rtl"}};
constexpr const auto& enum_table(Impl) { return kImplNames; }

struct MacArrayConfig {
  int rows = 16;  // R
  int cols = 16;  // C
  // The systolic array's dataflow (conv engines and layer mode); SCALE-Sim's accounting
  // (layer mode only).
  Dataflow dataflow = Dataflow::kWs;
  bool scalesim_compat = false;
  int tile_pixels = 0;         // output pixels per GEMM in a conv engine; 0 = by dataflow
  Impl impl = Impl::kSystemC;  // the conv engines' array datapath: C++ or Verilated RTL
  // Tile-level (fast) or PE-level simulation; impl: rtl always sequences with the PE model.
  ArrayModel model = ArrayModel::kTile;
};

struct StreamConfig {
  int lanes = 16;  // int8 channels per beat, 1..64
};

// What the skip FIFO does when its on-chip storage is full: hold the fork back, or spill the
// overflow to a ring buffer in DRAM and fill it back in order.
enum class SkipPolicy { kBlock, kSpill };

inline constexpr EnumName<SkipPolicy> kSkipPolicyNames[] = {{SkipPolicy::kBlock, "block"},
                                                            {SkipPolicy::kSpill, "spill"}};
constexpr const auto& enum_table(SkipPolicy) { return kSkipPolicyNames; }

// What the skip path does to X while it waits: nothing, zero-value compression
// (hw/skip_fifo/zvc_codec.hpp: a compressor before the FIFO, a decompressor after it) or
// run-length coding of zeros (hw/skip_fifo/rlc_codec.hpp).
enum class SkipCompression { kNone, kZvc, kRlc };

inline constexpr EnumName<SkipCompression> kSkipCompressionNames[] = {
    {SkipCompression::kNone, "none"},
    {SkipCompression::kZvc, "zvc"},
    {SkipCompression::kRlc, "rlc"}};
constexpr const auto& enum_table(SkipCompression) { return kSkipCompressionNames; }

struct SkipFifoConfig {
  // Entries: beats, or with compression words of hardware.sram.width_bytes.
  int64_t depth = 4096;
  Impl impl = Impl::kSystemC;
  SkipPolicy policy = SkipPolicy::kBlock;
  int64_t spill_ring_bytes = 0;  // 0 = one frame of the skip tensor, in whole bursts
  SkipCompression compression = SkipCompression::kNone;
};

struct BlockImplConfig {
  Impl impl = Impl::kSystemC;
};

struct SramConfig {
  int banks = 32;
  int64_t bank_bytes = 262144;
  int width_bytes = 16;   // bytes per bank row (one access)
  bool dual_port = true;  // per bank per cycle: one read and one write, or one access (1RW)
};

// Per-access energy (pJ). Defaults: 45 nm figures of Horowitz, "Computing's energy
// problem", ISSCC 2014: 8-bit multiply 0.2 + 32-bit add 0.1 pJ; 64-bit read of an 8 KB SRAM
// 10 pJ (1.25 pJ/B; writes taken equal); DRAM 1.3-2.6 nJ per 64 bits (lower end, 160 pJ/B).
struct EnergyConfig {
  double mac_pj = 0.3;
  double sram_read_pj_per_byte = 1.25;
  double sram_write_pj_per_byte = 1.25;
  double dram_pj_per_byte = 160.0;
};

enum class DramModel { kSimple, kDdr };

inline constexpr EnumName<DramModel> kDramModelNames[] = {{DramModel::kSimple, "simple"},
                                                          {DramModel::kDdr, "ddr"}};
constexpr const auto& enum_table(DramModel) { return kDramModelNames; }

struct DramConfig {
  DramModel model = DramModel::kDdr;
  std::string preset = "ddr4_3200";  // a configs/dram name or a YAML file
  std::string preset_path;           // the file it resolved to (set by the loader)
  DdrConfig ddr;                     // the preset, read once by the loader (model ddr)
  double clock_ghz = 1.6;            // DRAM controller clock (simple model)
  double latency_ns = 60.0;          // request accepted -> first data (simple model)
  int bytes_per_cycle = 16;          // data bus width per DRAM cycle (simple model)
  int queue_depth = 16;              // requests held; more are back-pressured (simple model)
  int burst_bytes = 64;              // one request
};

struct DmaConfig {
  int max_outstanding = 8;  // read bursts in flight per DMA engine
};

struct HardwareConfig {
  double clock_ghz = 1.0;  // core clock
  MacArrayConfig mac_array;
  StreamConfig stream;
  SkipFifoConfig skip_fifo;
  BlockImplConfig fork, add;
  BlockImplConfig skip_codec;  // the skip path's compressor and decompressor
  SramConfig sram;
  EnergyConfig energy;
  DramConfig dram;
  DmaConfig dma;
};

struct WorkloadConfig {
  BlockKind block = BlockKind::kBasic;
  int h = 56, w = 56, c = 64;  // workload.input.{h,w,c}
  int out_channels = 64;
  int width = 0;   // bottleneck: channels of conv1 and conv2; 0 = out_channels / 4
  int stride = 1;  // bottleneck: conv2's and the projection's stride (downsample: always 2)
  uint64_t seed = 1;
  int frames = 1;  // images streamed back to back
  // Upstream jitter on the input stream (the read DMA's output): at most `rate` beats per
  // cycle, and a beat held back with probability `stall_probability` each cycle (seeded).
  double input_rate = 1.0;
  double input_stall_probability = 0.0;
};

struct SimConfig {
  int64_t deadlock_window = 0;  // cycles without any transfer; 0 = derived (see README)
  int64_t max_cycles = 0;       // 0 = no limit
  // [0, 1): the write DMA drops ready at random with this probability (seeded from
  // workload.seed), to check that results do not depend on output back-pressure.
  double output_stall_probability = 0.0;
  // Blocks skip the edges at which they provably repeat themselves (same cycles, statistics
  // and waveforms either way; false runs every block at every edge, for comparison).
  bool skip_idle_edges = true;
};

// The layer-by-layer NPU (skipsim npu): how activations share the SRAM with the engines.
struct NpuConfig {
  AllocPolicy allocator = AllocPolicy::kGreedyBySize;
  SpillPolicy spill = SpillPolicy::kFarthestNextUse;
  // SRAM bytes for activation tensors; 0 = the SRAM less the weight buffer and the largest
  // engine working buffer (line buffers) of the network.
  int64_t activation_bytes = 0;
  // A layer's weights up to this size load whole; larger ones run in passes over output
  // channels, each loading its slice.
  int64_t weight_buffer_bytes = 2 * 1024 * 1024;
  // The residual add in the producing conv's output stage instead of on the vector unit.
  bool fuse_add = false;
  bool prefetch_fills = true;
  // A second weight buffer: the next op's weights load while the current one runs.
  bool weight_prefetch = true;
  // Skip tensors (a residual block's X) stored in SRAM and DRAM in this codec's packed words.
  SkipCompression skip_compression = SkipCompression::kNone;
};

struct Config {
  HardwareConfig hardware;
  WorkloadConfig workload;
  SimConfig sim;
  NpuConfig npu;
  std::string source;  // where it came from, for messages
};

// Loads path (YAML), applies overrides "key.path=value" (YAML scalars or flow sequences),
// parses and validates. Throws InputError: "config error: <where>: <key>: <what>".
Config load_config(const std::string& path, const std::vector<std::string>& overrides = {});
// Same from YAML text (tests, defaults).
Config parse_config(const std::string& yaml_text, const std::vector<std::string>& overrides = {},
                    const std::string& source = "<string>");
// The DDR preset hardware.dram.preset names, as the loader read it (model ddr; a Config built
// by hand carries the DdrConfig defaults, DDR4-3200 without energies).
const DdrConfig& ddr_config_of(const Config& c);

// The effective configuration as YAML (every key, defaults filled in).
std::string dump_config(const Config& c);

}  // namespace skipsim
