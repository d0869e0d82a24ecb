#include "tb/modes/fused_network.hpp"

#include <sys/wait.h>

#include <filesystem>

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
    if (nb.kind == NetBlockKind::kStem || nb.kind == NetBlockKind::kHead)
      throw InputError(
          fmt::format("--fused '{}': '{}' is the {}; only residual blocks fuse (layer1.0 ... {})",
                      range, nb.name, nb.name, net.blocks[net.blocks.size() - 2].name));
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

}  // namespace

bool run_fused_range(const NetworkOptions& opt, const Network& net, std::pair<size_t, size_t> r,
                     const std::string& scratch, nlohmann::json& report,
                     std::vector<std::string>& failures) {
  const auto [a, b] = r;
  const std::string range = net.blocks[a].name + ":" + net.blocks[b].name;
  // The configured NPU; the first block's workload only makes the configuration complete
  // (each stage takes its shape from its tensors).
  std::vector<std::string> sets = opt.sets;
  const std::vector<std::string> w0 = workload_sets(net.blocks[a]);
  sets.insert(sets.end(), w0.begin(), w0.end());
  const Config cfg = load_config(opt.config, sets);
  const auto& sram = cfg.hardware.sram;
  const int lanes = cfg.hardware.stream.lanes;
  std::vector<std::string> extra;
  std::vector<std::string> depths;
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
    extra.insert(extra.end(),
                 {"--name", nb.name, "--tensors", (fs::path(scratch) / nb.name).string(), "--shape",
                  block_shape_spec(s)});
    if (opt.unbounded_fifo) {
      std::vector<std::string> bs = opt.sets;
      const std::vector<std::string> w = workload_sets(nb);
      bs.insert(bs.end(), w.begin(), w.end());
      const uint64_t d = unbounded_skip(load_config(opt.config, bs)).depth;
      depths.push_back(std::to_string(d));
      fifo_extra += skip_fifo_storage(d, lanes).sram_bytes(sram.width_bytes);
    }
  }
  if (opt.unbounded_fifo) {
    extra.insert(extra.end(), {"--depths", fmt::format("{}", fmt::join(depths, ","))});
    // Each block the configured banks for its weights and line buffers, plus every skip FIFO
    // at its whole skip tensor (the report gives what was used).
    const uint64_t n = b - a + 1;
    sets.push_back(fmt::format("hardware.sram.bank_bytes={}",
                               sram.bank_bytes * n + (fifo_extra + sram.banks - 1) / sram.banks));
  }
  if (opt.progress) std::fprintf(stderr, "\r  fused %s ...   ", range.c_str());
  ChildProc c = spawn_run(opt.config, sets, true, extra, "run-fused");
  int status = 0;
  while (waitpid(c.pid, &status, 0) < 0) {
  }
  const ChildResult res = collect_run(c, status);
  if (opt.progress) std::fprintf(stderr, "\r%70s\r", "");

  nlohmann::json f;
  f["range"] = range;
  f["blocks"] = nlohmann::json::array();
  f["exit_code"] = res.exit_code;
  uint64_t alone_cycles = 0, alone_bytes = 0;
  for (auto& e : report["blocks"]) {
    const std::string name = e["name"].get<std::string>();
    size_t idx = a;
    while (idx <= b && net.blocks[idx].name != name) ++idx;
    if (idx > b) continue;
    f["blocks"].push_back(name);
    alone_cycles += u64(e, "cycles");
    if (e.contains("fifos")) alone_bytes += u64(e["fifos"]["skip"], "max_occupancy_bytes");
    if (res.report.is_object() && res.report.contains("blocks"))
      for (const auto& fb : res.report["blocks"])
        if (fb["name"] == name) e["fused"] = {{"range", range}, {"fifos", fb["fifos"]}};
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
    failures.push_back(fmt::format("fused {}: {}", range, res.error));
  }
  report["fused"] = f;
  return f["matches_golden"].get<bool>();
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
    s += fmt::format("    {:<10} skip FIFO peak {:>9} beats fused, {:>9} alone\n",
                     e["name"].get<std::string>(), u64(fs, "max_occupancy"), alone);
  }
  return s;
}

}  // namespace skipsim
