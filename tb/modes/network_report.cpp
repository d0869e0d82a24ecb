// The views of a network report: one CSV row per block and the printed table.
#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "tb/modes/fused_network.hpp"
#include "tb/modes/network_mode.hpp"

namespace skipsim {

std::string network_csv(const nlohmann::json& report) {
  std::string s =
      "name,kind,projection,in_h,in_w,in_c,out_h,out_w,out_c,cycles,macs,mac_utilization,"
      "skip_max_occupancy,skip_max_occupancy_bytes,min_deadlock_free_depth,"
      "min_full_speed_depth,analytic_depth,min_full_speed_depth_bytes,matches_golden,"
      "skip_zero_fraction,skip_raw_bytes,skip_compressed_bytes\n";
  for (const auto& e : report["blocks"]) {
    const bool sim = e.value("simulated", false);
    const auto opt_u = [&](const char* k) {
      return e.contains(k) ? std::to_string(e[k].get<uint64_t>()) : std::string();
    };
    const auto skip_u = [&](const char* k) {
      return sim && e.contains("fifos") && e["fifos"]["skip"].contains(k)
                 ? std::to_string(e["fifos"]["skip"][k].get<uint64_t>())
                 : std::string();
    };
    s += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                     e["name"].get<std::string>(), e["kind"].get<std::string>(),
                     e["projection"].get<bool>() ? 1 : 0, e["input_shape"][0].get<int>(),
                     e["input_shape"][1].get<int>(), e["input_shape"][2].get<int>(),
                     e["output_shape"][0].get<int>(), e["output_shape"][1].get<int>(),
                     e["output_shape"][2].get<int>(), sim ? opt_u("cycles") : "",
                     e["macs"].get<uint64_t>(),
                     sim && e.contains("mac_utilization")
                         ? fmt::format("{:.4f}", e["mac_utilization"].get<double>())
                         : "",
                     sim && e.contains("fifos")
                         ? std::to_string(e["fifos"]["skip"]["max_occupancy"].get<uint64_t>())
                         : "",
                     sim && e.contains("fifos")
                         ? std::to_string(e["fifos"]["skip"]["max_occupancy_bytes"].get<uint64_t>())
                         : "",
                     opt_u("min_deadlock_free_depth"), opt_u("min_full_speed_depth"),
                     opt_u("analytic_depth"), opt_u("min_full_speed_depth_bytes"),
                     sim ? (e.value("matches_golden", false) ? "1" : "0") : "",
                     e.contains("skip_zero_fraction")
                         ? fmt::format("{:.4f}", e["skip_zero_fraction"].get<double>())
                         : "",
                     skip_u("raw_bytes"), skip_u("compressed_bytes"));
  }
  return s;
}

