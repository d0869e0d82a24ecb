// The printed summary of a run: one line per concern, then one row per pipeline block.
#include <algorithm>

#include <fmt/format.h>

#include "tb/observe/report.hpp"

namespace skipsim {

namespace {

std::string outcome_lines(const StatsNode& j) {
  const StatsNode& wl = j.at("workload");
  const StatsNode &in = wl.at("input"), &out = wl.at("output");
  std::string s =
      fmt::format("skipsim: {} block {}x{}x{} -> {}x{}x{}\n", wl.str("block"), in.i64("h"),
                  in.i64("w"), in.i64("c"), out.i64("h"), out.i64("w"), out.i64("c"));
  const std::string status = j.flag("deadlock")              ? "DEADLOCK"
                             : j.flag("cycle_limit_reached") ? "CYCLE LIMIT"
                                                             : "finished";
  s += fmt::format("  {:<22}{} cycles ({:.1f} us at {} GHz), {}\n", "cycles", j.u64("cycles"),
                   j.num("simulated_ns") / 1000.0, j.num("clock_ghz"), status);
  s += fmt::format("  {:<22}{:.2f} s wall, {:.0f} cycles/s, peak RSS {:.0f} MiB\n", "speed",
                   j.num("sim_seconds"), j.num("sim_cycles_per_second"), j.num("peak_rss_mib"));
  return s;
}

std::string skip_fifo_lines(const StatsNode& j) {
  const StatsNode& f = j.at("fifos").at("skip");
  const uint64_t sram = f.u64("sram_bytes");
  std::string s = fmt::format(
      "  {:<22}depth {}, max occupancy {}, mean {:.1f}, push blocked {} cycles; SRAM {} B "
      "({:.1f} KiB)\n",
      "skip FIFO (beats)", f.u64("depth"), f.u64("max_occupancy"), f.num("mean_occupancy"),
      f.u64("push_blocked_cycles"), sram, static_cast<double>(sram) / 1024.0);
  if (const StatsNode* sp = f.find("spill")) {
    s += fmt::format(
        "  {:<22}spilled {} B, filled {} B, on-chip peak {} beats, stall {} cycles (input "
        "blocked {}, waiting for fill {})\n",
        "skip spill", sp->u64("spill_bytes"), sp->u64("fill_bytes"),
        sp->u64("max_onchip_occupancy"), sp->u64("stall_cycles"), sp->u64("input_blocked_cycles"),
        sp->u64("fill_wait_cycles"));
  }
  return s;
}

std::string ddr_lines(const StatsNode& x) {
  const StatsNode& rl = x.at("read_latency");
  const StatsNode& c = x.at("commands");
  std::string s = fmt::format(
      "  {:<22}read latency avg {:.1f} p50 {} p99 {} max {} DRAM cycles; {:.2f} GB/s "
      "({:.1f}% of peak)\n",
      "DDR", rl.num("avg"), rl.u64("p50"), rl.u64("p99"), rl.u64("max"), x.num("bandwidth_gbps"),
      100.0 * x.num("bandwidth_fraction_of_peak"));
  s += fmt::format(
      "  {:<22}rows: {} hits, {} misses, {} conflicts; ACT {} PRE {} RD {} WR {} REF {}; "
      "{:.2f} uJ\n",
      "", x.u64("row_hits"), x.u64("row_misses"), x.u64("row_conflicts"), c.u64("ACT"),
      c.u64("PRE"), c.u64("RD"), c.u64("WR"), c.u64("REF"), x.at("energy_pj").num("total") * 1e-6);
  return s;
}

std::string dram_lines(const StatsNode& d) {
  std::string s = fmt::format("  {:<22}{} model{}, read {} B, written {} B, {} requests\n", "DRAM",
                              d.str("model"), d.has("preset") ? " " + d.str("preset") : "",
                              d.u64("bytes_read"), d.u64("bytes_written"), d.u64("requests"));
  // Purposes in name order, as the JSON report lists them.
  const StatsNode& by = d.at("by_purpose");
  std::vector<size_t> order(by.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return by.name_of(a) < by.name_of(b); });
  for (size_t i : order) {
    const StatsNode& v = by[i];
    if (v.u64("requests") == 0) continue;
    s += fmt::format("  {:<22}{:>10} B in {:>7} requests, {} cycles waiting for a DMA slot\n",
                     "  " + by.name_of(i), v.u64("bytes"), v.u64("requests"),
                     v.u64("slot_wait_cycles"));
  }
  if (const StatsNode* x = d.find("ddr")) s += ddr_lines(*x);
  return s;
}

std::string sram_energy_golden_lines(const StatsNode& j) {
  std::string s;
  if (const StatsNode* sr = j.find("sram")) {
    s += fmt::format("  {:<22}{} of {} B used, {} ports, {} bank conflicts\n", "SRAM",
                     sr->u64("used_bytes"), sr->u64("capacity_bytes"),
                     sr->flag("dual_port") ? "1R+1W" : "1RW", sr->u64("bank_conflicts"));
  }
  if (const StatsNode* e = j.find("energy_pj")) {
    s +=
        fmt::format("  {:<22}{:.2f} uJ: MAC {:.2f}, SRAM read {:.2f}, write {:.2f}, DRAM {:.2f}\n",
                    "energy", e->num("total") * 1e-6, e->num("mac") * 1e-6,
                    e->num("sram_read") * 1e-6, e->num("sram_write") * 1e-6, e->num("dram") * 1e-6);
  }
  const StatsNode* out = j.find("output");
  if (out && out->has("matches_golden")) {
    s += fmt::format("  {:<22}{}\n", "golden check",
                     out->flag("matches_golden")
                         ? "output matches the golden model"
                         : fmt::format("MISMATCH in {} of {} values", out->u64("mismatches"),
                                       out->u64("values")));
  }
  return s;
}

// The port this block lost the most cycles on ("DRAM" when waiting for it dominates).
std::string waits_most_on(const StatsNode& m) {
  std::string most;
  uint64_t most_n = 0;
  for (const char* kind : {"starved_on", "blocked_on"}) {
    const StatsNode& ports = m.at(kind);
    for (size_t i = 0; i < ports.size(); ++i) {
      if (ports.u64(ports.name_of(i)) > most_n) {
        most_n = ports.u64(ports.name_of(i));
        most = fmt::format("{} {}", kind[0] == 's' ? "input" : "output", ports.name_of(i));
      }
    }
  }
  if (m.u64("waiting_dram") > most_n) most = "DRAM";
  return most;
}

std::string block_rows(const StatsNode& j) {
  const double cycles = std::max(1.0, j.num("cycles"));
  std::string s =
      fmt::format("\n  {:<11}{:>8}{:>9}{:>9}{:>11}{:>8}{:>8}  {}\n", "block", "busy%", "starved%",
                  "blocked%", "wait_dram%", "idle%", "MAC%", "waits most on");
  const StatsNode& pipeline = j.at("pipeline");
  const auto& names = std::get<std::vector<std::string>>(pipeline.value());
  for (const std::string& name : names) {
    const StatsNode& m = j.at("modules").at(name);
    auto pct = [&](const char* k) { return 100.0 * m.num(k) / cycles; };
    const std::string mac =
        m.has("mac_utilization") ? fmt::format("{:.1f}", 100.0 * m.num("mac_utilization")) : "-";
    s += fmt::format("  {:<11}{:>8.1f}{:>9.1f}{:>9.1f}{:>11.1f}{:>8.1f}{:>8}  {}\n", name,
                     pct("busy"), pct("starved"), pct("blocked"), pct("waiting_dram"), pct("idle"),
                     mac, waits_most_on(m));
  }
  return s;
}

}  // namespace

std::string format_report_table(const StatsNode& j) {
  std::string s = outcome_lines(j);
  s += skip_fifo_lines(j);
  s += dram_lines(j.at("dram"));
  s += sram_energy_golden_lines(j);
  s += block_rows(j);
  const StatsNode& b = j.at("bottleneck");
  s += fmt::format("\n  bottleneck: {} (busy {:.1f}% of the cycles)\n", b.str("block"),
                   100.0 * b.num("busy_fraction"));
  if (const StatsNode* d = j.find("deadlock_report")) s += "  deadlock: " + d->str("text") + "\n";
  return s;
}

}  // namespace skipsim
