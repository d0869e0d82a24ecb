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
  if (m_sleep.needs_setup()) {
    m_sleep.watch(in.valid->value_changed_event());
    m_sleep.watch(in.ready->value_changed_event());
    for (const StreamOut* p : {&main, &skip}) {
      m_sleep.watch(p->valid->value_changed_event());
      m_sleep.watch(p->ready->value_changed_event());
    }
    m_sleep.enable(clk);
  }
  uint64_t skipped = 0;
  if (!m_sleep.at_edge(clk, skipped)) return;
  replay(skipped);
  const StallStats before = counts();
  const bool fired = account(!m_q.empty(), main.ready.read(), skip.ready.read());
  if (fired) {
    m_q.pop();
    ++m_beats;
  }
  const bool took = in.fire();
  if (took) m_q.push(in.data.read(), in.last.read());
  in.ready.write(m_q.size() < m_q.capacity());
  m_has_beat.write(!m_q.empty());
  queue_probe.set(m_q.size());
  if (!m_q.empty()) {
    main.data.write(m_q.front());
    main.last.write(m_q.front_last());
    skip.data.write(m_q.front());
    skip.last.write(m_q.front_last());
  }
  if (m_sleep.enabled() && !fired && !took) sleep_after_edge(before);
}

}  // namespace skipsim
