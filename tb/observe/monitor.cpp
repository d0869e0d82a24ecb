#include "tb/observe/monitor.hpp"

#include <algorithm>

namespace skipsim {

Monitor::Monitor(sc_core::sc_module_name name, std::vector<Stream*> streams,
                 uint64_t deadlock_window, uint64_t max_cycles)
    : sc_module(name),
      clk("clk"),
      m_streams(std::move(streams)),
      m_wires(m_streams.size(), 0),
      m_stats(m_streams.size()),
      m_window(deadlock_window),
      m_max_cycles(max_cycles) {
  SC_METHOD(on_clock);
  sensitive << clk.pos();
  dont_initialize();
  SC_METHOD(on_wires);
  for (Stream* s : m_streams) sensitive << s->valid << s->ready;
  dont_initialize();
}

void Monitor::count_states(uint64_t upto) const {
  if (upto <= m_counted) return;
  const uint64_t n = upto - m_counted;
  for (size_t i = 0; i < m_streams.size(); ++i) {
    ChannelStats& s = m_stats[i];
    switch (m_wires[i]) {
      case 3:
        s.transfers += n;
        break;
      case 1:
        s.valid_not_ready += n;
        break;
      case 2:
        s.ready_not_valid += n;
        break;
      default:
        break;
    }
  }
  if (m_flight) {
    // The states hold over the n edges: the count moves one way, so its peak is at an end.
    const int64_t d =
        int64_t{m_wires[m_flight->first] == 3} - int64_t{m_wires[m_flight->second] == 3};
    m_in_flight += d * static_cast<int64_t>(n);
    m_max_flight = std::max(m_max_flight, static_cast<uint64_t>(std::max<int64_t>(0, m_in_flight)));
  }
  m_counted = upto;
}

const std::vector<ChannelStats>& Monitor::channel_stats() const {
  count_states(m_cycle);
  return m_stats;
}

void Monitor::sample_wires() {
  m_transferring = 0;
  for (size_t i = 0; i < m_streams.size(); ++i) {
    const bool v = m_streams[i]->valid.read(), r = m_streams[i]->ready.read();
    m_wires[i] = static_cast<uint8_t>(v | (r << 1));
    m_transferring += v && r;
  }
}

bool Monitor::may_pause(uint64_t& bound) const {
  if (m_end != End::kRunning || m_transferring || m_quiet || m_wires_dirty) return false;
  bool working = false;  // a block that is not waiting on a wire (a running tile)
  for (const HwBlock* b : m_blocks) working = working || !b->quiescent();
  if (!working) return false;
  bound = m_last_activity_cycle + m_window + 1;
  if (m_max_cycles) bound = std::min(bound, m_max_cycles);
  if (m_progress) bound = std::min(bound, (m_cycle | 0xffff) + 1);
  return true;
}

void Monitor::on_clock() {
  if (!m_setup) {
    m_setup = true;
    if (const auto* s = dynamic_cast<const ClockSignal*>(clk.get_interface())) {
      m_clock = s->clock();
      if (m_gate_sleepers >= 0)
        m_clock->enable_gating(m_gate_sleepers, [this](uint64_t& b) { return may_pause(b); });
    }
  }
  m_cycle = m_clock ? m_clock->cycle_now() : m_cycle + 1;
  // Wires change only after edges: a change seen now holds from this edge on.
  const bool wires_changed = m_wires_dirty;
  if (wires_changed) {
    count_states(m_cycle - 1);
    sample_wires();
    m_wires_dirty = false;
  }
  m_activity += m_transferring;
  bool quiet = !m_blocks.empty() && !wires_changed && m_activity == m_seen_activity;
  if (quiet) {
    // Most cycles some block is busy: ask the last busy one first.
    for (size_t k = 0; k < m_blocks.size() && quiet; ++k) {
      const size_t i = (m_busy_block + k) % m_blocks.size();
      if (!m_blocks[i]->quiescent()) {
        quiet = false;
        m_busy_block = i;
      }
    }
  }
  m_quiet = quiet ? m_quiet + 1 : 0;
  if (m_activity != m_seen_activity) {
    m_seen_activity = m_activity;
    m_last_activity_cycle = m_cycle;
  }
  if (m_progress && (m_cycle & 0xffff) == 0) m_progress(m_cycle);
  if (m_finished && m_finished()) {
    if (m_drained && !m_drained()) return;
    m_end = End::kFinished;
    sc_core::sc_stop();
  } else if (m_quiet >= kQuietCycles || m_cycle - m_last_activity_cycle > m_window) {
    m_end = End::kDeadlock;
    sc_core::sc_stop();
  } else if (m_max_cycles && m_cycle >= m_max_cycles) {
    m_end = End::kCycleLimit;
    sc_core::sc_stop();
  }
}

void simulate(const std::vector<HwBlock*>& blocks, Monitor& monitor, bool skip_idle_edges,
              bool gate_clock) {
  if (skip_idle_edges) {
    int sleepers = 0;
    for (HwBlock* b : blocks) sleepers += b->allow_sleep();
    if (gate_clock && sleepers == static_cast<int>(blocks.size()))
      monitor.allow_clock_gating(sleepers);
  }
  sc_core::sc_start();
  for (HwBlock* b : blocks) b->settle();
}

}  // namespace skipsim
