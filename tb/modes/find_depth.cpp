#include "tb/modes/find_depth.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "hw/common/errors.hpp"
#include "hw/conv/conv_engine.hpp"
#include "hw/skip_fifo/rlc_codec.hpp"
#include "hw/skip_fifo/skip_fifo.hpp"
#include "hw/skip_fifo/spill_skip_fifo.hpp"
#include "hw/skip_fifo/zvc_codec.hpp"
#include "tb/modes/child_run.hpp"
#include "tb/modes/depth_search.hpp"
#include "tb/ref/block_params.hpp"
#include "tb/top/codec_factory.hpp"

namespace skipsim {

namespace {

int out_size(int in, int k, int s) { return conv_out_size(in, k, s, same_pad(k)); }

// Raster index of the last input pixel a conv output (y, x) reads.
struct Conv {
  int in_h, in_w, k, s;
  int tile = 1;  // the engine's tile_pixels
  int last_row(int y) const { return std::min(in_h - 1, y * s - k / 2 + k - 1); }
  int last_col(int x) const { return std::min(in_w - 1, x * s - k / 2 + k - 1); }
  // The last output column of the engine's tile that computes output column x (tiles start
  // at column 0 of each row and are cut to what the k-row line buffer holds; ConvEngine).
  int tile_end(int y, int x) const {
    const ConvGeometry g{in_h, in_w, 1, k, s};
    for (int x0 = 0;;) {
      const int n = tile_pixels_at(g, tile, y, x0);
      if (x < x0 + n) return x0 + n - 1;
      x0 += n;
    }
  }
};

// The engines' largest tile for a conv of this output width (ConvEngine).
int engine_tile(const Config& cfg, int out_w) {
  ConvEngineConfig e;
  e.geom = {1, out_w, 1, 1, 1};  // a 1x1 stride-1 conv: output width = out_w
  e.mac_rows = cfg.hardware.mac_array.rows;
  e.mac_cols = cfg.hardware.mac_array.cols;
  e.dataflow = cfg.hardware.mac_array.dataflow;
  e.tile_pixels = cfg.hardware.mac_array.tile_pixels;
  return max_tile_pixels(e);
}

}  // namespace

uint64_t analytic_skip_depth(const Config& cfg) {
  const auto& w = cfg.workload;
  const BlockShape shape = block_shape(w);
  const BlockLayout layout = block_layout(shape);
  // The main path's engines in order, each with its input geometry and tile.
  std::vector<Conv> chain;
  int h = w.h, wd = w.w;
  for (const ConvParams* p :
       {&layout.conv1, &layout.conv2,
        layout.conv3 ? &*layout.conv3 : static_cast<const ConvParams*>(nullptr)}) {
    if (!p) continue;
    const int oh = out_size(h, p->k, p->stride), ow = out_size(wd, p->k, p->stride);
    chain.push_back(Conv{h, wd, p->k, p->stride, engine_tile(cfg, ow)});
    h = oh;
    wd = ow;
  }
  const int oh = h, ow = wd;
  const int lanes = cfg.hardware.stream.lanes;
  const uint64_t bpp = (w.out_channels + lanes - 1) / lanes;
  // For each output pixel: the skip pixels that must have left the fork before the main
  // path can produce it, less those the add has already consumed. Identity skip: every
  // input pixel up to the last one the main path reads for it. Projection skip (1x1, stride
  // s): the projections of those input pixels, less what the projection engine can hold
  // back (its one-row line buffer and 2-tile output queue).
  const int ps = shape.block_stride();
  const Conv proj{w.h, w.w, 1, ps, engine_tile(cfg, ow)};
  std::vector<std::pair<int64_t, int>> proj_tiles;  // (first input pixel, pixels)
  if (layout.skip) {
    for (int y = 0; y < oh; ++y)
      for (int x = 0; x < ow;) {
        const int e = proj.tile_end(y, x);
        proj_tiles.emplace_back(static_cast<int64_t>(ps * y) * w.w + ps * x, e - x + 1);
        x = e + 1;
      }
  }
  uint64_t worst = 0;
  for (int y = 0; y < oh; ++y) {
    for (int x = 0; x < ow; ++x) {
      // Engines compute whole tiles: a pixel needs its tile's last window, back to the input.
      int yy = y, xx = x;
      for (auto c = chain.rbegin(); c != chain.rend(); ++c) {
        const int xt = c->tile_end(yy, xx);
        yy = c->last_row(yy);
        xx = c->last_col(xt);
      }
      const int64_t in_last = static_cast<int64_t>(yy) * w.w + xx;
      int64_t forced;
      if (!layout.skip) {
        forced = in_last + 1;
      } else {
        // A projection tile starting at (sY, sX0) reads input from there on. Its line buffer
        // is one input row: input pixel i enters only once every tile whose first input
        // pixel is at most i - W has been computed. Its output queue holds 2 tiles.
        const int64_t reach = in_last - w.w;
        forced = 0;
        for (const auto& [first, n] : proj_tiles)
          if (first <= reach) forced += n;
        forced = std::max<int64_t>(0, forced - 2 * proj.tile);
      }
      const int64_t held = forced - (static_cast<int64_t>(y) * ow + x);
      if (held > 0) worst = std::max<uint64_t>(worst, static_cast<uint64_t>(held));
    }
  }
  // The add's 2-beat skip queue holds part of the first pixel.
  const uint64_t beats = worst * bpp;
  return beats > 2 ? beats - 2 : 1;
}

int skip_entry_bytes(const Config& cfg) { return skip_entry_bytes(cfg.hardware); }

UnboundedSkip unbounded_skip(const Config& cfg) {
  const BlockShape shape = block_shape(cfg.workload);
  const int lanes = cfg.hardware.stream.lanes;
  uint64_t whole = static_cast<uint64_t>(shape.out_h()) * shape.out_w() *
                   ((cfg.workload.out_channels + lanes - 1) / lanes);
  const auto& fifo = cfg.hardware.skip_fifo;
  const int entry = skip_entry_bytes(cfg);
  // Compressed, the FIFO holds words: as many as an incompressible tensor takes.
  if (fifo.compression != SkipCompression::kNone)
    whole = skip_worst_entries(cfg.hardware, whole) + 1;
  const bool spill = fifo.policy == SkipPolicy::kSpill && fifo.impl != Impl::kRtl;
  const uint64_t staging = spill ? spill_staging_beats(cfg.hardware.dram.burst_bytes, entry) : 0;
  const uint64_t legal = spill ? spill_beats_per_burst(cfg.hardware.dram.burst_bytes, entry) : 1;
  const auto& sram = cfg.hardware.sram;
  UnboundedSkip u;
  u.depth = std::max(whole + 1, legal);
  const uint64_t extra = skip_fifo_storage(u.depth, entry, staging).sram_bytes(sram.width_bytes);
  u.bank_bytes_set = fmt::format("hardware.sram.bank_bytes={}",
                                 sram.bank_bytes + (extra + sram.banks - 1) / sram.banks);
  return u;
}

namespace {

// Finished probes of one search, kept in opt.probe_journal: depth -> exit code (0, or 3 for a
// deadlock), cycles and the skip FIFO's peak.
class ProbeJournal {
 public:
  explicit ProbeJournal(const FindDepthOptions& opt) {
    if (opt.probe_journal.empty()) return;
    const nlohmann::json header{
        {"config", opt.config}, {"sets", opt.sets}, {"tensors", opt.tensors}};
    std::ifstream in(opt.probe_journal);
    std::string line;
    if (in && std::getline(in, line) && nlohmann::json::parse(line, nullptr, false) == header) {
      while (std::getline(in, line)) {
        const nlohmann::json e = nlohmann::json::parse(line, nullptr, false);
        if (!e.is_object() || !e.contains("depth") || !e.contains("exit_code")) continue;
        ChildResult r;
        r.exit_code = e["exit_code"].get<int>();
        r.report = {{"cycles", e["cycles"]},
                    {"fifos", {{"skip", {{"max_occupancy", e["max_occupancy"]}}}}}};
        m_done[e["depth"].get<uint64_t>()] = r;
      }
      in.close();
      m_out = std::fopen(opt.probe_journal.c_str(), "a");
    }
    if (!m_out) {
      m_out = std::fopen(opt.probe_journal.c_str(), "w");
      if (!m_out) throw InputError(fmt::format("find-depth: cannot write '{}'", opt.probe_journal));
      std::fprintf(m_out, "%s\n", header.dump().c_str());
      std::fflush(m_out);
    }
  }
  ~ProbeJournal() {
    if (m_out) std::fclose(m_out);
  }
  ProbeJournal(const ProbeJournal&) = delete;
  ProbeJournal& operator=(const ProbeJournal&) = delete;
  const ChildResult* find(uint64_t depth) const {
    const auto it = m_done.find(depth);
    return it == m_done.end() ? nullptr : &it->second;
  }
  void add(uint64_t depth, const ChildResult& r) {
    if (!m_out) return;
    const bool ok = r.exit_code == 0;
    const nlohmann::json e{
        {"depth", depth},
        {"exit_code", r.exit_code},
        {"cycles", ok ? r.report["cycles"].get<uint64_t>() : 0},
        {"max_occupancy", ok ? r.report["fifos"]["skip"]["max_occupancy"].get<uint64_t>() : 0}};
    std::fprintf(m_out, "%s\n", e.dump().c_str());
    std::fflush(m_out);
  }

