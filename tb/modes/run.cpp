#include "tb/modes/run.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "hw/common/errors.hpp"
#include "hw/rtl/rtl_checks.hpp"
#include "tb/observe/deadlock.hpp"
#include "tb/observe/stats_json.hpp"
#include "tb/observe/waveform.hpp"
#ifdef SKIPSIM_HAVE_RTL
#include "hw/rtl/rtl_traceable.hpp"
#include "verilated.h"
#include "verilated_vcd_sc.h"
#endif
#include "tb/top/residual_block.hpp"

namespace skipsim {

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
  // The waveform writer and an RTL twin act on every edge: no clock gating with them.
  simulate(top.blocks(), top.monitor(), cfg.sim.skip_idle_edges, !wave && !top.lockstep());
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
  if (top.lockstep()) top.lockstep()->finish();
  if (top.lockstep() && !top.lockstep()->equal()) r.end = RunResult::End::kCosimMismatch;
  // The RTL blocks' checks of their own outputs (the cosim twin's too).
  std::vector<std::pair<std::string, const RtlChecked*>> checked;
  for (HwBlock* b : top.blocks())
    if (const auto* c = dynamic_cast<const RtlChecked*>(b))
      checked.emplace_back(b->block_name(), c);
  if (top.cosim_twin_checks())
    checked.emplace_back(top.cosim_module() + "_rtl", top.cosim_twin_checks());
  for (const auto& [name, c] : checked)
    if (r.rtl_failure.empty() && !c->rtl_failure().empty()) r.rtl_failure = c->rtl_failure();
  if (!r.rtl_failure.empty()) r.end = RunResult::End::kRtlCheckFailed;
  r.stats = build_report(top, cfg, r.end, wall);
  if (!checked.empty()) {
    StatsNode& rc = r.stats.child("rtl_checks");
    for (const auto& [name, c] : checked) c->report_rtl_checks(rc.child(name));
    if (!r.rtl_failure.empty()) r.stats.set("rtl_check_failure", r.rtl_failure);
  }
  if (r.end == RunResult::End::kDeadlock) {
    std::vector<Stream*> sp;
    for (const auto& s : top.streams()) sp.push_back(s.get());
    const DeadlockDiagnosis d = diagnose_deadlock(top.blocks(), sp);
    r.deadlock_text = d.text;
    StatsNode& dn = r.stats.child("deadlock_report");
    d.report(dn);
    dn.set("last_transfer_cycle", top.monitor().last_activity_cycle())
        .set("detected_cycle", top.monitor().cycle())
        .set("detected_by", top.monitor().deadlock_was_quiescent() ? "fixed_point" : "window");
  }
  if (top.lockstep()) top.lockstep()->report(r.stats.child("cosim"));
  r.report = stats_to_json(r.stats);
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

RunVerdict finish_run(RunResult& r, const Config& cfg, const BlockParams& params, bool check) {
  const bool finished = r.end == RunResult::End::kFinished;
  bool mismatch = false;
  StatsNode& out = r.stats.child("output");
  out.set("h", r.output.h).set("w", r.output.w).set("c", r.output.c);
  if (finished && check) {
    const Tensor8 ref = golden_block(params);
    uint64_t bad = 0;
    for (size_t i = 0; i < ref.data.size(); ++i) bad += ref.data[i] != r.output.data[i];
    mismatch = bad != 0 || !(ref.h == r.output.h && ref.w == r.output.w && ref.c == r.output.c);
    out.set("matches_golden", !mismatch).set("mismatches", bad).set("values", ref.data.size());
  }
  r.report = stats_to_json(r.stats);
  RunVerdict v;
  if (r.end == RunResult::End::kDeadlock) {
    const auto& d = r.report["deadlock_report"];
    v.exit_code = 3;
    v.message = fmt::format(
        "skipsim: deadlock at cycle {} ({}): {}", r.report["cycles"].get<uint64_t>(),
        d["detected_by"] == "fixed_point"
            ? std::string("every block waits on a stream, nothing in flight")
            : fmt::format("no transfer for {} cycles", r.report["deadlock_window"].get<uint64_t>()),
        r.deadlock_text);
  } else if (r.end == RunResult::End::kCycleLimit) {
    v.exit_code = 5;
    v.message = fmt::format(
        "skipsim: stopped at sim.max_cycles = {} before the block finished (raise it, or 0 = no "
        "limit)",
        cfg.sim.max_cycles);
  } else if (mismatch) {
    v.exit_code = 1;
    v.message = fmt::format(
        "skipsim: internal error: the output differs from the golden model in {} values",
        r.report["output"]["mismatches"].get<uint64_t>());
  }
  return v;
}

}  // namespace skipsim
