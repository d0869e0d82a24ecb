#include "hw/skip_fifo/skip_fifo.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace skipsim {

SkipFifoBase::SkipFifoBase(sc_core::sc_module_name name, uint64_t depth)
    : sc_module(name), clk("clk"), in("in"), out("out"), m_depth(depth) {
  m_stats.depth = depth;
  constexpr uint64_t kMaxBuckets = 4096;
  m_stats.bucket_width = (depth + kMaxBuckets) / kMaxBuckets;  // depth + 1 levels
  m_stats.histogram.assign(depth / m_stats.bucket_width + 1, 0);
}

void SkipFifoBase::observe(bool in_valid, bool in_ready, bool out_valid, bool out_ready,
                           bool out_last, uint64_t count_after) {
  const bool popped = out_valid && out_ready;
  const bool pushed = in_valid && in_ready;
  const StallStats before = m_stall;
  m_last_pop_starved = !popped && m_count == 0 && out_ready;
  m_last_push_blocked = !pushed && in_valid;
  if (popped) {
    ++m_stats.pops;
    if (out_last) {
      m_stats.max_occupancy_per_frame.push_back(m_stats.frame_max);
      m_stats.frame_max = m_count - 1;
    }
  } else if (m_count == 0 && out_ready) {
    ++m_stats.pop_starved_cycles;
  }
  if (pushed)
    ++m_stats.pushes;
  else if (in_valid)
    ++m_stats.push_blocked_cycles;
  m_count = count_after;
  m_stats.max_occupancy = std::max(m_stats.max_occupancy, m_count);
  m_stats.frame_max = std::max(m_stats.frame_max, m_count);
  m_stats.occupancy_sum += m_count;
  ++m_stats.histogram[std::min<uint64_t>(m_count / m_stats.bucket_width,
                                         m_stats.histogram.size() - 1)];
  if (m_series_on && (m_series.empty() || m_series.back().occupancy != m_count))
    m_series.push_back({m_stats.cycles + 1, m_count});
  ++m_stats.cycles;
  if (m_trace) occupancy_trace.write(m_count);

  // Stall view: busy when a beat moved, starved when empty, else blocked (holding beats
  // the add does not take).
  if (popped || pushed) {
    ++m_stall.busy;
    m_last_kind = WaitState::Kind::kBusy;
  } else if (m_dram_wait) {
    ++m_stall.waiting_dram;
    m_last_kind = WaitState::Kind::kWaitingDram;
  } else if (m_count == 0) {
    ++m_stall.starved;
    ++m_stall.starved_on[0];
    m_last_kind = WaitState::Kind::kStarved;
  } else {
    ++m_stall.blocked;
    ++m_stall.blocked_on[0];
    m_last_kind = WaitState::Kind::kBlocked;
  }
  record_state(m_last_kind);
  m_edge_counts = m_stall.since(before);
}

void SkipFifoBase::observe_repeat(uint64_t edges) {
  if (edges == 0) return;
  m_stats.push_blocked_cycles += m_last_push_blocked ? edges : 0;
  m_stats.pop_starved_cycles += m_last_pop_starved ? edges : 0;
  m_stats.occupancy_sum += m_count * edges;
  m_stats.histogram[std::min<uint64_t>(m_count / m_stats.bucket_width,
                                       m_stats.histogram.size() - 1)] += edges;
  m_stats.cycles += edges;
  m_stall.add_times(m_edge_counts, edges);
}

WaitState SkipFifoBase::wait_state() const {
  WaitState w;
  w.kind = m_last_kind;
  if (m_last_kind == WaitState::Kind::kBlocked) {
    w.port = "out";
    w.detail = fmt::format("{} ({}/{})", m_count == m_depth ? "full" : "holding", m_count, m_depth);
  } else if (m_last_kind == WaitState::Kind::kStarved) {
    w.port = "in";
    w.detail = fmt::format("empty (0/{})", m_depth);
  }
  return w;
}

void SkipFifoBase::own_sram_regions(const SramBanks& sram, std::vector<int> regions) {
  m_sram_owner = &sram;
  m_sram_regions = std::move(regions);
}

uint64_t SkipFifoBase::sram_bytes() const {
  uint64_t n = 0;
  for (int r : m_sram_regions) n += m_sram_owner->region(r).bytes;
  return n;
}

