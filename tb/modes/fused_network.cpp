#include "tb/modes/fused_network.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "hw/common/errors.hpp"
#include "hw/skip_fifo/skip_fifo.hpp"
#include "tb/config/config.hpp"
#include "tb/modes/child_run.hpp"
#include "tb/modes/find_depth.hpp"
#include "tb/modes/fused_run.hpp"

namespace skipsim {

namespace fs = std::filesystem;

std::pair<size_t, size_t> fused_range(const Network& net, const std::string& range, size_t first,
                                      size_t last) {
  if (range.find(':') == std::string::npos)
    throw InputError(
        fmt::format("--fused '{}': expected FIRST:LAST, two or more consecutive residual blocks "
                    "(e.g. layer1.0:layer2.0)",
                    range));
  const auto [a, b] = block_range(net, range, "--fused");
  if (a == b)
    throw InputError(fmt::format(
        "--fused '{}': one block; expected FIRST:LAST of two or more residual blocks", range));
  for (size_t i = a; i <= b; ++i) {
    const NetBlock& nb = net.blocks[i];
    if (nb.chain() && (nb.kind == NetBlockKind::kStem || nb.kind == NetBlockKind::kHead))
      throw InputError(
          fmt::format("--fused '{}': '{}' is the {}; only residual blocks fuse (layer1.0 ... {})",
                      range, nb.name, nb.name, net.blocks[net.blocks.size() - 2].name));
    if (nb.chain())
      throw InputError(fmt::format(
          "--fused '{}': '{}' is a {} layer of a chain network; only residual blocks fuse", range,
          nb.name, enum_name(nb.kind)));
  }
  if (a < first || b > last)
    throw InputError(fmt::format("--fused '{}': outside the simulated blocks ({}:{}, --blocks)",
                                 range, net.blocks[first].name, net.blocks[last].name));
  return {a, b};
}

namespace {

uint64_t u64(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<uint64_t>() : 0;
}

// What every run-fused child of a range takes: the configuration, each block's name, tensor
// folder and shape, and the skip FIFO depths of the first run.
struct FusedJob {
  std::string range;
  std::vector<std::string> names, sets, extra;
  std::vector<uint64_t> depths;  // empty: the configured depth
  int lanes = 0, width_bytes = 0;
};

FusedJob fused_job(const NetworkOptions& opt, const Network& net, std::pair<size_t, size_t> r,
                   const std::string& scratch) {
  const auto [a, b] = r;
  FusedJob j;
  j.range = net.blocks[a].name + ":" + net.blocks[b].name;
  // The configured NPU; the first block's workload only makes the configuration complete
  // (each stage takes its shape from its tensors).
  j.sets = opt.sets;
  const std::vector<std::string> w0 = workload_sets(net.blocks[a]);
  j.sets.insert(j.sets.end(), w0.begin(), w0.end());
  const Config cfg = load_config(opt.config, j.sets);
  const auto& sram = cfg.hardware.sram;
  j.lanes = cfg.hardware.stream.lanes;
  j.width_bytes = sram.width_bytes;
  uint64_t fifo_extra = 0;
  for (size_t i = a; i <= b; ++i) {
    const NetBlock& nb = net.blocks[i];
    BlockShape s;
    s.kind = nb.block.kind;
    s.h = nb.in_h, s.w = nb.in_w, s.c = nb.in_c, s.out_c = nb.out_c();
    if (s.kind == BlockKind::kBottleneck) {
      s.width = nb.block.conv1.out_c;
      s.stride = nb.block.conv2.stride;
    }
    j.names.push_back(nb.name);
    j.extra.insert(j.extra.end(),
                   {"--name", nb.name, "--tensors", (fs::path(scratch) / nb.name).string(),
                    "--shape", block_shape_spec(s)});
    if (opt.unbounded_fifo) {
      std::vector<std::string> bs = opt.sets;
      const std::vector<std::string> w = workload_sets(nb);
      bs.insert(bs.end(), w.begin(), w.end());
      const uint64_t d = unbounded_skip(load_config(opt.config, bs)).depth;
      j.depths.push_back(d);
      fifo_extra += skip_fifo_storage(d, j.lanes).sram_bytes(sram.width_bytes);
    }
  }
  // Each block the configured banks for its weights, line buffers and skip FIFO, plus (by
  // default) every skip FIFO at its whole skip tensor; the report gives what was used.
  const uint64_t n = b - a + 1;
  j.sets.push_back(fmt::format("hardware.sram.bank_bytes={}",
                               sram.bank_bytes * n + (fifo_extra + sram.banks - 1) / sram.banks));
  return j;
}

// Runs the range once per depth set (empty: the job's own), `jobs` children at a time.
std::vector<ChildResult> run_fused_children(const NetworkOptions& opt, const FusedJob& j,
                                            const std::vector<std::vector<uint64_t>>& depth_sets,
                                            bool check_golden) {
  std::vector<ChildResult> out(depth_sets.size());
  int parallel = opt.jobs > 0 ? opt.jobs : static_cast<int>(std::thread::hardware_concurrency());
  parallel = std::max(1, parallel);
  for (size_t k = 0; k < depth_sets.size(); k += static_cast<size_t>(parallel)) {
    std::vector<std::pair<size_t, ChildProc>> running;
    for (size_t i = k; i < std::min(depth_sets.size(), k + static_cast<size_t>(parallel)); ++i) {
      std::vector<std::string> extra = j.extra;
      const std::vector<uint64_t>& d = depth_sets[i].empty() ? j.depths : depth_sets[i];
      if (!d.empty()) extra.insert(extra.end(), {"--depths", fmt::format("{}", fmt::join(d, ","))});
      running.emplace_back(i, spawn_run(opt.config, j.sets, check_golden, extra, "run-fused"));
    }
    for (auto& [i, c] : running) {
      int status = 0;
      while (waitpid(c.pid, &status, 0) < 0) {
      }
      out[i] = collect_run(c, status);
    }
  }
  return out;
}

}  // namespace

bool run_fused_range(const NetworkOptions& opt, const Network& net, std::pair<size_t, size_t> r,
                     const std::string& scratch, nlohmann::json& report,
                     std::vector<std::string>& failures) {
  const FusedJob j = fused_job(opt, net, r, scratch);
  if (opt.progress) std::fprintf(stderr, "\r  fused %s ...   ", j.range.c_str());
  const ChildResult res = run_fused_children(opt, j, {{}}, true)[0];
  if (opt.progress) std::fprintf(stderr, "\r%70s\r", "");

  nlohmann::json f;
  f["range"] = j.range;
  f["blocks"] = j.names;
  f["exit_code"] = res.exit_code;
  uint64_t alone_cycles = 0, alone_bytes = 0;
  for (auto& e : report["blocks"]) {
    const std::string name = e["name"].get<std::string>();
    if (std::find(j.names.begin(), j.names.end(), name) == j.names.end()) continue;
    alone_cycles += u64(e, "cycles");
    if (e.contains("fifos")) alone_bytes += u64(e["fifos"]["skip"], "max_occupancy_bytes");
    if (res.report.is_object() && res.report.contains("blocks"))
      for (const auto& fb : res.report["blocks"])
        if (fb["name"] == name) e["fused"] = {{"range", j.range}, {"fifos", fb["fifos"]}};
  }
  const bool ok = res.exit_code == 0 && res.report.is_object();
  f["cycles"] = ok ? u64(res.report, "cycles") : 0;
  f["cycles_alone_sum"] = alone_cycles;
  f["skip_fifo_bytes"] = ok ? u64(res.report, "skip_fifo_bytes") : 0;
  f["skip_fifo_bytes_alone_sum"] = alone_bytes;
  if (ok) {
    f["sram"] = res.report["sram"];
    f["sim_seconds"] = res.report["sim_seconds"];
  }
  f["matches_golden"] =
      ok && res.report.contains("output") && res.report["output"].value("matches_golden", false);
  if (!ok) {
    f["error"] = res.error;
    failures.push_back(fmt::format("fused {}: {}", j.range, res.error));
  }
  report["fused"] = f;
  return f["matches_golden"].get<bool>();
}

bool find_fused_depths(const NetworkOptions& opt, const Network& net, std::pair<size_t, size_t> r,
                       const std::string& scratch, nlohmann::json& report,
                       std::vector<std::string>& failures) {
  nlohmann::json& f = report["fused"];
  if (!f.value("matches_golden", false)) return false;  // nothing to search from
  const FusedJob j = fused_job(opt, net, r, scratch);
  const uint64_t base = u64(f, "cycles");
  const double limit = static_cast<double>(base) * (1.0 + opt.tolerance);
  std::vector<nlohmann::json*> entries;
  for (auto& e : report["blocks"])
    if (e.contains("fused")) entries.push_back(&e);
  // Start from every FIFO one beat above its fused peak (never full, so the unbounded
  // timing), then lower one block's depth at a time, the others as found so far.
  std::vector<uint64_t> depths;
  depths.reserve(entries.size());
  for (const nlohmann::json* e : entries)
    depths.push_back(u64((*e)["fused"]["fifos"]["skip"], "max_occupancy") + 1);
  const auto fast = [&](const ChildResult& c) {
    return c.exit_code == 0 && c.report.is_object() && c.report.value("finished", false) &&
           static_cast<double>(u64(c.report, "cycles")) <= limit;
  };
  int parallel = opt.jobs > 0 ? opt.jobs : static_cast<int>(std::thread::hardware_concurrency());
  parallel = std::max(1, parallel);
  uint64_t sims = 0;
  for (size_t i = 0; i < depths.size(); ++i) {
    if (opt.progress)
      std::fprintf(stderr, "\r  fused find-depth %s (%zu/%zu)   ", j.names[i].c_str(), i + 1,
                   depths.size());
    // The answer lies in (lo, hi]: hi is known fast; k-ary search, `parallel` probes a round.
    uint64_t lo = 0, hi = depths[i];
    while (hi - lo > 1) {
      std::vector<std::vector<uint64_t>> sets;
      std::vector<uint64_t> probes;
      const uint64_t k = std::min<uint64_t>(static_cast<uint64_t>(parallel), hi - lo - 1);
      for (uint64_t p = 1; p <= k; ++p) {
        const uint64_t d = lo + (hi - lo) * p / (k + 1);
        if (d <= lo || d >= hi || (!probes.empty() && probes.back() == d)) continue;
        probes.push_back(d);
        std::vector<uint64_t> ds = depths;
        ds[i] = d;
        sets.push_back(ds);
      }
      const std::vector<ChildResult> res = run_fused_children(opt, j, sets, false);
      sims += res.size();
      for (size_t p = 0; p < probes.size(); ++p) {
        if (fast(res[p])) {
          hi = std::min(hi, probes[p]);
        } else {
          lo = std::max(lo, probes[p]);
          if (res[p].exit_code != 0 && res[p].exit_code != 3)
            throw InputError(
                fmt::format("fused find-depth {}: the run failed: {}", j.range, res[p].error));
        }
      }
    }
    depths[i] = hi;
  }
  // All of them together, checked once more against the golden model.
  const ChildResult v = run_fused_children(opt, j, {depths}, true)[0];
  ++sims;
  if (opt.progress) std::fprintf(stderr, "\r%70s\r", "");
  const bool verified =
      fast(v) && v.report.contains("output") && v.report["output"].value("matches_golden", false);
  uint64_t bytes = 0, alone = 0;
  bool alone_known = true;
  for (size_t i = 0; i < entries.size(); ++i) {
    nlohmann::json& e = *entries[i];
    const uint64_t b = skip_fifo_storage(depths[i], j.lanes).sram_bytes(j.width_bytes);
    e["fused"]["min_full_speed_depth"] = depths[i];
    e["fused"]["min_full_speed_depth_bytes"] = b;
    bytes += b;
    if (e.contains("min_full_speed_depth_bytes"))
      alone += u64(e, "min_full_speed_depth_bytes");
    else
      alone_known = false;
  }
  nlohmann::json fd;
  fd["depths"] = depths;
  fd["bytes_sum"] = bytes;
  if (alone_known) fd["alone_min_full_speed_bytes_sum"] = alone;
  fd["unbounded_cycles"] = base;
  fd["verified_cycles"] = v.report.is_object() ? u64(v.report, "cycles") : 0;
  fd["verified"] = verified;
  fd["simulations"] = sims;
  f["find_depth"] = fd;
  if (!verified)
    failures.push_back(fmt::format(
        "fused {}: the depths found ({}) together do not keep full speed or differ from the "
        "golden model",
        j.range, fmt::join(depths, ",")));
  return verified;
}

std::string fused_table(const nlohmann::json& report) {
  const nlohmann::json& f = report["fused"];
  const uint64_t fc = u64(f, "cycles"), ac = u64(f, "cycles_alone_sum");
  std::string s = fmt::format(
      "  fused {}: {} cycles against {} for the blocks run alone ({:.2f}x); skip FIFOs {:.1f} KiB "
      "fused, {:.1f} KiB alone; {}\n",
      f["range"].get<std::string>(), fc, ac, fc ? static_cast<double>(ac) / fc : 0.0,
      u64(f, "skip_fifo_bytes") / 1024.0, u64(f, "skip_fifo_bytes_alone_sum") / 1024.0,
      f.value("matches_golden", false) ? "bit-exact" : "NOT bit-exact");
  for (const auto& e : report["blocks"]) {
    if (!e.contains("fused")) continue;
    const nlohmann::json& fs = e["fused"]["fifos"]["skip"];
    const uint64_t alone = e.contains("fifos") ? u64(e["fifos"]["skip"], "max_occupancy") : 0;
    s += fmt::format("    {:<10} skip FIFO peak {:>9} beats fused, {:>9} alone",
                     e["name"].get<std::string>(), u64(fs, "max_occupancy"), alone);
    if (e["fused"].contains("min_full_speed_depth"))
      s += fmt::format("; full-speed depth {:>9} fused, {:>9} alone",
                       u64(e["fused"], "min_full_speed_depth"), u64(e, "min_full_speed_depth"));
    s += "\n";
  }
  if (f.contains("find_depth")) {
    const nlohmann::json& fd = f["find_depth"];
    s += fmt::format(
        "    full-speed depths together: {:.1f} KiB (per-block answers summed: {:.1f} KiB), "
        "{} cycles with all set ({})\n",
        u64(fd, "bytes_sum") / 1024.0, u64(fd, "alone_min_full_speed_bytes_sum") / 1024.0,
        u64(fd, "verified_cycles"),
        fd.value("verified", false) ? "verified" : "NOT within tolerance");
  }
  return s;
}

}  // namespace skipsim
