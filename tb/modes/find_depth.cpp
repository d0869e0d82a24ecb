#include "tb/modes/find_depth.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include <fmt/format.h>

#include "hw/common/errors.hpp"
#include "hw/conv/conv_engine.hpp"
#include "hw/skip_fifo/skip_fifo.hpp"
#include "hw/skip_fifo/spill_skip_fifo.hpp"
#include "tb/modes/child_run.hpp"
#include "tb/ref/block_params.hpp"

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

UnboundedSkip unbounded_skip(const Config& cfg) {
  const BlockShape shape = block_shape(cfg.workload);
  const int lanes = cfg.hardware.stream.lanes;
  const uint64_t whole = static_cast<uint64_t>(shape.out_h()) * shape.out_w() *
                         ((cfg.workload.out_channels + lanes - 1) / lanes);
  const auto& fifo = cfg.hardware.skip_fifo;
  const bool spill = fifo.policy == SkipPolicy::kSpill && fifo.impl != Impl::kRtl;
  const uint64_t staging = spill ? spill_staging_beats(cfg.hardware.dram.burst_bytes, lanes) : 0;
  const uint64_t legal = spill ? spill_beats_per_burst(cfg.hardware.dram.burst_bytes, lanes) : 1;
  const auto& sram = cfg.hardware.sram;
  UnboundedSkip u;
  u.depth = std::max(whole + 1, legal);
  const uint64_t extra = skip_fifo_storage(u.depth, lanes, staging).sram_bytes(sram.width_bytes);
  u.bank_bytes_set = fmt::format("hardware.sram.bank_bytes={}",
                                 sram.bank_bytes + (extra + sram.banks - 1) / sram.banks);
  return u;
}

