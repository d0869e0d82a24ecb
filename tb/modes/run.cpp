#include "tb/modes/run.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "hw/common/errors.hpp"
#include "tb/observe/deadlock.hpp"
#include "tb/observe/waveform.hpp"
#ifdef SKIPSIM_HAVE_RTL
#include "hw/rtl/rtl_traceable.hpp"
#include "verilated.h"
#include "verilated_vcd_sc.h"
#endif
#include "tb/top/residual_block.hpp"

namespace skipsim {

namespace {

double peak_rss_mib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

nlohmann::json stall_json(const HwBlock& b) {
  const StallStats& s = b.stall_stats();
  nlohmann::json j{{"busy", s.busy},
                   {"starved", s.starved},
                   {"blocked", s.blocked},
                   {"waiting_dram", s.waiting_dram},
                   {"idle", s.idle}};
  const auto in = b.input_ports();
  const auto out = b.output_ports();
  nlohmann::json son = nlohmann::json::object(), bon = nlohmann::json::object();
  for (size_t i = 0; i < in.size() && i < 2; ++i) son[in[i]] = s.starved_on[i];
  for (size_t i = 0; i < out.size() && i < 2; ++i) bon[out[i]] = s.blocked_on[i];
  j["starved_on"] = son;
  j["blocked_on"] = bon;
  return j;
}

nlohmann::json build_report(ResidualBlock& top, const Config& cfg, const RunResult& r,
                            double wall) {
  const Monitor& mon = top.monitor();
  const uint64_t cycles =
      r.end == RunResult::End::kFinished ? top.dma_write().finish_cycle() : mon.cycle();
  nlohmann::json j;
  j["cycles"] = cycles;
  j["deadlock"] = r.end == RunResult::End::kDeadlock;
  j["finished"] = r.end == RunResult::End::kFinished;
  j["cycle_limit_reached"] = r.end == RunResult::End::kCycleLimit;
  j["clock_ghz"] = cfg.hardware.clock_ghz;
  j["simulated_ns"] = static_cast<double>(cycles) / cfg.hardware.clock_ghz;
  j["sim_seconds"] = wall;
  j["sim_cycles_per_second"] = wall > 0 ? static_cast<double>(mon.cycle()) / wall : 0.0;
  j["peak_rss_mib"] = peak_rss_mib();
  j["deadlock_window"] = top.deadlock_window();

  const auto& w = cfg.workload;
  j["workload"] = {{"block", std::string(enum_name(w.block))},
                   {"input", {{"h", w.h}, {"w", w.w}, {"c", w.c}}},
                   {"output", {{"h", top.out_h()}, {"w", top.out_w()}, {"c", top.out_c()}}},
                   {"seed", w.seed},
                   {"frames", w.frames}};

  const SkipFifoStats& fs = top.skip_fifo().stats();
  j["fifos"]["skip"] = {
      {"depth", fs.depth},
      {"max_occupancy", fs.max_occupancy},
      {"mean_occupancy", fs.cycles ? static_cast<double>(fs.occupancy_sum) / fs.cycles : 0.0},
      {"push_blocked_cycles", fs.push_blocked_cycles},
      {"pop_starved_cycles", fs.pop_starved_cycles},
      {"pushes", fs.pushes},
      {"pops", fs.pops},
      {"bytes_per_beat", cfg.hardware.stream.lanes},
      {"policy", std::string(enum_name(cfg.hardware.skip_fifo.policy))}};
  {
    uint64_t sram_bytes = 0;
    const std::string prefix = std::string(top.skip_fifo().name()) + ".";
    for (const auto& reg : top.sram().regions())
      if (reg.name.rfind(prefix, 0) == 0) sram_bytes += reg.bytes;
    j["fifos"]["skip"]["sram_bytes"] = sram_bytes;
  }
  if (const SpillSkipFifo* sf = top.spill_fifo()) {
    const SpillStats& ss = sf->spill_stats();
    j["fifos"]["skip"]["spill"] = {{"ring_bytes", sf->spill_config().ring_bytes},
                                   {"beats_per_burst", sf->beats_per_burst()},
                                   {"staging_beats", sf->staging_beats()},
                                   {"spill_bytes", ss.spill_bytes},
                                   {"fill_bytes", ss.fill_bytes},
                                   {"spill_bursts", ss.spill_bursts},
                                   {"fill_bursts", ss.fill_bursts},
                                   {"max_onchip_occupancy", ss.max_onchip},
                                   {"max_ring_bursts", ss.max_ring_bursts},
                                   {"input_blocked_cycles", ss.input_blocked_cycles},
                                   {"fill_wait_cycles", ss.fill_wait_cycles},
                                   {"stall_cycles", ss.input_blocked_cycles + ss.fill_wait_cycles}};
  }
  if (const auto* sf = dynamic_cast<const SkipFifo*>(&top.skip_fifo()))
    j["fifos"]["skip"]["bank_conflict_cycles"] = sf->bank_conflict_cycles();
  {
    // Cycles at each occupancy, up to the bucket of the peak.
    const size_t used = fs.max_occupancy / fs.bucket_width + 1;
    std::vector<uint64_t> counts(fs.histogram.begin(),
                                 fs.histogram.begin() + std::min(used, fs.histogram.size()));
    j["fifos"]["skip"]["histogram"] = {{"bucket_width", fs.bucket_width}, {"counts", counts}};
  }

  j["fifos"]["skip"]["max_occupancy_per_frame"] = fs.max_occupancy_per_frame;
  const auto& fd = top.dma_write().frame_done_cycles();
  j["frames"] = {{"count", w.frames}, {"done_cycles", fd}};
  if (fd.size() >= 2) j["frames"]["steady_state_cycles_per_frame"] = fd.back() - fd[fd.size() - 2];
  nlohmann::json mods = nlohmann::json::object();
  for (HwBlock* b : top.blocks()) mods[b->block_name()] = stall_json(*b);
  nlohmann::json util = nlohmann::json::object();
  for (ConvEngine* e : top.engines()) {
    const std::string n = e->block_name();
    util[n] = e->mac_utilization(cycles);
    mods[n]["mac_utilization"] = util[n];
    mods[n]["cycles_per_pixel"] = e->cycles_per_pixel();
    mods[n]["pixels_out"] = e->pixels_out();
    mods[n]["dataflow"] = dataflow_name(e->config().dataflow);
    mods[n]["tile_pixels"] = e->tile_pixels();
    mods[n]["tiles"] = e->tiles();
    mods[n]["folds"] = e->folds();
    mods[n]["useful_macs"] = e->useful_macs();
    mods[n]["mac_array_impl"] = std::string(enum_name(e->datapath() ? Impl::kRtl : Impl::kSystemC));
    if (e->datapath()) {
      mods[n]["rtl_mismatched_cycles"] = e->datapath()->mismatched_cycles();
      mods[n]["rtl_first_mismatch"] = e->datapath()->first_mismatch();
    }
    mods[n]["line_buffer_pixels"] = e->line_buffer().capacity_pixels();
  }
  j["modules"] = mods;
  j["pipeline"] = nlohmann::json::array();
  for (HwBlock* b : top.blocks()) j["pipeline"].push_back(b->block_name());
  j["mac_utilization"] = util;

  nlohmann::json ch = nlohmann::json::object();
  const auto& cs = mon.channel_stats();
  for (size_t i = 0; i < mon.streams().size(); ++i) {
    const Stream& s = *mon.streams()[i];
    ch[s.name] = {{"producer", s.producer},
                  {"consumer", s.consumer},
                  {"transfers", cs[i].transfers},
                  {"valid_not_ready", cs[i].valid_not_ready},
                  {"ready_not_valid", cs[i].ready_not_valid}};
  }
  j["channels"] = ch;

  const DramStats& ds = top.dram().stats();
  // Per purpose, from the DMA engines that issued the requests.
  std::array<DmaPurposeStats, kDmaPurposes> pur{};
  std::vector<const DmaEngine*> dmas{&top.dma_read(), &top.dma_write()};
  if (top.dma_skip()) dmas.push_back(top.dma_skip());
  for (const DmaEngine* e : dmas) {
    for (int p = 0; p < kDmaPurposes; ++p) {
      const DmaPurposeStats& x = e->dma_stats().by_purpose[p];
      pur[p].requests += x.requests;
      pur[p].bytes += x.bytes;
      pur[p].slot_wait_cycles += x.slot_wait_cycles;
    }
  }
  nlohmann::json by = nlohmann::json::object();
  for (int p = 0; p < kDmaPurposes; ++p)
    by[purpose_name(static_cast<DmaPurpose>(p))] = {{"requests", pur[p].requests},
                                                    {"bytes", pur[p].bytes},
                                                    {"slot_wait_cycles", pur[p].slot_wait_cycles}};
  const auto bytes_of = [&](DmaPurpose p) { return pur[static_cast<int>(p)].bytes; };
  j["dram"] = {
      {"model", std::string(enum_name(cfg.hardware.dram.model))},
      {"bytes_read", ds.bytes_read},
      {"bytes_written", ds.bytes_written},
      {"reads", ds.reads},
      {"writes", ds.writes},
      {"requests", ds.reads + ds.writes},
      {"avg_latency_ns", ds.responses ? ds.latency_sum_ns / ds.responses : 0.0},
      {"max_latency_ns", ds.latency_max_ns},
      {"by_purpose", by},
      {"bytes_read_by_purpose",
       {{"weights", bytes_of(DmaPurpose::kWeights)},
        {"input", bytes_of(DmaPurpose::kInput)},
        {"fill", bytes_of(DmaPurpose::kFill)}}},
      {"bytes_written_by_purpose",
       {{"output", bytes_of(DmaPurpose::kOutput)}, {"spill", bytes_of(DmaPurpose::kSpill)}}}};
  if (top.dram_controller()) {
    j["dram"]["preset"] = top.dram_controller()->controller().config().name;
    j["dram"]["ddr"] = top.dram_controller()->model_json();
  }

  nlohmann::json sram = {{"capacity_bytes", top.sram().capacity()},
                         {"used_bytes", top.sram().used()},
                         {"dual_port", top.sram().dual_port()}};
  uint64_t sram_rd = 0, sram_wr = 0, conflicts = 0;
  for (const auto& reg : top.sram().regions()) {
    sram["regions"][reg.name] = {{"bytes", reg.bytes},
                                 {"reads", reg.reads},
                                 {"writes", reg.writes},
                                 {"conflicts", reg.conflicts}};
    sram_rd += reg.reads;
    sram_wr += reg.writes;
    conflicts += reg.conflicts;
  }
  sram["bank_conflicts"] = conflicts;
  j["sram"] = sram;

  // Energy from the per-access parameters (hardware.energy).
  const EnergyConfig& en = cfg.hardware.energy;
  uint64_t macs = 0;
  for (ConvEngine* e : top.engines()) macs += e->useful_macs();
  const double e_mac = static_cast<double>(macs) * en.mac_pj;
  const double e_rd = static_cast<double>(sram_rd) * en.sram_read_pj_per_byte;
  const double e_wr = static_cast<double>(sram_wr) * en.sram_write_pj_per_byte;
  // The DDR model counts its own command and background energy (its preset's IDD figures);
  // the simple model has only the per-byte figure.
  const bool ddr_energy = top.dram_controller() != nullptr;
  const double e_dram =
      ddr_energy ? j["dram"]["ddr"]["energy_pj"]["total"].get<double>()
                 : static_cast<double>(ds.bytes_read + ds.bytes_written) * en.dram_pj_per_byte;
  j["energy_pj"] = {{"mac", e_mac},
                    {"sram_read", e_rd},
                    {"sram_write", e_wr},
                    {"dram", e_dram},
                    {"total", e_mac + e_rd + e_wr + e_dram},
                    {"dram_source", ddr_energy ? "ddr_commands" : "per_byte"}};

  // The bottleneck: the block that was busy the largest share of the run.
  std::string bottleneck;
  uint64_t best = 0;
  for (HwBlock* b : top.blocks()) {
    if (b->stall_stats().busy > best) {
      best = b->stall_stats().busy;
      bottleneck = b->block_name();
    }
  }
  j["bottleneck"] = {{"block", bottleneck},
                     {"busy_fraction", cycles ? static_cast<double>(best) / cycles : 0.0}};
  return j;
}

}  // namespace

RunResult run_block(const Config& cfg, const BlockParams& params, const RunOptions& opt) {
  RunResult r;
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
#ifdef SKIPSIM_HAVE_RTL
  if (!opt.vcd_path.empty()) Verilated::traceEverOn(true);  // before any model exists
#endif
  ResidualBlock top("top", cfg, params, opt.cosim);
  uint64_t expected = 0;
  for (ConvEngine* e : top.engines())
    expected =
        std::max<uint64_t>(expected, static_cast<uint64_t>(e->cycles_per_pixel() * top.out_h() *
                                                           top.out_w() * cfg.workload.frames));
  std::unique_ptr<Waveform> wave;
  if (!opt.vcd_path.empty()) {
    WaveformOptions wo;
    wo.path = opt.vcd_path;
    wo.scopes = opt.vcd_scopes;
    if (!opt.vcd_window.empty()) parse_vcd_window(opt.vcd_window, wo);
    // What the waveform's size estimate needs: every stream carries at most the largest
    // tensor of the block (input, conv1's output or the output), in beats.
    const int lanes = cfg.hardware.stream.lanes;
    uint64_t beats = 0;
    for (ConvEngine* e : top.engines()) {
      const ConvEngineConfig& ec = e->config();
      const ConvGeometry& g = ec.geom;
      beats = std::max<uint64_t>(
          {beats, static_cast<uint64_t>(g.h) * g.w * ((g.c + lanes - 1) / lanes),
           static_cast<uint64_t>(g.out_h()) * g.out_w() * ((ec.out_c + lanes - 1) / lanes)});
    }
    wo.expected_cycles = expected;
    wo.expected_beats = beats * static_cast<uint64_t>(cfg.workload.frames);
    wo.expected_dram_bursts =
        top.layout().size / static_cast<uint64_t>(std::max(1, cfg.hardware.dram.burst_bytes));
    wo.max_bytes = static_cast<uint64_t>(opt.vcd_max_mb * 1e6);
    wave = std::make_unique<Waveform>("waveform", top, wo);
    wave->clk.bind(top.clock());
  }
#ifdef SKIPSIM_HAVE_RTL
  // Verilator's own VCD of the RTL blocks' internals, on the same time base (ps).
  std::unique_ptr<VerilatedVcdSc> rtl_vcd;
  std::vector<RtlTraceable*> rtl_blocks;
  for (HwBlock* b : top.blocks())
    if (auto* t = dynamic_cast<RtlTraceable*>(b)) rtl_blocks.push_back(t);
  if (!opt.vcd_path.empty() && !rtl_blocks.empty()) {
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    rtl_vcd = std::make_unique<VerilatedVcdSc>();
    for (RtlTraceable* t : rtl_blocks) t->trace_rtl(rtl_vcd.get(), 99);
    std::filesystem::path p(opt.vcd_path);
    p.replace_extension(".rtl.vcd");
    rtl_vcd->open(p.c_str());
  }
#endif
  if (!opt.occupancy_csv.empty()) top.skip_fifo().enable_time_series();
  if (opt.progress) {
    top.monitor().set_progress([expected](uint64_t c) {
      const double f = expected ? std::min(1.0, static_cast<double>(c) / expected) : 0.0;
      std::fprintf(stderr, "\r  simulating: cycle %llu (~%3.0f%%)",
                   static_cast<unsigned long long>(c), 100 * f);
    });
  }
  const auto t0 = std::chrono::steady_clock::now();
  sc_core::sc_start();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (opt.progress) std::fprintf(stderr, "\r%60s\r", "");
  switch (top.monitor().end()) {
    case Monitor::End::kDeadlock:
      r.end = RunResult::End::kDeadlock;
      break;
    case Monitor::End::kCycleLimit:
      r.end = RunResult::End::kCycleLimit;
      break;
    default:
      r.end = RunResult::End::kFinished;
      break;
  }
  if (top.lockstep() && !top.lockstep()->equal()) r.end = RunResult::End::kCosimMismatch;
  r.report = build_report(top, cfg, r, wall);
  if (r.end == RunResult::End::kDeadlock) {
    std::vector<Stream*> sp;
    for (const auto& s : top.streams()) sp.push_back(s.get());
    const DeadlockDiagnosis d = diagnose_deadlock(top.blocks(), sp);
    r.deadlock_text = d.text;
    nlohmann::json dj = d.to_json();
    dj["last_transfer_cycle"] = top.monitor().last_activity_cycle();
    dj["detected_cycle"] = top.monitor().cycle();
    dj["detected_by"] = top.monitor().deadlock_was_quiescent() ? "fixed_point" : "window";
    r.report["deadlock_report"] = dj;
  }
  if (top.lockstep()) r.report["cosim"] = top.lockstep()->to_json();
  r.output = top.read_output();
  if (!opt.occupancy_csv.empty()) {
    std::FILE* f = std::fopen(opt.occupancy_csv.c_str(), "w");
    if (!f) throw InputError("cannot write '" + opt.occupancy_csv + "'");
    std::fprintf(f, "cycle,occupancy\n");
    for (const auto& s : top.skip_fifo().time_series())
      std::fprintf(f, "%llu,%llu\n", static_cast<unsigned long long>(s.cycle),
                   static_cast<unsigned long long>(s.occupancy));
    std::fclose(f);
  }
#ifdef SKIPSIM_HAVE_RTL
  if (rtl_vcd) rtl_vcd->close();
#endif
  return r;
}

std::string format_report_table(const nlohmann::json& j) {
  std::string s;
  const auto& wl = j["workload"];
  s += fmt::format("skipsim: {} block {}x{}x{} -> {}x{}x{}\n", wl["block"].get<std::string>(),
                   wl["input"]["h"].get<int>(), wl["input"]["w"].get<int>(),
                   wl["input"]["c"].get<int>(), wl["output"]["h"].get<int>(),
                   wl["output"]["w"].get<int>(), wl["output"]["c"].get<int>());
  const std::string status = j["deadlock"].get<bool>()              ? "DEADLOCK"
                             : j["cycle_limit_reached"].get<bool>() ? "CYCLE LIMIT"
                                                                    : "finished";
  s += fmt::format("  {:<22}{} cycles ({:.1f} us at {} GHz), {}\n", "cycles",
                   j["cycles"].get<uint64_t>(), j["simulated_ns"].get<double>() / 1000.0,
                   j["clock_ghz"].get<double>(), status);
  s += fmt::format("  {:<22}{:.2f} s wall, {:.0f} cycles/s, peak RSS {:.0f} MiB\n", "speed",
                   j["sim_seconds"].get<double>(), j["sim_cycles_per_second"].get<double>(),
                   j["peak_rss_mib"].get<double>());
  const auto& f = j["fifos"]["skip"];
  s += fmt::format("  {:<22}depth {}, max occupancy {}, mean {:.1f}, push blocked {} cycles\n",
                   "skip FIFO (beats)", f["depth"].get<uint64_t>(),
                   f["max_occupancy"].get<uint64_t>(), f["mean_occupancy"].get<double>(),
                   f["push_blocked_cycles"].get<uint64_t>());
  if (f.contains("spill")) {
    const auto& sp = f["spill"];
    s += fmt::format(
        "  {:<22}spilled {} B, filled {} B, on-chip peak {} beats, stall {} cycles (input "
        "blocked {}, waiting for fill {})\n",
        "skip spill", sp["spill_bytes"].get<uint64_t>(), sp["fill_bytes"].get<uint64_t>(),
        sp["max_onchip_occupancy"].get<uint64_t>(), sp["stall_cycles"].get<uint64_t>(),
        sp["input_blocked_cycles"].get<uint64_t>(), sp["fill_wait_cycles"].get<uint64_t>());
  }
  const auto& d = j["dram"];
  s += fmt::format("  {:<22}{} model{}, read {} B, written {} B, {} requests\n", "DRAM",
                   d["model"].get<std::string>(),
                   d.contains("preset") ? " " + d["preset"].get<std::string>() : std::string(),
                   d["bytes_read"].get<uint64_t>(), d["bytes_written"].get<uint64_t>(),
                   d["requests"].get<uint64_t>());
  for (const auto& [purpose, v] : d["by_purpose"].items()) {
    if (v["requests"].get<uint64_t>() == 0) continue;
    s += fmt::format("  {:<22}{:>10} B in {:>7} requests, {} cycles waiting for a DMA slot\n",
                     "  " + purpose, v["bytes"].get<uint64_t>(), v["requests"].get<uint64_t>(),
                     v["slot_wait_cycles"].get<uint64_t>());
  }
  if (d.contains("ddr")) {
    const auto& x = d["ddr"];
    const auto& rl = x["read_latency"];
    const auto& c = x["commands"];
    s += fmt::format(
        "  {:<22}read latency avg {:.1f} p50 {} p99 {} max {} DRAM cycles; {:.2f} GB/s "
        "({:.1f}% of peak)\n",
        "DDR", rl["avg"].get<double>(), rl["p50"].get<uint64_t>(), rl["p99"].get<uint64_t>(),
        rl["max"].get<uint64_t>(), x["bandwidth_gbps"].get<double>(),
        100.0 * x["bandwidth_fraction_of_peak"].get<double>());
    s += fmt::format(
        "  {:<22}rows: {} hits, {} misses, {} conflicts; ACT {} PRE {} RD {} WR {} REF {}; "
        "{:.2f} uJ\n",
        "", x["row_hits"].get<uint64_t>(), x["row_misses"].get<uint64_t>(),
        x["row_conflicts"].get<uint64_t>(), c["ACT"].get<uint64_t>(), c["PRE"].get<uint64_t>(),
        c["RD"].get<uint64_t>(), c["WR"].get<uint64_t>(), c["REF"].get<uint64_t>(),
        x["energy_pj"]["total"].get<double>() * 1e-6);
  }
  if (j.contains("sram")) {
    const auto& sr = j["sram"];
    s += fmt::format("  {:<22}{} of {} B used, {} ports, {} bank conflicts\n", "SRAM",
                     sr["used_bytes"].get<uint64_t>(), sr["capacity_bytes"].get<uint64_t>(),
                     sr["dual_port"].get<bool>() ? "1R+1W" : "1RW",
                     sr["bank_conflicts"].get<uint64_t>());
  }
  if (j.contains("energy_pj")) {
    const auto& e = j["energy_pj"];
    s += fmt::format("  {:<22}{:.2f} uJ: MAC {:.2f}, SRAM read {:.2f}, write {:.2f}, DRAM {:.2f}\n",
                     "energy", e["total"].get<double>() * 1e-6, e["mac"].get<double>() * 1e-6,
                     e["sram_read"].get<double>() * 1e-6, e["sram_write"].get<double>() * 1e-6,
                     e["dram"].get<double>() * 1e-6);
  }
  if (j.contains("output") && j["output"].contains("matches_golden")) {
    s += fmt::format(
        "  {:<22}{}\n", "golden check",
        j["output"]["matches_golden"].get<bool>()
            ? "output matches the golden model"
            : fmt::format("MISMATCH in {} of {} values", j["output"]["mismatches"].get<uint64_t>(),
                          j["output"]["values"].get<uint64_t>()));
  }
  const double cycles = std::max<double>(1.0, j["cycles"].get<double>());
  s += fmt::format("\n  {:<11}{:>8}{:>9}{:>9}{:>11}{:>8}{:>8}  {}\n", "block", "busy%", "starved%",
                   "blocked%", "wait_dram%", "idle%", "MAC%", "waits most on");
  for (const auto& name_j : j["pipeline"]) {
    const std::string name = name_j.get<std::string>();
    const auto& m = j["modules"][name];
    auto pct = [&](const char* k) { return 100.0 * m[k].get<double>() / cycles; };
    const std::string mac = m.contains("mac_utilization")
                                ? fmt::format("{:.1f}", 100.0 * m["mac_utilization"].get<double>())
                                : "-";
    // The port this block lost the most cycles on.
    std::string most;
    uint64_t most_n = 0;
    for (const char* kind : {"starved_on", "blocked_on"}) {
      for (const auto& [port, n] : m[kind].items()) {
        if (n.get<uint64_t>() > most_n) {
          most_n = n.get<uint64_t>();
          most = fmt::format("{} {}", kind[0] == 's' ? "input" : "output", port);
        }
      }
    }
    if (m["waiting_dram"].get<uint64_t>() > most_n) most = "DRAM";
    s += fmt::format("  {:<11}{:>8.1f}{:>9.1f}{:>9.1f}{:>11.1f}{:>8.1f}{:>8}  {}\n", name,
                     pct("busy"), pct("starved"), pct("blocked"), pct("waiting_dram"), pct("idle"),
                     mac, most);
  }
  s += fmt::format("\n  bottleneck: {} (busy {:.1f}% of the cycles)\n",
                   j["bottleneck"]["block"].get<std::string>(),
                   100.0 * j["bottleneck"]["busy_fraction"].get<double>());
  if (j.contains("deadlock_report"))
    s += "  deadlock: " + j["deadlock_report"]["text"].get<std::string>() + "\n";
  return s;
}

}  // namespace skipsim