 private:
  std::FILE* m_out = nullptr;
  std::map<uint64_t, ChildResult> m_done;
};

}  // namespace

FindDepthResult find_depth(const FindDepthOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  const Config cfg = load_config(opt.config, opt.sets);
  FindDepthResult res;
  const auto& w = cfg.workload;
  const int lanes = cfg.hardware.stream.lanes;
  res.beats_per_pixel = (w.out_channels + lanes - 1) / lanes;
  res.lanes = lanes;
  res.entry_bytes = skip_entry_bytes(cfg);
  res.compression = std::string(enum_name(cfg.hardware.skip_fifo.compression));
  res.analytic_depth = analytic_skip_depth(cfg);

  // Policy spill keeps at least one DRAM burst on chip; the RTL FIFO has no spill path.
  const auto& fifo = cfg.hardware.skip_fifo;
  const bool spill = fifo.policy == SkipPolicy::kSpill && fifo.impl != Impl::kRtl;
  const int entry = res.entry_bytes;
  const uint64_t staging = spill ? spill_staging_beats(cfg.hardware.dram.burst_bytes, entry) : 0;
  res.min_legal_depth = spill ? spill_beats_per_burst(cfg.hardware.dram.burst_bytes, entry) : 1;
  const auto& sram = cfg.hardware.sram;
  auto bytes_at = [&](uint64_t depth) {
    return skip_fifo_storage(depth, res.entry_bytes, staging).sram_bytes(sram.width_bytes);
  };

  // Every probe gets SRAM room for a skip FIFO as deep as the whole skip tensor, so that
  // the search is not cut short by the configured capacity (the depth does not change
  // any timing but the FIFO's).
  const UnboundedSkip ub = unbounded_skip(cfg);
  const uint64_t unbounded_depth = ub.depth;
  std::vector<std::string> base = opt.sets;
  base.push_back(ub.bank_bytes_set);
  int jobs = opt.jobs > 0 ? opt.jobs : static_cast<int>(std::thread::hardware_concurrency());
  jobs = std::max(1, jobs);
  uint64_t top = 0;

  // Every probe's result goes to both searches (a deadlock is not full speed, a depth at
  // full speed is deadlock-free). Each search's answer lies in (lo, hi].
  // Policy spill does not stall the fork on a full FIFO, so the closed form (the fork's
  // deadlock) says nothing there: its guess is the smallest legal depth, and none at full
  // speed.
  DepthSearch dl(res.min_legal_depth - 1, spill ? res.min_legal_depth
                                          : res.analytic_depth <= unbounded_depth
                                              ? res.analytic_depth
                                              : 0);
  std::optional<DepthSearch> fs;  // once the unbounded run has given its peak and cycles
  double limit = 0;
  const auto t_start = std::chrono::steady_clock::now();
  bool progress_shown = false;
  auto bounds = [](uint64_t lo, uint64_t hi) {
    return hi == 0        ? std::string("?")
           : hi - lo <= 1 ? std::to_string(hi)
                          : fmt::format("({}, {}]", lo, hi);
  };
  struct Running {
    uint64_t depth;
    ChildProc proc;
    const ChildResult* saved = nullptr;  // from the probe journal: no process
  };
  ProbeJournal journal(opt);
  std::deque<Running> running;  // in launch order
  auto show_progress = [&] {
    if (!opt.progress) return;
    const double el =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
    std::fprintf(stderr,
                 "\rfind-depth: %llu probes done, %zu running; deadlock-free depth %s, "
                 "full-speed depth %s; %.0f s   ",
                 static_cast<unsigned long long>(res.simulations), running.size(),
                 bounds(dl.lo(), dl.hi()).c_str(), fs ? bounds(fs->lo(), fs->hi()).c_str() : "?",
                 el);
    std::fflush(stderr);
    progress_shown = true;
  };
  // The block's tensors do not depend on the depth: made once, shared with forked probes.
  // Nor does the configuration but for the depth, which no cross-key rule constrains
  // within [min_legal_depth, unbounded_depth]: read once too.
  const Config probe_base = opt.fork_probes ? load_config(opt.config, base) : Config{};
  const PreparedBlock prepared =
      opt.fork_probes ? prepare_block(probe_base, opt.tensors) : PreparedBlock{};
  auto launch = [&](uint64_t d) {
    if (const ChildResult* saved = journal.find(d)) {
      running.push_back({d, ChildProc{}, saved});
      return;
    }
    auto sets = base;
    sets.push_back(fmt::format("hardware.skip_fifo.depth={}", d));
    if (!opt.fork_probes) {
      running.push_back(
          {d, spawn_run(opt.config, sets, false,
                        opt.tensors.empty() ? std::vector<std::string>{}
                                            : std::vector<std::string>{"--tensors", opt.tensors})});
      return;
    }
    Config c = probe_base;
    c.hardware.skip_fifo.depth = static_cast<int64_t>(d);
    running.push_back({d, fork_run(opt.config, sets, false, &prepared, &c)});
  };
  // Finished probes: depth -> cycles (0: deadlock).
  std::map<uint64_t, uint64_t> done;
  auto full_speed = [&](uint64_t cycles) {
    return cycles != 0 && static_cast<double>(cycles) <= limit;
  };
  auto record = [&](uint64_t d, uint64_t cycles) {
    dl.record(d, cycles != 0);
    if (fs) fs->record(d, full_speed(cycles));
  };
  std::set<uint64_t> in_flight;
  // Fills the free cores: a probe of the search with fewer probes running (the deadlock-free
  // one on a tie); none while nothing is worth probing.
  auto fill = [&] {
    while (static_cast<int>(running.size()) < jobs) {
      in_flight.clear();
      for (const Running& r : running) in_flight.insert(r.depth);
      const uint64_t a = dl.next(in_flight), b = fs ? fs->next(in_flight) : 0;
      if (!a && !b) return;
      auto load = [&](const DepthSearch& s) {
        return std::count_if(in_flight.begin(), in_flight.end(),
                             [&](uint64_t d) { return s.useful(d); });
      };
      launch(a && (!b || load(dl) <= load(*fs)) ? a : b);
    }
  };
  launch(unbounded_depth);
  fill();
  // Results are taken in launch order, so the probes chosen depend on the results only, not
  // on which probe happens to finish first.
  while (!running.empty()) {
    show_progress();
    Running p = running.front();
    running.pop_front();
    int status = 0;
    ChildResult r;
    if (p.saved) {
      r = *p.saved;
    } else {
      while (waitpid(p.proc.pid, &status, 0) < 0) {
      }
      r = collect_run(p.proc, status);
      if (r.exit_code == 0 || r.exit_code == 3) journal.add(p.depth, r);
    }
    ++res.simulations;
    if (r.exit_code != 0 && r.exit_code != 3) {
      if (progress_shown) std::fprintf(stderr, "\n");
      for (Running& k : running) {  // the other probes are moot now
        if (k.saved) continue;
        kill(k.proc.pid, SIGKILL);
        waitpid(k.proc.pid, &status, 0);
        collect_run(k.proc, status);
      }
      throw InputError(
          fmt::format("find-depth: the run at depth {} failed: {}", p.depth,
                      r.error.empty() ? "exit " + std::to_string(r.exit_code) : r.error));
    }
    const uint64_t cycles = r.exit_code == 0 ? r.report["cycles"].get<uint64_t>() : 0;
    if (opt.verbose)
      std::fprintf(stderr, "find-depth: depth %llu: %s%s\n",
                   static_cast<unsigned long long>(p.depth),
                   cycles ? fmt::format("{} cycles", cycles).c_str() : "deadlock",
                   p.saved ? " (saved by an earlier run)" : "");
    if (p.depth == unbounded_depth && !fs) {
      if (cycles == 0) {
        if (progress_shown) std::fprintf(stderr, "\n");
        for (Running& k : running) {
          if (k.saved) continue;
          kill(k.proc.pid, SIGKILL);
          waitpid(k.proc.pid, &status, 0);
          collect_run(k.proc, status);
        }
        throw InputError(
            "find-depth: the block deadlocks even with a skip FIFO as deep as the whole skip "
            "tensor");
      }
      res.unbounded_max_occupancy = r.report["fifos"]["skip"]["max_occupancy"].get<uint64_t>();
      res.unbounded_cycles = cycles;
      limit = static_cast<double>(cycles) * (1.0 + opt.tolerance);
      // Depth U+1 behaves exactly as unbounded: the occupancy never reaches it, ready never
      // drops. Nothing below the smallest legal depth is probed.
      top = std::max(res.unbounded_max_occupancy + 1, res.min_legal_depth);
      dl.set_hi(top);
      // Guesses of the full-speed depth, from what the shipped, test and ResNet-50 blocks
      // show (a wrong guess costs two probes, not the answer), with R = one output row of
      // the skip tensor: a block with a projection needs R - 2 (one row less the add's
      // 2-beat queue), a basic block all of the peak U, a bottleneck with an identity skip
      // one row more than the closed form.
      std::vector<uint64_t> guesses;
      const BlockShape shape = block_shape(w);
      const uint64_t row = static_cast<uint64_t>(shape.out_w()) * res.beats_per_pixel;
      auto clamp = [&](uint64_t d) {
        return std::clamp<uint64_t>(d, res.min_legal_depth, top - 1);
      };
      if (spill) {
      } else if (block_layout(shape).skip) {
        guesses = {clamp(row > 2 ? row - 2 : 1)};
      } else if (shape.kind == BlockKind::kBottleneck) {
        guesses = {clamp(res.analytic_depth + row), top - 1};
      } else {
        guesses = {top - 1};
      }
      fs.emplace(res.min_legal_depth - 1, guesses, true);
      fs->set_hi(top);
      done[top] = cycles;
      for (const auto& [d, c] : done) record(d, c);
    } else {
      done[p.depth] = cycles;
      record(p.depth, cycles);
    }
    fill();
  }
  res.min_deadlock_free_depth = dl.hi();
  res.min_full_speed_depth = fs->hi();
  res.min_full_speed_cycles = done.at(fs->hi());
  // What plain bisections over (legal - 1, U + 1] would have run: the unbounded run, the
  // deadlock-free search, and the full-speed one above its answer unless that depth is
  // already at full speed.
  res.simulations_bisection =
      1 + bisection_probes(res.min_legal_depth - 1, top) +
      (full_speed(done.count(dl.hi()) ? done.at(dl.hi()) : 0) || dl.hi() == top
           ? 0
           : bisection_probes(dl.hi(), top));
  show_progress();
  if (progress_shown) std::fprintf(stderr, "\n");
  res.unbounded_max_occupancy_bytes = bytes_at(res.unbounded_max_occupancy);
  res.min_deadlock_free_bytes = bytes_at(res.min_deadlock_free_depth);
  res.min_full_speed_bytes = bytes_at(res.min_full_speed_depth);
  res.analytic_bytes = bytes_at(res.analytic_depth);
  if (fifo.compression != SkipCompression::kNone && !spill) {
    FindDepthOptions raw = opt;
    raw.sets.push_back("hardware.skip_fifo.compression=none");
    raw.progress = false;
    if (!raw.probe_journal.empty()) raw.probe_journal += ".uncompressed";
    const FindDepthResult r = find_depth(raw);
    res.worst_simulations = r.simulations;
    res.raw_deadlock_free_depth = r.min_deadlock_free_depth;
    res.raw_full_speed_depth = r.min_full_speed_depth;
    res.worst_deadlock_free_depth = skip_worst_entries(cfg.hardware, r.min_deadlock_free_depth);
    res.worst_full_speed_depth = skip_worst_entries(cfg.hardware, r.min_full_speed_depth);
    res.worst_deadlock_free_bytes = bytes_at(res.worst_deadlock_free_depth);
    res.worst_full_speed_bytes = bytes_at(res.worst_full_speed_depth);
  }
  res.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

}  // namespace skipsim
