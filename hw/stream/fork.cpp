#include "hw/stream/fork.hpp"

namespace skipsim {

Fork::Fork(sc_core::sc_module_name name) : ForkBase(name) {
  SC_METHOD(on_clock);
  sensitive << clk.pos();
  dont_initialize();
  SC_METHOD(drive_valids);
  sensitive << m_has_beat << main.ready << skip.ready;
}

void Fork::drive_valids() {
  main.valid.write(m_has_beat.read() && skip.ready.read());
  skip.valid.write(m_has_beat.read() && main.ready.read());
}

bool ForkBase::account(bool had, bool main_ready, bool skip_ready) {
  const bool fired = had && main_ready && skip_ready;
  m_wait = {};
  if (fired) {
    ++m_stats.busy;
    m_wait.kind = WaitState::Kind::kBusy;
  } else if (had) {
    ++m_stats.blocked;
    m_wait.kind = WaitState::Kind::kBlocked;
    // Name the branch that refuses; the skip side first, as it is the one that deadlocks.
    const int port = !skip_ready ? 1 : 0;
    ++m_stats.blocked_on[port];
    m_wait.port = port ? "skip" : "main";
    m_wait.detail = (!skip_ready && !main_ready) ? "both branches not ready" : "";
  } else {
    ++m_stats.starved;
    ++m_stats.starved_on[0];
    m_wait.kind = WaitState::Kind::kStarved;
    m_wait.port = "in";
  }
  record_state(m_wait.kind);
  return fired;
}

void Fork::on_clock() {
  if (account(!m_q.empty(), main.ready.read(), skip.ready.read())) {
    m_q.pop();
    ++m_beats;
  }
  if (in.fire()) m_q.push(in.data.read(), in.last.read());
  in.ready.write(m_q.size() < m_q.capacity());
  m_has_beat.write(!m_q.empty());
  queue_probe.set(m_q.size());
  if (!m_q.empty()) {
    main.data.write(m_q.front());
    main.last.write(m_q.front_last());
    skip.data.write(m_q.front());
    skip.last.write(m_q.front_last());
  }
}

}  // namespace skipsim
