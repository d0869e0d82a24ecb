#include "tb/observe/monitor.hpp"

namespace skipsim {

Monitor::Monitor(sc_core::sc_module_name name, std::vector<Stream*> streams,
                 uint64_t deadlock_window, uint64_t max_cycles)
    : sc_module(name),
      clk("clk"),
      m_streams(std::move(streams)),
      m_stats(m_streams.size()),
      m_window(deadlock_window),
      m_max_cycles(max_cycles) {
  SC_METHOD(on_clock);
  sensitive << clk.pos();
  dont_initialize();
}

void Monitor::on_clock() {
  ++m_cycle;
  bool wires_changed = m_wires.size() != m_streams.size();
  m_wires.resize(m_streams.size());
  for (size_t i = 0; i < m_streams.size(); ++i) {
    const bool v = m_streams[i]->valid.read(), r = m_streams[i]->ready.read();
    const auto w = static_cast<uint8_t>(v | (r << 1));
    wires_changed |= w != m_wires[i];
    m_wires[i] = w;
    ChannelStats& s = m_stats[i];
    if (v && r) {
      ++s.transfers;
      ++m_activity;
    } else if (v) {
      ++s.valid_not_ready;
    } else if (r) {
      ++s.ready_not_valid;
    }
  }
  bool quiet = !m_blocks.empty() && !wires_changed && m_activity == m_seen_activity;
  for (const HwBlock* b : m_blocks) quiet = quiet && b->quiescent();
  m_quiet = quiet ? m_quiet + 1 : 0;
  if (m_activity != m_seen_activity) {
    m_seen_activity = m_activity;
    m_last_activity_cycle = m_cycle;
  }
  if (m_progress && (m_cycle & 0xffff) == 0) m_progress(m_cycle);
  if (m_finished && m_finished()) {
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

}  // namespace skipsim
