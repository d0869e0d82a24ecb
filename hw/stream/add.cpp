#include "hw/stream/add.hpp"

#include "hw/common/requant.hpp"

namespace skipsim {

Add::Add(sc_core::sc_module_name name, const AddConfig& cfg) : AddBase(name), m_cfg(cfg) {
  SC_METHOD(on_clock);
  sensitive << clk.pos();
  dont_initialize();
}

void AddBase::account(bool computed, bool out_free, bool main_empty) {
  m_wait = {};
  if (computed) {
    ++m_stats.busy;
    m_wait.kind = WaitState::Kind::kBusy;
  } else if (!out_free) {
    ++m_stats.blocked;
    ++m_stats.blocked_on[0];
    m_wait.kind = WaitState::Kind::kBlocked;
    m_wait.port = "out";
  } else {
    // Starved: name the empty input, main first (skip waiting on main is the usual case).
    const int port = main_empty ? 0 : 1;
    ++m_stats.starved;
    ++m_stats.starved_on[port];
    m_wait.kind = WaitState::Kind::kStarved;
    m_wait.port = port ? "skip" : "main";
  }
  record_state(m_wait.kind);
}

void Add::on_clock() {
  if (m_sleep.needs_setup()) {
    for (const StreamIn* p : {&main, &skip}) {
      m_sleep.watch(p->valid->value_changed_event());
      m_sleep.watch(p->ready->value_changed_event());
    }
    m_sleep.watch(out.valid->value_changed_event());
    m_sleep.watch(out.ready->value_changed_event());
    m_sleep.enable(clk);
  }
  uint64_t skipped = 0;
  if (!m_sleep.at_edge(clk, skipped)) return;
  replay(skipped);
  const StallStats before = counts();
  const bool fired = m_out_busy && out.ready.read();
  const bool out_free = !m_out_busy || fired;
  const bool compute = out_free && !m_main_q.empty() && !m_skip_q.empty();
  account(compute, out_free, m_main_q.empty());
  if (compute) {
    Beat y;
    const Beat& a = m_main_q.front();
    const Beat& b = m_skip_q.front();
    for (int i = 0; i < m_cfg.lanes; ++i)
      y.lane[i] = add_requant(a.lane[i], b.lane[i], m_cfg.mult_main, m_cfg.mult_skip, m_cfg.shift);
    out.put(y, m_main_q.front_last());
    m_main_q.pop();
    m_skip_q.pop();
    m_out_busy = true;
  } else if (fired) {
    out.idle();
    m_out_busy = false;
  }
  const bool took_main = main.fire(), took_skip = skip.fire();
  if (took_main) m_main_q.push(main.data.read(), main.last.read());
  if (took_skip) m_skip_q.push(skip.data.read(), skip.last.read());
  main_probe.set(m_main_q.size());
  skip_probe.set(m_skip_q.size());
  main.ready.write(!m_main_q.full());
  skip.ready.write(!m_skip_q.full());
  if (m_sleep.enabled() && !compute && !fired && !took_main && !took_skip) sleep_after_edge(before);
}

}  // namespace skipsim
