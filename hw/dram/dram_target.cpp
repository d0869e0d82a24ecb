#include "hw/dram/dram_target.hpp"

#include <algorithm>
#include <cstring>

namespace skipsim {

DramTarget::DramTarget(sc_core::sc_module_name name, uint64_t size_bytes)
    : sc_module(name), socket("socket"), m_mem(size_bytes, 0) {
  socket.register_nb_transport_fw(this, &DramTarget::fw);
}

void DramTarget::access(tlm::tlm_generic_payload& tr) {
  const uint64_t addr = tr.get_address();
  const unsigned len = tr.get_data_length();
  if (addr + len > m_mem.size()) {
    tr.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (tr.is_read()) {
    std::memcpy(tr.get_data_ptr(), m_mem.data() + addr, len);
    ++m_stats.reads;
    m_stats.bytes_read += len;
  } else {
    std::memcpy(m_mem.data() + addr, tr.get_data_ptr(), len);
    ++m_stats.writes;
    m_stats.bytes_written += len;
  }
  tr.set_response_status(tlm::TLM_OK_RESPONSE);
}

void DramTarget::count_response(const sc_core::sc_time& begin) {
  const double lat = (sc_core::sc_time_stamp() - begin).to_seconds() * 1e9;
  m_stats.latency_sum_ns += lat;
  m_stats.latency_max_ns = std::max(m_stats.latency_max_ns, lat);
  ++m_stats.responses;
}

void DramTarget::report(StatsNode& node) const {
  const DramStats& ds = m_stats;
  node.set("model", model_name())
      .set("bytes_read", ds.bytes_read)
      .set("bytes_written", ds.bytes_written)
      .set("reads", ds.reads)
      .set("writes", ds.writes)
      .set("requests", ds.reads + ds.writes)
      .set("avg_latency_ns", ds.responses ? ds.latency_sum_ns / ds.responses : 0.0)
      .set("max_latency_ns", ds.latency_max_ns);
}
}  // namespace skipsim
