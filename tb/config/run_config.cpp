// The run configuration as a schema table (tb/config/schema.hpp): every leaf key, its range
// and the Config member it fills. Loading: flatten (with `base:`), --set, assign, cross-key
// checks, then the DRAM preset hardware.dram.preset names is read once into the Config.
#include "tb/config/run_config.hpp"

#include <filesystem>
#include <limits>

#include <fmt/format.h>

#include "tb/config/dram_preset.hpp"

namespace skipsim {
namespace {

namespace fs = std::filesystem;
using namespace schema;

constexpr uint64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr uint64_t kUint64Max = std::numeric_limits<uint64_t>::max();
constexpr int kMaxChannels = 4096;

// Worst case per conv: in_c * 3 * 3 products of |128 * 128| must fit in int32.
static_assert(int64_t{kMaxChannels} * 9 < 131072,
              "input.c / out_channels range allows an int32 accumulator overflow");

// The Config member `m` of a key.
#define KEY(m) [](void* root) -> Ref { return &static_cast<Config*>(root)->m; }

// Every leaf key, in dump order (keys sharing a parent are contiguous).
std::vector<Field> run_fields() {
  return {
      // 10 MHz to 10 GHz: the clock periods are whole picoseconds of sc_time, and a slower
      // core would simulate thousands of DRAM cycles (refreshes) per core cycle.
      Number("hardware.clock_ghz", 0.01, false, 10, false, KEY(hardware.clock_ghz)),
      Int("hardware.mac_array.rows", 1, 256, KEY(hardware.mac_array.rows)),
      Int("hardware.mac_array.cols", 1, 256, KEY(hardware.mac_array.cols)),
      Of("hardware.mac_array.dataflow", Kind::kEnum, KEY(hardware.mac_array.dataflow)),
      Of("hardware.mac_array.scalesim_compat", Kind::kBool,
         KEY(hardware.mac_array.scalesim_compat)),
      Int("hardware.mac_array.tile_pixels", 0, 4096, KEY(hardware.mac_array.tile_pixels)),
      Of("hardware.mac_array.impl", Kind::kEnum, KEY(hardware.mac_array.impl)),
      Of("hardware.mac_array.model", Kind::kEnum, KEY(hardware.mac_array.model)),
      Int("hardware.stream.lanes", 1, 64, KEY(hardware.stream.lanes)),
      Int("hardware.skip_fifo.depth", 1, uint64_t{1} << 40, KEY(hardware.skip_fifo.depth)),
      Of("hardware.skip_fifo.impl", Kind::kEnum, KEY(hardware.skip_fifo.impl)),
      Of("hardware.skip_fifo.policy", Kind::kEnum, KEY(hardware.skip_fifo.policy)),
      Int("hardware.skip_fifo.spill_ring_bytes", 0, uint64_t{1} << 40,
          KEY(hardware.skip_fifo.spill_ring_bytes)),
      Of("hardware.skip_fifo.compression", Kind::kEnum, KEY(hardware.skip_fifo.compression)),
      Of("hardware.fork.impl", Kind::kEnum, KEY(hardware.fork.impl)),
      Of("hardware.add.impl", Kind::kEnum, KEY(hardware.add.impl)),
      Of("hardware.skip_codec.impl", Kind::kEnum, KEY(hardware.skip_codec.impl)),
      Int("hardware.sram.banks", 1, 1024, KEY(hardware.sram.banks)),
      Int("hardware.sram.bank_bytes", 1, uint64_t{1} << 30, KEY(hardware.sram.bank_bytes)),
      Int("hardware.sram.width_bytes", 1, 1024, KEY(hardware.sram.width_bytes)),
      Of("hardware.sram.dual_port", Kind::kBool, KEY(hardware.sram.dual_port)),
      Number("hardware.energy.mac_pj", 0, false, 1e6, false, KEY(hardware.energy.mac_pj)),
      Number("hardware.energy.sram_read_pj_per_byte", 0, false, 1e6, false,
             KEY(hardware.energy.sram_read_pj_per_byte)),
      Number("hardware.energy.sram_write_pj_per_byte", 0, false, 1e6, false,
             KEY(hardware.energy.sram_write_pj_per_byte)),
      Number("hardware.energy.dram_pj_per_byte", 0, false, 1e6, false,
             KEY(hardware.energy.dram_pj_per_byte)),
      Of("hardware.dram.model", Kind::kEnum, KEY(hardware.dram.model)),
      Of("hardware.dram.preset", Kind::kString, KEY(hardware.dram.preset)),
      Number("hardware.dram.clock_ghz", 0.01, false, 10, false, KEY(hardware.dram.clock_ghz)),
      Number("hardware.dram.latency_ns", 0, false, 1e6, false, KEY(hardware.dram.latency_ns)),
      Int("hardware.dram.bytes_per_cycle", 1, 1024, KEY(hardware.dram.bytes_per_cycle)),
      Int("hardware.dram.queue_depth", 1, 4096, KEY(hardware.dram.queue_depth)),
      Pow2("hardware.dram.burst_bytes", 16, 4096, KEY(hardware.dram.burst_bytes)),
      Int("hardware.dma.max_outstanding", 1, 1024, KEY(hardware.dma.max_outstanding)),
      Of("workload.block", Kind::kEnum, KEY(workload.block)),
      Int("workload.input.h", 1, 4096, KEY(workload.h)),
      Int("workload.input.w", 1, 4096, KEY(workload.w)),
      Int("workload.input.c", 1, kMaxChannels, KEY(workload.c)),
      Int("workload.out_channels", 1, kMaxChannels, KEY(workload.out_channels)),
      Int("workload.width", 0, kMaxChannels, KEY(workload.width)),
      Int("workload.stride", 1, 2, KEY(workload.stride)),
      Int("workload.seed", 0, kUint64Max, KEY(workload.seed)),
      Int("workload.frames", 1, 4096, KEY(workload.frames)),
      Number("workload.input_throttle.rate", 0, true, 1, false, KEY(workload.input_rate)),
      Number("workload.input_throttle.stall_probability", 0, false, 1, true,
             KEY(workload.input_stall_probability)),
      Int("sim.deadlock_window", 0, kInt64Max, KEY(sim.deadlock_window)),
      Int("sim.max_cycles", 0, kInt64Max, KEY(sim.max_cycles)),
      Number("sim.output_stall_probability", 0, false, 1, true, KEY(sim.output_stall_probability)),
      Of("sim.skip_idle_edges", Kind::kBool, KEY(sim.skip_idle_edges)),
      Of("npu.allocator", Kind::kEnum, KEY(npu.allocator)),
      Of("npu.spill", Kind::kEnum, KEY(npu.spill)),
      Int("npu.activation_bytes", 0, uint64_t{1} << 40, KEY(npu.activation_bytes)),
      Int("npu.weight_buffer_bytes", 1024, uint64_t{1} << 40, KEY(npu.weight_buffer_bytes)),
      Of("npu.fuse_add", Kind::kBool, KEY(npu.fuse_add)),
      Of("npu.prefetch_fills", Kind::kBool, KEY(npu.prefetch_fills)),
      Of("npu.weight_prefetch", Kind::kBool, KEY(npu.weight_prefetch)),
      Of("npu.skip_compression", Kind::kEnum, KEY(npu.skip_compression)),
  };
}

#undef KEY

// hardware.dram.preset read into c (model ddr): resolved against the file (or --set) that
// named it; the preset file's own errors name that file.
void read_preset(const Flat& flat, Config& c) {
  DramConfig& d = c.hardware.dram;
  if (d.model != DramModel::kDdr) return;
  const auto it = flat.find("hardware.dram.preset");
  const std::string where = it != flat.end() ? it->second.source : c.source;
  d.preset_path = resolve_dram_preset(d.preset, where, "hardware.dram.preset");
  d.ddr = load_dram_preset(d.preset_path);
}

Config build(const Flat& flat, const std::string& source) {
  Config c = assign_config(flat, source);
  check_config(c, flat, source);
  read_preset(flat, c);
  return c;
}

}  // namespace

const Schema& run_schema() {
  static const Schema s(
      run_fields(), {"description", "base"},
      {{"dram",
        "no hardware:, workload: or sim: section: this is a DRAM preset (a top-level `dram:` "
        "map); a run configuration names it with hardware.dram.preset, and `skipsim dram "
        "--config` replays a trace on it"}});
  return s;
}

Config assign_config(const Flat& flat, const std::string& source) {
  Config c;
  c.source = source;
  run_schema().assign(flat, &c);
  return c;
}

Config parse_config(const std::string& yaml_text, const std::vector<std::string>& overrides,
                    const std::string& source) {
  Flat flat = run_schema().load_text(yaml_text, source, fs::path("."));
  run_schema().apply_overrides(overrides, flat);
  return build(flat, source);
}

Config load_config(const std::string& path, const std::vector<std::string>& overrides) {
  Flat flat = run_schema().load_file(path);
  run_schema().apply_overrides(overrides, flat);
  return build(flat, path);
}

const DdrConfig& ddr_config_of(const Config& c) { return c.hardware.dram.ddr; }

std::string dump_config(const Config& config) {
  Config c = config;  // the table's accessors take a mutable Config
  return fmt::format("# effective configuration of {}\n{}", c.source, run_schema().dump(&c));
}

}  // namespace skipsim