void SkipFifoBase::report_fifo(StatsNode& node) const {
  const SkipFifoStats& fs = m_stats;
  node.set("depth", fs.depth)
      .set("max_occupancy", fs.max_occupancy)
      .set("mean_occupancy", fs.cycles ? static_cast<double>(fs.occupancy_sum) / fs.cycles : 0.0)
      .set("push_blocked_cycles", fs.push_blocked_cycles)
      .set("pop_starved_cycles", fs.pop_starved_cycles)
      .set("pushes", fs.pushes)
      .set("pops", fs.pops)
      .set("sram_bytes", sram_bytes());
  // Cycles at each occupancy, up to the bucket of the peak.
  const size_t used = fs.max_occupancy / fs.bucket_width + 1;
  node.child("histogram")
      .set("bucket_width", fs.bucket_width)
      .set("counts",
           std::vector<uint64_t>(fs.histogram.begin(),
                                 fs.histogram.begin() + std::min(used, fs.histogram.size())));
  node.set("max_occupancy_per_frame", fs.max_occupancy_per_frame);
}

void SkipFifo::report_fifo(StatsNode& node) const {
  SkipFifoBase::report_fifo(node);
  node.set("bank_conflict_cycles", m_bank_conflicts);
}

SkipFifo::SkipFifo(sc_core::sc_module_name name, uint64_t depth, int lanes, SramBanks& sram)
    : SkipFifoBase(name, depth), m_lanes(lanes), m_sram(sram) {
  const SkipFifoStorage st = skip_fifo_storage(depth, lanes);
  m_data_region = sram.allocate(std::string(this->name()) + ".data", st.data);
  m_last_region = sram.allocate(std::string(this->name()) + ".last", st.last);
  own_sram_regions(sram, {m_data_region, m_last_region});
  SC_METHOD(on_clock);
  sensitive << clk.pos();
  dont_initialize();
}

void SkipFifo::read_entry(uint64_t slot, Beat& b) const {
  std::memcpy(b.lane.data(), m_sram.data(m_data_region) + slot * m_lanes, m_lanes);
}

void SkipFifo::replay(uint64_t edges) {
  m_cycle += edges;
  observe_repeat(edges);
}

void SkipFifo::on_clock() {
  if (m_sleep.needs_setup()) {
    m_sleep.watch(in.valid->value_changed_event());
    m_sleep.watch(in.ready->value_changed_event());
    m_sleep.watch(out.valid->value_changed_event());
    m_sleep.watch(out.ready->value_changed_event());
    m_sleep.enable(clk);
  }
  uint64_t skipped = 0;
  if (!m_sleep.at_edge(clk, skipped)) return;
  replay(skipped);
  const bool out_valid = out.valid.read(), out_ready = out.ready.read();
  const bool in_valid = in.valid.read(), in_ready = in.ready.read();
  const bool popped = out_valid && out_ready;
  const uint64_t cycle = m_cycle++;
  uint64_t count = m_count;
  if (popped) {
    m_head = (m_head + 1) % m_depth;
    --count;
  }
  uint64_t written = m_depth;  // slot written at this edge, none
  if (in_valid && in_ready) {
    const uint64_t slot = (m_head + count) % m_depth;
    const Beat& b = in.data.read();
    // Ready promised the beat: the write has the bank's port first.
    m_sram.claim(m_data_region, slot * m_lanes, m_lanes, true, cycle);
    std::memcpy(m_sram.data(m_data_region) + slot * m_lanes, b.lane.data(), m_lanes);
    uint8_t& bits = m_sram.data(m_last_region)[slot / 8];
    const auto mask = static_cast<uint8_t>(1u << (slot % 8));
    bits = in.last.read() ? (bits | mask) : (bits & ~mask);
    m_sram.count_write(m_data_region, m_lanes);
    written = slot;
    ++count;
  }
  in.ready.write(count < m_depth);
  const bool loaded = out_valid && !popped;  // the register still holds its beat
  if (count > 0 && !loaded) {
    // The head goes to the output register: from the input when just written (bypass),
    // else read from its bank, which a 1RW bank cannot do in the write's cycle.
    const bool bypass = written == m_head;
    if (bypass || m_sram.claim(m_data_region, m_head * m_lanes, m_lanes, false, cycle)) {
      Beat b;
      read_entry(m_head, b);
      if (!bypass) m_sram.count_read(m_data_region, m_lanes);
      out.put(b, (m_sram.data(m_last_region)[m_head / 8] >> (m_head % 8)) & 1);
    } else {
      ++m_bank_conflicts;
      if (out_valid) out.idle();
    }
  } else if (count == 0 && out_valid) {
    out.idle();
  }
  observe(in_valid, in_ready, out_valid, out_ready, out.last.read(), count);
  // Nothing moved and the output register holds (or stays empty): the next edges repeat
  // this one until a wire changes.
  const bool held = count > 0 ? loaded : !out_valid;
  if (m_sleep.enabled() && !popped && !(in_valid && in_ready) && held) m_sleep.sleep();
}

}  // namespace skipsim
