#pragma once
// Statistics of a DdrController: command counts, row buffer outcomes, data bus occupancy and
// request latencies (a log-linear histogram, so memory stays bounded however long the run).
#include <array>
#include <cstdint>

#include "hw/common/stats.hpp"
#include "hw/dram/ddr_config.hpp"

namespace skipsim {

// Exact below 1024 cycles; above, 128 buckets per power of two (under 1% error).
class LatencyHistogram {
 public:
  void add(uint64_t v) {
    ++m_buckets[bucket(v)];
    ++m_count;
    m_sum += v;
    if (v > m_max) m_max = v;
  }
  uint64_t count() const { return m_count; }
  uint64_t max() const { return m_max; }
  double mean() const { return m_count ? static_cast<double>(m_sum) / m_count : 0.0; }
  // The smallest bucket value with at least q of the samples at or below it (0 when empty).
  uint64_t percentile(double q) const;

 private:
  static constexpr int kLinear = 1024, kSub = 128, kSubBits = 7;
  static constexpr int kBuckets = kLinear + (64 - 10) * kSub;
  static int bucket(uint64_t v);
  static uint64_t bucket_value(int b);

  std::array<uint64_t, kBuckets> m_buckets{};
  uint64_t m_count = 0, m_sum = 0, m_max = 0;
};

struct DdrStats {
  uint64_t reads = 0, writes = 0;  // requests completed (column command issued)
  uint64_t act = 0, pre = 0, rd = 0, wr = 0, ref = 0;
  uint64_t row_hits = 0, row_misses = 0, row_conflicts = 0;  // hit / closed bank / other row open
  uint64_t data_bus_busy_cycles = 0;                         // summed over channels
  uint64_t last_done_cycle = 0;
  LatencyHistogram read_latency, write_latency;  // done - accepted, DRAM cycles

  // `total_cycles`: the span the rates refer to (0 = last_done_cycle).
  void report(StatsNode& node, const DdrConfig& cfg, uint64_t total_cycles = 0) const;
};

}  // namespace skipsim
