#include "tb/modes/chain_run.hpp"

#include <chrono>
#include <filesystem>

#include <fmt/format.h>

#include "hw/common/errors.hpp"
#include "tb/observe/report.hpp"
#include "tb/observe/stats_json.hpp"
#include "tb/ref/npy.hpp"
#include "tb/top/chain_pipeline.hpp"

namespace skipsim {

namespace {

std::string in_dir(const std::string& dir, const char* name) {
  return (std::filesystem::path(dir) / name).string();
}

Tensor8 load_input(const std::string& dir) {
  const std::string path = in_dir(dir, "input.npy");
  const NpyArray a = read_npy(path);
  if (a.shape.size() != 3)
    throw InputError(fmt::format("tensor error: {}: expected an H x W x C int8 tensor", path));
  return read_tensor8(path, static_cast<int>(a.shape[0]), static_cast<int>(a.shape[1]),
                      static_cast<int>(a.shape[2]));
}

}  // namespace

ChainInput load_chain(const std::string& dir) {
  ChainInput c;
  c.input = load_input(dir);
  const Tensor8& x = c.input;
  if (std::filesystem::exists(in_dir(dir, "fc.weight.npy"))) {
    const std::string wpath = in_dir(dir, "fc.weight.npy");
    const NpyArray w = read_npy(wpath);
    if (w.shape.size() != 2 || w.shape[1] != static_cast<size_t>(x.c))
      throw InputError(
          fmt::format("tensor error: {}: expected O x {} (the input's channels)", wpath, x.c));
    FcParams fc;
    fc.out_f = static_cast<int>(w.shape[0]);
    fc.in_f = x.c;
    fc.weight = read_npy_i8(wpath, w.shape);
    fc.bias = read_npy_i32(in_dir(dir, "fc.bias.npy"), {w.shape[0]});
    if (!std::filesystem::exists(in_dir(dir, "pool.npy"))) {
      // A chain network's last layer: the FC alone on a 1 x 1 x in_f input.
      if (x.h != 1 || x.w != 1)
        throw InputError(fmt::format(
            "tensor error: {}: an FC layer without pool.npy takes a 1 x 1 x C input, not {}x{}x{}",
            in_dir(dir, "input.npy"), x.h, x.w, x.c));
      c.desc = describe_fc(fc);
      return c;
    }
    const std::vector<int32_t> p = read_npy_i32(in_dir(dir, "pool.npy"), {2});
    if (p[0] < 0 || p[1] < 1 || p[1] > 62)
      throw InputError(fmt::format("tensor error: {}: expected [mult >= 0, shift in [1, 62]]",
                                   in_dir(dir, "pool.npy")));
    GlobalPoolParams gp;
    gp.mult = p[0];
    gp.shift = p[1];
    c.desc = describe_head(x.h, x.w, x.c, gp, fc);
    return c;
  }
  const std::string wpath = in_dir(dir, "conv1.weight.npy");
  const NpyArray w = read_npy(wpath);
  if (w.shape.size() != 4 || w.shape[1] != static_cast<size_t>(x.c) || w.shape[2] != w.shape[3])
    throw InputError(fmt::format("tensor error: {}: expected O x {} x k x k (the input's channels)",
                                 wpath, x.c));
  ConvParams conv;
  conv.out_c = static_cast<int>(w.shape[0]);
  conv.in_c = x.c;
  conv.k = static_cast<int>(w.shape[2]);
  conv.relu = true;
  conv.weight = read_npy_i8(wpath, w.shape);
  const size_t o = w.shape[0];
  conv.bias = read_npy_i32(in_dir(dir, "conv1.bias.npy"), {o});
  conv.mult = read_npy_i32(in_dir(dir, "conv1.mult.npy"), {o});
  conv.shift = read_npy_i32(in_dir(dir, "conv1.shift.npy"), {o});
  for (size_t i = 0; i < o; ++i)
    if (conv.mult[i] < 0 || conv.shift[i] < 1 || conv.shift[i] > 62)
      throw InputError(
          fmt::format("tensor error: {}: channel {}: mult >= 0 and shift in [1, 62] "
                      "expected",
                      in_dir(dir, "conv1.mult.npy"), i));
  const std::vector<int32_t> s = read_npy_i32(in_dir(dir, "conv1.stride.npy"), {1});
  if (s[0] < 1 || s[0] > conv.k)
    throw InputError(fmt::format("tensor error: {}: expected a stride in [1, {}]",
                                 in_dir(dir, "conv1.stride.npy"), conv.k));
  conv.stride = s[0];
  if (std::filesystem::exists(in_dir(dir, "conv1.pad.npy"))) {
    const std::vector<int32_t> pad = read_npy_i32(in_dir(dir, "conv1.pad.npy"), {1});
    if (pad[0] < 0 || 2 * pad[0] >= conv.k + (conv.k % 2 == 0))
      throw InputError(fmt::format("tensor error: {}: expected a padding in [0, {}]",
                                   in_dir(dir, "conv1.pad.npy"), (conv.k - 1) / 2));
    conv.padding = pad[0];
  }
  MaxPoolParams pool;
  const bool has_pool = std::filesystem::exists(in_dir(dir, "pool.npy"));
  if (has_pool) {
    const std::vector<int32_t> p = read_npy_i32(in_dir(dir, "pool.npy"), {3});
    if (p[0] < 1 || p[1] < 1 || p[2] < 0 || 2 * p[2] > p[0])
      throw InputError(fmt::format("tensor error: {}: expected [k >= 1, stride >= 1, pad <= k/2]",
                                   in_dir(dir, "pool.npy")));
    pool.k = p[0];
    pool.stride = p[1];
    pool.pad = p[2];
  }
  c.desc = describe_stem(x.h, x.w, conv, has_pool ? &pool : nullptr);
  return c;
}

ChainRunResult run_chain(const Config& cfg, const ChainInput& in, bool check_golden) {
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  ChainPipeline top("top", cfg, in.desc, in.input);
  const auto t0 = std::chrono::steady_clock::now();
  simulate(top.blocks(), top.monitor(), cfg.sim.skip_idle_edges, true);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ChainRunResult r;
  RunEnd end = RunEnd::kFinished;
  if (top.monitor().end() == Monitor::End::kDeadlock) end = RunEnd::kDeadlock;
  if (top.monitor().end() == Monitor::End::kCycleLimit) end = RunEnd::kCycleLimit;
  r.deadlock = end == RunEnd::kDeadlock;
  r.cycle_limit = end == RunEnd::kCycleLimit;
  StatsNode stats = build_chain_report(top, cfg, in.desc, end, wall);
  if (check_golden) {
    const Tensor8 want = golden_chain(in.desc, in.input);
    const Tensor8 got = top.read_output();
    uint64_t bad = 0;
    for (size_t i = 0; i < want.data.size(); ++i)
      bad += i >= got.data.size() || got.data[i] != want.data[i];
    r.matches_golden = bad == 0 && got.data.size() == want.data.size();
    stats.child("output")
        .set("matches_golden", r.matches_golden)
        .set("mismatches", bad)
        .set("values", static_cast<uint64_t>(want.data.size()));
  }
  r.report = stats_to_json(stats);
  return r;
}

}  // namespace skipsim
