#include "hw/dram/simple_dram.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace skipsim {

using sc_core::SC_PS;
using sc_core::sc_time;

SimpleDram::SimpleDram(sc_core::sc_module_name name, const SimpleDramConfig& cfg,
                       uint64_t size_bytes)
    : DramTarget(name, size_bytes),
      m_cfg(cfg),
      m_tck(std::round(1000.0 / cfg.clock_ghz), SC_PS),
      m_latency(std::round(cfg.latency_ns * 1000.0), SC_PS),
      m_resp_peq("resp_peq") {
  SC_METHOD(respond);
  sensitive << m_resp_peq.get_event();
  dont_initialize();
}

sc_time SimpleDram::align(const sc_time& t) const {
  const auto tck = m_tck.value();
  return sc_time::from_value((t.value() + tck - 1) / tck * tck);
}

tlm::tlm_sync_enum SimpleDram::transport_fw(int id, tlm::tlm_generic_payload& tr,
                                            tlm::tlm_phase& ph, sc_time& delay) {
  if (ph == tlm::END_RESP) return tlm::TLM_COMPLETED;
  if (ph != tlm::BEGIN_REQ) return tlm::TLM_ACCEPTED;
  const sc_time at = sc_core::sc_time_stamp() + delay;
  if (static_cast<int>(m_queue.size()) < m_cfg.queue_depth && m_waiting.empty()) {
    accept(id, tr, at);
    ph = tlm::END_REQ;
    return tlm::TLM_UPDATED;
  }
  m_waiting.push_back({id, &tr, at});
  return tlm::TLM_ACCEPTED;
}

void SimpleDram::accept(int id, tlm::tlm_generic_payload& tr, const sc_time& at) {
  access(tr);
  const unsigned len = tr.get_data_length();
  const uint64_t beats = (len + m_cfg.bytes_per_cycle - 1) / m_cfg.bytes_per_cycle;
  const sc_time start = align(std::max(at + m_latency, m_bus_free));
  const sc_time done = start + m_tck * static_cast<double>(beats);
  m_bus_free = done;
  m_stats.busy_cycles += beats;
  m_queue.push_back({id, &tr, at});
  m_resp_peq.notify(tr, done - sc_core::sc_time_stamp());
}

void SimpleDram::respond() {
  while (tlm::tlm_generic_payload* tr = m_resp_peq.get_next_transaction()) {
    // In-order service: the peq returns responses in queue order.
    const Entry e = m_queue.front();
    m_queue.pop_front();
    (void)tr;
    count_response(e.begin);
    tlm::tlm_phase ph = tlm::BEGIN_RESP;
    sc_time d = sc_core::SC_ZERO_TIME;
    socket[e.id]->nb_transport_bw(*e.tr, ph, d);
    // A freed slot takes the oldest back-pressured request.
    if (!m_waiting.empty()) {
      const Entry w = m_waiting.front();
      m_waiting.pop_front();
      accept(w.id, *w.tr, sc_core::sc_time_stamp());
      tlm::tlm_phase ph2 = tlm::END_REQ;
      sc_time d2 = sc_core::SC_ZERO_TIME;
      socket[w.id]->nb_transport_bw(*w.tr, ph2, d2);
    }
  }
}

}  // namespace skipsim
