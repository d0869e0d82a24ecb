#include "hw/dma/dma_write.hpp"

#include <algorithm>

namespace skipsim {

DmaWrite::DmaWrite(sc_core::sc_module_name name, int max_outstanding, int burst_bytes,
                   uint64_t buffer_bytes)
    : DmaEngine(name, max_outstanding, burst_bytes),
      in("in"),
      m_buf(buffer_bytes, 0),
      m_burst_tmp(burst_bytes, 0) {
  SC_METHOD(on_clock);
  sensitive << clk.pos();
  dont_initialize();
}

void DmaWrite::set_stream_job(uint64_t addr, uint64_t pixels, int channels, int lanes, int frames) {
  m_addr = addr;
  m_frame_bytes = pixels * channels;
  m_total = m_frame_bytes * frames;
  m_channels = channels;
  m_lanes = lanes;
}

void DmaWrite::on_clock() {
  if (m_sleep.needs_setup()) {
    m_sleep.watch(in.valid->value_changed_event());
    m_sleep.watch(in.ready->value_changed_event());
    m_sleep.enable(clk);
  }
  uint64_t skipped = 0;
  if (!m_sleep.at_edge(clk, skipped)) return;
  replay(skipped);
  const StallStats before = m_stall;
  count_cycle();
  bool progressed = false;
  while (front_done(true)) {
    m_acked += front(true).tr.get_data_length();
    pop_front(true);
    if (m_acked / m_frame_bytes > m_frame_done.size()) m_frame_done.push_back(cycle());
    progressed = true;
  }
  if (finished() && m_finish_cycle == 0) m_finish_cycle = cycle();
  const uint64_t cap = m_buf.size();
  // Issue a burst when a full one is buffered, or the rest of the frame is.
  if (m_filled > m_issued) {
    const uint64_t in_frame = m_issued % m_frame_bytes;
    const uint64_t want = std::min<uint64_t>(m_burst, m_frame_bytes - in_frame);
    if (m_filled - m_issued >= want && !can_issue(true)) {
      note_slot_wait(m_purpose, true);
    } else if (m_filled - m_issued >= want) {
      for (uint64_t i = 0; i < want; ++i) m_burst_tmp[i] = m_buf[(m_issued + i) % cap];
      issue(true, m_addr + in_frame, static_cast<unsigned>(want), m_burst_tmp.data(), 0, m_purpose);
      m_issued += want;
    }
  }
  const bool fired = in.fire();
  if (fired) {
    const Beat& b = in.data.read();
    const int n = std::min(m_lanes, m_channels - m_beat * m_lanes);
    for (int i = 0; i < n; ++i) m_buf[(m_filled + i) % cap] = static_cast<uint8_t>(b.lane[i]);
    m_filled += n;
    ++m_beats;
    if (++m_beat == beats_per_pixel(m_channels, m_lanes)) m_beat = 0;
  }
  const bool stall = m_injector.stall();
  in.ready.write(!stall && m_filled < m_total && m_filled + m_lanes <= m_issued + cap);

  m_wait = {};
  if (fired || progressed) {
    ++m_stall.busy;
    m_wait.kind = WaitState::Kind::kBusy;
  } else if (finished()) {
    ++m_stall.idle;
  } else if (m_filled == m_total || m_filled + m_lanes > m_issued + cap) {
    ++m_stall.waiting_dram;
    m_wait.kind = WaitState::Kind::kWaitingDram;
  } else {
    ++m_stall.starved;
    ++m_stall.starved_on[0];
    m_wait.kind = WaitState::Kind::kStarved;
    m_wait.port = "in";
  }
  record_state(m_wait.kind);
  // Nothing moved, nothing in flight, no random stall drawn: the next edges repeat this one.
  if (m_sleep.enabled() && quiescent()) sleep_after_edge(before);
}

}  // namespace skipsim
