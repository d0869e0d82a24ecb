// Cross-key rules of the run configuration: combinations of valid values the design cannot
// elaborate, caught here with the keys involved, the file that set them and what is allowed.
#include <algorithm>

#include <fmt/format.h>

#include "hw/skip_fifo/spill_skip_fifo.hpp"
#include "tb/config/run_config.hpp"

namespace skipsim {
namespace {

using schema::fail;
using schema::Flat;
using schema::latest_source;

// A block asked for as RTL: the build must have the Verilated blocks, for the configured
// stream width (skip FIFO, fork, add) or array size (MAC array).
void check_rtl(const Config& c, const Flat& flat, const std::string& source) {
  const HardwareConfig& hw = c.hardware;
  const struct {
    const char* key;
    Impl impl;
    bool lanes_bound;  // built for SKIPSIM_RTL_LANES
  } blocks[] = {{"hardware.skip_fifo.impl", hw.skip_fifo.impl, true},
                {"hardware.fork.impl", hw.fork.impl, true},
                {"hardware.add.impl", hw.add.impl, true},
                {"hardware.mac_array.impl", hw.mac_array.impl, false}};
  for (const auto& b : blocks) {
    if (b.impl != Impl::kRtl) continue;
#ifdef SKIPSIM_HAVE_RTL
    if (b.lanes_bound && hw.stream.lanes != SKIPSIM_RTL_LANES)
      fail(latest_source(flat, {b.key, "hardware.stream.lanes"}, source),
           fmt::format("{}: rtl is built for {} lanes, hardware.stream.lanes is {} (set "
                       "hardware.stream.lanes: {}, {}: systemc, or rebuild with "
                       "-DSKIPSIM_RTL_LANES={})",
                       b.key, SKIPSIM_RTL_LANES, hw.stream.lanes, SKIPSIM_RTL_LANES, b.key,
                       hw.stream.lanes));
    if (!b.lanes_bound &&
        (hw.mac_array.rows != SKIPSIM_RTL_MAC_ROWS || hw.mac_array.cols != SKIPSIM_RTL_MAC_COLS))
      fail(latest_source(flat, {b.key, "hardware.mac_array.rows", "hardware.mac_array.cols"},
                         source),
           fmt::format("{}: the RTL array is built as {}x{}, hardware.mac_array.rows x cols is "
                       "{}x{} (set them to match, {}: systemc, or rebuild with "
                       "-DSKIPSIM_RTL_MAC_ROWS={} -DSKIPSIM_RTL_MAC_COLS={})",
                       b.key, SKIPSIM_RTL_MAC_ROWS, SKIPSIM_RTL_MAC_COLS, hw.mac_array.rows,
                       hw.mac_array.cols, b.key, hw.mac_array.rows, hw.mac_array.cols));
#else
    fail(latest_source(flat, {b.key}, source),
         fmt::format("{}: rtl needs a build with Verilator (-DSKIPSIM_RTL=ON); this build has "
                     "systemc only",
                     b.key));
#endif
  }
  if (hw.skip_codec.impl != Impl::kRtl) return;
  const char* key = "hardware.skip_codec.impl";
  if (hw.skip_fifo.compression != SkipCompression::kZvc)
    fail(latest_source(flat, {key, "hardware.skip_fifo.compression"}, source),
         "hardware.skip_codec.impl: rtl is the ZVC codec; set hardware.skip_fifo.compression: "
         "zvc, or skip_codec.impl: systemc");
#ifdef SKIPSIM_HAVE_RTL
  // The codecs take the lanes at run time, up to the width they are built for.
  if (hw.stream.lanes > SKIPSIM_RTL_LANES)
    fail(latest_source(flat, {key, "hardware.stream.lanes"}, source),
         fmt::format("{}: rtl is built for at most {} lanes, hardware.stream.lanes is {} (set "
                     "{}: systemc, or rebuild with -DSKIPSIM_RTL_LANES={})",
                     key, SKIPSIM_RTL_LANES, hw.stream.lanes, key, hw.stream.lanes));
#else
  fail(latest_source(flat, {key}, source),
       fmt::format("{}: rtl needs a build with Verilator (-DSKIPSIM_RTL=ON); this build has "
                   "systemc only",
                   key));
#endif
}

}  // namespace

void check_config(const Config& c, const Flat& flat, const std::string& source) {
  const WorkloadConfig& w = c.workload;
  if (w.block == BlockKind::kBasic && w.out_channels != w.c) {
    fail(latest_source(flat, {"workload.block", "workload.input.c", "workload.out_channels"},
                       source),
         fmt::format("workload.out_channels: a basic block adds X unchanged (identity shortcut), "
                     "so out_channels must equal input.c ({}), got {}; use block: downsample to "
                     "change the channel count",
                     w.c, w.out_channels));
  }
  const SkipFifoConfig& sf = c.hardware.skip_fifo;
  if (sf.policy == SkipPolicy::kSpill && sf.impl == Impl::kRtl) {
    fail(latest_source(flat, {"hardware.skip_fifo.policy", "hardware.skip_fifo.impl"}, source),
         "hardware.skip_fifo.policy: spill needs the SystemC skip FIFO (the RTL has no DRAM "
         "port); set hardware.skip_fifo.impl: systemc or policy: block");
  }
  if (sf.compression != SkipCompression::kNone) {
    const char* key = "hardware.skip_fifo.compression";
    const std::string codec(enum_name(sf.compression));
    if (sf.impl != Impl::kSystemC)
      fail(latest_source(flat, {key, "hardware.skip_fifo.impl"}, source),
           fmt::format("hardware.skip_fifo.compression: {} stores words in the SystemC skip "
                       "FIFO; set hardware.skip_fifo.impl: systemc, or compression: none",
                       codec));
    if (c.hardware.sram.width_bytes > kMaxLanes)
      fail(latest_source(flat, {key, "hardware.sram.width_bytes"}, source),
           fmt::format("hardware.skip_fifo.compression: {} packs into words of "
                       "hardware.sram.width_bytes, at most {} bytes; got {}",
                       codec, kMaxLanes, c.hardware.sram.width_bytes));
    if (sf.compression == SkipCompression::kRlc && c.hardware.sram.width_bytes < 2)
      fail(latest_source(flat, {key, "hardware.sram.width_bytes"}, source),
           fmt::format("hardware.skip_fifo.compression: rlc packs 13-bit pairs into words of "
                       "hardware.sram.width_bytes, at least 2 bytes; got {}",
                       c.hardware.sram.width_bytes));
  }
  if (c.npu.skip_compression != SkipCompression::kNone && c.hardware.sram.width_bytes > kMaxLanes)
    fail(latest_source(flat, {"npu.skip_compression", "hardware.sram.width_bytes"}, source),
         fmt::format("npu.skip_compression: {} packs into words of hardware.sram.width_bytes, at "
                     "most {} bytes; got {}",
                     enum_name(c.npu.skip_compression), kMaxLanes, c.hardware.sram.width_bytes));
  const int64_t burst = c.hardware.dram.burst_bytes;
  // The FIFO's entries: beats of stream.lanes, or compressed words of sram.width_bytes.
  const bool packed = sf.compression != SkipCompression::kNone;
  const int lanes = packed ? c.hardware.sram.width_bytes : c.hardware.stream.lanes;
  const char* lanes_key = packed ? "hardware.sram.width_bytes" : "hardware.stream.lanes";
  const char* entry_name = packed ? "words" : "beats";
  // A ring slot is one burst, or several when an entry is wider than a burst.
  const auto slot = static_cast<int64_t>(spill_slot_bytes(static_cast<int>(burst), lanes));
  if (sf.spill_ring_bytes != 0 && (sf.spill_ring_bytes < 2 * slot || sf.spill_ring_bytes % burst)) {
    fail(latest_source(
             flat, {"hardware.skip_fifo.spill_ring_bytes", "hardware.dram.burst_bytes", lanes_key},
             source),
         fmt::format("hardware.skip_fifo.spill_ring_bytes: expected 0 (two frames of the skip "
                     "tensor) or a multiple of hardware.dram.burst_bytes ({}) of at least two "
                     "{} ({}), got {}",
                     burst,
                     slot == burst ? std::string("bursts")
                                   : fmt::format("ring slots of {} B ({} {} in whole bursts)", slot,
                                                 lanes_key, lanes),
                     2 * slot, sf.spill_ring_bytes));
  }
  const int64_t beats_per_burst = std::max<int64_t>(1, burst / lanes);
  if (sf.policy == SkipPolicy::kSpill && sf.depth < beats_per_burst) {
    fail(latest_source(flat,
                       {"hardware.skip_fifo.depth", "hardware.skip_fifo.policy",
                        "hardware.dram.burst_bytes", lanes_key},
                       source),
         fmt::format("hardware.skip_fifo.depth: policy spill fills whole DRAM bursts back on "
                     "chip, so depth must be at least hardware.dram.burst_bytes / "
                     "{} = {} / {} = {} {}, got {}",
                     lanes_key, burst, lanes, beats_per_burst, entry_name, sf.depth));
  }
  if (!c.hardware.sram.dual_port && sf.impl == Impl::kRtl) {
    fail(latest_source(flat, {"hardware.sram.dual_port", "hardware.skip_fifo.impl"}, source),
         "hardware.sram.dual_port: false (1RW banks) is modelled by the SystemC skip FIFO only; "
         "hardware.skip_fifo.impl: rtl needs dual_port: true");
  }
  check_rtl(c, flat, source);
}

}  // namespace skipsim
