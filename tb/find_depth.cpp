#include "tb/find_depth.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include <fmt/format.h>

#include "tb/child_run.hpp"
#include "tb/errors.hpp"

namespace skipsim {

namespace {

int out_size(int in, int k, int s) { return (in + 2 * (k / 2) - k) / s + 1; }

// Raster index of the last input pixel a conv output (y, x) reads.
struct Conv {
  int in_h, in_w, k, s;
  int last_row(int y) const { return std::min(in_h - 1, y * s - k / 2 + k - 1); }
  int last_col(int x) const { return std::min(in_w - 1, x * s - k / 2 + k - 1); }
};

}  // namespace

uint64_t analytic_skip_depth(const Config& cfg) {
  const auto& w = cfg.workload;
  const bool down = w.block == BlockKind::kDownsample;
  const int s1 = down ? 2 : 1;
  const Conv c1{w.h, w.w, 3, s1};
  const int h1 = out_size(w.h, 3, s1), w1 = out_size(w.w, 3, s1);
  const Conv c2{h1, w1, 3, 1};
  const int oh = out_size(h1, 3, 1), ow = out_size(w1, 3, 1);
  const int lanes = cfg.hardware.stream.lanes;
  const uint64_t bpp = (w.out_channels + lanes - 1) / lanes;
  // For each output pixel: the skip pixels that must have left the fork before the main
  // path can produce it, less those the add has already consumed. Identity skip: every
  // input pixel up to the last one conv1 reads for it. Projection skip (1x1, stride 2):
  // the projections of those input pixels, less what the projection engine can hold back
  // (its one-row line buffer and 2-pixel output queue).
  uint64_t worst = 0;
  for (int y = 0; y < oh; ++y) {
    for (int x = 0; x < ow; ++x) {
      const int y1 = c2.last_row(y), x1 = c2.last_col(x);
      const int64_t in_last = static_cast<int64_t>(c1.last_row(y1)) * w.w + c1.last_col(x1);
      int64_t forced;
      if (!down) {
        forced = in_last + 1;
      } else {
        // Projection (Y, X) reads input (2Y, 2X); it must exist once the input stream is
        // W pixels past it (the projection line buffer is one row).
        const int64_t reach = in_last - w.w;
        forced = 0;
        if (reach >= 0) {
          const int64_t ry = reach / w.w, rx = reach % w.w;
          const int64_t full_rows =
              ry / 2 + (ry % 2 == 1 ? 1 : 0);  // rows of even input rows <= ry
          int64_t in_row = 0;
          if (ry % 2 == 0) in_row = rx / 2 + 1;
          forced = std::min<int64_t>(full_rows * ow + std::min<int64_t>(in_row, ow),
                                     static_cast<int64_t>(oh) * ow);
        }
        forced = std::max<int64_t>(0, forced - 2);
      }
      const int64_t held = forced - (static_cast<int64_t>(y) * ow + x);
      if (held > 0) worst = std::max<uint64_t>(worst, static_cast<uint64_t>(held));
    }
  }
  // The add's 2-beat skip queue holds part of the first pixel.
  const uint64_t beats = worst * bpp;
  return beats > 2 ? beats - 2 : 1;
}

FindDepthResult find_depth(const FindDepthOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  const Config cfg = load_config(opt.config, opt.sets);
  FindDepthResult res;
  const auto& w = cfg.workload;
  const bool down = w.block == BlockKind::kDownsample;
  const int lanes = cfg.hardware.stream.lanes;
  res.beats_per_pixel = (w.out_channels + lanes - 1) / lanes;
  res.lanes = lanes;
  const int oh = down ? out_size(out_size(w.h, 3, 2), 3, 1) : w.h;
  const int ow = down ? out_size(out_size(w.w, 3, 2), 3, 1) : w.w;
  const uint64_t whole = static_cast<uint64_t>(oh) * ow * res.beats_per_pixel;
  res.analytic_depth = analytic_skip_depth(cfg);

  // Every probe gets SRAM room for a skip FIFO as deep as the whole skip tensor, so that
  // the search is not cut short by the configured capacity (the depth does not change
  // any timing but the FIFO's).
  const auto& sram = cfg.hardware.sram;
  const uint64_t extra = whole * lanes + (whole + 7) / 8 + 4ull * sram.width_bytes;
  std::vector<std::string> base = opt.sets;
  base.push_back(fmt::format("hardware.sram.bank_bytes={}",
                             sram.bank_bytes + (extra + sram.banks - 1) / sram.banks));
  const std::string scratch = make_scratch();
  int jobs = opt.jobs > 0 ? opt.jobs : static_cast<int>(std::thread::hardware_concurrency());
  jobs = std::max(1, jobs);
  int id = 0;

  struct Probe {
    uint64_t depth;
    ChildResult r;
  };
  auto run_many = [&](const std::vector<uint64_t>& depths) {
    std::vector<Probe> out;
    std::vector<std::pair<pid_t, int>> pids;
    for (uint64_t d : depths) {
      auto sets = base;
      sets.push_back(fmt::format("hardware.skip_fifo.depth={}", d));
      pids.emplace_back(spawn_run(opt.config, sets, scratch, id, false), id);
      ++id;
    }
    for (size_t i = 0; i < pids.size(); ++i) {
      int status = 0;
      while (waitpid(pids[i].first, &status, 0) < 0) {
      }
      out.push_back({depths[i], collect_run(scratch, pids[i].second, status)});
      ++res.simulations;
      const ChildResult& r = out.back().r;
      if (r.exit_code != 0 && r.exit_code != 3) {
        remove_scratch(scratch);
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

  const Probe unb = run_many({whole + 1})[0];
  if (unb.r.exit_code != 0) {
    remove_scratch(scratch);
    throw InputError(
        "find-depth: the block deadlocks even with a skip FIFO as deep as the whole skip tensor");
  }
  res.unbounded_max_occupancy = unb.r.report["fifos"]["skip"]["max_occupancy"].get<uint64_t>();
  res.unbounded_cycles = unb.r.report["cycles"].get<uint64_t>();
  const double limit = static_cast<double>(res.unbounded_cycles) * (1.0 + opt.tolerance);

  // Smallest depth in (lo, hi] for which ok() holds, given ok(hi); k-ary, k-1 probes a round.
  auto search = [&](uint64_t lo, uint64_t hi, auto ok, uint64_t& hi_cycles) {
    while (hi - lo > 1) {
      const uint64_t span = hi - lo - 1;
      const uint64_t n = std::min<uint64_t>(jobs, span);
      std::vector<uint64_t> ds;
      for (uint64_t i = 1; i <= n; ++i) ds.push_back(lo + (span + 1) * i / (n + 1));
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
      lo = new_lo;
      hi = new_hi;
    }
    return hi;
  };
  // Depth U+1 behaves exactly as unbounded: the occupancy never reaches it, ready never drops.
  const uint64_t top = res.unbounded_max_occupancy + 1;
  uint64_t cyc = res.unbounded_cycles;
  res.min_deadlock_free_depth = search(
      0, top, [](const ChildResult& r) { return r.exit_code == 0; }, cyc);
  const uint64_t dl_free_cycles = cyc;
  cyc = res.unbounded_cycles;
  if (res.min_deadlock_free_depth < top && static_cast<double>(dl_free_cycles) <= limit) {
    res.min_full_speed_depth = res.min_deadlock_free_depth;
    res.min_full_speed_cycles = dl_free_cycles;
  } else {
    res.min_full_speed_depth = search(
        res.min_deadlock_free_depth, top,
        [&](const ChildResult& r) {
          return r.exit_code == 0 &&
                 static_cast<double>(r.report["cycles"].get<uint64_t>()) <= limit;
        },
        cyc);
    res.min_full_speed_cycles = cyc;
  }
  remove_scratch(scratch);
  res.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

}  // namespace skipsim
