#include "tb/observe/report.hpp"

#include "tb/top/chain_pipeline.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <vector>

namespace skipsim {

namespace {

double peak_rss_mib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

// The cycle the last output byte was written, or where the run stopped.
template <class Top>
uint64_t run_cycles(Top& top, RunEnd end) {
  return end == RunEnd::kFinished ? top.dma_write().finish_cycle() : top.monitor().cycle();
}

template <class Top>
void report_outcome(StatsNode& j, Top& top, const Config& cfg, RunEnd end, double wall) {
  const uint64_t cycles = run_cycles(top, end);
  j.set("cycles", cycles)
      .set("deadlock", end == RunEnd::kDeadlock)
      .set("finished", end == RunEnd::kFinished)
      .set("cycle_limit_reached", end == RunEnd::kCycleLimit)
      .set("clock_ghz", cfg.hardware.clock_ghz)
      .set("simulated_ns", static_cast<double>(cycles) / cfg.hardware.clock_ghz)
      .set("sim_seconds", wall)
      .set("sim_cycles_per_second",
           wall > 0 ? static_cast<double>(top.monitor().cycle()) / wall : 0.0)
      .set("peak_rss_mib", peak_rss_mib())
      .set("deadlock_window", top.deadlock_window());
}

void report_workload(StatsNode& j, ResidualBlock& top, const Config& cfg) {
  const auto& w = cfg.workload;
  StatsNode& n = j.child("workload");
  n.set("block", std::string(enum_name(w.block)));
  n.child("input").set("h", w.h).set("w", w.w).set("c", w.c);
  n.child("output").set("h", top.out_h()).set("w", top.out_w()).set("c", top.out_c());
  n.set("seed", w.seed).set("frames", w.frames);
}

void report_skip_fifo(StatsNode& j, ResidualBlock& top, const Config& cfg) {
  StatsNode& n = j.child("fifos").child("skip");
  top.skip_fifo().report_fifo(n);
  n.set("bytes_per_beat", cfg.hardware.stream.lanes)
      .set("policy", std::string(enum_name(cfg.hardware.skip_fifo.policy)))
      .set("compression", std::string(enum_name(cfg.hardware.skip_fifo.compression)));
  // An entry is a beat, or with compression a word of one SRAM row.
  const SkipCompressor* z = top.compressor();
  const uint64_t entry = z ? static_cast<uint64_t>(cfg.hardware.sram.width_bytes)
                           : static_cast<uint64_t>(cfg.hardware.stream.lanes);
  // The SRAM the peak occupancy takes (entries and their last bits, in whole rows), as the
  // network report counts it.
  const uint64_t peak =
      skip_fifo_storage(top.skip_fifo().stats().max_occupancy, static_cast<int>(entry))
          .sram_bytes(cfg.hardware.sram.width_bytes);
  n.set("bytes_per_entry", entry).set("max_occupancy_bytes", peak);
  if (z) {
    const CodecStats& c = z->codec_stats();
    const uint64_t packed = c.words * entry;
    // The beats held between the compressor's input and the decompressor's output at their
    // peak, as bytes of uncompressed beats: what the same run held in X's own size.
    n.set("max_occupancy_raw_bytes",
          top.monitor().max_in_flight() * static_cast<uint64_t>(cfg.hardware.stream.lanes));
    n.set("raw_bytes", c.raw_bytes)
        .set("compressed_bytes", packed)
        .set("compression_ratio", packed ? static_cast<double>(c.raw_bytes) / packed : 0.0)
        .set("zero_lane_fraction",
             c.beats ? static_cast<double>(c.zero_lanes) / (c.beats * cfg.hardware.stream.lanes)
                     : 0.0);
  }
}

void report_frames(StatsNode& j, ResidualBlock& top, const Config& cfg) {
  const auto& fd = top.dma_write().frame_done_cycles();
  StatsNode& n = j.child("frames");
  n.set("count", cfg.workload.frames).set("done_cycles", fd);
  if (fd.size() >= 2) n.set("steady_state_cycles_per_frame", fd.back() - fd[fd.size() - 2]);
}

template <class Top>
void report_modules(StatsNode& j, Top& top, uint64_t cycles) {
  StatsNode& mods = j.child("modules");
  std::vector<std::string> pipeline;
  for (HwBlock* b : top.blocks()) {
    b->report(mods.child(b->block_name()));
    pipeline.push_back(b->block_name());
  }
  StatsNode& util = j.child("mac_utilization");
  for (ConvEngine* e : top.engines()) {
    const double u = e->mac_utilization(cycles);
    util.set(e->block_name(), u);
    mods.child(e->block_name()).set("mac_utilization", u);
  }
  j.set("pipeline", pipeline);
}

template <class Top>
void report_channels(StatsNode& j, Top& top) {
  const Monitor& mon = top.monitor();
  StatsNode& ch = j.child("channels");
  const auto& cs = mon.channel_stats();
  for (size_t i = 0; i < mon.streams().size(); ++i) {
    const Stream& s = *mon.streams()[i];
    ch.child(s.name)
        .set("producer", s.producer)
        .set("consumer", s.consumer)
        .set("transfers", cs[i].transfers)
        .set("valid_not_ready", cs[i].valid_not_ready)
        .set("ready_not_valid", cs[i].ready_not_valid);
  }
}

template <class Top>
void report_dram(StatsNode& j, Top& top) {
  StatsNode& d = j.child("dram");
  top.dram().report(d);
  // Per purpose, from the DMA engines that issued the requests.
  std::vector<const DmaEngine*> dmas{&top.dma_read(), &top.dma_write()};
  if (top.dma_skip()) dmas.push_back(top.dma_skip());
  StatsNode& by = d.child("by_purpose");
  report_dma_purposes(dmas, by);
  const auto bytes = [&](const char* p) { return by.at(p).u64("bytes"); };
  d.child("bytes_read_by_purpose")
      .set("weights", bytes("weights"))
      .set("input", bytes("input"))
      .set("fill", bytes("fill"));
  d.child("bytes_written_by_purpose").set("output", bytes("output")).set("spill", bytes("spill"));
}

// Energy from the per-access parameters (hardware.energy).
template <class Top>
void report_energy(StatsNode& j, Top& top, const Config& cfg) {
  const EnergyConfig& en = cfg.hardware.energy;
  uint64_t macs = 0;
  for (ConvEngine* e : top.engines()) macs += e->useful_macs();
  uint64_t sram_rd = 0, sram_wr = 0;
  for (const auto& reg : top.sram().regions()) {
    sram_rd += reg.reads;
    sram_wr += reg.writes;
  }
  const double e_mac = static_cast<double>(macs) * en.mac_pj;
  const double e_rd = static_cast<double>(sram_rd) * en.sram_read_pj_per_byte;
  const double e_wr = static_cast<double>(sram_wr) * en.sram_write_pj_per_byte;
  // The DDR model counts its own command and background energy (its preset's IDD figures);
  // the simple model has only the per-byte figure.
  const StatsNode& d = j.at("dram");
  const bool ddr_energy = d.has("ddr");
  const double e_dram = ddr_energy
                            ? d.at("ddr").at("energy_pj").num("total")
                            : (d.num("bytes_read") + d.num("bytes_written")) * en.dram_pj_per_byte;
  j.child("energy_pj")
      .set("mac", e_mac)
      .set("sram_read", e_rd)
      .set("sram_write", e_wr)
      .set("dram", e_dram)
      .set("total", e_mac + e_rd + e_wr + e_dram)
      .set("dram_source", ddr_energy ? "ddr_commands" : "per_byte");
}

// The bottleneck: the block that was busy the largest share of the run.
template <class Top>
void report_bottleneck(StatsNode& j, Top& top, uint64_t cycles) {
  std::string bottleneck;
  uint64_t best = 0;
  for (HwBlock* b : top.blocks()) {
    if (b->stall_stats().busy > best) {
      best = b->stall_stats().busy;
      bottleneck = b->block_name();
    }
  }
  j.child("bottleneck")
      .set("block", bottleneck)
      .set("busy_fraction", cycles ? static_cast<double>(best) / cycles : 0.0);
}

}  // namespace

StatsNode build_report(ResidualBlock& top, const Config& cfg, RunEnd end, double wall) {
  const uint64_t cycles = run_cycles(top, end);
  StatsNode j;
  report_outcome(j, top, cfg, end, wall);
  report_workload(j, top, cfg);
  report_skip_fifo(j, top, cfg);
  report_frames(j, top, cfg);
  report_modules(j, top, cycles);
  report_channels(j, top);
  report_dram(j, top);
  top.sram().report(j.child("sram"));
  report_energy(j, top, cfg);
  report_bottleneck(j, top, cycles);
  return j;
}

StatsNode build_chain_report(ChainPipeline& top, const Config& cfg, const ChainDescription& d,
                             RunEnd end, double wall) {
  const uint64_t cycles = run_cycles(top, end);
  StatsNode j;
  report_outcome(j, top, cfg, end, wall);
  StatsNode& n = j.child("workload");
  n.set("block", d.kind);
  n.child("input").set("h", d.in_h).set("w", d.in_w).set("c", d.in_c);
  const ChainShape o = d.out_shape();
  n.child("output").set("h", o.h).set("w", o.w).set("bytes", o.bytes);
  report_modules(j, top, cycles);
  report_channels(j, top);
  report_dram(j, top);
  top.sram().report(j.child("sram"));
  report_energy(j, top, cfg);
  report_bottleneck(j, top, cycles);
  return j;
}

}  // namespace skipsim
