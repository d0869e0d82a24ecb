#include "hw/dma/dma_read.hpp"

#include <algorithm>

namespace skipsim {

DmaRead::DmaRead(sc_core::sc_module_name name, int max_outstanding, int burst_bytes)
    : DmaEngine(name, max_outstanding, burst_bytes), out("out") {
  SC_METHOD(on_clock);
  sensitive << clk.pos();
  dont_initialize();
}

void DmaRead::add_param_job(uint64_t addr, ParamSink* sink) {
  Job j;
  j.addr = addr;
  j.bytes = j.frame_bytes = sink->param_bytes();
  j.sink = sink;
  m_jobs.push_back(j);
  m_param_bytes += j.bytes;
}

void DmaRead::add_stream_job(uint64_t addr, const TensorStreamShape& shape, DmaPurpose purpose) {
  Job j;
  j.purpose = purpose;
  j.addr = addr;
  j.shape = shape;
  j.frame_bytes = shape.pixels * shape.channels;
  j.bytes = j.frame_bytes * shape.frames;
  m_jobs.push_back(j);
  m_stream_bytes += j.bytes;
}

void DmaRead::set_throttle(double rate, double stall_p, uint64_t seed) {
  m_rate = rate;
  m_credit = rate;
  m_injector = SeededStall(stall_p, seed);
}

bool DmaRead::throttle_allows() {
  m_credit = std::min(1.0, m_credit + m_rate);
  const bool stall = m_injector.stall();
  return !stall && m_credit >= 1.0 - 1e-12;
}

void DmaRead::issue_next() {
  if (m_issue_job == m_jobs.size()) return;
  const Job& j = m_jobs[m_issue_job];
  const DmaPurpose purpose = j.sink ? DmaPurpose::kWeights : j.purpose;
  if (!can_issue(false)) {
    note_slot_wait(purpose, false);
    return;
  }
  const uint64_t in_frame = m_issued % j.frame_bytes;
  const auto len = static_cast<unsigned>(std::min<uint64_t>(m_burst, j.frame_bytes - in_frame));
  issue(false, j.addr + in_frame, len, nullptr, m_issue_job, purpose);
  m_issued += len;
  if (m_issued == j.bytes) {
    ++m_issue_job;
    m_issued = 0;
  }
}

void DmaRead::job_done() {
  ++m_job;
  m_drained = 0;
  m_front_off = 0;
  m_beat = 0;
}

bool DmaRead::drain_params() {
  Job& j = m_jobs[m_job];
  bool any = false;
  while (front_done(false)) {
    Request& r = front(false);
    const unsigned len = r.tr.get_data_length();
    j.sink->write_params(m_drained, r.buf.data(), len);
    m_drained += len;
    pop_front(false);
    any = true;
    if (m_drained == j.bytes) {
      j.sink->params_loaded();
      job_done();
      break;
    }
  }
  return any;
}

bool DmaRead::next_beat(Beat& b, bool& last) {
  const Job& j = m_jobs[m_job];
  const int c0 = m_beat * j.shape.lanes;
  const int n = std::min(j.shape.lanes, j.shape.channels - c0);
  // Are n bytes from the front request's offset on present?
  uint64_t avail = 0;
  for (size_t i = 0; i < in_order_count(false) && avail < static_cast<uint64_t>(n); ++i) {
    Request& r = in_order(false, i);
    if (!visible(r)) break;
    avail += r.tr.get_data_length() - (i == 0 ? m_front_off : 0);
  }
  if (avail < static_cast<uint64_t>(n)) return false;
  b = Beat{};
  for (int k = 0; k < n;) {
    Request& r = front(false);
    const unsigned len = r.tr.get_data_length();
    const int take = static_cast<int>(std::min<uint64_t>(n - k, len - m_front_off));
    std::copy(r.buf.begin() + m_front_off, r.buf.begin() + m_front_off + take,
              reinterpret_cast<uint8_t*>(b.lane.data()) + k);
    k += take;
    m_front_off += take;
    if (m_front_off == len) {
      pop_front(false);
      m_front_off = 0;
    }
  }
  m_drained += n;
  if (++m_beat == beats_per_pixel(j.shape.channels, j.shape.lanes)) m_beat = 0;
  last = m_drained % j.frame_bytes == 0;
  if (m_drained == j.bytes) job_done();
  return true;
}

void DmaRead::on_clock() {
  if (m_sleep.needs_setup()) {
    m_sleep.watch(out.valid->value_changed_event());
    m_sleep.watch(out.ready->value_changed_event());
    m_sleep.enable(clk);
  }
  uint64_t skipped = 0;
  if (!m_sleep.at_edge(clk, skipped)) return;
  replay(skipped);
  const StallStats before = m_stall;
  count_cycle();
  bool out_changed = false;
  const bool fired = m_out_busy && out.ready.read();
  bool progressed = false;
  if (m_job < m_jobs.size() && m_jobs[m_job].sink) progressed = drain_params();

  if (m_out_busy && !fired) {
    // holds its beat
  } else {
    Beat b;
    bool last = false;
    const bool streaming = m_job < m_jobs.size() && !m_jobs[m_job].sink;
    const bool allowed = !streaming || throttle_allows();
    m_throttled = streaming && !allowed;
    if (streaming && allowed && next_beat(b, last)) {
      m_credit -= 1.0;
      out.put(b, last);
      m_out_busy = true;
      out_changed = true;
    } else {
      if (m_out_busy) out.idle();
      out_changed = m_out_busy;
      m_out_busy = false;
    }
  }
  issue_next();

  m_wait = {};
  if (fired || progressed) {
    ++m_stall.busy;
    m_wait.kind = WaitState::Kind::kBusy;
  } else if (m_out_busy) {
    ++m_stall.blocked;
    ++m_stall.blocked_on[0];
    m_wait.kind = WaitState::Kind::kBlocked;
    m_wait.port = "out";
  } else if (finished()) {
    ++m_stall.idle;
  } else {
    ++m_stall.waiting_dram;
    m_wait.kind = WaitState::Kind::kWaitingDram;
  }
  record_state(m_wait.kind);
  if (m_sleep.enabled() && !out_changed && quiescent() && !m_injector.active())
    sleep_after_edge(before);
}

}  // namespace skipsim