std::string network_table(const nlohmann::json& report) {
  const auto kib = [](uint64_t b) { return fmt::format("{:.1f}", b / 1024.0); };
  const bool fd = std::any_of(report["blocks"].begin(), report["blocks"].end(),
                              [](const nlohmann::json& e) { return e.contains("analytic_depth"); });
  std::string s = fmt::format("{} at {}x{}: {} blocks\n", report["model"].get<std::string>(),
                              report["input"][0].get<int>(), report["input"][1].get<int>(),
                              report["blocks"].size());
  // Names wider than ResNets' ("classifier.6") widen the first column.
  size_t nw = 10;
  for (const auto& e : report["blocks"]) nw = std::max(nw, e["name"].get<std::string>().size());
  const bool packed = report.value("compression", std::string("none")) != "none";
  s += fmt::format("  {:<{}} {:<10} {:>14} {:>14} {:>11} {:>7} {:>6} {:>11} {:>10}", "block", nw,
                   "kind", "input", "output", "cycles", "MAC%", "zeros",
                   packed ? "skip words" : "skip beats", "skip KiB");
  if (packed) s += fmt::format(" {:>6}", "ratio");
  if (fd) s += fmt::format(" {:>9} {:>9} {:>9}", "dl-free", "full-spd", "analytic");
  s += "\n";
  for (const auto& e : report["blocks"]) {
    const auto shape = [](const nlohmann::json& a) {
      return fmt::format("{}x{}x{}", a[0].get<int>(), a[1].get<int>(), a[2].get<int>());
    };
    const std::string kind =
        e["kind"].get<std::string>() + (e["projection"].get<bool>() ? "+p" : "");
    if (!e.value("simulated", false)) {
      s += fmt::format("  {:<{}} {:<10} {:>14} {:>14} {:>11}\n", e["name"].get<std::string>(), nw,
                       kind, shape(e["input_shape"]), shape(e["output_shape"]), "golden only");
      continue;
    }
    const bool ok = e.contains("fifos");
    s += fmt::format("  {:<{}} {:<10} {:>14} {:>14} {:>11} {:>7} {:>6} {:>11} {:>10}",
                     e["name"].get<std::string>(), nw, kind, shape(e["input_shape"]),
                     shape(e["output_shape"]), e.value("cycles", uint64_t{0}),
                     e.contains("mac_utilization")
                         ? fmt::format("{:.1f}", 100 * e["mac_utilization"].get<double>())
                         : "-",
                     e.contains("skip_zero_fraction")
                         ? fmt::format("{:.0f}%", 100 * e["skip_zero_fraction"].get<double>())
                         : "-",
                     ok ? std::to_string(e["fifos"]["skip"]["max_occupancy"].get<uint64_t>()) : "-",
                     ok ? kib(e["fifos"]["skip"]["max_occupancy_bytes"].get<uint64_t>()) : "-");
    if (packed)
      s += fmt::format(
          " {:>6}",
          ok && e["fifos"]["skip"].contains("compression_ratio")
              ? fmt::format("{:.2f}x", e["fifos"]["skip"]["compression_ratio"].get<double>())
              : "-");
    const auto depth = [&](const char* k) {
      return e.contains(k) ? std::to_string(e[k].get<uint64_t>()) : std::string("-");
    };
    if (fd)
      s += fmt::format(" {:>9} {:>9} {:>9}", depth("min_deadlock_free_depth"),
                       depth("min_full_speed_depth"), depth("analytic_depth"));
    if (e.contains("error")) s += "  " + e["error"].get<std::string>();
    s += "\n";
  }
  s += fmt::format(
      "  total: {} cycles, {:.3f} G MACs; skip FIFO {} KiB summed over blocks, {} KiB for one "
      "shared FIFO; {}\n",
      report["cycles"].get<uint64_t>(), report["macs"].get<uint64_t>() / 1e9,
      kib(report["skip_fifo_bytes_sum"].get<uint64_t>()),
      kib(report["skip_fifo_bytes_max"].get<uint64_t>()),
      report["bit_exact"].get<bool>() ? "every simulated block bit-exact against the golden model"
                                      : "NOT bit-exact (see failures)");
  if (packed && report.contains("skip_raw_bytes")) {
    const auto raw = report["skip_raw_bytes"].get<uint64_t>();
    const auto cmp = report["skip_compressed_bytes"].get<uint64_t>();
    s += fmt::format("  skip path ({}): {} KiB of X compressed to {} KiB ({:.2f}x)",
                     report["compression"].get<std::string>(), kib(raw), kib(cmp),
                     cmp ? static_cast<double>(raw) / static_cast<double>(cmp) : 0.0);
    if (report.contains("dram") && report["dram"].contains("spill"))
      s += fmt::format("; spilled {} KiB, filled {} KiB",
                       kib(report["dram"]["spill"].get<uint64_t>()),
                       kib(report["dram"].value("fill", uint64_t{0})));
    s += "\n";
  }
  if (report.contains("fused")) s += fused_table(report);
  return s;
}

}  // namespace skipsim
