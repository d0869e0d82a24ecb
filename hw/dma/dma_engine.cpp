#include "hw/dma/dma_engine.hpp"

#include <algorithm>
#include <cstring>

namespace skipsim {

const char* purpose_name(DmaPurpose p) {
  switch (p) {
    case DmaPurpose::kInput:
      return "input";
    case DmaPurpose::kWeights:
      return "weights";
    case DmaPurpose::kOutput:
      return "output";
    case DmaPurpose::kSpill:
      return "spill";
    case DmaPurpose::kFill:
      return "fill";
  }
  return "?";
}

DmaEngine::DmaEngine(sc_core::sc_module_name name, int max_outstanding, int burst_bytes,
                     size_t request_bytes)
    : sc_module(name),
      clk("clk"),
      socket("socket"),
      m_burst(burst_bytes),
      m_pool(2 * static_cast<size_t>(max_outstanding)),
      m_max(max_outstanding) {
  socket.register_nb_transport_bw(this, &DmaEngine::nb_transport_bw);
  const size_t buf = std::max(static_cast<size_t>(burst_bytes), request_bytes);
  for (auto& r : m_pool) r.buf.assign(buf, 0);
}

int DmaEngine::issue(bool write, uint64_t addr, unsigned len, const uint8_t* data, uint64_t tag,
                     DmaPurpose purpose) {
  int slot = 0;
  while (m_pool[slot].in_use) ++slot;
  Request& r = m_pool[slot];
  r.in_use = true;
  r.done = false;
  r.tag = tag;
  r.issue_cycle = m_cycle;
  r.tr.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
  r.tr.set_address(addr);
  r.tr.set_data_ptr(r.buf.data());
  r.tr.set_data_length(len);
  r.tr.set_streaming_width(len);
  r.tr.set_byte_enable_ptr(nullptr);
  r.tr.set_dmi_allowed(false);
  r.tr.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  if (write) std::memcpy(r.buf.data(), data, len);
  ++m_outstanding[write];
  m_order[write].push_back(slot);
  m_last_slot = slot;
  DmaPurposeStats& ps = m_stats.by_purpose[static_cast<int>(purpose)];
  ++ps.requests;
  ps.bytes += len;
  if (write) {
    ++m_stats.write_requests;
    m_stats.bytes_written += len;
  } else {
    ++m_stats.read_requests;
    m_stats.bytes_read += len;
  }
  if (m_activity) ++*m_activity;
  tlm::tlm_phase ph = tlm::BEGIN_REQ;
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  const tlm::tlm_sync_enum s = socket->nb_transport_fw(r.tr, ph, delay);
  m_req_pending = !(s == tlm::TLM_UPDATED && ph == tlm::END_REQ);
  return slot;
}

tlm::tlm_sync_enum DmaEngine::nb_transport_bw(tlm::tlm_generic_payload& tr, tlm::tlm_phase& ph,
                                              sc_core::sc_time& delay) {
  if (m_activity) ++*m_activity;
  if (ph == tlm::END_REQ) {
    m_req_pending = false;
    return tlm::TLM_ACCEPTED;
  }
  if (ph == tlm::BEGIN_RESP) {
    for (auto& r : m_pool) {
      if (&r.tr == &tr) {
        if (tr.is_response_error()) {
          SC_REPORT_ERROR(name(), ("DRAM error response: " + tr.get_response_string()).c_str());
        }
        r.done = true;
        r.resp_time = sc_core::sc_time_stamp() + delay;
        break;
      }
    }
    // A response implies its request was accepted.
    m_req_pending = m_req_pending && &tr != &m_pool[m_last_slot].tr;
    return tlm::TLM_COMPLETED;
  }
  return tlm::TLM_ACCEPTED;
}

bool DmaEngine::front_done(bool write) const {
  if (m_order[write].empty()) return false;
  return visible(m_pool[m_order[write].front()]);
}

void DmaEngine::pop_front(bool write) {
  Request& r = m_pool[m_order[write].front()];
  const uint64_t lat = m_cycle - r.issue_cycle;
  m_stats.latency_cycles_sum += lat;
  m_stats.latency_cycles_max = std::max(m_stats.latency_cycles_max, lat);
  r.in_use = false;
  m_order[write].pop_front();
  --m_outstanding[write];
}

namespace {
void report_purposes(const std::array<DmaPurposeStats, kDmaPurposes>& by, StatsNode& node) {
  for (int p = 0; p < kDmaPurposes; ++p)
    node.child(purpose_name(static_cast<DmaPurpose>(p)))
        .set("requests", by[p].requests)
        .set("bytes", by[p].bytes)
        .set("slot_wait_cycles", by[p].slot_wait_cycles);
}
}  // namespace

void report_dma_purposes(const std::vector<const DmaEngine*>& engines, StatsNode& node) {
  std::array<DmaPurposeStats, kDmaPurposes> sum{};
  for (const DmaEngine* e : engines) {
    for (int p = 0; p < kDmaPurposes; ++p) {
      const DmaPurposeStats& x = e->dma_stats().by_purpose[p];
      sum[p].requests += x.requests;
      sum[p].bytes += x.bytes;
      sum[p].slot_wait_cycles += x.slot_wait_cycles;
    }
  }
  report_purposes(sum, node);
}

void DmaEngine::report(StatsNode& node) const {
  HwBlock::report(node);
  const DmaStats& s = m_stats;
  StatsNode& d = node.child("dma");
  d.set("read_requests", s.read_requests)
      .set("write_requests", s.write_requests)
      .set("bytes_read", s.bytes_read)
      .set("bytes_written", s.bytes_written)
      .set("req_backpressure_cycles", s.req_backpressure_cycles)
      .set("latency_cycles_max", s.latency_cycles_max);
  report_purposes(s.by_purpose, d.child("by_purpose"));
}
}  // namespace skipsim
