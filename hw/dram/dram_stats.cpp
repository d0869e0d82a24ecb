#include "hw/dram/dram_stats.hpp"

namespace skipsim {

int LatencyHistogram::bucket(uint64_t v) {
  if (v < static_cast<uint64_t>(kLinear)) return static_cast<int>(v);
  const int e = 63 - __builtin_clzll(v);  // >= 10
  const int sub = static_cast<int>((v >> (e - kSubBits)) & (kSub - 1));
  return kLinear + (e - 10) * kSub + sub;
}

uint64_t LatencyHistogram::bucket_value(int b) {
  if (b < kLinear) return static_cast<uint64_t>(b);
  const int e = (b - kLinear) / kSub + 10;
  const uint64_t sub = static_cast<uint64_t>((b - kLinear) % kSub);
  return (uint64_t{1} << e) | (sub << (e - kSubBits));
}

uint64_t LatencyHistogram::percentile(double q) const {
  if (m_count == 0) return 0;
  const double need = q * static_cast<double>(m_count);
  uint64_t seen = 0;
  for (int b = 0; b < kBuckets; ++b) {
    seen += m_buckets[b];
    if (seen > 0 && static_cast<double>(seen) >= need) return bucket_value(b);
  }
  return m_max;
}

namespace {

void report_latency(const LatencyHistogram& h, StatsNode& node) {
  node.set("count", h.count())
      .set("avg", h.mean())
      .set("p50", h.percentile(0.5))
      .set("p99", h.percentile(0.99))
      .set("max", h.max());
}

}  // namespace

void DdrStats::report(StatsNode& node, const DdrConfig& cfg, uint64_t total_cycles) const {
  if (total_cycles == 0) total_cycles = last_done_cycle;
  const double ns = static_cast<double>(total_cycles) * cfg.tck_ns();
  const uint64_t bytes_read = reads * static_cast<uint64_t>(cfg.burst_bytes());
  const uint64_t bytes_written = writes * static_cast<uint64_t>(cfg.burst_bytes());
  const uint64_t accesses = row_hits + row_misses + row_conflicts;
  const double energy_cmd_pj = act * cfg.e_act_pj + pre * cfg.e_pre_pj + rd * cfg.e_rd_pj +
                               wr * cfg.e_wr_pj + ref * cfg.e_ref_pj;
  const double energy_bg_pj = cfg.background_mw * cfg.ranks * cfg.channels * ns;  // mW * ns = pJ
  const double bw = ns > 0 ? static_cast<double>(bytes_read + bytes_written) / ns : 0.0;
  node.set("total_cycles", total_cycles)
      .set("total_ns", ns)
      .set("reads", reads)
      .set("writes", writes)
      .set("bytes_read", bytes_read)
      .set("bytes_written", bytes_written)
      .set("bandwidth_gbps", bw)  // GB/s
      .set("peak_bandwidth_gbps", cfg.peak_gbytes_per_s())
      .set("bandwidth_fraction_of_peak", bw / cfg.peak_gbytes_per_s())
      .set("data_bus_busy_cycles", data_bus_busy_cycles)
      .set("utilization", total_cycles ? static_cast<double>(data_bus_busy_cycles) /
                                             (static_cast<double>(total_cycles) * cfg.channels)
                                       : 0.0)
      .set("avg_read_latency", read_latency.mean())
      .set("avg_write_latency", write_latency.mean());
  report_latency(read_latency, node.child("read_latency"));
  report_latency(write_latency, node.child("write_latency"));
  node.set("row_hits", row_hits)
      .set("row_misses", row_misses)
      .set("row_conflicts", row_conflicts)
      .set("row_hit_rate", accesses ? static_cast<double>(row_hits) / accesses : 0.0);
  node.child("commands")
      .set("ACT", act)
      .set("PRE", pre)
      .set("RD", rd)
      .set("WR", wr)
      .set("REF", ref);
  node.child("energy_pj")
      .set("act", act * cfg.e_act_pj)
      .set("pre", pre * cfg.e_pre_pj)
      .set("rd", rd * cfg.e_rd_pj)
      .set("wr", wr * cfg.e_wr_pj)
      .set("ref", ref * cfg.e_ref_pj)
      .set("background", energy_bg_pj)
      .set("total", energy_cmd_pj + energy_bg_pj);
}

}  // namespace skipsim