FindDepthResult find_depth(const FindDepthOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  const Config cfg = load_config(opt.config, opt.sets);
  FindDepthResult res;
  const auto& w = cfg.workload;
  const int lanes = cfg.hardware.stream.lanes;
  res.beats_per_pixel = (w.out_channels + lanes - 1) / lanes;
  res.lanes = lanes;
  res.analytic_depth = analytic_skip_depth(cfg);

  // Policy spill keeps at least one DRAM burst on chip; the RTL FIFO has no spill path.
  const auto& fifo = cfg.hardware.skip_fifo;
  const bool spill = fifo.policy == SkipPolicy::kSpill && fifo.impl != Impl::kRtl;
  const uint64_t staging = spill ? spill_staging_beats(cfg.hardware.dram.burst_bytes, lanes) : 0;
  res.min_legal_depth = spill ? spill_beats_per_burst(cfg.hardware.dram.burst_bytes, lanes) : 1;
  const auto& sram = cfg.hardware.sram;
  auto bytes_at = [&](uint64_t depth) {
    return skip_fifo_storage(depth, lanes, staging).sram_bytes(sram.width_bytes);
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

  struct Probe {
    uint64_t depth;
    ChildResult r;
  };
  // Bounds so far: the answer lies in (lo, hi]; hi = 0 while unknown.
  uint64_t dl_lo = 0, dl_hi = 0, fs_lo = 0, fs_hi = 0;
  const auto t_start = std::chrono::steady_clock::now();
  bool progress_shown = false;
  auto bounds = [](uint64_t lo, uint64_t hi) {
    return hi == 0        ? std::string("?")
           : hi - lo <= 1 ? std::to_string(hi)
                          : fmt::format("({}, {}]", lo, hi);
  };
  auto show_progress = [&](size_t running) {
    if (!opt.progress) return;
    const double el =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
    std::fprintf(stderr,
                 "\rfind-depth: %llu probes done, %zu running; deadlock-free depth %s, "
                 "full-speed depth %s; %.0f s   ",
                 static_cast<unsigned long long>(res.simulations), running,
                 bounds(dl_lo, dl_hi).c_str(), bounds(fs_lo, fs_hi).c_str(), el);
    std::fflush(stderr);
    progress_shown = true;
  };
  auto run_many = [&](const std::vector<uint64_t>& depths) {
    std::vector<Probe> out;
    std::vector<ChildProc> pids;
    for (uint64_t d : depths) {
      auto sets = base;
      sets.push_back(fmt::format("hardware.skip_fifo.depth={}", d));
      pids.push_back(spawn_run(opt.config, sets, false));
    }
    show_progress(pids.size());
    for (size_t i = 0; i < pids.size(); ++i) {
      int status = 0;
      while (waitpid(pids[i].pid, &status, 0) < 0) {
      }
      out.push_back({depths[i], collect_run(pids[i], status)});
      ++res.simulations;
      const ChildResult& r = out.back().r;
      show_progress(pids.size() - i - 1);
      if (r.exit_code != 0 && r.exit_code != 3) {
        if (progress_shown) std::fprintf(stderr, "\n");
        for (size_t k = i + 1; k < pids.size(); ++k) {  // the other probes are moot now
          kill(pids[k].pid, SIGKILL);
          waitpid(pids[k].pid, &status, 0);
          collect_run(pids[k], status);
        }
        throw InputError(
            fmt::format("find-depth: the run at depth {} failed: {}", depths[i],
                        r.error.empty() ? "exit " + std::to_string(r.exit_code) : r.error));
      }
      if (opt.verbose)
        std::fprintf(stderr, "find-depth: depth %llu: %s\n",
                     static_cast<unsigned long long>(depths[i]),
                     r.exit_code == 3
                         ? "deadlock"
                         : fmt::format("{} cycles", r.report["cycles"].get<uint64_t>()).c_str());
    }
    return out;
  };

  const Probe unb = run_many({unbounded_depth})[0];
  if (unb.r.exit_code != 0) {
    if (progress_shown) std::fprintf(stderr, "\n");
    throw InputError(
        "find-depth: the block deadlocks even with a skip FIFO as deep as the whole skip tensor");
  }
  res.unbounded_max_occupancy = unb.r.report["fifos"]["skip"]["max_occupancy"].get<uint64_t>();
  res.unbounded_cycles = unb.r.report["cycles"].get<uint64_t>();
  const double limit = static_cast<double>(res.unbounded_cycles) * (1.0 + opt.tolerance);

  // Smallest depth in (lo, hi] for which ok() holds, given ok(hi); k-ary, k-1 probes a round.
  // `hint` (0: none): the first round probes hint - 1 and hint, which bracket the answer
  // when the hint is right (the closed form); when it is not, the search goes on from there.
  auto search = [&](uint64_t lo, uint64_t hi, auto ok, uint64_t& hi_cycles, uint64_t& shown_lo,
                    uint64_t& shown_hi, uint64_t hint) {
    shown_lo = lo;
    shown_hi = hi;
    bool first = true;
    while (hi - lo > 1) {
      const uint64_t span = hi - lo - 1;
      const uint64_t n = std::min<uint64_t>(jobs, span);
      std::vector<uint64_t> ds;
      if (first && hint > lo && hint < hi) {
        if (hint - 1 > lo) ds.push_back(hint - 1);
        ds.push_back(hint);
      } else {
        for (uint64_t i = 1; i <= n; ++i) ds.push_back(lo + (span + 1) * i / (n + 1));
      }
      first = false;
      ds.erase(std::unique(ds.begin(), ds.end()), ds.end());
      const auto probes = run_many(ds);
      uint64_t new_lo = lo, new_hi = hi;
      for (const Probe& p : probes) {
        if (ok(p.r)) {
          if (p.depth < new_hi) {
            new_hi = p.depth;
            hi_cycles = p.r.report["cycles"].get<uint64_t>();
          }
        }
      }
      for (const Probe& p : probes)
        if (!ok(p.r) && p.depth < new_hi) new_lo = std::max(new_lo, p.depth);
      lo = shown_lo = new_lo;
      hi = shown_hi = new_hi;
    }
    return hi;
  };
  // Depth U+1 behaves exactly as unbounded: the occupancy never reaches it, ready never drops.
  // Nothing below the smallest legal depth is probed.
  const uint64_t top = std::max(res.unbounded_max_occupancy + 1, res.min_legal_depth);
  uint64_t cyc = res.unbounded_cycles;
  res.min_deadlock_free_depth = search(
      res.min_legal_depth - 1, top, [](const ChildResult& r) { return r.exit_code == 0; }, cyc,
      dl_lo, dl_hi, res.analytic_depth);
  const uint64_t dl_free_cycles = cyc;
  cyc = res.unbounded_cycles;
  if (res.min_deadlock_free_depth < top && static_cast<double>(dl_free_cycles) <= limit) {
    res.min_full_speed_depth = fs_hi = res.min_deadlock_free_depth;
    fs_lo = fs_hi - 1;
    res.min_full_speed_cycles = dl_free_cycles;
  } else {
    res.min_full_speed_depth = search(
        res.min_deadlock_free_depth, top,
        [&](const ChildResult& r) {
          return r.exit_code == 0 &&
                 static_cast<double>(r.report["cycles"].get<uint64_t>()) <= limit;
        },
        cyc, fs_lo, fs_hi, 0);
    res.min_full_speed_cycles = cyc;
  }
  show_progress(0);
  if (progress_shown) std::fprintf(stderr, "\n");
  res.unbounded_max_occupancy_bytes = bytes_at(res.unbounded_max_occupancy);
  res.min_deadlock_free_bytes = bytes_at(res.min_deadlock_free_depth);
  res.min_full_speed_bytes = bytes_at(res.min_full_speed_depth);
  res.analytic_bytes = bytes_at(res.analytic_depth);
  res.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

}  // namespace skipsim
