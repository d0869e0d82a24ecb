#include "tb/modes/fused_run.hpp"

#include <chrono>
#include <sstream>

#include <fmt/format.h>

#include "hw/common/errors.hpp"
#include "hw/skip_fifo/skip_fifo.hpp"
#include "tb/top/block_description.hpp"

namespace skipsim {

BlockShape parse_block_shape(const std::string& spec, const std::string& what) {
  std::vector<std::string> f;
  std::stringstream ss(spec);
  for (std::string t; std::getline(ss, t, ',');) f.push_back(t);
  const auto bad = [&] {
    return InputError(fmt::format(
        "{} '{}': expected KIND,H,W,C,OUT_C,WIDTH,STRIDE (KIND one of {}; numbers >= 0)", what,
        spec, fmt::join(enum_names<BlockKind>(), ", ")));
  };
  if (f.size() != 7) throw bad();
  const auto kind = parse_enum<BlockKind>(f[0]);
  if (!kind) throw bad();
  int v[6];
  for (int i = 0; i < 6; ++i) {
    const std::string& t = f[i + 1];
    if (t.empty() || t.size() > 6 || t.find_first_not_of("0123456789") != std::string::npos)
      throw bad();
    v[i] = std::stoi(t);
  }
  BlockShape s;
  s.kind = *kind;
  s.h = v[0], s.w = v[1], s.c = v[2], s.out_c = v[3], s.width = v[4], s.stride = v[5];
  if (s.h < 1 || s.w < 1 || s.c < 1 || s.out_c < 1 || s.stride < 1) throw bad();
  return s;
}

std::string block_shape_spec(const BlockShape& s) {
  return fmt::format("{},{},{},{},{},{},{}", enum_name(s.kind), s.h, s.w, s.c, s.out_c, s.width,
                     s.stride);
}

FusedInput load_fused(const std::vector<std::string>& names, const std::vector<std::string>& dirs,
                      const std::vector<BlockShape>& shapes, const std::vector<uint64_t>& depths) {
  if (dirs.empty() || names.size() != dirs.size() || shapes.size() != dirs.size() ||
      (!depths.empty() && depths.size() != dirs.size()))
    throw InputError(fmt::format(
        "run-fused: {} --name, {} --tensors, {} --shape and {} depths; expected one of each per "
        "block (depths optional)",
        names.size(), dirs.size(), shapes.size(), depths.size()));
  FusedInput in;
  for (size_t i = 0; i < dirs.size(); ++i) {
    BlockParams p = load_block(dirs[i], shapes[i]);
    FusedBlock b;
    b.name = names[i];
    b.desc = describe_block(p);
    b.skip_depth = depths.empty() ? 0 : depths[i];
    in.blocks.push_back(std::move(b));
    in.params.push_back(std::move(p));
  }
  return in;
}

FusedRunResult run_fused(const Config& cfg, const FusedInput& in, bool check_golden) {
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  FusedPipeline top("top", cfg, in.blocks, in.params.front().input);
  const auto t0 = std::chrono::steady_clock::now();
  simulate(top.blocks(), top.monitor(), cfg.sim.skip_idle_edges, true);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  FusedRunResult r;
  const Monitor::End end = top.monitor().end();
  r.deadlock = end == Monitor::End::kDeadlock;
  r.cycle_limit = end == Monitor::End::kCycleLimit;
  nlohmann::json& j = r.report;
  j["cycles"] = top.monitor().cycle();
  j["finished"] = end == Monitor::End::kFinished;
  j["deadlock"] = r.deadlock;
  j["sim_seconds"] = wall;
  const int lanes = cfg.hardware.stream.lanes, width = cfg.hardware.sram.width_bytes;
  uint64_t fifo_bytes = 0;
  j["blocks"] = nlohmann::json::array();
  for (size_t i = 0; i < top.stages().size(); ++i) {
    FusedStage& st = *top.stages()[i];
    const SkipFifoStats& fs = st.skip_fifo().stats();
    const uint64_t bytes = skip_fifo_storage(fs.max_occupancy, lanes).sram_bytes(width);
    fifo_bytes += bytes;
    nlohmann::json b;
    b["name"] = in.blocks[i].name;
    b["fifos"]["skip"] = {{"depth", st.skip_fifo().depth()},
                          {"max_occupancy", fs.max_occupancy},
                          {"max_occupancy_bytes", bytes}};
    nlohmann::json stalls = nlohmann::json::object();
    for (HwBlock* hb : st.blocks()) {
      const StallStats& s = hb->stall_stats();
      stalls[hb->block_name()] = {{"busy", s.busy},
                                  {"starved", s.starved},
                                  {"blocked", s.blocked},
                                  {"waiting_dram", s.waiting_dram}};
    }
    b["stalls"] = stalls;
    j["blocks"].push_back(b);
  }
  j["skip_fifo_bytes"] = fifo_bytes;
  j["sram"] = {{"capacity_bytes", top.sram().capacity()}, {"used_bytes", top.sram().used()}};
  if (check_golden) {
    Tensor8 x = in.params.front().input;
    for (const BlockParams& p : in.params) {
      BlockParams q = p;
      q.input = std::move(x);
      x = golden_block(q);
    }
    const Tensor8 got = top.read_output();
    uint64_t bad = 0;
    for (size_t i = 0; i < x.data.size(); ++i)
      bad += i >= got.data.size() || got.data[i] != x.data[i];
    r.matches_golden = bad == 0 && got.data.size() == x.data.size();
    j["output"] = {{"matches_golden", r.matches_golden},
                   {"mismatches", bad},
                   {"values", static_cast<uint64_t>(x.data.size())}};
  }
  return r;
}

}  // namespace skipsim
