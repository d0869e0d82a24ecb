#include "hw/dram/dram_controller.hpp"

#include <algorithm>

namespace skipsim {

using sc_core::sc_time;

DramController::DramController(sc_core::sc_module_name name, const DdrConfig& cfg,
                               uint64_t size_bytes)
    : DramTarget(name, size_bytes),
      m_tck(cfg.tCK_ps, sc_core::SC_PS),
      m_ctl(cfg),
      m_burst(static_cast<uint64_t>(cfg.burst_bytes())),
      m_resp_peq("resp_peq") {
  SC_METHOD(step);
  sensitive << m_wake;
  dont_initialize();
  SC_METHOD(respond);
  sensitive << m_resp_peq.get_event();
  dont_initialize();
}

void DramController::report(StatsNode& node) const {
  DramTarget::report(node);
  node.set("preset", m_ctl.config().name);
  m_ctl.stats().report(node.child("ddr"), m_ctl.config(),
                       std::max(cycle_at(sc_core::sc_time_stamp()), m_ctl.stats().last_done_cycle));
}

void DramController::take_commands(std::vector<DdrIssued>& out) {
  const auto& log = m_ctl.log();
  out.insert(out.end(), log.begin(), log.end());
  m_ctl.clear_log();
}

tlm::tlm_sync_enum DramController::transport_fw(int id, tlm::tlm_generic_payload& tr,
                                                tlm::tlm_phase& ph, sc_time& delay) {
  if (ph == tlm::END_RESP) {
    const auto s = static_cast<size_t>(id);
    if (s < m_resp_busy.size() && m_resp_busy[s] >= 0) {
      const int done = m_resp_busy[s];
      m_resp_busy[s] = -1;
      m_tr_slot.erase(m_txn[static_cast<size_t>(done)].tr);
      m_free.push_back(done);
      if (!m_resp_queue[s].empty()) {
        const int next = m_resp_queue[s].front();
        m_resp_queue[s].pop_front();
        send_response(next);
      }
    }
    return tlm::TLM_COMPLETED;
  }
  if (ph != tlm::BEGIN_REQ) return tlm::TLM_ACCEPTED;
  const uint64_t c = cycle_at(sc_core::sc_time_stamp() + delay);
  int slot;
  if (!m_free.empty()) {
    slot = m_free.back();
    m_free.pop_back();
  } else {
    slot = static_cast<int>(m_txn.size());
    m_txn.emplace_back();
  }
  Txn& t = m_txn[static_cast<size_t>(slot)];
  t = Txn{};
  t.socket_id = id;
  t.tr = &tr;
  t.begin = sc_core::sc_time_stamp() + delay;
  t.addr = tr.get_address();
  t.is_write = tr.is_write();
  const uint64_t len = std::max<uint64_t>(1, tr.get_data_length());
  t.to_enqueue = static_cast<uint32_t>((len + m_burst - 1) / m_burst);
  m_tr_slot[&tr] = slot;
  m_waiting.push_back(slot);
  if (c > 0) sync(c - 1);
  const int accepted = accept_waiting(c, slot);
  rearm();
  if (accepted == slot) {
    ph = tlm::END_REQ;
    return tlm::TLM_UPDATED;
  }
  return tlm::TLM_ACCEPTED;
}

int DramController::accept_waiting(uint64_t cycle, int caller_slot) {
  int caller_accepted = -1;
  while (!m_waiting.empty()) {
    const int slot = m_waiting.front();
    Txn& t = m_txn[static_cast<size_t>(slot)];
    while (t.to_enqueue > 0 && m_ctl.can_accept(t.addr, t.is_write)) {
      m_id_slot[m_ctl.enqueue(t.addr, t.is_write, cycle)] = slot;
      t.addr += m_burst;
      --t.to_enqueue;
      ++t.outstanding;
    }
    if (t.to_enqueue > 0) break;
    m_waiting.pop_front();
    access(*t.tr);  // the data moves in acceptance order
    if (slot == caller_slot) {
      caller_accepted = slot;
    } else {
      tlm::tlm_phase ph = tlm::END_REQ;
      sc_time d = sc_core::SC_ZERO_TIME;
      socket[t.socket_id]->nb_transport_bw(*t.tr, ph, d);
    }
  }
  return caller_accepted;
}

void DramController::sync(uint64_t cycle) {
  if (cycle < m_ctl.now()) return;
  m_ctl.advance_to(cycle);
  m_ctl.take_completed(m_done);
  const sc_time& now = sc_core::sc_time_stamp();
  for (const DdrCompletion& d : m_done) {
    const auto it = m_id_slot.find(d.id);
    const int slot = it->second;
    m_id_slot.erase(it);
    Txn& t = m_txn[static_cast<size_t>(slot)];
    --t.outstanding;
    t.done = std::max(t.done, d.done_cycle);
    if (t.outstanding == 0 && t.to_enqueue == 0) {
      m_resp_peq.notify(*t.tr, m_tck * static_cast<double>(t.done) - now);
    }
  }
}

void DramController::rearm() {
  const uint64_t e = m_ctl.next_event_cycle();
  if (e == DdrController::kNever) return;
  const sc_time at = m_tck * static_cast<double>(e);
  const sc_time& now = sc_core::sc_time_stamp();
  m_wake.notify(at > now ? at - now : sc_core::SC_ZERO_TIME);
}

void DramController::step() {
  const uint64_t c = cycle_at(sc_core::sc_time_stamp());
  sync(c);
  accept_waiting(c, -1);
  rearm();
}

void DramController::send_response(int slot) {
  Txn& t = m_txn[static_cast<size_t>(slot)];
  count_response(t.begin);
  const auto s = static_cast<size_t>(t.socket_id);
  tlm::tlm_phase ph = tlm::BEGIN_RESP;
  sc_time d = sc_core::SC_ZERO_TIME;
  const tlm::tlm_sync_enum r = socket[t.socket_id]->nb_transport_bw(*t.tr, ph, d);
  if (r == tlm::TLM_ACCEPTED || (r == tlm::TLM_UPDATED && ph == tlm::BEGIN_RESP)) {
    m_resp_busy[s] = slot;  // END_RESP will free it
    return;
  }
  m_tr_slot.erase(t.tr);
  m_free.push_back(slot);
}

void DramController::respond() {
  while (tlm::tlm_generic_payload* tr = m_resp_peq.get_next_transaction()) {
    const int slot = m_tr_slot.at(tr);
    const auto s = static_cast<size_t>(m_txn[static_cast<size_t>(slot)].socket_id);
    if (s >= m_resp_busy.size()) {
      m_resp_busy.resize(s + 1, -1);
      m_resp_queue.resize(s + 1);
    }
    if (m_resp_busy[s] >= 0) {
      m_resp_queue[s].push_back(slot);
    } else {
      send_response(slot);
    }
  }
}

}  // namespace skipsim
